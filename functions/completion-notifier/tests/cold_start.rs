//! The real binary refuses to start when its configuration is wrong, and says which variables.

use std::process::Command;

#[test]
fn a_misconfigured_function_stops_at_cold_start_naming_every_bad_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_completion-notifier"))
        .env_clear()
        .env("TABLE_NAME", "invitations")
        .env("RECRUITER_APP_URL", "ftp://recruit.example")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let printed = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    for variable in ["SENDER_EMAIL is not set", "RECRUITER_APP_URL must be"] {
        assert!(printed.contains(variable), "{variable} in: {printed}");
    }
}
