//! What the Inkit functions' tests share: the functions that only record their event, as the
//! recorder helpers of `webhook-test-support` name them, and how their binaries are configured.

use webhook_function::{Background, Dependencies};
use webhook_test_support::RecordsTable;
use webhook_test_support::binary::{FunctionProcess, RuntimeApi, start_with_records_table};
use webhook_test_support::inkit_recorder::InkitRecorder;

/// The recorder of the Inkit function `$function` (an `inkit_functions` registry entry), which
/// accepts `$event_type`: its endpoint is given the records and the idempotency store only.
macro_rules! recorder {
    ($function:path, $event_type:literal) => {
        InkitRecorder {
            name: $function.name,
            route: $function.route,
            event_type: $event_type,
            endpoint: |config, records, idempotency| {
                let given = Dependencies::given(Background::InProcess);
                let dependencies = given
                    .with_inkit_records(records)
                    .with_idempotency(idempotency);
                $function.build(config, &dependencies)
            },
        }
    };
}

/// `inkit-document-create-failed`.
pub const CREATE_FAILED: InkitRecorder = recorder!(
    inkit_functions::DOCUMENT_CREATE_FAILED,
    "DOCUMENT_CREATE_FAILED"
);

/// `inkit-document-deleted`.
pub const DELETED: InkitRecorder = recorder!(inkit_functions::DOCUMENT_DELETED, "DOCUMENT_DELETED");

/// The secret the binaries run with, as the local development set-up configures them.
pub const DEVELOPMENT_SECRET: &str = "inkit-development-secret";
/// The variable the binaries read their secret from, with [`DEVELOPMENT_SECRET`].
pub const SECRET_VAR: (&str, &str) = ("INKIT_WEBHOOK_SECRET", DEVELOPMENT_SECRET);

/// Starts `function`'s binary with a new records table of its own and checks that it records
/// its own event once and refuses a forgery; the table, the stub and the process.
pub async fn binary_recording_once(
    function: InkitRecorder,
    binary: &str,
) -> (RecordsTable, RuntimeApi, FunctionProcess) {
    let records = function.records("binary").await;
    let (api, process) =
        start_with_records_table(binary, function.name, SECRET_VAR, &records.name, &[]).await;
    function
        .assert_binary_records_once_and_refuses_a_forgery(&api, DEVELOPMENT_SECRET)
        .await;
    (records, api, process)
}
