//! The function as the shared contract.fit checks see it.

use contractfit_store::testing::FunctionUnderTest;

pub const PAYLOAD: &[u8] =
    include_bytes!("../../../../events/payloads/contractfit-document-split.json");

pub fn function() -> FunctionUnderTest {
    FunctionUnderTest {
        name: contractfit_document_split::FUNCTION_NAME,
        endpoint: contractfit_document_split::endpoint_with_settings,
        event: contractfit_document_split::EVENT,
        payload: PAYLOAD,
    }
}
