//! The intake questionnaire's answers: their JSON shape, the rules a draft and a completed
//! questionnaire must meet (every problem reported at once, per field), and how answers become
//! the solver's [`kindred_matching::Mentee`] and [`kindred_matching::Mentor`].

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::Error;
use crate::store::{CareerStage, Interest, Question, QuestionKind, Role};
use crate::vocab::Visibility;

pub const MAX_CAPACITY: u32 = 10;
pub const MAX_HOURS_PER_MONTH: u32 = 80;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Background {
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub visibility: Visibility,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gender {
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub visibility: Visibility,
}

/// Everything a person answers. Every field is optional in a draft; see [`check`] for what a
/// completed questionnaire needs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub career_stage: Option<CareerStage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// IANA name, e.g. `America/Chicago`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    /// Ids from the program's interest taxonomy.
    #[serde(default)]
    pub interests: Vec<Uuid>,
    /// Free interest tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Mentees: what they hope to get from mentoring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goals: Option<String>,
    /// Mentors: their path and experience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experience: Option<String>,
    /// Mentors: what they can help with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expertise: Option<String>,
    /// Mentors: how many mentees at once (0 to 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Mentors: hours a month they can give (0 to 80).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_per_month: Option<u32>,
    /// Mentors: accepting new mentees (false: paused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepting: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<Background>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefer_shared_background: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefer_other_institution: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    /// Answers to the program's own questions, by question id.
    #[serde(default)]
    pub custom: BTreeMap<Uuid, String>,
}

/// Collects every problem, so one answer lists them all.
#[derive(Default)]
struct Problems(BTreeMap<String, String>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    fn text(&mut self, field: &str, value: &Option<String>, max: usize) {
        if let Some(v) = value {
            self.bounded(field, v, max);
        }
    }

    fn bounded(&mut self, field: &str, v: &str, max: usize) {
        if v.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        } else if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            self.add(field, "must not contain control characters");
        }
    }

    fn list(&mut self, field: &str, values: &[String], max_items: usize, max_len: usize) {
        if values.len() > max_items {
            self.add(field, format!("at most {max_items} entries"));
        }
        let mut seen = HashSet::new();
        for v in values {
            if v.trim().is_empty() {
                self.add(field, "entries must not be empty");
            } else if !seen.insert(v.trim().to_lowercase()) {
                self.add(field, format!("lists \"{}\" twice", v.trim()));
            }
            self.bounded(field, v, max_len);
        }
    }

    fn into_result(self) -> Result<(), Error> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(Error::fields(self.0))
    }
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// Checks answers for a person in `role`: types and ranges always; with `complete`, also that
/// every required answer is there. Every problem is reported, each under its field.
pub fn check(
    answers: &Answers,
    role: Role,
    interests: &[Interest],
    questions: &[Question],
    complete: bool,
) -> Result<(), Error> {
    let mut p = Problems::default();
    p.text("institution", &answers.institution, 200);
    p.text("region", &answers.region, 100);
    if let Some(tz) = &answers.time_zone
        && (tz.len() > 64 || jiff::tz::TimeZone::get(tz).is_err())
    {
        p.add("time_zone", "must be a time zone like America/Chicago");
    }
    p.list("languages", &answers.languages, 10, 50);
    p.list("tags", &answers.tags, 20, 50);
    let known: HashSet<Uuid> = interests.iter().map(|i| i.id).collect();
    if answers.interests.len() > 50 {
        p.add("interests", "at most 50 interests");
    }
    if answers.interests.iter().any(|id| !known.contains(id)) {
        p.add("interests", "names an interest that is not in this program's list");
    }
    if answers.interests.iter().collect::<HashSet<_>>().len() != answers.interests.len() {
        p.add("interests", "lists an interest twice");
    }
    p.text("goals", &answers.goals, 4000);
    p.text("experience", &answers.experience, 4000);
    p.text("expertise", &answers.expertise, 2000);
    p.text("preferred_language", &answers.preferred_language, 50);
    if answers.capacity.is_some_and(|c| c > MAX_CAPACITY) {
        p.add("capacity", format!("must be between 0 and {MAX_CAPACITY}"));
    }
    if answers.hours_per_month.is_some_and(|h| h > MAX_HOURS_PER_MONTH) {
        p.add("hours_per_month", format!("must be between 0 and {MAX_HOURS_PER_MONTH}"));
    }
    if let Some(b) = &answers.background {
        p.list("background", &b.values, 10, 100);
    }
    if let Some(g) = &answers.gender {
        p.bounded("gender", &g.value, 100);
    }
    let mentor_only = [
        ("experience", answers.experience.is_some()),
        ("expertise", answers.expertise.is_some()),
        ("capacity", answers.capacity.is_some()),
        ("hours_per_month", answers.hours_per_month.is_some()),
        ("accepting", answers.accepting.is_some()),
    ];
    let mentee_only = [
        ("goals", answers.goals.is_some()),
        ("prefer_shared_background", answers.prefer_shared_background.is_some()),
        ("prefer_other_institution", answers.prefer_other_institution.is_some()),
        ("preferred_language", answers.preferred_language.is_some()),
    ];
    let (wrong, who) = if role == Role::Mentor { (&mentee_only[..], "mentees") } else { (&mentor_only[..], "mentors") };
    for (field, present) in wrong {
        if *present {
            p.add(*field, format!("is only asked of {who}"));
        }
    }
    let by_id: HashMap<Uuid, &Question> = questions.iter().map(|q| (q.id, q)).collect();
    for (id, answer) in &answers.custom {
        let field = format!("custom.{id}");
        match by_id.get(id) {
            None => p.add(field, "is not a question of this program"),
            Some(q) if !q.audience.includes(role) => p.add(field, "is not asked of you"),
            Some(q) if q.kind == QuestionKind::Choice && !q.options.contains(answer) => {
                p.add(field, "must be one of the question's options")
            }
            Some(_) => p.bounded(&field, answer, 2000),
        }
    }
    if complete {
        if answers.career_stage.is_none() {
            p.add("career_stage", "is required");
        }
        if blank(&answers.time_zone) {
            p.add("time_zone", "is required");
        }
        if answers.languages.is_empty() {
            p.add("languages", "name at least one language");
        }
        if answers.interests.is_empty() && answers.tags.is_empty() {
            p.add("interests", "choose at least one interest or add a tag");
        }
        match role {
            Role::Mentee if blank(&answers.goals) => p.add("goals", "is required"),
            Role::Mentor => {
                if blank(&answers.experience) {
                    p.add("experience", "is required");
                }
                if answers.capacity.is_none() {
                    p.add("capacity", "is required");
                }
                if answers.accepting.is_none() {
                    p.add("accepting", "is required");
                }
            }
            _ => {}
        }
        for q in questions.iter().filter(|q| q.required && q.audience.includes(role)) {
            if answers.custom.get(&q.id).is_none_or(|a| a.trim().is_empty()) {
                p.add(format!("custom.{}", q.id), "is required");
            }
        }
    }
    p.into_result()
}

/// Career stage as the solver's ordinal; `other` has no place on the ladder.
fn stage_ordinal(stage: Option<CareerStage>) -> Option<u8> {
    match stage? {
        CareerStage::Undergraduate => Some(0),
        CareerStage::MedicalStudent => Some(1),
        CareerStage::Resident => Some(2),
        CareerStage::Fellow => Some(3),
        CareerStage::Attending => Some(4),
        CareerStage::Faculty => Some(5),
        CareerStage::Other => None,
    }
}

/// The offset from UTC right now, in minutes, of an IANA time zone.
pub fn utc_offset_minutes(zone: &str) -> Option<i32> {
    let tz = jiff::tz::TimeZone::get(zone).ok()?;
    Some(tz.to_offset(jiff::Timestamp::now()).seconds() / 60)
}

/// The solver's view of one person: only what matching uses.
pub fn candidate(
    answers: &Answers,
    interests: &HashMap<Uuid, String>,
    matching_questions: &HashSet<Uuid>,
) -> kindred_matching::Candidate {
    let mut labels: Vec<String> = answers.interests.iter().filter_map(|id| interests.get(id).cloned()).collect();
    labels.extend(answers.tags.iter().map(|t| t.trim().to_owned()));
    let text = match (&answers.goals, &answers.experience, &answers.expertise) {
        (Some(goals), _, _) => goals.clone(),
        (None, experience, expertise) => {
            format!("{} {}", experience.as_deref().unwrap_or(""), expertise.as_deref().unwrap_or(""))
        }
    };
    kindred_matching::Candidate {
        career_stage: stage_ordinal(answers.career_stage),
        institution: answers.institution.clone().filter(|s| !s.trim().is_empty()),
        utc_offset_minutes: answers.time_zone.as_deref().and_then(utc_offset_minutes),
        languages: answers.languages.clone(),
        interests: labels,
        background: answers.background.as_ref().map(|b| b.values.clone()).unwrap_or_default(),
        text,
        custom: answers
            .custom
            .iter()
            .filter(|(id, _)| matching_questions.contains(id))
            .map(|(id, a)| (id.to_string(), a.clone()))
            .collect(),
    }
}

pub fn preferences(answers: &Answers) -> kindred_matching::Preferences {
    kindred_matching::Preferences {
        shared_background: answers.prefer_shared_background.unwrap_or(false),
        other_institution: answers.prefer_other_institution.unwrap_or(false),
        language: answers.preferred_language.clone().filter(|s| !s.trim().is_empty()),
    }
}

/// Whether a mentor takes new mentees, and how many in all.
pub fn mentor_capacity(answers: &Answers) -> (bool, u32) {
    (answers.accepting.unwrap_or(true), answers.capacity.unwrap_or(0))
}

/// Which questions feed matching (choice questions a coordinator marked).
pub fn matching_questions(questions: &[Question]) -> HashSet<Uuid> {
    questions.iter().filter(|q| q.feeds_matching && q.kind == QuestionKind::Choice).map(|q| q.id).collect()
}

/// The answers a viewer may see of someone else's questionnaire: identity fields only as their
/// visibility allows.
pub fn visible_to(mut answers: Answers, coordinator: bool) -> Answers {
    let allowed = |v: Visibility| v == Visibility::Match || (coordinator && v == Visibility::Coordinators);
    if answers.background.as_ref().is_some_and(|b| !allowed(b.visibility)) {
        answers.background = None;
    }
    if answers.gender.as_ref().is_some_and(|g| !allowed(g.visibility)) {
        answers.gender = None;
    }
    answers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Audience;
    use time::OffsetDateTime;

    fn question(kind: QuestionKind, audience: Audience, required: bool) -> Question {
        Question {
            id: Uuid::now_v7(),
            prompt: "Q".into(),
            kind,
            options: vec!["Yes".into(), "No".into()],
            audience,
            required,
            feeds_matching: true,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn fields(e: Error) -> Vec<String> {
        match e {
            Error::Invalid { fields, .. } => fields.into_keys().collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_empty_draft_is_fine_but_not_complete() {
        let a = Answers::default();
        assert!(check(&a, Role::Mentee, &[], &[], false).is_ok());
        let missing = fields(check(&a, Role::Mentee, &[], &[], true).unwrap_err());
        assert_eq!(missing, ["career_stage", "goals", "interests", "languages", "time_zone"]);
        let missing = fields(check(&a, Role::Mentor, &[], &[], true).unwrap_err());
        assert_eq!(
            missing,
            ["accepting", "capacity", "career_stage", "experience", "interests", "languages", "time_zone"]
        );
    }

    #[test]
    fn ranges_and_references_are_checked() {
        let q = question(QuestionKind::Choice, Audience::Mentor, false);
        let a = Answers {
            capacity: Some(11),
            time_zone: Some("Mars/Base".into()),
            interests: vec![Uuid::now_v7()],
            custom: [(q.id, "Maybe".to_owned())].into(),
            ..Default::default()
        };
        let problems = fields(check(&a, Role::Mentor, &[], std::slice::from_ref(&q), false).unwrap_err());
        assert!(problems.contains(&"capacity".to_owned()));
        assert!(problems.contains(&"time_zone".to_owned()));
        assert!(problems.contains(&"interests".to_owned()));
        assert!(problems.contains(&format!("custom.{}", q.id)));
        // A mentee answering a mentor's question, or a mentor-only field.
        let a = Answers { capacity: Some(2), custom: [(q.id, "Yes".to_owned())].into(), ..Default::default() };
        let problems = fields(check(&a, Role::Mentee, &[], &[q], false).unwrap_err());
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn required_custom_questions_for_ones_role_only() {
        let mentor_q = question(QuestionKind::Text, Audience::Mentor, true);
        let a = Answers {
            career_stage: Some(CareerStage::MedicalStudent),
            time_zone: Some("America/Chicago".into()),
            languages: vec!["English".into()],
            tags: vec!["research".into()],
            goals: Some("Find my way into emergency medicine".into()),
            ..Default::default()
        };
        assert!(check(&a, Role::Mentee, &[], std::slice::from_ref(&mentor_q), true).is_ok());
        let both_q = question(QuestionKind::Text, Audience::Both, true);
        assert!(check(&a, Role::Mentee, &[], &[both_q], true).is_err());
    }

    #[test]
    fn identity_fields_follow_their_visibility() {
        let a = Answers {
            background: Some(Background {
                values: vec!["First-generation".into()],
                visibility: Visibility::Coordinators,
            }),
            gender: Some(Gender { value: "Woman".into(), visibility: Visibility::Match }),
            ..Default::default()
        };
        let for_match = visible_to(a.clone(), false);
        assert!(for_match.background.is_none());
        assert!(for_match.gender.is_some());
        let for_coordinator = visible_to(a, true);
        assert!(for_coordinator.background.is_some());
    }

    #[test]
    fn offsets_of_real_zones() {
        assert_eq!(utc_offset_minutes("UTC"), Some(0));
        assert_eq!(utc_offset_minutes("Asia/Kolkata"), Some(330));
        assert_eq!(utc_offset_minutes("Nowhere/Special"), None);
    }
}
