//! The local AWS stand-in for people, used by scripts/run-local; reads the same environment as the
//! functions.
//!
//! - `setup`: creates the service's table (from infra/template.yaml), verifies the sender's domain,
//!   and creates the bus `bus-local` with the notifier's rule (from the template), delivering to a
//!   queue in place of the function, the batch send queue `send-local` and its dead-letter queue
//!   (from the template), and the secrets `link-key-local`, `lookup-key-local` and
//!   `webhook-key-local` (the follow-up link key, the candidate lookup key and the webhook key, as
//!   the template generates them).
//! - `candidate-token`: the personal token in the newest invitation email.
//! - `deliveries`: the completion events EventBridge delivered since the last call, one per line.
//! - `emails`: what SES was asked to send.
//! - `message-id <invitation>`: the SES message id of invitation `<invitation>`'s (of organization
//!   `acme`) last invitation email, as SES's events name it.
//! - `sweep-reminders-at <instant>`: the `deadline-reminders` function's handler, configured from the
//!   environment as the function is, with its clock standing at `instant` (RFC 3339): a sweep as it
//!   would run then, so that a reminder can be seen today without waiting for its day.

use deadline_reminders::config::DeadlineRemindersConfig;
use deadline_reminders::{DeadlineReminders, SCHEDULED_EVENT, Settings};
use integration_tests::send_queue::SendQueueRoute;
use integration_tests::world::candidate_token_in;
use integration_tests::{
    CompletionRoute, Error, create_link_key, create_lookup_key, create_table, create_webhook_key,
    sdk_config, sent_emails, verify_sender_identity,
};
use invitations::adapters::dynamodb::DynamoStore;
use invitations::adapters::secrets::read_link_key;
use invitations::adapters::ses::SesMailer;
use invitations::config::Configuration;
use invitations::ports::FixedClock;

/// The name of the local completion route: its bus is `bus-local`.
const ROUTE: &str = "local";

#[tokio::main]
async fn main() -> Result<(), Error> {
    match std::env::args().nth(1).as_deref() {
        Some("setup") => setup().await,
        Some("candidate-token") => print_candidate_token().await,
        Some("deliveries") => print_deliveries().await,
        Some("emails") => print_emails().await,
        Some("message-id") => {
            let invitation = std::env::args().nth(2).ok_or("message-id <invitation>")?;
            print_message_id(&invitation).await
        }
        Some("sweep-reminders-at") => {
            let instant = std::env::args()
                .nth(2)
                .ok_or("sweep-reminders-at <instant>")?;
            sweep_reminders_at(&instant).await
        }
        _ => Err(
            "usage: local-aws setup|candidate-token|deliveries|emails|message-id <invitation>|sweep-reminders-at <instant>"
                .into(),
        ),
    }
}

async fn print_message_id(invitation: &str) -> Result<(), Error> {
    let item = aws_sdk_dynamodb::Client::new(&sdk_config().await)
        .get_item()
        .table_name(std::env::var("TABLE_NAME")?)
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S("ORG#acme".into()),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("INV#{invitation}")),
        )
        .send()
        .await?
        .item
        .ok_or("no such invitation")?;
    let id = item
        .get("sesMessageId")
        .and_then(|id| id.as_s().ok())
        .ok_or("the invitation has no message id")?;
    println!("{id}");
    Ok(())
}

async fn sweep_reminders_at(instant: &str) -> Result<(), Error> {
    let config = DeadlineRemindersConfig::from_env()?;
    let sdk = sdk_config().await;
    let link_key = read_link_key(
        &aws_sdk_secretsmanager::Client::new(&sdk),
        &config.link_key_secret_arn,
    )
    .await?;
    let reminders = DeadlineReminders::new(
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name),
        SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), &config.mail),
        FixedClock(instant.parse()?),
        Settings::from(&config),
        link_key,
    );
    let event = serde_json::json!({
        "version": "0", "id": "local", "detail-type": SCHEDULED_EVENT.0, "source": SCHEDULED_EVENT.1,
        "account": "123456789012", "time": instant, "region": "eu-west-1", "resources": [],
        "detail": {}
    });
    println!("{:?}", reminders.handle(&event).await?);
    Ok(())
}

async fn print_candidate_token() -> Result<(), Error> {
    let app = std::env::var("CANDIDATE_APP_URL")?;
    let emails = sent_emails().await?;
    let invitation = emails
        .iter()
        .rev()
        .find(|email| email.html.contains(&app))
        .ok_or("no invitation email was sent")?;
    println!("{}", candidate_token_in(&invitation.html, &app).expose());
    Ok(())
}

async fn print_deliveries() -> Result<(), Error> {
    let route = CompletionRoute::existing(&sdk_config().await, ROUTE).await?;
    for event in route.delivered().await? {
        println!("{event}");
    }
    Ok(())
}

async fn setup() -> Result<(), Error> {
    let sdk = sdk_config().await;
    let table = std::env::var("TABLE_NAME")?;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let existing = dynamodb
        .list_tables()
        .send()
        .await?
        .table_names
        .unwrap_or_default();
    if !existing.contains(&table) {
        create_table(&dynamodb, &table).await?;
    }
    let sender = std::env::var("SENDER_EMAIL")?;
    let domain = invitations::config::sender(&sender)?
        .address
        .as_str()
        .rsplit_once('@')
        .map(|(_, domain)| domain.to_owned())
        .ok_or("SENDER_EMAIL has no domain")?;
    verify_sender_identity(&aws_sdk_sesv2::Client::new(&sdk), &domain).await?;
    let route = CompletionRoute::create(&sdk, ROUTE).await?;
    let send_queue = SendQueueRoute::create(&sdk, ROUTE).await?;
    let configured = std::env::var("SEND_QUEUE_URL")?;
    if configured != send_queue.queue_url {
        return Err(format!(
            "SEND_QUEUE_URL is {configured}, but the send queue is {} (scripts/local.env)",
            send_queue.queue_url
        )
        .into());
    }
    let link_key = create_link_key(&sdk, ROUTE).await?;
    let lookup_key = create_lookup_key(&sdk, ROUTE).await?;
    let webhook_key = create_webhook_key(&sdk, ROUTE).await?;
    println!(
        "table {table} created from infra/template.yaml; sender domain {domain} verified; \
         bus {} routes VideoInterviewCompleted to a local queue; batch send queue {}; \
         link key {link_key}; lookup key {lookup_key}; webhook key {webhook_key}",
        route.bus_name, send_queue.queue_url
    );
    Ok(())
}

async fn print_emails() -> Result<(), Error> {
    let emails = sent_emails().await?;
    println!("{} email(s) sent through SES:", emails.len());
    for email in emails {
        let d = &email.destinations;
        println!("\n----------------------------------------------------------------------");
        println!("From:    {}", email.source);
        println!("To:      {}", d.to_addresses.join(", "));
        if !d.bcc_addresses.is_empty() {
            println!("Bcc:     {}", d.bcc_addresses.join(", "));
        }
        println!("Subject: {}", email.subject);
        println!("\n{}", readable(&email.html));
    }
    Ok(())
}

/// The HTML body as plain lines, enough to read it in a terminal (the stand-in keeps only the
/// HTML part of a message).
fn readable(html: &str) -> String {
    let body = html
        .split_once("<body")
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or(html, |(_, body)| body)
        .replace("<br>", "\n");
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    // Askama's escapes; `&` last, so that an escaped escape stays as the author wrote it.
    let text = text
        .replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&");
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
