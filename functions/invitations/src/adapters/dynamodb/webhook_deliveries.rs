//! The delivery log (`ports::WebhookDeliveries`): an item per webhook and subscription,
//! `DELIVERY#<subscription>#<delivery>` in the organization's partition, so that a subscription's
//! deliveries list newest event first. Each holds the payload (ids and states, no person) and is
//! deleted by DynamoDB's TTL `DELIVERY_LOG_RETENTION` after it was made.

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::{SignedDuration, Timestamp};

use super::attributes::{Item, ItemReader, n, s};
use super::keys::{delivery_key, delivery_prefix};
use super::listing::Listing;
use super::{ConditionalWrite, DynamoStore};
use crate::domain::webhook_delivery::{
    AttemptOutcome, DeliveryStatus, LastAttempt, WebhookDelivery,
};
use crate::domain::webhooks::WebhookEventType;
use crate::domain::{OrganizationId, WebhookDeliveryId, WebhookSubscriptionId};
use crate::ports::{Page, PageRequest, StoreError, WebhookDeliveries};

/// How long the delivery log keeps a delivery: long enough to look back over a month's
/// integration trouble, no longer (its payload is about candidates' invitations).
pub const DELIVERY_LOG_RETENTION: SignedDuration = SignedDuration::from_hours(30 * 24);

fn delivery_item(delivery: &WebhookDelivery) -> Item {
    let mut item = delivery_key(
        &delivery.organization_id,
        delivery.subscription_id,
        delivery.id,
    )
    .0;
    item.extend([
        ("entity".to_owned(), s("WebhookDelivery")),
        (
            "organizationId".to_owned(),
            s(delivery.organization_id.as_str()),
        ),
        (
            "subscriptionId".to_owned(),
            s(delivery.subscription_id.to_string()),
        ),
        ("deliveryId".to_owned(), s(delivery.id.to_string())),
        ("messageId".to_owned(), s(&delivery.message_id)),
        ("eventType".to_owned(), s(delivery.kind.code())),
        ("body".to_owned(), s(&delivery.body)),
        ("createdAt".to_owned(), s(delivery.created_at.to_string())),
        ("status".to_owned(), s(delivery.status.code())),
        ("attempts".to_owned(), n(delivery.attempts)),
        ("attemptsInRound".to_owned(), n(delivery.attempts_in_round)),
        (
            "redelivery".to_owned(),
            AttributeValue::Bool(delivery.redelivery),
        ),
        (
            "ttl".to_owned(),
            n((delivery.created_at + DELIVERY_LOG_RETENTION).as_second()),
        ),
    ]);
    if let Some(at) = delivery.next_attempt_at {
        item.insert("nextAttemptAt".to_owned(), s(at.to_string()));
    }
    if let Some(last) = &delivery.last_attempt {
        item.insert("lastAttemptAt".to_owned(), s(last.at.to_string()));
        match &last.outcome {
            AttemptOutcome::Answered(status) => {
                item.insert("lastResponseStatus".to_owned(), n(*status));
            }
            AttemptOutcome::NoAnswer(why) => {
                item.insert("lastError".to_owned(), s(why));
            }
        }
    }
    item
}

/// A delivery as stored. The stream's images are read with it too (`adapters::dynamodb::stream`).
pub(super) fn read_delivery(item: &Item) -> Result<WebhookDelivery, StoreError> {
    let reader = ItemReader(item);
    let number = |name: &str| {
        reader
            .optional_number::<u32>(name)?
            .ok_or_else(|| StoreError::Corrupt(name.to_owned()))
    };
    let last_attempt = match reader.optional_timestamp("lastAttemptAt")? {
        Some(at) => Some(LastAttempt {
            at,
            outcome: match reader.optional_number::<u16>("lastResponseStatus")? {
                Some(status) => AttemptOutcome::Answered(status),
                None => AttemptOutcome::NoAnswer(
                    reader
                        .optional_string("lastError")?
                        .unwrap_or("")
                        .to_owned(),
                ),
            },
        }),
        None => None,
    };
    Ok(WebhookDelivery {
        id: reader.parsed("deliveryId", str::parse::<WebhookDeliveryId>)?,
        organization_id: reader.parsed("organizationId", OrganizationId::parse)?,
        subscription_id: reader.parsed("subscriptionId", str::parse::<WebhookSubscriptionId>)?,
        message_id: reader.string("messageId")?.to_owned(),
        kind: reader.parsed("eventType", WebhookEventType::parse)?,
        body: reader.string("body")?.to_owned(),
        created_at: reader.parsed("createdAt", str::parse::<Timestamp>)?,
        status: reader.parsed("status", DeliveryStatus::parse)?,
        attempts: number("attempts")?,
        attempts_in_round: number("attemptsInRound")?,
        redelivery: reader.optional_bool("redelivery")?,
        next_attempt_at: reader.optional_timestamp("nextAttemptAt")?,
        last_attempt,
    })
}

impl WebhookDeliveries for DynamoStore {
    async fn insert_delivery(&self, delivery: &WebhookDelivery) -> Result<bool, StoreError> {
        match self.put_new(delivery_item(delivery)).await {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict) => Ok(false),
            Err(error) => Err(error),
        }
    }

    async fn get_delivery(
        &self,
        organization: &OrganizationId,
        subscription: WebhookSubscriptionId,
        id: WebhookDeliveryId,
    ) -> Result<Option<WebhookDelivery>, StoreError> {
        self.get_read(delivery_key(organization, subscription, id), read_delivery)
            .await
    }

    async fn list_deliveries(
        &self,
        organization: &OrganizationId,
        subscription: WebhookSubscriptionId,
        page: &PageRequest,
    ) -> Result<Page<WebhookDelivery>, StoreError> {
        let prefix = delivery_prefix(subscription);
        let listing = Listing {
            partition_attribute: "pk",
            partition: super::keys::organization_key(organization),
            index: None,
            prefix: &prefix,
            filter: None,
            organization,
        };
        self.list(listing, page, read_delivery).await
    }

    async fn save_delivery(
        &self,
        delivery: &WebhookDelivery,
        attempts_before: u32,
        was_pending: bool,
    ) -> Result<(), StoreError> {
        let mut write = ConditionalWrite::new_item();
        write.condition = if was_pending {
            "attempts = :before AND #status = :pending".to_owned()
        } else {
            "attempts = :before AND #status <> :pending".to_owned()
        };
        write
            .names
            .insert("#status".to_owned(), "status".to_owned());
        write.values.extend([
            (":before".to_owned(), n(attempts_before)),
            (":pending".to_owned(), s(DeliveryStatus::Pending.code())),
        ]);
        self.put_conditionally(delivery_item(delivery), write).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures;
    use crate::domain::webhooks::WebhookEvent;

    #[test]
    fn a_delivery_reads_back_as_it_was_written() {
        let mut unsent = fixtures::invitation();
        unsent.sent_at = None;
        let mut sent = unsent.clone();
        sent.sent_at = Some(fixtures::now());
        let event = WebhookEvent::of_change(&unsent, &sent, fixtures::now())
            .pop()
            .unwrap();
        let subscription = WebhookSubscriptionId::generate(fixtures::now());
        let fresh = WebhookDelivery::new(&event, subscription, fixtures::now());
        let mut failed = fresh.clone();
        failed.start_attempt(fixtures::now());
        failed.finish_attempt(AttemptOutcome::NoAnswer("timeout".into()), fixtures::now());
        let mut answered = failed.clone();
        answered.start_attempt(fixtures::now());
        answered.finish_attempt(AttemptOutcome::Answered(503), fixtures::now());
        for delivery in [fresh, failed, answered] {
            assert_eq!(read_delivery(&delivery_item(&delivery)).unwrap(), delivery);
        }
    }
}
