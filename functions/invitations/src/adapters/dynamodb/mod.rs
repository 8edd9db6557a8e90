//! The DynamoDB adapter of every store port: one table (`TABLE_NAME`, defined in
//! `infra/template.yaml`), a module per item kind, the key schema in `keys`.

mod attributes;
mod email_quota;
mod idempotency_records;
mod invitation_batches;
mod invitations;
mod keys;
mod listing;
mod notification_claims;
mod organization_profiles;
mod reminders;
pub mod stream;
mod video_interviews;
mod webhook_deliveries;
mod webhook_subscriptions;

pub use webhook_deliveries::DELIVERY_LOG_RETENTION;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};

use crate::ports::StoreError;
use attributes::Item;
use keys::Key;

pub use keys::VIDEO_INTERVIEW_INDEX;

/// The store, over one DynamoDB table. Implements [`VideoInterviews`](crate::ports::VideoInterviews),
/// [`Invitations`](crate::ports::Invitations), [`NotificationClaims`](crate::ports::NotificationClaims),
/// [`IdempotencyRecords`](crate::ports::IdempotencyRecords), [`EmailQuota`](crate::ports::EmailQuota),
/// [`OrganizationProfiles`](crate::ports::OrganizationProfiles) and
/// [`InvitationBatches`](crate::ports::InvitationBatches).
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn unavailable<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    // Only the error's kind and code: request parameters (which hold personal data) stay out.
    let code = match &error {
        SdkError::ServiceError(service) => service.err().code().unwrap_or("unknown").to_owned(),
        SdkError::TimeoutError(_) => "timeout".to_owned(),
        SdkError::DispatchFailure(_) => "dispatch failure".to_owned(),
        SdkError::ResponseError(_) => "unreadable response".to_owned(),
        SdkError::ConstructionFailure(_) => "request construction".to_owned(),
        _ => "unknown".to_owned(),
    };
    StoreError::Unavailable(code)
}

/// A failed conditional write: `Conflict` when the condition did not hold, else `Unavailable`.
fn conditional_write_error<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &error {
        SdkError::ServiceError(service)
            if service.err().code() == Some("ConditionalCheckFailedException") =>
        {
            StoreError::Conflict
        }
        _ => unavailable(error),
    }
}

/// A failed transaction: `Conflict` when a condition did not hold or another transaction held an
/// item, else `Unavailable`.
fn transaction_error<R>(
    error: SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, R>,
) -> StoreError
where
    R: std::fmt::Debug,
{
    match &error {
        SdkError::ServiceError(service)
            if service.err().code() == Some("TransactionCanceledException")
                && service.err().message().is_some_and(|message| {
                    // Another transaction on the same item at the same moment: as for a failed
                    // condition, the caller reads what holds.
                    message.contains("ConditionalCheckFailed")
                        || message.contains("TransactionConflict")
                }) =>
        {
            StoreError::Conflict
        }
        _ => unavailable(error),
    }
}

/// A transaction that did not go through: the error, and for each of its items whether its
/// condition failed (empty when DynamoDB did not say).
struct TransactionFailure {
    error: StoreError,
    failed_conditions: Vec<bool>,
}

impl TransactionFailure {
    fn condition_failed(&self, item: usize) -> bool {
        self.failed_conditions.get(item).copied().unwrap_or(false)
    }
}

/// The expressions of one conditional write, for a request of its own or an item of a transaction.
#[derive(Clone)]
struct ConditionalWrite {
    condition: String,
    update: Option<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

/// An expression attribute map as the SDK takes it: DynamoDB refuses an empty one.
fn non_empty<V>(map: HashMap<String, V>) -> Option<HashMap<String, V>> {
    (!map.is_empty()).then_some(map)
}

impl ConditionalWrite {
    /// The write of a new item: none with its key may exist.
    fn new_item() -> Self {
        Self {
            condition: "attribute_not_exists(pk)".to_owned(),
            update: None,
            names: HashMap::new(),
            values: HashMap::new(),
        }
    }

    /// An update of an item that must exist, under `condition`, with the `:placeholders` both
    /// expressions use (DynamoDB refuses unused ones).
    fn on_existing<K: Into<String>>(
        condition: &str,
        update: impl Into<String>,
        values: impl IntoIterator<Item = (K, AttributeValue)>,
    ) -> Self {
        Self {
            condition: format!("attribute_exists(pk) AND ({condition})"),
            update: Some(update.into()),
            names: HashMap::new(),
            values: values
                .into_iter()
                .map(|(name, value)| (name.into(), value))
                .collect(),
        }
    }
}

impl DynamoStore {
    /// A strongly consistent read: a recruiter reads what they just wrote.
    async fn get_item(&self, key: Key) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.0))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(output.item)
    }

    /// What `query` finds, page after page, each item read with `read`: at most `limit` items
    /// (each page asks for what is still missing), all of them without one.
    async fn query_all<T>(
        &self,
        query: impl Fn() -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        limit: Option<usize>,
        read: impl Fn(&Item) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let remaining = limit.map(|limit| limit - found.len());
            let output = query()
                .set_limit(remaining.map(|remaining| i32::try_from(remaining).unwrap_or(i32::MAX)))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(unavailable)?;
            for item in output.items.unwrap_or_default() {
                found.push(read(&item)?);
            }
            match output.last_evaluated_key {
                Some(key) if limit.is_none_or(|limit| found.len() < limit) => start = Some(key),
                _ => return Ok(found),
            }
        }
    }

    /// The item at `key`, read with `read`.
    async fn get_read<T>(
        &self,
        key: Key,
        read: fn(&Item) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        self.get_item(key).await?.as_ref().map(read).transpose()
    }

    /// Puts a new item: `Conflict` when one with its key exists.
    async fn put_new(&self, item: Item) -> Result<(), StoreError> {
        self.put_conditionally(item, ConditionalWrite::new_item())
            .await
    }

    /// Puts `item` under `write`'s condition: `Conflict` when it does not hold.
    async fn put_conditionally(
        &self,
        item: Item,
        write: ConditionalWrite,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(write.condition)
            .set_expression_attribute_names(non_empty(write.names))
            .set_expression_attribute_values(non_empty(write.values))
            .send()
            .await
            .map_err(conditional_write_error)?;
        Ok(())
    }

    /// Deletes the item at `key` under `write`'s condition: `Conflict` when it does not hold.
    async fn delete(&self, key: Key, write: ConditionalWrite) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key.0))
            .condition_expression(write.condition)
            .set_expression_attribute_names(non_empty(write.names))
            .set_expression_attribute_values(non_empty(write.values))
            .send()
            .await
            .map_err(conditional_write_error)?;
        Ok(())
    }

    fn update_request(
        &self,
        key: Key,
        write: ConditionalWrite,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key.0))
            .set_expression_attribute_names(non_empty(write.names))
            .condition_expression(write.condition)
            .set_update_expression(write.update)
            .set_expression_attribute_values(non_empty(write.values))
    }

    /// One conditional UpdateItem.
    async fn update(&self, key: Key, write: ConditionalWrite) -> Result<(), StoreError> {
        self.update_request(key, write)
            .send()
            .await
            .map_err(conditional_write_error)?;
        Ok(())
    }

    /// One conditional UpdateItem, answered with the item as it left it.
    async fn update_returning_item(
        &self,
        key: Key,
        write: ConditionalWrite,
    ) -> Result<Item, StoreError> {
        self.update_request(key, write)
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await
            .map_err(conditional_write_error)?
            .attributes
            .ok_or_else(|| StoreError::Corrupt("an update returned no item".to_owned()))
    }

    /// Writes `items` all or nothing; `Conflict` when a condition did not hold.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        self.transact_naming_failures(items)
            .await
            .map_err(|failure| failure.error)
    }

    /// `transact`, telling which items' conditions failed when it was cancelled (DynamoDB's
    /// `CancellationReasons`, in the order of `items`).
    async fn transact_naming_failures(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<(), TransactionFailure> {
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let Err(error) = result else {
            return Ok(());
        };
        let failed_conditions = match &error {
            SdkError::ServiceError(service) => match service.err() {
                TransactWriteItemsError::TransactionCanceledException(cancelled) => cancelled
                    .cancellation_reasons()
                    .iter()
                    .map(|reason| reason.code() == Some("ConditionalCheckFailed"))
                    .collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        Err(TransactionFailure {
            error: transaction_error(error),
            failed_conditions,
        })
    }

    fn transact_put(
        &self,
        item: HashMap<String, AttributeValue>,
        write: ConditionalWrite,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_expression_attribute_names(non_empty(write.names))
            .condition_expression(write.condition)
            .set_expression_attribute_values(non_empty(write.values))
            .build()
            .map_err(|error| StoreError::Unavailable(error.to_string()))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn transact_delete(
        &self,
        key: Key,
        write: ConditionalWrite,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key.0))
            .set_expression_attribute_names(non_empty(write.names))
            .condition_expression(write.condition)
            .set_expression_attribute_values(non_empty(write.values))
            .build()
            .map_err(|error| StoreError::Unavailable(error.to_string()))?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    fn transact_update(
        &self,
        key: Key,
        write: ConditionalWrite,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key.0))
            .set_expression_attribute_names(non_empty(write.names))
            .condition_expression(write.condition)
            .set_update_expression(write.update)
            .set_expression_attribute_values(non_empty(write.values))
            .build()
            .map_err(|error| StoreError::Unavailable(error.to_string()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
