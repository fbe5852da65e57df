//! The `TIMESTAMP` of a password claim, in the form Cognito expects: `Tue Feb 4 09:05:03 UTC 2025`
//! (English names, UTC, day of month not zero-padded).

use alloc::string::String;
use alloc::vec::Vec;

use crate::SrpError;
use crate::encoding::push_decimal;

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1970-01-01 was a Thursday
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SECS_PER_DAY: i64 = 86_400;

/// A claim timestamp: seconds since the Unix epoch, shown in Cognito's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CognitoTimestamp(i64);

impl CognitoTimestamp {
    /// The timestamp of this many seconds since 1970-01-01 UTC.
    pub const fn from_unix(seconds: i64) -> Self {
        Self(seconds)
    }

    /// Seconds since 1970-01-01 UTC.
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// Now, by the system clock (`Date.now()` in the browser).
    pub fn now() -> Self {
        #[cfg(target_arch = "wasm32")]
        let seconds = (js_sys::Date::now() / 1000.0) as i64;
        #[cfg(not(target_arch = "wasm32"))]
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Self(seconds)
    }

    /// Parses Cognito's form, strictly (`Tue Feb 4 09:05:03 UTC 2025`); the weekday must match the date.
    ///
    /// # Errors
    /// [`SrpError::InvalidTimestamp`] for anything else.
    pub fn parse(text: &str) -> Result<Self, SrpError> {
        let bad = SrpError::InvalidTimestamp;
        let fields: Vec<&str> = text.split(' ').collect();
        let [_weekday, month, day, time, "UTC", year] = fields[..] else {
            return Err(bad);
        };
        let month = MONTHS.iter().position(|m| *m == month).ok_or(bad.clone())? as u32 + 1;
        let number = |s: &str, digits: core::ops::RangeInclusive<usize>| {
            if digits.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse::<u32>().ok()
            } else {
                None
            }
        };
        let day = number(day, 1..=2)
            .filter(|d| (1..=31).contains(d) && !day.starts_with('0'))
            .ok_or(bad.clone())?;
        let year = number(year, 4..=4).ok_or(bad.clone())?;
        let hms: Vec<u32> =
            time.split(':').map(|p| number(p, 2..=2)).collect::<Option<_>>().ok_or(bad.clone())?;
        let [h, m, s] = hms[..] else { return Err(bad) };
        if h > 23 || m > 59 || s > 59 {
            return Err(bad);
        }
        let days = days_from_civil(i64::from(year), month, day);
        let parsed = Self(days * SECS_PER_DAY + i64::from(h * 3600 + m * 60 + s));
        // Round-tripping rejects 31 Feb and a weekday that does not fit the date.
        if parsed.text() != text {
            return Err(bad);
        }
        Ok(parsed)
    }
}

impl CognitoTimestamp {
    /// Cognito's form, `Tue Feb 4 09:05:03 UTC 2025` (as [`Display`](core::fmt::Display) writes it;
    /// this spelling keeps `core::fmt` out of the browser build).
    pub fn text(self) -> String {
        let days = self.0.div_euclid(SECS_PER_DAY);
        let secs = self.0.rem_euclid(SECS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let mut out = String::with_capacity(28);
        out.push_str(DAYS[days.rem_euclid(7) as usize]);
        out.push(' ');
        out.push_str(MONTHS[(month - 1) as usize]);
        out.push(' ');
        push_decimal(&mut out, i64::from(day), 1);
        for (sep, part) in [(' ', secs / 3600), (':', secs / 60 % 60), (':', secs % 60)] {
            out.push(sep);
            push_decimal(&mut out, part, 2);
        }
        out.push_str(" UTC ");
        push_decimal(&mut out, year, 1);
        out
    }
}

impl core::fmt::Display for CognitoTimestamp {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.text())
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the well-known era-based conversion).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month 1–12, day 1–31).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn formats_like_cognito() {
        // 2025-02-04T09:05:03Z
        assert_eq!(CognitoTimestamp::from_unix(1_738_659_903).to_string(), "Tue Feb 4 09:05:03 UTC 2025");
        assert_eq!(CognitoTimestamp::from_unix(0).to_string(), "Thu Jan 1 00:00:00 UTC 1970");
        // 2024-02-29T23:59:59Z, a leap day, and a two-digit day.
        assert_eq!(CognitoTimestamp::from_unix(1_709_251_199).to_string(), "Thu Feb 29 23:59:59 UTC 2024");
        assert_eq!(CognitoTimestamp::from_unix(1_700_000_000).to_string(), "Tue Nov 14 22:13:20 UTC 2023");
    }

    /// `text` (no `core::fmt`) against the same fields written by `format!`.
    #[test]
    fn text_matches_the_formatted_fields() {
        for t in (-10_000..10_000_i64).map(|i| i * 7_777_777).chain([0, 59, 86_399, 86_400]) {
            let days = t.div_euclid(SECS_PER_DAY);
            let secs = t.rem_euclid(SECS_PER_DAY);
            let (year, month, day) = civil_from_days(days);
            let expected = format!(
                "{} {} {day} {:02}:{:02}:{:02} UTC {year}",
                DAYS[days.rem_euclid(7) as usize],
                MONTHS[(month - 1) as usize],
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            );
            assert_eq!(CognitoTimestamp::from_unix(t).text(), expected);
        }
    }

    #[test]
    fn parses_its_own_form_only() {
        for t in [0, 1_738_659_903, 1_709_251_199, 4_102_444_800] {
            let ts = CognitoTimestamp::from_unix(t);
            assert_eq!(CognitoTimestamp::parse(&ts.to_string()), Ok(ts));
        }
        for bad in [
            "",
            "Tue Feb 04 09:05:03 UTC 2025",
            "Wed Feb 4 09:05:03 UTC 2025",
            "Tue Feb 4 9:05:03 UTC 2025",
            "Tue Feb 4 09:05:03 GMT 2025",
            "Tue Feb  4 09:05:03 UTC 2025",
            "Tue Feb 31 09:05:03 UTC 2025",
            "Tue Feb 4 24:05:03 UTC 2025",
            "Tue Feb 4 09:05:03 UTC 2025 ",
            "Tue Xyz 4 09:05:03 UTC 2025",
        ] {
            assert_eq!(CognitoTimestamp::parse(bad), Err(SrpError::InvalidTimestamp), "{bad:?}");
        }
    }
}
