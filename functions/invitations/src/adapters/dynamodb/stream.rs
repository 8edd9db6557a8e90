//! The table's DynamoDB stream (`NEW_AND_OLD_IMAGES`), read as the changes the webhooks come from:
//! an invitation's images before and after a write, and a delivery that became due. Its records
//! are those Lambda delivers (`aws_lambda_events`' DynamoDB event, images in DynamoDB JSON), read
//! with the same code that reads the table.

use std::collections::HashMap;

use aws_lambda_events::event::dynamodb::EventRecord;
use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;

use super::attributes::Item;
use super::invitations::read_invitation;
use super::keys::{DELIVERY_PREFIX, INVITATION_PREFIX};
use super::webhook_deliveries::read_delivery;
use crate::domain::webhook_delivery::DeliveryStatus;
use crate::ports::{QueuedDelivery, StoreError, TableChange};

fn image(item: &serde_dynamo::Item) -> Option<Item> {
    (!item.is_empty()).then(|| {
        let item: HashMap<String, AttributeValue> = item.clone().into();
        item
    })
}

fn sort_key(record: &EventRecord) -> Option<String> {
    match record.change.keys.get("sk") {
        Some(serde_dynamo::AttributeValue::S(sk)) => Some(sk.clone()),
        _ => None,
    }
}

/// The change one stream record tells; `Corrupt` when an image does not read as its item.
pub fn table_change(record: &EventRecord) -> Result<TableChange, StoreError> {
    let Some(sk) = sort_key(record) else {
        return Ok(TableChange::Unrelated);
    };
    let (old, new) = (
        image(&record.change.old_image),
        image(&record.change.new_image),
    );
    if sk.starts_with(INVITATION_PREFIX) {
        let millis = record
            .change
            .approximate_creation_date_time
            .timestamp_millis();
        let at = Timestamp::from_millisecond(millis)
            .map_err(|error| StoreError::Corrupt(format!("the record's time: {error}")))?;
        return Ok(TableChange::Invitation {
            before: old.as_ref().map(read_invitation).transpose()?.map(Box::new),
            after: new.as_ref().map(read_invitation).transpose()?.map(Box::new),
            at,
        });
    }
    if sk.starts_with(DELIVERY_PREFIX) {
        let pending = |item: &Option<Item>| -> Result<Option<QueuedDelivery>, StoreError> {
            let Some(item) = item else { return Ok(None) };
            let delivery = read_delivery(item)?;
            Ok(
                (delivery.status == DeliveryStatus::Pending).then(|| QueuedDelivery {
                    organization_id: delivery.organization_id.as_str().to_owned(),
                    subscription_id: delivery.subscription_id.to_string(),
                    delivery_id: delivery.id.to_string(),
                }),
            )
        };
        // Due when it became pending; a pending one's retries are the sender's own.
        if let (None, Some(due)) = (pending(&old)?, pending(&new)?) {
            return Ok(TableChange::DeliveryDue(due));
        }
    }
    Ok(TableChange::Unrelated)
}
