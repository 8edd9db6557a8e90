//! The mailer port: sends one rendered email.

use std::future::Future;

use crate::domain::EmailAddress;

/// A rendered email, ready to go. Recipients are validated addresses, so no header can be injected
/// through them; SES builds the MIME message (and encodes the subject) itself.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingEmail {
    pub to: EmailAddress,
    pub bcc: Option<EmailAddress>,
    pub reply_to: Option<EmailAddress>,
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
