//! Each scoring part on hand-made pairs, the weights, and the matrix against per-pair scoring.

use kindred_matching::score::{career_stage_fit, time_zone_fit, to_matrix_score};
use kindred_matching::{Candidate, FORBIDDEN, Mentee, Mentor, Parts, Preferences, Scorer, Weights, cohort, combine};

fn person(f: impl FnOnce(&mut Candidate)) -> Candidate {
    let mut c = Candidate::default();
    f(&mut c);
    c
}

fn mentee(f: impl FnOnce(&mut Candidate)) -> Mentee {
    Mentee { candidate: person(f), prefs: Preferences::default() }
}

fn mentor(f: impl FnOnce(&mut Candidate)) -> Mentor {
    Mentor { candidate: person(f), capacity: 1 }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 1e-5
}

#[test]
fn interests_share_over_min_of_listed_and_three() {
    let mentees = [
        mentee(|c| c.interests = strings(&["Research", " wellness ", "global health", "ultrasound"])),
        mentee(|c| c.interests = strings(&["toxicology"])),
        mentee(|_| {}),
    ];
    let mentors = [
        mentor(|c| c.interests = strings(&["research", "WELLNESS", "EMS"])),
        mentor(|c| c.interests = strings(&["toxicology", "research", "wellness", "global health"])),
    ];
    let s = Scorer::new(&mentees, &mentors);
    assert!(close(s.parts(0, 0).interests, 2.0 / 3.0));
    // Four listed, three shared: capped at 1.
    assert_eq!(s.parts(0, 1).interests, 1.0);
    assert_eq!(s.parts(1, 1).interests, 1.0);
    assert_eq!(s.parts(1, 0).interests, 0.0);
    assert_eq!(s.parts(2, 1).interests, 0.0);
    assert_eq!(s.shared_interests(0, 1), ["global health", "Research", "wellness"]);
}

#[test]
fn goals_are_bm25_normalised_by_the_best_mentor() {
    let mentees = [
        mentee(|c| c.text = "I am researching sepsis and the emergency department".into()),
        mentee(|c| c.text = "Cooking and gardening".into()),
        mentee(|c| c.text = "the and of".into()),
    ];
    let mentors = [
        mentor(|c| c.text = "My research is on sepsis".into()),
        mentor(|c| c.text = "Sepsis quality work, emergency medicine leadership, committees".into()),
        mentor(|c| c.text = "Ultrasound teaching".into()),
    ];
    let s = Scorer::new(&mentees, &mentors);
    assert_eq!(s.parts(0, 0).goals, 1.0);
    let second = s.parts(0, 1).goals;
    assert!(second > 0.0 && second < 1.0, "{second}");
    assert_eq!(s.parts(0, 2).goals, 0.0);
    // No overlap with any mentor, or only stop words: 0 everywhere.
    for j in 0..3 {
        assert_eq!(s.parts(1, j).goals, 0.0);
        assert_eq!(s.parts(2, j).goals, 0.0);
    }
}

#[test]
fn shared_terms_are_surface_forms_by_weight_one_per_stem() {
    let mentees = [mentee(|c| c.text = "Researching burnout; research and BURNOUT, wellness".into())];
    let mentors = [
        mentor(|c| c.text = "My research is about burnout".into()),
        mentor(|c| c.text = "research on wellness".into()),
        mentor(|c| c.text = "research".into()),
    ];
    let s = Scorer::new(&mentees, &mentors);
    // "burnout" is in one mentor text, "research" in all three: the rarer word first.
    assert_eq!(s.shared_terms(0, 0, 5), ["burnout", "researching"]);
    assert_eq!(s.shared_terms(0, 0, 1), ["burnout"]);
    assert_eq!(s.shared_terms(0, 2, 5), ["researching"]);
}

#[test]
fn preferences_are_the_share_of_stated_ones_met() {
    let base = |prefs: Preferences| Mentee {
        candidate: person(|c| {
            c.institution = Some("Hope Hospital".into());
            c.background = strings(&["Latine", "first-generation"]);
            c.languages = strings(&["English", "Spanish"]);
        }),
        prefs,
    };
    let mentees = [
        base(Preferences::default()),
        base(Preferences { shared_background: true, other_institution: true, language: Some(" spanish ".into()) }),
        base(Preferences { shared_background: true, ..Default::default() }),
        base(Preferences { other_institution: true, ..Default::default() }),
    ];
    let mentors = [
        // Meets all three.
        mentor(|c| {
            c.institution = Some("Elsewhere".into());
            c.background = strings(&["First-Generation"]);
            c.languages = strings(&["Spanish"]);
        }),
        // Same institution, other background, no Spanish.
        mentor(|c| {
            c.institution = Some(" hope hospital".into());
            c.background = strings(&["veteran"]);
            c.languages = strings(&["English"]);
        }),
        // Nothing known.
        mentor(|_| {}),
    ];
    let s = Scorer::new(&mentees, &mentors);
    for j in 0..3 {
        assert_eq!(s.parts(0, j).preferences, 1.0, "nothing stated is fully met");
    }
    assert_eq!(s.parts(1, 0).preferences, 1.0);
    assert_eq!(s.parts(1, 1).preferences, 0.0);
    assert_eq!(s.parts(1, 2).preferences, 0.0, "unknown mentor data does not meet a preference");
    assert_eq!(s.parts(2, 0).preferences, 1.0);
    assert_eq!(s.parts(3, 1).preferences, 0.0);
    assert_eq!(s.parts(3, 2).preferences, 0.0);
}

#[test]
fn career_stage_fit_prefers_a_mentor_a_few_stages_ahead() {
    assert_eq!(career_stage_fit(Some(1), Some(2)), 1.0);
    assert_eq!(career_stage_fit(Some(1), Some(4)), 1.0);
    assert_eq!(career_stage_fit(Some(0), Some(4)), 0.7);
    assert_eq!(career_stage_fit(Some(0), Some(5)), 0.7);
    assert_eq!(career_stage_fit(Some(2), Some(2)), 0.3);
    assert_eq!(career_stage_fit(Some(3), Some(2)), 0.0);
    assert_eq!(career_stage_fit(None, Some(2)), 0.5);
    assert_eq!(career_stage_fit(Some(2), None), 0.5);
    let s_mentees = [mentee(|c| c.career_stage = Some(1))];
    let s_mentors = [mentor(|c| c.career_stage = Some(4))];
    assert_eq!(Scorer::new(&s_mentees, &s_mentors).parts(0, 0).career_stage, 1.0);
}

#[test]
fn time_zone_fit_falls_to_zero_at_twelve_hours() {
    assert_eq!(time_zone_fit(Some(-300), Some(-300)), 1.0);
    assert!(close(time_zone_fit(Some(-300), Some(-360)), 1.0 - 1.0 / 12.0));
    assert!(close(time_zone_fit(Some(-480), Some(60)), 0.25));
    assert_eq!(time_zone_fit(Some(-600), Some(180)), 0.0);
    assert_eq!(time_zone_fit(None, Some(0)), 0.5);
}

#[test]
fn institution_and_custom_parts() {
    let mentees = [
        mentee(|c| {
            c.institution = Some("Hope Hospital".into());
            c.custom = vec![("freq".into(), "Weekly".into()), ("style".into(), "directive".into())];
        }),
        mentee(|_| {}),
    ];
    let mentors = [
        mentor(|c| {
            c.institution = Some("HOPE hospital ".into());
            c.custom = vec![("style".into(), "listening".into()), ("freq".into(), "weekly".into())];
        }),
        mentor(|c| {
            c.institution = Some("Other".into());
            c.custom = vec![("freq".into(), "weekly".into()), ("style".into(), "Directive".into())];
        }),
        mentor(|c| c.custom = vec![("other".into(), "x".into())]),
    ];
    let s = Scorer::new(&mentees, &mentors);
    assert_eq!(s.parts(0, 0).institution, 0.0);
    assert_eq!(s.parts(0, 1).institution, 1.0);
    assert_eq!(s.parts(0, 2).institution, 0.5);
    assert_eq!(s.parts(1, 1).institution, 0.5);
    assert_eq!(s.parts(0, 0).custom, 0.5);
    assert_eq!(s.parts(0, 1).custom, 1.0);
    assert_eq!(s.parts(0, 2).custom, 0.5, "no question in common is neutral");
    assert_eq!(s.parts(1, 1).custom, 0.5);
}

#[test]
fn combine_is_a_weighted_mean_on_0_to_100() {
    let w = Weights::default();
    let all = |x: f32| Parts {
        interests: x,
        goals: x,
        preferences: x,
        career_stage: x,
        time_zone: x,
        institution: x,
        custom: x,
    };
    assert!((combine(&all(1.0), &w) - 100.0).abs() < 1e-9);
    assert_eq!(combine(&all(0.0), &w), 0.0);
    let only_interests = Parts { interests: 1.0, ..Parts::default() };
    assert!((combine(&only_interests, &w) - 25.0).abs() < 1e-9);
    let zero = Weights {
        interests: 0.0,
        goals: 0.0,
        preferences: 0.0,
        career_stage: 0.0,
        time_zone: 0.0,
        institution: 0.0,
        custom: 0.0,
    };
    assert_eq!(combine(&all(1.0), &zero), 0.0);
    assert_eq!(to_matrix_score(combine(&all(1.0), &w)), 100_000);
}

#[test]
fn weights_validation_names_the_field() {
    assert_eq!(Weights::default().validate(), Ok(()));
    let w = Weights::default();
    assert_eq!(Weights { goals: f64::NAN, ..w }.validate(), Err(("goals", "must be a finite number")));
    assert_eq!(Weights { custom: f64::INFINITY, ..w }.validate(), Err(("custom", "must be a finite number")));
    assert_eq!(Weights { time_zone: 10.5, ..w }.validate(), Err(("time_zone", "must be between 0 and 10")));
    assert_eq!(Weights { institution: -1.0, ..w }.validate(), Err(("institution", "must be between 0 and 10")));
    let zero = Weights {
        interests: 0.0,
        goals: 0.0,
        preferences: 0.0,
        career_stage: 0.0,
        time_zone: 0.0,
        institution: 0.0,
        custom: 0.0,
    };
    assert_eq!(zero.validate().map_err(|e| e.0), Err("weights"));
    assert_eq!(Weights { career_stage: 10.0, ..zero }.validate(), Ok(()));
}

#[test]
fn matrix_equals_per_pair_scores_and_respects_forbidden() {
    let (mentees, mentors) = cohort::generate(60, 25, 11);
    let s = Scorer::new(&mentees, &mentors);
    let w = Weights { goals: 5.0, custom: 0.0, ..Weights::default() };
    let m = s.matrix(&w, |i, j| (i + j) % 7 == 0);
    assert_eq!((m.rows(), m.cols()), (60, 25));
    for i in 0..60 {
        for j in 0..25 {
            let expected = if (i + j) % 7 == 0 { None } else { Some(to_matrix_score(combine(&s.parts(i, j), &w))) };
            assert_eq!(m.get(i, j), expected, "cell ({i}, {j})");
        }
    }
}

#[test]
fn matrix_split_across_threads_equals_per_pair_scores() {
    // Large enough for the parallel path.
    let (mentees, mentors) = cohort::generate(500, 450, 5);
    let s = Scorer::new(&mentees, &mentors);
    let w = Weights::default();
    let m = s.matrix(&w, |i, j| i == j);
    for i in (0..500).step_by(37) {
        for j in (0..450).step_by(13) {
            let expected = if i == j { FORBIDDEN } else { to_matrix_score(combine(&s.parts(i, j), &w)) };
            assert_eq!(m.row(i)[j], expected, "cell ({i}, {j})");
            for parts in [s.parts(i, j)] {
                for p in [
                    parts.interests,
                    parts.goals,
                    parts.preferences,
                    parts.career_stage,
                    parts.time_zone,
                    parts.institution,
                    parts.custom,
                ] {
                    assert!((0.0..=1.0).contains(&p));
                }
            }
        }
    }
    // Every mentee's best goals match is exactly 1 when any mentor shares a word.
    for i in (0..500).step_by(50) {
        let best = (0..450).map(|j| s.parts(i, j).goals).fold(0.0f32, f32::max);
        assert!(best == 0.0 || best == 1.0, "{best}");
    }
}

#[test]
fn empty_rounds() {
    let s = Scorer::new(&[], &[]);
    let m = s.matrix(&Weights::default(), |_, _| false);
    assert_eq!((m.rows(), m.cols()), (0, 0));
    let mentees = [mentee(|_| {})];
    let s = Scorer::new(&mentees, &[]);
    assert_eq!(s.matrix(&Weights::default(), |_, _| false).cols(), 0);
}
