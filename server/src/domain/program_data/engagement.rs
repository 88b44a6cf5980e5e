//! Engagement per pair and the program's dashboard, computed from counts and times the store
//! returns (never a message's text). Weeks start on Monday.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::store::PersonRef;
use crate::store::{AlertRow, MatchStatus, PairRow, ProgramActivity, Role, RosterRow, from_millis, pair_key};

const WEEK_MS: i64 = 7 * 86_400_000;
/// 1970-01-05, the first Monday after the epoch.
const MONDAY_OFFSET_MS: i64 = 4 * 86_400_000;

pub fn week_of(ms: i64) -> i64 {
    (ms - MONDAY_OFFSET_MS).div_euclid(WEEK_MS)
}

pub fn week_start(week: i64) -> Date {
    let first_monday = Date::from_calendar_date(1970, time::Month::January, 5).expect("a valid date");
    first_monday + time::Duration::weeks(week)
}

fn date_ms(d: Date) -> i64 {
    (d.midnight().assume_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// One pair's engagement.
#[derive(Clone, Debug)]
pub struct PairEngagement {
    pub match_id: Uuid,
    pub mentee: PersonRef,
    pub mentor: PersonRef,
    /// `active` or `ended`.
    pub status: MatchStatus,
    pub activated_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    pub messages_from_mentee: i64,
    pub messages_from_mentor: i64,
    /// Calls both people joined.
    pub meetings: i64,
    pub minutes_met: i64,
    /// The latest message or meeting.
    pub last_contact_at: Option<OffsetDateTime>,
    /// Minutes from the pair's first message to the other person's first message.
    pub first_reply_minutes: Option<i64>,
    /// Rules of the pair's open alerts.
    pub at_risk: Vec<String>,
    /// Milliseconds of each meeting's end, for date filters.
    pub meeting_ends: Vec<i64>,
    pub activated_ms: i64,
    pub last_contact_ms: i64,
}

/// Engagement of every pair that became active, in order of activation.
pub fn engagement(activity: &ProgramActivity, alerts: &[AlertRow]) -> Vec<PairEngagement> {
    let mut by_pair: HashMap<Uuid, PairEngagement> = HashMap::new();
    let mut channel_pair: HashMap<Uuid, Uuid> = HashMap::new();
    let mut key_pairs: HashMap<String, Vec<Uuid>> = HashMap::new();
    let mut order = Vec::new();
    for p in activity.pairs.iter().filter(|p| p.activated_at.is_some()) {
        order.push(p.id);
        if let Some(c) = p.channel_id {
            channel_pair.insert(c, p.id);
        }
        key_pairs.entry(pair_key(p.mentee_id, p.mentor_id)).or_default().push(p.id);
        by_pair.insert(p.id, new_engagement(p));
    }
    let mut firsts: HashMap<Uuid, Vec<i64>> = HashMap::new();
    for m in &activity.messages {
        let Some(e) = channel_pair.get(&m.channel_id).and_then(|id| by_pair.get_mut(id)) else { continue };
        if m.sender_id == e.mentee.user_id {
            e.messages_from_mentee += m.count;
        } else {
            e.messages_from_mentor += m.count;
        }
        e.last_contact_ms = e.last_contact_ms.max(m.last_at);
        firsts.entry(e.match_id).or_default().push(m.first_at);
    }
    for (id, mut times) in firsts {
        if times.len() == 2 {
            times.sort_unstable();
            by_pair.get_mut(&id).expect("a pair").first_reply_minutes = Some((times[1] - times[0]) / 60_000);
        }
    }
    // A meeting belongs to the pair's match that was active when it ended.
    let owner = |key: &str, at: i64, by_pair: &HashMap<Uuid, PairEngagement>| -> Option<Uuid> {
        key_pairs.get(key)?.iter().copied().find(|id| {
            let e = &by_pair[id];
            at >= e.activated_ms && e.ended_at.is_none_or(|end| at <= to_ms(end))
        })
    };
    for meeting in &activity.meetings {
        if let Some(id) = owner(&meeting.pair_key, meeting.ended_at, &by_pair) {
            let e = by_pair.get_mut(&id).expect("a pair");
            e.meetings += 1;
            e.minutes_met += meeting.duration_ms / 60_000;
            e.meeting_ends.push(meeting.ended_at);
            e.last_contact_ms = e.last_contact_ms.max(meeting.ended_at);
        }
    }
    for alert in alerts.iter().filter(|a| a.resolved_at.is_none()) {
        if let Some(e) = by_pair.get_mut(&alert.match_id) {
            e.at_risk.push(alert.rule.as_str().to_owned());
        }
    }
    order
        .into_iter()
        .filter_map(|id| by_pair.remove(&id))
        .map(|mut e| {
            if e.last_contact_ms > 0 {
                e.last_contact_at = Some(from_millis(e.last_contact_ms));
            }
            e
        })
        .collect()
}

fn to_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn new_engagement(p: &PairRow) -> PairEngagement {
    let activated_ms = p.activated_at.unwrap_or(p.created_at);
    PairEngagement {
        match_id: p.id,
        mentee: PersonRef { user_id: p.mentee_id, name: p.mentee_name.clone() },
        mentor: PersonRef { user_id: p.mentor_id, name: p.mentor_name.clone() },
        status: p.status,
        activated_at: from_millis(activated_ms),
        ended_at: p.ended_at.map(from_millis),
        messages_from_mentee: 0,
        messages_from_mentor: 0,
        meetings: 0,
        minutes_met: 0,
        last_contact_at: None,
        first_reply_minutes: None,
        at_risk: Vec::new(),
        meeting_ends: Vec::new(),
        activated_ms,
        last_contact_ms: 0,
    }
}

#[derive(Clone, Debug)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

#[derive(Clone, Debug)]
pub struct Participants {
    pub by_role: Vec<Count>,
    pub by_stage: Vec<Count>,
    /// Mentees and mentors: `matched`, `proposed`, `waiting`, `questionnaire_pending`, `paused`.
    pub by_status: Vec<Count>,
}

#[derive(Clone, Debug)]
pub struct MatchesWeek {
    /// The Monday, `YYYY-MM-DD`.
    pub week: String,
    pub activated: i64,
    pub ended: i64,
}

#[derive(Clone, Debug)]
pub struct ActivePairsWeek {
    pub week: String,
    pub pairs: i64,
}

#[derive(Clone, Debug)]
pub struct MeetingsBucket {
    /// `0`, `1`, `2`, `3-5` or `6+` meetings.
    pub bucket: String,
    pub pairs: i64,
}

#[derive(Clone, Debug)]
pub struct AtRisk {
    pub open: i64,
    pub by_rule: Vec<Count>,
}

/// What the dashboard shows apart from surveys.
#[derive(Clone, Debug)]
pub struct Overview {
    pub participants: Participants,
    pub matches_over_time: Vec<MatchesWeek>,
    pub weekly_active_pairs: Vec<ActivePairsWeek>,
    pub meetings_per_pair: Vec<MeetingsBucket>,
    pub at_risk: AtRisk,
    /// The program's cohorts, for the filter.
    pub cohorts: Vec<String>,
}

/// The dashboard's filters.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub cohort: Option<String>,
    pub from: Option<Date>,
    /// Inclusive.
    pub to: Option<Date>,
}

fn counts(keys: impl Iterator<Item = String>) -> Vec<Count> {
    let mut map: BTreeMap<String, i64> = BTreeMap::new();
    for k in keys {
        *map.entry(k).or_default() += 1;
    }
    map.into_iter().map(|(key, count)| Count { key, count }).collect()
}

/// Whether a mentor has paused (the questionnaire's `accepting` is false).
fn paused(p: &RosterRow) -> bool {
    p.answers
        .as_deref()
        .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
        .and_then(|v| v.get("accepting").and_then(|a| a.as_bool()))
        == Some(false)
}

/// Where each mentee and mentor stands: `matched`, `proposed`, `waiting` (questionnaire done),
/// `questionnaire_pending` or `paused` (a mentor not accepting mentees).
pub fn statuses(participants: &[RosterRow], activity: &ProgramActivity) -> HashMap<Uuid, String> {
    statuses_among(participants, activity.pairs.iter().map(|m| (m.mentee_id, m.mentor_id, m.status.as_str())))
}

/// [`statuses`] from the pairs (mentee, mentor, status) that include the participants: an
/// export's page of people and their open pairs.
pub fn statuses_among<'a>(
    participants: &[RosterRow],
    pairs: impl IntoIterator<Item = (Uuid, Uuid, &'a str)>,
) -> HashMap<Uuid, String> {
    let mut status_of: HashMap<Uuid, &str> = HashMap::new();
    for (mentee, mentor, status) in pairs {
        let s = match status {
            "active" => "matched",
            "proposed" => "proposed",
            _ => continue,
        };
        for u in [mentee, mentor] {
            // A mentor with one active pair is matched, even with proposals pending.
            if status_of.get(&u) != Some(&"matched") {
                status_of.insert(u, s);
            }
        }
    }
    participants
        .iter()
        .filter(|p| p.role != Role::Coordinator)
        .map(|p| {
            let s = if p.role == Role::Mentor && paused(p) {
                "paused"
            } else if let Some(s) = status_of.get(&p.user_id) {
                s
            } else if p.completed_at.is_some() {
                "waiting"
            } else {
                "questionnaire_pending"
            };
            (p.user_id, s.to_owned())
        })
        .collect()
}

pub fn overview(
    participants: &[RosterRow],
    activity: &ProgramActivity,
    pairs: &[PairEngagement],
    alerts: &[AlertRow],
    filter: &Filter,
) -> Overview {
    let cohorts: BTreeSet<String> = participants.iter().map(|p| p.cohort.clone()).filter(|c| !c.is_empty()).collect();
    let in_cohort: BTreeSet<Uuid> = participants
        .iter()
        .filter(|p| filter.cohort.as_ref().is_none_or(|c| &p.cohort == c))
        .map(|p| p.user_id)
        .collect();
    let people: Vec<&RosterRow> = participants.iter().filter(|p| in_cohort.contains(&p.user_id)).collect();
    let pair_in = |mentee: Uuid, mentor: Uuid| in_cohort.contains(&mentee) || in_cohort.contains(&mentor);

    let status = statuses(participants, activity);
    let participants_out = Participants {
        by_role: counts(people.iter().map(|p| p.role.as_str().to_owned())),
        by_stage: counts(
            people
                .iter()
                .filter(|p| p.role != Role::Coordinator)
                .map(|p| p.career_stage.clone().unwrap_or("not_given".into())),
        ),
        by_status: counts(people.iter().filter_map(|p| status.get(&p.user_id).cloned())),
    };

    let from_ms = filter.from.map(date_ms);
    let until_ms = filter.to.map(|d| date_ms(d) + 86_400_000);
    let within = |ms: i64| from_ms.is_none_or(|f| ms >= f) && until_ms.is_none_or(|t| ms < t);
    let pairs: Vec<&PairEngagement> = pairs.iter().filter(|p| pair_in(p.mentee.user_id, p.mentor.user_id)).collect();

    let mut activated: BTreeMap<i64, i64> = BTreeMap::new();
    let mut ended: BTreeMap<i64, i64> = BTreeMap::new();
    for p in &pairs {
        if within(p.activated_ms) {
            *activated.entry(week_of(p.activated_ms)).or_default() += 1;
        }
        if let Some(end) = p.ended_at.map(to_ms).filter(|e| within(*e)) {
            *ended.entry(week_of(end)).or_default() += 1;
        }
    }
    let channel_pair: HashMap<Uuid, Uuid> = activity
        .pairs
        .iter()
        .filter(|p| pair_in(p.mentee_id, p.mentor_id))
        .filter_map(|p| p.channel_id.map(|c| (c, p.id)))
        .collect();
    let mut active: BTreeMap<i64, BTreeSet<Uuid>> = BTreeMap::new();
    for w in &activity.active_weeks {
        let start = date_ms(week_start(w.week));
        if let Some(pair) = channel_pair.get(&w.channel_id)
            && (within(start) || within(start + WEEK_MS - 1))
        {
            active.entry(w.week).or_default().insert(*pair);
        }
    }
    for p in &pairs {
        for end in p.meeting_ends.iter().filter(|e| within(**e)) {
            active.entry(week_of(*end)).or_default().insert(p.match_id);
        }
    }
    let weeks = |series: &[&BTreeMap<i64, i64>], extra: Option<&BTreeMap<i64, BTreeSet<Uuid>>>| -> Vec<i64> {
        let mut keys: BTreeSet<i64> = series.iter().flat_map(|m| m.keys().copied()).collect();
        if let Some(e) = extra {
            keys.extend(e.keys().copied());
        }
        let first = from_ms.map(week_of).or(keys.first().copied());
        let last = until_ms.map(|t| week_of(t - 1)).or(keys.last().copied());
        match (first, last) {
            // At most five years of weeks.
            (Some(a), Some(b)) if a <= b => (a.max(b - 260)..=b).collect(),
            _ => Vec::new(),
        }
    };
    let matches_over_time = weeks(&[&activated, &ended], None)
        .into_iter()
        .map(|w| MatchesWeek {
            week: week_start(w).to_string(),
            activated: activated.get(&w).copied().unwrap_or(0),
            ended: ended.get(&w).copied().unwrap_or(0),
        })
        .collect();
    let weekly_active_pairs = weeks(&[], Some(&active))
        .into_iter()
        .map(|w| ActivePairsWeek {
            week: week_start(w).to_string(),
            pairs: active.get(&w).map_or(0, |s| s.len() as i64),
        })
        .collect();
    let mut buckets = [0i64; 5];
    for p in &pairs {
        let n = p.meeting_ends.iter().filter(|e| within(**e)).count();
        buckets[match n {
            0 => 0,
            1 => 1,
            2 => 2,
            3..=5 => 3,
            _ => 4,
        }] += 1;
    }
    let meetings_per_pair = ["0", "1", "2", "3-5", "6+"]
        .into_iter()
        .zip(buckets)
        .map(|(bucket, pairs)| MeetingsBucket { bucket: bucket.to_owned(), pairs })
        .collect();
    let open: Vec<&AlertRow> =
        alerts.iter().filter(|a| a.resolved_at.is_none() && pair_in(a.mentee_id, a.mentor_id)).collect();
    Overview {
        participants: participants_out,
        matches_over_time,
        weekly_active_pairs,
        meetings_per_pair,
        at_risk: AtRisk { open: open.len() as i64, by_rule: counts(open.iter().map(|a| a.rule.as_str().to_owned())) },
        cohorts: cohorts.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{MeetingStat, MessageStat};

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-27 is a Friday; its week starts on Monday 2026-11-23.
        let friday = Date::from_calendar_date(2026, time::Month::November, 27).unwrap();
        assert_eq!(week_start(week_of(date_ms(friday) + 3_600_000)).to_string(), "2026-11-23");
        let monday = Date::from_calendar_date(2026, time::Month::November, 23).unwrap();
        assert_eq!(week_of(date_ms(monday)), week_of(date_ms(friday)));
        assert_eq!(week_of(date_ms(monday) - 1), week_of(date_ms(monday)) - 1);
    }

    #[test]
    fn engagement_counts_each_way_meetings_and_first_reply() {
        let (mentee, mentor, channel, pair) =
            (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3), Uuid::from_u128(4));
        let activity = ProgramActivity {
            pairs: vec![PairRow {
                id: pair,
                mentee_id: mentee,
                mentee_name: "Nia".into(),
                mentor_id: mentor,
                mentor_name: "Kwame".into(),
                status: crate::store::MatchStatus::Active,
                score: 1.0,
                created_at: 0,
                activated_at: Some(1_000),
                ended_at: None,
                channel_id: Some(channel),
            }],
            messages: vec![
                MessageStat { channel_id: channel, sender_id: mentee, count: 3, first_at: 60_000, last_at: 900_000 },
                MessageStat { channel_id: channel, sender_id: mentor, count: 2, first_at: 660_000, last_at: 700_000 },
            ],
            meetings: vec![MeetingStat {
                id: Uuid::from_u128(9),
                pair_key: pair_key(mentee, mentor),
                ended_at: 2_000_000,
                duration_ms: 30 * 60_000,
            }],
            active_weeks: vec![],
        };
        let e = engagement(&activity, &[]);
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].messages_from_mentee, e[0].messages_from_mentor), (3, 2));
        assert_eq!((e[0].meetings, e[0].minutes_met), (1, 30));
        assert_eq!(e[0].first_reply_minutes, Some(10));
        assert_eq!(e[0].last_contact_ms, 2_000_000);
    }
}
