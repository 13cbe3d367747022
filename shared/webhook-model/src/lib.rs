//! The bodies webhook platforms send and the answers they expect, as plain serde types.
//!
//! Pure data: no HTTP, no AWS, no verification. Unknown fields in incoming bodies are
//! tolerated, because platforms add keys without notice.

pub mod contractfit;
pub mod inkit;
pub mod rossum;
