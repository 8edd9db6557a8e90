//! The real binary refuses to start when its configuration is wrong, and says which variables.

use std::process::Command;

#[test]
fn a_misconfigured_sender_stops_at_cold_start_naming_every_bad_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_invitation-sender"))
        .env_clear()
        .env("SENDER_EMAIL", "Acme <jobs@acme.example>")
        .env("CANDIDATE_APP_URL", "https://interview.example/i")
        .env("SEND_RATE", "0.1")
        .env("SENDER_CONCURRENCY", "2")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Too slow for two instances to finish their ten messages within the timeout.
    for variable in ["TABLE_NAME", "SEND_RATE"] {
        assert!(
            printed.contains(variable),
            "{variable} is named in: {printed}"
        );
    }
    // Named in SEND_RATE's rule, but not blamed itself (its own problem would be a pair).
    for valid in [
        "(\"SENDER_CONCURRENCY\"",
        "CANDIDATE_APP_URL",
        "SENDER_EMAIL",
    ] {
        assert!(
            !printed.contains(valid),
            "valid variables are not blamed: {printed}"
        );
    }
}
