//! The rules every [`ContractFitStore`] follows, written once and run against each store.

use contractfit_store::{ContractFitStore, Stored, sha256_hex};
use serde_json::json;
use webhook_model::contractfit::{ContractFitEvent, NumberText, Section};

use super::{DOCUMENT_ID, delivery, document_json, id};

use ContractFitEvent::*;

pub async fn a_text_is_stored_once(store: &dyn ContractFitStore) {
    let data = json!({"id": DOCUMENT_ID, "text": "Invoice 2026-0042\nTotal 1 250,40 €\n"});
    let first = delivery(DocumentText, &data, "2026-11-20T09:01:00Z");
    let again = delivery(DocumentText, &data, "2026-11-20T09:03:00Z");
    let text = data["text"].as_str().unwrap();
    assert_eq!(store.store_text(&first, text).await, Ok(Stored::Stored));
    let stored = store.load(&id(DOCUMENT_ID)).await.unwrap().unwrap();
    assert_eq!(store.store_text(&again, text).await, Ok(Stored::Duplicate));
    let after = store.load(&id(DOCUMENT_ID)).await.unwrap().unwrap();
    assert_eq!(after, stored, "a duplicate changes nothing");
    let stored_text = stored.text.unwrap();
    assert_eq!(stored_text.text, text);
    assert_eq!(stored_text.sha256, sha256_hex(text.as_bytes()));
    assert_eq!(
        stored_text.received_at.as_str(),
        "2026-11-20T09:01:00.000000Z"
    );
    assert_eq!(stored.deliveries.len(), 1);
}

pub async fn a_different_text_replaces_the_stored_one(store: &dyn ContractFitStore) {
    let first = json!({"id": DOCUMENT_ID, "text": "first OCR pass"});
    let second = json!({"id": DOCUMENT_ID, "text": "second OCR pass"});
    for (data, minute) in [(&first, "01"), (&second, "02")] {
        let d = delivery(DocumentText, data, &format!("2026-11-20T09:{minute}:00Z"));
        let text = data["text"].as_str().unwrap();
        assert_eq!(store.store_text(&d, text).await, Ok(Stored::Stored));
    }
    let stored = store.load(&id(DOCUMENT_ID)).await.unwrap().unwrap();
    assert_eq!(stored.text.unwrap().text, "second OCR pass");
    assert_eq!(stored.deliveries.len(), 2);
}

pub async fn sections_keep_their_text_and_their_numbers(store: &dyn ContractFitStore) {
    let data = json!({"id": DOCUMENT_ID, "sections": [
        {"document_type": "invoice", "format": "5e20372a90d5ab65dd4a017a", "confidence": "91", "page": "0"},
        {"document_type": "terms", "format": null, "confidence": "n/a", "page": "2"}
    ]});
    let sections: Vec<Section> = serde_json::from_value(data["sections"].clone()).unwrap();
    let d = delivery(DocumentSplit, &data, "2026-11-20T09:02:00Z");
    assert_eq!(
        store.store_sections(&d, &sections).await,
        Ok(Stored::Stored)
    );
    assert_eq!(
        store.store_sections(&d, &sections).await,
        Ok(Stored::Duplicate)
    );
    let stored = store.load(&id(DOCUMENT_ID)).await.unwrap().unwrap();
    let stored = stored.sections.unwrap();
    assert_eq!(stored.sections, sections);
    assert_eq!(
        stored.sections[0].confidence,
        NumberText {
            raw: "91".into(),
            value: Some(91.0)
        }
    );
    assert_eq!(stored.sections[1].confidence.value, None);
    assert_eq!(stored.sections[1].page.value, Some(2));
}

pub async fn predictions_and_reviews_are_versions_side_by_side(store: &dyn ContractFitStore) {
    let predicted = document_json(DOCUMENT_ID, "INV-0042", Some("2026-11-20T09:05:00"));
    let mut reviewed = predicted.clone();
    reviewed["feedback"] = json!({"invoice_number": [{"value": "INV-2026-0042"}]});
    let mut corrected = reviewed.clone();
    corrected["feedback"]["invoice_number"][0]["value"] = json!("INV-2026-0043");

    let store_as = |event, document: &serde_json::Value, at: &str| {
        let d = delivery(event, document, at);
        let document = document.clone();
        async move { store.store_document(&d, &document).await }
    };
    assert_eq!(
        store_as(DocumentPredict, &predicted, "2026-11-20T09:05:01Z").await,
        Ok(Stored::Stored)
    );
    assert_eq!(
        store_as(DocumentEvaluate, &reviewed, "2026-11-20T10:00:00Z").await,
        Ok(Stored::Stored)
    );
    // The same content again, later: a duplicate, whatever the time.
    assert_eq!(
        store_as(DocumentEvaluate, &reviewed, "2026-11-20T10:30:00Z").await,
        Ok(Stored::Duplicate)
    );
    assert_eq!(
        store_as(DocumentPredict, &predicted, "2026-11-20T10:31:00Z").await,
        Ok(Stored::Duplicate)
    );
    // Different content: a new version.
    assert_eq!(
        store_as(DocumentEvaluate, &corrected, "2026-11-20T11:00:00Z").await,
        Ok(Stored::Stored)
    );

    let stored = store.load(&id(DOCUMENT_ID)).await.unwrap().unwrap();
    let events: Vec<&str> = stored.versions.iter().map(|v| v.event.as_str()).collect();
    assert_eq!(
        events,
        ["document_predict", "document_evaluate", "document_evaluate"]
    );
    assert_eq!(
        stored.versions[0].document, predicted,
        "kept whole, unknown fields included"
    );
    assert_eq!(stored.versions[1].document, reviewed);
    assert_eq!(stored.versions[2].document, corrected);
    assert_eq!(
        stored.versions[1].received_at.as_str(),
        "2026-11-20T10:00:00.000000Z"
    );
    assert_eq!(
        stored.versions[0].document_time.as_ref().unwrap().as_str(),
        "2026-11-20T09:05:00.000000Z"
    );
    assert_ne!(stored.versions[1].sha256, stored.versions[2].sha256);
    assert_eq!(stored.versions_of(&DocumentEvaluate).count(), 2);

    let not_a_document = delivery(
        DocumentText,
        &json!({"id": DOCUMENT_ID, "text": ""}),
        "2026-11-20T11:00:00Z",
    );
    assert!(
        store
            .store_document(&not_a_document, &predicted)
            .await
            .is_err()
    );
}

pub async fn failures_are_recorded_once(store: &dyn ContractFitStore) {
    let data = json!({"id": DOCUMENT_ID});
    let d = delivery(DocumentFail, &data, "2026-11-20T09:00:30Z");
    assert_eq!(store.record_failure(&d, &data).await, Ok(Stored::Stored));
    let later = delivery(DocumentFail, &data, "2026-11-20T09:10:30Z");
    assert_eq!(
        store.record_failure(&later, &data).await,
        Ok(Stored::Duplicate)
    );
    let stored = store.load(&id(DOCUMENT_ID)).await.unwrap().unwrap();
    assert_eq!(stored.failures.len(), 1);
    assert_eq!(stored.failures[0].data, data);
    assert_eq!(
        stored.failures[0].received_at.as_str(),
        "2026-11-20T09:00:30.000000Z"
    );
}

pub async fn a_delete_removes_everything_and_leaves_the_marker(store: &dyn ContractFitStore) {
    let text = json!({"id": DOCUMENT_ID, "text": "some OCR text"});
    let split = json!({"id": DOCUMENT_ID, "sections": [{"document_type": "invoice", "format": null, "confidence": "91", "page": "0"}]});
    let predicted = document_json(DOCUMENT_ID, "INV-0042", Some("2026-11-20T09:05:00"));
    let failed = json!({"id": DOCUMENT_ID});
    let sections: Vec<Section> = serde_json::from_value(split["sections"].clone()).unwrap();
    store
        .store_text(
            &delivery(DocumentText, &text, "2026-11-20T09:01:00Z"),
            "some OCR text",
        )
        .await
        .unwrap();
    store
        .store_sections(
            &delivery(DocumentSplit, &split, "2026-11-20T09:02:00Z"),
            &sections,
        )
        .await
        .unwrap();
    store
        .store_document(
            &delivery(DocumentPredict, &predicted, "2026-11-20T09:06:00Z"),
            &predicted,
        )
        .await
        .unwrap();
    store
        .store_document(
            &delivery(DocumentEvaluate, &predicted, "2026-11-20T09:07:00Z"),
            &predicted,
        )
        .await
        .unwrap();
    store
        .record_failure(
            &delivery(DocumentFail, &failed, "2026-11-20T09:08:00Z"),
            &failed,
        )
        .await
        .unwrap();
    assert!(
        store
            .load(&id(DOCUMENT_ID))
            .await
            .unwrap()
            .unwrap()
            .has_content()
    );

    let delete = json!({"id": DOCUMENT_ID});
    let deleted = delivery(DocumentDelete, &delete, "2026-11-21T08:00:00Z");
    assert_eq!(store.delete_document(&deleted).await, Ok(Stored::Stored));
    let after = store
        .load(&id(DOCUMENT_ID))
        .await
        .unwrap()
        .expect("the marker stays");
    assert!(!after.has_content(), "{after:?}");
    let deletion = after.deletion.clone().unwrap();
    assert_eq!(deletion.deleted_at.as_str(), "2026-11-21T08:00:00.000000Z");
    assert!(deletion.complete);

    let redelivered = delivery(DocumentDelete, &delete, "2026-11-21T08:05:00Z");
    assert_eq!(
        store.delete_document(&redelivered).await,
        Ok(Stored::Duplicate)
    );
    // Late retries of events sent before the deletion store nothing.
    let late_text = delivery(DocumentText, &text, "2026-11-21T08:06:00Z");
    assert_eq!(
        store.store_text(&late_text, "some OCR text").await,
        Ok(Stored::AfterDeletion)
    );
    let late_split = delivery(DocumentSplit, &split, "2026-11-21T08:06:00Z");
    assert_eq!(
        store.store_sections(&late_split, &sections).await,
        Ok(Stored::AfterDeletion)
    );
    let late_failure = delivery(DocumentFail, &failed, "2026-11-21T08:06:00Z");
    assert_eq!(
        store.record_failure(&late_failure, &failed).await,
        Ok(Stored::AfterDeletion)
    );
    assert_eq!(store.load(&id(DOCUMENT_ID)).await.unwrap().unwrap(), after);

    // A document never seen can be deleted too: its late events are refused the same way.
    let unknown = json!({"id": "5e7a0df1800de5422a6f7777"});
    let d = delivery(DocumentDelete, &unknown, "2026-11-21T08:00:00Z");
    assert_eq!(store.delete_document(&d).await, Ok(Stored::Stored));
    assert!(
        store
            .load(&id("5e7a0df1800de5422a6f7777"))
            .await
            .unwrap()
            .unwrap()
            .deletion
            .is_some()
    );
}

pub async fn a_document_after_its_deletion_is_stored_only_when_newer(store: &dyn ContractFitStore) {
    let delete = json!({"id": DOCUMENT_ID});
    store
        .delete_document(&delivery(DocumentDelete, &delete, "2026-11-21T08:00:00Z"))
        .await
        .unwrap();

    // Produced before the deletion (a late retry): acknowledged, not stored.
    let older = document_json(DOCUMENT_ID, "INV-0042", Some("2026-11-20T09:05:00"));
    let d = delivery(DocumentPredict, &older, "2026-11-21T08:10:00Z");
    assert_eq!(
        store.store_document(&d, &older).await,
        Ok(Stored::AfterDeletion)
    );
    // No time of its own: not known to be newer, so not stored.
    let mut timeless = older.clone();
    timeless.as_object_mut().unwrap().remove("timings");
    let d = delivery(DocumentEvaluate, &timeless, "2026-11-21T08:11:00Z");
    assert_eq!(
        store.store_document(&d, &timeless).await,
        Ok(Stored::AfterDeletion)
    );
    assert!(
        !store
            .load(&id(DOCUMENT_ID))
            .await
            .unwrap()
            .unwrap()
            .has_content()
    );

    // Processed after the deletion: stored again, once.
    let newer = document_json(DOCUMENT_ID, "INV-0042", Some("2026-11-21T09:00:00Z"));
    let d = delivery(DocumentPredict, &newer, "2026-11-21T09:00:05Z");
    assert_eq!(store.store_document(&d, &newer).await, Ok(Stored::Stored));
    assert_eq!(
        store.store_document(&d, &newer).await,
        Ok(Stored::Duplicate)
    );
    let stored = store.load(&id(DOCUMENT_ID)).await.unwrap().unwrap();
    assert_eq!(stored.versions.len(), 1);
    assert_eq!(stored.versions[0].document, newer);
    assert!(stored.deletion.is_some(), "the marker stays");
}
