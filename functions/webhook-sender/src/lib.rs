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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use aws_lambda_events::event::sqs::SqsMessage;
    use invitations::adapters::memory::{
        MemoryStore, MemoryWebhookQueue, ScriptedEndpoint, StaticResolver,
    };
    use invitations::domain::fixtures;
    use invitations::domain::webhook_delivery::{AttemptOutcome, WebhookDelivery};
    use invitations::domain::webhooks::{
        WebhookEvent, WebhookEventType, WebhookSubscription, WebhookUrl,
    };
    use invitations::ports::FixedClock;

    use super::*;

    fn message(id: &str, body: &str) -> SqsMessage {
        let mut message = SqsMessage::default();
        message.message_id = Some(id.to_owned());
        message.receipt_handle = Some(format!("receipt-{id}"));
        message.body = Some(body.to_owned());
        message
    }

    /// A retry keeps its message, out of sight until a second after the attempt is due; a
    /// delivered one and a message that is no delivery are done with.
    #[tokio::test]
    async fn a_retry_keeps_its_message_deferred_to_its_turn() {
        let store = MemoryStore::default();
        let mut unsent = fixtures::invitation();
        unsent.sent_at = None;
        let mut sent = unsent.clone();
        sent.sent_at = Some(fixtures::now());
        let subscription = WebhookSubscription::new(
            sent.organization_id.clone(),
            WebhookUrl::parse("https://ats.example/hooks", TargetRule::default()).unwrap(),
            BTreeSet::from([WebhookEventType::InvitationSent]),
            None,
            fixtures::now(),
        );
        store.insert_subscription(&subscription).await.unwrap();
        let event = WebhookEvent::of_change(&unsent, &sent, fixtures::now()).remove(0);
        let delivery = WebhookDelivery::new(&event, subscription.id, fixtures::now());
        store.insert_delivery(&delivery).await.unwrap();
        let queued = serde_json::to_string(&QueuedDelivery {
            organization_id: sent.organization_id.as_str().to_owned(),
            subscription_id: subscription.id.to_string(),
            delivery_id: delivery.id.to_string(),
        })
        .unwrap();
        let function = WebhookSenderFunction {
            store,
            queue: MemoryWebhookQueue::default(),
            resolver: StaticResolver::new([("ats.example", vec!["93.184.215.14"])]),
            endpoint: ScriptedEndpoint::default(),
            clock: FixedClock(fixtures::now()),
            rule: TargetRule::default(),
            key: WebhookKey::new(vec![5; 32]).unwrap(),
        };
        function
            .endpoint
            .answer_with([AttemptOutcome::Answered(503)]);
        let mut event = SqsEvent::default();
        event.records = vec![message("m-1", &queued), message("m-2", "not a delivery")];
        let response = function.handle(event).await;
        let again: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|failure| failure.item_identifier.as_str())
            .collect();
        assert_eq!(again, ["m-1"]);
        assert_eq!(function.queue.deferred(), [("receipt-m-1".to_owned(), 6)]);
        assert_eq!(function.endpoint.received().len(), 1);
    }
}
