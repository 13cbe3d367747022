//! The rules every [`ContractFitStore`] follows, written once and run against each store by
//! [`rule_tests!`].

use contractfit_store::{ContractFitStore, Stored, StoredDocument, sha256_hex};
use serde_json::json;
use webhook_model::contractfit::{ContractFitEvent, NumberText, Section};

use super::{DOCUMENT_ID, assert_deliveries_are, assert_stored_once, delivery, document_json, id};

use ContractFitEvent::*;

/// Declares one test per rule, named as the rule: each hands its rule to `$run` (with the
/// rule's name, for a table name), an async function that runs it on a store of its own,
/// `run(label, rule)`.
macro_rules! rule_tests {
    ($run:path) => {
        $crate::common::rules::rule_tests!(@rules $run;
            a_text_is_stored_once
            a_different_text_replaces_the_stored_one
            sections_keep_their_text_and_their_numbers
            predictions_and_reviews_are_versions_side_by_side
            failures_are_recorded_once
            a_delete_removes_everything_and_leaves_the_marker
            a_document_after_its_deletion_is_stored_only_when_newer
        );
    };
    (@rules $run:path; $($rule:ident)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $rule() {
            $run(stringify!($rule), $crate::common::rules::$rule).await;
        }
    )*};
}

pub(crate) use rule_tests;

/// Everything the store holds about [`DOCUMENT_ID`]; fails the test if it holds nothing.
async fn stored(store: &dyn ContractFitStore) -> StoredDocument {
    store
        .load(&id(DOCUMENT_ID))
        .await
        .unwrap()
        .expect("the document is stored")
}

pub async fn a_text_is_stored_once(store: &dyn ContractFitStore) {
    let data = json!({"id": DOCUMENT_ID, "text": "Invoice 2026-0042\nTotal 1 250,40 €\n"});
    let text = data["text"].as_str().unwrap();
    let first = [(DocumentText, &data, "2026-11-20T09:01:00Z")];
    let again = [(DocumentText, &data, "2026-11-20T09:03:00Z")];
    assert_deliveries_are(store, Stored::Stored, &first).await;
    let stored_first = stored(store).await;
    assert_deliveries_are(store, Stored::Duplicate, &again).await;
    assert_eq!(
        stored(store).await,
        stored_first,
        "a duplicate changes nothing"
    );
    let stored_text = stored_first.text.unwrap();
    assert_eq!(stored_text.text, text);
    assert_eq!(stored_text.sha256, sha256_hex(text.as_bytes()));
    assert_eq!(
        stored_text.received_at.as_str(),
        "2026-11-20T09:01:00.000000Z"
    );
    assert_eq!(stored_first.deliveries.len(), 1);
}

pub async fn a_different_text_replaces_the_stored_one(store: &dyn ContractFitStore) {
    let first = json!({"id": DOCUMENT_ID, "text": "first OCR pass"});
    let second = json!({"id": DOCUMENT_ID, "text": "second OCR pass"});
    assert_deliveries_are(
        store,
        Stored::Stored,
        &[
            (DocumentText, &first, "2026-11-20T09:01:00Z"),
            (DocumentText, &second, "2026-11-20T09:02:00Z"),
        ],
    )
    .await;
    let stored = stored(store).await;
    assert_eq!(stored.text.unwrap().text, "second OCR pass");
    assert_eq!(stored.deliveries.len(), 2);
}

pub async fn sections_keep_their_text_and_their_numbers(store: &dyn ContractFitStore) {
    let data = json!({"id": DOCUMENT_ID, "sections": [
        {"document_type": "invoice", "format": "5e20372a90d5ab65dd4a017a", "confidence": "91", "page": "0"},
        {"document_type": "terms", "format": null, "confidence": "n/a", "page": "2"}
    ]});
    let sections: Vec<Section> = serde_json::from_value(data["sections"].clone()).unwrap();
    assert_stored_once(store, DocumentSplit, &data, "2026-11-20T09:02:00Z").await;
    let stored = stored(store).await.sections.unwrap();
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

    assert_deliveries_are(
        store,
        Stored::Stored,
        &[
            (DocumentPredict, &predicted, "2026-11-20T09:05:01Z"),
            (DocumentEvaluate, &reviewed, "2026-11-20T10:00:00Z"),
        ],
    )
    .await;
    // The same content again, later: a duplicate, whatever the time.
    assert_deliveries_are(
        store,
        Stored::Duplicate,
        &[
            (DocumentEvaluate, &reviewed, "2026-11-20T10:30:00Z"),
            (DocumentPredict, &predicted, "2026-11-20T10:31:00Z"),
        ],
    )
    .await;
    // Different content: a new version.
    let corrected_delivery = [(DocumentEvaluate, &corrected, "2026-11-20T11:00:00Z")];
    assert_deliveries_are(store, Stored::Stored, &corrected_delivery).await;

    let stored = stored(store).await;
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
    let failed = [(DocumentFail, &data, "2026-11-20T09:00:30Z")];
    let later = [(DocumentFail, &data, "2026-11-20T09:10:30Z")];
    assert_deliveries_are(store, Stored::Stored, &failed).await;
    assert_deliveries_are(store, Stored::Duplicate, &later).await;
    let stored = stored(store).await;
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
    let delete = json!({"id": DOCUMENT_ID});
    assert_deliveries_are(
        store,
        Stored::Stored,
        &[
            (DocumentText, &text, "2026-11-20T09:01:00Z"),
            (DocumentSplit, &split, "2026-11-20T09:02:00Z"),
            (DocumentPredict, &predicted, "2026-11-20T09:06:00Z"),
            (DocumentEvaluate, &predicted, "2026-11-20T09:07:00Z"),
            (DocumentFail, &failed, "2026-11-20T09:08:00Z"),
        ],
    )
    .await;
    assert!(stored(store).await.has_content());

    let deleted = [(DocumentDelete, &delete, "2026-11-21T08:00:00Z")];
    assert_deliveries_are(store, Stored::Stored, &deleted).await;
    let after = stored(store).await;
    assert!(!after.has_content(), "{after:?}");
    let deletion = after.deletion.clone().expect("the marker stays");
    assert_eq!(deletion.deleted_at.as_str(), "2026-11-21T08:00:00.000000Z");
    assert!(deletion.complete);

    let redelivered = [(DocumentDelete, &delete, "2026-11-21T08:05:00Z")];
    assert_deliveries_are(store, Stored::Duplicate, &redelivered).await;
    // Late retries of events sent before the deletion store nothing.
    let late = "2026-11-21T08:06:00Z";
    assert_deliveries_are(
        store,
        Stored::AfterDeletion,
        &[
            (DocumentText, &text, late),
            (DocumentSplit, &split, late),
            (DocumentFail, &failed, late),
        ],
    )
    .await;
    assert_eq!(stored(store).await, after);

    // A document never seen can be deleted too: its late events are refused the same way.
    let unknown = json!({"id": "5e7a0df1800de5422a6f7777"});
    let deleted = [(DocumentDelete, &unknown, "2026-11-21T08:00:00Z")];
    assert_deliveries_are(store, Stored::Stored, &deleted).await;
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
    let deleted = [(DocumentDelete, &delete, "2026-11-21T08:00:00Z")];
    assert_deliveries_are(store, Stored::Stored, &deleted).await;

    // Produced before the deletion (a late retry): acknowledged, not stored.
    let older = document_json(DOCUMENT_ID, "INV-0042", Some("2026-11-20T09:05:00"));
    // No time of its own: not known to be newer, so not stored.
    let mut timeless = older.clone();
    timeless.as_object_mut().unwrap().remove("timings");
    assert_deliveries_are(
        store,
        Stored::AfterDeletion,
        &[
            (DocumentPredict, &older, "2026-11-21T08:10:00Z"),
            (DocumentEvaluate, &timeless, "2026-11-21T08:11:00Z"),
        ],
    )
    .await;
    assert!(!stored(store).await.has_content());

    // Processed after the deletion: stored again, once.
    let newer = document_json(DOCUMENT_ID, "INV-0042", Some("2026-11-21T09:00:00Z"));
    assert_stored_once(store, DocumentPredict, &newer, "2026-11-21T09:00:05Z").await;
    let stored = stored(store).await;
    assert_eq!(stored.versions.len(), 1);
    assert_eq!(stored.versions[0].document, newer);
    assert!(stored.deletion.is_some(), "the marker stays");
}
