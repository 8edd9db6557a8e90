//! The ports: narrow traits, one per concern, through which the use cases reach the world. Their
//! errors carry no SDK or HTTP types. The AWS adapters (`crate::adapters`) implement them, and so
//! do the in-memory adapters that the use cases' unit tests run on (`adapters::memory`, behind the
//! `test-util` feature).

mod clock;
mod email_quota;
mod event_bus;
mod host_resolver;
mod idempotency_records;
mod invitation_batches;
mod invitations;
mod mailer;
mod notification_claims;
mod organization_profiles;
mod paging;
mod reminders;
mod video_interviews;
mod webhook_deliveries;
mod webhook_subscriptions;

pub use clock::{Clock, FixedClock, SystemClock};
pub use email_quota::{DailyEmailQuota, EmailQuota};
pub use event_bus::{EventBus, PublishError};
pub use host_resolver::{HostResolver, ResolveError};
#[cfg(test)]
pub(crate) use idempotency_records::saved_response;
pub use idempotency_records::{
    ClaimTicket, IN_PROGRESS_LEASE, IdempotencyKey, IdempotencyRecords, KEY_LIFETIME, KeyClaim,
    RequestFingerprint, RouteFingerprint, SavedResponse, claim_times,
};
pub use invitation_batches::{InvitationBatches, QueuedInvitation, SendQueue};
pub use invitations::{InvitationFilter, Invitations, KeyedAnswer};
pub use mailer::{EmailKind, EmailPurpose, MailError, Mailbox, Mailer, MessageId, OutgoingEmail};
pub use notification_claims::{NotificationClaims, RecruiterNotice};
pub use organization_profiles::{OrganizationProfiles, ProfileCondition};
pub use paging::{Page, PageCursor, PageRequest};
pub use reminders::{DueReminder, ReminderClaim, Reminders};
pub use video_interviews::VideoInterviews;
pub use webhook_deliveries::{
    QueuedDelivery, TableChange, WebhookDeliveries, WebhookEndpoint, WebhookQueue, WebhookRequest,
};
pub use webhook_subscriptions::{MAX_WEBHOOK_SUBSCRIPTIONS, WebhookSubscriptions};

/// How a store port fails.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached, timed out, throttled or failed: worth retrying later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A write's condition did not hold (the item exists already, or changed under us; for an
    /// invitation, the lifecycle table does not allow the event in its stored status).
    #[error("the write conflicted with the stored state")]
    Conflict,
    /// The organization's email allowance for the day is used up (`DailyEmailQuota`); nothing
    /// was written.
    #[error("the daily email quota is used up")]
    QuotaExhausted,
    /// A stored item does not read back as a valid record: a bug or a manual edit.
    #[error("a stored item is unreadable: {0}")]
    Corrupt(String),
}
