//! Records held in memory, with the same rules as the DynamoDB table.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use crate::{EmailRecord, ExportRecord, RecordFuture, RecordStore, StatusChange, Written};

/// [`RecordStore`] in memory: the local server's default and the unit tests' store. Gone
/// when the process ends.
#[derive(Debug, Default)]
pub struct InMemoryRecordStore {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    exports: HashMap<u64, ExportRecord>,
    /// Keyed like the history items: annotation, then `changed_at#request_id`.
    history: BTreeMap<(u64, String), StatusChange>,
    latest: HashMap<u64, StatusChange>,
    /// Keyed like the email items: [`EmailRecord::key`].
    emails: HashMap<String, EmailRecord>,
}

impl InMemoryRecordStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-written record: recover.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The export record of an annotation.
    pub fn export(&self, annotation_id: u64) -> Option<ExportRecord> {
        self.state().exports.get(&annotation_id).cloned()
    }

    /// How many export records there are.
    pub fn export_count(&self) -> usize {
        self.state().exports.len()
    }

    /// An annotation's status changes, oldest first.
    pub fn status_history(&self, annotation_id: u64) -> Vec<StatusChange> {
        self.state()
            .history
            .range((annotation_id, String::new())..)
            .take_while(|((id, _), _)| *id == annotation_id)
            .map(|(_, change)| change.clone())
            .collect()
    }

    /// An annotation's latest status change.
    pub fn latest_status(&self, annotation_id: u64) -> Option<StatusChange> {
        self.state().latest.get(&annotation_id).cloned()
    }

    /// The recorded email at `email_url` (keyed as [`EmailRecord::key_of_url`]).
    pub fn email(&self, email_url: &str) -> Option<EmailRecord> {
        self.state()
            .emails
            .get(&EmailRecord::key_of_url(email_url))
            .cloned()
    }

    /// How many emails are recorded.
    pub fn email_count(&self) -> usize {
        self.state().emails.len()
    }

    fn put_export(&self, record: &ExportRecord) -> Written {
        let mut state = self.state();
        if state.exports.contains_key(&record.annotation_id) {
            return Written::AlreadyPresent;
        }
        state.exports.insert(record.annotation_id, record.clone());
        Written::Inserted
    }

    fn record_change(&self, change: &StatusChange) -> Written {
        let mut state = self.state();
        let key = (
            change.annotation_id,
            format!("{}#{}", change.changed_at, change.request_id),
        );
        if state.history.contains_key(&key) {
            return Written::AlreadyPresent;
        }
        state.history.insert(key, change.clone());
        let newer_recorded = state
            .latest
            .get(&change.annotation_id)
            .is_some_and(|latest| latest.changed_at > change.changed_at);
        if newer_recorded {
            return Written::HistoryOnly;
        }
        state.latest.insert(change.annotation_id, change.clone());
        Written::Inserted
    }

    fn put_email(&self, email: &EmailRecord) -> Written {
        let mut state = self.state();
        let key = email.key();
        if state.emails.contains_key(&key) {
            return Written::AlreadyPresent;
        }
        state.emails.insert(key, email.clone());
        Written::Inserted
    }
}

impl RecordStore for InMemoryRecordStore {
    fn put_export_record<'a>(&'a self, record: &'a ExportRecord) -> RecordFuture<'a, Written> {
        Box::pin(std::future::ready(Ok(self.put_export(record))))
    }

    fn record_status_change<'a>(&'a self, change: &'a StatusChange) -> RecordFuture<'a, Written> {
        Box::pin(std::future::ready(Ok(self.record_change(change))))
    }

    fn record_email<'a>(&'a self, email: &'a EmailRecord) -> RecordFuture<'a, Written> {
        Box::pin(std::future::ready(Ok(self.put_email(email))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;

    fn change(status: &str, at: &str, request_id: &str) -> StatusChange {
        StatusChange {
            annotation_id: 7,
            queue: None,
            previous_status: None,
            status: status.to_owned(),
            changed_at: Timestamp::parse(at).unwrap(),
            request_id: request_id.to_owned(),
        }
    }

    #[tokio::test]
    async fn the_same_rules_as_the_table() {
        let store = InMemoryRecordStore::new();
        let exported = change("exported", "2026-11-20T10:00:00Z", "b");
        let late = change("exporting", "2026-11-20T09:00:00Z", "a");
        assert_eq!(
            store.record_status_change(&exported).await,
            Ok(Written::Inserted)
        );
        assert_eq!(
            store.record_status_change(&exported).await,
            Ok(Written::AlreadyPresent)
        );
        assert_eq!(
            store.record_status_change(&late).await,
            Ok(Written::HistoryOnly)
        );
        assert_eq!(store.latest_status(7), Some(exported.clone()));
        assert_eq!(store.status_history(7), vec![late, exported]);
        assert!(store.status_history(8).is_empty());
    }

    #[tokio::test]
    async fn an_email_is_recorded_once() {
        let url = "https://example.rossum.app/api/v1/emails/1204418";
        let email = |request_id: &str| EmailRecord {
            email_url: url.to_owned(),
            email_id: EmailRecord::id_from_url(url),
            queue: None,
            from: None,
            to: None,
            reply_to: None,
            subject: Some("Invoice".to_owned()),
            message_id: None,
            date: None,
            received_at: Timestamp::parse("2026-11-16T10:03:31Z").unwrap(),
            request_id: request_id.to_owned(),
            files_total: 1,
            files_imported: vec!["1".to_owned()],
            files_dropped: 0,
            extracted_original_sender_email: None,
            extracted_original_sender_name: None,
        };
        let store = InMemoryRecordStore::new();
        assert_eq!(store.record_email(&email("a")).await, Ok(Written::Inserted));
        assert_eq!(
            store.record_email(&email("b")).await,
            Ok(Written::AlreadyPresent)
        );
        assert_eq!(store.email(url), Some(email("a")));
        assert_eq!(store.email_count(), 1);
        assert_eq!(
            store.email("https://example.rossum.app/api/v1/emails/1"),
            None
        );
    }
}
