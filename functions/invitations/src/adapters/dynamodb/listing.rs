//! Listings: one partition (or index partition) of an organization, newest first, in pages.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::attributes::{Item, ItemReader, s};
use super::keys::Key;
use super::{DynamoStore, unavailable};
use crate::domain::OrganizationId;
use crate::ports::{Page, PageCursor, PageRequest, StoreError};

/// A filter DynamoDB applies to the items a query read: its expression, with the `#names` and
/// `:values` it uses.
pub(super) struct ItemFilter {
    pub(super) expression: String,
    pub(super) names: HashMap<String, String>,
    pub(super) values: HashMap<String, AttributeValue>,
}

/// One partition (or index partition) of an organization, listed newest first.
pub(super) struct Listing<'a> {
    pub(super) partition_attribute: &'static str,
    pub(super) partition: String,
    pub(super) index: Option<&'static str>,
    pub(super) prefix: &'a str,
    pub(super) filter: Option<ItemFilter>,
    pub(super) organization: &'a OrganizationId,
}

impl DynamoStore {
    /// A page of `listing`, each item read with `read`.
    pub(super) async fn list<T>(
        &self,
        listing: Listing<'_>,
        page: &PageRequest,
        read: fn(&Item) -> Result<T, StoreError>,
    ) -> Result<Page<T>, StoreError> {
        let page = self.list_items(listing, page).await?;
        Ok(Page {
            items: page.items.iter().map(read).collect::<Result<_, _>>()?,
            next: page.next,
        })
    }

    /// Reads items newest first until the page is full. A filter is applied by DynamoDB after
    /// reading, so a page may need several queries; the cursor then names the last item
    /// returned (not DynamoDB's last evaluated key), so nothing is skipped or repeated.
    async fn list_items(
        &self,
        listing: Listing<'_>,
        page: &PageRequest,
    ) -> Result<Page<Item>, StoreError> {
        // Bounds the work of one request when a filter matches rarely: the caller gets a cursor
        // and fewer items instead of a timeout.
        const MAX_QUERIES: usize = 10;
        let mut items = Vec::new();
        let mut start = page
            .cursor
            .as_ref()
            .map(|cursor| self.start_key(&listing, cursor.last_id()));
        for _ in 0..MAX_QUERIES {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(listing.index.map(str::to_owned))
                .key_condition_expression("#pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_names("#pk", listing.partition_attribute)
                .expression_attribute_values(":pk", s(&listing.partition))
                .expression_attribute_values(":prefix", s(listing.prefix))
                .scan_index_forward(false)
                .limit(i32::try_from(page.limit + 1 - items.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take());
            if let Some(filter) = &listing.filter {
                query = query.filter_expression(&filter.expression);
                for (name, attribute) in &filter.names {
                    query = query.expression_attribute_names(name, attribute);
                }
                for (placeholder, value) in &filter.values {
                    query = query.expression_attribute_values(placeholder, value.clone());
                }
            }
            let output = query.send().await.map_err(unavailable)?;
            items.extend(output.items.unwrap_or_default());
            if items.len() > page.limit {
                // One more than asked for was found: there is a next page, starting after the last
                // item that this page returns.
                items.truncate(page.limit);
                return Ok(Page {
                    next: items.last().map(|item| self.cursor_of(item)).transpose()?,
                    items,
                });
            }
            match output.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(Page { items, next: None }),
            }
        }
        let next = start.as_ref().map(|key| self.cursor_of(key)).transpose()?;
        Ok(Page { items, next })
    }

    fn start_key(&self, listing: &Listing<'_>, id: &str) -> Item {
        let mut key = Key::in_organization(listing.organization, listing.prefix, id).0;
        if listing.index.is_some() {
            key.insert(
                listing.partition_attribute.to_owned(),
                s(&listing.partition),
            );
        }
        key
    }

    fn cursor_of(&self, item: &Item) -> Result<PageCursor, StoreError> {
        let sort_key = ItemReader(item).string("sk")?;
        // The id is after the last `#`: a delivery's prefix names its subscription too.
        let id = sort_key
            .rsplit_once('#')
            .map(|(_, id)| id)
            .ok_or_else(|| StoreError::Corrupt("sort key without an id".to_owned()))?;
        Ok(PageCursor::after(id))
    }
}
