//! Prints the API's OpenAPI document: `cargo run -p api-contract --bin openapi > docs/openapi.json`.

fn main() {
    print!("{}", api_contract::document_json());
}
