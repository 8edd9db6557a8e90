//! Video interviews: created by a recruiter, read by their organization.

use crate::domain::{
    NewVideoInterview, OrganizationId, Recruiter, VideoInterview, VideoInterviewId,
};
use crate::ports::{Clock, VideoInterviews};

use super::AppError;

/// Stores a new video interview of the recruiter's organization.
pub async fn create_video_interview<S: VideoInterviews, C: Clock>(
    store: &S,
    clock: &C,
    recruiter: &Recruiter,
    new: NewVideoInterview,
) -> Result<VideoInterview, AppError> {
    let interview = VideoInterview::new(new, recruiter, clock.now());
    store.put_video_interview(&interview).await?;
    tracing::info!(
        organization = recruiter.organization_id.as_str(),
        video_interview = %interview.id,
        "video interview created"
    );
    Ok(interview)
}

/// One interview of `organization`: `NotFound` for an id of another organization, as for one
/// that does not exist.
pub async fn video_interview<S: VideoInterviews>(
    store: &S,
    organization: &OrganizationId,
    id: VideoInterviewId,
) -> Result<VideoInterview, AppError> {
    store
        .get_video_interview(organization, id)
        .await?
        .ok_or(AppError::NotFound)
}
