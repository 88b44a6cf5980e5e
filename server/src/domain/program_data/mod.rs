//! Program data (docs/program-data.md): surveys, engagement and pairs at risk, the dashboard,
//! exports, notifications and privacy. The store keeps the rows; this module holds the rules and
//! the views; `api::program_data` the HTTP side; [`sweep`] the periodic work the worker does.

pub mod coordinate;
pub mod engagement;
pub mod export;
pub mod notify;
pub mod personal;
pub mod surveys;
pub mod sweep;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::Core;
use crate::domain::notify::{Notice, To};
use crate::store::PersonRef;
use crate::store::{AlertRow, RiskRule, Role, SurveyInvitationRecord, SurveyRecord, from_millis};
use crate::vocab::EmailKind;
use crate::vocab::{SurveyAudience, Trigger};
use surveys::Question;

/// A survey as coordinators see it.
#[derive(Clone, Debug)]
pub struct Survey {
    pub id: Uuid,
    pub program_id: Uuid,
    pub title: String,
    pub trigger: Trigger,
    pub due_at: Option<OffsetDateTime>,
    pub audience: SurveyAudience,
    pub anonymous: bool,
    pub questions: Vec<Question>,
    pub created_at: OffsetDateTime,
    /// When a date, midpoint or end survey went out.
    pub sent_at: Option<OffsetDateTime>,
    pub responses: i64,
}

impl Survey {
    pub fn from_record(r: &SurveyRecord) -> Self {
        Survey {
            id: r.id,
            program_id: r.program_id,
            title: r.title.clone(),
            trigger: Trigger::parse(&r.trigger).unwrap_or(Trigger::Date),
            due_at: r.due_at.map(from_millis),
            audience: SurveyAudience::parse(&r.audience).unwrap_or(SurveyAudience::Both),
            anonymous: r.anonymous,
            questions: parse_questions(&r.questions),
            created_at: from_millis(r.created_at),
            sent_at: r.sent_at.map(from_millis),
            responses: r.responses,
        }
    }
}

pub fn parse_questions(json: &str) -> Vec<Question> {
    serde_json::from_str(json).unwrap_or_default()
}

/// An open survey invitation, as its person sees it.
#[derive(Clone, Debug)]
pub struct SurveyInvitation {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub program_id: Uuid,
    pub program_name: String,
    pub title: String,
    /// Answers are not linked to the person.
    pub anonymous: bool,
    pub questions: Vec<Question>,
    pub created_at: OffsetDateTime,
}

impl SurveyInvitation {
    pub fn from_record(r: &SurveyInvitationRecord) -> Self {
        SurveyInvitation {
            id: r.id,
            survey_id: r.survey_id,
            program_id: r.program_id,
            program_name: r.program_name.clone(),
            title: r.title.clone(),
            anonymous: r.anonymous,
            questions: parse_questions(&r.questions),
            created_at: from_millis(r.created_at),
        }
    }
}

/// A pair at risk, as coordinators see it.
#[derive(Clone, Debug)]
pub struct Alert {
    pub id: Uuid,
    pub program_id: Uuid,
    pub match_id: Uuid,
    pub mentee: PersonRef,
    pub mentor: PersonRef,
    pub rule: RiskRule,
    /// The person of the pair whose request or named answer raised it; none for the program's
    /// own rules. A coordinator's follow-up on such an alert goes to that person alone.
    pub raised_by: Option<PersonRef>,
    pub detail: String,
    pub raised_at: OffsetDateTime,
    pub resolved_at: Option<OffsetDateTime>,
    /// `resolved`, `rematched`, `cleared` (the condition went away) or `withdrawn` (an alert
    /// that named a check-in rating, from before ratings became private).
    pub resolution: Option<String>,
}

impl Alert {
    pub fn from_row(a: &AlertRow) -> Self {
        Alert {
            id: a.id,
            program_id: a.program_id,
            match_id: a.match_id,
            mentee: PersonRef { user_id: a.mentee_id, name: a.mentee_name.clone() },
            mentor: PersonRef { user_id: a.mentor_id, name: a.mentor_name.clone() },
            rule: a.rule,
            raised_by: [(a.mentee_id, &a.mentee_name), (a.mentor_id, &a.mentor_name)]
                .into_iter()
                .find(|(id, _)| !a.raised_by.is_nil() && *id == a.raised_by)
                .map(|(user_id, name)| PersonRef { user_id, name: name.clone() }),
            detail: a.detail.clone(),
            raised_at: from_millis(a.raised_at),
            resolved_at: a.resolved_at.map(from_millis),
            resolution: a.resolution.clone(),
        }
    }
}

/// Tells a person live that a survey waits for them, and by email if they want it.
pub async fn announce_invitation(state: &Core, invitation: Uuid) -> anyhow::Result<()> {
    let record = state.store.get_survey_invitation(invitation).await?;
    let view = SurveyInvitation::from_record(&record);
    state.notify.send(To::User(record.user_id), Notice::Survey { survey: &view, reminder: false }).await;
    let body = format!(
        "Hello {},\n\n{} asks for your answers to \"{}\". It takes a minute: {}/surveys\n",
        record.name, record.program_name, record.title, state.public_url
    );
    notify::email(state, record.user_id, &record.email, EmailKind::SurveyInvitations, &record.title, &body).await;
    Ok(())
}

/// Raises an alert for a pair, by one of the program's rules (`raised_by` none) or for one of
/// its people (their request for support, or their named answer that the match is not working);
/// the first time (while none is open for the pair, rule and person) the program's coordinators
/// are told live. Only a pair out of touch is nudged in its channel, since both of them can see
/// that: a nudge never implies what one of them said.
pub async fn raise(
    state: &Core,
    program_id: Uuid,
    match_id: Uuid,
    rule: RiskRule,
    raised_by: Option<Uuid>,
    detail: &str,
) -> anyhow::Result<bool> {
    let now = state.clock.now();
    let Some(id) = state.store.raise_alert(program_id, match_id, rule, raised_by, detail, now).await? else {
        return Ok(false);
    };
    let alert = Alert::from_row(&state.store.get_alert(id).await?);
    if rule == RiskRule::NoContact
        && let record = state.store.get_match(match_id).await?
        && let Some(channel) = record.channel_id
    {
        let body = format!(
            "It has been a while since you two were in touch. A short message or a 20-minute call keeps a \
             mentorship going, {} and {}. Schedule your next meeting from this chat.",
            record.mentee_name, record.mentor_name
        );
        state.notify.post_system(channel, format!("nudge:{id}"), body, now).await?;
    }
    let coordinators = state.store.program_members_of_role(program_id, Role::Coordinator).await?;
    state.notify.send(To::Users(&coordinators), Notice::Alert { alert: &alert }).await;
    Ok(true)
}
