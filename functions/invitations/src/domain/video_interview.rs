//! A video interview: the questions a recruiter asks every candidate they invite to it.

use jiff::Timestamp;

use super::{
    OrganizationId, QuestionText, Recruiter, RecruiterId, VideoInterviewId, VideoInterviewTitle,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub text: QuestionText,
    pub think_time_seconds: Option<u32>,
    pub answer_time_seconds: Option<u32>,
}

impl Question {
    pub const THINK_TIME_SECONDS: std::ops::RangeInclusive<u32> = 0..=600;
    pub const ANSWER_TIME_SECONDS: std::ops::RangeInclusive<u32> = 10..=1800;
    pub const MAX_PER_INTERVIEW: usize = 30;
}

#[derive(Debug, Clone, PartialEq)]
pub struct VideoInterview {
    pub id: VideoInterviewId,
    pub organization_id: OrganizationId,
    pub title: VideoInterviewTitle,
    pub questions: Vec<Question>,
    pub created_by: RecruiterId,
    pub created_at: Timestamp,
}

/// The video interview form, parsed (the recruiter API's `POST /video-interviews`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewVideoInterview {
    pub title: VideoInterviewTitle,
    pub questions: Vec<Question>,
}

impl VideoInterview {
    /// A new interview of `recruiter`'s organization, made at `now`.
    pub fn new(new: NewVideoInterview, recruiter: &Recruiter, now: Timestamp) -> Self {
        Self {
            id: VideoInterviewId::generate(now),
            organization_id: recruiter.organization_id.clone(),
            title: new.title,
            questions: new.questions,
            created_by: recruiter.id.clone(),
            created_at: now,
        }
    }
}
