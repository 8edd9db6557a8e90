//! The real binary refuses to start when its configuration is wrong, and says which variable.

use std::process::Command;

#[test]
fn a_misconfigured_function_stops_at_cold_start_naming_the_missing_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_candidate-api"))
        .env_clear()
        .env("TABLE_NAME", "invitations")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let printed = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    assert!(printed.contains("EVENT_BUS_NAME is not set"), "{printed}");
    assert!(!printed.contains("TABLE_NAME"), "{printed}");
}
