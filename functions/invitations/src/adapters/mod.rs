//! The adapters: the AWS implementations of the ports (DynamoDB, SES v2, EventBridge, SQS), the
//! system's resolver (DNS), the deployment's secrets (Secrets Manager), the SDK configuration
//! they share, and in-memory implementations for the use cases' tests (`memory`, behind the
//! `test-util` feature).

pub mod aws;
pub mod dns;
pub mod dynamodb;
pub mod eventbridge;
#[cfg(any(test, feature = "test-util"))]
pub mod memory;
pub mod secrets;
pub mod ses;
pub mod sqs;
