//! `POST /webhook-subscriptions` and `POST /webhook-subscriptions/{id}/secret-rotation`, parsed.

use std::collections::BTreeSet;

use jiff::SignedDuration;
use serde_json::{Map, Value};

use invitations::app::webhooks::NewSubscription;
use invitations::domain::WebhookDescription;
use invitations::domain::webhooks::{
    MAX_ROTATION_OVERLAP, TargetRule, WebhookEventType, WebhookUrl,
};
use invitations::http::validation::{FieldError, FieldErrors, ObjectReader, json_type};

/// The previous secret's overlap when a rotation names none: a day, for an integrator to deploy
/// the new secret.
pub const DEFAULT_ROTATION_OVERLAP_HOURS: u32 = 24;

/// `POST /webhook-subscriptions`: `url` (checked by `rule`; its addresses are checked when
/// subscribing), `eventTypes` (one or more of `WebhookEventType`'s codes, each once) and an
/// optional `description`.
pub fn parse_new_webhook_subscription(
    body: Map<String, Value>,
    rule: TargetRule,
) -> Result<NewSubscription, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let mut reader = ObjectReader::new("", body);
    let url = reader.required_parsed("url", &mut errors, |raw: &str| WebhookUrl::parse(raw, rule));
    let event_types = match reader.required("eventTypes", &mut errors) {
        Some(Value::Array(items)) if items.is_empty() => {
            errors.add("/eventTypes", "must name at least one event type");
            None
        }
        Some(Value::Array(items)) => {
            let mut kinds = BTreeSet::new();
            for (index, item) in items.iter().enumerate() {
                let pointer = format!("/eventTypes/{index}");
                match item.as_str().map(WebhookEventType::parse_subscribable) {
                    Some(Ok(kind)) if kinds.insert(kind) => {}
                    Some(Ok(_)) => errors.add(pointer, "is named twice"),
                    Some(Err(problem)) => errors.add(pointer, problem),
                    None => errors.add(
                        pointer,
                        format!("must be a string, not {}", json_type(item)),
                    ),
                }
            }
            Some(kinds)
        }
        Some(other) => {
            errors.add(
                "/eventTypes",
                format!("must be an array, not {}", json_type(&other)),
            );
            None
        }
        None => None,
    };
    let description = reader
        .optional_string("description", &mut errors)
        .and_then(|text| errors.check("/description", WebhookDescription::parse(&text)));
    reader.finish(&mut errors);
    match (url, event_types) {
        (Some(url), Some(event_types)) if errors.is_empty() => Ok(NewSubscription {
            url,
            event_types,
            description,
        }),
        _ => Err(errors.into_vec()),
    }
}

/// `POST /webhook-subscriptions/{id}/secret-rotation`: `overlapHours`, how long the previous
/// secret keeps signing beside the new one, 0 to 168 (`MAX_ROTATION_OVERLAP`), default
/// [`DEFAULT_ROTATION_OVERLAP_HOURS`]. An empty body takes the default.
pub fn parse_secret_rotation(
    body: Option<Map<String, Value>>,
) -> Result<SignedDuration, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let mut reader = ObjectReader::new("", body.unwrap_or_default());
    let most = u32::try_from(MAX_ROTATION_OVERLAP.as_hours()).unwrap_or(u32::MAX);
    let hours = reader
        .optional_whole_number("overlapHours", 0..=most, &mut errors)
        .unwrap_or(DEFAULT_ROTATION_OVERLAP_HOURS);
    reader.finish(&mut errors);
    if errors.is_empty() {
        Ok(SignedDuration::from_hours(i64::from(hours)))
    } else {
        Err(errors.into_vec())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    fn pointers(errors: &[FieldError]) -> Vec<&str> {
        errors
            .iter()
            .filter_map(|error| error.pointer.as_deref())
            .collect()
    }

    #[test]
    fn a_subscription_names_its_url_and_event_types() {
        let new = parse_new_webhook_subscription(
            object(json!({
                "url": "https://ats.example/hooks/video",
                "eventTypes": ["invitation.completed", "invitation.bounced"],
                "description": "  Our ATS  ",
            })),
            TargetRule::default(),
        )
        .unwrap();
        assert_eq!(new.url.as_str(), "https://ats.example/hooks/video");
        assert_eq!(
            new.event_types,
            BTreeSet::from([
                WebhookEventType::InvitationCompleted,
                WebhookEventType::InvitationBounced
            ])
        );
        assert_eq!(new.description.unwrap().as_str(), "Our ATS");
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = parse_new_webhook_subscription(
            object(json!({
                "url": "http://10.0.0.1/hook",
                "eventTypes": ["invitation.sent", "invitation.sent", "invitation.nope", 7],
                "description": 5,
                "secret": "mine",
            })),
            TargetRule::default(),
        )
        .unwrap_err();
        assert_eq!(
            pointers(&errors),
            [
                "/description",
                "/eventTypes/1",
                "/eventTypes/2",
                "/eventTypes/3",
                "/secret",
                "/url"
            ]
        );
        let errors = parse_new_webhook_subscription(
            object(json!({"url": "https://ats.example/", "eventTypes": []})),
            TargetRule::default(),
        )
        .unwrap_err();
        assert_eq!(pointers(&errors), ["/eventTypes"]);
    }

    #[test]
    fn a_rotation_overlaps_a_day_unless_told() {
        assert_eq!(
            parse_secret_rotation(None).unwrap(),
            SignedDuration::from_hours(24)
        );
        assert_eq!(
            parse_secret_rotation(Some(object(json!({"overlapHours": 0})))).unwrap(),
            SignedDuration::ZERO
        );
        let errors = parse_secret_rotation(Some(object(json!({"overlapHours": 169}))));
        assert_eq!(pointers(&errors.unwrap_err()), ["/overlapHours"]);
    }
}
