//! Property tests over the request parsing of every route: whatever arrives (bytes, JSON of any
//! shape, hostile strings, query parameters, path tokens), nothing panics, every rejection becomes a
//! well-formed `application/problem+json` answer naming where the problem is, and whatever is
//! accepted holds the promises the domain types make (no control characters, no header injection).

use std::collections::HashMap;

use invitations::domain::RowVerdict;
use invitations::domain::{CandidateToken, EmailAddress, IanaTimeZone, PersonName};
use invitations::http::problem::ApiError;
use invitations::http::validation::{FieldError, FieldErrors, parse_json_object};
use lambda_http::Body;
use proptest::prelude::*;
use recruiter_api::requests::batch::parse_new_invitation_batch;
use recruiter_api::requests::{
    invitation_listing, parse_new_invitation, parse_new_video_interview,
    parse_organization_profile, video_interview_listing,
};
use serde_json::{Map, Value, json};

const INVITATION_FIELDS: [&str; 9] = [
    "firstName",
    "lastName",
    "email",
    "language",
    "videoInterviewId",
    "answerDeadline",
    "timeZone",
    "bccMyself",
    "notifyMe",
];
const VIDEO_INTERVIEW_FIELDS: [&str; 2] = ["title", "questions"];
const BATCH_FIELDS: [&str; 8] = [
    "videoInterviewId",
    "answerDeadline",
    "timeZone",
    "language",
    "bccMyself",
    "notifyMe",
    "reminders",
    "candidatesCsv",
];
const CANDIDATE_FIELDS: [&str; 4] = ["firstName", "lastName", "email", "language"];
const ORGANIZATION_FIELDS: [&str; 5] = [
    "displayName",
    "logoUrl",
    "accentColor",
    "careersSiteUrl",
    "privacyNoticeUrl",
];
const QUESTION_FIELDS: [&str; 3] = ["text", "thinkTimeSeconds", "answerTimeSeconds"];

/// Strings an attacker or a broken client sends.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        any::<String>(),
        Just("Anna\r\nBcc: victim@example.com".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("\"><img src=x onerror=alert(1)>".to_owned()),
        Just("anna@example.com.".to_owned()),
        Just("Anna <anna@example.com>".to_owned()),
        Just("anna@bücher.example".to_owned()),
        Just("2026-02-30".to_owned()),
        Just("2026-12-15T00:00".to_owned()),
        Just("\u{202e}nnA\u{200b}".to_owned()),
        Just("\0".to_owned()),
        Just("王秀英".repeat(40)),
        "[a-z]{0,3}".prop_map(|s| s.repeat(3000)),
        Just("01KAWXJ0V8G5Q8ZK3N2M4P6R7S".to_owned()),
        Just("Europe/Helsinki".to_owned()),
        Just("fi".to_owned()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        Just(json!(u64::MAX)),
        Just(json!(1e300)),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((field_name(&QUESTION_FIELDS), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Mostly the known fields (so that the parsers get past the envelope), sometimes others.
fn field_name(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(known).prop_map(str::to_owned),
        1 => hostile_string(),
    ]
}

fn body(known: &'static [&'static str]) -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((field_name(known), json_value()), 0..12)
        .prop_map(|pairs| pairs.into_iter().collect())
}

/// A rejection as the API answers it: a 422 problem that names every field, each by a JSON Pointer
/// into the body or by one of the query's parameters, with a reason.
fn assert_well_formed(errors: &[FieldError], query: &HashMap<String, String>) {
    assert!(!errors.is_empty(), "a rejection names at least one field");
    for error in errors {
        match (&error.pointer, &error.parameter) {
            (Some(pointer), None) => assert!(pointer.starts_with('/'), "{pointer:?}"),
            (None, Some(parameter)) => assert!(query.contains_key(parameter), "{parameter:?}"),
            other => panic!("exactly one of pointer and parameter: {other:?}"),
        }
        assert!(!error.detail.trim().is_empty());
    }
    let response = ApiError::Validation(errors.to_vec()).into_response();
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let Body::Text(text) = response.body() else {
        panic!("a problem is text")
    };
    let problem: Value = serde_json::from_str(text).expect("a problem is JSON");
    assert_eq!(problem["status"], 422);
    assert_eq!(problem["errors"].as_array().unwrap().len(), errors.len());
}

fn clean(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

fn helsinki() -> IanaTimeZone {
    IanaTimeZone::parse("Europe/Helsinki").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_are_an_object_or_a_malformed_json_answer(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Err(error) = parse_json_object(&bytes) {
            let response = ApiError::MalformedJson(error).into_response();
            prop_assert_eq!(response.status(), 400);
        }
    }

    #[test]
    fn any_json_text_with_duplicate_keys_is_refused(key in "[a-zA-Z]{1,8}", a in json_value(), b in json_value()) {
        let text = format!("{{\"{key}\":{a},\"{key}\":{b}}}");
        prop_assert!(parse_json_object(text.as_bytes()).is_err());
    }

    #[test]
    fn any_batch_is_read_row_by_row_or_refused_field_by_field(
        mut form in body(&BATCH_FIELDS),
        rows in prop::collection::vec(body(&CANDIDATE_FIELDS), 0..8),
        as_array in any::<bool>(),
    ) {
        // Either the rows as an array, or whatever `body` put in `candidatesCsv` (any text or
        // value), or both (refused whole).
        if as_array {
            form.insert("candidates".into(), Value::Array(rows.into_iter().map(Value::Object).collect()));
        }
        let now = "2026-12-01T10:00:00Z".parse().unwrap();
        match parse_new_invitation_batch(form, &helsinki(), now) {
            Ok(batch) => {
                for (_, verdict) in batch.rows.rows() {
                    match verdict {
                        RowVerdict::Accepted(row) => {
                            let candidate = &row.candidate;
                            prop_assert!(clean(candidate.first_name.as_str()));
                            prop_assert!(clean(candidate.last_name.as_str()));
                            prop_assert!(clean(candidate.email.as_str()));
                        }
                        // Pointers relative to the row; "" is the row itself.
                        RowVerdict::Invalid(errors) => {
                            prop_assert!(!errors.is_empty());
                            for error in errors {
                                let pointer = error.pointer.as_deref().unwrap_or("?");
                                prop_assert!(pointer.is_empty() || pointer.starts_with('/'), "{}", pointer);
                                prop_assert!(!error.detail.trim().is_empty());
                            }
                        }
                        _ => {}
                    }
                }
            }
            Err(errors) => {
                // "" (RFC 6901: the whole body) names a fault of the body as a whole.
                let named: Vec<FieldError> = errors
                    .into_iter()
                    .map(|error| match error.pointer.as_deref() {
                        Some("") => FieldError::body("/", error.detail),
                        _ => error,
                    })
                    .collect();
                assert_well_formed(&named, &HashMap::new());
            }
        }
    }

    #[test]
    fn any_invitation_form_is_accepted_clean_or_refused_field_by_field(form in body(&INVITATION_FIELDS)) {
        let now = "2026-12-01T10:00:00Z".parse().unwrap();
        match parse_new_invitation(form, &helsinki(), now) {
            Ok(invitation) => {
                let candidate = &invitation.candidate;
                for name in [&candidate.first_name, &candidate.last_name] {
                    prop_assert!(clean(name.as_str()));
                    prop_assert_eq!(&PersonName::parse(name.as_str()), &Ok(name.clone()));
                }
                prop_assert!(clean(candidate.email.as_str()));
            }
            Err(errors) => assert_well_formed(&errors, &HashMap::new()),
        }
    }

    #[test]
    fn one_hostile_field_in_a_valid_form_is_the_one_refused(
        field in prop::sample::select(&INVITATION_FIELDS[..]),
        value in json_value(),
    ) {
        let mut form = json!({
            "firstName": "Anna", "lastName": "Virtanen", "email": "anna@example.fi",
            "language": "fi", "videoInterviewId": "01KAWXJ0V8G5Q8ZK3N2M4P6R7S",
            "answerDeadline": "2026-12-15", "timeZone": "Europe/Helsinki",
            "bccMyself": true, "notifyMe": false
        });
        form[field] = value;
        let Value::Object(form) = form else { unreachable!() };
        let now = "2026-12-01T10:00:00Z".parse().unwrap();
        if let Err(errors) = parse_new_invitation(form, &helsinki(), now) {
            assert_well_formed(&errors, &HashMap::new());
            let pointers: Vec<_> = errors.iter().filter_map(|error| error.pointer.as_deref()).collect();
            // The time zone decides which day the deadline is: a bad zone may be reported there too.
            let expected = format!("/{field}");
            prop_assert!(pointers.contains(&expected.as_str()), "{:?} for {}", pointers, field);
            prop_assert!(pointers.iter().all(|p| *p == expected || (field == "timeZone" && *p == "/answerDeadline")), "{:?}", pointers);
        }
    }

    #[test]
    fn any_organization_profile_is_accepted_safe_to_show_or_refused_field_by_field(form in body(&ORGANIZATION_FIELDS)) {
        match parse_organization_profile(form) {
            Ok(profile) => {
                let name = profile.display_name.as_str();
                prop_assert!(clean(name) && !name.contains('@'));
                let urls = [Some(&profile.privacy_notice_url), profile.logo_url.as_ref(), profile.careers_site_url.as_ref()];
                for url in urls.into_iter().flatten() {
                    // Nothing that could leave an attribute, hide, or change the scheme.
                    prop_assert!(url.as_str().starts_with("https://"));
                    prop_assert!(url.as_str().chars().all(|c| c.is_ascii_graphic() && c != '"' && c != '<' && c != '>'), "{}", url.as_str());
                }
            }
            Err(errors) => assert_well_formed(&errors, &HashMap::new()),
        }
    }

    #[test]
    fn any_video_interview_form_is_accepted_clean_or_refused_field_by_field(form in body(&VIDEO_INTERVIEW_FIELDS)) {
        match parse_new_video_interview(form) {
            Ok(interview) => {
                prop_assert!(clean(interview.title.as_str()));
                prop_assert!(!interview.questions.is_empty());
            }
            Err(errors) => assert_well_formed(&errors, &HashMap::new()),
        }
    }

    #[test]
    fn any_query_is_a_page_or_refused_parameter_by_parameter(
        parameters in prop::collection::hash_map(
            prop_oneof![Just("limit".to_owned()), Just("cursor".to_owned()), Just("status".to_owned()),
                        Just("videoInterviewId".to_owned()), hostile_string()],
            hostile_string(),
            0..5,
        )
    ) {
        let parameters: HashMap<String, String> = parameters;
        if let Err(errors) = invitation_listing(parameters.clone(), FieldErrors::default(), jiff::Timestamp::UNIX_EPOCH) {
            assert_well_formed(&errors, &parameters);
        }
        match video_interview_listing(parameters.clone(), FieldErrors::default()) {
            Ok(page) => prop_assert!((1..=100).contains(&page.limit)),
            Err(errors) => assert_well_formed(&errors, &parameters),
        }
    }

    #[test]
    fn any_path_token_is_looked_up_only_when_well_formed(raw in hostile_string()) {
        if let Some(token) = CandidateToken::parse(&raw) {
            prop_assert_eq!(token.expose(), raw.as_str());
            prop_assert!(token.expose().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            prop_assert!(token.invitation().0.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        }
    }

    #[test]
    fn an_accepted_address_cannot_carry_a_header_or_a_second_recipient(raw in hostile_string()) {
        if let Ok(address) = EmailAddress::parse(&raw) {
            let text = address.as_str();
            prop_assert!(text.is_ascii());
            prop_assert!(!text.contains(|c: char| c.is_whitespace() || c.is_control() || "<>,;:\"()[]\\".contains(c)));
            prop_assert_eq!(text.matches('@').count(), 1);
        }
    }
}
