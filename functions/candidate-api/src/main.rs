//! Wiring only: configuration, AWS clients (built once per cold start) and the handler.

use std::sync::Arc;

use candidate_api::CandidateApi;
use candidate_api::config::CandidateApiConfig;
use invitations::adapters::aws::load_sdk_config;
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::eventbridge::EventBridgeBus;
use invitations::config::Configuration;
use invitations::ports::SystemClock;
use lambda_http::{Error, Request, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    invitations::logging::init_subscriber();
    let config = CandidateApiConfig::from_env().inspect_err(|error| tracing::error!("{error}"))?;
    let sdk = load_sdk_config().await;
    let api = Arc::new(CandidateApi::new(
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name),
        EventBridgeBus::new(
            aws_sdk_eventbridge::Client::new(&sdk),
            &config.event_bus_name,
        ),
        SystemClock,
    ));
    lambda_http::run(service_fn(move |request: Request| {
        let api = Arc::clone(&api);
        async move { Ok::<_, Error>(api.handle(request).await) }
    }))
    .await
}
