//! AWS SDK configuration shared by every function: explicit timeouts so that a slow dependency
//! turns into a clear error well inside the Lambda and API Gateway limits instead of a hung request.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};

/// Connecting is fast or hopeless; one attempt of a small DynamoDB or SES request takes tens of
/// milliseconds; three attempts with backoff must fit well under API Gateway's 30 s.
pub fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_secs(2))
        .operation_timeout(Duration::from_secs(5))
        .build()
}

/// Loads region, credentials and endpoint (`AWS_ENDPOINT_URL`, used for the local stand-in) from
/// the standard environment, with our timeouts and the standard retry mode.
pub async fn load_sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts())
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .load()
        .await
}
