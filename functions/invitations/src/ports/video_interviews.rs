//! The store of video interviews.

use std::future::Future;

use super::{Page, PageRequest, StoreError};
use crate::domain::{OrganizationId, VideoInterview, VideoInterviewId};

/// Video interviews, each in its organization; they never change once stored. Every read is
/// scoped to the caller's organization: another one's interview reads as `None`.
pub trait VideoInterviews: Send + Sync {
    /// Stores a new interview; `Conflict` when its id exists already.
    fn put_video_interview(
        &self,
        interview: &VideoInterview,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn get_video_interview(
        &self,
        organization: &OrganizationId,
        id: VideoInterviewId,
    ) -> impl Future<Output = Result<Option<VideoInterview>, StoreError>> + Send;

    /// Newest first.
    fn list_video_interviews(
        &self,
        organization: &OrganizationId,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<VideoInterview>, StoreError>> + Send;
}
