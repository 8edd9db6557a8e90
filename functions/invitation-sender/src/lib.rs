//! The batch sender: the SQS-triggered function that sends a batch's queued invitations, one
//! message per invitation, at the deployment's sending rate. The use case is
//! `invitations::app::batches` (`QueuedSender`); this crate reads SQS's event, paces the sends
//! and answers with the messages to deliver again (partial batch responses:
//! <https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html>).
//!
//! The rate is kept by two things together: SQS runs at most `SENDER_CONCURRENCY` instances (the
//! event source's maximum concurrency), and each sends at most one email per
//! `SENDER_CONCURRENCY / SEND_RATE` seconds. When SES still answers that the account sends too
//! fast, the invitation is queued again and the rest of the invocation's messages go back to the
//! queue unread: they come again after the queue's visibility timeout, which is the back-off.

pub mod config;

use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use invitations::app::AppError;
use invitations::app::batches::{QueuedSend, QueuedSender, Turn};
use invitations::app::organizations::Employers;
use invitations::domain::{Employer, ReminderPolicy};
use invitations::ports::{Clock, Invitations, Mailer, OrganizationProfiles, QueuedInvitation};
use jiff::{SignedDuration, Timestamp};
use tokio::sync::Mutex;
use tokio::time::{Instant, sleep_until};

/// How long a claim may still be another delivery's send in progress: more than the function's
/// timeout (`infra/template.yaml`, 60 s), so that only a dead attempt's claim is settled as
/// unconfirmed.
pub const IN_FLIGHT: SignedDuration = SignedDuration::from_mins(3);

/// How often, and how long apart, a message whose invitation is not stored yet is looked at again
/// within one invocation (the batch's request stores its invitations right after queueing them).
const NOT_STORED_LOOKS: u32 = 3;
const NOT_STORED_WAIT: Duration = Duration::from_secs(1);

/// What the function needs from the deployment's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub candidate_app_url: String,
    pub reminder_policy: ReminderPolicy,
    /// The employer named in the emails of an organization without a profile.
    pub default_employer: Employer,
    /// The least time between two sends of this instance.
    pub send_interval: Duration,
}

impl From<&config::InvitationSenderConfig> for Settings {
    fn from(config: &config::InvitationSenderConfig) -> Self {
        Self {
            candidate_app_url: config.candidate_app_url.clone(),
            reminder_policy: config.reminder_policy.clone(),
            default_employer: config.mail.default_employer.clone(),
            send_interval: config.send_interval(),
        }
    }
}

pub struct InvitationSenderFunction<S, M, C> {
    store: S,
    mailer: M,
    clock: C,
    settings: Settings,
    employers: Employers,
    /// When this instance may send next (kept across invocations of a warm instance).
    next_send: Mutex<Instant>,
}

/// What became of one message.
enum Taken {
    /// Done with it: delete it from the queue.
    Done,
    /// Deliver it again later.
    Again,
    /// SES throttled, or its send would end too close to the invocation's deadline: deliver it
    /// and every message after it again later.
    HandBackTheRest,
}

/// How long before the invocation's deadline the last send must start: an SES call and the
/// writes around it take well under this, so that a send is never cut off half-way (which would
/// leave it unconfirmed).
const SEND_RESERVE: Duration = Duration::from_secs(10);

impl<S, M, C> InvitationSenderFunction<S, M, C>
where
    S: Invitations + OrganizationProfiles,
    M: Mailer,
    C: Clock,
{
    pub fn new(store: S, mailer: M, clock: C, settings: Settings) -> Self {
        Self {
            store,
            mailer,
            clock,
            employers: Employers::new(settings.default_employer.clone()),
            settings,
            next_send: Mutex::new(Instant::now()),
        }
    }

    /// One invocation without a deadline (the tests'): see [`Self::handle_until`].
    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        self.handle_until(event, None).await
    }

    /// One invocation that must end by `deadline` (Lambda's, from the invocation's context): each
    /// message in turn, only the sends paced; the answer names the messages to deliver again,
    /// among them every one whose send could not start [`SEND_RESERVE`] before the deadline. Never
    /// fails as a whole, so that one bad message cannot make SQS deliver the others again.
    pub async fn handle_until(
        &self,
        event: SqsEvent,
        deadline: Option<Instant>,
    ) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        let mut throttled = false;
        for message in event.records {
            // Without an id it cannot be named for redelivery; SQS always gives one.
            let Some(id) = message.message_id.clone() else {
                continue;
            };
            if throttled {
                response.add_failure(id);
                continue;
            }
            match self.take(&message, deadline).await {
                Taken::Done => {}
                Taken::Again => response.add_failure(id),
                Taken::HandBackTheRest => {
                    throttled = true;
                    response.add_failure(id);
                }
            }
        }
        response
    }

    async fn take(&self, message: &SqsMessage, deadline: Option<Instant>) -> Taken {
        let Some(queued) = message
            .body
            .as_deref()
            .and_then(|body| serde_json::from_str::<QueuedInvitation>(body).ok())
        else {
            // No retry can make it readable; it names nothing of anyone's.
            tracing::warn!("dropping an unreadable queue message");
            return Taken::Done;
        };
        let now = self.clock.now();
        let age = message
            .attributes
            .get("SentTimestamp")
            .and_then(|sent| sent.parse::<i64>().ok())
            .and_then(|sent| Timestamp::from_millisecond(sent).ok())
            .map_or(SignedDuration::ZERO, |sent| now.duration_since(sent));
        let sender = QueuedSender {
            invitations: &self.store,
            mailer: &self.mailer,
            clock: &self.clock,
            candidate_app_url: &self.settings.candidate_app_url,
            reminder_policy: &self.settings.reminder_policy,
        };
        let taken = async {
            for look in 1..=NOT_STORED_LOOKS {
                match sender.turn(&queued, age, IN_FLIGHT).await? {
                    Turn::Settled(QueuedSend::NotStoredYet) if look < NOT_STORED_LOOKS => {
                        tokio::time::sleep(NOT_STORED_WAIT).await;
                    }
                    Turn::Settled(outcome) => return Ok(Some(outcome)),
                    Turn::Ready(invitation) => {
                        let employer = self
                            .employers
                            .employer(&self.store, &queued.organization_id, self.clock.now())
                            .await?;
                        if !self.wait_for_send_slot(deadline).await {
                            return Ok(None);
                        }
                        return sender.send(*invitation, &employer).await.map(Some);
                    }
                }
            }
            Ok::<_, AppError>(Some(QueuedSend::NotStoredYet))
        };
        match taken.await {
            Ok(Some(QueuedSend::Recorded(_) | QueuedSend::NothingToDo)) => Taken::Done,
            Ok(Some(QueuedSend::NotStoredYet | QueuedSend::Later)) => Taken::Again,
            Ok(Some(QueuedSend::Throttled) | None) => Taken::HandBackTheRest,
            Err(error) => {
                tracing::error!(%error, organization = queued.organization_id.as_str(), invitation = %queued.invitation_id, "a queued invitation could not be taken");
                Taken::Again
            }
        }
    }

    /// Waits for this instance's next send slot (its share of the rate), and takes it; `false`
    /// (no slot taken) when the send would start less than [`SEND_RESERVE`] before `deadline`.
    async fn wait_for_send_slot(&self, deadline: Option<Instant>) -> bool {
        let mut next_send = self.next_send.lock().await;
        let slot = (*next_send).max(Instant::now());
        if deadline.is_some_and(|deadline| slot + SEND_RESERVE > deadline) {
            return false;
        }
        sleep_until(slot).await;
        *next_send = Instant::now() + self.settings.send_interval;
        true
    }
}

#[cfg(test)]
mod tests {
    use invitations::adapters::memory::{MemoryStore, Outbox};
    use invitations::domain::{
        EmailAddress, Invitation, InvitationBatchId, InvitationId, InvitationStatus,
        RetentionPeriod, fixture_employer, fixtures,
    };
    use invitations::ports::{FixedClock, InvitationBatches};
    use serde_json::json;

    use super::*;

    type Sender = InvitationSenderFunction<MemoryStore, Outbox, FixedClock>;

    /// A sender at the fixtures' now, one send per `send_interval`, with `queued` invitations
    /// stored (the batch's request stored them).
    async fn sender(send_interval: Duration, queued: &[Invitation]) -> Sender {
        let store = MemoryStore::default();
        store.insert_queued_invitations(queued).await.unwrap();
        let settings = Settings {
            candidate_app_url: "https://interview.example/i".to_owned(),
            reminder_policy: ReminderPolicy::default(),
            default_employer: fixture_employer(),
            send_interval,
        };
        let clock = FixedClock(fixtures::now());
        InvitationSenderFunction::new(store, Outbox::default(), clock, settings)
    }

    /// A batch's queued invitations to `emails`, as accepting it stores them.
    fn queued(emails: &[&str]) -> Vec<Invitation> {
        let recruiter = fixtures::recruiter();
        let interview = fixtures::video_interview(&recruiter);
        let batch = InvitationBatchId::generate(fixtures::now());
        emails
            .iter()
            .map(|email| {
                let mut new = fixtures::new_invitation(&interview);
                new.candidate.email = EmailAddress::parse(email).unwrap();
                let retention = RetentionPeriod::default();
                Invitation::queued(
                    new,
                    &interview,
                    &recruiter,
                    &retention,
                    fixtures::now(),
                    batch,
                )
            })
            .collect()
    }

    /// One SQS record (message id `id`) with `body`, sent to the queue `age` before the
    /// fixtures' now.
    fn record(id: &str, body: &str, age: SignedDuration) -> serde_json::Value {
        let sent = (fixtures::now() - age).as_millisecond();
        json!({
            "messageId": id,
            "receiptHandle": format!("AQEB{id}"),
            "body": body,
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": sent.to_string(),
                "SenderId": "AROA3XAMPLEROLEID1234:recruiter-api",
                "ApproximateFirstReceiveTimestamp": sent.to_string()
            },
            "messageAttributes": {},
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:send-queue",
            "awsRegion": "eu-west-1"
        })
    }

    /// The message that names `invitation`, as a batch queues it, sent a second ago.
    fn message_of(id: &str, invitation: &Invitation) -> serde_json::Value {
        let body = json!({
            "organizationId": invitation.organization_id.as_str(),
            "invitationId": invitation.id.to_string(),
        });
        record(id, &body.to_string(), SignedDuration::from_secs(1))
    }

    fn event(records: Vec<serde_json::Value>) -> SqsEvent {
        serde_json::from_value(json!({ "Records": records })).unwrap()
    }

    /// The message ids the answer hands back for redelivery, in order.
    fn handed_back(response: &SqsBatchResponse) -> Vec<&str> {
        response
            .batch_item_failures
            .iter()
            .map(|failure| failure.item_identifier.as_str())
            .collect()
    }

    fn status(sender: &Sender, invitation: &Invitation) -> InvitationStatus {
        let stored = sender
            .store
            .invitation(&invitation.organization_id, invitation.id);
        stored.expect("stored").status
    }

    #[tokio::test]
    async fn an_unreadable_message_is_dropped_not_delivered_again() {
        let sender = sender(Duration::ZERO, &[]).await;
        let response = sender
            .handle(event(vec![
                record("m1", "not json", SignedDuration::ZERO),
                record("m2", r#"{"invitationId":"x"}"#, SignedDuration::ZERO),
            ]))
            .await;
        assert_eq!(handed_back(&response), Vec::<&str>::new());
        assert!(sender.mailer.sent().is_empty());
    }

    #[tokio::test]
    async fn a_throttled_send_hands_back_its_message_and_every_later_one() {
        let invitations = queued(&["aino@example.fi", "eino@example.fi", "veli@example.fi"]);
        let [done, throttled, later] = &invitations[..] else {
            unreachable!()
        };
        let sender = sender(Duration::ZERO, &invitations).await;
        let first = sender.handle(event(vec![message_of("m1", done)])).await;
        assert_eq!(handed_back(&first), Vec::<&str>::new());
        sender.mailer.refuse_with(Some("TooManyRequestsException"));
        let response = sender
            .handle(event(vec![
                // Sent before: done with it, throttled or not.
                message_of("m1", done),
                message_of("m2", throttled),
                message_of("m3", later),
            ]))
            .await;
        assert_eq!(handed_back(&response), ["m2", "m3"]);
        assert_eq!(sender.mailer.sent().len(), 1, "the first one's email only");
        assert_eq!(status(&sender, done), InvitationStatus::Sent);
        // Queued again, to go out when the message comes back.
        assert_eq!(status(&sender, throttled), InvitationStatus::Queued);
        assert_eq!(status(&sender, later), InvitationStatus::Queued);
    }

    #[tokio::test]
    async fn a_young_message_whose_invitation_is_not_stored_yet_comes_back_an_old_one_is_dropped() {
        let sender = sender(Duration::ZERO, &[]).await;
        let body = json!({
            "organizationId": "acme",
            "invitationId": InvitationId::generate(fixtures::now()).to_string(),
        })
        .to_string();
        // Looked at NOT_STORED_LOOKS times, a second apart, before it is handed back.
        let young = record("m1", &body, SignedDuration::from_secs(2));
        let response = sender.handle(event(vec![young])).await;
        assert_eq!(handed_back(&response), ["m1"]);
        let old = record("m2", &body, invitations::app::batches::STORE_GRACE);
        let response = sender.handle(event(vec![old])).await;
        assert_eq!(handed_back(&response), Vec::<&str>::new());
        assert!(sender.mailer.sent().is_empty());
    }

    #[tokio::test]
    async fn only_sends_wait_for_a_slot_and_none_starts_too_close_to_the_deadline() {
        let invitations = queued(&["aino@example.fi", "eino@example.fi", "veli@example.fi"]);
        let sender = sender(Duration::from_secs(3), &invitations).await;
        let sent = sender
            .handle(event(vec![message_of("m1", &invitations[0])]))
            .await;
        assert_eq!(handed_back(&sent), Vec::<&str>::new());
        // A redelivery of the sent one takes no slot: no 3 s wait.
        let started = std::time::Instant::now();
        let again = sender
            .handle(event(vec![message_of("m1", &invitations[0])]))
            .await;
        assert_eq!(handed_back(&again), Vec::<&str>::new());
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        // With 12 s left, the next slot (in about 3 s) would start within SEND_RESERVE of the
        // deadline: it and the message after it go back unsent, at once.
        let deadline = Instant::now() + Duration::from_secs(12);
        let late = sender
            .handle_until(
                event(vec![
                    message_of("m2", &invitations[1]),
                    message_of("m3", &invitations[2]),
                ]),
                Some(deadline),
            )
            .await;
        assert_eq!(handed_back(&late), ["m2", "m3"]);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(sender.mailer.sent().len(), 1);
    }

    #[tokio::test]
    async fn an_instance_sends_once_per_interval_across_invocations() {
        let invitations = queued(&["aino@example.fi", "eino@example.fi", "veli@example.fi"]);
        let sender = sender(Duration::from_millis(200), &invitations).await;
        let started = std::time::Instant::now();
        let first = sender
            .handle(event(vec![
                message_of("m1", &invitations[0]),
                message_of("m2", &invitations[1]),
            ]))
            .await;
        // A warm instance's next invocation waits out the pause after its last send.
        let second = sender
            .handle(event(vec![message_of("m3", &invitations[2])]))
            .await;
        let elapsed = started.elapsed();
        assert_eq!(handed_back(&first), Vec::<&str>::new());
        assert_eq!(handed_back(&second), Vec::<&str>::new());
        assert_eq!(sender.mailer.sent().len(), 3);
        assert!(
            elapsed >= Duration::from_millis(400),
            "three sends in {elapsed:?}"
        );
    }
}
