//! What every Rossum hook refuses and how, one table over the five that verify deliveries in
//! process (export, status, updated, email, upload) and one over the four binaries that need
//! a records table: signatures (401), other events (422) and garbage (400), none of them
//! recorded, the legacy SHA-1 header, a missing secret (500), an oversized body (413), and an
//! unavailable store (503, to be retried).

use std::sync::Arc;

use idempotency::InMemoryIdempotencyStore;
use record_store::{InMemoryRecordStore, RecordStore, UnavailableRecordStore};
use serde_json::{Value, json};
use webhook_endpoint::{Endpoint, EndpointConfig};
use webhook_test_support::binary::{assert_not_logged, assert_says_records_table_missing, start};
use webhook_test_support::{config, hex, invoke, respond};
use webhook_verify::hmac_sha1;

use crate::support::{
    DEVELOPMENT_SECRET, SECRET, SECRET_VAR, SIGNATURE, assert_refused, bytes, configured, edited,
    fresh_idempotency_store, given, signature, signed_event,
};
use crate::{annotation_export, annotation_status, annotation_updated};
use crate::{email_received, upload_created};

/// A hook under test, called in process.
struct Hook {
    name: &'static str,
    /// The sample delivery it answers.
    sample: Vec<u8>,
    /// The sample with a byte changed that the sample's signature covers.
    tampered: Vec<u8>,
    /// Its endpoint under a configuration, recording in the store where it records anything.
    endpoint: fn(&EndpointConfig, Arc<InMemoryRecordStore>) -> Endpoint,
    /// What the store holds of it.
    recorded: fn(&InMemoryRecordStore) -> usize,
    /// Its endpoint whose store is unavailable (its records, or the idempotency guard's
    /// where it records nothing else), where it has one.
    unavailable: Option<fn(&EndpointConfig) -> Endpoint>,
    /// Checks its answer to the sample.
    sample_answer: fn(&Value),
    /// Deliveries of other events or actions, with the message naming them where it is checked.
    wrong_events: Vec<(Vec<u8>, Option<&'static str>)>,
    /// Bodies it cannot answer (or record) however well signed.
    malformed: Vec<Vec<u8>>,
}

impl Hook {
    async fn call(
        &self,
        config: &EndpointConfig,
        records: Arc<InMemoryRecordStore>,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Value) {
        let (status, _, body) = respond(&(self.endpoint)(config, records), headers, body).await;
        (status, body)
    }

    /// [`Self::call`] with a valid signature.
    async fn signed(
        &self,
        config: &EndpointConfig,
        records: Arc<InMemoryRecordStore>,
        body: &[u8],
    ) -> (u16, Value) {
        let signature = signature(SECRET, body);
        let headers = [(SIGNATURE, signature.as_str())];
        self.call(config, records, &headers, body).await
    }
}

/// `sample` with the first `from` replaced by `to`.
fn replaced(sample: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = sample
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{} not in the sample", String::from_utf8_lossy(from)));
    [&sample[..at], to, &sample[at + from.len()..]].concat()
}

fn unavailable_records() -> Arc<dyn RecordStore> {
    Arc::new(UnavailableRecordStore::new(
        "the records table is not configured (RECORDS_TABLE is not set)",
    ))
}

fn hooks() -> Vec<Hook> {
    use annotation_export::common::{self as export, export_payload};
    use annotation_status::common as status;
    use email_received::common as email;
    use upload_created::common as upload;
    let export_sample = bytes(&export_payload());
    let export_with = |edit: fn(&mut Value)| edited(&export_sample, edit);
    let status_with = |edit: fn(&mut Value)| edited(status::SAMPLE, edit);
    let updated_with = |edit: fn(&mut Value)| edited(annotation_updated::endpoint::SAMPLE, edit);
    vec![
        Hook {
            name: "rossum-annotation-export",
            tampered: replaced(&export_sample, b"V-10027", b"V-10028"),
            sample: export_sample.clone(),
            endpoint: |config, records| {
                export::ENDPOINT(config, records, fresh_idempotency_store())
            },
            recorded: |records| records.export_count(),
            unavailable: Some(|config| {
                export::ENDPOINT(config, unavailable_records(), fresh_idempotency_store())
            }),
            sample_answer: |body| assert_eq!(body, &json!({"messages": [], "operations": []})),
            wrong_events: vec![(
                export_with(|p| p["action"] = json!("initialize")),
                Some(
                    "this hook handles annotation_content.confirm, annotation_content.export; \
                     it received annotation_content.initialize",
                ),
            )],
            malformed: vec![
                export_with(|p| {
                    p.as_object_mut().unwrap().remove("timestamp");
                }),
                export_with(|p| p["settings"] = json!({"currency_schema_id": 3})),
            ],
        },
        Hook {
            name: "rossum-annotation-status",
            sample: status::SAMPLE.to_vec(),
            tampered: replaced(status::SAMPLE, b"\"exported\"", b"\"exporteX\""),
            endpoint: |config, records| {
                status::ENDPOINT(config, records, fresh_idempotency_store())
            },
            recorded: |records| records.status_history(status::ANNOTATION_ID).len(),
            unavailable: Some(|config| {
                status::ENDPOINT(config, unavailable_records(), fresh_idempotency_store())
            }),
            sample_answer: |body| assert_eq!(body, &json!({"recorded": true, "latest": true})),
            wrong_events: vec![
                (
                    status_with(|p| p["action"] = json!("created")),
                    Some(
                        "this hook handles annotation_status.changed; \
                         it received annotation_status.created",
                    ),
                ),
                (
                    include_bytes!("../../../../events/payloads/rossum-annotation-initialize.json")
                        .to_vec(),
                    Some(
                        "this hook handles annotation_status.changed; \
                         it received annotation_content.initialize",
                    ),
                ),
            ],
            malformed: vec![
                status_with(|p| {
                    p.as_object_mut().unwrap().remove("annotation");
                }),
                status_with(|p| p["annotation"]["id"] = json!("not a number")),
                b"{\"event\": ".to_vec(),
            ],
        },
        Hook {
            name: "rossum-annotation-updated",
            sample: annotation_updated::endpoint::SAMPLE.to_vec(),
            tampered: replaced(annotation_updated::endpoint::SAMPLE, b"ZERO", b"XERO"),
            endpoint: |config, _| annotation_updated::endpoint::endpoint(config),
            recorded: |_| 0,
            unavailable: None,
            sample_answer: |body| assert_eq!(body["operations"].as_array().unwrap().len(), 2),
            wrong_events: vec![
                (
                    updated_with(|p| p["action"] = json!("export")),
                    Some(
                        "this hook handles annotation_content.updated, \
                         annotation_content.user_update, annotation_content.started; \
                         it received annotation_content.export",
                    ),
                ),
                (
                    updated_with(|p| {
                        p["event"] = json!("annotation_status");
                        p["action"] = json!("changed");
                    }),
                    None,
                ),
            ],
            malformed: vec![
                b"{\"event\": \"annotation_content\", \"action\": ".to_vec(),
                b"".to_vec(),
                updated_with(|p| p["annotation"]["content"] = json!("not a tree")),
                updated_with(|p| {
                    p.as_object_mut().unwrap().remove("annotation");
                }),
            ],
        },
        Hook {
            name: "rossum-email-received",
            sample: email::SAMPLE.to_vec(),
            tampered: email::with(|p| p["files"][1]["width_px"] = json!(1200.0)),
            endpoint: |config, records| email::ENDPOINT(config, records, fresh_idempotency_store()),
            recorded: |records| records.email_count(),
            unavailable: Some(|config| {
                email::ENDPOINT(config, unavailable_records(), fresh_idempotency_store())
            }),
            sample_answer: |body| assert_eq!(email::imported_ids(body), ["1", "3"]),
            wrong_events: vec![
                (
                    email::with(|p| {
                        p["event"] = json!("annotation_content");
                        p["action"] = json!("updated");
                    }),
                    Some(
                        "this hook handles email.received; it received annotation_content.updated",
                    ),
                ),
                (email::with(|p| p["action"] = json!("sent")), None),
                (email::with(|p| p["event"] = json!("upload")), None),
            ],
            malformed: vec![
                b"{\"event\": \"email\", \"action\": ".to_vec(),
                b"".to_vec(),
                email::with(|p| p["files"] = json!("not a list")),
                email::with(|p| {
                    p["files"][0].as_object_mut().unwrap().remove("id");
                }),
                email::with(|p| {
                    p.as_object_mut().unwrap().remove("event");
                }),
            ],
        },
        Hook {
            name: "rossum-upload-created",
            sample: upload::SAMPLE.to_vec(),
            tampered: upload::with(|p| p["documents"][0]["mime_type"] = json!("text/calendar")),
            endpoint: |config, _| {
                let store = Arc::new(InMemoryIdempotencyStore::new());
                rossum_functions::UPLOAD_CREATED.build(config, &given().with_idempotency(store))
            },
            recorded: |_| 0,
            unavailable: Some(|config| {
                let store = Arc::new(UnavailableRecordStore::new(
                    "the records table is not configured (RECORDS_TABLE is not set)",
                ));
                rossum_functions::UPLOAD_CREATED.build(config, &given().with_idempotency(store))
            }),
            sample_answer: |body| {
                assert_eq!(
                    upload::decisions(body),
                    upload::expected(&upload::SAMPLE_DECISIONS)
                )
            },
            wrong_events: vec![
                (
                    upload::with(|p| {
                        p["event"] = json!("email");
                        p["action"] = json!("received");
                    }),
                    Some("this hook handles upload.created; it received email.received"),
                ),
                (upload::with(|p| p["action"] = json!("updated")), None),
            ],
            malformed: vec![
                b"{\"event\": \"upload\", \"action\": ".to_vec(),
                Vec::new(),
                upload::with(|p| p["files"] = json!("not a list")),
                upload::with(|p| p["documents"] = json!({"id": 1})),
                upload::with(|p| {
                    p["files"][0].as_object_mut().unwrap().remove("document");
                }),
                upload::with(|p| {
                    p.as_object_mut().unwrap().remove("event");
                }),
                upload::with(|p| {
                    p.as_object_mut().unwrap().remove("request_id");
                }),
            ],
        },
    ]
}

/// Runs `check` on every hook with in-memory records of its own; then none of them holds a
/// record.
async fn for_each_hook(check: impl AsyncFn(&Hook, Arc<InMemoryRecordStore>)) {
    for hook in hooks() {
        let records = Arc::new(InMemoryRecordStore::new());
        check(&hook, records.clone()).await;
        let name = hook.name;
        assert_eq!((hook.recorded)(&records), 0, "{name} recorded a refusal");
    }
}

/// Every hook refuses its signed sample under `config` with `status` and `code`.
async fn assert_every_hook_refuses(config: &EndpointConfig, status: u16, code: &str) {
    for_each_hook(async |hook, records| {
        let (answer, body) = hook.signed(config, records, &hook.sample).await;
        assert_eq!(answer, status, "{}: {body}", hook.name);
        assert_refused(answer, &body, status, code);
    })
    .await;
}

#[tokio::test]
async fn signature_failures_are_401_with_the_reason_and_record_nothing() {
    for_each_hook(async |hook, records| {
        let name = hook.name;
        let good = signature(SECRET, &hook.sample);
        let wrong_secret = signature("not the secret", &hook.sample);
        for (what, headers, body, code) in [
            (
                "tampered",
                vec![(SIGNATURE, good.as_str())],
                &hook.tampered,
                "signature_mismatch",
            ),
            (
                "another secret",
                vec![(SIGNATURE, wrong_secret.as_str())],
                &hook.sample,
                "signature_mismatch",
            ),
            ("no headers", vec![], &hook.sample, "missing_signature"),
            (
                "no signature",
                vec![("content-type", "application/json")],
                &hook.sample,
                "missing_signature",
            ),
            (
                "empty signature",
                vec![(SIGNATURE, "sha256=")],
                &hook.sample,
                "malformed_signature",
            ),
        ] {
            let (status, answer) = hook
                .call(&configured(), records.clone(), &headers, body)
                .await;
            assert_eq!(status, 401, "{name}, {what}: {answer}");
            assert_refused(status, &answer, 401, code);
            if code == "malformed_signature" {
                assert_eq!(
                    answer["messages"][0]["content"],
                    "malformed x-rossum-signature-sha256 header: empty signature",
                    "{name}"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn another_event_or_action_is_422_naming_the_expected_ones() {
    for_each_hook(async |hook, records| {
        for (body, message) in &hook.wrong_events {
            let (status, answer) = hook.signed(&configured(), records.clone(), body).await;
            assert_eq!(status, 422, "{}: {answer}", hook.name);
            assert_refused(status, &answer, 422, "wrong_event");
            if let Some(message) = message {
                assert_eq!(answer["messages"][0]["content"], *message, "{}", hook.name);
            }
        }
    })
    .await;
}

#[tokio::test]
async fn garbage_with_a_valid_signature_is_400_and_records_nothing() {
    for_each_hook(async |hook, records| {
        for body in &hook.malformed {
            let (status, answer) = hook.signed(&configured(), records.clone(), body).await;
            let sent = String::from_utf8_lossy(body);
            assert_eq!(status, 400, "{}, {sent}: {answer}", hook.name);
            assert_refused(status, &answer, 400, "malformed_body");
        }
    })
    .await;
}

#[tokio::test]
async fn the_legacy_sha1_header_alone_is_accepted_unless_disabled() {
    for hook in hooks() {
        let name = hook.name;
        let legacy = format!("sha1={}", hex(&hmac_sha1(SECRET.as_bytes(), &hook.sample)));
        let headers = [("X-Elis-Signature", legacy.as_str())];
        let records = Arc::new(InMemoryRecordStore::new());
        let (status, body) = hook
            .call(&configured(), records, &headers, &hook.sample)
            .await;
        assert_eq!(status, 200, "{name}: {body}");
        (hook.sample_answer)(&body);

        let strict = config(&[
            ("ROSSUM_HOOK_SECRET", SECRET),
            ("ROSSUM_ALLOW_LEGACY_SHA1", "false"),
        ]);
        let records = Arc::new(InMemoryRecordStore::new());
        let (status, body) = hook.call(&strict, records, &headers, &hook.sample).await;
        assert_eq!(status, 401, "{name}: {body}");
        assert_refused(status, &body, 401, "legacy_signature_disabled");
    }
}

#[tokio::test]
async fn without_a_configured_secret_everything_is_refused_with_500() {
    assert_every_hook_refuses(&config(&[]), 500, "not_configured").await;
}

#[tokio::test]
async fn an_oversized_body_is_413_before_any_hashing() {
    for hook in hooks() {
        let name = hook.name;
        assert!(
            hook.sample.len() > 1024,
            "{name}: the sample is over the limit"
        );
    }
    let limited = config(&[
        ("ROSSUM_HOOK_SECRET", SECRET),
        ("WEBHOOK_MAX_BODY_BYTES", "1024"),
    ]);
    assert_every_hook_refuses(&limited, 413, "payload_too_large").await;
}

#[tokio::test]
async fn an_unavailable_store_is_503_so_rossum_retries() {
    for hook in hooks() {
        let Some(unavailable) = hook.unavailable else {
            continue;
        };
        let name = hook.name;
        let signature = signature(SECRET, &hook.sample);
        let headers = [(SIGNATURE, signature.as_str())];
        let endpoint = unavailable(&configured());
        let (status, retry_after, body) = respond(&endpoint, &headers, &hook.sample).await;
        assert_eq!(status, 503, "{name}: {body}");
        assert_refused(status, &body, 503, "temporarily_unavailable");
        assert_eq!(
            retry_after.as_deref(),
            Some("5"),
            "{name}: a 503 says when to retry"
        );
        assert!(
            body.get("files").is_none(),
            "{name}: no answer without the store"
        );
    }
}

/// A binary that needs its records table, and what it is delivered without one.
struct Binary {
    name: &'static str,
    path: &'static str,
    /// Each delivery and the status it gets: 503 where the table is needed.
    deliveries: Vec<(Vec<u8>, u16)>,
    /// What the deliveries carry that must never reach a log (besides the binary's secret).
    private: &'static [&'static str],
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_records_table_deliveries_are_refused_with_503() {
    let export = rossum_functions::ANNOTATION_EXPORT.route;
    let mut confirm = annotation_export::common::export_payload();
    // Confirm needs no table: the gate alone answers.
    confirm["action"] = json!("confirm");
    let binaries = [
        Binary {
            name: "rossum-annotation-export",
            path: env!("CARGO_BIN_EXE_rossum-annotation-export"),
            deliveries: vec![
                (
                    signed_event(
                        export,
                        &bytes(&annotation_export::common::export_payload()),
                        DEVELOPMENT_SECRET,
                    ),
                    503,
                ),
                (
                    signed_event(export, &bytes(&confirm), DEVELOPMENT_SECRET),
                    200,
                ),
            ],
            private: &[],
        },
        Binary {
            name: "rossum-annotation-status",
            path: env!("CARGO_BIN_EXE_rossum-annotation-status"),
            deliveries: vec![(
                signed_event(
                    rossum_functions::ANNOTATION_STATUS.route,
                    annotation_status::common::SAMPLE,
                    DEVELOPMENT_SECRET,
                ),
                503,
            )],
            private: &[],
        },
        Binary {
            name: "rossum-email-received",
            path: env!("CARGO_BIN_EXE_rossum-email-received"),
            deliveries: vec![(email_received::common::EVENT.to_vec(), 503)],
            private: email_received::common::PRIVATE,
        },
        Binary {
            name: "rossum-upload-created",
            path: env!("CARGO_BIN_EXE_rossum-upload-created"),
            deliveries: vec![(upload_created::common::EVENT.to_vec(), 503)],
            private: upload_created::common::PRIVATE,
        },
    ];
    for binary in binaries {
        let name = binary.name;
        let env = [SECRET_VAR, ("AWS_LAMBDA_LOG_FORMAT", "JSON")];
        let (api, process) = start(binary.path, name, &env).await;
        for (event, expected) in &binary.deliveries {
            let (status, body) = invoke(&api, event).await;
            assert_eq!(status, *expected, "{name}: {body}");
            if *expected == 503 {
                assert_eq!(body["error"], "temporarily_unavailable", "{name}");
            }
        }
        let logs = process.stop();
        assert_says_records_table_missing(&logs);
        assert_not_logged(&logs, &[DEVELOPMENT_SECRET]);
        assert_not_logged(&logs, binary.private);
    }
}
