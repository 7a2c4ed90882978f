//! What every value from a request must be before a handler, a query or the audit log sees it:
//! ids in the form eenplan makes them, text without control characters, dates in a sane range.
//! A leaf: the HTTP extractors (in `http.rs`) and the request types use it; it uses nothing else.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

/// An id as eenplan generates them (`db::new_id`: a UUID in lowercase hyphenated form).
/// A path parameter of this type answers 404 before any database work when it is anything else,
/// and the audit record takes only values of this form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Id(String);

impl Id {
    pub fn parse(s: &str) -> Option<Id> {
        Id::is_valid(s).then(|| Id(s.to_string()))
    }

    pub fn is_valid(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
            })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::ops::Deref for Id {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Id> for String {
    fn from(id: Id) -> String {
        id.0
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        // The message never repeats the value: it could be a BSN.
        Id::parse(&s).ok_or_else(|| serde::de::Error::custom(NOT_AN_ID))
    }
}

pub const NOT_AN_ID: &str = "is not an id";

/// A character no text from a request may hold: every control character (U+0000 above all, which
/// PostgreSQL cannot store and SQLite would) except tab, line feed and carriage return.
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

pub fn has_forbidden_char(s: &str) -> bool {
    s.chars().any(is_forbidden_char)
}

pub const FORBIDDEN_CHAR: &str = "contains a control character";

/// Strict dates: `YYYY-MM-DD` with a four-digit year from 1000 — not `2024-1-1`, `-0001-01-01`, `0000-01-01`
/// or `+12345-01-01`, which chrono alone accepts and PostgreSQL may not store. The edge guarantees the form and
/// that both backends store it alike; whether a date makes sense (not in the future, not before birth) stays
/// with each service's Validator, so those errors still come all at once.
pub mod date {
    use super::*;

    pub const MIN_YEAR: i32 = 1000;
    pub const MAX_YEAR: i32 = 9999;
    pub const MESSAGE: &str = "must be a date YYYY-MM-DD with a four-digit year from 1000";
    pub const INSTANT_MESSAGE: &str =
        "must be an RFC 3339 time (YYYY-MM-DDThh:mm:ssZ) with a four-digit year from 1000";

    pub fn parse(s: &str) -> Option<NaiveDate> {
        let b = s.as_bytes();
        let shape = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
        if !shape {
            return None;
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
        let d = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
        in_range(d.year()).then_some(d)
    }

    /// An RFC 3339 instant whose year is in the same range.
    pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
        let b = s.as_bytes();
        // Four-digit year first: chrono would otherwise take signed or longer years.
        if b.len() < 20 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
            return None;
        }
        let t = DateTime::parse_from_rfc3339(s).ok()?.with_timezone(&Utc);
        in_range(t.year()).then_some(t)
    }

    fn in_range(year: i32) -> bool {
        (MIN_YEAR..=MAX_YEAR).contains(&year)
    }

    /// `#[serde(deserialize_with = "crate::input::date::strict")]`
    pub fn strict<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| serde::de::Error::custom(MESSAGE))
    }

    /// `#[serde(default, deserialize_with = "crate::input::date::opt")]`
    pub fn opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| serde::de::Error::custom(MESSAGE)),
        }
    }

    /// `#[serde(default, deserialize_with = "crate::input::date::instant_opt")]`
    pub fn instant_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse_instant(&s).map(Some).ok_or_else(|| serde::de::Error::custom(INSTANT_MESSAGE)),
        }
    }
}

/// Whether a deserialisation message is one of ours (a field with a wrong value: 422), not a malformed body (400).
pub fn is_field_rule(message: &str) -> bool {
    [NOT_AN_ID, FORBIDDEN_CHAR, date::MESSAGE, date::INSTANT_MESSAGE].iter().any(|m| message.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_form_new_id_makes() {
        let id = uuid::Uuid::now_v7().to_string();
        assert!(Id::is_valid(&id));
        assert!(!Id::is_valid(&id.to_uppercase()));
        assert!(!Id::is_valid("123456782"));
        assert!(!Id::is_valid("\0"));
        assert!(!Id::is_valid(&id.replace('-', "")));
    }

    #[test]
    fn dates_are_strict() {
        assert_eq!(date::parse("2024-01-31"), NaiveDate::from_ymd_opt(2024, 1, 31));
        for bad in [
            "2024-1-1",
            "-0001-01-01",
            "-5000-01-01",
            "+2024-01-01",
            "0000-01-01",
            "0999-12-31",
            "2024-02-30",
            "2024-01-01 ",
        ] {
            assert_eq!(date::parse(bad), None, "{bad}");
        }
        assert!(date::parse_instant("2024-01-01T00:00:00Z").is_some());
        assert!(date::parse_instant("-0001-01-01T00:00:00Z").is_none());
        assert!(date::parse_instant("0001-01-01T00:00:00Z").is_none());
        assert!(date::parse("9999-12-31").is_some() && date::parse("1000-01-01").is_some());
    }

    #[test]
    fn control_characters_are_forbidden_but_line_breaks_are_not() {
        assert!(has_forbidden_char("a\0b"));
        assert!(has_forbidden_char("\u{1b}[31m"));
        assert!(has_forbidden_char("\u{85}"));
        assert!(!has_forbidden_char("regel een\nregel twee\ttab"));
    }
}
