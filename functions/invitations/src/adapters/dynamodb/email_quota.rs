//! The daily email counter of an organization: one item per UTC day (`QUOTA#<date>`), counted with
//! a conditional `ADD`, deleted by DynamoDB's TTL two days later. A new invitation counts in the
//! transaction that stores it; a resend on its own. An SDK retry of a give-back whose answer was
//! lost may give back twice: rare (a resend that lost a race, and a lost answer), and one email.

use jiff::tz::TimeZone;

use super::attributes::n;
use super::keys::email_quota_key;
use super::{ConditionalWrite, DynamoStore};
use crate::domain::OrganizationId;
use crate::ports::{DailyEmailQuota, EmailQuota, StoreError};

/// The write that counts `emails` emails (a batch's, or one), under the condition that that many
/// are left of the day's (`emails` beyond the limit never pass).
pub(super) fn email_count_write(
    quota: DailyEmailQuota,
    emails: u32,
) -> Result<ConditionalWrite, StoreError> {
    // Two days after the day began: gone soon after it stops mattering.
    let expires = quota
        .day
        .to_zoned_datetime(TimeZone::UTC)
        .map_err(|error| StoreError::Corrupt(error.to_string()))?
        .timestamp()
        .as_second()
        + 2 * 24 * 60 * 60;
    let Some(most_before) = quota.limit.checked_sub(emails) else {
        return Err(StoreError::QuotaExhausted);
    };
    Ok(ConditionalWrite {
        condition: "attribute_not_exists(emails) OR emails <= :most".to_owned(),
        update: Some("ADD emails :count SET #ttl = :ttl".to_owned()),
        names: [("#ttl".to_owned(), "ttl".to_owned())].into(),
        values: [
            (":most".to_owned(), n(most_before)),
            (":count".to_owned(), n(emails)),
            (":ttl".to_owned(), n(expires)),
        ]
        .into(),
    })
}

impl EmailQuota for DynamoStore {
    async fn take_email(
        &self,
        organization: &OrganizationId,
        quota: DailyEmailQuota,
    ) -> Result<(), StoreError> {
        let key = email_quota_key(organization, quota.day);
        match self.update(key, email_count_write(quota, 1)?).await {
            Err(StoreError::Conflict) => Err(StoreError::QuotaExhausted),
            other => other,
        }
    }

    async fn give_back_email(
        &self,
        organization: &OrganizationId,
        day: jiff::civil::Date,
    ) -> Result<(), StoreError> {
        let write = ConditionalWrite::on_existing(
            "emails > :zero",
            "ADD emails :minus_one",
            [(":zero", n(0)), (":minus_one", n(-1))],
        );
        self.update(email_quota_key(organization, day), write).await
    }
}
