//! The mailer adapter: SES v2 `SendEmail` with simple content (SES builds the MIME message).

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use lettre::message::header::{Headers, Sender};

use crate::config::MailConfig;
use crate::ports::{MailError, Mailbox, Mailer, MessageId, OutgoingEmail};

pub struct SesMailer {
    client: Client,
    /// `From`, as configured by the operator, encoded once.
    sender: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(client: Client, config: &MailConfig) -> Self {
        Self {
            client,
            sender: header_mailbox(&config.sender),
            configuration_set: config.ses_configuration_set.clone(),
        }
    }
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
            .from_email_address(&self.sender)
            .destination(destination)
            .set_reply_to_addresses(
                email
                    .reply_to
                    .as_ref()
                    .map(|reply_to| vec![header_mailbox(reply_to)]),
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
