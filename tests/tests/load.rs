//! The load test at a size fit for every run of the suite (scripts/load-test runs the full size).

use integration_tests::load::{LoadSize, run};
use integration_tests::world::world;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_requests_and_retries_at_once_store_and_send_each_invitation_once() {
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
