//! The notices' claims: attributes of the invitation, one set per notice. For the notify-me email
//! `notificationClaimedUntil` (epoch milliseconds, so that DynamoDB compares instants as numbers),
//! `recruiterNotifiedAt` and `notificationMessageId` once sent, `recruiterNoticeUnconfirmedAt` once
//! handed to SES without an answer (which settles the claim for good); for the bounce notice the
//! same with `bounceNotice…` names, removed by a resend (a new address, a new bounce notice).

use jiff::Timestamp;

use super::attributes::{n, s};
use super::keys::invitation_key;
use super::{ConditionalWrite, DynamoStore};
use crate::domain::{InvitationId, OrganizationId};
use crate::ports::{NotificationClaims, RecruiterNotice, StoreError};

/// The attributes of one notice's claim: (sent at, message id, unconfirmed at, claimed until).
pub(super) fn notice_attributes(
    notice: RecruiterNotice,
) -> (&'static str, &'static str, &'static str, &'static str) {
    match notice {
        RecruiterNotice::Completion => (
            "recruiterNotifiedAt",
            "notificationMessageId",
            "recruiterNoticeUnconfirmedAt",
            "notificationClaimedUntil",
        ),
        RecruiterNotice::Bounce => (
            "bounceNoticeSentAt",
            "bounceNoticeMessageId",
            "bounceNoticeUnconfirmedAt",
            "bounceNoticeClaimedUntil",
        ),
    }
}

impl NotificationClaims for DynamoStore {
    async fn claim_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        notice: RecruiterNotice,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let (sent, _, unconfirmed, claimed) = notice_attributes(notice);
        let bounced = match notice {
            RecruiterNotice::Bounce => "attribute_exists(bounce) AND ",
            RecruiterNotice::Completion => "",
        };
        let write = ConditionalWrite::on_existing(
            &format!(
                "{bounced}attribute_not_exists({sent}) AND attribute_not_exists({unconfirmed}) AND \
                 (attribute_not_exists({claimed}) OR {claimed} < :now)"
            ),
            format!("SET {claimed} = :until"),
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
        notice: RecruiterNotice,
        at: Timestamp,
        message_id: &str,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let (sent, message, _, claimed) = notice_attributes(notice);
        let write = ConditionalWrite::on_existing(
            &format!("attribute_not_exists({sent}) AND {claimed} = :until"),
            format!("SET {sent} = :at, {message} = :message REMOVE {claimed}"),
            [
                (":at", s(at.to_string())),
                (":message", s(message_id)),
                (":until", n(until.as_millisecond())),
            ],
        );
        self.update(invitation_key(organization, id), write).await
    }

    async fn record_recruiter_notice_unconfirmed(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        notice: RecruiterNotice,
        at: Timestamp,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let (_, _, unconfirmed, claimed) = notice_attributes(notice);
        let write = ConditionalWrite::on_existing(
            &format!("{claimed} = :until"),
            format!("SET {unconfirmed} = :at REMOVE {claimed}"),
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
        notice: RecruiterNotice,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let (_, _, _, claimed) = notice_attributes(notice);
        let write = ConditionalWrite::on_existing(
            &format!("{claimed} = :until"),
            format!("REMOVE {claimed}"),
            [(":until", n(until.as_millisecond()))],
        );
        self.update(invitation_key(organization, id), write).await
    }
}
