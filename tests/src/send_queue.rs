//! The SQS queues in the local stand-in, each made from the template's queue and its dead-letter
//! queue (visibility timeout, retention, redrive after `maxReceiveCount`): the batch send queue
//! (`InvitationSendQueue`) and the webhook queue (`WebhookQueue`); and
//! Lambda's SQS event source mapping played by hand: receive up to a batch of messages as the
//! event Lambda builds (<https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html>), hand it to
//! the function, then delete what it did not name in its partial batch response and make the
//! named ones visible again at once (as the visibility timeout would, later).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use serde_yaml::Value;

use crate::{Error, template};

/// A queue of the template, with its dead-letter queue and the mapping that feeds its function.
pub struct QueueResources {
    pub queue: &'static str,
    pub dead_letter: &'static str,
    pub mapping: &'static str,
    /// The local queues' names: `<prefix>-<name>` and `<prefix>-dlq-<name>`.
    pub prefix: &'static str,
}

/// The batch send queue, which `invitation-sender` reads.
pub const SEND_QUEUE: QueueResources = QueueResources {
    queue: "InvitationSendQueue",
    dead_letter: "InvitationSendDeadLetterQueue",
    mapping: "InvitationSenderQueueMapping",
    prefix: "send",
};

/// The webhook queue, which `webhook-sender` reads.
pub const WEBHOOK_QUEUE: QueueResources = QueueResources {
    queue: "WebhookQueue",
    dead_letter: "WebhookDeadLetterQueue",
    mapping: "WebhookSenderQueueMapping",
    prefix: "webhooks",
};

pub struct SendQueueRoute {
    sqs: aws_sdk_sqs::Client,
    resources: &'static QueueResources,
    pub queue_url: String,
    pub dead_letter_url: String,
    queue_arn: String,
}

/// A resource's property from the template, as text.
fn property(resource: &str, path: &[&str]) -> Result<String, Error> {
    let template = template()?;
    let mut value = &template["Resources"][resource]["Properties"];
    for key in path {
        value = &value[*key];
    }
    match value {
        Value::Number(number) => Ok(number.to_string()),
        Value::String(text) => Ok(text.clone()),
        Value::Bool(flag) => Ok(flag.to_string()),
        _ => Err(format!("{resource}.{} is not a scalar", path.join(".")).into()),
    }
}

impl SendQueueRoute {
    /// The batch send queue `send-<name>` and its dead-letter queue `send-dlq-<name>`.
    pub async fn create(sdk: &aws_config::SdkConfig, name: &str) -> Result<Self, Error> {
        Self::create_from(sdk, name, &SEND_QUEUE).await
    }

    /// The queue `resources` name, as `<prefix>-<name>`, with its dead-letter queue.
    pub async fn create_from(
        sdk: &aws_config::SdkConfig,
        name: &str,
        resources: &'static QueueResources,
    ) -> Result<Self, Error> {
        let prefix = resources.prefix;
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let dead_letter_url = sqs
            .create_queue()
            .queue_name(format!("{prefix}-dlq-{name}"))
            .attributes(
                QueueAttributeName::MessageRetentionPeriod,
                property(resources.dead_letter, &["MessageRetentionPeriod"])?,
            )
            .send()
            .await?
            .queue_url
            .ok_or("no queue url")?;
        let dead_letter_arn = Self::arn(&sqs, &dead_letter_url).await?;
        let redrive = serde_json::json!({
            "deadLetterTargetArn": dead_letter_arn,
            "maxReceiveCount": property(resources.queue, &["RedrivePolicy", "maxReceiveCount"])?,
        });
        let queue_url = sqs
            .create_queue()
            .queue_name(format!("{prefix}-{name}"))
            .attributes(
                QueueAttributeName::VisibilityTimeout,
                property(resources.queue, &["VisibilityTimeout"])?,
            )
            .attributes(
                QueueAttributeName::MessageRetentionPeriod,
                property(resources.queue, &["MessageRetentionPeriod"])?,
            )
            .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
            .send()
            .await?
            .queue_url
            .ok_or("no queue url")?;
        let queue_arn = Self::arn(&sqs, &queue_url).await?;
        Ok(Self {
            sqs,
            resources,
            queue_url,
            dead_letter_url,
            queue_arn,
        })
    }

    /// The queues that `create` made earlier (in another process).
    pub async fn existing(sdk: &aws_config::SdkConfig, name: &str) -> Result<Self, Error> {
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let url = |queue: String| {
            let sqs = sqs.clone();
            async move {
                sqs.get_queue_url()
                    .queue_name(queue)
                    .send()
                    .await?
                    .queue_url
                    .ok_or_else(|| Error::from("no queue url"))
            }
        };
        let resources = &SEND_QUEUE;
        let queue_url = url(format!("send-{name}")).await?;
        let dead_letter_url = url(format!("send-dlq-{name}")).await?;
        let queue_arn = Self::arn(&sqs, &queue_url).await?;
        Ok(Self {
            sqs,
            resources,
            queue_url,
            dead_letter_url,
            queue_arn,
        })
    }

    async fn arn(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<String, Error> {
        Ok(sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await?
            .attributes
            .and_then(|mut attributes| attributes.remove(&QueueAttributeName::QueueArn))
            .ok_or("no queue arn")?)
    }

    /// The batch send queue's event source mapping's batch size (the template's).
    pub fn batch_size() -> Result<i32, Error> {
        Self::batch_size_of(&SEND_QUEUE)
    }

    /// A queue's event source mapping's batch size (the template's), as Lambda would receive it.
    fn batch_size_of(resources: &QueueResources) -> Result<i32, Error> {
        Ok(
            template()?["Resources"][resources.mapping]["Properties"]["BatchSize"]
                .as_i64()
                .and_then(|size| i32::try_from(size).ok())
                .ok_or("no BatchSize")?,
        )
    }

    /// Up to a batch of visible messages as Lambda's SQS event; empty when none is visible.
    pub async fn receive(&self) -> Result<SqsEvent, Error> {
        let output = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(Self::batch_size_of(self.resources)?)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await?;
        let mut event = SqsEvent::default();
        for message in output.messages.unwrap_or_default() {
            let mut record = SqsMessage::default();
            record.message_id = message.message_id;
            record.receipt_handle = message.receipt_handle;
            record.body = message.body;
            record.md5_of_body = message.md5_of_body;
            record.attributes = message
                .attributes
                .unwrap_or_default()
                .into_iter()
                .map(|(name, value)| (name.as_str().to_owned(), value))
                .collect();
            record.event_source = Some("aws:sqs".to_owned());
            record.event_source_arn = Some(self.queue_arn.clone());
            record.aws_region = Some("eu-north-1".to_owned());
            event.records.push(record);
        }
        Ok(event)
    }

    /// What Lambda does with the function's answer to `event`: deletes the messages it handled,
    /// and makes the ones it named visible again (now, instead of after the visibility timeout).
    pub async fn settle(&self, event: &SqsEvent, response: &SqsBatchResponse) -> Result<(), Error> {
        for record in &event.records {
            let failed = response
                .batch_item_failures
                .iter()
                .any(|failure| Some(&failure.item_identifier) == record.message_id.as_ref());
            let receipt = record.receipt_handle.clone().unwrap_or_default();
            if failed {
                self.sqs
                    .change_message_visibility()
                    .queue_url(&self.queue_url)
                    .receipt_handle(receipt)
                    .visibility_timeout(0)
                    .send()
                    .await?;
            } else {
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(receipt)
                    .send()
                    .await?;
            }
        }
        Ok(())
    }

    /// How many messages wait in the dead-letter queue.
    pub async fn dead_letters(&self) -> Result<usize, Error> {
        let count = self
            .sqs
            .get_queue_attributes()
            .queue_url(&self.dead_letter_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await?
            .attributes
            .and_then(|mut attributes| {
                attributes.remove(&QueueAttributeName::ApproximateNumberOfMessages)
            })
            .ok_or("no count")?;
        Ok(count.parse()?)
    }
}
