//! Each organization's daily allowance of invitation emails, so that one compromised recruiter
//! account cannot turn the service into a spam cannon.

use std::future::Future;

use jiff::civil::Date;

use super::StoreError;
use crate::domain::OrganizationId;

/// Counts the invitation emails (first sends and resends) of an organization per UTC day.
pub trait EmailQuota: Send + Sync {
    /// Takes one email from `organization`'s allowance of `limit` for `day`: a `Conflict` when all
    /// are taken (nothing is counted then).
    fn take_email(
        &self,
        organization: &OrganizationId,
        day: Date,
        limit: u32,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Gives back one email taken for `day` that was not sent after all (the request turned out
    /// to be a replay, or lost a race).
    fn give_back_email(
        &self,
        organization: &OrganizationId,
        day: Date,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
