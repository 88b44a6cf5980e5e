//! Matching's pure core: turning questionnaires into explainable pair scores, finding the best
//! assignment of mentees to mentors under capacities and exclusions, and putting each proposal into
//! words. No I/O: the server feeds it people and stores what it returns.
//!
//! A round goes: build a [`Scorer`] over the round's mentees and mentors, ask it for a
//! [`ScoreMatrix`] with the coordinator's [`Weights`] and the forbidden pairs, [`solve`] it with the
//! mentors' capacities, then [`explain`] each proposed pair (and [`why_unmatched`] each mentee left
//! out).
//!
//! ```
//! use kindred_matching::{Scorer, Weights, cohort, explain, solve};
//!
//! let (mentees, mentors) = cohort::generate(40, 12, 7);
//! let scorer = Scorer::new(&mentees, &mentors);
//! let matrix = scorer.matrix(&Weights::default(), |_, _| false);
//! let capacity: Vec<u32> = mentors.iter().map(|m| m.capacity).collect();
//! let solution = solve(&matrix, &capacity);
//! if let Some(mentor) = solution.mentor_of[0] {
//!     let why = explain(&scorer, 0, mentor, &Weights::default(), true);
//!     assert!(why.reasons.len() <= 3);
//! }
//! ```

pub mod cohort;
pub mod explain;
pub mod score;
pub mod solver;
pub mod text;

pub use explain::{Explanation, Viewer, conversation_starters, explain, explain_for};
pub use score::{Candidate, Mentee, Mentor, Parts, Preferences, Scorer, Weights, combine};
pub use solver::{FORBIDDEN, ScoreMatrix, Solution, Unmatched, solve, why_unmatched};
