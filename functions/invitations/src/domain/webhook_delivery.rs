//! One webhook's delivery to one subscription, and its rules: what an attempt's outcome makes of
//! it (delivered, tried again on `RETRY_SCHEDULE`, or given up with the subscription disabled),
//! and when it may be sent again by hand. Pure: the sender's use case applies them
//! (`app::webhook_deliveries`).
//!
//! | status    | an attempt answered 2xx | 410 Gone                         | another failure                                          | redelivery asked |
//! |-----------|-------------------------|----------------------------------|----------------------------------------------------------|------------------|
//! | pending   | succeeded               | failed, subscription `gone`      | pending, next try after the schedule's wait; after the last, failed with the subscription `persistent_failure` | refused while under way; allowed once stalled (`STALLED_AFTER` past its due time) |
//! | succeeded | -                       | -                                | -                                                        | pending, one attempt |
//! | failed    | -                       | -                                | -                                                        | pending, one attempt |
//!
//! An attempt is claimed before it is made, as a lease: the delivery is due again only once
//! `ATTEMPT_LEASE` has passed, so that another copy of its message finds it taken, and an attempt
//! whose sender died is made again (webhooks are delivered at least once; a receiver drops
//! duplicates by `webhook-id`).
//!
//! A redelivery is one attempt: its failure neither retries nor disables the subscription (the
//! integrator is at the keyboard), but a 410 does, as the specification asks.

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use ulid::Ulid;

use super::webhooks::{DisabledBecause, RETRY_SCHEDULE, WebhookEvent, WebhookEventType};
use super::{OrganizationId, WebhookDeliveryId, WebhookSubscriptionId};

/// The id of `event`'s delivery to `subscription`: a ULID whose time is the event's and whose
/// randomness is a hash of the message and the subscription, so that the same event derived again
/// (a replayed stream record) names the same delivery, and a subscription's deliveries sort by
/// when their events happened.
pub fn delivery_id(event: &WebhookEvent, subscription: WebhookSubscriptionId) -> WebhookDeliveryId {
    let digest = Sha256::new()
        .chain_update(event.id())
        .chain_update(b"\0")
        .chain_update(subscription.to_bytes())
        .finalize();
    let mut random = [0u8; 16];
    random.copy_from_slice(&digest[..16]);
    let millis = u64::try_from(event.at.as_millisecond()).unwrap_or(0);
    WebhookDeliveryId::from_bytes(Ulid::from_parts(millis, u128::from_be_bytes(random)).to_bytes())
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt (`next_attempt_at`).
    Pending,
    /// The endpoint answered 2xx.
    Succeeded,
    /// Given up: a 410, the last retry failed, a redelivery failed, or the subscription went.
    Failed,
}

impl DeliveryStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        [Self::Pending, Self::Succeeded, Self::Failed]
            .into_iter()
            .find(|status| status.code() == code)
            .ok_or_else(|| format!("{code} is no delivery status"))
    }
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The endpoint answered with this HTTP status.
    Answered(u16),
    /// No answer: why, in a few words that name no address (`timeout`, `connection failed`,
    /// `target refused: ...`).
    NoAnswer(String),
}

impl AttemptOutcome {
    fn succeeded(&self) -> bool {
        matches!(self, Self::Answered(status) if (200..300).contains(status))
    }
}

/// The last attempt, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastAttempt {
    pub at: Timestamp,
    pub outcome: AttemptOutcome,
}

/// One webhook on its way to one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    pub id: WebhookDeliveryId,
    pub organization_id: OrganizationId,
    pub subscription_id: WebhookSubscriptionId,
    /// The `webhook-id` (`WebhookEvent::id`): the same on every attempt and redelivery.
    pub message_id: String,
    pub kind: WebhookEventType,
    /// The payload, sent as it is on every attempt.
    pub body: String,
    pub created_at: Timestamp,
    pub status: DeliveryStatus,
    /// Attempts made, redeliveries included.
    pub attempts: u32,
    /// Attempts made since the delivery was made or last redelivered: which wait of
    /// `RETRY_SCHEDULE` comes next.
    pub attempts_in_round: u32,
    /// A redelivery asked by the integrator: one attempt, no retries.
    pub redelivery: bool,
    /// When a pending delivery may be attempted.
    pub next_attempt_at: Option<Timestamp>,
    pub last_attempt: Option<LastAttempt>,
}

/// How long a claimed attempt holds its delivery: more than the webhook sender's timeout
/// (`infra/template.yaml`, 30 s), so that a live attempt is never made twice.
pub const ATTEMPT_LEASE: jiff::SignedDuration = jiff::SignedDuration::from_secs(90);

/// How long past its due time a pending delivery is taken as stalled (its message lost to the
/// dead-letter queue, or its queueing to the stream's failures), and may be redelivered by hand.
pub const STALLED_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);

/// What an attempt's outcome asks of the subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AfterAttempt {
    /// Stop the subscription's deliveries, for this reason.
    pub disable: Option<DisabledBecause>,
}

impl WebhookDelivery {
    /// The delivery of `event` to `subscription`, made at `now`: due at once.
    pub fn new(event: &WebhookEvent, subscription: WebhookSubscriptionId, now: Timestamp) -> Self {
        Self {
            id: delivery_id(event, subscription),
            organization_id: event.organization_id.clone(),
            subscription_id: subscription,
            message_id: event.id(),
            kind: event.kind,
            body: event.body(),
            created_at: now,
            status: DeliveryStatus::Pending,
            attempts: 0,
            attempts_in_round: 0,
            redelivery: false,
            next_attempt_at: Some(now),
            last_attempt: None,
        }
    }

    /// Whether an attempt is due at `now`.
    pub fn is_due(&self, now: Timestamp) -> bool {
        self.status == DeliveryStatus::Pending && self.next_attempt_at.is_none_or(|due| due <= now)
    }

    /// Counts an attempt about to be made at `now`, and holds the delivery for it
    /// ([`ATTEMPT_LEASE`]); the sender saves this claim before sending.
    pub fn start_attempt(&mut self, now: Timestamp) {
        self.attempts += 1;
        self.attempts_in_round += 1;
        self.next_attempt_at = Some(now + ATTEMPT_LEASE);
    }

    /// Records the outcome of the attempt started last, at `now`: the table above.
    pub fn finish_attempt(&mut self, outcome: AttemptOutcome, now: Timestamp) -> AfterAttempt {
        let succeeded = outcome.succeeded();
        let gone = outcome == AttemptOutcome::Answered(410);
        self.last_attempt = Some(LastAttempt { at: now, outcome });
        self.next_attempt_at = None;
        if succeeded {
            self.status = DeliveryStatus::Succeeded;
            return AfterAttempt { disable: None };
        }
        if gone {
            self.status = DeliveryStatus::Failed;
            return AfterAttempt {
                disable: Some(DisabledBecause::Gone),
            };
        }
        if self.redelivery {
            self.status = DeliveryStatus::Failed;
            return AfterAttempt { disable: None };
        }
        let wait = usize::try_from(self.attempts_in_round)
            .ok()
            .and_then(|made| RETRY_SCHEDULE.get(made - 1));
        match wait {
            Some(wait) => {
                self.next_attempt_at = Some(now + *wait);
                AfterAttempt { disable: None }
            }
            None => {
                self.status = DeliveryStatus::Failed;
                AfterAttempt {
                    disable: Some(DisabledBecause::PersistentFailure),
                }
            }
        }
    }

    /// Gives up on a pending delivery whose subscription is gone or disabled.
    pub fn abandon(&mut self) {
        self.status = DeliveryStatus::Failed;
        self.next_attempt_at = None;
    }

    /// Asks for one more attempt at `now`, of a delivery that is not under way: `Err` while it is
    /// pending and not stalled ([`STALLED_AFTER`]).
    pub fn redeliver(&mut self, now: Timestamp) -> Result<(), &'static str> {
        let stalled = self
            .next_attempt_at
            .is_none_or(|due| due + STALLED_AFTER <= now);
        if self.status == DeliveryStatus::Pending && !stalled {
            return Err("the delivery is under way; it is attempted again by itself");
        }
        self.status = DeliveryStatus::Pending;
        self.redelivery = true;
        self.attempts_in_round = 0;
        self.next_attempt_at = Some(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures;

    /// The invitation's `invitation.sent`, derived from a write at `written_at`.
    fn sent_event(invitation: &crate::domain::Invitation, written_at: Timestamp) -> WebhookEvent {
        let mut after = invitation.clone();
        after.sent_at = Some(fixtures::now());
        WebhookEvent::of_change(invitation, &after, written_at)
            .pop()
            .expect("a sent event")
    }

    fn delivery() -> WebhookDelivery {
        let mut unsent = fixtures::invitation();
        unsent.sent_at = None;
        let event = sent_event(&unsent, fixtures::now());
        WebhookDelivery::new(
            &event,
            WebhookSubscriptionId::generate(fixtures::now()),
            fixtures::now(),
        )
    }

    fn at(seconds: i64) -> Timestamp {
        fixtures::now() + jiff::SignedDuration::from_secs(seconds)
    }

    #[test]
    fn the_same_event_to_the_same_subscription_is_the_same_delivery() {
        let mut unsent = fixtures::invitation();
        unsent.sent_at = None;
        let subscription = WebhookSubscriptionId::generate(fixtures::now());
        let first = delivery_id(&sent_event(&unsent, fixtures::now()), subscription);
        // Derived again from a replayed record, later.
        let again = sent_event(&unsent, at(99));
        assert_eq!(delivery_id(&again, subscription), first);
        assert_ne!(
            delivery_id(&again, WebhookSubscriptionId::generate(at(5))),
            first
        );
        assert_eq!(
            first.to_string().parse::<WebhookDeliveryId>().unwrap(),
            first
        );
    }

    #[test]
    fn a_failing_endpoint_is_tried_on_the_schedule_then_disabled() {
        let mut delivery = delivery();
        assert!(delivery.is_due(fixtures::now()));
        let mut now = fixtures::now();
        for wait in RETRY_SCHEDULE {
            delivery.start_attempt(now);
            assert!(!delivery.is_due(now), "held by the attempt's lease");
            let after = delivery.finish_attempt(AttemptOutcome::Answered(500), now);
            assert_eq!(after.disable, None);
            assert_eq!(delivery.status, DeliveryStatus::Pending);
            assert_eq!(delivery.next_attempt_at, Some(now + wait));
            assert!(!delivery.is_due(now + wait - jiff::SignedDuration::from_secs(1)));
            now += wait;
            assert!(delivery.is_due(now));
        }
        delivery.start_attempt(now);
        let after = delivery.finish_attempt(AttemptOutcome::NoAnswer("timeout".into()), now);
        assert_eq!(after.disable, Some(DisabledBecause::PersistentFailure));
        assert_eq!(delivery.status, DeliveryStatus::Failed);
        assert_eq!(delivery.attempts, 8);
    }

    #[test]
    fn a_410_disables_at_once_and_a_2xx_delivers() {
        let mut gone = delivery();
        gone.start_attempt(fixtures::now());
        let after = gone.finish_attempt(AttemptOutcome::Answered(410), at(1));
        assert_eq!(after.disable, Some(DisabledBecause::Gone));
        assert_eq!(gone.status, DeliveryStatus::Failed);
        let mut delivered = delivery();
        delivered.start_attempt(fixtures::now());
        let after = delivered.finish_attempt(AttemptOutcome::Answered(204), at(1));
        assert_eq!(after.disable, None);
        assert_eq!(delivered.status, DeliveryStatus::Succeeded);
        assert!(!delivered.is_due(at(10)));
    }

    #[test]
    fn a_redelivery_is_one_attempt_of_a_settled_delivery() {
        let mut delivery = delivery();
        assert!(delivery.redeliver(at(0)).is_err(), "under way");
        delivery.start_attempt(fixtures::now());
        delivery.finish_attempt(AttemptOutcome::Answered(200), at(1));
        delivery.redeliver(at(60)).unwrap();
        assert!(delivery.is_due(at(60)));
        delivery.start_attempt(fixtures::now());
        let after = delivery.finish_attempt(AttemptOutcome::Answered(500), at(61));
        assert_eq!(
            after.disable, None,
            "a redelivery's failure neither retries nor disables"
        );
        assert_eq!(delivery.status, DeliveryStatus::Failed);
        assert_eq!(delivery.attempts, 2);
        delivery.redeliver(at(120)).unwrap();
        delivery.start_attempt(at(120));
        let after = delivery.finish_attempt(AttemptOutcome::Answered(410), at(121));
        assert_eq!(after.disable, Some(DisabledBecause::Gone), "but a 410 does");
    }

    #[test]
    fn a_stalled_pending_delivery_may_be_redelivered() {
        let mut delivery = delivery();
        delivery.start_attempt(at(0));
        delivery.finish_attempt(AttemptOutcome::Answered(500), at(1));
        // Due at 6 s: under way until 15 minutes past that.
        assert!(delivery.redeliver(at(6 + 15 * 60 - 1)).is_err());
        delivery.redeliver(at(6 + 15 * 60)).unwrap();
        assert!(delivery.redelivery && delivery.is_due(at(6 + 15 * 60)));
    }
}
