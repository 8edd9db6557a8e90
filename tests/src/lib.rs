//! The local AWS stand-in (moto server) as the tests and the local run see it: the table created
//! from `infra/template.yaml` (parsed, never copied), the sender identity verified, and the emails
//! that SES "sent" read back.
//!
//! `scripts/test` and `scripts/run-local` start moto and export `AWS_ENDPOINT_URL` with dummy
//! credentials; everything here goes through the real AWS SDK over HTTP.

/// A client of an SDK crate built from `$sdk` with `$tweak` applied to its config builder: the one
/// way the harness makes the clients it records (`calls`) or redirects (`faults`).
macro_rules! client_with {
    ($service:ident, $sdk:expr, |$builder:ident| $tweak:expr) => {{
        let $builder = $service::config::Builder::from($sdk);
        $service::Client::from_conf($tweak.build())
    }};
}

pub mod calls;
pub mod captured_logs;
pub mod chromium;
pub mod email_previews;
pub mod events;
pub mod faults;
pub mod gateway;
pub mod load;
pub mod runtime_api;
pub mod send_queue;
pub mod table_stream;
pub mod webhook_receiver;
pub mod webhook_route;
pub mod world;

use std::path::PathBuf;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use serde::Deserialize;
use serde_yaml::Value;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The clone's root (where `infra/template.yaml` is): found from cargo's `CARGO_MANIFEST_DIR` of
/// the running test or `cargo run`, else the working directory (the scripts run binaries from the
/// root), else the directory this crate was compiled in. That last can name another clone: the
/// build cache is shared between clones (scripts/lib.sh), and an unchanged crate is not rebuilt.
pub fn repository_root() -> PathBuf {
    let runtime = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let candidates = runtime
        .into_iter()
        .chain(std::env::current_dir().ok())
        .chain([PathBuf::from(env!("CARGO_MANIFEST_DIR"))]);
    candidates
        .flat_map(|start| start.ancestors().map(PathBuf::from).collect::<Vec<_>>())
        .find(|dir| dir.join("infra/template.yaml").is_file())
        .expect("run from inside the repository: no infra/template.yaml above it")
}

/// The endpoint of the local stand-in. Refuses anything but loopback, so that no test can ever
/// write to a real AWS account by accident.
pub fn local_endpoint() -> String {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| {
        panic!("AWS_ENDPOINT_URL is not set: run the tests with scripts/test, which starts the local AWS stand-in")
    });
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "AWS_ENDPOINT_URL={endpoint} is not a local stand-in; refusing to run against it"
    );
    endpoint
}

/// The SDK configuration the functions themselves load (same retries), pointed at the local
/// stand-in by the environment, with timeouts scaled to the stand-in. moto handles one request at a
/// time (scripts/local-aws-server.py) and copies every table on each transaction, so under the load
/// test a call waits up to seconds in its queue, where DynamoDB answers in milliseconds. With the
/// functions' own 2 s per attempt, the load test would measure moto's queue instead of this
/// service. What happens when AWS does time out is tested with a fault-injecting proxy instead.
pub async fn sdk_config() -> SdkConfig {
    local_endpoint();
    let config = invitations::adapters::aws::load_sdk_config().await;
    config
        .to_builder()
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(1))
                .operation_attempt_timeout(std::time::Duration::from_secs(20))
                .operation_timeout(std::time::Duration::from_secs(40))
                .build(),
        )
        .build()
}

/// The table definition of `infra/template.yaml`, read as CloudFormation would.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDefinition {
    pub attributes: Vec<(String, String)>,
    pub key_schema: Vec<(String, String)>,
    pub indexes: Vec<IndexDefinition>,
    pub billing_mode: String,
    pub ttl_attribute: Option<String>,
    /// The stream's view type (`StreamSpecification`), when the table has one.
    pub stream_view: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexDefinition {
    pub name: String,
    pub key_schema: Vec<(String, String)>,
    pub projection: String,
    /// The attributes an `INCLUDE` projection adds to the keys.
    pub non_key_attributes: Vec<String>,
}

pub fn template() -> Result<Value, Error> {
    let path = repository_root().join("infra/template.yaml");
    let text = std::fs::read_to_string(&path)?;
    Ok(serde_yaml::from_str(&text)?)
}

/// The one `AWS::DynamoDB::Table` resource of the template.
pub fn table_definition() -> Result<TableDefinition, Error> {
    let template = template()?;
    let resources = template["Resources"]
        .as_mapping()
        .ok_or("the template has no Resources")?;
    let tables: Vec<&Value> = resources
        .values()
        .filter(|resource| resource["Type"].as_str() == Some("AWS::DynamoDB::Table"))
        .collect();
    let [table] = tables.as_slice() else {
        return Err(format!(
            "expected one DynamoDB table in the template, found {}",
            tables.len()
        )
        .into());
    };
    let properties = &table["Properties"];
    let pairs = |list: &Value, name: &str, value: &str| -> Result<Vec<(String, String)>, Error> {
        list.as_sequence()
            .ok_or("expected a list")?
            .iter()
            .map(|item| {
                Ok((
                    item[name].as_str().ok_or("missing name")?.to_owned(),
                    item[value].as_str().ok_or("missing value")?.to_owned(),
                ))
            })
            .collect()
    };
    let indexes = match properties.get("GlobalSecondaryIndexes") {
        None => Vec::new(),
        Some(list) => list
            .as_sequence()
            .ok_or("GlobalSecondaryIndexes is not a list")?
            .iter()
            .map(|index| {
                Ok(IndexDefinition {
                    name: index["IndexName"]
                        .as_str()
                        .ok_or("index without a name")?
                        .to_owned(),
                    key_schema: pairs(&index["KeySchema"], "AttributeName", "KeyType")?,
                    projection: index["Projection"]["ProjectionType"]
                        .as_str()
                        .ok_or("index without a projection")?
                        .to_owned(),
                    non_key_attributes: index["Projection"]["NonKeyAttributes"]
                        .as_sequence()
                        .map(|names| {
                            names
                                .iter()
                                .filter_map(Value::as_str)
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            })
            .collect::<Result<_, Error>>()?,
    };
    let ttl = &properties["TimeToLiveSpecification"];
    Ok(TableDefinition {
        attributes: pairs(
            &properties["AttributeDefinitions"],
            "AttributeName",
            "AttributeType",
        )?,
        key_schema: pairs(&properties["KeySchema"], "AttributeName", "KeyType")?,
        indexes,
        billing_mode: properties["BillingMode"]
            .as_str()
            .unwrap_or("PROVISIONED")
            .to_owned(),
        ttl_attribute: (ttl["Enabled"].as_bool() == Some(true))
            .then(|| ttl["AttributeName"].as_str().map(str::to_owned))
            .flatten(),
        stream_view: properties["StreamSpecification"]["StreamViewType"]
            .as_str()
            .map(str::to_owned),
    })
}

fn key_schema(pairs: &[(String, String)]) -> Result<Vec<KeySchemaElement>, Error> {
    pairs
        .iter()
        .map(|(name, kind)| {
            Ok(KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(KeyType::from(kind.as_str()))
                .build()?)
        })
        .collect()
}

/// Creates a table named `name` exactly as the template defines it.
pub async fn create_table(client: &aws_sdk_dynamodb::Client, name: &str) -> Result<(), Error> {
    let definition = table_definition()?;
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::from(definition.billing_mode.as_str()))
        .set_key_schema(Some(key_schema(&definition.key_schema)?));
    for (attribute, kind) in &definition.attributes {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::from(kind.as_str()))
                .build()?,
        );
    }
    for index in &definition.indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(key_schema(&index.key_schema)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(index.projection.as_str()))
                        .set_non_key_attributes(
                            (!index.non_key_attributes.is_empty())
                                .then(|| index.non_key_attributes.clone()),
                        )
                        .build(),
                )
                .build()?,
        );
    }
    if let Some(view) = &definition.stream_view {
        request = request.stream_specification(
            aws_sdk_dynamodb::types::StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(aws_sdk_dynamodb::types::StreamViewType::from(view.as_str()))
                .build()?,
        );
    }
    request.send().await?;
    if let Some(attribute) = definition.ttl_attribute {
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(attribute)
                    .enabled(true)
                    .build()?,
            )
            .send()
            .await?;
    }
    Ok(())
}

/// Verifies a sender identity (a domain or an address); the stand-in accepts it at once.
pub async fn verify_sender_identity(
    client: &aws_sdk_sesv2::Client,
    identity: &str,
) -> Result<(), Error> {
    match client
        .create_email_identity()
        .email_identity(identity)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(error)
            if aws_sdk_sesv2::error::ProvideErrorMetadata::code(&error)
                == Some("AlreadyExistsException") =>
        {
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

/// An email as SES received it (for Simple content the stand-in keeps the HTML body only).
#[derive(Debug, Clone, Deserialize)]
pub struct SentEmail {
    pub id: String,
    pub source: String,
    pub subject: String,
    #[serde(rename = "body")]
    pub html: String,
    pub destinations: Destinations,
}

/// The destination headers as the service gave them to SES: mailboxes, named or bare.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Destinations {
    #[serde(default)]
    pub to_addresses: Vec<String>,
    #[serde(default)]
    pub cc_addresses: Vec<String>,
    #[serde(default)]
    pub bcc_addresses: Vec<String>,
}

/// A mailbox as a mail client reads it from a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadMailbox {
    pub name: Option<String>,
    pub address: String,
}

/// Reads one mailbox header value (`Name <address>`, a quoted or RFC 2047-encoded name, or a
/// bare address) with mail-parser, as a mail client would; panics on anything else, which would
/// be a header no client could read.
pub fn read_mailbox(header: &str) -> ReadMailbox {
    let raw = format!("To: {header}\r\n\r\n");
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap_or_else(|| panic!("{header:?} is no header value"));
    let to = message.to().and_then(|to| to.first());
    let to = to.unwrap_or_else(|| panic!("{header:?} holds no mailbox"));
    ReadMailbox {
        name: to.name().map(str::to_owned),
        address: to
            .address()
            .unwrap_or_else(|| panic!("{header:?} holds no address"))
            .to_owned(),
    }
}

impl SentEmail {
    /// The addresses in To, without the names.
    pub fn to_addresses(&self) -> Vec<String> {
        addresses(&self.destinations.to_addresses)
    }

    /// The addresses in Bcc.
    pub fn bcc_addresses(&self) -> Vec<String> {
        addresses(&self.destinations.bcc_addresses)
    }

    /// Every address it went to: To, Cc and Bcc.
    pub fn all_recipients(&self) -> Vec<String> {
        let d = &self.destinations;
        addresses(
            d.to_addresses
                .iter()
                .chain(&d.cc_addresses)
                .chain(&d.bcc_addresses),
        )
    }
}

fn addresses<'a>(headers: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    headers
        .into_iter()
        .map(|header| read_mailbox(header).address)
        .collect()
}

/// Every email the stand-in has accepted since it started (or was reset).
pub async fn sent_emails() -> Result<Vec<SentEmail>, Error> {
    #[derive(Deserialize)]
    struct Data {
        ses: Ses,
    }
    #[derive(Deserialize)]
    struct Ses {
        #[serde(rename = "Message", default)]
        messages: Vec<SentEmail>,
    }
    let url = format!("{}/moto-api/data.json", local_endpoint());
    // moto serializes every service's models for this endpoint, checking each attribute first and
    // dumping them all after: a request that changes a model in between (another test's) makes it
    // answer 500. A fresh read then succeeds, so a few are allowed.
    let mut attempts = 0;
    let data: Data = loop {
        attempts += 1;
        let response = reqwest::get(&url).await?;
        if response.status().is_server_error() && attempts < 5 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        }
        break response.error_for_status()?.json().await?;
    };
    Ok(data.ses.messages)
}

/// The follow-up link key's secret as the template defines it (`LinkKeySecret`), stored as the
/// secret `link-key-<name>` (or the existing one of that name). Its ARN.
pub async fn create_link_key(sdk: &SdkConfig, name: &str) -> Result<String, Error> {
    create_key_secret(sdk, "LinkKeySecret", &format!("link-key-{name}")).await
}

/// The candidate lookup key's secret as the template defines it (`LookupKeySecret`), stored as
/// the secret `lookup-key-<name>` (or the existing one of that name). Its ARN.
pub async fn create_lookup_key(sdk: &SdkConfig, name: &str) -> Result<String, Error> {
    create_key_secret(sdk, "LookupKeySecret", &format!("lookup-key-{name}")).await
}

/// The webhook key's secret as the template defines it (`WebhookKeySecret`), stored as the secret
/// `webhook-key-<name>` (or the existing one of that name). Its ARN.
pub async fn create_webhook_key(sdk: &SdkConfig, name: &str) -> Result<String, Error> {
    create_key_secret(sdk, "WebhookKeySecret", &format!("webhook-key-{name}")).await
}

/// The key secret `resource` of the template: a password that Secrets Manager generates with its
/// `GenerateSecretString` settings, stored as `secret_name` (or the existing one of that name).
async fn create_key_secret(
    sdk: &SdkConfig,
    resource: &str,
    secret_name: &str,
) -> Result<String, Error> {
    let template = template()?;
    let generate = &template["Resources"][resource]["Properties"]["GenerateSecretString"];
    let length = generate["PasswordLength"]
        .as_i64()
        .ok_or_else(|| format!("{resource} has no PasswordLength"))?;
    let secrets = aws_sdk_secretsmanager::Client::new(sdk);
    if let Ok(existing) = secrets
        .describe_secret()
        .secret_id(secret_name)
        .send()
        .await
    {
        return Ok(existing.arn.ok_or("no secret arn")?);
    }
    let password = secrets
        .get_random_password()
        .password_length(length)
        .exclude_punctuation(generate["ExcludePunctuation"].as_bool().unwrap_or(false))
        .send()
        .await?
        .random_password
        .ok_or("no password generated")?;
    let created = secrets
        .create_secret()
        .name(secret_name)
        .secret_string(password)
        .send()
        .await?;
    Ok(created.arn.ok_or("no secret arn")?)
}

/// Every IAM action the inline policies of a function of the template allow.
pub fn policy_actions(function: &str) -> Result<std::collections::BTreeSet<String>, Error> {
    let template = template()?;
    let policies = template["Resources"][function]["Properties"]["Policies"]
        .as_sequence()
        .ok_or_else(|| format!("{function} has no Policies"))?;
    let mut actions = std::collections::BTreeSet::new();
    for statement in policies
        .iter()
        .filter_map(|policy| policy["Statement"].as_sequence())
        .flatten()
    {
        match &statement["Action"] {
            Value::String(action) => {
                actions.insert(action.clone());
            }
            Value::Sequence(list) => {
                actions.extend(list.iter().filter_map(Value::as_str).map(str::to_owned))
            }
            other => return Err(format!("{function}: unexpected Action {other:?}").into()),
        }
    }
    Ok(actions)
}

/// The template's function that the completion events' rule targets.
pub const COMPLETION_NOTIFIER: &str = "CompletionNotifierFunction";
/// The batch sender's logical id in the template.
pub const INVITATION_SENDER: &str = "InvitationSenderFunction";

/// The event pattern of the notifier's EventBridge rule in the template, as JSON.
pub fn completion_rule_pattern() -> Result<String, Error> {
    rule_pattern(COMPLETION_NOTIFIER, &[])
}

/// The event pattern of the EventBridge rule of `function` in the template, as JSON, each
/// `!Ref NAME` replaced by the value `refs` gives it.
pub fn rule_pattern(function: &str, refs: &[(&str, &str)]) -> Result<String, Error> {
    let template = template()?;
    let events = template["Resources"][function]["Properties"]["Events"]
        .as_mapping()
        .ok_or_else(|| format!("{function} has no Events"))?;
    let pattern = events
        .values()
        .find(|event| event["Type"].as_str() == Some("EventBridgeRule"))
        .map(|event| &event["Properties"]["Pattern"])
        .ok_or_else(|| format!("{function} has no EventBridgeRule"))?;
    let pattern = resolve_refs(pattern.clone(), refs)?;
    Ok(serde_json::to_string(&serde_yaml::from_value::<
        serde_json::Value,
    >(pattern)?)?)
}

/// `value` with every `!Ref NAME` replaced by its value in `refs` (an unknown one is an error).
fn resolve_refs(value: Value, refs: &[(&str, &str)]) -> Result<Value, Error> {
    Ok(match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => {
            let name = tagged.value.as_str().ok_or("a !Ref without a name")?;
            let (_, resolved) = refs
                .iter()
                .find(|(reference, _)| *reference == name)
                .ok_or_else(|| format!("no value given for !Ref {name}"))?;
            Value::String((*resolved).to_owned())
        }
        Value::Sequence(items) => Value::Sequence(
            items
                .into_iter()
                .map(|item| resolve_refs(item, refs))
                .collect::<Result<_, _>>()?,
        ),
        Value::Mapping(map) => Value::Mapping(
            map.into_iter()
                .map(|(key, value)| Ok((key, resolve_refs(value, refs)?)))
                .collect::<Result<_, Error>>()?,
        ),
        other => other,
    })
}

/// An event bus with the notifier's rule (pattern from the template), whose target is an SQS queue
/// instead of the function: the test reads what EventBridge delivered and hands it to the handler,
/// as Lambda would.
pub struct CompletionRoute {
    pub bus_name: String,
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
}

impl CompletionRoute {
    /// The bus `bus-<name>`, its rule and the queue `deliveries-<name>`.
    pub async fn create(sdk: &SdkConfig, name: &str) -> Result<Self, Error> {
        Self::with_pattern(sdk, name, &completion_rule_pattern()?).await
    }

    /// The same with another rule's `pattern` (JSON): what EventBridge routes by it is delivered.
    pub async fn with_pattern(sdk: &SdkConfig, name: &str, pattern: &str) -> Result<Self, Error> {
        let events = aws_sdk_eventbridge::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let bus_name = Self::bus_name(name);
        events.create_event_bus().name(&bus_name).send().await?;
        let queue_url = sqs
            .create_queue()
            .queue_name(format!("deliveries-{name}"))
            .send()
            .await?
            .queue_url
            .ok_or("no queue url")?;
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await?
            .attributes
            .and_then(|mut attributes| {
                attributes.remove(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            })
            .ok_or("no queue arn")?;
        events
            .put_rule()
            .name(format!("completed-{name}"))
            .event_bus_name(&bus_name)
            .event_pattern(pattern)
            .send()
            .await?;
        events
            .put_targets()
            .rule(format!("completed-{name}"))
            .event_bus_name(&bus_name)
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("notifier")
                    .arn(queue_arn)
                    .build()?,
            )
            .send()
            .await?;
        Ok(Self {
            bus_name,
            sqs,
            queue_url,
        })
    }

    pub fn bus_name(name: &str) -> String {
        format!("bus-{name}")
    }

    /// A route that `create` made earlier (in another process).
    pub async fn existing(sdk: &SdkConfig, name: &str) -> Result<Self, Error> {
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let queue_url = sqs
            .get_queue_url()
            .queue_name(format!("deliveries-{name}"))
            .send()
            .await?
            .queue_url
            .ok_or("no queue url")?;
        Ok(Self {
            bus_name: Self::bus_name(name),
            sqs,
            queue_url,
        })
    }

    /// The events delivered since the last call.
    pub async fn delivered(&self) -> Result<Vec<serde_json::Value>, Error> {
        let mut events = Vec::new();
        loop {
            let deliveries = self.receive().await?;
            if deliveries.is_empty() {
                return Ok(events);
            }
            for delivery in deliveries {
                self.delete(&delivery).await?;
                events.push(delivery.event);
            }
        }
    }

    /// Up to 10 events delivered and not yet deleted; each comes again after the queue's
    /// visibility timeout unless [`Self::delete`]d (as EventBridge retries a failed target).
    pub async fn receive(&self) -> Result<Vec<Delivery>, Error> {
        let output = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .send()
            .await?;
        output
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(|message| {
                Ok(Delivery {
                    event: serde_json::from_str(message.body().unwrap_or_default())?,
                    receipt: message.receipt_handle.unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Forgets a delivery once it is handled.
    pub async fn delete(&self, delivery: &Delivery) -> Result<(), Error> {
        self.sqs
            .delete_message()
            .queue_url(&self.queue_url)
            .receipt_handle(&delivery.receipt)
            .send()
            .await?;
        Ok(())
    }
}

/// One event EventBridge delivered to the queue.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub event: serde_json::Value,
    receipt: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_defines_the_keys_and_index_the_store_uses() {
        let table = table_definition().unwrap();
        assert_eq!(
            table.key_schema,
            [("pk".into(), "HASH".into()), ("sk".into(), "RANGE".into())]
        );
        let index = table
            .indexes
            .iter()
            .find(|index| index.name == invitations::adapters::dynamodb::VIDEO_INTERVIEW_INDEX)
            .expect("the index the store queries is defined");
        assert_eq!(
            index.key_schema,
            [
                ("gsi1pk".into(), "HASH".into()),
                ("sk".into(), "RANGE".into())
            ]
        );
        assert_eq!(index.projection, "ALL");
        assert_eq!(table.billing_mode, "PAY_PER_REQUEST");
    }
}
