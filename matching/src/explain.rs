//! Words for people: why a pair was proposed (the strongest contributing parts, in sentences a
//! mentee and a mentor understand), which of the mentee's stated preferences the proposal does not
//! meet, and conversation starters for the pair's welcome message.
//!
//! Privacy rule kept here: when the mentor's background is not visible to the mentee, nothing
//! names or confirms it; a met or unmet background preference is reported only as "a preference".

use crate::score::{Parts, Scorer, Weights};

/// Why a pair was proposed, and what the mentee asked for that this mentor does not offer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    /// Up to three sentences, strongest first.
    pub reasons: Vec<String>,
    /// One sentence per stated preference this mentor does not meet.
    pub unmet: Vec<String>,
}

/// Career stages by ordinal: (with article, plural).
const STAGES: [(&str, &str); 6] = [
    ("an undergraduate", "undergraduates"),
    ("a medical student", "medical students"),
    ("a resident", "residents"),
    ("a fellow", "fellows"),
    ("an attending", "attendings"),
    ("a faculty member", "faculty members"),
];

fn stage(s: Option<u8>) -> Option<(&'static str, &'static str)> {
    s.and_then(|s| STAGES.get(usize::from(s)).copied())
}

/// "a", "a and b", "a, b and c".
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// "1 hour", "3 hours", "2.5 hours", "30 minutes".
fn duration(minutes: i64) -> String {
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    if minutes % 60 == 0 {
        let h = minutes / 60;
        return if h == 1 { "1 hour".to_owned() } else { format!("{h} hours") };
    }
    let hours = format!("{:.1}", minutes as f64 / 60.0);
    format!("{} hours", hours.trim_end_matches('0').trim_end_matches('.'))
}

/// Who reads an explanation: it is written to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    Mentee,
    Mentor,
    /// Both at once, or a coordinator: about "the mentee" and "the mentor".
    Neutral,
}

/// The explanation as the mentee reads it; see [`explain_for`].
pub fn explain(
    scorer: &Scorer,
    mentee: usize,
    mentor: usize,
    weights: &Weights,
    background_visible: bool,
) -> Explanation {
    explain_for(scorer, mentee, mentor, weights, background_visible, Viewer::Mentee)
}

/// The reasons a pair was proposed and the unmet preferences, in plain words, written to `viewer`.
/// Reasons come from the parts that actually pulled the score up (a neutral "unknown" value is no
/// reason), ranked by weight × part. With `background_visible` false, nothing names or confirms the
/// mentor's background.
pub fn explain_for(
    scorer: &Scorer,
    mentee: usize,
    mentor: usize,
    weights: &Weights,
    background_visible: bool,
    viewer: Viewer,
) -> Explanation {
    // The same sentence for the mentee, the mentor, and both (or a coordinator).
    let say = |to_mentee: String, to_mentor: String, neutral: String| match viewer {
        Viewer::Mentee => to_mentee,
        Viewer::Mentor => to_mentor,
        Viewer::Neutral => neutral,
    };
    let parts = scorer.parts(mentee, mentor);
    let facts = scorer.facts(mentee, mentor);
    let e = &scorer.mentees()[mentee];
    let r = &scorer.mentors()[mentor].candidate;
    let prefs = &e.prefs;
    let wanted_language = prefs.language.as_deref().map(str::trim).filter(|l| !l.is_empty());
    let stated =
        u32::from(prefs.shared_background) + u32::from(prefs.other_institution) + u32::from(wanted_language.is_some());

    // (contribution, order of the part for stable ties, sentence)
    let mut reasons: Vec<(f64, usize, String)> = Vec::new();
    let mut add = |weight: f64, value: f32, order: usize, sentence: String| {
        let contribution = weight * f64::from(value);
        if contribution > 0.0 {
            reasons.push((contribution, order, sentence));
        }
    };
    let Parts { interests, goals, career_stage, time_zone, institution, custom, .. } = parts;

    let shared = scorer.shared_interests(mentee, mentor);
    if !shared.is_empty() {
        let sentence = match shared.len() {
            1 => format!("You share an interest: {}", shared[0]),
            n if n <= 4 => format!("You share {n} interests: {}", join(&shared)),
            n => {
                let mut named: Vec<String> = shared[..3].to_vec();
                named.push(format!("{} more", n - 3));
                format!("You share {n} interests: {}", join(&named))
            }
        };
        add(weights.interests, interests, 0, sentence);
    }

    let terms = scorer.shared_terms(mentee, mentor, 3);
    if !terms.is_empty() {
        let terms = terms.join(", ");
        let sentence = say(
            format!("Your goals match their experience: {terms}"),
            format!("Their goals match your experience: {terms}"),
            format!("The mentee's goals match the mentor's experience: {terms}"),
        );
        add(weights.goals, goals, 1, sentence);
    }

    if stated > 0 {
        let each = 1.0 / stated as f32;
        if prefs.shared_background && facts.shares_background {
            let sentence = match (background_visible, viewer) {
                (true, Viewer::Mentee) => "You share a background, as you asked".to_owned(),
                (true, Viewer::Mentor) => "You share a background, as they asked".to_owned(),
                (true, Viewer::Neutral) => "They share a background, as the mentee asked".to_owned(),
                (false, _) => say(
                    "A preference you set is met".to_owned(),
                    "A preference they set is met".to_owned(),
                    "A preference the mentee set is met".to_owned(),
                ),
            };
            add(weights.preferences, each, 2, sentence);
        }
        if prefs.other_institution
            && facts.mentee_institution_known
            && facts.mentor_institution_known
            && !facts.same_institution
        {
            let sentence = say(
                "They are at another institution, as you asked".to_owned(),
                "You are at another institution, as they asked".to_owned(),
                "They are at different institutions, as the mentee asked".to_owned(),
            );
            add(weights.preferences, each, 3, sentence);
        }
        if facts.speaks_wanted {
            let language = facts.wanted_language.clone().unwrap_or_default();
            let language = capitalise(&language);
            let sentence = say(
                format!("They speak {language}, as you asked"),
                format!("You speak {language}, as they asked"),
                format!("The mentor speaks {language}, as the mentee asked"),
            );
            add(weights.preferences, each, 4, sentence);
        }
    }

    if let (Some((theirs, their_plural)), Some((yours, _))) = (stage(r.career_stage), stage(e.candidate.career_stage)) {
        let sentence = if r.career_stage == e.candidate.career_stage {
            say(
                format!("You are both {their_plural}"),
                format!("You are both {their_plural}"),
                format!("Both are {their_plural}"),
            )
        } else {
            say(
                format!("They are {theirs}; you are {yours}"),
                format!("You are {theirs}; they are {yours}"),
                format!("The mentor is {theirs}; the mentee is {yours}"),
            )
        };
        add(weights.career_stage, career_stage, 5, sentence);
    }

    if let (Some(a), Some(b)) = (e.candidate.utc_offset_minutes, r.utc_offset_minutes) {
        let apart = (i64::from(a) - i64::from(b)).abs();
        let sentence = match (apart, viewer) {
            (0, Viewer::Neutral) => "They are in the same time zone".to_owned(),
            (0, _) => "You are in the same time zone".to_owned(),
            (_, Viewer::Neutral) => format!("Their time zones are {} apart", duration(apart)),
            _ => format!("Your time zones are {} apart", duration(apart)),
        };
        add(weights.time_zone, time_zone, 6, sentence);
    }

    // The institution part is 1 only when both are known and different; 0.5 means unknown.
    if institution >= 1.0 {
        let sentence = if viewer == Viewer::Neutral {
            "They are at different institutions"
        } else {
            "You are at different institutions"
        };
        add(weights.institution, institution, 7, sentence.to_owned());
    }

    if facts.custom_common > 0 && facts.custom_same > 0 {
        let (same, common) = (facts.custom_same, facts.custom_common);
        let sentence = match (same, common) {
            (1, 1) => "You gave the same answer to a matching question".to_owned(),
            (s, c) if s == c => format!("You gave the same answers to all {c} matching questions"),
            (s, c) => format!("You gave the same answer to {s} of {c} matching questions"),
        };
        add(weights.custom, custom, 8, sentence);
    }

    reasons.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let reasons = reasons.into_iter().take(3).map(|(_, _, s)| s).collect();

    // The unmet preferences are the mentee's own: the mentee reads them, a coordinator reads them
    // about the mentee, and the mentor is not shown them (they are the mentee's to share).
    let mut unmet = Vec::new();
    let mut not_met = |to_mentee: String, neutral: String| match viewer {
        Viewer::Mentee => unmet.push(to_mentee),
        Viewer::Neutral => unmet.push(neutral),
        Viewer::Mentor => {}
    };
    if prefs.shared_background && !facts.shares_background {
        if !background_visible {
            not_met("A preference you set is not met".to_owned(), "A preference the mentee set is not met".to_owned());
        } else if !facts.mentee_has_background {
            not_met(
                "You asked for a mentor who shares your background, but you have not listed your background".to_owned(),
                "The mentee asked for a mentor who shares their background but has not listed it".to_owned(),
            );
        } else {
            not_met(
                "You asked for a mentor who shares your background; this one does not".to_owned(),
                "The mentee asked for a mentor who shares their background; this one does not".to_owned(),
            );
        }
    }
    if prefs.other_institution {
        if !facts.mentee_institution_known {
            not_met(
                "You asked for a mentor at another institution, but you have not listed your institution".to_owned(),
                "The mentee asked for a mentor at another institution but has not listed theirs".to_owned(),
            );
        } else if !facts.mentor_institution_known {
            not_met(
                "You asked for a mentor at another institution; this one has not listed their institution".to_owned(),
                "The mentee asked for a mentor at another institution; this one has not listed theirs".to_owned(),
            );
        } else if facts.same_institution {
            not_met(
                "You asked for a mentor at another institution; this one is at yours".to_owned(),
                "The mentee asked for a mentor at another institution; both are at the same one".to_owned(),
            );
        }
    }
    if let Some(language) = wanted_language
        && !facts.speaks_wanted
    {
        let language = capitalise(language);
        if facts.mentor_lists_languages {
            not_met(
                format!("You asked for a mentor who speaks {language}; this one does not list it"),
                format!("The mentee asked for a mentor who speaks {language}; this one does not list it"),
            );
        } else {
            not_met(
                format!("You asked for a mentor who speaks {language}; this one has not listed their languages"),
                format!("The mentee asked for a mentor who speaks {language}; this one has not listed languages"),
            );
        }
    }
    Explanation { reasons, unmet }
}

/// Questions for when the two share little.
const GENERIC_STARTERS: [&str; 4] = [
    "What are you each hoping to get out of the next few months of mentoring?",
    "What does a good week look like for each of you right now?",
    "What is one thing you wish someone had told you earlier in your training?",
    "How would you like to keep in touch between meetings, and how often?",
];

/// Two to four conversation starters for the pair's welcome message, drawn from what they share
/// (interests, words from the mentee's goals found in the mentor's experience, a language beyond
/// English, the mentor's path through the mentee's career stage), topped up with generic ones.
/// Nothing here touches background, whatever its visibility.
pub fn conversation_starters(scorer: &Scorer, mentee: usize, mentor: usize) -> Vec<String> {
    let e = &scorer.mentees()[mentee].candidate;
    let r = &scorer.mentors()[mentor].candidate;
    let mut out: Vec<String> = Vec::new();

    let shared = scorer.shared_interests(mentee, mentor);
    if let Some(first) = shared.first() {
        out.push(format!(
            "You both listed {first}: how did each of you get into it, and where do you want to take it?"
        ));
    }
    let terms = scorer.shared_terms(mentee, mentor, 2);
    if !terms.is_empty() {
        out.push(format!(
            "The mentee's goals and the mentor's experience both mention {}: what has that looked like for each of you so far?",
            join(&terms)
        ));
    }
    if let (Some(s_e), Some(s_r)) = (e.career_stage, r.career_stage)
        && s_r > s_e
        && let Some((yours, _)) = stage(Some(s_e))
    {
        out.push(format!("What do you wish you had known when you were {yours}?"));
    }
    let facts = scorer.facts(mentee, mentor);
    if let Some(language) = facts.shared_languages.iter().find(|l| !l.eq_ignore_ascii_case("english")) {
        out.push(format!(
            "You both speak {}: do you use it at work, with patients or colleagues?",
            capitalise(language)
        ));
    }
    if shared.len() > 1 && out.len() < 3 {
        out.push(format!("You also share an interest in {}: what draws each of you to it?", shared[1]));
    }
    out.truncate(3);
    for generic in &GENERIC_STARTERS[..3] {
        if out.len() >= 2 {
            break;
        }
        out.push((*generic).to_owned());
    }
    // How they will work together is worth settling in the first conversation, whatever they share.
    out.push(GENERIC_STARTERS[3].to_owned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_lists_as_in_prose() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join(&s(&[])), "");
        assert_eq!(join(&s(&["a"])), "a");
        assert_eq!(join(&s(&["a", "b"])), "a and b");
        assert_eq!(join(&s(&["a", "b", "c"])), "a, b and c");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(30), "30 minutes");
        assert_eq!(duration(60), "1 hour");
        assert_eq!(duration(180), "3 hours");
        assert_eq!(duration(150), "2.5 hours");
        assert_eq!(duration(345), "5.8 hours");
    }
}
