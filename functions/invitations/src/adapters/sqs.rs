//! The queues' adapter: SQS `SendMessageBatch` onto the queue `invitation-sender` reads
//! (`ports::SendQueue`) or the one `webhook-sender` reads (`ports::WebhookQueue`), and
//! `ChangeMessageVisibility` for a webhook's next attempt.
//!
//! A duplicate message is harmless (each sender's claim is a conditional write), so the SDK's
//! standard retry stays on, and entries SQS refuses in a batch (its answer lists them) are sent
//! again a few times before the whole call fails.

use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use futures_util::{StreamExt, TryStreamExt};

use serde::Serialize;

use crate::ports::{QueuedDelivery, QueuedInvitation, SendQueue, StoreError, WebhookQueue};

/// SQS's most entries per `SendMessageBatch`.
const PER_BATCH: usize = 10;
/// Calls in flight at once: a thousand rows are 100 calls.
const AT_ONCE: usize = 10;
/// Rounds of sending the entries SQS refused again, with doubling waits from 50 ms.
const ROUNDS: u32 = 4;

/// A failed SQS call, as the ports say it: its error code, never its message (which may quote a
/// request).
fn unavailable(error: impl ProvideErrorMetadata) -> StoreError {
    StoreError::Unavailable(
        error
            .code()
            .unwrap_or("unreachable or timed out")
            .to_owned(),
    )
}

pub struct SqsQueue {
    client: Client,
    queue_url: String,
}

impl SqsQueue {
    /// The queue at `queue_url` (`SEND_QUEUE_URL`, `WEBHOOK_QUEUE_URL`).
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    /// Sends one batch of up to ten messages, again for the entries SQS refused.
    async fn send_batch(&self, messages: &[impl Serialize]) -> Result<(), StoreError> {
        let mut pending: Vec<SendMessageBatchRequestEntry> = messages
            .iter()
            .enumerate()
            .map(|(n, message)| {
                let body = serde_json::to_string(message)
                    .map_err(|error| StoreError::Unavailable(error.to_string()))?;
                SendMessageBatchRequestEntry::builder()
                    .id(n.to_string())
                    .message_body(body)
                    .build()
                    .map_err(|error| StoreError::Unavailable(error.to_string()))
            })
            .collect::<Result<_, _>>()?;
        for round in 0..ROUNDS {
            if round > 0 {
                tokio::time::sleep(Duration::from_millis(50 << round)).await;
            }
            let output = self
                .client
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(pending.clone()))
                .send()
                .await
                .map_err(unavailable)?;
            let failed: Vec<&str> = output.failed().iter().map(|entry| entry.id()).collect();
            pending.retain(|entry| failed.contains(&entry.id()));
            if pending.is_empty() {
                return Ok(());
            }
        }
        Err(StoreError::Unavailable(format!(
            "SQS refused {} messages",
            pending.len()
        )))
    }

    /// Sends every message, ten to a call, a few calls at once.
    async fn send_all<T: Serialize + Clone + Send + Sync>(
        &self,
        messages: &[T],
    ) -> Result<(), StoreError> {
        // Owned chunks: a stream of borrowed ones makes a future that is not `Send` for every
        // lifetime, which the ports' `Send` futures require.
        let chunks: Vec<Vec<T>> = messages.chunks(PER_BATCH).map(<[_]>::to_vec).collect();
        futures_util::stream::iter(chunks)
            .map(|chunk| async move { self.send_batch(&chunk).await })
            .buffer_unordered(AT_ONCE)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }
}

impl SendQueue for SqsQueue {
    async fn enqueue(&self, invitations: &[QueuedInvitation]) -> Result<(), StoreError> {
        self.send_all(invitations).await
    }
}

impl WebhookQueue for SqsQueue {
    async fn enqueue(&self, deliveries: &[QueuedDelivery]) -> Result<(), StoreError> {
        self.send_all(deliveries).await
    }

    async fn defer(&self, receipt: &str, seconds: u32) -> Result<(), StoreError> {
        self.client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt)
            .visibility_timeout(i32::try_from(seconds).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}
