//! Wiring only: configuration, AWS clients (built once per cold start) and the handler.

// The handler's future nests the use case's, the store's and the SDK's; computing its layout goes
// deeper than rustc's default limit of 128.
#![recursion_limit = "256"]

use std::sync::Arc;

use email_events::config::EmailEventsConfig;
use email_events::{EmailEvents, Settings};
use invitations::adapters::aws::load_sdk_config;
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::ses::SesMailer;
use invitations::config::Configuration;
use invitations::metrics::Metrics;
use invitations::ports::SystemClock;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    invitations::logging::init_subscriber();
    let config = EmailEventsConfig::from_env().inspect_err(|error| tracing::error!("{error}"))?;
    let metrics =
        Metrics::from_env("email-events").inspect_err(|error| tracing::error!("{error}"))?;
    let sdk = load_sdk_config().await;
    let events = Arc::new(EmailEvents::new(
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name),
        SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), &config.mail),
        SystemClock,
        Settings::from(&config),
    ));
    // The event is taken as plain JSON: one that cannot be read must reach the handler to be
    // dropped, not fail deserialization and be retried.
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let events = Arc::clone(&events);
        async move {
            let outcome = metrics.around(events.handle(&event.payload)).await?;
            Ok::<_, Error>(json!({ "outcome": outcome.code() }))
        }
    }))
    .await
}
