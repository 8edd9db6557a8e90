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
            return match self.store.save_delivery(&delivery, attempts, true).await {
                // Another copy settled it first.
                Ok(()) | Err(StoreError::Conflict) => Ok(Attempted::Done),
                Err(error) => Err(error),
            };
        };
        // Claimed before sending, as a lease: another copy of the message finds it taken and
        // waits; an attempt whose sender died is made again once the lease is over.
        let attempts = delivery.attempts;
        delivery.start_attempt(now);
        match self.store.save_delivery(&delivery, attempts, true).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => return Ok(Attempted::Done),
            Err(error) => return Err(error),
        }
        let outcome = self.send(&subscription, &delivery, now).await;
        let claimed = delivery.attempts;
        let after = delivery.finish_attempt(outcome.clone(), self.clock.now());
        match self.store.save_delivery(&delivery, claimed, true).await {
            Ok(()) => {}
            // Its lease ran out and another copy took it over: that attempt's record settles it.
            Err(StoreError::Conflict) => return Ok(Attempted::Done),
            Err(error) => return Err(error),
        }
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

/// Whole seconds from `now` to a second after `due` (rounded up: a message that came back early
/// would only be deferred again), at most SQS's longest deferral.
fn seconds_until(now: Timestamp, due: Timestamp) -> u32 {
    let wait = due.duration_since(now);
    let wait = (wait.as_secs() + i64::from(wait.subsec_nanos() > 0) + 1).max(1);
    u32::try_from(wait)
        .unwrap_or(u32::MAX)
        .min(LONGEST_DEFERRAL_SECONDS)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use jiff::SignedDuration;

    use super::*;
    use crate::adapters::memory::{
        MemoryStore, MemoryWebhookQueue, ScriptedEndpoint, StaticResolver,
    };
    use crate::domain::webhooks::{DisabledBecause, WebhookEventType, WebhookUrl};
    use crate::domain::{Invitation, fixtures};
    use crate::ports::{FixedClock, PageRequest};

    fn key() -> WebhookKey {
        WebhookKey::new(vec![3; 32]).unwrap()
    }

    async fn subscribed(
        store: &MemoryStore,
        organization: &OrganizationId,
        kinds: &[WebhookEventType],
    ) -> WebhookSubscription {
        let subscription = WebhookSubscription::new(
            organization.clone(),
            WebhookUrl::parse("https://ats.example/hooks", TargetRule::default()).unwrap(),
            kinds.iter().copied().collect::<BTreeSet<_>>(),
            None,
            fixtures::now(),
        );
        store.insert_subscription(&subscription).await.unwrap();
        subscription
    }

    /// An invitation before and after its email went out.
    fn sending() -> (Invitation, Invitation) {
        let mut before = fixtures::invitation();
        before.sent_at = None;
        let mut after = before.clone();
        after.sent_at = Some(fixtures::now());
        (before, after)
    }

    fn change(before: &Invitation, after: &Invitation) -> TableChange {
        TableChange::Invitation {
            before: Some(Box::new(before.clone())),
            after: Some(Box::new(after.clone())),
            at: fixtures::now(),
        }
    }

    #[tokio::test]
    async fn a_step_makes_a_delivery_for_each_enabled_subscription_that_wants_it_once() {
        let store = MemoryStore::default();
        let (before, after) = sending();
        let organization = after.organization_id.clone();
        let wanted = subscribed(&store, &organization, &[WebhookEventType::InvitationSent]).await;
        subscribed(
            &store,
            &organization,
            &[WebhookEventType::InvitationCompleted],
        )
        .await;
        let stopped = subscribed(&store, &organization, &[WebhookEventType::InvitationSent]).await;
        store
            .disable_subscription(
                &organization,
                stopped.id,
                fixtures::now(),
                DisabledBecause::Gone,
            )
            .await
            .unwrap();
        let other = OrganizationId::parse("globex").unwrap();
        subscribed(&store, &other, &[WebhookEventType::InvitationSent]).await;
        let queue = MemoryWebhookQueue::default();
        let clock = FixedClock(fixtures::now());
        let dispatcher = Dispatcher {
            store: &store,
            queue: &queue,
            clock: &clock,
        };
        let changes = [change(&before, &after)];
        let made = dispatcher.dispatch(&changes).await.unwrap();
        assert_eq!(
            made,
            Dispatched {
                deliveries: 1,
                queued: 0
            }
        );
        // Replayed, it makes nothing new.
        assert_eq!(
            dispatcher.dispatch(&changes).await.unwrap(),
            Dispatched::default()
        );
        let page = store
            .list_deliveries(
                &organization,
                wanted.id,
                &PageRequest {
                    limit: 10,
                    cursor: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        let due = QueuedDelivery {
            organization_id: organization.as_str().to_owned(),
            subscription_id: wanted.id.to_string(),
            delivery_id: page.items[0].id.to_string(),
        };
        let queued = dispatcher
            .dispatch(&[
                TableChange::DeliveryDue(due.clone()),
                TableChange::Unrelated,
            ])
            .await
            .unwrap();
        assert_eq!(queued.queued, 1);
        assert_eq!(queue.take(), [due]);
    }

    struct Scene {
        store: MemoryStore,
        endpoint: ScriptedEndpoint,
        resolver: StaticResolver,
        subscription: WebhookSubscription,
        queued: QueuedDelivery,
    }

    impl Scene {
        /// A subscription to `invitation.sent`, its delivery of a send due, the host's
        /// addresses `addresses`.
        async fn new(addresses: Vec<&str>) -> Self {
            let store = MemoryStore::default();
            let (before, after) = sending();
            let subscription = subscribed(
                &store,
                &after.organization_id,
                &[WebhookEventType::InvitationSent],
            )
            .await;
            let event = WebhookEvent::of_change(&before, &after, fixtures::now()).remove(0);
            let delivery = WebhookDelivery::new(&event, subscription.id, fixtures::now());
            store.insert_delivery(&delivery).await.unwrap();
            Self {
                queued: QueuedDelivery {
                    organization_id: delivery.organization_id.as_str().to_owned(),
                    subscription_id: subscription.id.to_string(),
                    delivery_id: delivery.id.to_string(),
                },
                store,
                endpoint: ScriptedEndpoint::default(),
                resolver: StaticResolver::new([("ats.example", addresses)]),
                subscription,
            }
        }

        async fn attempt_at(&self, seconds: i64, key: &WebhookKey) -> Attempted {
            let clock = FixedClock(fixtures::now() + SignedDuration::from_secs(seconds));
            WebhookSender {
                store: &self.store,
                resolver: &self.resolver,
                endpoint: &self.endpoint,
                clock: &clock,
                rule: TargetRule::default(),
                key,
            }
            .attempt(&self.queued)
            .await
            .unwrap()
        }

        async fn delivery(&self) -> WebhookDelivery {
            let (organization, subscription, id) = ids(&self.queued).unwrap();
            self.store
                .get_delivery(&organization, subscription, id)
                .await
                .unwrap()
                .unwrap()
        }
    }

    #[tokio::test]
    async fn an_attempt_goes_to_the_checked_address_signed_and_a_failure_waits_its_turn() {
        let scene = Scene::new(vec!["93.184.215.14"]).await;
        let key = key();
        scene.endpoint.answer_with([AttemptOutcome::Answered(503)]);
        // Back a second after it is due (a message back early is deferred again).
        assert_eq!(scene.attempt_at(0, &key).await, Attempted::RetryIn(6));
        let failed = scene.delivery().await;
        assert_eq!(failed.attempts, 1);
        assert_eq!(
            failed.next_attempt_at,
            Some(fixtures::now() + SignedDuration::from_secs(5))
        );
        // Not due yet: nothing is sent, the message waits the rest.
        assert_eq!(scene.attempt_at(2, &key).await, Attempted::RetryIn(4));
        assert_eq!(scene.endpoint.received().len(), 1);
        assert_eq!(scene.attempt_at(5, &key).await, Attempted::Done);
        let [first, second] = <[_; 2]>::try_from(scene.endpoint.received()).unwrap();
        assert_eq!(
            first.addresses,
            ["93.184.215.14".parse::<std::net::IpAddr>().unwrap()]
        );
        assert_eq!(first.headers[0], ("webhook-id", failed.message_id.clone()));
        assert_eq!(second.headers[0], first.headers[0]);
        // Signed afresh: the attempt's own timestamp, the signature over it.
        let secret = SigningSecret::derive(&key, scene.subscription.id, 1);
        for (attempt, at) in [(&first, 0), (&second, 5)] {
            let timestamp = fixtures::now() + SignedDuration::from_secs(at);
            assert_eq!(attempt.headers[1].1, timestamp.as_second().to_string());
            assert_eq!(
                attempt.headers[2].1,
                signature(
                    std::slice::from_ref(&secret),
                    &failed.message_id,
                    timestamp,
                    &attempt.body
                )
            );
        }
        let delivered = scene.delivery().await;
        assert_eq!(delivered.status, DeliveryStatus::Succeeded);
        assert_eq!(delivered.attempts, 2);
        // A copy of the message finds it delivered, and sends nothing.
        assert_eq!(scene.attempt_at(9, &key).await, Attempted::Done);
        assert_eq!(scene.endpoint.received().len(), 2);
    }

    #[tokio::test]
    async fn a_claimed_attempt_holds_its_delivery_until_its_lease_ends() {
        let scene = Scene::new(vec!["93.184.215.14"]).await;
        let key = key();
        // Another copy of the message claimed the attempt, and is sending.
        let mut claimed = scene.delivery().await;
        claimed.start_attempt(fixtures::now());
        scene.store.save_delivery(&claimed, 0, true).await.unwrap();
        let lease = crate::domain::webhook_delivery::ATTEMPT_LEASE.as_secs();
        assert_eq!(
            scene.attempt_at(10, &key).await,
            Attempted::RetryIn(u32::try_from(lease - 10 + 1).unwrap())
        );
        assert!(scene.endpoint.received().is_empty(), "not sent twice");
        // Its sender died: once the lease is over, the attempt is made again.
        assert_eq!(scene.attempt_at(lease, &key).await, Attempted::Done);
        assert_eq!(scene.endpoint.received().len(), 1);
        assert_eq!(scene.delivery().await.attempts, 2);
    }

    #[tokio::test]
    async fn a_host_that_now_resolves_inside_is_not_called_and_a_gone_endpoint_is_disabled() {
        let scene = Scene::new(vec!["93.184.215.14", "169.254.169.254"]).await;
        let key = key();
        assert_eq!(scene.attempt_at(0, &key).await, Attempted::RetryIn(6));
        assert!(scene.endpoint.received().is_empty());
        let refused = scene.delivery().await;
        assert!(matches!(
            refused.last_attempt.unwrap().outcome,
            AttemptOutcome::NoAnswer(why) if why.starts_with("target refused")
        ));
        let scene = Scene::new(vec!["93.184.215.14"]).await;
        scene.endpoint.answer_with([AttemptOutcome::Answered(410)]);
        assert_eq!(scene.attempt_at(0, &key).await, Attempted::Done);
        let organization = &scene.subscription.organization_id;
        let stopped = scene
            .store
            .get_subscription(organization, scene.subscription.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stopped.disabled.unwrap().1, DisabledBecause::Gone);
        assert_eq!(scene.delivery().await.status, DeliveryStatus::Failed);
    }

    #[tokio::test]
    async fn a_deleted_subscriptions_delivery_is_given_up_unsent() {
        let scene = Scene::new(vec!["93.184.215.14"]).await;
        let organization = scene.subscription.organization_id.clone();
        scene
            .store
            .delete_subscription(&organization, scene.subscription.id)
            .await
            .unwrap();
        assert_eq!(scene.attempt_at(0, &key()).await, Attempted::Done);
        assert!(scene.endpoint.received().is_empty());
        assert_eq!(scene.delivery().await.status, DeliveryStatus::Failed);
    }
}
