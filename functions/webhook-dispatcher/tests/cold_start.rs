//! The real binary refuses to start when its configuration is wrong, and says which variables.

use invitations::config::refused_cold_start;

#[test]
fn a_misconfigured_dispatcher_stops_at_cold_start_naming_every_bad_variable() {
    let printed = refused_cold_start(
        env!("CARGO_BIN_EXE_webhook-dispatcher"),
        &[("AWS_REGION", "eu-west-1")],
    );
    for variable in ["TABLE_NAME", "WEBHOOK_QUEUE_URL"] {
        assert!(
            printed.contains(variable),
            "{variable} is named in: {printed}"
        );
    }
}
