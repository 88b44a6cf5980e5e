//! Each person's own program data: the surveys waiting for them and their answers (an answer
//! that says the match is not working raises an alert), asking a coordinator for support (which
//! Kindred offers them alone after check-ins of theirs that went badly), which emails they get and the signed
//! link that turns one kind off without signing in, and the download of everything Kindred holds
//! about them.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use futures_util::stream::{self, StreamExt};

use super::export::{EXPORT_PAGE, ExportFile, by_cursor};
use super::notify;
use super::{SurveyInvitation, parse_questions, raise, surveys, sweep};
use crate::domain::{Core, Error, Result, access, validate};
use crate::store::{MatchStatus, NotificationPrefsRow, PageRequest, PersonRef, RiskRule, User, from_millis, to_millis};
use crate::vocab::EmailKind;

/// Surveys waiting for my answers.
pub async fn open_surveys(core: &Core, me: &User) -> Result<Vec<SurveyInvitation>> {
    Ok(core.store.open_survey_invitations(me.id).await?.iter().map(SurveyInvitation::from_record).collect())
}

/// Answers a survey I was invited to, once. Returns the survey's id and whether my answer is
/// anonymous. A non-anonymous fit check that says the match is not working flags the pair when
/// the program's rules say so.
pub async fn answer(
    core: &Core,
    me: &User,
    invitation: Uuid,
    answers: &BTreeMap<String, Value>,
) -> Result<(Uuid, bool)> {
    let invitation = core.store.get_survey_invitation(invitation).await?;
    if invitation.user_id != me.id {
        return Err(Error::NotFound);
    }
    if invitation.answered_at.is_some() {
        return Err(Error::Conflict("this survey is already answered".into()));
    }
    let questions = parse_questions(&invitation.questions);
    let (answers, at_risk) = surveys::check_answers(&questions, answers)?;
    let json = serde_json::to_string(&answers).map_err(Error::internal)?;
    core.store.answer_survey(&invitation, &json, invitation.anonymous, core.clock.now()).await?;
    if at_risk
        && !invitation.anonymous
        && let Some(match_id) = invitation.match_id
    {
        let settings = core.store.risk_settings(invitation.program_id).await?.unwrap_or(sweep::DEFAULT_RISK);
        if settings.enabled && settings.fit_check {
            let detail = format!("a response to \"{}\" said the match is not working", invitation.title);
            raise(core, invitation.program_id, match_id, RiskRule::NotAGoodFit, Some(me.id), &detail)
                .await
                .map_err(Error::Internal)?;
        }
    }
    Ok((invitation.survey_id, invitation.anonymous))
}

// --- support ---

/// Whether one person's own check-in ratings of their calls with one match are falling: the
/// latest is 1 or 2, or at least `drop` below the mean of their earlier ones. Only that person is
/// ever told (Kindred asks whether they would like a coordinator's help); nobody else learns it.
pub fn ratings_falling(ratings: &[i32], drop: f64) -> bool {
    let Some((&latest, earlier)) = ratings.split_last() else { return false };
    if latest <= 2 {
        return true;
    }
    if earlier.is_empty() {
        return false;
    }
    let mean = earlier.iter().map(|&r| f64::from(r)).sum::<f64>() / earlier.len() as f64;
    mean - f64::from(latest) >= drop
}

/// The offer a person gets, and only they, after a check-in of theirs suggests a match is going
/// badly: to ask a coordinator of the program to get in touch.
#[derive(Clone, Debug)]
pub struct SupportOffer {
    pub match_id: Uuid,
    /// The other person of the match (named in the offer's words).
    pub with: PersonRef,
}

/// After `me` rated `call`: an offer of support when their own ratings of calls with that person
/// are falling, the program's at-risk rules are on and the match is still active. Nothing is
/// raised or shown to anyone else.
pub async fn support_offer(core: &Core, me: &User, call: Uuid, other: Uuid) -> Result<Option<SupportOffer>> {
    let Some(record) = core
        .store
        .user_matches(me.id)
        .await?
        .into_iter()
        .find(|m| m.status == MatchStatus::Active && access::counterpart(m, me.id).ok() == Some(other))
    else {
        return Ok(None);
    };
    let settings = core.store.risk_settings(record.program_id).await?.unwrap_or(sweep::DEFAULT_RISK);
    if !settings.enabled || !ratings_falling(&core.store.own_ratings_of_pair(me.id, call).await?, settings.rating_drop)
    {
        return Ok(None);
    }
    let name = if record.mentee_id == other { record.mentee_name } else { record.mentor_name };
    Ok(Some(SupportOffer { match_id: record.id, with: PersonRef { user_id: other, name } }))
}

/// `me` asks the program's coordinators to get in touch about their active match, with optional
/// words of their own: an alert that names them (and shows their words) to coordinators only.
/// The other person is not told. Asking again while the first request is open is a conflict.
pub async fn ask_for_support(core: &Core, me: &User, match_id: Uuid, note: Option<String>) -> Result<()> {
    let note = validate::optional("note", note, 1000)?;
    let record = core.store.get_match(match_id).await?;
    access::counterpart(&record, me.id)?;
    if record.status != MatchStatus::Active {
        return Err(Error::Conflict("this match has ended; write to your program's coordinators instead".into()));
    }
    let detail = match note {
        Some(words) => format!("{} asked a coordinator to get in touch: \u{201c}{words}\u{201d}", me.name),
        None => format!("{} asked a coordinator to get in touch", me.name),
    };
    let raised = raise(core, record.program_id, match_id, RiskRule::SupportRequested, Some(me.id), &detail)
        .await
        .map_err(Error::Internal)?;
    if !raised {
        return Err(Error::Conflict("you already asked; a coordinator will get in touch".into()));
    }
    Ok(())
}

/// The "get help now" panels of my programs that have one.
pub async fn my_help(core: &Core, me: &User) -> Result<Vec<crate::store::ProgramHelpRow>> {
    Ok(core.store.help_for(me.id).await?)
}

/// Which emails I get.
pub async fn email_settings(core: &Core, me: &User) -> Result<NotificationPrefsRow> {
    Ok(core.store.notification_prefs(me.id).await?)
}

pub async fn save_email_settings(core: &Core, me: &User, prefs: NotificationPrefsRow) -> Result<NotificationPrefsRow> {
    core.store.put_notification_prefs(me.id, prefs).await?;
    Ok(prefs)
}

/// Turns off the kind of email an unsubscribe link names. Returns the kind and the address it
/// was going to.
pub async fn unsubscribe(core: &Core, token: &str) -> Result<(EmailKind, String)> {
    const INVALID: &str = "this unsubscribe link is not valid";
    let key = notify::signing_key(core).await?;
    let (user, kind) = notify::verify(&key, token.trim(), core.clock.now()).map_err(|e| {
        Error::Malformed(
            match e {
                notify::TokenError::Expired => {
                    "this unsubscribe link has expired; change your email settings in Kindred"
                }
                _ => INVALID,
            }
            .into(),
        )
    })?;
    // The person may have deleted their account since the email went out.
    let account = core.store.get_user(user).await.map_err(|_| Error::Malformed(INVALID.into()))?;
    let mut prefs = core.store.notification_prefs(user).await?;
    prefs.set(kind, false);
    core.store.put_notification_prefs(user, prefs).await?;
    Ok((kind, account.email))
}

/// Everything Kindred holds about me, as one JSON document written as it is read: the messages
/// I wrote (which grow without bound) a page at a time, the rest before them.
pub async fn export(core: &Core, me: &User) -> Result<ExportFile> {
    let id = me.id;
    let store = core.store.as_ref();
    let time = |ms: i64| from_millis(ms).format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let memberships: Vec<Value> = store
        .memberships(id)
        .await?
        .into_iter()
        .map(|(program, name, role)| json!({"program_id": program, "program": name, "role": role.as_str()}))
        .collect();
    let questionnaires: Vec<Value> = store
        .own_questionnaires(id)
        .await?
        .into_iter()
        .map(|(program, answers, completed)| {
            json!({"program_id": program, "answers": serde_json::from_str::<Value>(&answers).unwrap_or_default(),
                   "completed_at": completed.map(time)})
        })
        .collect();
    let matches: Vec<Value> = store
        .user_matches(id)
        .await?
        .into_iter()
        .map(|m| {
            json!({
                "id": m.id, "program_id": m.program_id, "status": m.status.as_str(), "mentee": m.mentee_name,
                "mentor": m.mentor_name, "created_at": time(to_millis(m.created_at)),
            })
        })
        .collect();
    let meetings: Vec<Value> = store
        .user_meetings(id)
        .await?
        .into_iter()
        .map(|m| {
            json!({
                "id": m.id, "program_id": m.program_id, "match_id": m.match_id,
                "organizer": {"user_id": m.organizer.user_id, "name": m.organizer.name},
                "invitee": {"user_id": m.invitee.user_id, "name": m.invitee.name},
                "title": m.title, "agenda": m.agenda, "starts_at": time(to_millis(m.starts_at)),
                "duration_min": m.duration_min, "status": m.status.as_str(), "proposed_by": m.proposed_by,
                "updated_at": time(to_millis(m.updated_at)),
            })
        })
        .collect();
    let checkins: Vec<Value> = store
        .own_checkins(id)
        .await?
        .into_iter()
        .map(|(call, rating, note, at)| json!({"call_id": call, "rating": rating, "note": note, "at": time(at)}))
        .collect();
    let raised: Vec<Value> = store
        .own_alerts(id)
        .await?
        .into_iter()
        .map(|(program, rule, detail, at, resolved)| {
            json!({"program_id": program, "rule": rule, "detail": detail, "raised_at": time(at),
                   "resolved_at": resolved.map(time)})
        })
        .collect();
    let responses: Vec<Value> = store
        .own_survey_responses(id)
        .await?
        .into_iter()
        .map(|(title, answers, at)| {
            json!({"survey": title, "answers": serde_json::from_str::<Value>(&answers).unwrap_or_default(), "at": time(at)})
        })
        .collect();
    // The people I blocked (never those who blocked me: that is theirs).
    let blocks: Vec<Value> = store
        .blocks_by(id, PageRequest::ALL)
        .await?
        .items
        .into_iter()
        .map(|b| json!({"user_id": b.user_id, "name": b.name, "blocked_at": time(b.created_at)}))
        .collect();
    // Reports I made (whether they were reviewed, not what was done), and what coordinators did
    // about reports about me (never who reported).
    let reports: Vec<Value> = store
        .reports_by(id, PageRequest::ALL)
        .await?
        .items
        .into_iter()
        .map(|r| {
            json!({"id": r.id, "program_id": r.program_id, "kind": r.kind.as_str(), "category": r.category.as_str(),
                   "note": r.note, "about": {"user_id": r.subject_id, "name": r.subject_name},
                   "created_at": time(r.created_at), "reviewed": r.closed_at.is_some()})
        })
        .collect();
    let actions: Vec<Value> = store
        .actions_about(id)
        .await?
        .into_iter()
        .map(|r| json!({"program_id": r.program_id, "action": r.outcome, "at": r.closed_at.map(time)}))
        .collect();
    // Moderation of me outside reports too: my mute (while it stands) and where I am suspended.
    let mutes: Vec<Value> = store
        .mutes_of(id, 0)
        .await?
        .into_iter()
        .map(|(program, until)| json!({"program_id": program, "until": time(until)}))
        .collect();
    let suspended: Vec<Value> =
        store.suspended_programs(id).await?.into_iter().map(|program| json!({"program_id": program})).collect();
    let acceptances: Vec<Value> = store
        .own_acceptances(id)
        .await?
        .into_iter()
        .map(|(program, version, at)| json!({"program_id": program, "version": version, "accepted_at": time(at)}))
        .collect();
    let prefs = store.notification_prefs(id).await?;
    let user = store.get_user(id).await?;
    let head = json!({
        "exported_at": time(to_millis(core.clock.now())),
        "profile": {
            "id": user.id, "email": user.email, "name": user.name, "pronouns": user.pronouns,
            "institution": user.institution, "career_stage": user.career_stage.map(|c| c.as_str()),
            "time_zone": user.time_zone, "is_admin": user.is_admin, "can_create_programs": user.can_create_programs,
            "created_at": time(to_millis(user.created_at)),
        },
        "memberships": memberships,
        "questionnaires": questionnaires,
        "matches": matches,
        "meetings": meetings,
        "checkins": checkins,
        "raised_with_coordinators": raised,
        "blocked": blocks,
        "reports_made": reports,
        "actions_about_me": actions,
        "conduct_accepted": acceptances,
        "muted": mutes,
        "suspended_from": suspended,
        "survey_responses": responses,
        "notifications": {
            "message_digest": prefs.message_digest,
            "meeting_reminders": prefs.meeting_reminders,
            "survey_invitations": prefs.survey_invitations,
            "match_proposals": prefs.match_proposals,
        },
    });
    // The document so far without its closing brace, then `"messages": [` and a page of them
    // at a time (each on a line of its own), then the closing brackets.
    let head = serde_json::to_string(&head).map_err(Error::internal)?;
    let open = format!("{},\n\"messages\": [\n", head.strip_suffix('}').unwrap_or(&head));
    let core = core.clone();
    let messages = by_cursor(move |after| {
        let core = core.clone();
        async move {
            let page = core.store.authored_messages(id, PageRequest { after, limit: EXPORT_PAGE }).await?;
            let mut chunk = String::new();
            for m in &page.items {
                // A comma before every message but the first of the document.
                if after.is_some() || !chunk.is_empty() {
                    chunk.push_str(",\n");
                }
                let message = json!({"channel_id": m.channel_id, "seq": m.seq, "text": m.body, "sent_at": time(m.created_at),
                                     "edited_at": m.edited_at.map(time), "deleted_at": m.deleted_at.map(time)});
                chunk.push_str(&message.to_string());
            }
            Ok((chunk, page.next))
        }
    });
    let chunks = stream::iter([Ok(open)]).chain(messages).chain(stream::iter([Ok("\n]}\n".to_owned())])).boxed();
    Ok(ExportFile { filename: "kindred-my-data.json".into(), chunks })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falling_ratings() {
        assert!(!ratings_falling(&[], 1.5));
        assert!(!ratings_falling(&[4], 1.5));
        assert!(ratings_falling(&[2], 1.5));
        assert!(ratings_falling(&[5, 5, 3], 1.5));
        assert!(!ratings_falling(&[4, 5, 4], 1.5));
    }
}
