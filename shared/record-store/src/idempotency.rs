//! Idempotency records in the records table (see the crate documentation): the
//! [`IdempotencyStore`] of the guarded functions.

use crate::records_unavailable;
use idempotency_store::idempotency_unavailable;
use std::collections::HashMap;

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use idempotency_store::{
    IdempotencyStore, LockOutcome, LockRequest, RecordStatus, StoreFuture, StoredRecord,
    StoredResponse, Unavailable,
};

use crate::dynamo::{EXPIRES_AT, Item, PK, SK, attributes, n, s};
use crate::{DynamoRecordStore, RECORDS, UnavailableRecordStore};
use dynamodb_support::{condition_failed, sdk_error};

/// The partition key prefix of idempotency records (the functions' IAM policies allow
/// writes on it).
pub const IDEMPOTENCY_PK_PREFIX: &str = "IDEMPOTENCY#";
/// The sort key of every idempotency record.
pub const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";

const STATUS: &str = "status";
const VALIDATION: &str = "validation";
const LOCK_TOKEN: &str = "lock_token";
const IN_PROGRESS_EXPIRES_AT: &str = "in_progress_expires_at";
const RESPONSE_STATUS: &str = "response_status";
const RESPONSE_BODY: &str = "response_body";
const RESPONSE_CONTENT_TYPE: &str = "response_content_type";

/// A lock attempt may find its blocking record gone before reading it (released meanwhile):
/// it tries again this many times.
const LOCK_ATTEMPTS: u32 = 3;

/// `IDEMPOTENCY#<function>#<key>`.
pub fn idempotency_pk(function: &str, key: &str) -> String {
    format!("{IDEMPOTENCY_PK_PREFIX}{function}#{key}")
}

fn unavailable(error: Unavailable) -> Unavailable {
    idempotency_unavailable(error.reason)
}

fn lock_item(request: &LockRequest) -> Item {
    HashMap::from([
        (
            PK.to_owned(),
            s(idempotency_pk(&request.function, &request.key)),
        ),
        (SK.to_owned(), s(IDEMPOTENCY_SK)),
        ("kind".to_owned(), s("idempotency")),
        (STATUS.to_owned(), s(RecordStatus::InProgress.as_str())),
        (VALIDATION.to_owned(), s(&request.validation)),
        (LOCK_TOKEN.to_owned(), s(&request.token)),
        (
            IN_PROGRESS_EXPIRES_AT.to_owned(),
            n(request.lock_expires_at_ms),
        ),
        (EXPIRES_AT.to_owned(), n(request.expires_at)),
    ])
}

fn record_from_item(item: &Item) -> Result<StoredRecord, Unavailable> {
    let read = attributes(item);
    let status = RecordStatus::parse(&read.required_text(STATUS)?)
        .ok_or_else(|| records_unavailable("idempotency record with an unknown status"))?;
    let response = match status {
        RecordStatus::Completed => Some(StoredResponse {
            status: read
                .required_number(RESPONSE_STATUS)
                .map_err(|_| records_unavailable("idempotency record: invalid response_status"))?,
            body: read.required_text(RESPONSE_BODY)?,
            content_type: read.text(RESPONSE_CONTENT_TYPE).ok().flatten(),
        }),
        RecordStatus::InProgress => None,
    };
    Ok(StoredRecord {
        status,
        validation: read.required_text(VALIDATION)?,
        token: read.required_text(LOCK_TOKEN)?,
        in_progress_expires_at_ms: read.required_number(IN_PROGRESS_EXPIRES_AT)?,
        expires_at: read.required_number(EXPIRES_AT)?,
        response,
    })
}

impl DynamoRecordStore {
    /// The idempotency record of `function`'s `key` (strongly consistent read).
    pub async fn idempotency_record(
        &self,
        function: &str,
        key: &str,
    ) -> Result<Option<StoredRecord>, Unavailable> {
        self.get(&idempotency_pk(function, key), IDEMPOTENCY_SK)
            .await?
            .as_ref()
            .map(record_from_item)
            .transpose()
    }

    async fn try_lock(&self, request: &LockRequest) -> Result<LockOutcome, Unavailable> {
        for _ in 0..LOCK_ATTEMPTS {
            let put = self
                .client()
                .put_item()
                .table_name(self.table())
                .set_item(Some(lock_item(request)))
                // Expiry is decided here from the item's own times, not by TTL deletion.
                .condition_expression(
                    "attribute_not_exists(#pk) OR #expires_at < :now \
                     OR (#status = :in_progress AND #in_progress_expires_at < :now_ms)",
                )
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#expires_at", EXPIRES_AT)
                .expression_attribute_names("#status", STATUS)
                .expression_attribute_names("#in_progress_expires_at", IN_PROGRESS_EXPIRES_AT)
                .expression_attribute_values(":now", n(request.now_secs()))
                .expression_attribute_values(":now_ms", n(request.now_ms))
                .expression_attribute_values(":in_progress", s(RecordStatus::InProgress.as_str()))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .send()
                .await;
            let error = match put {
                Ok(_) => return Ok(LockOutcome::Acquired),
                Err(error) => error,
            };
            let Some(PutItemError::ConditionalCheckFailedException(failed)) =
                error.as_service_error()
            else {
                return Err(sdk_error(RECORDS, "PutItem", self.table(), error));
            };
            let holder = match failed.item() {
                Some(item) => Some(record_from_item(item)?),
                None => {
                    self.idempotency_record(&request.function, &request.key)
                        .await?
                }
            };
            if let Some(holder) = holder {
                return Ok(LockOutcome::Held(holder));
            }
        }
        Err(records_unavailable(format!(
            "the idempotency record of {:?} kept changing",
            request.key
        )))
    }

    async fn complete_lock(
        &self,
        request: &LockRequest,
        response: &StoredResponse,
        expires_at: i64,
    ) -> Result<bool, Unavailable> {
        let mut update = "SET #status = :completed, #response_status = :response_status, \
                          #response_body = :response_body, #expires_at = :expires_at"
            .to_owned();
        let mut builder = self.client().update_item();
        if let Some(content_type) = &response.content_type {
            update.push_str(", #content_type = :content_type");
            builder = builder
                .expression_attribute_names("#content_type", RESPONSE_CONTENT_TYPE)
                .expression_attribute_values(":content_type", s(content_type));
        }
        let updated = builder
            .table_name(self.table())
            .key(PK, s(idempotency_pk(&request.function, &request.key)))
            .key(SK, s(IDEMPOTENCY_SK))
            .update_expression(update)
            .condition_expression("#status = :in_progress AND #lock_token = :token")
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_names("#lock_token", LOCK_TOKEN)
            .expression_attribute_names("#response_status", RESPONSE_STATUS)
            .expression_attribute_names("#response_body", RESPONSE_BODY)
            .expression_attribute_names("#expires_at", EXPIRES_AT)
            .expression_attribute_values(":completed", s(RecordStatus::Completed.as_str()))
            .expression_attribute_values(":in_progress", s(RecordStatus::InProgress.as_str()))
            .expression_attribute_values(":token", s(&request.token))
            .expression_attribute_values(":response_status", n(response.status))
            .expression_attribute_values(":response_body", s(&response.body))
            .expression_attribute_values(":expires_at", n(expires_at))
            .send()
            .await;
        match updated {
            Ok(_) => Ok(true),
            Err(error) if condition_failed(&error) => Ok(false),
            Err(error) => Err(sdk_error(RECORDS, "UpdateItem", self.table(), error)),
        }
    }

    async fn release_lock(&self, request: &LockRequest) -> Result<bool, Unavailable> {
        let deleted = self
            .client()
            .delete_item()
            .table_name(self.table())
            .key(PK, s(idempotency_pk(&request.function, &request.key)))
            .key(SK, s(IDEMPOTENCY_SK))
            .condition_expression("#status = :in_progress AND #lock_token = :token")
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_names("#lock_token", LOCK_TOKEN)
            .expression_attribute_values(":in_progress", s(RecordStatus::InProgress.as_str()))
            .expression_attribute_values(":token", s(&request.token))
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(true),
            Err(error) if condition_failed(&error) => Ok(false),
            Err(error) => Err(sdk_error(RECORDS, "DeleteItem", self.table(), error)),
        }
    }
}

impl IdempotencyStore for DynamoRecordStore {
    fn lock<'a>(&'a self, request: &'a LockRequest) -> StoreFuture<'a, LockOutcome> {
        Box::pin(async move { self.try_lock(request).await.map_err(unavailable) })
    }

    fn complete<'a>(
        &'a self,
        request: &'a LockRequest,
        response: &'a StoredResponse,
        expires_at: i64,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            self.complete_lock(request, response, expires_at)
                .await
                .map_err(unavailable)
        })
    }

    fn release<'a>(&'a self, request: &'a LockRequest) -> StoreFuture<'a, bool> {
        Box::pin(async move { self.release_lock(request).await.map_err(unavailable) })
    }
}

impl UnavailableRecordStore {
    fn fail_idempotency<'a, T: Send + 'a>(&self) -> StoreFuture<'a, T> {
        let reason = self.reason().to_owned();
        Box::pin(std::future::ready(Err(idempotency_unavailable(reason))))
    }
}

impl IdempotencyStore for UnavailableRecordStore {
    fn lock<'a>(&'a self, _request: &'a LockRequest) -> StoreFuture<'a, LockOutcome> {
        self.fail_idempotency()
    }

    fn complete<'a>(
        &'a self,
        _request: &'a LockRequest,
        _response: &'a StoredResponse,
        _expires_at: i64,
    ) -> StoreFuture<'a, bool> {
        self.fail_idempotency()
    }

    fn release<'a>(&'a self, _request: &'a LockRequest) -> StoreFuture<'a, bool> {
        self.fail_idempotency()
    }
}
