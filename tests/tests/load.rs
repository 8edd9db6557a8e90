//! The load test at a size fit for every run of the suite (scripts/load-test runs the full size):
//! many invitation requests at once, and one batch sent by two sender instances at once.

use integration_tests::load::{BatchLoadSize, LoadSize, run, run_batch};
use integration_tests::world::world;

/// One test at a time: the stand-in answers one request at a time, and the batch's throughput is
/// measured against its configured rate.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_requests_and_retries_at_once_store_and_send_each_invitation_once() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let world = world().await;
    let size = LoadSize {
        requests: 100,
        concurrency: 20,
        retry_every: 5,
        deliveries: 20,
    };
    let report = run(&world, size)
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    println!("{report}");
    assert_eq!(report.requests, 100);
    assert_eq!(report.distinct_keys, 80);
    assert_eq!(report.stored_invitations, 80);
    assert_eq!(report.emails, 80);
    assert_eq!(report.replays + report.distinct_keys, report.requests);
    assert_eq!(report.notifications, 1);
}

/// The batch part at a size fit for every run (scripts/load-test: 1,000 rows at 10 emails/s): 60
/// rows, 58 of them accepted, sent by two instances at 4 emails/s in all (each one per 500 ms):
/// about 15 s. The stand-in keeps up with that easily (it takes 100 to 150 ms for an instance's
/// four requests per email, in a debug build), so that the pacing sets the pace; at 10 emails/s
/// and more moto does, and a faster rate would measure moto, not the sender.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_sent_by_two_instances_at_once_sends_one_email_per_row_at_the_configured_rate() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let world = world().await;
    let size = BatchLoadSize {
        rows: 60,
        send_rate: 4.0,
    };
    let report = run_batch(&world, size)
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    println!("{report}");
    assert_eq!(
        (report.accepted, report.duplicates, report.invalid),
        (58, 1, 1)
    );
    assert_eq!(report.emails, 58);
    assert_eq!(report.sent, 58);
    assert_eq!(report.dead_letters, 0);
    assert_eq!(report.instances.len(), 2);
    assert!(
        report.instances.iter().all(|instance| instance.sends > 0),
        "both instances sent: {:?}",
        report.instances
    );
    report
        .check_rate()
        .unwrap_or_else(|error| panic!("{error}"));
}
