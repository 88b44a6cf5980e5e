//! Explanations and conversation starters, as a mentee and a mentor would read them.

use kindred_matching::{
    Candidate, Mentee, Mentor, Preferences, Scorer, Viewer, Weights, conversation_starters, explain, explain_for,
};

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn zero() -> Weights {
    Weights {
        interests: 0.0,
        goals: 0.0,
        preferences: 0.0,
        career_stage: 0.0,
        time_zone: 0.0,
        institution: 0.0,
        custom: 0.0,
    }
}

/// A Latine, Spanish-speaking medical student who asked for a shared background and Spanish; an
/// attending who fits well, and a faculty member at the same hospital who fits little.
fn round() -> (Vec<Mentee>, Vec<Mentor>) {
    let mentee = Mentee {
        candidate: Candidate {
            career_stage: Some(1),
            institution: Some("Hope Hospital".into()),
            utc_offset_minutes: Some(-300),
            languages: strings(&["English", "Spanish"]),
            interests: strings(&["Global health", "research", "wellness", "toxicology"]),
            background: strings(&["Latine"]),
            text: "I want research experience and help with residency applications".into(),
            custom: vec![],
        },
        prefs: Preferences { shared_background: true, other_institution: false, language: Some("spanish".into()) },
    };
    let good = Mentor {
        candidate: Candidate {
            career_stage: Some(4),
            institution: Some("Elm Medical Center".into()),
            utc_offset_minutes: Some(-360),
            languages: strings(&["English", "Spanish"]),
            interests: strings(&["global health", "Research", "wellness"]),
            background: strings(&["latine"]),
            text: "I advise on residency applications and research".into(),
            custom: vec![],
        },
        capacity: 2,
    };
    let weak = Mentor {
        candidate: Candidate {
            career_stage: Some(5),
            institution: Some("hope hospital".into()),
            utc_offset_minutes: Some(-300),
            languages: strings(&["English"]),
            interests: strings(&["ultrasound"]),
            background: strings(&["veteran"]),
            text: "Ultrasound".into(),
            custom: vec![],
        },
        capacity: 1,
    };
    let blank_mentee = Mentee::default();
    let blank_mentor = Mentor { candidate: Candidate::default(), capacity: 1 };
    (vec![mentee, blank_mentee], vec![good, weak, blank_mentor])
}

#[test]
fn strongest_three_reasons_in_plain_words() {
    let (mentees, mentors) = round();
    let s = Scorer::new(&mentees, &mentors);
    let e = explain(&s, 0, 0, &Weights::default(), true);
    assert_eq!(
        e.reasons,
        [
            "You share 3 interests: Global health, research and wellness",
            "Your goals match their experience: research, residency, applications",
            "You share a background, as you asked",
        ]
    );
    assert!(e.unmet.is_empty());

    let e = explain(&s, 0, 0, &Weights { interests: 0.0, ..Weights::default() }, true);
    assert_eq!(
        e.reasons,
        [
            "Your goals match their experience: research, residency, applications",
            "You share a background, as you asked",
            "They speak Spanish, as you asked",
        ]
    );
}

#[test]
fn each_part_has_its_sentence() {
    let (mentees, mentors) = round();
    let s = Scorer::new(&mentees, &mentors);
    let only = |w: Weights, mentor: usize| explain(&s, 0, mentor, &w, true).reasons;
    assert_eq!(only(Weights { career_stage: 1.0, ..zero() }, 0), ["They are an attending; you are a medical student"]);
    assert_eq!(only(Weights { time_zone: 1.0, ..zero() }, 0), ["Your time zones are 1 hour apart"]);
    assert_eq!(only(Weights { institution: 1.0, ..zero() }, 0), ["You are at different institutions"]);
    assert_eq!(only(Weights { time_zone: 1.0, ..zero() }, 1), ["You are in the same time zone"]);
    // Same institution: the part is 0, so it is no reason.
    assert!(only(Weights { institution: 1.0, ..zero() }, 1).is_empty());
}

#[test]
fn unmet_preferences_are_listed_and_weak_parts_still_explain() {
    let (mentees, mentors) = round();
    let s = Scorer::new(&mentees, &mentors);
    let e = explain(&s, 0, 1, &Weights::default(), true);
    assert_eq!(e.reasons, ["You are in the same time zone", "They are a faculty member; you are a medical student"]);
    assert_eq!(
        e.unmet,
        [
            "You asked for a mentor who shares your background; this one does not",
            "You asked for a mentor who speaks Spanish; this one does not list it",
        ]
    );
}

#[test]
fn each_reader_is_addressed_and_the_mentor_is_not_shown_the_mentees_unmet_wishes() {
    let (mentees, mentors) = round();
    let s = Scorer::new(&mentees, &mentors);
    let w = Weights { interests: 0.0, ..Weights::default() };
    let mentor = explain_for(&s, 0, 0, &w, true, Viewer::Mentor);
    assert_eq!(
        mentor.reasons,
        [
            "Their goals match your experience: research, residency, applications",
            "You share a background, as they asked",
            "You speak Spanish, as they asked",
        ]
    );
    let neutral = explain_for(&s, 0, 0, &w, true, Viewer::Neutral);
    assert_eq!(
        neutral.reasons[0],
        "The mentee's goals match the mentor's experience: research, residency, applications"
    );
    let stage = |viewer| explain_for(&s, 0, 0, &Weights { career_stage: 1.0, ..zero() }, true, viewer).reasons;
    assert_eq!(stage(Viewer::Mentor), ["You are an attending; they are a medical student"]);
    assert_eq!(stage(Viewer::Neutral), ["The mentor is an attending; the mentee is a medical student"]);

    let weak = Weights::default();
    assert!(explain_for(&s, 0, 1, &weak, true, Viewer::Mentor).unmet.is_empty());
    assert_eq!(
        explain_for(&s, 0, 1, &weak, true, Viewer::Neutral).unmet,
        [
            "The mentee asked for a mentor who shares their background; this one does not",
            "The mentee asked for a mentor who speaks Spanish; this one does not list it",
        ]
    );
}

#[test]
fn hidden_background_is_never_named_or_confirmed() {
    let (mentees, mentors) = round();
    let s = Scorer::new(&mentees, &mentors);
    let e = explain(&s, 0, 0, &Weights { interests: 0.0, ..Weights::default() }, false);
    assert_eq!(e.reasons[1], "A preference you set is met");
    let e1 = explain(&s, 0, 1, &Weights::default(), false);
    assert_eq!(e1.unmet[0], "A preference you set is not met");
    for text in e.reasons.iter().chain(&e.unmet).chain(&e1.reasons).chain(&e1.unmet) {
        let lower = text.to_lowercase();
        assert!(!lower.contains("background") && !lower.contains("latine"), "{text}");
    }
}

#[test]
fn neutral_unknowns_are_no_reason() {
    let (mentees, mentors) = round();
    let s = Scorer::new(&mentees, &mentors);
    let e = explain(&s, 1, 2, &Weights::default(), true);
    assert!(e.reasons.is_empty(), "{:?}", e.reasons);
    assert!(e.unmet.is_empty());
}

#[test]
fn conversation_starters_draw_on_what_is_shared() {
    let (mentees, mentors) = round();
    let s = Scorer::new(&mentees, &mentors);
    let rich = conversation_starters(&s, 0, 0);
    assert_eq!(rich.len(), 4);
    assert!(rich[0].contains("Global health"), "{rich:?}");
    assert!(rich[1].contains("research and residency"), "{rich:?}");
    assert!(rich.iter().any(|q| q.contains("when you were a medical student")), "{rich:?}");
    for (mentee, mentor) in [(0, 0), (0, 1), (0, 2), (1, 0), (1, 2)] {
        let starters = conversation_starters(&s, mentee, mentor);
        assert!((2..=4).contains(&starters.len()), "{starters:?}");
        let mut unique = starters.clone();
        unique.dedup();
        assert_eq!(unique.len(), starters.len());
        for q in &starters {
            assert!(q.ends_with('?'), "{q}");
            assert!(!q.to_lowercase().contains("latine") && !q.to_lowercase().contains("background"));
        }
    }
    // Sharing nothing: good generic questions.
    assert_eq!(
        conversation_starters(&s, 1, 2),
        [
            "What are you each hoping to get out of the next few months of mentoring?",
            "What does a good week look like for each of you right now?",
            "How would you like to keep in touch between meetings, and how often?",
        ]
    );
}

#[test]
fn shared_languages_beyond_english_make_a_starter() {
    let (mut mentees, mentors) = round();
    mentees[0].candidate.interests.clear();
    mentees[0].candidate.text.clear();
    let s = Scorer::new(&mentees, &mentors);
    let starters = conversation_starters(&s, 0, 0);
    assert!(starters.iter().any(|q| q.starts_with("You both speak Spanish")), "{starters:?}");
    assert!(!conversation_starters(&s, 0, 1).iter().any(|q| q.contains("English")));
}
