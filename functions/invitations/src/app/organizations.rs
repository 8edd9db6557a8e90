//! The organization profile (`GET/PUT /organization`), and the employer every email names.

use jiff::{SignedDuration, Timestamp};

use crate::domain::{
    Employer, OrganizationId, OrganizationProfile, OrganizationProfileForm, Recruiter,
};
use crate::ports::{Clock, OrganizationProfiles, ProfileCondition, StoreError};

use super::AppError;
use super::bounded_map::BoundedMap;

/// The caller's organization's profile; `NotFound` when it has none yet.
pub async fn organization_profile<S: OrganizationProfiles>(
    store: &S,
    organization: &OrganizationId,
) -> Result<OrganizationProfile, AppError> {
    store
        .get_organization_profile(organization)
        .await?
        .ok_or(AppError::NotFound)
}

/// Sets the recruiter's organization's profile to `form`, whole, when `condition` holds (else
/// `PreconditionFailed`, nothing written): the profile, and whether it replaced one (`true`) or is
/// the first (`false`).
pub async fn save_organization_profile<S: OrganizationProfiles, C: Clock>(
    store: &S,
    clock: &C,
    recruiter: &Recruiter,
    form: OrganizationProfileForm,
    condition: ProfileCondition,
) -> Result<(OrganizationProfile, bool), AppError> {
    let profile = OrganizationProfile {
        organization_id: recruiter.organization_id.clone(),
        form,
        updated_by: recruiter.id.clone(),
        updated_at: clock.now(),
    };
    let replaced = match store.put_organization_profile(&profile, condition).await {
        Err(StoreError::Conflict) => return Err(AppError::PreconditionFailed),
        written => written?,
    };
    tracing::info!(
        organization = recruiter.organization_id.as_str(),
        replaced,
        "organization profile saved"
    );
    Ok((profile, replaced))
}

/// The employers of the organizations an instance sends emails for: each read from its profile at
/// most once per [`Employers::FRESH_FOR`], and the deployment's default for an organization
/// without one. A profile changed elsewhere shows in this instance's emails within that time; one
/// changed through this instance, at once.
pub struct Employers {
    default: Employer,
    /// Keyed by organization: one organization's profile can only ever name its own emails.
    read: BoundedMap<OrganizationId, (Timestamp, Option<OrganizationProfile>)>,
}

impl Employers {
    /// How long a profile read is used before it is read again.
    pub const FRESH_FOR: SignedDuration = SignedDuration::from_secs(60);
    /// Enough for the organizations one warm instance serves.
    const CAPACITY: usize = 256;

    pub fn new(default: Employer) -> Self {
        Self {
            default,
            read: BoundedMap::new(Self::CAPACITY),
        }
    }

    /// The employer `organization`'s emails name at `now`. A store that cannot be read fails the
    /// email's use case (nothing is sent unbranded or under the default name by mistake).
    pub async fn employer<S: OrganizationProfiles>(
        &self,
        store: &S,
        organization: &OrganizationId,
        now: Timestamp,
    ) -> Result<Employer, AppError> {
        let fresh = self
            .read
            .get(organization)
            .filter(|(read_at, _)| now.duration_since(*read_at) < Self::FRESH_FOR)
            .map(|(_, profile)| Employer::of(profile.as_ref(), &self.default));
        if let Some(employer) = fresh {
            return Ok(employer);
        }
        let profile = store.get_organization_profile(organization).await?;
        let employer = Employer::of(profile.as_ref(), &self.default);
        self.keep(organization, profile, now);
        Ok(employer)
    }

    /// Keeps `profile` as `organization`'s, read or written at `at`, unless what is kept is newer
    /// (a read that overlapped a save must not undo it).
    pub fn keep(
        &self,
        organization: &OrganizationId,
        profile: Option<OrganizationProfile>,
        at: Timestamp,
    ) {
        self.read
            .insert_unless(organization.clone(), (at, profile), |(kept_at, _)| {
                *kept_at > at
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::memory::MemoryStore;
    use crate::domain::{HttpsUrl, OrganizationName, fixture_employer, fixtures};
    use crate::ports::FixedClock;

    fn form(name: &str) -> OrganizationProfileForm {
        OrganizationProfileForm {
            display_name: OrganizationName::parse(name).unwrap(),
            logo_url: None,
            accent_color: None,
            careers_site_url: None,
            privacy_notice_url: HttpsUrl::parse("https://acme.example/privacy").unwrap(),
        }
    }

    #[tokio::test]
    async fn a_profile_is_the_organizations_own_and_replaced_whole() {
        let store = MemoryStore::default();
        let clock = FixedClock("2026-11-30T08:00:00Z".parse().unwrap());
        let rita = fixtures::recruiter();
        assert!(matches!(
            organization_profile(&store, &rita.organization_id).await,
            Err(AppError::NotFound)
        ));
        let (first, replaced) =
            save_organization_profile(&store, &clock, &rita, form("Acme"), ProfileCondition::Any)
                .await
                .unwrap();
        assert!(!replaced);
        assert_eq!(first.updated_by, rita.id);
        let (_, replaced) = save_organization_profile(
            &store,
            &clock,
            &rita,
            form("Acme Oy"),
            ProfileCondition::Any,
        )
        .await
        .unwrap();
        assert!(replaced);
        let stored = organization_profile(&store, &rita.organization_id)
            .await
            .unwrap();
        assert_eq!(stored.form.display_name.as_str(), "Acme Oy");
        // Conditional saves: against what was read, never over a change made meanwhile.
        let later = FixedClock("2026-11-30T08:05:00Z".parse().unwrap());
        let stale = ProfileCondition::SavedAt(first.updated_at - SignedDuration::from_secs(1));
        assert!(matches!(
            save_organization_profile(&store, &later, &rita, form("Acme AB"), stale).await,
            Err(AppError::PreconditionFailed)
        ));
        assert!(matches!(
            save_organization_profile(
                &store,
                &later,
                &rita,
                form("Acme AB"),
                ProfileCondition::Absent
            )
            .await,
            Err(AppError::PreconditionFailed)
        ));
        let current = ProfileCondition::SavedAt(stored.updated_at);
        let (saved, _) = save_organization_profile(&store, &later, &rita, form("Acme AB"), current)
            .await
            .unwrap();
        assert_eq!(saved.form.display_name.as_str(), "Acme AB");
        let globex = Recruiter {
            organization_id: OrganizationId::parse("globex").unwrap(),
            ..rita.clone()
        };
        assert!(matches!(
            save_organization_profile(
                &store,
                &later,
                &globex,
                form("Globex"),
                ProfileCondition::Present
            )
            .await,
            Err(AppError::PreconditionFailed)
        ));
        let other = OrganizationId::parse("globex").unwrap();
        assert!(matches!(
            organization_profile(&store, &other).await,
            Err(AppError::NotFound)
        ));
    }

    #[tokio::test]
    async fn employers_are_read_again_once_their_reading_is_stale() {
        let store = MemoryStore::default();
        let now: Timestamp = "2026-11-30T08:00:00Z".parse().unwrap();
        let rita = fixtures::recruiter();
        let organization = &rita.organization_id;
        let employers = Employers::new(fixture_employer());
        // No profile: the deployment's default.
        let default = employers.employer(&store, organization, now).await.unwrap();
        assert_eq!(default, fixture_employer());
        save_organization_profile(
            &store,
            &FixedClock(now),
            &rita,
            form("Acme Oy"),
            ProfileCondition::Any,
        )
        .await
        .unwrap();
        // Within FRESH_FOR the reading stands; after it, the new profile shows.
        let soon = now + SignedDuration::from_secs(59);
        let cached = employers
            .employer(&store, organization, soon)
            .await
            .unwrap();
        assert_eq!(cached, fixture_employer());
        let later = now + Employers::FRESH_FOR;
        let read = employers
            .employer(&store, organization, later)
            .await
            .unwrap();
        assert_eq!(read.name.as_str(), "Acme Oy");
        // Another organization never gets this one's.
        let other = OrganizationId::parse("globex").unwrap();
        let theirs = employers.employer(&store, &other, later).await.unwrap();
        assert_eq!(theirs, fixture_employer());
        // A read that overlapped a later save does not undo it.
        let saved = organization_profile(&store, organization).await.unwrap();
        employers.keep(
            organization,
            Some(saved),
            later + SignedDuration::from_secs(5),
        );
        employers.keep(organization, None, later + SignedDuration::from_secs(1));
        let kept = employers
            .employer(&store, organization, later + SignedDuration::from_secs(6))
            .await
            .unwrap();
        assert_eq!(kept.name.as_str(), "Acme Oy");
        // A store that cannot be read is an error, not the default.
        store.set_unavailable(true);
        let stale = later + SignedDuration::from_secs(6) + Employers::FRESH_FOR;
        assert!(
            employers
                .employer(&store, organization, stale)
                .await
                .is_err()
        );
    }
}
