//! Invitation batch items, and the batch writes and reads of their invitations.
//!
//! A batch is a header item (`BATCH#<ulid>`: the interview, the deadline, who and when) and its
//! rows in chunks of [`ROWS_PER_ITEM`] (`BATCHROWS#<ulid>#<nnnn>`, each row as JSON): a thousand
//! invalid rows with every field wrong would pass DynamoDB's 400 KB item limit in one item. The
//! header, the chunks and the day's email count are one transaction. The rows hold no personal
//! data (see `domain::batch`).

use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, PutRequest, WriteRequest};
use futures_util::{StreamExt, TryStreamExt};
use jiff::Timestamp;

use super::attributes::{Item, ItemReader, n, s};
use super::email_quota::email_count_write;
use super::invitations::{invitation_item, read_invitation};
use super::keys::{Key, email_quota_key, invitation_key, organization_key};
use super::listing::Listing;
use super::{ConditionalWrite, DynamoStore, unavailable};
use crate::domain::{
    AnswerDeadline, BatchRow, IanaTimeZone, Invitation, InvitationBatch, InvitationBatchId,
    InvitationId, OrganizationId, RowCounts,
};
use crate::ports::{DailyEmailQuota, InvitationBatches, Page, PageRequest, StoreError};

pub(super) const BATCH_PREFIX: &str = "BATCH#";
const BATCH_ROWS_PREFIX: &str = "BATCHROWS#";
/// Rows per chunk item: 200 rows of four field errors each stay near 100 KB.
const ROWS_PER_ITEM: usize = 200;
/// DynamoDB's most items per BatchWriteItem and per BatchGetItem.
const WRITES_PER_BATCH: usize = 25;
const READS_PER_BATCH: usize = 100;
/// Batch requests in flight at once.
const AT_ONCE: usize = 8;
/// Rounds of retrying the unprocessed part of a batch request (throttled by DynamoDB), with
/// doubling waits from 50 ms, as the DynamoDB guide advises.
const UNPROCESSED_ROUNDS: u32 = 6;

fn batch_key(organization: &OrganizationId, id: InvitationBatchId) -> Key {
    Key::in_organization(organization, BATCH_PREFIX, &id.to_string())
}

fn rows_key(organization: &OrganizationId, id: InvitationBatchId, chunk: usize) -> Key {
    Key::in_organization(organization, BATCH_ROWS_PREFIX, &format!("{id}#{chunk:04}"))
}

fn batch_item(batch: &InvitationBatch) -> Item {
    let mut item = batch_key(&batch.organization_id, batch.id).0;
    item.extend([
        ("entity".to_owned(), s("InvitationBatch")),
        ("id".to_owned(), s(batch.id.to_string())),
        (
            "videoInterviewId".to_owned(),
            s(batch.video_interview_id.to_string()),
        ),
        (
            "answerDeadline".to_owned(),
            s(batch.deadline.date().to_string()),
        ),
        ("timeZone".to_owned(), s(batch.deadline.time_zone().name())),
        ("createdBy".to_owned(), s(batch.created_by.as_str())),
        ("createdAt".to_owned(), s(batch.created_at.to_string())),
        ("accepted".to_owned(), n(batch.counts.accepted)),
        ("invalid".to_owned(), n(batch.counts.invalid)),
        ("duplicate".to_owned(), n(batch.counts.duplicate)),
        ("alreadyInvited".to_owned(), n(batch.counts.already_invited)),
        ("ttl".to_owned(), n(batch.retained_until.as_second())),
    ]);
    item
}

fn rows_items(batch: &InvitationBatch) -> Result<Vec<Item>, StoreError> {
    batch
        .rows
        .chunks(ROWS_PER_ITEM)
        .enumerate()
        .map(|(chunk, rows)| {
            let rows = serde_json::to_string(rows)
                .map_err(|error| StoreError::Corrupt(format!("batch rows: {error}")))?;
            let mut item = rows_key(&batch.organization_id, batch.id, chunk).0;
            item.extend([
                ("entity".to_owned(), s("InvitationBatchRows")),
                ("rows".to_owned(), s(rows)),
                ("ttl".to_owned(), n(batch.retained_until.as_second())),
            ]);
            Ok(item)
        })
        .collect()
}

/// The header of a batch, without its rows.
fn read_batch_header(item: &Item) -> Result<InvitationBatch, StoreError> {
    let reader = ItemReader(item);
    let count = |name: &str| -> Result<usize, StoreError> {
        reader
            .optional_number(name)?
            .ok_or_else(|| StoreError::Corrupt(format!("a batch without {name}")))
    };
    let time_zone = reader.parsed("timeZone", IanaTimeZone::parse)?;
    let date = reader.parsed("answerDeadline", AnswerDeadline::parse_date)?;
    let deadline = AnswerDeadline::new(date, time_zone)
        .map_err(|error| StoreError::Corrupt(format!("answerDeadline: {error}")))?;
    let retained_until = reader
        .optional_number::<i64>("ttl")?
        .map(Timestamp::from_second)
        .transpose()
        .map_err(|error| StoreError::Corrupt(format!("ttl: {error}")))?
        .ok_or_else(|| StoreError::Corrupt("a batch without ttl".to_owned()))?;
    Ok(InvitationBatch {
        id: reader.parsed("id", str::parse)?,
        organization_id: reader.parsed("pk", |pk: &str| {
            OrganizationId::parse(pk.trim_start_matches("ORG#"))
        })?,
        video_interview_id: reader.parsed("videoInterviewId", str::parse)?,
        deadline,
        created_by: reader.parsed("createdBy", crate::domain::RecruiterId::parse)?,
        created_at: reader.parsed("createdAt", str::parse::<Timestamp>)?,
        counts: RowCounts {
            accepted: count("accepted")?,
            invalid: count("invalid")?,
            duplicate: count("duplicate")?,
            already_invited: count("alreadyInvited")?,
        },
        rows: Vec::new(),
        retained_until,
    })
}

fn read_rows(item: &Item) -> Result<Vec<BatchRow>, StoreError> {
    serde_json::from_str(ItemReader(item).string("rows")?)
        .map_err(|error| StoreError::Corrupt(format!("batch rows: {error}")))
}

impl DynamoStore {
    /// Writes `items` with BatchWriteItem, retrying what DynamoDB leaves unprocessed.
    async fn write_all(&self, items: Vec<Item>) -> Result<(), StoreError> {
        let requests: Vec<Vec<WriteRequest>> = items
            .chunks(WRITES_PER_BATCH)
            .map(|chunk| {
                chunk
                    .iter()
                    .map(|item| {
                        PutRequest::builder()
                            .set_item(Some(item.clone()))
                            .build()
                            .map(|put| WriteRequest::builder().put_request(put).build())
                            .map_err(|error| StoreError::Unavailable(error.to_string()))
                    })
                    .collect()
            })
            .collect::<Result<_, _>>()?;
        futures_util::stream::iter(requests)
            .map(|mut pending| async move {
                for round in 0..UNPROCESSED_ROUNDS {
                    if round > 0 {
                        tokio::time::sleep(Duration::from_millis(50 << round)).await;
                    }
                    let output = self
                        .client
                        .batch_write_item()
                        .request_items(&self.table, pending)
                        .send()
                        .await
                        .map_err(unavailable)?;
                    pending = output
                        .unprocessed_items
                        .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                        .unwrap_or_default();
                    if pending.is_empty() {
                        return Ok(());
                    }
                }
                Err(StoreError::Unavailable(
                    "writes left unprocessed".to_owned(),
                ))
            })
            .buffer_unordered(AT_ONCE)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    /// Reads the items at `keys` with strongly consistent BatchGetItem, retrying what DynamoDB
    /// leaves unprocessed; missing items are left out.
    async fn read_all(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        let chunks: Vec<Vec<Item>> = keys
            .chunks(READS_PER_BATCH)
            .map(|chunk| chunk.iter().map(|key| key.0.clone()).collect())
            .collect();
        let found: Vec<Vec<Item>> = futures_util::stream::iter(chunks)
            .map(|mut pending| async move {
                let mut found = Vec::new();
                for round in 0..UNPROCESSED_ROUNDS {
                    if round > 0 {
                        tokio::time::sleep(Duration::from_millis(50 << round)).await;
                    }
                    let keys = KeysAndAttributes::builder()
                        .set_keys(Some(pending))
                        .consistent_read(true)
                        .build()
                        .map_err(|error| StoreError::Unavailable(error.to_string()))?;
                    let output = self
                        .client
                        .batch_get_item()
                        .request_items(&self.table, keys)
                        .send()
                        .await
                        .map_err(unavailable)?;
                    found.extend(
                        output
                            .responses
                            .and_then(|mut responses| responses.remove(&self.table))
                            .unwrap_or_default(),
                    );
                    pending = output
                        .unprocessed_keys
                        .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                        .map(|unprocessed| unprocessed.keys)
                        .unwrap_or_default();
                    if pending.is_empty() {
                        return Ok(found);
                    }
                }
                Err(StoreError::Unavailable("reads left unprocessed".to_owned()))
            })
            .buffer_unordered(AT_ONCE)
            .try_collect()
            .await?;
        Ok(found.into_iter().flatten().collect())
    }
}

impl InvitationBatches for DynamoStore {
    async fn insert_batch(
        &self,
        batch: &InvitationBatch,
        quota: DailyEmailQuota,
        emails: u32,
    ) -> Result<(), StoreError> {
        let organization = &batch.organization_id;
        let mut items = vec![self.transact_put(batch_item(batch), ConditionalWrite::new_item())?];
        for rows in rows_items(batch)? {
            items.push(self.transact_put(rows, ConditionalWrite::new_item())?);
        }
        if emails > 0 {
            items.push(self.transact_update(
                email_quota_key(organization, quota.day),
                email_count_write(quota, emails)?,
            )?);
        }
        let quota_item = items.len() - 1;
        match self.transact_naming_failures(items).await {
            Ok(()) => Ok(()),
            // The id is new: only this very write, retried after its answer was lost, stored it.
            Err(failure)
                if failure.condition_failed(0)
                    && self
                        .get_item(batch_key(organization, batch.id))
                        .await?
                        .is_some() =>
            {
                Ok(())
            }
            Err(failure) if emails > 0 && failure.condition_failed(quota_item) => {
                Err(StoreError::QuotaExhausted)
            }
            Err(failure) => Err(failure.error),
        }
    }

    async fn insert_queued_invitations(
        &self,
        invitations: &[Invitation],
    ) -> Result<(), StoreError> {
        self.write_all(
            invitations
                .iter()
                .map(|invitation| invitation_item(invitation, None))
                .collect(),
        )
        .await
    }

    async fn get_batch(
        &self,
        organization: &OrganizationId,
        id: InvitationBatchId,
    ) -> Result<Option<InvitationBatch>, StoreError> {
        let Some(mut batch) = self
            .get_read(batch_key(organization, id), read_batch_header)
            .await?
        else {
            return Ok(None);
        };
        let chunks = self
            .query_all(
                || {
                    self.client
                        .query()
                        .table_name(&self.table)
                        .key_condition_expression("pk = :pk AND begins_with(sk, :rows)")
                        .expression_attribute_values(":pk", s(organization_key(organization)))
                        .expression_attribute_values(
                            ":rows",
                            AttributeValue::S(format!("{BATCH_ROWS_PREFIX}{id}#")),
                        )
                        .consistent_read(true)
                },
                None,
                read_rows,
            )
            .await?;
        batch.rows = chunks.into_iter().flatten().collect();
        Ok(Some(batch))
    }

    async fn list_batches(
        &self,
        organization: &OrganizationId,
        page: &PageRequest,
    ) -> Result<Page<InvitationBatch>, StoreError> {
        let listing = Listing {
            partition_attribute: "pk",
            partition: organization_key(organization),
            index: None,
            prefix: BATCH_PREFIX,
            filter: None,
            organization,
        };
        self.list(listing, page, read_batch_header).await
    }

    async fn get_invitations(
        &self,
        organization: &OrganizationId,
        ids: &[InvitationId],
    ) -> Result<Vec<Invitation>, StoreError> {
        let keys = ids
            .iter()
            .map(|id| invitation_key(organization, *id))
            .collect();
        self.read_all(keys)
            .await?
            .iter()
            .map(read_invitation)
            .collect()
    }
}
