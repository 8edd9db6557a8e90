//! Invitation batches (`POST /invitation-batches`), and the sending of their invitations
//! (`invitation-sender`).
//!
//! Accepting a batch marks the rows whose candidate already holds an active invitation to the
//! video interview, then, for the accepted rows: queues one message per invitation, stores the
//! batch while taking its emails from the organization's daily quota (one write), and stores the
//! invitations as `queued`. The messages go first, so that no invitation is ever stored without
//! one: a request that dies half-way leaves messages for invitations that were never stored,
//! which the sender drops once [`STORE_GRACE`] has passed, never an invitation that waits for ever.
//!
//! Sending takes one message at a time: the invitation's turn ([`Invitation::turn_at`]) says
//! whether to send, fail, settle an attempt that died, or do nothing; the claim (`dispatched`) is
//! one conditional write, so two deliveries of one message cannot both send.

use futures_util::StreamExt;
use jiff::{SignedDuration, Timestamp};

use super::invitations::{InvitationSender, record_send, render_invitation};
use super::{AppError, record_and_settle};
use crate::domain::{
    BatchChoices, BatchRow, BatchRows, CandidateEmailDigest, CandidateLookupKey, CandidateToken,
    EmailAddress, Employer, Invitation, InvitationBatch, InvitationBatchId, InvitationEvent,
    InvitationId, InvitationStatus, NewInvitation, OrganizationId, QueuedTurn, Recruiter,
    ReminderPolicy, RowOutcome, RowProblem, RowVerdict, VideoInterview, VideoInterviewId,
};
use crate::metrics::{self, Counter};
use crate::ports::{
    Clock, EmailQuota, InvitationBatches, Invitations, Mailer, QueuedInvitation, SendQueue,
    StoreError,
};

/// How long after its message was queued an invitation may still be on its way into the store:
/// the request that accepts a batch queues the messages first and stores the invitations right
/// after (seconds, even for a thousand rows). A message older than this whose invitation is not
/// stored belongs to a request that died half-way, and is dropped.
pub const STORE_GRACE: SignedDuration = SignedDuration::from_mins(5);

/// What became of a queued invitation's message (see [`QueuedSender::send_queued`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueuedSend {
    /// The send's outcome is recorded: `sent`, `send_failed` or `send_unconfirmed`.
    Recorded(InvitationStatus),
    /// Nothing to do: sent or settled before (a redelivered message), cancelled, erased, or a
    /// message whose invitation was never stored.
    NothingToDo,
    /// SES answered that the account sends too fast: nothing went out, and the invitation is
    /// queued again. Send this message later, and slow down.
    Throttled,
    /// Not stored yet (its batch is being stored): look again in a moment.
    NotStoredYet,
    /// Another delivery of the message claimed it a moment ago, or the outcome could not be
    /// recorded: look again later (a claim that stays unrecorded becomes `send_unconfirmed`).
    Later,
}

/// Candidates looked up at once: each lookup is an index query and a read per invitation found.
const AT_ONCE: usize = 16;

/// `rows`, each accepted row whose candidate has an invitation of `organization` to `interview`
/// that is active at `now` ([`crate::domain::Invitation::is_active_at`]) marked as already invited
/// by it. Finds them by the candidate's address digest (under `key`), through the store's
/// index: an invitation stored a moment earlier may not be found yet (the index is eventually
/// consistent). Errors when the store cannot be read.
pub async fn mark_already_invited<S: Invitations, E>(
    store: &S,
    organization: &OrganizationId,
    interview: VideoInterviewId,
    key: &CandidateLookupKey,
    mut rows: BatchRows<E>,
    now: Timestamp,
) -> Result<BatchRows<E>, StoreError> {
    // Owned: a stream of borrowed items makes a future that is not `Send` for every lifetime,
    // which the Lambda runtime requires of the handler's.
    let accepted: Vec<(usize, EmailAddress)> = rows
        .accepted()
        .map(|(index, row)| (index, row.candidate.email.clone()))
        .collect();
    let found: Vec<Result<Option<(usize, InvitationId)>, StoreError>> =
        futures_util::stream::iter(accepted)
            .map(|(index, email)| async move {
                let digest = CandidateEmailDigest::of(key, organization, &email);
                Ok(
                    active_invitation(store, organization, interview, &digest, now)
                        .await?
                        .map(|invitation| (index, invitation)),
                )
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
    let found: Vec<_> = found.into_iter().collect::<Result<_, _>>()?;
    for (index, invitation) in found.into_iter().flatten() {
        rows.already_invited(index, invitation);
    }
    Ok(rows)
}

/// The candidate's newest invitation to `interview` that is active at `now`, if any.
async fn active_invitation<S: Invitations>(
    store: &S,
    organization: &OrganizationId,
    interview: VideoInterviewId,
    digest: &CandidateEmailDigest,
    now: Timestamp,
) -> Result<Option<InvitationId>, StoreError> {
    // Oldest first: the newest active one is the last found.
    let mut active = None;
    for id in store.invitations_of_candidate(organization, digest).await? {
        if let Some(invitation) = store.get_invitation(organization, id).await?
            && invitation.video_interview_id == interview
            && invitation.is_active_at(now)
        {
            active = Some(id);
        }
    }
    Ok(active)
}

impl<S, M, C> InvitationSender<'_, S, M, C>
where
    S: Invitations + InvitationBatches + EmailQuota,
    M: Mailer,
    C: Clock,
{
    /// Accepts a batch of `rows` (the parser's problems with each invalid one) for `interview`
    /// (of the recruiter's organization, already read), as asked at `now`: the stored batch, each
    /// accepted row's invitation `queued` and on `queue`. Errors: `EmailNotVerified`,
    /// `QuotaExhausted` when the day's emails left are fewer than the accepted rows (nothing
    /// stored), a store or queue failure (some invitations may be stored, and will be sent).
    pub async fn accept_batch<Q: SendQueue>(
        &self,
        queue: &Q,
        recruiter: &Recruiter,
        interview: &VideoInterview,
        choices: &BatchChoices,
        rows: BatchRows<Vec<RowProblem>>,
        now: Timestamp,
    ) -> Result<InvitationBatch, AppError> {
        if !recruiter.may_receive_candidate_data() {
            return Err(AppError::EmailNotVerified);
        }
        let organization = &recruiter.organization_id;
        let rows = mark_already_invited(
            self.invitations,
            organization,
            interview.id,
            self.lookup_key,
            rows,
            now,
        )
        .await?;
        let batch_id = InvitationBatchId::generate(now);
        let counts = rows.counts();
        let bcc: Vec<bool> = rows
            .rows()
            .iter()
            .map(|(position, _)| choices.bcc_for(&rows, position.index))
            .collect();
        let mut invitations = Vec::new();
        let mut batch_rows = Vec::new();
        for ((position, verdict), bcc_myself) in rows.into_rows().into_iter().zip(bcc) {
            let outcome = match verdict {
                RowVerdict::Accepted(row) => {
                    let new = NewInvitation {
                        candidate: row.candidate,
                        language: row.language,
                        video_interview_id: interview.id,
                        deadline: choices.deadline.clone(),
                        bcc_myself,
                        notify_me: choices.notify_me,
                        reminders: choices.reminders,
                    };
                    let mut invitation = Invitation::queued(
                        new,
                        interview,
                        recruiter,
                        self.retention,
                        now,
                        batch_id,
                    );
                    invitation.candidate_digest = Some(CandidateEmailDigest::of(
                        self.lookup_key,
                        organization,
                        &invitation.candidate.email,
                    ));
                    let id = invitation.id;
                    invitations.push(invitation);
                    RowOutcome::Accepted { invitation: id }
                }
                RowVerdict::Invalid(errors) => RowOutcome::Invalid { errors },
                RowVerdict::Duplicate { of } => RowOutcome::Duplicate { of },
                RowVerdict::AlreadyInvited { invitation } => {
                    RowOutcome::AlreadyInvited { invitation }
                }
            };
            batch_rows.push(BatchRow {
                index: position.index,
                line: position.line,
                outcome,
            });
        }
        let batch = InvitationBatch {
            id: batch_id,
            organization_id: organization.clone(),
            video_interview_id: interview.id,
            deadline: choices.deadline.clone(),
            created_by: recruiter.id.clone(),
            created_at: now,
            counts,
            rows: batch_rows,
            retained_until: self.retention.retained_until(&choices.deadline),
        };
        let messages: Vec<QueuedInvitation> = invitations
            .iter()
            .map(|invitation| QueuedInvitation {
                organization_id: organization.clone(),
                invitation_id: invitation.id,
            })
            .collect();
        queue.enqueue(&messages).await?;
        let emails = u32::try_from(invitations.len()).unwrap_or(u32::MAX);
        self.invitations
            .insert_batch(&batch, self.quota(now), emails)
            .await
            .map_err(|error| self.quota_error(error, now))?;
        if let Err(error) = self
            .invitations
            .insert_queued_invitations(&invitations)
            .await
        {
            tracing::error!(%error, organization = organization.as_str(), batch = %batch.id, "a batch's invitations were stored in part");
            return Err(AppError::BatchIncomplete(batch.id));
        }
        tracing::info!(
            organization = organization.as_str(),
            batch = %batch.id,
            rows = batch.rows.len(),
            queued = invitations.len(),
            "invitation batch accepted"
        );
        Ok(batch)
    }
}

/// Sends queued invitations (`invitation-sender`): the ports it needs, where the candidate's link
/// leads and the reminders planned when one is sent. It needs no quota (taken when the batch was
/// accepted) and no lookup key (the digest is stored). A message is taken in two steps, so that
/// the caller paces only real sends and reads the employer only for them: [`Self::turn`], then,
/// when it is ready, [`Self::send`].
pub struct QueuedSender<'a, S, M, C> {
    pub invitations: &'a S,
    pub mailer: &'a M,
    pub clock: &'a C,
    /// Base of the candidate's personal link (`CANDIDATE_APP_URL`).
    pub candidate_app_url: &'a str,
    pub reminder_policy: &'a ReminderPolicy,
}

/// A queued invitation's turn (see [`QueuedSender::turn`]).
#[derive(Debug)]
pub enum Turn {
    /// Settled without sending: what became of the message.
    Settled(QueuedSend),
    /// Its email is to go out now ([`QueuedSender::send`]).
    Ready(Box<Invitation>),
}

impl<S: Invitations, M: Mailer, C: Clock> QueuedSender<'_, S, M, C> {
    /// The turn of the queued invitation `message` names, whose message was queued `message_age`
    /// ago; `in_flight` is how long another delivery's claim may still be a send in progress (the
    /// sender's timeout). Settles what needs no email (a deadline passed, an attempt that died
    /// mid-send, a redelivery); errors only when the store cannot be read or written.
    pub async fn turn(
        &self,
        message: &QueuedInvitation,
        message_age: SignedDuration,
        in_flight: SignedDuration,
    ) -> Result<Turn, AppError> {
        let (organization, id) = (&message.organization_id, message.invitation_id);
        let now = self.clock.now();
        let Some(mut invitation) = self.invitations.get_invitation(organization, id).await? else {
            if message_age < STORE_GRACE {
                return Ok(Turn::Settled(QueuedSend::NotStoredYet));
            }
            tracing::warn!(organization = organization.as_str(), invitation = %id, "a queued invitation was never stored (its batch's request died half-way, or it was erased): dropped");
            return Ok(Turn::Settled(QueuedSend::NothingToDo));
        };
        // Recorded, or changed meanwhile (cancelled, or settled by another delivery): nothing to
        // do.
        let settled = |recorded: bool, invitation: &Invitation| {
            Ok(Turn::Settled(if recorded {
                QueuedSend::Recorded(invitation.status)
            } else {
                QueuedSend::NothingToDo
            }))
        };
        match invitation.turn_at(now, in_flight) {
            QueuedTurn::Done => Ok(Turn::Settled(QueuedSend::NothingToDo)),
            QueuedTurn::InFlight => Ok(Turn::Settled(QueuedSend::Later)),
            QueuedTurn::DeadlinePassed => {
                tracing::warn!(organization = organization.as_str(), invitation = %id, "a queued invitation's deadline passed before its turn: not sent");
                let failed = InvitationEvent::SendFailed {
                    reason: "The answer deadline passed before its turn to be sent came; it was \
                             not sent."
                        .to_owned(),
                };
                let recorded = record_and_settle(
                    self.invitations,
                    &mut invitation,
                    &failed,
                    "queued invitation failed",
                )
                .await?;
                settled(recorded, &invitation)
            }
            QueuedTurn::Abandoned => {
                tracing::warn!(organization = organization.as_str(), invitation = %id, "an earlier attempt died between sending and recording: unconfirmed");
                let unconfirmed = InvitationEvent::SendUnconfirmed {
                    reason: "Sending was interrupted; the email may have been sent. It is not \
                             sent again by itself. You may resend it, accepting that the \
                             candidate may get it twice."
                        .to_owned(),
                };
                let recorded = record_and_settle(
                    self.invitations,
                    &mut invitation,
                    &unconfirmed,
                    "queued invitation unconfirmed",
                )
                .await?;
                if recorded {
                    metrics::count(Counter::InvitationSendsUnconfirmed);
                }
                settled(recorded, &invitation)
            }
            QueuedTurn::Send => Ok(Turn::Ready(Box::new(invitation))),
        }
    }

    /// Sends a ready invitation (from [`Self::turn`]) naming `employer`, through the same
    /// rendering and recording as a single invitation ([`InvitationSender::send`]): its link is
    /// made and claimed (`dispatched`, one conditional write) before the email goes out, so that
    /// a second delivery cannot send it too. Errors only when the email cannot be rendered or the
    /// claim cannot be written (nothing was sent).
    pub async fn send(
        &self,
        mut invitation: Invitation,
        employer: &Employer,
    ) -> Result<QueuedSend, AppError> {
        let (organization, id) = (&invitation.organization_id.clone(), invitation.id);
        let now = self.clock.now();
        let token = CandidateToken::generate(organization, id);
        // Rendered before the claim: a template failure leaves it queued.
        let email = render_invitation(&invitation, employer, self.candidate_app_url, &token)?;
        let claim = InvitationEvent::Dispatched {
            token: token.hash(),
            at: now,
            next_reminder: invitation.reminder_after(
                self.reminder_policy,
                &invitation.deadline,
                now,
            ),
        };
        match self
            .invitations
            .record_invitation_event(organization, id, &claim, None)
            .await
        {
            Ok(()) => {}
            // Claimed by another delivery, or cancelled, in between.
            Err(StoreError::Conflict) => return Ok(QueuedSend::NothingToDo),
            Err(error) => return Err(error.into()),
        }
        if let Err(error) = invitation.apply(&claim) {
            tracing::error!(%error, invitation = %id, "a claimed invitation was not queued");
        }
        let sent = self.mailer.send(&email).await;
        if let Err(error) = &sent
            && error.is_throttling()
        {
            tracing::warn!(organization = organization.as_str(), invitation = %id, %error, "throttled by SES: queued again");
            if let Err(error) = self
                .invitations
                .record_invitation_event(organization, id, &InvitationEvent::Requeued, None)
                .await
            {
                // It stays claimed, and a later delivery settles it as unconfirmed.
                tracing::error!(%error, invitation = %id, "queueing a throttled invitation again failed");
            }
            return Ok(QueuedSend::Throttled);
        }
        let (sent, recorded) =
            record_send(self.invitations, self.clock, invitation, sent, None).await;
        Ok(if recorded {
            QueuedSend::Recorded(sent.status)
        } else {
            QueuedSend::Later
        })
    }

    /// Both steps at once, naming `employer`: what became of the message.
    pub async fn send_queued(
        &self,
        message: &QueuedInvitation,
        message_age: SignedDuration,
        in_flight: SignedDuration,
        employer: &Employer,
    ) -> Result<QueuedSend, AppError> {
        match self.turn(message, message_age, in_flight).await? {
            Turn::Settled(outcome) => Ok(outcome),
            Turn::Ready(invitation) => self.send(*invitation, employer).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::memory::MemoryQueue;
    use crate::app::invitations::cancel_invitation;
    use crate::app::testing::World;
    use crate::domain::fixtures;

    /// The verdicts of rows to `emails` after the lookup, for `interview`, at `now`.
    async fn verdicts(
        world: &World,
        sent: &Invitation,
        interview: VideoInterviewId,
        emails: &[&str],
        now: Timestamp,
    ) -> Vec<RowVerdict<()>> {
        let rows = fixtures::batch_rows(emails);
        let key = &world.lookup_key;
        let organization = &sent.organization_id;
        let marked = mark_already_invited(&world.store, organization, interview, key, rows, now);
        marked.await.unwrap().into_verdicts()
    }

    /// Everything the batch tests need: the world, the queue and the fixture interview.
    struct Batch {
        world: World,
        queue: MemoryQueue,
        interview: VideoInterview,
    }

    /// How long another delivery's claim may still be a send in progress, in these tests.
    const IN_FLIGHT: SignedDuration = SignedDuration::from_secs(60);

    impl Batch {
        fn new() -> Self {
            let world = World::new();
            let interview = fixtures::video_interview(&world.recruiter);
            Self {
                world,
                queue: MemoryQueue::default(),
                interview,
            }
        }

        fn choices(&self, bcc_myself: bool) -> BatchChoices {
            let new = fixtures::new_invitation(&self.interview);
            BatchChoices {
                video_interview_id: self.interview.id,
                deadline: new.deadline,
                default_language: new.language,
                bcc_myself,
                notify_me: true,
                reminders: true,
            }
        }

        async fn accept(&self, emails: &[&str]) -> Result<InvitationBatch, AppError> {
            let rows = fixtures::batch_rows(emails).map_invalid(|()| Vec::new());
            self.world
                .sender()
                .accept_batch(
                    &self.queue,
                    &self.world.recruiter,
                    &self.interview,
                    &self.choices(true),
                    rows,
                    fixtures::now(),
                )
                .await
        }

        /// Each queued message's turn, as the sender takes them at `at`, right after queueing.
        async fn send_all(&self, messages: &[QueuedInvitation], at: Timestamp) -> Vec<QueuedSend> {
            let world = World {
                clock: crate::ports::FixedClock(at),
                ..World::new()
            };
            let sender = QueuedSender {
                clock: &world.clock,
                ..self.world.queued_sender()
            };
            let mut outcomes = Vec::new();
            for message in messages {
                let outcome = sender.send_queued(
                    message,
                    SignedDuration::ZERO,
                    IN_FLIGHT,
                    &self.world.employer,
                );
                outcomes.push(outcome.await.expect("taken"));
            }
            outcomes
        }

        fn stored(&self, id: InvitationId) -> Invitation {
            self.world
                .store
                .invitation(&self.world.recruiter.organization_id, id)
                .expect("stored")
        }
    }

    #[tokio::test]
    async fn a_batch_queues_each_accepted_row_and_stores_nothing_personal_in_the_batch() {
        let batch = Batch::new();
        let accepted = batch
            .accept(&["aino@example.fi", "AINO@example.fi", "eino@example.fi"])
            .await
            .unwrap();
        let ids: Vec<_> = accepted.invitation_ids().collect();
        assert_eq!(ids.len(), 2);
        assert_eq!(accepted.rows[1].outcome, RowOutcome::Duplicate { of: 0 });
        let queued = batch.queue.take();
        assert_eq!(
            queued
                .iter()
                .map(|message| message.invitation_id)
                .collect::<Vec<_>>(),
            ids
        );
        for (n, id) in ids.iter().enumerate() {
            let invitation = batch.stored(*id);
            assert_eq!(invitation.status, InvitationStatus::Queued);
            assert_eq!(invitation.batch_id, Some(accepted.id));
            assert_eq!(invitation.next_reminder, None, "planned when sent");
            // One BCC copy for the batch: the first accepted row's.
            assert_eq!(invitation.bcc_myself, n == 0);
        }
        assert_eq!(
            batch
                .world
                .store
                .get_batch(&accepted.organization_id, accepted.id)
                .await
                .unwrap(),
            Some(accepted.clone())
        );
        // The rows name invitations, never the candidates.
        let rows = format!("{:?}", accepted.rows);
        assert!(
            !rows.contains("example.fi") && !rows.contains("Åsa"),
            "{rows}"
        );
        assert!(
            batch.world.outbox.sent().is_empty(),
            "nothing is sent before its turn"
        );
    }

    #[tokio::test]
    async fn a_batch_larger_than_what_is_left_of_the_daily_quota_stores_nothing() {
        let mut batch = Batch::new();
        batch.world.daily_email_quota = 2;
        let error = batch
            .accept(&["a@example.fi", "b@example.fi", "c@example.fi"])
            .await
            .unwrap_err();
        assert!(
            matches!(error, AppError::QuotaExhausted { .. }),
            "{error:?}"
        );
        assert_eq!(batch.world.store.invitation_count(), 0);
        // Its messages are queued, and dropped by the sender once the grace has passed.
        let queued = batch.queue.take();
        let sender = batch.world.queued_sender();
        let employer = &batch.world.employer;
        let young = sender.send_queued(
            &queued[0],
            SignedDuration::from_secs(1),
            IN_FLIGHT,
            employer,
        );
        assert_eq!(young.await.unwrap(), QueuedSend::NotStoredYet);
        let old = sender.send_queued(&queued[0], STORE_GRACE, IN_FLIGHT, employer);
        assert_eq!(old.await.unwrap(), QueuedSend::NothingToDo);
        assert!(batch.world.outbox.sent().is_empty());
    }

    #[tokio::test]
    async fn each_queued_invitation_is_sent_once_however_often_its_message_arrives() {
        let batch = Batch::new();
        batch
            .accept(&["aino@example.fi", "eino@example.fi"])
            .await
            .unwrap();
        let queued = batch.queue.take();
        let first = batch.send_all(&queued, fixtures::now()).await;
        assert_eq!(first, [QueuedSend::Recorded(InvitationStatus::Sent); 2]);
        let again = batch.send_all(&queued, fixtures::now()).await;
        assert_eq!(again, [QueuedSend::NothingToDo; 2]);
        let sent = batch.world.outbox.sent();
        assert_eq!(sent.len(), 2, "one email per row");
        assert_eq!(sent[0].to.address.as_str(), "aino@example.fi");
        assert!(sent[0].bcc.is_some() && sent[1].bcc.is_none());
        let invitation = batch.stored(queued[0].invitation_id);
        assert_eq!(invitation.status, InvitationStatus::Sent);
        assert!(invitation.next_reminder.is_some(), "planned when sent");
        // The link in the email opens it.
        let token = batch.world.last_token();
        let opened = batch
            .world
            .store
            .find_invitation_by_token(&token, fixtures::now())
            .await;
        assert_eq!(
            opened.unwrap().map(|found| found.id),
            Some(queued[1].invitation_id)
        );
    }

    #[tokio::test]
    async fn a_throttled_send_queues_the_invitation_again_and_it_goes_out_later() {
        let batch = Batch::new();
        batch.accept(&["aino@example.fi"]).await.unwrap();
        let queued = batch.queue.take();
        batch
            .world
            .outbox
            .refuse_with(Some("TooManyRequestsException"));
        let throttled = batch.send_all(&queued, fixtures::now()).await;
        assert_eq!(throttled, [QueuedSend::Throttled]);
        let invitation = batch.stored(queued[0].invitation_id);
        assert_eq!(invitation.status, InvitationStatus::Queued);
        assert_eq!(invitation.next_reminder, None);
        batch.world.outbox.refuse_with(None);
        let later = batch.send_all(&queued, fixtures::now()).await;
        assert_eq!(later, [QueuedSend::Recorded(InvitationStatus::Sent)]);
        assert_eq!(batch.world.outbox.sent().len(), 1);
    }

    #[tokio::test]
    async fn another_refusal_fails_the_row_and_a_lost_answer_leaves_it_unconfirmed() {
        let batch = Batch::new();
        batch
            .accept(&["aino@example.fi", "eino@example.fi"])
            .await
            .unwrap();
        let queued = batch.queue.take();
        batch.world.outbox.refuse_with(Some("MessageRejected"));
        let refused = batch.send_all(&queued[..1], fixtures::now()).await;
        assert_eq!(
            refused,
            [QueuedSend::Recorded(InvitationStatus::SendFailed)]
        );
        batch.world.outbox.refuse_with(None);
        batch.world.outbox.lose_answers(true);
        let lost = batch.send_all(&queued[1..], fixtures::now()).await;
        assert_eq!(
            lost,
            [QueuedSend::Recorded(InvitationStatus::SendUnconfirmed)]
        );
        assert_eq!(
            batch.send_all(&queued, fixtures::now()).await,
            [QueuedSend::NothingToDo; 2]
        );
        assert_eq!(
            batch.world.outbox.sent().len(),
            1,
            "only the lost answer's email left"
        );
    }

    #[tokio::test]
    async fn an_attempt_that_died_between_send_and_record_becomes_unconfirmed_never_a_second_email()
    {
        let batch = Batch::new();
        batch.accept(&["aino@example.fi"]).await.unwrap();
        let queued = batch.queue.take();
        // The earlier attempt: claimed (and perhaps sent), then the process died.
        let claimed_at = fixtures::now();
        let stored = batch.stored(queued[0].invitation_id);
        batch
            .world
            .record(
                &stored,
                InvitationEvent::Dispatched {
                    token: CandidateToken::generate(&stored.organization_id, stored.id).hash(),
                    at: claimed_at,
                    next_reminder: None,
                },
            )
            .await;
        let soon = batch
            .send_all(&queued, claimed_at + SignedDuration::from_secs(5))
            .await;
        assert_eq!(soon, [QueuedSend::Later], "it may be sending right now");
        let later = batch.send_all(&queued, claimed_at + IN_FLIGHT).await;
        assert_eq!(
            later,
            [QueuedSend::Recorded(InvitationStatus::SendUnconfirmed)]
        );
        assert!(
            batch.world.outbox.sent().is_empty(),
            "never sent again by itself"
        );
    }

    #[tokio::test]
    async fn a_cancelled_or_overdue_queued_invitation_is_not_sent() {
        let batch = Batch::new();
        batch
            .accept(&["aino@example.fi", "eino@example.fi"])
            .await
            .unwrap();
        let queued = batch.queue.take();
        let organization = &batch.world.recruiter.organization_id;
        cancel_invitation(
            &batch.world.store,
            organization,
            queued[0].invitation_id,
            fixtures::now(),
        )
        .await
        .unwrap();
        assert_eq!(
            batch.send_all(&queued[..1], fixtures::now()).await,
            [QueuedSend::NothingToDo]
        );
        let overdue = batch.stored(queued[1].invitation_id).deadline.expires_at();
        assert_eq!(
            batch.send_all(&queued[1..], overdue).await,
            [QueuedSend::Recorded(InvitationStatus::SendFailed)]
        );
        assert!(batch.world.outbox.sent().is_empty());
    }

    #[tokio::test]
    async fn a_candidate_with_an_active_invitation_to_the_interview_is_already_invited_in_any_case()
    {
        let world = World::new();
        let sent = world.send(false).await;
        assert_eq!(sent.candidate.email.as_str(), "anna@example.fi");
        let found = verdicts(
            &world,
            &sent,
            sent.video_interview_id,
            &["Anna@Example.FI", "eino@example.fi"],
            fixtures::now(),
        )
        .await;
        assert_eq!(
            found[0],
            RowVerdict::AlreadyInvited {
                invitation: sent.id
            }
        );
        assert!(matches!(found[1], RowVerdict::Accepted(_)));
    }

    #[tokio::test]
    async fn another_interview_an_expired_or_a_cancelled_invitation_invites_again() {
        let world = World::new();
        let sent = world.send(false).await;
        let other = VideoInterviewId::generate(fixtures::now());
        let after_deadline = sent.deadline.expires_at() + jiff::SignedDuration::from_secs(1);
        let (world, sent) = (&world, &sent);
        let accepted = |interview, at| async move {
            let found = verdicts(world, sent, interview, &["anna@example.fi"], at).await;
            matches!(found[0], RowVerdict::Accepted(_))
        };
        assert!(!accepted(sent.video_interview_id, fixtures::now()).await);
        assert!(accepted(other, fixtures::now()).await);
        assert!(accepted(sent.video_interview_id, after_deadline).await);
        cancel_invitation(
            &world.store,
            &sent.organization_id,
            sent.id,
            fixtures::now(),
        )
        .await
        .unwrap();
        assert!(accepted(sent.video_interview_id, fixtures::now()).await);
    }
}
