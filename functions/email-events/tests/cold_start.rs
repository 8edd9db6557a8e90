//! The real binary refuses to start when its configuration is wrong, and says which variables.

use std::process::Command;

#[test]
fn a_misconfigured_function_stops_at_cold_start_naming_every_bad_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_email-events"))
        .env_clear()
        .env("SENDER_EMAIL", "not an address")
        .env("RECRUITER_APP_URL", "https://recruit.example")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
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
