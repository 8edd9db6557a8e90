//! Webhook subscriptions (`ports::WebhookSubscriptions`): an item each, `WEBHOOK#<id>` in the
//! organization's partition, and the organization's `WEBHOOKS` item counting them (`count`),
//! changed in the same transaction as each insert and delete, whose condition holds the count at
//! `MAX_WEBHOOK_SUBSCRIPTIONS`. No secret is stored: it is derived
//! (`domain::webhooks::SigningSecret`).

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;

use super::attributes::{Item, ItemReader, n, s};
use super::keys::{WEBHOOK_PREFIX, organization_key, webhook_count_key, webhook_subscription_key};
use super::{ConditionalWrite, DynamoStore};
use crate::domain::webhooks::{DisabledBecause, WebhookEventType, WebhookSubscription, WebhookUrl};
use crate::domain::{OrganizationId, WebhookDescription, WebhookSubscriptionId};
use crate::ports::{MAX_WEBHOOK_SUBSCRIPTIONS, StoreError, WebhookSubscriptions};

fn subscription_item(subscription: &WebhookSubscription) -> Item {
    let mut item = webhook_subscription_key(&subscription.organization_id, subscription.id).0;
    item.extend([
        ("entity".to_owned(), s("WebhookSubscription")),
        (
            "organizationId".to_owned(),
            s(subscription.organization_id.as_str()),
        ),
        ("subscriptionId".to_owned(), s(subscription.id.to_string())),
        ("url".to_owned(), s(subscription.url.as_str())),
        (
            "eventTypes".to_owned(),
            AttributeValue::Ss(
                subscription
                    .event_types
                    .iter()
                    .map(|kind| kind.code().to_owned())
                    .collect(),
            ),
        ),
        (
            "createdAt".to_owned(),
            s(subscription.created_at.to_string()),
        ),
        (
            "secretGeneration".to_owned(),
            n(subscription.secret_generation),
        ),
    ]);
    if let Some(description) = &subscription.description {
        item.insert("description".to_owned(), s(description.as_str()));
    }
    if let Some(until) = subscription.previous_secret_until {
        item.insert("previousSecretUntil".to_owned(), s(until.to_string()));
    }
    if let Some((at, because)) = &subscription.disabled {
        item.insert("disabledAt".to_owned(), s(at.to_string()));
        item.insert("disabledBecause".to_owned(), s(because.code()));
    }
    item
}

fn read_subscription(item: &Item) -> Result<WebhookSubscription, StoreError> {
    let reader = ItemReader(item);
    let event_types = match item.get("eventTypes") {
        Some(AttributeValue::Ss(codes)) => codes
            .iter()
            .map(|code| WebhookEventType::parse(code))
            .collect::<Result<BTreeSet<_>, _>>()
            .map_err(|error| StoreError::Corrupt(format!("eventTypes: {error}")))?,
        _ => return Err(StoreError::Corrupt("eventTypes".to_owned())),
    };
    let disabled = match reader.optional_timestamp("disabledAt")? {
        Some(at) => Some((
            at,
            reader.parsed("disabledBecause", DisabledBecause::parse)?,
        )),
        None => None,
    };
    Ok(WebhookSubscription {
        id: reader.parsed("subscriptionId", str::parse::<WebhookSubscriptionId>)?,
        organization_id: reader.parsed("organizationId", OrganizationId::parse)?,
        url: reader.parsed("url", WebhookUrl::from_stored)?,
        event_types,
        description: reader
            .optional_string("description")?
            .map(WebhookDescription::from_stored),
        created_at: reader.parsed("createdAt", str::parse::<Timestamp>)?,
        secret_generation: reader
            .optional_number("secretGeneration")?
            .ok_or_else(|| StoreError::Corrupt("secretGeneration".to_owned()))?,
        previous_secret_until: reader.optional_timestamp("previousSecretUntil")?,
        disabled,
    })
}

/// The change of the organization's count by `by` (+1 or -1), under `condition` on `#count`.
fn count_write(condition: &str, by: i32, bound: u32) -> ConditionalWrite {
    ConditionalWrite {
        condition: condition.to_owned(),
        update: Some("ADD #count :by".to_owned()),
        names: HashMap::from([("#count".to_owned(), "count".to_owned())]),
        values: HashMap::from([(":by".to_owned(), n(by)), (":bound".to_owned(), n(bound))]),
    }
}

impl WebhookSubscriptions for DynamoStore {
    async fn insert_subscription(
        &self,
        subscription: &WebhookSubscription,
    ) -> Result<(), StoreError> {
        let counted = count_write(
            "attribute_not_exists(#count) OR #count < :bound",
            1,
            MAX_WEBHOOK_SUBSCRIPTIONS,
        );
        let written = self
            .transact_naming_failures(vec![
                self.transact_update(webhook_count_key(&subscription.organization_id), counted)?,
                self.transact_put(
                    subscription_item(subscription),
                    ConditionalWrite::new_item(),
                )?,
            ])
            .await;
        match written {
            Ok(()) => Ok(()),
            Err(failure) if failure.condition_failed(0) => Err(StoreError::QuotaExhausted),
            Err(failure) => Err(failure.error),
        }
    }

    async fn get_subscription(
        &self,
        organization: &OrganizationId,
        id: WebhookSubscriptionId,
    ) -> Result<Option<WebhookSubscription>, StoreError> {
        self.get_read(
            webhook_subscription_key(organization, id),
            read_subscription,
        )
        .await
    }

    async fn list_subscriptions(
        &self,
        organization: &OrganizationId,
    ) -> Result<Vec<WebhookSubscription>, StoreError> {
        let query = || {
            self.client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", s(organization_key(organization)))
                .expression_attribute_values(":prefix", s(WEBHOOK_PREFIX))
        };
        self.query_all(query, None, read_subscription).await
    }

    async fn rotate_subscription_secret(
        &self,
        subscription: &WebhookSubscription,
    ) -> Result<(), StoreError> {
        let mut values = vec![
            (":from", n(subscription.secret_generation - 1)),
            (":to", n(subscription.secret_generation)),
        ];
        let update = match subscription.previous_secret_until {
            Some(until) => {
                values.push((":until", s(until.to_string())));
                "SET secretGeneration = :to, previousSecretUntil = :until"
            }
            None => "SET secretGeneration = :to REMOVE previousSecretUntil",
        };
        let key = webhook_subscription_key(&subscription.organization_id, subscription.id);
        let write = ConditionalWrite::on_existing("secretGeneration = :from", update, values);
        self.update(key, write).await
    }

    async fn disable_subscription(
        &self,
        organization: &OrganizationId,
        id: WebhookSubscriptionId,
        at: Timestamp,
        because: DisabledBecause,
    ) -> Result<(), StoreError> {
        let write = ConditionalWrite::on_existing(
            "attribute_not_exists(disabledAt)",
            "SET disabledAt = :at, disabledBecause = :because",
            [(":at", s(at.to_string())), (":because", s(because.code()))],
        );
        self.update(webhook_subscription_key(organization, id), write)
            .await
    }

    async fn delete_subscription(
        &self,
        organization: &OrganizationId,
        id: WebhookSubscriptionId,
    ) -> Result<bool, StoreError> {
        let present = ConditionalWrite {
            condition: "attribute_exists(pk)".to_owned(),
            update: None,
            names: HashMap::new(),
            values: HashMap::new(),
        };
        let uncounted = count_write("#count >= :bound", -1, 1);
        let deleted = self
            .transact_naming_failures(vec![
                self.transact_delete(webhook_subscription_key(organization, id), present)?,
                self.transact_update(webhook_count_key(organization), uncounted)?,
            ])
            .await;
        match deleted {
            Ok(()) => Ok(true),
            Err(failure) if failure.condition_failed(0) => Ok(false),
            Err(failure) => Err(failure.error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::webhooks::TargetRule;

    #[test]
    fn a_subscription_reads_back_as_it_was_written() {
        let now: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let bare = WebhookSubscription::new(
            OrganizationId::parse("acme").unwrap(),
            WebhookUrl::parse("https://ats.example/hooks?tenant=7", TargetRule::default()).unwrap(),
            BTreeSet::from([
                WebhookEventType::InvitationCompleted,
                WebhookEventType::InvitationBounced,
            ]),
            None,
            now,
        );
        let mut full = bare.clone();
        full.description = Some(WebhookDescription::parse("ATS sync").unwrap());
        full.rotate_secret(now, jiff::SignedDuration::from_hours(24))
            .unwrap();
        full.disabled = Some((now, DisabledBecause::PersistentFailure));
        for subscription in [bare, full] {
            let item = subscription_item(&subscription);
            assert_eq!(read_subscription(&item).unwrap(), subscription);
        }
    }
}
