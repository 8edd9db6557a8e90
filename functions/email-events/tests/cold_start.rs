//! The real binary refuses to start when its configuration is wrong, and says which variables.

use invitations::config::refused_cold_start;

#[test]
fn a_misconfigured_function_stops_at_cold_start_naming_every_bad_variable() {
    let printed = refused_cold_start(
        env!("CARGO_BIN_EXE_email-events"),
        &[
            ("SENDER_EMAIL", "not an address"),
            ("RECRUITER_APP_URL", "https://recruit.example"),
        ],
    );
    for variable in ["TABLE_NAME", "SENDER_EMAIL", "DEFAULT_TIME_ZONE"] {
        assert!(
            printed.contains(variable),
            "{variable} is named in: {printed}"
        );
    }
    assert!(
        !printed.contains("RECRUITER_APP_URL"),
        "valid variables are not blamed: {printed}"
    );
}
