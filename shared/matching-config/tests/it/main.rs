//! The configurations Rossum published or exported (`../shared/reference/mdh-examples.json`
//! beside the repository), and configurations written as MDH documents them.

mod published;
mod settings;
