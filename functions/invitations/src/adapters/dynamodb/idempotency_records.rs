//! Idempotency records (`ports::IdempotencyRecords`): `status` `in_progress` with a lease
//! (`inProgressUntil`, epoch milliseconds) while the request runs, then `completed` with the saved
//! answer; `ttl` (epoch seconds) lets DynamoDB delete the record after a day. An answer about an
//! invitation is recorded on it (`idempotencyKeys`: each key's digest and its claim's ticket), and
//! erasing the invitation turns the record, while it is still that claim's, into one of `status`
//! `erased`, which holds nothing of the request but its `route` (a hash of method and path).

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;

use super::attributes::{Item, ItemReader, n, s};
use super::keys::{IDEMPOTENCY_PREFIX, Key, idempotency_key, invitation_key};
use super::{ConditionalWrite, DynamoStore, conditional_write_error, non_empty, unavailable};
use crate::domain::{InvitationId, OrganizationId};
use crate::ports::{
    ClaimTicket, IdempotencyKey, IdempotencyRecords, KeyClaim, RequestFingerprint,
    RouteFingerprint, SavedResponse, StoreError, claim_times,
};

/// The `status` of an idempotency record.
const KEY_IN_PROGRESS: &str = "in_progress";
const KEY_COMPLETED: &str = "completed";
const KEY_ERASED: &str = "erased";

/// The invitation attribute naming the idempotency records whose answers are about it: a string
/// set of [`key_entry`]s.
pub(super) const INVITATION_KEYS: &str = "idempotencyKeys";

/// One entry of [`INVITATION_KEYS`]: `<key digest>/<claim ticket>`. The ticket tells the claim
/// whose answer it was from a later claim of the same key (a key may be claimed again once a day
/// has passed), which erasure must leave alone.
pub(super) fn key_entry(key: &IdempotencyKey, ticket: &ClaimTicket) -> String {
    format!("{}/{}", key.digest(), ticket.as_str())
}

/// Turns the record of entry `entry` (see [`key_entry`]), while it still is that claim's, into
/// one that holds nothing of the request but its route, only that it was erased, for as long as a
/// key lives from `now`. A record gone, or claimed since by another request, is left as it is.
pub(super) fn erased_key_write(
    organization: &OrganizationId,
    entry: &str,
    now: Timestamp,
) -> Option<(Key, ConditionalWrite)> {
    let (digest, ticket) = entry.split_once('/')?;
    let (_, expires_at) = claim_times(now);
    let key = Key::in_organization(organization, IDEMPOTENCY_PREFIX, digest);
    // The ticket is kept, so that erasing again finds the record its own.
    let write = ConditionalWrite {
        names: HashMap::from([
            ("#status".to_owned(), "status".to_owned()),
            ("#ttl".to_owned(), "ttl".to_owned()),
        ]),
        ..ConditionalWrite::on_existing(
            "ticket = :ticket",
            "SET #status = :erased, #ttl = :ttl REMOVE fingerprint, inProgressUntil, \
             responseStatus, responseContentType, responseLocation, responseBody",
            [
                (":ticket", s(ticket)),
                (":erased", s(KEY_ERASED)),
                (":ttl", n(expires_at.as_second())),
            ],
        )
    };
    Some((key, write))
}

/// A key's record while its request runs.
pub(super) fn key_claim_item(
    organization: &OrganizationId,
    key: &IdempotencyKey,
    fingerprint: &RequestFingerprint,
    ticket: &ClaimTicket,
    now: Timestamp,
) -> Item {
    let (lease_until, expires_at) = claim_times(now);
    let mut item = idempotency_key(organization, key).0;
    item.extend([
        ("entity".to_owned(), s("IdempotencyRecord")),
        ("status".to_owned(), s(KEY_IN_PROGRESS)),
        ("fingerprint".to_owned(), s(fingerprint.as_str())),
        ("ticket".to_owned(), s(ticket.as_str())),
        (
            "inProgressUntil".to_owned(),
            n(lease_until.as_millisecond()),
        ),
        // DynamoDB's TTL deletes the record some time after this (epoch seconds).
        ("ttl".to_owned(), n(expires_at.as_second())),
    ]);
    if let Some(route) = fingerprint.route() {
        item.insert("route".to_owned(), s(route.as_str()));
    }
    item
}

/// The claim a conditional put found; `ours` when it holds our own ticket (the SDK retried a put
/// whose answer was lost).
pub(super) fn read_key_claim(item: &Item, ours: &ClaimTicket) -> Result<KeyClaim, StoreError> {
    let reader = ItemReader(item);
    let route = reader
        .optional_string("route")?
        .map(|route| RouteFingerprint::from_stored(route.to_owned()));
    if reader.string("status")? == KEY_ERASED {
        return Ok(KeyClaim::Erased { route });
    }
    let fingerprint =
        RequestFingerprint::from_stored(reader.string("fingerprint")?.to_owned(), route);
    let ticket = ClaimTicket::from_stored(reader.string("ticket")?.to_owned());
    match reader.string("status")? {
        KEY_IN_PROGRESS if ticket == *ours => Ok(KeyClaim::Claimed(ticket)),
        KEY_IN_PROGRESS => Ok(KeyClaim::InProgress { fingerprint }),
        KEY_COMPLETED => Ok(KeyClaim::Completed {
            fingerprint,
            response: SavedResponse {
                status: reader
                    .optional_number::<u32>("responseStatus")?
                    .and_then(|status| u16::try_from(status).ok())
                    .ok_or_else(|| StoreError::Corrupt("responseStatus".to_owned()))?,
                content_type: reader.string("responseContentType")?.to_owned(),
                location: reader
                    .optional_string("responseLocation")?
                    .map(str::to_owned),
                body: reader.string("responseBody")?.to_owned(),
            },
        }),
        other => Err(StoreError::Corrupt(format!(
            "idempotency record status {other}"
        ))),
    }
}

/// The condition under which a request may claim an idempotency key: the key is new, expired
/// (TTL deletion lags), or left in progress by a request that died.
pub(super) fn key_claim_write(now: Timestamp) -> ConditionalWrite {
    ConditionalWrite {
        condition: "attribute_not_exists(pk) OR #ttl < :now_s \
                    OR (#status = :in_progress AND inProgressUntil < :now_ms)"
            .to_owned(),
        update: None,
        names: HashMap::from([
            ("#ttl".to_owned(), "ttl".to_owned()),
            ("#status".to_owned(), "status".to_owned()),
        ]),
        values: HashMap::from([
            (":now_s".to_owned(), n(now.as_second())),
            (":now_ms".to_owned(), n(now.as_millisecond())),
            (":in_progress".to_owned(), s(KEY_IN_PROGRESS)),
        ]),
    }
}

/// Saves the finished answer on a claimed key. Only the claimant saves, and never over an erasure
/// of its invitation; a retried save of its own finds its ticket again.
pub(super) fn key_answer_write(ticket: &ClaimTicket, response: &SavedResponse) -> ConditionalWrite {
    let mut update = "SET #status = :completed, responseStatus = :status, \
                      responseContentType = :content_type, responseBody = :body"
        .to_owned();
    let mut values = HashMap::from([
        (":ticket".to_owned(), s(ticket.as_str())),
        (":completed".to_owned(), s(KEY_COMPLETED)),
        (":erased".to_owned(), s(KEY_ERASED)),
        (":status".to_owned(), n(response.status)),
        (":content_type".to_owned(), s(&response.content_type)),
        (":body".to_owned(), s(&response.body)),
    ]);
    if let Some(location) = &response.location {
        update.push_str(", responseLocation = :location");
        values.insert(":location".to_owned(), s(location));
    }
    update.push_str(" REMOVE inProgressUntil");
    ConditionalWrite {
        condition: "ticket = :ticket AND #status <> :erased".to_owned(),
        update: Some(update),
        names: HashMap::from([("#status".to_owned(), "status".to_owned())]),
        values,
    }
}

impl IdempotencyRecords for DynamoStore {
    async fn claim_idempotency_key(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
        now: Timestamp,
    ) -> Result<KeyClaim, StoreError> {
        let ticket = ClaimTicket::new();
        let write = key_claim_write(now);
        let claimed = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(key_claim_item(
                organization,
                key,
                fingerprint,
                &ticket,
                now,
            )))
            .set_expression_attribute_names(non_empty(write.names))
            .condition_expression(write.condition)
            .set_expression_attribute_values(non_empty(write.values))
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            )
            .send()
            .await;
        match claimed {
            Ok(_) => Ok(KeyClaim::Claimed(ticket)),
            Err(SdkError::ServiceError(service)) => match service.into_err() {
                PutItemError::ConditionalCheckFailedException(held) => read_key_claim(
                    held.item()
                        .ok_or_else(|| StoreError::Corrupt("no held idempotency record".into()))?,
                    &ticket,
                ),
                other => Err(StoreError::Unavailable(
                    other.code().unwrap_or("unknown").to_owned(),
                )),
            },
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn save_idempotent_response(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        ticket: &ClaimTicket,
        response: &SavedResponse,
        about: Option<InvitationId>,
    ) -> Result<(), StoreError> {
        let answer = key_answer_write(ticket, response);
        let Some(invitation) = about else {
            return self
                .update(idempotency_key(organization, key), answer)
                .await;
        };
        let recorded = ConditionalWrite {
            names: HashMap::from([("#keys".to_owned(), INVITATION_KEYS.to_owned())]),
            ..ConditionalWrite::on_existing(
                "attribute_exists(sk)",
                "ADD #keys :key",
                [(":key", AttributeValue::Ss(vec![key_entry(key, ticket)]))],
            )
        };
        let together = self
            .transact_naming_failures(vec![
                self.transact_update(idempotency_key(organization, key), answer.clone())?,
                self.transact_update(invitation_key(organization, invitation), recorded.clone())?,
            ])
            .await;
        match together {
            Ok(()) => Ok(()),
            // The invitation is gone (erased meanwhile), or the key is no longer this claim's.
            Err(failure) if failure.condition_failed(0) || failure.condition_failed(1) => {
                Err(StoreError::Conflict)
            }
            // A collision with another write, not a refusal: each on its own, the entry on the
            // invitation first, so that an erasure in between finds the key and marks it (the
            // answer's condition then refuses to write over the mark).
            Err(_) => {
                self.update(invitation_key(organization, invitation), recorded)
                    .await?;
                self.update(idempotency_key(organization, key), answer)
                    .await
            }
        }
    }

    async fn release_idempotency_key(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        ticket: &ClaimTicket,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(idempotency_key(organization, key).0))
            .condition_expression("ticket = :ticket AND #status = :in_progress")
            .update_expression("SET inProgressUntil = :expired")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":ticket", s(ticket.as_str()))
            .expression_attribute_values(":in_progress", s(KEY_IN_PROGRESS))
            .expression_attribute_values(":expired", n(0))
            .send()
            .await
            .map_err(conditional_write_error)?;
        Ok(())
    }
}
