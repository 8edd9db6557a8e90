//! The recruiter API end to end: the real handler, the real SDK clients, DynamoDB and SES of the
//! local stand-in (table created from infra/template.yaml), and the sent emails read back.

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::events::ApiEvent;
use integration_tests::world::*;
use serde_json::{Value, json};

#[tokio::test]
async fn a_video_interview_is_created_read_and_listed_newest_first() {
    let world = world().await;
    let answer = world
        .call(
            ApiEvent::post(
                "/video-interviews",
                &json!({"title": "  Sales lead ", "questions": [{"text": "Why us?", "answerTimeSeconds": 90}]}),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let id = answer.body["id"].as_str().unwrap().to_owned();
    assert_eq!(answer.header("location"), format!("video-interviews/{id}"));
    assert_eq!(answer.body["title"], "Sales lead");
    assert_eq!(
        answer.body["questions"],
        json!([{"text": "Why us?", "thinkTimeSeconds": null, "answerTimeSeconds": 90}])
    );
    assert_eq!(answer.body["createdBy"], "user-acme");
    assert_eq!(answer.body["createdAt"], NOW);

    let read = world
        .call(ApiEvent::get(&format!("/video-interviews/{id}")).claims(&world.acme))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body, answer.body);

    let second = world.create_video_interview(&world.acme, "Engineer").await;
    let list = world
        .call(ApiEvent::get("/video-interviews").claims(&world.acme))
        .await;
    assert_eq!(list.status, 200);
    let ids: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, [second, id]);
    assert_eq!(list.body["nextCursor"], Value::Null);
    // Listed without the questions, which a page of the largest interviews could not carry.
    let listed = &list.body["items"][1];
    assert_eq!(listed["questionCount"], 1);
    assert_eq!(listed["questions"], Value::Null);
    assert_eq!(listed["title"], "Sales lead");
}

#[tokio::test]
async fn an_invalid_video_interview_names_every_bad_field_and_stores_nothing() {
    let world = world().await;
    let answer = world
        .call(
            ApiEvent::post(
                "/video-interviews",
                &json!({"title": "x".repeat(201), "questions": [{"text": ""}, {"text": "ok", "thinkTimeSeconds": -1}], "owner": "me"}),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(
        answer.invalid_fields(),
        [
            "/owner",
            "/questions/0/text",
            "/questions/1/thinkTimeSeconds",
            "/title"
        ]
    );
    assert!(world.items().await.is_empty());
}

#[tokio::test]
async fn an_invitation_is_stored_and_emailed_with_a_bcc_to_the_recruiter() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let answer = world
        .invite(&world.acme, &world.invitation_form(&interview, "en", true))
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let id = answer.body["id"].as_str().unwrap().to_owned();
    assert_eq!(answer.header("location"), format!("invitations/{id}"));
    let body = &answer.body;
    assert_eq!(body["firstName"], "Anna");
    assert_eq!(body["lastName"], "Virtanen");
    assert_eq!(body["email"], world.candidate_email("anna"));
    assert_eq!(body["language"], "en");
    assert_eq!(body["videoInterviewId"], interview.as_str());
    assert_eq!(body["videoInterviewTitle"], "Sales lead");
    assert_eq!(body["answerDeadline"], "2026-12-15");
    assert_eq!(body["timeZone"], "Europe/Helsinki");
    assert_eq!(body["expiresAt"], "2026-12-15T22:00:00Z");
    assert_eq!(body["bccMyself"], true);
    assert_eq!(body["notifyMe"], true);
    assert_eq!(body["status"], "sent");
    assert_eq!(body["createdAt"], NOW);
    assert_eq!(body["sentAt"], NOW);
    assert_eq!(
        body["invitedBy"],
        json!({"id": "user-acme", "email": world.acme.email, "name": "Rita Recruiter"})
    );

    let emails = world.emails().await;
    assert_eq!(emails.len(), 1, "exactly one email");
    let email = &emails[0];
    assert_eq!(email.source, SENDER_HEADER);
    // The candidate is named in To; the copy goes to the recruiter's bare address.
    assert_eq!(
        email
            .destinations
            .to_addresses
            .iter()
            .map(|to| read_mailbox(to))
            .collect::<Vec<_>>(),
        [ReadMailbox {
            name: Some("Anna Virtanen".to_owned()),
            address: world.candidate_email("anna")
        }]
    );
    assert_eq!(email.bcc_addresses(), [world.acme.email.as_str()]);
    assert!(email.destinations.cc_addresses.is_empty());
    assert_eq!(
        email.subject,
        format!("{DEFAULT_EMPLOYER} invites you to a video interview: Sales lead")
    );
    assert!(email.html.contains("Hello <bdi>Anna</bdi>,"));
    assert!(email.html.contains(&format!(
        "<bdi>Rita Recruiter</bdi> from <bdi>{DEFAULT_EMPLOYER}</bdi> has invited you"
    )));
    assert!(
        email
            .html
            .contains("until midnight (Eastern European Time)")
    );
    assert!(email.html.contains("Tuesday 15 December 2026"));
    assert!(email.html.contains("You can still answer on that day"));

    // The link carries a token that works (its hash is what is stored) and is stored nowhere.
    let token = candidate_token_in(&email.html, CANDIDATE_APP);
    let items = world.items().await;
    let dump = format!("{items:?}");
    assert!(
        !dump.contains(token.expose()),
        "the token is never stored in plain text"
    );
    let invitation = items
        .iter()
        .find(|item| item.get("entity") == Some(&AttributeValue::S("Invitation".into())))
        .unwrap();
    assert_eq!(
        invitation["tokenHashes"],
        AttributeValue::Ss(vec![token.hash().as_str().to_owned()])
    );
    let (organization, named) = token.invitation();
    assert_eq!(
        (organization.as_str(), named.to_string()),
        (world.acme.organization_id.as_str(), id.clone()),
        "the token names its invitation"
    );

    // The recruiter sees it, as sent, in the list and on its own.
    let read = world
        .call(ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body, answer.body);
    let list = world
        .call(ApiEvent::get("/invitations").claims(&world.acme))
        .await;
    assert_eq!(list.body["items"], json!([answer.body]));
}

#[tokio::test]
async fn without_bcc_only_the_candidate_gets_the_email() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.globex, "Engineer")
        .await;
    let answer = world
        .invite(
            &world.globex,
            &world.invitation_form(&interview, "en", false),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert_eq!(answer.body["bccMyself"], false);
    let emails = world.emails().await;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].to_addresses(), [world.candidate_email("anna")]);
    assert!(emails[0].bcc_addresses().is_empty());
    // A recruiter without a name claim is named by their email address.
    assert!(emails[0].html.contains(&format!(
        "<bdi>{}</bdi> from <bdi>{DEFAULT_EMPLOYER}</bdi> has invited you",
        world.globex.email
    )));
}

#[tokio::test]
async fn the_email_is_written_in_the_invitations_language() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Myyntipäällikkö")
        .await;
    for (language, subject, deadline, still) in [
        (
            "en",
            format!("{DEFAULT_EMPLOYER} invites you to a video interview: Myyntipäällikkö"),
            "Tuesday 15 December 2026",
            "You can still answer on that day",
        ),
        (
            "fi",
            format!("{DEFAULT_EMPLOYER} kutsuu sinut videohaastatteluun: Myyntipäällikkö"),
            "tiistaina 15.12.2026",
            "Voit vastata vielä saman päivän aikana",
        ),
        (
            "sv",
            format!("{DEFAULT_EMPLOYER} bjuder in dig till en videointervju: Myyntipäällikkö"),
            "tisdagen den 15 december 2026",
            "Du kan svara hela den dagen",
        ),
    ] {
        let mut form = world.invitation_form(&interview, language, false);
        form["email"] = json!(world.candidate_email(language));
        let answer = world.invite(&world.acme, &form).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        assert_eq!(answer.body["language"], language);
        let emails = world.emails().await;
        let email = emails
            .iter()
            .find(|email| email.to_addresses() == [world.candidate_email(language)])
            .unwrap();
        assert_eq!(email.subject, subject);
        assert!(email.html.contains(deadline), "{language}: {}", email.html);
        assert!(email.html.contains(still), "{language}");
        assert!(email.html.contains(&format!("lang=\"{language}\"")));
    }
}

#[tokio::test]
async fn a_hostile_name_is_escaped_in_the_email_and_a_line_break_is_refused() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "<b>Bold</b> & co")
        .await;
    let mut form = world.invitation_form(&interview, "en", false);
    form["firstName"] = json!("<script>alert('x')</script>");
    let answer = world.invite(&world.acme, &form).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let email = world.emails().await.pop().unwrap();
    assert!(!email.html.contains("<script>"));
    assert!(!email.html.contains("<b>Bold</b>"));
    assert!(email.html.contains("&#60;script&#62;") || email.html.contains("&lt;script&gt;"));

    form["firstName"] = json!("Anna\r\nBcc: attacker@evil.example");
    let answer = world.invite(&world.acme, &form).await;
    assert_eq!(answer.invalid_fields(), ["/firstName"]);
    assert_eq!(world.emails().await.len(), 1, "no second email");
}

#[tokio::test]
async fn an_invalid_invitation_names_every_bad_field_writes_nothing_and_sends_nothing() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let before = world.items().await.len();
    let answer = world
        .invite(
            &world.acme,
            &json!({
                "firstName": " ",
                "lastName": "x".repeat(101),
                "email": format!("Anna <{}>", world.candidate_email("anna")),
                "language": "de",
                "videoInterviewId": interview,
                "answerDeadline": "2026-02-30",
                "timeZone": "Europe/Nowhere",
                "notifyme": true
            }),
        )
        .await;
    assert_eq!(
        answer.invalid_fields(),
        [
            "/answerDeadline",
            "/email",
            "/firstName",
            "/language",
            "/lastName",
            "/notifyme",
            "/timeZone"
        ]
    );
    assert_eq!(answer.body["detail"], "7 fields are invalid; see errors.");
    let language = &answer.body["errors"][3]["detail"];
    assert!(
        language.as_str().unwrap().contains("en, fi, sv"),
        "{language}"
    );

    for (deadline, zone) in [
        ("2026-11-30", "Europe/Helsinki"),
        ("2027-12-02", "Europe/Helsinki"),
        ("2026-02-30", "UTC"),
        ("2026-12-15T00:00", "UTC"),
    ] {
        let mut form = world.invitation_form(&interview, "en", true);
        form["answerDeadline"] = json!(deadline);
        form["timeZone"] = json!(zone);
        let answer = world.invite(&world.acme, &form).await;
        assert_eq!(answer.invalid_fields(), ["/answerDeadline"], "{deadline}");
    }
    assert_eq!(world.items().await.len(), before, "nothing was written");
    assert!(world.emails().await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn todays_deadline_is_allowed_and_a_far_zone_decides_which_day_it_is() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    // At 10:00 UTC on 1 December it is already 2 December in Kiritimati (UTC+14).
    let mut form = world.invitation_form(&interview, "en", false);
    form["answerDeadline"] = json!("2026-12-01");
    assert_eq!(world.invite(&world.acme, &form).await.status, 201);
    form["timeZone"] = json!("Pacific/Kiritimati");
    assert_eq!(
        world.invite(&world.acme, &form).await.invalid_fields(),
        ["/answerDeadline"]
    );
    form["answerDeadline"] = json!("2026-12-02");
    let answer = world.invite(&world.acme, &form).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert_eq!(answer.body["expiresAt"], "2026-12-02T10:00:00Z");
}

#[tokio::test]
async fn the_envelope_is_checked_before_the_fields() {
    let world = world().await;
    let post = |content_type: &str, body: &str| {
        ApiEvent::new("POST", "/invitations")
            .raw_body(content_type, body)
            .claims(&world.acme)
    };
    let answer = world.call(post("text/plain", "{}")).await;
    answer.assert_problem(415);
    let answer = world
        .call(post("application/json", "{\"firstName\": "))
        .await;
    answer.assert_problem(400);
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
    let answer = world.call(post("application/json", "[]")).await;
    answer.assert_problem(400);
    let answer = world
        .call(post(
            "application/json",
            r#"{"email":"a@b.example","email":"c@d.example"}"#,
        ))
        .await;
    answer.assert_problem(400);
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("duplicate key")
    );
    let huge = json!({"firstName": "x".repeat(70 * 1024)}).to_string();
    world
        .call(post("application/json", &huge))
        .await
        .assert_problem(413);
    let answer = world
        .call(ApiEvent::new("POST", "/invitations").claims(&world.acme))
        .await;
    answer.assert_problem(415);
    assert!(world.items().await.is_empty());
}

#[tokio::test]
async fn a_video_interview_of_another_organization_is_not_found() {
    let world = world().await;
    let acme_interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    // Read by acme first, so that this instance holds it in its cache of interviews.
    let path = format!("/video-interviews/{acme_interview}");
    let read = world.call(ApiEvent::get(&path).claims(&world.acme)).await;
    assert_eq!(read.status, 200, "{}", read.body);
    let answer = world
        .invite(
            &world.globex,
            &world.invitation_form(&acme_interview, "en", true),
        )
        .await;
    answer.assert_problem(404);
    world
        .call(ApiEvent::get(&path).claims(&world.globex))
        .await
        .assert_problem(404);
    let unknown = ulid::Ulid::new().to_string();
    let answer = world
        .invite(&world.acme, &world.invitation_form(&unknown, "en", true))
        .await;
    answer.assert_problem(404);
    assert!(world.emails().await.is_empty());
    let invitations = world
        .items()
        .await
        .into_iter()
        .filter(|item| item.get("entity") == Some(&AttributeValue::S("Invitation".into())))
        .count();
    assert_eq!(invitations, 0);
}

#[tokio::test]
async fn a_warm_instance_reads_an_interview_and_the_profile_once_for_many_invitations() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let log = &world.calls.recruiter_api;
    let mut reads = Vec::new();
    for name in ["anna", "ben", "cecilia"] {
        log.clear();
        let mut form = world.invitation_form(&interview, "en", false);
        form["email"] = json!(world.candidate_email(name));
        let sent = world.invite(&world.acme, &form).await;
        assert_eq!(sent.status, 201, "{}", sent.body);
        assert_eq!(sent.body["videoInterviewTitle"], "Sales lead");
        reads.push(
            log.requests()
                .iter()
                .filter(|request| request.iter().any(|action| action == "dynamodb:GetItem"))
                .count(),
        );
    }
    // The interview and the organization profile (none here: the default employer), then neither.
    assert_eq!(reads, [2, 0, 0]);
    assert_eq!(world.emails().await.len(), 3);
}

#[tokio::test]
async fn one_organization_never_sees_anothers_data() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let answer = world
            .invite(&world.acme, &world.invitation_form(&interview, "en", false))
            .await;
        ids.push(answer.body["id"].as_str().unwrap().to_owned());
    }
    let globex_interview = world
        .create_video_interview(&world.globex, "Engineer")
        .await;
    let globex_invite = world
        .invite(
            &world.globex,
            &world.invitation_form(&globex_interview, "en", false),
        )
        .await;
    let globex_id = globex_invite.body["id"].as_str().unwrap().to_owned();

    for path in [
        format!("/invitations/{}", ids[0]),
        format!("/video-interviews/{interview}"),
    ] {
        world
            .call(ApiEvent::get(&path).claims(&world.globex))
            .await
            .assert_problem(404);
    }
    let list = world
        .call(ApiEvent::get("/invitations").claims(&world.globex))
        .await;
    let listed: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(listed, [json!(globex_id)]);
    let list = world
        .call(
            ApiEvent::get("/invitations")
                .query("videoInterviewId", &interview)
                .claims(&world.globex),
        )
        .await;
    assert_eq!(list.body["items"], json!([]));
    let list = world
        .call(ApiEvent::get("/video-interviews").claims(&world.globex))
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);

    // A cursor taken from acme's listing only positions globex's own listing.
    let page = world
        .call(
            ApiEvent::get("/invitations")
                .query("limit", "1")
                .claims(&world.acme),
        )
        .await;
    let cursor = page.body["nextCursor"].as_str().unwrap().to_owned();
    let replayed = world
        .call(
            ApiEvent::get("/invitations")
                .query("cursor", &cursor)
                .claims(&world.globex),
        )
        .await;
    assert_eq!(replayed.status, 200);
    for item in replayed.body["items"].as_array().unwrap() {
        assert!(!ids.contains(&item["id"].as_str().unwrap().to_owned()));
    }
    // A forged cursor is refused.
    let forged = world
        .call(
            ApiEvent::get("/invitations")
                .query("cursor", "T1JHI2FjbWUj")
                .claims(&world.globex),
        )
        .await;
    assert_eq!(forged.invalid_fields(), ["cursor"]);
}

#[tokio::test]
async fn invitations_are_paged_newest_first_and_filtered() {
    let world = world().await;
    let sales = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let engineer = world.create_video_interview(&world.acme, "Engineer").await;
    let mut expected = Vec::new();
    for (index, interview) in [&sales, &engineer, &sales, &engineer, &sales]
        .into_iter()
        .enumerate()
    {
        let mut form = world.invitation_form(interview, "en", false);
        form["email"] = json!(world.candidate_email(&format!("c{index}")));
        let answer = world.invite(&world.acme, &form).await;
        assert_eq!(answer.status, 201);
        expected.push(answer.body["id"].as_str().unwrap().to_owned());
    }
    expected.reverse();

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut event = ApiEvent::get("/invitations").query("limit", "2");
        if let Some(cursor) = &cursor {
            event = event.query("cursor", cursor);
        }
        let page = world.call(event.claims(&world.acme)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        pages += 1;
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned()),
        );
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, expected, "every invitation once, newest first");
    assert_eq!(pages, 3);

    let sales_only = world
        .call(
            ApiEvent::get("/invitations")
                .query("videoInterviewId", &sales)
                .claims(&world.acme),
        )
        .await;
    let sales_ids: Vec<_> = sales_only.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        sales_ids,
        [
            expected[0].clone(),
            expected[2].clone(),
            expected[4].clone()
        ]
    );

    let sent = world
        .call(
            ApiEvent::get("/invitations")
                .query("status", "sent")
                .query("limit", "4")
                .claims(&world.acme),
        )
        .await;
    assert_eq!(sent.body["items"].as_array().unwrap().len(), 4);
    let failed = world
        .call(
            ApiEvent::get("/invitations")
                .query("status", "send_failed")
                .claims(&world.acme),
        )
        .await;
    assert_eq!(failed.body["items"], json!([]));

    let bad = world
        .call(
            ApiEvent::get("/invitations")
                .query("status", "done")
                .query("limit", "500")
                .query("videoInterviewId", "x")
                .query("order", "asc")
                .claims(&world.acme),
        )
        .await;
    assert_eq!(
        bad.invalid_fields(),
        ["limit", "order", "status", "videoInterviewId"]
    );
}

#[tokio::test]
async fn when_ses_refuses_the_invitation_is_kept_as_send_failed() {
    // The stand-in, like SES, refuses to send as an identity that is not verified.
    let world = world_with(|options| options.sender = "jobs@unverified.example".to_owned()).await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let answer = world
        .invite(&world.acme, &world.invitation_form(&interview, "en", true))
        .await;
    answer.assert_problem(502);
    let id = answer.body["invitationId"].as_str().unwrap().to_owned();
    assert_eq!(answer.body["invitationStatus"], "send_failed");
    assert_eq!(answer.header("location"), format!("invitations/{id}"));
    assert!(world.emails().await.is_empty());

    let stored = world
        .call(ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme))
        .await;
    assert_eq!(stored.body["status"], "send_failed");
    assert_eq!(stored.body["sentAt"], Value::Null);
    assert!(
        stored.body["sendFailure"]
            .as_str()
            .unwrap()
            .contains("MessageRejected")
    );
    let listed = world
        .call(
            ApiEvent::get("/invitations")
                .query("status", "send_failed")
                .claims(&world.acme),
        )
        .await;
    assert_eq!(listed.body["items"][0]["id"], id.as_str());
}

#[tokio::test]
async fn when_dynamodb_fails_nothing_is_sent() {
    let world = world_with(|options| options.table_exists = false).await;
    let answer = world
        .invite(
            &world.acme,
            &world.invitation_form(&ulid::Ulid::new().to_string(), "en", true),
        )
        .await;
    answer.assert_problem(503);
    let answer = world
        .call(ApiEvent::get("/invitations").claims(&world.acme))
        .await;
    answer.assert_problem(503);
    assert!(world.emails().await.is_empty());
}

#[tokio::test]
async fn a_caller_without_a_recruiter_identity_is_refused() {
    let world = world().await;
    world
        .call(ApiEvent::get("/invitations"))
        .await
        .assert_problem(401);
    let mut partial = world.acme.to_json();
    partial
        .as_object_mut()
        .unwrap()
        .remove("custom:organization_id");
    world
        .call(ApiEvent::get("/invitations").raw_claims(partial))
        .await
        .assert_problem(401);
    let mut forged = world.acme.to_json();
    forged["custom:organization_id"] = json!("acme#VI#x");
    world
        .call(ApiEvent::get("/invitations").raw_claims(forged))
        .await
        .assert_problem(401);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_answered_as_problems() {
    let world = world().await;
    world
        .call(ApiEvent::get("/candidates").claims(&world.acme))
        .await
        .assert_problem(404);
    world
        .call(ApiEvent::get("/invitations/not-an-id").claims(&world.acme))
        .await
        .assert_problem(404);
    let answer = world
        .call(ApiEvent::new("DELETE", "/invitations").claims(&world.acme))
        .await;
    answer.assert_problem(405);
    assert_eq!(answer.header("allow"), "GET, POST");
    let answer = world
        .call(ApiEvent::new("PUT", "/video-interviews/x").claims(&world.acme))
        .await;
    answer.assert_problem(405);
    assert_eq!(answer.header("allow"), "GET");
}

#[tokio::test]
async fn every_route_answers_under_a_named_stage_as_under_the_default_one() {
    let world = world().await;
    let call = |event: ApiEvent| world.call(event.stage("prod").claims(&world.acme));
    let created = call(ApiEvent::post(
        "/video-interviews",
        &json!({"title": "Staged", "questions": [{"text": "Why us?"}]}),
    ))
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let interview = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        call(ApiEvent::get(&format!("/video-interviews/{interview}")))
            .await
            .status,
        200
    );
    assert_eq!(call(ApiEvent::get("/video-interviews")).await.status, 200);
    let form = world.invitation_form(&interview, "en", false);
    let invited =
        call(ApiEvent::post("/invitations", &form).header("idempotency-key", "staged-1")).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let id = invited.body["id"].as_str().unwrap().to_owned();
    // The same request through the default stage is the same request: replayed, not sent again.
    let replayed = world
        .call(
            ApiEvent::post("/invitations", &form)
                .header("idempotency-key", "staged-1")
                .claims(&world.acme),
        )
        .await;
    assert_eq!(replayed.status, 201);
    assert_eq!(replayed.header("idempotent-replayed"), "true");
    let listed = call(ApiEvent::get("/invitations")).await;
    assert_eq!(listed.body["items"][0]["id"], json!(id));
    assert_eq!(
        call(ApiEvent::get(&format!("/invitations/{id}")))
            .await
            .status,
        200
    );
    let resend = ApiEvent::new("POST", &format!("/invitations/{id}/resend"));
    let resent = world
        .call_at(COOLED_DOWN, resend.stage("prod").claims(&world.acme))
        .await;
    assert_eq!(resent.status, 200, "{}", resent.body);
    // Each Location leads back to its resource from the URL the client called, however the API
    // is mounted: a named stage, the default one, a custom domain's API mapping.
    for (called, answer, resource) in [
        (
            "/video-interviews",
            &created,
            format!("/video-interviews/{interview}"),
        ),
        ("/invitations", &invited, format!("/invitations/{id}")),
        (
            &*format!("/invitations/{id}/resend"),
            &resent,
            format!("/invitations/{id}"),
        ),
    ] {
        for mount in [
            "https://abc123.execute-api.eu-west-1.amazonaws.com/prod",
            "https://abc123.execute-api.eu-west-1.amazonaws.com",
            "https://api.acme.example/hiring/v1",
        ] {
            let url = reqwest::Url::parse(&format!("{mount}{called}")).unwrap();
            let location = answer.header("location");
            assert_eq!(
                url.join(location).unwrap().as_str(),
                format!("{mount}{resource}"),
                "{location} from {url}"
            );
        }
    }
    let cancelled = call(ApiEvent::new(
        "POST",
        &format!("/invitations/{id}/cancellation"),
    ))
    .await;
    assert_eq!(cancelled.body["status"], "cancelled");
    call(ApiEvent::get("/prod/invitations"))
        .await
        .assert_problem(404);
    assert_eq!(
        world.emails().await.len(),
        2,
        "the invitation and its resend"
    );
}

#[tokio::test]
async fn people_named_in_any_script_are_invited_by_their_names_as_written() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    for (first, last) in [
        ("محمد", "علي"),                // Arabic, right to left
        ("فاطمه\u{200C}زهرا", "رضایی"), // Persian, with a ZWNJ between joining letters
        ("अनुष्का", "शर्मा"),              // Devanagari, with a virama
        ("秀英", "王"),                 // Chinese
        ("Äijä-Pekka", "Hämäläinen"),   // Finnish, with a hyphen
        ("Máret Sárá", "Áiláš"),        // Northern Sámi
        ("Siobhán", "O'Connor-Smith"),  // an apostrophe and a hyphen
    ] {
        let mut form = world.invitation_form(&interview, "en", false);
        form["firstName"] = json!(first);
        form["lastName"] = json!(last);
        let answer = world.invite(&world.acme, &form).await;
        assert_eq!(answer.status, 201, "{first} {last}: {}", answer.body);
        assert_eq!(answer.body["firstName"], first);
        assert_eq!(answer.body["lastName"], last);
        let id = answer.body["id"].as_str().unwrap();
        let stored = world
            .call(ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme))
            .await;
        assert_eq!(stored.body["firstName"], first);
        assert_eq!(stored.body["lastName"], last);

        let emails = world.emails().await;
        let email = emails.last().unwrap();
        assert_eq!(
            read_mailbox(&email.destinations.to_addresses[0]),
            ReadMailbox {
                name: Some(format!("{first} {last}")),
                address: form["email"].as_str().unwrap().to_owned()
            },
            "{:?}",
            email.destinations.to_addresses
        );
        assert!(
            email.html.contains(&format!("Hello <bdi>{first}</bdi>,")),
            "{first}: {}",
            email.html
        );
    }
}

#[tokio::test]
async fn a_sender_named_in_any_script_or_with_specials_sends_every_email() {
    // Each From as RFC 2047 writes it (checked by decoding with Python's email.header).
    for (sender, header) in [
        (
            "Rekrytointi Äänekoski Oy <invitations@example.com>",
            "=?utf-8?b?UmVrcnl0b2ludGkgw4TDpG5la29za2kgT3k=?= <invitations@example.com>",
        ),
        (
            "\"Acme, Inc.\" <invitations@example.com>",
            "=?utf-8?b?QWNtZSwgSW5jLg==?= <invitations@example.com>",
        ),
        (
            "\"Rita \\\"the recruiter\\\" O'Hara\" <invitations@example.com>",
            "=?utf-8?b?Uml0YSAidGhlIHJlY3J1aXRlciIgTydIYXJh?= <invitations@example.com>",
        ),
    ] {
        let world = world_with(|options| options.sender = sender.to_owned()).await;
        let interview = world.create_video_interview(&world.acme, "Sales").await;
        let form = world.invitation_form(&interview, "fi", true);
        let answer = world.invite(&world.acme, &form).await;
        assert_eq!(answer.status, 201, "{sender}: {}", answer.body);
        let emails = world.emails().await;
        assert_eq!(emails.len(), 1, "{sender}");
        assert_eq!(emails[0].source, header, "{sender}");
    }
}

#[tokio::test]
async fn a_recruiter_whose_address_is_unverified_cannot_send_candidates_data_to_it() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let form = world.invitation_form(&interview, "en", true);
    let with_verified = |verified: &str| {
        let mut claims = world.acme.to_json();
        claims["email_verified"] = json!(verified);
        ApiEvent::post("/invitations", &form).raw_claims(claims)
    };
    let refused = world.call(with_verified("false")).await;
    refused.assert_problem(403);
    assert_eq!(refused.body["type"], "/problems/email-not-verified");
    assert!(world.emails().await.is_empty(), "no copy, no invitation");
    let listed = world
        .call(ApiEvent::get("/invitations").claims(&world.acme))
        .await;
    assert_eq!(listed.body["items"], json!([]), "nothing stored");
    let sent = world.call(with_verified("true")).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    assert_eq!(world.emails().await.len(), 1);
}

#[tokio::test]
async fn an_organization_past_its_daily_quota_gets_429_and_nothing_is_stored_or_sent() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let api_at = |now: &str| {
        recruiter_api::RecruiterApi::new(
            world.store(),
            mailer(aws_sdk_sesv2::Client::new(&world.sdk), SENDER),
            world.bus(),
            world.queue(),
            at(now),
            recruiter_api::Settings {
                daily_email_quota: 2,
                ..settings()
            },
            keys(),
        )
    };
    let api = api_at(NOW);
    let send = |recruiter: &integration_tests::events::Claims, key: &str| {
        ApiEvent::post(
            "/invitations",
            &world.invitation_form(&interview, "en", false),
        )
        .header("idempotency-key", key)
        .claims(recruiter)
        .into_request()
    };
    for key in ["first", "second"] {
        let sent = Answer::from(api.handle(send(&world.acme, key)).await);
        assert_eq!(sent.status, 201, "{}", sent.body);
    }
    let refused = Answer::from(api.handle(send(&world.acme, "third")).await);
    refused.assert_problem(429);
    assert_eq!(refused.body["type"], "/problems/daily-email-quota");
    // 10:00 UTC: the next UTC day begins in 14 hours.
    assert_eq!(refused.header("retry-after"), "50400");
    assert_eq!(world.emails().await.len(), 2);
    let listed = world
        .call(ApiEvent::get("/invitations").claims(&world.acme))
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);

    // The retry of a request that went ahead still gets its answer; another organization sends.
    let retried = Answer::from(api.handle(send(&world.acme, "second")).await);
    assert_eq!(retried.status, 201);
    assert_eq!(retried.header("idempotent-replayed"), "true");
    let elsewhere = world
        .create_video_interview(&world.globex, "Engineer")
        .await;
    let globex = Answer::from(
        api.handle(
            ApiEvent::post(
                "/invitations",
                &world.invitation_form(&elsewhere, "en", false),
            )
            .claims(&world.globex)
            .into_request(),
        )
        .await,
    );
    assert_eq!(globex.status, 201, "{}", globex.body);

    // The next UTC day, Acme sends again.
    let tomorrow = api_at("2026-12-02T00:00:01Z");
    let sent = Answer::from(tomorrow.handle(send(&world.acme, "fourth")).await);
    assert_eq!(sent.status, 201, "{}", sent.body);
}
