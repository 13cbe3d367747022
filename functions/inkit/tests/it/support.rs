//! What the Inkit functions' tests share: the functions that only record their event, as the
//! recorder helpers of `webhook-test-support` name them, and how their binaries are configured.

use aws_sdk_dynamodb::Client;
use webhook_function::{Background, Dependencies};
use webhook_test_support::binary::{FunctionProcess, RuntimeApi, start_with_records_table};
use webhook_test_support::inkit_recorder::InkitRecorder;

/// `inkit-document-create-failed`.
pub const CREATE_FAILED: InkitRecorder = InkitRecorder {
    name: inkit_functions::DOCUMENT_CREATE_FAILED.name,
    route: inkit_functions::DOCUMENT_CREATE_FAILED.route,
    event_type: "DOCUMENT_CREATE_FAILED",
    endpoint: |config, records, idempotency| {
        let given = Dependencies::given(Background::InProcess);
        let dependencies = given
            .with_inkit_records(records)
            .with_idempotency(idempotency);
        inkit_functions::DOCUMENT_CREATE_FAILED.build(config, &dependencies)
    },
};

/// `inkit-document-deleted`.
pub const DELETED: InkitRecorder = InkitRecorder {
    name: inkit_functions::DOCUMENT_DELETED.name,
    route: inkit_functions::DOCUMENT_DELETED.route,
    event_type: "DOCUMENT_DELETED",
    endpoint: |config, records, idempotency| {
        let given = Dependencies::given(Background::InProcess);
        let dependencies = given
            .with_inkit_records(records)
            .with_idempotency(idempotency);
        inkit_functions::DOCUMENT_DELETED.build(config, &dependencies)
    },
};

/// The secret the binaries run with, as the local development set-up configures them.
pub const DEVELOPMENT_SECRET: &str = "inkit-development-secret";
/// The variable the binaries read their secret from, with [`DEVELOPMENT_SECRET`].
pub const SECRET_VAR: (&str, &str) = ("INKIT_WEBHOOK_SECRET", DEVELOPMENT_SECRET);

/// Starts `function`'s binary with a new records table of its own and checks that it records
/// its own event once and refuses a forgery; the client and the table, the stub and the
/// process.
pub async fn binary_recording_once(
    function: InkitRecorder,
    binary: &str,
) -> (Client, String, RuntimeApi, FunctionProcess) {
    let (client, table) = function.records_table("binary").await;
    let (api, process) =
        start_with_records_table(binary, function.name, SECRET_VAR, &table, &[]).await;
    function
        .assert_binary_records_once_and_refuses_a_forgery(&api, DEVELOPMENT_SECRET)
        .await;
    (client, table, api, process)
}
