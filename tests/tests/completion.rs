//! The candidate's side and "Notify me", end to end: invitation email → candidate opens → candidate
//! completes → EventBridge (the rule's pattern from infra/template.yaml, delivered to a queue that
//! stands in for Lambda's event source) → notifier → one email to the recruiter.

use completion_notifier::Outcome;
use integration_tests::CompletionRoute;
use integration_tests::events::{ApiEvent, Claims};
use integration_tests::world::*;
use invitations::domain::events::{DETAIL_TYPE, SOURCE};
use serde_json::{Value, json};

/// A recruiter who asked for notifications in Finnish.
fn finnish(world: &World) -> Claims {
    Claims {
        locale: Some("fi-FI".to_owned()),
        ..world.acme.clone()
    }
}

struct Invited {
    id: String,
    token: String,
    candidate: String,
}

/// Sends an invitation (notify-me as asked) and returns it with the token from its email.
async fn invite(
    world: &World,
    recruiter: &Claims,
    notify_me: bool,
    deadline: (&str, &str),
) -> Invited {
    let video_interview = world
        .create_video_interview(recruiter, "Sales <lead>")
        .await;
    let candidate = world.candidate_email(&format!("c{}", ulid::Ulid::new()).to_lowercase());
    let mut form = world.invitation_form(&video_interview, "sv", false);
    form["email"] = json!(candidate);
    form["notifyMe"] = json!(notify_me);
    form["answerDeadline"] = json!(deadline.0);
    form["timeZone"] = json!(deadline.1);
    let answer = world.invite(recruiter, &form).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    Invited {
        id: answer.body["id"].as_str().unwrap().to_owned(),
        token: world.candidate_token(&candidate).await.expose().to_owned(),
        candidate,
    }
}

const HELSINKI_DEADLINE: (&str, &str) = ("2026-12-15", "Europe/Helsinki");
/// Candidates act a week after the invitation.
const LATER: &str = "2026-12-08T09:30:00Z";

fn open(token: &str) -> ApiEvent {
    ApiEvent::get(&format!("/candidate/invitations/{token}"))
}

fn complete(token: &str) -> ApiEvent {
    ApiEvent::new(
        "POST",
        &format!("/candidate/invitations/{token}/completion"),
    )
}

async fn candidate_call(
    api: &candidate_api::CandidateApi<
        invitations::adapters::dynamodb::DynamoStore,
        invitations::adapters::eventbridge::EventBridgeBus,
        invitations::ports::FixedClock,
    >,
    event: ApiEvent,
) -> Answer {
    Answer::from(api.handle(event.into_request()).await)
}

fn notifications(emails: &[integration_tests::SentEmail], recruiter: &Claims) -> usize {
    emails
        .iter()
        .filter(|email| email.to_addresses() == [recruiter.email.clone()])
        .count()
}

/// The recording service's event: the candidate finished a minute before `LATER`, when it arrives.
fn completion_event(organization: &str, invitation: &str) -> Value {
    json!({
        "version": "0",
        "id": "0b7b3c5e-2a61-4a0b-9f2e-6f1c1d1e8a01",
        "detail-type": DETAIL_TYPE,
        "source": SOURCE,
        "account": "123456789012",
        "time": "2026-12-08T09:29:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": {
            "organizationId": organization,
            "invitationId": invitation,
            "completedAt": "2026-12-08T09:29:00Z"
        }
    })
}

#[tokio::test]
async fn the_whole_journey_ends_in_exactly_one_email_to_the_recruiter() {
    let world = world().await;
    let recruiter = finnish(&world);
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let invited = invite(&world, &recruiter, true, HELSINKI_DEADLINE).await;
    let candidate_api = world.candidate_api(&route.bus_name, LATER);

    // The candidate opens the link: what the interview app needs, and nothing more.
    let opened = candidate_call(&candidate_api, open(&invited.token)).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!(opened.body["firstName"], "Anna");
    assert_eq!(opened.body["language"], "sv");
    assert_eq!(opened.body["videoInterview"]["title"], "Sales <lead>");
    assert_eq!(
        opened.body["videoInterview"]["questions"][0],
        json!({"text": "Why do you want this job?", "thinkTimeSeconds": 30, "answerTimeSeconds": 120})
    );
    assert_eq!(opened.body["answerDeadline"], "2026-12-15");
    assert_eq!(opened.body["timeZone"], "Europe/Helsinki");
    assert_eq!(opened.body["expiresAt"], "2026-12-15T22:00:00Z");
    assert_eq!(opened.body["status"], "opened");
    let text = opened.body.to_string();
    for private in [
        invited.candidate.as_str(),
        "Virtanen",
        recruiter.email.as_str(),
    ] {
        assert!(
            !text.contains(private),
            "{private} is not the app's business"
        );
    }
    let seen = world
        .call(ApiEvent::get(&format!("/invitations/{}", invited.id)).claims(&recruiter))
        .await;
    assert_eq!(seen.body["status"], "opened");
    assert_eq!(seen.body["openedAt"], LATER);

    // The candidate submits; the completion is recorded and announced once.
    let completed = candidate_call(&candidate_api, complete(&invited.token)).await;
    assert_eq!(completed.status, 200, "{}", completed.body);
    assert_eq!(completed.body["status"], "completed");
    assert_eq!(completed.body["completedAt"], LATER);
    let events = route.delivered().await.unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        events[0]["detail"],
        json!({"organizationId": "acme", "invitationId": invited.id, "completedAt": LATER})
    );

    // The notifier gets the event as EventBridge delivered it.
    let notifier = world.notifier(SENDER, "2026-12-08T09:30:05Z");
    assert_eq!(
        notifier.handle(&events[0]).await.unwrap(),
        Outcome::Notified
    );
    let emails = world.emails().await;
    assert_eq!(notifications(&emails, &recruiter), 1);
    let notice = emails
        .iter()
        .find(|email| email.to_addresses() == [recruiter.email.clone()])
        .unwrap();
    assert_eq!(notice.source, SENDER_HEADER);
    // The recruiter is named in To as the identity provider names them.
    assert_eq!(
        read_mailbox(&notice.destinations.to_addresses[0]).name,
        recruiter.name.clone()
    );
    assert!(notice.bcc_addresses().is_empty());
    assert_eq!(
        notice.subject,
        format!("Anna Virtanen vastasi videohaastatteluun: Sales <lead> ({DEFAULT_EMPLOYER})")
    );
    let link = format!("{RECRUITER_APP}/invitations/{}", invited.id);
    assert!(
        notice.html.contains(&format!("href=\"{link}\"")),
        "{}",
        notice.html
    );
    assert!(
        notice
            .html
            .contains("tiistaina 8.12.2026 klo 11.30 (Itä-Euroopan aika)"),
        "{}",
        notice.html
    );
    assert!(
        notice.html.contains("Sales &#60;lead&#62;"),
        "{}",
        notice.html
    );

    let seen = world
        .call(ApiEvent::get(&format!("/invitations/{}", invited.id)).claims(&recruiter))
        .await;
    assert_eq!(seen.body["status"], "completed");
    assert_eq!(seen.body["completedAt"], LATER);
    assert_eq!(seen.body["recruiterNotifiedAt"], "2026-12-08T09:30:05Z");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_event_five_times_and_twice_at_once_still_sends_one_email() {
    let world = world().await;
    let recruiter = world.acme.clone();
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let candidate_api = world.candidate_api(&route.bus_name, LATER);

    let first = invite(&world, &recruiter, true, HELSINKI_DEADLINE).await;
    candidate_call(&candidate_api, complete(&first.token)).await;
    let event = route.delivered().await.unwrap().pop().unwrap();
    let notifier = world.notifier(SENDER, LATER);
    let mut outcomes = Vec::new();
    for _ in 0..5 {
        outcomes.push(notifier.handle(&event).await.unwrap());
    }
    assert_eq!(outcomes[0], Outcome::Notified);
    assert!(
        outcomes[1..]
            .iter()
            .all(|outcome| *outcome == Outcome::AlreadyNotified)
    );

    // Two deliveries at the same moment, on two threads, each with its own clients, as two Lambda
    // instances would be.
    let second = invite(&world, &recruiter, true, HELSINKI_DEADLINE).await;
    candidate_call(&candidate_api, complete(&second.token)).await;
    let event = route.delivered().await.unwrap().pop().unwrap();
    let deliveries: Vec<_> = (0..2)
        .map(|_| {
            let (notifier, event) = (world.notifier(SENDER, LATER), event.clone());
            tokio::spawn(async move { notifier.handle(&event).await.unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for delivery in deliveries {
        outcomes.push(delivery.await.unwrap());
    }
    let notified = outcomes
        .iter()
        .filter(|outcome| **outcome == Outcome::Notified)
        .count();
    assert_eq!(notified, 1, "{outcomes:?}");

    assert_eq!(notifications(&world.emails().await, &recruiter), 2);
}

#[tokio::test]
async fn without_notify_me_the_invitation_is_completed_and_no_one_is_emailed() {
    let world = world().await;
    let invited = invite(&world, &world.acme, false, HELSINKI_DEADLINE).await;
    // The recording service's event, arriving without the candidate API's update.
    let event = completion_event("acme", &invited.id);
    let notifier = world.notifier(SENDER, LATER);
    assert_eq!(
        notifier.handle(&event).await.unwrap(),
        Outcome::NotRequested
    );
    assert_eq!(notifications(&world.emails().await, &world.acme), 0);
    let seen = world
        .call(ApiEvent::get(&format!("/invitations/{}", invited.id)).claims(&world.acme))
        .await;
    assert_eq!(seen.body["status"], "completed");
    assert_eq!(seen.body["completedAt"], "2026-12-08T09:29:00Z");
    assert_eq!(seen.body["recruiterNotifiedAt"], Value::Null);
}

#[tokio::test]
async fn an_event_from_the_recording_service_alone_notifies_and_completes() {
    let world = world().await;
    let invited = invite(&world, &world.acme, true, HELSINKI_DEADLINE).await;
    let notifier = world.notifier(SENDER, LATER);
    let event = completion_event("acme", &invited.id);
    assert_eq!(notifier.handle(&event).await.unwrap(), Outcome::Notified);
    // The candidate API then agrees: completed, at the event's time, and nothing is announced twice.
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let candidate_api = world.candidate_api(&route.bus_name, LATER);
    let answer = candidate_call(&candidate_api, complete(&invited.token)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["completedAt"], "2026-12-08T09:29:00Z");
    assert_eq!(notifications(&world.emails().await, &world.acme), 1);
}

#[tokio::test]
async fn a_forged_completion_dated_outside_the_invitations_life_is_dropped() {
    let world = world().await;
    let invited = invite(&world, &world.acme, true, HELSINKI_DEADLINE).await;
    let notifier = world.notifier(SENDER, LATER);
    // Read from a candidate link, the ids let anyone on the bus name the invitation.
    for completed_at in ["2099-01-01T00:00:00Z", "2000-01-01T00:00:00Z"] {
        let mut event = completion_event("acme", &invited.id);
        event["detail"]["completedAt"] = json!(completed_at);
        assert_eq!(
            notifier.handle(&event).await.unwrap(),
            Outcome::Dropped,
            "{completed_at}"
        );
    }
    // After the deadline (the 15th in Helsinki), even one dated before it but past the grace.
    let late = world.notifier(SENDER, "2026-12-20T10:00:00Z");
    let mut event = completion_event("acme", &invited.id);
    event["detail"]["completedAt"] = json!("2026-12-16T08:00:00Z");
    assert_eq!(late.handle(&event).await.unwrap(), Outcome::Dropped);
    let stored = world
        .call(ApiEvent::get(&format!("/invitations/{}", invited.id)).claims(&world.acme))
        .await;
    assert_eq!(stored.body["status"], "sent");
    assert_eq!(stored.body["completedAt"], Value::Null);
    assert_eq!(notifications(&world.emails().await, &world.acme), 0);
}

#[tokio::test]
async fn unknown_invitations_and_unreadable_events_are_dropped_without_error() {
    let world = world().await;
    let notifier = world.notifier(SENDER, LATER);
    for event in [
        completion_event("acme", "01KAWXK4D2T6Y9B3C5E7G8H1J2"),
        completion_event("nobody", "01KAWXK4D2T6Y9B3C5E7G8H1J2"),
        json!({"source": SOURCE, "detail-type": DETAIL_TYPE, "detail": {"invitationId": 5}}),
        json!({"source": "elsewhere", "detail-type": "Other", "detail": {}}),
        json!("not even an object"),
    ] {
        assert_eq!(
            notifier.handle(&event).await.unwrap(),
            Outcome::Dropped,
            "{event}"
        );
    }
    assert!(world.emails().await.is_empty());
}

#[tokio::test]
async fn a_failed_send_is_retried_and_the_retry_sends_the_one_email() {
    let world = world().await;
    let invited = invite(&world, &world.acme, true, HELSINKI_DEADLINE).await;
    let event = completion_event("acme", &invited.id);
    // SES refuses (the sender is not verified): the invocation fails, so Lambda retries it.
    let failing = world.notifier("jobs@unverified.example", LATER);
    assert!(failing.handle(&event).await.is_err());
    assert_eq!(notifications(&world.emails().await, &world.acme), 0);
    // The claim was given back: the retry, seconds later, sends.
    let retry = world.notifier(SENDER, "2026-12-08T09:30:10Z");
    assert_eq!(retry.handle(&event).await.unwrap(), Outcome::Notified);
    assert_eq!(
        retry.handle(&event).await.unwrap(),
        Outcome::AlreadyNotified
    );
    assert_eq!(notifications(&world.emails().await, &world.acme), 1);
}

#[tokio::test]
async fn a_claim_whose_holder_died_expires_and_does_not_block_the_retry() {
    let world = world().await;
    let invited = invite(&world, &world.acme, true, HELSINKI_DEADLINE).await;
    let store = world.store();
    let id = invited.id.parse().unwrap();
    let organization = invitations::domain::OrganizationId::parse("acme").unwrap();
    let completion = invitations::domain::InvitationEvent::Completed {
        at: LATER.parse().unwrap(),
    };
    invitations::ports::Invitations::record_invitation_event(
        &store,
        &organization,
        id,
        &completion,
        None,
    )
    .await
    .unwrap();
    // A delivery claimed the send at LATER and died before sending.
    let claimed_at: jiff::Timestamp = LATER.parse().unwrap();
    invitations::ports::NotificationClaims::claim_recruiter_notification(
        &store,
        &organization,
        id,
        invitations::ports::RecruiterNotice::Completion,
        claimed_at,
        claimed_at + completion_notifier::CLAIM_LEASE,
    )
    .await
    .unwrap();
    let event = completion_event("acme", &invited.id);
    let during = world.notifier(SENDER, "2026-12-08T09:31:00Z");
    assert_eq!(
        during.handle(&event).await.unwrap(),
        Outcome::ClaimedElsewhere
    );
    let after = world.notifier(SENDER, "2026-12-08T09:32:01Z");
    assert_eq!(after.handle(&event).await.unwrap(), Outcome::Notified);
    assert_eq!(notifications(&world.emails().await, &world.acme), 1);
}

#[tokio::test]
async fn repeating_the_completion_changes_nothing_and_announces_nothing_twice() {
    let world = world().await;
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let invited = invite(&world, &world.acme, true, HELSINKI_DEADLINE).await;
    let first = candidate_call(
        &world.candidate_api(&route.bus_name, LATER),
        complete(&invited.token),
    )
    .await;
    assert_eq!(first.status, 200);
    // The app retries an hour later, and again after the deadline.
    for now in ["2026-12-08T10:30:00Z", "2026-12-20T10:00:00Z"] {
        let again = candidate_call(
            &world.candidate_api(&route.bus_name, now),
            complete(&invited.token),
        )
        .await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.body["completedAt"], LATER);
        let opened = candidate_call(
            &world.candidate_api(&route.bus_name, now),
            open(&invited.token),
        )
        .await;
        assert_eq!(opened.status, 200);
        assert_eq!(opened.body["status"], "completed");
    }
    assert_eq!(route.delivered().await.unwrap().len(), 1);
}

#[tokio::test]
async fn when_the_bus_refuses_the_completion_is_kept_and_a_repeat_announces_it() {
    let world = world().await;
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let invited = invite(&world, &world.acme, true, HELSINKI_DEADLINE).await;
    let broken = world.candidate_api("no-such-bus", LATER);
    let answer = candidate_call(&broken, complete(&invited.token)).await;
    answer.assert_problem(503);
    assert_eq!(answer.body["type"], "/problems/completion-not-announced");
    assert_eq!(answer.header("retry-after"), "1");
    let seen = world
        .call(ApiEvent::get(&format!("/invitations/{}", invited.id)).claims(&world.acme))
        .await;
    assert_eq!(
        seen.body["status"], "completed",
        "the candidate's work is not lost"
    );

    let repeat = candidate_call(
        &world.candidate_api(&route.bus_name, "2026-12-08T09:31:00Z"),
        complete(&invited.token),
    )
    .await;
    assert_eq!(repeat.status, 200, "{}", repeat.body);
    assert_eq!(repeat.body["completedAt"], LATER);
    let events = route.delivered().await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["detail"]["completedAt"], LATER);
}

#[tokio::test]
async fn the_deadline_day_is_inclusive_to_its_last_second_in_its_own_zone() {
    let world = world().await;
    // The bus is never reached when the answer is 410; when it is 200 it must exist.
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let cases = [
        // Helsinki, 23:59:59 on 15 December (UTC+2), then midnight.
        (
            ("2026-12-15", "Europe/Helsinki"),
            "2026-12-15T21:59:59Z",
            200,
        ),
        (
            ("2026-12-15", "Europe/Helsinki"),
            "2026-12-15T22:00:00Z",
            410,
        ),
        // Helsinki moves to UTC+3 in the night to Sunday 28 March 2027: that day ends at 21:00 UTC.
        (
            ("2027-03-28", "Europe/Helsinki"),
            "2027-03-28T20:59:59Z",
            200,
        ),
        (
            ("2027-03-28", "Europe/Helsinki"),
            "2027-03-28T21:00:00Z",
            410,
        ),
        // Kiritimati (UTC+14): its 15 December ends at 10:00 UTC that same date.
        (
            ("2026-12-15", "Pacific/Kiritimati"),
            "2026-12-15T09:59:59Z",
            200,
        ),
        (
            ("2026-12-15", "Pacific/Kiritimati"),
            "2026-12-15T10:00:00Z",
            410,
        ),
        // Pago Pago (UTC-11): its 15 December ends at 11:00 UTC the next date.
        (
            ("2026-12-15", "Pacific/Pago_Pago"),
            "2026-12-16T10:59:59Z",
            200,
        ),
        (
            ("2026-12-15", "Pacific/Pago_Pago"),
            "2026-12-16T11:00:00Z",
            410,
        ),
    ];
    for (deadline, now, expected) in cases {
        let invited = invite(&world, &world.acme, false, deadline).await;
        let api = world.candidate_api(&route.bus_name, now);
        let opened = candidate_call(&api, open(&invited.token)).await;
        let completed = candidate_call(&api, complete(&invited.token)).await;
        assert_eq!(
            (opened.status, completed.status),
            (expected, expected),
            "{deadline:?} at {now}: {}",
            completed.body
        );
        if expected == 410 {
            completed.assert_problem(410);
            assert_eq!(completed.body["type"], "/problems/invitation-expired");
        }
    }
}

#[tokio::test]
async fn a_cancelled_invitation_is_gone_for_the_candidate() {
    let world = world().await;
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let invited = invite(&world, &world.acme, true, HELSINKI_DEADLINE).await;
    let cancel = ApiEvent::new("POST", &format!("/invitations/{}/cancellation", invited.id));
    // Another organization cannot cancel it.
    let foreign = world.call(cancel.clone().claims(&world.globex)).await;
    foreign.assert_problem(404);
    let cancelled = world.call(cancel.clone().claims(&world.acme)).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(
        world.call(cancel.clone().claims(&world.acme)).await.status,
        200
    );

    let api = world.candidate_api(&route.bus_name, LATER);
    for event in [open(&invited.token), complete(&invited.token)] {
        let answer = candidate_call(&api, event).await;
        answer.assert_problem(410);
        assert_eq!(answer.body["type"], "/problems/invitation-cancelled");
    }
    // A completion event for it is dropped: no email for a withdrawn invitation.
    let notifier = world.notifier(SENDER, LATER);
    let event = completion_event("acme", &invited.id);
    assert_eq!(notifier.handle(&event).await.unwrap(), Outcome::Dropped);
    assert!(route.delivered().await.unwrap().is_empty());

    // A completed invitation cannot be cancelled.
    let done = invite(&world, &world.acme, false, HELSINKI_DEADLINE).await;
    candidate_call(&api, complete(&done.token)).await;
    let refused = world
        .call(
            ApiEvent::new("POST", &format!("/invitations/{}/cancellation", done.id))
                .claims(&world.acme),
        )
        .await;
    refused.assert_problem(409);
}

/// The verifier of token `a` with the invitation named by token `b`.
fn splice(a: &str, b: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (a, b) = (
        URL_SAFE_NO_PAD.decode(a).unwrap(),
        URL_SAFE_NO_PAD.decode(b).unwrap(),
    );
    URL_SAFE_NO_PAD.encode([&a[..32], &b[32..]].concat())
}

#[tokio::test]
async fn a_wrong_token_reveals_nothing() {
    let world = world().await;
    let invited = invite(&world, &world.acme, false, HELSINKI_DEADLINE).await;
    let api = world.candidate_api("unused", LATER);
    let mut altered = invited.token.clone().into_bytes();
    altered[10] = if altered[10] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    let hash = invitations::domain::CandidateToken::parse(&invited.token)
        .unwrap()
        .hash();
    // A real verifier under the name of another invitation, here of another organization: the
    // name only says where to look, the verifier must be that invitation's.
    let other = invite(&world, &world.globex, false, HELSINKI_DEADLINE).await;
    let crossed = splice(&invited.token, &other.token);
    assert_eq!(candidate_call(&api, open(&other.token)).await.status, 200);
    for token in [
        crossed.as_str(),
        altered.as_str(),
        &invited.token[..42],
        &format!("{}A", invited.token),
        hash.as_str(),
        &invited.id,
        "..%2F..%2Fetc",
    ] {
        for event in [open(token), complete(token)] {
            let answer = candidate_call(&api, event).await;
            answer.assert_problem(404);
            assert!(!answer.body.to_string().contains(&invited.id));
        }
    }
    let wrong_method = candidate_call(
        &api,
        ApiEvent::new(
            "DELETE",
            &format!("/candidate/invitations/{}", invited.token),
        ),
    )
    .await;
    wrong_method.assert_problem(405);
    assert_eq!(wrong_method.header("allow"), "GET");
}

#[tokio::test]
async fn an_invitation_is_sent_again_only_before_the_candidate_opens_it() {
    let world = world().await;
    let invited = invite(&world, &world.acme, false, HELSINKI_DEADLINE).await;
    let resend = ApiEvent::new("POST", &format!("/invitations/{}/resend", invited.id));
    // Not by another organization.
    world
        .call(resend.clone().claims(&world.globex))
        .await
        .assert_problem(404);
    let again = world
        .call_at(COOLED_DOWN, resend.clone().claims(&world.acme))
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    let emails = world.emails().await;
    let to_candidate: Vec<_> = emails
        .iter()
        .filter(|email| email.to_addresses() == [invited.candidate.clone()])
        .collect();
    assert_eq!(to_candidate.len(), 2);
    // The new link works, and so does the first one.
    let api = world.candidate_api("unused", LATER);
    let new_token = candidate_token_in(&to_candidate[1].html, CANDIDATE_APP);
    assert_ne!(new_token.expose(), invited.token);
    for token in [new_token.expose(), invited.token.as_str()] {
        assert_eq!(candidate_call(&api, open(token)).await.status, 200);
    }
    // Opened now: not sent again.
    world
        .call_at("2026-12-02T10:00:00Z", resend.claims(&world.acme))
        .await
        .assert_problem(409);
    assert_eq!(world.emails().await.len(), emails.len());
}

#[tokio::test]
async fn the_candidate_api_answers_under_a_named_stage_as_under_the_default_one() {
    let world = world().await;
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let invited = invite(&world, &world.acme, false, HELSINKI_DEADLINE).await;
    let api = world.candidate_api(&route.bus_name, LATER);
    let opened = candidate_call(&api, open(&invited.token).stage("prod")).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!(opened.body["status"], "opened");
    let completed = candidate_call(&api, complete(&invited.token).stage("Prod-2")).await;
    assert_eq!(completed.status, 200, "{}", completed.body);
    assert_eq!(completed.body["status"], "completed");
    candidate_call(&api, open("nonsense").stage("prod"))
        .await
        .assert_problem(404);
}
