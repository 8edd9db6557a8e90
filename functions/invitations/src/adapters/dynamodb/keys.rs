//! The table's key schema, in one place. One table, keyed by tenant: every item of an
//! organization lives under partition `ORG#<id>`, and the partition is always built from the
//! caller's verified claims, never from anything the caller sends (ids and cursors only ever name a
//! sort key inside that partition). That is what makes tenant isolation hold by construction.
//!
//! | item                 | pk          | sk               | gsi1pk (index `by-video-interview`) |
//! |----------------------|-------------|------------------|-------------------------------------|
//! | video interview      | `ORG#<org>` | `VI#<ulid>`      |                                     |
//! | invitation           | `ORG#<org>` | `INV#<ulid>`     | `ORG#<org>#VI#<ulid>`               |
//! | idempotency record   | `ORG#<org>` | `IDEM#<sha256>`  |                                     |
//! | daily email count    | `ORG#<org>` | `QUOTA#<date>`   |                                     |
//! | organization profile | `ORG#<org>` | `PROFILE`        |                                     |
//! | webhook subscription | `ORG#<org>` | `WEBHOOK#<ulid>` |                                     |
//! | their count          | `ORG#<org>` | `WEBHOOKS`       |                                     |
//! | webhook delivery     | `ORG#<org>` | `DELIVERY#<subscription ulid>#<ulid>` |                |
//!
//! An invitation is also in the keys-only index `by-candidate-email` under
//! `candidateEmailKey` = `ORG#<org>#EMAIL#<digest>` (`domain::candidate_lookup`), holds `ttl` (its
//! retention time, `domain::retention`) and `idempotencyKeys` (the digests of the keys whose saved
//! answers are about it, erased with it).
//!
//! An invitation holds the hashes of its candidate tokens (`tokenHashes`); a token names its
//! invitation (`domain::CandidateToken`), so the candidate's read is one GetItem. The notify-me
//! claim is attributes of the invitation. An invitation with a reminder still to send also has
//! `reminderQueue` (`REMINDERS`), `reminderDue` and `reminderKind`: the sparse index
//! `by-reminder-due` holds exactly those (set, moved and removed by the invitation's own writes).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::domain::{
    CandidateEmailDigest, InvitationId, OrganizationId, VideoInterviewId, WebhookDeliveryId,
    WebhookSubscriptionId,
};
use crate::ports::IdempotencyKey;

/// The sparse index of invitations with a reminder still to send, by its due instant
/// (`infra/template.yaml`): one partition, `REMINDERS`, sorted by `reminderDue`.
pub const REMINDER_INDEX: &str = "by-reminder-due";
/// Its partition attribute, and the one value it has.
pub(super) const REMINDER_QUEUE: &str = "reminderQueue";
pub(super) const REMINDERS: &str = "REMINDERS";

/// The index of a candidate's invitations in an organization, by the keyed digest of their address
/// (`domain::candidate_lookup`; `infra/template.yaml`): keys only, so that it holds no more of the
/// candidate than the digest.
pub const CANDIDATE_INDEX: &str = "by-candidate-email";
/// Its partition attribute: `ORG#<org>#EMAIL#<digest>`.
pub(super) const CANDIDATE_INDEX_PARTITION: &str = "candidateEmailKey";

/// The index of an interview's invitations (`infra/template.yaml`).
pub const VIDEO_INTERVIEW_INDEX: &str = "by-video-interview";
/// The attribute holding an item's partition in that index.
pub(super) const VIDEO_INTERVIEW_INDEX_PARTITION: &str = "gsi1pk";

pub(super) const VIDEO_INTERVIEW_PREFIX: &str = "VI#";
pub(super) const INVITATION_PREFIX: &str = "INV#";
pub(super) const IDEMPOTENCY_PREFIX: &str = "IDEM#";
const EMAIL_QUOTA_PREFIX: &str = "QUOTA#";
pub(super) const WEBHOOK_PREFIX: &str = "WEBHOOK#";
pub(super) const DELIVERY_PREFIX: &str = "DELIVERY#";

/// The primary key of one item.
pub(super) struct Key(pub(super) HashMap<String, AttributeValue>);

impl Key {
    fn new(pk: String, sk: String) -> Self {
        Self(HashMap::from([
            ("pk".to_owned(), AttributeValue::S(pk)),
            ("sk".to_owned(), AttributeValue::S(sk)),
        ]))
    }

    /// The item with sort key `<prefix><id>` in the organization's partition.
    pub(super) fn in_organization(organization: &OrganizationId, prefix: &str, id: &str) -> Self {
        Self::new(organization_key(organization), format!("{prefix}{id}"))
    }
}

pub(super) fn organization_key(organization: &OrganizationId) -> String {
    format!("ORG#{}", organization.as_str())
}

pub(super) fn video_interview_key(organization: &OrganizationId, id: VideoInterviewId) -> Key {
    Key::in_organization(organization, VIDEO_INTERVIEW_PREFIX, &id.to_string())
}

pub(super) fn invitation_key(organization: &OrganizationId, id: InvitationId) -> Key {
    Key::in_organization(organization, INVITATION_PREFIX, &id.to_string())
}

/// The organization's count of invitation emails on one UTC `day` (`YYYY-MM-DD`).
pub(super) fn email_quota_key(organization: &OrganizationId, day: jiff::civil::Date) -> Key {
    Key::in_organization(organization, EMAIL_QUOTA_PREFIX, &day.to_string())
}

/// The organization's profile: one item, beside everything else of the organization.
pub(super) fn organization_profile_key(organization: &OrganizationId) -> Key {
    Key::new(organization_key(organization), "PROFILE".to_owned())
}

pub(super) fn webhook_subscription_key(
    organization: &OrganizationId,
    id: WebhookSubscriptionId,
) -> Key {
    Key::in_organization(organization, WEBHOOK_PREFIX, &id.to_string())
}

/// The sort key prefix of a subscription's deliveries.
pub(super) fn delivery_prefix(subscription: WebhookSubscriptionId) -> String {
    format!("{DELIVERY_PREFIX}{subscription}#")
}

pub(super) fn delivery_key(
    organization: &OrganizationId,
    subscription: WebhookSubscriptionId,
    id: WebhookDeliveryId,
) -> Key {
    Key::in_organization(
        organization,
        &delivery_prefix(subscription),
        &id.to_string(),
    )
}

/// The organization's count of webhook subscriptions (`MAX_WEBHOOK_SUBSCRIPTIONS`).
pub(super) fn webhook_count_key(organization: &OrganizationId) -> Key {
    Key::new(organization_key(organization), "WEBHOOKS".to_owned())
}

/// The index partition of one video interview's invitations.
pub(super) fn video_interview_partition(
    organization: &OrganizationId,
    id: VideoInterviewId,
) -> String {
    format!(
        "{}#{VIDEO_INTERVIEW_PREFIX}{id}",
        organization_key(organization)
    )
}

/// The index partition of one candidate's invitations in `organization`.
pub(super) fn candidate_partition(
    organization: &OrganizationId,
    digest: &CandidateEmailDigest,
) -> String {
    format!(
        "{}#EMAIL#{}",
        organization_key(organization),
        digest.as_str()
    )
}

/// A key is stored as its hash, so that any key makes a well-formed sort key.
pub(super) fn idempotency_key(organization: &OrganizationId, key: &IdempotencyKey) -> Key {
    Key::in_organization(organization, IDEMPOTENCY_PREFIX, &key.digest())
}
