//! Invitations as the recruiter handles them: send one, send it again, cancel it, read it.
//!
//! Sending stores the invitation first (`sending`), then sends the email, then records how that
//! went: `sent`, `send_failed` (nothing went out), or `send_unconfirmed` (SES's answer was lost, so
//! the email may be out). So no email is ever sent for an invitation that is not stored, a failed
//! send leaves a record that says so instead of a silent loss, and an email that may be out is
//! never sent again unless the recruiter chooses to.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::domain::{
    CandidateEmailDigest, CandidateLookupKey, CandidateToken, CorrectedEmail, EmailAddress,
    Employer, Invitation, InvitationEvent, InvitationId, InvitationStatus, NewInvitation,
    OrganizationId, Recruiter, ReminderPolicy, ResendRefused, RetentionPeriod, VideoInterview,
};
use crate::email::{candidate_link, invitation_email};
use crate::metrics::{self, Counter};
use crate::ports::{
    ClaimTicket, Clock, DailyEmailQuota, EmailQuota, IdempotencyKey, Invitations, KeyedAnswer,
    MailError, Mailer, OutgoingEmail, RequestFingerprint, SavedResponse, StoreError,
};

use super::idempotency::{Held, decide};
use super::{AppError, record_and_settle};

/// A request that carries an Idempotency-Key, which sending claims in the invitation's own write
/// and answers in the write that records the outcome (3 sequential round trips instead of 6).
pub struct KeyedRequest<'a> {
    pub key: &'a IdempotencyKey,
    pub fingerprint: &'a RequestFingerprint,
    /// The answer to keep for the key's retries, given the invitation after its send (`sent` or
    /// `send_failed`).
    pub answer: &'a (dyn Fn(&Invitation) -> Option<SavedResponse> + Send + Sync),
}

/// What a keyed use case did: ran, or found its key held (a replay, or a refusal).
#[derive(Debug)]
pub enum Keyed<T> {
    Ran(T),
    Held(Held),
}

/// Sends invitation emails: the ports it needs, where the candidate's link leads, and how many
/// invitation emails an organization may send per UTC day.
pub struct InvitationSender<'a, S, M, C> {
    pub invitations: &'a S,
    pub mailer: &'a M,
    pub clock: &'a C,
    /// Base of the candidate's personal link (`CANDIDATE_APP_URL`).
    pub candidate_app_url: &'a str,
    /// Invitation emails (first sends and resends) per organization and UTC day
    /// (`DAILY_EMAIL_QUOTA`).
    pub daily_email_quota: u32,
    /// The employer the emails name: the organization's (see `organizations::Employers`).
    pub employer: &'a Employer,
    /// The deployment's reminders, planned with each new invitation.
    pub reminder_policy: &'a ReminderPolicy,
    /// How long each new invitation is kept after its deadline (`RETENTION_DAYS`).
    pub retention: &'a RetentionPeriod,
    /// The key of the candidate's address digest, by which erasure and access requests find the
    /// invitation (`domain::candidate_lookup`).
    pub lookup_key: &'a CandidateLookupKey,
}

impl<S: Invitations + EmailQuota, M: Mailer, C: Clock> InvitationSender<'_, S, M, C> {
    /// Invites a candidate to `interview` (of the recruiter's organization, already read) and
    /// emails them, as asked at `now` (the instant `new`'s deadline was checked against). The
    /// answer is the invitation after the send: `sent`, or `send_failed` with its reason. With
    /// `keyed`, a request whose key is held changes nothing.
    pub async fn send(
        &self,
        recruiter: &Recruiter,
        interview: &VideoInterview,
        new: NewInvitation,
        now: Timestamp,
        keyed: Option<KeyedRequest<'_>>,
    ) -> Result<Keyed<Invitation>, AppError> {
        if !recruiter.may_receive_candidate_data() {
            return Err(AppError::EmailNotVerified);
        }
        let mut invitation = Invitation::new(new, interview, recruiter, self.retention, now);
        invitation.candidate_digest = Some(CandidateEmailDigest::of(
            self.lookup_key,
            &invitation.organization_id,
            &invitation.candidate.email,
        ));
        invitation.next_reminder =
            invitation.reminder_after(self.reminder_policy, &invitation.deadline, now);
        let token = CandidateToken::generate(&invitation.organization_id, invitation.id);
        // Rendered before anything is stored: a template failure leaves nothing behind.
        let email = self.render(&invitation, &token)?;
        // One email of the organization's day, taken in the write that stores the invitation.
        let quota = self.quota(now);
        let Some(keyed) = keyed else {
            self.invitations
                .insert_invitation(&invitation, &token.hash(), quota)
                .await
                .map_err(|error| self.quota_error(error, now))?;
            return Ok(Keyed::Ran(self.deliver(invitation, &email, None).await.0));
        };
        let claim = self
            .invitations
            .insert_invitation_claiming_key(
                &invitation,
                &token.hash(),
                quota,
                keyed.key,
                keyed.fingerprint,
                now,
            )
            .await
            .map_err(|error| self.quota_error(error, now))?;
        Ok(match decide(claim, keyed.fingerprint) {
            Ok(ticket) => {
                let (answered, _) = self
                    .deliver(invitation, &email, Some((&keyed, &ticket)))
                    .await;
                Keyed::Ran(answered)
            }
            Err(held) => Keyed::Held(held),
        })
    }

    /// Sends the invitation again, with a new personal link (the earlier ones keep working):
    /// after a failed send or a bounce, or when the candidate did not get it, as far as
    /// [`Invitation::check_resend`] allows (`accept_duplicate`: the recruiter accepts that the
    /// candidate may get it twice, needed when the last send is unconfirmed). With
    /// `corrected_email`, to that address instead (no cool-down; the links sent to the old one
    /// stop working). The answer is the invitation as stored after the send: if it was cancelled
    /// or completed meanwhile, no email goes out (or, cancelled during the send itself, the answer
    /// says so).
    pub async fn resend(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        accept_duplicate: bool,
        corrected_email: Option<EmailAddress>,
    ) -> Result<Invitation, AppError> {
        let now = self.clock.now();
        let mut invitation = invitation(self.invitations, organization, id, now).await?;
        let corrected_email = corrected_email.filter(|email| *email != invitation.candidate.email);
        invitation
            .check_resend(now, accept_duplicate, corrected_email.is_some())
            .map_err(AppError::ResendRefused)?;
        let token = CandidateToken::generate(organization, id);
        // Planned again: a bounce had stopped them; a corrected address forgets a complaint.
        let mut planned = invitation.clone();
        if corrected_email.is_some() {
            planned.complained_at = None;
        }
        let resent = InvitationEvent::Resent {
            token: token.hash(),
            at: now,
            resends_before: invitation.resend_count,
            corrected_email: corrected_email.map(|email| CorrectedEmail {
                digest: CandidateEmailDigest::of(self.lookup_key, organization, &email),
                email,
            }),
            next_reminder: planned.reminder_after(self.reminder_policy, &invitation.deadline, now),
        };
        if invitation.apply(&resent).is_err() {
            return Err(AppError::ResendRefused(ResendRefused::NotUnopened(
                invitation.status,
            )));
        }
        let email = self.render(&invitation, &token)?;
        let quota = self.quota(now);
        self.invitations
            .take_email(organization, quota)
            .await
            .map_err(|error| self.quota_error(error, now))?;
        // Whatever stops the resend from here until its email goes out gives that email back.
        if let Err(error) = self
            .invitations
            .record_invitation_event(organization, id, &resent, None)
            .await
        {
            self.give_back_email(organization, quota.day).await;
            return Err(match error {
                StoreError::Conflict => AppError::Conflict(
                    "The invitation changed meanwhile (opened, completed, cancelled or sent again); it is not sent again",
                ),
                error => error.into(),
            });
        }
        // A cancellation or a completion may have landed since the resend was recorded: checked
        // again just before the email goes out, so that none is sent after either.
        match self::invitation(self.invitations, organization, id, now).await {
            Ok(current) if current.status == InvitationStatus::Sending => {}
            other => {
                self.give_back_email(organization, quota.day).await;
                return other;
            }
        }
        let (sent, recorded) = self.deliver(invitation, &email, None).await;
        if recorded {
            Ok(sent)
        } else {
            // The outcome could not be written over what happened meanwhile: answer what is stored.
            Ok(self::invitation(self.invitations, organization, id, now)
                .await
                .unwrap_or(sent))
        }
    }

    /// The organization's allowance of invitation emails for the UTC day of `now`.
    pub(super) fn quota(&self, now: Timestamp) -> DailyEmailQuota {
        DailyEmailQuota {
            day: now.to_zoned_datetime(TimeZone::UTC).date(),
            limit: self.daily_email_quota,
        }
    }

    /// A store error as the answer gives it: a used-up quota with the wait until the next UTC
    /// day begins.
    pub(super) fn quota_error(&self, error: StoreError, now: Timestamp) -> AppError {
        let StoreError::QuotaExhausted = error else {
            return error.into();
        };
        tracing::warn!(quota = self.daily_email_quota, "daily email quota used up");
        let tomorrow = now
            .to_zoned_datetime(TimeZone::UTC)
            .start_of_day()
            .and_then(|start| start.tomorrow())
            .map_or(now, |start| start.timestamp());
        AppError::QuotaExhausted {
            until_next_day: tomorrow - now,
        }
    }

    /// Gives back an email taken for `day` that was not sent; a failure only leaves the count one
    /// too high for the rest of the day.
    async fn give_back_email(&self, organization: &OrganizationId, day: Date) {
        if let Err(error) = self.invitations.give_back_email(organization, day).await {
            tracing::warn!(%error, organization = organization.as_str(), "giving back an unsent email's quota failed");
        }
    }

    fn render(
        &self,
        invitation: &Invitation,
        token: &CandidateToken,
    ) -> Result<OutgoingEmail, AppError> {
        render_invitation(invitation, self.employer, self.candidate_app_url, token)
    }

    /// Sends the email of an invitation stored as `sending`, and records how that went (with the
    /// answer of a claimed Idempotency-Key): the invitation after the send, and whether its
    /// outcome was recorded. A failure to record leaves the stored invitation as it was (`sending`,
    /// or what changed it meanwhile); a claimed key frees itself when its lease ends.
    async fn deliver(
        &self,
        invitation: Invitation,
        email: &OutgoingEmail,
        keyed: Option<(&KeyedRequest<'_>, &ClaimTicket)>,
    ) -> (Invitation, bool) {
        let sent = self.mailer.send(email).await;
        record_send(self.invitations, self.clock, invitation, sent, keyed).await
    }
}

/// The invitation email of `invitation` from `employer`, with the candidate's link under
/// `candidate_app_url` for `token`.
pub(super) fn render_invitation(
    invitation: &Invitation,
    employer: &Employer,
    candidate_app_url: &str,
    token: &CandidateToken,
) -> Result<OutgoingEmail, AppError> {
    Ok(invitation_email(
        invitation,
        employer,
        &candidate_link(candidate_app_url, token),
    )?)
}

/// Records how the send of an invitation stored as `sending` went (`sent`, SES's answer), with the
/// answer of a claimed Idempotency-Key: the invitation after the send, and whether its outcome was
/// recorded (see `InvitationSender::deliver`).
pub(super) async fn record_send<S: Invitations, C: Clock>(
    invitations: &S,
    clock: &C,
    mut invitation: Invitation,
    sent: Result<String, MailError>,
    keyed: Option<(&KeyedRequest<'_>, &ClaimTicket)>,
) -> (Invitation, bool) {
    let organization = invitation.organization_id.as_str().to_owned();
    let event = match sent {
        Ok(message_id) => {
            tracing::info!(
                organization,
                invitation = %invitation.id,
                language = invitation.language.code(),
                bcc = invitation.bcc_myself,
                "invitation sent"
            );
            InvitationEvent::Sent {
                at: clock.now(),
                message_id,
            }
        }
        Err(error @ MailError::Unconfirmed(_)) => {
            tracing::warn!(organization, invitation = %invitation.id, %error, "invitation email unconfirmed");
            InvitationEvent::SendUnconfirmed {
                reason: format!(
                    "{} You may resend it, accepting that the candidate may get it twice.",
                    send_failure_reason(&error)
                ),
            }
        }
        Err(error) => {
            let reason = send_failure_reason(&error);
            tracing::warn!(organization, invitation = %invitation.id, reason, "invitation email not sent");
            InvitationEvent::SendFailed { reason }
        }
    };
    if let Err(error) = invitation.apply(&event) {
        tracing::error!(%error, invitation = %invitation.id, "an invitation being sent was not sending");
    }
    let saved = keyed.and_then(|(keyed, _)| (keyed.answer)(&invitation));
    let answer = keyed
        .zip(saved.as_ref())
        .map(|((keyed, ticket), response)| KeyedAnswer {
            key: keyed.key,
            ticket,
            response,
        });
    let recorded = invitations
        .record_invitation_event(&invitation.organization_id, invitation.id, &event, answer)
        .await;
    match &recorded {
        // Counted once recorded, so that the counters say what the invitations' statuses say. An
        // outcome whose record failed leaves the invitation `sending`; the batch sender settles
        // its own later as unconfirmed, and counts that.
        Ok(()) => metrics::count(match event {
            InvitationEvent::Sent { .. } => Counter::InvitationsSent,
            InvitationEvent::SendUnconfirmed { .. } => Counter::InvitationSendsUnconfirmed,
            _ => Counter::InvitationSendFailures,
        }),
        Err(error) => {
            tracing::error!(%error, organization, invitation = %invitation.id, "recording the send outcome failed");
        }
    }
    (invitation, recorded.is_ok())
}

/// Why sending an email failed, as the recruiter will read it on the invitation.
pub(super) fn send_failure_reason(error: &MailError) -> String {
    match error {
        MailError::Refused(code) => {
            format!("The email service refused the message ({code}); it was not sent.")
        }
        MailError::Unavailable(what) => {
            format!("The email service could not be reached ({what}); it was not sent.")
        }
        MailError::Unconfirmed(what) => format!(
            "The email service did not confirm the message ({what}); it may have been sent. \
             It is not sent again by itself."
        ),
    }
}

/// One invitation of `organization`, as kept at `at`: `NotFound` for an id of another
/// organization, as for one that does not exist or is past its retention time.
pub async fn invitation<S: Invitations>(
    invitations: &S,
    organization: &OrganizationId,
    id: InvitationId,
    at: Timestamp,
) -> Result<Invitation, AppError> {
    invitations
        .kept_invitation(organization, id, at)
        .await?
        .ok_or(AppError::NotFound)
}

/// Withdraws an invitation: the candidate's link then answers 410. Cancelling twice is harmless;
/// a completed interview cannot be withdrawn.
pub async fn cancel_invitation<S: Invitations>(
    invitations: &S,
    organization: &OrganizationId,
    id: InvitationId,
    now: Timestamp,
) -> Result<Invitation, AppError> {
    let mut invitation = invitation(invitations, organization, id, now).await?;
    let cancelled = record_and_settle(
        invitations,
        &mut invitation,
        &InvitationEvent::Cancelled,
        "invitation cancelled",
    )
    .await?;
    // Refused: cancelled already (harmless), or completed.
    if !cancelled && invitation.status != InvitationStatus::Cancelled {
        return Err(AppError::Conflict(
            "The candidate has completed this video interview; it cannot be cancelled",
        ));
    }
    Ok(invitation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::memory::{MemoryStore, Outbox};
    use crate::app::testing::World;
    use crate::domain::{RESEND_COOL_DOWN, fixtures};
    use crate::ports::{InvitationFilter, PageRequest};
    use jiff::SignedDuration;

    #[tokio::test]
    async fn sending_stores_the_invitation_as_sent_and_emails_the_candidate_only() {
        let world = World::new();
        let invitation = world.send(false).await;
        assert_eq!(invitation.status, InvitationStatus::Sent);
        assert_eq!(invitation.sent_at, Some(fixtures::now()));
        assert_eq!(world.stored(&invitation), invitation);
        let sent = world.outbox.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].to.address.as_str(), "anna@example.fi");
        assert_eq!(sent[0].bcc, None);
        assert_eq!(
            sent[0].reply_to.as_ref().unwrap().address.as_str(),
            "rita@acme.example"
        );
        // The link in the email opens this invitation.
        let token = world.last_token();
        let opened = world
            .store
            .find_invitation_by_token(&token, fixtures::now())
            .await
            .unwrap();
        assert_eq!(opened.map(|found| found.id), Some(invitation.id));
    }

    #[tokio::test]
    async fn bcc_myself_copies_the_recruiter() {
        let world = World::new();
        world.send(true).await;
        let sent = world.outbox.sent();
        assert_eq!(sent.len(), 1, "one email, with a blind copy");
        assert_eq!(sent[0].bcc.as_ref().unwrap().as_str(), "rita@acme.example");
    }

    #[tokio::test]
    async fn a_refused_email_leaves_the_invitation_send_failed_with_its_reason() {
        let world = World::new();
        world.outbox.refuse_with(Some("MessageRejected"));
        let invitation = world.send(false).await;
        assert_eq!(invitation.status, InvitationStatus::SendFailed);
        let reason = invitation.send_failure.clone().unwrap();
        assert!(
            reason.contains("refused") && reason.contains("MessageRejected"),
            "{reason}"
        );
        assert_eq!(world.stored(&invitation), invitation);
        assert!(world.outbox.sent().is_empty());
    }

    #[tokio::test]
    async fn a_lost_answer_leaves_the_invitation_unconfirmed_and_a_resend_needs_consent() {
        let world = World::new();
        world.outbox.lose_answers(true);
        let invitation = world.send(false).await;
        assert_eq!(invitation.status, InvitationStatus::SendUnconfirmed);
        let reason = invitation.send_failure.clone().unwrap();
        assert!(reason.contains("may have been sent"), "{reason}");
        assert_eq!(world.stored(&invitation), invitation);
        assert_eq!(world.outbox.sent().len(), 1, "the email is out, once");

        world.outbox.lose_answers(false);
        let (organization, id) = (&invitation.organization_id, invitation.id);
        let refused = world.sender().resend(organization, id, false, None).await;
        assert!(
            matches!(
                refused,
                Err(AppError::ResendRefused(ResendRefused::Unconfirmed))
            ),
            "{refused:?}"
        );
        assert_eq!(world.outbox.sent().len(), 1);
        assert_eq!(
            world.stored(&invitation).status,
            InvitationStatus::SendUnconfirmed
        );
        // Once the cool-down after the (perhaps delivered) email is over.
        let world = world.at(fixtures::now() + RESEND_COOL_DOWN);
        let resent = world
            .sender()
            .resend(organization, id, true, None)
            .await
            .unwrap();
        assert_eq!(resent.status, InvitationStatus::Sent);
        assert_eq!(resent.send_failure, None);
        assert_eq!(world.outbox.sent().len(), 2);
    }

    #[tokio::test]
    async fn the_daily_quota_stops_sends_and_resends_until_the_next_utc_day() {
        let mut world = World::new();
        world.daily_email_quota = 2;
        world.outbox.refuse_with(Some("Throttling"));
        let failed = world.send(false).await;
        world.outbox.refuse_with(None);
        // The resend is the second email of the day (a refused send counts: it was attempted).
        world
            .sender()
            .resend(&failed.organization_id, failed.id, false, None)
            .await
            .unwrap();
        let refused = world.try_send(false).await;
        let Err(AppError::QuotaExhausted { until_next_day }) = refused else {
            panic!("{refused:?}")
        };
        // 2026-12-01T10:00Z: the next UTC day begins in 14 hours.
        assert_eq!(until_next_day, SignedDuration::from_hours(14));
        assert_eq!(world.store.invitation_count(), 1, "nothing more stored");
        assert_eq!(world.outbox.sent().len(), 1);
        let interview = fixtures::video_interview(&world.recruiter);
        let new = fixtures::new_invitation(&interview);
        let tomorrow = "2026-12-02T00:00:00Z".parse().unwrap();
        let sent = world
            .sender()
            .send(&world.recruiter, &interview, new, tomorrow, None)
            .await;
        assert!(
            matches!(&sent, Ok(Keyed::Ran(invitation)) if invitation.status == InvitationStatus::Sent),
            "{sent:?}"
        );
    }

    #[tokio::test]
    async fn a_replayed_request_does_not_count_against_the_quota() {
        let mut world = World::new();
        world.daily_email_quota = 1;
        let interview = fixtures::video_interview(&world.recruiter);
        let key = IdempotencyKey::parse("replayed").unwrap();
        let fingerprint = RequestFingerprint::of("POST", "/invitations", b"{}");
        let answer = |_: &Invitation| None;
        for _ in 0..3 {
            let keyed = KeyedRequest {
                key: &key,
                fingerprint: &fingerprint,
                answer: &answer,
            };
            let new = fixtures::new_invitation(&interview);
            world
                .sender()
                .send(
                    &world.recruiter,
                    &interview,
                    new,
                    fixtures::now(),
                    Some(keyed),
                )
                .await
                .unwrap();
        }
        assert_eq!(world.outbox.sent().len(), 1);
        // The one email of the day was the first request's; the replays gave theirs back.
        world.daily_email_quota = 2;
        assert_eq!(world.send(false).await.status, InvitationStatus::Sent);
    }

    #[tokio::test]
    async fn a_recruiter_whose_address_is_unverified_sends_nothing() {
        let mut world = World::new();
        world.recruiter.email_verified = false;
        let refused = world.try_send(false).await;
        assert!(
            matches!(refused, Err(AppError::EmailNotVerified)),
            "{refused:?}"
        );
        assert!(world.outbox.sent().is_empty());
        assert_eq!(world.store.invitation_count(), 0);
    }

    #[tokio::test]
    async fn an_unavailable_store_sends_nothing() {
        let world = World::new();
        world.store.set_unavailable(true);
        let refused = world.try_send(false).await;
        assert!(matches!(
            refused,
            Err(AppError::Store(StoreError::Unavailable(_)))
        ));
        assert!(world.outbox.sent().is_empty());
    }

    fn keyed<'a>(key: &'a IdempotencyKey, fingerprint: &'a RequestFingerprint) -> KeyedRequest<'a> {
        KeyedRequest {
            key,
            fingerprint,
            answer: &|invitation| {
                Some(SavedResponse {
                    status: 201,
                    content_type: "application/json".into(),
                    location: None,
                    body: invitation.status.code().into(),
                })
            },
        }
    }

    #[tokio::test]
    async fn a_keyed_send_runs_once_and_its_retries_get_its_answer() {
        let world = World::new();
        let interview = fixtures::video_interview(&world.recruiter);
        let key = IdempotencyKey::parse("k-1").unwrap();
        let mine = RequestFingerprint::of("POST", "/invitations", b"1");
        let sender = world.sender();
        let send = |fingerprint| {
            sender.send(
                &world.recruiter,
                &interview,
                fixtures::new_invitation(&interview),
                fixtures::now(),
                Some(keyed(&key, fingerprint)),
            )
        };
        assert!(matches!(send(&mine).await.unwrap(), Keyed::Ran(_)));
        match send(&mine).await.unwrap() {
            Keyed::Held(Held::Replay(saved)) => assert_eq!(saved.body, "sent"),
            other => panic!("{other:?}"),
        }
        let other = RequestFingerprint::of("POST", "/invitations", b"2");
        assert!(matches!(
            send(&other).await.unwrap(),
            Keyed::Held(Held::KeyReused)
        ));
        assert_eq!(world.outbox.sent().len(), 1);
        assert_eq!(world.store.invitation_count(), 1);
    }

    /// A mailer during whose send the recruiter cancels the invitation: the write that records
    /// the outcome then conflicts with the stored state.
    struct CancelledWhileSending<'a> {
        store: &'a MemoryStore,
        outbox: Outbox,
    }

    impl Mailer for CancelledWhileSending<'_> {
        async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
            let organization = fixtures::recruiter().organization_id;
            let page = PageRequest {
                limit: 1,
                cursor: None,
            };
            let listed = self
                .store
                .list_invitations(
                    &organization,
                    &InvitationFilter::all(fixtures::now()),
                    &page,
                )
                .await
                .unwrap();
            cancel_invitation(
                self.store,
                &organization,
                listed.items[0].id,
                fixtures::now(),
            )
            .await
            .unwrap();
            self.outbox.send(email).await
        }
    }

    #[tokio::test]
    async fn a_send_whose_outcome_conflicts_keeps_the_stored_state_and_the_keyed_answer() {
        let world = World::new();
        let mailer = CancelledWhileSending {
            store: &world.store,
            outbox: Outbox::default(),
        };
        let sender = InvitationSender {
            invitations: &world.store,
            mailer: &mailer,
            clock: &world.clock,
            candidate_app_url: crate::app::testing::CANDIDATE_APP,
            daily_email_quota: world.daily_email_quota,
            employer: &world.employer,
            reminder_policy: &world.reminder_policy,
            retention: &world.retention,
            lookup_key: &world.lookup_key,
        };
        let interview = fixtures::video_interview(&world.recruiter);
        let key = IdempotencyKey::parse("k-2").unwrap();
        let fingerprint = RequestFingerprint::of("POST", "/invitations", b"1");
        let send = || {
            sender.send(
                &world.recruiter,
                &interview,
                fixtures::new_invitation(&interview),
                fixtures::now(),
                Some(keyed(&key, &fingerprint)),
            )
        };
        let Keyed::Ran(invitation) = send().await.unwrap() else {
            panic!("the first send runs")
        };
        assert_eq!(
            invitation.status,
            InvitationStatus::Sent,
            "the email went out"
        );
        assert_eq!(
            world.stored(&invitation).status,
            InvitationStatus::Cancelled
        );
        // The answer was kept even though the outcome could not be recorded: no second email.
        assert!(matches!(
            send().await.unwrap(),
            Keyed::Held(Held::Replay(_))
        ));
        assert_eq!(mailer.outbox.sent().len(), 1);
    }

    #[tokio::test]
    async fn a_resend_sends_a_new_link_and_the_old_one_keeps_working() {
        let world = World::new();
        world.outbox.refuse_with(Some("Throttling"));
        let failed = world.send(false).await;
        world.outbox.refuse_with(None);
        let resent = world
            .sender()
            .resend(&failed.organization_id, failed.id, false, None)
            .await
            .unwrap();
        assert_eq!(resent.status, InvitationStatus::Sent);
        assert_eq!(resent.send_failure, None);
        assert_eq!(world.stored(&failed), resent);
        let first_link = world.last_token();
        let world = world.at(fixtures::now() + RESEND_COOL_DOWN);
        world
            .sender()
            .resend(&failed.organization_id, failed.id, false, None)
            .await
            .unwrap();
        let second_link = world.last_token();
        for token in [first_link, second_link] {
            let found = world
                .store
                .find_invitation_by_token(&token, fixtures::now())
                .await
                .unwrap();
            assert_eq!(found.map(|found| found.id), Some(failed.id));
        }
        assert_eq!(world.outbox.sent().len(), 2);
    }

    #[tokio::test]
    async fn an_opened_invitation_is_not_sent_again() {
        let world = World::new();
        let invitation = world.send(false).await;
        world
            .record(
                &invitation,
                InvitationEvent::Opened {
                    at: fixtures::now(),
                },
            )
            .await;
        let refused = world
            .sender()
            .resend(&invitation.organization_id, invitation.id, false, None)
            .await;
        assert!(
            matches!(
                refused,
                Err(AppError::ResendRefused(ResendRefused::NotUnopened(
                    InvitationStatus::Opened
                )))
            ),
            "{refused:?}"
        );
        assert_eq!(world.outbox.sent().len(), 1);
    }

    #[tokio::test]
    async fn a_resend_racing_a_cancellation_sends_nothing_and_answers_the_stored_state() {
        let world = World::new().at(fixtures::now() + RESEND_COOL_DOWN);
        let invitation = world.send(false).await;
        let world = world.at(fixtures::now() + RESEND_COOL_DOWN * 2);
        // The cancellation lands between the resend's write and its email.
        world.store.after_next_event(|stored| {
            stored.status = InvitationStatus::Cancelled;
        });
        let answered = world
            .sender()
            .resend(&invitation.organization_id, invitation.id, false, None)
            .await
            .unwrap();
        assert_eq!(answered.status, InvitationStatus::Cancelled);
        assert_eq!(world.outbox.sent().len(), 1, "the first email only");
        // The unsent resend's email went back to the day's quota: only the first send counts,
        // so a second email still fits in an allowance of two.
        let day = DailyEmailQuota {
            day: fixtures::now().to_zoned_datetime(TimeZone::UTC).date(),
            limit: 2,
        };
        let organization = &invitation.organization_id;
        assert!(world.store.take_email(organization, day).await.is_ok());
    }

    #[tokio::test]
    async fn cancelling_twice_is_harmless_and_a_completed_invitation_stays_completed() {
        let world = World::new();
        let invitation = world.send(false).await;
        let organization = &invitation.organization_id;
        for _ in 0..2 {
            let cancelled =
                cancel_invitation(&world.store, organization, invitation.id, fixtures::now())
                    .await
                    .unwrap();
            assert_eq!(cancelled.status, InvitationStatus::Cancelled);
        }
        let completed = world.send(false).await;
        world
            .record(
                &completed,
                InvitationEvent::Completed {
                    at: fixtures::now(),
                },
            )
            .await;
        let refused =
            cancel_invitation(&world.store, organization, completed.id, fixtures::now()).await;
        assert!(matches!(refused, Err(AppError::Conflict(_))), "{refused:?}");
        assert_eq!(world.stored(&completed).status, InvitationStatus::Completed);
    }

    #[tokio::test]
    async fn another_organizations_invitation_is_not_found() {
        let world = World::new();
        let invitation = world.send(false).await;
        let other = OrganizationId::parse("globex").unwrap();
        assert!(matches!(
            invitation_of(&world, &other, invitation.id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            cancel_invitation(&world.store, &other, invitation.id, fixtures::now()).await,
            Err(AppError::NotFound)
        ));
    }

    async fn invitation_of(
        world: &World,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> Result<Invitation, AppError> {
        invitation(&world.store, organization, id, fixtures::now()).await
    }
}
