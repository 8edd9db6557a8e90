//! The service's own CloudWatch metrics (`invitations::metrics`), counted by the real handlers
//! through the real SDK, the local stand-in and a fault-injecting proxy in front of SES: each step
//! (an invitation, a deadline notice, a reminder sweep, a notice to the recruiter, SES's events)
//! counts exactly what happened, nothing more, once per send however often the SDK retried it; a
//! replayed event or a retried sweep counts nothing again; and over the whole test, every email
//! SES took was counted as sent or unconfirmed. Every flush is checked as CloudWatch reads it (the
//! Embedded Metric Format): one namespace, the function's name as the only dimension, every metric
//! a `Count`, and nothing of a tenant or a candidate anywhere in the line.
//!
//! One sequential test: the recorder is global to the process (installed once, as a function does
//! at cold start), so tests running in parallel in this binary would count into each other's
//! flushes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use completion_notifier::Outcome as NoticeOutcome;
use deadline_reminders::Outcome as SweepOutcome;
use integration_tests::events::ApiEvent;
use integration_tests::faults::{Fault, FaultProxy};
use integration_tests::webhook_route::WebhookRoute;
use integration_tests::world::*;
use invitations::app::reminders::SweepReport;
use invitations::metrics::{Counter, Metrics};
use serde_json::{Value, json};

const NAMESPACE: &str = "Test/Invitations";
const FUNCTION_NAME: &str = "metrics-test";

/// Deadlines (in Helsinki) whose first reminders (48 hours before the day ends, at 22:00 UTC)
/// fall on different days: a sweep a little after each finds only that one due.
const DEADLINE: &str = "2026-12-15";
const EARLY_DEADLINE: &str = "2026-12-05";
const EARLY_REMINDER: &str = "2026-12-03T22:00:30Z";
const NEXT_DEADLINE: &str = "2026-12-06";
const NEXT_REMINDER: &str = "2026-12-04T22:00:30Z";
/// When the completion events report the candidates finished, and when the notifier runs.
const COMPLETED_AT: &str = "2026-12-08T09:45:00Z";
const NOTIFIED_AT: &str = "2026-12-08T09:45:05Z";

/// How SES, behind the proxy, answers a send.
#[derive(Debug, Clone, Copy)]
enum Ses {
    Accepts,
    /// A 500 (retried by the SDK, then an error): provably not sent.
    Fails,
    /// Takes the email and drops the connection before answering: it may be out.
    LosesAnswer,
}

impl Ses {
    fn fault(self) -> Fault {
        match self {
            Self::Accepts => Fault::Pass,
            Self::Fails => Fault::INTERNAL,
            Self::LosesAnswer => Fault::DropAnswer,
        }
    }

    /// The status of an invitation, or of a follow-up, after such a send.
    fn status(self) -> &'static str {
        match self {
            Self::Accepts => "sent",
            Self::Fails => "send_failed",
            Self::LosesAnswer => "send_unconfirmed",
        }
    }

    /// The recruiter API's answer to a new invitation after such a send.
    fn invitation_answer(self) -> u16 {
        match self {
            Self::Accepts => 201,
            Self::Fails => 502,
            Self::LosesAnswer => 202,
        }
    }
}

/// The counts of one flush, as CloudWatch would read its EMF line.
type Counts = BTreeMap<String, u64>;

/// The installed recorder, read back a flush at a time.
struct Recorded {
    metrics: Metrics,
    /// What must never appear in a line: the organization, any address, this test's tag (which
    /// every address of the test carries).
    forbidden: Vec<String>,
    /// The sum of every flush.
    totals: Counts,
}

impl Recorded {
    /// Flushes the counts since the last flush, checking every line's EMF structure.
    fn flushed(&mut self) -> Counts {
        let mut written = Vec::new();
        self.metrics.flush_to(&mut written).unwrap();
        let text = String::from_utf8(written).expect("EMF lines are UTF-8");
        for forbidden in &self.forbidden {
            assert!(
                !text.contains(forbidden.as_str()),
                "{forbidden:?} in {text}"
            );
        }
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() <= 1, "one line per flush: {text}");
        let counts: Counts = lines.into_iter().flat_map(emf_counts).collect();
        for (name, count) in &counts {
            *self.totals.entry(name.clone()).or_default() += count;
        }
        counts
    }

    /// Asserts that `step` counted exactly `expected`.
    #[track_caller]
    fn assert_counted(&mut self, step: &str, expected: &[(Counter, u64)]) {
        let expected: Counts = expected
            .iter()
            .map(|(counter, value)| (counter.name().to_owned(), *value))
            .collect();
        assert_eq!(self.flushed(), expected, "{step}");
    }

    /// The sum of `counters` over every flush.
    fn total(&self, counters: &[Counter]) -> u64 {
        let total = |counter: &Counter| self.totals.get(counter.name()).copied();
        counters.iter().filter_map(total).sum()
    }
}

/// The counts of one EMF line, after checking it is the one namespace, the one dimension (the
/// function's name), every metric a `Count` with a value, and nothing else at all.
fn emf_counts(line: &str) -> Counts {
    let document: Value = serde_json::from_str(line).expect("each line is JSON");
    let aws = &document["_aws"];
    assert_eq!(keys(aws), ["CloudWatchMetrics", "Timestamp"], "{line}");
    let timestamp = aws["Timestamp"]
        .as_u64()
        .expect("a timestamp in milliseconds");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let age = now.saturating_sub(Duration::from_millis(timestamp));
    assert!(age < Duration::from_secs(600), "the wall clock's: {line}");
    let directives = aws["CloudWatchMetrics"].as_array().unwrap();
    assert_eq!(directives.len(), 1, "{line}");
    let directive = &directives[0];
    assert_eq!(keys(directive), ["Dimensions", "Metrics", "Namespace"]);
    assert_eq!(directive["Namespace"], NAMESPACE);
    assert_eq!(directive["Dimensions"], json!([["FunctionName"]]));
    assert_eq!(document["FunctionName"], FUNCTION_NAME);
    let listed: BTreeSet<&str> = directive["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|metric| {
            assert_eq!(keys(metric), ["Name", "Unit"], "{line}");
            assert_eq!(metric["Unit"], "Count", "{line}");
            metric["Name"].as_str().unwrap()
        })
        .collect();
    let counts: Counts = document
        .as_object()
        .unwrap()
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "_aws" | "FunctionName"))
        .map(|(name, value)| (name.clone(), value.as_u64().expect("a count")))
        .collect();
    assert_eq!(
        directive["Metrics"].as_array().unwrap().len(),
        listed.len(),
        "each metric listed once: {line}"
    );
    assert!(
        counts.keys().map(String::as_str).eq(listed.iter().copied()),
        "the values are exactly the metrics listed: {line}"
    );
    assert!(
        counts
            .keys()
            .all(|name| counter_names().contains(name.as_str())),
        "only the service's counters: {line}"
    );
    assert!(counts.values().all(|&count| count > 0), "{line}");
    counts
}

fn keys(object: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn counter_names() -> BTreeSet<&'static str> {
    Counter::ALL.into_iter().map(Counter::name).collect()
}

/// This test's world, with SES behind a fault proxy for the functions that send as the steps
/// require, and the recorder read back.
struct Scene {
    world: World,
    proxy: FaultProxy,
    ses: aws_sdk_sesv2::Client,
    /// The recruiter API sending through the proxy.
    api: Api,
    video_interview: String,
    recorded: Recorded,
}

impl Scene {
    async fn new(metrics: Metrics) -> Self {
        let world = world().await;
        let proxy = FaultProxy::start().await.unwrap();
        let ses = proxy.clients().await.sesv2();
        let api = world.recruiter_api_through(world.dynamodb.clone(), ses.clone(), NOW);
        let video_interview = world.create_video_interview(&world.acme, "Sales").await;
        let recorded = Recorded {
            metrics,
            forbidden: vec![
                world.acme.organization_id.clone(),
                world.tag.clone(),
                world.candidate_email("anna"),
                world.acme.email.clone(),
                "@".to_owned(),
            ],
            totals: Counts::new(),
        };
        Self {
            world,
            proxy,
            ses,
            api,
            video_interview,
            recorded,
        }
    }

    /// Asserts that `step` counted exactly `expected` (since the last step).
    #[track_caller]
    fn assert_counted(&mut self, step: &str, expected: &[(Counter, u64)]) {
        self.recorded.assert_counted(step, expected);
    }

    /// Invites `name` (answering by `deadline`), SES accepting, which counts one invitation sent
    /// and nothing else: the invitation's id.
    async fn sent_invitation(&mut self, name: &str, deadline: &str) -> String {
        let id = self.invite(name, deadline, Ses::Accepts).await;
        self.assert_counted("an invitation sent", &[(Counter::InvitationsSent, 1)]);
        id
    }

    /// The recruiter API's answer to `event` from Acme, SES answering as `ses`.
    async fn call(&self, event: ApiEvent, ses: Ses) -> Answer {
        self.proxy.set(ses.fault());
        let request = event.claims(&self.world.acme).into_request();
        let answer = Answer::from(Box::pin(self.api.handle(request)).await);
        self.proxy.set(Fault::Pass);
        answer
    }

    /// Invites `name` (answering by `deadline`, Acme notified of the completion), SES answering
    /// as `ses`: the invitation's id.
    async fn invite(&self, name: &str, deadline: &str, ses: Ses) -> String {
        let mut form = self
            .world
            .invitation_form(&self.video_interview, "en", false);
        form["email"] = json!(self.world.candidate_email(name));
        form["answerDeadline"] = json!(deadline);
        let answer = self.call(ApiEvent::post("/invitations", &form), ses).await;
        assert_eq!(answer.status, ses.invitation_answer(), "{}", answer.body);
        let id = answer.body["id"]
            .as_str()
            .or(answer.body["invitationId"].as_str());
        let id = id.expect("the answer names the invitation").to_owned();
        assert_eq!(self.shown(&id).await["status"], ses.status(), "{ses:?}");
        id
    }

    /// The invitation as the recruiter reads it.
    async fn shown(&self, id: &str) -> Value {
        let path = format!("/invitations/{id}");
        self.call(ApiEvent::get(&path), Ses::Accepts).await.body
    }

    /// Moves the deadline of `id` to `date`, the candidate notified, SES answering as `ses`.
    async fn extend(&self, id: &str, date: &str, ses: Ses) {
        let path = format!("/invitations/{id}/deadline-extension");
        let body = json!({"answerDeadline": date, "notifyCandidate": true});
        let moved = self.call(ApiEvent::post(&path, &body), ses).await;
        assert_eq!(moved.status, 200, "{}", moved.body);
        assert_eq!(moved.body["lastFollowUp"]["kind"], "deadline_extension");
        assert_eq!(
            moved.body["lastFollowUp"]["status"],
            ses.status(),
            "{ses:?}"
        );
    }

    /// One reminder sweep at `now`.
    async fn sweep(&self, now: &str) -> SweepReport {
        let function = self.world.deadline_reminders(now);
        let schedule = json!({"detail-type": "Scheduled Event", "source": "aws.events"});
        match Box::pin(function.handle(&schedule)).await.unwrap() {
            SweepOutcome::Swept(report) => report,
            SweepOutcome::Ignored => panic!("the schedule's event was ignored"),
        }
    }

    /// Makes the stored invitation `id` unreadable (a language no one speaks), as a corrupted
    /// item would be.
    async fn corrupt(&self, id: &str) {
        let text = |value: String| aws_sdk_dynamodb::types::AttributeValue::S(value);
        self.world
            .dynamodb
            .update_item()
            .table_name(&self.world.table)
            .key("pk", text("ORG#acme".into()))
            .key("sk", text(format!("INV#{id}")))
            .update_expression("SET #language = :unknown")
            .expression_attribute_names("#language", "language")
            .expression_attribute_values(":unknown", text("xx".into()))
            .send()
            .await
            .unwrap();
    }

    /// One delivery of the completion event of `id` to the notifier, SES answering as `ses`:
    /// `None` when the delivery failed (Lambda retries it).
    async fn notify_completion(&self, id: &str, ses: Ses) -> Option<NoticeOutcome> {
        let event = json!({
            "source": invitations::domain::events::SOURCE,
            "detail-type": invitations::domain::events::DETAIL_TYPE,
            "detail": {"organizationId": "acme", "invitationId": id, "completedAt": COMPLETED_AT}
        });
        let notifier = self.world.notifier_through(self.ses.clone(), NOTIFIED_AT);
        self.proxy.set(ses.fault());
        let outcome = Box::pin(notifier.handle(&event)).await.ok();
        self.proxy.set(Fault::Pass);
        outcome
    }

    /// What the email events function made of SES's event `event` (from `events/email-events/`)
    /// about the invitation email of `id` to `candidate`'s address.
    async fn email_event(&self, event: &str, id: &str, candidate: &str) -> String {
        let path = integration_tests::repository_root()
            .join("events/email-events")
            .join(format!("{event}.json"));
        let text = std::fs::read_to_string(path)
            .unwrap()
            .replace("01KAWXK4D2T6Y9B3C5E7G8H1J2", id)
            .replace(
                "0102019c2f3a4b5c-6d7e8f90-1a2b-3c4d-5e6f-7a8b9c0d1e2f-000000",
                &self.world.message_id(id).await,
            )
            .replace(
                "anna.virtanen@candidates.example",
                &self.world.candidate_email(candidate),
            );
        let event: Value = serde_json::from_str(&text).unwrap();
        let function = self.world.email_events("2026-12-01T10:05:00Z");
        let outcome = Box::pin(function.handle(&event)).await.unwrap();
        outcome.code().to_owned()
    }
}

#[tokio::test]
async fn each_step_counts_exactly_what_it_did_in_one_emf_line_naming_no_one() {
    use Counter::*;
    let metrics = Metrics::install(NAMESPACE.into(), FUNCTION_NAME.into())
        .expect("the process's only recorder");
    let mut scene = Scene::new(metrics).await;
    scene.assert_counted("setting up: nothing sent", &[]);

    // Invitations: SES accepting, refusing (three attempts by the SDK, one count), or losing
    // its answer.
    let anna = scene.sent_invitation("anna", DEADLINE).await;
    let attempts = scene.proxy.requests();
    let bruno = scene.invite("bruno", DEADLINE, Ses::Fails).await;
    assert_eq!(scene.proxy.requests() - attempts, 3, "the SDK's attempts");
    scene.assert_counted("an invitation refused", &[(InvitationSendFailures, 1)]);
    let resend = ApiEvent::new("POST", &format!("/invitations/{bruno}/resend"));
    let resent = scene.call(resend, Ses::Accepts).await;
    assert_eq!(resent.body["status"], "sent", "{}", resent.body);
    scene.assert_counted("the refused invitation resent", &[(InvitationsSent, 1)]);
    scene.invite("carla", DEADLINE, Ses::LosesAnswer).await;
    scene.assert_counted(
        "an invitation unconfirmed",
        &[(InvitationSendsUnconfirmed, 1)],
    );

    // A batch's invitation: queued by the recruiter API (nothing sent yet), sent by the batch
    // sender.
    let batch = json!({
        "videoInterviewId": scene.video_interview, "answerDeadline": DEADLINE,
        "timeZone": "Europe/Helsinki", "language": "fi", "bccMyself": false, "notifyMe": false,
        "candidates": [{"firstName": "Ilona", "lastName": "Berg",
                        "email": scene.world.candidate_email("ilona")}],
    });
    let queued = scene
        .call(ApiEvent::post("/invitation-batches", &batch), Ses::Accepts)
        .await;
    assert_eq!(queued.status, 202, "{}", queued.body);
    scene.assert_counted("a batch queued", &[]);
    let sender = scene.world.invitation_sender_through(
        scene.world.dynamodb.clone(),
        scene.ses.clone(),
        NOW,
        100.0,
    );
    scene.world.drain_send_queue(&sender, 3).await;
    scene.assert_counted("the batch's invitation sent", &[(InvitationsSent, 1)]);

    // The candidate's notices of a new deadline, the same three ways.
    scene.extend(&anna, "2026-12-20", Ses::Accepts).await;
    scene.assert_counted("a deadline notice sent", &[(DeadlineNoticesSent, 1)]);
    scene.extend(&anna, "2026-12-21", Ses::Fails).await;
    scene.assert_counted("a deadline notice refused", &[(FollowUpSendFailures, 1)]);
    scene.extend(&anna, "2026-12-22", Ses::LosesAnswer).await;
    scene.assert_counted(
        "a deadline notice unconfirmed",
        &[(FollowUpSendsUnconfirmed, 1)],
    );

    // A reminder, the only one due at its sweep, whose retry finds nothing. Then one that fails
    // on its unreadable invitation: claimed (moved on) before it failed, so the retry finds
    // nothing either.
    scene.sent_invitation("dora", EARLY_DEADLINE).await;
    let report = scene.sweep(EARLY_REMINDER).await;
    assert_eq!((report.due, report.sent), (1, 1), "{report:?}");
    scene.assert_counted("a reminder sent", &[(RemindersSent, 1)]);
    assert_eq!(scene.sweep(EARLY_REMINDER).await, SweepReport::default());
    scene.assert_counted("the sweep retried", &[]);
    let hugo = scene.sent_invitation("hugo", NEXT_DEADLINE).await;
    scene.corrupt(&hugo).await;
    let report = scene.sweep(NEXT_REMINDER).await;
    assert_eq!((report.due, report.failed), (1, 1), "{report:?}");
    scene.assert_counted("a reminder that failed", &[(RemindersFailed, 1)]);
    assert_eq!(scene.sweep(NEXT_REMINDER).await, SweepReport::default());
    scene.assert_counted("the sweep retried after the failure", &[]);

    // Completion notices to the recruiter: sent; refused (the delivery fails for a retry), then
    // the retry's answer lost (kept as unconfirmed, never sent again).
    let eero = scene.sent_invitation("eero", DEADLINE).await;
    let notified = scene.notify_completion(&eero, Ses::Accepts).await;
    assert_eq!(notified, Some(NoticeOutcome::Notified));
    scene.assert_counted("a completion notice sent", &[(NoticesSent, 1)]);
    let fanny = scene.sent_invitation("fanny", DEADLINE).await;
    assert_eq!(scene.notify_completion(&fanny, Ses::Fails).await, None);
    scene.assert_counted("a completion notice refused", &[(NoticeSendFailures, 1)]);
    let unconfirmed = scene.notify_completion(&fanny, Ses::LosesAnswer).await;
    assert_eq!(unconfirmed, Some(NoticeOutcome::Unconfirmed));
    scene.assert_counted(
        "a completion notice unconfirmed",
        &[(NoticeSendsUnconfirmed, 1)],
    );
    let again = scene.notify_completion(&fanny, Ses::Accepts).await;
    assert_eq!(again, Some(NoticeOutcome::AlreadyNotified));
    scene.assert_counted("the completion delivered again", &[]);

    // A bounce, recorded once, is also the recruiter's bounce notice, sent once: two counters.
    let gus = scene.sent_invitation("gus", DEADLINE).await;
    let bounced = scene.email_event("email-bounced", &gus, "gus").await;
    assert_eq!(bounced, "bounced");
    scene.assert_counted(
        "a bounce, and its notice to the recruiter",
        &[(Bounces, 1), (NoticesSent, 1)],
    );
    let replayed = scene.email_event("email-bounced", &gus, "gus").await;
    assert_eq!(replayed, "bounced");
    scene.assert_counted("the bounce replayed", &[]);

    // A complaint, recorded once.
    let complaint = scene.email_event("email-complaint", &anna, "anna").await;
    assert_eq!(complaint, "complaint");
    scene.assert_counted("a complaint", &[(Complaints, 1)]);
    let replayed = scene.email_event("email-complaint", &anna, "anna").await;
    assert_eq!(replayed, "no_change");
    scene.assert_counted("the complaint replayed", &[]);

    // Webhooks: an attempt failed and its retry delivered; an endpoint gone (410), its
    // subscription disabled.
    let mut hooks = WebhookRoute::create(&scene.world).await.unwrap();
    let endpoint = hooks.receiver.base_url.clone();
    let acme = scene.world.acme.clone();
    let subscribe = move |path: &str, kind: &str| {
        ApiEvent::post(
            "/webhook-subscriptions",
            &json!({"url": format!("{endpoint}{path}"), "eventTypes": [kind]}),
        )
        .claims(&acme)
    };
    let subscribed = scene
        .world
        .call(subscribe("/ats", "invitation.cancelled"))
        .await;
    assert_eq!(subscribed.status, 201, "{}", subscribed.body);
    let cancel = ApiEvent::post(&format!("/invitations/{bruno}/cancellation"), &json!({}));
    assert_eq!(
        scene
            .world
            .call(cancel.claims(&scene.world.acme))
            .await
            .status,
        200
    );
    assert_eq!(hooks.dispatch(&scene.world).await.unwrap().queued, 1);
    hooks.receiver.answer_with(&[500]);
    hooks.send_after(&scene.world, 0).await.unwrap();
    scene.assert_counted("a webhook attempt failed", &[(WebhookAttemptsFailed, 1)]);
    hooks.send_after(&scene.world, 6).await.unwrap();
    scene.assert_counted("its retry delivered", &[(WebhooksDelivered, 1)]);
    hooks.send_after(&scene.world, 7).await.unwrap();
    scene.assert_counted("nothing more to send", &[]);
    let subscribed = scene
        .world
        .call(subscribe("/gone", "invitation.deadline_extended"))
        .await;
    assert_eq!(subscribed.status, 201, "{}", subscribed.body);
    let extension = ApiEvent::post(
        &format!("/invitations/{anna}/deadline-extension"),
        &json!({"answerDeadline": "2027-01-29", "notifyCandidate": false}),
    );
    let extended = scene.world.call(extension.claims(&scene.world.acme)).await;
    assert_eq!(extended.status, 200, "{}", extended.body);
    assert_eq!(hooks.dispatch(&scene.world).await.unwrap().queued, 1);
    hooks.receiver.answer_with(&[410]);
    hooks.send_after(&scene.world, 8).await.unwrap();
    scene.assert_counted(
        "an endpoint gone",
        &[
            (WebhookAttemptsFailed, 1),
            (WebhookSubscriptionsDisabled, 1),
        ],
    );

    let recorded = &scene.recorded;
    let seen: BTreeSet<&str> = recorded.totals.keys().map(String::as_str).collect();
    assert_eq!(seen, counter_names(), "every counter was counted");
    // Every email SES took was counted as sent or unconfirmed (a lost answer's email is out),
    // and no refused one reached it.
    let taken = recorded.total(&[
        InvitationsSent,
        InvitationSendsUnconfirmed,
        DeadlineNoticesSent,
        RemindersSent,
        FollowUpSendsUnconfirmed,
        NoticesSent,
        NoticeSendsUnconfirmed,
    ]);
    assert_eq!(scene.world.emails().await.len() as u64, taken);
}
