//! The API's routes are one set wherever they are named: the template's `HttpApi` events (what API
//! Gateway routes), each function's router (`ROUTES`), and the OpenAPI document's paths; and what
//! the template leaves public (`Authorizer: NONE`) is what the document leaves without security.

use std::collections::BTreeSet;

use integration_tests::gateway::template::{Route, http_api};
use integration_tests::{Error, template};
use serde_json::Value;

type RouteKey = (String, String);

fn keys(routes: &[(&str, &str)]) -> BTreeSet<RouteKey> {
    routes
        .iter()
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect()
}

/// The template's `HttpApi` routes to one function (by its binary), as the local gateway reads
/// them, and which of them are public.
fn template_routes(binary: &str) -> Result<(BTreeSet<RouteKey>, BTreeSet<RouteKey>), Error> {
    let api = http_api(&template()?)?;
    let routes: Vec<&Route> = api
        .routes
        .iter()
        .filter(|route| route.function == binary)
        .collect();
    let key = |route: &&Route| (route.method.clone(), route.path.clone());
    Ok((
        routes.iter().map(key).collect(),
        routes
            .iter()
            .filter(|route| route.public)
            .map(key)
            .collect(),
    ))
}

#[test]
fn the_template_routes_what_each_function_routes() -> Result<(), Error> {
    let (recruiter, recruiter_public) = template_routes("recruiter-api")?;
    assert_eq!(recruiter, keys(&recruiter_api::ROUTES));
    assert!(recruiter_public.is_empty(), "{recruiter_public:?}");
    let (candidate, candidate_public) = template_routes("candidate-api")?;
    assert_eq!(candidate, keys(&candidate_api::ROUTES));
    assert_eq!(
        candidate_public, candidate,
        "every candidate route is public"
    );
    Ok(())
}

#[test]
fn the_document_has_every_route_and_no_other() -> Result<(), Error> {
    let document: Value = serde_json::from_str(&api_contract::document_json())?;
    let (mut documented, mut open) = (BTreeSet::new(), BTreeSet::new());
    for (path, item) in document["paths"].as_object().ok_or("paths")? {
        for (method, operation) in item.as_object().ok_or("a path item")? {
            let key = (method.to_uppercase(), path.clone());
            if operation.get("security").is_none() {
                open.insert(key.clone());
            }
            documented.insert(key);
        }
    }
    let mut routed = keys(&recruiter_api::ROUTES);
    routed.extend(keys(&candidate_api::ROUTES));
    assert_eq!(documented, routed);
    assert_eq!(open, keys(&candidate_api::ROUTES));
    Ok(())
}

/// A malformed `Idempotency-Key` is a 422 `/problems/validation`, and a replay of an erased
/// invitation's answer a 410, on every keyed route, bodiless ones included (found by the contract test on `POST /invitations/{id}/cancellation`).
#[test]
fn every_keyed_route_documents_the_keys_validation() -> Result<(), Error> {
    let document: Value = serde_json::from_str(&api_contract::document_json())?;
    let mut keyed = 0;
    for (path, item) in document["paths"].as_object().ok_or("paths")? {
        for (method, operation) in item.as_object().ok_or("a path item")? {
            let parameters = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if !parameters.iter().any(|p| p["name"] == "Idempotency-Key") {
                continue;
            }
            keyed += 1;
            let types =
                problem_types(operation, "422").ok_or(format!("{method} {path}: no 422"))?;
            assert!(
                types.contains(&Value::from("/problems/validation")),
                "{method} {path}: {types:?}"
            );
            // A replay whose invitation was erased since (found by the contract test on
            // POST /candidate-erasures and POST /invitations).
            let gone = problem_types(operation, "410").ok_or(format!("{method} {path}: no 410"))?;
            assert!(
                gone.contains(&Value::from("/problems/invitation-erased")),
                "{method} {path}: {gone:?}"
            );
        }
    }
    // Subscribing and rotating answer with a secret, which no saved answer may keep: they
    // refuse a key (tests/tests/webhook_routes.rs).
    let posts = recruiter_api::ROUTES
        .iter()
        .filter(|(method, path)| {
            *method == "POST"
                && !matches!(
                    *path,
                    "/webhook-subscriptions" | "/webhook-subscriptions/{id}/secret-rotation"
                )
        })
        .count();
    assert_eq!(keyed, posts, "every POST of the recruiter API takes a key");
    Ok(())
}

/// The problem `type`s an operation documents for a status.
fn problem_types<'a>(operation: &'a Value, status: &str) -> Option<&'a Vec<Value>> {
    operation["responses"][status]["content"]["application/problem+json"]["schema"]["allOf"][1]
        ["properties"]["type"]["enum"]
        .as_array()
}
