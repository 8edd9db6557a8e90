//! What no linter checks in infra/template.yaml: that it fits the code. (The keys and index of the
//! table are checked in `integration_tests`' unit tests, and each function's IAM actions against
//! what its code really calls in `sample_events.rs`.)

use std::collections::BTreeSet;

use candidate_api::config::CandidateApiConfig;
use completion_notifier::config::CompletionNotifierConfig;
use deadline_reminders::config::DeadlineRemindersConfig;
use email_events::config::EmailEventsConfig;
use integration_tests::template;
use invitation_sender::config::InvitationSenderConfig;
use invitations::config::Configuration;
use invitations::metrics::Counter;
use recruiter_api::config::RecruiterApiConfig;
use serde_yaml::Value;
use webhook_dispatcher::config::WebhookDispatcherConfig;
use webhook_sender::config::WebhookSenderConfig;

const FUNCTIONS: [(&str, &str); 8] = [
    ("RecruiterApiFunction", "recruiter-api"),
    ("CandidateApiFunction", "candidate-api"),
    ("CompletionNotifierFunction", "completion-notifier"),
    ("DeadlineRemindersFunction", "deadline-reminders"),
    ("EmailEventsFunction", "email-events"),
    ("InvitationSenderFunction", "invitation-sender"),
    ("WebhookDispatcherFunction", "webhook-dispatcher"),
    ("WebhookSenderFunction", "webhook-sender"),
];

fn resources() -> serde_yaml::Mapping {
    template().unwrap()["Resources"]
        .as_mapping()
        .unwrap()
        .clone()
}

fn resource<'a>(resources: &'a serde_yaml::Mapping, name: &str) -> &'a Value {
    resources
        .get(name)
        .unwrap_or_else(|| panic!("the template defines {name}"))
}

/// A YAML value as text, tags included (`!Ref X`, `!GetAtt X.Arn`), to look for references.
fn text(value: &Value) -> String {
    serde_yaml::to_string(value).unwrap()
}

/// A valid value for a variable, so that only the set of names decides the outcome.
fn sample_value(name: &str) -> &'static str {
    match name {
        "SENDER_EMAIL" => "Acme <jobs@acme.example>",
        "CANDIDATE_APP_URL" | "RECRUITER_APP_URL" => "https://app.acme.example",
        "DEFAULT_TIME_ZONE" => "Europe/Helsinki",
        "DEFAULT_PRIVACY_NOTICE_URL" => "https://acme.example/privacy",
        "DAILY_EMAIL_QUOTA" => "2000",
        "REMINDER_HOURS_BEFORE_DEADLINE" => "48",
        "REMINDER_MIN_LEAD_HOURS" => "96",
        "LAST_DAY_REMINDER_TIME" => "09:00",
        "RETENTION_DAYS" => "730",
        "SEND_RATE" => "10",
        "SENDER_CONCURRENCY" => "2",
        "WEBHOOK_ALLOW_LOOPBACK" => "false",
        _ => "value",
    }
}

/// The variables a configuration asks for when the template gives it `given`; Err if it refuses.
fn asked_for<C: Configuration>(given: &BTreeSet<String>) -> Result<BTreeSet<String>, String> {
    let asked = std::sync::Mutex::new(BTreeSet::new());
    C::from_lookup(|name| {
        asked.lock().unwrap().insert(name.to_owned());
        given.contains(name).then(|| sample_value(name).to_owned())
    })
    .map_err(|error| error.to_string())?;
    Ok(asked.into_inner().unwrap())
}

#[test]
fn the_stacks_user_pool_lets_the_api_read_every_claim_it_uses() {
    let resources = resources();
    let client = &resource(&resources, "RecruiterUserPoolClient")["Properties"];
    let readable: BTreeSet<String> = client["ReadAttributes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|attribute| attribute.as_str().unwrap().to_owned())
        .collect();
    let read: BTreeSet<String> = invitations::http::RECRUITER_CLAIMS
        .iter()
        .map(|claim| (*claim).to_owned())
        .collect();
    assert_eq!(readable, read);
    let writable = client["WriteAttributes"].as_sequence().unwrap();
    assert!(
        !writable
            .iter()
            .any(|attribute| attribute.as_str() == Some(invitations::http::ORGANIZATION_CLAIM)),
        "a recruiter must never move themselves into another organization"
    );
}

#[test]
fn every_function_gets_exactly_the_environment_its_configuration_reads() {
    let resources = resources();
    for (function, _) in FUNCTIONS {
        let variables: BTreeSet<String> =
            resource(&resources, function)["Properties"]["Environment"]["Variables"]
                .as_mapping()
                .unwrap()
                .keys()
                .map(|key| key.as_str().unwrap().to_owned())
                .collect();
        let asked = match function {
            "RecruiterApiFunction" => asked_for::<RecruiterApiConfig>(&variables),
            "CandidateApiFunction" => asked_for::<CandidateApiConfig>(&variables),
            "DeadlineRemindersFunction" => asked_for::<DeadlineRemindersConfig>(&variables),
            "EmailEventsFunction" => asked_for::<EmailEventsConfig>(&variables),
            "InvitationSenderFunction" => asked_for::<InvitationSenderConfig>(&variables),
            "WebhookDispatcherFunction" => asked_for::<WebhookDispatcherConfig>(&variables),
            "WebhookSenderFunction" => asked_for::<WebhookSenderConfig>(&variables),
            _ => asked_for::<CompletionNotifierConfig>(&variables),
        }
        .unwrap_or_else(|error| panic!("{function} would not start: {error}"));
        assert_eq!(variables, asked, "{function}: given vs read");
        // Loopback targets are for the tests' receiver, never a deployment's.
        let loopback = &resource(&resources, function)["Properties"]["Environment"]["Variables"]["WEBHOOK_ALLOW_LOOPBACK"];
        assert!(
            loopback.is_null() || loopback.as_str() == Some("false"),
            "{function}: WEBHOOK_ALLOW_LOOPBACK is {loopback:?}"
        );
    }
}

#[test]
fn every_function_is_an_arm64_rust_build_with_explicit_limits_and_its_own_logs() {
    let resources = resources();
    let globals = &template().unwrap()["Globals"]["Function"];
    assert_eq!(globals["Runtime"].as_str(), Some("provided.al2023"));
    assert_eq!(globals["Architectures"][0].as_str(), Some("arm64"));
    for (function, binary) in FUNCTIONS {
        let definition = resource(&resources, function);
        assert_eq!(
            definition["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda")
        );
        assert_eq!(
            definition["Metadata"]["BuildProperties"]["Binary"].as_str(),
            Some(binary),
            "{function}"
        );
        let manifest = integration_tests::repository_root()
            .join("functions")
            .join(binary)
            .join("src/main.rs");
        assert!(manifest.exists(), "{binary} is a binary of the workspace");
        let properties = &definition["Properties"];
        assert!(properties["MemorySize"].as_u64().is_some(), "{function}");
        assert!(properties["Timeout"].as_u64().is_some(), "{function}");
        let logging = &properties["LoggingConfig"];
        assert_eq!(logging["LogFormat"].as_str(), Some("JSON"), "{function}");
        let log_group = text(&logging["LogGroup"]);
        let log_group = log_group.trim().trim_start_matches("!Ref ");
        assert!(
            text(&resource(&resources, log_group)["Properties"]["RetentionInDays"])
                .contains("LogRetentionDays"),
            "{function} logs to a group with a retention"
        );
    }
}

#[test]
fn the_notifier_times_out_well_before_its_claim_expires() {
    let resources = resources();
    let timeout = resource(&resources, "CompletionNotifierFunction")["Properties"]["Timeout"]
        .as_u64()
        .unwrap();
    let lease = completion_notifier::CLAIM_LEASE.as_secs().unsigned_abs();
    assert!(
        timeout * 2 <= lease,
        "timeout {timeout} s against a {lease} s claim: a live sender could lose its claim"
    );
}

/// The sender's limits fit together: a live send is never settled as abandoned, a message is not
/// delivered again while an invocation may still be taking it, SQS runs no more instances than
/// the rate is shared among, and only the messages handed back come again.
#[test]
fn the_sender_finishes_before_its_claim_or_its_message_comes_back_and_polls_only_its_queue() {
    let resources = resources();
    let sender = &resource(&resources, "InvitationSenderFunction")["Properties"];
    let timeout = sender["Timeout"].as_u64().unwrap();
    let in_flight = invitation_sender::IN_FLIGHT.as_secs().unsigned_abs();
    assert!(
        timeout * 2 <= in_flight,
        "timeout {timeout} s against {in_flight} s in flight: a live send could be settled as unconfirmed"
    );
    let queue = &resource(&resources, "InvitationSendQueue")["Properties"];
    let visibility = queue["VisibilityTimeout"].as_u64().unwrap();
    // Lambda's advice for SQS event sources: at least six times the function's timeout.
    assert!(
        visibility >= 6 * timeout,
        "visibility timeout {visibility} s against a {timeout} s function timeout"
    );
    assert!(text(&queue["RedrivePolicy"]).contains("InvitationSendDeadLetterQueue"));
    let mapping = &resource(&resources, "InvitationSenderQueueMapping")["Properties"];
    assert_eq!(
        text(&mapping["FunctionName"]).trim(),
        "!Ref InvitationSenderFunction"
    );
    assert_eq!(
        text(&mapping["EventSourceArn"]).trim(),
        "!GetAtt InvitationSendQueue.Arn"
    );
    // Without it, one message handed back would have SQS deliver the whole batch again.
    assert_eq!(
        text(&mapping["FunctionResponseTypes"]),
        "- ReportBatchItemFailures\n"
    );
    // Each instance sends at SEND_RATE / SENDER_CONCURRENCY: the rate holds only if SQS runs no
    // more instances than that.
    assert_eq!(
        text(&mapping["ScalingConfig"]["MaximumConcurrency"]).trim(),
        "!Ref InvitationSenderConcurrency"
    );
    assert_eq!(
        text(&sender["Environment"]["Variables"]["SENDER_CONCURRENCY"]).trim(),
        "!Ref InvitationSenderConcurrency"
    );
    let statements: Vec<&Value> = sender["Policies"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|policy| policy["Statement"].as_sequence())
        .flatten()
        .collect();
    let poll = statements
        .iter()
        .find(|statement| statement["Sid"].as_str() == Some("PollTheSendQueue"))
        .expect("a statement for the event source mapping");
    assert_eq!(
        targets_of(&poll["Resource"])
            .iter()
            .map(|target| text(target).trim().to_owned())
            .collect::<Vec<_>>(),
        ["!GetAtt InvitationSendQueue.Arn"]
    );
    let sqs_statements = statements
        .iter()
        .filter(|statement| text(&statement["Action"]).contains("sqs:"))
        .count();
    assert_eq!(sqs_statements, 1, "the code itself never calls SQS");
    // No function's role reaches another's queue (the dead-letter queues are written by their
    // services, under the queues' own policies; the dispatcher's failure queue by its stream's
    // mapping, with its role).
    let own_queues = |function: &str| -> &[&str] {
        match function {
            "WebhookDispatcherFunction" => &[
                "!GetAtt WebhookQueue.Arn",
                "!GetAtt WebhookDispatchFailureQueue.Arn",
            ],
            "WebhookSenderFunction" => &["!GetAtt WebhookQueue.Arn"],
            _ => &["!GetAtt InvitationSendQueue.Arn"],
        }
    };
    for (function, _) in FUNCTIONS {
        for policy in resource(&resources, function)["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            for statement in policy["Statement"].as_sequence().into_iter().flatten() {
                if text(&statement["Action"]).contains("sqs:") {
                    for target in targets_of(&statement["Resource"]) {
                        let target = text(&target);
                        assert!(
                            own_queues(function).contains(&target.trim()),
                            "{function}: {target}"
                        );
                    }
                }
            }
        }
    }
}

/// The webhooks' limits fit together: the stream feeds the dispatcher with both images, only
/// invitations' and deliveries' records, and keeps a failed batch's place; a deferred retry fits
/// SQS's longest invisibility; a message lives through the whole schedule and is received more
/// often than it has attempts before it is given up as dead.
#[test]
fn the_webhooks_are_fed_by_the_stream_and_a_message_outlives_its_retries() {
    use invitations::domain::webhooks::RETRY_SCHEDULE;
    let resources = resources();
    let table = &resource(&resources, "InvitationsTable")["Properties"];
    assert_eq!(
        table["StreamSpecification"]["StreamViewType"].as_str(),
        Some("NEW_AND_OLD_IMAGES")
    );
    let stream = &resource(&resources, "WebhookDispatcherStreamMapping")["Properties"];
    assert_eq!(
        text(&stream["EventSourceArn"]).trim(),
        "!GetAtt InvitationsTable.StreamArn"
    );
    let filters = text(&stream["FilterCriteria"]);
    for prefix in ["INV#", "DELIVERY#"] {
        assert!(
            filters.contains(&format!("\"prefix\": \"{prefix}\"")),
            "{filters}"
        );
    }
    assert!(text(&stream["DestinationConfig"]).contains("WebhookDispatchFailureQueue"));
    let longest = RETRY_SCHEDULE.iter().max().unwrap().as_secs();
    assert!(
        longest <= 12 * 3600,
        "SQS hides a message for 12 hours at most"
    );
    let sender = &resource(&resources, "WebhookSenderFunction")["Properties"];
    let timeout = sender["Timeout"].as_u64().unwrap();
    let queue = &resource(&resources, "WebhookQueue")["Properties"];
    assert!(queue["VisibilityTimeout"].as_u64().unwrap() >= 6 * timeout);
    let schedule: i64 = RETRY_SCHEDULE.iter().map(|wait| wait.as_secs()).sum();
    assert!(
        queue["MessageRetentionPeriod"].as_i64().unwrap() > 2 * schedule,
        "a message outlives its schedule, with room for an outage"
    );
    let redrive = &queue["RedrivePolicy"];
    assert!(text(redrive).contains("WebhookDeadLetterQueue"));
    assert!(redrive["maxReceiveCount"].as_u64().unwrap() > 2 * (RETRY_SCHEDULE.len() as u64 + 1));
    let mapping = &resource(&resources, "WebhookSenderQueueMapping")["Properties"];
    assert_eq!(
        text(&mapping["FunctionResponseTypes"]),
        "- ReportBatchItemFailures\n"
    );
    assert_eq!(
        mapping["BatchSize"].as_u64().unwrap(),
        webhook_sender::AT_ONCE as u64
    );
}

/// Each resource a statement may name: the items of a list, both branches of an `!If`.
fn targets_of(value: &Value) -> Vec<Value> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "If" => tagged.value.as_sequence().unwrap()[1..]
            .iter()
            .flat_map(targets_of)
            .collect(),
        Value::Sequence(items) => items.iter().flat_map(targets_of).collect(),
        other => vec![other.clone()],
    }
}

#[test]
fn no_policy_allows_every_action_or_every_resource() {
    let resources = resources();
    let mut statements = Vec::new();
    for (_, definition) in &resources {
        for policy in definition["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            statements.extend(policy["Statement"].as_sequence().unwrap().iter().cloned());
        }
        if let Some(document) = definition["Properties"].get("PolicyDocument") {
            statements.extend(document["Statement"].as_sequence().unwrap().iter().cloned());
        }
    }
    assert!(statements.len() >= 7, "{} statements", statements.len());
    for statement in &statements {
        assert_eq!(statement["Effect"].as_str(), Some("Allow"));
        let actions = text(&statement["Action"]);
        let targets = text(&statement["Resource"]);
        assert!(!actions.contains('*'), "wildcard action: {actions}");
        assert!(!targets.contains('*'), "wildcard resource: {targets}");
        for (service, allowed) in [
            ("dynamodb:", &["InvitationsTable"][..]),
            (
                "ses:",
                &[
                    "identity/${SenderIdentity}",
                    "configuration-set/${EmailConfigurationSet}",
                ][..],
            ),
            (
                "events:",
                &["CompletionEventBus", "event-bus/${EventBusName}"][..],
            ),
        ] {
            if actions.contains(service) {
                for target in targets_of(&statement["Resource"]) {
                    let target = text(&target);
                    assert!(
                        allowed.iter().any(|name| target.contains(name)),
                        "{service} on {target}"
                    );
                }
            }
        }
    }
}

#[test]
fn completion_events_are_retried_and_parked_not_lost() {
    let resources = resources();
    let notifier = &resource(&resources, "CompletionNotifierFunction")["Properties"];
    let rule = notifier["Events"]["VideoInterviewCompleted"]["Properties"].clone();
    assert!(
        rule["RetryPolicy"]["MaximumRetryAttempts"]
            .as_u64()
            .unwrap()
            > 0
    );
    let dead_letter = text(&rule["DeadLetterConfig"]["Arn"]);
    assert!(dead_letter.contains("CompletionRuleDeadLetterQueue"));
    let on_failure = text(&notifier["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]);
    assert!(on_failure.contains("CompletionNotifierFailureQueue"));
    for queue in [
        "CompletionRuleDeadLetterQueue",
        "CompletionNotifierFailureQueue",
        "EmailEventsRuleDeadLetterQueue",
        "EmailEventsFailureQueue",
    ] {
        let definition = resource(&resources, queue);
        assert_eq!(definition["Type"].as_str(), Some("AWS::SQS::Queue"));
        assert_eq!(
            definition["Properties"]["SqsManagedSseEnabled"].as_bool(),
            Some(true)
        );
    }
    // Only the rule may write to its dead-letter queue.
    let policy = text(&resource(&resources, "CompletionRuleDeadLetterQueuePolicy")["Properties"]);
    assert!(policy.contains("events.amazonaws.com") && policy.contains("aws:SourceArn"));
}

#[test]
fn every_alarm_an_operator_needs_exists_and_notifies_the_topic() {
    let resources = resources();
    let alarms: Vec<(&str, String)> = resources
        .iter()
        .filter(|(_, definition)| definition["Type"].as_str() == Some("AWS::CloudWatch::Alarm"))
        .map(|(name, definition)| (name.as_str().unwrap(), text(definition)))
        .collect();
    let watching = |metric: &str, subject: &str| {
        alarms
            .iter()
            .any(|(_, alarm)| alarm.contains(metric) && alarm.contains(subject))
    };
    for (function, _) in FUNCTIONS {
        assert!(
            watching("MetricName: Errors", function),
            "errors of {function}"
        );
        assert!(
            watching("MetricName: Throttles", function),
            "throttles of {function}"
        );
    }
    for queue in [
        "CompletionRuleDeadLetterQueue",
        "CompletionNotifierFailureQueue",
        "EmailEventsRuleDeadLetterQueue",
        "EmailEventsFailureQueue",
        "InvitationSendDeadLetterQueue",
        "WebhookDispatchFailureQueue",
        "WebhookDeadLetterQueue",
    ] {
        assert!(
            watching("ApproximateNumberOfMessagesVisible", queue),
            "{queue}"
        );
    }
    assert!(
        watching("MetricName: 5xx", "RecruiterHttpApi"),
        "API 5xx rate"
    );
    assert!(
        watching("Reputation.BounceRate", "BounceRateAlarmThreshold"),
        "bounce rate"
    );
    // Each failure the functions count (functions/invitations/src/metrics.rs) is watched, for
    // every function that counts it.
    let counted_by = |counter: Counter| -> &[&str] {
        match counter {
            Counter::InvitationSendFailures | Counter::InvitationSendsUnconfirmed => {
                &["RecruiterApiFunction", "InvitationSenderFunction"]
            }
            Counter::FollowUpSendFailures | Counter::FollowUpSendsUnconfirmed => {
                &["RecruiterApiFunction", "DeadlineRemindersFunction"]
            }
            Counter::NoticeSendFailures | Counter::NoticeSendsUnconfirmed => {
                &["CompletionNotifierFunction", "EmailEventsFunction"]
            }
            Counter::RemindersFailed => &["DeadlineRemindersFunction"],
            Counter::WebhookAttemptsFailed => &["WebhookSenderFunction"],
            _ => &[],
        }
    };
    // An alarm on metric math sums every metric it reads.
    for (name, alarm) in &resources {
        let Some(queries) = alarm["Properties"]["Metrics"].as_sequence() else {
            continue;
        };
        let expressions: Vec<&str> = queries
            .iter()
            .filter_map(|query| query["Expression"].as_str())
            .collect();
        assert_eq!(expressions.len(), 1, "{name:?}");
        for query in queries
            .iter()
            .filter(|query| query["MetricStat"].is_mapping())
        {
            let id = query["Id"].as_str().unwrap();
            assert!(expressions[0].contains(id), "{name:?}: {id} left out");
        }
    }
    let watched: BTreeSet<(String, String)> = resources
        .values()
        .filter(|definition| definition["Type"].as_str() == Some("AWS::CloudWatch::Alarm"))
        .filter_map(|alarm| alarm["Properties"]["Metrics"].as_sequence())
        .flatten()
        .map(|query| &query["MetricStat"]["Metric"])
        .filter(|metric| metric["Namespace"].as_str() == Some(invitations::metrics::NAMESPACE))
        .map(|metric| {
            assert_eq!(
                metric["Dimensions"][0]["Name"].as_str(),
                Some(invitations::metrics::DIMENSION)
            );
            let function = text(&metric["Dimensions"][0]["Value"]);
            let function = function.trim().strip_prefix("!Ref ").unwrap().to_owned();
            (metric["MetricName"].as_str().unwrap().to_owned(), function)
        })
        .collect();
    for counter in Counter::ALL {
        let failure = ["Failures", "Unconfirmed", "Failed"]
            .iter()
            .any(|word| counter.name().contains(word));
        assert_eq!(failure, !counted_by(counter).is_empty(), "{counter:?}");
        for function in counted_by(counter) {
            assert!(
                watched.contains(&(counter.name().to_owned(), (*function).to_owned())),
                "{} of {function}",
                counter.name()
            );
        }
    }
    for (name, alarm) in &alarms {
        assert!(alarm.contains("AlarmTopicArn"), "{name} notifies the topic");
        assert!(
            alarm.contains("See README"),
            "{name} says where its runbook is"
        );
    }
    assert!(
        resources.values().any(|definition| {
            definition["Type"].as_str() == Some("AWS::CloudWatch::Dashboard")
        })
    );
}

#[test]
fn every_email_goes_through_the_configuration_set() {
    let resources = resources();
    let set = &resource(&resources, "EmailConfigurationSet")["Properties"];
    assert_eq!(
        set["DeliveryOptions"]["TlsPolicy"].as_str(),
        Some("REQUIRE")
    );
    assert_eq!(
        set["ReputationOptions"]["ReputationMetricsEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(
        text(&set["SuppressionOptions"]["SuppressedReasons"]),
        "- BOUNCE\n- COMPLAINT\n"
    );
    for function in [
        "RecruiterApiFunction",
        "CompletionNotifierFunction",
        "InvitationSenderFunction",
    ] {
        let variables = &resource(&resources, function)["Properties"]["Environment"]["Variables"];
        assert_eq!(
            text(&variables["SES_CONFIGURATION_SET"]).trim(),
            "!Ref EmailConfigurationSet",
            "{function}"
        );
    }
    let destination = &resource(&resources, "EmailEventsToEventBridge")["Properties"];
    assert!(text(destination).contains("EventBridgeDestination"));
}

#[test]
fn only_the_service_and_the_recording_service_may_publish_on_the_stacks_bus() {
    let resources = resources();
    let policy = resource(&resources, "CompletionEventBusPolicy");
    assert_eq!(policy["Condition"].as_str(), Some("CreateEventBus"));
    let statement = &policy["Properties"]["Statement"];
    assert_eq!(statement["Effect"].as_str(), Some("Deny"));
    assert_eq!(statement["Principal"].as_str(), Some("*"));
    assert_eq!(statement["Action"].as_str(), Some("events:PutEvents"));
    let allowed = text(&statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]);
    assert!(
        allowed.contains("CandidateApiFunctionRole.Arn"),
        "{allowed}"
    );
    assert!(allowed.contains("RecordingServiceRoleArn"), "{allowed}");
    assert!(
        allowed.contains("RecruiterApiFunctionRole.Arn"),
        "{allowed}"
    );
    // The candidate API and the recruiter API publish there, under the roles the deny spares.
    for function in ["CandidateApiFunction", "RecruiterApiFunction"] {
        let definition = text(resource(&resources, function));
        assert!(definition.contains("events:PutEvents"), "{function}");
        assert!(definition.contains("CompletionEventBus"), "{function}");
    }
    // An erasure (which has videos deleted) only from the recruiter API.
    let erasures = resource(&resources, "ErasureEventBusPolicy");
    assert_eq!(erasures["Condition"].as_str(), Some("CreateEventBus"));
    let statement = &erasures["Properties"]["Statement"];
    assert_eq!(statement["Effect"].as_str(), Some("Deny"));
    assert_eq!(statement["Principal"].as_str(), Some("*"));
    assert_eq!(
        statement["Condition"]["StringEquals"]["events:detail-type"].as_str(),
        Some(invitations::domain::events::ERASED_DETAIL_TYPE)
    );
    let spared = text(&statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]);
    assert!(spared.contains("RecruiterApiFunctionRole.Arn"), "{spared}");
    // And a completion (which emails recruiters) only from the candidate's side.
    let completions = resource(&resources, "CompletionEventBusPolicyByType");
    let statement = &completions["Properties"]["Statement"];
    assert_eq!(statement["Effect"].as_str(), Some("Deny"));
    assert_eq!(
        statement["Condition"]["StringEquals"]["events:detail-type"].as_str(),
        Some(invitations::domain::events::DETAIL_TYPE)
    );
    let spared = text(&statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]);
    assert!(spared.contains("CandidateApiFunctionRole.Arn"), "{spared}");
    assert!(!spared.contains("RecruiterApi"), "{spared}");
}

#[test]
fn browsers_may_call_every_method_the_recruiter_api_routes() {
    let resources = resources();
    let cors = text(&resource(&resources, "RecruiterHttpApi")["Properties"]["CorsConfiguration"]);
    let events = text(&resource(&resources, "RecruiterApiFunction")["Properties"]["Events"]);
    for method in ["GET", "POST", "PUT", "DELETE"] {
        if events.contains(&format!("Method: {method}")) {
            assert!(
                cors.contains(method),
                "{method} is routed but not allowed: {cors}"
            );
        }
    }
}

#[test]
fn the_reminders_run_every_quarter_hour_and_the_email_events_come_only_from_ses() {
    let resources = resources();
    let reminders =
        text(&resource(&resources, "DeadlineRemindersFunction")["Properties"]["Events"]);
    assert!(reminders.contains("Type: Schedule"), "{reminders}");
    assert!(reminders.contains("rate(15 minutes)"), "{reminders}");
    let pattern: serde_json::Value = serde_json::from_str(
        &integration_tests::rule_pattern(
            "EmailEventsFunction",
            &[("EmailConfigurationSet", "set")],
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(pattern["source"], serde_json::json!(["aws.ses"]));
    assert_eq!(
        pattern["detail"]["mail"]["tags"]["ses:configuration-set"],
        serde_json::json!(["set"])
    );
}

#[test]
fn every_function_logs_at_info_or_below_so_that_its_metric_lines_reach_cloudwatch() {
    let resources = resources();
    for (function, _) in FUNCTIONS {
        let level =
            resource(&resources, function)["Properties"]["LoggingConfig"]["ApplicationLogLevel"]
                .as_str();
        assert!(
            matches!(level, Some("INFO" | "DEBUG" | "TRACE")),
            "{function}: {level:?}"
        );
    }
}
