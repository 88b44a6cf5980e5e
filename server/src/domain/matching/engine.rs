//! The shell around the pure matching core: load a program's people, answers, exclusions and
//! matches from the store, turn them into the solver's input with the hard constraints, and turn
//! the solution back into a round (proposals with explanations, who waits and why, mentor load).
//! Scoring and solving are CPU work; callers run [`plan`] on a blocking thread.

use std::collections::{HashMap, HashSet};

use kindred_matching::{Mentee, Mentor, Scorer};
use uuid::Uuid;

use super::answers::{self, Answers};
use super::views::{Explanation, Explanations, MentorLoad, Parts, Proposal, RoundBody, Waiting, Weights, round1};
use crate::store::{Exclusion, Interest, MatchRecord, MatchStatus, Participant, Question, Role, Store, StoreResult};
use crate::vocab::{RoundMode, Visibility};
use kindred_matching::Viewer;

/// Everything a round reads, loaded once.
pub struct ProgramData {
    pub program_id: Uuid,
    pub participants: Vec<Participant>,
    pub interests: Vec<Interest>,
    pub questions: Vec<Question>,
    pub exclusions: Vec<Exclusion>,
    /// Blocks among the program's members, as (blocker, blocked).
    pub blocks: Vec<(Uuid, Uuid)>,
    pub matches: Vec<MatchRecord>,
    pub weights: Weights,
    pub auto_match: bool,
    /// Completed questionnaires, parsed once.
    answers: HashMap<Uuid, Answers>,
}

pub async fn load(store: &dyn Store, program_id: Uuid) -> crate::domain::Result<ProgramData> {
    let (weights, auto_match) = settings(store, program_id).await?;
    let participants = store.participants(program_id).await?;
    let answers = participants
        .iter()
        .filter(|p| p.completed)
        .filter_map(|p| Some((p.user_id, serde_json::from_str(p.answers.as_deref()?).ok()?)))
        .collect();
    Ok(ProgramData {
        program_id,
        participants,
        answers,
        interests: store.list_interests(program_id).await?,
        questions: store.list_questions(program_id).await?,
        exclusions: crate::domain::access::never_matched(store, program_id).await?,
        blocks: crate::domain::access::blocked_pairs(store, program_id).await?,
        matches: store.program_matches(program_id, None).await?,
        weights,
        auto_match,
    })
}

/// The program's weights and auto-match switch (defaults until a coordinator saves them).
pub async fn settings(store: &dyn Store, program_id: Uuid) -> StoreResult<(Weights, bool)> {
    Ok(match store.matching_settings(program_id).await? {
        Some((weights, auto)) => (serde_json::from_str(&weights).unwrap_or_default(), auto),
        None => (Weights::default(), false),
    })
}

/// One person as the round sees them.
struct Person<'a> {
    id: Uuid,
    name: &'a str,
    answers: &'a Answers,
}

fn open(m: &MatchRecord) -> bool {
    matches!(m.status, MatchStatus::Proposed | MatchStatus::Active)
}

/// The hard constraints of a program as it stands: who already has an open match, each mentor's
/// open load, and the pairs that must never be proposed.
pub struct Constraints<'a> {
    data: &'a ProgramData,
    busy: HashSet<Uuid>,
    load: HashMap<Uuid, u32>,
    blocked: HashSet<(Uuid, Uuid)>,
}

impl Constraints<'_> {
    /// Why `mentee` cannot be proposed with `mentor` now, if they cannot.
    pub fn problem(&self, mentee: Uuid, mentor: Uuid) -> Option<&'static str> {
        let accepting = self.data.answers.get(&mentor).is_some_and(|a| answers::mentor_capacity(a).0);
        if self.busy.contains(&mentee) {
            Some("the mentee already has an open match")
        } else if !accepting {
            Some("the mentor is paused and takes no new mentees")
        } else if self.load.get(&mentor).copied().unwrap_or(0) >= self.data.capacity_of(mentor) {
            Some("the mentor has no capacity left")
        } else if self.blocked.contains(&(mentee, mentor)) {
            Some("this pair is excluded, was declined or ended before, or one of them blocked the other")
        } else {
            None
        }
    }
}

impl ProgramData {
    fn completed(&self, role: Role) -> Vec<Person<'_>> {
        self.participants
            .iter()
            .filter(|p| p.role == role && p.completed)
            .filter_map(|p| Some(Person { id: p.user_id, name: &p.name, answers: self.answers.get(&p.user_id)? }))
            .collect()
    }

    /// How many mentees a mentor takes in all: their capacity, or 0 while paused or not ready.
    pub fn capacity_of(&self, mentor: Uuid) -> u32 {
        self.answers.get(&mentor).map_or(0, |a| match answers::mentor_capacity(a) {
            (true, capacity) => capacity,
            (false, _) => 0,
        })
    }

    /// The hard constraints, gathered once to check any number of pairs.
    pub fn constraints(&self) -> Constraints<'_> {
        Constraints {
            data: self,
            busy: self.matches.iter().filter(|m| open(m)).map(|m| m.mentee_id).collect(),
            load: self.open_load(),
            blocked: self.blocked(),
        }
    }

    /// The pairs that may never be proposed, now: a stored round is checked against them again
    /// when it is approved, since an exclusion, an ended match or a block may have come after it.
    pub fn never_pairs(&self) -> HashSet<(Uuid, Uuid)> {
        self.blocked()
    }

    /// Pairs that must never be proposed: excluded, declined or ended before, or with a block
    /// between them.
    fn blocked(&self) -> HashSet<(Uuid, Uuid)> {
        let mut blocked = HashSet::new();
        let both = self.exclusions.iter().map(|x| (x.a, x.b)).chain(self.blocks.iter().copied());
        for (a, b) in both {
            blocked.insert((a, b));
            blocked.insert((b, a));
        }
        for m in self.matches.iter().filter(|m| matches!(m.status, MatchStatus::Declined | MatchStatus::Ended)) {
            blocked.insert((m.mentee_id, m.mentor_id));
        }
        blocked
    }

    fn open_load(&self) -> HashMap<Uuid, u32> {
        let mut load = HashMap::new();
        for m in self.matches.iter().filter(|m| open(m)) {
            *load.entry(m.mentor_id).or_insert(0) += 1;
        }
        load
    }

    fn interest_labels(&self) -> HashMap<Uuid, String> {
        self.interests.iter().map(|i| (i.id, i.label.clone())).collect()
    }
}

/// The solver's input for a set of mentees and mentors.
struct Input {
    mentees: Vec<Mentee>,
    mentors: Vec<Mentor>,
}

fn input(data: &ProgramData, mentees: &[Person], mentors: &[Person], remaining: &[u32]) -> Input {
    let labels = data.interest_labels();
    let matching_questions = answers::matching_questions(&data.questions);
    Input {
        mentees: mentees
            .iter()
            .map(|p| Mentee {
                candidate: answers::candidate(p.answers, &labels, &matching_questions),
                prefs: answers::preferences(p.answers),
            })
            .collect(),
        mentors: mentors
            .iter()
            .zip(remaining)
            .map(|(p, cap)| Mentor {
                candidate: answers::candidate(p.answers, &labels, &matching_questions),
                capacity: *cap,
            })
            .collect(),
    }
}

/// A shared background may be named in an explanation only if both people let their match see it.
fn background_visible(mentee: &Person, mentor: &Person) -> bool {
    let shown = |a: &Answers| a.background.as_ref().is_some_and(|b| b.visibility == Visibility::Match);
    shown(mentee.answers) && shown(mentor.answers)
}

fn explanation(
    scorer: &Scorer,
    i: usize,
    j: usize,
    weights: &kindred_matching::Weights,
    visible: bool,
) -> Explanations {
    let to = |viewer| {
        let e = kindred_matching::explain_for(scorer, i, j, weights, visible, viewer);
        Explanation { reasons: e.reasons, unmet: e.unmet }
    };
    Explanations { neutral: to(Viewer::Neutral), mentee: to(Viewer::Mentee), mentor: to(Viewer::Mentor) }
}

/// Scores every eligible pair, solves, and describes the result. Mentees with an open match and
/// mentors' open matches are left as they are; only the remaining capacity is filled.
pub fn plan(data: &ProgramData, weights: &Weights) -> RoundBody {
    let busy: HashSet<Uuid> = data.matches.iter().filter(|m| open(m)).map(|m| m.mentee_id).collect();
    let mentees: Vec<Person> = data.completed(Role::Mentee).into_iter().filter(|p| !busy.contains(&p.id)).collect();
    let mentors = data.completed(Role::Mentor);
    let load = data.open_load();
    let remaining: Vec<u32> = mentors
        .iter()
        .map(|m| {
            let (accepting, capacity) = answers::mentor_capacity(m.answers);
            if accepting { capacity.saturating_sub(load.get(&m.id).copied().unwrap_or(0)) } else { 0 }
        })
        .collect();
    let input = input(data, &mentees, &mentors, &remaining);
    let scorer = Scorer::new(&input.mentees, &input.mentors);
    // The solver asks about every cell (millions in a large cohort): answer by index, not by id.
    let blocked = data.blocked();
    let mentee_index: HashMap<Uuid, usize> = mentees.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mentor_index: HashMap<Uuid, usize> = mentors.iter().enumerate().map(|(j, p)| (p.id, j)).collect();
    let blocked_cells: HashSet<(usize, usize)> =
        blocked.iter().filter_map(|(a, b)| Some((*mentee_index.get(a)?, *mentor_index.get(b)?))).collect();
    let core_weights: kindred_matching::Weights = (*weights).into();
    let matrix = scorer.matrix(&core_weights, |i, j| !blocked_cells.is_empty() && blocked_cells.contains(&(i, j)));
    let solution = kindred_matching::solve(&matrix, &remaining);

    let mut proposals = Vec::new();
    let mut unmatched = Vec::new();
    let mut proposed = vec![0u32; mentors.len()];
    for (i, assigned) in solution.mentor_of.iter().enumerate() {
        match *assigned {
            Some(j) => {
                proposed[j] += 1;
                let e = explanation(&scorer, i, j, &core_weights, background_visible(&mentees[i], &mentors[j]));
                proposals.push(Proposal {
                    mentee_id: mentees[i].id,
                    mentee_name: mentees[i].name.to_owned(),
                    mentor_id: mentors[j].id,
                    mentor_name: mentors[j].name.to_owned(),
                    score: round1(f64::from(matrix.get(i, j).unwrap_or(0)) / 1000.0),
                    parts: scorer.parts(i, j).into(),
                    reasons: e.neutral.reasons,
                    unmet: e.neutral.unmet,
                    for_mentee: e.mentee,
                    for_mentor: e.mentor,
                    approved: false,
                });
            }
            None => unmatched.push(Waiting {
                user_id: mentees[i].id,
                name: mentees[i].name.to_owned(),
                reason: kindred_matching::why_unmatched(&matrix, &remaining, &solution, i).describe().to_owned(),
            }),
        }
    }
    let mentor_load = mentors
        .iter()
        .enumerate()
        .map(|(j, m)| {
            let (accepting, capacity) = answers::mentor_capacity(m.answers);
            MentorLoad {
                user_id: m.id,
                name: m.name.to_owned(),
                capacity,
                open: load.get(&m.id).copied().unwrap_or(0),
                proposed: proposed[j],
                accepting,
            }
        })
        .collect();
    RoundBody {
        mode: if data.matches.iter().any(open) { RoundMode::Incremental } else { RoundMode::WholeCohort },
        weights: *weights,
        total_score: round1(proposals.iter().map(|p| p.score).sum()),
        mentees_considered: mentees.len(),
        mentors_considered: mentors.len(),
        proposals,
        unmatched,
        mentor_load,
    }
}

/// One pair scored for a coordinator placing by hand, with whether it may be placed.
#[derive(Clone, Debug)]
pub struct PairScore {
    pub score: f64,
    pub parts: Parts,
    pub reasons: Vec<String>,
    pub unmet: Vec<String>,
    /// Each of the two people's reading of the explanation (stored with the match).
    pub explanations: Explanations,
    /// Whether the pair can be proposed now.
    pub allowed: bool,
    /// Why not, when it cannot.
    pub problem: Option<String>,
    /// The mentor's whole capacity, 0 when paused (the store checks it against open matches).
    pub mentor_capacity: u32,
}

/// Why a coordinator's choice of pair cannot be scored at all.
#[derive(Debug)]
pub enum PairError {
    NotMentee,
    NotMentor,
}

/// Scores `mentee` with `mentor` against every mentor of the program (goal similarity is relative
/// to the mentee's best mentor) and checks the hard constraints.
pub fn score_pair(data: &ProgramData, weights: &Weights, mentee: Uuid, mentor: Uuid) -> Result<PairScore, PairError> {
    let role = |id: Uuid| data.participants.iter().find(|p| p.user_id == id).map(|p| (p.role, p.completed));
    let (mentee_role, mentee_done) = role(mentee).ok_or(PairError::NotMentee)?;
    let (mentor_role, mentor_done) = role(mentor).ok_or(PairError::NotMentor)?;
    if mentee_role != Role::Mentee {
        return Err(PairError::NotMentee);
    }
    if mentor_role != Role::Mentor {
        return Err(PairError::NotMentor);
    }
    let not_ready = |problem: &str| PairScore {
        score: 0.0,
        parts: Parts::default(),
        reasons: vec![],
        unmet: vec![],
        explanations: Explanations::default(),
        allowed: false,
        problem: Some(problem.to_owned()),
        mentor_capacity: 0,
    };
    if !mentee_done {
        return Ok(not_ready("the mentee has not completed the questionnaire"));
    }
    if !mentor_done {
        return Ok(not_ready("the mentor has not completed the questionnaire"));
    }
    let mentees: Vec<Person> = data.completed(Role::Mentee).into_iter().filter(|p| p.id == mentee).collect();
    let mentors = data.completed(Role::Mentor);
    let Some(j) = mentors.iter().position(|p| p.id == mentor) else {
        return Ok(not_ready("the mentor has not completed the questionnaire"));
    };
    let caps: Vec<u32> = vec![0; mentors.len()];
    let input = input(data, &mentees, &mentors, &caps);
    let scorer = Scorer::new(&input.mentees, &input.mentors);
    let core_weights: kindred_matching::Weights = (*weights).into();
    let parts = scorer.parts(0, j);
    let e = explanation(&scorer, 0, j, &core_weights, background_visible(&mentees[0], &mentors[j]));
    let problem = data.constraints().problem(mentee, mentor);
    Ok(PairScore {
        score: round1(kindred_matching::combine(&parts, &core_weights)),
        parts: parts.into(),
        reasons: e.neutral.reasons.clone(),
        unmet: e.neutral.unmet.clone(),
        explanations: e,
        allowed: problem.is_none(),
        problem: problem.map(str::to_owned),
        mentor_capacity: data.capacity_of(mentor),
    })
}

/// What two people share, for their welcome message: the strongest reasons and starters.
pub fn welcome(data: &ProgramData, mentee: Uuid, mentor: Uuid) -> (Vec<String>, Vec<String>) {
    let mentees: Vec<Person> = data.completed(Role::Mentee).into_iter().filter(|p| p.id == mentee).collect();
    let mentors: Vec<Person> = data.completed(Role::Mentor).into_iter().filter(|p| p.id == mentor).collect();
    if mentees.is_empty() || mentors.is_empty() {
        return (vec![], vec![]);
    }
    let input = input(data, &mentees, &mentors, &[1]);
    let scorer = Scorer::new(&input.mentees, &input.mentors);
    let e = explanation(&scorer, 0, 0, &data.weights.into(), background_visible(&mentees[0], &mentors[0]));
    (e.neutral.reasons, kindred_matching::conversation_starters(&scorer, 0, 0))
}
