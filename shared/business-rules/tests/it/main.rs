//! Business rules over annotations shaped as Rossum sends them: where messages go, what
//! blocks automation, per-row rules, `or` groups, conditions, queues and when checks run.

mod annotation;
mod cache;
mod checks;
mod published;
