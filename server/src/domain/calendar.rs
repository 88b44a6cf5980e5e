//! Calendars: meetings and group events as iCalendar (RFC 5545) entries, for one `.ics` file or a
//! person's private feed. Pure text building; the capabilities decide what goes in.

use time::OffsetDateTime;

use crate::store::{EventStatus, GroupEventRow, Meeting, MeetingStatus, from_millis};

/// Text escaped for an iCalendar property value (RFC 5545, 3.3.11).
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace("\r\n", "\\n").replace('\n', "\\n")
}

/// Folds a content line at 75 octets, without splitting a character (RFC 5545, 3.1).
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

fn ics_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// One entry of a calendar: a meeting of a pair or a group event.
pub struct CalendarEntry {
    pub uid: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub summary: String,
    pub description: String,
    pub url: String,
    /// `CONFIRMED`, `TENTATIVE` or `CANCELLED`.
    pub status: &'static str,
    pub updated_at: OffsetDateTime,
}

impl CalendarEntry {
    pub fn meeting(m: &Meeting, public_url: &str) -> Self {
        CalendarEntry {
            uid: format!("{}@kindred", m.id),
            starts_at: m.starts_at,
            ends_at: m.ends_at(),
            summary: m.title.clone(),
            description: format!("{} and {}\n\n{}", m.organizer.name, m.invitee.name, m.agenda),
            url: format!("{public_url}/meetings"),
            status: match m.status {
                MeetingStatus::Accepted => "CONFIRMED",
                MeetingStatus::Proposed => "TENTATIVE",
                MeetingStatus::Declined | MeetingStatus::Cancelled => "CANCELLED",
            },
            updated_at: m.updated_at,
        }
    }
}

/// An iCalendar document with the given entries.
pub fn calendar(entries: &[CalendarEntry], now: OffsetDateTime) -> String {
    let mut out = String::new();
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kindred//Mentoring meetings//EN", "CALSCALE:GREGORIAN"] {
        out.push_str(&fold(line));
    }
    for e in entries {
        let lines = [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", e.uid),
            format!("DTSTAMP:{}", ics_time(now)),
            format!("DTSTART:{}", ics_time(e.starts_at)),
            format!("DTEND:{}", ics_time(e.ends_at)),
            format!("SUMMARY:{}", ics_text(&e.summary)),
            format!("DESCRIPTION:{}", ics_text(&e.description)),
            format!("URL:{}", e.url),
            format!("STATUS:{}", e.status),
            format!("LAST-MODIFIED:{}", ics_time(e.updated_at)),
            "END:VEVENT".to_owned(),
        ];
        for line in lines {
            out.push_str(&fold(&line));
        }
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

/// A group event as a calendar entry.
pub fn event_entry(e: &GroupEventRow, public_url: &str) -> CalendarEntry {
    let starts_at = from_millis(e.starts_at);
    CalendarEntry {
        uid: format!("{}@kindred-events", e.id),
        starts_at,
        ends_at: starts_at + time::Duration::minutes(i64::from(e.duration_min)),
        summary: e.title.clone(),
        description: format!("Hosted by {}\n\n{}", e.host_name, e.description),
        url: format!("{public_url}/events/{}", e.id),
        status: if e.status == EventStatus::Cancelled { "CANCELLED" } else { "CONFIRMED" },
        updated_at: from_millis(e.updated_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_text_is_escaped_and_folded() {
        assert_eq!(ics_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let long = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&long);
        for line in folded.trim_end_matches("\r\n").split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert_eq!(folded.replace("\r\n ", ""), format!("{long}\r\n"));
        let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        assert_eq!(ics_time(t), "20270115T080000Z");
    }
}
