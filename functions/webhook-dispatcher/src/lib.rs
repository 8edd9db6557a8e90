//! The webhook dispatcher: the function the table's DynamoDB stream invokes. It reads each record
//! as a change (`invitations::adapters::dynamodb::stream`), writes a delivery for each webhook an
//! invitation's step makes and each subscription that wants it, and queues the deliveries that
//! became due for `webhook-sender` (`invitations::app::webhook_deliveries::Dispatcher`).
//!
//! A failure fails the whole batch: Lambda gives the stream's records again (the event source
//! retries, then bisects, then sends the batch's place to the dead-letter queue). Nothing is
//! written or queued twice by that: a delivery's id is its event's.

pub mod config;

use aws_lambda_events::event::dynamodb::Event;
use invitations::adapters::dynamodb::stream::table_change;
use invitations::app::webhook_deliveries::{Dispatched, Dispatcher};
use invitations::ports::{
    Clock, StoreError, TableChange, WebhookDeliveries, WebhookQueue, WebhookSubscriptions,
};

pub struct WebhookDispatcherFunction<S, Q, C> {
    store: S,
    queue: Q,
    clock: C,
}

impl<S, Q, C> WebhookDispatcherFunction<S, Q, C>
where
    S: WebhookSubscriptions + WebhookDeliveries,
    Q: WebhookQueue,
    C: Clock,
{
    pub fn new(store: S, queue: Q, clock: C) -> Self {
        Self {
            store,
            queue,
            clock,
        }
    }

    /// One batch of stream records, in order. A record whose image does not read is logged and
    /// skipped: given again, it would fail the same way and hold up every later change.
    pub async fn handle(&self, event: &Event) -> Result<Dispatched, StoreError> {
        let changes: Vec<TableChange> = event
            .records
            .iter()
            .filter_map(|record| {
                table_change(record)
                    .inspect_err(|error| {
                        tracing::error!(
                            %error,
                            event_id = record.event_id,
                            "a stream record does not read as its item; skipped"
                        );
                    })
                    .ok()
            })
            .collect();
        let dispatched = Dispatcher {
            store: &self.store,
            queue: &self.queue,
            clock: &self.clock,
        }
        .dispatch(&changes)
        .await
        .inspect_err(|error| tracing::error!(%error, "the batch is given again"))?;
        tracing::info!(
            records = event.records.len(),
            deliveries = dispatched.deliveries,
            queued = dispatched.queued,
            "stream records dispatched"
        );
        Ok(dispatched)
    }
}
