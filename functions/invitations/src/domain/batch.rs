//! Invitation batches: one video interview, one answer deadline and the recruiter's shared
//! choices, many candidates (`POST /invitation-batches`). The rules of a batch's rows live here:
//! how many rows a batch may have, which row of a repeated address is the one invited, what each
//! row's verdict is, and which invitation carries the recruiter's one BCC copy.
//!
//! A row's verdict is decided when the batch is accepted, before anything is sent:
//! - `Accepted`: it becomes an invitation (sent later, at the deployment's sending rate);
//! - `Invalid`: its fields do not make an invitation (the same field errors as a single one);
//! - `Duplicate`: an earlier row of the batch has the same address (compared as
//!   [`super::EmailAddress::lookup_form`], as mail servers and SES compare it);
//! - `AlreadyInvited`: the candidate has an active invitation to the same video interview.
//!
//! The stored batch ([`InvitationBatch`]) keeps each row's verdict and, for an accepted row, the
//! id of its invitation, but no candidate's name or address: those live in the invitation alone,
//! so erasing a candidate (GDPR article 17) erases them from the batch too. What became of an
//! accepted row's email is read from its invitation ([`SendOutcome`]), never copied.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{
    AnswerDeadline, Candidate, InvitationBatchId, InvitationId, InvitationStatus, Language,
    OrganizationId, RecruiterId, VideoInterviewId,
};

/// The most rows a batch may have: peers accept a hundred or so per upload; a thousand covers a
/// large job posting while keeping the answer (every row's verdict) within API Gateway's 10 MB and
/// 30 s limits.
pub const MAX_BATCH_ROWS: usize = 1000;

/// One candidate of a batch, as its row reads: the candidate and the interface language (the row's
/// own, else the batch's default).
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateRow {
    pub candidate: Candidate,
    pub language: Language,
}

/// Where a row is in what the recruiter sent: its position among the candidates (0-based, as in
/// the JSON array) and, for CSV text, the line its record starts on (1-based, the header being
/// line 1; a quoted field may span lines, so lines and rows can differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowPosition {
    pub index: usize,
    pub line: Option<u64>,
}

/// What became of a row when the batch was accepted. `E` is what the parser says of an invalid
/// row (the HTTP layer's field errors): the domain keeps it without reading it.
#[derive(Debug, Clone, PartialEq)]
pub enum RowVerdict<E> {
    Accepted(CandidateRow),
    Invalid(E),
    /// The row at `of` (its index) has the same address and is the one invited.
    Duplicate {
        of: usize,
    },
    /// The candidate already has an active invitation to this video interview: that one.
    AlreadyInvited {
        invitation: InvitationId,
    },
}

/// A batch's rows, each with its verdict, in the order they were sent.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRows<E> {
    rows: Vec<(RowPosition, RowVerdict<E>)>,
}

/// Why a batch's candidates cannot be taken at all (answered for the whole batch).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchRowsError {
    #[error("must have at least one candidate")]
    Empty,
    #[error("must have at most {MAX_BATCH_ROWS} candidates")]
    TooMany,
}

impl<E> BatchRows<E> {
    /// The rows as parsed, each valid one a candidate, the others the parser's errors: every
    /// repeat of an address among the valid rows is a `Duplicate` of its first. Errors when there
    /// are no rows or more than [`MAX_BATCH_ROWS`].
    pub fn judge(
        parsed: Vec<(RowPosition, Result<CandidateRow, E>)>,
    ) -> Result<Self, BatchRowsError> {
        match parsed.len() {
            0 => return Err(BatchRowsError::Empty),
            n if n > MAX_BATCH_ROWS => return Err(BatchRowsError::TooMany),
            _ => {}
        }
        let mut first_of = std::collections::HashMap::new();
        let rows = parsed
            .into_iter()
            .map(|(position, row)| {
                let verdict = match row {
                    Err(errors) => RowVerdict::Invalid(errors),
                    Ok(row) => match first_of.entry(row.candidate.email.lookup_form()) {
                        std::collections::hash_map::Entry::Occupied(first) => {
                            RowVerdict::Duplicate { of: *first.get() }
                        }
                        std::collections::hash_map::Entry::Vacant(entry) => {
                            entry.insert(position.index);
                            RowVerdict::Accepted(row)
                        }
                    },
                };
                (position, verdict)
            })
            .collect();
        Ok(Self { rows })
    }

    /// The accepted rows: their index and candidate.
    pub fn accepted(&self) -> impl Iterator<Item = (usize, &CandidateRow)> {
        self.rows
            .iter()
            .filter_map(|(position, verdict)| match verdict {
                RowVerdict::Accepted(row) => Some((position.index, row)),
                _ => None,
            })
    }

    /// Marks the accepted row at `index` as already invited (by `invitation`): it is not sent.
    /// Does nothing to a row that is not accepted.
    pub fn already_invited(&mut self, index: usize, invitation: InvitationId) {
        if let Some((_, verdict)) = self
            .rows
            .iter_mut()
            .find(|(position, _)| position.index == index)
            && matches!(verdict, RowVerdict::Accepted(_))
        {
            *verdict = RowVerdict::AlreadyInvited { invitation };
        }
    }

    /// Every row with its position and verdict, in the order sent.
    pub fn rows(&self) -> &[(RowPosition, RowVerdict<E>)] {
        &self.rows
    }

    /// Every row with its position and verdict, in the order sent.
    pub fn into_rows(self) -> Vec<(RowPosition, RowVerdict<E>)> {
        self.rows
    }

    /// The rows' verdicts, in the order sent.
    pub fn into_verdicts(self) -> Vec<RowVerdict<E>> {
        self.rows.into_iter().map(|(_, verdict)| verdict).collect()
    }

    /// The rows with each invalid row's errors turned into `F` (the HTTP layer's field errors
    /// into what the stored batch keeps of them).
    pub fn map_invalid<F>(self, mut f: impl FnMut(E) -> F) -> BatchRows<F> {
        BatchRows {
            rows: self
                .rows
                .into_iter()
                .map(|(position, verdict)| {
                    let verdict = match verdict {
                        RowVerdict::Accepted(row) => RowVerdict::Accepted(row),
                        RowVerdict::Invalid(errors) => RowVerdict::Invalid(f(errors)),
                        RowVerdict::Duplicate { of } => RowVerdict::Duplicate { of },
                        RowVerdict::AlreadyInvited { invitation } => {
                            RowVerdict::AlreadyInvited { invitation }
                        }
                    };
                    (position, verdict)
                })
                .collect(),
        }
    }

    /// How many rows have each verdict.
    pub fn counts(&self) -> RowCounts {
        let mut counts = RowCounts::default();
        for (_, verdict) in &self.rows {
            *match verdict {
                RowVerdict::Accepted(_) => &mut counts.accepted,
                RowVerdict::Invalid(_) => &mut counts.invalid,
                RowVerdict::Duplicate { .. } => &mut counts.duplicate,
                RowVerdict::AlreadyInvited { .. } => &mut counts.already_invited,
            } += 1;
        }
        counts
    }
}

/// The number of rows of each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub accepted: usize,
    pub invalid: usize,
    pub duplicate: usize,
    pub already_invited: usize,
}

/// What the recruiter chose for every candidate of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchChoices {
    pub video_interview_id: VideoInterviewId,
    pub deadline: AnswerDeadline,
    /// The interface language of rows that name none.
    pub default_language: Language,
    /// *BCC myself* for a batch: ONE copy, of the first accepted row's invitation (see
    /// [`BatchChoices::bcc_for`]), so the recruiter sees what the candidates got without a copy
    /// per candidate.
    pub bcc_myself: bool,
    pub notify_me: bool,
    pub reminders: bool,
}

impl BatchChoices {
    /// Whether the invitation of the accepted row at `index` carries the recruiter's BCC copy:
    /// only the first accepted row's, and only with *BCC myself*.
    pub fn bcc_for<E>(&self, rows: &BatchRows<E>, index: usize) -> bool {
        self.bcc_myself
            && rows
                .accepted()
                .next()
                .is_some_and(|(first, _)| first == index)
    }
}

/// One thing wrong with an invalid row, as the parser said it: where (a JSON Pointer relative to
/// the row, RFC 6901: `/email`, `""` for the row itself) and what, for a person. Never the value
/// itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub pointer: String,
    pub detail: String,
}

/// What a stored batch keeps of a row's verdict: an accepted row names the invitation it became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum RowOutcome {
    Accepted { invitation: InvitationId },
    Invalid { errors: Vec<RowProblem> },
    Duplicate { of: usize },
    AlreadyInvited { invitation: InvitationId },
}

/// A row of a stored batch: where it was in the request, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(flatten)]
    pub outcome: RowOutcome,
}

/// An invitation batch as stored: the video interview, the deadline, who sent it and when, and
/// every row's outcome in the order sent. Kept as long as its invitations
/// (`retained_until`, the same deadline's).
#[derive(Debug, Clone, PartialEq)]
pub struct InvitationBatch {
    pub id: InvitationBatchId,
    pub organization_id: OrganizationId,
    pub video_interview_id: VideoInterviewId,
    pub deadline: AnswerDeadline,
    pub created_by: RecruiterId,
    pub created_at: Timestamp,
    /// How many rows had each verdict (kept beside the rows, so that a listing of batches need
    /// not read them).
    pub counts: RowCounts,
    /// Every row, in the order sent (empty when only the batch's summary was read).
    pub rows: Vec<BatchRow>,
    pub retained_until: Timestamp,
}

impl InvitationBatch {
    /// The invitations of the accepted rows, in row order.
    pub fn invitation_ids(&self) -> impl Iterator<Item = InvitationId> + '_ {
        self.rows.iter().filter_map(|row| match row.outcome {
            RowOutcome::Accepted { invitation } => Some(invitation),
            _ => None,
        })
    }
}

/// What became of an accepted row's email, read from its invitation's status at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendOutcome {
    /// Waiting for its turn (`queued`), or being sent right now (`sending`).
    Pending,
    /// SES accepted it; whatever happened later (opened, completed, bounced, expired) happened to
    /// a sent email.
    Sent,
    /// Nothing went out (`send_failed`): the recruiter may send it again.
    Failed,
    /// It may have gone out; SES's events will tell (`send_unconfirmed`).
    Unconfirmed,
    /// The recruiter withdrew it.
    Cancelled,
    /// The invitation is not there: erased on the candidate's request, past its retention time,
    /// or never stored (the batch's request failed half-way, `BatchIncomplete`).
    Missing,
}

impl SendOutcome {
    /// The outcome of an invitation in `status` (as read at an instant), or gone (`None`).
    pub fn of(status: Option<InvitationStatus>) -> Self {
        use InvitationStatus as S;
        match status {
            None => Self::Missing,
            Some(S::Queued | S::Sending) => Self::Pending,
            Some(S::SendFailed) => Self::Failed,
            Some(S::SendUnconfirmed) => Self::Unconfirmed,
            Some(S::Cancelled) => Self::Cancelled,
            Some(S::Sent | S::Opened | S::Completed | S::Expired | S::Bounced) => Self::Sent,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Unconfirmed => "unconfirmed",
            Self::Cancelled => "cancelled",
            Self::Missing => "missing",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_values::at;
    use crate::domain::{EmailAddress, PersonName};

    fn row(first: &str, email: &str) -> CandidateRow {
        CandidateRow {
            candidate: Candidate {
                first_name: PersonName::parse(first).unwrap(),
                last_name: PersonName::parse("Virtanen").unwrap(),
                email: EmailAddress::parse(email).unwrap(),
            },
            language: Language::Fi,
        }
    }

    fn at_index(index: usize) -> RowPosition {
        RowPosition { index, line: None }
    }

    fn judged(rows: Vec<Result<CandidateRow, &'static str>>) -> BatchRows<&'static str> {
        BatchRows::judge(
            rows.into_iter()
                .enumerate()
                .map(|(index, row)| (at_index(index), row))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn a_repeated_address_is_a_duplicate_of_its_first_valid_row_whatever_its_case() {
        let rows = judged(vec![
            Err("bad"),
            Ok(row("Aino", "aino@example.fi")),
            Ok(row("Eino", "eino@example.fi")),
            Ok(row("Aino", "AINO@Example.FI")),
            Ok(row("Eino", "eino@example.fi")),
        ]);
        let verdicts: Vec<_> = rows.rows().iter().map(|(_, verdict)| verdict).collect();
        assert_eq!(verdicts[0], &RowVerdict::Invalid("bad"));
        assert!(matches!(verdicts[1], RowVerdict::Accepted(_)));
        assert!(matches!(verdicts[2], RowVerdict::Accepted(_)));
        assert_eq!(verdicts[3], &RowVerdict::Duplicate { of: 1 });
        assert_eq!(verdicts[4], &RowVerdict::Duplicate { of: 2 });
        assert_eq!(
            rows.counts(),
            RowCounts {
                accepted: 2,
                invalid: 1,
                duplicate: 2,
                already_invited: 0
            }
        );
    }

    #[test]
    fn an_invalid_row_does_not_claim_its_address() {
        // Only a valid row is invited, so a later valid row with the address is not a duplicate.
        let rows = judged(vec![Err("bad"), Ok(row("Aino", "aino@example.fi"))]);
        assert_eq!(
            rows.accepted().map(|(index, _)| index).collect::<Vec<_>>(),
            [1]
        );
    }

    #[test]
    fn a_batch_has_one_to_a_thousand_rows() {
        assert_eq!(BatchRows::<()>::judge(vec![]), Err(BatchRowsError::Empty));
        let many = |n: usize| {
            (0..n)
                .map(|index| (at_index(index), Err(())))
                .collect::<Vec<(RowPosition, Result<CandidateRow, ()>)>>()
        };
        assert!(BatchRows::judge(many(MAX_BATCH_ROWS)).is_ok());
        assert_eq!(
            BatchRows::judge(many(MAX_BATCH_ROWS + 1)),
            Err(BatchRowsError::TooMany)
        );
    }

    #[test]
    fn an_already_invited_row_is_not_accepted_and_only_accepted_rows_can_become_one() {
        let mut rows = judged(vec![
            Ok(row("Aino", "aino@example.fi")),
            Ok(row("Aino", "aino@example.fi")),
            Ok(row("Eino", "eino@example.fi")),
        ]);
        let earlier = InvitationId::generate(at("2026-11-01T00:00:00Z"));
        rows.already_invited(0, earlier);
        rows.already_invited(1, earlier);
        assert_eq!(
            rows.rows()[0].1,
            RowVerdict::AlreadyInvited {
                invitation: earlier
            }
        );
        assert_eq!(rows.rows()[1].1, RowVerdict::Duplicate { of: 0 });
        assert_eq!(
            rows.accepted().map(|(index, _)| index).collect::<Vec<_>>(),
            [2]
        );
    }

    #[test]
    fn the_bcc_copy_goes_with_the_first_accepted_row_only() {
        let mut rows = judged(vec![
            Err("bad"),
            Ok(row("Aino", "aino@example.fi")),
            Ok(row("Eino", "eino@example.fi")),
            Ok(row("Ilona", "ilona@example.fi")),
        ]);
        rows.already_invited(1, InvitationId::generate(at("2026-11-01T00:00:00Z")));
        let choices = |bcc_myself| BatchChoices {
            video_interview_id: VideoInterviewId::generate(at("2026-11-01T00:00:00Z")),
            deadline: AnswerDeadline::for_new_invitation(
                crate::domain::test_values::date("2027-03-31"),
                crate::domain::test_values::zone("Europe/Helsinki"),
                at("2026-11-30T00:00:00Z"),
            )
            .unwrap(),
            default_language: Language::Fi,
            bcc_myself,
            notify_me: false,
            reminders: true,
        };
        let with = choices(true);
        assert_eq!(
            (0..4)
                .map(|index| with.bcc_for(&rows, index))
                .collect::<Vec<_>>(),
            [false, false, true, false]
        );
        let without = choices(false);
        assert!((0..4).all(|index| !without.bcc_for(&rows, index)));
    }
}
