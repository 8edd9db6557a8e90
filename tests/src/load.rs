//! The load test: many invitation requests at once against the local stand-in, a share of them
//! client retries with the same `Idempotency-Key` (some while their original still runs), then a
//! check of what was stored and sent: one invitation and one email per distinct key, every email
//! the one its invitation records, and no error answer but the 409s that tell a retry to wait.
//! Then many concurrent deliveries of one completion event: one notification.
//!
//! The batch part ([`run_batch`]): one `POST /invitation-batches` of many rows (some invalid, some
//! duplicates), then two sender instances draining the send queue at once at the configured rate,
//! as Lambda's event source mapping runs them: one email per accepted row, every invitation
//! `sent`, no dead letter, the throughput near the rate and never above it, and the AWS requests
//! per row of the POST and of the sender.
//!
//! `scripts/load-test` runs it at full size; the test suite runs a smaller one.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::Error;
use crate::calls::CallLog;
use crate::events::ApiEvent;
use crate::send_queue::SendQueueRoute;
use crate::world::{Answer, SENDER, Sender, World, read_mailbox};

#[derive(Debug, Clone, Copy)]
pub struct LoadSize {
    /// Requests sent in all, retries included.
    pub requests: usize,
    /// Requests in flight at once (as many Lambda instances).
    pub concurrency: usize,
    /// One request in this many is a retry of an earlier one.
    pub retry_every: usize,
    /// Concurrent deliveries of one completion event.
    pub deliveries: usize,
}

#[derive(Debug)]
pub struct LoadReport {
    pub requests: usize,
    pub distinct_keys: usize,
    pub replays: usize,
    /// Answers 409 (the first request with that key still running), each retried until answered.
    pub in_progress_answers: usize,
    pub stored_invitations: usize,
    pub emails: usize,
    pub elapsed: Duration,
    pub latency_p50: Duration,
    pub latency_p99: Duration,
    pub notifications: usize,
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} invitation requests ({} distinct keys, {} answered as replays, {} answered 409 and retried)",
            self.requests, self.distinct_keys, self.replays, self.in_progress_answers
        )?;
        writeln!(
            f,
            "stored {} invitations, sent {} emails; {:.1} s, {:.0} requests/s, latency p50 {} ms, p99 {} ms",
            self.stored_invitations,
            self.emails,
            self.elapsed.as_secs_f64(),
            self.requests as f64 / self.elapsed.as_secs_f64(),
            self.latency_p50.as_millis(),
            self.latency_p99.as_millis()
        )?;
        write!(
            f,
            "completion event delivered concurrently: {} notification(s)",
            self.notifications
        )
    }
}

/// A deterministic order (xorshift), so that a failing run can be repeated exactly.
fn shuffled<T>(mut items: Vec<T>, mut seed: u64) -> Vec<T> {
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        items.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    items
}

struct Request {
    key: String,
    form: Value,
}

pub async fn run(world: &World, size: LoadSize) -> Result<LoadReport, Error> {
    let video_interview = world.create_video_interview(&world.acme, "Load").await;
    let distinct = size.requests - size.requests / size.retry_every;
    let originals: Vec<Request> = (0..distinct)
        .map(|n| {
            let mut form = world.invitation_form(&video_interview, "en", n % 2 == 0);
            form["email"] = json!(world.candidate_email(&format!("c{n}")));
            Request {
                key: format!("load-{n:05}"),
                form,
            }
        })
        .collect();
    // Retries of the originals, placed soon after them, so that some run alongside their original.
    let mut order: Vec<usize> = (0..distinct).collect();
    let retries = shuffled((0..distinct).collect::<Vec<_>>(), 0x9e37_79b9_7f4a_7c15)
        .into_iter()
        .take(size.requests - distinct);
    for (i, original) in retries.enumerate() {
        let at = (original + 1 + i % size.concurrency).min(order.len());
        order.insert(at, original);
    }

    let queue = Arc::new(Mutex::new(order.into_iter()));
    let originals = Arc::new(originals);
    let started = Instant::now();
    let workers: Vec<_> = (0..size.concurrency)
        .map(|_| {
            let api = world.recruiter_api_at(crate::world::NOW);
            let (queue, originals, claims) = (
                Arc::clone(&queue),
                Arc::clone(&originals),
                world.acme.clone(),
            );
            tokio::spawn(async move {
                let mut answers = Vec::new();
                loop {
                    let Some(index) = queue.lock().await.next() else {
                        return answers;
                    };
                    let request = &originals[index];
                    let begun = Instant::now();
                    let mut waits: u32 = 0;
                    let answer = loop {
                        let event = ApiEvent::post("/invitations", &request.form)
                            .header("idempotency-key", &request.key)
                            .claims(&claims);
                        let answer = Answer::from(api.handle(event.into_request()).await);
                        // A client's retry: back off and ask again until the first request has
                        // answered (at most about 30 s, the API Gateway limit).
                        if answer.status == 409 && waits < 150 {
                            waits += 1;
                            let backoff = 10 * 2_u64.pow(waits.min(5));
                            tokio::time::sleep(Duration::from_millis(backoff)).await;
                            continue;
                        }
                        break answer;
                    };
                    answers.push((index, answer, waits, begun.elapsed()));
                }
            })
        })
        .collect();
    let mut answers = Vec::new();
    for worker in workers {
        answers.extend(worker.await?);
    }
    let elapsed = started.elapsed();

    // Every answer a success, and every answer for a key the same invitation.
    let mut ids: HashMap<usize, String> = HashMap::new();
    let (mut replays, mut in_progress_answers, mut latencies) = (0, 0, Vec::new());
    for (index, answer, waits, latency) in &answers {
        if answer.status != 201 {
            return Err(format!("request {index}: {} {}", answer.status, answer.body).into());
        }
        in_progress_answers += *waits as usize;
        replays += usize::from(answer.header("idempotent-replayed") == "true");
        latencies.push(*latency);
        let id = answer.body["id"].as_str().ok_or("no id")?.to_owned();
        if let Some(earlier) = ids.insert(*index, id.clone())
            && earlier != id
        {
            return Err(format!("key {index} answered {earlier} and {id}").into());
        }
    }
    latencies.sort();

    // What was stored and sent: one invitation and one email per key, each matching the other.
    let items = world.items().await;
    let invitations: Vec<_> = items
        .iter()
        .filter(|item| item.get("entity") == Some(&AttributeValue::S("Invitation".into())))
        .collect();
    let emails = world.emails().await;
    let by_message: HashMap<&str, &crate::SentEmail> = emails
        .iter()
        .map(|email| (email.id.as_str(), email))
        .collect();
    let text = |item: &HashMap<String, AttributeValue>, name: &str| match item.get(name) {
        Some(AttributeValue::S(value)) => value.clone(),
        _ => String::new(),
    };
    let mut matched = HashSet::new();
    for invitation in &invitations {
        let message = text(invitation, "sesMessageId");
        let email = by_message
            .get(message.as_str())
            .ok_or_else(|| format!("invitation {} has no sent email", text(invitation, "id")))?;
        if email.to_addresses() != [text(invitation, "email")] {
            return Err(format!("email {message} is not to its invitation's candidate").into());
        }
        matched.insert(message);
    }
    let stored_ids: HashSet<String> = invitations.iter().map(|item| text(item, "id")).collect();
    let answered_ids: HashSet<String> = ids.values().cloned().collect();
    if stored_ids != answered_ids || stored_ids.len() != distinct || emails.len() != distinct {
        return Err(format!(
            "{distinct} keys: {} answered, {} stored, {} emails",
            answered_ids.len(),
            stored_ids.len(),
            emails.len()
        )
        .into());
    }

    let notifications = concurrent_deliveries(world, size.deliveries).await?;
    Ok(LoadReport {
        requests: answers.len(),
        distinct_keys: distinct,
        replays,
        in_progress_answers,
        stored_invitations: stored_ids.len(),
        emails: matched.len(),
        elapsed,
        latency_p50: latencies[latencies.len() / 2],
        latency_p99: latencies[latencies.len() * 99 / 100],
        notifications,
    })
}

/// One invitation with notify-me, its completion event delivered `deliveries` times at once, each
/// to a notifier of its own: the recruiter's notifications that went out.
async fn concurrent_deliveries(world: &World, deliveries: usize) -> Result<usize, Error> {
    let video_interview = world.create_video_interview(&world.globex, "Load").await;
    let form = world.invitation_form(&video_interview, "en", false);
    let sent = world.invite(&world.globex, &form).await;
    let id = sent.body["id"].as_str().ok_or("no invitation")?.to_owned();
    let event = json!({
        "version": "0", "id": "load", "detail-type": invitations::domain::events::DETAIL_TYPE,
        "source": invitations::domain::events::SOURCE, "account": "123456789012",
        "time": "2026-12-08T09:45:00Z", "region": "eu-west-1", "resources": [],
        "detail": {"organizationId": "globex", "invitationId": id, "completedAt": "2026-12-08T09:45:00Z"}
    });
    let handles: Vec<_> = (0..deliveries)
        .map(|_| {
            let (notifier, event) = (
                world.notifier(SENDER, "2026-12-08T09:45:05Z"),
                event.clone(),
            );
            tokio::spawn(async move { notifier.handle(&event).await.map_err(|e| e.to_string()) })
        })
        .collect();
    for handle in handles {
        handle.await??;
    }
    let recruiter = world.globex.email.clone();
    Ok(world
        .emails()
        .await
        .iter()
        .filter(|email| email.to_addresses() == [recruiter.clone()])
        .count())
}

/// The batch part's size: one `POST /invitation-batches` of `rows` rows, then the send queue
/// drained by [`SENDER_INSTANCES`] sender instances at once, all of them together at `send_rate`.
#[derive(Debug, Clone, Copy)]
pub struct BatchLoadSize {
    /// Rows in the batch (at most 1,000): one in 50 invalid, one in 50 a duplicate of the row
    /// before it (in capitals), every other one accepted.
    pub rows: usize,
    /// Emails per second of all the sender's instances together (`SEND_RATE`).
    pub send_rate: f64,
}

/// How many sender instances drain the queue at once: `SENDER_CONCURRENCY`, as
/// [`World::invitation_sender`] shares the rate out (each sends at half of it).
pub const SENDER_INSTANCES: usize = 2;

/// How far the batch's measured throughput ([`BatchLoadReport::throughput`]) may stray from the
/// configured rate, as fractions of it: no more than 5 % above (the pacing holds: both instances
/// send their first email at once, so `n` emails take at least `n / 2 - 1` intervals, at most
/// `n / (n - 2)` times the rate, under 5 % from 42 emails up), and no more than 10 % below (the
/// pacing sets the pace, not a stall or the stand-in).
pub const RATE_ABOVE: f64 = 0.05;
pub const RATE_BELOW: f64 = 0.10;

/// What one sender instance did while draining the queue.
#[derive(Debug, Default, Clone)]
pub struct SenderInstance {
    /// Invocations (batches of messages received, up to the template's `BatchSize` each).
    pub invocations: usize,
    pub messages: usize,
    /// Messages its answers named for delivery again.
    pub handed_back: usize,
    /// Emails it asked SES to send.
    pub sends: usize,
    /// The mean time between two of its sends (the first's start to the last's).
    pub mean_gap: Duration,
    /// The median time between two of its sends: within one invocation, where the queue's work
    /// between invocations does not count.
    pub median_gap: Duration,
    /// The time it spent in its own AWS requests (the stand-in's answers), per email sent.
    pub aws_time_per_send: Duration,
    /// The time the event source mapping spent on its messages (receiving them, then deleting
    /// them or making them visible again), in all and per message.
    pub queue_time: Duration,
    pub queue_time_per_message: Duration,
}

#[derive(Debug)]
pub struct BatchLoadReport {
    pub rows: usize,
    pub accepted: usize,
    pub duplicates: usize,
    pub invalid: usize,
    /// The `POST /invitation-batches` request, answered 202 (a fresh recruiter API instance).
    pub post_elapsed: Duration,
    /// Its AWS requests, by IAM action (a transaction as one request).
    pub post_calls: BTreeMap<String, usize>,
    pub send_rate: f64,
    /// Each instance's least time between two sends (its share of the rate).
    pub send_interval: Duration,
    pub instances: Vec<SenderInstance>,
    /// From the senders' start until SES answered the batch's last email: the time the batch took
    /// to go out.
    pub sending_time: Duration,
    /// From the senders' start until both found the queue empty (the last messages deleted).
    pub drain_time: Duration,
    /// The sender's AWS requests (both instances), by IAM action.
    pub sender_calls: BTreeMap<String, usize>,
    /// Emails SES took for the batch: one per accepted row, checked.
    pub emails: usize,
    /// `sending.sent` of `GET /invitation-batches/{id}` afterwards.
    pub sent: usize,
    pub dead_letters: usize,
}

impl BatchLoadReport {
    /// Emails per second over the wall time the batch took to go out ([`Self::sending_time`]).
    pub fn throughput(&self) -> f64 {
        self.emails as f64 / self.sending_time.as_secs_f64()
    }

    pub fn post_calls_per_row(&self) -> f64 {
        self.post_calls.values().sum::<usize>() as f64 / self.rows as f64
    }

    /// The sender's AWS requests per accepted row (each sent once).
    pub fn sender_calls_per_row(&self) -> f64 {
        self.sender_calls.values().sum::<usize>() as f64 / self.accepted as f64
    }

    /// The throughput within [`RATE_ABOVE`] above and [`RATE_BELOW`] below the configured rate.
    pub fn check_rate(&self) -> Result<(), Error> {
        let (throughput, rate) = (self.throughput(), self.send_rate);
        if throughput > rate * (1.0 + RATE_ABOVE) {
            return Err(format!(
                "{throughput:.2} emails/s is more than {:.0} % above the configured {rate} emails/s: the pacing does not hold",
                RATE_ABOVE * 100.0
            )
            .into());
        }
        if throughput < rate * (1.0 - RATE_BELOW) {
            return Err(format!(
                "{throughput:.2} emails/s is more than {:.0} % below the configured {rate} emails/s \
                 (each instance's time between sends {} ms on average, {} ms the median, against its interval of {} ms: \
                 its own AWS requests {} ms per email, the queue's {} ms per message)",
                RATE_BELOW * 100.0,
                self.mean_gap().as_millis(),
                weighted(&self.instances, |instance| instance.median_gap).as_millis(),
                self.send_interval.as_millis(),
                self.aws_time_per_send().as_millis(),
                weighted(&self.instances, |instance| instance.queue_time_per_message).as_millis(),
            )
            .into());
        }
        Ok(())
    }

    /// The instances' mean time between two sends, weighted by their sends.
    fn mean_gap(&self) -> Duration {
        weighted(&self.instances, |instance| instance.mean_gap)
    }

    fn aws_time_per_send(&self) -> Duration {
        weighted(&self.instances, |instance| instance.aws_time_per_send)
    }
}

fn weighted(instances: &[SenderInstance], value: impl Fn(&SenderInstance) -> Duration) -> Duration {
    let sends: usize = instances.iter().map(|instance| instance.sends).sum();
    let total: f64 = instances
        .iter()
        .map(|instance| value(instance).as_secs_f64() * instance.sends as f64)
        .sum();
    Duration::from_secs_f64(total / sends.max(1) as f64)
}

fn calls_line(calls: &BTreeMap<String, usize>, per: usize) -> String {
    calls
        .iter()
        .map(|(action, count)| format!("{action} {:.2}", *count as f64 / per as f64))
        .collect::<Vec<_>>()
        .join(", ")
}

impl std::fmt::Display for BatchLoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "invitation batch of {} rows ({} accepted, {} duplicates, {} invalid): POST answered 202 in {:.1} s",
            self.rows,
            self.accepted,
            self.duplicates,
            self.invalid,
            self.post_elapsed.as_secs_f64()
        )?;
        writeln!(
            f,
            "  POST's AWS requests: {} in all, {:.2} per row ({})",
            self.post_calls.values().sum::<usize>(),
            self.post_calls_per_row(),
            calls_line(&self.post_calls, self.rows)
        )?;
        writeln!(
            f,
            "  sent {} emails (one per accepted row), {} sent as the batch reads, {} dead letters",
            self.emails, self.sent, self.dead_letters
        )?;
        writeln!(
            f,
            "  {} sender instances at {} emails/s in all (each at most one per {} ms): all sent in {:.1} s, {:.2} emails/s ({:.1} % of the configured rate); the queue empty after {:.1} s",
            self.instances.len(),
            self.send_rate,
            self.send_interval.as_millis(),
            self.sending_time.as_secs_f64(),
            self.throughput(),
            self.throughput() / self.send_rate * 100.0,
            self.drain_time.as_secs_f64()
        )?;
        for (n, instance) in self.instances.iter().enumerate() {
            writeln!(
                f,
                "    instance {}: {} invocations, {} messages ({} handed back), {} emails, one per {} ms on average ({} ms the median): its AWS requests {} ms per email, the queue's {} ms per message",
                n + 1,
                instance.invocations,
                instance.messages,
                instance.handed_back,
                instance.sends,
                instance.mean_gap.as_millis(),
                instance.median_gap.as_millis(),
                instance.aws_time_per_send.as_millis(),
                instance.queue_time_per_message.as_millis()
            )?;
        }
        write!(
            f,
            "  sender's AWS requests: {} in all, {:.2} per row ({})",
            self.sender_calls.values().sum::<usize>(),
            self.sender_calls_per_row(),
            calls_line(&self.sender_calls, self.accepted)
        )
    }
}

/// The rows of the batch, and the addresses of the accepted ones.
fn batch_rows(world: &World, rows: usize) -> (Vec<Value>, Vec<String>, usize, usize) {
    let (mut candidates, mut accepted) = (Vec::new(), Vec::new());
    let (mut duplicates, mut invalid) = (0, 0);
    let languages = ["fi", "sv", "en"];
    for n in 0..rows {
        let row = match n % 50 {
            24 => {
                invalid += 1;
                json!({"firstName": "", "lastName": "Nobody", "email": format!("row {n}, not an address")})
            }
            49 => {
                // The row before, in capitals: a duplicate of it.
                duplicates += 1;
                let mut row: Value = candidates.last().cloned().unwrap_or_default();
                row["email"] = json!(
                    world
                        .candidate_email(&format!("b{:04}", n - 1))
                        .to_uppercase()
                );
                row
            }
            _ => {
                let email = world.candidate_email(&format!("b{n:04}"));
                accepted.push(email.clone());
                json!({
                    "firstName": "Aino", "lastName": format!("Järvinen {n}"), "email": email,
                    "language": languages[n % languages.len()],
                })
            }
        };
        candidates.push(row);
    }
    (candidates, accepted, duplicates, invalid)
}

/// The requests of `log` by IAM action (a transaction as one request, named by its items).
fn by_action(log: &CallLog) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for actions in log.requests() {
        let name = match &actions[..] {
            [action] => action.clone(),
            items => format!("dynamodb:TransactWriteItems({} items)", items.len()),
        };
        *counts.entry(name).or_insert(0) += 1;
    }
    counts
}

/// The batch part: one batch of `size.rows` rows posted at once, then [`SENDER_INSTANCES`]
/// sender instances draining the send queue at once, as Lambda's event source mapping runs them.
/// Checks one email per accepted row (by recipient), every invitation of the batch `sent`, the
/// queue empty and no dead letters; the throughput against the rate is the report's
/// [`BatchLoadReport::check_rate`].
pub async fn run_batch(world: &World, size: BatchLoadSize) -> Result<BatchLoadReport, Error> {
    let video_interview = world
        .create_video_interview(&world.acme, "Batch load")
        .await;
    let (candidates, expected, duplicates, invalid) = batch_rows(world, size.rows);
    let body = json!({
        "videoInterviewId": video_interview,
        "answerDeadline": "2026-12-15",
        "timeZone": "Europe/Helsinki",
        "language": "fi",
        "bccMyself": false,
        "notifyMe": true,
        "candidates": candidates,
    });
    world.calls.recruiter_api.clear();
    world.calls.invitation_sender.clear();
    let started = Instant::now();
    let answer = world
        .call_at(
            crate::world::NOW,
            ApiEvent::post("/invitation-batches", &body).claims(&world.acme),
        )
        .await;
    let post_elapsed = started.elapsed();
    let post_calls = by_action(&world.calls.recruiter_api);
    if answer.status != 202 {
        return Err(format!("the batch: {} {}", answer.status, answer.body).into());
    }
    let counts = &answer.body["counts"];
    let count = |name: &str| counts[name].as_u64().unwrap_or(u64::MAX) as usize;
    if (
        count("accepted"),
        count("duplicate"),
        count("invalid"),
        count("alreadyInvited"),
    ) != (expected.len(), duplicates, invalid, 0)
    {
        return Err(format!(
            "{} rows accepted, {duplicates} duplicates and {invalid} invalid expected; counted {counts}",
            expected.len()
        )
        .into());
    }
    let batch = answer.body["id"].as_str().ok_or("no batch id")?.to_owned();

    // Each instance with clients of its own, recorded in the world's log of the sender (what is
    // counted) and in the instance's own (what is timed: with two logs on one client, only the
    // last one's entries get their end, as `CallLog` keeps one entry index per request).
    let send_interval = Duration::from_secs_f64(SENDER_INSTANCES as f64 / size.send_rate);
    let rounds = 2 * size.rows.div_ceil(SendQueueRoute::batch_size()? as usize) + 10;
    let mut instances = Vec::new();
    for _ in 0..SENDER_INSTANCES {
        let own = CallLog::default();
        let shared = world.calls.invitation_sender.clone();
        let dynamodb = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&world.sdk)
                .interceptor(shared.clone())
                .interceptor(own.clone())
                .build(),
        );
        let ses = aws_sdk_sesv2::Client::from_conf(
            aws_sdk_sesv2::config::Builder::from(&world.sdk)
                .interceptor(shared)
                .interceptor(own.clone())
                .build(),
        );
        let sender =
            world.invitation_sender_through(dynamodb, ses, crate::world::NOW, size.send_rate);
        let queue = SendQueueRoute::existing(&world.sdk, &world.tag).await?;
        instances.push((own, sender, queue));
    }
    let started = Instant::now();
    let drains: Vec<_> = instances
        .into_iter()
        .map(|(own, sender, queue)| {
            tokio::spawn(async move {
                let drained = drain(&queue, &sender, rounds).await;
                drained.map(|instance| (instance, own))
            })
        })
        .collect();
    let mut drained = Vec::new();
    for drain in drains {
        drained.push(drain.await??);
    }
    let drain_time = started.elapsed();
    let last_sent = drained
        .iter()
        .flat_map(|(_, own)| own.calls())
        .filter(|call| call.actions.iter().any(|action| action == "ses:SendEmail"))
        .filter_map(|call| call.ended)
        .max()
        .ok_or("no email sent")?;
    let instances: Vec<SenderInstance> = drained
        .into_iter()
        .map(|(instance, own)| instance.with_calls(&own))
        .collect();
    let sender_calls = by_action(&world.calls.invitation_sender);

    // Nothing left: neither waiting nor in flight, nor dead.
    let left = queue_depth(world).await?;
    let dead_letters = world.send_queue.dead_letters().await?;
    if left != 0 || dead_letters != 0 {
        return Err(
            format!("{left} messages left in the queue, {dead_letters} dead letters").into(),
        );
    }

    // One email per accepted row, by recipient, and none to anyone else of this test.
    let tag = world.tag.to_lowercase();
    let mut received: HashMap<String, usize> = HashMap::new();
    let mut emails = 0;
    for email in crate::sent_emails().await? {
        if !email
            .all_recipients()
            .iter()
            .any(|to| to.to_lowercase().contains(&tag))
        {
            continue;
        }
        emails += 1;
        for to in &email.destinations.to_addresses {
            *received
                .entry(read_mailbox(to).address.to_lowercase())
                .or_insert(0) += 1;
        }
    }
    let missing: Vec<&String> = expected
        .iter()
        .filter(|address| !received.contains_key(*address))
        .collect();
    let doubled: Vec<(&String, &usize)> = received.iter().filter(|(_, n)| **n > 1).collect();
    let stray: Vec<&String> = received
        .keys()
        .filter(|address| !expected.contains(address))
        .collect();
    if !missing.is_empty() || !doubled.is_empty() || !stray.is_empty() || emails != expected.len() {
        return Err(format!(
            "{} accepted rows, {emails} emails: {} rows without one ({:?}...), {} with more ({:?}...), {} to no accepted row ({:?}...)",
            expected.len(),
            missing.len(),
            missing.first(),
            doubled.len(),
            doubled.first(),
            stray.len(),
            stray.first()
        )
        .into());
    }

    // The batch as the recruiter reads it: every invitation sent.
    let read = world
        .call_at(
            crate::world::NOW,
            ApiEvent::get(&format!("/invitation-batches/{batch}")).claims(&world.acme),
        )
        .await;
    let sending = &read.body["sending"];
    let sent = sending["sent"].as_u64().unwrap_or_default() as usize;
    if read.status != 200 || sent != expected.len() || sending["pending"] != 0 {
        return Err(format!(
            "the batch read {} with {} accepted rows: sending {sending}",
            read.status,
            expected.len()
        )
        .into());
    }

    Ok(BatchLoadReport {
        rows: size.rows,
        accepted: expected.len(),
        duplicates,
        invalid,
        post_elapsed,
        post_calls,
        send_rate: size.send_rate,
        send_interval,
        instances,
        sending_time: last_sent - started,
        drain_time,
        sender_calls,
        emails,
        sent,
        dead_letters,
    })
}

/// One sender instance as Lambda's event source mapping runs it: a batch of messages at a time
/// to `sender`, then deleted or made visible again as its answer says, until a receive finds no
/// message (the other instance may have taken the last ones: that ends it too). An error, not a
/// panic, after `rounds` batches (a message that keeps failing would never end it).
async fn drain(
    queue: &SendQueueRoute,
    sender: &Sender,
    rounds: usize,
) -> Result<SenderInstance, Error> {
    let mut instance = SenderInstance::default();
    while instance.invocations < rounds {
        let received = Instant::now();
        let event = queue.receive().await?;
        instance.queue_time += received.elapsed();
        if event.records.is_empty() {
            return Ok(instance);
        }
        let response = sender.handle(event.clone()).await;
        let settling = Instant::now();
        queue.settle(&event, &response).await?;
        instance.queue_time += settling.elapsed();
        instance.invocations += 1;
        instance.messages += event.records.len();
        instance.handed_back += response.batch_item_failures.len();
    }
    Err(format!("the send queue was not empty after {rounds} batches of one instance").into())
}

impl SenderInstance {
    /// Its sends and its time in AWS requests, from the log of its own clients.
    fn with_calls(mut self, log: &CallLog) -> Self {
        let calls = log.calls();
        let mut sends: Vec<Instant> = calls
            .iter()
            .filter(|call| call.actions.iter().any(|action| action == "ses:SendEmail"))
            .map(|call| call.started)
            .collect();
        sends.sort();
        self.sends = sends.len();
        let mut gaps: Vec<Duration> = sends.windows(2).map(|two| two[1] - two[0]).collect();
        gaps.sort();
        if let Some(median) = gaps.get(gaps.len() / 2) {
            self.median_gap = *median;
            self.mean_gap = gaps.iter().sum::<Duration>() / gaps.len() as u32;
        }
        let busy: Duration = calls
            .iter()
            .filter_map(|call| Some(call.ended? - call.started))
            .sum();
        self.aws_time_per_send = busy / self.sends.max(1) as u32;
        self.queue_time_per_message = self.queue_time / self.messages.max(1) as u32;
        self
    }
}

/// Messages in the send queue, visible or in flight.
async fn queue_depth(world: &World) -> Result<usize, Error> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let attributes = aws_sdk_sqs::Client::new(&world.sdk)
        .get_queue_attributes()
        .queue_url(&world.send_queue.queue_url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await?
        .attributes
        .unwrap_or_default();
    let mut depth = 0;
    for name in [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
    ] {
        depth += attributes
            .get(&name)
            .ok_or("no queue depth")?
            .parse::<usize>()?;
    }
    Ok(depth)
}
