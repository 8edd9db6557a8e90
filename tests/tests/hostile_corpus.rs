//! A corpus of nasty values, end to end: through the real handlers into the stored records and every
//! email that goes out (the invitation, its BCC and the recruiter's notice). Markup is escaped in
//! every email, line breaks never reach a header, and every bad value is refused by name.

use completion_notifier::Outcome;
use integration_tests::events::{ApiEvent, Claims};
use integration_tests::world::*;
use serde_json::{Value, json};

const MARKUP: [&str; 4] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "<a href=\"javascript:alert(3)\">x</a>",
    "&lt;already&gt; &amp; 'quoted'",
];

#[tokio::test]
async fn markup_in_every_text_field_is_escaped_in_every_email() {
    let world = world().await;
    for (n, markup) in MARKUP.iter().enumerate() {
        // The recruiter's own name comes from the identity provider: hostile too.
        let recruiter = Claims {
            name: Some(format!("Rita {markup}")),
            locale: Some(["en-GB", "fi-FI", "sv-SE", "en"][n].to_owned()),
            ..world.acme.clone()
        };
        let interview = world
            .call(
                ApiEvent::post(
                    "/video-interviews",
                    &json!({"title": format!("Title {markup}"), "questions": [{"text": markup}]}),
                )
                .claims(&recruiter),
            )
            .await;
        assert_eq!(interview.status, 201, "{}", interview.body);
        let mut form = world.invitation_form(
            interview.body["id"].as_str().unwrap(),
            ["en", "fi", "sv", "en"][n],
            true,
        );
        form["firstName"] = json!(format!("First {markup}"));
        form["lastName"] = json!(format!("Last {markup}"));
        form["email"] = json!(world.candidate_email(&format!("hostile{n}")));
        let sent = world.invite(&recruiter, &form).await;
        assert_eq!(sent.status, 201, "{}", sent.body);
        // Stored and shown back exactly as given (JSON escapes it; nothing is lost).
        assert_eq!(sent.body["firstName"], format!("First {markup}"));
        let event = json!({
            "source": invitations::domain::events::SOURCE,
            "detail-type": invitations::domain::events::DETAIL_TYPE,
            "detail": {"organizationId": "acme", "invitationId": sent.body["id"],
                       "completedAt": "2026-12-08T09:45:00Z"}
        });
        let notifier = world.notifier(SENDER, "2026-12-08T09:45:05Z");
        assert_eq!(notifier.handle(&event).await.unwrap(), Outcome::Notified);
    }
    let emails = world.emails().await;
    assert_eq!(
        emails.len(),
        2 * MARKUP.len(),
        "an invitation and a notice each"
    );
    for email in &emails {
        // Raw tags are the danger; their escaped text (`onerror=alert` after `&#60;img`) is inert.
        for dangerous in ["<script", "<img", "<a href=\"javascript"] {
            assert!(
                !email.html.contains(dangerous),
                "{dangerous} in {}",
                email.html
            );
        }
        assert!(!email.subject.contains(['\r', '\n']));
        // What was escaped is still there for the reader: `<` or, in the last value, `&`.
        assert!(
            email.html.contains("&#60;") || email.html.contains("&#38;"),
            "{}",
            email.html
        );
    }
}

/// (field, value, the pointer that must be named) for the invitation form.
fn bad_invitation_values() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        (
            "firstName",
            json!("Anna\r\nBcc: victim@example.com"),
            "/firstName",
        ),
        ("lastName", json!("Vir\u{0}tanen"), "/lastName"),
        // Text that shows as nothing or reorders what follows it.
        ("firstName", json!("\u{200B}\u{200B}"), "/firstName"),
        ("lastName", json!("Virtanen\u{202E}"), "/lastName"),
        ("lastName", json!("\u{2067}Virtanen"), "/lastName"),
        (
            "firstName",
            json!("Anna\u{2028}Bcc: victim@example.com"),
            "/firstName",
        ),
        ("firstName", json!("x".repeat(101)), "/firstName"),
        ("firstName", json!(null), "/firstName"),
        ("firstName", json!(42), "/firstName"),
        ("firstName", json!(["Anna"]), "/firstName"),
        ("email", json!("Anna <anna@example.com>"), "/email"),
        ("email", json!("anna@example.com."), "/email"),
        (
            "email",
            json!("anna@example.com\r\nBcc: victim@example.com"),
            "/email",
        ),
        ("email", json!("anna@[127.0.0.1]"), "/email"),
        // Addresses RFC 5322 allows and SES cannot deliver to.
        (
            "email",
            json!("\"maija@evil.example\"@example.org"),
            "/email",
        ),
        ("email", json!("\"anna virtanen\"@example.com"), "/email"),
        ("email", json!("anna(work)@example.com"), "/email"),
        ("email", json!("anna..virtanen@example.com"), "/email"),
        ("email", json!("anna@exa_mple.com"), "/email"),
        ("email", json!("anna@example.123"), "/email"),
        ("answerDeadline", json!("2026-02-30"), "/answerDeadline"),
        (
            "answerDeadline",
            json!("2026-12-15T00:00"),
            "/answerDeadline",
        ),
        ("answerDeadline", json!(20261215), "/answerDeadline"),
        ("timeZone", json!("Mars/Olympus"), "/timeZone"),
        ("language", json!("xx"), "/language"),
        ("bccMyself", json!("true"), "/bccMyself"),
        ("notifyMe", json!(1), "/notifyMe"),
        (
            "videoInterviewId",
            json!("../../etc/passwd"),
            "/videoInterviewId",
        ),
    ]
}

#[tokio::test]
async fn every_bad_value_is_refused_by_name_and_nothing_is_stored_or_sent() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    for (field, value, pointer) in bad_invitation_values() {
        let mut form = world.invitation_form(&interview, "en", true);
        form[field] = value.clone();
        let answer = world.invite(&world.acme, &form).await;
        assert_eq!(answer.invalid_fields(), [pointer], "{field} = {value}");
    }
    // Accepted as they are meant: long non-Latin names, an IDN domain (stored as punycode).
    let mut form = world.invitation_form(&interview, "fi", false);
    form["firstName"] = json!("王".repeat(100));
    form["lastName"] = json!("Ääkkönen-Øresund");
    form["email"] = json!(format!("anna+{}@bücher.example", world.tag));
    let accepted = world.invite(&world.acme, &form).await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    assert_eq!(
        accepted.body["email"],
        format!("anna+{}@xn--bcher-kva.example", world.tag)
    );
    assert_eq!(world.emails().await.len(), 1);
    let list = world
        .call(ApiEvent::get("/invitations").claims(&world.acme))
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bodies_that_are_not_one_sane_object_are_refused_before_any_field() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let form = world.invitation_form(&interview, "en", false);
    let with_duplicate = form
        .to_string()
        .replacen('{', "{\"email\":\"attacker@evil.example\",", 1);
    let too_many_questions: Vec<Value> =
        (0..31).map(|n| json!({"text": format!("Q{n}")})).collect();
    let huge: Vec<Value> = (0..20_000).map(|n| json!(n)).collect();
    for (path, body, status) in [
        ("/invitations", with_duplicate, 400),
        ("/invitations", "null".to_owned(), 400),
        ("/invitations", "[]".to_owned(), 400),
        ("/invitations", format!("{form} trailing"), 400),
        (
            "/video-interviews",
            json!({"title": "T", "questions": huge}).to_string(),
            413,
        ),
        (
            "/video-interviews",
            json!({"title": "T", "questions": too_many_questions}).to_string(),
            422,
        ),
    ] {
        let answer = world
            .call(
                ApiEvent::new("POST", path)
                    .raw_body("application/json", &body)
                    .claims(&world.acme),
            )
            .await;
        answer.assert_problem(status);
    }
    assert!(world.emails().await.is_empty());
}
