//! The daily email counter of an organization: one item per UTC day (`QUOTA#<date>`), counted with
//! a conditional `ADD`, deleted by DynamoDB's TTL two days later. An SDK retry of a count whose
//! answer was lost may count one email twice: the quota errs on the side of sending less.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::attributes::n;
use super::keys::email_quota_key;
use super::{ConditionalWrite, DynamoStore};
use crate::domain::OrganizationId;
use crate::ports::{EmailQuota, StoreError};

impl EmailQuota for DynamoStore {
    async fn take_email(
        &self,
        organization: &OrganizationId,
        day: Date,
        limit: u32,
    ) -> Result<(), StoreError> {
        // Two days after the day began: gone soon after it stops mattering.
        let expires = day
            .to_zoned_datetime(TimeZone::UTC)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?
            .timestamp()
            .as_second()
            + 2 * 24 * 60 * 60;
        let write = ConditionalWrite {
            condition: "attribute_not_exists(emails) OR emails < :limit".to_owned(),
            update: Some("ADD emails :one SET #ttl = :ttl".to_owned()),
            names: [("#ttl".to_owned(), "ttl".to_owned())].into(),
            values: [
                (":limit".to_owned(), n(limit)),
                (":one".to_owned(), n(1)),
                (":ttl".to_owned(), n(expires)),
            ]
            .into(),
        };
        self.update(email_quota_key(organization, day), write).await
    }

    async fn give_back_email(
        &self,
        organization: &OrganizationId,
        day: Date,
    ) -> Result<(), StoreError> {
        let write = ConditionalWrite::on_existing(
            "emails > :zero",
            "ADD emails :minus_one",
            [(":zero", n(0)), (":minus_one", n(-1))],
        );
        self.update(email_quota_key(organization, day), write).await
    }
}
