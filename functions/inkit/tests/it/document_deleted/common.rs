//! The function under test, for the Inkit recorder helpers of `webhook-test-support`.

use webhook_test_support::inkit_recorder::InkitRecorder;

pub const FUNCTION: InkitRecorder = InkitRecorder {
    name: inkit_functions::document_deleted::FUNCTION_NAME,
    route: inkit_functions::document_deleted::ROUTE,
    event_type: "DOCUMENT_DELETED",
    endpoint: inkit_functions::document_deleted::endpoint,
};
