//! The webhook sender: the SQS-triggered function that makes each webhook attempt
//! (`invitations::app::webhook_deliveries::WebhookSender`), one message per delivery. A batch's
//! messages are attempted at once, each with its own timeouts, so that one organization's slow
//! endpoint holds up only its own message. A delivery to try again later keeps its message: it is
//! made invisible until the attempt is due (`ChangeMessageVisibility`) and named in the partial
//! batch response (<https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html>).

pub mod config;
pub mod endpoint;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use futures_util::StreamExt;
use invitations::app::webhook_deliveries::{Attempted, WebhookSender};
use invitations::domain::webhooks::{TargetRule, WebhookKey};
use invitations::ports::{
    Clock, HostResolver, QueuedDelivery, WebhookDeliveries, WebhookEndpoint, WebhookQueue,
    WebhookSubscriptions,
};

/// The event source's batch size: every message of a batch is attempted at once.
pub const AT_ONCE: usize = 10;

pub struct WebhookSenderFunction<S, Q, R, E, C> {
    pub store: S,
    pub queue: Q,
    pub resolver: R,
    pub endpoint: E,
    pub clock: C,
    pub rule: TargetRule,
    pub key: WebhookKey,
}

impl<S, Q, R, E, C> WebhookSenderFunction<S, Q, R, E, C>
where
    S: WebhookSubscriptions + WebhookDeliveries,
    Q: WebhookQueue,
    R: HostResolver,
    E: WebhookEndpoint,
    C: Clock,
{
    /// One invocation: the messages to deliver again (a retry not yet due, or a store that
    /// failed). Never fails as a whole, so that one message cannot make SQS deliver the others
    /// again.
    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let again: Vec<Option<String>> = futures_util::stream::iter(&event.records)
            .map(|message| self.take(message))
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        let mut response = SqsBatchResponse::default();
        for id in again.into_iter().flatten() {
            response.add_failure(id);
        }
        response
    }

    /// The message's id when it is to come again.
    async fn take(&self, message: &SqsMessage) -> Option<String> {
        let id = message.message_id.clone()?;
        let queued = message
            .body
            .as_deref()
            .and_then(|body| serde_json::from_str::<QueuedDelivery>(body).ok());
        let Some(queued) = queued else {
            tracing::warn!(
                message = id,
                "a message that is no queued delivery; dropped"
            );
            return None;
        };
        let sender = WebhookSender {
            store: &self.store,
            resolver: &self.resolver,
            endpoint: &self.endpoint,
            clock: &self.clock,
            rule: self.rule,
            key: &self.key,
        };
        match sender.attempt(&queued).await {
            Ok(Attempted::Done) => None,
            Ok(Attempted::RetryIn(seconds)) => {
                if let Some(receipt) = message.receipt_handle.as_deref()
                    && let Err(error) = self.queue.defer(receipt, seconds).await
                {
                    // It comes back after the queue's visibility timeout instead, and waits.
                    tracing::warn!(%error, "a retry's message could not be deferred");
                }
                Some(id)
            }
            Err(error) => {
                tracing::error!(%error, "a delivery could not be attempted; it comes again");
                Some(id)
            }
        }
    }
}
