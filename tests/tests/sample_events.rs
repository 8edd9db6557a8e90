//! Every sample event in events/ drives its function through the real journey: the recruiter's
//! routes, the candidate's routes with the token from the email, and the completion event. A sample
//! that drifts from what the code accepts fails here.

use std::path::Path;

use completion_notifier::Outcome;
use integration_tests::CompletionRoute;
use integration_tests::events::into_request;
use integration_tests::world::*;
use serde_json::Value;

const VIDEO_INTERVIEW_PLACEHOLDER: &str = "01KAWXJ0V8G5Q8ZK3N2M4P6R7S";
const INVITATION_PLACEHOLDER: &str = "01KAWXK4D2T6Y9B3C5E7G8H1J2";
const TOKEN_PLACEHOLDER: &str = "Q2FuZGlkYXRlVG9rZW5QbGFjZWhvbGRlcjAwMDAwMDA";

fn sample(path: &str, replacements: &[(&str, &str)]) -> Value {
    let file = integration_tests::repository_root()
        .join("events")
        .join(path);
    let mut text = std::fs::read_to_string(&file).unwrap();
    for (placeholder, value) in replacements {
        text = text.replace(placeholder, value);
    }
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", file.display()))
}

fn json_files(folder: &Path) -> usize {
    std::fs::read_dir(folder)
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().extension() == Some("json".as_ref()))
        .count()
}

#[tokio::test]
async fn every_sample_event_is_answered_with_success() {
    let world = &world().await;
    let recruiter =
        |event: Value| async move { Answer::from(world.api.handle(into_request(&event)).await) };
    let created = recruiter(sample("recruiter-api/create-video-interview.json", &[])).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let video_interview = created.body["id"].as_str().unwrap().to_owned();
    let send = || {
        sample(
            "recruiter-api/send-invitation.json",
            &[(VIDEO_INTERVIEW_PLACEHOLDER, &video_interview)],
        )
    };
    let sent = recruiter(send()).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let invitation = sent.body["id"].as_str().unwrap().to_owned();
    let ids = [
        (INVITATION_PLACEHOLDER, invitation.as_str()),
        (VIDEO_INTERVIEW_PLACEHOLDER, video_interview.as_str()),
    ];
    for name in [
        "list-video-interviews",
        "get-video-interview",
        "list-invitations",
        "get-invitation",
    ] {
        let answer = recruiter(sample(&format!("recruiter-api/{name}.json"), &ids)).await;
        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
    }

    // The candidate's routes, with the token from the email the sample invitation sent.
    let address = sent.body["email"].as_str().unwrap();
    let emails = integration_tests::sent_emails().await.unwrap();
    let email = emails
        .iter()
        .rev()
        .find(|email| email.destinations.to_addresses == [address])
        .unwrap();
    let token = candidate_token_in(&email.html, CANDIDATE_APP);
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let candidate_api = world.candidate_api(&route.bus_name, "2026-12-08T09:30:00Z");
    for name in ["open-invitation", "complete-invitation"] {
        let event = sample(
            &format!("candidate-api/{name}.json"),
            &[(TOKEN_PLACEHOLDER, token.expose())],
        );
        let answer = Answer::from(candidate_api.handle(into_request(&event)).await);
        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
    }

    // The completion event: the sample's organization is the one of the sample claims.
    let event = sample("completion-notifier/video-interview-completed.json", &ids);
    let notifier = world.notifier(SENDER, "2026-12-08T09:45:05Z");
    assert_eq!(notifier.handle(&event).await.unwrap(), Outcome::Notified);

    // Cancelling: a second invitation, as the completed one cannot be.
    let second = recruiter(send()).await;
    let second = second.body["id"].as_str().unwrap();
    let cancelled = recruiter(sample(
        "recruiter-api/cancel-invitation.json",
        &[(INVITATION_PLACEHOLDER, second)],
    ))
    .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);

    let events = integration_tests::repository_root().join("events");
    for (folder, exercised) in [
        ("recruiter-api", 7),
        ("candidate-api", 2),
        ("completion-notifier", 1),
    ] {
        assert_eq!(
            json_files(&events.join(folder)),
            exercised,
            "every sample in events/{folder} is exercised here"
        );
    }
}
