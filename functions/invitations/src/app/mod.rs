//! The use cases, over the ports: what the service does, whoever asks (an HTTP route today; a
//! batch or a schedule later). Each takes the ports it needs and reads the instant from the
//! clock, and answers with domain values or an [`AppError`]; the `http` layer turns those into
//! responses. Status rules come from the lifecycle table (`domain::lifecycle`), never from here.

pub mod batches;
pub mod bounded_map;
pub mod candidate;
pub mod email_events;
pub mod erasure;
pub mod follow_ups;
pub mod idempotency;
pub mod invitations;
pub mod notify_recruiter;
pub mod organizations;
pub mod reminders;
pub mod video_interviews;
pub mod webhook_deliveries;
pub mod webhooks;

use crate::domain::{Invitation, InvitationEvent};
use crate::ports::{Invitations, StoreError};

/// Why the candidate's link no longer leads to the interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoneReason {
    Expired,
    Cancelled,
}

impl GoneReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }
}

/// How a use case fails.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing with that id in the caller's organization (or no invitation for that token).
    #[error("not found")]
    NotFound,
    /// The request contradicts the invitation's state; the words are for the recruiter.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The recruiter's address is not verified: no candidate's data may go to it (BCC, notices,
    /// the candidate's replies), so nothing is sent.
    #[error("the recruiter's email address is not verified")]
    EmailNotVerified,
    /// The organization sent as many invitation emails today (UTC) as it may; the next day
    /// begins in `until_next_day`.
    #[error("the daily email quota is used up")]
    QuotaExhausted {
        until_next_day: jiff::SignedDuration,
    },
    /// The invitation is not sent again (see `Invitation::check_resend`).
    #[error("not sent again: {0}")]
    ResendRefused(crate::domain::ResendRefused),
    /// The deadline is not moved (see `Invitation::check_deadline_extension`).
    #[error("the deadline is not moved: {0}")]
    ExtensionRefused(crate::domain::ExtensionRefused),
    /// The stored record is not the one the request was made against (a conditional write whose
    /// condition did not hold: someone else changed it meanwhile); nothing was written.
    #[error("the precondition did not hold")]
    PreconditionFailed,
    /// The candidate may no longer answer.
    #[error("the invitation is {}", .0.code())]
    Gone(GoneReason),
    /// The completion is stored, but its event is not yet on the bus; repeating finishes it.
    #[error("the completion could not be announced")]
    CompletionNotAnnounced,
    /// The bus refused the erasure's event: nothing was erased, and repeating does it all.
    #[error("the erasure could not be announced")]
    ErasureNotAnnounced,
    /// The batch is stored, but not all of its invitations: the database failed half-way. Those
    /// not stored read `missing` on the batch and are never sent.
    #[error("the batch is stored, but not all of its invitations")]
    BatchIncomplete(crate::domain::InvitationBatchId),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An email could not be rendered: a bug in a template; nothing was stored or sent.
    #[error(transparent)]
    Render(#[from] crate::email::RenderError),
    /// An email that had to go out now did not (the notify-me email; an invitation's failed send
    /// is recorded on it instead).
    #[error(transparent)]
    Mail(#[from] crate::ports::MailError),
}

/// Records `event` on `invitation` with a conditional write, and brings `invitation` up to date:
/// applied in hand (and logged as `what`) when the write went through, `Ok(true)`; read again when
/// the stored one had changed under us (another tab, the recruiter, the notifier), `Ok(false)`.
async fn record_and_settle<S: Invitations>(
    invitations: &S,
    invitation: &mut Invitation,
    event: &InvitationEvent,
    what: &'static str,
) -> Result<bool, AppError> {
    let organization = invitation.organization_id.clone();
    match invitations
        .record_invitation_event(&organization, invitation.id, event, None)
        .await
    {
        Ok(()) => {
            if let Err(error) = invitation.apply(event) {
                // The store accepted what the same table refuses here: the copy in hand was stale.
                tracing::warn!(%error, invitation = %invitation.id, "reading the invitation again");
                *invitation = read(invitations, invitation).await?;
            }
            tracing::info!(
                organization = organization.as_str(),
                invitation = %invitation.id,
                "{what}"
            );
            Ok(true)
        }
        Err(StoreError::Conflict) => {
            *invitation = read(invitations, invitation).await?;
            Ok(false)
        }
        Err(error) => Err(error.into()),
    }
}

/// The stored state of `invitation`, read again right after a write (it was kept a moment ago).
async fn read<S: Invitations>(
    invitations: &S,
    invitation: &Invitation,
) -> Result<Invitation, AppError> {
    invitations
        .get_invitation(&invitation.organization_id, invitation.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// What the use cases' unit tests run on: the in-memory adapters and a fixed clock.
#[cfg(test)]
mod testing {
    use jiff::Timestamp;

    use super::AppError;
    use super::batches::QueuedSender;
    use super::follow_ups::FollowUpSender;
    use super::invitations::{InvitationSender, Keyed};
    use super::organizations::Employers;
    use crate::adapters::memory::{EventLog, MemoryStore, Outbox};
    use crate::domain::{
        CandidateLookupKey, CandidateToken, Employer, IanaTimeZone, Invitation, InvitationEvent,
        LinkKey, Recruiter, ReminderPolicy, RetentionPeriod, fixture_employer, fixtures,
    };
    use crate::ports::{FixedClock, Invitations};

    pub const CANDIDATE_APP: &str = "https://interview.example/i";

    pub struct World {
        pub store: MemoryStore,
        pub outbox: Outbox,
        pub bus: EventLog,
        pub clock: FixedClock,
        pub recruiter: Recruiter,
        pub daily_email_quota: u32,
        pub employer: Employer,
        pub employers: Employers,
        /// The deployment's default zone.
        pub time_zone: IanaTimeZone,
        pub link_key: LinkKey,
        pub reminder_policy: ReminderPolicy,
        pub retention: RetentionPeriod,
        pub lookup_key: CandidateLookupKey,
    }

    impl World {
        pub fn new() -> Self {
            Self {
                store: MemoryStore::default(),
                outbox: Outbox::default(),
                bus: EventLog::default(),
                clock: FixedClock(fixtures::now()),
                recruiter: fixtures::recruiter(),
                daily_email_quota: 100,
                employer: fixture_employer(),
                employers: Employers::new(fixture_employer()),
                time_zone: IanaTimeZone::parse("Europe/Helsinki").unwrap(),
                link_key: LinkKey::new([9u8; 32]).unwrap(),
                reminder_policy: ReminderPolicy::default(),
                retention: RetentionPeriod::default(),
                lookup_key: CandidateLookupKey::new([7u8; 32]).unwrap(),
            }
        }

        pub fn follow_ups(&self) -> FollowUpSender<'_, MemoryStore, Outbox, FixedClock> {
            FollowUpSender {
                invitations: &self.store,
                mailer: &self.outbox,
                clock: &self.clock,
                candidate_app_url: CANDIDATE_APP,
                link_key: &self.link_key,
                employer: &self.employer,
                reminder_policy: &self.reminder_policy,
            }
        }

        pub fn sender(&self) -> InvitationSender<'_, MemoryStore, Outbox, FixedClock> {
            InvitationSender {
                invitations: &self.store,
                mailer: &self.outbox,
                clock: &self.clock,
                candidate_app_url: CANDIDATE_APP,
                daily_email_quota: self.daily_email_quota,
                employer: &self.employer,
                reminder_policy: &self.reminder_policy,
                retention: &self.retention,
                lookup_key: &self.lookup_key,
            }
        }

        pub fn queued_sender(&self) -> QueuedSender<'_, MemoryStore, Outbox, FixedClock> {
            QueuedSender {
                invitations: &self.store,
                mailer: &self.outbox,
                clock: &self.clock,
                candidate_app_url: CANDIDATE_APP,
                reminder_policy: &self.reminder_policy,
            }
        }

        /// Sends the fixture invitation (with `bcc_myself` as given), without a key.
        pub async fn try_send(&self, bcc_myself: bool) -> Result<Keyed<Invitation>, AppError> {
            let interview = fixtures::video_interview(&self.recruiter);
            let mut new = fixtures::new_invitation(&interview);
            new.bcc_myself = bcc_myself;
            self.sender()
                .send(&self.recruiter, &interview, new, fixtures::now(), None)
                .await
        }

        /// Sends the fixture invitation and gives it back as sent.
        pub async fn send(&self, bcc_myself: bool) -> Invitation {
            match self.try_send(bcc_myself).await.expect("sent") {
                Keyed::Ran(invitation) => invitation,
                Keyed::Held(held) => panic!("no key, yet held: {held:?}"),
            }
        }

        /// The candidate token of the last email sent: the link's last segment.
        pub fn last_token(&self) -> CandidateToken {
            let sent = self.outbox.sent();
            let text = &sent.last().expect("an email was sent").text;
            let start = text.find(CANDIDATE_APP).expect("the link") + CANDIDATE_APP.len() + 1;
            let token: String = text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            CandidateToken::parse(&token).expect("a token")
        }

        pub fn stored(&self, invitation: &Invitation) -> Invitation {
            self.store
                .invitation(&invitation.organization_id, invitation.id)
                .expect("stored")
        }

        /// The same world `by` later.
        pub fn at(mut self, at: Timestamp) -> Self {
            self.clock = FixedClock(at);
            self
        }

        pub async fn record(&self, invitation: &Invitation, event: InvitationEvent) {
            self.store
                .record_invitation_event(&invitation.organization_id, invitation.id, &event, None)
                .await
                .expect("recorded");
        }
    }
}
