//! The dispatcher's configuration (README, Configuration), read once at cold start.

use invitations::config::{Configuration, Variables};

/// The webhook dispatcher (`webhook-dispatcher`).
#[derive(Debug, Clone)]
pub struct WebhookDispatcherConfig {
    pub table_name: String,
    /// `WEBHOOK_QUEUE_URL`: the SQS queue `webhook-sender` works through.
    pub webhook_queue_url: String,
}

impl Configuration for WebhookDispatcherConfig {
    fn read(variables: &mut Variables<'_>) -> Option<Self> {
        let table_name = variables.text("TABLE_NAME");
        let webhook_queue_url = variables.text("WEBHOOK_QUEUE_URL");
        Some(Self {
            table_name: table_name?,
            webhook_queue_url: webhook_queue_url?,
        })
    }
}
