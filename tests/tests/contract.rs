//! The API's routes are one set wherever they are named: the template's `HttpApi` events (what API
//! Gateway routes), each function's router (`ROUTES`), and the OpenAPI document's paths; and what
//! the template leaves public (`Authorizer: NONE`) is what the document leaves without security.

use std::collections::BTreeSet;

use integration_tests::{Error, template};
use serde_json::Value;

type RouteKey = (String, String);

fn keys(routes: &[(&str, &str)]) -> BTreeSet<RouteKey> {
    routes
        .iter()
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect()
}

/// The `HttpApi` routes of one function in the template, and which of them are public.
fn template_routes(function: &str) -> Result<(BTreeSet<RouteKey>, BTreeSet<RouteKey>), Error> {
    let template = template()?;
    let events = &template["Resources"][function]["Properties"]["Events"];
    let events = events
        .as_mapping()
        .ok_or(format!("{function} has no events"))?;
    let (mut all, mut public) = (BTreeSet::new(), BTreeSet::new());
    for event in events.values().filter(|event| event["Type"] == "HttpApi") {
        let properties = &event["Properties"];
        let key = (
            properties["Method"]
                .as_str()
                .ok_or("a method")?
                .to_uppercase(),
            properties["Path"].as_str().ok_or("a path")?.to_owned(),
        );
        if properties["Auth"]["Authorizer"] == "NONE" {
            public.insert(key.clone());
        }
        all.insert(key);
    }
    Ok((all, public))
}

#[test]
fn the_template_routes_what_each_function_routes() -> Result<(), Error> {
    let (recruiter, recruiter_public) = template_routes("RecruiterApiFunction")?;
    assert_eq!(recruiter, keys(&recruiter_api::ROUTES));
    assert!(recruiter_public.is_empty(), "{recruiter_public:?}");
    let (candidate, candidate_public) = template_routes("CandidateApiFunction")?;
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
            let types = &operation["responses"]["422"]["content"]["application/problem+json"]["schema"]
                ["allOf"][1]["properties"]["type"]["enum"];
            let types = types.as_array().ok_or(format!("{method} {path}: no 422"))?;
            assert!(
                types.contains(&Value::from("/problems/validation")),
                "{method} {path}: {types:?}"
            );
            // A replay whose invitation was erased since (found by the contract test on
            // POST /candidate-erasures and POST /invitations).
            let gone = &operation["responses"]["410"]["content"]["application/problem+json"]["schema"]
                ["allOf"][1]["properties"]["type"]["enum"];
            let gone = gone.as_array().ok_or(format!("{method} {path}: no 410"))?;
            assert!(
                gone.contains(&Value::from("/problems/invitation-erased")),
                "{method} {path}: {gone:?}"
            );
        }
    }
    assert_eq!(keyed, 6, "every POST of the recruiter API takes a key");
    Ok(())
}
