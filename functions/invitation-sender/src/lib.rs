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
use invitations::app::batches::{QueuedSend, QueuedSender};
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
    /// SES throttled: deliver it and every message after it again later.
    Throttled,
}

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

    /// One invocation: each message in turn, paced; the answer names the messages to deliver
    /// again. Never fails as a whole, so that one bad message cannot make SQS deliver the others
    /// again.
    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
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
            match self.take(&message).await {
                Taken::Done => {}
                Taken::Again => response.add_failure(id),
                Taken::Throttled => {
                    throttled = true;
                    response.add_failure(id);
                }
            }
        }
        response
    }

    async fn take(&self, message: &SqsMessage) -> Taken {
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
        for look in 1..=NOT_STORED_LOOKS {
            match self.send(&queued, age).await {
                Ok(QueuedSend::NotStoredYet) if look < NOT_STORED_LOOKS => {
                    tokio::time::sleep(NOT_STORED_WAIT).await;
                }
                Ok(QueuedSend::Recorded(_) | QueuedSend::NothingToDo) => return Taken::Done,
                Ok(QueuedSend::Throttled) => return Taken::Throttled,
                Ok(QueuedSend::NotStoredYet | QueuedSend::Later) => return Taken::Again,
                Err(error) => {
                    tracing::error!(%error, organization = queued.organization_id.as_str(), invitation = %queued.invitation_id, "a queued invitation could not be taken");
                    return Taken::Again;
                }
            }
        }
        Taken::Again
    }

    /// The invitation's turn, after this instance's pause since its last send.
    async fn send(
        &self,
        queued: &QueuedInvitation,
        age: SignedDuration,
    ) -> Result<QueuedSend, AppError> {
        let employer = self
            .employers
            .employer(&self.store, &queued.organization_id, self.clock.now())
            .await?;
        {
            let mut next_send = self.next_send.lock().await;
            sleep_until(*next_send).await;
            *next_send = Instant::now() + self.settings.send_interval;
        }
        QueuedSender {
            invitations: &self.store,
            mailer: &self.mailer,
            clock: &self.clock,
            candidate_app_url: &self.settings.candidate_app_url,
            employer: &employer,
            reminder_policy: &self.settings.reminder_policy,
        }
        .send_queued(queued, age, IN_FLIGHT)
        .await
    }
}
