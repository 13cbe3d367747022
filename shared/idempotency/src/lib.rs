//! Exactly-once webhook effects: a lock per delivery key, the stored answer replayed to
//! duplicates, as AWS Lambda Powertools' idempotency utility does it.
//!
//! A [`Guard`] wraps a function's handler. For each verified delivery it derives a
//! [`DeliveryKey`] (the key a retry shares with the original, and a validation hash of the
//! part of the body that must match), then takes a lock on the key in an
//! [`IdempotencyStore`]:
//!
//! - lock taken: the handler runs; a 2xx answer is stored with the record (`COMPLETED`), any
//!   other outcome deletes the lock so the sender's retry runs again;
//! - a completed record with the same validation hash: its stored answer is replayed (same
//!   status and body), nothing runs;
//! - a record with another validation hash: 409 `idempotency_key_reused`, nothing runs;
//! - a record still in progress: 429 `in_progress` with `Retry-After` (Rossum retries 429,
//!   not 409);
//! - the store unreachable: 503 `temporarily_unavailable`.
//!
//! A lock expires after [`Guard::with_lock_timeout`] (a crashed or timed-out invocation
//! does not block its key for ever) and a completed record after [`Guard::with_retention`];
//! expiry is decided from the record's own times, never from the store's deletion of it.
//!
//! Interactive deliveries Rossum never retries run unguarded: the
//! `rossum-annotation-updated` function (interactive and read-only) and
//! `rossum-annotation-initialize` (read-only matching) have no guard at all, and
//! [`rossum_key`] gives no key to interactive `annotation_content` actions (the export
//! function's `confirm`).
//!
//! Stores: the interface and [`InMemoryIdempotencyStore`] (local server, tests) are
//! `idempotency-store`'s, re-exported here; the DynamoDB one is in `record-store` (the
//! records table).

mod canonical;
mod guard;
mod keys;

pub use guard::{DEFAULT_LOCK_TIMEOUT, DEFAULT_RETENTION, Guard, KeyFn, guarded};
pub use idempotency_store::{
    IdempotencyStore, InMemoryIdempotencyStore, LockOutcome, LockRequest, RecordStatus,
    StoreFuture, StoredRecord, StoredResponse, Unavailable, idempotency_unavailable,
};
pub use keys::{
    DeliveryKey, MAX_KEY_CHARS, ROSSUM_INTERACTIVE_ACTIONS, ROSSUM_VOLATILE_KEYS, inkit_key,
    rossum_key, sha256_hex,
};
