//! The integration tests of `dynamodb-support`, one module per concern.

mod https_trust;
