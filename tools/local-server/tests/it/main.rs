//! The local server's tests: every function served as the registry builds it.

mod fuzz_corpus;
mod hostile_input;
mod over_http;
mod replay_window;
