//! Dates and durations: `now`, `date`, `dateInZone` (`date_in_zone`), `htmlDate`,
//! `htmlDateInZone`, `toDate`, `mustToDate`, `unixEpoch`, `dateModify` (`date_modify`,
//! `mustDateModify`, `must_date_modify`), `duration`, `durationRound`, `ago`.
//!
//! A time is a host object of type `time.Time` (fields `.Year`, `.Unix`, ..., method
//! `.Format "2006-01-02"`), printed like Go's `Time.String()`. Layouts are Go's reference-time
//! layouts (`"2006-01-02T15:04:05Z07:00"`), formatted and parsed here. Zones come from the
//! system time zone database like Go's `time.LoadLocation`; an unknown zone falls back to UTC
//! as in Sprig. Go's `Local` zone is UTC here, so output does not depend on the machine.
//!
//! Numbers: `date` and friends take a Unix time in seconds. `duration` takes seconds and
//! `durationRound` nanoseconds when given an integer; Sprig honours only `int64` there (a
//! literal `{{ duration 95 }}` is an `int` and prints `0s` in Helm), and we cannot tell the two
//! apart, so every integer counts.
//!
//! ```text
//! {{ now | date "2006-01-02" }}
//! {{ dateInZone "15:04 MST" (toDate "2006-01-02" "2024-02-29") "Asia/Kolkata" }} -> 05:30 IST
//! {{ duration "3661" }}  -> 1h1m1s
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `now` | the current time |
//! | `date "2006-01-02" $t`, `htmlDate $t` | `2024-02-29` |
//! | `dateInZone "15:04 MST" $t "Asia/Kolkata"` (also `date_in_zone`), `htmlDateInZone $t "UTC"` | `05:30 IST` |
//! | `toDate "2006-01-02" "2024-02-29"`, `mustToDate ...` | a time (zero time / error when unparsable) |
//! | `unixEpoch $t` | `1709164800` |
//! | `dateModify "-1.5h" $t` (also `date_modify`, `mustDateModify`, `must_date_modify`) | `$t` moved |
//! | `duration "95"`, `durationRound "49h"`, `ago $t` | `1m35s`, `2d`, time since `$t` |

use std::rc::Rc;
use std::sync::LazyLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::args::{exact, string};
use crate::func::FuncMap;
use crate::value::{Object, Value};

const NANOS: i64 = 1_000_000_000;
/// Unix seconds of Go's zero time, January 1, year 1, 00:00:00 UTC.
const ZERO_UNIX: i64 = -62_135_596_800;

static PROCESS_START: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Where a time is: decides its offset and zone abbreviation.
#[derive(Clone)]
enum Zone {
    Utc,
    /// Go's `Local`, which we pin to UTC.
    Local,
    Fixed {
        name: String,
        offset: i32,
    },
    Named {
        name: String,
        tz: jiff::tz::TimeZone,
    },
}

impl Zone {
    /// Go's `time.LoadLocation`.
    fn load(name: &str) -> Option<Zone> {
        match name {
            "" | "UTC" => Some(Zone::Utc),
            "Local" => Some(Zone::Local),
            _ => jiff::tz::TimeZone::get(name).ok().map(|tz| Zone::Named {
                name: name.to_string(),
                tz,
            }),
        }
    }

    fn offset_at(&self, secs: i64) -> (i32, String) {
        match self {
            Zone::Utc | Zone::Local => (0, "UTC".into()),
            Zone::Fixed { name, offset } => (*offset, name.clone()),
            Zone::Named { tz, .. } => match jiff::Timestamp::from_second(secs) {
                Ok(ts) => {
                    let info = tz.to_offset_info(ts);
                    (info.offset().seconds(), info.abbreviation().to_string())
                }
                Err(_) => (0, "UTC".into()),
            },
        }
    }

    fn kind(&self) -> (&str, &str, i32) {
        match self {
            Zone::Utc => ("utc", "UTC", 0),
            Zone::Local => ("local", "Local", 0),
            Zone::Fixed { name, offset } => ("fixed", name, *offset),
            Zone::Named { name, .. } => ("named", name, 0),
        }
    }
}

/// A Go `time.Time`.
#[derive(Clone)]
pub struct Time {
    secs: i64,
    nanos: u32,
    zone: Zone,
    /// Monotonic clock reading in nanoseconds, present on `now` (Go prints it as `m=+0.0012`).
    mono: Option<i64>,
}

/// Broken-down civil time in the time's own zone.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: u32,
    weekday: u32,
    yday: u32,
    offset: i32,
    abbrev: String,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Time {
    fn now() -> Time {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let mono = PROCESS_START.elapsed().as_nanos() as i64 + 1;
        Time {
            secs: d.as_secs() as i64,
            nanos: d.subsec_nanos(),
            zone: Zone::Local,
            mono: Some(mono),
        }
    }

    fn zero() -> Time {
        Time {
            secs: ZERO_UNIX,
            nanos: 0,
            zone: Zone::Utc,
            mono: None,
        }
    }

    fn unix(secs: i64) -> Time {
        Time {
            secs,
            nanos: 0,
            zone: Zone::Local,
            mono: None,
        }
    }

    fn in_zone(&self, zone: Zone) -> Time {
        Time {
            zone,
            mono: None,
            ..self.clone()
        }
    }

    fn civil(&self) -> Civil {
        let (offset, abbrev) = self.zone.offset_at(self.secs);
        let local = self.secs.saturating_add(i64::from(offset));
        let days = local.div_euclid(86_400);
        let rem = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        let yday = (days - days_from_civil(year, 1, 1)) as u32 + 1;
        Civil {
            year,
            month,
            day,
            hour: rem / 3600,
            min: rem % 3600 / 60,
            sec: rem % 60,
            weekday: (days + 4).rem_euclid(7) as u32,
            yday,
            offset,
            abbrev,
        }
    }

    /// Go's `Time.Add`.
    fn add(&self, d: i64) -> Time {
        let total =
            i128::from(self.secs) * i128::from(NANOS) + i128::from(self.nanos) + i128::from(d);
        Time {
            secs: total.div_euclid(i128::from(NANOS)) as i64,
            nanos: total.rem_euclid(i128::from(NANOS)) as u32,
            zone: self.zone.clone(),
            mono: self.mono.map(|m| m.saturating_add(d)),
        }
    }

    /// Nanoseconds from `self` to now (Go's `time.Since`), saturating.
    fn since(&self) -> i64 {
        let now = Time::now();
        let diff = (i128::from(now.secs) - i128::from(self.secs)) * i128::from(NANOS)
            + i128::from(now.nanos)
            - i128::from(self.nanos);
        diff.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// Go's `Time.String()`.
    fn go_string(&self) -> String {
        let mut s = self.format("2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let m = m.unsigned_abs();
            s.push_str(&format!(
                " m={sign}{}.{:09}",
                m / NANOS as u64,
                m % NANOS as u64
            ));
        }
        s
    }

    /// Go's `Time.Format(layout)`.
    pub fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let mut out = String::with_capacity(layout.len() + 10);
        let mut rest = layout;
        while !rest.is_empty() {
            let (prefix, tok, after) = next_chunk(rest);
            out.push_str(prefix);
            let Some(tok) = tok else { break };
            rest = after;
            self.format_token(&c, &tok, &mut out);
        }
        out
    }

    fn format_token(&self, c: &Civil, tok: &Tok, out: &mut String) {
        let hour12 = match c.hour % 12 {
            0 => 12,
            h => h,
        };
        match tok {
            Tok::LongYear => {
                if c.year < 0 {
                    out.push_str(&format!("-{:04}", -c.year));
                } else {
                    out.push_str(&format!("{:04}", c.year));
                }
            }
            Tok::Year => out.push_str(&format!("{:02}", c.year.rem_euclid(100))),
            Tok::LongMonth => out.push_str(MONTHS[c.month as usize - 1]),
            Tok::Month => out.push_str(&MONTHS[c.month as usize - 1][..3]),
            Tok::NumMonth => out.push_str(&c.month.to_string()),
            Tok::ZeroMonth => out.push_str(&format!("{:02}", c.month)),
            Tok::LongWeekDay => out.push_str(DAYS[c.weekday as usize]),
            Tok::WeekDay => out.push_str(&DAYS[c.weekday as usize][..3]),
            Tok::Day => out.push_str(&c.day.to_string()),
            Tok::UnderDay => out.push_str(&format!("{:>2}", c.day)),
            Tok::ZeroDay => out.push_str(&format!("{:02}", c.day)),
            Tok::UnderYearDay => out.push_str(&format!("{:>3}", c.yday)),
            Tok::ZeroYearDay => out.push_str(&format!("{:03}", c.yday)),
            Tok::Hour => out.push_str(&format!("{:02}", c.hour)),
            Tok::Hour12 => out.push_str(&hour12.to_string()),
            Tok::ZeroHour12 => out.push_str(&format!("{hour12:02}")),
            Tok::Minute => out.push_str(&c.min.to_string()),
            Tok::ZeroMinute => out.push_str(&format!("{:02}", c.min)),
            Tok::Second => out.push_str(&c.sec.to_string()),
            Tok::ZeroSecond => out.push_str(&format!("{:02}", c.sec)),
            Tok::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
            Tok::Pm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
            Tok::Tz => {
                if c.abbrev.is_empty() {
                    push_offset(out, c.offset, false, false);
                } else {
                    out.push_str(&c.abbrev);
                }
            }
            Tok::Offset {
                z,
                colon,
                secs,
                hours_only,
            } => {
                if *z && c.offset == 0 {
                    out.push('Z');
                } else if *hours_only {
                    let sign = if c.offset < 0 { '-' } else { '+' };
                    out.push_str(&format!("{sign}{:02}", c.offset.abs() / 3600));
                } else {
                    push_offset(out, c.offset, *colon, *secs);
                }
            }
            Tok::Frac { sep, digits, trim } => {
                let frac = format!("{:09}", self.nanos);
                let mut part = frac[..(*digits).min(9)].to_string();
                if *trim {
                    let trimmed = frac.trim_end_matches('0');
                    part = trimmed[..trimmed.len().min(*digits)].to_string();
                    if part.is_empty() {
                        return;
                    }
                }
                out.push(*sep);
                out.push_str(&part);
            }
        }
    }
}

/// A numeric zone offset: `+0530`, `+05:30`, `+053000`, `+05:30:00`.
fn push_offset(out: &mut String, offset: i32, colon: bool, secs: bool) {
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.abs();
    let (h, m, s) = (a / 3600, a % 3600 / 60, a % 60);
    out.push(sign);
    out.push_str(&format!("{h:02}"));
    if colon {
        out.push(':');
    }
    out.push_str(&format!("{m:02}"));
    if secs {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{s:02}"));
    }
}

/// A Go layout element.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    Offset {
        z: bool,
        colon: bool,
        secs: bool,
        hours_only: bool,
    },
    Frac {
        sep: char,
        digits: usize,
        trim: bool,
    },
}

fn starts_lower(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
}

/// Split `layout` at its first element: (literal prefix, element, rest), like Go's
/// `nextStdChunk`.
fn next_chunk(layout: &str) -> (&str, Option<Tok>, &str) {
    let b = layout.as_bytes();
    for i in 0..b.len() {
        if !b[i].is_ascii() {
            continue;
        }
        let at = &layout[i..];
        let found: Option<(Tok, usize)> = match b[i] {
            b'J' if at.starts_with("January") => Some((Tok::LongMonth, 7)),
            b'J' if at.starts_with("Jan") && !starts_lower(&at[3..]) => Some((Tok::Month, 3)),
            b'M' if at.starts_with("Monday") => Some((Tok::LongWeekDay, 6)),
            b'M' if at.starts_with("Mon") && !starts_lower(&at[3..]) => Some((Tok::WeekDay, 3)),
            b'M' if at.starts_with("MST") => Some((Tok::Tz, 3)),
            b'0' if b.len() > i + 1 && (b'1'..=b'6').contains(&b[i + 1]) => Some((
                [
                    Tok::ZeroMonth,
                    Tok::ZeroDay,
                    Tok::ZeroHour12,
                    Tok::ZeroMinute,
                    Tok::ZeroSecond,
                    Tok::Year,
                ][(b[i + 1] - b'1') as usize]
                    .clone(),
                2,
            )),
            b'0' if at.starts_with("002") => Some((Tok::ZeroYearDay, 3)),
            b'1' if at.starts_with("15") => Some((Tok::Hour, 2)),
            b'1' => Some((Tok::NumMonth, 1)),
            b'2' if at.starts_with("2006") => Some((Tok::LongYear, 4)),
            b'2' => Some((Tok::Day, 1)),
            b'_' if at.starts_with("_2006") => {
                return (&layout[..i + 1], Some(Tok::LongYear), &layout[i + 5..]);
            }
            b'_' if at.starts_with("_2") => Some((Tok::UnderDay, 2)),
            b'_' if at.starts_with("__2") => Some((Tok::UnderYearDay, 3)),
            b'3' => Some((Tok::Hour12, 1)),
            b'4' => Some((Tok::Minute, 1)),
            b'5' => Some((Tok::Second, 1)),
            b'P' if at.starts_with("PM") => Some((Tok::PM, 2)),
            b'p' if at.starts_with("pm") => Some((Tok::Pm, 2)),
            b'-' | b'Z' => {
                let z = b[i] == b'Z';
                let body = &at[1..];
                let off = |colon, secs, hours_only| Tok::Offset {
                    z,
                    colon,
                    secs,
                    hours_only,
                };
                if body.starts_with("07:00:00") {
                    Some((off(true, true, false), 9))
                } else if body.starts_with("070000") {
                    Some((off(false, true, false), 7))
                } else if body.starts_with("07:00") {
                    Some((off(true, false, false), 6))
                } else if body.starts_with("0700") {
                    Some((off(false, false, false), 5))
                } else if body.starts_with("07") {
                    Some((off(false, false, true), 3))
                } else {
                    None
                }
            }
            b'.' | b',' if b.len() > i + 1 && (b[i + 1] == b'0' || b[i + 1] == b'9') => {
                let ch = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == ch {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    None
                } else {
                    Some((
                        Tok::Frac {
                            sep: char::from(b[i]),
                            digits: j - i - 1,
                            trim: ch == b'9',
                        },
                        j - i,
                    ))
                }
            }
            _ => None,
        };
        if let Some((tok, len)) = found {
            return (&layout[..i], Some(tok), &layout[i + len..]);
        }
    }
    (layout, None, "")
}

/// Go's error for `time.Parse`.
fn parse_error(layout: &str, value: &str, elem: &str, rest: &str, msg: &str) -> String {
    if msg.is_empty() {
        format!(
            "parsing time {:?} as {:?}: cannot parse {:?} as {:?}",
            value, layout, rest, elem
        )
    } else {
        format!("parsing time {value:?}{msg}")
    }
}

/// Up to `max` leading digits of `s` (at least one; exactly `max` when `fixed`).
fn take_num(s: &str, max: usize, fixed: bool) -> Option<(u32, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n == 0 || (fixed && n != max) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

fn token_text(tok: &Tok) -> String {
    match tok {
        Tok::LongMonth => "January".into(),
        Tok::Month => "Jan".into(),
        Tok::NumMonth => "1".into(),
        Tok::ZeroMonth => "01".into(),
        Tok::LongWeekDay => "Monday".into(),
        Tok::WeekDay => "Mon".into(),
        Tok::Day => "2".into(),
        Tok::UnderDay => "_2".into(),
        Tok::ZeroDay => "02".into(),
        Tok::UnderYearDay => "__2".into(),
        Tok::ZeroYearDay => "002".into(),
        Tok::Hour => "15".into(),
        Tok::Hour12 => "3".into(),
        Tok::ZeroHour12 => "03".into(),
        Tok::Minute => "4".into(),
        Tok::ZeroMinute => "04".into(),
        Tok::Second => "5".into(),
        Tok::ZeroSecond => "05".into(),
        Tok::LongYear => "2006".into(),
        Tok::Year => "06".into(),
        Tok::PM => "PM".into(),
        Tok::Pm => "pm".into(),
        Tok::Tz => "MST".into(),
        Tok::Offset {
            z,
            colon,
            secs,
            hours_only,
        } => {
            let lead = if *z { "Z" } else { "-" };
            let body = match (colon, secs, hours_only) {
                (_, _, true) => "07",
                (true, true, _) => "07:00:00",
                (false, true, _) => "070000",
                (true, false, _) => "07:00",
                (false, false, _) => "0700",
            };
            format!("{lead}{body}")
        }
        Tok::Frac { sep, digits, trim } => {
            format!("{sep}{}", if *trim { "9" } else { "0" }.repeat(*digits))
        }
    }
}

/// Go's `time.ParseInLocation(layout, value, Local)` for the layouts charts use.
pub fn parse(layout: &str, value: &str) -> Result<Time, String> {
    // Go: elements missing from the layout are zero, or one where zero is impossible.
    let (mut year, mut month, mut day) = (0i64, 1u32, 1u32);
    let (mut hour, mut min, mut sec, mut nanos) = (0u32, 0u32, 0u32, 0u32);
    let mut pm: Option<bool> = None;
    let mut offset: Option<i32> = None;
    let mut zone_name: Option<String> = None;
    let mut yday: Option<u32> = None;
    let mut lay = layout;
    let mut val = value;
    loop {
        let (prefix, tok, after) = next_chunk(lay);
        let Some(stripped) = val.strip_prefix(prefix) else {
            return Err(parse_error(layout, value, prefix, val, ""));
        };
        val = stripped;
        let Some(tok) = tok else {
            if !val.is_empty() {
                return Err(format!("parsing time {value:?}: extra text: {val:?}"));
            }
            break;
        };
        lay = after;
        let before = val;
        let bad = || parse_error(layout, value, &token_text(&tok), before, "");
        let range = || format!("parsing time {value:?}: value out of range");
        match &tok {
            Tok::LongYear => {
                if val.len() < 4 || !val.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                    return Err(bad());
                }
                year = val[..4].parse().map_err(|_| bad())?;
                val = &val[4..];
            }
            Tok::Year => {
                let (y, r) = take_num(val, 2, true).ok_or_else(bad)?;
                year = if y >= 69 { 1900 } else { 2000 } + i64::from(y);
                val = r;
            }
            Tok::LongMonth | Tok::Month => {
                let names: Vec<String> = MONTHS
                    .iter()
                    .map(|m| {
                        if tok == Tok::Month {
                            m[..3].to_string()
                        } else {
                            m.to_string()
                        }
                    })
                    .collect();
                let idx = names
                    .iter()
                    .position(|n| {
                        val.get(..n.len())
                            .is_some_and(|v| v.eq_ignore_ascii_case(n))
                    })
                    .ok_or_else(bad)?;
                month = idx as u32 + 1;
                val = &val[names[idx].len()..];
            }
            Tok::LongWeekDay | Tok::WeekDay => {
                let idx = DAYS
                    .iter()
                    .map(|d| if tok == Tok::WeekDay { &d[..3] } else { *d })
                    .find(|n| {
                        val.get(..n.len())
                            .is_some_and(|v| v.eq_ignore_ascii_case(n))
                    })
                    .ok_or_else(bad)?;
                val = &val[idx.len()..];
            }
            Tok::NumMonth | Tok::ZeroMonth => {
                let (m, r) = take_num(val, 2, tok == Tok::ZeroMonth).ok_or_else(bad)?;
                if !(1..=12).contains(&m) {
                    return Err(format!("parsing time {value:?}: month out of range"));
                }
                month = m;
                val = r;
            }
            Tok::Day | Tok::UnderDay | Tok::ZeroDay => {
                if tok == Tok::UnderDay {
                    val = val.strip_prefix(' ').unwrap_or(val);
                }
                let (d, r) = take_num(val, 2, tok == Tok::ZeroDay).ok_or_else(bad)?;
                day = d;
                val = r;
            }
            Tok::UnderYearDay | Tok::ZeroYearDay => {
                if tok == Tok::UnderYearDay {
                    val = val.trim_start_matches(' ');
                }
                let (d, r) = take_num(val, 3, tok == Tok::ZeroYearDay).ok_or_else(bad)?;
                yday = Some(d);
                val = r;
            }
            Tok::Hour => {
                let (h, r) = take_num(val, 2, false).ok_or_else(bad)?;
                if h > 23 {
                    return Err(format!("parsing time {value:?}: hour out of range"));
                }
                hour = h;
                val = r;
            }
            Tok::Hour12 | Tok::ZeroHour12 => {
                let (h, r) = take_num(val, 2, tok == Tok::ZeroHour12).ok_or_else(bad)?;
                if h > 12 {
                    return Err(format!("parsing time {value:?}: hour out of range"));
                }
                hour = h;
                val = r;
            }
            Tok::Minute | Tok::ZeroMinute | Tok::Second | Tok::ZeroSecond => {
                let fixed = matches!(tok, Tok::ZeroMinute | Tok::ZeroSecond);
                let (n, r) = take_num(val, 2, fixed).ok_or_else(bad)?;
                if n > 59 {
                    return Err(range());
                }
                val = r;
                if matches!(tok, Tok::Minute | Tok::ZeroMinute) {
                    min = n;
                } else {
                    sec = n;
                    // A fraction right after the seconds is read even when the layout has none.
                    let next_is_frac = matches!(next_chunk(lay), ("", Some(Tok::Frac { .. }), _));
                    if !next_is_frac
                        && val.len() > 1
                        && (val.starts_with('.') || val.starts_with(','))
                        && val.as_bytes()[1].is_ascii_digit()
                    {
                        let n = val[1..].bytes().take_while(u8::is_ascii_digit).count();
                        nanos = frac_nanos(&val[1..1 + n]);
                        val = &val[1 + n..];
                    }
                }
            }
            Tok::PM | Tok::Pm => {
                let (am, pmtxt) = if tok == Tok::PM {
                    ("AM", "PM")
                } else {
                    ("am", "pm")
                };
                if val.starts_with(pmtxt) {
                    pm = Some(true);
                } else if val.starts_with(am) {
                    pm = Some(false);
                } else {
                    return Err(bad());
                }
                val = &val[2..];
            }
            Tok::Offset {
                z,
                colon,
                secs,
                hours_only,
            } => {
                if *z && val.starts_with('Z') {
                    val = &val[1..];
                    offset = Some(0);
                    zone_name = Some("UTC".into());
                    continue;
                }
                let sign = match val.bytes().next() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(bad()),
                };
                let mut r = &val[1..];
                let (h, r2) = take_num(r, 2, true).ok_or_else(bad)?;
                r = r2;
                let mut m = 0;
                let mut s = 0;
                if !hours_only {
                    if *colon {
                        r = r.strip_prefix(':').ok_or_else(bad)?;
                    }
                    let (mm, r3) = take_num(r, 2, true).ok_or_else(bad)?;
                    m = mm;
                    r = r3;
                    if *secs {
                        if *colon {
                            r = r.strip_prefix(':').ok_or_else(bad)?;
                        }
                        let (ss, r4) = take_num(r, 2, true).ok_or_else(bad)?;
                        s = ss;
                        r = r4;
                    }
                }
                if h > 24 || m > 60 || s > 60 {
                    return Err(range());
                }
                offset = Some(sign * (h as i32 * 3600 + m as i32 * 60 + s as i32));
                val = r;
            }
            Tok::Tz => {
                if val.len() >= 3
                    && val.starts_with("UTC")
                    && !val[3..].starts_with(|c: char| c.is_ascii_uppercase())
                {
                    zone_name = Some("UTC".into());
                    offset = Some(0);
                    val = &val[3..];
                    continue;
                }
                let n = val.bytes().take_while(u8::is_ascii_uppercase).count();
                let mut n2 = n;
                if n == 3 && val.starts_with("GMT") {
                    let extra = val[3..]
                        .bytes()
                        .enumerate()
                        .take_while(|(k, b)| {
                            (*k == 0 && (*b == b'+' || *b == b'-'))
                                || (*k > 0 && b.is_ascii_digit())
                        })
                        .count();
                    if extra >= 2 {
                        n2 = 3 + extra;
                    }
                }
                if n < 3 {
                    return Err(bad());
                }
                zone_name = Some(val[..n2].to_string());
                val = &val[n2..];
            }
            Tok::Frac { digits, trim, .. } => {
                let sep_ok = val.starts_with('.') || val.starts_with(',');
                if *trim {
                    if !sep_ok || !val[1..].starts_with(|c: char| c.is_ascii_digit()) {
                        continue;
                    }
                    let n = val[1..].bytes().take_while(u8::is_ascii_digit).count();
                    nanos = frac_nanos(&val[1..1 + n]);
                    val = &val[1 + n..];
                } else {
                    if !sep_ok
                        || val.len() < digits + 1
                        || !val.as_bytes()[1..1 + digits].iter().all(u8::is_ascii_digit)
                    {
                        return Err(bad());
                    }
                    nanos = frac_nanos(&val[1..1 + digits]);
                    val = &val[1 + digits..];
                }
            }
        }
    }
    match pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    if let Some(yd) = yday {
        let max = if is_leap(year) { 366 } else { 365 };
        if yd < 1 || yd > max {
            return Err(format!("parsing time {value:?}: day-of-year out of range"));
        }
        let days = days_from_civil(year, 1, 1) + i64::from(yd) - 1;
        let (_, m, d) = civil_from_days(days);
        month = m;
        day = d;
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(format!("parsing time {value:?}: day out of range"));
    }
    let local = days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(min) * 60
        + i64::from(sec);
    let zone = match (offset, zone_name) {
        (Some(off), name) => {
            let name = name.unwrap_or_default();
            if off == 0 && (name.is_empty() || name == "UTC") {
                Zone::Local
            } else {
                Zone::Fixed { name, offset: off }
            }
        }
        (None, Some(name)) => {
            if name == "UTC" {
                Zone::Utc
            } else {
                let off = name
                    .strip_prefix("GMT")
                    .and_then(|n| n.parse::<i32>().ok())
                    .map_or(0, |h| h * 3600);
                Zone::Fixed { name, offset: off }
            }
        }
        (None, None) => Zone::Local,
    };
    let off = match &zone {
        Zone::Fixed { offset, .. } => *offset,
        _ => 0,
    };
    Ok(Time {
        secs: local - i64::from(off),
        nanos,
        zone,
        mono: None,
    })
}

fn frac_nanos(digits: &str) -> u32 {
    let mut d: String = digits.chars().take(9).collect();
    while d.len() < 9 {
        d.push('0');
    }
    d.parse().unwrap_or(0)
}

/// Go's `time.Duration.String()`.
pub fn duration_string(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let frac = |v: u64, prec: u32| -> (String, u64) {
        let p = 10u64.pow(prec);
        let (int, f) = (v / p, v % p);
        if f == 0 {
            return (String::new(), int);
        }
        let digits = format!("{:0width$}", f, width = prec as usize);
        (format!(".{}", digits.trim_end_matches('0')), int)
    };
    let mut s = if u < NANOS as u64 {
        let (prec, unit) = if u < 1_000 {
            (0, "ns")
        } else if u < 1_000_000 {
            (3, "µs")
        } else {
            (6, "ms")
        };
        let (f, int) = frac(u, prec);
        format!("{int}{f}{unit}")
    } else {
        let (f, secs) = frac(u, 9);
        let mut out = format!("{}{f}s", secs % 60);
        let mins = secs / 60;
        if mins > 0 {
            out = format!("{}m{out}", mins % 60);
            let hours = mins / 60;
            if hours > 0 {
                out = format!("{hours}h{out}");
            }
        }
        out
    };
    if neg {
        s.insert(0, '-');
    }
    s
}

/// Go's `time.ParseDuration`.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let orig = s;
    let err = || format!("time: invalid duration {orig:?}");
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(err());
    }
    let mut exact: i128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &r[..n];
            rest = &r[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err());
        }
        let unit_len = rest
            .bytes()
            .take_while(|b| *b != b'.' && !b.is_ascii_digit())
            .count();
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {orig:?}"));
        }
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(format!("time: unknown unit {unit:?} in duration {orig:?}")),
        };
        let int_val: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| err())?
        };
        let mut v = int_val.checked_mul(scale).ok_or_else(err)?;
        if !frac_part.is_empty() {
            let f: f64 = format!("0.{frac_part}").parse().unwrap_or(0.0);
            v += (f * scale as f64) as i128;
        }
        exact = exact.checked_add(v).ok_or_else(err)?;
        if exact > i128::from(i64::MAX) + 1 {
            return Err(err());
        }
    }
    let v = if neg { -exact } else { exact };
    i64::try_from(v).map_err(|_| err())
}

impl Object for Time {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let c = self.civil();
        Some(match name {
            "Year" => Value::Int(c.year),
            "Month" => Value::str(MONTHS[c.month as usize - 1]),
            "Day" => Value::Int(i64::from(c.day)),
            "Hour" => Value::Int(i64::from(c.hour)),
            "Minute" => Value::Int(i64::from(c.min)),
            "Second" => Value::Int(i64::from(c.sec)),
            "Nanosecond" => Value::Int(i64::from(self.nanos)),
            "YearDay" => Value::Int(i64::from(c.yday)),
            "Weekday" => Value::str(DAYS[c.weekday as usize]),
            "Unix" => Value::Int64(self.secs),
            "UnixMilli" => Value::Int64(self.secs * 1000 + i64::from(self.nanos) / 1_000_000),
            "UnixNano" => Value::Int64(
                self.secs
                    .wrapping_mul(NANOS)
                    .wrapping_add(i64::from(self.nanos)),
            ),
            "IsZero" => Value::Bool(self.secs == ZERO_UNIX && self.nanos == 0),
            "UTC" => time_value(self.in_zone(Zone::Utc)),
            "Local" => time_value(self.in_zone(Zone::Local)),
            "String" => Value::from(self.go_string()),
            "Location" => Value::str(self.zone.kind().1),
            // Not reachable from templates (not an identifier): lets Sprig functions get the
            // time back from a `Value::Object`.
            HIDDEN => {
                let (kind, zname, off) = self.zone.kind();
                Value::list(vec![
                    Value::Int(self.secs),
                    Value::Int(i64::from(self.nanos)),
                    Value::str(kind),
                    Value::str(zname),
                    Value::Int(i64::from(off)),
                    self.mono.map_or(Value::Nil, Value::Int),
                ])
            }
            _ => return None,
        })
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        Some(match (name, args) {
            ("Format", [Value::String(l)]) => Ok(Value::from(self.format(l))),
            ("Add", [Value::Int(d)]) => Ok(time_value(self.add(*d))),
            ("AddDate", [Value::Int(y), Value::Int(m), Value::Int(d)]) => {
                // Go normalises month and day overflow (Jan 31 + 1 month = Mar 2); i128 keeps
                // absurd arguments from overflowing, the result then saturates.
                let c = self.civil();
                let months = i128::from(c.year) * 12 + i128::from(c.month) - 1
                    + i128::from(*y) * 12
                    + i128::from(*m);
                let clamp =
                    |v: i128| v.clamp(i128::from(i64::MIN / 4), i128::from(i64::MAX / 4)) as i64;
                let ny = months.div_euclid(12).clamp(-1_000_000_000, 1_000_000_000) as i64;
                let nm = months.rem_euclid(12) as u32 + 1;
                let days =
                    i128::from(days_from_civil(ny, nm, 1)) + i128::from(c.day) - 1 + i128::from(*d);
                let secs_of_day =
                    i128::from(c.hour) * 3600 + i128::from(c.min) * 60 + i128::from(c.sec);
                let local = clamp(days * 86_400 + secs_of_day);
                let (off, _) = self
                    .zone
                    .offset_at(local.saturating_sub(i64::from(c.offset)));
                Ok(time_value(Time {
                    secs: local.saturating_sub(i64::from(off)),
                    mono: None,
                    ..self.clone()
                }))
            }
            ("Before" | "After" | "Equal", [other]) => match from_value(other) {
                Some(o) => {
                    let ord = (self.secs, self.nanos).cmp(&(o.secs, o.nanos));
                    Ok(Value::Bool(match name {
                        "Before" => ord.is_lt(),
                        "After" => ord.is_gt(),
                        _ => ord.is_eq(),
                    }))
                }
                None => Err(format!(
                    "wrong type for value; expected time.Time; got {}",
                    other.type_name()
                )),
            },
            ("In", [Value::String(z)]) => Zone::load(z)
                .map(|zone| time_value(self.in_zone(zone)))
                .ok_or_else(|| format!("unknown time zone {z}")),
            _ => return None,
        })
    }
    fn display(&self) -> String {
        self.go_string()
    }
}

const HIDDEN: &str = "sprig:time";

fn time_value(t: Time) -> Value {
    Value::Object(Rc::new(t))
}

/// Get our time back from a template value.
fn from_value(v: &Value) -> Option<Time> {
    let Value::Object(o) = v else { return None };
    if o.type_name() != "time.Time" {
        return None;
    }
    let Some(Value::List(parts)) = o.field(HIDDEN) else {
        return None;
    };
    let int = |i: usize| match parts.get(i) {
        Some(Value::Int(n)) => Some(*n),
        _ => None,
    };
    let text = |i: usize| {
        parts
            .get(i)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let zone = match text(2).as_str() {
        "utc" => Zone::Utc,
        "local" => Zone::Local,
        "fixed" => Zone::Fixed {
            name: text(3),
            offset: int(4)? as i32,
        },
        _ => Zone::load(&text(3)).unwrap_or(Zone::Utc),
    };
    Some(Time {
        secs: int(0)?,
        nanos: int(1)? as u32,
        zone,
        mono: int(5),
    })
}

/// A `time.Time` parameter.
fn time_arg(v: &Value) -> Result<Time, String> {
    from_value(v).ok_or_else(|| {
        if v.is_nil() {
            "invalid value; expected time.Time".to_string()
        } else {
            format!(
                "wrong type for value; expected time.Time; got {}",
                v.type_name()
            )
        }
    })
}

/// Sprig's date argument: a time, or Unix seconds (`int` or `int64`); anything else means now.
fn date_arg(v: &Value) -> Time {
    match v {
        Value::Int(n) | Value::Int64(n) => Time::unix(*n),
        other => from_value(other).unwrap_or_else(Time::now),
    }
}

fn date_in_zone(layout: &str, date: &Value, zone: &str) -> Value {
    let t = date_arg(date);
    let zone = Zone::load(zone).unwrap_or(Zone::Utc);
    Value::from(t.in_zone(zone).format(layout))
}

/// Sprig's `durationRound`: the largest whole unit (y, mo, d, h, m, s), sign dropped.
fn duration_round(d: i64) -> String {
    let u = d.unsigned_abs();
    let (sec, min, hour) = (NANOS as u64, 60 * NANOS as u64, 3600 * NANOS as u64);
    let (day, month, year) = (24 * hour, 30 * 24 * hour, 365 * 24 * hour);
    for (unit, name) in [
        (year, "y"),
        (month, "mo"),
        (day, "d"),
        (hour, "h"),
        (min, "m"),
        (sec, "s"),
    ] {
        if u > unit {
            return format!("{}{name}", u / unit);
        }
    }
    "0s".into()
}

/// Go's `Duration.Round(time.Second)`: half away from zero.
fn round_to_second(d: i64) -> i64 {
    let r = d % NANOS;
    let base = d - r;
    if r.abs() * 2 >= NANOS {
        base.saturating_add(if d < 0 { -NANOS } else { NANOS })
    } else {
        base
    }
}

pub(super) fn register(f: &mut FuncMap) {
    f.insert("now", |a| {
        exact("now", a, 0)?;
        Ok(time_value(Time::now()))
    });
    f.insert("date", |a| {
        exact("date", a, 2)?;
        Ok(date_in_zone(string(&a[0])?, &a[1], "Local"))
    });
    for name in ["dateInZone", "date_in_zone"] {
        f.insert(name, move |a| {
            exact(name, a, 3)?;
            Ok(date_in_zone(string(&a[0])?, &a[1], string(&a[2])?))
        });
    }
    f.insert("htmlDate", |a| {
        exact("htmlDate", a, 1)?;
        Ok(date_in_zone("2006-01-02", &a[0], "Local"))
    });
    f.insert("htmlDateInZone", |a| {
        exact("htmlDateInZone", a, 2)?;
        Ok(date_in_zone("2006-01-02", &a[0], string(&a[1])?))
    });
    f.insert("toDate", |a| {
        exact("toDate", a, 2)?;
        let t = parse(string(&a[0])?, string(&a[1])?).unwrap_or_else(|_| Time::zero());
        Ok(time_value(t))
    });
    f.insert("mustToDate", |a| {
        exact("mustToDate", a, 2)?;
        parse(string(&a[0])?, string(&a[1])?).map(time_value)
    });
    f.insert("unixEpoch", |a| {
        exact("unixEpoch", a, 1)?;
        Ok(Value::from(time_arg(&a[0])?.secs.to_string()))
    });
    for name in ["dateModify", "date_modify"] {
        f.insert(name, move |a| {
            exact(name, a, 2)?;
            let (d, t) = (string(&a[0])?, time_arg(&a[1])?);
            Ok(time_value(match parse_duration(d) {
                Ok(d) => t.add(d),
                Err(_) => t,
            }))
        });
    }
    for name in ["mustDateModify", "must_date_modify"] {
        f.insert(name, move |a| {
            exact(name, a, 2)?;
            let (d, t) = (string(&a[0])?, time_arg(&a[1])?);
            Ok(time_value(t.add(parse_duration(d)?)))
        });
    }
    f.insert("duration", |a| {
        exact("duration", a, 1)?;
        // Sprig's type switch knows only string and int64: a template literal (an int)
        // gives 0s, as in helm.
        let secs = match &a[0] {
            Value::String(s) => super::args::parse_int(s, 10).unwrap_or(0),
            Value::Int64(n) => *n,
            _ => 0,
        };
        Ok(Value::from(duration_string(secs.wrapping_mul(NANOS))))
    });
    f.insert("durationRound", |a| {
        exact("durationRound", a, 1)?;
        let d = match &a[0] {
            Value::String(s) => parse_duration(s).unwrap_or(0),
            // Nanoseconds; an int (not int64) falls to Sprig's default case: 0.
            Value::Int64(n) => *n,
            other => from_value(other).map_or(0, |t| t.since()),
        };
        Ok(Value::from(duration_round(d)))
    });
    f.insert("ago", |a| {
        exact("ago", a, 1)?;
        let t = match &a[0] {
            Value::Int(n) | Value::Int64(n) => Time::unix(*n),
            other => from_value(other).unwrap_or_else(Time::now),
        };
        Ok(Value::from(duration_string(round_to_second(t.since()))))
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn date(s_: &str) -> Value {
        call("toDate", &[s("2006-01-02"), s(s_)]).unwrap()
    }

    #[test]
    fn civil_round_trip() {
        for days in [-719_162i64, -1, 0, 59, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
    }

    /// Expected values observed with helm v4.1.4 (TZ=UTC).
    #[test]
    fn formatting_and_parsing() {
        table(&[
            ("htmlDate", vec![i(0)], "1970-01-01"),
            (
                "date",
                vec![s("2006-01-02 15:04:05 MST -0700"), i(86_400)],
                "1970-01-02 00:00:00 UTC +0000",
            ),
            (
                "dateInZone",
                vec![
                    s("Mon Jan 2 15:04:05 2006 -07:00 MST"),
                    i(0),
                    s("Asia/Kolkata"),
                ],
                "Thu Jan 1 05:30:00 1970 +05:30 IST",
            ),
            (
                "date_in_zone",
                vec![s("15:04"), i(0), s("No/Such_Zone")],
                "00:00",
            ),
            (
                "htmlDateInZone",
                vec![i(1_709_164_800), s("America/Los_Angeles")],
                "2024-02-28",
            ),
            ("unixEpoch", vec![date("2024-02-29")], "1709164800"),
            (
                "toDate",
                vec![
                    s("2006-01-02T15:04:05Z07:00"),
                    s("2024-02-29T10:20:30+02:00"),
                ],
                "2024-02-29 10:20:30 +0200 +0200",
            ),
            (
                "toDate",
                vec![s("2006-01-02"), s("bad")],
                "0001-01-01 00:00:00 +0000 UTC",
            ),
            (
                "toDate",
                vec![s("2006-01-02T15:04:05Z07:00"), s("2024-02-29T10:20:30Z")],
                "2024-02-29 10:20:30 +0000 UTC",
            ),
            (
                "toDate",
                vec![s("2006-01-02 15:04:05.000"), s("2024-01-02 03:04:05.120")],
                "2024-01-02 03:04:05.12 +0000 UTC",
            ),
            (
                "toDate",
                vec![s("Jan _2 2006 3:04PM"), s("Feb  3 2021 4:05PM")],
                "2021-02-03 16:05:00 +0000 UTC",
            ),
            (
                "toDate",
                vec![s("02 Jan 06 15:04 MST"), s("05 Mar 99 10:00 PST")],
                "1999-03-05 10:00:00 +0000 PST",
            ),
            (
                "dateModify",
                vec![s("1.5h"), date("2024-01-01")],
                "2024-01-01 01:30:00 +0000 UTC",
            ),
            (
                "dateModify",
                vec![s("-24h"), date("2024-03-01")],
                "2024-02-29 00:00:00 +0000 UTC",
            ),
            (
                "dateModify",
                vec![s("bogus"), date("2024-03-01")],
                "2024-03-01 00:00:00 +0000 UTC",
            ),
            (
                "date",
                vec![s("Jan _2 03:04PM .000 Z07"), date("2024-01-05")],
                "Jan  5 12:00AM .000 Z",
            ),
            (
                "date",
                vec![s("Monday January 2 2006 __2 002 pm"), date("2024-02-29")],
                "Thursday February 29 2024  60 060 am",
            ),
            (
                "date",
                vec![s("06 1 _2006"), date("2024-02-09")],
                "24 2 _2024",
            ),
            ("duration", vec![s("3661")], "1h1m1s"),
            // Sprig's type switch: int64 and string only (helm: `duration 95` is 0s).
            ("duration", vec![Value::Int64(95)], "1m35s"),
            ("duration", vec![i(95)], "0s"),
            ("durationRound", vec![Value::Int64(5_000_000_000)], "5s"),
            ("durationRound", vec![i(5_000_000_000)], "0s"),
            ("date", vec![s("2006"), Value::Int64(40_000_000)], "1971"),
            ("duration", vec![f(95.0)], "0s"),
            ("duration", vec![s("x")], "0s"),
            ("durationRound", vec![s("2h10m5s")], "2h"),
            ("durationRound", vec![s("-5s")], "5s"),
            ("durationRound", vec![s("49h")], "2d"),
            ("durationRound", vec![s("800h")], "1mo"),
            ("durationRound", vec![s("9000h")], "1y"),
            ("durationRound", vec![s("1s")], "0s"),
        ]);
        errors(&[
            (
                "mustToDate",
                vec![s("2006-01-02"), s("bad")],
                "parsing time \"bad\" as \"2006-01-02\": cannot parse \"bad\" as \"2006\"",
            ),
            (
                "mustToDate",
                vec![s("2006-01-02"), s("2023-02-29")],
                "day out of range",
            ),
            (
                "mustDateModify",
                vec![s("1d"), date("2024-01-01")],
                "time: unknown unit \"d\" in duration \"1d\"",
            ),
            (
                "unixEpoch",
                vec![s("2024")],
                "expected time.Time; got string",
            ),
        ]);
    }

    #[test]
    fn durations_print_like_go() {
        let cases: &[(i64, &str)] = &[
            (0, "0s"),
            (1, "1ns"),
            (1_100, "1.1µs"),
            (2_200_000, "2.2ms"),
            (1_500_000_000, "1.5s"),
            (90 * NANOS, "1m30s"),
            (3_600 * NANOS, "1h0m0s"),
            (-(61 * NANOS), "-1m1s"),
            (i64::MAX, "2562047h47m16.854775807s"),
        ];
        for (d, want) in cases {
            assert_eq!(duration_string(*d), *want);
        }
        assert_eq!(parse_duration("1h2m3.5s"), Ok(3_723_500_000_000));
        assert_eq!(parse_duration("-1.5h"), Ok(-5_400_000_000_000));
        assert_eq!(parse_duration("300ms"), Ok(300_000_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert!(parse_duration("1").unwrap_err().contains("missing unit"));
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn now_and_ago() {
        let now = call("now", &[]).unwrap();
        let text = crate::fmt::format_value(&now);
        assert!(text.contains(" +0000 UTC m=+"), "{text}");
        let year = call("date", &[s("2006"), now.clone()]).unwrap();
        assert!(year.as_str().unwrap().starts_with("20"));
        assert_eq!(render("ago", std::slice::from_ref(&now)).unwrap(), "0s");
        let Value::Object(o) = &now else { panic!() };
        assert!(matches!(o.field("Year"), Some(Value::Int(y)) if y >= 2024));
        let fmt = o.call_method("Format", &[s("2006")]).unwrap().unwrap();
        assert_eq!(fmt.as_str(), year.as_str());
        assert!(render("ago", &[i(0)]).unwrap().ends_with('s'));
    }
}
