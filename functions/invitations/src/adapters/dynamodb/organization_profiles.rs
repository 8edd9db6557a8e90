//! The organization profile item: one per organization, replaced whole by each `PUT`.

use aws_sdk_dynamodb::types::ReturnValue;
use jiff::Timestamp;

use super::attributes::{Item, ItemReader, s};
use super::keys::organization_profile_key;
use super::{DynamoStore, conditional_write_error};
use crate::domain::{
    AccentColor, HttpsUrl, OrganizationId, OrganizationName, OrganizationProfile,
    OrganizationProfileForm, RecruiterId,
};
use crate::ports::{OrganizationProfiles, ProfileCondition, StoreError};

fn organization_profile_item(profile: &OrganizationProfile) -> Item {
    let mut item = organization_profile_key(&profile.organization_id).0;
    let form = &profile.form;
    item.extend([
        ("entity".to_owned(), s("OrganizationProfile")),
        (
            "organizationId".to_owned(),
            s(profile.organization_id.as_str()),
        ),
        ("displayName".to_owned(), s(form.display_name.as_str())),
        (
            "privacyNoticeUrl".to_owned(),
            s(form.privacy_notice_url.as_str()),
        ),
        ("updatedBy".to_owned(), s(profile.updated_by.as_str())),
        ("updatedAt".to_owned(), s(profile.updated_at.to_string())),
    ]);
    let optional = [
        ("logoUrl", form.logo_url.as_ref().map(HttpsUrl::as_str)),
        (
            "careersSiteUrl",
            form.careers_site_url.as_ref().map(HttpsUrl::as_str),
        ),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            item.insert(name.to_owned(), s(value));
        }
    }
    if let Some(color) = form.accent_color {
        item.insert("accentColor".to_owned(), s(color.to_string()));
    }
    item
}

fn read_organization_profile(item: &Item) -> Result<OrganizationProfile, StoreError> {
    let reader = ItemReader(item);
    Ok(OrganizationProfile {
        organization_id: reader.parsed("organizationId", OrganizationId::parse)?,
        form: OrganizationProfileForm {
            display_name: OrganizationName::from_stored(reader.string("displayName")?),
            logo_url: reader
                .optional_string("logoUrl")?
                .map(HttpsUrl::from_stored),
            accent_color: reader.optional_parsed("accentColor", AccentColor::parse)?,
            careers_site_url: reader
                .optional_string("careersSiteUrl")?
                .map(HttpsUrl::from_stored),
            privacy_notice_url: HttpsUrl::from_stored(reader.string("privacyNoticeUrl")?),
        },
        updated_by: reader.parsed("updatedBy", RecruiterId::parse)?,
        updated_at: reader.parsed("updatedAt", str::parse::<Timestamp>)?,
    })
}

impl OrganizationProfiles for DynamoStore {
    async fn get_organization_profile(
        &self,
        organization: &OrganizationId,
    ) -> Result<Option<OrganizationProfile>, StoreError> {
        self.get_read(
            organization_profile_key(organization),
            read_organization_profile,
        )
        .await
    }

    async fn put_organization_profile(
        &self,
        profile: &OrganizationProfile,
        condition: ProfileCondition,
    ) -> Result<bool, StoreError> {
        // A whole replacement is idempotent: the SDK may repeat it safely (a repeated conditional
        // one may then answer Conflict, as if another save came between). Whether there was one
        // before comes back with the write (a retried first write reads as a replacement).
        let (expression, saved_at) = match condition {
            ProfileCondition::Any => (None, None),
            ProfileCondition::Absent => (Some("attribute_not_exists(pk)"), None),
            ProfileCondition::Present => (Some("attribute_exists(pk)"), None),
            ProfileCondition::SavedAt(at) => (Some("updatedAt = :saved_at"), Some(at)),
        };
        let output = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(organization_profile_item(profile)))
            .set_condition_expression(expression.map(str::to_owned))
            .set_expression_attribute_values(
                saved_at.map(|at| [(":saved_at".to_owned(), s(at.to_string()))].into()),
            )
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(conditional_write_error)?;
        Ok(output.attributes.is_some_and(|old| !old.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_reads_back_as_it_was_written() {
        let employer = crate::domain::fixture_employer();
        let full = OrganizationProfile {
            organization_id: OrganizationId::parse("acme").unwrap(),
            form: OrganizationProfileForm {
                display_name: employer.name,
                logo_url: employer.logo_url,
                accent_color: Some(employer.accent_color),
                careers_site_url: employer.careers_site_url,
                privacy_notice_url: employer.privacy_notice_url.unwrap(),
            },
            updated_by: RecruiterId::parse("rita").unwrap(),
            updated_at: "2026-11-30T08:00:00Z".parse().unwrap(),
        };
        let mut bare = full.clone();
        bare.form.logo_url = None;
        bare.form.accent_color = None;
        bare.form.careers_site_url = None;
        for profile in [full, bare] {
            let item = organization_profile_item(&profile);
            assert_eq!(read_organization_profile(&item).unwrap(), profile);
        }
    }
}
