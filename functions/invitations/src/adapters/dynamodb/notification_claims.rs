//! The notify-me claim: attributes of the invitation (`notificationClaimedUntil` in epoch
//! milliseconds, so that DynamoDB compares instants as numbers; `recruiterNotifiedAt` and
//! `notificationMessageId` once sent; `recruiterNoticeUnconfirmedAt` once handed to SES without an
//! answer, which settles the claim for good).

use jiff::Timestamp;

use super::attributes::{n, s};
use super::keys::invitation_key;
use super::{ConditionalWrite, DynamoStore};
use crate::domain::{InvitationId, OrganizationId};
use crate::ports::{NotificationClaims, StoreError};

impl NotificationClaims for DynamoStore {
    async fn claim_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let write = ConditionalWrite::on_existing(
            "attribute_not_exists(recruiterNotifiedAt) AND \
             attribute_not_exists(recruiterNoticeUnconfirmedAt) AND \
             (attribute_not_exists(notificationClaimedUntil) OR notificationClaimedUntil < :now)",
            "SET notificationClaimedUntil = :until",
            [
                (":now", n(now.as_millisecond())),
                (":until", n(until.as_millisecond())),
            ],
        );
        self.update(invitation_key(organization, id), write).await
    }

    async fn record_recruiter_notified(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        message_id: &str,
    ) -> Result<(), StoreError> {
        let write = ConditionalWrite::on_existing(
            "attribute_not_exists(recruiterNotifiedAt)",
            "SET recruiterNotifiedAt = :at, notificationMessageId = :message \
             REMOVE notificationClaimedUntil",
            [(":at", s(at.to_string())), (":message", s(message_id))],
        );
        self.update(invitation_key(organization, id), write).await
    }

    async fn record_recruiter_notice_unconfirmed(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let write = ConditionalWrite::on_existing(
            "notificationClaimedUntil = :until",
            "SET recruiterNoticeUnconfirmedAt = :at REMOVE notificationClaimedUntil",
            [
                (":at", s(at.to_string())),
                (":until", n(until.as_millisecond())),
            ],
        );
        self.update(invitation_key(organization, id), write).await
    }

    async fn release_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let write = ConditionalWrite::on_existing(
            "notificationClaimedUntil = :until",
            "REMOVE notificationClaimedUntil",
            [(":until", n(until.as_millisecond()))],
        );
        self.update(invitation_key(organization, id), write).await
    }
}
