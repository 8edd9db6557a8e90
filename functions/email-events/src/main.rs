//! Wiring only: configuration, AWS clients (built once per cold start) and the handler.

use std::sync::Arc;

use email_events::config::EmailEventsConfig;
use email_events::{EmailEvents, Settings};
use invitations::adapters::aws::load_sdk_config;
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::ses::SesMailer;
use invitations::config::Configuration;
use invitations::ports::SystemClock;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    invitations::logging::init_subscriber();
    let config = EmailEventsConfig::from_env().inspect_err(|error| tracing::error!("{error}"))?;
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
            let outcome = events.handle(&event.payload).await?;
            Ok::<_, Error>(json!({ "outcome": outcome.code() }))
        }
    }))
    .await
}
