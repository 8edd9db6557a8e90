//! Each organization's daily allowance of invitation emails, so that one compromised recruiter
//! account cannot turn the service into a spam cannon.

use std::future::Future;

use jiff::civil::Date;

use super::StoreError;
use crate::domain::OrganizationId;

/// An organization's allowance of invitation emails for one UTC day: a new invitation takes one
/// in the same write that stores it (`Invitations::insert_invitation`), a resend through
/// [`EmailQuota`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyEmailQuota {
    pub day: Date,
    pub limit: u32,
}

/// Counts the invitation emails (first sends and resends) of an organization per UTC day.
pub trait EmailQuota: Send + Sync {
    /// Takes one email from `organization`'s allowance: `QuotaExhausted` when all are taken
    /// (nothing is counted then).
    fn take_email(
        &self,
        organization: &OrganizationId,
        quota: DailyEmailQuota,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Gives back one email taken for `day` that was not sent after all (the resend lost a race).
    fn give_back_email(
        &self,
        organization: &OrganizationId,
        day: Date,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
