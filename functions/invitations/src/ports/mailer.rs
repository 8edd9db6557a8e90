//! The mailer port: sends one rendered email.

use std::future::Future;

use crate::domain::{EmailAddress, InvitationId, OrganizationId};

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

pub use crate::domain::EmailKind;

/// What an email is about: the mailer tags it with this (SES `EmailTags`), so that SES's own
/// events about it (send, delivery, bounce, complaint: published by the configuration set) name
/// the invitation, and can confirm a send whose answer was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailPurpose {
    pub kind: EmailKind,
    pub organization_id: OrganizationId,
    pub invitation_id: InvitationId,
}

/// A rendered email, ready to go. Addresses are validated and names are encoded by the mailer, so
/// no header can be injected through them; SES builds the MIME message (and encodes the subject)
/// itself.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingEmail {
    pub purpose: EmailPurpose,
    /// The display name of `From` for this email, in place of the configured sender's (the
    /// employer's name on emails to candidates); the address is always the configured one.
    pub from_name: Option<String>,
    pub to: Mailbox,
    pub bcc: Option<EmailAddress>,
    pub reply_to: Option<Mailbox>,
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// Why a send did not end in a message id. The first two prove that nothing was sent; the third
/// does not, and must never be retried blindly: SES may have sent the email and only its answer
/// been lost.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// SES answered and refused or failed the request (after the retries that are safe): nothing
    /// was sent.
    #[error("the email service refused the message ({0})")]
    Refused(String),
    /// SES could not be reached (no connection was made): nothing was sent.
    #[error("the email service could not be reached ({0})")]
    Unavailable(String),
    /// The request may have reached SES, but no answer came back (a timeout, a connection lost
    /// after the request left, an unreadable answer): the email may be out.
    #[error("the email service did not confirm the message ({0})")]
    Unconfirmed(String),
}

impl MailError {
    /// Whether SES refused the message because the account sends too fast or has used up its
    /// sending quota (SES v2 `TooManyRequestsException`, `LimitExceededException`; the query API's
    /// `Throttling`): nothing was sent, and the same message may go later, more slowly.
    pub fn is_throttling(&self) -> bool {
        matches!(
            self,
            Self::Refused(code) if matches!(
                code.as_str(),
                "TooManyRequestsException" | "LimitExceededException" | "Throttling" | "ThrottlingException"
            )
        )
    }
}

/// The SES message id of a sent email.
pub type MessageId = String;

pub trait Mailer: Send + Sync {
    fn send(
        &self,
        email: &OutgoingEmail,
    ) -> impl Future<Output = Result<MessageId, MailError>> + Send;
}
