//! The real binary refuses to start when its configuration is wrong, and says which variables.

use invitations::config::refused_cold_start;

#[test]
fn a_misconfigured_sender_stops_at_cold_start_naming_every_bad_variable() {
    let printed = refused_cold_start(
        env!("CARGO_BIN_EXE_webhook-sender"),
        &[
            ("TABLE_NAME", "invitations"),
            ("WEBHOOK_ALLOW_LOOPBACK", "1"),
        ],
    );
    for variable in [
        "WEBHOOK_QUEUE_URL",
        "WEBHOOK_KEY_SECRET_ARN",
        "WEBHOOK_ALLOW_LOOPBACK",
    ] {
        assert!(
            printed.contains(variable),
            "{variable} is named in: {printed}"
        );
    }
    assert!(!printed.contains("TABLE_NAME"), "{printed}");
}
