//! Invitation batches (issue 18) against the local stand-in, with the real DynamoDB adapter: a
//! row whose candidate already holds an active invitation to the batch's video interview is found
//! through the table's candidate index, in any letter case, and only in the inviting organization.

use integration_tests::events::Claims;
use integration_tests::world::{NOW, World, lookup_key, world};
use invitations::app::batches::mark_already_invited;
use invitations::domain::{InvitationId, OrganizationId, RowVerdict, VideoInterviewId, fixtures};
use serde_json::json;

/// The verdicts of a batch of rows to `emails` (all valid) that `recruiter`'s organization sends
/// to `interview`, after the already-invited lookup in `world`'s table.
async fn verdicts(
    world: &World,
    recruiter: &Claims,
    interview: VideoInterviewId,
    emails: &[&str],
) -> Vec<RowVerdict<()>> {
    let rows = fixtures::batch_rows(emails);
    let organization = OrganizationId::parse(&recruiter.organization_id).unwrap();
    let now: jiff::Timestamp = NOW.parse().unwrap();
    let (store, key) = (world.store(), lookup_key());
    let marked = mark_already_invited(&store, &organization, interview, &key, rows, now);
    marked.await.unwrap().into_verdicts()
}

#[tokio::test]
async fn a_candidate_invited_to_the_interview_is_found_in_the_table_in_any_case_and_organization_only()
 {
    let world = world().await;
    let interview = world
        .create_video_interview(&world.acme, "Sales lead")
        .await;
    let email = world.candidate_email("asa");
    let mut form = world.invitation_form(&interview, "sv", false);
    form["email"] = json!(email);
    let answer = world.invite(&world.acme, &form).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let invited: InvitationId = answer.body["id"].as_str().unwrap().parse().unwrap();
    let interview: VideoInterviewId = interview.parse().unwrap();
    let shouted = email.to_uppercase();
    let other = world.candidate_email("eino");
    let found = verdicts(&world, &world.acme, interview, &[&other, &shouted]).await;
    assert!(matches!(found[0], RowVerdict::Accepted(_)), "{found:?}");
    assert_eq!(
        found[1],
        RowVerdict::AlreadyInvited {
            invitation: invited
        }
    );
    // Another organization inviting the same address to an interview with the same id: no match.
    let found = verdicts(&world, &world.globex, interview, &[&email]).await;
    assert!(matches!(found[0], RowVerdict::Accepted(_)), "{found:?}");
}
