//! The integration tests of `webhook-model`, one module per concern.

mod properties;
mod published_examples;
