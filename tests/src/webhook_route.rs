//! The webhooks' route in the local stand-in: the world's table's stream, the template's webhook
//! queue and an integrator's endpoint, with Lambda's two event source mappings played by hand
//! (the stream's for `webhook-dispatcher`, the queue's for `webhook-sender`). Both functions use
//! the clients of their own call logs (`World::calls`), so that the IAM test sees their calls.

use aws_lambda_events::event::sqs::SqsBatchResponse;
use invitations::adapters::dns::SystemResolver;
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::sqs::SqsQueue;
use invitations::app::webhook_deliveries::Dispatched;
use invitations::domain::webhooks::TargetRule;
use invitations::ports::FixedClock;
use jiff::{SignedDuration, Timestamp};
use webhook_dispatcher::WebhookDispatcherFunction;
use webhook_sender::WebhookSenderFunction;
use webhook_sender::endpoint::HttpsEndpoint;

use crate::Error;
use crate::send_queue::{SendQueueRoute, WEBHOOK_QUEUE};
use crate::table_stream::TableStream;
use crate::webhook_receiver::WebhookReceiver;
use crate::world::{World, webhook_key};

pub type Dispatcher = WebhookDispatcherFunction<DynamoStore, SqsQueue, FixedClock>;
pub type Sender =
    WebhookSenderFunction<DynamoStore, SqsQueue, SystemResolver, HttpsEndpoint, FixedClock>;

pub struct WebhookRoute {
    pub stream: TableStream,
    pub queue: SendQueueRoute,
    pub receiver: WebhookReceiver,
    /// Real time: the reference implementation checks a webhook's timestamp against its clock.
    pub now: Timestamp,
}

impl WebhookRoute {
    /// The route of `world`'s table, its stream read from its start.
    pub async fn create(world: &World) -> Result<Self, Error> {
        Ok(Self {
            stream: TableStream::open(&world.dynamodb, &world.table).await?,
            queue: SendQueueRoute::create_from(&world.sdk, &world.tag, &WEBHOOK_QUEUE).await?,
            receiver: WebhookReceiver::start().await?,
            now: Timestamp::now(),
        })
    }

    fn queue_adapter(&self, client: aws_sdk_sqs::Client) -> SqsQueue {
        SqsQueue::new(client, &self.queue.queue_url)
    }

    pub fn dispatcher(&self, world: &World) -> Dispatcher {
        let calls = &world.calls.webhook_dispatcher;
        WebhookDispatcherFunction::new(
            DynamoStore::new(calls.dynamodb(&world.sdk), &world.table),
            self.queue_adapter(calls.sqs(&world.sdk)),
            FixedClock(self.now),
        )
    }

    /// The stream's mapping, by hand: the dispatcher gets the records written since the last
    /// call, until there are none (its own deliveries' records are the next round's).
    pub async fn dispatch(&mut self, world: &World) -> Result<Dispatched, Error> {
        let dispatcher = self.dispatcher(world);
        let mut total = Dispatched::default();
        loop {
            let event = self.stream.next_event().await?;
            if event.records.is_empty() {
                return Ok(total);
            }
            let round = dispatcher.handle(&event).await?;
            total.deliveries += round.deliveries;
            total.queued += round.queued;
        }
    }

    /// The sender with its clock at `at`, sending where `rule` allows.
    pub fn sender(&self, world: &World, at: Timestamp, rule: TargetRule) -> Result<Sender, Error> {
        let calls = &world.calls.webhook_sender;
        Ok(WebhookSenderFunction {
            store: DynamoStore::new(calls.dynamodb(&world.sdk), &world.table),
            queue: self.queue_adapter(calls.sqs(&world.sdk)),
            resolver: SystemResolver,
            endpoint: HttpsEndpoint::with_system_roots()?,
            clock: FixedClock(at),
            rule,
            key: webhook_key(),
        })
    }

    /// The queue's mapping, by hand: one batch to a sender (loopback allowed) whose clock stands
    /// `seconds` after `now`; the messages it names come back at once (as their deferral would
    /// make them, later).
    pub async fn send_after(&self, world: &World, seconds: i64) -> Result<SqsBatchResponse, Error> {
        let sender = self.sender(
            world,
            self.now + SignedDuration::from_secs(seconds),
            TargetRule {
                allow_loopback: true,
            },
        )?;
        let event = self.queue.receive().await?;
        let response = sender.handle(event.clone()).await;
        self.queue.settle(&event, &response).await?;
        Ok(response)
    }
}
