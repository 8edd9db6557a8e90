//! The real binary refuses to start when its configuration is wrong, and says which variable.

use invitations::config::refused_cold_start;

#[test]
fn a_misconfigured_function_stops_at_cold_start_naming_the_missing_variable() {
    let printed = refused_cold_start(
        env!("CARGO_BIN_EXE_candidate-api"),
        &[("TABLE_NAME", "invitations")],
    );
    assert!(printed.contains("EVENT_BUS_NAME is not set"), "{printed}");
    assert!(!printed.contains("TABLE_NAME"), "{printed}");
}
