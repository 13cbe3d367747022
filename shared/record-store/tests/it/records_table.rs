//! The records table against DynamoDB Local: exports exactly once, status history and latest
//! status, emails exactly once, duplicates, late events, concurrency, and an unreachable
//! endpoint.

use crate::common;

use std::time::Duration;

use Written::{AlreadyPresent, HistoryOnly, Inserted};
use aws_sdk_dynamodb::types::{AttributeValue, TimeToLiveStatus};
use common::{
    assert_absent, assert_fails_naming, assert_texts, assert_writes, at_once, client, drop_table,
    finish, items, new_table, store, text, unreachable_store,
};
use record_store::{
    Amount, DEFAULT_HISTORY_RETENTION, DynamoRecordStore, ERP_PICKUP_INDEX, EXPORT_READY,
    EmailRecord, ExportRecord, RecordStore, StatusChange, Timestamp, Written, create_records_table,
};

fn export(request_id: &str, amount_total: &str) -> ExportRecord {
    ExportRecord {
        annotation_id: 4480712,
        document_id: Some(3309021),
        vendor_id: "V-10027".to_owned(),
        amount_total: Some(Amount {
            raw: amount_total.to_owned(),
            value: amount_total.parse().ok(),
        }),
        amount_total_tax: Some(Amount {
            raw: "461.58".to_owned(),
            value: Some(461.58),
        }),
        amount_total_base: Some(Amount {
            raw: "2 623,50".to_owned(),
            value: Some(2623.5),
        }),
        currency: Some("EUR".to_owned()),
        exported_at: Timestamp::parse("2026-11-20T09:41:17.204518Z").unwrap(),
        request_id: request_id.to_owned(),
    }
}

fn change(previous: Option<&str>, status: &str, at: &str, request_id: &str) -> StatusChange {
    StatusChange {
        annotation_id: 4480712,
        queue: Some("https://example.rossum.app/api/v1/queues/24710".to_owned()),
        previous_status: previous.map(str::to_owned),
        status: status.to_owned(),
        changed_at: Timestamp::parse(at).unwrap(),
        request_id: request_id.to_owned(),
        transition: format!("{previous:?}>{status}@{at}#{request_id}"),
    }
}

const EMAIL_URL: &str = "https://example.rossum.app/api/v1/emails/1204418";

fn email(request_id: &str, received_at: &str, subject: &str) -> EmailRecord {
    EmailRecord {
        email_url: EMAIL_URL.to_owned(),
        email_id: EmailRecord::id_from_url(EMAIL_URL),
        queue: Some("https://example.rossum.app/api/v1/queues/24710".to_owned()),
        from: Some("Petra Svobodová <petra.svobodova@buyer-manufacturing.example>".to_owned()),
        to: Some("invoices-7f3a2c@example.rossum.app".to_owned()),
        reply_to: None,
        subject: Some(subject.to_owned()),
        message_id: Some("<CAF3x9Tq1k2L7bU0mZr@mail.gmail.com>".to_owned()),
        date: Some("Mon, 16 Nov 2026 11:03:27 +0100".to_owned()),
        received_at: Timestamp::parse(received_at).unwrap(),
        request_id: request_id.to_owned(),
        files_total: 5,
        files_imported: vec!["1".to_owned(), "3".to_owned()],
        files_dropped: 3,
        extracted_original_sender_email: Some("Jana.Novakova@stavby-novak.example".to_owned()),
        extracted_original_sender_name: Some("Jana Nováková".to_owned()),
    }
}

/// Records each status change in turn, checking what each write did.
async fn record_changes(store: &DynamoRecordStore, writes: &[(&StatusChange, Written)]) {
    assert_writes(
        async |change| store.record_status_change(change).await,
        writes,
    )
    .await;
}

/// Records each email in turn, checking what each write did.
async fn record_emails(store: &DynamoRecordStore, writes: &[(&EmailRecord, Written)]) {
    assert_writes(async |email| store.record_email(email).await, writes).await;
}

/// The keys of the exports ready for pickup, as an ERP reads them from the pickup index.
async fn ready_exports(store: &DynamoRecordStore) -> Vec<String> {
    let page = store
        .client()
        .query()
        .table_name(store.table())
        .index_name(ERP_PICKUP_INDEX)
        .key_condition_expression("pickup = :ready")
        .expression_attribute_values(":ready", AttributeValue::S(EXPORT_READY.into()))
        .send()
        .await
        .expect("query the pickup index");
    page.items()
        .iter()
        .map(|i| text(i, "pk").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_is_recorded_exactly_once_and_whole() {
    let store = store("export-once").await;
    let first = export("3f0c6a52-first", "3085.08");
    // A retry, or a re-export with other values: nothing changes.
    let second = export("9b2e4c10-second", "9999.99");
    assert_writes(
        async |record| store.put_export_record(record).await,
        &[(&first, Inserted), (&second, AlreadyPresent)],
    )
    .await;
    assert_eq!(store.export(4480712).await.unwrap(), Some(first));
    assert_eq!(store.export(1).await.unwrap(), None);

    let items = items(&store).await;
    assert_eq!(items.len(), 1, "{items:?}");
    let item = &items[0];
    assert_texts(
        item,
        &[
            ("pk", "EXPORT#4480712"),
            ("sk", "EXPORT"),
            ("status", "ready"),
            ("amount_total_base", "2 623,50"),
        ],
    );
    assert_eq!(
        item["amount_total_value"],
        AttributeValue::N("3085.08".into())
    );
    assert_eq!(item["document_id"], AttributeValue::N("3309021".into()));
    assert_absent(item, "expires_at", "export records never expire");
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erp_finds_ready_exports_in_the_pickup_index_and_claims_them_once() {
    let store = store("pickup").await;
    for (annotation_id, at) in [
        (2, "2026-11-20T10:00:00Z"),
        (1, "2026-11-20T09:00:00Z"),
        (3, "2026-11-20T11:00:00Z"),
    ] {
        let record = ExportRecord {
            annotation_id,
            exported_at: Timestamp::parse(at).unwrap(),
            ..export("r", "1.00")
        };
        assert_eq!(store.put_export_record(&record).await, Ok(Inserted), "{at}");
    }
    // Status items share the table but not the index.
    store
        .record_status_change(&change(None, "to_review", "2026-11-20T08:00:00Z", "s"))
        .await
        .unwrap();

    assert_eq!(
        ready_exports(&store).await,
        ["EXPORT#1", "EXPORT#2", "EXPORT#3"],
        "oldest export first"
    );

    let claim = || {
        store
            .client()
            .update_item()
            .table_name(store.table())
            .key("pk", AttributeValue::S("EXPORT#1".into()))
            .key("sk", AttributeValue::S("EXPORT".into()))
            .update_expression("SET #status = :picked_up, picked_up_at = :now REMOVE pickup")
            .condition_expression("#status = :ready")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":picked_up", AttributeValue::S("picked_up".into()))
            .expression_attribute_values(":ready", AttributeValue::S("ready".into()))
            .expression_attribute_values(":now", AttributeValue::S("2026-11-20T12:00:00Z".into()))
            .send()
    };
    claim().await.expect("the first claim wins");
    let second = claim().await.expect_err("a second claim loses");
    assert!(
        second
            .as_service_error()
            .is_some_and(|e| e.is_conditional_check_failed_exception())
    );
    assert_eq!(ready_exports(&store).await, ["EXPORT#2", "EXPORT#3"]);
    // A re-export of a picked-up annotation still writes nothing.
    let again = ExportRecord {
        annotation_id: 1,
        ..export("r2", "1.00")
    };
    assert_eq!(store.put_export_record(&again).await, Ok(AlreadyPresent));
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_changes_build_a_history_and_a_latest_status() {
    let store = store("status").await;
    let changes = [
        change(None, "importing", "2026-11-20T09:38:02.1Z", "a"),
        change(
            Some("importing"),
            "to_review",
            "2026-11-20T09:38:09.204518Z",
            "b",
        ),
        change(Some("to_review"), "exporting", "2026-11-20T09:41:17Z", "c"),
        change(
            Some("exporting"),
            "exported",
            "2026-11-20T09:41:19.5+00:00",
            "d",
        ),
    ];
    let writes: Vec<_> = changes.iter().map(|c| (c, Inserted)).collect();
    record_changes(&store, &writes).await;
    assert_eq!(
        store.status_history(4480712).await.unwrap(),
        changes.to_vec()
    );
    assert_eq!(
        store.latest_status(4480712).await.unwrap(),
        Some(changes[3].clone())
    );
    assert_eq!(store.latest_status(1).await.unwrap(), None);

    let items = items(&store).await;
    assert_eq!(items.len(), 5, "four history items and the latest");
    let history = items
        .iter()
        .find(|i| text(i, "request_id") == "b" && text(i, "sk").starts_with("STATUS#"))
        .unwrap();
    assert_eq!(
        text(history, "sk"),
        format!("STATUS#{}", text(history, "transition"))
    );
    let expected_expiry =
        changes[1].changed_at.epoch_seconds() + DEFAULT_HISTORY_RETENTION.as_secs() as i64;
    assert_eq!(
        history["expires_at"],
        AttributeValue::N(expected_expiry.to_string())
    );
    let first = items.iter().find(|i| text(i, "request_id") == "a").unwrap();
    assert_absent(first, "previous_status", "no previous status on the first");
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_status_change_is_recorded_once() {
    let store = store("status-duplicate").await;
    let exported = change(Some("exporting"), "exported", "2026-11-20T09:41:19Z", "d");
    let deliveries = [Inserted, AlreadyPresent, AlreadyPresent, AlreadyPresent];
    record_changes(&store, &deliveries.map(|written| (&exported, written))).await;
    assert_eq!(
        store.status_history(4480712).await.unwrap(),
        vec![exported.clone()]
    );
    assert_eq!(store.latest_status(4480712).await.unwrap(), Some(exported));
    assert_eq!(items(&store).await.len(), 2);
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_older_change_joins_the_history_but_not_the_latest_status() {
    let store = store("status-late").await;
    let exporting = change(Some("to_review"), "exporting", "2026-11-20T09:41:17Z", "c");
    let exported = change(Some("exporting"), "exported", "2026-11-20T09:41:19Z", "d");
    record_changes(
        &store,
        &[
            (&exported, Inserted),
            (&exporting, HistoryOnly),
            // Its redelivery is a duplicate like any other.
            (&exporting, AlreadyPresent),
        ],
    )
    .await;
    assert_eq!(
        store.latest_status(4480712).await.unwrap(),
        Some(exported.clone())
    );
    assert_eq!(
        store.status_history(4480712).await.unwrap(),
        vec![exporting, exported.clone()],
        "in time order, not arrival order"
    );

    // A change at the very same instant as the latest replaces it (ties go to the later write).
    let same_instant = change(
        Some("exporting"),
        "failed_export",
        "2026-11-20T09:41:19Z",
        "e",
    );
    record_changes(&store, &[(&same_instant, Inserted)]).await;
    assert_eq!(
        store.latest_status(4480712).await.unwrap(),
        Some(same_instant)
    );
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_is_recorded_once_and_expires_like_the_history() {
    let store = store("email-once").await;
    let first = email("0c5f7d3e-first", "2026-11-16T10:03:31.482915Z", "Invoice");
    // A redelivery, even with another request id, time and content, changes nothing.
    let redelivered = email("7a1b2c3d-second", "2026-11-16T10:05:00Z", "Edited");
    record_emails(
        &store,
        &[
            (&first, Inserted),
            (&redelivered, AlreadyPresent),
            (&redelivered, AlreadyPresent),
        ],
    )
    .await;
    assert_eq!(store.email(EMAIL_URL).await.unwrap(), Some(first.clone()));
    assert_eq!(
        store
            .email("https://example.rossum.app/api/v1/emails/1")
            .await
            .unwrap(),
        None
    );

    let items = items(&store).await;
    assert_eq!(items.len(), 1, "{items:?}");
    let item = &items[0];
    assert_texts(
        item,
        &[
            ("pk", "EMAIL#1204418"),
            ("sk", "EMAIL"),
            ("kind", "email"),
            ("request_id", "0c5f7d3e-first"),
            ("received_at", "2026-11-16T10:03:31.482915Z"),
        ],
    );
    assert_eq!(item["email_id"], AttributeValue::N("1204418".into()));
    assert_eq!(
        item["files_imported"],
        AttributeValue::L(vec![
            AttributeValue::S("1".into()),
            AttributeValue::S("3".into())
        ])
    );
    assert_eq!(item["files_dropped"], AttributeValue::N("3".into()));
    assert_absent(item, "reply_to", "absent headers are absent");
    let expected_expiry =
        first.received_at.epoch_seconds() + DEFAULT_HISTORY_RETENTION.as_secs() as i64;
    assert_eq!(
        item["expires_at"],
        AttributeValue::N(expected_expiry.to_string())
    );
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_follow_the_retention_and_are_keyed_by_url_without_an_id() {
    let store = store("email-retention")
        .await
        .with_history_retention(Duration::from_secs(7 * 24 * 60 * 60));
    let first = email("a", "2026-11-16T10:03:31Z", "Invoice");
    let without_id = EmailRecord {
        email_url: "https://example.rossum.app/api/v1/emails/inbox-message".to_owned(),
        email_id: None,
        files_imported: vec![],
        extracted_original_sender_email: None,
        extracted_original_sender_name: None,
        ..email("b", "2026-11-16T10:04:00Z", "Other")
    };
    record_emails(
        &store,
        &[
            (&first, Inserted),
            (&without_id, Inserted),
            (&without_id, AlreadyPresent),
        ],
    )
    .await;
    assert_eq!(
        store.email(&without_id.email_url).await.unwrap(),
        Some(without_id.clone())
    );

    let items = items(&store).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let by_id = items
        .iter()
        .find(|i| text(i, "pk") == "EMAIL#1204418")
        .unwrap();
    assert_eq!(
        by_id["expires_at"],
        AttributeValue::N((first.received_at.epoch_seconds() + 7 * 24 * 60 * 60).to_string())
    );
    let by_url = items
        .iter()
        .find(|i| text(i, "pk") == "EMAIL#https://example.rossum.app/api/v1/emails/inbox-message")
        .unwrap();
    assert_absent(by_url, "email_id", "keyed by its URL, it has no id");
    assert_eq!(by_url["files_imported"], AttributeValue::L(vec![]));
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_twenty_concurrent_puts_of_one_export_exactly_one_writes() {
    let store = store("export-concurrent").await;
    let puts = at_once(&store, 20, |store, i| async move {
        let record = export(&format!("request-{i}"), "3085.08");
        store.put_export_record(&record).await
    })
    .await;
    let outcomes: Vec<Written> = puts
        .into_iter()
        .map(|put| put.expect("every put gets an answer"))
        .collect();
    let inserted = outcomes.iter().filter(|w| **w == Inserted).count();
    let present = outcomes.iter().filter(|w| **w == AlreadyPresent).count();
    assert_eq!((inserted, present), (1, 19), "{outcomes:?}");
    assert_eq!(items(&store).await.len(), 1);
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_changes_of_one_annotation_all_reach_the_history() {
    let store = store("status-concurrent").await;
    let changes = at_once(&store, 10, |store, i| async move {
        let at = format!("2026-11-20T09:41:{:02}Z", 10 + i);
        let change = change(None, &format!("status-{i}"), &at, &format!("r{i}"));
        store.record_status_change(&change).await
    })
    .await;
    for written in changes {
        let written = written.expect("recorded");
        assert!(matches!(written, Inserted | HistoryOnly), "{written:?}");
    }
    assert_eq!(store.status_history(4480712).await.unwrap().len(), 10);
    assert_eq!(
        store.latest_status(4480712).await.unwrap().unwrap().status,
        "status-9",
        "the newest change is the latest, whatever the arrival order"
    );
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_is_created_once_with_ttl_on_expires_at() {
    let client = client().await;
    let table = new_table(&client, "create").await;
    // Creating it again is a no-op.
    create_records_table(&client, &table).await.unwrap();
    let ttl = client
        .describe_time_to_live()
        .table_name(&table)
        .send()
        .await
        .expect("DescribeTimeToLive");
    let ttl = ttl.time_to_live_description().unwrap();
    assert_eq!(ttl.attribute_name(), Some("expires_at"));
    assert!(matches!(
        ttl.time_to_live_status(),
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    ));

    // A table of another shape is not silently used.
    let other = format!("{table}-other");
    client
        .create_table()
        .table_name(&other)
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .attribute_definitions(
            aws_sdk_dynamodb::types::AttributeDefinition::builder()
                .attribute_name("id")
                .attribute_type(aws_sdk_dynamodb::types::ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            aws_sdk_dynamodb::types::KeySchemaElement::builder()
                .attribute_name("id")
                .key_type(aws_sdk_dynamodb::types::KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let error = create_records_table(&client, &other).await.unwrap_err();
    assert!(error.to_string().contains("key schema"), "{error}");
    drop_table(&client, &table).await;
    drop_table(&client, &other).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_is_an_error_not_a_panic() {
    let store = unreachable_store().await;
    let started = std::time::Instant::now();
    let exported = export("r", "1.00");
    assert_fails_naming(store.put_export_record(&exported).await, "PutItem");
    let changed = change(None, "exported", "2026-11-20T09:41:19Z", "d");
    assert_fails_naming(
        store.record_status_change(&changed).await,
        "TransactWriteItems",
    );
    let received = email("r", "2026-11-16T10:03:31Z", "Invoice");
    assert_fails_naming(store.record_email(&received).await, "PutItem");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "a refused connection fails fast"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_processes_creating_one_table_at_once_all_succeed() {
    // As several local servers started against one DynamoDB Local do.
    let client = client().await;
    let table = webhook_test_support::table_name("records", "create-race");
    let creators = at_once(
        &(client.clone(), table.clone()),
        6,
        |(client, table), _| async move { create_records_table(&client, &table).await },
    )
    .await;
    for created in creators {
        created.expect("every creator succeeds");
    }
    drop_table(&client, &table).await;
}
