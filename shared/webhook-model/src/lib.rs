//! The bodies webhook platforms send and the answers they expect, as plain serde types.
//!
//! Pure data: no HTTP, no AWS, no verification. Unknown fields in incoming bodies are
//! tolerated, because platforms add keys without notice, and the webhook bodies keep them
//! (`other`), so that parsing and serialising a body again loses nothing.

pub mod contractfit;
pub mod inkit;
pub mod rossum;
