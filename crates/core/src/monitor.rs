//! Monitors (DOMAIN §6) as data: what is checked (`http`, `tcp`, `tls`, `dns`), how often, and
//! how many failures make an outage — and the monitors file, read and written with the
//! catalogue's rules (every problem at once with line, column and field path; deterministic
//! bytes; upsert by code). The probes that run them come later; here a monitor is only its
//! settings.
//!
//! ```yaml
//! monitors:
//!   - code: web-hosting-https          # [a-z0-9-], 1 to 64 characters, unique
//!     name: {en: Web hosting, nl: Webhosting}
//!     service: WEB-HOSTING             # or `subscription: ID` (one subscription): exactly one
//!     kind: http                       # http, tcp, tls or dns; `settings` are that kind's
//!     settings:
//!       url: https://www.example.invalid/health
//!       method: GET                    # default GET
//!       headers: {Authorization: "${env:WEB_HOSTING_TOKEN}"}
//!       expected_statuses: [200, 204]  # absent: any 2xx
//!       body_contains: ok              # or body_regex: "^ok$" — not both
//!       max_latency_ms: 2000           # a slower answer is a failure
//!       verify_tls: true               # default true
//!       follow_redirects: true         # default true
//!     interval: 30s                    # 10s to 24h; default 60s
//!     timeout: 10s                     # 1s to less than the interval; default 10s (9s for 10s)
//!     failures_before_down: 3          # 1 to 100; default 3
//!     successes_before_up: 2           # 1 to 100; default 2
//!     stale_after: 90s                 # interval to 7 days; absent: 2 × interval
//!     counts_for_availability: true    # default true
//! ```
//!
//! Secrets never enter a monitor in clear: a header's value is always a reference
//! `${env:NAME}`, resolved by the prober from its environment, and a URL carries no user or
//! password. So the store, the audit log and an export hold only references.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalogue::document::{index, join, Issue, MapReader, Node, Reader, Value};
use crate::catalogue::import::Action;
use crate::catalogue::model::Seconds;
use crate::catalogue::read::{check_code, read_duration, read_enum, req_code, req_text, CodeStyle};
use crate::text::Text;

/// The shortest interval between two checks of a monitor.
pub const MIN_INTERVAL: i64 = 10;
/// The longest: one a day.
pub const MAX_INTERVAL: i64 = 86_400;
pub const DEFAULT_INTERVAL: i64 = 60;
pub const DEFAULT_TIMEOUT: i64 = 10;
/// The longest a result may cover (`stale_after`).
pub const MAX_STALE_AFTER: i64 = 7 * 86_400;
/// The most consecutive failures or successes a state change may wait for.
pub const MAX_RUN: i64 = 100;
pub const DEFAULT_FAILURES_BEFORE_DOWN: i64 = 3;
pub const DEFAULT_SUCCESSES_BEFORE_UP: i64 = 2;
pub const DEFAULT_TLS_PORT: i64 = 443;
pub const DEFAULT_WARNING_DAYS: i64 = 14;
/// The largest compiled body regex (bytes), so that a body can be matched in bounded time and
/// memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A monitor: its code, name, what it watches and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitor {
    pub code: String,
    pub name: Text,
    /// The service it watches for every subscription of it; or `None` with `subscription`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The one subscription it watches (its service, for that subscription only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    #[serde(flatten)]
    pub check: Check,
    pub interval: Seconds,
    pub timeout: Seconds,
    pub failures_before_down: i64,
    pub successes_before_up: i64,
    /// How long a result covers; `None`: 2 × `interval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_after: Option<Seconds>,
    pub counts_for_availability: bool,
}

/// One result of a check as the ingest takes it: `{"at", "ok", "latency_ms"?, "detail"?}`. A
/// `degraded` verdict (a certificate about to expire) is `ok` with its `detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// Unix seconds.
    pub at: i64,
    pub ok: bool,
    pub latency_ms: Option<i32>,
    pub detail: Option<String>,
}

/// A roll-up's grain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grain {
    Minute = 1,
    Hour = 2,
    /// A local day in Europe/Brussels (23 or 25 hours on DST days).
    Day = 3,
}

/// The results of one monitor in one minute, hour or local day, summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rollup {
    pub grain: Grain,
    /// The unix second the minute, hour or local day starts.
    pub bucket: i64,
    pub checks: i64,
    pub ok: i64,
    /// Of the checks, those with a latency, and its sum and maximum (ms).
    pub latency_count: i64,
    pub latency_sum: i64,
    pub latency_max: Option<i64>,
}

/// The start of the local day (Europe/Brussels) holding unix second `at`.
pub fn local_day_start(at: i64) -> i64 {
    jiff::Timestamp::from_second(at)
        .ok()
        .and_then(|t| {
            t.to_zoned(crate::subscription::zone().clone())
                .start_of_day()
                .ok()
        })
        .map_or(at - at.rem_euclid(86_400), |z| z.timestamp().as_second())
}

/// The roll-ups of `results` (one monitor's): per minute, hour and local day, by grain and
/// bucket.
pub fn rollups(results: &[CheckResult]) -> Vec<Rollup> {
    let mut out: std::collections::BTreeMap<(Grain, i64), Rollup> = Default::default();
    // Results of one batch mostly share their day: the local day's bounds are kept.
    let mut day: Option<(i64, i64)> = None;
    for r in results {
        let day_start = match day {
            Some((start, end)) if r.at >= start && r.at < end => start,
            _ => {
                let start = local_day_start(r.at);
                let end = local_day_start(start + 26 * 3600);
                day = Some((start, end));
                start
            }
        };
        for (grain, bucket) in [
            (Grain::Minute, r.at - r.at.rem_euclid(60)),
            (Grain::Hour, r.at - r.at.rem_euclid(3600)),
            (Grain::Day, day_start),
        ] {
            let e = out.entry((grain, bucket)).or_insert(Rollup {
                grain,
                bucket,
                checks: 0,
                ok: 0,
                latency_count: 0,
                latency_sum: 0,
                latency_max: None,
            });
            e.checks += 1;
            e.ok += i64::from(r.ok);
            if let Some(l) = r.latency_ms {
                e.latency_count += 1;
                e.latency_sum += i64::from(l);
                e.latency_max = Some(e.latency_max.map_or(i64::from(l), |m| m.max(i64::from(l))));
            }
        }
    }
    out.into_values().collect()
}

/// The longest `detail` kept, in characters.
pub const MAX_DETAIL_CHARS: usize = 1000;

/// Reads one result; each problem is an issue under its field (below `path`, e.g. `[3]`).
pub fn read_result(
    v: &serde_json::Value,
    path: &str,
) -> Result<CheckResult, Vec<crate::catalogue::document::Issue>> {
    use serde_json::Value;
    let mut issues = Vec::new();
    let mut problem = |k: &str, message: &str| {
        issues.push(crate::catalogue::document::Issue {
            pos: None,
            path: if k.is_empty() {
                path.to_owned()
            } else if path.is_empty() {
                k.to_owned()
            } else {
                format!("{path}.{k}")
            },
            message: message.to_owned(),
        })
    };
    let Value::Object(map) = v else {
        problem("", "expected an object {\"at\", \"ok\"}");
        return Err(issues);
    };
    for k in map.keys() {
        if !matches!(k.as_str(), "at" | "ok" | "latency_ms" | "detail") {
            problem(k, "unknown field (at, ok, latency_ms, detail)");
        }
    }
    let at = match map.get("at") {
        Some(Value::String(s)) => match crate::sla::instant::parse_instant_secs(s) {
            Ok(at) => Some(at),
            Err(e) => {
                problem("at", &e.to_string());
                None
            }
        },
        Some(_) => {
            problem("at", "expected an RFC 3339 instant");
            None
        }
        None => {
            problem("at", "missing");
            None
        }
    };
    let ok = match map.get("ok") {
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            problem("ok", "expected true or false");
            None
        }
        None => {
            problem("ok", "missing");
            None
        }
    };
    let latency_ms = match map.get("latency_ms") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) if i >= 0 => Some(i),
            _ => {
                problem(
                    "latency_ms",
                    "expected a whole number of milliseconds, 0 to 2147483647",
                );
                None
            }
        },
        Some(_) => {
            problem("latency_ms", "expected a number");
            None
        }
    };
    let detail = match map.get("detail") {
        None | Some(Value::Null) => None,
        Some(Value::String(s))
            if s.chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) =>
        {
            problem(
                "detail",
                "a control character other than a tab or a line break",
            );
            None
        }
        Some(Value::String(s)) if s.chars().count() <= MAX_DETAIL_CHARS => Some(s.clone()),
        Some(Value::String(_)) => {
            problem(
                "detail",
                &format!("longer than {MAX_DETAIL_CHARS} characters"),
            );
            None
        }
        Some(_) => {
            problem("detail", "expected a string");
            None
        }
    };
    match (at, ok) {
        (Some(at), Some(ok)) if issues.is_empty() => Ok(CheckResult {
            at,
            ok,
            latency_ms,
            detail,
        }),
        _ => Err(issues),
    }
}

impl Monitor {
    pub fn kind(&self) -> Kind {
        self.check.kind()
    }

    /// How long a result covers: `stale_after`, or 2 × the interval.
    pub fn effective_stale_after(&self) -> Seconds {
        self.stale_after.unwrap_or(Seconds(2 * self.interval.0))
    }

    /// The outage rule of its settings (`sla::outages`): N, M and how long a result covers.
    pub fn outage_rule(&self) -> crate::sla::outages::OutageRule {
        crate::sla::outages::OutageRule {
            failures_before_down: self.failures_before_down.clamp(1, u32::MAX as i64) as u32,
            successes_before_up: self.successes_before_up.clamp(1, u32::MAX as i64) as u32,
            stale_after: self.effective_stale_after().0.max(1),
        }
    }

    pub fn attachment(&self) -> Attachment<'_> {
        match (&self.service, &self.subscription) {
            (_, Some(id)) => Attachment::Subscription(id),
            (Some(code), None) => Attachment::Service(code),
            // The reader never makes one without either.
            (None, None) => Attachment::Service(""),
        }
    }
}

/// What a monitor is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attachment<'a> {
    /// A service: it counts for every subscription of it.
    Service(&'a str),
    /// One subscription (by id): it counts for that one only.
    Subscription(&'a str),
}

/// The kind of a monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Http,
    Tcp,
    Tls,
    Dns,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Http, Kind::Tcp, Kind::Tls, Kind::Dns];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Http => "http",
            Kind::Tcp => "tcp",
            Kind::Tls => "tls",
            Kind::Dns => "dns",
        }
    }

    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

/// A monitor's kind with its settings, written `kind: http` and `settings: {…}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "settings", rename_all = "lowercase")]
pub enum Check {
    Http(HttpCheck),
    Tcp(TcpCheck),
    Tls(TlsCheck),
    Dns(DnsCheck),
}

impl Check {
    pub fn kind(&self) -> Kind {
        match self {
            Check::Http(_) => Kind::Http,
            Check::Tcp(_) => Kind::Tcp,
            Check::Tls(_) => Kind::Tls,
            Check::Dns(_) => Kind::Dns,
        }
    }
}

/// An HTTP(S) request and what its answer must be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpCheck {
    pub method: HttpMethod,
    pub url: String,
    /// Header name → a reference to the prober's environment (never a value in clear).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, EnvRef>,
    /// The statuses that are a success; empty: any 2xx.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expected_statuses: Vec<i64>,
    /// Text the body must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_contains: Option<String>,
    /// A regular expression (Rust `regex` syntax) the body must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_regex: Option<String>,
    /// A slower answer is a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_latency_ms: Option<i64>,
    pub verify_tls: bool,
    pub follow_redirects: bool,
}

/// The methods a check may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
}

impl HttpMethod {
    pub const ALL: [HttpMethod; 7] = [
        HttpMethod::Get,
        HttpMethod::Head,
        HttpMethod::Post,
        HttpMethod::Put,
        HttpMethod::Patch,
        HttpMethod::Delete,
        HttpMethod::Options,
    ];

    pub fn code(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Head => "HEAD",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
        }
    }

    pub fn from_code(code: &str) -> Option<HttpMethod> {
        HttpMethod::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// A TCP connection to `host:port`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpCheck {
    pub host: String,
    pub port: i64,
}

/// The certificate of `host:port`: valid, and not expiring within `warning_days`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsCheck {
    pub host: String,
    pub port: i64,
    pub warning_days: i64,
}

/// A DNS query and what its answer must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsCheck {
    pub name: String,
    pub record_type: RecordType,
    /// Values the answer must contain (each of them); empty: any answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expected: Vec<String>,
    /// The resolver to ask (`IP` or `IP:PORT`); `None`: the prober's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolver: Option<String>,
}

/// The record types a DNS check may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordType {
    A,
    Aaaa,
    Cname,
    Mx,
    Ns,
    Txt,
    Srv,
    Caa,
    Ptr,
    Soa,
}

impl RecordType {
    pub const ALL: [RecordType; 10] = [
        RecordType::A,
        RecordType::Aaaa,
        RecordType::Cname,
        RecordType::Mx,
        RecordType::Ns,
        RecordType::Txt,
        RecordType::Srv,
        RecordType::Caa,
        RecordType::Ptr,
        RecordType::Soa,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
            RecordType::Mx => "MX",
            RecordType::Ns => "NS",
            RecordType::Txt => "TXT",
            RecordType::Srv => "SRV",
            RecordType::Caa => "CAA",
            RecordType::Ptr => "PTR",
            RecordType::Soa => "SOA",
        }
    }

    pub fn from_code(code: &str) -> Option<RecordType> {
        RecordType::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// A reference to a variable of the prober's environment, written `${env:NAME}`; holds the
/// name only, so a monitor cannot hold a secret in clear.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnvRef(String);

impl EnvRef {
    /// Reads `${env:NAME}` (NAME: `[A-Za-z_][A-Za-z0-9_]*`, at most 128 characters).
    pub fn parse(text: &str) -> Option<EnvRef> {
        let name = text.strip_prefix("${env:")?.strip_suffix('}')?;
        let mut chars = name.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        (first_ok && rest_ok && name.len() <= 128).then(|| EnvRef(name.to_owned()))
    }

    /// The variable's name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EnvRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${{env:{}}}", self.0)
    }
}

impl Serialize for EnvRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for EnvRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        EnvRef::parse(&text)
            .ok_or_else(|| serde::de::Error::custom("a header value is a `${env:NAME}` reference"))
    }
}

/// What a monitor may name that is stored elsewhere: when a set is given, a reference outside it
/// is reported at its place; when `None`, it is left to the store (which refuses it too).
#[derive(Debug, Clone, Default)]
pub struct Refs {
    /// Service codes.
    pub services: Option<BTreeSet<String>>,
    /// Subscription ids.
    pub subscriptions: Option<BTreeSet<String>>,
}

/// Reads a monitors file (`monitors:` and its list), every problem at once.
pub fn read_monitors(doc: &Node, refs: &Refs) -> Result<Vec<Monitor>, Vec<Issue>> {
    let mut r = Reader::new();
    let Some(mut top) = r.map(doc, "") else {
        return Err(r.issues);
    };
    let list = top.get("monitors");
    top.finish(&mut r);
    let mut monitors: Vec<Monitor> = Vec::new();
    let mut lines: Vec<(String, usize)> = Vec::new();
    for (i, node) in r.seq(list, "monitors").iter().enumerate() {
        let path = index("monitors", i);
        if let Some(m) = read_monitor_at(&mut r, node, &path, refs) {
            let line = node.pos.map(|p| p.line).unwrap_or(0);
            if let Some((_, first)) = lines.iter().find(|(c, _)| *c == m.code) {
                let pos = node.get("code").and_then(|n| n.pos).or(node.pos);
                r.report(
                    pos,
                    &join(&path, "code"),
                    format!(
                        "duplicate monitor code `{}` (first defined at line {first})",
                        m.code
                    ),
                );
            }
            lines.push((m.code.clone(), line));
            monitors.push(m);
        }
    }
    if r.ok() {
        Ok(monitors)
    } else {
        Err(r.issues)
    }
}

/// Reads one monitor (an API body); references are left to the store.
pub fn read_monitor(doc: &Node) -> Result<Monitor, Vec<Issue>> {
    let mut r = Reader::new();
    match read_monitor_at(&mut r, doc, "", &Refs::default()) {
        Some(m) if r.ok() => Ok(m),
        _ => Err(r.issues),
    }
}

/// A duration key with a default, in whole seconds.
fn duration_or(
    r: &mut Reader,
    m: &mut MapReader<'_>,
    key: &'static str,
    default: i64,
) -> Option<i64> {
    let path = m.path_of(key);
    match m.get(key) {
        Some(n) => read_duration(r, n, &path).map(|s| s.0),
        None => Some(default),
    }
}

fn integer_or(
    r: &mut Reader,
    m: &mut MapReader<'_>,
    key: &'static str,
    (min, max): (i64, i64),
    default: i64,
) -> Option<i64> {
    let path = m.path_of(key);
    match m.get(key) {
        Some(n) => r.integer(n, &path, min, max),
        None => Some(default),
    }
}

fn boolean_or(
    r: &mut Reader,
    m: &mut MapReader<'_>,
    key: &'static str,
    default: bool,
) -> Option<bool> {
    let path = m.path_of(key);
    match m.get(key) {
        Some(n) => r.boolean(n, &path),
        None => Some(default),
    }
}

fn pos_of(node: Option<&Node>) -> Option<crate::catalogue::document::Pos> {
    node.and_then(|n| n.pos)
}

fn read_monitor_at(r: &mut Reader, node: &Node, path: &str, refs: &Refs) -> Option<Monitor> {
    let mut m = r.map(node, path)?;
    let code = req_code(r, &mut m, CodeStyle::Lower);
    let name = req_text(r, &mut m, "name");
    let (service, subscription) = read_attachment(r, &mut m, refs);

    let kind_path = m.path_of("kind");
    let kind = m
        .require(r, "kind")
        .and_then(|n| read_enum(r, n, &kind_path, Kind::from_code, "http, tcp, tls, dns"));
    let settings_path = m.path_of("settings");
    let settings_node = m.require(r, "settings");
    let check = match (kind, settings_node) {
        (Some(kind), Some(n)) => read_check(r, kind, n, &settings_path),
        _ => None,
    };

    let interval_node = m.get("interval");
    let interval = duration_or(r, &mut m, "interval", DEFAULT_INTERVAL);
    // The checks against the interval are made only against one in range.
    let mut valid_interval = interval;
    if let Some(i) = interval {
        if !(MIN_INTERVAL..=MAX_INTERVAL).contains(&i) {
            valid_interval = None;
            r.report(
                pos_of(interval_node).or(m.node.pos),
                &m.path_of("interval"),
                format!(
                    "{} is out of range: an interval is {} to {}",
                    Seconds(i),
                    Seconds(MIN_INTERVAL),
                    Seconds(MAX_INTERVAL)
                ),
            );
        }
    }
    let timeout_node = m.get("timeout");
    // By default 10 s, or less than a shorter interval.
    let default_timeout = DEFAULT_TIMEOUT.min(valid_interval.unwrap_or(MAX_INTERVAL) - 1);
    let timeout = duration_or(r, &mut m, "timeout", default_timeout);
    if let (Some(t), Some(i)) = (timeout, valid_interval) {
        if t < 1 || t >= i {
            r.report(
                pos_of(timeout_node).or(m.node.pos),
                &m.path_of("timeout"),
                format!(
                    "{} is out of range: a timeout is at least 1s and shorter than the interval ({})",
                    Seconds(t),
                    Seconds(i)
                ),
            );
        }
    }
    let failures = integer_or(
        r,
        &mut m,
        "failures_before_down",
        (1, MAX_RUN),
        DEFAULT_FAILURES_BEFORE_DOWN,
    );
    let successes = integer_or(
        r,
        &mut m,
        "successes_before_up",
        (1, MAX_RUN),
        DEFAULT_SUCCESSES_BEFORE_UP,
    );
    let stale_path = m.path_of("stale_after");
    let stale_node = m.get("stale_after");
    let stale_after = match stale_node {
        Some(n) => match read_duration(r, n, &stale_path) {
            Some(s) => {
                let min = valid_interval.unwrap_or(MIN_INTERVAL);
                if s.0 < min || s.0 > MAX_STALE_AFTER {
                    r.report(
                        n.pos,
                        &stale_path,
                        format!(
                            "{s} is out of range: a result covers at least the interval ({}) and at most {}",
                            Seconds(min),
                            Seconds(MAX_STALE_AFTER)
                        ),
                    );
                }
                Some(Some(s))
            }
            None => None,
        },
        None => Some(None),
    };
    let counts = boolean_or(r, &mut m, "counts_for_availability", true);

    // A latency limit is within the timeout: a slower answer has timed out already.
    if let (Some(Check::Http(h)), Some(t)) = (&check, timeout) {
        if let Some(limit) = h.max_latency_ms {
            if limit > t.saturating_mul(1000) {
                let n = settings_node.and_then(|n| n.get("max_latency_ms"));
                r.report(
                    pos_of(n),
                    &join(&settings_path, "max_latency_ms"),
                    format!(
                        "{limit} ms is longer than the timeout ({}): at most {} ms",
                        Seconds(t),
                        t.saturating_mul(1000)
                    ),
                );
            }
        }
    }
    m.finish(r);
    Some(Monitor {
        code: code?,
        name,
        service,
        subscription,
        check: check?,
        interval: Seconds(interval?),
        timeout: Seconds(timeout?),
        failures_before_down: failures?,
        successes_before_up: successes?,
        stale_after: stale_after?,
        counts_for_availability: counts?,
    })
}

/// `service` or `subscription`, exactly one, each checked against `refs` when it lists them.
fn read_attachment(
    r: &mut Reader,
    m: &mut MapReader<'_>,
    refs: &Refs,
) -> (Option<String>, Option<String>) {
    let service_path = m.path_of("service");
    let subscription_path = m.path_of("subscription");
    let service_node = m.get("service");
    let subscription_node = m.get("subscription");
    let mut service = service_node.and_then(|n| r.string(n, &service_path));
    let mut subscription = subscription_node.and_then(|n| r.string(n, &subscription_path));
    match (service_node, subscription_node) {
        (None, None) => r.report(
            m.node.pos,
            &service_path,
            "is required: a monitor watches a service (`service: CODE`) or one subscription (`subscription: ID`)",
        ),
        (Some(_), Some(n)) => r.report(
            n.pos,
            &subscription_path,
            "give `service` or `subscription`, not both: a subscription's monitor watches that subscription's service",
        ),
        _ => {}
    }
    if let Some(code) = &service {
        if !check_code(r, service_node, &service_path, code, CodeStyle::Upper) {
            service = None;
        } else if refs.services.as_ref().is_some_and(|s| !s.contains(code)) {
            r.report(
                pos_of(service_node),
                &service_path,
                format!("unknown service `{code}`"),
            );
        }
    }
    if let Some(id) = &subscription {
        if id.is_empty() || id.len() > 64 || id.chars().any(|c| c.is_whitespace()) {
            r.report(
                pos_of(subscription_node),
                &subscription_path,
                format!("`{id}` is not a subscription id"),
            );
            subscription = None;
        } else if refs.subscriptions.as_ref().is_some_and(|s| !s.contains(id)) {
            r.report(
                pos_of(subscription_node),
                &subscription_path,
                format!("no subscription `{id}`"),
            );
        }
    }
    (service, subscription)
}

fn read_check(r: &mut Reader, kind: Kind, node: &Node, path: &str) -> Option<Check> {
    let mut m = r.map(node, path)?;
    let check = match kind {
        Kind::Http => read_http(r, &mut m).map(Check::Http),
        Kind::Tcp => {
            let host = read_host(r, &mut m, "host", false);
            let port = m
                .require(r, "port")
                .and_then(|n| r.integer(n, &m.path_of("port"), 1, 65_535));
            Some(Check::Tcp(TcpCheck {
                host: host?,
                port: port?,
            }))
        }
        Kind::Tls => {
            let host = read_host(r, &mut m, "host", false);
            let port = integer_or(r, &mut m, "port", (1, 65_535), DEFAULT_TLS_PORT);
            let warning_days =
                integer_or(r, &mut m, "warning_days", (1, 365), DEFAULT_WARNING_DAYS);
            Some(Check::Tls(TlsCheck {
                host: host?,
                port: port?,
                warning_days: warning_days?,
            }))
        }
        Kind::Dns => read_dns(r, &mut m).map(Check::Dns),
    };
    // Keys of another kind are unknown here: the message lists this kind's.
    m.finish(r);
    check
}

fn read_http(r: &mut Reader, m: &mut MapReader<'_>) -> Option<HttpCheck> {
    let url_path = m.path_of("url");
    let url_node = m.get("url");
    let url = m.req_string(r, "url");
    if let Some(u) = &url {
        if let Err(why) = check_url(u) {
            r.report(pos_of(url_node), &url_path, why);
        }
    }
    let method_path = m.path_of("method");
    let method = match m.get("method") {
        Some(n) => read_enum(
            r,
            n,
            &method_path,
            HttpMethod::from_code,
            "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
        ),
        None => Some(HttpMethod::Get),
    };
    let headers = read_headers(r, m);
    let statuses_path = m.path_of("expected_statuses");
    let statuses_node = m.get("expected_statuses");
    let mut expected_statuses: Vec<i64> = Vec::new();
    for (i, n) in r.seq(statuses_node, &statuses_path).iter().enumerate() {
        let p = index(&statuses_path, i);
        if let Some(s) = r.integer(n, &p, 100, 599) {
            if expected_statuses.contains(&s) {
                r.report(n.pos, &p, format!("{s} is listed twice"));
            } else {
                expected_statuses.push(s);
            }
        }
    }
    let contains_path = m.path_of("body_contains");
    let contains_node = m.get("body_contains");
    let body_contains = m.opt_string(r, "body_contains");
    if body_contains.as_deref() == Some("") {
        r.report(
            pos_of(contains_node),
            &contains_path,
            "is empty: every body contains it",
        );
    }
    let regex_path = m.path_of("body_regex");
    let regex_node = m.get("body_regex");
    let body_regex = m.opt_string(r, "body_regex");
    if let Some(re) = &body_regex {
        if let Err(e) = regex::RegexBuilder::new(re)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            let why = e.to_string().lines().last().unwrap_or("").trim().to_owned();
            r.report(
                pos_of(regex_node),
                &regex_path,
                format!("not a valid regular expression: {why}"),
            );
        }
        if body_contains.is_some() {
            r.report(
                pos_of(regex_node),
                &regex_path,
                "give `body_contains` or `body_regex`, not both",
            );
        }
    }
    let latency_path = m.path_of("max_latency_ms");
    let max_latency_ms = match m.get("max_latency_ms") {
        Some(n) => Some(r.integer(n, &latency_path, 1, MAX_INTERVAL * 1000)?),
        None => None,
    };
    let verify_tls = boolean_or(r, m, "verify_tls", true);
    let follow_redirects = boolean_or(r, m, "follow_redirects", true);
    Some(HttpCheck {
        method: method?,
        url: url?,
        headers: headers?,
        expected_statuses,
        body_contains,
        body_regex,
        max_latency_ms,
        verify_tls: verify_tls?,
        follow_redirects: follow_redirects?,
    })
}

/// `headers`: a mapping of header names to `${env:NAME}` references. A literal value is refused:
/// it would be stored, audited and exported in clear.
fn read_headers(r: &mut Reader, m: &mut MapReader<'_>) -> Option<BTreeMap<String, EnvRef>> {
    let path = m.path_of("headers");
    let Some(node) = m.get("headers") else {
        return Some(BTreeMap::new());
    };
    let Value::Map(entries) = &node.value else {
        r.report(
            node.pos,
            &path,
            format!(
                "expected a mapping of header names to `${{env:NAME}}` references, found {}",
                node.kind_name()
            ),
        );
        return None;
    };
    let mut headers = BTreeMap::new();
    let mut ok = true;
    for (key, value) in entries {
        let p = join(&path, &key.name);
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if key.name.is_empty() || !key.name.chars().all(token) {
            r.report(key.pos, &p, format!("`{}` is not a header name", key.name));
            ok = false;
            continue;
        }
        if headers
            .keys()
            .any(|k: &String| k.eq_ignore_ascii_case(&key.name))
        {
            r.report(key.pos, &p, "is given twice (header names ignore case)");
            ok = false;
            continue;
        }
        let Some(text) = r.string(value, &p) else {
            ok = false;
            continue;
        };
        match EnvRef::parse(&text) {
            Some(env) => {
                headers.insert(key.name.clone(), env);
            }
            None => {
                r.report(
                    value.pos,
                    &p,
                    "a header value is never stored in clear: write a reference `${env:NAME}` and give the value to the prober in its environment variable NAME",
                );
                ok = false;
            }
        }
    }
    ok.then_some(headers)
}

fn read_dns(r: &mut Reader, m: &mut MapReader<'_>) -> Option<DnsCheck> {
    let name = read_host(r, m, "name", true);
    let type_path = m.path_of("record_type");
    let record_type = match m.get("record_type") {
        Some(n) => read_enum(
            r,
            n,
            &type_path,
            RecordType::from_code,
            "A, AAAA, CNAME, MX, NS, TXT, SRV, CAA, PTR, SOA",
        ),
        None => Some(RecordType::A),
    };
    let expected_path = m.path_of("expected");
    let expected_node = m.get("expected");
    let mut expected: Vec<String> = Vec::new();
    for (i, n) in r.seq(expected_node, &expected_path).iter().enumerate() {
        let p = index(&expected_path, i);
        if let Some(v) = r.string(n, &p) {
            if v.trim().is_empty() {
                r.report(n.pos, &p, "an expected value is not blank");
            } else if expected.contains(&v) {
                r.report(n.pos, &p, format!("`{v}` is listed twice"));
            } else {
                expected.push(v);
            }
        }
    }
    let resolver_path = m.path_of("resolver");
    let resolver_node = m.get("resolver");
    let resolver = m.opt_string(r, "resolver");
    if let Some(res) = &resolver {
        if !is_resolver(res) {
            r.report(
                pos_of(resolver_node),
                &resolver_path,
                format!("`{res}` is not a resolver: expected an IP address, with a port or not (`192.0.2.53`, `192.0.2.53:53`, `[2001:db8::53]:53`)"),
            );
        }
    }
    Some(DnsCheck {
        name: name?,
        record_type: record_type?,
        expected,
        resolver,
    })
}

/// A host name or IP address under `key` (required). A DNS name may hold `_` (`_sip._tcp.…`).
fn read_host(
    r: &mut Reader,
    m: &mut MapReader<'_>,
    key: &'static str,
    dns: bool,
) -> Option<String> {
    let path = m.path_of(key);
    let node = m.get(key);
    let host = m.req_string(r, key)?;
    if is_ip(&host) || is_host_name(&host, dns) {
        Some(host)
    } else {
        r.report(
            pos_of(node),
            &path,
            format!("`{host}` is not a host name or an IP address"),
        );
        None
    }
}

fn is_ip(text: &str) -> bool {
    text.parse::<std::net::IpAddr>().is_ok()
}

/// Labels of letters, digits and `-` (and `_` in a DNS name), 1 to 63 characters, not starting
/// or ending with `-`; at most 253 characters; one trailing dot allowed.
fn is_host_name(text: &str, dns: bool) -> bool {
    let name = text.strip_suffix('.').unwrap_or(text);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || (dns && c == '_'))
        })
}

fn is_resolver(text: &str) -> bool {
    is_ip(text) || text.parse::<std::net::SocketAddr>().is_ok()
}

/// An absolute `http` or `https` URL with a host and no user or password.
fn check_url(text: &str) -> Result<(), String> {
    let url = url::Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "`{}` is not a scheme a check uses: expected http or https",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{text}` has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("a URL with a user or password would store it in clear: send credentials in a header written `${env:NAME}`".into());
    }
    if url.fragment().is_some() {
        return Err(format!(
            "`{text}` has a fragment (`#…`), which is never sent"
        ));
    }
    Ok(())
}

impl Monitor {
    /// What it checks, in one line: the URL (with its method unless GET), `host:port`, or
    /// `name TYPE`.
    pub fn target(&self) -> String {
        match &self.check {
            Check::Http(h) if h.method == HttpMethod::Get => h.url.clone(),
            Check::Http(h) => format!("{} {}", h.method.code(), h.url),
            Check::Tcp(t) => format!("{}:{}", t.host, t.port),
            Check::Tls(t) => format!("{}:{}", t.host, t.port),
            Check::Dns(d) => format!("{} {}", d.name, d.record_type.code()),
        }
    }
}

/// A stored monitor whole, as the API and the command line show it to the provider's staff:
/// the monitors-file fields, with its `id`, the `service` it watches (its subscription's for a
/// subscription's monitor), its `subscription` and that subscription's `partner` (null for a
/// monitor of the whole service), `stale_after` null for 2 × interval, and its `revision`.
pub fn monitor_json(
    id: &str,
    m: &Monitor,
    service: &str,
    partner: Option<&str>,
    revision: i64,
) -> serde_json::Value {
    let doc = serde_json::to_value(m).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "id": id, "code": m.code, "name": m.name, "service": service,
        "subscription": m.subscription, "partner": partner,
        "kind": doc["kind"], "settings": doc["settings"], "interval": doc["interval"],
        "timeout": doc["timeout"], "failures_before_down": m.failures_before_down,
        "successes_before_up": m.successes_before_up,
        "stale_after": doc.get("stale_after").cloned().unwrap_or(serde_json::Value::Null),
        "counts_for_availability": m.counts_for_availability, "revision": revision,
    })
}

/// What a partner's people see of a monitor: its id, code, kind, service and name — never
/// its target or headers.
pub fn monitor_summary_json(id: &str, m: &Monitor, service: &str) -> serde_json::Value {
    serde_json::json!({"id": id, "code": m.code, "kind": m.kind().code(), "service": service,
        "name": m.name})
}

/// The monitors in their canonical order: by code.
pub fn canonical(monitors: &[Monitor]) -> Vec<Monitor> {
    let mut out = monitors.to_vec();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out
}

/// Writes a monitors file: deterministic (by code, fixed keys, no ids, no timestamps; header
/// values as the `${env:NAME}` references they are), so an export imported elsewhere and exported
/// again gives the same bytes.
pub fn to_yaml(monitors: &[Monitor]) -> String {
    let value = serde_json::json!({ "monitors": canonical(monitors) });
    crate::catalogue::export::yaml_file(
        "# Pacta monitors — edit and load with `pacta monitor import`.\n",
        &value,
    )
}

/// One line of an import plan: `created monitor web-hosting-https`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub action: Action,
    pub code: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} monitor {}", self.action.code(), self.code)
    }
}

/// What importing `incoming` over `existing` does: upsert by code, nothing deleted. The changes
/// come in code order; the monitors to write are those created or updated.
pub fn plan(existing: &[Monitor], incoming: &[Monitor]) -> (Vec<Change>, Vec<Monitor>) {
    let mut changes = Vec::new();
    let mut writes = Vec::new();
    for m in canonical(incoming) {
        let action = match existing.iter().find(|e| e.code == m.code) {
            None => Action::Created,
            Some(e) if *e == m => Action::Unchanged,
            Some(_) => Action::Updated,
        };
        changes.push(Change {
            action,
            code: m.code.clone(),
        });
        if action != Action::Unchanged {
            writes.push(m);
        }
    }
    (changes, writes)
}

#[cfg(test)]
mod tests {

    #[test]
    fn rollups_sum_by_minute_hour_and_local_day_across_a_dst_night() {
        let at = |s: &str| crate::sla::instant::parse_instant_secs(s).unwrap();
        let r = |s: &str, ok: bool, l: Option<i32>| CheckResult {
            at: at(s),
            ok,
            latency_ms: l,
            detail: None,
        };
        // 25 October 2026 is a 25-hour day in Brussels: 00:00+02:00 to the next 00:00+01:00.
        let results = [
            r("2026-10-25T02:30:00+02:00", true, Some(10)),
            r("2026-10-25T02:30:30+02:00", false, None),
            r("2026-10-25T02:30:00+01:00", true, Some(30)),
            r("2026-10-25T23:59:59+01:00", true, Some(20)),
            r("2026-10-26T00:00:00+01:00", true, Some(5)),
        ];
        let got = rollups(&results);
        let days: Vec<&Rollup> = got.iter().filter(|x| x.grain == Grain::Day).collect();
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].bucket, at("2026-10-25T00:00:00+02:00"));
        assert_eq!((days[0].checks, days[0].ok), (4, 3));
        assert_eq!(
            (
                days[0].latency_count,
                days[0].latency_sum,
                days[0].latency_max
            ),
            (3, 60, Some(30))
        );
        assert_eq!(days[1].bucket, at("2026-10-26T00:00:00+01:00"));
        // The two 02:30s are an hour apart: two hours, and the first minute holds two checks.
        let hours: Vec<&Rollup> = got.iter().filter(|x| x.grain == Grain::Hour).collect();
        assert_eq!(hours.len(), 4);
        let first_minute = got
            .iter()
            .find(|x| x.grain == Grain::Minute && x.bucket == at("2026-10-25T02:30:00+02:00"))
            .unwrap();
        assert_eq!((first_minute.checks, first_minute.ok), (2, 1));
        assert_eq!(
            local_day_start(at("2026-03-29T12:00:00+02:00")),
            at("2026-03-29T00:00:00+01:00")
        );
    }
    use super::*;
    use crate::catalogue::document::parse_yaml;
    use crate::text::Lang;

    const FILE: &str = r#"monitors:
  - code: web-https
    name: {en: Web hosting, nl: Webhosting}
    service: WEB-HOSTING
    kind: http
    settings:
      url: https://www.example.invalid/health
      headers: {Authorization: "${env:WEB_TOKEN}", X-Probe: "${env:PROBE_ID}"}
      expected_statuses: [200, 204]
      body_regex: "^ok"
      max_latency_ms: 2000
    interval: 30s
    timeout: 5s
  - code: mail-smtp
    name: {en: Mail relay}
    subscription: 01a00000-0000-7000-8000-000000000001
    kind: tcp
    settings: {host: smtp.example.invalid, port: 25}
  - code: web-cert
    name: {en: Web certificate}
    service: WEB-HOSTING
    kind: tls
    settings: {host: www.example.invalid}
    interval: 1h
    stale_after: 3h
    counts_for_availability: false
  - code: web-dns
    name: {en: Web DNS}
    service: WEB-HOSTING
    kind: dns
    settings: {name: www.example.invalid, record_type: AAAA, expected: ["2001:db8::1"], resolver: "[2001:db8::53]:53"}
"#;

    fn read(src: &str) -> Result<Vec<Monitor>, Vec<Issue>> {
        read_monitors(&parse_yaml(src).unwrap(), &Refs::default())
    }

    #[test]
    fn a_monitors_file_reads_with_defaults_and_round_trips() {
        let monitors = read(FILE).unwrap();
        assert_eq!(monitors.len(), 4);
        let web = &monitors[0];
        assert_eq!(web.kind(), Kind::Http);
        assert_eq!(web.attachment(), Attachment::Service("WEB-HOSTING"));
        assert_eq!(web.name.get(Lang::Nl), Some("Webhosting"));
        let Check::Http(h) = &web.check else {
            panic!("http")
        };
        assert_eq!(h.method, HttpMethod::Get);
        assert_eq!(h.headers["Authorization"].name(), "WEB_TOKEN");
        assert_eq!(h.expected_statuses, [200, 204]);
        assert!(h.verify_tls && h.follow_redirects);
        assert_eq!((web.interval, web.timeout), (Seconds(30), Seconds(5)));
        assert_eq!(web.effective_stale_after(), Seconds(60), "2 × interval");
        let smtp = &monitors[1];
        assert_eq!(
            smtp.attachment(),
            Attachment::Subscription("01a00000-0000-7000-8000-000000000001")
        );
        assert_eq!((smtp.interval, smtp.timeout), (Seconds(60), Seconds(10)));
        assert_eq!(
            (smtp.failures_before_down, smtp.successes_before_up),
            (3, 2)
        );
        assert!(smtp.counts_for_availability);
        let Check::Tls(tls) = &monitors[2].check else {
            panic!("tls")
        };
        assert_eq!((tls.port, tls.warning_days), (443, 14));
        assert_eq!(monitors[2].effective_stale_after(), Seconds(3 * 3600));
        assert!(!monitors[2].counts_for_availability);
        let yaml = to_yaml(&monitors);
        let again = read(&yaml).unwrap();
        assert_eq!(again, canonical(&monitors));
        assert_eq!(to_yaml(&again), yaml, "deterministic bytes");
        assert!(
            yaml.contains("Authorization: \"${env:WEB_TOKEN}\""),
            "{yaml}"
        );
        // The stored document is the same shape, and reads back.
        let doc = serde_json::to_value(&monitors[0]).unwrap();
        assert_eq!(doc["kind"], "http");
        assert_eq!(doc["settings"]["headers"]["X-Probe"], "${env:PROBE_ID}");
        assert_eq!(doc["interval"], "30s");
        let back: Monitor = serde_json::from_value(doc.clone()).unwrap();
        assert_eq!(back, monitors[0]);
        assert_eq!(read_monitor(&Node::from_json(&doc)).unwrap(), monitors[0]);
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let bad = r#"monitors:
  - code: Web_1
    name: {xx: Nope}
    kind: http
    settings:
      url: ftp://user:pw@example.invalid/
      method: FETCH
      headers: {Authorization: Bearer s3cret, "bad name": "${env:X}"}
      expected_statuses: [200, 700, 200]
      body_contains: ok
      body_regex: "("
      port: 80
    interval: 5s
    timeout: 5s
    failures_before_down: 0
    stale_after: 2s
    colour: red
  - code: both
    name: {en: Both}
    service: WEB-HOSTING
    subscription: some-id
    kind: tcp
    settings: {host: "-bad-", port: 70000}
    timeout: 60s
  - code: lat
    name: {en: Latency}
    service: web-hosting
    kind: dns
    settings: {name: x.example, record_type: AXFR, resolver: "dns.google", expected: ["a", "a"]}
  - code: both
    name: {en: Two}
    service: WEB-HOSTING
    kind: smtp
    settings: {}
  - code: slow
    name: {en: Slow}
    service: WEB-HOSTING
    kind: http
    settings: {url: "https://example.invalid/", max_latency_ms: 20000}
"#;
        let issues = read(bad).unwrap_err();
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        for path in [
            "monitors[0].code",
            "monitors[0].name.xx",
            "monitors[0].service",
            "monitors[0].settings.url",
            "monitors[0].settings.method",
            "monitors[0].settings.headers.Authorization",
            "monitors[0].settings.headers.bad name",
            "monitors[0].settings.expected_statuses[1]",
            "monitors[0].settings.expected_statuses[2]",
            "monitors[0].settings.body_regex",
            "monitors[0].settings.port",
            "monitors[0].interval",
            "monitors[0].failures_before_down",
            "monitors[0].stale_after",
            "monitors[0].colour",
            "monitors[1].subscription",
            "monitors[1].settings.host",
            "monitors[1].settings.port",
            "monitors[1].timeout",
            "monitors[2].service",
            "monitors[2].settings.record_type",
            "monitors[2].settings.resolver",
            "monitors[2].settings.expected[1]",
            "monitors[3].kind",
            "monitors[4].settings.max_latency_ms",
        ] {
            assert!(paths.contains(&path), "{path} in {paths:?}");
        }
        assert!(issues.iter().all(|i| i.pos.is_some()), "{issues:?}");
        let secret = issues
            .iter()
            .find(|i| i.path == "monitors[0].settings.headers.Authorization")
            .unwrap();
        assert!(secret.message.contains("${env:NAME}"), "{}", secret.message);
        assert!(
            !secret.message.contains("s3cret"),
            "the value is not repeated"
        );
        assert_eq!(secret.pos.unwrap().line, 8);
        let url = issues
            .iter()
            .find(|i| i.path == "monitors[0].settings.url")
            .unwrap();
        assert!(url.message.contains("http or https"), "{}", url.message);
        // A duplicate code names the first line; a code that failed to read is no duplicate.
        let dup = issues.iter().find(|i| i.path == "monitors[3].code");
        assert!(dup.is_none(), "monitors[3] did not read whole: {issues:?}");
    }

    #[test]
    fn a_url_with_credentials_and_a_duplicate_code_are_refused() {
        let src = r#"monitors:
  - code: a
    name: {en: A}
    service: S
    kind: http
    settings: {url: "https://me:pw@example.invalid/"}
  - code: a
    name: {en: A again}
    service: S
    kind: tcp
    settings: {host: 192.0.2.1, port: 22}
"#;
        let issues = read(src).unwrap_err();
        let url = issues
            .iter()
            .find(|i| i.path == "monitors[0].settings.url")
            .unwrap();
        assert!(url.message.contains("${env:NAME}"), "{}", url.message);
        let dup = issues
            .iter()
            .find(|i| i.path == "monitors[1].code")
            .unwrap();
        assert!(dup.message.contains("line 2"), "{}", dup.message);
    }

    #[test]
    fn references_are_checked_when_known() {
        let refs = Refs {
            services: Some(["WEB-HOSTING".to_owned()].into()),
            subscriptions: Some(BTreeSet::new()),
        };
        let issues = read_monitors(&parse_yaml(FILE).unwrap(), &refs).unwrap_err();
        let lines: Vec<String> = issues.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            ["16:19: monitors[1].subscription: no subscription `01a00000-0000-7000-8000-000000000001`"]
        );
    }

    #[test]
    fn settings_of_another_kind_are_unknown_fields() {
        let src = "code: x\nname: {en: X}\nservice: S\nkind: tcp\nsettings: {host: h.example, port: 1, url: \"https://h.example/\"}\n";
        let issues = read_monitor(&parse_yaml(src).unwrap()).unwrap_err();
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].path, "settings.url");
        assert!(
            issues[0].message.contains("host, port"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn the_default_timeout_is_shorter_than_a_short_interval() {
        let src = "code: x\nname: {en: X}\nservice: S\nkind: tcp\nsettings: {host: h.example, port: 1}\ninterval: 10s\n";
        let m = read_monitor(&parse_yaml(src).unwrap()).unwrap();
        assert_eq!((m.interval, m.timeout), (Seconds(10), Seconds(9)));
        // An interval out of range is the one problem reported, not the timeout against it.
        let issues = read_monitor(&parse_yaml(&src.replace("10s", "5s")).unwrap()).unwrap_err();
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].path, "interval");
    }

    #[test]
    fn env_references_are_names_only() {
        assert_eq!(EnvRef::parse("${env:A_1}").unwrap().name(), "A_1");
        assert_eq!(EnvRef::parse("${env:_x}").unwrap().to_string(), "${env:_x}");
        for bad in [
            "${env:}",
            "${env:1A}",
            "Bearer ${env:T}",
            "${env:T} ",
            "${ENV:T}",
            "${env:A-B}",
            "$env:T",
        ] {
            assert!(EnvRef::parse(bad).is_none(), "{bad}");
        }
        assert!(serde_json::from_str::<EnvRef>("\"s3cret\"").is_err());
    }

    #[test]
    fn import_upserts_by_code() {
        let monitors = read(FILE).unwrap();
        let (changes, writes) = plan(&[], &monitors);
        assert_eq!(
            changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "created monitor mail-smtp",
                "created monitor web-cert",
                "created monitor web-dns",
                "created monitor web-https"
            ]
        );
        assert_eq!(writes.len(), 4);
        let mut changed = monitors.clone();
        changed[1].interval = Seconds(120);
        let (changes, writes) = plan(&monitors, &changed);
        assert_eq!(changes[0].action, Action::Updated);
        assert!(changes[1..].iter().all(|c| c.action == Action::Unchanged));
        assert_eq!(writes.len(), 1);
    }
}
