use std::collections::HashMap;
use std::sync::Mutex;

use crate::{
    IdempotencyStore, LockOutcome, LockRequest, RecordStatus, StoreFuture, StoredRecord,
    StoredResponse,
};

/// [`IdempotencyStore`] in process memory, for the local server and tests: the same
/// decisions as the DynamoDB store, lost when the process ends.
#[derive(Debug, Default)]
pub struct InMemoryIdempotencyStore {
    records: Mutex<HashMap<(String, String), StoredRecord>>,
}

impl InMemoryIdempotencyStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// The record of `function`'s `key`, if any (expired ones included, as in DynamoDB
    /// before TTL deletes them).
    pub fn record(&self, function: &str, key: &str) -> Option<StoredRecord> {
        self.lock_records()
            .get(&(function.to_owned(), key.to_owned()))
            .cloned()
    }

    fn lock_records(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), StoredRecord>> {
        // A panic while holding the lock cannot leave a record half-written: every change
        // is one insert or remove.
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn held_by_request(record: &StoredRecord, request: &LockRequest) -> bool {
        record.status == RecordStatus::InProgress && record.token == request.token
    }
}

fn key_of(request: &LockRequest) -> (String, String) {
    (request.function.clone(), request.key.clone())
}

impl IdempotencyStore for InMemoryIdempotencyStore {
    fn lock<'a>(&'a self, request: &'a LockRequest) -> StoreFuture<'a, LockOutcome> {
        let mut records = self.lock_records();
        let outcome = match records.get(&key_of(request)) {
            Some(existing) if request.is_held_by(existing) => LockOutcome::Held(existing.clone()),
            _ => {
                records.insert(key_of(request), StoredRecord::locked(request));
                LockOutcome::Acquired
            }
        };
        Box::pin(std::future::ready(Ok(outcome)))
    }

    fn complete<'a>(
        &'a self,
        request: &'a LockRequest,
        response: &'a StoredResponse,
        expires_at: i64,
    ) -> StoreFuture<'a, bool> {
        let mut records = self.lock_records();
        let completed = match records.get_mut(&key_of(request)) {
            Some(record) if Self::held_by_request(record, request) => {
                record.status = RecordStatus::Completed;
                record.response = Some(response.clone());
                record.expires_at = expires_at;
                true
            }
            _ => false,
        };
        Box::pin(std::future::ready(Ok(completed)))
    }

    fn release<'a>(&'a self, request: &'a LockRequest) -> StoreFuture<'a, bool> {
        let mut records = self.lock_records();
        let held = records
            .get(&key_of(request))
            .is_some_and(|record| Self::held_by_request(record, request));
        if held {
            records.remove(&key_of(request));
        }
        Box::pin(std::future::ready(Ok(held)))
    }
}
