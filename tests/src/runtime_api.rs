//! A minimal Lambda Runtime API: it runs a function's real binary as Lambda does (the process polls
//! `invocation/next`, answers on `invocation/{id}/response` or `/error`). The benchmark measures
//! init duration (process start to the first poll) and invocation latency with it on the binary
//! that ships, not through cargo-lambda's emulator; the local HTTP API (crate::gateway) runs each
//! function in a [`Function`]: one execution environment, restarted when its process dies.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

use crate::Error;
use crate::faults::{find, read_request};

/// What the function answered to one invocation.
#[derive(Debug)]
pub struct Answered {
    /// The invocation answered (`None`: the process reported an init error).
    pub request_id: Option<String>,
    pub ok: bool,
    pub body: Vec<u8>,
    pub at: Instant,
}

struct Shared {
    events: Mutex<mpsc::UnboundedReceiver<(String, Vec<u8>)>>,
    answers: mpsc::UnboundedSender<Answered>,
    first_poll: std::sync::Mutex<Option<Instant>>,
}

/// One emulated Lambda execution environment, serving one function process.
pub struct RuntimeApi {
    pub address: String,
    shared: Arc<Shared>,
    events: mpsc::UnboundedSender<(String, Vec<u8>)>,
    answers: mpsc::UnboundedReceiver<Answered>,
    invocations: u64,
    accepting: JoinHandle<()>,
}

/// A Runtime API that is dropped stops listening: a restarted function gets a fresh one, and no
/// long poll of the dead process can take the next event.
impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl RuntimeApi {
    pub async fn start() -> Result<Self, Error> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?.to_string();
        let (events, event_queue) = mpsc::unbounded_channel();
        let (answer_sender, answers) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            events: Mutex::new(event_queue),
            answers: answer_sender,
            first_poll: std::sync::Mutex::new(None),
        });
        let serving = Arc::clone(&shared);
        let accepting = tokio::spawn(async move {
            while let Ok((connection, _)) = listener.accept().await {
                // Without it, Nagle's algorithm and delayed ACKs add 40 ms to every invocation.
                let _ = connection.set_nodelay(true);
                let shared = Arc::clone(&serving);
                tokio::spawn(async move {
                    let _ = serve(connection, shared).await;
                });
            }
        });
        Ok(Self {
            address,
            shared,
            events,
            answers,
            invocations: 0,
            accepting,
        })
    }

    /// Starts `binary` as Lambda would, with `environment` on top of Lambda's own variables, its
    /// output discarded (the benchmark's function, named `bench`).
    pub fn spawn(&self, binary: &str, environment: &[(String, String)]) -> Result<Child, Error> {
        Ok(self
            .command(binary, "bench", environment)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?)
    }

    /// The command that starts `binary` as Lambda would start function `name` here: only Lambda's
    /// own variables (JSON logs at WARN unless `environment` says otherwise) and `environment`.
    pub fn command(&self, binary: &str, name: &str, environment: &[(String, String)]) -> Command {
        let mut command = Command::new(binary);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", &self.address)
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            .env("AWS_LAMBDA_LOG_LEVEL", "WARN")
            .envs(environment.iter().map(|(name, value)| (name, value)))
            .kill_on_drop(true);
        command
    }

    /// When the process first asked for work (Lambda's end of init), waiting up to `patience`.
    pub async fn first_poll(&self, patience: Duration) -> Result<Instant, Error> {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(at) = *self.shared.first_poll.lock().map_err(|_| "poisoned")? {
                return Ok(at);
            }
            if Instant::now() > deadline {
                return Err("the function never asked for work".into());
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }

    /// Hands the function one event and waits for its answer, up to 30 s.
    pub async fn invoke(&mut self, event: &[u8]) -> Result<Answered, Error> {
        tokio::time::timeout(Duration::from_secs(30), self.answer(event)).await?
    }

    /// Hands the function one event and waits for its answer, however long it takes.
    pub async fn answer(&mut self, event: &[u8]) -> Result<Answered, Error> {
        self.invocations += 1;
        let id = format!("local-{}", self.invocations);
        self.events
            .send((id.clone(), event.to_vec()))
            .map_err(|_| "the Runtime API is gone")?;
        loop {
            let answer = self.answers.recv().await.ok_or("the Runtime API is gone")?;
            // An answer to an earlier invocation whose caller stopped waiting is dropped.
            if answer
                .request_id
                .as_ref()
                .is_none_or(|answered| *answered == id)
            {
                return Ok(answer);
            }
        }
    }
}

/// Why an invocation of a [`Function`] has no answer; API Gateway answers each with a 500.
#[derive(Debug)]
pub enum Failure {
    /// The function reported an error (Runtime API `/error`): its error document.
    Error(Vec<u8>),
    /// The process ended (or never started) before answering; it has been restarted.
    Crashed(String),
    /// No answer within the function's timeout; the process was stopped and restarted.
    TimedOut(Duration),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Error(document) => write!(f, "error {}", String::from_utf8_lossy(document)),
            Self::Crashed(why) => write!(f, "crashed: {why}"),
            Self::TimedOut(after) => write!(f, "timed out after {} s", after.as_secs()),
        }
    }
}

/// How a [`Function`] is run: its binary, name, timeout and environment, and where its output goes.
#[derive(Debug, Clone)]
pub struct FunctionSpec {
    pub name: String,
    pub binary: PathBuf,
    /// The function's variables, on top of Lambda's own.
    pub environment: Vec<(String, String)>,
    /// Lambda's timeout of one invocation (the template's `Timeout`).
    pub timeout: Duration,
    /// The file that the process's stdout and stderr are appended to (its log group); `None`
    /// discards them.
    pub log_file: Option<PathBuf>,
}

/// One function in one execution environment, as Lambda runs it: one invocation at a time (the
/// others wait their turn), its process restarted when it dies or overruns its timeout.
pub struct Function {
    pub spec: FunctionSpec,
    environment: Mutex<Option<Environment>>,
}

struct Environment {
    api: RuntimeApi,
    process: Child,
}

impl Function {
    /// Starts the process and waits (up to 10 s) until it asks for work: errors if it exits first.
    pub async fn start(spec: FunctionSpec) -> Result<Self, Error> {
        let environment = Environment::start(&spec).await?;
        Ok(Self {
            spec,
            environment: Mutex::new(Some(environment)),
        })
    }

    /// The function's answer to `event` (its response document, as JSON bytes).
    pub async fn invoke(&self, event: &[u8]) -> Result<Vec<u8>, Failure> {
        let mut slot = self.environment.lock().await;
        // A process that died between invocations is replaced before this one, as Lambda never
        // hands an event to a dead environment.
        if let Some(environment) = slot.as_mut()
            && !matches!(environment.process.try_wait(), Ok(None))
        {
            eprintln!("{}: exited while idle; restarting it", self.spec.name);
            *slot = None;
        }
        if slot.is_none() {
            // It could not be restarted after its last failure: one more try for this event.
            let started = Environment::start(&self.spec).await;
            *slot = Some(started.map_err(|error| Failure::Crashed(error.to_string()))?);
        }
        let Some(environment) = slot.as_mut() else {
            unreachable!("started above")
        };
        let outcome = tokio::select! {
            answered = tokio::time::timeout(self.spec.timeout, environment.api.answer(event)) => {
                match answered {
                    Ok(Ok(answer)) if answer.ok => return Ok(answer.body),
                    Ok(Ok(answer)) => return Err(Failure::Error(answer.body)),
                    Ok(Err(error)) => Failure::Crashed(error.to_string()),
                    Err(_) => Failure::TimedOut(self.spec.timeout),
                }
            }
            status = environment.process.wait() => {
                Failure::Crashed(status.map_or_else(|error| error.to_string(), |status| status.to_string()))
            }
        };
        eprintln!("{}: {outcome}; restarting it", self.spec.name);
        // Dropping the environment kills the process and closes its Runtime API.
        *slot = Environment::start(&self.spec).await.ok();
        Err(outcome)
    }
}

impl Environment {
    async fn start(spec: &FunctionSpec) -> Result<Self, Error> {
        let api = RuntimeApi::start().await?;
        let binary = spec
            .binary
            .to_str()
            .ok_or("a binary path that is not UTF-8")?;
        let mut command = api.command(binary, &spec.name, &spec.environment);
        match &spec.log_file {
            Some(path) => {
                let log = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?;
                command.stdout(log.try_clone()?).stderr(log);
            }
            None => {
                command.stdout(Stdio::null()).stderr(Stdio::null());
            }
        }
        let mut process = command
            .spawn()
            .map_err(|error| format!("{}: cannot start {binary}: {error}", spec.name))?;
        tokio::select! {
            polled = api.first_poll(Duration::from_secs(10)) => { polled?; }
            status = process.wait() => {
                let log = spec.log_file.as_ref().map_or_else(
                    || "its output was discarded".to_owned(),
                    |path| format!("see {}", path.display()),
                );
                return Err(format!("{} exited during init ({}; {log})", spec.name, status?).into());
            }
        }
        Ok(Self { api, process })
    }
}

async fn serve(mut connection: TcpStream, shared: Arc<Shared>) -> Result<(), Error> {
    while let Some(request) = read_request(&mut connection).await? {
        let head_end = find(&request, b"\r\n\r\n").ok_or("no head")? + 4;
        let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
        let line = head.lines().next().unwrap_or_default().to_owned();
        if line.starts_with("GET /2018-06-01/runtime/invocation/next") {
            shared
                .first_poll
                .lock()
                .map_err(|_| "poisoned")?
                .get_or_insert_with(Instant::now);
            let Some((id, event)) = shared.events.lock().await.recv().await else {
                return Ok(());
            };
            let deadline = jiff::Timestamp::now().as_millisecond() + 30_000;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                 lambda-runtime-aws-request-id: {id}\r\nlambda-runtime-deadline-ms: {deadline}\r\n\
                 lambda-runtime-invoked-function-arn: arn:aws:lambda:eu-west-1:123456789012:function:bench\r\n\
                 lambda-runtime-trace-id: Root=1-00000000-000000000000000000000000\r\n\
                 content-length: {}\r\n\r\n",
                event.len()
            );
            let mut answer = head.into_bytes();
            answer.extend_from_slice(&event);
            connection.write_all(&answer).await?;
        } else if line.starts_with("POST /2018-06-01/runtime/") {
            let ok = line.contains("/response ");
            let request_id = line
                .split_whitespace()
                .nth(1)
                .and_then(|path| path.strip_prefix("/2018-06-01/runtime/invocation/"))
                .and_then(|rest| rest.split('/').next())
                .map(str::to_owned);
            let _ = shared.answers.send(Answered {
                request_id,
                ok,
                body: request[head_end..].to_vec(),
                at: Instant::now(),
            });
            connection
                .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n")
                .await?;
        } else {
            connection
                .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A function written in sh: counts its starts in `$STARTS`, then takes invocations and, as
    /// `$MODE` says, answers each with its request id, dies (`crash`) or never answers (`hang`).
    const FUNCTION: &str = r#"#!/bin/sh
echo started >> "$STARTS"
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
while :; do
  id=$(/usr/bin/curl -s -D - -o /dev/null "$api/next" | /usr/bin/tr -d '\r' | /usr/bin/sed -n 's/^lambda-runtime-aws-request-id: //p')
  case "$MODE" in
    crash) exit 3 ;;
    hang) exec /usr/bin/sleep 60 ;;
  esac
  /usr/bin/curl -s -o /dev/null -d "{\"answered\":\"$id\"}" "$api/$id/response"
done
"#;

    async fn function(mode: &str) -> (Function, PathBuf) {
        use std::os::unix::fs::PermissionsExt;
        let folder = std::env::temp_dir().join(format!("runtime-api-{}", ulid::Ulid::new()));
        std::fs::create_dir_all(&folder).unwrap();
        let binary = folder.join("bootstrap");
        std::fs::write(&binary, FUNCTION).unwrap();
        std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
        let starts = folder.join("starts");
        let spec = FunctionSpec {
            name: format!("sh-{mode}"),
            binary,
            environment: vec![
                ("MODE".into(), mode.into()),
                ("STARTS".into(), starts.display().to_string()),
            ],
            timeout: Duration::from_secs(1),
            log_file: None,
        };
        (Function::start(spec).await.unwrap(), starts)
    }

    fn starts(file: &std::path::Path) -> usize {
        std::fs::read_to_string(file).unwrap().lines().count()
    }

    #[tokio::test]
    async fn invocations_wait_their_turn_in_one_environment() {
        let (function, starts_file) = function("answer").await;
        let (first, second) = tokio::join!(function.invoke(b"{}"), function.invoke(b"{}"));
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_ne!(first, second, "each invocation its own request id");
        assert_eq!(starts(&starts_file), 1);
    }

    #[tokio::test]
    async fn a_function_that_dies_or_overruns_is_restarted() {
        let (crashing, starts_file) = function("crash").await;
        assert!(matches!(
            crashing.invoke(b"{}").await,
            Err(Failure::Crashed(_))
        ));
        assert!(matches!(
            crashing.invoke(b"{}").await,
            Err(Failure::Crashed(_))
        ));
        assert_eq!(
            starts(&starts_file),
            3,
            "started, then restarted after each crash"
        );
        // Killed while idle: the next invocation gets a new process and its answer.
        let (answering, starts_file) = function("answer").await;
        answering.invoke(b"{}").await.unwrap();
        let pid = answering
            .environment
            .lock()
            .await
            .as_ref()
            .unwrap()
            .process
            .id()
            .unwrap();
        std::process::Command::new("kill")
            .arg("-9")
            .arg(pid.to_string())
            .status()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        answering.invoke(b"{}").await.unwrap();
        assert_eq!(starts(&starts_file), 2);
        let (hanging, starts_file) = function("hang").await;
        assert!(matches!(
            hanging.invoke(b"{}").await,
            Err(Failure::TimedOut(_))
        ));
        assert_eq!(starts(&starts_file), 2);
    }
}
