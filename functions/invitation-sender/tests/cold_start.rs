//! The real binary refuses to start when its configuration is wrong, and says which variables.

use invitations::config::refused_cold_start;

#[test]
fn a_misconfigured_sender_stops_at_cold_start_naming_every_bad_variable() {
    let printed = refused_cold_start(
        env!("CARGO_BIN_EXE_invitation-sender"),
        &[
            ("SENDER_EMAIL", "Acme <jobs@acme.example>"),
            ("CANDIDATE_APP_URL", "https://interview.example/i"),
            ("SEND_RATE", "0.1"),
            ("SENDER_CONCURRENCY", "2"),
        ],
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
