//! Webhooks to integrators, after the Standard Webhooks specification
//! (<https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md>):
//! the event types an organization subscribes to, the rule for where a webhook may be sent, the
//! subscriptions' signing secrets, the signature of an attempt, each webhook's body and the retry
//! schedule. docs/webhooks.md tells the whole design; the routes and functions that use these
//! rules are not built yet (issue 19).

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::Mac;
use ip_network::IpNetwork;
use jiff::{SignedDuration, Timestamp};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::token::HmacKey;
use super::{
    Invitation, InvitationBatchId, InvitationId, InvitationStatus, OrganizationId,
    VideoInterviewId, WebhookDescription, WebhookSubscriptionId,
};

/// What a webhook tells, as its payload's `type` says it: one for each lifecycle step the
/// service records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WebhookEventType {
    /// The invitation email was accepted by SES.
    InvitationSent,
    /// SES delivered it to the candidate's mail server.
    InvitationDelivered,
    /// The candidate's address bounced for good.
    InvitationBounced,
    /// The candidate opened the interview's link.
    InvitationOpened,
    /// The candidate finished recording.
    InvitationCompleted,
    /// The recruiter cancelled it.
    InvitationCancelled,
    /// The recruiter moved its deadline.
    InvitationDeadlineExtended,
    /// Its deadline passed unfinished, as the service noticed.
    InvitationExpired,
    /// A candidate's data was erased (the invitations' ids, nothing else).
    CandidateDataErased,
    /// Every accepted row of a batch was sent, or failed for good.
    InvitationBatchFinished,
}

impl WebhookEventType {
    pub const ALL: [WebhookEventType; 10] = [
        Self::InvitationSent,
        Self::InvitationDelivered,
        Self::InvitationBounced,
        Self::InvitationOpened,
        Self::InvitationCompleted,
        Self::InvitationCancelled,
        Self::InvitationDeadlineExtended,
        Self::InvitationExpired,
        Self::CandidateDataErased,
        Self::InvitationBatchFinished,
    ];

    /// As the payload's `type` and a subscription's `eventTypes` carry it: `<object>.<verb>`,
    /// the specification's convention.
    pub fn code(self) -> &'static str {
        match self {
            Self::InvitationSent => "invitation.sent",
            Self::InvitationDelivered => "invitation.delivered",
            Self::InvitationBounced => "invitation.bounced",
            Self::InvitationOpened => "invitation.opened",
            Self::InvitationCompleted => "invitation.completed",
            Self::InvitationCancelled => "invitation.cancelled",
            Self::InvitationDeadlineExtended => "invitation.deadline_extended",
            Self::InvitationExpired => "invitation.expired",
            Self::CandidateDataErased => "candidate_data.erased",
            Self::InvitationBatchFinished => "invitation_batch.finished",
        }
    }

    /// The type a code names, or why not.
    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|kind| kind.code()).collect();
                format!("must be one of {}", known.join(", "))
            })
    }

    /// Whether the service sends webhooks of this type yet. `invitation.expired` needs a write
    /// that records the deadline's passing (reads derive `expired`), and
    /// `invitation_batch.finished` a count of a batch's settled rows: until then a subscription
    /// to them is refused rather than kept silent (docs/webhooks.md).
    pub fn is_sent(self) -> bool {
        !matches!(
            self,
            Self::InvitationExpired | Self::InvitationBatchFinished
        )
    }

    /// A subscription's type, parsed: one the service sends ([`Self::is_sent`]).
    pub fn parse_subscribable(code: &str) -> Result<Self, String> {
        let kind = Self::parse(code)?;
        if kind.is_sent() {
            Ok(kind)
        } else {
            Err(format!("{code} is not sent yet"))
        }
    }
}

/// One webhook's content: its type, when the step happened (the payload's `timestamp`) and the
/// invitation as it stood after it. Ids and states only: the integrator knows the candidate by the
/// invitation's id, and a webhook body ends up in logs and queues outside the service's care, so
/// no name, address or SES diagnostic (which quotes the address) is in it.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    pub kind: WebhookEventType,
    pub at: Timestamp,
    pub organization_id: OrganizationId,
    pub invitation_id: InvitationId,
    pub video_interview_id: VideoInterviewId,
    pub batch_id: Option<InvitationBatchId>,
    /// The status after the step, as stored (never `expired`, which reads derive).
    pub status: InvitationStatus,
    /// The deadline after the step: its day and time zone.
    pub answer_deadline: (jiff::civil::Date, String),
    /// SES's `bounceType/bounceSubType` of a bounce, such as `Permanent/NoEmail`.
    pub bounce_type: Option<String>,
}

/// The payload's `data`, in the API's field names.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InvitationData<'a> {
    organization_id: &'a str,
    invitation_id: String,
    video_interview_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    batch_id: Option<String>,
    status: &'static str,
    answer_deadline: String,
    time_zone: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    bounce_type: Option<&'a str>,
}

impl WebhookEvent {
    /// The webhooks of the steps between `before` and `after` (one invitation, as stored before
    /// and after one write), each at its own recorded instant, or at `written_at` (when the write
    /// was made) for a step that records none. A write that recorded several steps gives one
    /// each, in lifecycle order; none when nothing an integrator hears of changed.
    pub fn of_change(before: &Invitation, after: &Invitation, written_at: Timestamp) -> Vec<Self> {
        use WebhookEventType as Kind;
        let newly = |old: Option<Timestamp>, new: Option<Timestamp>| new.filter(|_| new != old);
        let became =
            |status| (before.status != status && after.status == status).then_some(written_at);
        let bounced_at = (before.status != InvitationStatus::Bounced
            && after.status == InvitationStatus::Bounced)
            .then(|| after.bounce.as_ref().map_or(written_at, |bounce| bounce.at));
        let extended = (after.deadline_extension_count > before.deadline_extension_count)
            .then(|| after.deadline_extended_at.unwrap_or(written_at));
        [
            (Kind::InvitationSent, newly(before.sent_at, after.sent_at)),
            (
                Kind::InvitationDelivered,
                newly(before.delivered_at, after.delivered_at),
            ),
            (Kind::InvitationBounced, bounced_at),
            (
                Kind::InvitationOpened,
                newly(before.opened_at, after.opened_at),
            ),
            (Kind::InvitationDeadlineExtended, extended),
            (
                Kind::InvitationCompleted,
                newly(before.completed_at, after.completed_at),
            ),
            (
                Kind::InvitationCancelled,
                became(InvitationStatus::Cancelled),
            ),
        ]
        .into_iter()
        .filter_map(|(kind, at)| at.map(|at| Self::about(kind, at, after)))
        .collect()
    }

    /// The webhook of an invitation's removal at `removed_at`, whether a recruiter's erasure or
    /// the end of its retention: `candidate_data.erased`, with the ids the integrator knows it by
    /// and its last status.
    pub fn of_removal(removed: &Invitation, removed_at: Timestamp) -> Self {
        Self::about(WebhookEventType::CandidateDataErased, removed_at, removed)
    }

    fn about(kind: WebhookEventType, at: Timestamp, invitation: &Invitation) -> Self {
        Self {
            kind,
            at,
            organization_id: invitation.organization_id.clone(),
            invitation_id: invitation.id,
            video_interview_id: invitation.video_interview_id,
            batch_id: invitation.batch_id,
            status: invitation.status,
            answer_deadline: (
                invitation.deadline.date(),
                invitation.deadline.time_zone().name().to_owned(),
            ),
            bounce_type: (kind == WebhookEventType::InvitationBounced)
                .then(|| {
                    invitation
                        .bounce
                        .as_ref()
                        .map(|bounce| bounce.bounce_type.clone())
                })
                .flatten(),
        }
    }

    /// The message's `webhook-id`: the same for the same step however often it is derived (a
    /// replayed change, each retry), so that a receiver can drop duplicates. `msg_` and 32 hex
    /// digits of a SHA-256 of the type, the invitation and the instant.
    pub fn id(&self) -> String {
        let digest = Sha256::new()
            .chain_update(self.kind.code())
            .chain_update(b"\0")
            .chain_update(self.organization_id.as_str())
            .chain_update(b"\0")
            .chain_update(self.invitation_id.to_bytes())
            .chain_update(self.at.as_millisecond().to_be_bytes())
            .finalize();
        let hex: String = digest[..16]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!("msg_{hex}")
    }

    /// The body, as the specification shapes it: `{"type", "timestamp", "data"}`.
    pub fn body(&self) -> String {
        let (date, zone) = &self.answer_deadline;
        serde_json::json!({
            "type": self.kind.code(),
            "timestamp": self.at.to_string(),
            "data": InvitationData {
                organization_id: self.organization_id.as_str(),
                invitation_id: self.invitation_id.to_string(),
                video_interview_id: self.video_interview_id.to_string(),
                batch_id: self.batch_id.map(|id| id.to_string()),
                status: self.status.code(),
                answer_deadline: date.to_string(),
                time_zone: zone,
                bounce_type: self.bounce_type.as_deref(),
            },
        })
        .to_string()
    }
}

/// Where a webhook may go, decided on an address after DNS resolution, when subscribing and again
/// at each attempt: only a globally reachable unicast address, so that a subscription cannot make
/// the service call inside its own network (loopback, private, link-local, the instance metadata
/// service at 169.254.169.254 and fd00:ec2::254, shared, documentation, benchmarking, reserved),
/// nor a multicast group. IPv4 after IANA's special-purpose registry (RFC 6890, crate
/// `ip_network`); IPv6 only inside global unicast 2000::/3 (RFC 4291) and outside its
/// special-purpose blocks 2001::/23 (Teredo among them) and the documentation prefixes. An IPv6
/// address that carries an IPv4 one is judged by that (see [`reached`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TargetRule {
    /// Loopback permitted too: only for the tests' local receiver, by configuration.
    pub allow_loopback: bool,
}

impl TargetRule {
    /// Whether a webhook may be sent to `address`.
    pub fn permits(&self, address: IpAddr) -> bool {
        let address = reached(address);
        if address.is_loopback() {
            return self.allow_loopback;
        }
        let global = IpNetwork::from(address).is_global();
        match address {
            IpAddr::V4(v4) => global && !v4.is_multicast(),
            IpAddr::V6(v6) => global && global_unicast(v6),
        }
    }
}

/// The address a packet to `address` ends up at, as far as the address itself says: the IPv4
/// address an IPv6 one carries (IPv4-mapped and IPv4-compatible, RFC 4291; 6to4 2002::/16,
/// RFC 3056; the well-known NAT64 prefix 64:ff9b::/96, RFC 6052), or the address itself.
fn reached(address: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = address else {
        return address;
    };
    if v6.is_loopback() || v6.is_unspecified() {
        return address;
    }
    let octets = v6.octets();
    let carried = |at: usize| {
        IpAddr::V4(Ipv4Addr::new(
            octets[at],
            octets[at + 1],
            octets[at + 2],
            octets[at + 3],
        ))
    };
    const NAT64: [u8; 12] = [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];
    match octets {
        _ if v6.to_ipv4_mapped().is_some() || octets[..12] == [0; 12] => carried(12),
        _ if octets[..12] == NAT64 => carried(12),
        [0x20, 0x02, ..] => carried(2),
        _ => address,
    }
}

/// Within global unicast 2000::/3, outside 2001::/23 (IETF protocol assignments: Teredo, ORCHID,
/// benchmarking...) and the documentation prefixes 2001:db8::/32 and 3fff::/20 (RFC 9637).
fn global_unicast(address: Ipv6Addr) -> bool {
    let [first, second, ..] = address.segments();
    let special = first == 0x2001 && second < 0x0200;
    let documentation =
        (first == 0x2001 && second == 0x0db8) || (first == 0x3fff && second < 0x1000);
    first & 0xe000 == 0x2000 && !special && !documentation
}

/// Where a subscription's webhooks go: an `https` URL of at most 2,000 characters, with no user
/// name or password and no fragment, whose host is a domain name (its addresses are checked by the
/// [`TargetRule`] when subscribing and at each attempt) or an address the rule permits. Plain
/// `http` only to loopback, where the rule allows it (the tests' receiver).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

impl WebhookUrl {
    pub const MAX_LEN: usize = 2000;

    pub fn parse(raw: &str, rule: TargetRule) -> Result<Self, String> {
        const FORM: &str = "must be an https:// URL such as https://ats.example/webhooks";
        let url = url::Url::parse(raw.trim()).map_err(|_| FORM.to_owned())?;
        let loopback = match url.host() {
            Some(url::Host::Ipv4(address)) => Some(IpAddr::V4(address)),
            Some(url::Host::Ipv6(address)) => Some(IpAddr::V6(address)),
            Some(url::Host::Domain(_)) => None,
            None => return Err(FORM.to_owned()),
        }
        .map(|address| {
            if rule.permits(address) {
                Ok(reached(address).is_loopback())
            } else {
                Err("must not be a private, loopback, link-local or reserved address".to_owned())
            }
        })
        .transpose()?
        .unwrap_or(false);
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => return Err(FORM.to_owned()),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not hold a user name or password".to_owned());
        }
        if url.fragment().is_some() {
            return Err("must not have a #fragment".to_owned());
        }
        if url.as_str().len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        Ok(Self(url))
    }

    /// The URL as the store holds it: it was checked when subscribing, and each attempt checks
    /// the addresses it resolves to; only its form is checked again here.
    pub fn from_stored(stored: &str) -> Result<Self, String> {
        let url =
            url::Url::parse(stored).map_err(|error| format!("a stored webhook URL: {error}"))?;
        match url.scheme() {
            "https" | "http" if url.has_host() => Ok(Self(url)),
            _ => Err(format!(
                "a stored webhook URL that is not http(s): {stored}"
            )),
        }
    }

    /// The host's name, when the URL names one rather than an address.
    pub fn domain(&self) -> Option<&str> {
        self.0.domain()
    }

    /// The host's address, when the URL names one rather than a name.
    pub fn address(&self) -> Option<IpAddr> {
        match self.0.host()? {
            url::Host::Ipv4(address) => Some(IpAddr::V4(address)),
            url::Host::Ipv6(address) => Some(IpAddr::V6(address)),
            url::Host::Domain(_) => None,
        }
    }

    /// The port to connect to: the URL's, or its scheme's.
    pub fn port(&self) -> u16 {
        self.0
            .port_or_known_default()
            .expect("an http or https URL has a port")
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// The longest overlap of a rotated secret with the one it replaces.
pub const MAX_ROTATION_OVERLAP: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Why a subscription's deliveries stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisabledBecause {
    /// The endpoint answered 410 Gone: it asked for no more.
    Gone,
    /// Every attempt of a delivery failed, to the end of the retry schedule.
    PersistentFailure,
}

impl DisabledBecause {
    /// As the store and the API name it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Gone => "gone",
            Self::PersistentFailure => "persistent_failure",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        [Self::Gone, Self::PersistentFailure]
            .into_iter()
            .find(|because| because.code() == code)
            .ok_or_else(|| format!("{code} is no reason a subscription stops"))
    }
}

/// An organization's subscription to webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSubscription {
    pub id: WebhookSubscriptionId,
    pub organization_id: OrganizationId,
    pub url: WebhookUrl,
    /// What it wants; never empty.
    pub event_types: BTreeSet<WebhookEventType>,
    pub description: Option<WebhookDescription>,
    pub created_at: Timestamp,
    /// The generation of its current signing secret (see [`SigningSecret::derive`]): 1, and one
    /// more at each rotation.
    pub secret_generation: u32,
    /// Until when the previous generation signs too, after a rotation.
    pub previous_secret_until: Option<Timestamp>,
    /// When and why its deliveries stopped, if they did.
    pub disabled: Option<(Timestamp, DisabledBecause)>,
}

impl WebhookSubscription {
    /// A new subscription, with the first generation of its secret.
    pub fn new(
        organization_id: OrganizationId,
        url: WebhookUrl,
        event_types: BTreeSet<WebhookEventType>,
        description: Option<WebhookDescription>,
        now: Timestamp,
    ) -> Self {
        Self {
            id: WebhookSubscriptionId::generate(now),
            organization_id,
            url,
            event_types,
            description,
            created_at: now,
            secret_generation: 1,
            previous_secret_until: None,
            disabled: None,
        }
    }

    /// The generations of the secrets that sign an attempt at `now`: the current one, and the
    /// previous while a rotation overlaps (both signatures are sent).
    pub fn signing_generations(&self, now: Timestamp) -> Vec<u32> {
        let mut generations = vec![self.secret_generation];
        if self.previous_secret_until.is_some_and(|until| now < until) {
            generations.push(self.secret_generation - 1);
        }
        generations
    }

    /// Starts the next generation of the secret at `now`; the current one keeps signing for
    /// `overlap` (0 to [`MAX_ROTATION_OVERLAP`]), so that the integrator can switch without
    /// missing a webhook. A rotation during an overlap ends the older secret at once.
    pub fn rotate_secret(&mut self, now: Timestamp, overlap: SignedDuration) -> Result<(), String> {
        if overlap.is_negative() || overlap > MAX_ROTATION_OVERLAP {
            return Err(format!(
                "must be from 0 to {} seconds",
                MAX_ROTATION_OVERLAP.as_secs()
            ));
        }
        self.secret_generation += 1;
        self.previous_secret_until = (!overlap.is_zero()).then(|| now + overlap);
        Ok(())
    }

    /// Whether it is sent webhooks of `kind` now.
    pub fn wants(&self, kind: WebhookEventType) -> bool {
        self.disabled.is_none() && self.event_types.contains(&kind)
    }
}

/// The deployment's key of subscriptions' signing secrets, read from Secrets Manager: at least
/// 32 bytes (`WebhookKey::MIN_BYTES`). A key of its own, so that the function that signs webhooks
/// cannot derive candidates' links.
pub struct WebhookKey(HmacKey);

impl WebhookKey {
    pub const MIN_BYTES: usize = HmacKey::MIN_BYTES;

    /// A key of at least [`Self::MIN_BYTES`] bytes, or why not.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, String> {
        HmacKey::new(bytes.into()).map(Self)
    }
}

/// A subscription's signing secret: 32 bytes, derived under the [`WebhookKey`] from the
/// subscription's id and the secret's generation (rotation starts the next), so none is stored:
/// shown to the integrator once, derived again by the sender at each attempt. Not
/// `Debug`-printable.
pub struct SigningSecret([u8; 32]);

impl SigningSecret {
    /// The prefix of the secret's text form, the specification's.
    pub const PREFIX: &'static str = "whsec_";

    /// Generation `generation` of subscription `subscription`'s secret: the same every time.
    pub fn derive(key: &WebhookKey, subscription: WebhookSubscriptionId, generation: u32) -> Self {
        let mut mac = key.0.mac();
        mac.update(b"webhook-signing-secret\0");
        mac.update(&subscription.to_bytes());
        mac.update(b"\0");
        mac.update(&generation.to_be_bytes());
        Self(mac.finalize().into_bytes().into())
    }

    /// As the integrator configures it: `whsec_` and the bytes in base64.
    pub fn expose(&self) -> String {
        format!("{}{}", Self::PREFIX, BASE64.encode(self.0))
    }
}

/// The `webhook-signature` header of one attempt of message `id` at `timestamp` with `body`:
/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under each of `secrets` (two while a
/// rotation overlaps), space-separated. Signed with the specification's reference
/// implementation (crate `standardwebhooks`).
pub fn signature(secrets: &[SigningSecret], id: &str, timestamp: Timestamp, body: &str) -> String {
    secrets
        .iter()
        .map(|secret| {
            standardwebhooks::Webhook::from_bytes(secret.0.to_vec())
                .and_then(|webhook| webhook.sign(id, timestamp.as_second(), body.as_bytes()))
                .expect("signing a UTF-8 body cannot fail")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// When each retry of a failed delivery is attempted, counted from the one before: the
/// specification's example schedule, about 27.5 hours in all; after the last, the delivery has
/// failed for good.
pub const RETRY_SCHEDULE: [SignedDuration; 7] = [
    SignedDuration::from_secs(5),
    SignedDuration::from_mins(5),
    SignedDuration::from_mins(30),
    SignedDuration::from_hours(2),
    SignedDuration::from_hours(5),
    SignedDuration::from_hours(10),
    SignedDuration::from_hours(10),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_read_back_from_their_codes() {
        for kind in WebhookEventType::ALL {
            assert_eq!(WebhookEventType::parse(kind.code()), Ok(kind));
        }
        let refused = WebhookEventType::parse("invitation.Sent").unwrap_err();
        assert!(refused.contains("invitation.sent"), "{refused}");
    }

    #[test]
    fn only_public_unicast_addresses_are_targets() {
        let rule = TargetRule::default();
        let permitted = |text: &str| rule.permits(text.parse().unwrap());
        for public in [
            "93.184.215.14",
            "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
            "1.1.1.1",
        ] {
            assert!(permitted(public), "{public}");
        }
        for inside in [
            "127.0.0.1",
            "::1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "fd00:ec2::254",
            "fe80::1",
            "100.64.0.1",
            "0.0.0.0",
            "::",
            "255.255.255.255",
            "224.0.0.1",
            "ff02::1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::7f00:1",
            // IPv4-compatible, 6to4 and RFC 2765 forms of inside addresses.
            "::127.0.0.1",
            "::169.254.169.254",
            "2002:a9fe:a9fe::1",
            "2002:7f00:1::1",
            "::ffff:0:7f00:1",
            // Teredo, other IETF assignments, local-use NAT64, discard-only, documentation.
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:2::1",
            "2001:10::1",
            "64:ff9b:1::a9fe:a9fe",
            "100::1",
            "2001:db8::1",
            "3fff::1",
            "5f00::1",
            "fc00::1",
        ] {
            assert!(!permitted(inside), "{inside}");
        }
        assert!(permitted("64:ff9b::5db8:d70e"), "NAT64 of a public address");
        assert!(permitted("2002:5db8:d70e::1"), "6to4 of a public address");
    }

    #[test]
    fn loopback_only_when_configured() {
        let tests = TargetRule {
            allow_loopback: true,
        };
        assert!(tests.permits(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(tests.permits(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert!(tests.permits("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!tests.permits("10.0.0.1".parse().unwrap()));
    }

    fn key(byte: u8) -> WebhookKey {
        WebhookKey::new(vec![byte; 32]).unwrap()
    }

    #[test]
    fn a_secret_is_derived_again_the_same_and_differs_by_subscription_generation_and_key() {
        let secret =
            |key: &WebhookKey, id, generation| SigningSecret::derive(key, id, generation).expose();
        let (one, two) = (subscription().id, subscription().id);
        let first = secret(&key(1), one, 1);
        assert!(first.starts_with("whsec_"));
        assert_eq!(BASE64.decode(&first[6..]).unwrap().len(), 32);
        assert_eq!(first, secret(&key(1), one, 1));
        for other in [
            secret(&key(1), one, 2),
            secret(&key(1), two, 1),
            secret(&key(2), one, 1),
        ] {
            assert_ne!(first, other);
        }
        assert!(WebhookKey::new(vec![0; 31]).is_err());
    }

    #[test]
    fn the_signature_verifies_with_the_reference_implementation_under_each_secret() {
        let id = subscription().id;
        let secrets = [
            SigningSecret::derive(&key(1), id, 1),
            SigningSecret::derive(&key(1), id, 2),
        ];
        let at = Timestamp::now();
        let body = r#"{"type":"invitation.completed","data":{}}"#;
        let header = signature(&secrets, "msg_1", at, body);
        let signatures: Vec<&str> = header.split(' ').collect();
        assert_eq!(signatures.len(), 2);
        assert!(signatures.iter().all(|one| one.starts_with("v1,")));
        for secret in &secrets {
            let webhook = standardwebhooks::Webhook::new(&secret.expose()).unwrap();
            let mut headers = lambda_http::http::HeaderMap::new();
            headers.insert("webhook-id", "msg_1".parse().unwrap());
            headers.insert(
                "webhook-timestamp",
                at.as_second().to_string().parse().unwrap(),
            );
            headers.insert("webhook-signature", header.parse().unwrap());
            webhook.verify(body.as_bytes(), &headers).unwrap();
            // Another body, id or timestamp does not verify.
            assert!(webhook.verify(b"{}", &headers).is_err());
        }
    }

    #[test]
    fn a_webhook_url_is_https_to_a_name_or_a_public_address() {
        let rule = TargetRule::default();
        for good in [
            "https://ats.example/webhooks?tenant=7",
            "https://ats.example:8443/hooks",
            "https://93.184.215.14/hooks",
        ] {
            assert!(WebhookUrl::parse(good, rule).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("http://ats.example/hooks", "https://"),
            ("ftp://ats.example/hooks", "https://"),
            ("https://user:pw@ats.example/", "user name"),
            ("https://ats.example/#top", "fragment"),
            ("https://127.0.0.1/hooks", "private"),
            ("https://[::ffff:10.0.0.1]/hooks", "private"),
            ("https://169.254.169.254/latest/meta-data", "private"),
            ("http://127.0.0.1:8080/hooks", "private"),
            ("not a url", "https://"),
        ] {
            let error = WebhookUrl::parse(bad, rule).unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
        }
        let long = format!("https://ats.example/{}", "a".repeat(2000));
        assert!(WebhookUrl::parse(&long, rule).is_err());
        let tests = TargetRule {
            allow_loopback: true,
        };
        let local = WebhookUrl::parse("http://127.0.0.1:8080/hooks", tests).unwrap();
        assert_eq!(local.port(), 8080);
        assert!(WebhookUrl::parse("http://[::ffff:127.0.0.1]:8080/", tests).is_ok());
        assert!(WebhookUrl::parse("http://ats.example/hooks", tests).is_err());
        assert!(WebhookUrl::parse("http://10.0.0.1/hooks", tests).is_err());
    }

    fn subscription() -> WebhookSubscription {
        WebhookSubscription::new(
            OrganizationId::parse("acme").unwrap(),
            WebhookUrl::parse("https://ats.example/hooks", TargetRule::default()).unwrap(),
            BTreeSet::from([WebhookEventType::InvitationCompleted]),
            None,
            "2026-12-01T10:00:00Z".parse().unwrap(),
        )
    }

    #[test]
    fn a_rotated_secret_overlaps_the_previous_for_the_time_asked() {
        let mut subscription = subscription();
        let now: Timestamp = "2026-12-02T10:00:00Z".parse().unwrap();
        assert_eq!(subscription.signing_generations(now), [1]);
        subscription
            .rotate_secret(now, SignedDuration::from_hours(24))
            .unwrap();
        assert_eq!(subscription.signing_generations(now), [2, 1]);
        let later = now + SignedDuration::from_hours(24);
        assert_eq!(subscription.signing_generations(later), [2]);
        subscription
            .rotate_secret(later, SignedDuration::ZERO)
            .unwrap();
        assert_eq!(subscription.signing_generations(later), [3]);
        for refused in [
            SignedDuration::from_secs(-1),
            MAX_ROTATION_OVERLAP + SignedDuration::from_secs(1),
        ] {
            assert!(subscription.rotate_secret(later, refused).is_err());
        }
        assert_eq!(subscription.secret_generation, 3);
    }

    #[test]
    fn a_disabled_subscription_wants_nothing() {
        let mut subscription = subscription();
        assert!(subscription.wants(WebhookEventType::InvitationCompleted));
        assert!(!subscription.wants(WebhookEventType::InvitationSent));
        subscription.disabled = Some((subscription.created_at, DisabledBecause::Gone));
        assert!(!subscription.wants(WebhookEventType::InvitationCompleted));
    }

    mod payloads {
        use super::*;

        use crate::domain::fixtures;
        use crate::domain::{Bounce, EmailAddress, InvitationEvent};

        fn at(instant: &str) -> Timestamp {
            instant.parse().unwrap()
        }

        fn sent() -> Invitation {
            let mut invitation = fixtures::invitation();
            invitation
                .apply(&InvitationEvent::Sent {
                    at: at("2026-12-01T10:00:01Z"),
                    message_id: "ses-1".into(),
                })
                .unwrap();
            invitation
        }

        fn kinds(events: &[WebhookEvent]) -> Vec<(WebhookEventType, Timestamp)> {
            events.iter().map(|event| (event.kind, event.at)).collect()
        }

        #[test]
        fn a_send_is_one_webhook_with_ids_and_states_and_no_personal_data() {
            let before = fixtures::invitation();
            let after = sent();
            let events = WebhookEvent::of_change(&before, &after, at("2026-12-01T10:00:02Z"));
            assert_eq!(
                kinds(&events),
                [(WebhookEventType::InvitationSent, at("2026-12-01T10:00:01Z"))]
            );
            let body: serde_json::Value = serde_json::from_str(&events[0].body()).unwrap();
            assert_eq!(body["type"], "invitation.sent");
            assert_eq!(body["timestamp"], "2026-12-01T10:00:01Z");
            let data = &body["data"];
            assert_eq!(data["organizationId"], "acme");
            assert_eq!(data["invitationId"], after.id.to_string());
            assert_eq!(
                data["videoInterviewId"],
                after.video_interview_id.to_string()
            );
            assert_eq!(data["status"], "sent");
            assert_eq!(data["answerDeadline"], after.deadline.date().to_string());
            assert_eq!(data["timeZone"], after.deadline.time_zone().name());
            assert!(data.get("batchId").is_none() && data.get("bounceType").is_none());
            let text = events[0].body();
            for personal in [
                after.candidate.email.as_str(),
                after.candidate.first_name.as_str(),
                after.candidate.last_name.as_str(),
            ] {
                assert!(!text.contains(personal), "{personal} in {text}");
            }
            assert!(WebhookEvent::of_change(&after, &after, now()).is_empty());
        }

        fn now() -> Timestamp {
            at("2026-12-02T09:00:00Z")
        }

        #[test]
        fn several_steps_in_one_write_come_in_lifecycle_order_each_at_its_instant() {
            let before = sent();
            let mut after = before.clone();
            after.delivered_at = Some(at("2026-12-01T10:00:05Z"));
            for event in [
                InvitationEvent::Opened {
                    at: at("2026-12-02T08:00:00Z"),
                },
                InvitationEvent::Completed {
                    at: at("2026-12-02T08:30:00Z"),
                },
            ] {
                after.apply(&event).unwrap();
            }
            let events = WebhookEvent::of_change(&before, &after, now());
            assert_eq!(
                kinds(&events),
                [
                    (
                        WebhookEventType::InvitationDelivered,
                        at("2026-12-01T10:00:05Z")
                    ),
                    (
                        WebhookEventType::InvitationOpened,
                        at("2026-12-02T08:00:00Z")
                    ),
                    (
                        WebhookEventType::InvitationCompleted,
                        at("2026-12-02T08:30:00Z")
                    ),
                ]
            );
            assert!(
                events
                    .iter()
                    .all(|event| event.status == InvitationStatus::Completed)
            );
        }

        #[test]
        fn a_bounce_says_its_type_and_not_the_servers_words() {
            let before = sent();
            let mut after = before.clone();
            let address = after.candidate.email.clone();
            after
                .apply(&InvitationEvent::Bounced {
                    bounce: Bounce {
                        at: at("2026-12-01T10:01:00Z"),
                        bounce_type: "Permanent/NoEmail".into(),
                        diagnostic: Some(format!("550 5.1.1 <{}>: no such user", address.as_str())),
                        recruiter_notified_at: None,
                        recruiter_notice_unconfirmed_at: None,
                    },
                    address: EmailAddress::parse(address.as_str()).unwrap(),
                })
                .unwrap();
            let events = WebhookEvent::of_change(&before, &after, now());
            assert_eq!(
                kinds(&events),
                [(
                    WebhookEventType::InvitationBounced,
                    at("2026-12-01T10:01:00Z")
                )]
            );
            let body = events[0].body();
            assert!(
                body.contains(r#""bounceType":"Permanent/NoEmail""#),
                "{body}"
            );
            assert!(
                !body.contains("550") && !body.contains(address.as_str()),
                "{body}"
            );
        }

        #[test]
        fn a_cancellation_is_at_the_writes_instant() {
            let before = sent();
            let mut after = before.clone();
            after.apply(&InvitationEvent::Cancelled).unwrap();
            let events = WebhookEvent::of_change(&before, &after, now());
            assert_eq!(
                kinds(&events),
                [(WebhookEventType::InvitationCancelled, now())]
            );
            assert_eq!(events[0].status, InvitationStatus::Cancelled);
        }

        #[test]
        fn a_moved_deadline_is_at_its_recorded_instant() {
            let before = sent();
            let mut after = before.clone();
            after.deadline_extension_count += 1;
            after.deadline_extended_at = Some(at("2026-12-01T12:00:00Z"));
            let events = WebhookEvent::of_change(&before, &after, now());
            assert_eq!(
                kinds(&events),
                [(
                    WebhookEventType::InvitationDeadlineExtended,
                    at("2026-12-01T12:00:00Z")
                )]
            );
        }

        #[test]
        fn the_message_id_is_stable_and_tells_steps_apart() {
            let before = fixtures::invitation();
            let after = sent();
            let event = || WebhookEvent::of_change(&before, &after, now()).remove(0);
            let id = event().id();
            assert!(id.starts_with("msg_") && id.len() == 36, "{id}");
            assert_eq!(id, event().id());
            let mut other = event();
            other.kind = WebhookEventType::InvitationDelivered;
            assert_ne!(id, other.id());
            other = event();
            other.at += SignedDuration::from_millis(1);
            assert_ne!(id, other.id());
        }
    }

    #[test]
    fn retries_last_about_a_day() {
        let total: SignedDuration = RETRY_SCHEDULE.iter().copied().sum();
        assert!(total > SignedDuration::from_hours(24), "{total}");
        assert!(total < SignedDuration::from_hours(30), "{total}");
        assert!(RETRY_SCHEDULE.windows(2).all(|pair| pair[0] <= pair[1]));
    }
}
