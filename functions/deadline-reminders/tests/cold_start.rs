//! The real binary refuses to start when its configuration is wrong, and says which variables.

use invitations::config::refused_cold_start;

#[test]
fn a_misconfigured_function_stops_at_cold_start_naming_every_bad_variable() {
    let printed = refused_cold_start(
        env!("CARGO_BIN_EXE_deadline-reminders"),
        &[
            ("SENDER_EMAIL", "Acme <jobs@acme.example>"),
            ("CANDIDATE_APP_URL", "https://interview.example/i"),
            ("REMINDER_HOURS_BEFORE_DEADLINE", "two days"),
        ],
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
