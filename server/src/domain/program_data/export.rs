//! CSV exports of a program's data. A de-identified export replaces every person and pair by a
//! stable pseudonym (an HMAC under the program's own secret, so the same person has the same id
//! in every export of that program and no other) and leaves out names, emails, institutions and
//! free text. Every export, these and a person's own data download, is written as it is read
//! ([`ExportFile`], [`by_cursor`]).

use std::collections::HashMap;
use std::future::Future;

use futures_util::stream::{self, BoxStream, StreamExt};
use hmac::{Hmac, KeyInit, Mac};
use uuid::Uuid;

use super::engagement::PairEngagement;
use super::surveys::Question;
use crate::domain::Result;
use crate::store::{
    AttendanceRow, ConductStanding, GroupEventRow, PairRow, ResponseRecord, RosterRow, SurveyRecord, from_millis,
};
use crate::vocab::SurveyQuestionKind;

/// An export being written: its file name, and its body as chunks of text (a CSV file's header,
/// then one chunk per page of rows), so a long file is never held in memory whole.
pub struct ExportFile {
    pub filename: String,
    pub chunks: BoxStream<'static, Result<String>>,
}

/// Rows an export reads at a time.
pub const EXPORT_PAGE: u32 = 500;

/// The pages of a keyset-paged read, first to last: `next(after)` returns a page's text and
/// the cursor of the page after it (none on the last).
pub fn by_cursor<F, Fut>(mut next: F) -> BoxStream<'static, Result<String>>
where
    F: FnMut(Option<Uuid>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(String, Option<Uuid>)>> + Send + 'static,
{
    stream::try_unfold(Some(None::<Uuid>), move |cursor| {
        let step = cursor.map(&mut next);
        async move {
            let Some(step) = step else { return Ok(None) };
            let (chunk, more) = step.await?;
            Ok(Some((chunk, more.map(Some))))
        }
    })
    .boxed()
}

/// Names people and pairs in an export: their ids, or pseudonyms.
pub struct Namer {
    key: Option<String>,
}

impl Namer {
    pub fn identified() -> Self {
        Namer { key: None }
    }

    pub fn pseudonymous(key: String) -> Self {
        Namer { key: Some(key) }
    }

    pub fn deidentified(&self) -> bool {
        self.key.is_some()
    }

    fn id(&self, prefix: &str, id: Uuid) -> String {
        match &self.key {
            None => id.to_string(),
            Some(key) => {
                let mut mac =
                    Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
                mac.update(id.as_bytes());
                format!("{prefix}-{}", &hex::encode(mac.finalize().into_bytes())[..12])
            }
        }
    }

    pub fn person(&self, id: Uuid) -> String {
        self.id("p", id)
    }

    pub fn pair(&self, id: Uuid) -> String {
        self.id("m", id)
    }

    /// Identifying text, left out of de-identified exports.
    fn text(&self, s: &str) -> String {
        if self.deidentified() { String::new() } else { s.to_owned() }
    }
}

/// A cell as written: a value a spreadsheet would run as a formula is quoted with `'`.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

/// CSV lines: an export is written as its header, then one chunk per page of rows, so what is
/// held in memory is one page, however long the file.
pub fn lines<I: AsRef<str>>(rows: impl IntoIterator<Item = Vec<I>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| cell(c.as_ref())));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn date(ms: Option<i64>) -> String {
    ms.map(|m| from_millis(m).date().to_string()).unwrap_or_default()
}

fn time(ms: Option<i64>) -> String {
    ms.map(|m| from_millis(m).format(&time::format_description::well_known::Rfc3339).unwrap_or_default())
        .unwrap_or_default()
}

pub const PARTICIPANTS: &[&str] = &[
    "person",
    "name",
    "email",
    "role",
    "career_stage",
    "institution",
    "cohort",
    "joined_on",
    "questionnaire",
    "status",
];

pub fn participants(rows: &[RosterRow], status: &HashMap<Uuid, String>, n: &Namer) -> Vec<Vec<String>> {
    rows.iter()
        .map(|p| {
            vec![
                n.person(p.user_id),
                n.text(&p.name),
                n.text(&p.email),
                p.role.as_str().to_owned(),
                p.career_stage.clone().unwrap_or_default(),
                n.text(p.institution.as_deref().unwrap_or_default()),
                p.cohort.clone(),
                date(Some(p.joined_at)),
                if p.completed_at.is_some() { "completed" } else { "pending" }.to_owned(),
                status.get(&p.user_id).cloned().unwrap_or_default(),
            ]
        })
        .collect()
}

pub const MATCHES: &[&str] = &[
    "match",
    "mentee",
    "mentee_name",
    "mentor",
    "mentor_name",
    "status",
    "score",
    "proposed_at",
    "activated_at",
    "ended_at",
];

pub fn matches(rows: &[PairRow], n: &Namer) -> Vec<Vec<String>> {
    rows.iter()
        .map(|m| {
            vec![
                n.pair(m.id),
                n.person(m.mentee_id),
                n.text(&m.mentee_name),
                n.person(m.mentor_id),
                n.text(&m.mentor_name),
                m.status.as_str().to_owned(),
                format!("{:.3}", m.score),
                time(Some(m.created_at)),
                time(m.activated_at),
                time(m.ended_at),
            ]
        })
        .collect()
}

pub const ENGAGEMENT: &[&str] = &[
    "match",
    "mentee",
    "mentor",
    "status",
    "activated_at",
    "messages_from_mentee",
    "messages_from_mentor",
    "meetings",
    "minutes_met",
    "last_contact_at",
    "first_reply_minutes",
    "at_risk",
];

pub fn engagement(rows: &[PairEngagement], n: &Namer) -> Vec<Vec<String>> {
    rows.iter()
        .map(|e| {
            vec![
                n.pair(e.match_id),
                n.person(e.mentee.user_id),
                n.person(e.mentor.user_id),
                e.status.as_str().to_owned(),
                time(Some(e.activated_ms)),
                e.messages_from_mentee.to_string(),
                e.messages_from_mentor.to_string(),
                e.meetings.to_string(),
                e.minutes_met.to_string(),
                time((e.last_contact_ms > 0).then_some(e.last_contact_ms)),
                e.first_reply_minutes.map(|m| m.to_string()).unwrap_or_default(),
                e.at_risk.join(" "),
            ]
        })
        .collect()
}

/// One row per answer. Anonymous responses have no respondent or pair; de-identified exports
/// leave text answers empty.
pub const SURVEY_RESPONSES: &[&str] =
    &["survey", "survey_title", "response", "respondent", "match", "answered_on", "question", "prompt", "answer"];

pub fn survey_responses(
    survey: &SurveyRecord,
    questions: &[Question],
    responses: &[ResponseRecord],
    n: &Namer,
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for r in responses {
        let answers: serde_json::Value = serde_json::from_str(&r.answers).unwrap_or_default();
        for q in questions {
            let Some(value) = answers.get(&q.id) else { continue };
            let answer = match (q.kind, value) {
                (SurveyQuestionKind::Text, v) => n.text(v.as_str().unwrap_or_default()),
                (_, serde_json::Value::String(s)) => s.clone(),
                (_, serde_json::Value::Array(list)) => {
                    list.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join("; ")
                }
                (_, v) => v.to_string(),
            };
            rows.push(vec![
                survey.id.to_string(),
                survey.title.clone(),
                if n.deidentified() { n.id("r", r.id) } else { r.id.to_string() },
                r.user_id.map(|u| n.person(u)).unwrap_or_default(),
                r.match_id.map(|m| n.pair(m)).unwrap_or_default(),
                date(Some(r.created_at)),
                q.id.clone(),
                q.prompt.clone(),
                answer,
            ]);
        }
    }
    rows
}

/// Every stay in every group event's live room: the event, the person, from when to when.
pub const EVENT_ATTENDANCE: &[&str] =
    &["event", "event_title", "event_starts_at", "person", "name", "joined_at", "left_at", "minutes"];

pub fn event_attendance(event: &GroupEventRow, rows: &[AttendanceRow], n: &Namer) -> Vec<Vec<String>> {
    rows.iter()
        .map(|a| {
            let minutes = a.left_at.map(|left| ((left - a.joined_at).max(0) / 60_000).to_string()).unwrap_or_default();
            vec![
                event.id.to_string(),
                event.title.clone(),
                time(Some(event.starts_at)),
                n.person(a.user_id),
                n.text(&a.name),
                time(Some(a.joined_at)),
                time(a.left_at),
                minutes,
            ]
        })
        .collect()
}

pub const CONDUCT_ACCEPTANCES: &[&str] =
    &["person", "name", "role", "current_version", "accepted_version", "accepted_at"];

/// Each member of a program and the latest version of its code of conduct they accepted.
pub fn conduct_acceptances(rows: &[ConductStanding], current: Option<i32>, n: &Namer) -> Vec<Vec<String>> {
    let number = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_default();
    rows.iter()
        .map(|r| {
            vec![
                n.person(r.user_id),
                n.text(&r.name),
                r.role.clone(),
                number(current),
                number(r.accepted_version),
                time(r.accepted_at),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_per_key_and_formulas_are_defused() {
        let a = Namer::pseudonymous("k1".into());
        let b = Namer::pseudonymous("k2".into());
        let id = Uuid::from_u128(42);
        assert_eq!(a.person(id), a.person(id));
        assert_ne!(a.person(id), b.person(id));
        assert!(a.person(id).starts_with("p-") && a.person(id).len() == 14);
        assert_eq!(Namer::identified().person(id), id.to_string());
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("Nia"), "Nia");
    }
}
