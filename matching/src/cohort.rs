//! Synthetic cohorts for tests, benchmarks and demos: mentees and mentors of a medical mentoring
//! program with realistic spreads of career stages, institutions, time zones, languages, interests,
//! backgrounds, goals and experience. Deterministic from a seed, with its own tiny generator so the
//! crate needs no random-number dependency and a seed means the same cohort on every platform.

use crate::score::{Candidate, Mentee, Mentor, Preferences};

/// SplitMix64: tiny, fast, and good enough for synthetic data.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by multiply-shift: no modulo bias worth caring about here.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An index drawn with the given relative weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (k, &w) in weights.iter().enumerate() {
            if x < w {
                return k;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// An index in `0..n` drawn with Zipf-like weights 1/(k+1): a few items are popular, most are not,
    /// as interests and institutions are in a real program.
    pub fn zipf(&mut self, n: usize) -> usize {
        let h: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
        let mut x = self.unit() * h;
        for k in 0..n {
            x -= 1.0 / (k + 1) as f64;
            if x < 0.0 {
                return k;
            }
        }
        n - 1
    }

    fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
        items[self.below(items.len())]
    }

    /// `k` distinct indexes in `0..n`, Zipf-distributed.
    fn distinct_zipf(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::with_capacity(k);
        while out.len() < k.min(n) {
            let x = self.zipf(n);
            if !out.contains(&x) {
                out.push(x);
            }
        }
        out
    }
}

/// A medical-career interest taxonomy, roughly in order of popularity.
pub const INTERESTS: &[&str] = &[
    "research",
    "medical education",
    "health equity",
    "wellness",
    "global health",
    "residency applications",
    "leadership",
    "critical care",
    "pediatric emergency medicine",
    "ultrasound",
    "public health",
    "health policy",
    "advocacy",
    "community engagement",
    "work-life balance",
    "simulation",
    "trauma",
    "EMS",
    "toxicology",
    "administration",
    "quality improvement",
    "women in medicine",
    "parenting in medicine",
    "LGBTQ+ health",
    "immigrant health",
    "rural medicine",
    "addiction medicine",
    "palliative care",
    "disaster medicine",
    "wilderness medicine",
    "sports medicine",
    "informatics",
    "geriatrics",
    "neurology",
    "cardiology",
    "writing and publishing",
    "entrepreneurship",
    "teaching",
    "social emergency medicine",
    "military medicine",
];

pub const LANGUAGES: &[&str] =
    &["English", "Spanish", "French", "Portuguese", "Haitian Creole", "Mandarin", "Arabic", "Vietnamese"];

pub const BACKGROUNDS: &[&str] = &[
    "Black",
    "Latine",
    "Indigenous",
    "Asian American",
    "Pacific Islander",
    "first-generation",
    "LGBTQ+",
    "immigrant",
    "veteran",
    "rural upbringing",
    "disability",
];

const INSTITUTION_PLACES: &[&str] = &[
    "Atlanta",
    "Baltimore",
    "Boston",
    "Chicago",
    "Cleveland",
    "Dallas",
    "Denver",
    "Detroit",
    "El Paso",
    "Houston",
    "Los Angeles",
    "Miami",
    "Minneapolis",
    "Nashville",
    "New Orleans",
    "New York",
    "Oakland",
    "Philadelphia",
    "Phoenix",
    "Pittsburgh",
    "Portland",
    "Sacramento",
    "San Antonio",
    "San Diego",
    "San Juan",
    "Seattle",
    "St. Louis",
    "Tucson",
    "Washington",
    "Albuquerque",
    "Honolulu",
    "Memphis",
    "Milwaukee",
    "Newark",
    "Richmond",
    "Salt Lake City",
    "Toronto",
    "Mexico City",
    "London",
    "Madrid",
];

/// (UTC offset in minutes, weight): mostly the US time zones, some Caribbean, South America, Europe.
const ZONES: &[(i32, u32)] =
    &[(-600, 1), (-480, 22), (-420, 8), (-360, 24), (-300, 33), (-240, 5), (-180, 2), (0, 2), (60, 2), (120, 1)];

/// Goal phrases for mentees; `{}` is filled with one of the mentee's interests.
const GOALS: &[&str] = &[
    "I want to prepare a competitive residency application and understand what programs look for",
    "I am looking for research opportunities in {} and help writing my first abstract",
    "I would like guidance on choosing a specialty and whether emergency medicine fits me",
    "I hope to learn how to balance clinical training with family responsibilities",
    "I am the first in my family in medicine and want help navigating the hidden curriculum",
    "I want to build a career in {} and find people doing that work",
    "I need advice on preparing for USMLE Step exams and managing test anxiety",
    "I am interested in academic medicine, teaching and eventually becoming faculty",
    "I want to get involved in advocacy and health policy for underserved communities",
    "I would like feedback on my personal statement and interview skills",
    "I want to connect with mentors who share my background and understand imposter syndrome",
    "I am exploring fellowship options in {} after residency",
    "I need help finding away rotations and letters of recommendation",
    "I want to develop leadership skills and learn how to run a quality improvement project",
    "I hope to stay well and avoid burnout during a demanding intern year",
    "I am curious about global health work and how to build it into a career",
    "I want to learn point-of-care ultrasound and bedside procedures",
    "I am considering a dual degree such as an MPH or MBA",
    "I would like to publish case reports and present at national conferences",
    "I want to understand financial planning and loan repayment programs",
];

/// Experience phrases for mentors; `{}` is filled with one of the mentor's interests.
const EXPERIENCE: &[&str] = &[
    "I have served on the residency selection committee and reviewed hundreds of applications",
    "My research focuses on {} and I have mentored students through their first abstracts and publications",
    "I am an emergency physician who advises students choosing a specialty",
    "As a parent in medicine I talk often about balancing clinical work and family",
    "I was the first in my family to go to college and medical school",
    "I have built my career around {} and lead a program in it",
    "I tutor students for USMLE Step exams and help with test anxiety",
    "I am a clerkship director and love teaching; I help people pursue academic medicine",
    "I work in advocacy and health policy and testify on behalf of underserved communities",
    "I coach applicants on personal statements and run mock interviews",
    "I lead our diversity office and mentor trainees facing imposter syndrome",
    "I completed a fellowship in {} and advise residents applying to fellowship",
    "I coordinate away rotations and write many letters of recommendation",
    "I chair our quality improvement committee and teach leadership",
    "I run our wellness program and speak about burnout and resilience",
    "I have worked in global health in Latin America and East Africa for ten years",
    "I direct point-of-care ultrasound education and teach bedside procedures",
    "I earned an MPH during residency and advise on dual degrees",
    "I edit a journal section and help trainees publish case reports and present at conferences",
    "I speak about financial planning and loan repayment for physicians",
];

fn institutions() -> Vec<String> {
    INSTITUTION_PLACES
        .iter()
        .enumerate()
        .map(|(k, place)| match k % 3 {
            0 => format!("University of {place} School of Medicine"),
            1 => format!("{place} General Hospital"),
            _ => format!("{place} Medical Center"),
        })
        .collect()
}

fn compose(rng: &mut Rng, phrases: &[&str], interests: &[String], count: usize) -> String {
    let picks = rng.distinct_zipf(phrases.len(), count);
    let mut out = String::new();
    for k in picks {
        let phrase = phrases[k];
        let filled = if phrase.contains("{}") {
            let interest = interests.get(rng.below(interests.len().max(1))).map_or("emergency medicine", |s| s);
            phrase.replace("{}", interest)
        } else {
            phrase.to_owned()
        };
        if !out.is_empty() {
            out.push_str(". ");
        }
        out.push_str(&filled);
    }
    out.push('.');
    out
}

fn candidate(rng: &mut Rng, institutions: &[String], stage_weights: &[u32; 6], mentor: bool) -> Candidate {
    let career_stage = if rng.chance(0.04) { None } else { Some(rng.weighted(stage_weights) as u8) };
    let institution = if rng.chance(0.05) { None } else { Some(institutions[rng.zipf(institutions.len())].clone()) };
    let utc_offset_minutes = if rng.chance(0.03) {
        None
    } else {
        let weights: Vec<u32> = ZONES.iter().map(|&(_, w)| w).collect();
        Some(ZONES[rng.weighted(&weights)].0)
    };
    let mut languages = vec!["English".to_owned()];
    let extra = rng.weighted(&[55, 35, 10]);
    while languages.len() < 1 + extra {
        // Spanish is by far the commonest second language in this population.
        let l = LANGUAGES[1 + rng.weighted(&[40, 10, 8, 10, 9, 8, 6])];
        if !languages.iter().any(|x| x == l) {
            languages.push(l.to_owned());
        }
    }
    let count = rng.between(3, 6);
    let interests: Vec<String> =
        rng.distinct_zipf(INTERESTS.len(), count).into_iter().map(|k| INTERESTS[k].to_owned()).collect();
    let tags = rng.weighted(if mentor { &[35, 45, 20] } else { &[20, 50, 30] });
    let background: Vec<String> =
        rng.distinct_zipf(BACKGROUNDS.len(), tags).into_iter().map(|k| BACKGROUNDS[k].to_owned()).collect();
    let text = if mentor {
        let expertise = interests.iter().take(2).cloned().collect::<Vec<_>>().join(" and ");
        let phrases = rng.between(2, 4);
        format!("{} Expertise: {expertise}.", compose(rng, EXPERIENCE, &interests, phrases))
    } else {
        let phrases = rng.between(1, 3);
        compose(rng, GOALS, &interests, phrases)
    };
    let mut custom = Vec::new();
    if rng.chance(0.7) {
        custom.push(("meeting_frequency".to_owned(), rng.pick(&["weekly", "every two weeks", "monthly"]).to_owned()));
    }
    if rng.chance(0.6) {
        custom.push(("mentoring_style".to_owned(), rng.pick(&["directive", "collaborative", "listening"]).to_owned()));
    }
    Candidate { career_stage, institution, utc_offset_minutes, languages, interests, background, text, custom }
}

/// A cohort of `mentees` mentees and `mentors` mentors, the same for the same seed. Mentees are
/// mostly medical students and residents, mentors mostly attendings and faculty; capacities are
/// 1 to 5; about a third of mentees ask for a shared background, a fifth for another institution,
/// and some Spanish speakers for a Spanish-speaking mentor.
pub fn generate(mentees: usize, mentors: usize, seed: u64) -> (Vec<Mentee>, Vec<Mentor>) {
    let mut rng = Rng::new(seed);
    let institutions = institutions();
    let mentee_stages = [15, 45, 30, 8, 1, 1];
    let mentor_stages = [0, 1, 8, 8, 45, 38];
    let out_mentees = (0..mentees)
        .map(|_| {
            let candidate = candidate(&mut rng, &institutions, &mentee_stages, false);
            let language =
                (candidate.languages.iter().any(|l| l == "Spanish") && rng.chance(0.3)).then(|| "Spanish".to_owned());
            let prefs = Preferences {
                shared_background: !candidate.background.is_empty() && rng.chance(0.35),
                other_institution: rng.chance(0.2),
                language,
            };
            Mentee { candidate, prefs }
        })
        .collect();
    let out_mentors = (0..mentors)
        .map(|_| Mentor {
            candidate: candidate(&mut rng, &institutions, &mentor_stages, true),
            capacity: rng.between(1, 5) as u32,
        })
        .collect();
    (out_mentees, out_mentors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_cohort_and_different_seed_different_cohort() {
        assert_eq!(generate(50, 20, 7), generate(50, 20, 7));
        assert_ne!(generate(50, 20, 7), generate(50, 20, 8));
    }

    #[test]
    fn cohort_has_the_promised_shape() {
        let (mentees, mentors) = generate(2000, 500, 1);
        assert_eq!((mentees.len(), mentors.len()), (2000, 500));
        assert!(mentors.iter().all(|m| (1..=5).contains(&m.capacity)));
        for c in mentees.iter().map(|m| &m.candidate).chain(mentors.iter().map(|m| &m.candidate)) {
            assert!((3..=6).contains(&c.interests.len()));
            assert!((1..=3).contains(&c.languages.len()));
            assert!(!c.text.is_empty());
        }
        let institutions: std::collections::HashSet<_> =
            mentees.iter().filter_map(|m| m.candidate.institution.as_ref()).collect();
        assert!(institutions.len() > 30);
        let asks_background = mentees.iter().filter(|m| m.prefs.shared_background).count();
        assert!(asks_background > 300 && asks_background < 900, "{asks_background}");
        let mean_mentee_stage: f64 =
            mentees.iter().filter_map(|m| m.candidate.career_stage).map(f64::from).sum::<f64>() / 2000.0;
        let mean_mentor_stage: f64 =
            mentors.iter().filter_map(|m| m.candidate.career_stage).map(f64::from).sum::<f64>() / 500.0;
        assert!(mean_mentor_stage > mean_mentee_stage + 2.0);
    }

    #[test]
    fn rng_ranges() {
        let mut rng = Rng::new(3);
        for _ in 0..1000 {
            assert!(rng.below(7) < 7);
            assert!((2..=4).contains(&rng.between(2, 4)));
            assert!(rng.zipf(5) < 5);
            assert!(rng.weighted(&[0, 3, 0]) == 1);
        }
    }
}
