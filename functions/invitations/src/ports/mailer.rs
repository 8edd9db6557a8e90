//! The mailer port: sends one rendered email.

use std::future::Future;

use crate::domain::EmailAddress;

/// Who a header names: an address and, optionally, the name of whoever it belongs to, as people
/// write it (any script, commas and quotes included). The mailer writes it as RFC 5322 demands:
/// a quoted string, or RFC 2047 encoded words where it is not ASCII or holds specials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: EmailAddress,
}

impl Mailbox {
    pub fn new(name: Option<&str>, address: EmailAddress) -> Self {
        Self {
            name: name.map(str::to_owned),
            address,
        }
    }
}

impl From<EmailAddress> for Mailbox {
    fn from(address: EmailAddress) -> Self {
        Self {
            name: None,
            address,
        }
    }
}

/// A rendered email, ready to go. Addresses are validated and names are encoded by the mailer, so
/// no header can be injected through them; SES builds the MIME message (and encodes the subject)
/// itself.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingEmail {
    pub to: Mailbox,
    pub bcc: Option<EmailAddress>,
    pub reply_to: Option<Mailbox>,
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// SES answered and refused or failed the request: nothing was sent.
    #[error("the email service refused the message ({0})")]
    Refused(String),
    /// SES could not be reached or did not answer in time.
    #[error("the email service did not answer ({0})")]
    Unavailable(String),
}

/// The SES message id of a sent email.
pub type MessageId = String;

pub trait Mailer: Send + Sync {
    fn send(
        &self,
        email: &OutgoingEmail,
    ) -> impl Future<Output = Result<MessageId, MailError>> + Send;
}
