//! The completion event: the contract between the candidate API (or a deployment's recording
//! service), which publishes it, and the notifier, which reacts to it. Documented in
//! docs/events.md; both publishers must produce exactly this shape.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::{InvitationId, OrganizationId};

pub const SOURCE: &str = "recruit.video-interviews";
pub const DETAIL_TYPE: &str = "VideoInterviewCompleted";

/// A candidate submitted their video interview.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoInterviewCompleted {
    pub organization_id: OrganizationId,
    pub invitation_id: InvitationId,
    pub completed_at: Timestamp,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Detail<'a> {
    organization_id: &'a str,
    invitation_id: String,
    completed_at: String,
}

impl VideoInterviewCompleted {
    /// The `detail` of the EventBridge event, as JSON text.
    pub fn detail(&self) -> String {
        serde_json::to_string(&Detail {
            organization_id: self.organization_id.as_str(),
            invitation_id: self.invitation_id.to_string(),
            completed_at: self.completed_at.to_string(),
        })
        .expect("the detail always serializes")
    }

    /// Reads an EventBridge event as delivered to a Lambda target. The rule already filters on
    /// source and detail type; they are checked again so that a misrouted event is refused, not
    /// misread. Unknown detail fields are ignored, so that publishers may add some.
    pub fn from_event(event: &Value) -> Result<Self, String> {
        let field = |value: &Value, name: &str| -> Result<String, String> {
            value
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("{name} is missing or not a string"))
        };
        let source = field(event, "source")?;
        let detail_type = field(event, "detail-type")?;
        if source != SOURCE || detail_type != DETAIL_TYPE {
            return Err(format!(
                "expected {SOURCE}/{DETAIL_TYPE}, got {source}/{detail_type}"
            ));
        }
        let detail = event
            .get("detail")
            .filter(|detail| detail.is_object())
            .ok_or("detail is missing or not an object")?;
        Ok(Self {
            organization_id: OrganizationId::parse(&field(detail, "organizationId")?)
                .map_err(|problem| format!("detail.organizationId {problem}"))?,
            invitation_id: field(detail, "invitationId")?
                .parse()
                .map_err(|problem| format!("detail.invitationId {problem}"))?,
            completed_at: field(detail, "completedAt")?
                .parse()
                .map_err(|_| "detail.completedAt must be an RFC 3339 instant".to_owned())?,
        })
    }
}

/// The detail type of [`CandidateDataErased`].
pub const ERASED_DETAIL_TYPE: &str = "CandidateDataErased";

/// A recruiter's organization erased invitations (GDPR article 17): whoever keeps more of them
/// (the recording service's videos) deletes it too. It names no person: the ids are all a
/// consumer needs, and an event must not copy what was erased. Documented in docs/events.md.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateDataErased {
    pub organization_id: OrganizationId,
    /// At most [`CandidateDataErased::MAX_IDS`], to keep the event well under EventBridge's
    /// 256 KB; a larger erasure publishes several.
    pub invitation_ids: Vec<InvitationId>,
    pub erased_at: Timestamp,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErasedDetail<'a> {
    organization_id: &'a str,
    invitation_ids: Vec<String>,
    erased_at: String,
}

impl CandidateDataErased {
    /// Ids per event: 26 characters each, about 30 KB of detail.
    pub const MAX_IDS: usize = 1000;

    /// The `detail` of the EventBridge event, as JSON text.
    pub fn detail(&self) -> String {
        serde_json::to_string(&ErasedDetail {
            organization_id: self.organization_id.as_str(),
            invitation_ids: self
                .invitation_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
            erased_at: self.erased_at.to_string(),
        })
        .expect("the detail always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(detail: Value) -> Value {
        json!({
            "version": "0",
            "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type": DETAIL_TYPE,
            "source": SOURCE,
            "account": "123456789012",
            "time": "2026-12-10T14:03:00Z",
            "region": "eu-west-1",
            "resources": [],
            "detail": detail
        })
    }

    #[test]
    fn the_detail_round_trips_through_an_event() {
        let completed = VideoInterviewCompleted {
            organization_id: OrganizationId::parse("acme").unwrap(),
            invitation_id: "01KAWXK4D2T6Y9B3C5E7G8H1J2".parse().unwrap(),
            completed_at: "2026-12-10T14:03:00.123Z".parse().unwrap(),
        };
        let detail: Value = serde_json::from_str(&completed.detail()).unwrap();
        assert_eq!(
            detail,
            json!({
                "organizationId": "acme",
                "invitationId": "01KAWXK4D2T6Y9B3C5E7G8H1J2",
                "completedAt": "2026-12-10T14:03:00.123Z"
            })
        );
        assert_eq!(
            VideoInterviewCompleted::from_event(&event(detail)),
            Ok(completed)
        );
    }

    #[test]
    fn an_erasure_names_the_invitations_and_no_one() {
        let erased = CandidateDataErased {
            organization_id: OrganizationId::parse("acme").unwrap(),
            invitation_ids: vec!["01KAWXK4D2T6Y9B3C5E7G8H1J2".parse().unwrap()],
            erased_at: "2026-12-10T14:03:00Z".parse().unwrap(),
        };
        assert_eq!(
            serde_json::from_str::<Value>(&erased.detail()).unwrap(),
            json!({
                "organizationId": "acme",
                "invitationIds": ["01KAWXK4D2T6Y9B3C5E7G8H1J2"],
                "erasedAt": "2026-12-10T14:03:00Z"
            })
        );
    }

    #[test]
    fn other_publishers_may_add_fields_and_offsets() {
        let parsed = VideoInterviewCompleted::from_event(&event(json!({
            "organizationId": "acme",
            "invitationId": "01KAWXK4D2T6Y9B3C5E7G8H1J2",
            "completedAt": "2026-12-10T16:03:00+02:00",
            "recordingId": "r-1"
        })))
        .unwrap();
        assert_eq!(parsed.completed_at.to_string(), "2026-12-10T14:03:00Z");
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        let good = json!({
            "organizationId": "acme",
            "invitationId": "01KAWXK4D2T6Y9B3C5E7G8H1J2",
            "completedAt": "2026-12-10T14:03:00Z"
        });
        let mut wrong_source = event(good.clone());
        wrong_source["source"] = json!("someone.else");
        let cases = [
            (json!({}), "source"),
            (json!("text"), "source"),
            (wrong_source, "expected"),
            (event(json!("not an object")), "detail"),
            (event(json!({"organizationId": "acme"})), "invitationId"),
            (
                event(
                    json!({"organizationId": "a#b", "invitationId": "01KAWXK4D2T6Y9B3C5E7G8H1J2", "completedAt": "2026-12-10T14:03:00Z"}),
                ),
                "organizationId",
            ),
            (
                event(
                    json!({"organizationId": "acme", "invitationId": "nope", "completedAt": "2026-12-10T14:03:00Z"}),
                ),
                "invitationId",
            ),
            (
                event(
                    json!({"organizationId": "acme", "invitationId": "01KAWXK4D2T6Y9B3C5E7G8H1J2", "completedAt": "2026-12-10"}),
                ),
                "completedAt",
            ),
        ];
        for (event, mentions) in cases {
            let error = VideoInterviewCompleted::from_event(&event).unwrap_err();
            assert!(error.contains(mentions), "{error} for {event}");
        }
    }
}
