//! The five contract.fit webhooks, one [`ContractFitFunction`] each, all taking the request
//! steps of [`webhook`] and differing only in the event they store and how:
//!
//! | function | route | event |
//! |---|---|---|
//! | [`DOCUMENT_TEXT`] | `/contractfit/document-text` | `document_text` |
//! | [`DOCUMENT_SPLIT`] | `/contractfit/document-split` | `document_split` |
//! | [`DOCUMENT_PREDICT`] | `/contractfit/document-predict` | `document_predict` |
//! | [`DOCUMENT_EVALUATE`] | `/contractfit/document-evaluate` | `document_evaluate` |
//! | [`DOCUMENT_DELETE`] | `/contractfit/document-delete` | `document_delete` |
//!
//! Every one also records `document_fail` and `document_reject`. Each is a Lambda binary of
//! its own name (`src/bin/`, calling `lambda_main` with its [`Function`]) and an entry of the
//! local server's registry ([`FUNCTIONS`]). What is stored, and how exactly once, is `contractfit-store`'s.

pub mod webhook;

pub use webhook::{
    ContractFitFunction, ORGANIZATION_ENV, Received, Settings, StoreEvent, StoreEventFuture,
    idempotency_key,
};

use webhook_endpoint::{Endpoint, EndpointConfig};
use webhook_function::{Dependencies, Function, Platform};
use webhook_model::contractfit::{
    ContractFitEvent, Document, DocumentRef, DocumentSplit, DocumentText,
};

/// `contractfit-document-text`: contract.fit's `document_text` webhook, which delivers the
/// OCR text of a document (`{"id", "text"}`; the text can run to megabytes).
///
/// The text is stored byte for byte in the records table, once per document: a redelivery
/// changes nothing, a different text for the same document replaces the stored one, and a
/// text larger than a DynamoDB item is compressed and stored in parts that are read back
/// whole and checked (see `contractfit-store`). The answer is 200 only once the text is
/// stored; 503 when it cannot be, so that contract.fit retries. The text itself is never
/// logged.
pub const DOCUMENT_TEXT: ContractFitFunction = ContractFitFunction {
    name: "contractfit-document-text",
    route: "/contractfit/document-text",
    event: ContractFitEvent::DocumentText,
    store_event: |store, received| {
        Box::pin(async move {
            let data: DocumentText = received.data()?;
            Ok(store.store_text(&received.delivery, &data.text).await?)
        })
    },
};

/// `contractfit-document-split`: contract.fit's `document_split` webhook, which delivers the
/// sections a document was split into (`{"id", "sections": [{"document_type", "format",
/// "confidence", "page"}]}`).
///
/// `confidence` and `page` arrive as strings (`"91"`, `"0"`); each is stored as sent and, when
/// it is one, as a number (`confidence_value`, `page_value`), so that queries can compare
/// them. A redelivery changes nothing; a different split of the same document replaces the
/// stored sections. 200 only once stored, 503 when the table cannot be written.
pub const DOCUMENT_SPLIT: ContractFitFunction = ContractFitFunction {
    name: "contractfit-document-split",
    route: "/contractfit/document-split",
    event: ContractFitEvent::DocumentSplit,
    store_event: |store, received| {
        Box::pin(async move {
            let data: DocumentSplit = received.data()?;
            Ok(store
                .store_sections(&received.delivery, &data.sections)
                .await?)
        })
    },
};

/// `contractfit-document-predict`: contract.fit's `document_predict` webhook, which delivers
/// the whole document JSON with every prediction made on it.
///
/// The JSON is stored whole (fields this project does not know included) as a version of the
/// document, with the time it arrived, next to the reviewed versions `document_evaluate`
/// stores. The same content again is a duplicate; changed content is a new version. A
/// prediction arriving after the document was deleted is stored only when the document's own
/// times show it was produced after the deletion (see `contractfit-store`). 200 only once
/// stored, 503 when the table cannot be written.
pub const DOCUMENT_PREDICT: ContractFitFunction = ContractFitFunction {
    name: "contractfit-document-predict",
    route: "/contractfit/document-predict",
    event: ContractFitEvent::DocumentPredict,
    store_event: store_document_version,
};

/// `contractfit-document-evaluate`: contract.fit's `document_evaluate` webhook, which
/// delivers the final, reviewed document JSON once feedback has been given.
///
/// The JSON is stored whole as a version of the document, with the time it arrived, next to
/// the prediction `document_predict` stored. An evaluate arriving again with different
/// content (another review) is a new version; the same content is a duplicate and writes
/// nothing. After the document's deletion it is stored only when the document's own times
/// show it was produced after the deletion (see `contractfit-store`). 200 only once stored,
/// 503 when the table cannot be written.
pub const DOCUMENT_EVALUATE: ContractFitFunction = ContractFitFunction {
    name: "contractfit-document-evaluate",
    route: "/contractfit/document-evaluate",
    event: ContractFitEvent::DocumentEvaluate,
    store_event: store_document_version,
};

/// `contractfit-document-delete`: contract.fit's `document_delete` webhook (`{"id"}`), sent
/// when a document is deleted.
///
/// Every item stored about the document (text and its parts, sections, versions, failures,
/// delivery keys) is removed from the records table and a deletion marker with `deleted_at`
/// is kept, so that late retries of earlier events do not bring the document back (see
/// `contractfit-store` for the one exception). A redelivered delete is a duplicate. 200 only
/// once the document is removed, 503 when the table cannot be written.
pub const DOCUMENT_DELETE: ContractFitFunction = ContractFitFunction {
    name: "contractfit-document-delete",
    route: "/contractfit/document-delete",
    event: ContractFitEvent::DocumentDelete,
    store_event: |store, received| {
        Box::pin(async move {
            let _: DocumentRef = received.data()?;
            Ok(store.delete_document(&received.delivery).await?)
        })
    },
};

/// Every contract.fit function, in the order the local server lists them.
pub const HANDLERS: [ContractFitFunction; 5] = [
    DOCUMENT_TEXT,
    DOCUMENT_SPLIT,
    DOCUMENT_PREDICT,
    DOCUMENT_EVALUATE,
    DOCUMENT_DELETE,
];

/// Every contract.fit function as the registry and the Lambda binaries know it. A new one is
/// added here.
pub const FUNCTIONS: [&Function; 5] = [
    &DOCUMENT_TEXT_FUNCTION,
    &DOCUMENT_SPLIT_FUNCTION,
    &DOCUMENT_PREDICT_FUNCTION,
    &DOCUMENT_EVALUATE_FUNCTION,
    &DOCUMENT_DELETE_FUNCTION,
];

/// `handler` as a registry entry: guarded, built from the contract.fit and idempotency stores.
const fn function(
    handler: &ContractFitFunction,
    stores: &'static str,
    endpoint: fn(&EndpointConfig, &Dependencies) -> Endpoint,
) -> Function {
    Function {
        name: handler.name,
        route: handler.route,
        platform: Platform::ContractFit,
        idempotency_key: Some(idempotency_key),
        stores,
        endpoint,
    }
}

pub const DOCUMENT_TEXT_FUNCTION: Function = function(
    &DOCUMENT_TEXT,
    "the document's text (TEXT, in CHUNK# parts when large) and the delivery's DELIVERY# key",
    |config, deps| DOCUMENT_TEXT.endpoint(config, deps.contractfit(), deps.idempotency()),
);
pub const DOCUMENT_SPLIT_FUNCTION: Function = function(
    &DOCUMENT_SPLIT,
    "the document's SECTIONS and the delivery's DELIVERY# key",
    |config, deps| DOCUMENT_SPLIT.endpoint(config, deps.contractfit(), deps.idempotency()),
);
pub const DOCUMENT_PREDICT_FUNCTION: Function = function(
    &DOCUMENT_PREDICT,
    "a PREDICT# version of the document JSON and the delivery's DELIVERY# key",
    |config, deps| DOCUMENT_PREDICT.endpoint(config, deps.contractfit(), deps.idempotency()),
);
pub const DOCUMENT_EVALUATE_FUNCTION: Function = function(
    &DOCUMENT_EVALUATE,
    "an EVALUATE# version of the document JSON and the delivery's DELIVERY# key",
    |config, deps| DOCUMENT_EVALUATE.endpoint(config, deps.contractfit(), deps.idempotency()),
);
pub const DOCUMENT_DELETE_FUNCTION: Function = function(
    &DOCUMENT_DELETE,
    "the document's items removed and a DELETED marker kept",
    |config, deps| DOCUMENT_DELETE.endpoint(config, deps.contractfit(), deps.idempotency()),
);

/// `document_predict` and `document_evaluate`: the document JSON whole, as a version.
fn store_document_version<'a>(
    store: &'a dyn contractfit_store::ContractFitStore,
    received: &'a Received,
) -> StoreEventFuture<'a> {
    Box::pin(async move {
        let data: Document = received.data()?;
        Ok(store.store_document(&received.delivery, &data.json).await?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_routes_and_events_are_the_template_s() {
        let listed: Vec<_> = HANDLERS
            .iter()
            .map(|f| (f.name, f.route, f.event.as_str()))
            .collect();
        assert_eq!(
            listed,
            [
                (
                    "contractfit-document-text",
                    "/contractfit/document-text",
                    "document_text"
                ),
                (
                    "contractfit-document-split",
                    "/contractfit/document-split",
                    "document_split"
                ),
                (
                    "contractfit-document-predict",
                    "/contractfit/document-predict",
                    "document_predict"
                ),
                (
                    "contractfit-document-evaluate",
                    "/contractfit/document-evaluate",
                    "document_evaluate"
                ),
                (
                    "contractfit-document-delete",
                    "/contractfit/document-delete",
                    "document_delete"
                ),
            ]
        );
    }
}
