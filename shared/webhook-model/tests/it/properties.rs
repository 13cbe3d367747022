//! Parsing a webhook body and serialising it again keeps every field, including keys the
//! model does not know, at every level (event, annotation, document, content nodes, datapoint
//! content, Inkit webhook, contract.fit envelope).
//!
//! Known fields are generated in the form the model writes them (an absent optional stays
//! absent, `hidden` appears only when true): the property is about what the model does not
//! know.

use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use webhook_model::contractfit::Envelope;
use webhook_model::inkit::InkitWebhook;
use webhook_model::rossum::AnnotationContentEvent;

/// A float that survives JSON text exactly (few significant digits).
fn plain_float() -> impl Strategy<Value = f64> {
    (-10_000_000i64..10_000_000, 0..4i32).prop_map(|(m, e)| m as f64 / 10f64.powi(e))
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        plain_float().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(any::<String>(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One to three keys none of which is a field the model knows at that level.
fn unknown_fields(known: &'static [&'static str]) -> impl Strategy<Value = Map<String, Value>> {
    proptest::collection::btree_map(
        "[a-z_]{1,12}".prop_filter("a known field", move |k| !known.contains(&k.as_str())),
        json_value(),
        1..4,
    )
    .prop_map(|m| m.into_iter().collect())
}

/// `known` (an object) with `unknown` added.
fn with(known: Value, unknown: Map<String, Value>) -> Value {
    let Value::Object(mut fields) = known else {
        panic!("{known} is not an object");
    };
    fields.extend(unknown);
    Value::Object(fields)
}

/// Adds `key: value` when the value is there (an optional the model omits when absent).
fn put(fields: &mut Value, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        fields[key] = value;
    }
}

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,24}"
}

fn optional_text() -> impl Strategy<Value = Value> {
    proptest::option::of(text()).prop_map(|t| json!(t))
}

const DATAPOINT_CONTENT_FIELDS: &[&str] = &[
    "value",
    "normalized_value",
    "page",
    "position",
    "rir_confidence",
];
const NODE_FIELDS: &[&str] = &[
    "id",
    "schema_id",
    "category",
    "children",
    "content",
    "options",
    "validation_sources",
    "hidden",
];

fn datapoint_content() -> impl Strategy<Value = Value> {
    (
        optional_text(),
        proptest::option::of(json_value().prop_filter("null reads as absent", |v| !v.is_null())),
        proptest::option::of(any::<u32>()),
        proptest::option::of(proptest::collection::vec(plain_float(), 4)),
        proptest::option::of(plain_float()),
        unknown_fields(DATAPOINT_CONTENT_FIELDS),
    )
        .prop_map(|(value, normalized, page, position, confidence, unknown)| {
            let mut content = json!({ "value": value });
            put(&mut content, "normalized_value", normalized);
            put(&mut content, "page", page.map(Value::from));
            put(&mut content, "position", position.map(Value::from));
            put(&mut content, "rir_confidence", confidence.map(Value::from));
            with(content, unknown)
        })
}

fn datapoint() -> impl Strategy<Value = Value> {
    (
        any::<u64>(),
        "[a-z_]{1,20}",
        proptest::option::of(datapoint_content()),
        proptest::option::of(proptest::collection::vec(
            (text(), text()).prop_map(|(value, label)| json!({"value": value, "label": label})),
            0..3,
        )),
        proptest::collection::vec("[a-z_]{1,10}", 0..3),
        any::<bool>(),
        unknown_fields(NODE_FIELDS),
    )
        .prop_map(
            |(id, schema_id, content, options, sources, hidden, unknown)| {
                let mut node = json!({"id": id, "schema_id": schema_id, "category": "datapoint"});
                put(&mut node, "content", content);
                put(&mut node, "options", options.map(Value::from));
                put(
                    &mut node,
                    "validation_sources",
                    (!sources.is_empty()).then(|| json!(sources)),
                );
                put(&mut node, "hidden", hidden.then_some(Value::Bool(true)));
                with(node, unknown)
            },
        )
}

/// A section, multivalue or tuple holding `children` (at least one, or it would omit them).
fn parent(
    category: &'static str,
    children: impl Strategy<Value = Vec<Value>>,
) -> impl Strategy<Value = Value> {
    (
        any::<u64>(),
        "[a-z_]{1,20}",
        children,
        unknown_fields(NODE_FIELDS),
    )
        .prop_map(move |(id, schema_id, children, unknown)| {
            let node = json!({
                "id": id, "schema_id": schema_id, "category": category, "children": children
            });
            with(node, unknown)
        })
}

/// Sections of header fields and tables (multivalue -> tuple -> datapoint), as Rossum sends.
fn content_tree() -> impl Strategy<Value = Vec<Value>> {
    let row = parent("tuple", proptest::collection::vec(datapoint(), 1..3));
    let table = parent("multivalue", proptest::collection::vec(row, 1..3));
    let section_child = prop_oneof![3 => datapoint(), 1 => table];
    let section = parent("section", proptest::collection::vec(section_child, 1..4));
    proptest::collection::vec(section, 0..3)
}

fn rossum_event() -> impl Strategy<Value = Value> {
    let annotation = (
        proptest::option::of(any::<u64>()),
        [
            optional_text(),
            optional_text(),
            optional_text(),
            optional_text(),
        ],
        content_tree(),
        unknown_fields(&[
            "id",
            "url",
            "status",
            "previous_status",
            "document",
            "content",
        ]),
    )
        .prop_map(
            |(id, [url, status, previous, document], content, unknown)| {
                let annotation = json!({
                    "id": id, "url": url, "status": status, "previous_status": previous,
                    "document": document, "content": content
                });
                with(annotation, unknown)
            },
        );
    let document = (
        proptest::option::of(any::<u64>()),
        [optional_text(), optional_text(), optional_text()],
        unknown_fields(&["id", "url", "original_file_name", "arrived_at"]),
    )
        .prop_map(|(id, [url, name, arrived], unknown)| {
            let document = json!({
                "id": id, "url": url, "original_file_name": name, "arrived_at": arrived
            });
            with(document, unknown)
        });
    let header = (
        text(),
        [optional_text(), optional_text(), optional_text()],
        proptest::option::of(text()),
        proptest::option::of(proptest::collection::btree_map("[a-z_]{1,8}", text(), 0..3)),
        json_value(),
        prop::sample::select(&["initialize", "started", "updated", "user_update", "export"][..]),
    );
    (
        header,
        proptest::option::of(annotation),
        proptest::option::of(document),
        proptest::collection::vec(any::<u64>(), 0..4),
        unknown_fields(&[
            "request_id",
            "timestamp",
            "base_url",
            "rossum_authorization_token",
            "hook",
            "settings",
            "secrets",
            "event",
            "action",
            "annotation",
            "document",
            "updated_datapoints",
        ]),
    )
        .prop_map(
            |(
                (request_id, [timestamp, base_url, hook], token, secrets, settings, action),
                annotation,
                document,
                updated,
                unknown,
            )| {
                let mut event = json!({
                    "request_id": request_id, "timestamp": timestamp, "base_url": base_url,
                    "hook": hook, "settings": settings, "event": "annotation_content",
                    "action": action, "annotation": annotation, "document": document,
                    "updated_datapoints": updated
                });
                put(
                    &mut event,
                    "rossum_authorization_token",
                    token.map(Value::from),
                );
                put(&mut event, "secrets", secrets.map(|s| json!(s)));
                with(event, unknown)
            },
        )
}

fn inkit_webhook() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            prop::sample::select(
                &[
                    "DOCUMENT_CREATE_FINISHED",
                    "DOCUMENT_CREATE_FAILED",
                    "DOCUMENT_DELETED"
                ][..]
            )
            .prop_map(String::from),
            "[A-Z_]{1,30}",
        ],
        text(),
        unknown_fields(&["event_type", "resource_id"]),
    )
        .prop_map(|(event_type, resource_id, unknown)| {
            with(
                json!({"event_type": event_type, "resource_id": resource_id}),
                unknown,
            )
        })
}

fn contractfit_envelope() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(
            &[
                "document_text",
                "document_split",
                "document_predict",
                "document_evaluate",
                "document_delete",
                "document_fail",
                "document_reject",
                "document_archive",
            ][..],
        ),
        optional_text(),
        "[0-9a-f]{24}",
        unknown_fields(&["id"]),
        unknown_fields(&["event", "organization", "data"]),
    )
        .prop_map(|(event, organization, id, data, unknown)| {
            let envelope = json!({
                "event": event, "organization": organization,
                "data": with(json!({"id": id}), data)
            });
            with(envelope, unknown)
        })
}

/// The body as bytes, parsed as `T`, serialised again.
fn reserialised<T: DeserializeOwned + Serialize>(body: &Value) -> Value {
    let bytes = serde_json::to_vec(body).unwrap();
    let parsed: T = serde_json::from_slice(&bytes).unwrap();
    serde_json::to_value(&parsed).unwrap()
}

proptest! {
    #[test]
    fn a_rossum_event_keeps_unknown_fields_at_every_level(body in rossum_event()) {
        prop_assert_eq!(reserialised::<AnnotationContentEvent>(&body), body);
    }

    #[test]
    fn an_inkit_webhook_keeps_unknown_fields(body in inkit_webhook()) {
        prop_assert_eq!(reserialised::<InkitWebhook>(&body), body);
    }

    #[test]
    fn a_contractfit_envelope_keeps_unknown_fields(body in contractfit_envelope()) {
        prop_assert_eq!(reserialised::<Envelope>(&body), body);
    }
}

#[test]
fn hook_secrets_are_kept_but_never_printed() {
    let body = json!({
        "event": "annotation_content", "action": "updated",
        "secrets": {"erp_password": "hunter2-do-not-print"},
        "rossum_authorization_token": "token-do-not-print",
        "new_field": {"nested": true}
    });
    let event: AnnotationContentEvent = serde_json::from_value(body.clone()).unwrap();
    let printed = format!("{event:?}");
    assert!(!printed.contains("do-not-print"), "{printed}");
    assert_eq!(event.other["new_field"], json!({"nested": true}));
    let again = serde_json::to_value(&event).unwrap();
    assert_eq!(again["secrets"], body["secrets"]);
    assert_eq!(again["new_field"], body["new_field"]);
}
