//! The integration tests of `webhook-verify`, one module per concern.

mod properties;
mod rejections;
mod vectors;
