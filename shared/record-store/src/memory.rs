//! Records held in memory, with the same rules as the DynamoDB table.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use webhook_model::inkit::InkitEventType;

use crate::{
    EmailRecord, ExportRecord, InkitDocumentDetails, InkitDocumentRecord, InkitEvent,
    InkitRecordStore, RecordStore, StatusChange, StoreFuture, Timestamp, Unavailable, Written,
    inkit::no_document,
};

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
    /// Keyed like the Inkit event items: resource, then event type.
    inkit_events: BTreeMap<(String, String), InkitEvent>,
    /// Keyed by resource id.
    inkit_documents: HashMap<String, InkitDocumentRecord>,
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
        let mut changes: Vec<StatusChange> = self
            .state()
            .history
            .range((annotation_id, String::new())..)
            .take_while(|((id, _), _)| *id == annotation_id)
            .map(|(_, change)| change.clone())
            .collect();
        // Keyed by the change, not its time: in time order as the table answers.
        changes.sort_by(|a, b| (&a.changed_at, &a.request_id).cmp(&(&b.changed_at, &b.request_id)));
        changes
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

    /// The Inkit events recorded for `resource_id`, by event type.
    pub fn inkit_events(&self, resource_id: &str) -> Vec<InkitEvent> {
        self.state()
            .inkit_events
            .range((resource_id.to_owned(), String::new())..)
            .take_while(|((id, _), _)| id == resource_id)
            .map(|(_, event)| event.clone())
            .collect()
    }

    /// How many Inkit events are recorded, over all resources.
    pub fn inkit_event_count(&self) -> usize {
        self.state().inkit_events.len()
    }

    fn put_inkit_event(&self, event: &InkitEvent) -> Written {
        let mut state = self.state();
        let key = (
            event.resource_id.clone(),
            event.event_type.as_str().to_owned(),
        );
        if state.inkit_events.contains_key(&key) {
            return Written::AlreadyPresent;
        }
        state.inkit_events.insert(key, event.clone());
        let at = &event.received_at;
        let document = state
            .inkit_documents
            .entry(event.resource_id.clone())
            .or_insert_with(|| InkitDocumentRecord {
                resource_id: event.resource_id.clone(),
                last_event: event.event_type.clone(),
                last_event_at: at.clone(),
                details_fetched: false,
                details: None,
                details_fetched_at: None,
                details_unavailable: None,
                create_failed_at: None,
                deleted: false,
                deleted_at: None,
            });
        document.last_event = event.event_type.clone();
        document.last_event_at = at.clone();
        match event.event_type {
            InkitEventType::DocumentDeleted => {
                document.deleted = true;
                document.deleted_at.get_or_insert_with(|| at.clone());
            }
            InkitEventType::DocumentCreateFailed => {
                document.create_failed_at.get_or_insert_with(|| at.clone());
            }
            _ => {}
        }
        Written::Inserted
    }

    fn put_inkit_details(
        &self,
        resource_id: &str,
        details: &InkitDocumentDetails,
        fetched_at: &Timestamp,
    ) -> Result<(), Unavailable> {
        let mut state = self.state();
        let document = state
            .inkit_documents
            .get_mut(resource_id)
            .ok_or_else(|| no_document(resource_id))?;
        document.details = Some(details.clone());
        document.details_fetched = true;
        document.details_fetched_at = Some(fetched_at.clone());
        document.details_unavailable = None;
        Ok(())
    }

    fn put_details_unavailable(&self, resource_id: &str, reason: &str) {
        let mut state = self.state();
        if let Some(document) = state.inkit_documents.get_mut(resource_id)
            && !document.details_fetched
        {
            document.details_unavailable = Some(reason.to_owned());
        }
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
        let key = (change.annotation_id, change.transition.clone());
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
    fn put_export_record<'a>(&'a self, record: &'a ExportRecord) -> StoreFuture<'a, Written> {
        Box::pin(std::future::ready(Ok(self.put_export(record))))
    }

    fn record_status_change<'a>(&'a self, change: &'a StatusChange) -> StoreFuture<'a, Written> {
        Box::pin(std::future::ready(Ok(self.record_change(change))))
    }

    fn record_email<'a>(&'a self, email: &'a EmailRecord) -> StoreFuture<'a, Written> {
        Box::pin(std::future::ready(Ok(self.put_email(email))))
    }
}

impl InkitRecordStore for InMemoryRecordStore {
    fn record_inkit_event<'a>(&'a self, event: &'a InkitEvent) -> StoreFuture<'a, Written> {
        Box::pin(std::future::ready(Ok(self.put_inkit_event(event))))
    }

    fn inkit_document<'a>(
        &'a self,
        resource_id: &'a str,
    ) -> StoreFuture<'a, Option<InkitDocumentRecord>> {
        let document = self.state().inkit_documents.get(resource_id).cloned();
        Box::pin(std::future::ready(Ok(document)))
    }

    fn record_inkit_document_details<'a>(
        &'a self,
        resource_id: &'a str,
        details: &'a InkitDocumentDetails,
        fetched_at: &'a Timestamp,
    ) -> StoreFuture<'a, ()> {
        Box::pin(std::future::ready(self.put_inkit_details(
            resource_id,
            details,
            fetched_at,
        )))
    }

    fn mark_inkit_details_unavailable<'a>(
        &'a self,
        resource_id: &'a str,
        reason: &'a str,
        _at: &'a Timestamp,
    ) -> StoreFuture<'a, ()> {
        self.put_details_unavailable(resource_id, reason);
        Box::pin(std::future::ready(Ok(())))
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
            transition: format!("{status}@{at}#{request_id}"),
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

    #[tokio::test]
    async fn inkit_events_once_and_the_document_they_update() {
        let store = InMemoryRecordStore::new();
        let event = |event_type: InkitEventType, at: &str| InkitEvent {
            resource_id: "doc_1".to_owned(),
            event_type,
            received_at: Timestamp::parse(at).unwrap(),
        };
        let deleted = event(InkitEventType::DocumentDeleted, "2026-11-20T10:00:00Z");
        assert_eq!(
            store.record_inkit_event(&deleted).await,
            Ok(Written::Inserted)
        );
        assert_eq!(
            store.record_inkit_event(&deleted).await,
            Ok(Written::AlreadyPresent)
        );
        let late = event(
            InkitEventType::DocumentCreateFinished,
            "2026-11-20T10:00:01Z",
        );
        assert_eq!(store.record_inkit_event(&late).await, Ok(Written::Inserted));
        let document = store.inkit_document("doc_1").await.unwrap().unwrap();
        assert!(document.deleted, "a late create never undoes a deletion");
        assert_eq!(document.deleted_at, Some(deleted.received_at.clone()));
        assert_eq!(document.last_event, InkitEventType::DocumentCreateFinished);
        assert_eq!(store.inkit_events("doc_1"), vec![late.clone(), deleted]);
        assert_eq!(store.inkit_event_count(), 2);

        store
            .mark_inkit_details_unavailable("doc_1", "not_found", &late.received_at)
            .await
            .unwrap();
        let details = InkitDocumentDetails {
            id: "doc_1".to_owned(),
            ..InkitDocumentDetails::default()
        };
        store
            .record_inkit_document_details("doc_1", &details, &late.received_at)
            .await
            .unwrap();
        store
            .mark_inkit_details_unavailable("doc_1", "malformed", &late.received_at)
            .await
            .unwrap();
        let document = store.inkit_document("doc_1").await.unwrap().unwrap();
        assert!(document.details_fetched);
        assert_eq!(document.details_unavailable, None);
        assert!(
            store
                .record_inkit_document_details("doc_2", &details, &late.received_at)
                .await
                .is_err(),
            "details need a recorded event"
        );
    }
}
