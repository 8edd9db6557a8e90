//! The store of organization profiles.

use std::future::Future;

use jiff::Timestamp;

use super::StoreError;
use crate::domain::{OrganizationId, OrganizationProfile};

/// What must hold of the stored profile for a write to go through: the store's side of HTTP's
/// conditional requests (`If-Match`, `If-None-Match`; RFC 9110 §13.1), so that two people editing
/// the profile at once cannot silently undo each other's change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileCondition {
    /// Whatever is stored (a plain `PUT`).
    Any,
    /// There is no profile yet (`If-None-Match: *`).
    Absent,
    /// There is one (`If-Match: *`).
    Present,
    /// The stored one is the one saved at this instant (`If-Match` with its ETag).
    SavedAt(Timestamp),
}

/// One profile per organization, read and written only in the caller's own organization.
pub trait OrganizationProfiles: Send + Sync {
    fn get_organization_profile(
        &self,
        organization: &OrganizationId,
    ) -> impl Future<Output = Result<Option<OrganizationProfile>, StoreError>> + Send;

    /// Stores `profile` in place of the organization's current one, if any, when `condition`
    /// holds (else `Conflict`, and nothing is written): `Ok(true)` when it replaced one,
    /// `Ok(false)` when it is the first.
    fn put_organization_profile(
        &self,
        profile: &OrganizationProfile,
        condition: ProfileCondition,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
