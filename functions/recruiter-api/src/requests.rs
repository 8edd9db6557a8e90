//! Requests of the recruiter API, parsed from untrusted JSON and query strings into domain values.
//! Every invalid field is reported, each with its own message.

use std::collections::HashMap;

use jiff::Timestamp;
use serde_json::{Map, Value};

use invitations::domain::{
    AccentColor, AnswerDeadline, Candidate, EmailAddress, HttpsUrl, IanaTimeZone, InvitationStatus,
    Language, NewInvitation, NewVideoInterview, OrganizationName, OrganizationProfileForm,
    PersonName, Question, QuestionText, VideoInterviewId, VideoInterviewTitle,
};
use invitations::http::validation::{FieldError, FieldErrors, ObjectReader, json_type};
use invitations::ports::{InvitationFilter, PageCursor, PageRequest};

pub mod batch;
pub mod webhooks;
pub use batch::{NewInvitationBatch, parse_new_invitation_batch};

/// `POST /invitations/{id}/resend`, read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResendForm {
    /// `acceptDuplicate` (default false): the recruiter accepts that the candidate may get the
    /// email twice (needed when the last send is unconfirmed).
    pub accept_duplicate: bool,
    /// `email`: the candidate's corrected address (after a bounce, or a typo), checked as the
    /// invitation form's is.
    pub corrected_email: Option<EmailAddress>,
}

/// `POST /invitations/{id}/resend`: an optional body with `acceptDuplicate` and `email`.
pub fn parse_resend(body: Option<Map<String, Value>>) -> Result<ResendForm, Vec<FieldError>> {
    let Some(body) = body else {
        return Ok(ResendForm::default());
    };
    let mut errors = FieldErrors::default();
    let mut reader = ObjectReader::new("", body);
    let accept_duplicate = reader.flag("acceptDuplicate", &mut errors);
    let corrected_email = reader
        .optional_string("email", &mut errors)
        .and_then(|email| errors.check("/email", EmailAddress::parse(&email)));
    reader.finish(&mut errors);
    if errors.is_empty() {
        Ok(ResendForm {
            accept_duplicate,
            corrected_email,
        })
    } else {
        Err(errors.into_vec())
    }
}

/// `POST /invitations/{id}/deadline-extension`, read.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineExtensionForm {
    /// `answerDeadline`: the new deadline day, `YYYY-MM-DD` (checked against the invitation by
    /// the use case: later than the current one, today at the earliest, a year ahead at most).
    pub date: jiff::civil::Date,
    /// `timeZone`: whose day it is; the current deadline's zone when absent.
    pub time_zone: Option<IanaTimeZone>,
    /// `notifyCandidate` (default true): email the candidate the new deadline.
    pub notify_candidate: bool,
}

/// `POST /invitations/{id}/deadline-extension`: `answerDeadline`, optional `timeZone` and
/// `notifyCandidate`.
pub fn parse_deadline_extension(
    body: Map<String, Value>,
) -> Result<DeadlineExtensionForm, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let mut reader = ObjectReader::new("", body);
    let date = reader.required_parsed("answerDeadline", &mut errors, AnswerDeadline::parse_date);
    let time_zone = reader
        .optional_string("timeZone", &mut errors)
        .and_then(|name| errors.check("/timeZone", IanaTimeZone::parse(&name)));
    let notify_candidate = reader.flag_or("notifyCandidate", true, &mut errors);
    reader.finish(&mut errors);
    match date {
        Some(date) if errors.is_empty() => Ok(DeadlineExtensionForm {
            date,
            time_zone,
            notify_candidate,
        }),
        _ => Err(errors.into_vec()),
    }
}

/// `PUT /organization`: the organization profile, whole. Optional fields may be left out or
/// `null` (what `GET` shows for them), and then are unset.
pub fn parse_organization_profile(
    body: Map<String, Value>,
) -> Result<OrganizationProfileForm, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let mut reader = ObjectReader::new("", body);
    let display_name = reader.required_parsed("displayName", &mut errors, OrganizationName::parse);
    let mut optional = |field: &'static str, errors: &mut FieldErrors| match reader.take(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some((reader.pointer(field), text)),
        Some(other) => {
            errors.add(
                reader.pointer(field),
                format!("must be a string or null, not {}", json_type(&other)),
            );
            None
        }
    };
    let logo_url = optional("logoUrl", &mut errors);
    let accent_color = optional("accentColor", &mut errors);
    let careers_site_url = optional("careersSiteUrl", &mut errors);
    let mut url = |field: Option<(String, String)>| match field {
        None => Some(None),
        Some((pointer, raw)) => errors.check(pointer, HttpsUrl::parse(&raw)).map(Some),
    };
    let (logo_url, careers_site_url) = (url(logo_url), url(careers_site_url));
    let accent_color = match accent_color {
        None => Some(None),
        Some((pointer, raw)) => errors.check(pointer, AccentColor::parse(&raw)).map(Some),
    };
    let privacy_notice_url =
        reader.required_parsed("privacyNoticeUrl", &mut errors, HttpsUrl::parse);
    reader.finish(&mut errors);
    match (
        display_name,
        logo_url,
        accent_color,
        careers_site_url,
        privacy_notice_url,
    ) {
        (
            Some(display_name),
            Some(logo_url),
            Some(accent_color),
            Some(careers_site_url),
            Some(privacy_notice_url),
        ) if errors.is_empty() => Ok(OrganizationProfileForm {
            display_name,
            logo_url,
            accent_color,
            careers_site_url,
            privacy_notice_url,
        }),
        _ => Err(errors.into_vec()),
    }
}

/// `POST /video-interviews`: the video interview form.
pub fn parse_new_video_interview(
    body: Map<String, Value>,
) -> Result<NewVideoInterview, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let mut reader = ObjectReader::new("", body);
    let title = reader.required_parsed("title", &mut errors, VideoInterviewTitle::parse);
    let questions = match reader.required("questions", &mut errors) {
        Some(Value::Array(items)) if items.is_empty() => {
            errors.add("/questions", "must have at least one question");
            None
        }
        Some(Value::Array(items)) if items.len() > Question::MAX_PER_INTERVIEW => {
            errors.add(
                "/questions",
                format!(
                    "must have at most {} questions",
                    Question::MAX_PER_INTERVIEW
                ),
            );
            None
        }
        Some(Value::Array(items)) => {
            // Parse all of them before collecting, so that every bad question is reported.
            let parsed: Vec<_> = items
                .into_iter()
                .enumerate()
                .map(|(index, item)| parse_question(index, item, &mut errors))
                .collect();
            parsed.into_iter().collect::<Option<Vec<_>>>()
        }
        Some(other) => {
            errors.add(
                "/questions",
                format!("must be an array, not {}", json_type(&other)),
            );
            None
        }
        None => None,
    };
    reader.finish(&mut errors);
    match (title, questions) {
        (Some(title), Some(questions)) if errors.is_empty() => {
            Ok(NewVideoInterview { title, questions })
        }
        _ => Err(errors.into_vec()),
    }
}

fn parse_question(index: usize, item: Value, errors: &mut FieldErrors) -> Option<Question> {
    let base = format!("/questions/{index}");
    let Value::Object(fields) = item else {
        errors.add(base, format!("must be an object, not {}", json_type(&item)));
        return None;
    };
    let mut reader = ObjectReader::new(base, fields);
    let text = reader.required_parsed("text", errors, QuestionText::parse);
    let think_time_seconds =
        reader.optional_whole_number("thinkTimeSeconds", Question::THINK_TIME_SECONDS, errors);
    let answer_time_seconds =
        reader.optional_whole_number("answerTimeSeconds", Question::ANSWER_TIME_SECONDS, errors);
    reader.finish(errors);
    Some(Question {
        text: text?,
        think_time_seconds,
        answer_time_seconds,
    })
}

/// `POST /invitations`: the invitation form, exactly as the recruiter fills it in. `now` decides
/// which deadlines are in the past; `default_time_zone` is whose day a deadline is when the form
/// names no zone.
pub fn parse_new_invitation(
    body: Map<String, Value>,
    default_time_zone: &IanaTimeZone,
    now: Timestamp,
) -> Result<NewInvitation, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let mut reader = ObjectReader::new("", body);
    let candidate = candidate(&mut reader, &mut errors);
    let language = reader.required_parsed("language", &mut errors, str::parse::<Language>);
    let video_interview_id = reader.required_parsed(
        "videoInterviewId",
        &mut errors,
        str::parse::<VideoInterviewId>,
    );
    let deadline = new_answer_deadline(&mut reader, default_time_zone, now, &mut errors);
    let bcc_myself = reader.flag("bccMyself", &mut errors);
    let notify_me = reader.flag("notifyMe", &mut errors);
    let reminders = reader.flag_or("reminders", true, &mut errors);
    reader.finish(&mut errors);
    match (candidate, language, video_interview_id, deadline) {
        (Some(candidate), Some(language), Some(video_interview_id), Some(deadline))
            if errors.is_empty() =>
        {
            Ok(NewInvitation {
                candidate,
                language,
                video_interview_id,
                deadline,
                bcc_myself,
                notify_me,
                reminders,
            })
        }
        _ => Err(errors.into_vec()),
    }
}

/// `firstName`, `lastName` and `email`: the candidate, as the invitation form and a batch's rows
/// name them.
fn candidate(reader: &mut ObjectReader, errors: &mut FieldErrors) -> Option<Candidate> {
    let first_name = reader.required_parsed("firstName", errors, PersonName::parse);
    let last_name = reader.required_parsed("lastName", errors, PersonName::parse);
    let email = reader.required_parsed("email", errors, EmailAddress::parse);
    Some(Candidate {
        first_name: first_name?,
        last_name: last_name?,
        email: email?,
    })
}

/// `answerDeadline` (a date, inclusive) in `timeZone` (default: `default_time_zone`), for a new
/// invitation asked for at `now`: not in the past, not too far ahead (`AnswerDeadline`).
fn new_answer_deadline(
    reader: &mut ObjectReader,
    default_time_zone: &IanaTimeZone,
    now: Timestamp,
    errors: &mut FieldErrors,
) -> Option<AnswerDeadline> {
    let time_zone = match reader.optional_string("timeZone", errors) {
        Some(name) => errors.check("/timeZone", IanaTimeZone::parse(&name)),
        None => Some(default_time_zone.clone()),
    };
    let date = reader.required_parsed("answerDeadline", errors, AnswerDeadline::parse_date);
    match (date, time_zone) {
        (Some(date), Some(time_zone)) => errors.check(
            "/answerDeadline",
            AnswerDeadline::for_new_invitation(date, time_zone, now),
        ),
        _ => None,
    }
}

pub const DEFAULT_PAGE_SIZE: usize = 25;
pub const MAX_PAGE_SIZE: usize = 100;

/// `limit` and `cursor` of a listing.
fn page_request(parameters: &mut HashMap<String, String>, errors: &mut FieldErrors) -> PageRequest {
    let limit = match parameters.remove("limit") {
        None => DEFAULT_PAGE_SIZE,
        Some(raw) => match raw.parse::<usize>() {
            Ok(limit) if (1..=MAX_PAGE_SIZE).contains(&limit) => limit,
            _ => {
                errors.add_parameter(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_PAGE_SIZE}"),
                );
                DEFAULT_PAGE_SIZE
            }
        },
    };
    let cursor = parameters
        .remove("cursor")
        .and_then(|raw| errors.check_parameter("cursor", PageCursor::decode(&raw)));
    PageRequest { limit, cursor }
}

fn finish_parameters(parameters: HashMap<String, String>, errors: &mut FieldErrors) {
    for unknown in parameters.into_keys() {
        errors.add_parameter(unknown, "is not a known parameter");
    }
}

/// `POST /candidate-erasures`: `{"email": ...}`, the address whose invitations are erased.
pub fn parse_candidate_erasure(body: Map<String, Value>) -> Result<EmailAddress, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let mut reader = ObjectReader::new("", body);
    let email = reader.required_parsed("email", &mut errors, EmailAddress::parse);
    reader.finish(&mut errors);
    match email {
        Some(email) if errors.is_empty() => Ok(email),
        _ => Err(errors.into_vec()),
    }
}

/// `GET /candidate-data?email=`: the address whose invitations are shown.
pub fn candidate_data_request(
    mut parameters: HashMap<String, String>,
    mut errors: FieldErrors,
) -> Result<EmailAddress, Vec<FieldError>> {
    let email = match parameters.remove("email") {
        Some(raw) => errors.check_parameter("email", EmailAddress::parse(&raw)),
        None => {
            errors.add_parameter("email", "is required");
            None
        }
    };
    finish_parameters(parameters, &mut errors);
    match email {
        Some(email) if errors.is_empty() => Ok(email),
        _ => Err(errors.into_vec()),
    }
}

/// `GET /video-interviews?limit=&cursor=`
pub fn video_interview_listing(
    mut parameters: HashMap<String, String>,
    mut errors: FieldErrors,
) -> Result<PageRequest, Vec<FieldError>> {
    let page = page_request(&mut parameters, &mut errors);
    finish_parameters(parameters, &mut errors);
    if errors.is_empty() {
        Ok(page)
    } else {
        Err(errors.into_vec())
    }
}

/// `GET /invitations?status=&videoInterviewId=&limit=&cursor=`, statuses read at `now`.
pub fn invitation_listing(
    mut parameters: HashMap<String, String>,
    mut errors: FieldErrors,
    now: jiff::Timestamp,
) -> Result<(InvitationFilter, PageRequest), Vec<FieldError>> {
    let status = parameters
        .remove("status")
        .and_then(|raw| errors.check_parameter("status", raw.parse::<InvitationStatus>()));
    let video_interview_id = parameters.remove("videoInterviewId").and_then(|raw| {
        errors.check_parameter("videoInterviewId", raw.parse::<VideoInterviewId>())
    });
    let page = page_request(&mut parameters, &mut errors);
    finish_parameters(parameters, &mut errors);
    if errors.is_empty() {
        Ok((
            InvitationFilter {
                status,
                video_interview_id,
                at: now,
            },
            page,
        ))
    } else {
        Err(errors.into_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    fn helsinki() -> IanaTimeZone {
        IanaTimeZone::parse("Europe/Helsinki").unwrap()
    }

    fn now() -> Timestamp {
        "2026-12-01T10:00:00Z".parse().unwrap()
    }

    fn valid_invitation() -> Value {
        json!({
            "firstName": " Anna ",
            "lastName": "Virtanen",
            "email": "anna@example.fi",
            "language": "fi",
            "videoInterviewId": "01JDQ5B3V5Z9K3W8Y4T1M2N6PQ",
            "answerDeadline": "2026-12-15",
            "bccMyself": true,
            "notifyMe": true
        })
    }

    fn pointers(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().filter_map(|e| e.pointer.as_deref()).collect()
    }

    #[test]
    fn a_valid_form_becomes_a_new_invitation() {
        let invitation =
            parse_new_invitation(object(valid_invitation()), &helsinki(), now()).unwrap();
        assert_eq!(invitation.candidate.first_name.as_str(), "Anna");
        assert_eq!(invitation.language, Language::Fi);
        assert_eq!(invitation.deadline.time_zone().name(), "Europe/Helsinki");
        assert!(invitation.bcc_myself && invitation.notify_me);
    }

    #[test]
    fn the_form_may_name_the_deadlines_time_zone_and_omit_the_checkboxes() {
        let mut body = valid_invitation();
        body["timeZone"] = json!("America/New_York");
        body.as_object_mut().unwrap().remove("bccMyself");
        body["notifyMe"] = Value::Null;
        let invitation = parse_new_invitation(object(body), &helsinki(), now()).unwrap();
        assert_eq!(invitation.deadline.time_zone().name(), "America/New_York");
        assert!(!invitation.bcc_myself && !invitation.notify_me);
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let body = json!({
            "firstName": "",
            "lastName": 7,
            "email": "Anna <anna@example.fi>",
            "language": "de",
            "videoInterviewId": "../other-org",
            "answerDeadline": "2026-02-30",
            "timeZone": "Mars/Base",
            "bccMyself": "yes",
            "notifyme": true
        });
        let errors = parse_new_invitation(object(body), &helsinki(), now()).unwrap_err();
        assert_eq!(
            pointers(&errors),
            [
                "/answerDeadline",
                "/bccMyself",
                "/email",
                "/firstName",
                "/language",
                "/lastName",
                "/notifyme",
                "/timeZone",
                "/videoInterviewId"
            ]
        );
        let language = errors
            .iter()
            .find(|e| e.pointer.as_deref() == Some("/language"))
            .unwrap();
        assert!(language.detail.contains("en, fi, sv"));
    }

    #[test]
    fn an_empty_form_names_every_required_field() {
        let errors = parse_new_invitation(Map::new(), &helsinki(), now()).unwrap_err();
        assert_eq!(
            pointers(&errors),
            [
                "/answerDeadline",
                "/email",
                "/firstName",
                "/language",
                "/lastName",
                "/videoInterviewId"
            ]
        );
        assert!(errors.iter().all(|e| e.detail == "is required"));
    }

    #[test]
    fn a_past_deadline_is_rejected_with_today_named() {
        let mut body = valid_invitation();
        body["answerDeadline"] = json!("2026-11-30");
        let errors = parse_new_invitation(object(body), &helsinki(), now()).unwrap_err();
        assert_eq!(pointers(&errors), ["/answerDeadline"]);
        assert!(
            errors[0].detail.contains("2026-12-01"),
            "{}",
            errors[0].detail
        );
    }

    #[test]
    fn video_interviews_need_a_title_and_one_to_thirty_questions() {
        let valid = json!({"title": "Sales", "questions": [
            {"text": "Why us?", "thinkTimeSeconds": 30, "answerTimeSeconds": 120},
            {"text": "Tell us about yourself"}
        ]});
        let interview = parse_new_video_interview(object(valid)).unwrap();
        assert_eq!(interview.questions.len(), 2);
        assert_eq!(interview.questions[0].answer_time_seconds, Some(120));

        let errors =
            parse_new_video_interview(object(json!({"title": "", "questions": []}))).unwrap_err();
        assert_eq!(pointers(&errors), ["/questions", "/title"]);
        let many: Vec<_> = (0..31).map(|i| json!({"text": format!("Q{i}")})).collect();
        let errors = parse_new_video_interview(object(json!({"title": "T", "questions": many})))
            .unwrap_err();
        assert_eq!(errors[0].detail, "must have at most 30 questions");
        let errors = parse_new_video_interview(object(json!({"title": "T", "questions": [
            {"text": ""}, "plain", {"text": "ok", "answerTimeSeconds": 5, "extra": 1}
        ]})))
        .unwrap_err();
        assert_eq!(
            pointers(&errors),
            [
                "/questions/0/text",
                "/questions/1",
                "/questions/2/answerTimeSeconds",
                "/questions/2/extra"
            ]
        );
    }

    #[test]
    fn listing_parameters_are_checked() {
        let parameters = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect()
        };
        let (filter, page) = invitation_listing(
            parameters(&[("status", "sent"), ("limit", "10")]),
            FieldErrors::default(),
            invitations::domain::fixtures::now(),
        )
        .unwrap();
        assert_eq!(filter.status, Some(InvitationStatus::Sent));
        assert_eq!(page.limit, 10);
        let errors = invitation_listing(
            parameters(&[
                ("status", "done"),
                ("limit", "0"),
                ("cursor", "x"),
                ("sort", "asc"),
            ]),
            FieldErrors::default(),
            invitations::domain::fixtures::now(),
        )
        .unwrap_err();
        let names: Vec<_> = errors
            .iter()
            .filter_map(|e| e.parameter.as_deref())
            .collect();
        assert_eq!(names, ["cursor", "limit", "sort", "status"]);
        assert_eq!(
            video_interview_listing(HashMap::new(), FieldErrors::default())
                .unwrap()
                .limit,
            25
        );
    }
}
