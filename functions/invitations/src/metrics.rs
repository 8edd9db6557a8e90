//! The service's own CloudWatch metrics: counters of what it did (invitations sent, sends refused
//! or unconfirmed, reminders and notices sent, bounces, complaints), written as log lines in the
//! Embedded Metric Format, which CloudWatch Logs turns into metrics with no API call
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>).
//!
//! The use cases count through the `metrics` facade ([`count`]), as they log through `tracing`;
//! each function installs the EMF recorder at cold start ([`Metrics::install`]) and flushes it
//! after every invocation, one line of all that invocation's counts. Namespace [`NAMESPACE`], one
//! dimension, [`DIMENSION`]: the function's deployed name, which tells one stack's from another's.
//! No organization, no person: nothing of a tenant or a candidate ever becomes a dimension or a
//! value.

use metrics_cloudwatch_embedded::{Builder, Collector};

/// The CloudWatch namespace of every counter.
pub const NAMESPACE: &str = "VideoInterviewInvitations";

/// The one dimension: the Lambda function's name, as `AWS/Lambda`'s own metrics name it.
pub const DIMENSION: &str = "FunctionName";

/// What the service counts (unit `Count`), each named as in CloudWatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    /// An invitation email (a first send, a batch's, or a resend) accepted by SES, counted once
    /// the invitation is recorded `sent`.
    InvitationsSent,
    /// An invitation email SES refused, counted once the invitation is recorded `send_failed`.
    InvitationSendFailures,
    /// An invitation email whose send may or may not have happened (a timeout, a dropped
    /// connection, a batch sender that died mid-send), counted once the invitation is recorded
    /// `send_unconfirmed`; SES's events may settle it later.
    InvitationSendsUnconfirmed,
    /// A deadline reminder accepted by SES.
    RemindersSent,
    /// A due reminder a sweep could not handle (the store or its template failed for it).
    RemindersFailed,
    /// A candidate's notice of a new deadline accepted by SES.
    DeadlineNoticesSent,
    /// A reminder or deadline notice SES refused.
    FollowUpSendFailures,
    /// A reminder or deadline notice whose send may or may not have happened.
    FollowUpSendsUnconfirmed,
    /// A notice to a recruiter (completion, bounce) accepted by SES.
    NoticesSent,
    /// A notice to a recruiter SES refused; its delivery is retried.
    NoticeSendFailures,
    /// A notice to a recruiter whose send may or may not have happened: not sent again.
    NoticeSendsUnconfirmed,
    /// A candidate's address that bounced (recorded once per invitation).
    Bounces,
    /// A candidate's complaint (marking an email as spam).
    Complaints,
    /// A webhook the endpoint answered with 2xx.
    WebhooksDelivered,
    /// A webhook attempt that got no 2xx (retried on the schedule, or given up).
    WebhookAttemptsFailed,
    /// A subscription stopped: a 410, or every retry of a webhook failed.
    WebhookSubscriptionsDisabled,
}

impl Counter {
    pub const ALL: [Counter; 16] = [
        Self::InvitationsSent,
        Self::InvitationSendFailures,
        Self::InvitationSendsUnconfirmed,
        Self::RemindersSent,
        Self::RemindersFailed,
        Self::DeadlineNoticesSent,
        Self::FollowUpSendFailures,
        Self::FollowUpSendsUnconfirmed,
        Self::NoticesSent,
        Self::NoticeSendFailures,
        Self::NoticeSendsUnconfirmed,
        Self::Bounces,
        Self::Complaints,
        Self::WebhooksDelivered,
        Self::WebhookAttemptsFailed,
        Self::WebhookSubscriptionsDisabled,
    ];

    /// The metric's name in CloudWatch.
    pub fn name(self) -> &'static str {
        match self {
            Self::InvitationsSent => "InvitationsSent",
            Self::InvitationSendFailures => "InvitationSendFailures",
            Self::InvitationSendsUnconfirmed => "InvitationSendsUnconfirmed",
            Self::RemindersSent => "RemindersSent",
            Self::RemindersFailed => "RemindersFailed",
            Self::DeadlineNoticesSent => "DeadlineNoticesSent",
            Self::FollowUpSendFailures => "FollowUpSendFailures",
            Self::FollowUpSendsUnconfirmed => "FollowUpSendsUnconfirmed",
            Self::NoticesSent => "NoticesSent",
            Self::NoticeSendFailures => "NoticeSendFailures",
            Self::NoticeSendsUnconfirmed => "NoticeSendsUnconfirmed",
            Self::Bounces => "Bounces",
            Self::Complaints => "Complaints",
            Self::WebhooksDelivered => "WebhooksDelivered",
            Self::WebhookAttemptsFailed => "WebhookAttemptsFailed",
            Self::WebhookSubscriptionsDisabled => "WebhookSubscriptionsDisabled",
        }
    }
}

/// Counts one `counter`. Without an installed recorder (the use cases' unit tests), nothing.
pub fn count(counter: Counter) {
    metrics::counter!(counter.name()).increment(1);
}

/// A function's installed EMF recorder.
#[derive(Clone, Copy)]
pub struct Metrics(&'static Collector);

impl Metrics {
    /// Installs the process's recorder at cold start, in [`NAMESPACE`], under the function's name
    /// that Lambda sets, `AWS_LAMBDA_FUNCTION_NAME` (the deployed name: stacks differ), or
    /// `fallback` outside Lambda.
    pub fn from_env(fallback: &str) -> Result<Self, String> {
        let name = std::env::var("AWS_LAMBDA_FUNCTION_NAME")
            .ok()
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| fallback.to_owned());
        Self::install(NAMESPACE.to_owned(), name)
    }

    /// Installs the process's recorder, counting in `namespace` under `function_name`. Fails when
    /// a recorder is installed already (once per process).
    pub fn install(namespace: String, function_name: String) -> Result<Self, String> {
        let collector = Builder::new()
            .cloudwatch_namespace(namespace)
            .with_dimension(DIMENSION, function_name)
            .init()
            .map_err(|error| format!("installing the metrics recorder: {error}"))?;
        for counter in Counter::ALL {
            metrics::describe_counter!(counter.name(), metrics::Unit::Count, "");
        }
        Ok(Self(collector))
    }

    /// Writes the counts since the last flush, one EMF line (none when nothing was counted), and
    /// starts again from zero.
    pub fn flush_to(&self, writer: impl std::io::Write) -> std::io::Result<()> {
        self.0.flush(writer)
    }

    /// Runs one invocation, then flushes its counts (whatever its outcome).
    pub async fn around<T>(self, invocation: impl Future<Output = T>) -> T {
        let output = invocation.await;
        self.flush();
        output
    }

    /// [`Metrics::flush_to`] stdout, where Lambda collects log lines: after each invocation. A
    /// failed write loses those counts and is logged, the invocation's answer stands.
    pub fn flush(&self) {
        if let Err(error) = self.flush_to(std::io::stdout().lock()) {
            tracing::warn!(%error, "the invocation's metrics were not written");
        }
    }
}
