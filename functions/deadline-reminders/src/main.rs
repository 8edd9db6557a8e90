//! Wiring only: configuration, AWS clients and the link key (once per cold start), and the handler.

use std::sync::Arc;

use deadline_reminders::config::DeadlineRemindersConfig;
use deadline_reminders::{DeadlineReminders, Outcome, Settings};
use invitations::adapters::aws::load_sdk_config;
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::secrets::read_link_key;
use invitations::adapters::ses::SesMailer;
use invitations::config::Configuration;
use invitations::metrics::Metrics;
use invitations::ports::SystemClock;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    invitations::logging::init_subscriber();
    let config =
        DeadlineRemindersConfig::from_env().inspect_err(|error| tracing::error!("{error}"))?;
    let metrics =
        Metrics::from_env("deadline-reminders").inspect_err(|error| tracing::error!("{error}"))?;
    let sdk = load_sdk_config().await;
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    let link_key = read_link_key(&secrets, &config.link_key_secret_arn)
        .await
        .map_err(|problem| format!("LINK_KEY_SECRET_ARN: {problem}"))
        .inspect_err(|error| tracing::error!("{error}"))?;
    let reminders = Arc::new(DeadlineReminders::new(
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name),
        SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), &config.mail),
        SystemClock,
        Settings::from(&config),
        link_key,
    ));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let reminders = Arc::clone(&reminders);
        async move {
            Ok::<_, Error>(
                match metrics.around(reminders.handle(&event.payload)).await? {
                    Outcome::Swept(report) => json!({
                        "due": report.due, "sent": report.sent, "notSent": report.not_sent,
                        "skipped": report.skipped, "taken": report.taken, "failed": report.failed
                    }),
                    Outcome::Ignored => json!({ "ignored": true }),
                },
            )
        }
    }))
    .await
}
