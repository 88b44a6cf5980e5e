//! What a program asks before it matches, and its matching rules: the questionnaire each mentee
//! and mentor fills in, the interest taxonomy and custom questions coordinators write, the
//! weights and the auto-match switch, and the do-not-match list. Members read the taxonomy and
//! questions; only coordinators change them.

use std::collections::HashSet;

use time::OffsetDateTime;
use uuid::Uuid;

use super::answers::{self, Answers};
use super::engine;
use super::views::Weights;
use crate::domain::access::ProgramAccess;
use crate::domain::jobs::{self, Work};
use crate::domain::{Core, Error, Result, validate};
use crate::store::{
    Audience, Exclusion, Interest, NewQuestion, Question, QuestionKind, QuestionnaireRecord, Role, User,
};

/// A program has at most this many interests in its taxonomy…
const MAX_INTERESTS: usize = 200;
/// …and this many custom questions.
const MAX_QUESTIONS: usize = 50;

/// A coordinator of the program (or an admin).
pub(crate) async fn coordinator(core: &Core, me: &User, program_id: Uuid) -> Result<()> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()
}

/// Weights a coordinator may set: every field is a finite, non-negative number.
pub fn check_weights(w: &Weights) -> Result<()> {
    kindred_matching::Weights::from(*w)
        .validate()
        .map_err(|(field, problem)| Error::field(&format!("weights.{field}"), problem))
}

/// A person's questionnaire in a program, with what it asks them.
pub struct Questionnaire {
    pub role: Role,
    pub answers: Answers,
    pub completed_at: Option<OffsetDateTime>,
    pub updated_at: Option<OffsetDateTime>,
    /// The program's questions for this role.
    pub questions: Vec<Question>,
    /// The program's interest taxonomy.
    pub interests: Vec<Interest>,
}

/// Only the program's mentees and mentors fill in the questionnaire.
async fn questionnaire_role(core: &Core, me: &User, program_id: Uuid) -> Result<Role> {
    match ProgramAccess::of(core, me, program_id).await?.role {
        Some(role @ (Role::Mentee | Role::Mentor)) => Ok(role),
        _ => Err(Error::Forbidden("only the program's mentees and mentors fill in the questionnaire")),
    }
}

/// The questionnaire as `role` sees it, from its stored record (if any) and the program's
/// questions and taxonomy.
fn questionnaire_view(
    role: Role,
    record: Option<&QuestionnaireRecord>,
    questions: Vec<Question>,
    interests: Vec<Interest>,
) -> Result<Questionnaire> {
    let answers = match record {
        Some(r) => serde_json::from_str(&r.answers).map_err(Error::internal)?,
        None => Answers::default(),
    };
    Ok(Questionnaire {
        role,
        answers,
        completed_at: record.and_then(|r| r.completed_at),
        updated_at: record.map(|r| r.updated_at),
        questions: questions.into_iter().filter(|q| q.audience.includes(role)).collect(),
        interests,
    })
}

/// My questionnaire in a program.
pub async fn questionnaire(core: &Core, me: &User, program_id: Uuid) -> Result<Questionnaire> {
    let role = questionnaire_role(core, me, program_id).await?;
    let record = core.store.get_questionnaire(program_id, me.id).await?;
    let questions = core.store.list_questions(program_id).await?;
    let interests = core.store.list_interests(program_id).await?;
    questionnaire_view(role, record.as_ref(), questions, interests)
}

/// Saves my answers (a draft, or `complete` to finish). Every problem is reported under its
/// field and nothing is saved when there is one. Completing it in a program that matches
/// automatically queues a matching run in the same transaction.
pub async fn save_questionnaire(
    core: &Core,
    me: &User,
    program_id: Uuid,
    answers: Answers,
    complete: bool,
) -> Result<Questionnaire> {
    let role = questionnaire_role(core, me, program_id).await?;
    let interests = core.store.list_interests(program_id).await?;
    let questions = core.store.list_questions(program_id).await?;
    // A completed questionnaire feeds matching as it is saved, so it must stay complete.
    let completed = core.store.get_questionnaire(program_id, me.id).await?.is_some_and(|q| q.completed_at.is_some());
    answers::check(&answers, role, &interests, &questions, complete || completed)?;
    let (_, auto_match) = engine::settings(core.store.as_ref(), program_id).await?;
    let now = core.clock.now();
    let enqueue = (complete && auto_match).then(|| Work::AutoMatch(program_id).job(now));
    let json = serde_json::to_string(&answers).map_err(Error::internal)?;
    let saved = core.store.save_questionnaire(program_id, me.id, &json, complete, enqueue.as_ref(), now).await?;
    if enqueue.is_some() {
        core.work.notify_one();
    }
    // What was just checked against is what the answer shows: no second round of reads.
    questionnaire_view(role, Some(&saved), questions, interests)
}

/// The program's interest taxonomy (any member).
pub async fn interests(core: &Core, me: &User, program_id: Uuid) -> Result<Vec<Interest>> {
    ProgramAccess::of(core, me, program_id).await?;
    Ok(core.store.list_interests(program_id).await?)
}

pub async fn add_interest(core: &Core, me: &User, program_id: Uuid, label: &str) -> Result<Interest> {
    coordinator(core, me, program_id).await?;
    let label = validate::required("label", label, 60)?;
    if core.store.list_interests(program_id).await?.len() >= MAX_INTERESTS {
        return Err(Error::field("label", format!("a program has at most {MAX_INTERESTS} interests")));
    }
    Ok(core.store.create_interest(program_id, &label, core.clock.now()).await?)
}

pub async fn remove_interest(core: &Core, me: &User, program_id: Uuid, id: Uuid) -> Result<()> {
    coordinator(core, me, program_id).await?;
    Ok(core.store.delete_interest(program_id, id).await?)
}

/// The program's custom questions (any member).
pub async fn questions(core: &Core, me: &User, program_id: Uuid) -> Result<Vec<Question>> {
    ProgramAccess::of(core, me, program_id).await?;
    Ok(core.store.list_questions(program_id).await?)
}

/// A custom question as a coordinator writes it.
pub struct QuestionDraft {
    pub prompt: String,
    pub kind: QuestionKind,
    /// Choice questions: 2 to 20 distinct options.
    pub options: Vec<String>,
    pub audience: Audience,
    pub required: bool,
    /// Choice questions only: the same answer from both counts toward a pair's score.
    pub feeds_matching: bool,
}

pub async fn add_question(core: &Core, me: &User, program_id: Uuid, draft: QuestionDraft) -> Result<Question> {
    coordinator(core, me, program_id).await?;
    let prompt = validate::required("prompt", &draft.prompt, 300)?;
    let mut options = Vec::new();
    match draft.kind {
        QuestionKind::Choice => {
            let mut seen = HashSet::new();
            for option in &draft.options {
                let option = validate::required("options", option, 100)?;
                if !seen.insert(option.to_lowercase()) {
                    return Err(Error::field("options", format!("lists \"{option}\" twice")));
                }
                options.push(option);
            }
            if !(2..=20).contains(&options.len()) {
                return Err(Error::field("options", "a choice question needs 2 to 20 options"));
            }
        }
        QuestionKind::Text => {
            if !draft.options.is_empty() {
                return Err(Error::field("options", "only choice questions have options"));
            }
            if draft.feeds_matching {
                return Err(Error::field("feeds_matching", "only choice questions can feed matching"));
            }
        }
    }
    if core.store.list_questions(program_id).await?.len() >= MAX_QUESTIONS {
        return Err(Error::field("prompt", format!("a program has at most {MAX_QUESTIONS} questions")));
    }
    let question = NewQuestion {
        program_id,
        prompt,
        kind: draft.kind,
        options,
        audience: draft.audience,
        required: draft.required,
        feeds_matching: draft.feeds_matching,
    };
    Ok(core.store.create_question(question, core.clock.now()).await?)
}

pub async fn remove_question(core: &Core, me: &User, program_id: Uuid, id: Uuid) -> Result<()> {
    coordinator(core, me, program_id).await?;
    Ok(core.store.delete_question(program_id, id).await?)
}

/// The program's weights and whether it matches automatically (coordinators).
pub async fn settings(core: &Core, me: &User, program_id: Uuid) -> Result<(Weights, bool)> {
    coordinator(core, me, program_id).await?;
    Ok(engine::settings(core.store.as_ref(), program_id).await?)
}

/// Sets the weights and the auto-match switch. Turning it on queues a run, so people who
/// completed the questionnaire before wait no longer.
pub async fn save_settings(core: &Core, me: &User, program_id: Uuid, weights: Weights, auto_match: bool) -> Result<()> {
    coordinator(core, me, program_id).await?;
    check_weights(&weights)?;
    let json = serde_json::to_string(&weights).map_err(Error::internal)?;
    let now = core.clock.now();
    core.store.save_matching_settings(program_id, &json, auto_match, now).await?;
    if auto_match {
        jobs::enqueue(core, Work::AutoMatch(program_id), now).await?;
    }
    Ok(())
}

/// The do-not-match list (coordinators).
pub async fn exclusions(core: &Core, me: &User, program_id: Uuid) -> Result<Vec<Exclusion>> {
    coordinator(core, me, program_id).await?;
    Ok(core.store.list_exclusions(program_id).await?)
}

/// Never match `a` and `b`: two different members of the program.
pub async fn exclude(core: &Core, me: &User, program_id: Uuid, a: Uuid, b: Uuid, reason: String) -> Result<Exclusion> {
    coordinator(core, me, program_id).await?;
    if a == b {
        return Err(Error::field("b", "must be someone other than a"));
    }
    let mut problems = crate::domain::Problems::default();
    for (field, id) in [("a", a), ("b", b)] {
        if core.store.role_in_program(program_id, id).await?.is_none() {
            problems.add(field, "is not a member of this program");
        }
    }
    let reason = problems.take(validate::optional("reason", Some(reason), 500))?.unwrap_or_default();
    problems.into_result()?;
    Ok(core.store.create_exclusion(program_id, a, b, &reason, core.clock.now()).await?)
}

pub async fn remove_exclusion(core: &Core, me: &User, program_id: Uuid, id: Uuid) -> Result<()> {
    coordinator(core, me, program_id).await?;
    Ok(core.store.delete_exclusion(program_id, id).await?)
}
