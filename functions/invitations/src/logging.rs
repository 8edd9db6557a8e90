//! The functions' log subscriber: Lambda's advanced logging controls (`AWS_LAMBDA_LOG_FORMAT`,
//! `AWS_LAMBDA_LOG_LEVEL`, as `lambda_runtime`'s default subscriber reads them), except that only
//! the service's own code follows the level all the way down. At DEBUG and TRACE the Lambda
//! runtime logs every raw event and the AWS SDK every HTTP request and response, which hold
//! candidates' tokens, names and addresses; so every other target stays at INFO at most, whatever
//! the operator sets. `RUST_LOG` is not read, so that it cannot reopen them either.

use lambda_http::tracing::subscriber::EnvFilter;
use lambda_http::tracing::subscriber::filter::{Directive, LevelFilter};
use lambda_http::tracing::subscriber::fmt::MakeWriter;

/// The crates whose log lines are written with care for personal data (ids and outcomes only):
/// the only targets logged below INFO.
const OWN_TARGETS: [&str; 4] = [
    "invitations",
    "recruiter_api",
    "candidate_api",
    "completion_notifier",
];

/// The level Lambda passes (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`; case-insensitive),
/// INFO when it is unset or unknown.
pub fn level_from(value: Option<&str>) -> LevelFilter {
    match value.map(str::to_ascii_uppercase).as_deref() {
        Some("FATAL") => LevelFilter::ERROR,
        Some(level) => level.parse().unwrap_or(LevelFilter::INFO),
        None => LevelFilter::INFO,
    }
}

/// The filter for the operator's `level`: the service's own targets at that level, every other
/// target at that level or INFO, whichever logs less.
pub fn filter(level: LevelFilter) -> EnvFilter {
    let others = level.min(LevelFilter::INFO);
    OWN_TARGETS.iter().fold(
        EnvFilter::default().add_directive(others.into()),
        |filter, target| {
            let directive: Directive = format!("{target}={level}")
                .parse()
                .expect("a target and a level make a directive");
            filter.add_directive(directive)
        },
    )
}

/// Installs the subscriber writing to stdout, where Lambda collects it.
pub fn init_subscriber() {
    init_subscriber_with_writer(std::io::stdout);
}

/// Installs the subscriber writing to `writer` (the logs tests capture it so). Like the runtime's
/// own: no time (Lambda stamps each line) and no target; JSON when `AWS_LAMBDA_LOG_FORMAT` is
/// `JSON`.
pub fn init_subscriber_with_writer<W>(writer: W)
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let level = level_from(std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().as_deref());
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT")
        .is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    let subscriber = lambda_http::tracing::subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_env_filter(filter(level))
        .with_writer(writer);
    if json {
        subscriber.json().init();
    } else {
        subscriber.init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambdas_levels_are_read_and_fatal_is_error() {
        assert_eq!(level_from(Some("TRACE")), LevelFilter::TRACE);
        assert_eq!(level_from(Some("debug")), LevelFilter::DEBUG);
        assert_eq!(level_from(Some("WARN")), LevelFilter::WARN);
        assert_eq!(level_from(Some("FATAL")), LevelFilter::ERROR);
        assert_eq!(level_from(Some("loud")), LevelFilter::INFO);
        assert_eq!(level_from(None), LevelFilter::INFO);
    }

    #[test]
    fn only_the_services_own_targets_follow_the_level_below_info() {
        let trace = filter(LevelFilter::TRACE).to_string();
        for target in OWN_TARGETS {
            assert!(trace.contains(&format!("{target}=trace")), "{trace}");
        }
        assert!(
            trace.split(',').any(|directive| directive == "info"),
            "{trace}"
        );
        let warn = filter(LevelFilter::WARN).to_string();
        assert!(
            warn.split(',').any(|directive| directive == "warn"),
            "{warn}"
        );
        assert!(warn.contains("invitations=warn"), "{warn}");
    }
}
