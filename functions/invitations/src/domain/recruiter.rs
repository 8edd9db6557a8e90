//! The recruiter: who acts (from verified claims) and who sent an invitation.

use super::{EmailAddress, IanaTimeZone, Language, OrganizationId, PersonName, RecruiterId};

/// Who is acting, as the API Gateway JWT authorizer vouched for them.
#[derive(Debug, Clone, PartialEq)]
pub struct Recruiter {
    pub id: RecruiterId,
    pub organization_id: OrganizationId,
    pub email: EmailAddress,
    pub name: Option<PersonName>,
    /// The OpenID Connect `given_name` claim: what emails to the recruiter greet them by.
    pub given_name: Option<PersonName>,
    /// From the identity provider's `locale` claim, when it is a language we write.
    pub language: Option<Language>,
    /// The OpenID Connect `zoneinfo` claim (an IANA zone): where the recruiter reads times.
    pub time_zone: Option<IanaTimeZone>,
    /// Whether the identity provider vouches that `email` is the recruiter's: false when its
    /// `email_verified` claim says so (Cognito, after a user changed the attribute), true when it
    /// says true or nothing (providers that only issue verified addresses omit it).
    pub email_verified: bool,
}

impl Recruiter {
    /// Whether candidates' data (a BCC copy with the personal link, the notice with the
    /// candidate's name, the candidate's replies) may go to the recruiter's address.
    pub fn may_receive_candidate_data(&self) -> bool {
        self.email_verified
    }

    /// How the recruiter is named to a candidate: their name, else their email address.
    pub fn display_name(&self) -> &str {
        self.name
            .as_ref()
            .map_or(self.email.as_str(), PersonName::as_str)
    }
}

/// What the recruiter who sent an invitation looked like at that moment; kept on the invitation so
/// that later emails (notify-me) reach them at the address they had then.
#[derive(Debug, Clone, PartialEq)]
pub struct InvitedBy {
    pub id: RecruiterId,
    pub email: EmailAddress,
    pub name: Option<PersonName>,
    pub given_name: Option<PersonName>,
    pub language: Option<Language>,
    pub time_zone: Option<IanaTimeZone>,
}

impl InvitedBy {
    /// What an email to them starts with after "Hello": their given name, else their name.
    pub fn greeting_name(&self) -> Option<&PersonName> {
        self.given_name.as_ref().or(self.name.as_ref())
    }
}

impl From<&Recruiter> for InvitedBy {
    fn from(recruiter: &Recruiter) -> Self {
        Self {
            id: recruiter.id.clone(),
            email: recruiter.email.clone(),
            name: recruiter.name.clone(),
            given_name: recruiter.given_name.clone(),
            language: recruiter.language,
            time_zone: recruiter.time_zone.clone(),
        }
    }
}
