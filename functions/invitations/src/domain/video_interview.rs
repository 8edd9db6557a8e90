//! A video interview: the questions a recruiter asks every candidate they invite to it.

use jiff::{SignedDuration, Timestamp};

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

    /// The longest a candidate can spend answering `questions`: each one's think time (a question
    /// without one has none) and answer time added up; `None` when a question's answer time is
    /// not limited.
    pub fn longest_recording(questions: &[Question]) -> Option<SignedDuration> {
        questions
            .iter()
            .try_fold(SignedDuration::ZERO, |total, question| {
                let seconds =
                    question.think_time_seconds.unwrap_or(0) + question.answer_time_seconds?;
                Some(total + SignedDuration::from_secs(i64::from(seconds)))
            })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn question(think: Option<u32>, answer: Option<u32>) -> Question {
        Question {
            text: QuestionText::parse("Why us?").unwrap(),
            think_time_seconds: think,
            answer_time_seconds: answer,
        }
    }

    #[test]
    fn the_longest_recording_adds_up_think_and_answer_times() {
        let questions = [question(Some(30), Some(120)), question(None, Some(90))];
        assert_eq!(
            Question::longest_recording(&questions),
            Some(SignedDuration::from_secs(240))
        );
        let unlimited = [question(Some(30), Some(120)), question(Some(30), None)];
        assert_eq!(Question::longest_recording(&unlimited), None);
    }
}
