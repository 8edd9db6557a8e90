//! The real binary refuses to start when its configuration is wrong, and says which variables.

use invitations::config::refused_cold_start;

#[test]
fn a_misconfigured_function_stops_at_cold_start_naming_every_bad_variable() {
    let printed = refused_cold_start(
        env!("CARGO_BIN_EXE_completion-notifier"),
        &[
            ("TABLE_NAME", "invitations"),
            ("RECRUITER_APP_URL", "ftp://recruit.example"),
        ],
    );
    for variable in ["SENDER_EMAIL is not set", "RECRUITER_APP_URL must be"] {
        assert!(printed.contains(variable), "{variable} in: {printed}");
    }
}
