//! In-memory adapters of every port, for the use cases' unit tests (fast, no AWS stand-in). They
//! keep the promises the ports make and the DynamoDB adapter keeps: invitation events pass only
//! where the lifecycle table allows them, a retried send outcome finds itself done, a keyed insert
//! is all or nothing, and the idempotency records hold and expire as in `ports`. The moto-backed
//! integration tests prove the DynamoDB adapter against the same promises.

use std::collections::HashMap;

use crate::ports::RecruiterNotice;
use crate::ports::{
    HostResolver, QueuedDelivery, ResolveError, WebhookDeliveries, WebhookEndpoint, WebhookQueue,
    WebhookRequest,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use jiff::Timestamp;

use crate::domain::events::{CandidateDataErased, VideoInterviewCompleted};
use crate::domain::webhook_delivery::{AttemptOutcome, DeliveryStatus, WebhookDelivery};
use crate::domain::webhooks::{DisabledBecause, WebhookSubscription};
use crate::domain::{
    CandidateEmailDigest, CandidateToken, CandidateTokenHash, EmailAddress, FollowUp,
    FollowUpOutcome, Invitation, InvitationBatch, InvitationBatchId, InvitationEvent, InvitationId,
    InvitationStatus, OrganizationId, OrganizationProfile, ReminderSlot, VideoInterview,
    VideoInterviewId, WebhookDeliveryId, WebhookSubscriptionId,
};
use crate::ports::{
    ClaimTicket, DailyEmailQuota, DueReminder, EmailQuota, EventBus, IdempotencyKey,
    IdempotencyRecords, InvitationBatches, InvitationFilter, Invitations, KeyClaim, KeyedAnswer,
    MAX_WEBHOOK_SUBSCRIPTIONS, MailError, Mailer, MessageId, NotificationClaims,
    OrganizationProfiles, OutgoingEmail, Page, PageCursor, PageRequest, ProfileCondition,
    PublishError, QueuedInvitation, ReminderClaim, Reminders, RequestFingerprint, SavedResponse,
    SendQueue, StoreError, VideoInterviews, WebhookSubscriptions, claim_times,
};

/// An invitation as stored, with what the table keeps beside the domain record.
#[derive(Debug, Clone)]
struct StoredInvitation {
    invitation: Invitation,
    token_hashes: Vec<CandidateTokenHash>,
    ses_message_id: Option<String>,
    /// Each notice's claim, until when.
    notices_claimed_until: HashMap<RecruiterNotice, Timestamp>,
    /// The Idempotency-Keys (digest, and the ticket of the claim) whose answers are about it.
    idempotency_keys: Vec<(String, ClaimTicket)>,
}

#[derive(Debug, Clone)]
struct KeyRecord {
    fingerprint: RequestFingerprint,
    ticket: ClaimTicket,
    /// `None` while the request runs.
    response: Option<SavedResponse>,
    /// Its invitation was erased, and its answer with it.
    erased: bool,
    in_progress_until: Timestamp,
    expires_at: Timestamp,
}

impl KeyRecord {
    fn claimable_at(&self, now: Timestamp) -> bool {
        self.expires_at < now
            || (!self.erased && self.response.is_none() && self.in_progress_until < now)
    }

    fn claim(&self) -> KeyClaim {
        if self.erased {
            return KeyClaim::Erased {
                route: self.fingerprint.route().cloned(),
            };
        }
        match &self.response {
            None => KeyClaim::InProgress {
                fingerprint: self.fingerprint.clone(),
            },
            Some(response) => KeyClaim::Completed {
                fingerprint: self.fingerprint.clone(),
                response: response.clone(),
            },
        }
    }
}

#[derive(Default)]
struct Tables {
    video_interviews: HashMap<(OrganizationId, VideoInterviewId), VideoInterview>,
    invitations: HashMap<(OrganizationId, InvitationId), StoredInvitation>,
    keys: HashMap<(OrganizationId, String), KeyRecord>,
    emails_per_day: HashMap<(OrganizationId, jiff::civil::Date), u32>,
    profiles: HashMap<OrganizationId, OrganizationProfile>,
    batches: HashMap<(OrganizationId, InvitationBatchId), InvitationBatch>,
    webhooks: HashMap<(OrganizationId, WebhookSubscriptionId), WebhookSubscription>,
    deliveries:
        HashMap<(OrganizationId, WebhookSubscriptionId, WebhookDeliveryId), WebhookDelivery>,
}

/// Every store port over maps behind one lock, so that each call is atomic as a conditional write
/// or a transaction is. `unavailable()` makes every call fail as an unreachable database does.
#[derive(Default)]
pub struct MemoryStore {
    tables: Mutex<Tables>,
    unavailable: AtomicBool,
    interleaved: Mutex<Option<Interleaved>>,
}

/// Another writer's change to a stored invitation, made right after the next recorded event.
type Interleaved = Box<dyn FnOnce(&mut Invitation) + Send>;

impl MemoryStore {
    /// Right after the next invitation event is recorded, `change` is made to the stored
    /// invitation, as another request racing this one would (a cancellation during a resend).
    pub fn after_next_event(&self, change: impl FnOnce(&mut Invitation) + Send + 'static) {
        *self
            .interleaved
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Box::new(change));
    }

    /// From now on every call fails with `StoreError::Unavailable` (or works again with `false`).
    pub fn set_unavailable(&self, unavailable: bool) {
        self.unavailable.store(unavailable, Ordering::SeqCst);
    }

    /// The stored invitation as the domain sees it, for assertions.
    pub fn invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> Option<Invitation> {
        let tables = self.tables().ok()?;
        tables
            .invitations
            .get(&(organization.clone(), id))
            .map(|stored| stored.invitation.clone())
    }

    /// How many invitations are stored, in every organization.
    pub fn invitation_count(&self) -> usize {
        self.tables().map_or(0, |tables| tables.invitations.len())
    }

    fn tables(&self) -> Result<MutexGuard<'_, Tables>, StoreError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable(
                "in-memory store set unavailable".into(),
            ));
        }
        Ok(self.tables.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Newest first after the cursor, at most `page.limit`, with a cursor when more may follow.
fn page_of<T: Clone>(mut items: Vec<(String, T)>, page: &PageRequest) -> Page<T> {
    items.sort_by(|(a, _), (b, _)| b.cmp(a));
    let after = page.cursor.as_ref().map(PageCursor::last_id);
    let mut rest: Vec<_> = items
        .into_iter()
        .filter(|(id, _)| after.is_none_or(|after| id.as_str() < after))
        .collect();
    let more = rest.len() > page.limit;
    rest.truncate(page.limit);
    Page {
        next: more
            .then(|| rest.last().map(|(id, _)| PageCursor::after(id.clone())))
            .flatten(),
        items: rest.into_iter().map(|(_, item)| item).collect(),
    }
}

impl WebhookSubscriptions for MemoryStore {
    async fn insert_subscription(
        &self,
        subscription: &WebhookSubscription,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let organization = &subscription.organization_id;
        let held = tables
            .webhooks
            .keys()
            .filter(|(owner, _)| owner == organization)
            .count();
        if held >= MAX_WEBHOOK_SUBSCRIPTIONS as usize {
            return Err(StoreError::QuotaExhausted);
        }
        let slot = (organization.clone(), subscription.id);
        if tables.webhooks.contains_key(&slot) {
            return Err(StoreError::Conflict);
        }
        tables.webhooks.insert(slot, subscription.clone());
        Ok(())
    }

    async fn get_subscription(
        &self,
        organization: &OrganizationId,
        id: WebhookSubscriptionId,
    ) -> Result<Option<WebhookSubscription>, StoreError> {
        Ok(self
            .tables()?
            .webhooks
            .get(&(organization.clone(), id))
            .cloned())
    }

    async fn list_subscriptions(
        &self,
        organization: &OrganizationId,
    ) -> Result<Vec<WebhookSubscription>, StoreError> {
        let mut held: Vec<WebhookSubscription> = self
            .tables()?
            .webhooks
            .values()
            .filter(|subscription| subscription.organization_id == *organization)
            .cloned()
            .collect();
        held.sort_by_key(|subscription| subscription.id);
        Ok(held)
    }

    async fn rotate_subscription_secret(
        &self,
        subscription: &WebhookSubscription,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let slot = (subscription.organization_id.clone(), subscription.id);
        match tables.webhooks.get_mut(&slot) {
            Some(stored) if stored.secret_generation + 1 == subscription.secret_generation => {
                stored.secret_generation = subscription.secret_generation;
                stored.previous_secret_until = subscription.previous_secret_until;
                Ok(())
            }
            _ => Err(StoreError::Conflict),
        }
    }

    async fn disable_subscription(
        &self,
        organization: &OrganizationId,
        id: WebhookSubscriptionId,
        at: Timestamp,
        because: DisabledBecause,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        match tables.webhooks.get_mut(&(organization.clone(), id)) {
            Some(stored) if stored.disabled.is_none() => {
                stored.disabled = Some((at, because));
                Ok(())
            }
            _ => Err(StoreError::Conflict),
        }
    }

    async fn delete_subscription(
        &self,
        organization: &OrganizationId,
        id: WebhookSubscriptionId,
    ) -> Result<bool, StoreError> {
        let mut tables = self.tables()?;
        Ok(tables
            .webhooks
            .remove(&(organization.clone(), id))
            .is_some())
    }
}

impl WebhookDeliveries for MemoryStore {
    async fn insert_delivery(&self, delivery: &WebhookDelivery) -> Result<bool, StoreError> {
        let mut tables = self.tables()?;
        let slot = (
            delivery.organization_id.clone(),
            delivery.subscription_id,
            delivery.id,
        );
        if tables.deliveries.contains_key(&slot) {
            return Ok(false);
        }
        tables.deliveries.insert(slot, delivery.clone());
        Ok(true)
    }

    async fn get_delivery(
        &self,
        organization: &OrganizationId,
        subscription: WebhookSubscriptionId,
        id: WebhookDeliveryId,
    ) -> Result<Option<WebhookDelivery>, StoreError> {
        Ok(self
            .tables()?
            .deliveries
            .get(&(organization.clone(), subscription, id))
            .cloned())
    }

    async fn list_deliveries(
        &self,
        organization: &OrganizationId,
        subscription: WebhookSubscriptionId,
        page: &PageRequest,
    ) -> Result<Page<WebhookDelivery>, StoreError> {
        let tables = self.tables()?;
        let items = tables
            .deliveries
            .values()
            .filter(|delivery| {
                delivery.organization_id == *organization
                    && delivery.subscription_id == subscription
            })
            .map(|delivery| (delivery.id.to_string(), delivery.clone()))
            .collect();
        Ok(page_of(items, page))
    }

    async fn save_delivery(
        &self,
        delivery: &WebhookDelivery,
        attempts_before: u32,
        was_pending: bool,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let slot = (
            delivery.organization_id.clone(),
            delivery.subscription_id,
            delivery.id,
        );
        match tables.deliveries.get_mut(&slot) {
            Some(stored)
                if stored.attempts == attempts_before
                    && (stored.status == DeliveryStatus::Pending) == was_pending =>
            {
                *stored = delivery.clone();
                Ok(())
            }
            _ => Err(StoreError::Conflict),
        }
    }
}

impl OrganizationProfiles for MemoryStore {
    async fn get_organization_profile(
        &self,
        organization: &OrganizationId,
    ) -> Result<Option<OrganizationProfile>, StoreError> {
        Ok(self.tables()?.profiles.get(organization).cloned())
    }

    async fn put_organization_profile(
        &self,
        profile: &OrganizationProfile,
        condition: ProfileCondition,
    ) -> Result<bool, StoreError> {
        let mut tables = self.tables()?;
        let stored = tables.profiles.get(&profile.organization_id);
        let holds = match condition {
            ProfileCondition::Any => true,
            ProfileCondition::Absent => stored.is_none(),
            ProfileCondition::Present => stored.is_some(),
            ProfileCondition::SavedAt(at) => stored.is_some_and(|stored| stored.updated_at == at),
        };
        if !holds {
            return Err(StoreError::Conflict);
        }
        let old = tables
            .profiles
            .insert(profile.organization_id.clone(), profile.clone());
        Ok(old.is_some())
    }
}

impl VideoInterviews for MemoryStore {
    async fn put_video_interview(&self, interview: &VideoInterview) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let key = (interview.organization_id.clone(), interview.id);
        if tables.video_interviews.contains_key(&key) {
            return Err(StoreError::Conflict);
        }
        tables.video_interviews.insert(key, interview.clone());
        Ok(())
    }

    async fn get_video_interview(
        &self,
        organization: &OrganizationId,
        id: VideoInterviewId,
    ) -> Result<Option<VideoInterview>, StoreError> {
        Ok(self
            .tables()?
            .video_interviews
            .get(&(organization.clone(), id))
            .cloned())
    }

    async fn list_video_interviews(
        &self,
        organization: &OrganizationId,
        page: &PageRequest,
    ) -> Result<Page<VideoInterview>, StoreError> {
        let tables = self.tables()?;
        let items = tables
            .video_interviews
            .values()
            .filter(|interview| interview.organization_id == *organization)
            .map(|interview| (interview.id.to_string(), interview.clone()))
            .collect();
        Ok(page_of(items, page))
    }
}

/// Stores `event` when the table allows it, or finds this very write done already (a send
/// outcome retried): the in-memory twin of the DynamoDB adapter's derived condition.
fn record(stored: &mut StoredInvitation, event: &InvitationEvent) -> Result<(), StoreError> {
    match event {
        // This very write, retried after its answer was lost: done already.
        InvitationEvent::Sent { message_id, .. }
            if stored.invitation.status == InvitationStatus::Sent
                && stored.ses_message_id.as_deref() == Some(message_id.as_str()) =>
        {
            return Ok(());
        }
        InvitationEvent::Dispatched { token, .. } if stored.token_hashes.contains(token) => {
            return if stored.invitation.status == InvitationStatus::Sending {
                Ok(())
            } else {
                Err(StoreError::Conflict)
            };
        }
        InvitationEvent::Resent {
            token,
            resends_before,
            ..
        } if stored.token_hashes.contains(token) => {
            let done = stored.invitation.status == InvitationStatus::Sending
                && stored.invitation.resend_count == resends_before + 1;
            return if done {
                Ok(())
            } else {
                Err(StoreError::Conflict)
            };
        }
        // Another resend passed on the same count first.
        InvitationEvent::Resent { resends_before, .. }
            if stored.invitation.resend_count != *resends_before =>
        {
            return Err(StoreError::Conflict);
        }
        InvitationEvent::DeadlineExtended {
            link_generation, ..
        } if stored.invitation.link_generation != *link_generation => {
            return Err(StoreError::Conflict);
        }
        InvitationEvent::Bounced { address, .. }
            if stored.invitation.candidate.email != *address =>
        {
            return Err(StoreError::Conflict);
        }
        InvitationEvent::DeadlineExtended {
            deadline,
            extensions_before,
            ..
        } if stored.invitation.deadline_extension_count != *extensions_before => {
            let done = stored.invitation.deadline_extension_count == extensions_before + 1
                && stored.invitation.deadline.expires_at() == deadline.expires_at();
            return if done {
                Ok(())
            } else {
                Err(StoreError::Conflict)
            };
        }
        InvitationEvent::SendFailed { reason }
            if stored.invitation.status == InvitationStatus::SendFailed
                && stored.invitation.send_failure.as_deref() == Some(reason.as_str()) =>
        {
            return Ok(());
        }
        _ => {}
    }
    stored
        .invitation
        .apply(event)
        .map_err(|_| StoreError::Conflict)?;
    match event {
        InvitationEvent::Sent { message_id, .. } => {
            stored.ses_message_id = Some(message_id.clone());
        }
        InvitationEvent::Resent {
            token,
            corrected_email,
            ..
        } => {
            // A corrected address: the links that went to the wrong one stop working.
            if corrected_email.is_some() {
                stored.token_hashes.clear();
            }
            stored.token_hashes.push(token.clone());
            stored
                .notices_claimed_until
                .remove(&RecruiterNotice::Bounce);
        }
        InvitationEvent::DeadlineExtended {
            follow_up_link: Some(link),
            ..
        } if !stored.token_hashes.contains(link) => stored.token_hashes.push(link.clone()),
        InvitationEvent::Dispatched { token, .. } => stored.token_hashes.push(token.clone()),
        _ => {}
    }
    Ok(())
}

impl Tables {
    fn stored(
        &mut self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> Result<&mut StoredInvitation, StoreError> {
        self.invitations
            .get_mut(&(organization.clone(), id))
            .ok_or(StoreError::Conflict)
    }

    /// `QuotaExhausted` when the organization's emails of the day are used up.
    fn check_quota(
        &self,
        organization: &OrganizationId,
        quota: DailyEmailQuota,
    ) -> Result<(), StoreError> {
        let sent = self
            .emails_per_day
            .get(&(organization.clone(), quota.day))
            .copied()
            .unwrap_or_default();
        if sent >= quota.limit {
            return Err(StoreError::QuotaExhausted);
        }
        Ok(())
    }

    fn count_email(&mut self, organization: &OrganizationId, quota: DailyEmailQuota) {
        *self
            .emails_per_day
            .entry((organization.clone(), quota.day))
            .or_default() += 1;
    }

    /// Ends the claim on `notice` taken with `until`, as the DynamoDB adapter's conditional
    /// `REMOVE` does: a `Conflict` when the claim is no longer that one.
    fn end_claim(
        &mut self,
        organization: &OrganizationId,
        id: InvitationId,
        notice: RecruiterNotice,
        until: Timestamp,
    ) -> Result<&mut StoredInvitation, StoreError> {
        let stored = self.stored(organization, id)?;
        if stored.notices_claimed_until.get(&notice) != Some(&until) {
            return Err(StoreError::Conflict);
        }
        stored.notices_claimed_until.remove(&notice);
        Ok(stored)
    }

    fn insert(
        &mut self,
        invitation: &Invitation,
        token: Option<&CandidateTokenHash>,
    ) -> Result<(), StoreError> {
        let key = (invitation.organization_id.clone(), invitation.id);
        if self.invitations.contains_key(&key) {
            return Err(StoreError::Conflict);
        }
        self.invitations.insert(
            key,
            StoredInvitation {
                invitation: invitation.clone(),
                token_hashes: token.into_iter().cloned().collect(),
                ses_message_id: None,
                notices_claimed_until: HashMap::new(),
                idempotency_keys: Vec::new(),
            },
        );
        Ok(())
    }

    fn save_answer(
        &mut self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        ticket: &ClaimTicket,
        response: &SavedResponse,
    ) -> Result<(), StoreError> {
        match self.keys.get_mut(&(organization.clone(), key.digest())) {
            Some(record) if record.ticket == *ticket && !record.erased => {
                record.response = Some(response.clone());
                Ok(())
            }
            _ => Err(StoreError::Conflict),
        }
    }
}

impl Invitations for MemoryStore {
    async fn insert_invitation(
        &self,
        invitation: &Invitation,
        token: &CandidateTokenHash,
        quota: DailyEmailQuota,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        tables.check_quota(&invitation.organization_id, quota)?;
        tables.insert(invitation, Some(token))?;
        tables.count_email(&invitation.organization_id, quota);
        Ok(())
    }

    async fn insert_invitation_claiming_key(
        &self,
        invitation: &Invitation,
        token: &CandidateTokenHash,
        quota: DailyEmailQuota,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
        now: Timestamp,
    ) -> Result<KeyClaim, StoreError> {
        let mut tables = self.tables()?;
        let organization = &invitation.organization_id;
        // The invitation's id is new: a clash writes nothing, as a cancelled transaction.
        if tables
            .invitations
            .contains_key(&(organization.clone(), invitation.id))
        {
            return Err(StoreError::Conflict);
        }
        // Checked before the key is claimed: a refused transaction writes nothing.
        if let Some(held) = held_claim(&tables, organization, key, now) {
            return Ok(held);
        }
        tables.check_quota(organization, quota)?;
        let KeyClaim::Claimed(ticket) = claim(&mut tables, organization, key, fingerprint, now)
        else {
            unreachable!("a key that is not held is claimed")
        };
        tables.insert(invitation, Some(token))?;
        if let Some(stored) = tables
            .invitations
            .get_mut(&(organization.clone(), invitation.id))
        {
            stored.idempotency_keys.push((key.digest(), ticket.clone()));
        }
        tables.count_email(organization, quota);
        Ok(KeyClaim::Claimed(ticket))
    }

    async fn record_invitation_event(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        event: &InvitationEvent,
        answer: Option<KeyedAnswer<'_>>,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let saved = answer.map_or(Ok(()), |answer| {
            tables.save_answer(organization, answer.key, answer.ticket, answer.response)
        });
        let recorded = tables
            .stored(organization, id)
            .and_then(|stored| record(stored, event));
        let interleaved = self
            .interleaved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let (Ok(()), Some(change)) = (&recorded, interleaved) {
            change(&mut tables.stored(organization, id)?.invitation);
        }
        saved.and(recorded)
    }

    async fn record_follow_up(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        follow_up: &FollowUp,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let stored = tables.stored(organization, id)?;
        stored.invitation.last_follow_up = Some(follow_up.clone());
        if let FollowUpOutcome::Sent { message_id } = &follow_up.outcome {
            stored.invitation.email_message_ids.push(message_id.clone());
        }
        Ok(())
    }

    async fn record_delivery(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        address: &EmailAddress,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let invitation = &mut tables.stored(organization, id)?.invitation;
        match invitation.delivered_at {
            Some(_) => Err(StoreError::Conflict),
            None if invitation.candidate.email != *address => Err(StoreError::Conflict),
            None => {
                invitation.delivered_at = Some(at);
                Ok(())
            }
        }
    }

    async fn record_complaint(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        address: &EmailAddress,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let invitation = &mut tables.stored(organization, id)?.invitation;
        match invitation.complained_at {
            Some(_) => Err(StoreError::Conflict),
            None if invitation.candidate.email != *address => Err(StoreError::Conflict),
            None => {
                invitation.complained_at = Some(at);
                invitation.next_reminder = None;
                Ok(())
            }
        }
    }

    async fn record_completion_published(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let stored = tables.stored(organization, id)?;
        if stored.invitation.status != InvitationStatus::Completed {
            return Err(StoreError::Conflict);
        }
        stored.invitation.completion_published = true;
        Ok(())
    }

    async fn get_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> Result<Option<Invitation>, StoreError> {
        Ok(self
            .tables()?
            .invitations
            .get(&(organization.clone(), id))
            .map(|stored| stored.invitation.clone()))
    }

    async fn list_invitations(
        &self,
        organization: &OrganizationId,
        filter: &InvitationFilter,
        page: &PageRequest,
    ) -> Result<Page<Invitation>, StoreError> {
        let tables = self.tables()?;
        let items = tables
            .invitations
            .values()
            .map(|stored| &stored.invitation)
            .filter(|invitation| {
                invitation.organization_id == *organization
                    && invitation.is_retained_at(filter.at)
                    && filter
                        .status
                        .is_none_or(|status| invitation.status_at(filter.at) == status)
                    && filter
                        .video_interview_id
                        .is_none_or(|id| invitation.video_interview_id == id)
            })
            .map(|invitation| (invitation.id.to_string(), invitation.clone()))
            .collect();
        Ok(page_of(items, page))
    }

    async fn invitations_of_candidate(
        &self,
        organization: &OrganizationId,
        digest: &CandidateEmailDigest,
    ) -> Result<Vec<InvitationId>, StoreError> {
        let mut ids: Vec<InvitationId> = self
            .tables()?
            .invitations
            .values()
            .map(|stored| &stored.invitation)
            .filter(|invitation| {
                invitation.organization_id == *organization
                    && invitation.candidate_digest.as_ref() == Some(digest)
            })
            .map(|invitation| invitation.id)
            .collect();
        // In the index's order: by sort key, so by id.
        ids.sort();
        Ok(ids)
    }

    async fn erase_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tables = self.tables()?;
        let Some(erased) = tables.invitations.remove(&(organization.clone(), id)) else {
            return Ok(false);
        };
        let (_, expires_at) = claim_times(now);
        for (digest, ticket) in erased.idempotency_keys {
            // Only while it still is that claim's: a key claimed since is another request's.
            if let Some(record) = tables
                .keys
                .get_mut(&(organization.clone(), digest))
                .filter(|record| record.ticket == ticket)
            {
                record.response = None;
                // As in DynamoDB: the route stays, the request's own fingerprint goes.
                record.fingerprint = RequestFingerprint::from_stored(
                    String::new(),
                    record.fingerprint.route().cloned(),
                );
                record.erased = true;
                record.expires_at = expires_at;
            }
        }
        Ok(true)
    }

    async fn find_invitation_by_token(
        &self,
        token: &CandidateToken,
        at: Timestamp,
    ) -> Result<Option<Invitation>, StoreError> {
        let (organization, id) = token.invitation();
        let hash = token.hash();
        Ok(self
            .tables()?
            .invitations
            .get(&(organization.clone(), id))
            .filter(|stored| stored.token_hashes.contains(&hash))
            .map(|stored| stored.invitation.clone())
            .filter(|invitation| invitation.is_retained_at(at)))
    }
}

/// The record of a notice's outcome on the invitation: (sent at, unconfirmed at); none for a
/// bounce notice without a bounce.
fn notice_record(
    invitation: &mut Invitation,
    notice: RecruiterNotice,
) -> Option<(&mut Option<Timestamp>, &mut Option<Timestamp>)> {
    match notice {
        RecruiterNotice::Completion => Some((
            &mut invitation.recruiter_notified_at,
            &mut invitation.recruiter_notice_unconfirmed_at,
        )),
        RecruiterNotice::Bounce => invitation.bounce.as_mut().map(|bounce| {
            (
                &mut bounce.recruiter_notified_at,
                &mut bounce.recruiter_notice_unconfirmed_at,
            )
        }),
    }
}

impl NotificationClaims for MemoryStore {
    async fn claim_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        notice: RecruiterNotice,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let stored = tables.stored(organization, id)?;
        let free = stored
            .notices_claimed_until
            .get(&notice)
            .is_none_or(|claimed| *claimed < now);
        let settled = notice_record(&mut stored.invitation, notice)
            .is_none_or(|(sent, unconfirmed)| sent.is_some() || unconfirmed.is_some());
        if settled || !free {
            return Err(StoreError::Conflict);
        }
        stored.notices_claimed_until.insert(notice, until);
        Ok(())
    }

    async fn record_recruiter_notified(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        notice: RecruiterNotice,
        at: Timestamp,
        _message_id: &str,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let stored = tables.stored(organization, id)?;
        if stored.notices_claimed_until.get(&notice) != Some(&until) {
            return Err(StoreError::Conflict);
        }
        match notice_record(&mut stored.invitation, notice) {
            Some((sent, _)) if sent.is_none() => *sent = Some(at),
            _ => return Err(StoreError::Conflict),
        }
        stored.notices_claimed_until.remove(&notice);
        Ok(())
    }

    async fn record_recruiter_notice_unconfirmed(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        notice: RecruiterNotice,
        at: Timestamp,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let stored = tables.end_claim(organization, id, notice, until)?;
        if let Some((_, unconfirmed)) = notice_record(&mut stored.invitation, notice) {
            *unconfirmed = Some(at);
        }
        Ok(())
    }

    async fn release_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        notice: RecruiterNotice,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        tables.end_claim(organization, id, notice, until)?;
        Ok(())
    }
}

impl EmailQuota for MemoryStore {
    async fn take_email(
        &self,
        organization: &OrganizationId,
        quota: DailyEmailQuota,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        tables.check_quota(organization, quota)?;
        tables.count_email(organization, quota);
        Ok(())
    }

    async fn give_back_email(
        &self,
        organization: &OrganizationId,
        day: jiff::civil::Date,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        match tables.emails_per_day.get_mut(&(organization.clone(), day)) {
            Some(emails) if *emails > 0 => {
                *emails -= 1;
                Ok(())
            }
            _ => Err(StoreError::Conflict),
        }
    }
}

/// What holds `key` at `now`, if anything (see `claim`).
fn held_claim(
    tables: &Tables,
    organization: &OrganizationId,
    key: &IdempotencyKey,
    now: Timestamp,
) -> Option<KeyClaim> {
    tables
        .keys
        .get(&(organization.clone(), key.digest()))
        .filter(|held| !held.claimable_at(now))
        .map(KeyRecord::claim)
}

/// Claims `key` when it is free, as the DynamoDB adapter's conditional put does.
fn claim(
    tables: &mut Tables,
    organization: &OrganizationId,
    key: &IdempotencyKey,
    fingerprint: &RequestFingerprint,
    now: Timestamp,
) -> KeyClaim {
    if let Some(held) = held_claim(tables, organization, key, now) {
        return held;
    }
    let slot = (organization.clone(), key.digest());
    let ticket = ClaimTicket::new();
    let (in_progress_until, expires_at) = claim_times(now);
    tables.keys.insert(
        slot,
        KeyRecord {
            fingerprint: fingerprint.clone(),
            ticket: ticket.clone(),
            response: None,
            erased: false,
            in_progress_until,
            expires_at,
        },
    );
    KeyClaim::Claimed(ticket)
}

impl IdempotencyRecords for MemoryStore {
    async fn claim_idempotency_key(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
        now: Timestamp,
    ) -> Result<KeyClaim, StoreError> {
        let mut tables = self.tables()?;
        Ok(claim(&mut tables, organization, key, fingerprint, now))
    }

    async fn save_idempotent_response(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        ticket: &ClaimTicket,
        response: &SavedResponse,
        about: Option<InvitationId>,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let Some(invitation) = about else {
            return tables.save_answer(organization, key, ticket, response);
        };
        // Both or neither, as the DynamoDB adapter's transaction.
        if !tables
            .invitations
            .contains_key(&(organization.clone(), invitation))
        {
            return Err(StoreError::Conflict);
        }
        tables.save_answer(organization, key, ticket, response)?;
        if let Some(stored) = tables
            .invitations
            .get_mut(&(organization.clone(), invitation))
        {
            stored.idempotency_keys.push((key.digest(), ticket.clone()));
        }
        Ok(())
    }

    async fn release_idempotency_key(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        ticket: &ClaimTicket,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        match tables.keys.get_mut(&(organization.clone(), key.digest())) {
            Some(record) if record.ticket == *ticket && record.response.is_none() => {
                record.in_progress_until = Timestamp::UNIX_EPOCH;
                Ok(())
            }
            _ => Err(StoreError::Conflict),
        }
    }
}

impl InvitationBatches for MemoryStore {
    async fn insert_batch(
        &self,
        batch: &InvitationBatch,
        quota: DailyEmailQuota,
        emails: u32,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        let organization = &batch.organization_id;
        let taken = tables
            .emails_per_day
            .get(&(organization.clone(), quota.day))
            .copied()
            .unwrap_or_default();
        if emails > 0 && taken.saturating_add(emails) > quota.limit {
            return Err(StoreError::QuotaExhausted);
        }
        let key = (organization.clone(), batch.id);
        if tables.batches.contains_key(&key) {
            return Err(StoreError::Conflict);
        }
        tables.batches.insert(key, batch.clone());
        *tables
            .emails_per_day
            .entry((organization.clone(), quota.day))
            .or_default() += emails;
        Ok(())
    }

    async fn insert_queued_invitations(
        &self,
        invitations: &[Invitation],
    ) -> Result<(), StoreError> {
        let mut tables = self.tables()?;
        for invitation in invitations {
            let key = (invitation.organization_id.clone(), invitation.id);
            if !tables.invitations.contains_key(&key) {
                tables.insert(invitation, None)?;
            }
        }
        Ok(())
    }

    async fn get_batch(
        &self,
        organization: &OrganizationId,
        id: InvitationBatchId,
    ) -> Result<Option<InvitationBatch>, StoreError> {
        Ok(self
            .tables()?
            .batches
            .get(&(organization.clone(), id))
            .cloned())
    }

    async fn list_batches(
        &self,
        organization: &OrganizationId,
        page: &PageRequest,
    ) -> Result<Page<InvitationBatch>, StoreError> {
        let tables = self.tables()?;
        let items = tables
            .batches
            .values()
            .filter(|batch| batch.organization_id == *organization)
            .map(|batch| (batch.id.to_string(), batch.clone()))
            .collect();
        Ok(page_of(items, page))
    }

    async fn get_invitations(
        &self,
        organization: &OrganizationId,
        ids: &[InvitationId],
    ) -> Result<Vec<Invitation>, StoreError> {
        let tables = self.tables()?;
        Ok(ids
            .iter()
            .filter_map(|id| tables.invitations.get(&(organization.clone(), *id)))
            .map(|stored| stored.invitation.clone())
            .collect())
    }
}

/// A send queue that keeps its messages in order, or fails as an unreachable SQS does.
#[derive(Default)]
pub struct MemoryQueue {
    messages: Mutex<Vec<QueuedInvitation>>,
    unavailable: AtomicBool,
}

impl MemoryQueue {
    /// From now on every enqueue fails (or works again with `false`).
    pub fn set_unavailable(&self, unavailable: bool) {
        self.unavailable.store(unavailable, Ordering::SeqCst);
    }

    /// The messages queued so far, taken off the queue.
    pub fn take(&self) -> Vec<QueuedInvitation> {
        std::mem::take(&mut *self.messages.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl SendQueue for MemoryQueue {
    async fn enqueue(&self, invitations: &[QueuedInvitation]) -> Result<(), StoreError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable(
                "in-memory queue set unavailable".into(),
            ));
        }
        self.messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(invitations);
        Ok(())
    }
}

/// A mailer that keeps what it is asked to send, or refuses as SES would.
#[derive(Default)]
pub struct Outbox {
    sent: Mutex<Vec<OutgoingEmail>>,
    refusal: Mutex<Option<String>>,
    answers_lost: AtomicBool,
}

impl Outbox {
    /// From now on every send goes out but its answer is lost, as when SES's answer times out.
    pub fn lose_answers(&self, lost: bool) {
        self.answers_lost.store(lost, Ordering::SeqCst);
    }

    /// From now on every send is refused with this SES error code (`None`: sends work again).
    pub fn refuse_with(&self, code: Option<&str>) {
        *self.refusal.lock().unwrap_or_else(PoisonError::into_inner) = code.map(str::to_owned);
    }

    /// The emails sent so far, in order.
    pub fn sent(&self) -> Vec<OutgoingEmail> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Mailer for Outbox {
    async fn send(&self, email: &OutgoingEmail) -> Result<MessageId, MailError> {
        if let Some(code) = self
            .refusal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        {
            return Err(MailError::Refused(code));
        }
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        sent.push(email.clone());
        if self.answers_lost.load(Ordering::SeqCst) {
            return Err(MailError::Unconfirmed("in-memory answer lost".into()));
        }
        Ok(format!("memory-{}", sent.len()))
    }
}

/// An event bus that keeps what is published, or fails as an unreachable EventBridge does.
#[derive(Default)]
pub struct EventLog {
    published: Mutex<Vec<VideoInterviewCompleted>>,
    erasures: Mutex<Vec<CandidateDataErased>>,
    failing: AtomicBool,
}

impl EventLog {
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    pub fn published(&self) -> Vec<VideoInterviewCompleted> {
        self.published
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn erasures(&self) -> Vec<CandidateDataErased> {
        self.erasures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn push<T: Clone>(&self, log: &Mutex<Vec<T>>, event: &T) -> Result<(), PublishError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(PublishError("in-memory bus set failing".into()));
        }
        log.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event.clone());
        Ok(())
    }
}

impl EventBus for EventLog {
    async fn publish(&self, event: &VideoInterviewCompleted) -> Result<(), PublishError> {
        self.push(&self.published, event)
    }

    async fn publish_erasure(&self, event: &CandidateDataErased) -> Result<(), PublishError> {
        self.push(&self.erasures, event)
    }
}

impl Reminders for MemoryStore {
    async fn due_reminders(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<DueReminder>, StoreError> {
        let tables = self.tables()?;
        let mut due: Vec<DueReminder> = tables
            .invitations
            .values()
            .map(|stored| &stored.invitation)
            .filter_map(|invitation| {
                let slot = invitation.next_reminder.filter(|slot| slot.due <= now)?;
                Some(DueReminder {
                    organization: invitation.organization_id.clone(),
                    invitation: invitation.id,
                    due: slot.due,
                    deadline: invitation.deadline.clone(),
                    created_at: invitation.created_at,
                    link_generation: invitation.link_generation,
                })
            })
            .collect();
        due.sort_by_key(|reminder| reminder.due);
        due.truncate(limit);
        Ok(due)
    }

    async fn claim_reminder(
        &self,
        reminder: &DueReminder,
        next: Option<&ReminderSlot>,
        sending: Option<&CandidateTokenHash>,
    ) -> Result<ReminderClaim, StoreError> {
        let mut tables = self.tables()?;
        let Ok(stored) = tables.stored(&reminder.organization, reminder.invitation) else {
            return Ok(ReminderClaim::Gone);
        };
        let invitation = &mut stored.invitation;
        let holds = invitation.next_reminder.map(|slot| slot.due) == Some(reminder.due)
            && invitation.deadline == reminder.deadline
            && invitation.link_generation == reminder.link_generation
            && (sending.is_none()
                || (InvitationStatus::REMINDED.contains(&invitation.status)
                    && invitation.complained_at.is_none()));
        if !holds {
            return Ok(ReminderClaim::Gone);
        }
        invitation.next_reminder = next.copied();
        let claimed = invitation.clone();
        if let Some(link) = sending.filter(|link| !stored.token_hashes.contains(link)) {
            stored.token_hashes.push(link.clone());
        }
        Ok(ReminderClaim::Claimed(Box::new(claimed)))
    }
}

/// The webhook queue: what was queued, and each message deferred with its wait.
#[derive(Default)]
pub struct MemoryWebhookQueue {
    queued: Mutex<Vec<QueuedDelivery>>,
    deferred: Mutex<Vec<(String, u32)>>,
}

impl MemoryWebhookQueue {
    /// The deliveries queued so far, taken off the queue.
    pub fn take(&self) -> Vec<QueuedDelivery> {
        std::mem::take(&mut *self.queued.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Each deferral asked: the message's receipt and the seconds.
    pub fn deferred(&self) -> Vec<(String, u32)> {
        self.deferred
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl WebhookQueue for MemoryWebhookQueue {
    async fn enqueue(&self, deliveries: &[QueuedDelivery]) -> Result<(), StoreError> {
        self.queued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(deliveries);
        Ok(())
    }

    async fn defer(&self, receipt: &str, seconds: u32) -> Result<(), StoreError> {
        self.deferred
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((receipt.to_owned(), seconds));
        Ok(())
    }
}

/// An endpoint that answers each attempt with the next outcome it was given (a 204 when given
/// none), and keeps what each attempt sent: its URL, addresses, headers and body.
#[derive(Default)]
pub struct ScriptedEndpoint {
    outcomes: Mutex<std::collections::VecDeque<AttemptOutcome>>,
    received: Mutex<Vec<ReceivedAttempt>>,
}

/// One attempt as the endpoint saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedAttempt {
    pub url: String,
    pub addresses: Vec<std::net::IpAddr>,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl ScriptedEndpoint {
    pub fn answer_with(&self, outcomes: impl IntoIterator<Item = AttemptOutcome>) {
        self.outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(outcomes);
    }

    pub fn received(&self) -> Vec<ReceivedAttempt> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl WebhookEndpoint for ScriptedEndpoint {
    async fn post(&self, request: WebhookRequest<'_>) -> AttemptOutcome {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(ReceivedAttempt {
                url: request.url.as_str().to_owned(),
                addresses: request.addresses.to_vec(),
                headers: request.headers.to_vec(),
                body: request.body.to_owned(),
            });
        self.outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
            .unwrap_or(AttemptOutcome::Answered(204))
    }
}

/// A resolver that knows a fixed set of names (`ports::HostResolver`); any other does not exist.
#[derive(Debug, Default)]
pub struct StaticResolver(HashMap<String, Vec<std::net::IpAddr>>);

impl StaticResolver {
    /// Each name with its addresses, as text.
    pub fn new<'a>(names: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>) -> Self {
        Self(
            names
                .into_iter()
                .map(|(name, addresses)| {
                    let parsed = addresses
                        .iter()
                        .map(|address| address.parse().expect("an IP address"))
                        .collect();
                    (name.to_owned(), parsed)
                })
                .collect(),
        )
    }
}

impl HostResolver for StaticResolver {
    async fn resolve(&self, host: &str) -> Result<Vec<std::net::IpAddr>, ResolveError> {
        self.0
            .get(host)
            .cloned()
            .ok_or_else(|| ResolveError("no such name".to_owned()))
    }
}
