//! Answers every event with itself: the cold start of a Rust Lambda that does nothing, measured in
//! the same run as the service's functions so that their overhead is a ratio, not a noisy absolute.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<_, Error>(event.payload)
    }))
    .await
}
