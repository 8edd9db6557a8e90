//! The invitation's life after "Send", through the real handlers and the local stand-in, with the
//! clock injected: expiry at the deadline day's end, deadline extensions.

use integration_tests::events::ApiEvent;
use integration_tests::world::{World, world};
use serde_json::{Value, json};

/// The ids listed by `GET /invitations?status=<status>` at `now`, paging one at a time so that
/// every page boundary is crossed.
async fn listed(world: &World, now: &str, status: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut event = ApiEvent::get("/invitations")
            .query("status", status)
            .query("limit", "1");
        if let Some(cursor) = &cursor {
            event = event.query("cursor", cursor);
        }
        let page = world.call_at(now, event.claims(&world.acme)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for item in page.body["items"].as_array().unwrap() {
            assert_eq!(item["status"], status, "{item}");
            ids.push(item["id"].as_str().unwrap().to_owned());
        }
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
}

/// The invitation as `GET /invitations/{id}` shows it at `now`.
async fn shown(world: &World, now: &str, id: &str) -> Value {
    let answer = world
        .call_at(
            now,
            ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

/// Invites `name` to answer by `date` in `zone`: the new invitation's id.
async fn invite(world: &World, interview: &str, name: &str, date: &str, zone: &str) -> String {
    let mut form = world.invitation_form(interview, "en", false);
    form["email"] = json!(world.candidate_email(name));
    form["answerDeadline"] = json!(date);
    form["timeZone"] = json!(zone);
    let answer = world.invite(&world.acme, &form).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_unfinished_invitation_reads_expired_from_its_deadline_days_midnight_in_its_zone() {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    // 15 December ends at 22:00 UTC in Helsinki (UTC+2) and at 05:00 UTC on the 16th in New York.
    let helsinki = invite(&world, &interview, "h", "2026-12-15", "Europe/Helsinki").await;
    let new_york = invite(&world, &interview, "n", "2026-12-15", "America/New_York").await;
    let later = invite(&world, &interview, "l", "2026-12-20", "Europe/Helsinki").await;
    let cancelled = invite(&world, &interview, "c", "2026-12-15", "Europe/Helsinki").await;
    let answer = world
        .call(
            ApiEvent::post(
                &format!("/invitations/{cancelled}/cancellation"),
                &json!({}),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    let last_second = "2026-12-15T21:59:59.999Z";
    assert_eq!(
        shown(&world, last_second, &helsinki).await["status"],
        "sent"
    );
    assert_eq!(
        listed(&world, last_second, "sent").await,
        [later.clone(), new_york.clone(), helsinki.clone()]
    );
    assert!(listed(&world, last_second, "expired").await.is_empty());

    let helsinki_midnight = "2026-12-15T22:00:00Z";
    let expired = shown(&world, helsinki_midnight, &helsinki).await;
    assert_eq!(expired["status"], "expired");
    assert_eq!(
        expired["sentAt"],
        shown(&world, last_second, &helsinki).await["sentAt"],
        "facts kept"
    );
    assert_eq!(
        shown(&world, helsinki_midnight, &new_york).await["status"],
        "sent"
    );
    assert_eq!(
        listed(&world, helsinki_midnight, "expired").await,
        [helsinki.as_str()]
    );
    assert_eq!(
        listed(&world, helsinki_midnight, "sent").await,
        [later.clone(), new_york.clone()]
    );

    let new_york_midnight = "2026-12-16T05:00:00.250Z";
    assert_eq!(
        listed(&world, new_york_midnight, "expired").await,
        [new_york.clone(), helsinki.clone()]
    );
    assert_eq!(
        listed(&world, new_york_midnight, "sent").await,
        [later.as_str()]
    );
    assert_eq!(
        listed(&world, new_york_midnight, "cancelled").await,
        [cancelled.as_str()],
        "a cancelled invitation stays cancelled past its deadline"
    );
    let all = world
        .call_at(
            new_york_midnight,
            ApiEvent::get("/invitations").claims(&world.acme),
        )
        .await;
    let statuses: Vec<_> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["cancelled", "sent", "expired", "expired"]);
    // Nothing was written to make them expire: the stored status is still `sent`.
    let stored: Vec<_> = world
        .items()
        .await
        .into_iter()
        .filter(|item| {
            item.get("entity").and_then(|e| e.as_s().ok()) == Some(&"Invitation".to_owned())
        })
        .map(|item| item["status"].as_s().unwrap().clone())
        .collect();
    assert_eq!(stored.iter().filter(|s| *s == "sent").count(), 3);
}
