//! Wiring only: configuration, AWS clients (built once per cold start) and the handler.

// The handler's future nests the use case's, the store's and the SDK's; computing its layout goes
// deeper than rustc's default limit of 128.
#![recursion_limit = "256"]

use std::sync::Arc;

use aws_lambda_events::event::dynamodb::Event;
use invitations::adapters::aws::load_sdk_config;
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::sqs::SqsQueue;
use invitations::config::Configuration;
use invitations::metrics::Metrics;
use invitations::ports::SystemClock;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use webhook_dispatcher::WebhookDispatcherFunction;
use webhook_dispatcher::config::WebhookDispatcherConfig;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    invitations::logging::init_subscriber();
    let config =
        WebhookDispatcherConfig::from_env().inspect_err(|error| tracing::error!("{error}"))?;
    let metrics =
        Metrics::from_env("webhook-dispatcher").inspect_err(|error| tracing::error!("{error}"))?;
    let sdk = load_sdk_config().await;
    let dispatcher = Arc::new(WebhookDispatcherFunction::new(
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name),
        SqsQueue::new(aws_sdk_sqs::Client::new(&sdk), &config.webhook_queue_url),
        SystemClock,
    ));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| {
        let dispatcher = Arc::clone(&dispatcher);
        let invocation = async move { dispatcher.handle(&event.payload).await.map(drop) };
        async move { metrics.around(invocation).await.map_err(Error::from) }
    }))
    .await
}
