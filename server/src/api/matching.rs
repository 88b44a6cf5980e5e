//! Matching over HTTP (docs/matching.md): the questionnaire, the taxonomy and custom questions,
//! weights, rounds and their review, placing by hand, the do-not-match list, and the two people's
//! answers to a proposal. The rules are `domain::matching`'s; these parse and shape.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, List};
use crate::domain::matching::setup::{self, QuestionDraft, Questionnaire};
use crate::domain::matching::views;
use crate::domain::matching::{rounds, worker};
use crate::state::AppState;
use crate::store::{Audience, MatchStatus, QuestionKind, Role};
use crate::wire::matching::{Answers, Match, PairScore, Round, Weights};
use crate::wire::{self, Exclusion, Interest, Question};

fn list<R, T: ToSchema + From<R>>(items: Vec<R>) -> Json<List<T>> {
    Json(List { items: wire::all(items), next_cursor: None })
}

// --- questionnaire ---

/// Who a questionnaire is filled in as: coordinators have none.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionnaireRole {
    Mentee,
    Mentor,
}

/// My questionnaire in a program, with what it asks.
#[derive(Serialize, ToSchema)]
pub struct QuestionnaireView {
    pub role: QuestionnaireRole,
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

impl From<Questionnaire> for QuestionnaireView {
    fn from(q: Questionnaire) -> Self {
        QuestionnaireView {
            // The domain gives questionnaires to mentees and mentors only.
            role: if q.role == Role::Mentor { QuestionnaireRole::Mentor } else { QuestionnaireRole::Mentee },
            answers: q.answers.into(),
            completed_at: q.completed_at,
            updated_at: q.updated_at,
            questions: wire::all(q.questions),
            interests: wire::all(q.interests),
        }
    }
}

#[utoipa::path(get, path = "/api/programs/{id}/questionnaire", tag = "matching", params(("id" = Uuid, Path)),
    responses((status = 200, body = QuestionnaireView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_questionnaire(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<QuestionnaireView>, ApiError> {
    Ok(Json(setup::questionnaire(&state, &me.user, program_id).await?.into()))
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
    let saved = setup::save_questionnaire(&state, &me.user, program_id, input.answers.into(), input.complete).await?;
    Ok(Json(saved.into()))
}

// --- taxonomy and questions ---

#[utoipa::path(get, path = "/api/programs/{id}/interests", tag = "matching", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<Interest>), (status = 404, body = ErrorBody)))]
pub async fn list_interests(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<Interest>>, ApiError> {
    Ok(list(setup::interests(&state, &me.user, program_id).await?))
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
    let interest = setup::add_interest(&state, &me.user, program_id, &input.label).await?;
    Ok((StatusCode::CREATED, Json(interest.into())))
}

#[utoipa::path(delete, path = "/api/programs/{id}/interests/{interest_id}", tag = "matching",
    params(("id" = Uuid, Path), ("interest_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_interest(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    setup::remove_interest(&state, &me.user, program_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/programs/{id}/questions", tag = "matching", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<Question>), (status = 404, body = ErrorBody)))]
pub async fn list_questions(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<Question>>, ApiError> {
    Ok(list(setup::questions(&state, &me.user, program_id).await?))
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
    let draft = QuestionDraft {
        prompt: input.prompt,
        kind: input.kind,
        options: input.options,
        audience: input.audience,
        required: input.required,
        feeds_matching: input.feeds_matching,
    };
    Ok((StatusCode::CREATED, Json(setup::add_question(&state, &me.user, program_id, draft).await?.into())))
}

#[utoipa::path(delete, path = "/api/programs/{id}/questions/{question_id}", tag = "matching",
    params(("id" = Uuid, Path), ("question_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_question(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    setup::remove_question(&state, &me.user, program_id, id).await?;
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
    let (weights, auto_match) = setup::settings(&state, &me.user, program_id).await?;
    Ok(Json(MatchingSettings { weights: weights.into(), auto_match }))
}

#[utoipa::path(put, path = "/api/programs/{id}/matching/settings", tag = "matching", params(("id" = Uuid, Path)), request_body = MatchingSettings,
    responses((status = 200, body = MatchingSettings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<MatchingSettings>,
) -> Result<Json<MatchingSettings>, ApiError> {
    setup::save_settings(&state, &me.user, program_id, input.weights.into(), input.auto_match).await?;
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

/// What a round with these weights would propose; nothing is stored.
#[utoipa::path(post, path = "/api/programs/{id}/matching/preview", tag = "matching", params(("id" = Uuid, Path)), request_body = RoundInput,
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RoundInput>,
) -> Result<Json<Round>, ApiError> {
    Ok(Json(rounds::preview(&state, &me.user, program_id, input.weights.map(Into::into)).await?.into()))
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
    Ok((
        StatusCode::CREATED,
        Json(rounds::run(&state, &me.user, program_id, input.weights.map(Into::into)).await?.into()),
    ))
}

#[utoipa::path(get, path = "/api/programs/{id}/matching/rounds", tag = "matching", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<Round>), (status = 403, body = ErrorBody)))]
pub async fn list_rounds(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<Round>>, ApiError> {
    Ok(list(rounds::list(&state, &me.user, program_id).await?))
}

#[utoipa::path(get, path = "/api/programs/{id}/matching/rounds/{round_id}", tag = "matching",
    params(("id" = Uuid, Path), ("round_id" = Uuid, Path)),
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_round(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Round>, ApiError> {
    Ok(Json(rounds::get(&state, &me.user, program_id, id).await?.into()))
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
    Ok(Json(rounds::approve(&state, &me.user, program_id, id, input.mentee_ids).await?.into()))
}

#[utoipa::path(post, path = "/api/programs/{id}/matching/rounds/{round_id}/discard", tag = "matching",
    params(("id" = Uuid, Path), ("round_id" = Uuid, Path)),
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn discard_round(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Round>, ApiError> {
    Ok(Json(rounds::discard(&state, &me.user, program_id, id).await?.into()))
}

// --- placing by hand ---

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PairQuery {
    pub mentee: Uuid,
    pub mentor: Uuid,
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
    Ok(Json(rounds::score(&state, &me.user, program_id, q.mentee, q.mentor).await?.into()))
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
    let placed = rounds::place(&state, &me.user, program_id, input.mentee_id, input.mentor_id).await?;
    Ok((StatusCode::CREATED, Json(placed.into())))
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
    Ok(list(rounds::program_matches(&state, &me.user, program_id, q.status).await?))
}

// --- exclusions ---

#[utoipa::path(get, path = "/api/programs/{id}/matching/exclusions", tag = "matching", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<Exclusion>), (status = 403, body = ErrorBody)))]
pub async fn list_exclusions(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<Exclusion>>, ApiError> {
    Ok(list(setup::exclusions(&state, &me.user, program_id).await?))
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
    let x = setup::exclude(&state, &me.user, program_id, input.a, input.b, input.reason).await?;
    Ok((StatusCode::CREATED, Json(x.into())))
}

#[utoipa::path(delete, path = "/api/programs/{id}/matching/exclusions/{exclusion_id}", tag = "matching",
    params(("id" = Uuid, Path), ("exclusion_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_exclusion(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    setup::remove_exclusion(&state, &me.user, program_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- the two people ---

/// My matches and proposals in every program, newest first.
#[utoipa::path(get, path = "/api/me/matches", tag = "matching",
    responses((status = 200, body = List<Match>), (status = 401, body = ErrorBody)))]
pub async fn my_matches(State(state): State<AppState>, me: CurrentUser) -> Result<Json<List<Match>>, ApiError> {
    Ok(list(rounds::mine(&state, &me.user).await?))
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
    Ok(Json(views::Match::view(&record, me.user.id, false).into()))
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
    Ok(Json(views::Match::view(&record, me.user.id, coordinator).into()))
}
