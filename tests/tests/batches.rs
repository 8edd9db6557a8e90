//! Invitation batches (issue 18) against the local stand-in, end to end: the recruiter API's
//! `POST /invitation-batches` over the real DynamoDB and SQS adapters, the send queue made from
//! the template, and the batch sender fed as Lambda's event source mapping feeds it, with SES
//! throttling, redelivered messages and a sender killed mid-send. Exactly one email per accepted
//! row, whatever happens. Also: a row whose candidate already holds an active invitation to the
//! batch's video interview is found through the table's candidate index, in any letter case, and
//! only in the inviting organization.

use integration_tests::events::{ApiEvent, Claims};
use integration_tests::faults::{Fault, FaultProxy};
use integration_tests::world::{Answer, NOW, World, lookup_key, read_mailbox, world};
use invitations::app::batches::mark_already_invited;
use invitations::domain::{InvitationId, OrganizationId, RowVerdict, VideoInterviewId, fixtures};
use serde_json::json;

/// The verdicts of a batch of rows to `emails` (all valid) that `recruiter`'s organization sends
/// to `interview`, after the already-invited lookup in `world`'s table.
async fn verdicts(
    world: &World,
    recruiter: &Claims,
    interview: VideoInterviewId,
    emails: &[&str],
) -> Vec<RowVerdict<()>> {
    let rows = fixtures::batch_rows(emails);
    let organization = OrganizationId::parse(&recruiter.organization_id).unwrap();
    let now: jiff::Timestamp = NOW.parse().unwrap();
    let (store, key) = (world.store(), lookup_key());
    let marked = mark_already_invited(&store, &organization, interview, &key, rows, now);
    marked.await.unwrap().into_verdicts()
}

#[tokio::test]
async fn a_candidate_invited_to_the_interview_is_found_in_the_table_in_any_case_and_organization_only()
 {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let email = world.candidate_email("asa");
    let mut form = world.invitation_form(&interview, "sv", false);
    form["email"] = json!(email);
    let answer = world.invite(&world.acme, &form).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let invited: InvitationId = answer.body["id"].as_str().unwrap().parse().unwrap();
    let interview: VideoInterviewId = interview.parse().unwrap();
    let shouted = email.to_uppercase();
    let other = world.candidate_email("eino");
    let found = verdicts(&world, &world.acme, interview, &[&other, &shouted]).await;
    assert!(matches!(found[0], RowVerdict::Accepted(_)), "{found:?}");
    assert_eq!(
        found[1],
        RowVerdict::AlreadyInvited {
            invitation: invited
        }
    );
    // Another organization inviting the same address to an interview with the same id: no match.
    let found = verdicts(&world, &world.globex, interview, &[&email]).await;
    assert!(matches!(found[0], RowVerdict::Accepted(_)), "{found:?}");
}

/// The body of a batch to `interview`, with `candidates` as given (a JSON array, or CSV text).
fn batch(interview: &str, candidates: serde_json::Value) -> serde_json::Value {
    let mut body = json!({
        "videoInterviewId": interview,
        "answerDeadline": "2026-12-15",
        "timeZone": "Europe/Helsinki",
        "language": "fi",
        "bccMyself": true,
        "notifyMe": true,
    });
    match candidates {
        serde_json::Value::String(csv) => body["candidatesCsv"] = json!(csv),
        rows => body["candidates"] = rows,
    }
    body
}

async fn post_batch(world: &World, body: &serde_json::Value) -> Answer {
    world
        .call(ApiEvent::post("/invitation-batches", body).claims(&world.acme))
        .await
}

/// The batch's rows' verdicts, in order.
fn verdict_list(answer: &Answer) -> Vec<&str> {
    answer.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["verdict"].as_str().unwrap())
        .collect()
}

/// The recipients of this test's invitation emails (not the recruiter's copy), sorted.
async fn candidates_emailed(world: &World) -> Vec<String> {
    let mut to: Vec<String> = world
        .emails()
        .await
        .iter()
        .flat_map(|email| email.destinations.to_addresses.clone())
        .map(|to| read_mailbox(&to).address)
        .collect();
    to.sort();
    to
}

#[tokio::test]
async fn a_json_batch_sends_one_email_per_accepted_row_and_reports_every_row() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    // Already invited, by a single invitation.
    let mut form = world.invitation_form(&interview, "fi", false);
    form["email"] = json!(world.candidate_email("anna"));
    assert_eq!(world.invite(&world.acme, &form).await.status, 201);
    let (aino, eino) = (world.candidate_email("aino"), world.candidate_email("eino"));
    let answer = post_batch(
        &world,
        &batch(
            &interview,
            json!([
                {"firstName": "Aino", "lastName": "Järvinen", "email": aino},
                {"firstName": "Eino", "lastName": "Öhman", "email": eino, "language": "sv"},
                {"firstName": "Aino", "lastName": "Järvinen", "email": aino.to_uppercase()},
                {"firstName": "", "lastName": "Nobody", "email": "not an address"},
                {"firstName": "Anna", "lastName": "Virtanen", "email": world.candidate_email("anna")},
            ]),
        ),
    )
    .await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    let id = answer.body["id"].as_str().unwrap().to_owned();
    // Relative, as every Location of the API (it works under any stage).
    assert_eq!(
        answer.header("location"),
        format!("invitation-batches/{id}")
    );
    assert_eq!(
        verdict_list(&answer),
        [
            "accepted",
            "accepted",
            "duplicate",
            "invalid",
            "already_invited"
        ]
    );
    assert_eq!(answer.body["rows"][2]["duplicateOf"], 0);
    let errors = answer.body["rows"][3]["errors"].as_array().unwrap();
    assert!(errors.len() >= 2, "{errors:?}");
    assert_eq!(answer.body["counts"]["accepted"], 2);
    assert_eq!(answer.body["sending"]["pending"], 2);
    assert_eq!(
        candidates_emailed(&world).await.len(),
        1,
        "only the single invitation so far"
    );

    let sender = world.invitation_sender(NOW, 100.0);
    assert_eq!(world.drain_send_queue(&sender, 5).await, 0);
    let emailed = candidates_emailed(&world).await;
    let mut expected = vec![world.candidate_email("anna"), aino.clone(), eino.clone()];
    expected.sort();
    assert_eq!(emailed, expected, "one email per accepted row");
    let emails = world.emails().await;
    let copies = emails
        .iter()
        .filter(|email| !email.destinations.bcc_addresses.is_empty())
        .count();
    assert_eq!(copies, 1, "one BCC copy for the batch");

    let read = world
        .call(ApiEvent::get(&format!("/invitation-batches/{id}")).claims(&world.acme))
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["sending"]["sent"], 2);
    assert_eq!(read.body["rows"][0]["outcome"], "sent");
    let invitation = read.body["rows"][1]["invitationId"].as_str().unwrap();
    let listed = world
        .call(ApiEvent::get(&format!("/invitations/{invitation}")).claims(&world.acme))
        .await;
    assert_eq!(listed.body["batchId"], id.as_str());
    assert_eq!(listed.body["language"], "sv");
    assert_eq!(listed.body["status"], "sent");
    let batches = world
        .call(ApiEvent::get("/invitation-batches").claims(&world.acme))
        .await;
    assert_eq!(batches.body["items"][0]["id"], id.as_str());
    assert_eq!(batches.body["items"][0]["counts"]["rows"], 5);
    // Another organization sees none of it.
    let foreign = world
        .call(ApiEvent::get(&format!("/invitation-batches/{id}")).claims(&world.globex))
        .await;
    assert_eq!(foreign.status, 404);
}

#[tokio::test]
async fn a_spreadsheets_csv_with_semicolons_a_bom_and_quoted_fields_is_sent_row_by_row() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let (asa, eino) = (world.candidate_email("asa"), world.candidate_email("eino"));
    let jyri = world.candidate_email("jyri");
    let csv = "\u{feff}Förnamn;Efternamn;E-post\r\nignored;ignored;ignored\r\n";
    // Swedish headers are not ours: refused as a whole, nothing stored.
    let refused = post_batch(&world, &batch(&interview, json!(csv))).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let csv = format!(
        "\u{feff}First name;Last name;Email;Language\r\n\
         \"Åsa, Maria\";Öberg;{asa};sv\r\n\
         Eino;\"Öhman\nLindqvist\";{eino};\r\n\
         Jyri;Häkkinen;{jyri};\r\n\
         Jyri;Häkkinen;{jyri};fi\r\n"
    );
    let answer = post_batch(&world, &batch(&interview, json!(csv))).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(
        verdict_list(&answer),
        ["accepted", "invalid", "accepted", "duplicate"]
    );
    // A line break inside a name is no name; the quoted field spans two lines, so the next
    // record starts on line 5.
    let rows = &answer.body["rows"];
    assert_eq!(rows[1]["line"], 3);
    let problem = &rows[1]["errors"][0];
    assert!(
        problem["pointer"].as_str().unwrap().ends_with("lastName"),
        "{problem}"
    );
    assert_eq!(rows[2]["line"], 5);
    let sender = world.invitation_sender(NOW, 100.0);
    world.drain_send_queue(&sender, 5).await;
    let mut expected = vec![asa, jyri];
    expected.sort();
    assert_eq!(candidates_emailed(&world).await, expected);
    let first = answer.body["rows"][0]["invitationId"].as_str().unwrap();
    let invitation = world
        .call(ApiEvent::get(&format!("/invitations/{first}")).claims(&world.acme))
        .await;
    assert_eq!(invitation.body["firstName"], "Åsa, Maria");
    assert_eq!(invitation.body["language"], "sv");
}

#[tokio::test]
async fn a_redelivered_message_sends_nothing_twice_and_a_replayed_key_queues_nothing_twice() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let rows = json!([
        {"firstName": "Aino", "lastName": "Järvinen", "email": world.candidate_email("aino")},
    ]);
    let event = ApiEvent::post("/invitation-batches", &batch(&interview, rows))
        .header("Idempotency-Key", "batch-1")
        .claims(&world.acme);
    let first = world.call(event.clone()).await;
    assert_eq!(first.status, 202, "{}", first.body);
    let replayed = world.call(event).await;
    assert_eq!(replayed.status, 202);
    assert_eq!(replayed.body["id"], first.body["id"]);
    // One message only: the replay queued nothing.
    let delivered = world.send_queue.receive().await.unwrap();
    assert_eq!(delivered.records.len(), 1);
    let sender = world.invitation_sender(NOW, 100.0);
    let answered = sender.handle(delivered.clone()).await;
    assert!(answered.batch_item_failures.is_empty());
    // SQS delivers the same message again (at least once): nothing more goes out.
    let again = sender.handle(delivered).await;
    assert!(again.batch_item_failures.is_empty());
    assert_eq!(candidates_emailed(&world).await.len(), 1);
}

#[tokio::test]
async fn ses_throttling_part_of_a_batch_holds_its_rows_back_until_ses_takes_them_again() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let rows: Vec<serde_json::Value> = (0..12)
        .map(|n| {
            json!({"firstName": "Aino", "lastName": "Järvinen",
                   "email": world.candidate_email(&format!("aino{n}"))})
        })
        .collect();
    let answer = post_batch(&world, &batch(&interview, json!(rows))).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    let ses = FaultProxy::start().await.unwrap();
    let clients = ses.clients().await;
    let sender =
        world.invitation_sender_through(world.dynamodb.clone(), clients.sesv2(), NOW, 100.0);
    ses.set(Fault::Fail {
        status: 429,
        error_type: "TooManyRequestsException",
    });
    let event = world.send_queue.receive().await.unwrap();
    let throttled = sender.handle(event.clone()).await;
    assert_eq!(
        throttled.batch_item_failures.len(),
        event.records.len(),
        "the throttled row and every later one come again"
    );
    world.send_queue.settle(&event, &throttled).await.unwrap();
    assert!(candidates_emailed(&world).await.is_empty());
    ses.set(Fault::Pass);
    world.drain_send_queue(&sender, 10).await;
    assert_eq!(
        candidates_emailed(&world).await.len(),
        12,
        "one email per row"
    );
    let read = world
        .call(
            ApiEvent::get(&format!(
                "/invitation-batches/{}",
                answer.body["id"].as_str().unwrap()
            ))
            .claims(&world.acme),
        )
        .await;
    assert_eq!(read.body["sending"]["sent"], 12, "{}", read.body);
    assert_eq!(world.send_queue.dead_letters().await.unwrap(), 0);
}

#[tokio::test]
async fn a_sender_that_dies_between_send_and_record_leaves_the_row_unconfirmed_never_sent_twice() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let rows = json!([
        {"firstName": "Aino", "lastName": "Järvinen", "email": world.candidate_email("aino")},
    ]);
    let answer = post_batch(&world, &batch(&interview, rows)).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    // SES takes the email at once but its answer is slow: the sender is killed meanwhile, after
    // its claim and its send, before its record.
    let ses = FaultProxy::start().await.unwrap();
    ses.set(Fault::LateAnswer(std::time::Duration::from_secs(3)));
    let clients = ses.clients().await;
    let dying =
        world.invitation_sender_through(world.dynamodb.clone(), clients.sesv2(), NOW, 100.0);
    let event = world.send_queue.receive().await.unwrap();
    let killed = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        dying.handle(event.clone()),
    );
    assert!(killed.await.is_err(), "killed mid-send");
    assert_eq!(
        candidates_emailed(&world).await.len(),
        1,
        "the email went out"
    );
    // Lambda delivers the message again after the visibility timeout.
    let mut failed = aws_lambda_events::event::sqs::SqsBatchResponse::default();
    for record in &event.records {
        failed.add_failure(record.message_id.clone().unwrap());
    }
    world.send_queue.settle(&event, &failed).await.unwrap();
    // Right away it may still be sending: handed back. Once a send cannot still be running, it is
    // settled as unconfirmed.
    let soon = world.invitation_sender(NOW, 100.0);
    assert_eq!(world.send_one_batch(&soon).await, Some(1));
    let later = world.invitation_sender("2026-12-01T10:05:00Z", 100.0);
    world.drain_send_queue(&later, 5).await;
    assert_eq!(
        candidates_emailed(&world).await.len(),
        1,
        "never sent twice"
    );
    let id = answer.body["rows"][0]["invitationId"].as_str().unwrap();
    let invitation = world
        .call(ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme))
        .await;
    assert_eq!(
        invitation.body["status"], "send_unconfirmed",
        "{}",
        invitation.body
    );
}

#[tokio::test]
async fn a_batch_stored_without_its_invitations_answers_so_and_emails_no_one() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let rows = json!([
        {"firstName": "Aino", "lastName": "Järvinen", "email": world.candidate_email("aino")},
        {"firstName": "Eino", "lastName": "Leino", "email": world.candidate_email("eino")},
    ]);
    // The messages are queued and the batch stored with its quota; then DynamoDB fails the
    // writes of its invitations (after the SDK's retries).
    let dynamodb = FaultProxy::start().await.unwrap();
    dynamodb.set(Fault::On {
        operation: "BatchWriteItem",
        fault: Box::new(Fault::INTERNAL),
    });
    let api = world.recruiter_api_through(
        dynamodb.clients().await.dynamodb(),
        aws_sdk_sesv2::Client::new(&world.sdk),
        NOW,
    );
    let event = ApiEvent::post("/invitation-batches", &batch(&interview, rows)).claims(&world.acme);
    let answer = Answer::from(Box::pin(api.handle(event.into_request())).await);
    answer.assert_problem(503);
    assert_eq!(answer.body["type"], "/problems/batch-incomplete");
    // Relative, as every Location of the API (it works under a named stage).
    let location = answer.header("location").to_owned();
    assert!(location.starts_with("invitation-batches/"), "{location}");

    // The batch reads as it is: each accepted row's invitation missing, none pending.
    let read = world
        .call(ApiEvent::get(&format!("/{location}")).claims(&world.acme))
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    let outcomes: Vec<&str> = read.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["outcome"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(outcomes, ["missing", "missing"], "{}", read.body);
    assert_eq!(read.body["sending"]["missing"], 2);
    assert_eq!(read.body["sending"]["pending"], 0);

    // Their messages are dropped: no one is emailed, nothing waits in the dead-letter queue.
    let sender = world.invitation_sender(NOW, 100.0);
    world.drain_send_queue(&sender, 5).await;
    assert!(candidates_emailed(&world).await.is_empty());
    assert_eq!(world.send_queue.dead_letters().await.unwrap(), 0);
}
