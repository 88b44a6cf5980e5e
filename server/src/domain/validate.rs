//! Input rules shared by every capability. Each returns the cleaned value or a field error.

use time::OffsetDateTime;

use super::Error;

/// A start time for something people schedule (a meeting, an event): in the future, within a year.
pub fn upcoming(field: &str, starts_at: OffsetDateTime, now: OffsetDateTime) -> Result<OffsetDateTime, Error> {
    if starts_at <= now {
        Err(Error::field(field, "must be in the future"))
    } else if starts_at > now + time::Duration::days(366) {
        Err(Error::field(field, "must be within a year"))
    } else {
        Ok(starts_at)
    }
}

/// Minutes within `range`, for a meeting's or an event's length.
pub fn minutes(field: &str, value: i32, range: std::ops::RangeInclusive<i32>) -> Result<i32, Error> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(Error::field(field, format!("must be between {} and {} minutes", range.start(), range.end())))
    }
}
use crate::domain::accounts::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};

/// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces.
/// Deliverability is proven by the link we send, not by a regex.
pub fn email(field: &str, value: &str) -> Result<String, Error> {
    let value = value.trim();
    let valid = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
        });
    if valid { Ok(value.to_owned()) } else { Err(Error::field(field, "must be a valid email address")) }
}

/// Required text, trimmed, between 1 and `max` characters.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::field(field, "is required"));
    }
    bounded(field, value, max)
}

/// Optional text: empty becomes `None`.
pub fn optional(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, Error> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, v, max).map(Some),
    }
}

fn bounded(field: &str, value: &str, max: usize) -> Result<String, Error> {
    if value.chars().count() > max {
        return Err(Error::field(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::field(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}

pub fn password(field: &str, value: &str) -> Result<(), Error> {
    let len = value.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(Error::field(field, format!("must be at least {MIN_PASSWORD_LEN} characters")));
    }
    if value.len() > MAX_PASSWORD_LEN {
        return Err(Error::field(field, format!("must be at most {MAX_PASSWORD_LEN} bytes")));
    }
    Ok(())
}

/// A calendar date `YYYY-MM-DD`.
pub fn date(field: &str, value: Option<String>) -> Result<Option<String>, Error> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(v, &format)
                .map(|_| Some(v.to_owned()))
                .map_err(|_| Error::field(field, "must be a date like 2027-01-31"))
        }
    }
}

/// An IANA time-zone name such as `America/Chicago` or `UTC`.
pub fn time_zone(field: &str, value: Option<String>) -> Result<Option<String>, Error> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            // Known to the bundled time-zone database, so offsets can be computed for matching.
            let ok = v.len() <= 64 && jiff::tz::TimeZone::get(v).is_ok();
            if ok {
                Ok(Some(v.to_owned()))
            } else {
                Err(Error::field(field, "must be a time zone like America/Chicago"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(email("e", "a@b.org").is_ok());
        assert_eq!(email("e", "  Ana@Example.ORG ").unwrap(), "Ana@Example.ORG");
        for bad in ["", "a", "a@b", "@b.org", "a@b..org", "a b@c.org", "a@b.org.", "a@@b.org", "<a@b.org>"] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_and_zones() {
        assert_eq!(date("d", Some("2027-02-28".into())).unwrap().as_deref(), Some("2027-02-28"));
        assert!(date("d", Some("2027-02-30".into())).is_err());
        assert!(date("d", Some("tomorrow".into())).is_err());
        assert!(time_zone("t", Some("America/Argentina/Buenos_Aires".into())).is_ok());
        assert!(time_zone("t", Some("Etc/GMT+5".into())).is_ok());
        assert!(time_zone("t", Some("../etc/passwd".into())).is_err());
        assert!(time_zone("t", Some("Mars/Base".into())).is_err());
    }

    #[test]
    fn text_bounds() {
        assert!(required("n", "   ", 10).is_err());
        assert!(required("n", "abcdefghijk", 10).is_err());
        assert_eq!(optional("n", Some("  ".into()), 10).unwrap(), None);
        assert!(required("n", "a\u{0}b", 10).is_err());
    }
}
