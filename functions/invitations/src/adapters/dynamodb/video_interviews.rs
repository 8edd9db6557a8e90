//! Video interview items.

use super::DynamoStore;
use super::attributes::{Item, ItemReader, questions_attribute, s};
use super::keys::{VIDEO_INTERVIEW_PREFIX, organization_key, video_interview_key};
use super::listing::Listing;
use crate::domain::{
    OrganizationId, RecruiterId, VideoInterview, VideoInterviewId, VideoInterviewTitle,
};
use crate::ports::{Page, PageRequest, StoreError, VideoInterviews};
use jiff::Timestamp;

fn video_interview_item(interview: &VideoInterview) -> Item {
    let mut item = video_interview_key(&interview.organization_id, interview.id).0;
    item.extend([
        ("entity".to_owned(), s("VideoInterview")),
        ("id".to_owned(), s(interview.id.to_string())),
        (
            "organizationId".to_owned(),
            s(interview.organization_id.as_str()),
        ),
        ("title".to_owned(), s(interview.title.as_str())),
        (
            "questions".to_owned(),
            questions_attribute(&interview.questions),
        ),
        ("createdBy".to_owned(), s(interview.created_by.as_str())),
        ("createdAt".to_owned(), s(interview.created_at.to_string())),
    ]);
    item
}

fn read_video_interview(item: &Item) -> Result<VideoInterview, StoreError> {
    let reader = ItemReader(item);
    Ok(VideoInterview {
        id: reader.parsed("id", str::parse)?,
        organization_id: reader.parsed("organizationId", OrganizationId::parse)?,
        title: VideoInterviewTitle::from_stored(reader.string("title")?),
        questions: reader.questions()?,
        created_by: reader.parsed("createdBy", RecruiterId::parse)?,
        created_at: reader.parsed("createdAt", str::parse::<Timestamp>)?,
    })
}

impl VideoInterviews for DynamoStore {
    async fn put_video_interview(&self, interview: &VideoInterview) -> Result<(), StoreError> {
        self.put_new(video_interview_item(interview)).await
    }

    async fn get_video_interview(
        &self,
        organization: &OrganizationId,
        id: VideoInterviewId,
    ) -> Result<Option<VideoInterview>, StoreError> {
        self.get_read(video_interview_key(organization, id), read_video_interview)
            .await
    }

    async fn list_video_interviews(
        &self,
        organization: &OrganizationId,
        page: &PageRequest,
    ) -> Result<Page<VideoInterview>, StoreError> {
        let listing = Listing {
            partition_attribute: "pk",
            partition: organization_key(organization),
            index: None,
            prefix: VIDEO_INTERVIEW_PREFIX,
            filter: None,
            organization,
        };
        self.list(listing, page, read_video_interview).await
    }
}
