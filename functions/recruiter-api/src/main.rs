//! Wiring only: configuration, AWS clients (built once per cold start) and the handler.

use std::sync::Arc;

use invitations::adapters::aws::load_sdk_config;
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::secrets::LinkKeys;
use invitations::adapters::ses::SesMailer;
use invitations::config::Configuration;
use invitations::ports::SystemClock;
use lambda_http::{Error, Request, service_fn};
use recruiter_api::config::RecruiterApiConfig;
use recruiter_api::{RecruiterApi, Settings};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    invitations::logging::init_subscriber();
    let config = RecruiterApiConfig::from_env().inspect_err(|error| tracing::error!("{error}"))?;
    let sdk = load_sdk_config().await;
    // Read when a deadline notice first needs it: no cold start waits for Secrets Manager.
    let link_keys = LinkKeys::from_secret(
        aws_sdk_secretsmanager::Client::new(&sdk),
        config.link_key_secret_arn.clone(),
    );
    let api = Arc::new(RecruiterApi::new(
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name),
        SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), &config.mail),
        SystemClock,
        Settings::from(&config),
        link_keys,
    ));
    lambda_http::run(service_fn(move |request: Request| {
        let api = Arc::clone(&api);
        async move { Ok::<_, Error>(api.handle(request).await) }
    }))
    .await
}
