//! The mailer adapter: SES v2 `SendEmail` with simple content (SES builds the MIME message).

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use crate::config::MailConfig;
use crate::ports::{MailError, Mailer, MessageId, OutgoingEmail};

pub struct SesMailer {
    client: Client,
    /// `From`, as configured by the operator (may carry a display name).
    sender: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(client: Client, config: &MailConfig) -> Self {
        Self {
            client,
            sender: config.sender_email.clone(),
            configuration_set: config.ses_configuration_set.clone(),
        }
    }
}

fn utf8(data: &str) -> Result<Content, MailError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|error| MailError::Refused(error.to_string()))
}

impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<MessageId, MailError> {
        let destination = Destination::builder()
            .to_addresses(email.to.as_str())
            .set_bcc_addresses(email.bcc.as_ref().map(|bcc| vec![bcc.as_str().to_owned()]))
            .build();
        let message = Message::builder()
            .subject(utf8(&email.subject)?)
            .body(
                Body::builder()
                    .html(utf8(&email.html)?)
                    .text(utf8(&email.text)?)
                    .build(),
            )
            .build();
        let output = self
            .client
            .send_email()
            .from_email_address(&self.sender)
            .destination(destination)
            .set_reply_to_addresses(
                email
                    .reply_to
                    .as_ref()
                    .map(|reply_to| vec![reply_to.as_str().to_owned()]),
            )
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|error| match &error {
                SdkError::ServiceError(service) => {
                    MailError::Refused(service.err().code().unwrap_or("unknown").to_owned())
                }
                SdkError::TimeoutError(_) => MailError::Unavailable("timeout".to_owned()),
                SdkError::DispatchFailure(_) => MailError::Unavailable("unreachable".to_owned()),
                _ => MailError::Unavailable("unreadable answer".to_owned()),
            })?;
        output
            .message_id
            .ok_or_else(|| MailError::Unavailable("no message id in the answer".to_owned()))
    }
}
