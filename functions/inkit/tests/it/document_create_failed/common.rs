//! The function under test, for the Inkit recorder helpers of `webhook-test-support`.

use webhook_test_support::inkit_recorder::InkitRecorder;

pub const FUNCTION: InkitRecorder = InkitRecorder {
    name: inkit_functions::document_create_failed::FUNCTION_NAME,
    route: inkit_functions::document_create_failed::ROUTE,
    event_type: "DOCUMENT_CREATE_FAILED",
    endpoint: inkit_functions::document_create_failed::endpoint,
};
