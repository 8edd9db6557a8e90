//! SES's events about the service's emails, through the real `email-events` handler, the real SDK
//! and the local stand-in: the rule's pattern (from the template) takes only this stack's SES
//! events; delivery, bounce, complaint, duplicates and events out of order; a bounce of the
//! recruiter's copy; the bounce notice once; a corrected address.

use integration_tests::CompletionRoute;
use integration_tests::events::ApiEvent;
use integration_tests::world::*;
use serde_json::{Value, json};

const CONFIGURATION_SET: &str = "invitations-emails";

/// An SES event (from `events/email-events/`) about the email `message_id` of `invitation` to
/// `to`.
fn ses_event(name: &str, invitation: &str, message_id: &str, to: &str) -> Value {
    let path = integration_tests::repository_root()
        .join("events/email-events")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("01KAWXK4D2T6Y9B3C5E7G8H1J2", invitation)
        .replace(
            "0102019c2f3a4b5c-6d7e8f90-1a2b-3c4d-5e6f-7a8b9c0d1e2f-000000",
            message_id,
        )
        .replace("anna.virtanen@candidates.example", to);
    serde_json::from_str(&text).unwrap()
}

/// What the handler made of `event`.
async fn handled(world: &World, event: &Value) -> String {
    let function = world.email_events("2026-12-01T10:05:00Z");
    Box::pin(function.handle(event))
        .await
        .unwrap()
        .code()
        .to_owned()
}

/// The invitation as the recruiter reads it.
async fn shown(world: &World, id: &str) -> Value {
    world
        .call(ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme))
        .await
        .body
}

/// Invites `name` with a BCC to the recruiter: the invitation's id.
async fn invite(world: &World, name: &str) -> String {
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let mut form = world.invitation_form(&interview, "en", true);
    form["email"] = json!(world.candidate_email(name));
    let answer = world.invite(&world.acme, &form).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body["id"].as_str().unwrap().to_owned()
}

fn bounce_notices(emails: &[integration_tests::SentEmail]) -> Vec<&integration_tests::SentEmail> {
    emails
        .iter()
        .filter(|email| email.subject.contains("did not receive the invitation"))
        .collect()
}

/// The rule's pattern, from the template, on a bus of the stand-in: which events it routes.
#[tokio::test]
async fn the_rule_takes_only_ses_events_of_this_stacks_configuration_set() {
    let world = world().await;
    let pattern = integration_tests::rule_pattern(
        "EmailEventsFunction",
        &[("EmailConfigurationSet", CONFIGURATION_SET)],
    )
    .unwrap();
    let route = CompletionRoute::with_pattern(&world.sdk, &format!("ses-{}", world.tag), &pattern)
        .await
        .unwrap();
    let events = aws_sdk_eventbridge::Client::new(&world.sdk);
    let put = |event: Value| {
        let events = events.clone();
        let bus = route.bus_name.clone();
        async move {
            let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .event_bus_name(bus)
                .source(event["source"].as_str().unwrap())
                .detail_type(event["detail-type"].as_str().unwrap())
                .detail(event["detail"].to_string())
                .build();
            events.put_events().entries(entry).send().await.unwrap();
        }
    };
    let mut taken = Vec::new();
    for (index, name) in [
        "email-sent",
        "email-delivered",
        "email-bounced",
        "email-complaint",
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("01KAWXK4D2T6Y9B3C5E7G8H1J{index}");
        put(ses_event(name, &id, "m", "a@b.example")).await;
        taken.push(id);
    }
    let mut other_set = ses_event("email-bounced", "other-set", "m", "a@b.example");
    other_set["detail"]["mail"]["tags"]["ses:configuration-set"] = json!(["someone-elses"]);
    put(other_set).await;
    let mut not_ses = ses_event("email-bounced", "not-ses", "m", "a@b.example");
    not_ses["source"] = json!("recruit.video-interviews");
    put(not_ses).await;
    let mut opened = ses_event("email-delivered", "opened", "m", "a@b.example");
    opened["detail-type"] = json!("Email Opened");
    put(opened).await;
    let mut delivered: Vec<String> = route
        .delivered()
        .await
        .unwrap()
        .iter()
        .map(|event| {
            event["detail"]["mail"]["tags"]["invitation-id"][0]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    delivered.sort();
    assert_eq!(delivered, taken);
}

#[tokio::test]
async fn deliveries_bounces_and_complaints_only_move_forward_and_the_recruiter_hears_once() {
    let world = world().await;
    let id = invite(&world, "anna").await;
    let message = world.message_id(&id).await;
    let anna = world.candidate_email("anna");
    let event = |name| ses_event(name, &id, &message, &anna);

    assert_eq!(handled(&world, &event("email-sent")).await, "no_change");
    assert_eq!(
        handled(&world, &event("email-delivered")).await,
        "delivered"
    );
    assert_eq!(
        handled(&world, &event("email-delivered")).await,
        "no_change",
        "a duplicate"
    );
    let delivered = shown(&world, &id).await;
    assert_eq!(delivered["status"], "sent");
    assert_eq!(delivered["deliveredAt"], "2026-12-01T10:00:03.412Z");

    // The recruiter's BCC copy bouncing says nothing about the candidate.
    let recruiter = world.acme.email.clone();
    let copy_bounced = ses_event("email-bounced", &id, &message, &recruiter);
    assert_eq!(handled(&world, &copy_bounced).await, "not_the_candidate");
    assert_eq!(shown(&world, &id).await["status"], "sent");

    assert_eq!(handled(&world, &event("email-bounced")).await, "bounced");
    assert_eq!(
        handled(&world, &event("email-bounced")).await,
        "bounced",
        "a duplicate"
    );
    // Out of order: a delivery arriving late does not undo the bounce.
    assert_eq!(
        handled(&world, &event("email-delivered")).await,
        "no_change"
    );
    let bounced = shown(&world, &id).await;
    assert_eq!(bounced["status"], "bounced");
    assert_eq!(bounced["bounce"]["type"], "Permanent/General");
    assert_eq!(
        bounced["bounce"]["diagnostic"],
        "smtp; 550 5.1.1 user unknown"
    );
    assert!(bounced["bounce"]["recruiterNotifiedAt"].is_string());
    assert_eq!(bounced["nextReminderAt"], Value::Null, "no more reminders");
    let function = world.deadline_reminders("2026-12-13T22:00:00Z");
    let schedule = json!({"detail-type": "Scheduled Event", "source": "aws.events"});
    match function.handle(&schedule).await.unwrap() {
        deadline_reminders::Outcome::Swept(report) => assert_eq!(report.due, 0, "{report:?}"),
        other => panic!("{other:?}"),
    }
    let emails = world.emails().await;
    let notices = bounce_notices(&emails);
    assert_eq!(notices.len(), 1, "the recruiter hears once");
    assert_eq!(notices[0].to_addresses(), [recruiter]);
    assert!(
        notices[0]
            .html
            .contains(&format!("{RECRUITER_APP}/invitations/{id}"))
    );
    assert!(notices[0].html.contains(&anna));

    assert_eq!(
        handled(&world, &event("email-complaint")).await,
        "complaint"
    );
    assert_eq!(
        handled(&world, &event("email-complaint")).await,
        "no_change"
    );
    assert!(shown(&world, &id).await["complainedAt"].is_string());
}

#[tokio::test]
async fn a_bounced_invitation_is_corrected_at_once_and_then_reads_sent() {
    let world = world().await;
    let id = invite(&world, "typo").await;
    let message = world.message_id(&id).await;
    let typo = world.candidate_email("typo");
    assert_eq!(
        handled(&world, &ses_event("email-bounced", &id, &message, &typo)).await,
        "bounced"
    );
    // Its deadline may move (a bounce found after the deadline can still be corrected then),
    // without a notice to the address that bounces.
    let emails_before = world.emails().await.len();
    let extension = world
        .call(
            ApiEvent::post(
                &format!("/invitations/{id}/deadline-extension"),
                &json!({"answerDeadline": "2026-12-20"}),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(extension.status, 200, "{}", extension.body);
    assert_eq!(extension.body["status"], "bounced");
    assert_eq!(extension.body["lastFollowUp"], Value::Null);
    assert_eq!(world.emails().await.len(), emails_before);
    // Within the resend cool-down, with the corrected address.
    let corrected = world.candidate_email("fixed");
    let resent = world
        .call_at(
            "2026-12-01T10:03:00Z",
            ApiEvent::post(
                &format!("/invitations/{id}/resend"),
                &json!({"email": corrected}),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(resent.status, 200, "{}", resent.body);
    assert_eq!(resent.body["status"], "sent");
    assert_eq!(resent.body["email"], corrected.as_str());
    assert_eq!(resent.body["bounce"], Value::Null);
    assert_eq!(
        resent.body["nextReminderAt"], "2026-12-18T22:00:00Z",
        "planned again"
    );
    let emails = world.emails().await;
    assert!(
        emails
            .iter()
            .any(|email| email.to_addresses() == [corrected.clone()])
    );
    // The old address's bounce, arriving again, is about no one now.
    assert_eq!(
        handled(&world, &ses_event("email-bounced", &id, &message, &typo)).await,
        "not_the_candidate"
    );
    let bad = world
        .call(
            ApiEvent::post(
                &format!("/invitations/{id}/resend"),
                &json!({"email": "not an address"}),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(bad.invalid_fields(), ["/email"]);
}
