//! How numbers, counts and times read in the panel. Pure: the browser's clock and time zone
//! come in as arguments (`now_ms`, an `offset` function), so everything here runs in native tests.
//!
//! Times: Salesforce sends dates (`2026-11-26`, shown as they are) and date-times
//! (`2026-11-26T10:15:30.000+0000`, shown in the agent's local time as `2026-11-26 11:15`); the
//! server's `fetched_at` is RFC 3339. Money has no currency symbol: the profile carries amounts
//! without their currency, so the panel shows the number only.

use crate::i18n::Strings;

/// A section's count: `3`, or `50+` when the server stopped at its cap.
pub(crate) fn count_label(total: u32, more: bool) -> String {
    if more {
        format!("{total}+")
    } else {
        total.to_string()
    }
}

/// An amount with thousands separators: `1,250,000`, or `99.50` when it has cents. Integer
/// arithmetic only: float formatting would add kilobytes to the wasm.
pub(crate) fn amount(value: f64) -> String {
    let cents = (value.abs() * 100.0).round();
    if !cents.is_finite() || cents >= 1e18 {
        return "—".to_owned();
    }
    let cents = cents as u64;
    let sign = if value < 0.0 && cents > 0 { "-" } else { "" };
    let whole = group(&(cents / 100).to_string());
    match cents % 100 {
        0 => format!("{sign}{whole}"),
        c => format!("{sign}{whole}.{c:02}"),
    }
}

/// A whole number with thousands separators: `12,000`.
pub(crate) fn integer(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{}", group(&digits))
}

/// `1234567` → `1,234,567` (ASCII digits in, so byte indexing is character indexing).
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A date or date-time field for display: dates as sent, date-times in local time, anything
/// unreadable as sent. `offset` gives the local offset from UTC in minutes at an instant.
pub(crate) fn display_date(text: &str, offset: &dyn Fn(f64) -> i32) -> String {
    if text.len() == 10 && parse_date(text).is_some() {
        return text.to_owned();
    }
    match parse_instant(text) {
        Some(ms) => local_text(ms, offset(ms)),
        None => text.to_owned(),
    }
}

/// "Last fetched": `just now`, `5 min ago`, `3 h ago`, then the local date and time.
pub(crate) fn fetched_text(
    fetched_ms: f64,
    now_ms: f64,
    offset: &dyn Fn(f64) -> i32,
    t: &Strings,
) -> String {
    const MINUTE: f64 = 60_000.0;
    // A server clock slightly ahead of ours still reads "just now".
    let age = (now_ms - fetched_ms).max(0.0);
    if age < MINUTE {
        t.just_now.to_owned()
    } else if age < 60.0 * MINUTE {
        t.minutes_ago((age / MINUTE) as u64)
    } else if age < 24.0 * 60.0 * MINUTE {
        t.hours_ago((age / (60.0 * MINUTE)) as u64)
    } else {
        local_text(fetched_ms, offset(fetched_ms))
    }
}

/// `YYYY-MM-DD HH:MM` of an instant shifted by `offset_min` minutes.
pub(crate) fn local_text(ms: f64, offset_min: i32) -> String {
    let minutes = (ms / 60_000.0).floor() as i64 + i64::from(offset_min);
    let (y, m, d) = civil_from_days(minutes.div_euclid(1440));
    let in_day = minutes.rem_euclid(1440);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", in_day / 60, in_day % 60)
}

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM|±HHMM)`.
pub(crate) fn parse_instant(text: &str) -> Option<f64> {
    let (y, m, d) = parse_date(text.get(..10)?)?;
    let time = text.get(10..)?;
    let time = time.strip_prefix('T').or_else(|| time.strip_prefix(' '))?;
    if time.get(2..3)? != ":" || time.get(5..6)? != ":" {
        return None;
    }
    let (h, min, s) = (
        digits(time.get(..2)?)?,
        digits(time.get(3..5)?)?,
        digits(time.get(6..8)?)?,
    );
    if h > 23 || min > 59 || s > 60 {
        return None;
    }
    let mut rest = time.get(8..)?;
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        // `.5` is 500 ms, `.25` 250 ms: the first three digits, padded on the right.
        let ms_digits = fraction.get(..n.min(3))?;
        if !ms_digits.is_empty() {
            millis = digits(ms_digits)?
                * match ms_digits.len() {
                    1 => 100,
                    2 => 10,
                    _ => 1,
                };
        }
        rest = fraction.get(n..)?;
    }
    let offset_min = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let hhmm = rest.get(1..)?.replacen(':', "", 1);
            if hhmm.len() != 4 {
                return None;
            }
            sign * (digits(hhmm.get(..2)?)? * 60 + digits(hhmm.get(2..)?)?)
        }
    };
    let seconds = days_from_civil(y, m, d) * 86_400 + h * 3_600 + min * 60 + s - offset_min * 60;
    Some((seconds * 1_000 + millis) as f64)
}

/// `YYYY-MM-DD` → (year, month, day), checked loosely (day ≤ 31).
fn parse_date(text: &str) -> Option<(i64, i64, i64)> {
    if text.len() != 10 || text.get(4..5)? != "-" || text.get(7..8)? != "-" {
        return None;
    }
    let (y, m, d) = (
        digits(text.get(..4)?)?,
        digits(text.get(5..7)?)?,
        digits(text.get(8..)?)?,
    );
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// A run of ASCII digits as a number (no sign, no spaces).
fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01 (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    const UTC: &dyn Fn(f64) -> i32 = &|_| 0;

    #[test]
    fn counts_say_when_there_are_more() {
        assert_eq!(count_label(3, false), "3");
        assert_eq!(count_label(0, false), "0");
        assert_eq!(count_label(50, true), "50+");
    }

    #[test]
    fn amounts_group_thousands_and_keep_cents_only_when_present() {
        assert_eq!(amount(0.0), "0");
        assert_eq!(amount(999.0), "999");
        assert_eq!(amount(1_000.0), "1,000");
        assert_eq!(amount(1_250_000.0), "1,250,000");
        assert_eq!(amount(99.5), "99.50");
        assert_eq!(amount(1_234.567), "1,234.57");
        assert_eq!(amount(-4_500.0), "-4,500");
        assert_eq!(amount(-0.001), "0");
        assert_eq!(amount(0.05), "0.05");
        assert_eq!(amount(f64::NAN), "—");
        assert_eq!(integer(120_000), "120,000");
        assert_eq!(integer(-12), "-12");
        assert_eq!(integer(7), "7");
    }

    #[test]
    fn instants_parse_in_every_shape_salesforce_and_rfc3339_use() {
        assert_eq!(parse_instant("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            parse_instant("2026-11-26T10:15:30.000+0000"),
            parse_instant("2026-11-26T10:15:30Z")
        );
        assert_eq!(
            parse_instant("2026-11-26T11:15:30+01:00"),
            parse_instant("2026-11-26T10:15:30Z")
        );
        assert_eq!(
            parse_instant("2026-11-26T10:15:30.25Z").map(|ms| ms % 1_000.0),
            Some(250.0)
        );
        assert_eq!(
            parse_instant("2026-11-26T10:15:30.123456789Z").map(|ms| ms % 1_000.0),
            Some(123.0)
        );
        // 2000-03-01 is day 11017: leap-year arithmetic across February.
        assert_eq!(
            parse_instant("2000-03-01T00:00:00Z"),
            Some(11_017.0 * 86_400_000.0)
        );
        for bad in [
            "",
            "2026-11-26",
            "2026-13-01T00:00:00Z",
            "2026-11-26T25:00:00Z",
            "2026-11-26T10:15:30",
            "2026-11-26T10:15:30+1",
            "yesterday",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn local_text_applies_the_offset_across_midnight() {
        let ms = parse_instant("2026-12-31T23:30:00Z").unwrap_or_default();
        assert_eq!(local_text(ms, 0), "2026-12-31 23:30");
        assert_eq!(local_text(ms, 60), "2027-01-01 00:30");
        assert_eq!(local_text(ms, -480), "2026-12-31 15:30");
        assert_eq!(local_text(0.0, 0), "1970-01-01 00:00");
        assert_eq!(local_text(-60_000.0, 0), "1969-12-31 23:59");
    }

    #[test]
    fn dates_show_as_sent_and_date_times_in_local_time() {
        assert_eq!(display_date("2026-11-26", UTC), "2026-11-26");
        assert_eq!(
            display_date("2026-11-26T10:15:30.000+0000", &|_| 480),
            "2026-11-26 18:15"
        );
        assert_eq!(display_date("soon", UTC), "soon");
    }

    #[test]
    fn fetched_reads_relative_then_absolute() {
        let t = Lang::En.strings();
        let at = parse_instant("2026-11-26T10:00:00Z").unwrap_or_default();
        let min = 60_000.0;
        assert_eq!(fetched_text(at, at + 10_000.0, UTC, t), "just now");
        assert_eq!(fetched_text(at, at - 5_000.0, UTC, t), "just now");
        assert_eq!(fetched_text(at, at + 5.5 * min, UTC, t), "5 min ago");
        assert_eq!(fetched_text(at, at + 150.0 * min, UTC, t), "2 h ago");
        assert_eq!(
            fetched_text(at, at + 2_000.0 * min, &|_| 60, t),
            "2026-11-26 11:00"
        );
        assert_eq!(
            fetched_text(at, at + 3.0 * min, UTC, Lang::Zh.strings()),
            "3 分钟前"
        );
    }
}
