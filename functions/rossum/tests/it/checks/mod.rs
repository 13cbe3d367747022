//! Business Rules Validation `checks` in the hooks' settings.

mod built_in;
mod published;
