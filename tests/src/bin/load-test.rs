//! The full-size load test (scripts/load-test): 500 invitation requests, 50 at a time, a fifth of
//! them retries, then 50 concurrent deliveries of one completion event; then one invitation batch
//! of 1,000 rows sent by two sender instances at once at 10 emails/s in all. Prints the reports;
//! fails on any lost, doubled or mismatched invitation or email, and on a batch throughput too far
//! from the configured rate (after printing it).

use integration_tests::Error;
use integration_tests::load::{BatchLoadSize, LoadSize, run, run_batch};
use integration_tests::world::world;

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> Result<(), Error> {
    // The functions' own logging, to stderr: what went wrong under load is there (RUST_LOG).
    invitations::logging::init_subscriber_with_writer(std::io::stderr);
    fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, Error>
    where
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        match std::env::var(name) {
            Ok(value) => Ok(value.parse()?),
            Err(_) => Ok(default),
        }
    }
    let size = LoadSize {
        requests: number("LOAD_REQUESTS", 500)?,
        concurrency: number("LOAD_CONCURRENCY", 50)?,
        retry_every: 5,
        deliveries: number("LOAD_DELIVERIES", 50)?,
    };
    if size.requests > 0 {
        println!("{size:?}");
        let report = run(&world().await, size).await?;
        println!("{report}");
    }

    let batch = BatchLoadSize {
        rows: number("LOAD_BATCH_ROWS", 1000)?,
        send_rate: number("LOAD_SEND_RATE", 10.0)?,
    };
    if batch.rows == 0 {
        return Ok(());
    }
    println!("{batch:?}");
    // A world of its own: its emails and its AWS requests are the batch's only.
    let report = run_batch(&world().await, batch).await?;
    println!("{report}");
    report.check_rate()
}
