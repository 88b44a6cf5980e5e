//! Scoring: who the people are (`Candidate`, `Mentee`, `Mentor`), the seven interpretable parts of a
//! pair's score, the coordinator's weights, and the `Scorer` that computes parts for one pair or a
//! dense score matrix for a whole round.
//!
//! The `Scorer` interns every label to an integer once per round and keeps inverted indexes (mentors
//! by interest, background, language and text term), so a matrix row is a few posting-list walks plus
//! one tight loop over mentors rather than string comparisons per cell.

use std::collections::HashMap;
use std::thread;

use crate::solver::{FORBIDDEN, ScoreMatrix};
use crate::text::{Analyzer, Bm25};

/// What matching knows about one person. Labels are compared trimmed and case-insensitively.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Candidate {
    /// Ordinal of the career stage: 0 undergraduate, 1 medical student, 2 resident, 3 fellow,
    /// 4 attending, 5 faculty; `None` for other or unknown.
    pub career_stage: Option<u8>,
    pub institution: Option<String>,
    pub utc_offset_minutes: Option<i32>,
    pub languages: Vec<String>,
    /// Taxonomy labels and free tags.
    pub interests: Vec<String>,
    /// Identity and background tags.
    pub background: Vec<String>,
    /// A mentee's goals; a mentor's experience and expertise.
    pub text: String,
    /// (question id, chosen option) for the program's choice questions that feed matching.
    pub custom: Vec<(String, String)>,
}

/// What a mentee asked for in a mentor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preferences {
    pub shared_background: bool,
    pub other_institution: bool,
    pub language: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mentee {
    pub candidate: Candidate,
    pub prefs: Preferences,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mentor {
    pub candidate: Candidate,
    /// How many mentees this mentor takes in this round; 0 for a paused mentor.
    pub capacity: u32,
}

/// How much each part counts. Only ratios matter: the score is a weighted mean.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    pub interests: f64,
    pub goals: f64,
    pub preferences: f64,
    pub career_stage: f64,
    pub time_zone: f64,
    pub institution: f64,
    pub custom: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            interests: 3.0,
            goals: 3.0,
            preferences: 2.0,
            career_stage: 1.0,
            time_zone: 1.0,
            institution: 1.0,
            custom: 1.0,
        }
    }
}

impl Weights {
    /// Upper bound of every weight; keeps the coordinator's slider scale meaningful.
    pub const MAX: f64 = 10.0;

    fn fields(&self) -> [(&'static str, f64); 7] {
        [
            ("interests", self.interests),
            ("goals", self.goals),
            ("preferences", self.preferences),
            ("career_stage", self.career_stage),
            ("time_zone", self.time_zone),
            ("institution", self.institution),
            ("custom", self.custom),
        ]
    }

    /// `Err((field, problem))` for the first weight that is not a finite number in 0..=10, or
    /// `("weights", ..)` when all are zero and no score could be computed.
    pub fn validate(&self) -> Result<(), (&'static str, &'static str)> {
        for (field, w) in self.fields() {
            if !w.is_finite() {
                return Err((field, "must be a finite number"));
            }
            if !(0.0..=Self::MAX).contains(&w) {
                return Err((field, "must be between 0 and 10"));
            }
        }
        if self.fields().iter().all(|&(_, w)| w == 0.0) {
            return Err(("weights", "at least one weight must be above zero"));
        }
        Ok(())
    }
}

/// The parts of one pair's score, each in [0, 1].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Parts {
    pub interests: f32,
    pub goals: f32,
    pub preferences: f32,
    pub career_stage: f32,
    pub time_zone: f32,
    pub institution: f32,
    pub custom: f32,
}

/// The weighted mean of the parts, scaled to 0..=100. Weights summing to zero (rejected by
/// `Weights::validate`) give 0 rather than NaN.
#[inline]
pub fn combine(parts: &Parts, weights: &Weights) -> f64 {
    let sum = weights.interests
        + weights.goals
        + weights.preferences
        + weights.career_stage
        + weights.time_zone
        + weights.institution
        + weights.custom;
    // Also catches NaN weights, which `Weights::validate` rejects.
    if sum.is_nan() || sum <= 0.0 {
        return 0.0;
    }
    let dot = weights.interests * f64::from(parts.interests)
        + weights.goals * f64::from(parts.goals)
        + weights.preferences * f64::from(parts.preferences)
        + weights.career_stage * f64::from(parts.career_stage)
        + weights.time_zone * f64::from(parts.time_zone)
        + weights.institution * f64::from(parts.institution)
        + weights.custom * f64::from(parts.custom);
    // A multiplication by a factor that depends only on the weights: in the matrix loop it is
    // computed once, where a division would run for every cell.
    let scale = 100.0 / sum;
    (dot * scale).clamp(0.0, 100.0)
}

/// Career-stage fit: a mentor one to three stages ahead is ideal, far ahead still good, a peer
/// somewhat useful, a mentor behind the mentee not at all.
#[inline]
pub fn career_stage_fit(mentee: Option<u8>, mentor: Option<u8>) -> f32 {
    match (mentee, mentor) {
        (Some(e), Some(r)) if r > e => {
            if r - e <= 3 {
                1.0
            } else {
                0.7
            }
        }
        (Some(e), Some(r)) if r == e => 0.3,
        (Some(_), Some(_)) => 0.0,
        _ => 0.5,
    }
}

/// Time-zone fit: 1 in the same zone, falling linearly to 0 at 12 hours apart.
#[inline]
pub fn time_zone_fit(mentee: Option<i32>, mentor: Option<i32>) -> f32 {
    match (mentee, mentor) {
        (Some(a), Some(b)) => {
            let hours = (i64::from(a) - i64::from(b)).abs() as f64 / 60.0;
            (1.0 - hours / 12.0).clamp(0.0, 1.0) as f32
        }
        _ => 0.5,
    }
}

const NO_STAGE: u8 = u8::MAX;
const NO_ID: u32 = u32::MAX;
const NO_OFFSET: i32 = i32::MIN;

fn normalise(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() { None } else { Some(t.to_lowercase()) }
}

/// Maps normalised labels to dense ids, one namespace per kind of label.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
}

impl Interner {
    fn id(&mut self, s: &str) -> Option<u32> {
        let key = normalise(s)?;
        let next = self.ids.len() as u32;
        Some(*self.ids.entry(key).or_insert(next))
    }

    fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(&normalise(s)?).copied()
    }

    fn set(&mut self, labels: &[String]) -> Vec<u32> {
        let mut v: Vec<u32> = labels.iter().filter_map(|s| self.id(s)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn len(&self) -> usize {
        self.ids.len()
    }
}

/// A person's labels as sorted ids.
#[derive(Clone, Debug, Default)]
struct Keys {
    stage: u8,
    institution: u32,
    offset: i32,
    interests: Vec<u32>,
    background: Vec<u32>,
    languages: Vec<u32>,
    /// (question, option), sorted by question, one answer per question.
    custom: Vec<(u32, u32)>,
}

#[derive(Default)]
struct Interners {
    institutions: Interner,
    labels: Interner,
    background: Interner,
    languages: Interner,
    questions: Interner,
    options: Interner,
}

impl Interners {
    fn keys(&mut self, c: &Candidate) -> Keys {
        let mut custom: Vec<(u32, u32)> = Vec::new();
        for (q, o) in &c.custom {
            if let (Some(q), Some(o)) = (self.questions.id(q), self.options.id(o))
                && !custom.iter().any(|&(seen, _)| seen == q)
            {
                custom.push((q, o));
            }
        }
        custom.sort_unstable();
        Keys {
            stage: c.career_stage.unwrap_or(NO_STAGE),
            institution: c.institution.as_deref().and_then(|s| self.institutions.id(s)).unwrap_or(NO_ID),
            offset: c.utc_offset_minutes.unwrap_or(NO_OFFSET),
            interests: self.labels.set(&c.interests),
            background: self.background.set(&c.background),
            languages: self.languages.set(&c.languages),
            custom,
        }
    }
}

/// A mentee's preferences as ids.
#[derive(Clone, Copy, Debug)]
struct Wants {
    shared_background: bool,
    other_institution: bool,
    language: Option<u32>,
}

impl Wants {
    fn stated(&self) -> u32 {
        u32::from(self.shared_background) + u32::from(self.other_institution) + u32::from(self.language.is_some())
    }
}

/// Per-row working memory: everything about one mentee against every mentor that is cheaper to
/// gather by walking inverted lists once than to compute per cell.
struct Row {
    /// The goals part: BM25 against each mentor, divided by the best.
    bm25: Vec<f32>,
    shared_interests: Vec<u16>,
    shared_background: Vec<bool>,
    speaks: Vec<bool>,
}

impl Row {
    fn new(mentors: usize) -> Self {
        Row {
            bm25: vec![0.0; mentors],
            shared_interests: vec![0; mentors],
            shared_background: vec![false; mentors],
            speaks: vec![false; mentors],
        }
    }
}

/// Per-row constants derived while filling a `Row`.
#[derive(Clone, Copy)]
struct RowInfo {
    inv_interest_denominator: f32,
}

/// Scores pairs of one round. Build it once per round; it borrows the people it was built from.
pub struct Scorer<'a> {
    mentees: &'a [Mentee],
    mentors: &'a [Mentor],
    analyzer: Analyzer,
    bm25: Bm25,
    mentee_keys: Vec<Keys>,
    mentee_wants: Vec<Wants>,
    mentee_query: Vec<Vec<u32>>,
    mentor_keys: Vec<Keys>,
    mentors_by_interest: Vec<Vec<u32>>,
    mentors_by_background: Vec<Vec<u32>>,
    mentors_by_language: Vec<Vec<u32>>,
    interners: Interners,
}

fn invert(lists: impl Iterator<Item = impl AsRef<[u32]>>, ids: usize) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); ids];
    for (j, list) in lists.enumerate() {
        for &id in list.as_ref() {
            out[id as usize].push(j as u32);
        }
    }
    out
}

/// Rows below this many cells are scored on the calling thread: spawning costs more than it saves.
const PARALLEL_MIN_CELLS: usize = 200_000;

impl<'a> Scorer<'a> {
    pub fn new(mentees: &'a [Mentee], mentors: &'a [Mentor]) -> Self {
        let analyzer = Analyzer::new();
        let bm25 = Bm25::build(&analyzer, mentors.iter().map(|m| m.candidate.text.as_str()));
        let mut interners = Interners::default();
        let mentor_keys: Vec<Keys> = mentors.iter().map(|m| interners.keys(&m.candidate)).collect();
        let mentee_keys: Vec<Keys> = mentees.iter().map(|m| interners.keys(&m.candidate)).collect();
        let mentee_wants: Vec<Wants> = mentees
            .iter()
            .map(|m| Wants {
                shared_background: m.prefs.shared_background,
                other_institution: m.prefs.other_institution,
                language: m.prefs.language.as_deref().and_then(|l| interners.languages.id(l)),
            })
            .collect();
        let mentee_query = bm25.queries(&analyzer, mentees.iter().map(|m| m.candidate.text.as_str()));
        let mentors_by_interest = invert(mentor_keys.iter().map(|k| &k.interests), interners.labels.len());
        let mentors_by_background = invert(mentor_keys.iter().map(|k| &k.background), interners.background.len());
        let mentors_by_language = invert(mentor_keys.iter().map(|k| &k.languages), interners.languages.len());
        Scorer {
            mentees,
            mentors,
            analyzer,
            bm25,
            mentee_keys,
            mentee_wants,
            mentee_query,
            mentor_keys,
            mentors_by_interest,
            mentors_by_background,
            mentors_by_language,
            interners,
        }
    }

    pub fn mentees(&self) -> &'a [Mentee] {
        self.mentees
    }

    pub fn mentors(&self) -> &'a [Mentor] {
        self.mentors
    }

    fn fill_row(&self, i: usize, row: &mut Row) -> RowInfo {
        let keys = &self.mentee_keys[i];
        let wants = self.mentee_wants[i];
        row.bm25.fill(0.0);
        self.bm25.accumulate(&self.mentee_query[i], &mut row.bm25);
        let best = row.bm25.iter().copied().fold(0.0f32, f32::max);
        if best > 0.0 {
            // Divided, not multiplied by 1/best, so that the best mentor gets exactly 1.
            for x in &mut row.bm25 {
                *x /= best;
            }
        }
        row.shared_interests.fill(0);
        for &id in &keys.interests {
            for &j in &self.mentors_by_interest[id as usize] {
                row.shared_interests[j as usize] = row.shared_interests[j as usize].saturating_add(1);
            }
        }
        if wants.shared_background {
            row.shared_background.fill(false);
            for &id in &keys.background {
                for &j in &self.mentors_by_background[id as usize] {
                    row.shared_background[j as usize] = true;
                }
            }
        }
        if let Some(lang) = wants.language {
            row.speaks.fill(false);
            for &j in &self.mentors_by_language[lang as usize] {
                row.speaks[j as usize] = true;
            }
        }
        let listed = keys.interests.len().min(3);
        RowInfo { inv_interest_denominator: if listed == 0 { 0.0 } else { 1.0 / listed as f32 } }
    }

    #[inline]
    fn cell(&self, i: usize, j: usize, row: &Row, info: RowInfo) -> Parts {
        let e = &self.mentee_keys[i];
        let r = &self.mentor_keys[j];
        let wants = self.mentee_wants[i];

        let interests = (f32::from(row.shared_interests[j]) * info.inv_interest_denominator).min(1.0);
        let goals = row.bm25[j];

        let stated = wants.stated();
        let preferences = if stated == 0 {
            1.0
        } else {
            let mut met = 0u32;
            if wants.shared_background && row.shared_background[j] {
                met += 1;
            }
            if wants.other_institution
                && e.institution != NO_ID
                && r.institution != NO_ID
                && e.institution != r.institution
            {
                met += 1;
            }
            if wants.language.is_some() && row.speaks[j] {
                met += 1;
            }
            met as f32 / stated as f32
        };

        let stage = |s: u8| if s == NO_STAGE { None } else { Some(s) };
        let career_stage = career_stage_fit(stage(e.stage), stage(r.stage));
        let offset = |o: i32| if o == NO_OFFSET { None } else { Some(o) };
        let time_zone = time_zone_fit(offset(e.offset), offset(r.offset));
        let institution = if e.institution == NO_ID || r.institution == NO_ID {
            0.5
        } else if e.institution == r.institution {
            0.0
        } else {
            1.0
        };
        let custom = custom_fit(&e.custom, &r.custom);
        Parts { interests, goals, preferences, career_stage, time_zone, institution, custom }
    }

    /// The parts of one pair's score. Costs one pass over all mentors (the goals part is normalised by
    /// the mentee's best mentor), so use `matrix` for whole rounds.
    pub fn parts(&self, mentee: usize, mentor: usize) -> Parts {
        let mut row = Row::new(self.mentors.len());
        let info = self.fill_row(mentee, &mut row);
        self.cell(mentee, mentor, &row, info)
    }

    /// The dense score matrix (mentees × mentors) for the solver: `round(combine(..) × 1000)`, or
    /// `FORBIDDEN` where `forbidden(mentee, mentor)` holds. Rows are split across the machine's cores.
    pub fn matrix(&self, weights: &Weights, forbidden: impl Fn(usize, usize) -> bool + Sync) -> ScoreMatrix {
        let (n, m) = (self.mentees.len(), self.mentors.len());
        let mut data = vec![0i32; n * m];
        if n == 0 || m == 0 {
            return ScoreMatrix::new(n, m, data);
        }
        let threads =
            if n * m < PARALLEL_MIN_CELLS { 1 } else { thread::available_parallelism().map_or(1, |p| p.get()).min(n) };
        let rows_per_thread = n.div_ceil(threads);
        let forbidden = &forbidden;
        let score_rows = |first: usize, out: &mut [i32]| {
            let mut row = Row::new(m);
            for (k, cells) in out.chunks_mut(m).enumerate() {
                let i = first + k;
                let info = self.fill_row(i, &mut row);
                for (j, cell) in cells.iter_mut().enumerate() {
                    *cell = if forbidden(i, j) {
                        FORBIDDEN
                    } else {
                        to_matrix_score(combine(&self.cell(i, j, &row, info), weights))
                    };
                }
            }
        };
        thread::scope(|s| {
            let mut chunks = data.chunks_mut(rows_per_thread * m).enumerate();
            let (_, first) = chunks.next().expect("at least one row");
            for (t, chunk) in chunks {
                let score_rows = &score_rows;
                s.spawn(move || score_rows(t * rows_per_thread, chunk));
            }
            score_rows(0, first);
        });
        ScoreMatrix::new(n, m, data)
    }

    /// Words of the mentee's goals whose stems occur in the mentor's text: lowercased as written, one
    /// per stem, the ones weighing most in this pair's BM25 score first (rare words before common).
    pub fn shared_terms(&self, mentee: usize, mentor: usize, max: usize) -> Vec<String> {
        let mut found: Vec<(f32, String, String)> = Vec::new();
        for token in self.analyzer.analyze(&self.mentees[mentee].candidate.text) {
            if found.iter().any(|(_, _, stem)| *stem == token.stem) {
                continue;
            }
            let Some(t) = self.bm25.term(&token.stem) else { continue };
            let w = self.bm25.weight(t, mentor);
            if w > 0.0 {
                found.push((w, token.surface, token.stem));
            }
        }
        // Stable: equal weights keep the order the mentee wrote them in.
        found.sort_by(|a, b| b.0.total_cmp(&a.0));
        found.into_iter().take(max).map(|(_, surface, _)| surface).collect()
    }

    /// Interests both listed, in the mentee's spelling (trimmed), sorted case-insensitively.
    pub fn shared_interests(&self, mentee: usize, mentor: usize) -> Vec<String> {
        let theirs = &self.mentor_keys[mentor].interests;
        let mut seen: Vec<String> = Vec::new();
        let mut out: Vec<String> = Vec::new();
        for label in &self.mentees[mentee].candidate.interests {
            let Some(key) = normalise(label) else { continue };
            if seen.contains(&key) {
                continue;
            }
            let shared = self.interest_id(label).is_some_and(|id| theirs.binary_search(&id).is_ok());
            if shared {
                out.push(label.trim().to_owned());
            }
            seen.push(key);
        }
        out.sort_by_key(|s| s.to_lowercase());
        out
    }

    fn interest_id(&self, label: &str) -> Option<u32> {
        self.interners.labels.get(label)
    }

    /// Facts about a pair that explanations put into words.
    pub(crate) fn facts(&self, mentee: usize, mentor: usize) -> Facts {
        let e = &self.mentee_keys[mentee];
        let r = &self.mentor_keys[mentor];
        let wants = self.mentee_wants[mentee];
        let shares_background = e.background.iter().any(|id| r.background.binary_search(id).is_ok());
        let speaks_wanted = wants.language.is_some_and(|l| r.languages.binary_search(&l).is_ok());
        let wanted_language = self.mentees[mentee].prefs.language.as_deref().and_then(|l| {
            let id = wants.language?;
            // The mentor's own spelling when they list it (usually from a picker, properly cased).
            let theirs =
                self.mentors[mentor].candidate.languages.iter().find(|s| self.interners.languages.get(s) == Some(id));
            Some(theirs.map_or_else(|| l.trim().to_owned(), |s| s.trim().to_owned()))
        });
        let shared_languages: Vec<String> = self.mentees[mentee]
            .candidate
            .languages
            .iter()
            .filter(|s| self.interners.languages.get(s).is_some_and(|id| r.languages.binary_search(&id).is_ok()))
            .map(|s| s.trim().to_owned())
            .fold(Vec::new(), |mut v, s| {
                if !v.iter().any(|x: &String| x.eq_ignore_ascii_case(&s)) {
                    v.push(s);
                }
                v
            });
        let (custom_common, custom_same) = custom_overlap(&e.custom, &r.custom);
        Facts {
            shares_background,
            mentee_has_background: !e.background.is_empty(),
            speaks_wanted,
            wanted_language,
            mentor_lists_languages: !r.languages.is_empty(),
            shared_languages,
            mentee_institution_known: e.institution != NO_ID,
            mentor_institution_known: r.institution != NO_ID,
            same_institution: e.institution != NO_ID && e.institution == r.institution,
            custom_common,
            custom_same,
        }
    }
}

/// What `Scorer::facts` reports about a pair.
#[derive(Clone, Debug)]
pub(crate) struct Facts {
    pub shares_background: bool,
    pub mentee_has_background: bool,
    pub speaks_wanted: bool,
    /// The wanted language as the mentor spells it, else as the mentee wrote it.
    pub wanted_language: Option<String>,
    pub mentor_lists_languages: bool,
    pub shared_languages: Vec<String>,
    pub mentee_institution_known: bool,
    pub mentor_institution_known: bool,
    pub same_institution: bool,
    pub custom_common: u32,
    pub custom_same: u32,
}

/// Among questions both answered, the share answered alike; 0.5 (neutral) when none in common.
pub(crate) fn custom_overlap(a: &[(u32, u32)], b: &[(u32, u32)]) -> (u32, u32) {
    let (mut i, mut j, mut common, mut same) = (0, 0, 0u32, 0u32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                if a[i].1 == b[j].1 {
                    same += 1;
                }
                i += 1;
                j += 1;
            }
        }
    }
    (common, same)
}

#[inline]
fn custom_fit(a: &[(u32, u32)], b: &[(u32, u32)]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.5;
    }
    let (common, same) = custom_overlap(a, b);
    if common == 0 { 0.5 } else { same as f32 / common as f32 }
}

/// The solver's integer scale: the 0..=100 score with three decimals, rounded half up
/// (`combine` never returns a negative score; `f64::round` is a library call on baseline x86-64,
/// and this runs for every cell of the matrix).
#[inline]
pub fn to_matrix_score(score: f64) -> i32 {
    (score * 1000.0 + 0.5) as i32
}
