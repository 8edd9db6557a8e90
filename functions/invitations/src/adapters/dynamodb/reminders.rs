//! The reminders due, through the sparse index `by-reminder-due` (`keys`), and their claims: one
//! conditional UpdateItem per reminder, which moves the invitation's reminder on (or takes it out of
//! the index) only if it still is the one found due.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;

use super::attributes::{Item, ItemReader, n, s};
use super::invitations::{Update, read_invitation, status_value};
use super::keys::{INVITATION_PREFIX, REMINDER_INDEX, REMINDER_QUEUE, REMINDERS, invitation_key};
use super::{ConditionalWrite, DynamoStore};
use crate::domain::{
    AnswerDeadline, CandidateTokenHash, IanaTimeZone, InvitationStatus, OrganizationId,
    ReminderSlot,
};
use crate::ports::{DueReminder, ReminderClaim, Reminders, StoreError};

fn read_due_reminder(item: &Item) -> Result<DueReminder, StoreError> {
    let reader = ItemReader(item);
    let organization = reader
        .string("pk")?
        .strip_prefix("ORG#")
        .ok_or_else(|| StoreError::Corrupt("a reminder outside an organization".to_owned()))?;
    let invitation = reader
        .string("sk")?
        .strip_prefix(INVITATION_PREFIX)
        .ok_or_else(|| StoreError::Corrupt("a reminder on something else".to_owned()))?;
    let date = reader.parsed("answerDeadline", AnswerDeadline::parse_date)?;
    let time_zone = reader.parsed("timeZone", IanaTimeZone::parse)?;
    Ok(DueReminder {
        organization: OrganizationId::parse(organization)
            .map_err(|error| StoreError::Corrupt(format!("pk: {error}")))?,
        invitation: invitation
            .parse()
            .map_err(|_| StoreError::Corrupt("sk: not an id".to_owned()))?,
        due: reader.parsed("reminderDue", str::parse::<Timestamp>)?,
        deadline: AnswerDeadline::new(date, time_zone)
            .map_err(|error| StoreError::Corrupt(format!("answerDeadline: {error}")))?,
        created_at: reader.parsed("createdAt", str::parse::<Timestamp>)?,
        link_generation: reader.optional_number("linkGeneration")?.unwrap_or(0),
    })
}

impl Reminders for DynamoStore {
    async fn due_reminders(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<DueReminder>, StoreError> {
        // Due instants are whole seconds, stored as RFC 3339 in UTC: `now` floored to its second
        // compares as an instant.
        let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
        let query = || {
            self.client
                .query()
                .table_name(&self.table)
                .index_name(REMINDER_INDEX)
                .key_condition_expression("#queue = :queue AND reminderDue <= :now")
                .expression_attribute_names("#queue", REMINDER_QUEUE)
                .expression_attribute_values(":queue", s(REMINDERS))
                .expression_attribute_values(":now", s(now.to_string()))
        };
        self.query_all(query, Some(limit), read_due_reminder).await
    }

    async fn claim_reminder(
        &self,
        reminder: &DueReminder,
        next: Option<&ReminderSlot>,
        sending: Option<&CandidateTokenHash>,
    ) -> Result<ReminderClaim, StoreError> {
        let deadline = &reminder.deadline;
        let mut values = HashMap::from([
            (":due".to_owned(), s(reminder.due.to_string())),
            (":date".to_owned(), s(deadline.date().to_string())),
            (":zone".to_owned(), s(deadline.time_zone().name())),
        ]);
        let mut names = HashMap::from([("#zone".to_owned(), "timeZone".to_owned())]);
        // The same reminder of the same deadline and link; to send it, a status that may be
        // reminded and no complaint (moving on needs neither, so that nothing stays due for good).
        let mut condition =
            "reminderDue = :due AND answerDeadline = :date AND #zone = :zone".to_owned();
        if reminder.link_generation == 0 {
            condition.push_str(" AND attribute_not_exists(linkGeneration)");
        } else {
            values.insert(":generation".to_owned(), n(reminder.link_generation));
            condition.push_str(" AND linkGeneration = :generation");
        }
        if sending.is_some() {
            let statuses = InvitationStatus::REMINDED.iter().map(|status| {
                values.insert(status_value(*status), s(status.code()));
                status_value(*status)
            });
            let statuses = statuses.collect::<Vec<_>>().join(", ");
            condition.push_str(&format!(
                " AND #status IN ({statuses}) AND attribute_not_exists(complainedAt)"
            ));
            names.insert("#status".to_owned(), "status".to_owned());
        }
        let mut update = Update::default();
        update.plan_reminder(next, &mut |placeholder, attribute| {
            values.insert(placeholder.to_owned(), attribute);
        });
        if let Some(link) = sending {
            values.insert(
                ":link".to_owned(),
                AttributeValue::Ss(vec![link.as_str().to_owned()]),
            );
            update.add("tokenHashes :link");
        }
        let update = update.expression();
        let write = ConditionalWrite {
            names,
            ..ConditionalWrite::on_existing(&condition, update, values)
        };
        match self
            .update_returning_item(
                invitation_key(&reminder.organization, reminder.invitation),
                write,
            )
            .await
        {
            Ok(item) => Ok(ReminderClaim::Claimed(Box::new(read_invitation(&item)?))),
            Err(StoreError::Conflict) => Ok(ReminderClaim::Gone),
            Err(error) => Err(error),
        }
    }
}
