//! Webhook deliveries, the use cases: turning the table's changes into deliveries
//! (`Dispatcher`, the stream's function) and making each attempt (`WebhookSender`, the queue's).
//!
//! The delivery log is the outbox: the dispatcher only writes deliveries, and a delivery that
//! becomes due (made, or redelivered) is queued from its own stream record, so that nothing is
//! queued for a write that failed, and a replayed record queues nothing twice (the delivery's id
//! is derived from its event). An attempt is claimed in the log before it is made, so that two
//! copies of a queue message make one attempt.

use std::collections::HashMap;

use jiff::Timestamp;

use super::webhooks::target_addresses;
use crate::domain::webhook_delivery::{AttemptOutcome, DeliveryStatus, WebhookDelivery};
use crate::domain::webhooks::{
    SigningSecret, TargetRule, WebhookEvent, WebhookKey, WebhookSubscription, signature,
};
use crate::domain::{OrganizationId, WebhookDeliveryId, WebhookSubscriptionId};
use crate::metrics::{Counter, count};
use crate::ports::{
    Clock, HostResolver, QueuedDelivery, StoreError, TableChange, WebhookDeliveries,
    WebhookEndpoint, WebhookQueue, WebhookRequest, WebhookSubscriptions,
};

/// What one batch of stream records came to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Dispatched {
    /// Deliveries written (not those a replayed record had written already).
    pub deliveries: usize,
    /// Deliveries queued for their first attempt, or a redelivery.
    pub queued: usize,
}

/// Turns the table's changes into deliveries, and queues those that became due.
pub struct Dispatcher<'a, S, Q, C> {
    pub store: &'a S,
    pub queue: &'a Q,
    pub clock: &'a C,
}

impl<S, Q, C> Dispatcher<'_, S, Q, C>
where
    S: WebhookSubscriptions + WebhookDeliveries,
    Q: WebhookQueue,
    C: Clock,
{
    /// Handles `changes`, in their order. A store or queue failure fails the batch, which the
    /// stream gives again: what was written is not written twice, and a delivery queued twice
    /// is attempted once.
    pub async fn dispatch(&self, changes: &[TableChange]) -> Result<Dispatched, StoreError> {
        let mut report = Dispatched::default();
        let mut subscriptions: HashMap<OrganizationId, Vec<WebhookSubscription>> = HashMap::new();
        let mut due = Vec::new();
        for change in changes {
            let events = match change {
                TableChange::Invitation {
                    before: Some(before),
                    after: Some(after),
                    at,
                } => WebhookEvent::of_change(before, after, *at),
                TableChange::Invitation {
                    before: Some(removed),
                    after: None,
                    at,
                } => vec![WebhookEvent::of_removal(removed, *at)],
                TableChange::DeliveryDue(queued) => {
                    due.push(queued.clone());
                    continue;
                }
                // A new invitation has taken no step yet: its send is the write after.
                TableChange::Invitation { .. } | TableChange::Unrelated => continue,
            };
            for event in events {
                let organization = &event.organization_id;
                if !subscriptions.contains_key(organization) {
                    let held = self.store.list_subscriptions(organization).await?;
                    subscriptions.insert(organization.clone(), held);
                }
                for subscription in &subscriptions[organization] {
                    if subscription.disabled.is_some() || !subscription.wants(event.kind) {
                        continue;
                    }
                    let delivery = WebhookDelivery::new(&event, subscription.id, self.clock.now());
                    if self.store.insert_delivery(&delivery).await? {
                        report.deliveries += 1;
                    }
                }
            }
        }
        if !due.is_empty() {
            self.queue.enqueue(&due).await?;
            report.queued = due.len();
        }
        Ok(report)
    }
}

/// What became of a queued delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempted {
    /// Settled (delivered, given up), or nothing to do (gone, not due, made by another copy):
    /// the message is done.
    Done,
    /// Pending: the message is to come back in this many seconds, for the next attempt.
    RetryIn(u32),
}

/// SQS keeps a message out of sight for at most 12 hours; the longest wait of the schedule is 10.
const LONGEST_DEFERRAL_SECONDS: u32 = 12 * 3600;

/// Makes the attempts: reads the delivery and its subscription, claims the attempt, checks where
/// it may go, signs it afresh and sends it, and records what came of it.
pub struct WebhookSender<'a, S, R, E, C> {
    pub store: &'a S,
    pub resolver: &'a R,
    pub endpoint: &'a E,
    pub clock: &'a C,
    pub rule: TargetRule,
    pub key: &'a WebhookKey,
}

impl<S, R, E, C> WebhookSender<'_, S, R, E, C>
where
    S: WebhookSubscriptions + WebhookDeliveries,
    R: HostResolver,
    E: WebhookEndpoint,
    C: Clock,
{
    /// One attempt of `queued`, if it is due. `Err` only when the store failed: the message then
    /// comes back, and nothing was sent, or the attempt is recorded as made.
    pub async fn attempt(&self, queued: &QueuedDelivery) -> Result<Attempted, StoreError> {
        let Some((organization, subscription_id, id)) = ids(queued) else {
            tracing::warn!("a queued delivery names no valid ids; dropped");
            return Ok(Attempted::Done);
        };
        let Some(mut delivery) = self
            .store
            .get_delivery(&organization, subscription_id, id)
            .await?
        else {
            return Ok(Attempted::Done);
        };
        let now = self.clock.now();
        if !delivery.is_due(now) {
            return Ok(match delivery.next_attempt_at {
                Some(due) if delivery.status == DeliveryStatus::Pending => {
                    Attempted::RetryIn(seconds_until(now, due))
                }
                _ => Attempted::Done,
            });
        }
        let subscription = self
            .store
            .get_subscription(&organization, subscription_id)
            .await?
            .filter(|subscription| subscription.disabled.is_none());
        let Some(subscription) = subscription else {
            let attempts = delivery.attempts;
            delivery.abandon();
            return self
                .save(&delivery, attempts)
                .await
                .map(|()| Attempted::Done);
        };
        // Claimed before sending: another copy of the message finds it claimed and stops.
        let attempts = delivery.attempts;
        delivery.start_attempt();
        match self.store.save_delivery(&delivery, attempts, true).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => return Ok(Attempted::Done),
            Err(error) => return Err(error),
        }
        let outcome = self.send(&subscription, &delivery, now).await;
        let claimed = delivery.attempts;
        let after = delivery.finish_attempt(outcome.clone(), self.clock.now());
        self.save(&delivery, claimed).await?;
        match &outcome {
            AttemptOutcome::Answered(status) if (200..300).contains(status) => {
                count(Counter::WebhooksDelivered);
            }
            _ => count(Counter::WebhookAttemptsFailed),
        }
        tracing::info!(
            organization = organization.as_str(),
            subscription = %subscription.id,
            delivery = %delivery.id,
            attempt = delivery.attempts,
            outcome = ?outcome,
            status = delivery.status.code(),
            "webhook attempted"
        );
        if let Some(because) = after.disable {
            match self
                .store
                .disable_subscription(
                    &organization,
                    subscription.id,
                    self.clock.now(),
                    because.clone(),
                )
                .await
            {
                Ok(()) => {
                    count(Counter::WebhookSubscriptionsDisabled);
                    tracing::warn!(
                        organization = organization.as_str(),
                        subscription = %subscription.id,
                        because = because.code(),
                        "webhook subscription disabled"
                    );
                }
                // Stopped already, or deleted meanwhile.
                Err(StoreError::Conflict) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(match delivery.next_attempt_at {
            Some(due) => Attempted::RetryIn(seconds_until(self.clock.now(), due)),
            None => Attempted::Done,
        })
    }

    async fn save(
        &self,
        delivery: &WebhookDelivery,
        attempts_before: u32,
    ) -> Result<(), StoreError> {
        match self
            .store
            .save_delivery(delivery, attempts_before, true)
            .await
        {
            // Another copy of the message came first: it makes the attempt.
            Err(StoreError::Conflict) => Ok(()),
            other => other,
        }
    }

    /// The attempt itself: where it may go now, signed with every secret that signs now.
    async fn send(
        &self,
        subscription: &WebhookSubscription,
        delivery: &WebhookDelivery,
        now: Timestamp,
    ) -> AttemptOutcome {
        let addresses = match target_addresses(&subscription.url, self.resolver, self.rule).await {
            Ok(addresses) => addresses,
            Err(refused) => return AttemptOutcome::NoAnswer(format!("target refused: {refused}")),
        };
        let secrets: Vec<SigningSecret> = subscription
            .signing_generations(now)
            .into_iter()
            .map(|generation| SigningSecret::derive(self.key, subscription.id, generation))
            .collect();
        let signed = signature(&secrets, &delivery.message_id, now, &delivery.body);
        self.endpoint
            .post(WebhookRequest {
                url: &subscription.url,
                addresses: &addresses,
                headers: [
                    ("webhook-id", delivery.message_id.clone()),
                    ("webhook-timestamp", now.as_second().to_string()),
                    ("webhook-signature", signed),
                ],
                body: &delivery.body,
            })
            .await
    }
}

fn ids(
    queued: &QueuedDelivery,
) -> Option<(OrganizationId, WebhookSubscriptionId, WebhookDeliveryId)> {
    Some((
        OrganizationId::parse(&queued.organization_id).ok()?,
        queued.subscription_id.parse().ok()?,
        queued.delivery_id.parse().ok()?,
    ))
}

/// Whole seconds from `now` to `due`, at least one, at most SQS's longest deferral.
fn seconds_until(now: Timestamp, due: Timestamp) -> u32 {
    let wait = due.duration_since(now).as_secs().max(1);
    u32::try_from(wait)
        .unwrap_or(u32::MAX)
        .min(LONGEST_DEFERRAL_SECONDS)
}
