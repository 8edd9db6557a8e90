//! Wiring only: configuration, AWS clients (built once per cold start) and the handler.

// The handler's future nests the use case's, the store's and the SDK's; computing its layout goes
// deeper than rustc's default limit of 128.
#![recursion_limit = "256"]

use std::sync::Arc;

use aws_lambda_events::event::sqs::SqsEvent;
use invitation_sender::config::InvitationSenderConfig;
use invitation_sender::{InvitationSenderFunction, Settings};
use invitations::adapters::aws::load_sdk_config;
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::ses::SesMailer;
use invitations::config::Configuration;
use invitations::metrics::Metrics;
use invitations::ports::SystemClock;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    invitations::logging::init_subscriber();
    let config =
        InvitationSenderConfig::from_env().inspect_err(|error| tracing::error!("{error}"))?;
    let metrics =
        Metrics::from_env("invitation-sender").inspect_err(|error| tracing::error!("{error}"))?;
    let sdk = load_sdk_config().await;
    let sender = Arc::new(InvitationSenderFunction::new(
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name),
        SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), &config.mail),
        SystemClock,
        Settings::from(&config),
    ));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let sender = Arc::clone(&sender);
        // Lambda's deadline (epoch milliseconds) as an instant of this process's clock.
        let left = event.context.deadline.saturating_sub(
            jiff::Timestamp::now()
                .as_millisecond()
                .try_into()
                .unwrap_or(0),
        );
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(left);
        let invocation = async move { sender.handle_until(event.payload, Some(deadline)).await };
        async move { Ok::<_, Error>(metrics.around(invocation).await) }
    }))
    .await
}
