//! The webhook sender's configuration (README, Configuration), read once at cold start.

use invitations::config::{Configuration, Variables};
use invitations::domain::webhooks::TargetRule;

/// The webhook sender (`webhook-sender`).
#[derive(Debug, Clone)]
pub struct WebhookSenderConfig {
    pub table_name: String,
    /// `WEBHOOK_QUEUE_URL`: the queue it works through (to defer a message to its next attempt).
    pub webhook_queue_url: String,
    /// `WEBHOOK_KEY_SECRET_ARN`: the key subscriptions' secrets derive under, read at cold start
    /// (every attempt is signed).
    pub webhook_key_secret_arn: String,
    /// Where webhooks may go (`Variables::webhook_targets`).
    pub webhook_targets: TargetRule,
}

impl Configuration for WebhookSenderConfig {
    fn read(variables: &mut Variables<'_>) -> Option<Self> {
        let table_name = variables.text("TABLE_NAME");
        let webhook_queue_url = variables.text("WEBHOOK_QUEUE_URL");
        let webhook_key_secret_arn = variables.text("WEBHOOK_KEY_SECRET_ARN");
        let webhook_targets = variables.webhook_targets();
        Some(Self {
            table_name: table_name?,
            webhook_queue_url: webhook_queue_url?,
            webhook_key_secret_arn: webhook_key_secret_arn?,
            webhook_targets: webhook_targets?,
        })
    }
}
