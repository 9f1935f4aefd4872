//! Dates and datetimes inside the engine: parsing literals and stored values into plain
//! numbers (days or milliseconds since the Unix epoch, UTC) and the day ranges that relative
//! literals such as `TODAY` or `LAST_N_DAYS:30` stand for.
//!
//! Every range is half-open `[start, end)` in days; "today" is the UTC date of the `now` the
//! caller passes in (the engine has no clock of its own).

use chrono::{Datelike, Months, NaiveDate};

use super::ast::DateLiteral;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01.
pub(crate) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - 719_163
}

/// Milliseconds since the epoch of the start (00:00 UTC) of day `day`.
pub(crate) fn day_start_millis(day: i64) -> i64 {
    day.saturating_mul(MILLIS_PER_DAY)
}

/// Parses `YYYY-MM-DD` (a stored date value; anything after the tenth character is ignored,
/// so a datetime string also yields its date).
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    let month = u32::try_from(digits(&b[5..7])?).ok()?;
    let day = u32::try_from(digits(&b[8..10])?).ok()?;
    NaiveDate::from_ymd_opt(year, month, day).map(day_number)
}

/// Parses a stored datetime: `YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm|±hhmm]`, no zone meaning UTC.
pub(crate) fn parse_datetime(text: &str) -> Option<i64> {
    parse_datetime_impl(text, false)
}

/// Parses an unquoted SOQL datetime literal, where the zone is required.
pub(crate) fn parse_datetime_literal(text: &str) -> Option<i64> {
    parse_datetime_impl(text, true)
}

fn parse_datetime_impl(text: &str, zone_required: bool) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 19 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let day = parse_date(&text[..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        // Keep milliseconds; finer digits are truncated.
        let kept = &fraction[..len.min(3)];
        millis = digits(kept)? * 10_i64.pow(u32::try_from(3 - kept.len()).ok()?);
        rest = &fraction[len..];
    }
    let offset_minutes = match rest {
        [] if !zone_required => 0,
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = hours * 60 + minutes;
            if *sign == b'-' { -total } else { total }
        }
        _ => return None,
    };
    let local = day_start_millis(day) + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
    Some(local - offset_minutes * 60_000)
}

fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0_i64, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

/// The days `[start, end)` a relative literal covers when today is `today`.
pub(crate) fn range(literal: DateLiteral, today: NaiveDate) -> (i64, i64) {
    use DateLiteral as L;
    let day = day_number(today);
    let week = day_number(today) - i64::from(today.weekday().num_days_from_sunday());
    let month = first_of_month(today);
    let quarter = first_of_month(today)
        .with_month(((today.month() - 1) / 3) * 3 + 1)
        .unwrap_or(month);
    let year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(month);
    let months = |from: NaiveDate, delta: i64| day_number(add_months(from, delta));
    let n_of = |n: u32| i64::from(n);
    match literal {
        L::Yesterday => (day - 1, day),
        L::Today => (day, day + 1),
        L::Tomorrow => (day + 1, day + 2),
        L::LastWeek => (week - 7, week),
        L::ThisWeek => (week, week + 7),
        L::NextWeek => (week + 7, week + 14),
        L::LastMonth => (months(month, -1), months(month, 0)),
        L::ThisMonth => (months(month, 0), months(month, 1)),
        L::NextMonth => (months(month, 1), months(month, 2)),
        // "Includes today": LAST_N_DAYS:1 is yesterday and today.
        L::Last90Days => (day - 90, day + 1),
        L::LastNDays(n) => (day - n_of(n), day + 1),
        // Starts tomorrow.
        L::Next90Days => (day + 1, day + 91),
        L::NextNDays(n) => (day + 1, day + 1 + n_of(n)),
        L::NDaysAgo(n) => (day - n_of(n), day - n_of(n) + 1),
        L::LastNWeeks(n) => (week - 7 * n_of(n), week),
        L::NextNWeeks(n) => (week + 7, week + 7 + 7 * n_of(n)),
        L::NWeeksAgo(n) => (week - 7 * n_of(n), week - 7 * n_of(n) + 7),
        L::LastNMonths(n) => (months(month, -n_of(n)), months(month, 0)),
        L::NextNMonths(n) => (months(month, 1), months(month, 1 + n_of(n))),
        L::NMonthsAgo(n) => (months(month, -n_of(n)), months(month, 1 - n_of(n))),
        L::LastQuarter => (months(quarter, -3), months(quarter, 0)),
        L::ThisQuarter => (months(quarter, 0), months(quarter, 3)),
        L::NextQuarter => (months(quarter, 3), months(quarter, 6)),
        L::LastNQuarters(n) => (months(quarter, -3 * n_of(n)), months(quarter, 0)),
        L::NextNQuarters(n) => (months(quarter, 3), months(quarter, 3 + 3 * n_of(n))),
        L::LastYear => (months(year, -12), months(year, 0)),
        L::ThisYear => (months(year, 0), months(year, 12)),
        L::NextYear => (months(year, 12), months(year, 24)),
        L::LastNYears(n) => (months(year, -12 * n_of(n)), months(year, 0)),
        L::NextNYears(n) => (months(year, 12), months(year, 12 + 12 * n_of(n))),
        L::NYearsAgo(n) => (months(year, -12 * n_of(n)), months(year, 12 - 12 * n_of(n))),
    }
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// `from` moved by `delta` months, saturating at chrono's date range.
fn add_months(from: NaiveDate, delta: i64) -> NaiveDate {
    let magnitude = u32::try_from(delta.unsigned_abs()).unwrap_or(u32::MAX);
    let moved = if delta >= 0 {
        from.checked_add_months(Months::new(magnitude))
    } else {
        from.checked_sub_months(Months::new(magnitude))
    };
    moved.unwrap_or(if delta >= 0 {
        NaiveDate::MAX
    } else {
        NaiveDate::MIN
    })
}

#[cfg(test)]
mod tests {
    use chrono::Days;

    use super::*;

    /// `today` shifted by `days`.
    fn shift(today: NaiveDate, days: i64) -> NaiveDate {
        if days >= 0 {
            today.checked_add_days(Days::new(days.unsigned_abs()))
        } else {
            today.checked_sub_days(Days::new(days.unsigned_abs()))
        }
        .unwrap_or(today)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn days(literal: DateLiteral, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let (start, end) = range(literal, today);
        let epoch = date(1970, 1, 1);
        (shift(epoch, start), shift(epoch, end))
    }

    #[test]
    fn parses_stored_values() {
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2024-1-2"), None);
        let expected = Some(1_704_164_645_000);
        assert_eq!(parse_datetime("2024-01-02T03:04:05.000+0000"), expected);
        assert_eq!(parse_datetime("2024-01-02T03:04:05Z"), expected);
        assert_eq!(parse_datetime("2024-01-02T03:04:05"), expected);
        assert_eq!(parse_datetime("2024-01-02T04:04:05+01:00"), expected);
        assert_eq!(
            parse_datetime("2024-01-02T03:04:05.5Z"),
            Some(1_704_164_645_500)
        );
        assert_eq!(
            parse_datetime("2024-01-02T03:04:05.123456Z"),
            Some(1_704_164_645_123)
        );
        assert_eq!(parse_datetime_literal("2024-01-02T03:04:05"), None);
        assert_eq!(parse_datetime("2024-01-02T03:04:60Z"), None);
        assert_eq!(parse_datetime("2024-01-02T03:04:05+1:00"), None);
    }

    #[test]
    fn relative_ranges() {
        // A Wednesday.
        let today = date(2024, 5, 15);
        use DateLiteral as L;
        assert_eq!(days(L::Today, today), (today, date(2024, 5, 16)));
        assert_eq!(days(L::Yesterday, today), (date(2024, 5, 14), today));
        assert_eq!(
            days(L::LastNDays(1), today),
            (date(2024, 5, 14), date(2024, 5, 16))
        );
        assert_eq!(
            days(L::NextNDays(2), today),
            (date(2024, 5, 16), date(2024, 5, 18))
        );
        assert_eq!(
            days(L::ThisWeek, today),
            (date(2024, 5, 12), date(2024, 5, 19))
        );
        assert_eq!(
            days(L::LastWeek, today),
            (date(2024, 5, 5), date(2024, 5, 12))
        );
        assert_eq!(
            days(L::ThisMonth, today),
            (date(2024, 5, 1), date(2024, 6, 1))
        );
        assert_eq!(
            days(L::LastMonth, today),
            (date(2024, 4, 1), date(2024, 5, 1))
        );
        assert_eq!(
            days(L::ThisQuarter, today),
            (date(2024, 4, 1), date(2024, 7, 1))
        );
        assert_eq!(
            days(L::LastQuarter, today),
            (date(2024, 1, 1), date(2024, 4, 1))
        );
        assert_eq!(
            days(L::ThisYear, today),
            (date(2024, 1, 1), date(2025, 1, 1))
        );
        assert_eq!(
            days(L::NextNMonths(2), today),
            (date(2024, 6, 1), date(2024, 8, 1))
        );
        assert_eq!(
            days(L::NDaysAgo(3), today),
            (date(2024, 5, 12), date(2024, 5, 13))
        );
        assert_eq!(days(L::Last90Days, today).0, date(2024, 2, 15));
        assert_eq!(
            days(L::NYearsAgo(1), today),
            (date(2023, 1, 1), date(2024, 1, 1))
        );
        // Month arithmetic on the 31st stays on the first of the month.
        assert_eq!(
            days(L::NextMonth, date(2024, 1, 31)),
            (date(2024, 2, 1), date(2024, 3, 1))
        );
        // Huge arguments saturate instead of panicking.
        let (start, end) = range(L::LastNYears(u32::MAX), today);
        assert!(start < end);
    }
}
