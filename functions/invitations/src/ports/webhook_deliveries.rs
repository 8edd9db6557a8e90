//! Webhook deliveries: the store of the delivery log, the queue that paces attempts, and the
//! endpoint an attempt is made to (`domain::webhook_delivery`).

use std::future::Future;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use jiff::Timestamp;

use super::{Page, PageRequest, StoreError};
use crate::domain::Invitation;
use crate::domain::webhook_delivery::{AttemptOutcome, WebhookDelivery};
use crate::domain::webhooks::WebhookUrl;
use crate::domain::{OrganizationId, WebhookDeliveryId, WebhookSubscriptionId};

/// The delivery log: one record per webhook and subscription, each in its organization.
pub trait WebhookDeliveries: Send + Sync {
    /// Stores a new delivery: `false` (nothing written) when it is stored already (the same event
    /// derived again from a replayed change).
    fn insert_delivery(
        &self,
        delivery: &WebhookDelivery,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn get_delivery(
        &self,
        organization: &OrganizationId,
        subscription: WebhookSubscriptionId,
        id: WebhookDeliveryId,
    ) -> impl Future<Output = Result<Option<WebhookDelivery>, StoreError>> + Send;

    /// The subscription's deliveries, newest event first.
    fn list_deliveries(
        &self,
        organization: &OrganizationId,
        subscription: WebhookSubscriptionId,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<WebhookDelivery>, StoreError>> + Send;

    /// Saves `delivery` (its status, attempts, next and last attempt, redelivery mark) if the
    /// stored one still has `attempts_before` attempts and is `pending` when `was_pending`:
    /// `Conflict` (nothing written) when another writer came first. The sender claims an attempt
    /// with it before sending, so that two copies of a message make one attempt.
    fn save_delivery(
        &self,
        delivery: &WebhookDelivery,
        attempts_before: u32,
        was_pending: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// One change of the table, as its stream tells it (`adapters::dynamodb::stream`): what the
/// webhooks come from.
#[derive(Debug, Clone, PartialEq)]
pub enum TableChange {
    /// An invitation as it was before the write (`None` when it was new) and after it (`None`
    /// when it was removed: erased, or its retention ended), and when the write was made.
    /// Boxed: an invitation is large, and most records are of other items.
    Invitation {
        before: Option<Box<Invitation>>,
        after: Option<Box<Invitation>>,
        at: Timestamp,
    },
    /// A delivery that became due: made, or redelivered.
    DeliveryDue(QueuedDelivery),
    /// Anything else (other items, a delivery's own progress).
    Unrelated,
}

/// A delivery due for an attempt, as the webhook queue carries it: ids only, the record is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedDelivery {
    pub organization_id: String,
    pub subscription_id: String,
    pub delivery_id: String,
}

/// The queue the webhook sender works through.
pub trait WebhookQueue: Send + Sync {
    /// Queues deliveries due now.
    fn enqueue(
        &self,
        deliveries: &[QueuedDelivery],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Keeps the received message `receipt` out of sight for `seconds` (at most 12 hours, SQS's
    /// limit), so that it comes back when its delivery's next attempt is due.
    fn defer(
        &self,
        receipt: &str,
        seconds: u32,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// One signed attempt, ready to go.
#[derive(Debug, Clone)]
pub struct WebhookRequest<'a> {
    pub url: &'a WebhookUrl,
    /// The addresses checked for it (`app::webhooks::target_addresses`): the connection goes to
    /// one of these, never to a name resolved again.
    pub addresses: &'a [IpAddr],
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    pub headers: [(&'static str, String); 3],
    pub body: &'a str,
}

/// Where attempts are made: an HTTPS client with short timeouts that follows no redirect.
pub trait WebhookEndpoint: Send + Sync {
    fn post(&self, request: WebhookRequest<'_>) -> impl Future<Output = AttemptOutcome> + Send;
}
