//! Surveys: their definition (checked whole, every problem named), answers (checked against the
//! questions), and results in aggregate.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::Error;
use crate::vocab::SurveyQuestionKind;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Unique within the survey.
    #[serde(default)]
    pub id: String,
    pub kind: SurveyQuestionKind,
    pub prompt: String,
    #[serde(default)]
    pub required: bool,
    /// For `single` and `multiple`: 2 to 20 distinct options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Options whose choice in a named response flags the pair (e.g. "Not a good fit").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_risk_options: Vec<String>,
}

/// Checks and normalises a survey's questions, naming every problem by field.
pub fn check_questions(questions: Vec<Question>) -> Result<Vec<Question>, Error> {
    let mut problems = BTreeMap::new();
    if questions.is_empty() {
        problems.insert("questions".to_owned(), "a survey needs at least one question".to_owned());
    }
    if questions.len() > 30 {
        problems.insert("questions".to_owned(), "at most 30 questions".to_owned());
    }
    let mut ids = BTreeSet::new();
    let mut out = Vec::with_capacity(questions.len());
    for (i, mut q) in questions.into_iter().enumerate() {
        let at = |f: &str| format!("questions[{i}].{f}");
        q.id = q.id.trim().to_owned();
        if q.id.is_empty() {
            q.id = format!("q{}", i + 1);
        }
        if q.id.len() > 40 || !q.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            problems.insert(at("id"), "use up to 40 letters, digits, - or _".to_owned());
        } else if !ids.insert(q.id.clone()) {
            problems.insert(at("id"), "is used by another question".to_owned());
        }
        q.prompt = q.prompt.trim().to_owned();
        if q.prompt.is_empty() || q.prompt.chars().count() > 500 {
            problems.insert(at("prompt"), "is required, up to 500 characters".to_owned());
        }
        q.options = q.options.iter().map(|o| o.trim().to_owned()).collect();
        q.at_risk_options = q.at_risk_options.iter().map(|o| o.trim().to_owned()).collect();
        match q.kind {
            SurveyQuestionKind::Single | SurveyQuestionKind::Multiple => {
                let distinct: BTreeSet<&String> = q.options.iter().collect();
                if !(2..=20).contains(&q.options.len()) {
                    problems.insert(at("options"), "needs 2 to 20 options".to_owned());
                } else if distinct.len() != q.options.len() {
                    problems.insert(at("options"), "options must differ from each other".to_owned());
                } else if q.options.iter().any(|o| o.is_empty() || o.chars().count() > 200) {
                    problems.insert(at("options"), "each option needs 1 to 200 characters".to_owned());
                }
                if q.at_risk_options.iter().any(|o| !q.options.contains(o)) {
                    problems.insert(at("at_risk_options"), "must be among the options".to_owned());
                }
            }
            SurveyQuestionKind::Scale | SurveyQuestionKind::Text => {
                if !q.options.is_empty() {
                    problems.insert(at("options"), "only choice questions have options".to_owned());
                }
                if !q.at_risk_options.is_empty() {
                    problems.insert(at("at_risk_options"), "only choice questions have options".to_owned());
                }
            }
        }
        out.push(q);
    }
    if problems.is_empty() { Ok(out) } else { Err(Error::fields(problems)) }
}

/// Checks a response against the questions. Returns the normalised answers (only known questions,
/// skipped optional ones left out) and whether an at-risk option was picked.
pub fn check_answers(questions: &[Question], answers: &BTreeMap<String, Value>) -> Result<(Value, bool), Error> {
    let mut problems = BTreeMap::new();
    let mut out = serde_json::Map::new();
    let mut at_risk = false;
    for key in answers.keys() {
        if !questions.iter().any(|q| &q.id == key) {
            problems.insert(format!("answers.{key}"), "is not a question of this survey".to_owned());
        }
    }
    for q in questions {
        let field = format!("answers.{}", q.id);
        let value = answers.get(&q.id).filter(|v| !v.is_null());
        let Some(value) = value else {
            if q.required {
                problems.insert(field, "is required".to_owned());
            }
            continue;
        };
        let checked = match q.kind {
            SurveyQuestionKind::Scale => match value.as_i64() {
                Some(n) if (1..=5).contains(&n) && value.is_i64() => Ok(Value::from(n)),
                _ => Err("must be a whole number from 1 to 5"),
            },
            SurveyQuestionKind::Single => match value.as_str() {
                Some(s) if q.options.iter().any(|o| o == s) => {
                    at_risk |= q.at_risk_options.iter().any(|o| o == s);
                    Ok(Value::from(s))
                }
                _ => Err("must be one of the options"),
            },
            SurveyQuestionKind::Multiple => match value.as_array() {
                Some(list) => {
                    let picked: Option<BTreeSet<&str>> = list.iter().map(|v| v.as_str()).collect();
                    match picked {
                        Some(p) if p.len() == list.len() && p.iter().all(|s| q.options.iter().any(|o| o == s)) => {
                            if q.required && p.is_empty() {
                                Err("pick at least one option")
                            } else {
                                at_risk |= p.iter().any(|s| q.at_risk_options.iter().any(|o| o == s));
                                // In the order of the options, so equal answers look equal.
                                Ok(Value::from(
                                    q.options.iter().filter(|o| p.contains(o.as_str())).cloned().collect::<Vec<_>>(),
                                ))
                            }
                        }
                        _ => Err("must be a list of distinct options"),
                    }
                }
                None => Err("must be a list of options"),
            },
            SurveyQuestionKind::Text => match value.as_str() {
                Some(s) if s.chars().count() <= 4000 => {
                    let s = s.trim();
                    if s.is_empty() && q.required { Err("is required") } else { Ok(Value::from(s)) }
                }
                Some(_) => Err("must be at most 4000 characters"),
                None => Err("must be text"),
            },
        };
        match checked {
            Ok(v) => {
                out.insert(q.id.clone(), v);
            }
            Err(message) => {
                problems.insert(field, message.to_owned());
            }
        }
    }
    if problems.is_empty() { Ok((Value::Object(out), at_risk)) } else { Err(Error::fields(problems)) }
}

/// One question's results.
#[derive(Clone, Debug)]
pub struct QuestionResult {
    pub id: String,
    pub kind: SurveyQuestionKind,
    pub prompt: String,
    /// Responses that answered this question.
    pub count: usize,
    /// `scale`: the mean, 1–5.
    pub average: Option<f64>,
    /// `scale`: how many gave 1, 2, 3, 4 and 5.
    pub distribution: Option<[usize; 5]>,
    /// `single` and `multiple`: each option with how many picked it.
    pub options: Option<Vec<OptionCount>>,
    /// `text`: the answers, without who gave them.
    pub answers: Option<Vec<String>>,
}

#[derive(Clone, Debug)]
pub struct OptionCount {
    pub option: String,
    pub count: usize,
}

#[derive(Clone, Debug)]
pub struct SurveyResults {
    pub survey_id: Uuid,
    pub title: String,
    pub responses: usize,
    pub questions: Vec<QuestionResult>,
}

/// Aggregates responses (each a JSON object of answers) per question.
pub fn results(survey_id: Uuid, title: &str, questions: &[Question], responses: &[Value]) -> SurveyResults {
    let questions = questions
        .iter()
        .map(|q| {
            let given: Vec<&Value> = responses.iter().filter_map(|r| r.get(&q.id)).collect();
            let mut result = QuestionResult {
                id: q.id.clone(),
                kind: q.kind,
                prompt: q.prompt.clone(),
                count: given.len(),
                average: None,
                distribution: None,
                options: None,
                answers: None,
            };
            match q.kind {
                SurveyQuestionKind::Scale => {
                    let mut distribution = [0usize; 5];
                    for n in given.iter().filter_map(|v| v.as_i64()).filter(|n| (1..=5).contains(n)) {
                        distribution[(n - 1) as usize] += 1;
                    }
                    let count: usize = distribution.iter().sum();
                    let total: usize = distribution.iter().enumerate().map(|(i, n)| (i + 1) * n).sum();
                    result.average = (count > 0).then(|| (total as f64 / count as f64 * 100.0).round() / 100.0);
                    result.distribution = Some(distribution);
                }
                SurveyQuestionKind::Single | SurveyQuestionKind::Multiple => {
                    let picked = |o: &str| {
                        given
                            .iter()
                            .filter(|v| match v {
                                Value::String(s) => s == o,
                                Value::Array(list) => list.iter().any(|x| x.as_str() == Some(o)),
                                _ => false,
                            })
                            .count()
                    };
                    result.options =
                        Some(q.options.iter().map(|o| OptionCount { option: o.clone(), count: picked(o) }).collect());
                }
                SurveyQuestionKind::Text => {
                    result.answers = Some(
                        given.iter().filter_map(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                    );
                }
            }
            result
        })
        .collect();
    SurveyResults { survey_id, title: title.to_owned(), responses: responses.len(), questions }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fit_check() -> Vec<Question> {
        serde_json::from_value(json!([
            {"kind": "scale", "prompt": "How was it?", "required": true},
            {"kind": "single", "prompt": "Fit?", "required": true, "options": ["Good fit", "Not a good fit"], "at_risk_options": ["Not a good fit"]},
            {"kind": "multiple", "prompt": "Topics", "options": ["Research", "Residency", "Balance"]},
            {"kind": "text", "prompt": "Anything else?"}
        ]))
        .unwrap()
    }

    #[test]
    fn questions_get_ids_and_every_problem_is_named() {
        let qs = check_questions(fit_check()).unwrap();
        assert_eq!(qs.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(), ["q1", "q2", "q3", "q4"]);
        let bad: Vec<Question> = serde_json::from_value(json!([
            {"kind": "single", "prompt": "", "options": ["a"]},
            {"kind": "scale", "prompt": "x", "options": ["a", "b"]},
            {"kind": "multiple", "prompt": "y", "options": ["a", "a"], "at_risk_options": ["z"]}
        ]))
        .unwrap();
        let Error::Invalid { fields, .. } = check_questions(bad).unwrap_err() else { panic!("not a validation error") };
        let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "questions[0].options",
                "questions[0].prompt",
                "questions[1].options",
                "questions[2].at_risk_options",
                "questions[2].options"
            ]
        );
        assert!(check_questions(vec![]).is_err());
    }

    #[test]
    fn answers_are_checked_and_at_risk_options_flag() {
        let qs = check_questions(fit_check()).unwrap();
        let answers: BTreeMap<String, Value> =
            serde_json::from_value(json!({"q1": 4, "q2": "Not a good fit", "q3": ["Balance", "Research"]})).unwrap();
        let (value, at_risk) = check_answers(&qs, &answers).unwrap();
        assert!(at_risk);
        assert_eq!(value, json!({"q1": 4, "q2": "Not a good fit", "q3": ["Research", "Balance"]}));

        let wrong: BTreeMap<String, Value> =
            serde_json::from_value(json!({"q1": 6, "q3": ["Nope"], "q4": 3, "q9": 1})).unwrap();
        let Error::Invalid { fields, .. } = check_answers(&qs, &wrong).unwrap_err() else { panic!() };
        assert_eq!(fields.len(), 5, "{fields:?}");
        let float: BTreeMap<String, Value> = serde_json::from_value(json!({"q1": 2.5, "q2": "Good fit"})).unwrap();
        assert!(check_answers(&qs, &float).is_err());
    }

    #[test]
    fn results_aggregate_per_question() {
        let qs = check_questions(fit_check()).unwrap();
        let responses = vec![
            json!({"q1": 5, "q2": "Good fit", "q3": ["Research"], "q4": "Great"}),
            json!({"q1": 2, "q2": "Not a good fit", "q3": ["Research", "Balance"]}),
        ];
        let r = results(Uuid::nil(), "Fit", &qs, &responses);
        assert_eq!(r.responses, 2);
        assert_eq!(r.questions[0].average, Some(3.5));
        assert_eq!(r.questions[0].distribution, Some([0, 1, 0, 0, 1]));
        let counts: Vec<usize> = r.questions[2].options.as_ref().unwrap().iter().map(|o| o.count).collect();
        assert_eq!(counts, [2, 0, 1]);
        assert_eq!(r.questions[3].answers.as_deref(), Some(&["Great".to_owned()][..]));
    }
}
