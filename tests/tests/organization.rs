//! The organization profile (`GET/PUT /organization`) through the recruiter API, on the AWS
//! stand-in's table: validation, tenant isolation, and the employer the emails name.

use integration_tests::events::ApiEvent;
use integration_tests::world::*;
use serde_json::{Value, json};

fn profile() -> Value {
    json!({
        "displayName": " Acme Oy ",
        "logoUrl": "https://cdn.acme.example/logo.png",
        "accentColor": "#0A7D3B",
        "careersSiteUrl": "https://careers.acme.example/",
        "privacyNoticeUrl": "https://acme.example/privacy/candidates",
    })
}

#[tokio::test]
async fn the_first_put_creates_the_profile_and_the_next_replaces_it_whole() {
    let world = world().await;
    let missing = world
        .call(ApiEvent::get("/organization").claims(&world.acme))
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);

    let created = world
        .call(ApiEvent::put("/organization", &profile()).claims(&world.acme))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("location"), "organization");
    assert_eq!(
        created.body,
        json!({
            "organizationId": "acme",
            "displayName": "Acme Oy",
            "logoUrl": "https://cdn.acme.example/logo.png",
            "accentColor": "#0a7d3b",
            "careersSiteUrl": "https://careers.acme.example/",
            "privacyNoticeUrl": "https://acme.example/privacy/candidates",
            "updatedBy": "user-acme",
            "updatedAt": NOW,
        })
    );
    let read = world
        .call(ApiEvent::get("/organization").claims(&world.acme))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body, created.body);

    // What GET shows can be sent back; optional fields left out or null are unset.
    let mut next = read.body.clone();
    for field in ["organizationId", "updatedBy", "updatedAt"] {
        next.as_object_mut().unwrap().remove(field);
    }
    next["logoUrl"] = Value::Null;
    next.as_object_mut().unwrap().remove("careersSiteUrl");
    let replaced = world
        .call(ApiEvent::put("/organization", &next).claims(&world.acme))
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.body["logoUrl"], Value::Null);
    assert_eq!(replaced.body["careersSiteUrl"], Value::Null);
    assert_eq!(replaced.body["accentColor"], "#0a7d3b");
    let profiles: Vec<_> = world
        .items()
        .await
        .into_iter()
        .filter(|item| {
            item.get("sk")
                .and_then(|sk| sk.as_s().ok())
                .map(String::as_str)
                == Some("PROFILE")
        })
        .collect();
    assert_eq!(profiles.len(), 1, "one profile item per organization");

    let deleted = world
        .call(ApiEvent::new("DELETE", "/organization").claims(&world.acme))
        .await;
    assert_eq!(deleted.status, 405);
    assert_eq!(deleted.header("allow"), "GET, PUT");
}

#[tokio::test]
async fn an_invalid_profile_names_every_bad_field_and_stores_nothing() {
    let world = world().await;
    let answer = world
        .call(
            ApiEvent::put(
                "/organization",
                &json!({
                    "displayName": "Acme\u{200B}",
                    "logoUrl": "http://cdn.acme.example/logo.png",
                    "accentColor": "green",
                    "careersSiteUrl": 42,
                    "brand": "x",
                }),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        answer.invalid_fields(),
        [
            "/accentColor",
            "/brand",
            "/careersSiteUrl",
            "/displayName",
            "/logoUrl",
            "/privacyNoticeUrl"
        ]
    );
    for bad in [
        "javascript:alert(1)",
        "https://user:pw@acme.example/",
        "https://192.168.0.1/logo.png",
    ] {
        let mut form = profile();
        form["logoUrl"] = json!(bad);
        let answer = world
            .call(ApiEvent::put("/organization", &form).claims(&world.acme))
            .await;
        assert_eq!(answer.invalid_fields(), ["/logoUrl"], "{bad}");
    }
    assert!(world.items().await.is_empty());
}

#[tokio::test]
async fn an_organization_never_reads_or_changes_anothers_profile() {
    let world = world().await;
    let acme = world
        .call(ApiEvent::put("/organization", &profile()).claims(&world.acme))
        .await;
    assert_eq!(acme.status, 201);
    let globex_reads = world
        .call(ApiEvent::get("/organization").claims(&world.globex))
        .await;
    assert_eq!(globex_reads.status, 404, "{}", globex_reads.body);
    let mut theirs = profile();
    theirs["displayName"] = json!("Globex");
    // A body naming another organization changes nothing: the tenant comes from the claims.
    theirs["organizationId"] = json!("acme");
    let refused = world
        .call(ApiEvent::put("/organization", &theirs).claims(&world.globex))
        .await;
    assert_eq!(refused.invalid_fields(), ["/organizationId"]);
    theirs.as_object_mut().unwrap().remove("organizationId");
    let globex = world
        .call(ApiEvent::put("/organization", &theirs).claims(&world.globex))
        .await;
    assert_eq!(globex.status, 201, "{}", globex.body);
    assert_eq!(globex.body["organizationId"], "globex");
    let acme_reads = world
        .call(ApiEvent::get("/organization").claims(&world.acme))
        .await;
    assert_eq!(acme_reads.body["displayName"], "Acme Oy");
}
