//! The store of organization profiles.

use std::future::Future;

use super::StoreError;
use crate::domain::{OrganizationId, OrganizationProfile};

/// One profile per organization, read and written only in the caller's own organization.
pub trait OrganizationProfiles: Send + Sync {
    fn get_organization_profile(
        &self,
        organization: &OrganizationId,
    ) -> impl Future<Output = Result<Option<OrganizationProfile>, StoreError>> + Send;

    /// Stores `profile` in place of the organization's current one, if any: `Ok(true)` when it
    /// replaced one, `Ok(false)` when it is the first.
    fn put_organization_profile(
        &self,
        profile: &OrganizationProfile,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
