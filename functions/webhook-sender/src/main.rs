//! Wiring only: configuration, AWS clients, the webhook key and the HTTPS client (each made once
//! per cold start) and the handler.

// The handler's future nests the use case's, the store's and the SDK's; computing its layout goes
// deeper than rustc's default limit of 128.
#![recursion_limit = "256"]

use std::sync::Arc;

use aws_lambda_events::event::sqs::SqsEvent;
use invitations::adapters::aws::load_sdk_config;
use invitations::adapters::dns::SystemResolver;
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::secrets::read_key;
use invitations::adapters::sqs::SqsQueue;
use invitations::config::Configuration;
use invitations::domain::webhooks::WebhookKey;
use invitations::metrics::Metrics;
use invitations::ports::SystemClock;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use webhook_sender::WebhookSenderFunction;
use webhook_sender::config::WebhookSenderConfig;
use webhook_sender::endpoint::HttpsEndpoint;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    invitations::logging::init_subscriber();
    let config = WebhookSenderConfig::from_env().inspect_err(|error| tracing::error!("{error}"))?;
    let metrics =
        Metrics::from_env("webhook-sender").inspect_err(|error| tracing::error!("{error}"))?;
    let endpoint =
        HttpsEndpoint::with_system_roots().inspect_err(|error| tracing::error!("{error}"))?;
    let sdk = load_sdk_config().await;
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    // Every attempt is signed: read at cold start.
    let key: WebhookKey = read_key(&secrets, &config.webhook_key_secret_arn)
        .await
        .map_err(|problem| format!("the webhook key (WEBHOOK_KEY_SECRET_ARN): {problem}"))
        .inspect_err(|error| tracing::error!("{error}"))?;
    let sender = Arc::new(WebhookSenderFunction {
        store: DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name),
        queue: SqsQueue::new(aws_sdk_sqs::Client::new(&sdk), &config.webhook_queue_url),
        resolver: SystemResolver,
        endpoint,
        clock: SystemClock,
        rule: config.webhook_targets,
        key,
    });
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let sender = Arc::clone(&sender);
        let invocation = async move { sender.handle(event.payload).await };
        async move { Ok::<_, Error>(metrics.around(invocation).await) }
    }))
    .await
}
