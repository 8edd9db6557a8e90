//! Candidate data kept only as long as it may be (README, "Data protection"), through the real
//! handlers and the local stand-in, with the clock injected: every invitation carries its
//! retention time as DynamoDB's `ttl`, reads treat it as gone from then on (TTL deletion lags),
//! and the candidate's link closes a week after the deadline whatever the status.

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::events::ApiEvent;
use integration_tests::events::Claims;
use integration_tests::world::{Answer, World, world};
use invitations::domain::{
    CANDIDATE_LINK_GRACE, CandidateToken, InvitationEvent, InvitationId, OrganizationId,
};
use invitations::ports::Invitations;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// The deadline of these tests: 15 December in Helsinki ends at 22:00 UTC.
const DEADLINE_ENDS: &str = "2026-12-15T22:00:00Z";

/// Invites a candidate to answer by 15 December in Helsinki: the invitation's id and the
/// candidate's token.
async fn invite(world: &World, name: &str) -> (String, CandidateToken) {
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let email = world.candidate_email(name);
    let mut form = world.invitation_form(&interview, "en", false);
    form["email"] = json!(email);
    form["answerDeadline"] = json!("2026-12-15");
    form["timeZone"] = json!("Europe/Helsinki");
    let answer = world.invite(&world.acme, &form).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let id = answer.body["id"].as_str().unwrap().to_owned();
    (id, world.candidate_token(&email).await)
}

/// Attribute `name` of invitation `id` as stored.
async fn stored_attribute(world: &World, id: &str, name: &str) -> Option<AttributeValue> {
    world
        .items()
        .await
        .into_iter()
        .find(|item| item.get("id") == Some(&AttributeValue::S(id.to_owned())))
        .and_then(|item| item.get(name).cloned())
}

/// The stored `ttl` of invitation `id` (epoch seconds).
async fn stored_ttl(world: &World, id: &str) -> Option<i64> {
    stored_attribute(world, id, "ttl")
        .await
        .map(|ttl| ttl.as_n().unwrap().parse().unwrap())
}

/// `instant` moved by `days` and `minutes`, as RFC 3339.
fn after(instant: &str, days: i64, minutes: i64) -> String {
    let instant: Timestamp = instant.parse().unwrap();
    (instant + SignedDuration::from_hours(days * 24) + SignedDuration::from_mins(minutes))
        .to_string()
}

/// What the candidate's link with `token` answers at `now`.
async fn open(world: &World, now: &str, token: &CandidateToken) -> Answer {
    let api = world.candidate_api("bus-unused", now);
    let event = ApiEvent::get(&format!("/candidate/invitations/{}", token.expose()));
    Answer::from(Box::pin(api.handle(event.into_request())).await)
}

fn ids_of(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn every_invitation_carries_its_retention_time_and_a_later_deadline_moves_it() {
    let world = world().await;
    let (id, _) = invite(&world, "kept").await;
    // 730 days (the default) after the deadline's end and the five minutes a completion may lag.
    let retained_until: Timestamp = after(DEADLINE_ENDS, 730, 5).parse().unwrap();
    assert_eq!(
        stored_ttl(&world, &id).await,
        Some(retained_until.as_second())
    );

    let moved = world
        .call(
            ApiEvent::post(
                &format!("/invitations/{id}/deadline-extension"),
                &json!({"answerDeadline": "2026-12-20", "notifyCandidate": false}),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let moved_until: Timestamp = after(DEADLINE_ENDS, 735, 5).parse().unwrap();
    assert_eq!(stored_ttl(&world, &id).await, Some(moved_until.as_second()));
}

#[tokio::test]
async fn past_its_retention_time_an_invitation_reads_as_gone_though_ttl_has_not_deleted_it() {
    let world = world().await;
    let (id, token) = invite(&world, "gone").await;
    let retained_until = after(DEADLINE_ENDS, 730, 5);
    let just_before = after(&retained_until, 0, -1);

    let get = |now: String| {
        let world = &world;
        let id = id.clone();
        async move {
            world
                .call_at(
                    &now,
                    ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme),
                )
                .await
        }
    };
    let list = |now: String, status: Option<&'static str>| {
        let world = &world;
        async move {
            let mut event = ApiEvent::get("/invitations");
            if let Some(status) = status {
                event = event.query("status", status);
            }
            let page = world.call_at(&now, event.claims(&world.acme)).await;
            assert_eq!(page.status, 200, "{}", page.body);
            page.body
        }
    };

    assert_eq!(get(just_before.clone()).await.status, 200);
    assert_eq!(
        ids_of(&list(just_before.clone(), None).await),
        [id.as_str()]
    );
    assert_eq!(
        ids_of(&list(just_before.clone(), Some("expired")).await),
        [id.as_str()]
    );

    let gone = get(retained_until.clone()).await;
    assert_eq!(gone.status, 404, "{}", gone.body);
    gone.assert_problem(404);
    for status in [None, Some("expired"), Some("sent")] {
        let page = list(retained_until.clone(), status).await;
        assert!(ids_of(&page).is_empty(), "{status:?}: {page}");
    }
    assert_eq!(open(&world, &retained_until, &token).await.status, 404);
    // Still in the table: DynamoDB's TTL deletes it some time later (the stand-in never does).
    assert!(stored_ttl(&world, &id).await.is_some());
}

#[tokio::test]
async fn a_completed_invitations_link_answers_410_once_the_grace_after_its_deadline_is_over() {
    let world = world().await;
    let (id, token) = invite(&world, "done").await;
    let organization = OrganizationId::parse("acme").unwrap();
    let invitation: InvitationId = id.parse().unwrap();
    world
        .store()
        .record_invitation_event(
            &organization,
            invitation,
            &InvitationEvent::Completed {
                at: "2026-12-10T12:00:00Z".parse().unwrap(),
            },
            None,
        )
        .await
        .unwrap();
    let grace_days = CANDIDATE_LINK_GRACE.as_hours() / 24;
    assert_eq!(grace_days, 7, "README, \"Data protection\" says a week");

    let last_moment = after(DEADLINE_ENDS, grace_days, 0);
    let still = open(&world, &after(&last_moment, 0, -1), &token).await;
    assert_eq!(still.status, 200, "{}", still.body);
    assert_eq!(still.body["status"], "completed", "{}", still.body);

    let closed = open(&world, &last_moment, &token).await;
    assert_eq!(closed.status, 410, "{}", closed.body);
    closed.assert_problem(410);
    let text = closed.body.to_string();
    assert!(
        !text.contains("Sales lead") && !text.contains("done"),
        "a closed link shows nothing of the invitation: {text}"
    );
}

/// The erasure events the bus of this world's recruiter API delivered (its rule matches
/// `CandidateDataErased` only).
async fn erasure_route(world: &World) -> integration_tests::CompletionRoute {
    let pattern = json!({
        "source": [invitations::domain::events::SOURCE],
        "detail-type": [invitations::domain::events::ERASED_DETAIL_TYPE]
    });
    integration_tests::CompletionRoute::with_pattern(&world.sdk, &world.tag, &pattern.to_string())
        .await
        .unwrap()
}

/// `DELETE /invitations/{id}` as `claims`.
async fn erase(world: &World, claims: &Claims, id: &str) -> Answer {
    world
        .call(ApiEvent::new("DELETE", &format!("/invitations/{id}")).claims(claims))
        .await
}

/// Everything the table holds, as text: what a dump of it would show.
async fn table_dump(world: &World) -> String {
    format!("{:?}", world.items().await)
}

/// The stored hashes of invitation `id`'s candidate tokens.
async fn token_hashes(world: &World, id: &str) -> Vec<String> {
    stored_attribute(world, id, "tokenHashes")
        .await
        .map(|hashes| hashes.as_ss().unwrap().clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_erased_invitation_leaves_no_name_address_or_token_hash_in_the_table_or_its_saved_answers()
 {
    let world = world().await;
    let route = erasure_route(&world).await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let email = world.candidate_email("erased");
    let mut form = world.invitation_form(&interview, "en", false);
    form["email"] = json!(email);
    form["firstName"] = json!("Zyxwa");
    form["lastName"] = json!("Qüvränta");
    // Keyed: the saved answers hold the candidate's name and address.
    let sent = world
        .call(
            ApiEvent::post("/invitations", &form)
                .header("idempotency-key", "erase-send")
                .claims(&world.acme),
        )
        .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let id = sent.body["id"].as_str().unwrap().to_owned();
    let resend = || {
        world.call_at(
            integration_tests::world::COOLED_DOWN,
            ApiEvent::post(&format!("/invitations/{id}/resend"), &json!({}))
                .header("idempotency-key", "erase-resend")
                .claims(&world.acme),
        )
    };
    let resent = resend().await;
    assert_eq!(resent.status, 200, "{}", resent.body);
    let extension_path = format!("/invitations/{id}/deadline-extension");
    let extended = world
        .call_at(
            integration_tests::world::COOLED_DOWN,
            ApiEvent::post(
                &extension_path,
                &json!({"answerDeadline": "2026-12-20", "notifyCandidate": false}),
            )
            .header("idempotency-key", "erase-extension")
            .claims(&world.acme),
        )
        .await;
    assert_eq!(extended.status, 200, "{}", extended.body);
    let hashes = token_hashes(&world, &id).await;
    assert_eq!(hashes.len(), 2);
    let before = table_dump(&world).await;
    for personal in [email.as_str(), "Zyxwa", "Qüvränta"] {
        assert!(before.contains(personal), "the test looks for {personal}");
    }

    // Another organization cannot erase it, and learns nothing of it.
    let foreign = erase(&world, &world.globex, &id).await;
    assert_eq!(foreign.status, 404, "{}", foreign.body);
    assert!(table_dump(&world).await.contains(&email));

    let erased = erase(&world, &world.acme, &id).await;
    assert_eq!(erased.status, 204, "{}", erased.body);
    let dump = table_dump(&world).await;
    for personal in [email.as_str(), "Zyxwa", "Qüvränta"]
        .into_iter()
        .chain(hashes.iter().map(String::as_str))
    {
        assert!(
            !dump.contains(personal),
            "{personal} is still in the table: {dump}"
        );
    }

    // Announced once, naming the invitation and no one.
    let events = route.delivered().await.unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["detail"]["organizationId"], "acme");
    assert_eq!(events[0]["detail"]["invitationIds"], json!([id]));
    assert!(!events[0].to_string().contains(&email));

    // Gone for every reader; a replay of either keyed request says so and does nothing again.
    let get = world
        .call(ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme))
        .await;
    assert_eq!(get.status, 404);
    assert_eq!(erase(&world, &world.acme, &id).await.status, 404);
    let emails_before = world.emails().await.len();
    let replayed = world
        .call(
            ApiEvent::post("/invitations", &form)
                .header("idempotency-key", "erase-send")
                .claims(&world.acme),
        )
        .await;
    assert_eq!(replayed.status, 410, "{}", replayed.body);
    replayed.assert_problem(410);
    let replayed_resend = resend().await;
    assert_eq!(replayed_resend.status, 410, "{}", replayed_resend.body);

    // The erased keys still tell another request: another route's (whose body is valid), or an
    // invalid body on the same route (which the kept answer can't have been) gets its 422.
    let keyed = |path: &str, key: &str, body: Value| {
        world.call_at(
            integration_tests::world::COOLED_DOWN,
            ApiEvent::post(path, &body)
                .header("idempotency-key", key)
                .claims(&world.acme),
        )
    };
    let elsewhere = keyed(
        "/video-interviews",
        "erase-send",
        json!({"title": "Another", "questions": [{"text": "Why?"}]}),
    )
    .await;
    elsewhere.assert_problem(422);
    assert_eq!(elsewhere.body["type"], "/problems/idempotency-key-reused");
    let invalid_send = keyed("/invitations", "erase-send", json!({"email": ""})).await;
    assert!(
        invalid_send.invalid_fields().contains(&"/email".to_owned()),
        "{}",
        invalid_send.body
    );
    let resend_path = format!("/invitations/{id}/resend");
    let invalid_resend = keyed(&resend_path, "erase-resend", json!({"email": 7})).await;
    assert_eq!(invalid_resend.invalid_fields(), ["/email"]);
    let other_route = keyed(&extension_path, "erase-resend", json!({})).await;
    assert_eq!(other_route.body["type"], "/problems/idempotency-key-reused");
    let invalid_extension = keyed(
        &extension_path,
        "erase-extension",
        json!({"answerDeadline": "soon"}),
    )
    .await;
    assert_eq!(invalid_extension.invalid_fields(), ["/answerDeadline"]);
    let replayed_extension = keyed(
        &extension_path,
        "erase-extension",
        json!({"answerDeadline": "2026-12-21"}),
    )
    .await;
    replayed_extension.assert_problem(410);
    assert_eq!(
        world.emails().await.len(),
        emails_before,
        "nothing was sent again"
    );
    assert!(!table_dump(&world).await.contains(&email));
}

#[tokio::test]
async fn an_erased_invitation_gets_no_reminder_and_its_recruiter_no_notice() {
    let world = world().await;
    let route = erasure_route(&world).await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let email = world.candidate_email("no-more");
    let mut form = world.invitation_form(&interview, "en", false);
    form["email"] = json!(email);
    form["notifyMe"] = json!(true);
    form["answerDeadline"] = json!("2026-12-15");
    form["timeZone"] = json!("Europe/Helsinki");
    let sent = world.invite(&world.acme, &form).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let id = sent.body["id"].as_str().unwrap().to_owned();
    let message_id = world.message_id(&id).await;
    assert_eq!(erase(&world, &world.acme, &id).await.status, 204);
    assert_eq!(route.delivered().await.unwrap().len(), 1);
    let emails = world.emails().await.len();

    // The reminder it had planned, 48 hours before the deadline's end, is not sent.
    let reminders = world.deadline_reminders("2026-12-13T22:05:00Z");
    let event = json!({
        "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": "2026-12-13T22:05:00Z", "region": "eu-west-1",
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/reminders"], "detail": {}
    });
    match Box::pin(reminders.handle(&event)).await.unwrap() {
        deadline_reminders::Outcome::Swept(report) => assert_eq!(report.sent, 0, "{report:?}"),
        other => panic!("{other:?}"),
    }
    // A completion reported for it, and SES's bounce of its email, tell no one.
    let completed = json!({
        "version": "0", "id": "0b7b3c5e-2a61-4a0b-9f2e-6f1c1d1e8a01",
        "detail-type": invitations::domain::events::DETAIL_TYPE,
        "source": invitations::domain::events::SOURCE,
        "account": "123456789012", "time": "2026-12-08T09:29:00Z", "region": "eu-west-1",
        "resources": [],
        "detail": {"organizationId": "acme", "invitationId": id, "completedAt": "2026-12-08T09:29:00Z"}
    });
    let notifier = world.notifier(integration_tests::world::SENDER, "2026-12-08T09:30:00Z");
    assert_eq!(
        notifier.handle(&completed).await.unwrap(),
        completion_notifier::Outcome::Dropped
    );
    let bounce = integration_tests::events::ses_event("Email Bounced", &id, &message_id, &email);
    match world
        .email_events("2026-12-01T10:00:05Z")
        .handle(&bounce)
        .await
        .unwrap()
    {
        email_events::Outcome::Handled(outcome) => assert_eq!(outcome.code(), "unknown"),
        other => panic!("{other:?}"),
    }
    assert_eq!(world.emails().await.len(), emails, "nothing more was sent");
    assert!(
        !table_dump(&world).await.contains(&email),
        "and nothing was written back"
    );
}

/// Invites `email` on behalf of `claims`: the invitation's id.
async fn invite_as(world: &World, claims: &Claims, email: &str) -> String {
    let interview = world.create_video_interview(claims, "Sales lead").await;
    let mut form = world.invitation_form(&interview, "fi", false);
    form["email"] = json!(email);
    let sent = world.invite(claims, &form).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    sent.body["id"].as_str().unwrap().to_owned()
}

/// `GET /candidate-data?email=` as `claims`.
async fn held_for(world: &World, claims: &Claims, email: &str) -> Answer {
    world
        .call(
            ApiEvent::get("/candidate-data")
                .query("email", email)
                .claims(claims),
        )
        .await
}

fn ids_held(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|invitation| invitation["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The invitations of the by-address tests: two by `acme` to the candidate, one by `globex` to
/// the same address, one by `acme` to another candidate.
struct Invited {
    candidate: String,
    other: String,
    first: String,
    second: String,
    elsewhere: String,
    not_theirs: String,
}

async fn invite_four(world: &World) -> Invited {
    let candidate = world.candidate_email("asks");
    let other = world.candidate_email("other");
    Invited {
        first: invite_as(world, &world.acme, &candidate).await,
        second: invite_as(world, &world.acme, &candidate).await,
        elsewhere: invite_as(world, &world.globex, &candidate).await,
        not_theirs: invite_as(world, &world.acme, &other).await,
        candidate,
        other,
    }
}

#[tokio::test]
async fn a_candidates_invitations_are_given_back_by_address_within_one_organization() {
    let world = world().await;
    let invited = Box::pin(invite_four(&world)).await;
    let candidate = &invited.candidate;
    let held = held_for(&world, &world.acme, &candidate.to_uppercase()).await;
    assert_eq!(
        ids_held(&held),
        [invited.first.clone(), invited.second.clone()]
    );
    let whole = &held.body["invitations"][0];
    assert_eq!(whole["email"], candidate.as_str());
    assert_eq!(whole["questions"].as_array().unwrap().len(), 2, "{whole}");
    assert_eq!(whole["history"][0]["event"], "invited", "{whole}");
    assert_eq!(whole["history"][1]["event"], "sent", "{whole}");
    assert!(whole["retainedUntil"].is_string(), "{whole}");
    assert!(
        whole.get("tokenHashes").is_none(),
        "credentials are not data about them"
    );
    assert_eq!(
        ids_held(&held_for(&world, &world.globex, candidate).await),
        std::slice::from_ref(&invited.elsewhere)
    );
    assert!(ids_held(&held_for(&world, &world.acme, "nobody@example.com").await).is_empty());
    let missing = world
        .call(ApiEvent::get("/candidate-data").claims(&world.acme))
        .await;
    assert_eq!(missing.invalid_fields(), ["email"], "{}", missing.body);
    let bad = held_for(&world, &world.acme, "not an address").await;
    assert_eq!(bad.invalid_fields(), ["email"], "{}", bad.body);
}

#[tokio::test]
async fn a_candidates_invitations_are_erased_by_address_within_one_organization() {
    let world = world().await;
    let route = erasure_route(&world).await;
    let invited = Box::pin(invite_four(&world)).await;
    let candidate = &invited.candidate;
    let erasure = |email: &str| {
        ApiEvent::post("/candidate-erasures", &json!({ "email": email })).claims(&world.acme)
    };
    let erased = world.call(erasure(&candidate.to_uppercase())).await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    let both = json!([invited.first, invited.second]);
    assert_eq!(erased.body, json!({"erased": 2, "invitationIds": both}));
    let events = route.delivered().await.unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["detail"]["invitationIds"], both);
    let acme_items = format!(
        "{:?}",
        world
            .items()
            .await
            .into_iter()
            .filter(|item| item.get("pk") == Some(&AttributeValue::S("ORG#acme".to_owned())))
            .collect::<Vec<_>>()
    );
    assert!(!acme_items.contains(candidate.as_str()));
    assert!(
        acme_items.contains(&invited.other),
        "another candidate's stays"
    );
    assert_eq!(
        ids_held(&held_for(&world, &world.globex, candidate).await),
        std::slice::from_ref(&invited.elsewhere),
        "another organization's invitation is its own to erase"
    );
    assert_eq!(
        ids_held(&held_for(&world, &world.acme, &invited.other).await),
        std::slice::from_ref(&invited.not_theirs)
    );
    assert!(ids_held(&held_for(&world, &world.acme, candidate).await).is_empty());

    // Again: nothing to erase, nothing announced.
    let again = world.call(erasure(candidate)).await;
    assert_eq!(again.body, json!({"erased": 0, "invitationIds": []}));
    assert!(route.delivered().await.unwrap().is_empty());
    let invalid = world
        .call(
            ApiEvent::post("/candidate-erasures", &json!({"email": "x", "extra": 1}))
                .claims(&world.acme),
        )
        .await;
    let mut fields = invalid.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["/email", "/extra"], "{}", invalid.body);
}

#[tokio::test]
async fn erasing_leaves_alone_a_key_claimed_again_by_a_later_request() {
    let world = world().await;
    let _route = erasure_route(&world).await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let keyed = |name: &str| {
        let mut form = world.invitation_form(&interview, "en", false);
        form["email"] = json!(world.candidate_email(name));
        ApiEvent::post("/invitations", &form)
            .header("idempotency-key", "reused-key")
            .claims(&world.acme)
    };
    let first = world.call(keyed("first")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    // A day and an hour later the key is free again, and another request claims it.
    let later = "2026-12-02T11:00:00Z";
    let second = world.call_at(later, keyed("second")).await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_ne!(first.body["id"], second.body["id"]);

    let id = first.body["id"].as_str().unwrap();
    assert_eq!(
        world
            .call_at(
                later,
                ApiEvent::new("DELETE", &format!("/invitations/{id}")).claims(&world.acme)
            )
            .await
            .status,
        204
    );
    // The later request's answer is its own still: replayed, not "erased".
    let replayed = world.call_at(later, keyed("second")).await;
    assert_eq!(replayed.status, 201, "{}", replayed.body);
    assert_eq!(replayed.body["id"], second.body["id"]);
    assert_eq!(replayed.header("idempotent-replayed"), "true");
}
