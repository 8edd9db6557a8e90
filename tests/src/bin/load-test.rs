//! The full-size load test (scripts/load-test): 500 invitation requests, 50 at a time, a fifth of
//! them retries, then 50 concurrent deliveries of one completion event. Prints the report; fails on
//! any lost, doubled or mismatched invitation or email.

use integration_tests::Error;
use integration_tests::load::{LoadSize, run};
use integration_tests::world::world;

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> Result<(), Error> {
    // The functions' own logging, to stderr: what went wrong under load is there (RUST_LOG).
    invitations::logging::init_subscriber_with_writer(std::io::stderr);
    let number = |name: &str, default: usize| -> Result<usize, Error> {
        match std::env::var(name) {
            Ok(value) => Ok(value.parse()?),
            Err(_) => Ok(default),
        }
    };
    let size = LoadSize {
        requests: number("LOAD_REQUESTS", 500)?,
        concurrency: number("LOAD_CONCURRENCY", 50)?,
        retry_every: 5,
        deliveries: number("LOAD_DELIVERIES", 50)?,
    };
    println!("{size:?}");
    let report = run(&world().await, size).await?;
    println!("{report}");
    Ok(())
}
