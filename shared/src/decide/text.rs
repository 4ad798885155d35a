//! Cleaning the text people type before it goes into an event: control and
//! bidi characters, line breaks in one-line fields, empty and over-long text;
//! and the shape of a date.

use crate::error::CommandError;
use crate::limits::REASON_MAX_CHARS;

/// A calendar date `YYYY-MM-DD` (checked for shape and plausible ranges).
pub fn date(s: &str) -> Result<String, CommandError> {
    let t = s.trim();
    let parts: Vec<&str> = t.split('-').collect();
    let ok = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            let (y, m, d) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>());
            matches!((y, m, d), (Ok(2000..=2100), Ok(1..=12), Ok(1..=31)))
        }
        _ => false,
    };
    if ok {
        Ok(t.to_owned())
    } else {
        Err(CommandError::invalid("a deadline is a date like 2026-12-31"))
    }
}

/// Characters that turn the direction of the text around them (a name
/// `\u{202e}人持主` shows as 主持人, and flips the rest of its line in every
/// export): removed from all user text.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Invisible characters: kept (they join emoji), but text made of nothing
/// else is empty.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Trims, refuses empty, counts characters (not bytes: Chinese is 3 bytes a
/// character). Refuses control characters (NUL…), and line breaks in one-line
/// fields (names, titles, categories: up to [`REASON_MAX_CHARS`]), which would
/// forge headings and rows in the exported minutes; removes bidi controls; text
/// of only invisible characters is empty.
pub fn clean_text(s: &str, max: usize, what: &str) -> Result<String, CommandError> {
    let one_line = max <= REASON_MAX_CHARS;
    if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(CommandError::invalid(format!("{what} contains control characters")));
    }
    if one_line && s.contains(['\n', '\r']) {
        return Err(CommandError::invalid(format!("{what} must be on one line")));
    }
    let visible: String = s.chars().filter(|c| !is_bidi_control(*c)).collect();
    let t = visible.trim();
    if t.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        return Err(CommandError::invalid(format!("{what} is empty")));
    }
    if t.chars().count() > max {
        return Err(CommandError::invalid(format!("{what} is longer than {max} characters")));
    }
    Ok(t.to_owned())
}

/// Like [`clean_text`], but empty means absent.
pub(super) fn optional_text(s: Option<&str>, max: usize, what: &str) -> Result<Option<String>, CommandError> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => clean_text(t, max, what).map(Some),
    }
}
