//! The organization profile (`GET/PUT /organization`) through the recruiter API, on the AWS
//! stand-in's table: validation, tenant isolation, and the employer the emails name.

use integration_tests::events::ApiEvent;
use integration_tests::world::*;
use serde_json::{Value, json};

fn profile() -> Value {
    json!({
        "displayName": " Acme Oy ",
        "logoUrl": "https://cdn.acme.example/logo.png",
        "accentColor": "#0A7D3B",
        "careersSiteUrl": "https://careers.acme.example/",
        "privacyNoticeUrl": "https://acme.example/privacy/candidates",
    })
}

#[tokio::test]
async fn the_first_put_creates_the_profile_and_the_next_replaces_it_whole() {
    let world = world().await;
    let missing = world
        .call(ApiEvent::get("/organization").claims(&world.acme))
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);

    let created = world
        .call(ApiEvent::put("/organization", &profile()).claims(&world.acme))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("location"), "organization");
    assert_eq!(
        created.body,
        json!({
            "organizationId": "acme",
            "displayName": "Acme Oy",
            "logoUrl": "https://cdn.acme.example/logo.png",
            "accentColor": "#0a7d3b",
            "careersSiteUrl": "https://careers.acme.example/",
            "privacyNoticeUrl": "https://acme.example/privacy/candidates",
            "updatedBy": "user-acme",
            "updatedAt": NOW,
        })
    );
    let read = world
        .call(ApiEvent::get("/organization").claims(&world.acme))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body, created.body);

    // What GET shows can be sent back; optional fields left out or null are unset.
    let mut next = read.body.clone();
    for field in ["organizationId", "updatedBy", "updatedAt"] {
        next.as_object_mut().unwrap().remove(field);
    }
    next["logoUrl"] = Value::Null;
    next.as_object_mut().unwrap().remove("careersSiteUrl");
    let replaced = world
        .call(ApiEvent::put("/organization", &next).claims(&world.acme))
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.body["logoUrl"], Value::Null);
    assert_eq!(replaced.body["careersSiteUrl"], Value::Null);
    assert_eq!(replaced.body["accentColor"], "#0a7d3b");
    let profiles: Vec<_> = world
        .items()
        .await
        .into_iter()
        .filter(|item| {
            item.get("sk")
                .and_then(|sk| sk.as_s().ok())
                .map(String::as_str)
                == Some("PROFILE")
        })
        .collect();
    assert_eq!(profiles.len(), 1, "one profile item per organization");

    let deleted = world
        .call(ApiEvent::new("DELETE", "/organization").claims(&world.acme))
        .await;
    assert_eq!(deleted.status, 405);
    assert_eq!(deleted.header("allow"), "GET, PUT");
}

#[tokio::test]
async fn an_invalid_profile_names_every_bad_field_and_stores_nothing() {
    let world = world().await;
    let answer = world
        .call(
            ApiEvent::put(
                "/organization",
                &json!({
                    "displayName": "Acme\u{200B}",
                    "logoUrl": "http://cdn.acme.example/logo.png",
                    "accentColor": "green",
                    "careersSiteUrl": 42,
                    "brand": "x",
                }),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        answer.invalid_fields(),
        [
            "/accentColor",
            "/brand",
            "/careersSiteUrl",
            "/displayName",
            "/logoUrl",
            "/privacyNoticeUrl"
        ]
    );
    for bad in [
        "javascript:alert(1)",
        "https://user:pw@acme.example/",
        "https://192.168.0.1/logo.png",
    ] {
        let mut form = profile();
        form["logoUrl"] = json!(bad);
        let answer = world
            .call(ApiEvent::put("/organization", &form).claims(&world.acme))
            .await;
        assert_eq!(answer.invalid_fields(), ["/logoUrl"], "{bad}");
    }
    assert!(world.items().await.is_empty());
}

#[tokio::test]
async fn an_organization_never_reads_or_changes_anothers_profile() {
    let world = world().await;
    let acme = world
        .call(ApiEvent::put("/organization", &profile()).claims(&world.acme))
        .await;
    assert_eq!(acme.status, 201);
    let globex_reads = world
        .call(ApiEvent::get("/organization").claims(&world.globex))
        .await;
    assert_eq!(globex_reads.status, 404, "{}", globex_reads.body);
    let mut theirs = profile();
    theirs["displayName"] = json!("Globex");
    // A body naming another organization changes nothing: the tenant comes from the claims.
    theirs["organizationId"] = json!("acme");
    let refused = world
        .call(ApiEvent::put("/organization", &theirs).claims(&world.globex))
        .await;
    assert_eq!(refused.invalid_fields(), ["/organizationId"]);
    theirs.as_object_mut().unwrap().remove("organizationId");
    let globex = world
        .call(ApiEvent::put("/organization", &theirs).claims(&world.globex))
        .await;
    assert_eq!(globex.status, 201, "{}", globex.body);
    assert_eq!(globex.body["organizationId"], "globex");
    let acme_reads = world
        .call(ApiEvent::get("/organization").claims(&world.acme))
        .await;
    assert_eq!(acme_reads.body["displayName"], "Acme Oy");
}

/// The completion event the recording service publishes, a day after `NOW`.
fn completed(invitation: &str) -> Value {
    json!({
        "version": "0",
        "id": "5e1a2b3c-0000-4000-8000-000000000001",
        "detail-type": invitations::domain::events::DETAIL_TYPE,
        "source": invitations::domain::events::SOURCE,
        "account": "123456789012",
        "time": "2026-12-02T15:45:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": {"organizationId": "acme", "invitationId": invitation, "completedAt": "2026-12-02T15:45:00Z"}
    })
}

#[tokio::test]
async fn emails_name_the_organizations_profile_else_the_deployments_default() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let invite = |name: &str| {
        let mut form = world.invitation_form(&interview, "fi", false);
        form["email"] = json!(world.candidate_email(name));
        // Rita reads times in New York, in Swedish, and goes by her given name.
        let mut claims = world.acme.to_json();
        claims["zoneinfo"] = json!("America/New_York");
        claims["given_name"] = json!("Rita");
        claims["locale"] = json!("sv-FI");
        ApiEvent::post("/invitations", &form).raw_claims(claims)
    };
    let email_to = |emails: &[integration_tests::SentEmail], name: &str| {
        let address = world.candidate_email(name);
        emails
            .iter()
            .find(|email| email.to_addresses() == [address.clone()])
            .cloned()
            .unwrap()
    };

    // Without a profile: the deployment's default employer, and the sender as configured.
    let before = world.call(invite("anna")).await;
    assert_eq!(before.status, 201, "{}", before.body);
    let email = email_to(&world.emails().await, "anna");
    assert_eq!(email.source, SENDER_HEADER);
    assert_eq!(
        email.subject,
        format!("{DEFAULT_EMPLOYER} kutsuu sinut videohaastatteluun: Sales")
    );
    assert!(
        email
            .html
            .contains(&format!("href=\"{DEFAULT_PRIVACY_NOTICE}\""))
    );
    assert!(!email.html.contains("<img"));

    // With one: its name (in From too, encoded as RFC 2047 wants), logo, colour and notice, at
    // once on the instance that saved it.
    let mut form = profile();
    form["displayName"] = json!("Äänekosken Rekry, Oy");
    let saved = world
        .call(ApiEvent::put("/organization", &form).claims(&world.acme))
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    let after = world.call(invite("ben")).await;
    assert_eq!(after.status, 201, "{}", after.body);
    let email = email_to(&world.emails().await, "ben");
    let from = read_mailbox(&email.source);
    assert_eq!(from.name.as_deref(), Some("Äänekosken Rekry, Oy"));
    assert_eq!(from.address, "invitations@example.com");
    assert_eq!(
        email.subject,
        "Äänekosken Rekry, Oy kutsuu sinut videohaastatteluun: Sales"
    );
    assert!(
        email.html.contains(
            "<img src=\"https://cdn.acme.example/logo.png\" alt=\"Äänekosken Rekry, Oy\""
        ),
        "{}",
        email.html
    );
    assert!(email.html.contains("background:#0a7d3b;color:#ffffff;"));
    assert!(
        email
            .html
            .contains("href=\"https://acme.example/privacy/candidates\"")
    );
    assert!(
        email
            .html
            .contains("Lähettäjä: <bdi>Äänekosken Rekry, Oy</bdi>.")
    );

    // Globex has no profile: its emails keep the default, whatever Acme set.
    let globex_interview = world.create_video_interview(&world.globex, "Ops").await;
    let mut form = world.invitation_form(&globex_interview, "en", false);
    form["email"] = json!(world.candidate_email("cecilia"));
    assert_eq!(world.invite(&world.globex, &form).await.status, 201);
    let email = email_to(&world.emails().await, "cecilia");
    assert!(
        email.subject.starts_with(DEFAULT_EMPLOYER),
        "{}",
        email.subject
    );
    assert_eq!(email.source, SENDER_HEADER);

    // The notifier (another instance) reads the profile too, and writes in Rita's zone and words.
    let notifier = world.notifier(SENDER, "2026-12-02T15:46:00Z");
    let id = after.body["id"].as_str().unwrap();
    assert_eq!(
        notifier.handle(&completed(id)).await.unwrap(),
        completion_notifier::Outcome::Notified
    );
    let emails = world.emails().await;
    let notice = emails
        .iter()
        .find(|email| email.to_addresses() == [world.acme.email.clone()])
        .unwrap();
    assert_eq!(
        notice.subject,
        "Anna Virtanen har slutfört videointervjun: Sales (Äänekosken Rekry, Oy)"
    );
    assert!(
        notice.html.contains("<p>Hej <bdi>Rita</bdi>,</p>"),
        "{}",
        notice.html
    );
    assert!(
        notice.html.contains(
            "Svaren kom in onsdagen den 2 december 2026 kl. 10.45 (östnordamerikansk tid)."
        ),
        "{}",
        notice.html
    );
}

#[tokio::test]
async fn a_conditional_put_never_undoes_a_change_made_since_the_profile_was_read() {
    let world = world().await;
    let put = |form: &Value, header: Option<(&str, &str)>| {
        let event = ApiEvent::put("/organization", form).claims(&world.acme);
        match header {
            Some((name, value)) => event.header(name, value),
            None => event,
        }
    };
    // If-None-Match: * creates, once.
    let created = world
        .call(put(&profile(), Some(("if-none-match", "*"))))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let first_tag = created.header("etag").to_owned();
    assert!(
        first_tag.starts_with('"') && first_tag.ends_with('"'),
        "{first_tag}"
    );
    let again = world
        .call(put(&profile(), Some(("if-none-match", "*"))))
        .await;
    again.assert_problem(412);
    let read = world
        .call(ApiEvent::get("/organization").claims(&world.acme))
        .await;
    assert_eq!(read.header("etag"), first_tag);

    // Another tab saves first (a minute later), with the tag it read: that goes through.
    let mut theirs = profile();
    theirs["displayName"] = json!("Acme Group");
    let saved = world
        .call_at(
            "2026-12-01T10:01:00Z",
            put(&theirs, Some(("if-match", &first_tag))),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let second_tag = saved.header("etag").to_owned();
    assert_ne!(second_tag, first_tag);

    // This tab's save against what it read is refused, and changes nothing.
    let mut mine = profile();
    mine["displayName"] = json!("Acme Nordic");
    for stale in [first_tag.as_str(), "W/\"1\"", "\"not-ours\""] {
        let refused = world
            .call_at(
                "2026-12-01T10:02:00Z",
                put(&mine, Some(("if-match", stale))),
            )
            .await;
        refused.assert_problem(412);
        assert_eq!(refused.body["type"], "/problems/precondition-failed");
    }
    let now = world
        .call(ApiEvent::get("/organization").claims(&world.acme))
        .await;
    assert_eq!(now.body["displayName"], "Acme Group");
    assert_eq!(now.header("etag"), second_tag);
    // If-Match: * needs a profile: Globex has none.
    let globex = world
        .call(
            ApiEvent::put("/organization", &profile())
                .claims(&world.globex)
                .header("if-match", "*"),
        )
        .await;
    globex.assert_problem(412);
    // A body that could never be saved is a 422 whatever the condition says (found by the
    // contract test: a stale If-Match answered 412 to a profile without a name).
    let mut nameless = profile();
    nameless["displayName"] = json!("");
    let invalid = world
        .call(put(&nameless, Some(("if-match", "W/\"\""))))
        .await;
    invalid.assert_problem(422);
    assert_eq!(
        invalid.body["errors"][0]["pointer"], "/displayName",
        "{}",
        invalid.body
    );
    // Only * is an If-None-Match a PUT understands.
    let odd = world
        .call(put(&mine, Some(("if-none-match", &second_tag))))
        .await;
    assert_eq!(odd.invalid_fields(), ["If-None-Match"]);
}
