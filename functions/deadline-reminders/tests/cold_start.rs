//! The real binary refuses to start when its configuration is wrong, and says which variables.

use std::process::Command;

#[test]
fn a_misconfigured_function_stops_at_cold_start_naming_every_bad_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_deadline-reminders"))
        .env_clear()
        .env("SENDER_EMAIL", "Acme <jobs@acme.example>")
        .env("CANDIDATE_APP_URL", "https://interview.example/i")
        .env("REMINDER_HOURS_BEFORE_DEADLINE", "two days")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for variable in [
        "TABLE_NAME",
        "LINK_KEY_SECRET_ARN",
        "REMINDER_HOURS_BEFORE_DEADLINE",
    ] {
        assert!(
            printed.contains(variable),
            "{variable} is named in: {printed}"
        );
    }
    assert!(
        !printed.contains("CANDIDATE_APP_URL"),
        "valid variables are not blamed: {printed}"
    );
}
