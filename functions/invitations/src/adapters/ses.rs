//! The mailer adapter: SES v2 `SendEmail` with simple content (SES builds the MIME message).
//!
//! Sending an email is not idempotent, so the SES client never repeats a send that may have
//! happened: the SDK's standard retry would re-send after a timeout or a connection lost once the
//! request left, and SES would email twice. Only failures that prove nothing was sent are retried
//! (SES answered with throttling or a 5xx, or no connection was made); the rest surface as
//! [`MailError::Unconfirmed`], and SES's own events (each email is tagged with what it is about)
//! can settle them later. EventBridge's `PutEvents` keeps the standard retry: a duplicate event is
//! harmless, since its one consumer, the notifier, claims each notice before sending.

use std::error::Error as StdError;

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageTag};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};

use lettre::message::header::{Headers, Sender};

use crate::config::MailConfig;
use crate::ports::{EmailPurpose, MailError, Mailbox, Mailer, MessageId, OutgoingEmail};

pub struct SesMailer {
    client: Client,
    /// `From`, as configured by the operator.
    sender: Mailbox,
    configuration_set: Option<String>,
}

impl SesMailer {
    /// The mailer over `client`, which it reconfigures never to repeat a send that may have
    /// happened ([`NoRepeatedSends`]), however the client was built.
    pub fn new(client: Client, config: &MailConfig) -> Self {
        let client = Client::from_conf(
            client
                .config()
                .to_builder()
                .retry_classifier(NoRepeatedSends)
                .build(),
        );
        Self {
            client,
            sender: config.sender.clone(),
            configuration_set: config.ses_configuration_set.clone(),
        }
    }
}

/// Whether a request that failed this way may have reached SES and taken effect: a timeout while
/// waiting for the answer, a connection lost after the request was written, an answer that could
/// not be read. Not when SES answered with an error, or when no connection was made at all.
fn may_have_taken_effect<E>(error: &OrchestratorError<E>) -> bool {
    if error.is_operation_error() {
        return false;
    }
    match error.as_connector_error() {
        Some(connector) => !connection_never_made(connector),
        // A timeout, an unreadable response, or a failure of our own before sending (the latter
        // is rare and retrying it gains nothing).
        None => error.is_timeout_error() || error.is_response_error(),
    }
}

/// Whether the connector failed while connecting (DNS, TCP, TLS), before any byte of the request
/// was written: hyper-util marks those errors, which the SDK's HTTP client wraps.
fn connection_never_made(error: &ConnectorError) -> bool {
    let mut next: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(error) = next {
        if let Some(client) = error.downcast_ref::<hyper_util::client::legacy::Error>() {
            return client.is_connect();
        }
        next = error.source();
    }
    false
}

/// The SES client's retry rule: a send that may have taken effect is never retried (see the
/// module); every other failure is left to the SDK's standard classifiers (throttling, 5xx,
/// connection failures are retried).
#[derive(Debug)]
pub struct NoRepeatedSends;

impl ClassifyRetry for NoRepeatedSends {
    fn classify_retry(&self, context: &InterceptorContext) -> RetryAction {
        match context.output_or_error() {
            Some(Err(error)) if may_have_taken_effect(error) => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "no repeated sends"
    }

    /// After the standard classifiers, whose "retry" it overrides.
    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// The SES tags of an email (`kind`, `organization-id`, `invitation-id`): SES copies them into its
/// events about the message. Both ids are made of letters, digits, `-` and `_`, which is what SES
/// allows in a tag (`MessageTag`).
pub fn email_tags(purpose: &EmailPurpose) -> Vec<MessageTag> {
    [
        ("kind", purpose.kind.code().to_owned()),
        (
            "organization-id",
            purpose.organization_id.as_str().to_owned(),
        ),
        ("invitation-id", purpose.invitation_id.to_string()),
    ]
    .into_iter()
    .filter_map(|(name, value)| MessageTag::builder().name(name).value(value).build().ok())
    .collect()
}

/// A mailbox as an address header holds it, on one line of ASCII (lettre's encoding): a name of
/// plain words as an RFC 5322 quoted string, any other (non-ASCII, or with specials such as a
/// comma) as RFC 2047 encoded words, which SES requires of a non-ASCII "friendly" name; then
/// `<address>`. A bare address without a name.
pub fn header_mailbox(mailbox: &Mailbox) -> String {
    let address = match mailbox.address.as_str().parse() {
        Ok(address) => address,
        // Unreachable for an `EmailAddress` (a dot-atom at a host name); still, never a panic.
        Err(_) => return mailbox.address.as_str().to_owned(),
    };
    let mut headers = Headers::new();
    headers.set(Sender::from(lettre::message::Mailbox::new(
        mailbox.name.clone(),
        address,
    )));
    // "Sender: <value>\r\n", folded with "\r\n " where long: unfolded to one line.
    headers
        .to_string()
        .trim_start_matches("Sender:")
        .replace("\r\n", "")
        .trim()
        .to_owned()
}

fn utf8(data: &str) -> Result<Content, MailError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|error| MailError::Refused(error.to_string()))
}

impl SesMailer {
    /// The configured sender, under the email's own display name when it has one.
    fn sender_of(&self, email: &OutgoingEmail) -> Mailbox {
        Mailbox {
            name: email.from_name.clone().or_else(|| self.sender.name.clone()),
            address: self.sender.address.clone(),
        }
    }
}

impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<MessageId, MailError> {
        let destination = Destination::builder()
            .to_addresses(header_mailbox(&email.to))
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
            .from_email_address(header_mailbox(&self.sender_of(email)))
            .destination(destination)
            .set_reply_to_addresses(
                email
                    .reply_to
                    .as_ref()
                    .map(|reply_to| vec![header_mailbox(reply_to)]),
            )
            .content(EmailContent::builder().simple(message).build())
            .set_email_tags(Some(email_tags(&email.purpose)))
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|error| match &error {
                SdkError::ServiceError(service) => {
                    MailError::Refused(service.err().code().unwrap_or("unknown").to_owned())
                }
                SdkError::ConstructionFailure(_) => MailError::Refused("not built".to_owned()),
                SdkError::DispatchFailure(failure)
                    if failure
                        .as_connector_error()
                        .is_some_and(connection_never_made) =>
                {
                    MailError::Unavailable("unreachable".to_owned())
                }
                SdkError::DispatchFailure(_) => {
                    MailError::Unconfirmed("connection lost".to_owned())
                }
                SdkError::TimeoutError(_) => MailError::Unconfirmed("no answer in time".to_owned()),
                _ => MailError::Unconfirmed("unreadable answer".to_owned()),
            })?;
        // SES answered 200, so it took the message; without its id, SES's events cannot be
        // matched to it.
        output
            .message_id
            .ok_or_else(|| MailError::Unconfirmed("no message id in the answer".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EmailAddress;

    /// The mailbox of a `From` header as a mail client reads it (mail-parser: RFC 5322 quoting,
    /// RFC 2047 encoded words): its name and address.
    fn read_back(header: &str) -> (Option<String>, String) {
        let raw = format!("From: {header}\r\n\r\n");
        let message = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap_or_else(|| panic!("{header} does not parse"));
        let from = message
            .from()
            .and_then(|from| from.first())
            .expect("one mailbox");
        (
            from.name().map(str::to_owned),
            from.address().expect("an address").to_owned(),
        )
    }

    fn mailbox(name: Option<&str>) -> Mailbox {
        Mailbox::new(
            name,
            EmailAddress::parse("no-reply@invites.example.com").unwrap(),
        )
    }

    #[test]
    fn a_mailbox_is_one_line_of_ascii_whatever_its_name() {
        assert_eq!(
            header_mailbox(&mailbox(None)),
            "no-reply@invites.example.com"
        );
        for name in [
            "Acme",
            "Acme Recruiting",
            "Acme, Inc.",
            "Rita \"the recruiter\" O'Hara",
            "Rekrytointi Äänekoski Oy",
            "Sámi Searvi; Guovdageaidnu: Ráđđehus",
            "王秀英",
            "محمد علي",
            &"Äänekosken kaupungin rekrytointipalvelut ja henkilöstöhallinto ".repeat(3),
        ] {
            let header = header_mailbox(&mailbox(Some(name)));
            assert!(header.is_ascii(), "{name}: {header}");
            assert!(!header.contains(['\r', '\n']), "{name}: {header}");
            assert!(
                header.ends_with(" <no-reply@invites.example.com>"),
                "{name}: {header}"
            );
            // Read back the way a mail client reads a From header, it is the same mailbox.
            assert_eq!(
                read_back(&header),
                (
                    Some(name.to_owned()),
                    "no-reply@invites.example.com".to_owned()
                ),
                "{header}"
            );
        }
        assert_eq!(
            header_mailbox(&mailbox(Some("Acme"))),
            "Acme <no-reply@invites.example.com>"
        );
        let comma = header_mailbox(&mailbox(Some("Acme, Inc.")));
        assert!(
            !comma.starts_with("Acme,"),
            "a bare comma would split the mailbox: {comma}"
        );
    }
}
