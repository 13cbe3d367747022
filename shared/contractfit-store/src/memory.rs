//! contract.fit deliveries held in memory, with the same rules as the DynamoDB table.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;
use webhook_model::contractfit::{DocumentId, Section};

use crate::{
    ContractFitStore, Deletion, Delivery, DocumentVersion, Failure, StoreFuture, Stored,
    StoredDocument, StoredSections, StoredText, Timestamp, canonical_json, document_time,
    not_a_document_event, sha256_hex, sort_versions, version_prefix,
};

/// [`ContractFitStore`] in memory: the local server's default and the unit tests' store.
/// Gone when the process ends.
#[derive(Debug, Default)]
pub struct InMemoryContractFitStore {
    documents: Mutex<HashMap<DocumentId, Entry>>,
}

#[derive(Debug, Default)]
struct Entry {
    text: Option<StoredText>,
    sections: Option<StoredSections>,
    versions: Vec<DocumentVersion>,
    failures: Vec<Failure>,
    deletion: Option<Deletion>,
    deliveries: BTreeSet<String>,
}

impl InMemoryContractFitStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn documents(&self) -> MutexGuard<'_, HashMap<DocumentId, Entry>> {
        // A panic while holding the lock cannot leave a half-applied delivery: recover.
        self.documents.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many documents have anything stored (a deletion marker counts).
    pub fn document_count(&self) -> usize {
        self.documents().len()
    }

    /// Applies `change` once per delivery key, unless the document is deleted and
    /// `document_time` is not after the deletion.
    fn write_once(
        &self,
        delivery: &Delivery,
        document_time: Option<&Timestamp>,
        change: impl FnOnce(&mut Entry),
    ) -> Stored {
        let mut documents = self.documents();
        let entry = documents.entry(delivery.document_id.clone()).or_default();
        let key = delivery.key();
        if entry.deliveries.contains(&key) {
            return Stored::Duplicate;
        }
        if let Some(deletion) = &entry.deletion {
            let newer = document_time.is_some_and(|time| *time > deletion.deleted_at);
            if !newer {
                return Stored::AfterDeletion;
            }
        }
        change(entry);
        entry.deliveries.insert(key);
        Stored::Stored
    }

    fn put_text(&self, delivery: &Delivery, text: &str) -> Stored {
        self.write_once(delivery, None, |entry| {
            entry.text = Some(StoredText {
                text: text.to_owned(),
                sha256: sha256_hex(text.as_bytes()),
                received_at: delivery.received_at.clone(),
            });
        })
    }

    fn put_sections(&self, delivery: &Delivery, sections: &[Section]) -> Stored {
        self.write_once(delivery, None, |entry| {
            entry.sections = Some(StoredSections {
                sections: sections.to_vec(),
                received_at: delivery.received_at.clone(),
            });
        })
    }

    fn put_document(&self, delivery: &Delivery, document: &Value) -> Stored {
        let time = document_time(document);
        self.write_once(delivery, time.as_ref(), |entry| {
            entry.versions.push(DocumentVersion {
                event: delivery.event.clone(),
                received_at: delivery.received_at.clone(),
                document_time: time.clone(),
                sha256: sha256_hex(canonical_json(document).as_bytes()),
                document: document.clone(),
            });
            sort_versions(&mut entry.versions);
        })
    }

    fn put_failure(&self, delivery: &Delivery, data: &Value) -> Stored {
        self.write_once(delivery, None, |entry| {
            entry.failures.push(Failure {
                received_at: delivery.received_at.clone(),
                data: data.clone(),
            });
            entry
                .failures
                .sort_by(|a, b| a.received_at.cmp(&b.received_at));
        })
    }

    fn delete(&self, delivery: &Delivery) -> Stored {
        let mut documents = self.documents();
        let entry = documents.entry(delivery.document_id.clone()).or_default();
        if entry.deletion.as_ref().is_some_and(|d| d.complete) {
            return Stored::Duplicate;
        }
        let deleted_at = entry
            .deletion
            .take()
            .map_or_else(|| delivery.received_at.clone(), |d| d.deleted_at);
        *entry = Entry {
            deletion: Some(Deletion {
                deleted_at,
                complete: true,
            }),
            ..Entry::default()
        };
        Stored::Stored
    }

    fn snapshot(&self, document_id: &DocumentId) -> Option<StoredDocument> {
        let documents = self.documents();
        let entry = documents.get(document_id)?;
        Some(StoredDocument {
            document_id: document_id.clone(),
            text: entry.text.clone(),
            sections: entry.sections.clone(),
            versions: entry.versions.clone(),
            failures: entry.failures.clone(),
            deletion: entry.deletion.clone(),
            deliveries: entry.deliveries.iter().cloned().collect(),
        })
    }
}

impl ContractFitStore for InMemoryContractFitStore {
    fn store_text<'a>(&'a self, delivery: &'a Delivery, text: &'a str) -> StoreFuture<'a, Stored> {
        Box::pin(std::future::ready(Ok(self.put_text(delivery, text))))
    }

    fn store_sections<'a>(
        &'a self,
        delivery: &'a Delivery,
        sections: &'a [Section],
    ) -> StoreFuture<'a, Stored> {
        Box::pin(std::future::ready(
            Ok(self.put_sections(delivery, sections)),
        ))
    }

    fn store_document<'a>(
        &'a self,
        delivery: &'a Delivery,
        document: &'a Value,
    ) -> StoreFuture<'a, Stored> {
        let result = match version_prefix(&delivery.event) {
            Some(_) => Ok(self.put_document(delivery, document)),
            None => Err(not_a_document_event(&delivery.event)),
        };
        Box::pin(std::future::ready(result))
    }

    fn record_failure<'a>(
        &'a self,
        delivery: &'a Delivery,
        data: &'a Value,
    ) -> StoreFuture<'a, Stored> {
        Box::pin(std::future::ready(Ok(self.put_failure(delivery, data))))
    }

    fn delete_document<'a>(&'a self, delivery: &'a Delivery) -> StoreFuture<'a, Stored> {
        Box::pin(std::future::ready(Ok(self.delete(delivery))))
    }

    fn load<'a>(&'a self, document_id: &'a DocumentId) -> StoreFuture<'a, Option<StoredDocument>> {
        Box::pin(std::future::ready(Ok(self.snapshot(document_id))))
    }
}
