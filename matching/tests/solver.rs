//! The solver against brute force on small instances, plus the invariants every solution keeps.

use kindred_matching::{FORBIDDEN, ScoreMatrix, Solution, Unmatched, solve, why_unmatched};
use proptest::prelude::*;

/// Best (matched, total) over every assignment, by enumeration.
fn brute_force(matrix: &ScoreMatrix, capacity: &[u32]) -> (usize, i64) {
    fn go(matrix: &ScoreMatrix, left: &mut [u32], i: usize, matched: usize, total: i64, best: &mut (usize, i64)) {
        if i == matrix.rows() {
            if (matched, total) > *best {
                *best = (matched, total);
            }
            return;
        }
        go(matrix, left, i + 1, matched, total, best);
        for j in 0..matrix.cols() {
            if let Some(w) = matrix.get(i, j)
                && left[j] > 0
            {
                left[j] -= 1;
                go(matrix, left, i + 1, matched + 1, total + i64::from(w), best);
                left[j] += 1;
            }
        }
    }
    let mut best = (0, 0);
    go(matrix, &mut capacity.to_vec(), 0, 0, 0, &mut best);
    best
}

fn check_feasible(matrix: &ScoreMatrix, capacity: &[u32], s: &Solution) {
    assert_eq!(s.mentor_of.len(), matrix.rows());
    let mut used = vec![0u32; matrix.cols()];
    let mut total = 0i64;
    for (i, m) in s.mentor_of.iter().enumerate() {
        if let Some(j) = *m {
            let w = matrix.get(i, j).expect("a forbidden pair was matched");
            total += i64::from(w);
            used[j] += 1;
        }
    }
    for (j, (&u, &c)) in used.iter().zip(capacity).enumerate() {
        assert!(u <= c, "mentor {j} has {u} mentees over capacity {c}");
    }
    assert_eq!(s.total, total);
    assert_eq!(s.matched, s.mentor_of.iter().flatten().count());
}

fn instance() -> impl Strategy<Value = (ScoreMatrix, Vec<u32>)> {
    (0usize..=6, 0usize..=4).prop_flat_map(|(n, m)| {
        let cells =
            proptest::collection::vec(prop_oneof![1 => Just(FORBIDDEN), 4 => 0i32..=100_000, 1 => 0i32..=3], n * m);
        let caps = proptest::collection::vec(0u32..=3, m);
        (cells, caps).prop_map(move |(data, caps)| (ScoreMatrix::new(n, m, data), caps))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn solve_matches_brute_force((matrix, capacity) in instance()) {
        let s = solve(&matrix, &capacity);
        check_feasible(&matrix, &capacity, &s);
        prop_assert_eq!((s.matched, s.total), brute_force(&matrix, &capacity));
        prop_assert_eq!(&s, &solve(&matrix, &capacity));
    }

    #[test]
    fn why_unmatched_is_consistent((matrix, capacity) in instance()) {
        let s = solve(&matrix, &capacity);
        for i in 0..matrix.rows() {
            if s.mentor_of[i].is_some() {
                continue;
            }
            let eligible = (0..matrix.cols()).any(|j| capacity[j] > 0 && matrix.get(i, j).is_some());
            let why = why_unmatched(&matrix, &capacity, &s, i);
            prop_assert_eq!(why == Unmatched::NoEligibleMentor, !eligible);
            if eligible {
                // An optimal solution never leaves an eligible mentor with room while this mentee waits.
                for (j, &cap) in capacity.iter().enumerate() {
                    if matrix.get(i, j).is_some() {
                        let used = s.mentor_of.iter().filter(|&&m| m == Some(j)).count() as u32;
                        prop_assert_eq!(used, cap);
                    }
                }
            }
        }
    }
}

/// Larger random instances have no brute force; check them against the slot-expanded assignment
/// problem solved by a textbook Hungarian algorithm instead.
fn hungarian_slots(matrix: &ScoreMatrix, capacity: &[u32]) -> (usize, i64) {
    // Slots: one column per capacity unit, plus one "unassigned" column per mentee. Costs:
    // big - score for real pairs, a penalty above any score gain for unassigned, forbidden = huge.
    let n = matrix.rows();
    let slots: Vec<usize> = (0..matrix.cols()).flat_map(|j| std::iter::repeat_n(j, capacity[j] as usize)).collect();
    let m = slots.len() + n;
    let penalty: i64 = 100_001 * (n as i64 + 1);
    let huge: i64 = penalty * 1000;
    let cost = |i: usize, c: usize| -> i64 {
        if c < slots.len() {
            matrix.get(i, slots[c]).map_or(huge, |w| 100_000 - i64::from(w))
        } else if c - slots.len() == i {
            penalty
        } else {
            huge
        }
    };
    // e-maxx Hungarian, 1-based, n ≤ m.
    let inf = i64::MAX / 4;
    let (mut u, mut v, mut p, mut way) =
        (vec![0i64; n + 1], vec![0i64; m + 1], vec![0usize; m + 1], vec![0usize; m + 1]);
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![inf; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0;
            for j in 1..=m {
                if !used[j] {
                    let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let (mut matched, mut total) = (0, 0i64);
    for j in 1..=slots.len() {
        if p[j] != 0 {
            let w = matrix.get(p[j] - 1, slots[j - 1]).expect("hungarian used a forbidden pair");
            matched += 1;
            total += i64::from(w);
        }
    }
    (matched, total)
}

fn medium_instance() -> impl Strategy<Value = (ScoreMatrix, Vec<u32>)> {
    (1usize..=40, 1usize..=12).prop_flat_map(|(n, m)| {
        let cells =
            proptest::collection::vec(prop_oneof![1 => Just(FORBIDDEN), 6 => 0i32..=100_000, 2 => 0i32..=5], n * m);
        let caps = proptest::collection::vec(0u32..=5, m);
        (cells, caps).prop_map(move |(data, caps)| (ScoreMatrix::new(n, m, data), caps))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn solve_matches_slot_hungarian((matrix, capacity) in medium_instance()) {
        let s = solve(&matrix, &capacity);
        check_feasible(&matrix, &capacity, &s);
        prop_assert_eq!((s.matched, s.total), hungarian_slots(&matrix, &capacity));
    }
}

#[test]
fn extreme_scores() {
    let m = ScoreMatrix::new(3, 2, vec![i32::MAX, i32::MIN + 1, i32::MIN + 1, i32::MAX, 0, FORBIDDEN]);
    let s = solve(&m, &[1, 2]);
    check_feasible(&m, &[1, 2], &s);
    assert_eq!((s.matched, s.total), brute_force(&m, &[1, 2]));
}

#[test]
fn empty_and_degenerate_inputs() {
    let s = solve(&ScoreMatrix::new(0, 0, vec![]), &[]);
    assert_eq!((s.matched, s.total), (0, 0));
    let s = solve(&ScoreMatrix::new(2, 0, vec![]), &[]);
    assert_eq!(s.mentor_of, vec![None, None]);
    let s = solve(&ScoreMatrix::new(0, 2, vec![]), &[1, 1]);
    assert!(s.mentor_of.is_empty());
    let s = solve(&ScoreMatrix::new(2, 1, vec![FORBIDDEN, FORBIDDEN]), &[2]);
    assert_eq!(s.mentor_of, vec![None, None]);
    let s = solve(&ScoreMatrix::new(2, 1, vec![5, 7]), &[0]);
    assert_eq!(s.mentor_of, vec![None, None]);
}

#[test]
fn cardinality_comes_before_total() {
    // Mentee 0 could take mentor 0 alone for 100_000, but then mentee 1 (who can only take mentor 0)
    // would be left out: two matches at a lower total win.
    let m = ScoreMatrix::new(2, 2, vec![100_000, 0, 1, FORBIDDEN]);
    let s = solve(&m, &[1, 1]);
    assert_eq!(s.mentor_of, vec![Some(1), Some(0)]);
    assert_eq!((s.matched, s.total), (2, 1));
}

#[test]
fn why_unmatched_names_each_case() {
    // Mentee 2 is forbidden everywhere; mentee 1 loses mentor 0 to mentee 0.
    let mut m = ScoreMatrix::new(3, 2, vec![90, FORBIDDEN, 10, FORBIDDEN, FORBIDDEN, FORBIDDEN]);
    let cap = [1, 1];
    let s = solve(&m, &cap);
    assert_eq!(s.mentor_of, vec![Some(0), None, None]);
    assert_eq!(why_unmatched(&m, &cap, &s, 1), Unmatched::OutscoredForCapacity);
    assert_eq!(why_unmatched(&m, &cap, &s, 2), Unmatched::NoEligibleMentor);
    // A paused mentor counts as no mentor at all.
    m.set(2, 1, Some(50));
    let s = solve(&m, &[1, 0]);
    assert_eq!(why_unmatched(&m, &[1, 0], &s, 2), Unmatched::NoEligibleMentor);
    // One mentor, one place, two mentees: the program is simply full.
    let m = ScoreMatrix::new(2, 1, vec![5, 7]);
    let s = solve(&m, &[1]);
    assert_eq!(s.mentor_of, vec![None, Some(0)]);
    assert_eq!(why_unmatched(&m, &[1], &s, 0), Unmatched::NoCapacityLeft);
    for u in [Unmatched::NoEligibleMentor, Unmatched::NoCapacityLeft, Unmatched::OutscoredForCapacity] {
        assert!(!u.describe().is_empty());
    }
}

#[test]
fn matrix_accessors() {
    let mut m = ScoreMatrix::new(2, 3, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!((m.rows(), m.cols()), (2, 3));
    assert_eq!(m.get(1, 2), Some(6));
    assert_eq!(m.get(2, 0), None);
    m.set(1, 2, None);
    assert_eq!(m.get(1, 2), None);
    m.set(1, 2, Some(-4));
    assert_eq!(m.get(1, 2), Some(-4));
}

#[test]
fn realistic_cohorts_match_the_slot_hungarian() {
    use kindred_matching::{Scorer, Weights, cohort};
    // Fewer places than mentees (mentors become rows), then more (mentees are rows).
    for (n, m, seed) in [(300, 80, 1), (120, 60, 2)] {
        let (mentees, mentors) = cohort::generate(n, m, seed);
        let scorer = Scorer::new(&mentees, &mentors);
        let matrix = scorer.matrix(&Weights::default(), |i, j| (i * 7 + j * 3) % 23 == 0);
        let capacity: Vec<u32> = mentors.iter().map(|m| m.capacity).collect();
        let s = solve(&matrix, &capacity);
        check_feasible(&matrix, &capacity, &s);
        assert_eq!((s.matched, s.total), hungarian_slots(&matrix, &capacity));
        assert_eq!(s, solve(&matrix, &capacity));
    }
}
