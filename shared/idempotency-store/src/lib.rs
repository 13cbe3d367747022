//! The idempotency records of the guarded functions: the [`IdempotencyStore`] interface (one
//! lock per delivery key, completed with the answer to replay) and [`InMemoryIdempotencyStore`],
//! the local server's and tests' store. No HTTP and no AWS here: the guard that uses a store
//! is in `idempotency`, the DynamoDB store in `record-store` (the records table).

mod memory;

pub use memory::InMemoryIdempotencyStore;

pub use unavailable::{StoreFuture, Unavailable};

/// The idempotency store could not be read or written; the delivery is answered 503.
pub fn idempotency_unavailable(reason: impl Into<String>) -> Unavailable {
    Unavailable::new("idempotency store", reason)
}

/// One attempt to take the lock of a function's delivery key. The caller supplies every
/// time, so a store never reads a clock and expiry is the same decision in every store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRequest {
    /// The function the key belongs to (keys of two functions never meet).
    pub function: String,
    pub key: String,
    /// Hash of the part of the body a retry must repeat.
    pub validation: String,
    /// Unique to this attempt: completing or releasing acts only on the lock it took.
    pub token: String,
    /// Now, in epoch milliseconds.
    pub now_ms: i64,
    /// Until when the lock holds (epoch ms).
    pub lock_expires_at_ms: i64,
    /// When the record expires (epoch s); also its TTL.
    pub expires_at: i64,
}

impl LockRequest {
    pub fn now_secs(&self) -> i64 {
        self.now_ms.div_euclid(1000)
    }

    /// Whether `record` still holds this key at the request's time: unexpired, and either
    /// completed or with a lock that has not run out.
    pub fn is_held_by(&self, record: &StoredRecord) -> bool {
        let expired = record.expires_at < self.now_secs();
        let lock_ran_out = record.status == RecordStatus::InProgress
            && record.in_progress_expires_at_ms < self.now_ms;
        !expired && !lock_ran_out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordStatus {
    InProgress,
    Completed,
}

impl RecordStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::InProgress => "IN_PROGRESS",
            RecordStatus::Completed => "COMPLETED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "IN_PROGRESS" => Some(RecordStatus::InProgress),
            "COMPLETED" => Some(RecordStatus::Completed),
            _ => None,
        }
    }
}

/// The answer kept with a completed record and replayed to duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
    pub content_type: Option<String>,
}

/// A key's record as a store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub status: RecordStatus,
    pub validation: String,
    pub token: String,
    pub in_progress_expires_at_ms: i64,
    pub expires_at: i64,
    /// Set once completed.
    pub response: Option<StoredResponse>,
}

impl StoredRecord {
    /// The record a successful [`IdempotencyStore::lock`] writes.
    pub fn locked(request: &LockRequest) -> Self {
        Self {
            status: RecordStatus::InProgress,
            validation: request.validation.clone(),
            token: request.token.clone(),
            in_progress_expires_at_ms: request.lock_expires_at_ms,
            expires_at: request.expires_at,
            response: None,
        }
    }
}

/// What a lock attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockOutcome {
    /// The key was free (absent or expired): the lock is ours.
    Acquired,
    /// A live record holds the key.
    Held(StoredRecord),
}

/// Where idempotency records live. Object-safe, so a function is handed the DynamoDB store,
/// the in-memory one or an unavailable one at start-up.
pub trait IdempotencyStore: Send + Sync {
    /// Writes an in-progress record for the key unless a live one exists (one atomic
    /// conditional write), else returns the live record.
    fn lock<'a>(&'a self, request: &'a LockRequest) -> StoreFuture<'a, LockOutcome>;

    /// Marks the record completed with `response`, expiring at `expires_at` (epoch s), if it
    /// is still the in-progress lock `request` took; `false` when it is not.
    fn complete<'a>(
        &'a self,
        request: &'a LockRequest,
        response: &'a StoredResponse,
        expires_at: i64,
    ) -> StoreFuture<'a, bool>;

    /// Deletes the record if it is still the in-progress lock `request` took; `false` when
    /// it is not.
    fn release<'a>(&'a self, request: &'a LockRequest) -> StoreFuture<'a, bool>;
}
