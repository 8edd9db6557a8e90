//! The world the end-to-end tests run in: the real handlers of every function, the real SDK
//! clients, a table of its own (created from infra/template.yaml) in the local stand-in, and what
//! SES sent read back.

use std::collections::HashMap;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::AttributeValue;
use candidate_api::CandidateApi;
use completion_notifier::CompletionNotifier;
use deadline_reminders::DeadlineReminders;
use email_events::EmailEvents;
use invitation_sender::InvitationSenderFunction;
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::eventbridge::EventBridgeBus;
use invitations::adapters::secrets::{LinkKeys, LookupKeys};
use invitations::adapters::ses::SesMailer;
use invitations::adapters::sqs::SqsQueue;
use invitations::config::MailConfig;
use invitations::domain::{
    CandidateLookupKey, CandidateToken, Employer, HttpsUrl, IanaTimeZone, LinkKey, OrganizationName,
};
use invitations::ports::FixedClock;
use lambda_http::{Body, Response};
use recruiter_api::{Keys, RecruiterApi, Settings};
use serde_json::{Value, json};

use crate::calls::CallLog;
use crate::events::{ApiEvent, Claims};
use crate::send_queue::SendQueueRoute;
pub use crate::{ReadMailbox, read_mailbox};
use crate::{SentEmail, create_table, sdk_config, sent_emails, verify_sender_identity};

pub const RECRUITER_APP: &str = "https://recruit.example.com";

/// The employer the tests' deployment names when an organization has no profile
/// (`DEFAULT_EMPLOYER_NAME`, `DEFAULT_PRIVACY_NOTICE_URL`).
pub const DEFAULT_EMPLOYER: &str = "Example Recruiting Group";
pub const DEFAULT_PRIVACY_NOTICE: &str = "https://recruiting.example/privacy";

pub fn default_employer() -> Employer {
    Employer::default_for_deployment(
        OrganizationName::parse(DEFAULT_EMPLOYER).unwrap(),
        Some(HttpsUrl::parse(DEFAULT_PRIVACY_NOTICE).unwrap()),
    )
}

/// The SES mailer sending as `sender` (`SENDER_EMAIL`'s form).
pub fn mailer(client: aws_sdk_sesv2::Client, sender: &str) -> SesMailer {
    SesMailer::new(
        client,
        &MailConfig {
            sender: invitations::config::sender(sender).expect("a valid sender"),
            ses_configuration_set: None,
            default_employer: default_employer(),
        },
    )
}

/// The settings of the functions that email recruiters (the notifier, the email events) in the
/// tests.
pub fn notifier_settings() -> completion_notifier::Settings {
    completion_notifier::Settings {
        recruiter_app_url: RECRUITER_APP.to_owned(),
        default_time_zone: IanaTimeZone::parse("Europe/Helsinki").unwrap(),
        default_employer: default_employer(),
    }
}

/// The deadline reminders' settings in the tests: the default reminders.
pub fn reminders_settings() -> deadline_reminders::Settings {
    deadline_reminders::Settings {
        candidate_app_url: CANDIDATE_APP.to_owned(),
        reminder_policy: invitations::domain::ReminderPolicy::default(),
        default_employer: default_employer(),
    }
}

/// The recruiter API's settings in the tests.
pub fn settings() -> Settings {
    Settings {
        candidate_app_url: CANDIDATE_APP.to_owned(),
        default_time_zone: IanaTimeZone::parse("Europe/Helsinki").unwrap(),
        daily_email_quota: DAILY_EMAIL_QUOTA,
        default_employer: default_employer(),
        reminder_policy: invitations::domain::ReminderPolicy::default(),
        retention: invitations::domain::RetentionPeriod::default(),
        // The tests' webhook receiver listens on loopback.
        webhook_targets: invitations::domain::webhooks::TargetRule {
            allow_loopback: true,
        },
    }
}

/// The tests' key of follow-up links (in AWS, a generated secret: see [`crate::create_link_key`]).
pub fn link_key() -> LinkKey {
    LinkKey::new(LINK_KEY).unwrap()
}

pub const LINK_KEY: &str = "tests-follow-up-link-key-0123456789abcdef";

/// The tests' key of webhook subscriptions' secrets (in AWS, a generated secret).
pub fn webhook_key() -> invitations::domain::webhooks::WebhookKey {
    invitations::domain::webhooks::WebhookKey::new(WEBHOOK_KEY).unwrap()
}

pub const WEBHOOK_KEY: &str = "tests-webhook-subscription-key-0123456789abcdef";

/// The tests' key of candidates' address digests (in AWS, a generated secret).
pub fn lookup_key() -> CandidateLookupKey {
    CandidateLookupKey::new("tests-candidate-lookup-key-0123456789abcdef").unwrap()
}

/// The recruiter API's keys in the tests, both at hand.
pub fn keys() -> Keys {
    Keys {
        links: LinkKeys::ready(link_key()),
        lookups: LookupKeys::ready(lookup_key()),
        webhooks: invitations::adapters::secrets::WebhookKeys::ready(webhook_key()),
    }
}

pub fn at(instant: &str) -> FixedClock {
    FixedClock(instant.parse().expect("a valid instant"))
}

pub const NOW: &str = "2026-12-01T10:00:00Z";
/// Invitation emails per organization and day in the tests' recruiter API (the load test sends
/// hundreds in one organization).
pub const DAILY_EMAIL_QUOTA: u32 = 5000;
/// `NOW` plus a resend's cool-down: when the recruiter may have the email sent again.
pub const COOLED_DOWN: &str = "2026-12-01T10:10:00Z";
pub const SENDER: &str = "Acme Recruiting <invitations@example.com>";
/// `SENDER` as the From header holds it (RFC 5322: a name of several words is quoted).
pub const SENDER_HEADER: &str = "\"Acme Recruiting\" <invitations@example.com>";
pub const CANDIDATE_APP: &str = "https://interview.example.com/i";

pub type Api = RecruiterApi<DynamoStore, SesMailer, FixedClock, EventBridgeBus, SqsQueue>;

/// The batch sender as the tests run it.
pub type Sender = InvitationSenderFunction<DynamoStore, SesMailer, FixedClock>;

/// The AWS requests each function made, through the clients it was built with.
#[derive(Debug, Default)]
pub struct FunctionCalls {
    pub recruiter_api: CallLog,
    pub candidate_api: CallLog,
    pub completion_notifier: CallLog,
    pub deadline_reminders: CallLog,
    pub email_events: CallLog,
    pub invitation_sender: CallLog,
    pub webhook_dispatcher: CallLog,
    pub webhook_sender: CallLog,
}

pub struct World {
    pub sdk: SdkConfig,
    pub api: Api,
    pub calls: FunctionCalls,
    /// The test's own client, for looking at the table (its requests are not recorded).
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub table: String,
    /// Unique to this test, so that emails of tests running in parallel are told apart.
    pub tag: String,
    pub acme: Claims,
    pub globex: Claims,
    /// The batch send queue (the template's, with its dead-letter queue).
    pub send_queue: SendQueueRoute,
}

pub fn claims(organization: &str, tag: &str, name: Option<&str>) -> Claims {
    Claims {
        sub: format!("user-{organization}"),
        email: format!("recruiter+{tag}@{organization}.example"),
        name: name.map(str::to_owned),
        organization_id: organization.to_owned(),
        locale: None,
    }
}

pub async fn world() -> World {
    world_with(|_| {}).await
}

pub async fn world_with(adjust: impl FnOnce(&mut WorldOptions)) -> World {
    let mut options = WorldOptions {
        sender: SENDER.to_owned(),
        table_exists: true,
    };
    adjust(&mut options);
    let sdk = sdk_config().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    let tag = ulid::Ulid::new().to_string().to_lowercase();
    let table = format!("invitations-{tag}");
    if options.table_exists {
        create_table(&dynamodb, &table).await.unwrap();
    }
    verify_sender_identity(&ses, "example.com").await.unwrap();
    let send_queue = SendQueueRoute::create(&sdk, &tag).await.unwrap();
    let calls = FunctionCalls::default();
    let api = recruiter_api(
        &sdk,
        &calls.recruiter_api,
        (&table, &send_queue.queue_url),
        &options.sender,
        &tag,
        NOW,
    );
    World {
        sdk,
        api,
        calls,
        dynamodb,
        table,
        acme: claims("acme", &tag, Some("Rita Recruiter")),
        globex: claims("globex", &tag, None),
        tag,
        send_queue,
    }
}

/// The recruiter API on `table`, queueing batches on `send_queue`, sending as `sender`,
/// announcing erasures on the bus of [`crate::CompletionRoute`] `tag` (a test of erasures creates
/// it), its clock standing at `now`.
fn recruiter_api(
    sdk: &SdkConfig,
    calls: &CallLog,
    (table, send_queue): (&str, &str),
    sender: &str,
    tag: &str,
    now: &str,
) -> Api {
    RecruiterApi::new(
        DynamoStore::new(calls.dynamodb(sdk), table),
        mailer(calls.sesv2(sdk), sender),
        EventBridgeBus::new(
            calls.eventbridge(sdk),
            crate::CompletionRoute::bus_name(tag),
        ),
        SqsQueue::new(calls.sqs(sdk), send_queue),
        at(now),
        settings(),
        keys(),
    )
}

pub struct WorldOptions {
    pub sender: String,
    pub table_exists: bool,
}

pub struct Answer {
    pub status: u16,
    pub headers: lambda_http::http::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn from(response: Response<Body>) -> Self {
        let (parts, body) = response.into_parts();
        let body = match body {
            Body::Text(text) => serde_json::from_str(&text).expect("every answer is JSON"),
            Body::Empty => Value::Null,
            Body::Binary(bytes) => serde_json::from_slice(&bytes).expect("every answer is JSON"),
            _ => Value::Null,
        };
        Self {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    /// The JSON Pointers (or parameter or header names) of a validation problem.
    pub fn invalid_fields(&self) -> Vec<String> {
        assert_eq!(self.status, 422, "{}", self.body);
        assert_eq!(self.header("content-type"), "application/problem+json");
        self.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|error| {
                error["pointer"]
                    .as_str()
                    .or(error["parameter"].as_str())
                    .or(error["header"].as_str())
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    pub fn assert_problem(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.header("content-type"), "application/problem+json");
        assert_eq!(self.body["status"], status);
        assert!(
            self.body["type"]
                .as_str()
                .unwrap()
                .starts_with("/problems/")
        );
        assert!(!self.body["title"].as_str().unwrap().is_empty());
        assert!(!self.body["detail"].as_str().unwrap().is_empty());
    }
}

impl World {
    pub async fn call(&self, event: ApiEvent) -> Answer {
        Answer::from(self.api.handle(event.into_request()).await)
    }

    pub async fn create_video_interview(&self, recruiter: &Claims, title: &str) -> String {
        let answer = self
            .call(
                ApiEvent::post(
                    "/video-interviews",
                    &json!({"title": title, "questions": [
                        {"text": "Why do you want this job?", "thinkTimeSeconds": 30, "answerTimeSeconds": 120},
                        {"text": "Tell us about a hard problem you solved."}
                    ]}),
                )
                .claims(recruiter),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body["id"].as_str().unwrap().to_owned()
    }

    pub fn candidate_email(&self, name: &str) -> String {
        format!("{name}+{}@candidates.example", self.tag)
    }

    pub fn invitation_form(&self, video_interview: &str, language: &str, bcc: bool) -> Value {
        json!({
            "firstName": "Anna",
            "lastName": "Virtanen",
            "email": self.candidate_email("anna"),
            "language": language,
            "videoInterviewId": video_interview,
            "answerDeadline": "2026-12-15",
            "bccMyself": bcc,
            "notifyMe": true
        })
    }

    pub async fn invite(&self, recruiter: &Claims, form: &Value) -> Answer {
        self.call(ApiEvent::post("/invitations", form).claims(recruiter))
            .await
    }

    /// The emails of this test (any recipient carries its tag).
    pub async fn emails(&self) -> Vec<SentEmail> {
        sent_emails()
            .await
            .unwrap()
            .into_iter()
            .filter(|email| {
                email
                    .all_recipients()
                    .iter()
                    .any(|to| to.contains(&self.tag))
            })
            .collect()
    }

    pub async fn items(&self) -> Vec<HashMap<String, AttributeValue>> {
        self.dynamodb
            .scan()
            .table_name(&self.table)
            .send()
            .await
            .unwrap()
            .items
            .unwrap_or_default()
    }
}

impl World {
    /// The bus the recruiter API announces erasures on (the test's own client, unrecorded).
    pub fn bus(&self) -> EventBridgeBus {
        EventBridgeBus::new(
            aws_sdk_eventbridge::Client::new(&self.sdk),
            crate::CompletionRoute::bus_name(&self.tag),
        )
    }

    /// The batch send queue as the recruiter API uses it (the test's own client, unrecorded).
    pub fn queue(&self) -> SqsQueue {
        SqsQueue::new(
            aws_sdk_sqs::Client::new(&self.sdk),
            &self.send_queue.queue_url,
        )
    }

    /// The store as the test itself uses it (its requests are not recorded).
    pub fn store(&self) -> DynamoStore {
        DynamoStore::new(self.dynamodb.clone(), &self.table)
    }

    /// The recruiter API with these clients (a fault proxy's), its clock standing at `now`.
    pub fn recruiter_api_through(
        &self,
        dynamodb: aws_sdk_dynamodb::Client,
        ses: aws_sdk_sesv2::Client,
        now: &str,
    ) -> Api {
        RecruiterApi::new(
            DynamoStore::new(dynamodb, &self.table),
            mailer(ses, SENDER),
            self.bus(),
            self.queue(),
            at(now),
            settings(),
            keys(),
        )
    }

    /// The candidate API with this EventBridge client (a fault proxy's).
    pub fn candidate_api_through(
        &self,
        events: aws_sdk_eventbridge::Client,
        bus_name: &str,
        now: &str,
    ) -> CandidateApi<DynamoStore, EventBridgeBus, FixedClock> {
        CandidateApi::new(self.store(), EventBridgeBus::new(events, bus_name), at(now))
    }

    /// The notifier with this SES client (a fault proxy's).
    pub fn notifier_through(
        &self,
        ses: aws_sdk_sesv2::Client,
        now: &str,
    ) -> CompletionNotifier<DynamoStore, SesMailer, FixedClock> {
        CompletionNotifier::new(
            self.store(),
            mailer(ses, SENDER),
            at(now),
            notifier_settings(),
        )
    }

    /// The recruiter API's answer to `event` at `now` (as when the recruiter acts later, past a
    /// resend's cool-down).
    pub async fn call_at(&self, now: &str, event: ApiEvent) -> Answer {
        let api = self.recruiter_api_at(now);
        // Boxed: the handler's future is large in a debug build, and a test awaiting many of
        // these in one function would overflow a test thread's stack.
        Answer::from(Box::pin(api.handle(event.into_request())).await)
    }

    /// Another instance of the recruiter API on this world's table, its clock standing at `now`.
    pub fn recruiter_api_at(&self, now: &str) -> Api {
        recruiter_api(
            &self.sdk,
            &self.calls.recruiter_api,
            (&self.table, &self.send_queue.queue_url),
            SENDER,
            &self.tag,
            now,
        )
    }

    /// The candidate API publishing to `bus_name`, its clock standing at `now`.
    pub fn candidate_api(
        &self,
        bus_name: &str,
        now: &str,
    ) -> CandidateApi<DynamoStore, EventBridgeBus, FixedClock> {
        let calls = &self.calls.candidate_api;
        CandidateApi::new(
            DynamoStore::new(calls.dynamodb(&self.sdk), &self.table),
            EventBridgeBus::new(calls.eventbridge(&self.sdk), bus_name),
            at(now),
        )
    }

    /// The notifier sending as `sender`, its clock standing at `now`.
    pub fn notifier(
        &self,
        sender: &str,
        now: &str,
    ) -> CompletionNotifier<DynamoStore, SesMailer, FixedClock> {
        let calls = &self.calls.completion_notifier;
        CompletionNotifier::new(
            DynamoStore::new(calls.dynamodb(&self.sdk), &self.table),
            mailer(calls.sesv2(&self.sdk), sender),
            at(now),
            notifier_settings(),
        )
    }

    /// The deadline reminders function sending as `SENDER`, its clock standing at `now`.
    pub fn deadline_reminders(
        &self,
        now: &str,
    ) -> DeadlineReminders<DynamoStore, SesMailer, FixedClock> {
        let calls = &self.calls.deadline_reminders;
        DeadlineReminders::new(
            DynamoStore::new(calls.dynamodb(&self.sdk), &self.table),
            mailer(calls.sesv2(&self.sdk), SENDER),
            at(now),
            reminders_settings(),
            link_key(),
        )
    }

    /// The batch sender, its clock standing at `now`, sending at `rate` emails per second (two
    /// instances' worth, each its share).
    pub fn invitation_sender(&self, now: &str, rate: f64) -> Sender {
        let calls = &self.calls.invitation_sender;
        self.invitation_sender_through(calls.dynamodb(&self.sdk), calls.sesv2(&self.sdk), now, rate)
    }

    /// The batch sender with these clients (a fault proxy's).
    pub fn invitation_sender_through(
        &self,
        dynamodb: aws_sdk_dynamodb::Client,
        ses: aws_sdk_sesv2::Client,
        now: &str,
        rate: f64,
    ) -> Sender {
        InvitationSenderFunction::new(
            DynamoStore::new(dynamodb, &self.table),
            mailer(ses, SENDER),
            at(now),
            invitation_sender::Settings {
                candidate_app_url: CANDIDATE_APP.to_owned(),
                reminder_policy: invitations::domain::ReminderPolicy::default(),
                default_employer: default_employer(),
                send_interval: std::time::Duration::from_secs_f64(2.0 / rate),
            },
        )
    }

    /// Plays Lambda's event source mapping until the send queue is empty: each batch of messages
    /// to `sender`, then deleted or made visible again as its answer says. Gives up after
    /// `rounds` batches (a message that keeps failing would never end it). The number of
    /// messages handed back.
    pub async fn drain_send_queue(&self, sender: &Sender, rounds: usize) -> usize {
        let mut handed_back = 0;
        for _ in 0..rounds {
            match self.send_one_batch(sender).await {
                None => return handed_back,
                Some(failed) => handed_back += failed,
            }
        }
        panic!("the send queue was not empty after {rounds} batches");
    }

    /// One batch of the send queue to `sender`, settled as its answer says: how many messages it
    /// handed back, or `None` when the queue had none visible.
    pub async fn send_one_batch(&self, sender: &Sender) -> Option<usize> {
        let event = self.send_queue.receive().await.unwrap();
        if event.records.is_empty() {
            return None;
        }
        let response = sender.handle(event.clone()).await;
        self.send_queue.settle(&event, &response).await.unwrap();
        Some(response.batch_item_failures.len())
    }

    /// A batch's queued invitation of `acme` to `email`, stored at `now` as accepting the batch
    /// stores it (by the harness's own client), without reminders, and the send queue's event of
    /// its message, sent at `now`: what the benchmarks hand the batch sender.
    pub async fn queued_invitation_event(
        &self,
        email: &str,
        now: jiff::Timestamp,
    ) -> Result<Value, crate::Error> {
        use invitations::domain::{
            EmailAddress, Invitation, InvitationBatchId, RetentionPeriod, fixtures,
        };
        use invitations::ports::InvitationBatches;

        let recruiter = fixtures::recruiter();
        let interview = fixtures::video_interview(&recruiter);
        let mut new = fixtures::new_invitation(&interview);
        new.candidate.email = EmailAddress::parse(email)?;
        // No reminder: a sweep finds nothing due from it.
        new.reminders = false;
        let batch = InvitationBatchId::generate(now);
        let retention = RetentionPeriod::default();
        let queued = Invitation::queued(new, &interview, &recruiter, &retention, now, batch);
        self.store()
            .insert_queued_invitations(std::slice::from_ref(&queued))
            .await?;
        let body = json!({"organizationId": "acme", "invitationId": queued.id.to_string()});
        let sent = now.as_millisecond().to_string();
        Ok(json!({"Records": [{
            "messageId": format!("message-{}", queued.id),
            "receiptHandle": format!("AQEB{}", queued.id),
            "body": body.to_string(),
            "attributes": {
                "ApproximateReceiveCount": "1", "SentTimestamp": sent,
                "SenderId": "AROA3XAMPLEROLEID1234:recruiter-api",
                "ApproximateFirstReceiveTimestamp": sent
            },
            "messageAttributes": {}, "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:send-queue",
            "awsRegion": "eu-west-1"
        }]}))
    }

    /// The email events function, its clock standing at `now`.
    pub fn email_events(&self, now: &str) -> EmailEvents<DynamoStore, SesMailer, FixedClock> {
        let calls = &self.calls.email_events;
        EmailEvents::new(
            DynamoStore::new(calls.dynamodb(&self.sdk), &self.table),
            mailer(calls.sesv2(&self.sdk), SENDER),
            at(now),
            notifier_settings(),
        )
    }

    /// The SES message id of the last invitation email of `invitation` (organization `acme`).
    pub async fn message_id(&self, invitation: &str) -> String {
        let item = self
            .dynamodb
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S("ORG#acme".into()))
            .key("sk", AttributeValue::S(format!("INV#{invitation}")))
            .send()
            .await
            .unwrap()
            .item
            .expect("the invitation is stored");
        item["sesMessageId"].as_s().unwrap().clone()
    }

    /// The personal token in the candidate's email to `address`.
    pub async fn candidate_token(&self, address: &str) -> CandidateToken {
        let emails = self.emails().await;
        let email = emails
            .iter()
            .rev()
            .find(|email| email.to_addresses().iter().any(|to| to == address))
            .expect("the candidate got an email");
        candidate_token_in(&email.html, CANDIDATE_APP)
    }
}

/// The token of the personal link to `candidate_app_url` in an invitation email.
pub fn candidate_token_in(html: &str, candidate_app_url: &str) -> CandidateToken {
    let prefix = format!("{}/", candidate_app_url.trim_end_matches('/'));
    let link_start = html.find(&prefix).expect("the email has the link") + prefix.len();
    let token: String = html[link_start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    CandidateToken::parse(&token).expect("the link carries a well-formed token")
}
