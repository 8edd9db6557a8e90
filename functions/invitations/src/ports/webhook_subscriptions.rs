//! The store of organizations' webhook subscriptions (`domain::webhooks`).

use std::future::Future;

use jiff::Timestamp;

use super::StoreError;
use crate::domain::webhooks::{DisabledBecause, WebhookSubscription};
use crate::domain::{OrganizationId, WebhookSubscriptionId};

/// How many subscriptions an organization may hold: enough for a few integrations and their test
/// endpoints, few enough that one change is not fanned out into a flood of deliveries.
pub const MAX_WEBHOOK_SUBSCRIPTIONS: u32 = 10;

/// Webhook subscriptions, each in its organization.
pub trait WebhookSubscriptions: Send + Sync {
    /// Stores a new subscription. `QuotaExhausted` (nothing stored) when its organization holds
    /// [`MAX_WEBHOOK_SUBSCRIPTIONS`] already.
    fn insert_subscription(
        &self,
        subscription: &WebhookSubscription,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn get_subscription(
        &self,
        organization: &OrganizationId,
        id: WebhookSubscriptionId,
    ) -> impl Future<Output = Result<Option<WebhookSubscription>, StoreError>> + Send;

    /// Every subscription of the organization, oldest first.
    fn list_subscriptions(
        &self,
        organization: &OrganizationId,
    ) -> impl Future<Output = Result<Vec<WebhookSubscription>, StoreError>> + Send;

    /// Saves the rotation of `subscription`'s secret (its `secret_generation` and
    /// `previous_secret_until`, nothing else), if the stored one is still at the generation
    /// before: `Conflict` (nothing written) when another rotation came between, or it is gone.
    fn rotate_subscription_secret(
        &self,
        subscription: &WebhookSubscription,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stops the subscription's deliveries at `at`, for `because` (nothing else changes):
    /// `Conflict` when they are stopped already, or it is gone.
    fn disable_subscription(
        &self,
        organization: &OrganizationId,
        id: WebhookSubscriptionId,
        at: Timestamp,
        because: DisabledBecause,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes the subscription: `false` when there was none.
    fn delete_subscription(
        &self,
        organization: &OrganizationId,
        id: WebhookSubscriptionId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
