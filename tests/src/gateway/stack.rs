//! The whole local stack behind the gateway: every function that the HTTP API routes to, the
//! completion notifier fed by the completion rule's deliveries (an SQS queue standing in for the
//! Lambda target, see [`crate::CompletionRoute`]), the batch sender fed from the send queue as
//! Lambda's event source mapping feeds it ([`crate::send_queue`]), and the template's schedules.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::jwt::LocalIssuer;
use super::template::{self, FunctionDefinition};
use super::{Gateway, Serving};
use crate::runtime_api::{Function, FunctionSpec};
use crate::send_queue::SendQueueRoute;
use crate::{COMPLETION_NOTIFIER, CompletionRoute, Error, INVITATION_SENDER};

/// The variables Lambda gives every function beside the template's: where AWS is (here the local
/// stand-in), the credentials and the region.
const AWS_VARIABLES: [&str; 6] = [
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// How to run the stack.
pub struct StackOptions {
    /// Where the functions' binaries are (`target/debug`).
    pub bin_dir: PathBuf,
    /// The values of the functions' variables by the template's names (`TABLE_NAME`, ...); a
    /// function gets those its template entry names, and a name without a value stays unset.
    pub variables: HashMap<String, String>,
    /// Where each function's log (`<binary>.log`) is appended; `None` discards them.
    pub log_dir: Option<PathBuf>,
    /// The completion route that `local-aws setup` (or the test) created.
    pub completion_route: CompletionRoute,
    /// The batch send queue `local-aws setup` created, when batches are to be sent: the batch
    /// sender then runs, fed from it.
    pub send_queue: Option<SendQueueRoute>,
    pub issuer: LocalIssuer,
    /// Whether the template's schedules run (the reminders' sweep every 15 minutes).
    pub schedules: bool,
}

/// The stack, running until dropped.
pub struct Stack {
    pub gateway: Arc<Gateway>,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    _serving: Serving,
    background: Vec<JoinHandle<()>>,
}

impl Drop for Stack {
    fn drop(&mut self) {
        for task in &self.background {
            task.abort();
        }
    }
}

impl Stack {
    /// Starts the functions (failing when one does not reach its first poll), then serves the
    /// HTTP API on `listener`, delivers completions and runs the schedules.
    pub async fn start(options: StackOptions, listener: TcpListener) -> Result<Self, Error> {
        let template = crate::template()?;
        let api = template::http_api(&template)?;
        let definitions = template::functions(&template)?;
        let wanted = |definition: &&FunctionDefinition| {
            api.routes
                .iter()
                .any(|route| route.function == definition.binary)
                || definition.logical_id == COMPLETION_NOTIFIER
                || (definition.logical_id == INVITATION_SENDER && options.send_queue.is_some())
                || (options.schedules && !definition.schedules.is_empty())
        };
        let mut functions = HashMap::new();
        for definition in definitions.iter().filter(wanted) {
            let function = Function::start(spec(definition, &options)?).await?;
            functions.insert(definition.binary.clone(), Arc::new(function));
        }
        let mut background = Vec::new();
        let notifier = definitions
            .iter()
            .find(|definition| definition.logical_id == COMPLETION_NOTIFIER)
            .and_then(|definition| functions.get(&definition.binary))
            .ok_or("the template has no completion notifier")?;
        background.push(tokio::spawn(deliver_completions(
            options.completion_route,
            Arc::clone(notifier),
        )));
        if let Some(queue) = options.send_queue {
            let sender = definitions
                .iter()
                .find(|definition| definition.logical_id == INVITATION_SENDER)
                .and_then(|definition| functions.get(&definition.binary))
                .ok_or("the template has no batch sender")?;
            background.push(tokio::spawn(deliver_sends(queue, Arc::clone(sender))));
        }
        if options.schedules {
            for definition in &definitions {
                for period in &definition.schedules {
                    let function = Arc::clone(&functions[&definition.binary]);
                    background.push(tokio::spawn(run_schedule(function, *period)));
                }
            }
        }
        let url = format!("http://{}", listener.local_addr()?);
        let gateway = Arc::new(Gateway {
            api,
            issuer: options.issuer,
            functions,
        });
        let serving = Arc::clone(&gateway).serve(listener);
        Ok(Self {
            gateway,
            url,
            _serving: serving,
            background,
        })
    }
}

fn spec(definition: &FunctionDefinition, options: &StackOptions) -> Result<FunctionSpec, Error> {
    let binary = options.bin_dir.join(&definition.binary);
    if !binary.is_file() {
        return Err(format!(
            "{} is not built (cargo build -p {})",
            binary.display(),
            definition.binary
        )
        .into());
    }
    let mut environment: Vec<(String, String)> = definition
        .variables
        .iter()
        .filter_map(|name| Some((name.clone(), options.variables.get(name)?.clone())))
        .collect();
    environment.extend(
        AWS_VARIABLES
            .iter()
            .filter_map(|name| Some((name.to_string(), std::env::var(name).ok()?))),
    );
    // What the template's LoggingConfig gives Lambda: JSON at INFO.
    environment.push(("AWS_LAMBDA_LOG_LEVEL".into(), "INFO".into()));
    Ok(FunctionSpec {
        name: definition.binary.clone(),
        binary,
        environment,
        timeout: definition.timeout,
        log_file: options
            .log_dir
            .as_ref()
            .map(|folder| folder.join(format!("{}.log", definition.binary))),
    })
}

/// Hands every completion event the rule delivered to the notifier, deleting it once the
/// notifier has handled it; one it failed on comes back after the queue's visibility timeout, as
/// Lambda's retries of an asynchronous invocation would.
async fn deliver_completions(route: CompletionRoute, notifier: Arc<Function>) {
    loop {
        let deliveries = match route.receive().await {
            Ok(deliveries) => deliveries,
            Err(error) => {
                eprintln!("completion deliveries: {error}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if deliveries.is_empty() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for delivery in deliveries {
            match notifier.invoke(delivery.event.to_string().as_bytes()).await {
                Ok(_) => {
                    if let Err(error) = route.delete(&delivery).await {
                        eprintln!("completion deliveries: {error}");
                    }
                }
                Err(failure) => eprintln!("{}: {failure}", notifier.spec.name),
            }
        }
    }
}

/// Hands the batch sender each batch of the send queue, as Lambda's event source mapping does, and
/// settles it as its partial batch response says (a failed invocation hands them all back).
async fn deliver_sends(queue: SendQueueRoute, sender: Arc<Function>) {
    loop {
        let event = match queue.receive().await {
            Ok(event) if event.records.is_empty() => {
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            Ok(event) => event,
            Err(error) => {
                eprintln!("send queue: {error}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let payload = serde_json::to_vec(&event).unwrap_or_default();
        let response = match sender.invoke(&payload).await {
            Ok(answer) => serde_json::from_slice(&answer).unwrap_or_default(),
            Err(failure) => {
                eprintln!("{}: {failure}", sender.spec.name);
                let mut all = aws_lambda_events::event::sqs::SqsBatchResponse::default();
                for record in &event.records {
                    all.add_failure(record.message_id.clone().unwrap_or_default());
                }
                all
            }
        };
        if let Err(error) = queue.settle(&event, &response).await {
            eprintln!("send queue: {error}");
        }
    }
}

/// Invokes `function` every `period` (first after one period, as a `rate` schedule does) with
/// the event of the EventBridge rule that SAM makes of a `Schedule` event.
async fn run_schedule(function: Arc<Function>, period: Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        ticks.tick().await;
        // EventBridge's times are whole seconds.
        let now =
            jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap_or_default();
        let event = json!({
            "version": "0", "id": ulid::Ulid::new().to_string(),
            "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": now.to_string(),
            "region": "eu-west-1", "resources": [], "detail": {}
        });
        if let Err(failure) = function.invoke(event.to_string().as_bytes()).await {
            eprintln!("{}: {failure}", function.spec.name);
        }
    }
}

/// The UTC date two weeks from now (`YYYY-MM-DD`): an answer deadline that is valid today.
pub fn in_two_weeks() -> String {
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(14 * 24);
    later.strftime("%Y-%m-%d").to_string()
}
