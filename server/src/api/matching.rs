//! Matching over HTTP (docs/matching.md): the questionnaire, the taxonomy and custom questions,
//! weights, rounds and their review, placing by hand, the do-not-match list, and the two people's
//! answers to a proposal. Scoring and solving run on a blocking thread; what must be decided once
//! (an approval, an answer) is decided by the store.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, List};
use super::validate;
use crate::domain::access::ProgramAccess as Access;
use crate::domain::jobs::{self, Work};
use crate::domain::matching::answers::{self, Answers};
use crate::domain::matching::engine::{self, PairError, PairScore, ProgramData};
use crate::domain::matching::views::{Match, Round, Weights};
use crate::domain::matching::worker;
use crate::state::AppState;
use crate::store::{Audience, Exclusion, Interest, MatchStatus, NewMatch, NewQuestion, Question, QuestionKind, Role};

fn list<T: ToSchema>(items: Vec<T>) -> Json<List<T>> {
    Json(List { items, next_cursor: None })
}

async fn coordinator(state: &AppState, me: &CurrentUser, program_id: Uuid) -> Result<(), ApiError> {
    Ok(Access::of(state, &me.user, program_id).await?.require_coordinator()?)
}

/// Loads the program and runs `f` (scoring, solving) on a blocking thread.
async fn with_data<T: Send + 'static>(
    state: &AppState,
    program_id: Uuid,
    f: impl FnOnce(ProgramData) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let data = engine::load(state.store.as_ref(), program_id).await?;
    tokio::task::spawn_blocking(move || f(data)).await.map_err(ApiError::internal)
}

fn check_weights(w: &Weights) -> Result<(), ApiError> {
    kindred_matching::Weights::from(*w)
        .validate()
        .map_err(|(field, problem)| ApiError::field(&format!("weights.{field}"), problem))
}

// --- questionnaire ---

/// My questionnaire in a program, with what it asks.
#[derive(Serialize, ToSchema)]
pub struct QuestionnaireView {
    pub role: Role,
    pub answers: Answers,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub completed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub updated_at: Option<OffsetDateTime>,
    /// The program's questions for my role.
    pub questions: Vec<Question>,
    /// The program's interest taxonomy.
    pub interests: Vec<Interest>,
}

async fn questionnaire_role(state: &AppState, me: &CurrentUser, program_id: Uuid) -> Result<Role, ApiError> {
    match Access::of(state, &me.user, program_id).await?.role {
        Some(role @ (Role::Mentee | Role::Mentor)) => Ok(role),
        _ => Err(ApiError::Forbidden("only the program's mentees and mentors fill in the questionnaire")),
    }
}

async fn questionnaire_view(
    state: &AppState,
    me: &CurrentUser,
    program_id: Uuid,
    role: Role,
) -> Result<QuestionnaireView, ApiError> {
    let record = state.store.get_questionnaire(program_id, me.user.id).await?;
    let questions =
        state.store.list_questions(program_id).await?.into_iter().filter(|q| q.audience.includes(role)).collect();
    let answers = match &record {
        Some(r) => serde_json::from_str(&r.answers).map_err(ApiError::internal)?,
        None => Answers::default(),
    };
    Ok(QuestionnaireView {
        role,
        answers,
        completed_at: record.as_ref().and_then(|r| r.completed_at),
        updated_at: record.as_ref().map(|r| r.updated_at),
        questions,
        interests: state.store.list_interests(program_id).await?,
    })
}

#[utoipa::path(get, path = "/api/programs/{id}/questionnaire", tag = "matching", params(("id" = Uuid, Path)),
    responses((status = 200, body = QuestionnaireView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_questionnaire(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<QuestionnaireView>, ApiError> {
    let role = questionnaire_role(&state, &me, program_id).await?;
    Ok(Json(questionnaire_view(&state, &me, program_id, role).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireInput {
    pub answers: Answers,
    /// Also check that every required answer is there and mark the questionnaire completed.
    #[serde(default)]
    pub complete: bool,
}

/// Save my answers (a draft, or `complete: true` to finish). Every problem is reported under its
/// field; nothing is saved when there is one.
#[utoipa::path(put, path = "/api/programs/{id}/questionnaire", tag = "matching", params(("id" = Uuid, Path)), request_body = QuestionnaireInput,
    responses((status = 200, body = QuestionnaireView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_questionnaire(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<QuestionnaireInput>,
) -> Result<Json<QuestionnaireView>, ApiError> {
    let role = questionnaire_role(&state, &me, program_id).await?;
    let interests = state.store.list_interests(program_id).await?;
    let questions = state.store.list_questions(program_id).await?;
    // A completed questionnaire feeds matching as it is saved, so it must stay complete.
    let completed =
        state.store.get_questionnaire(program_id, me.user.id).await?.is_some_and(|q| q.completed_at.is_some());
    answers::check(&input.answers, role, &interests, &questions, input.complete || completed)?;
    let (_, auto_match) = engine::settings(state.store.as_ref(), program_id).await?;
    let now = state.clock.now();
    let enqueue = (input.complete && auto_match).then(|| Work::AutoMatch(program_id).job(now));
    let json = serde_json::to_string(&input.answers).map_err(ApiError::internal)?;
    state.store.save_questionnaire(program_id, me.user.id, &json, input.complete, enqueue.as_ref(), now).await?;
    if enqueue.is_some() {
        state.work.notify_one();
    }
    Ok(Json(questionnaire_view(&state, &me, program_id, role).await?))
}

// --- taxonomy and questions ---

#[utoipa::path(get, path = "/api/programs/{id}/interests", tag = "matching", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<Interest>), (status = 404, body = ErrorBody)))]
pub async fn list_interests(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<Interest>>, ApiError> {
    Access::of(&state, &me.user, program_id).await?;
    Ok(list(state.store.list_interests(program_id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestInput {
    pub label: String,
}

/// Add an interest to the program's taxonomy (coordinators).
#[utoipa::path(post, path = "/api/programs/{id}/interests", tag = "matching", params(("id" = Uuid, Path)), request_body = InterestInput,
    responses((status = 201, body = Interest), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_interest(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<InterestInput>,
) -> Result<(StatusCode, Json<Interest>), ApiError> {
    coordinator(&state, &me, program_id).await?;
    let label = validate::required("label", &input.label, 60)?;
    if state.store.list_interests(program_id).await?.len() >= 200 {
        return Err(ApiError::field("label", "a program has at most 200 interests"));
    }
    let interest = state.store.create_interest(program_id, &label, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(interest)))
}

#[utoipa::path(delete, path = "/api/programs/{id}/interests/{interest_id}", tag = "matching",
    params(("id" = Uuid, Path), ("interest_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_interest(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    coordinator(&state, &me, program_id).await?;
    state.store.delete_interest(program_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/programs/{id}/questions", tag = "matching", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<Question>), (status = 404, body = ErrorBody)))]
pub async fn list_questions(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<Question>>, ApiError> {
    Access::of(&state, &me.user, program_id).await?;
    Ok(list(state.store.list_questions(program_id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    pub prompt: String,
    pub kind: QuestionKind,
    /// Choice questions: 2 to 20 distinct options.
    #[serde(default)]
    pub options: Vec<String>,
    pub audience: Audience,
    #[serde(default)]
    pub required: bool,
    /// Choice questions only: the same answer from both counts toward a pair's score.
    #[serde(default)]
    pub feeds_matching: bool,
}

/// Add a question to the program's questionnaire (coordinators).
#[utoipa::path(post, path = "/api/programs/{id}/questions", tag = "matching", params(("id" = Uuid, Path)), request_body = QuestionInput,
    responses((status = 201, body = Question), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_question(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<QuestionInput>,
) -> Result<(StatusCode, Json<Question>), ApiError> {
    coordinator(&state, &me, program_id).await?;
    let prompt = validate::required("prompt", &input.prompt, 300)?;
    let mut options = Vec::new();
    match input.kind {
        QuestionKind::Choice => {
            let mut seen = HashSet::new();
            for option in &input.options {
                let option = validate::required("options", option, 100)?;
                if !seen.insert(option.to_lowercase()) {
                    return Err(ApiError::field("options", format!("lists \"{option}\" twice")));
                }
                options.push(option);
            }
            if !(2..=20).contains(&options.len()) {
                return Err(ApiError::field("options", "a choice question needs 2 to 20 options"));
            }
        }
        QuestionKind::Text => {
            if !input.options.is_empty() {
                return Err(ApiError::field("options", "only choice questions have options"));
            }
            if input.feeds_matching {
                return Err(ApiError::field("feeds_matching", "only choice questions can feed matching"));
            }
        }
    }
    if state.store.list_questions(program_id).await?.len() >= 50 {
        return Err(ApiError::field("prompt", "a program has at most 50 questions"));
    }
    let question = NewQuestion {
        program_id,
        prompt,
        kind: input.kind,
        options,
        audience: input.audience,
        required: input.required,
        feeds_matching: input.feeds_matching,
    };
    Ok((StatusCode::CREATED, Json(state.store.create_question(question, state.clock.now()).await?)))
}

#[utoipa::path(delete, path = "/api/programs/{id}/questions/{question_id}", tag = "matching",
    params(("id" = Uuid, Path), ("question_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_question(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    coordinator(&state, &me, program_id).await?;
    state.store.delete_question(program_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- settings ---

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchingSettings {
    pub weights: Weights,
    /// Match automatically as questionnaires are completed (proposals go straight to the people).
    pub auto_match: bool,
}

#[utoipa::path(get, path = "/api/programs/{id}/matching/settings", tag = "matching", params(("id" = Uuid, Path)),
    responses((status = 200, body = MatchingSettings), (status = 403, body = ErrorBody)))]
pub async fn get_settings(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<MatchingSettings>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    let (weights, auto_match) = engine::settings(state.store.as_ref(), program_id).await?;
    Ok(Json(MatchingSettings { weights, auto_match }))
}

#[utoipa::path(put, path = "/api/programs/{id}/matching/settings", tag = "matching", params(("id" = Uuid, Path)), request_body = MatchingSettings,
    responses((status = 200, body = MatchingSettings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<MatchingSettings>,
) -> Result<Json<MatchingSettings>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    check_weights(&input.weights)?;
    let weights = serde_json::to_string(&input.weights).map_err(ApiError::internal)?;
    let now = state.clock.now();
    state.store.save_matching_settings(program_id, &weights, input.auto_match, now).await?;
    if input.auto_match {
        // People who completed the questionnaire before the switch was turned on wait no longer.
        jobs::enqueue(&state, Work::AutoMatch(program_id), now).await?;
    }
    Ok(Json(input))
}

// --- rounds ---

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RoundInput {
    /// Weights for this round (default: the program's).
    #[serde(default)]
    pub weights: Option<Weights>,
}

async fn plan_round(
    state: &AppState,
    program_id: Uuid,
    input: RoundInput,
) -> Result<crate::domain::matching::views::RoundBody, ApiError> {
    if let Some(w) = &input.weights {
        check_weights(w)?;
    }
    with_data(state, program_id, move |data| {
        let weights = input.weights.unwrap_or(data.weights);
        engine::plan(&data, &weights)
    })
    .await
}

/// What a round with these weights would propose; nothing is stored.
#[utoipa::path(post, path = "/api/programs/{id}/matching/preview", tag = "matching", params(("id" = Uuid, Path)), request_body = RoundInput,
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RoundInput>,
) -> Result<Json<Round>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    let body = plan_round(&state, program_id, input).await?;
    Ok(Json(Round { id: None, program_id, status: None, created_at: None, body }))
}

/// Run a round: score, solve, and store the result for review. Nothing is published yet.
#[utoipa::path(post, path = "/api/programs/{id}/matching/rounds", tag = "matching", params(("id" = Uuid, Path)), request_body = RoundInput,
    responses((status = 201, body = Round), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_round(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RoundInput>,
) -> Result<(StatusCode, Json<Round>), ApiError> {
    coordinator(&state, &me, program_id).await?;
    let body = plan_round(&state, program_id, input).await?;
    let json = serde_json::to_string(&body).map_err(ApiError::internal)?;
    let record = state.store.create_round(program_id, &json, Some(me.user.id), state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(Round::from_record(&record).map_err(ApiError::internal)?)))
}

#[utoipa::path(get, path = "/api/programs/{id}/matching/rounds", tag = "matching", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<Round>), (status = 403, body = ErrorBody)))]
pub async fn list_rounds(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<Round>>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    let rounds = state.store.list_rounds(program_id, 50).await?;
    let items = rounds.iter().map(Round::from_record).collect::<Result<_, _>>().map_err(ApiError::internal)?;
    Ok(list(items))
}

#[utoipa::path(get, path = "/api/programs/{id}/matching/rounds/{round_id}", tag = "matching",
    params(("id" = Uuid, Path), ("round_id" = Uuid, Path)),
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_round(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Round>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    let record = state.store.get_round(program_id, id).await?;
    Ok(Json(Round::from_record(&record).map_err(ApiError::internal)?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ApproveInput {
    /// Approve only the proposals of these mentees (default: all of them).
    #[serde(default)]
    pub mentee_ids: Option<Vec<Uuid>>,
}

/// Approve a round's proposals, all or some: both people of each are asked to accept. All or
/// nothing: if one no longer fits, none is created.
#[utoipa::path(post, path = "/api/programs/{id}/matching/rounds/{round_id}/approve", tag = "matching",
    params(("id" = Uuid, Path), ("round_id" = Uuid, Path)), request_body = ApproveInput,
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve_round(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<ApproveInput>,
) -> Result<Json<Round>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    let record = state.store.get_round(program_id, id).await?;
    let round = Round::from_record(&record).map_err(ApiError::internal)?;
    if record.status != crate::store::RoundStatus::Preview {
        return Err(ApiError::Conflict("this round has already been decided".into()));
    }
    let proposed: HashSet<Uuid> = round.body.proposals.iter().map(|p| p.mentee_id).collect();
    if let Some(ids) = &input.mentee_ids {
        if ids.is_empty() {
            return Err(ApiError::field("mentee_ids", "choose at least one proposal, or discard the round"));
        }
        if let Some(stray) = ids.iter().find(|id| !proposed.contains(id)) {
            return Err(ApiError::field("mentee_ids", format!("{stray} has no proposal in this round")));
        }
    }
    let data = engine::load(state.store.as_ref(), program_id).await?;
    // Say who no longer fits, by name; the store makes the same checks atomically.
    let constraints = data.constraints();
    for p in
        round.body.proposals.iter().filter(|p| input.mentee_ids.as_ref().is_none_or(|ids| ids.contains(&p.mentee_id)))
    {
        if let Some(problem) = constraints.problem(p.mentee_id, p.mentor_id) {
            return Err(ApiError::Conflict(format!(
                "{} with {} no longer fits: {problem}; nothing was approved",
                p.mentee_name, p.mentor_name
            )));
        }
    }
    worker::approve(&state, &data, id, round.body, input.mentee_ids.as_deref()).await?;
    let record = state.store.get_round(program_id, id).await?;
    Ok(Json(Round::from_record(&record).map_err(ApiError::internal)?))
}

#[utoipa::path(post, path = "/api/programs/{id}/matching/rounds/{round_id}/discard", tag = "matching",
    params(("id" = Uuid, Path), ("round_id" = Uuid, Path)),
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn discard_round(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Round>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    let record = state.store.discard_round(program_id, id, state.clock.now()).await?;
    Ok(Json(Round::from_record(&record).map_err(ApiError::internal)?))
}

// --- placing by hand ---

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PairQuery {
    pub mentee: Uuid,
    pub mentor: Uuid,
}

fn pair_error(e: PairError) -> ApiError {
    match e {
        PairError::NotMentee => ApiError::field("mentee", "is not a mentee of this program"),
        PairError::NotMentor => ApiError::field("mentor", "is not a mentor of this program"),
    }
}

/// A pair's score and explanation, and whether it can be placed now.
#[utoipa::path(get, path = "/api/programs/{id}/matching/score", tag = "matching", params(("id" = Uuid, Path), PairQuery),
    responses((status = 200, body = PairScore), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn score(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PairQuery>,
) -> Result<Json<PairScore>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    let scored =
        with_data(&state, program_id, move |data| engine::score_pair(&data, &data.weights, q.mentee, q.mentor)).await?;
    Ok(Json(scored.map_err(pair_error)?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceInput {
    pub mentee_id: Uuid,
    pub mentor_id: Uuid,
}

/// Propose a pair by hand (capacity, pauses and exclusions still apply).
#[utoipa::path(post, path = "/api/programs/{id}/matching/matches", tag = "matching", params(("id" = Uuid, Path)), request_body = PlaceInput,
    responses((status = 201, body = Match), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn place(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<PlaceInput>,
) -> Result<(StatusCode, Json<Match>), ApiError> {
    coordinator(&state, &me, program_id).await?;
    let (mentee, mentor) = (input.mentee_id, input.mentor_id);
    let scored =
        with_data(&state, program_id, move |data| engine::score_pair(&data, &data.weights, mentee, mentor)).await?;
    let scored = scored.map_err(|e| match e {
        PairError::NotMentee => ApiError::field("mentee_id", "is not a mentee of this program"),
        PairError::NotMentor => ApiError::field("mentor_id", "is not a mentor of this program"),
    })?;
    if let Some(problem) = scored.problem {
        return Err(ApiError::Conflict(problem));
    }
    let explanation = scored.explanations;
    let new = NewMatch {
        program_id,
        mentee_id: mentee,
        mentor_id: mentor,
        round_id: None,
        score: scored.score,
        explanation: serde_json::to_string(&explanation).map_err(ApiError::internal)?,
        mentor_capacity: scored.mentor_capacity,
    };
    let record = state.store.create_match(new, state.clock.now()).await?;
    state.work.notify_one();
    Ok((StatusCode::CREATED, Json(Match::view(&record, me.user.id, true))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchesQuery {
    pub status: Option<MatchStatus>,
}

#[utoipa::path(get, path = "/api/programs/{id}/matching/matches", tag = "matching", params(("id" = Uuid, Path), MatchesQuery),
    responses((status = 200, body = List<Match>), (status = 403, body = ErrorBody)))]
pub async fn program_matches(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<MatchesQuery>,
) -> Result<Json<List<Match>>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    let records = state.store.program_matches(program_id, q.status).await?;
    Ok(list(records.iter().map(|r| Match::view(r, me.user.id, true)).collect()))
}

// --- exclusions ---

#[utoipa::path(get, path = "/api/programs/{id}/matching/exclusions", tag = "matching", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<Exclusion>), (status = 403, body = ErrorBody)))]
pub async fn list_exclusions(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<Exclusion>>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    Ok(list(state.store.list_exclusions(program_id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusionInput {
    pub a: Uuid,
    pub b: Uuid,
    #[serde(default)]
    pub reason: String,
}

/// Never match these two.
#[utoipa::path(post, path = "/api/programs/{id}/matching/exclusions", tag = "matching", params(("id" = Uuid, Path)), request_body = ExclusionInput,
    responses((status = 201, body = Exclusion), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_exclusion(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ExclusionInput>,
) -> Result<(StatusCode, Json<Exclusion>), ApiError> {
    coordinator(&state, &me, program_id).await?;
    if input.a == input.b {
        return Err(ApiError::field("b", "must be someone other than a"));
    }
    for (field, id) in [("a", input.a), ("b", input.b)] {
        if state.store.role_in_program(program_id, id).await?.is_none() {
            return Err(ApiError::field(field, "is not a member of this program"));
        }
    }
    let reason = validate::optional("reason", Some(input.reason), 500)?.unwrap_or_default();
    let x = state.store.create_exclusion(program_id, input.a, input.b, &reason, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(x)))
}

#[utoipa::path(delete, path = "/api/programs/{id}/matching/exclusions/{exclusion_id}", tag = "matching",
    params(("id" = Uuid, Path), ("exclusion_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_exclusion(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    coordinator(&state, &me, program_id).await?;
    state.store.delete_exclusion(program_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- the two people ---

/// My matches and proposals in every program, newest first.
#[utoipa::path(get, path = "/api/me/matches", tag = "matching",
    responses((status = 200, body = List<Match>), (status = 401, body = ErrorBody)))]
pub async fn my_matches(State(state): State<AppState>, me: CurrentUser) -> Result<Json<List<Match>>, ApiError> {
    let records = state.store.user_matches(me.user.id).await?;
    Ok(list(records.iter().map(|r| Match::view(r, me.user.id, false)).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondInput {
    pub accept: bool,
    /// Why not (optional; seen by coordinators).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Accept or decline a proposal of mine. When both have accepted, the match is active and its
/// channel opens.
#[utoipa::path(post, path = "/api/matches/{id}/respond", tag = "matching", params(("id" = Uuid, Path)), request_body = RespondInput,
    responses((status = 200, body = Match), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn respond(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RespondInput>,
) -> Result<Json<Match>, ApiError> {
    let record = worker::respond(&state, me.user.id, id, input.accept, input.reason).await?;
    Ok(Json(Match::view(&record, me.user.id, false)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RematchInput {
    #[serde(default)]
    pub reason: Option<String>,
}

/// End a match and ask for another (either person, or a coordinator). The two are not matched again.
#[utoipa::path(post, path = "/api/matches/{id}/rematch", tag = "matching", params(("id" = Uuid, Path)), request_body = RematchInput,
    responses((status = 200, body = Match), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn rematch(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RematchInput>,
) -> Result<Json<Match>, ApiError> {
    let (record, coordinator) = worker::rematch(&state, &me.user, id, input.reason).await?;
    Ok(Json(Match::view(&record, me.user.id, coordinator)))
}
