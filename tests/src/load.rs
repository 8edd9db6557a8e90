//! The load test: many invitation requests at once against the local stand-in, a share of them
//! client retries with the same `Idempotency-Key` (some while their original still runs), then a
//! check of what was stored and sent: one invitation and one email per distinct key, every email
//! the one its invitation records, and no error answer but the 409s that tell a retry to wait.
//! Then many concurrent deliveries of one completion event: one notification.
//!
//! `scripts/load-test` runs it at full size; the test suite runs a smaller one.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::Error;
use crate::events::ApiEvent;
use crate::world::{Answer, SENDER, World};

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
