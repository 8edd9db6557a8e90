//! The emails the service sends, as SES reports on them: which email each is ([`EmailKind`], sent
//! as an SES tag with the organization and the invitation), and the events SES's configuration set
//! publishes about it to EventBridge ([`EmailEvent`]: sent, delivered, bounced, complaint; the
//! format is SES's "event publishing" JSON, <https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html>,
//! as the `detail` of events with `source: aws.ses`).

use jiff::Timestamp;
use serde_json::Value;

use super::{EmailAddress, InvitationId, OrganizationId};

/// Which email of the service this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailKind {
    /// The invitation to the candidate (and its resends).
    Invitation,
    /// The notify-me email to the recruiter.
    CompletionNotice,
    /// The notice to the candidate that the deadline moved.
    DeadlineExtension,
    /// A deadline reminder to the candidate.
    Reminder,
    /// The notice to the recruiter that the candidate's address bounced.
    BounceNotice,
}

impl EmailKind {
    pub const ALL: [EmailKind; 5] = [
        Self::Invitation,
        Self::CompletionNotice,
        Self::DeadlineExtension,
        Self::Reminder,
        Self::BounceNotice,
    ];

    /// As the `kind` tag carries it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::CompletionNotice => "completion-notice",
            Self::DeadlineExtension => "deadline-extension",
            Self::Reminder => "reminder",
            Self::BounceNotice => "bounce-notice",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// Whether it goes to the candidate (its recipients' bounces and complaints say something
    /// about the candidate's address).
    pub fn to_candidate(self) -> bool {
        matches!(
            self,
            Self::Invitation | Self::DeadlineExtension | Self::Reminder
        )
    }
}

/// The `source` of SES's events on EventBridge, and the `detail-type`s read here.
pub const SES_SOURCE: &str = "aws.ses";
pub const EMAIL_SENT: &str = "Email Sent";
pub const EMAIL_DELIVERED: &str = "Email Delivered";
pub const EMAIL_BOUNCED: &str = "Email Bounced";
pub const EMAIL_COMPLAINT: &str = "Email Complaint Received";

/// What SES says happened to an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailOutcome {
    /// SES accepted the send request (it will try to deliver).
    Sent,
    /// The receiving server accepted the email for `recipients`.
    Delivered { recipients: Vec<String> },
    /// A hard (`Permanent`) or soft bounce for `recipients`, with SES's words for it.
    Bounced {
        permanent: bool,
        bounce_type: String,
        diagnostic: Option<String>,
        recipients: Vec<String>,
    },
    /// `recipients` marked the email as spam.
    Complaint { recipients: Vec<String> },
}

/// One of SES's events about an email of this service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailEvent {
    pub outcome: EmailOutcome,
    /// SES's message id (`mail.messageId`): what the send returned.
    pub message_id: String,
    /// When SES accepted the send request (`mail.timestamp`).
    pub sent_at: Timestamp,
    /// When the outcome happened (the delivery's, bounce's or complaint's `timestamp`, else
    /// `sent_at`).
    pub at: Timestamp,
    pub kind: EmailKind,
    pub organization_id: OrganizationId,
    pub invitation_id: InvitationId,
}

impl EmailEvent {
    /// Reads an EventBridge event from SES. Unknown fields are ignored; an event of another type,
    /// or of an email without this service's tags (another producer's email in the same
    /// configuration set), is refused with the reason (which names fields, never addresses).
    pub fn from_event(event: &Value) -> Result<Self, String> {
        let text = |value: &Value, pointer: &str| -> Result<String, String> {
            value
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("{pointer} is missing or not a string"))
        };
        let instant = |value: &Value, pointer: &str| -> Result<Timestamp, String> {
            text(value, pointer)?
                .parse()
                .map_err(|_| format!("{pointer} is not an RFC 3339 instant"))
        };
        if text(event, "/source")? != SES_SOURCE {
            return Err(format!("source is not {SES_SOURCE}"));
        }
        let detail = event.get("detail").ok_or("detail is missing")?;
        // SES gives each tag as a list of values; this service sets one.
        let tag = |name: &str| text(detail, &format!("/mail/tags/{name}/0"));
        let addresses = |pointer: &str, field: Option<&str>| -> Vec<String> {
            detail
                .pointer(pointer)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|recipient| match field {
                    Some(field) => recipient.get(field).and_then(Value::as_str),
                    None => recipient.as_str(),
                })
                .map(str::to_owned)
                .collect()
        };
        let sent_at = instant(detail, "/mail/timestamp")?;
        let (outcome, at) = match text(event, "/detail-type")?.as_str() {
            EMAIL_SENT => (EmailOutcome::Sent, sent_at),
            EMAIL_DELIVERED => (
                EmailOutcome::Delivered {
                    recipients: addresses("/delivery/recipients", None),
                },
                instant(detail, "/delivery/timestamp")?,
            ),
            EMAIL_BOUNCED => (
                EmailOutcome::Bounced {
                    permanent: text(detail, "/bounce/bounceType")? == "Permanent",
                    bounce_type: format!(
                        "{}/{}",
                        text(detail, "/bounce/bounceType")?,
                        text(detail, "/bounce/bounceSubType").unwrap_or_default()
                    ),
                    diagnostic: detail
                        .pointer("/bounce/bouncedRecipients/0/diagnosticCode")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    recipients: addresses("/bounce/bouncedRecipients", Some("emailAddress")),
                },
                instant(detail, "/bounce/timestamp")?,
            ),
            EMAIL_COMPLAINT => (
                EmailOutcome::Complaint {
                    recipients: addresses("/complaint/complainedRecipients", Some("emailAddress")),
                },
                instant(detail, "/complaint/timestamp")?,
            ),
            other => return Err(format!("detail-type {other} is not read here")),
        };
        Ok(Self {
            outcome,
            message_id: text(detail, "/mail/messageId")?,
            sent_at,
            at,
            kind: EmailKind::parse(&tag("kind")?).ok_or("the kind tag is not this service's")?,
            organization_id: OrganizationId::parse(&tag("organization-id")?)
                .map_err(|problem| format!("the organization-id tag {problem}"))?,
            invitation_id: tag("invitation-id")?
                .parse()
                .map_err(|problem| format!("the invitation-id tag {problem}"))?,
        })
    }

    /// Whether the outcome is about `address` among its recipients, compared without ASCII case:
    /// the domain is case-insensitive (RFC 5321 §2.4), and mail servers (and SES's suppression
    /// list) treat the local part so too in practice.
    pub fn concerns(&self, address: &EmailAddress) -> bool {
        let recipients = match &self.outcome {
            EmailOutcome::Sent => return true,
            EmailOutcome::Delivered { recipients }
            | EmailOutcome::Bounced { recipients, .. }
            | EmailOutcome::Complaint { recipients } => recipients,
        };
        recipients
            .iter()
            .any(|recipient| same_address(recipient, address.as_str()))
    }
}

fn same_address(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Value {
        // At run time: the build cache is shared between clones, and a compiled path can name
        // another.
        let path = format!(
            "{}/../../events/email-events/{name}.json",
            std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo test")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn every_sample_of_ses_reads_with_its_outcome_tags_and_times() {
        let bounced = EmailEvent::from_event(&sample("email-bounced")).unwrap();
        assert_eq!(
            bounced.outcome,
            EmailOutcome::Bounced {
                permanent: true,
                bounce_type: "Permanent/General".into(),
                diagnostic: Some("smtp; 550 5.1.1 user unknown".into()),
                recipients: vec!["anna.virtanen@candidates.example".into()],
            }
        );
        assert_eq!(bounced.kind, EmailKind::Invitation);
        assert_eq!(bounced.organization_id.as_str(), "acme");
        assert_eq!(
            bounced.invitation_id.to_string(),
            "01KAWXK4D2T6Y9B3C5E7G8H1J2"
        );
        assert_eq!(
            bounced.message_id,
            "0102019c2f3a4b5c-6d7e8f90-1a2b-3c4d-5e6f-7a8b9c0d1e2f-000000"
        );
        assert_eq!(bounced.sent_at.to_string(), "2026-12-01T10:00:00.12Z");
        assert_eq!(bounced.at.to_string(), "2026-12-01T10:00:02.801Z");
        let candidate = EmailAddress::parse("Anna.Virtanen@candidates.example").unwrap();
        assert!(bounced.concerns(&candidate));
        assert!(!bounced.concerns(&EmailAddress::parse("rita@acme.example").unwrap()));
        let delivered = EmailEvent::from_event(&sample("email-delivered")).unwrap();
        assert!(matches!(delivered.outcome, EmailOutcome::Delivered { .. }));
        let complaint = EmailEvent::from_event(&sample("email-complaint")).unwrap();
        assert!(matches!(complaint.outcome, EmailOutcome::Complaint { .. }));
        assert_eq!(complaint.at.to_string(), "2026-12-02T08:14:00Z");
        let sent = EmailEvent::from_event(&sample("email-sent")).unwrap();
        assert_eq!((sent.outcome, sent.at), (EmailOutcome::Sent, sent.sent_at));
    }

    #[test]
    fn another_producers_email_or_another_event_is_refused_with_a_reason() {
        let mut untagged = sample("email-delivered");
        untagged["detail"]["mail"]["tags"]
            .as_object_mut()
            .unwrap()
            .remove("invitation-id");
        assert_eq!(
            EmailEvent::from_event(&untagged).unwrap_err(),
            "/mail/tags/invitation-id/0 is missing or not a string"
        );
        let mut foreign = sample("email-delivered");
        foreign["detail"]["mail"]["tags"]["kind"] = serde_json::json!(["newsletter"]);
        assert!(EmailEvent::from_event(&foreign).is_err());
        let mut opened = sample("email-delivered");
        opened["detail-type"] = serde_json::json!("Email Opened");
        assert!(
            EmailEvent::from_event(&opened)
                .unwrap_err()
                .contains("Email Opened")
        );
        let mut spoofed = sample("email-bounced");
        spoofed["source"] = serde_json::json!("recruit.video-interviews");
        assert!(EmailEvent::from_event(&spoofed).is_err());
        assert!(EmailEvent::from_event(&serde_json::json!({})).is_err());
    }

    #[test]
    fn every_kind_code_reads_back() {
        for kind in EmailKind::ALL {
            assert_eq!(EmailKind::parse(kind.code()), Some(kind));
        }
    }
}
