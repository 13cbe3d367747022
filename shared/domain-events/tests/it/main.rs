//! Stream records (shaped as DynamoDB Streams delivers them through Lambda, with the items the
//! functions write) and the events made of them.

use domain_events::{
    CONTRACTFIT_SOURCE, DomainEvent, INKIT_SOURCE, INLINE_ENTRY_BYTES, Kind, MAX_ENTRY_BYTES,
    ROSSUM_SOURCE, StreamEvent, StreamRecord, event_of,
};
use serde_json::{Value, json};

const ARN: &str =
    "arn:aws:dynamodb:eu-west-1:123456789012:table/webhooks-records/stream/2026-11-20T09:41:17.612";

fn record(event_name: &str, old: Option<Value>, new: Option<Value>) -> StreamRecord {
    let image = new.clone().or(old.clone()).unwrap();
    let mut dynamodb = json!({
        "ApproximateCreationDateTime": 1795167677.0,
        "Keys": {"pk": image["pk"], "sk": image["sk"]},
        "SequenceNumber": "4421584500000000017450439091",
        "SizeBytes": 240,
        "StreamViewType": "NEW_AND_OLD_IMAGES"
    });
    if let Some(new) = new {
        dynamodb["NewImage"] = new;
    }
    if let Some(old) = old {
        dynamodb["OldImage"] = old;
    }
    let event: StreamEvent = serde_json::from_value(json!({"Records": [{
        "eventID": "c4ca4238a0b923820dcc509a6f75849b",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": dynamodb,
        "eventSourceARN": ARN
    }]}))
    .unwrap();
    event.records.into_iter().next().unwrap()
}

fn inserted(image: Value) -> StreamRecord {
    record("INSERT", None, Some(image))
}

fn modified(old: Value, new: Value) -> StreamRecord {
    record("MODIFY", Some(old), Some(new))
}

fn event(record: &StreamRecord) -> DomainEvent {
    event_of(record).unwrap_or_else(|| panic!("no event for {record:?}"))
}

fn status_change() -> Value {
    json!({
        "pk": {"S": "ANNOTATION#315777"}, "sk": {"S": "STATUS#4f1c0b6e2a"},
        "kind": {"S": "status_change"}, "annotation_id": {"N": "315777"},
        "queue": {"S": "https://example.rossum.app/api/v1/queues/8199"},
        "previous_status": {"S": "to_review"}, "status": {"S": "confirmed"},
        "changed_at": {"S": "2026-11-20T09:52:44.118204Z"}, "request_id": {"S": "ae7bc8dd-73bd-489b-a3d2-f5514b209591"},
        "transition": {"S": "4f1c0b6e2a"}, "expires_at": {"N": "1826703164"}
    })
}

fn export() -> Value {
    json!({
        "pk": {"S": "EXPORT#315777"}, "sk": {"S": "EXPORT"}, "kind": {"S": "export"},
        "annotation_id": {"N": "315777"}, "document_id": {"N": "314528"}, "vendor_id": {"S": "V-1001"},
        "amount_total": {"S": "1 234.50"}, "amount_total_value": {"N": "1234.5"}, "currency": {"S": "EUR"},
        "exported_at": {"S": "2026-11-20T09:52:44.118204Z"}, "request_id": {"S": "ae7bc8dd"},
        "status": {"S": "ready"}, "pickup": {"S": "EXPORT#READY"}
    })
}

#[test]
fn a_status_change_is_announced_with_its_previous_and_new_status() {
    let event = event(&inserted(status_change()));
    assert_eq!(event.source(), ROSSUM_SOURCE);
    assert_eq!(event.detail_type(), "Annotation Status Changed");
    let detail = &event.detail;
    assert_eq!(detail["previous_status"], "to_review");
    assert_eq!(detail["status"], "confirmed");
    assert_eq!(detail["annotation_id"], 315777);
    assert_eq!(
        detail["record"],
        json!({"table": "webhooks-records", "pk": "ANNOTATION#315777", "sk": "STATUS#4f1c0b6e2a"})
    );
    // The table's own attributes are not part of what was recorded.
    for internal in ["pk", "sk", "kind", "expires_at"] {
        assert!(detail.get(internal).is_none(), "{internal} in {detail}");
    }
    assert_eq!(event.time, Some(1795167677.0));
}

#[test]
fn the_latest_status_item_is_not_a_second_event() {
    let mut latest = status_change();
    latest["sk"] = json!({"S": "LATEST"});
    latest["kind"] = json!({"S": "latest_status"});
    assert_eq!(event_of(&inserted(latest.clone())), None);
    assert_eq!(event_of(&modified(latest.clone(), latest)), None);
}

#[test]
fn an_export_is_announced_once_with_the_export_record() {
    let event = event(&inserted(export()));
    assert_eq!(
        (event.source(), event.detail_type()),
        (ROSSUM_SOURCE, "Export Ready")
    );
    assert_eq!(event.detail["amount_total_value"], 1234.5);
    assert_eq!(event.detail["amount_total"], "1 234.50");
    assert_eq!(event.detail["status"], "ready");
    assert!(event.detail.get("pickup").is_none());
    // The ERP claiming it (status picked_up, pickup removed) is not an export.
    let mut picked = export();
    picked["status"] = json!({"S": "picked_up"});
    picked.as_object_mut().unwrap().remove("pickup");
    assert_eq!(event_of(&modified(export(), picked)), None);
}

#[test]
fn removals_stand_for_no_event() {
    assert_eq!(event_of(&record("REMOVE", Some(export()), None)), None);
}

#[test]
fn an_email_carries_its_kept_and_dropped_files_and_the_forwarded_sender() {
    let email = json!({
        "pk": {"S": "EMAIL#1234"}, "sk": {"S": "EMAIL"}, "kind": {"S": "email"},
        "email_url": {"S": "https://example.rossum.app/api/v1/emails/1234"}, "email_id": {"N": "1234"},
        "from": {"S": "ap@example.com"}, "subject": {"S": "Fwd: Invoice 2026-118"},
        "extracted_original_sender_email": {"S": "billing@vendor.example"},
        "received_at": {"S": "2026-11-20T09:52:44.118204Z"}, "request_id": {"S": "r-1"},
        "files_total": {"N": "3"}, "files_imported": {"L": [{"S": "https://example.rossum.app/api/v1/documents/9"}]},
        "files_dropped": {"N": "2"}, "expires_at": {"N": "1826703164"}
    });
    let event = event(&inserted(email));
    assert_eq!(event.detail_type(), "Email Received");
    assert_eq!(
        event.detail["files_imported"],
        json!(["https://example.rossum.app/api/v1/documents/9"])
    );
    assert_eq!(event.detail["files_dropped"], 2);
    assert_eq!(
        event.detail["extracted_original_sender_email"],
        "billing@vendor.example"
    );
}

fn upload_lock() -> Value {
    json!({
        "pk": {"S": "IDEMPOTENCY#rossum-upload-created#7a1f"}, "sk": {"S": "IDEMPOTENCY"},
        "status": {"S": "IN_PROGRESS"}, "validation": {"S": "9f2c"}, "lock_token": {"S": "t"},
        "in_progress_expires_at": {"N": "1795167737000"}, "expires_at": {"N": "1795772477"}
    })
}

fn upload_completed(status: u16) -> Value {
    let mut completed = upload_lock();
    completed["status"] = json!({"S": "COMPLETED"});
    completed["response_status"] = json!({"N": status.to_string()});
    completed["response_body"] = json!({"S": json!({"files": [
        {"document": "https://example.rossum.app/api/v1/documents/11", "prevent_importing": false},
        {"document": "https://example.rossum.app/api/v1/documents/12", "prevent_importing": true,
         "messages": [{"type": "info", "content": "calendar invite"}]}
    ]}).to_string()});
    completed
}

#[test]
fn an_upload_is_announced_when_its_triage_is_answered() {
    assert_eq!(
        event_of(&inserted(upload_lock())),
        None,
        "the lock is no outcome"
    );
    let event = event(&modified(upload_lock(), upload_completed(200)));
    assert_eq!(
        (event.source(), event.detail_type()),
        (ROSSUM_SOURCE, "Upload Triaged")
    );
    assert_eq!(event.detail["request_id"], "7a1f");
    assert_eq!(event.detail["files_total"], 2);
    assert_eq!(event.detail["files_imported"], 1);
    assert_eq!(event.detail["files_prevented"], 1);
    assert_eq!(event.detail["files"][1]["prevent_importing"], true);
    assert!(event.detail.get("lock_token").is_none());
    // Other functions' idempotency records are no outcome of their own.
    let mut other = upload_completed(200);
    other["pk"] = json!({"S": "IDEMPOTENCY#rossum-annotation-export#7a1f"});
    assert_eq!(event_of(&modified(upload_lock(), other)), None);
}

#[test]
fn a_refused_upload_is_no_triage() {
    assert_eq!(
        event_of(&modified(upload_lock(), upload_completed(400))),
        None
    );
}

fn inkit_event(event_type: &str) -> Value {
    json!({
        "pk": {"S": "INKIT#doc_2N0X2g4f3b1JJU75fqzDZs"}, "sk": {"S": format!("EVENT#{event_type}")},
        "kind": {"S": "inkit_event"}, "resource_id": {"S": "doc_2N0X2g4f3b1JJU75fqzDZs"},
        "event_type": {"S": event_type}, "received_at": {"S": "2026-11-20T09:41:17.612000Z"},
        "expires_at": {"N": "1795772477"}
    })
}

fn inkit_document(fetched: bool) -> Value {
    let mut document = json!({
        "pk": {"S": "INKIT#doc_2N0X2g4f3b1JJU75fqzDZs"}, "sk": {"S": "DOCUMENT"},
        "kind": {"S": "inkit_document"}, "resource_id": {"S": "doc_2N0X2g4f3b1JJU75fqzDZs"},
        "last_event": {"S": "DOCUMENT_CREATE_FINISHED"}, "last_event_at": {"S": "2026-11-20T09:41:17.612000Z"},
        "details_fetched": {"BOOL": fetched}, "deleted": {"BOOL": false}, "expires_at": {"N": "1795772477"}
    });
    if fetched {
        document["name"] = json!({"S": "Welcome letter - Jane Doe"});
        document["status"] = json!({"S": "completed"});
        document["details_fetched_at"] = json!({"S": "2026-11-20T09:41:18.001000Z"});
    }
    document
}

#[test]
fn inkit_events_of_failure_and_deletion_are_announced_as_they_arrive() {
    let failed = event(&inserted(inkit_event("DOCUMENT_CREATE_FAILED")));
    assert_eq!(
        (failed.source(), failed.detail_type()),
        (INKIT_SOURCE, "Inkit Document Create Failed")
    );
    assert_eq!(failed.detail["resource_id"], "doc_2N0X2g4f3b1JJU75fqzDZs");
    let deleted = event(&inserted(inkit_event("DOCUMENT_DELETED")));
    assert_eq!(deleted.detail_type(), "Inkit Document Deleted");
    // A finished document waits for its details.
    assert_eq!(
        event_of(&inserted(inkit_event("DOCUMENT_CREATE_FINISHED"))),
        None
    );
}

#[test]
fn a_created_inkit_document_is_announced_once_its_details_are_settled() {
    // Recorded with the details pending: nothing yet.
    assert_eq!(event_of(&inserted(inkit_document(false))), None);
    // The details arrive (the webhook's fetch, or the details worker's): announced with them.
    let created = event(&modified(inkit_document(false), inkit_document(true)));
    assert_eq!(
        (created.source(), created.detail_type()),
        (INKIT_SOURCE, "Inkit Document Created")
    );
    assert_eq!(created.detail["name"], "Welcome letter - Jane Doe");
    assert_eq!(created.detail["details_fetched"], true);
    // Fetched at once by the webhook: the document item's insertion already holds them.
    assert_eq!(
        event(&inserted(inkit_document(true))).detail_type(),
        "Inkit Document Created"
    );
    // A later change of the document (its deletion) is not a second creation.
    let mut deleted = inkit_document(true);
    deleted["deleted"] = json!({"BOOL": true});
    assert_eq!(event_of(&modified(inkit_document(true), deleted)), None);
    // Details that cannot be had settle it too: announced without them.
    let mut gone = inkit_document(false);
    gone["details_unavailable"] = json!({"S": "not_found"});
    let settled = event(&modified(inkit_document(false), gone));
    assert_eq!(settled.detail["details_unavailable"], "not_found");
}

fn contractfit(kind: &str, sk: &str, extra: Value) -> Value {
    let mut item = json!({
        "pk": {"S": "CONTRACTFIT#6a1d2f0c"}, "sk": {"S": sk}, "kind": {"S": kind},
        "document_id": {"S": "6a1d2f0c"}, "received_at": {"S": "2026-11-20T09:41:17.612000Z"}
    });
    for (name, value) in extra.as_object().unwrap() {
        item[name] = value.clone();
    }
    item
}

#[test]
fn contract_fit_items_are_announced_by_what_they_hold() {
    let document = json!({"id": "6a1d2f0c", "document_type": "invoice"}).to_string();
    let cases = [
        (
            "contractfit_text",
            "TEXT",
            json!({"text": {"S": "page one"}, "text_sha256": {"S": "ab"}, "text_bytes": {"N": "8"}}),
            "contract.fit Text Stored",
        ),
        (
            "contractfit_sections",
            "SECTIONS",
            json!({"sections": {"L": [{"M": {"document_type": {"S": "invoice"}, "page": {"S": "1"}}}]}, "section_count": {"N": "1"}}),
            "contract.fit Split Stored",
        ),
        (
            "contractfit_predict",
            "PREDICT#2026-11-20T09:41:17.612000Z#0011",
            json!({"document": {"S": document}, "event": {"S": "document_predict"}}),
            "contract.fit Prediction Stored",
        ),
        (
            "contractfit_evaluate",
            "EVALUATE#2026-11-20T09:41:17.612000Z#0011",
            json!({"document": {"S": document}}),
            "contract.fit Evaluation Stored",
        ),
        (
            "contractfit_reject",
            "REJECT#2026-11-20T09:41:17.612000Z#0011",
            json!({"document": {"S": document}}),
            "contract.fit Rejection Stored",
        ),
        (
            "contractfit_failure",
            "FAIL#2026-11-20T09:41:17.612000Z#0011",
            json!({"data": {"S": "{\"id\":\"6a1d2f0c\",\"error\":\"ocr\"}"}}),
            "contract.fit Failure Stored",
        ),
    ];
    for (kind, sk, extra, detail_type) in cases {
        let event = event(&inserted(contractfit(kind, sk, extra)));
        assert_eq!(
            (event.source(), event.detail_type()),
            (CONTRACTFIT_SOURCE, detail_type),
            "{kind}"
        );
        assert_eq!(event.detail["document_id"], "6a1d2f0c", "{kind}");
        assert!(
            event.detail.get("omitted").is_none(),
            "{kind}: {}",
            event.detail
        );
    }
    let predicted = event(&inserted(contractfit(
        "contractfit_predict",
        "PREDICT#x",
        json!({"document": {"S": document}}),
    )));
    assert_eq!(
        predicted.detail["document"]["document_type"], "invoice",
        "a document is JSON, not text"
    );
    let sections = event(&inserted(contractfit(
        "contractfit_sections",
        "SECTIONS",
        json!({"sections": {"L": [{"M": {"page": {"S": "1"}}}]}}),
    )));
    assert_eq!(sections.detail["sections"], json!([{"page": "1"}]));
    // Delivery keys and content parts are not outcomes.
    for kind in ["contractfit_delivery", "contractfit_chunk"] {
        assert_eq!(
            event_of(&inserted(contractfit(kind, "DELIVERY#x", json!({})))),
            None
        );
    }
}

#[test]
fn a_replaced_text_is_announced_and_an_unchanged_one_is_not() {
    let first = contractfit(
        "contractfit_text",
        "TEXT",
        json!({"text": {"S": "one"}, "text_sha256": {"S": "aa"}}),
    );
    let second = contractfit(
        "contractfit_text",
        "TEXT",
        json!({"text": {"S": "two"}, "text_sha256": {"S": "bb"}}),
    );
    let replaced = event(&modified(first.clone(), second.clone()));
    assert_ne!(
        replaced.event_id(),
        event(&inserted(first.clone())).event_id(),
        "another version, another id"
    );
    let mut touched = first.clone();
    touched["received_at"] = json!({"S": "2026-11-21T00:00:00.000000Z"});
    assert_eq!(event_of(&modified(first, touched)), None);
}

#[test]
fn a_contract_fit_deletion_is_announced_once_complete() {
    let marker = contractfit(
        "contractfit_deletion",
        "DELETED",
        json!({"deleted_at": {"S": "2026-11-20T10:00:00.000000Z"}}),
    );
    assert_eq!(
        event_of(&inserted(marker.clone())),
        None,
        "the sweep has not run yet"
    );
    let mut complete = marker.clone();
    complete["completed_at"] = json!({"S": "2026-11-20T10:00:01.000000Z"});
    let deleted = event(&modified(marker, complete.clone()));
    assert_eq!(deleted.detail_type(), "contract.fit Document Deleted");
    assert_eq!(deleted.detail["deleted_at"], "2026-11-20T10:00:00.000000Z");
    assert_eq!(event_of(&modified(complete.clone(), complete)), None);
}

#[test]
fn large_content_is_referenced_not_inlined() {
    let text = "x".repeat(INLINE_ENTRY_BYTES);
    let item = contractfit(
        "contractfit_text",
        "TEXT",
        json!({"text": {"S": text}, "text_sha256": {"S": "cc"}, "text_bytes": {"N": "65536"}}),
    );
    let event = event(&inserted(item));
    assert!(event.detail.get("text").is_none());
    assert_eq!(event.detail["omitted"], json!(["text"]));
    assert_eq!(event.detail["text_bytes"], 65536);
    assert_eq!(
        event.detail["record"]["sk"], "TEXT",
        "the key to read it by"
    );
    assert!(event.entry_size() <= INLINE_ENTRY_BYTES);
    // A text stored in parts is named as omitted too.
    let parts = contractfit(
        "contractfit_text",
        "TEXT",
        json!({"chunk_count": {"N": "3"}, "text_sha256": {"S": "dd"}}),
    );
    assert_eq!(
        event_of(&inserted(parts)).unwrap().detail["omitted"],
        json!(["text"])
    );
}

#[test]
fn an_entry_never_exceeds_eventbridge_s_limit() {
    let files: Vec<Value> = (0..20_000)
        .map(|i| json!({"S": format!("https://example.rossum.app/api/v1/documents/{i}")}))
        .collect();
    let email = json!({
        "pk": {"S": "EMAIL#1"}, "sk": {"S": "EMAIL"}, "kind": {"S": "email"},
        "email_url": {"S": "https://example.rossum.app/api/v1/emails/1"}, "files_imported": {"L": files}
    });
    let event = event(&inserted(email));
    assert!(
        event.entry_size() <= MAX_ENTRY_BYTES,
        "{}",
        event.entry_size()
    );
    assert_eq!(event.detail["record"]["pk"], "EMAIL#1");
    let omitted = event.detail["omitted"].as_array().unwrap();
    assert!(omitted.contains(&json!("files_imported")), "{omitted:?}");
    assert!(omitted.contains(&json!("email_url")), "{omitted:?}");
}

#[test]
fn the_same_record_gives_the_same_id_and_other_records_other_ids() {
    let once = event(&inserted(export()));
    let again = event(&inserted(export()));
    assert_eq!(once.event_id(), again.event_id());
    assert_eq!(once.event_id().len(), 32);
    let mut other = export();
    other["pk"] = json!({"S": "EXPORT#315778"});
    assert_ne!(event(&inserted(other)).event_id(), once.event_id());
    let ids: std::collections::HashSet<String> = Kind::ALL
        .iter()
        .map(|kind| kind.detail_type().to_owned())
        .collect();
    assert_eq!(
        ids.len(),
        Kind::ALL.len(),
        "every kind has its own detail-type"
    );
}

#[test]
fn numbers_stay_exact_where_json_can_hold_them() {
    let mut item = export();
    item["annotation_id"] = json!({"N": "9007199254740993"});
    item["amount_total_value"] = json!({"N": "0.1"});
    let event = event(&inserted(item));
    assert_eq!(
        event.detail["annotation_id"].as_u64(),
        Some(9007199254740993)
    );
    assert_eq!(event.detail["amount_total_value"].as_f64(), Some(0.1));
}

#[test]
fn the_publisher_s_sample_event_stands_for_a_status_change_and_an_export() {
    let sample: StreamEvent = serde_json::from_str(include_str!(
        "../../../../events/domain-events-publisher.json"
    ))
    .unwrap();
    let types: Vec<&str> = sample
        .records
        .iter()
        .filter_map(event_of)
        .map(|e| e.detail_type())
        .collect();
    assert_eq!(types, ["Annotation Status Changed", "Export Ready"]);
}

/// The README's table of events is the contract consumers write rules against.
#[test]
fn every_kind_is_in_the_readme_s_table_with_its_source() {
    let readme = include_str!("../../../../README.md");
    let section = &readme[readme
        .find("## Events on EventBridge")
        .expect("the README's section")..];
    for kind in Kind::ALL {
        let row = format!("| `{}` | `{}` |", kind.detail_type(), kind.source());
        assert!(section.contains(&row), "{row} is not in the README's table");
        let example = format!("**`{}`**", kind.detail_type());
        let documented = section.contains(&example)
            || matches!(
                kind,
                Kind::ContractFitRejectionStored | Kind::ContractFitFailureStored
            );
        assert!(documented, "no example detail for {}", kind.detail_type());
    }
}
