//! What coordinators do with a program's data: write surveys and read their results, tune the
//! at-risk rules and act on alerts (write to the pair, rematch, close), read engagement and the
//! dashboard, put people in cohorts, export CSV (every export audited); and what administrators
//! read: the audit log. Every function here asks the access policy first; none returns the text
//! of a private message.

use std::sync::Arc;

use futures_util::future;
use futures_util::stream::{self, StreamExt};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::engagement::{self, Filter, Overview, PairEngagement};
use super::export::{self, EXPORT_PAGE, ExportFile, Namer, by_cursor};
use super::surveys::{self, Question, SurveyResults};
use super::{Alert, Survey, parse_questions, sweep};
use crate::domain::access::ProgramAccess;
use crate::domain::accounts::new_secret;
use crate::domain::{Core, Error, Problems, Result, validate};
use crate::store::{
    ChannelKind, NewChannel, Page, PageRequest, PersonRef, ProgramHelpRow, RiskSettingsRow, SurveyRecord, User,
    from_millis, to_millis,
};
use crate::vocab::{ExportKind, SurveyAudience, Trigger};

async fn coordinator(core: &Core, me: &User, program_id: Uuid) -> Result<()> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()
}

// --- surveys ---

/// A survey as a coordinator writes it.
pub struct SurveyDraft {
    pub title: String,
    pub trigger: Trigger,
    /// For `date`: when it goes out.
    pub due_at: Option<OffsetDateTime>,
    pub audience: SurveyAudience,
    /// An anonymous response is never linked to its person.
    pub anonymous: bool,
    pub questions: Vec<Question>,
}

/// Creates a survey; the job runner sends it when it is due. Every problem is named.
pub async fn create_survey(core: &Core, me: &User, program_id: Uuid, draft: SurveyDraft) -> Result<Survey> {
    coordinator(core, me, program_id).await?;
    let mut problems = Problems::default();
    let title = problems.take(validate::required("title", &draft.title, 200))?;
    let questions = problems.take(surveys::check_questions(draft.questions))?;
    let now = core.clock.now();
    let program = core.store.get_program(program_id, me.id).await?;
    let due_at = match draft.trigger {
        Trigger::Date => match draft.due_at {
            None => {
                problems.add("due_at", "a dated survey needs its date");
                None
            }
            Some(due) if due > now + time::Duration::days(366) => {
                problems.add("due_at", "must be within a year");
                None
            }
            Some(due) => Some(to_millis(due)),
        },
        other => {
            if draft.due_at.is_some() {
                problems.add("due_at", "only dated surveys have one");
            }
            if matches!(other, Trigger::Midpoint | Trigger::End)
                && sweep::due_ms(other, None, program.starts_on.as_deref(), program.ends_on.as_deref()).is_none()
            {
                problems.add("trigger", "the program needs start and end dates for this");
            }
            None
        }
    };
    problems.into_result()?;
    let record = SurveyRecord {
        id: Uuid::now_v7(),
        program_id,
        title,
        trigger: draft.trigger.as_str().to_owned(),
        due_at,
        audience: draft.audience.as_str().to_owned(),
        anonymous: draft.anonymous,
        questions: serde_json::to_string(&questions).map_err(Error::internal)?,
        created_by: me.id,
        created_at: to_millis(now),
        sent_at: None,
        responses: 0,
    };
    core.store.create_survey(&record).await?;
    core.work.notify_one();
    Ok(Survey::from_record(&record))
}

pub async fn surveys(core: &Core, me: &User, program_id: Uuid, page: PageRequest) -> Result<Page<Survey>> {
    coordinator(core, me, program_id).await?;
    Ok(core.store.list_surveys(program_id, page).await?.map(|s| Survey::from_record(&s)))
}

async fn results_of(core: &Core, survey: &SurveyRecord) -> Result<SurveyResults> {
    let responses: Vec<Value> = core
        .store
        .survey_responses(survey.id)
        .await?
        .iter()
        .map(|r| serde_json::from_str(&r.answers).unwrap_or_default())
        .collect();
    Ok(surveys::results(survey.id, &survey.title, &parse_questions(&survey.questions), &responses))
}

/// A survey's results in aggregate.
pub async fn survey_results(core: &Core, me: &User, program_id: Uuid, survey_id: Uuid) -> Result<SurveyResults> {
    coordinator(core, me, program_id).await?;
    let survey = core.store.get_survey(survey_id).await?;
    if survey.program_id != program_id {
        return Err(Error::NotFound);
    }
    results_of(core, &survey).await
}

// --- engagement, risk, alerts ---

/// Engagement of the pairs that became active, a page at a time in the order they were
/// proposed (the cursor is the last pair's match id); a page reads only its own pairs' activity.
pub async fn engagement(core: &Core, me: &User, program_id: Uuid, page: PageRequest) -> Result<Page<PairEngagement>> {
    coordinator(core, me, program_id).await?;
    let (activity, next) = core.store.activated_pairs_activity(program_id, page).await?;
    let alerts = core.store.list_alerts(program_id, true, PageRequest::ALL).await?.items;
    Ok(Page { items: engagement::engagement(&activity, &alerts), next })
}

pub async fn risk_settings(core: &Core, me: &User, program_id: Uuid) -> Result<RiskSettingsRow> {
    coordinator(core, me, program_id).await?;
    Ok(core.store.risk_settings(program_id).await?.unwrap_or(sweep::DEFAULT_RISK))
}

/// A program's "get help now" panel: any member reads it.
pub async fn help(core: &Core, me: &User, program_id: Uuid) -> Result<ProgramHelpRow> {
    ProgramAccess::of(core, me, program_id).await?;
    Ok(core.store.program_help(program_id).await?)
}

/// Sets the program's "get help now" panel (its words and contacts, at most 4,000 characters;
/// empty removes it). Recorded in the audit log.
pub async fn save_help(core: &Core, me: &User, program_id: Uuid, text: &str) -> Result<ProgramHelpRow> {
    coordinator(core, me, program_id).await?;
    let text = validate::optional("text", Some(text.to_owned()), 4000)?.unwrap_or_default();
    let now = core.clock.now();
    core.store.put_program_help(program_id, &text, me.id, now).await?;
    let detail = format!("{} characters", text.chars().count());
    core.store.record_audit(me.id, "program_help", Some(program_id), &detail, now).await?;
    Ok(core.store.program_help(program_id).await?)
}

/// Tunes the at-risk rules; the next sweep applies them.
pub async fn save_risk_settings(
    core: &Core,
    me: &User,
    program_id: Uuid,
    settings: RiskSettingsRow,
) -> Result<RiskSettingsRow> {
    coordinator(core, me, program_id).await?;
    let mut problems = Problems::default();
    if !(1..=365).contains(&settings.no_contact_days) {
        problems.add("no_contact_days", "must be between 1 and 365");
    }
    if !settings.rating_drop.is_finite() || !(0.5..=4.0).contains(&settings.rating_drop) {
        problems.add("rating_drop", "must be between 0.5 and 4");
    }
    problems.into_result()?;
    core.store.put_risk_settings(program_id, &settings).await?;
    core.work.notify_one();
    Ok(settings)
}

/// Pairs at risk, newest first; closed ones too when `all`.
pub async fn alerts(core: &Core, me: &User, program_id: Uuid, all: bool, page: PageRequest) -> Result<Page<Alert>> {
    coordinator(core, me, program_id).await?;
    Ok(core.store.list_alerts(program_id, !all, page).await?.map(|a| Alert::from_row(&a)))
}

async fn program_alert(core: &Core, me: &User, program_id: Uuid, id: Uuid) -> Result<Alert> {
    coordinator(core, me, program_id).await?;
    alert_in(core, program_id, id).await
}

/// One of the program's alerts; not found when it is another program's.
async fn alert_in(core: &Core, program_id: Uuid, id: Uuid) -> Result<Alert> {
    let alert = Alert::from_row(&core.store.get_alert(id).await?);
    if alert.program_id != program_id {
        return Err(Error::NotFound);
    }
    Ok(alert)
}

/// Writes about an alert, in a channel opened once per coordinator: to the pair (the coordinator
/// and the two), or, when one person raised it (their request for support, their named answer),
/// to that person alone, so what one of them said never reaches the other. Returns the channel.
pub async fn message_pair(core: &Core, me: &User, program_id: Uuid, id: Uuid, text: &str) -> Result<Uuid> {
    // One look at the caller's access answers both questions: may they see the alert (a
    // coordinator or an admin), and may they write as a coordinator (a member in that role).
    let access = ProgramAccess::of(core, me, program_id).await?;
    access.require_coordinator()?;
    let alert = alert_in(core, program_id, id).await?;
    let text = validate::required("text", text, 4000)?;
    access.require_coordinator_member("join the program as a coordinator to write to its pairs")?;
    let now = core.clock.now();
    let channel_id = match alert.raised_by.as_ref() {
        Some(person) => followup_channel(core, me, program_id, person).await?,
        None => match core.store.checkin_channel(alert.match_id, me.id).await? {
            Some(c) => c,
            None => {
                let name = format!("Check-in: {} & {}", alert.mentee.name, alert.mentor.name);
                let members = vec![(me.id, true), (alert.mentee.user_id, true), (alert.mentor.user_id, true)];
                let fields = NewChannel { program_id, kind: ChannelKind::Group, name, program_wide: false, members };
                open_once(core, fields, |id| core.store.set_checkin_channel(alert.match_id, me.id, id)).await?
            }
        },
    };
    core.notify.post(channel_id, me.id, new_secret("alert-"), text, now).await?;
    Ok(channel_id)
}

/// The conversation of coordinator `me` and one `person` of the program, opened once and reused
/// (a follow-up about what that person raised, a moderator's warning). Refused across a block.
pub async fn followup_channel(core: &Core, me: &User, program_id: Uuid, person: &PersonRef) -> Result<Uuid> {
    crate::domain::access::may_converse(core.store.as_ref(), me.id, person.user_id).await?;
    if let Some(c) = core.store.followup_channel(program_id, me.id, person.user_id).await? {
        return Ok(c);
    }
    let name = format!("{} & {}", me.name, person.name);
    let members = vec![(me.id, true), (person.user_id, true)];
    let fields = NewChannel { program_id, kind: ChannelKind::Group, name, program_wide: false, members };
    open_once(core, fields, |id| core.store.set_followup_channel(program_id, me.id, person.user_id, id)).await
}

/// Creates a coordinator's channel and records it with `keep`, which answers the channel stored
/// first: two opened at once keep one, and only its members hear of it.
async fn open_once<'a, F, Fut>(core: &'a Core, fields: NewChannel, keep: F) -> Result<Uuid>
where
    F: FnOnce(Uuid) -> Fut,
    Fut: std::future::Future<Output = crate::store::StoreResult<Uuid>> + 'a,
{
    let channel = core.store.create_channel(fields, core.clock.now()).await?;
    let kept = keep(channel.id).await?;
    if kept == channel.id {
        core.notify.channel_opened(&channel).await?;
    }
    Ok(kept)
}

/// Ends the pair's match so both can be matched again, and closes the alert.
pub async fn rematch_pair(core: &Core, me: &User, program_id: Uuid, id: Uuid) -> Result<Alert> {
    let alert = program_alert(core, me, program_id, id).await?;
    let now = core.clock.now();
    let record = core.store.end_match(alert.match_id, me.id, Some("rematch after a check-in"), now).await?;
    crate::domain::matching::worker::publish_match(core, &record).await;
    crate::domain::matching::worker::rematch_later(core, program_id).await?;
    core.store.resolve_alert(id, "rematched", now).await?;
    Ok(Alert::from_row(&core.store.get_alert(id).await?))
}

/// Closes an alert.
pub async fn resolve(core: &Core, me: &User, program_id: Uuid, id: Uuid) -> Result<Alert> {
    program_alert(core, me, program_id, id).await?;
    if !core.store.resolve_alert(id, "resolved", core.clock.now()).await? {
        return Err(Error::Conflict("the alert is already closed".into()));
    }
    Ok(Alert::from_row(&core.store.get_alert(id).await?))
}

// --- dashboard, cohorts ---

fn parse_date(field: &str, value: Option<&str>) -> Result<Option<Date>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Date::parse(v, &time::format_description::well_known::Iso8601::DATE)
            .map(Some)
            .map_err(|_| Error::field(field, "must be a date as YYYY-MM-DD")),
    }
}

/// The program at a glance, for one cohort or all, over a range of days (`YYYY-MM-DD`).
pub async fn dashboard(
    core: &Core,
    me: &User,
    program_id: Uuid,
    cohort: Option<String>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Overview, Vec<SurveyResults>)> {
    coordinator(core, me, program_id).await?;
    let mut problems = Problems::default();
    let filter = Filter {
        cohort: cohort.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
        from: problems.take(parse_date("from", from))?,
        to: problems.take(parse_date("to", to))?,
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        problems.add("to", "must not be before from");
    }
    problems.into_result()?;
    let participants = core.store.roster_page(program_id, PageRequest::ALL).await?.items;
    let activity = core.store.program_activity(program_id).await?;
    let alerts = core.store.list_alerts(program_id, true, PageRequest::ALL).await?.items;
    let pairs = engagement::engagement(&activity, &alerts);
    let overview = engagement::overview(&participants, &activity, &pairs, &alerts, &filter);
    let mut results = Vec::new();
    for survey in core.store.list_surveys(program_id, PageRequest::ALL).await?.items {
        results.push(results_of(core, &survey).await?);
    }
    Ok((overview, results))
}

/// Puts a member in a cohort (empty for none).
pub async fn set_cohort(core: &Core, me: &User, program_id: Uuid, user_id: Uuid, cohort: String) -> Result<()> {
    coordinator(core, me, program_id).await?;
    let cohort = validate::optional("cohort", Some(cohort), 60)?.unwrap_or_default();
    Ok(core.store.set_cohort(program_id, user_id, &cohort).await?)
}

// --- exports and audit ---

/// A CSV export of one kind, written to the audit log before its first byte.
pub async fn export(core: &Core, me: &User, program_id: Uuid, kind: &str, deidentified: bool) -> Result<ExportFile> {
    coordinator(core, me, program_id).await?;
    let kind = ExportKind::parse(kind).ok_or(Error::NotFound)?;
    let store = core.store.as_ref();
    let namer = Arc::new(if deidentified {
        Namer::pseudonymous(store.secret(&format!("export:{program_id}"), &new_secret("")).await?)
    } else {
        Namer::identified()
    });
    let detail = json!({"kind": kind.as_str(), "deidentified": deidentified}).to_string();
    store.record_audit(me.id, "export", Some(program_id), &detail, core.clock.now()).await?;
    let page = |after| PageRequest { after, limit: EXPORT_PAGE };
    let core = core.clone();
    let (header, body) = match kind {
        ExportKind::Participants => (
            export::PARTICIPANTS,
            by_cursor(move |after| {
                let (core, namer) = (core.clone(), namer.clone());
                async move {
                    let people = core.store.roster_page(program_id, page(after)).await?;
                    let ids: Vec<Uuid> = people.items.iter().map(|p| p.user_id).collect();
                    let pairs = core.store.open_pairs_of(program_id, &ids).await?;
                    let status =
                        engagement::statuses_among(&people.items, pairs.iter().map(|(a, b, s)| (*a, *b, s.as_str())));
                    Ok((export::lines(export::participants(&people.items, &status, &namer)), people.next))
                }
            }),
        ),
        ExportKind::Matches => (
            export::MATCHES,
            by_cursor(move |after| {
                let (core, namer) = (core.clone(), namer.clone());
                async move {
                    let pairs = core.store.pairs_page(program_id, page(after), false).await?;
                    Ok((export::lines(export::matches(&pairs.items, &namer)), pairs.next))
                }
            }),
        ),
        ExportKind::Engagement => {
            // Open alerts name the pairs at risk: one per pair and rule at most.
            let alerts = Arc::new(store.list_alerts(program_id, true, PageRequest::ALL).await?.items);
            (
                export::ENGAGEMENT,
                by_cursor(move |after| {
                    let (core, namer, alerts) = (core.clone(), namer.clone(), alerts.clone());
                    async move {
                        let (activity, next) = core.store.activated_pairs_activity(program_id, page(after)).await?;
                        Ok((
                            export::lines(export::engagement(&engagement::engagement(&activity, &alerts), &namer)),
                            next,
                        ))
                    }
                }),
            )
        }
        ExportKind::SurveyResponses => {
            // A program's surveys (a few dozen), then each one's responses a page at a time.
            let surveys: Vec<(SurveyRecord, Vec<Question>)> = store
                .list_surveys(program_id, PageRequest::ALL)
                .await?
                .items
                .into_iter()
                .map(|s| {
                    let questions = parse_questions(&s.questions);
                    (s, questions)
                })
                .collect();
            let body = stream::try_unfold((0usize, None::<Uuid>), move |(at, after)| {
                let (core, namer) = (core.clone(), namer.clone());
                let survey = surveys.get(at).cloned();
                async move {
                    let Some((survey, questions)) = survey else { return Ok(None) };
                    let responses = core.store.survey_responses_page(survey.id, page(after)).await?;
                    let chunk = export::lines(export::survey_responses(&survey, &questions, &responses.items, &namer));
                    let next = match responses.next {
                        Some(last) => (at, Some(last)),
                        None => (at + 1, None),
                    };
                    Ok(Some((chunk, next)))
                }
            });
            (export::SURVEY_RESPONSES, body.boxed())
        }
        ExportKind::ConductAcceptances => {
            let current = store.conduct(program_id).await?.map(|c| c.version);
            (
                export::CONDUCT_ACCEPTANCES,
                by_cursor(move |after| {
                    let (core, namer) = (core.clone(), namer.clone());
                    async move {
                        let rows = core.store.conduct_standing(program_id, page(after)).await?;
                        Ok((export::lines(export::conduct_acceptances(&rows.items, current, &namer)), rows.next))
                    }
                }),
            )
        }
        ExportKind::EventAttendance => {
            // The program's events (hundreds), oldest first, then each one's stays in its room.
            let mut events = store.program_events(program_id, PageRequest::ALL).await?.items;
            events.sort_by_key(|e| (e.starts_at, e.id));
            let body = stream::try_unfold(0usize, move |at| {
                let (core, namer) = (core.clone(), namer.clone());
                let event = events.get(at).cloned();
                async move {
                    let Some(event) = event else { return Ok(None) };
                    let rows = core.store.event_attendance(event.id).await?;
                    Ok(Some((export::lines(export::event_attendance(&event, &rows, &namer)), at + 1)))
                }
            });
            (export::EVENT_ATTENDANCE, body.boxed())
        }
    };
    let chunks = stream::once(future::ready(Ok(export::lines([header.to_vec()])))).chain(body).boxed();
    let suffix = if deidentified { "-deidentified" } else { "" };
    Ok(ExportFile { filename: format!("{}{suffix}.csv", kind.as_str()), chunks })
}

/// One entry of the audit log.
pub struct AuditEntry {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub action: String,
    pub program_id: Option<Uuid>,
    pub detail: Value,
    pub created_at: OffsetDateTime,
}

/// The audit log, newest first, up to `limit` (1–200) entries before `cursor`; and whether more follow.
pub async fn audit(core: &Core, me: &User, cursor: Option<Uuid>, limit: u32) -> Result<(Vec<AuditEntry>, bool)> {
    if !me.is_admin {
        return Err(Error::Forbidden("only administrators can do this"));
    }
    let limit = limit.clamp(1, 200);
    let rows = core.store.list_audit(cursor, limit + 1).await?;
    let more = rows.len() > limit as usize;
    let items = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| AuditEntry {
            id: r.id,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            program_id: r.program_id,
            detail: serde_json::from_str(&r.detail).unwrap_or(Value::String(r.detail)),
            created_at: from_millis(r.created_at),
        })
        .collect();
    Ok((items, more))
}
