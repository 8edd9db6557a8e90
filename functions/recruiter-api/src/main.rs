//! Wiring only: configuration, AWS clients (built once per cold start) and the handler.

use std::sync::Arc;

use invitations::adapters::aws::load_sdk_config;
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::eventbridge::EventBridgeBus;
use invitations::adapters::secrets::{LinkKeys, LookupKeys, WebhookKeys};
use invitations::adapters::ses::SesMailer;
use invitations::adapters::sqs::SqsQueue;
use invitations::config::Configuration;
use invitations::metrics::Metrics;
use invitations::ports::SystemClock;
use lambda_http::{Error, Request, service_fn};
use recruiter_api::config::RecruiterApiConfig;
use recruiter_api::{Keys, RecruiterApi, Settings};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    invitations::logging::init_subscriber();
    let config = RecruiterApiConfig::from_env().inspect_err(|error| tracing::error!("{error}"))?;
    let metrics =
        Metrics::from_env("recruiter-api").inspect_err(|error| tracing::error!("{error}"))?;
    let sdk = load_sdk_config().await;
    // Each read when first needed: no cold start waits for Secrets Manager.
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    let keys = Keys {
        links: LinkKeys::from_secret(secrets.clone(), config.link_key_secret_arn.clone()),
        lookups: LookupKeys::from_secret(secrets.clone(), config.lookup_key_secret_arn.clone()),
        webhooks: WebhookKeys::from_secret(secrets, config.webhook_key_secret_arn.clone()),
    };
    let api = Arc::new(RecruiterApi::new(
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name),
        SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), &config.mail),
        EventBridgeBus::new(
            aws_sdk_eventbridge::Client::new(&sdk),
            &config.event_bus_name,
        ),
        SqsQueue::new(aws_sdk_sqs::Client::new(&sdk), &config.send_queue_url),
        SystemClock,
        Settings::from(&config),
        keys,
    ));
    lambda_http::run(service_fn(move |request: Request| {
        let api = Arc::clone(&api);
        async move { Ok::<_, Error>(metrics.around(api.handle(request)).await) }
    }))
    .await
}
