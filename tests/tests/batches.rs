//! Invitation batches (issue 18) against the local stand-in, with the real DynamoDB adapter: a
//! row whose candidate already holds an active invitation to the batch's video interview is found
//! through the table's candidate index, in any letter case, and only in the inviting organization.

use integration_tests::world::{NOW, lookup_key, world};
use invitations::app::batches::mark_already_invited;
use invitations::domain::{
    BatchRows, Candidate, CandidateRow, EmailAddress, InvitationId, Language, OrganizationId,
    PersonName, RowPosition, RowVerdict, VideoInterviewId,
};
use serde_json::json;

fn rows(emails: &[&str]) -> BatchRows<()> {
    BatchRows::judge(
        emails
            .iter()
            .enumerate()
            .map(|(index, email)| {
                let row = CandidateRow {
                    candidate: Candidate {
                        first_name: PersonName::parse("Åsa").unwrap(),
                        last_name: PersonName::parse("Öberg").unwrap(),
                        email: EmailAddress::parse(email).unwrap(),
                    },
                    language: Language::Sv,
                };
                (RowPosition { index, line: None }, Ok(row))
            })
            .collect(),
    )
    .unwrap()
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
    let now: jiff::Timestamp = NOW.parse().unwrap();

    let mut batch = rows(&[&other, &shouted]);
    let acme = OrganizationId::parse(&world.acme.organization_id).unwrap();
    mark_already_invited(
        &world.store(),
        &acme,
        interview,
        &lookup_key(),
        &mut batch,
        now,
    )
    .await
    .unwrap();
    let verdicts: Vec<_> = batch.rows().iter().map(|(_, verdict)| verdict).collect();
    assert!(
        matches!(verdicts[0], RowVerdict::Accepted(_)),
        "{verdicts:?}"
    );
    assert_eq!(
        verdicts[1],
        &RowVerdict::AlreadyInvited {
            invitation: invited
        }
    );

    // Another organization inviting the same address to an interview with the same id: no match.
    let mut batch = rows(&[&email]);
    let globex = OrganizationId::parse(&world.globex.organization_id).unwrap();
    mark_already_invited(
        &world.store(),
        &globex,
        interview,
        &lookup_key(),
        &mut batch,
        now,
    )
    .await
    .unwrap();
    assert!(matches!(batch.rows()[0].1, RowVerdict::Accepted(_)));
}
