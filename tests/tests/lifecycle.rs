//! The invitation's life after "Send", through the real handlers and the local stand-in, with the
//! clock injected: expiry at the deadline day's end, deadline extensions (a later day, its notice
//! with the follow-up link, an expired invitation opening again).

use integration_tests::events::ApiEvent;
use integration_tests::world::{
    Answer, CANDIDATE_APP, NOW, SENDER, World, at, candidate_token_in, mailer, settings, world,
};
use invitations::adapters::secrets::LinkKeys;
use invitations::domain::CandidateToken;
use serde_json::{Value, json};

/// The ids listed by `GET /invitations?status=<status>` at `now`, paging one at a time so that
/// every page boundary is crossed.
async fn listed(world: &World, now: &str, status: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut event = ApiEvent::get("/invitations")
            .query("status", status)
            .query("limit", "1");
        if let Some(cursor) = &cursor {
            event = event.query("cursor", cursor);
        }
        let page = world.call_at(now, event.claims(&world.acme)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for item in page.body["items"].as_array().unwrap() {
            assert_eq!(item["status"], status, "{item}");
            ids.push(item["id"].as_str().unwrap().to_owned());
        }
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
}

/// The invitation as `GET /invitations/{id}` shows it at `now`.
async fn shown(world: &World, now: &str, id: &str) -> Value {
    let answer = world
        .call_at(
            now,
            ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

/// Invites `name` to answer by `date` in `zone`: the new invitation's id.
async fn invite(world: &World, interview: &str, name: &str, date: &str, zone: &str) -> String {
    let mut form = world.invitation_form(interview, "en", false);
    form["email"] = json!(world.candidate_email(name));
    form["answerDeadline"] = json!(date);
    form["timeZone"] = json!(zone);
    let answer = world.invite(&world.acme, &form).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_unfinished_invitation_reads_expired_from_its_deadline_days_midnight_in_its_zone() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    // 15 December ends at 22:00 UTC in Helsinki (UTC+2) and at 05:00 UTC on the 16th in New York.
    let helsinki = invite(&world, &interview, "h", "2026-12-15", "Europe/Helsinki").await;
    let new_york = invite(&world, &interview, "n", "2026-12-15", "America/New_York").await;
    let later = invite(&world, &interview, "l", "2026-12-20", "Europe/Helsinki").await;
    let cancelled = invite(&world, &interview, "c", "2026-12-15", "Europe/Helsinki").await;
    let answer = world
        .call(
            ApiEvent::post(
                &format!("/invitations/{cancelled}/cancellation"),
                &json!({}),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    let last_second = "2026-12-15T21:59:59.999Z";
    assert_eq!(
        shown(&world, last_second, &helsinki).await["status"],
        "sent"
    );
    assert_eq!(
        listed(&world, last_second, "sent").await,
        [later.clone(), new_york.clone(), helsinki.clone()]
    );
    assert!(listed(&world, last_second, "expired").await.is_empty());

    let helsinki_midnight = "2026-12-15T22:00:00Z";
    let expired = shown(&world, helsinki_midnight, &helsinki).await;
    assert_eq!(expired["status"], "expired");
    assert_eq!(
        expired["sentAt"],
        shown(&world, last_second, &helsinki).await["sentAt"],
        "facts kept"
    );
    assert_eq!(
        shown(&world, helsinki_midnight, &new_york).await["status"],
        "sent"
    );
    assert_eq!(
        listed(&world, helsinki_midnight, "expired").await,
        [helsinki.as_str()]
    );
    assert_eq!(
        listed(&world, helsinki_midnight, "sent").await,
        [later.clone(), new_york.clone()]
    );

    let new_york_midnight = "2026-12-16T05:00:00.250Z";
    assert_eq!(
        listed(&world, new_york_midnight, "expired").await,
        [new_york.clone(), helsinki.clone()]
    );
    assert_eq!(
        listed(&world, new_york_midnight, "sent").await,
        [later.as_str()]
    );
    assert_eq!(
        listed(&world, new_york_midnight, "cancelled").await,
        [cancelled.as_str()],
        "a cancelled invitation stays cancelled past its deadline"
    );
    let all = world
        .call_at(
            new_york_midnight,
            ApiEvent::get("/invitations").claims(&world.acme),
        )
        .await;
    let statuses: Vec<_> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["cancelled", "sent", "expired", "expired"]);
    // Nothing was written to make them expire: the stored status is still `sent`.
    let stored: Vec<_> = world
        .items()
        .await
        .into_iter()
        .filter(|item| {
            item.get("entity").and_then(|e| e.as_s().ok()) == Some(&"Invitation".to_owned())
        })
        .map(|item| item["status"].as_s().unwrap().clone())
        .collect();
    assert_eq!(stored.iter().filter(|s| *s == "sent").count(), 3);
}

/// `POST /invitations/{id}/deadline-extension` at `now`.
async fn extend(world: &World, now: &str, id: &str, body: Value) -> Answer {
    world
        .call_at(
            now,
            ApiEvent::post(&format!("/invitations/{id}/deadline-extension"), &body)
                .claims(&world.acme),
        )
        .await
}

/// What the candidate's link with `token` answers at `now`.
async fn open(world: &World, now: &str, token: &CandidateToken) -> Answer {
    let api = world.candidate_api("bus-unused", now);
    let event = ApiEvent::get(&format!("/candidate/invitations/{}", token.expose()));
    Answer::from(Box::pin(api.handle(event.into_request())).await)
}

/// The token of the newest email to `address` with `subject_part` in its subject.
async fn token_in_email(world: &World, address: &str, subject_part: &str) -> CandidateToken {
    let emails = world.emails().await;
    let email = emails
        .iter()
        .rev()
        .find(|email| {
            email.to_addresses().iter().any(|to| to == address)
                && email.subject.contains(subject_part)
        })
        .unwrap_or_else(|| panic!("an email to {address} about {subject_part}"));
    candidate_token_in(&email.html, CANDIDATE_APP)
}

#[tokio::test]
async fn an_opened_invitations_deadline_moves_and_the_notice_carries_a_working_link() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let id = invite(&world, &interview, "o", "2026-12-15", "Europe/Helsinki").await;
    let address = world.candidate_email("o");
    let invitation_link = world.candidate_token(&address).await;
    assert_eq!(
        open(&world, "2026-12-10T12:00:00Z", &invitation_link)
            .await
            .status,
        200
    );

    let moved = extend(
        &world,
        "2026-12-12T08:00:00Z",
        &id,
        json!({"answerDeadline": "2026-12-20"}),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["answerDeadline"], "2026-12-20");
    assert_eq!(
        moved.body["timeZone"], "Europe/Helsinki",
        "the current zone when none is given"
    );
    assert_eq!(moved.body["expiresAt"], "2026-12-20T22:00:00Z");
    assert_eq!(moved.body["status"], "opened");
    assert_eq!(moved.body["deadlineExtendedAt"], "2026-12-12T08:00:00Z");
    assert_eq!(
        moved.body["nextReminderAt"], "2026-12-18T22:00:00Z",
        "re-planned"
    );
    assert_eq!(moved.body["lastFollowUp"]["kind"], "deadline_extension");
    assert_eq!(moved.body["lastFollowUp"]["status"], "sent");
    assert_eq!(
        shown(&world, "2026-12-12T08:00:01Z", &id).await["lastFollowUp"],
        moved.body["lastFollowUp"]
    );

    let notice = token_in_email(&world, &address, "more time").await;
    assert_ne!(
        notice.expose(),
        invitation_link.expose(),
        "the follow-up link"
    );
    // After the old deadline, both links lead to the interview until the new one ends.
    for link in [&invitation_link, &notice] {
        assert_eq!(open(&world, "2026-12-18T12:00:00Z", link).await.status, 200);
        assert_eq!(open(&world, "2026-12-20T22:00:00Z", link).await.status, 410);
    }
    let emails = world.emails().await;
    let notice_email = emails
        .iter()
        .find(|email| email.subject.contains("more time"))
        .unwrap();
    assert!(
        notice_email.html.contains("Sunday 20 December 2026"),
        "{}",
        notice_email.html
    );
    assert!(notice_email.bcc_addresses().is_empty());
}

#[tokio::test]
async fn an_expired_invitation_opens_again_when_its_deadline_moves() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let id = invite(&world, &interview, "e", "2026-12-15", "Europe/Helsinki").await;
    let link = world.candidate_token(&world.candidate_email("e")).await;
    let expired = "2026-12-16T09:00:00Z";
    assert_eq!(shown(&world, expired, &id).await["status"], "expired");
    assert_eq!(open(&world, expired, &link).await.status, 410);

    // A day in another zone, without a notice.
    let moved = extend(
        &world,
        expired,
        &id,
        json!({"answerDeadline": "2026-12-22", "timeZone": "America/New_York", "notifyCandidate": false}),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["status"], "sent", "open again");
    assert_eq!(moved.body["expiresAt"], "2026-12-23T05:00:00Z");
    assert_eq!(
        moved.body["nextReminderAt"], "2026-12-21T05:00:00Z",
        "re-planned"
    );
    assert_eq!(moved.body["lastFollowUp"], Value::Null);
    assert_eq!(
        open(&world, "2026-12-17T09:00:00Z", &link).await.status,
        200
    );
    assert_eq!(
        world.emails().await.len(),
        1,
        "only the invitation: no notice was asked for"
    );
    assert_eq!(
        listed(&world, "2026-12-17T09:00:00Z", "expired").await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_deadline_moves_only_later_within_a_year_and_never_for_a_finished_invitation() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let id = invite(&world, &interview, "r", "2026-12-15", "Europe/Helsinki").await;
    let now = "2026-12-05T10:00:00Z";
    for (deadline, why) in [
        ("2026-12-15", "not later"),
        ("2026-12-10", "earlier"),
        ("2026-12-04", "in the past"),
        ("2027-12-06", "more than a year ahead"),
        ("15.12.2026", "not a date"),
    ] {
        let refused = extend(&world, now, &id, json!({"answerDeadline": deadline})).await;
        assert_eq!(
            refused.invalid_fields(),
            ["/answerDeadline"],
            "{why}: {}",
            refused.body
        );
    }
    let refused = extend(
        &world,
        now,
        &id,
        json!({"timeZone": "Mars/Base", "notifyCandidate": "yes", "extra": 1}),
    )
    .await;
    assert_eq!(
        refused.invalid_fields(),
        ["/answerDeadline", "/extra", "/notifyCandidate", "/timeZone"]
    );
    // Another organization's invitation does not exist for this one.
    let foreign = world
        .call_at(
            now,
            ApiEvent::post(
                &format!("/invitations/{id}/deadline-extension"),
                &json!({"answerDeadline": "2026-12-20"}),
            )
            .claims(&world.globex),
        )
        .await;
    assert_eq!(foreign.status, 404);

    let cancelled = world
        .call(
            ApiEvent::post(&format!("/invitations/{id}/cancellation"), &json!({}))
                .claims(&world.acme),
        )
        .await;
    assert_eq!(cancelled.status, 200);
    let refused = extend(&world, now, &id, json!({"answerDeadline": "2026-12-20"})).await;
    refused.assert_problem(409);
    assert_eq!(
        shown(&world, now, &id).await["answerDeadline"],
        "2026-12-15"
    );
    assert_eq!(
        world.emails().await.len(),
        1,
        "nothing sent for a refused move"
    );
}

/// The recruiter API reads the link key from Secrets Manager when a deadline notice first needs it
/// (no cold start waits for it); a secret it cannot read fails only that route, with a 503.
#[tokio::test]
async fn the_link_key_is_read_when_first_needed_and_an_unreadable_one_fails_only_the_extension() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let id = invite(&world, &interview, "k", "2026-12-15", "Europe/Helsinki").await;
    let secret = integration_tests::create_link_key(&world.sdk, &world.tag)
        .await
        .unwrap();
    let api_reading = |secret_id: &str| {
        recruiter_api::RecruiterApi::new(
            world.store(),
            mailer(aws_sdk_sesv2::Client::new(&world.sdk), SENDER),
            world.bus(),
            world.queue(),
            at(NOW),
            settings(),
            recruiter_api::Keys {
                links: LinkKeys::from_secret(
                    aws_sdk_secretsmanager::Client::new(&world.sdk),
                    secret_id.to_owned(),
                ),
                ..integration_tests::world::keys()
            },
        )
    };
    let extend = |date: &str| {
        ApiEvent::post(
            &format!("/invitations/{id}/deadline-extension"),
            &json!({"answerDeadline": date}),
        )
        .claims(&world.acme)
        .into_request()
    };
    let broken = api_reading("no-such-secret");
    let get = ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme);
    assert_eq!(
        Answer::from(broken.handle(get.into_request()).await).status,
        200
    );
    Answer::from(broken.handle(extend("2026-12-20")).await).assert_problem(503);
    assert_eq!(
        shown(&world, NOW, &id).await["answerDeadline"],
        "2026-12-15",
        "nothing moved"
    );

    let api = api_reading(&secret);
    let moved = Answer::from(api.handle(extend("2026-12-20")).await);
    assert_eq!(moved.status, 200, "{}", moved.body);
    let notice = token_in_email(&world, &world.candidate_email("k"), "more time").await;
    assert_eq!(
        open(&world, "2026-12-18T10:00:00Z", &notice).await.status,
        200
    );
}
