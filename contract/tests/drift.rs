//! The committed contract is the one the code makes, and the one the candidate API serves.

use std::path::Path;

fn committed() -> String {
    // At run time: the build cache is shared between clones, and a compiled path can name another.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo test");
    let path = Path::new(&manifest_dir)
        .join("..")
        .join(api_contract::DOCUMENT_PATH);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn the_committed_document_is_the_one_the_code_makes() {
    let made = api_contract::document_json();
    assert!(
        committed() == made,
        "docs/openapi.json differs from what the code makes: run \
         `cargo run -p api-contract --bin openapi > docs/openapi.json` and review the diff"
    );
}

#[test]
fn the_candidate_api_serves_the_committed_document() {
    assert_eq!(candidate_api::OPENAPI_DOCUMENT, committed());
}
