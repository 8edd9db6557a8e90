//! Video interviews never change once created (there is no route to edit or delete one), so a warm
//! instance keeps those it has read: inviting to the same interview again skips a GetItem, which
//! is the first sequential round trip of sending an invitation (docs/performance.md).

use invitations::app::bounded_map::BoundedMap;
use invitations::domain::{OrganizationId, VideoInterview, VideoInterviewId};

/// Enough for the interviews a recruiting team invites to in a day.
const CAPACITY: usize = 256;

pub struct VideoInterviewCache {
    /// Keyed by organization too: an id of another organization's interview never hits.
    entries: BoundedMap<(OrganizationId, VideoInterviewId), VideoInterview>,
}

impl Default for VideoInterviewCache {
    fn default() -> Self {
        Self {
            entries: BoundedMap::new(CAPACITY),
        }
    }
}

impl VideoInterviewCache {
    pub fn get(
        &self,
        organization: &OrganizationId,
        id: VideoInterviewId,
    ) -> Option<VideoInterview> {
        self.entries.get(&(organization.clone(), id))
    }

    /// Keeps `interview` as read from `organization`'s partition, under that organization.
    pub fn keep(&self, organization: &OrganizationId, interview: &VideoInterview) {
        self.entries
            .insert((organization.clone(), interview.id), interview.clone());
    }
}

#[cfg(test)]
mod tests {
    use invitations::domain::{Question, QuestionText, RecruiterId, VideoInterviewTitle};
    use jiff::Timestamp;

    use super::*;

    fn video_interview() -> VideoInterview {
        let now = Timestamp::now();
        VideoInterview {
            id: VideoInterviewId::generate(now),
            organization_id: OrganizationId::parse("acme").unwrap(),
            title: VideoInterviewTitle::parse("Sales lead").unwrap(),
            questions: vec![Question {
                text: QuestionText::parse("Why us?").unwrap(),
                think_time_seconds: None,
                answer_time_seconds: None,
            }],
            created_by: RecruiterId::parse("user-1").unwrap(),
            created_at: now,
        }
    }

    #[test]
    fn an_interview_is_found_only_under_its_own_organization() {
        let cache = VideoInterviewCache::default();
        let interview = video_interview();
        assert_eq!(cache.get(&interview.organization_id, interview.id), None);
        cache.keep(&interview.organization_id, &interview);
        assert_eq!(
            cache.get(&interview.organization_id, interview.id),
            Some(interview.clone())
        );
        let other = OrganizationId::parse("globex").unwrap();
        assert_eq!(cache.get(&other, interview.id), None);
    }

    #[test]
    fn a_full_cache_starts_over_and_stays_bounded() {
        let cache = VideoInterviewCache::default();
        let first = video_interview();
        cache.keep(&first.organization_id, &first);
        for _ in 0..CAPACITY {
            let interview = video_interview();
            cache.keep(&interview.organization_id, &interview);
        }
        assert!(cache.entries.len() <= CAPACITY);
        assert_eq!(cache.get(&first.organization_id, first.id), None);
    }
}
