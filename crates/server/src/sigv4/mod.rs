//! AWS Signature Version 4 verification for the admin operations.
//!
//! Only header-based signing is accepted (`Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
//! Signature=...`), which is what the AWS SDKs and CLI send to Cognito's JSON protocol. A presigned URL
//! (`X-Amz-Signature` in the query, no `Authorization` header) gets
//! [`SigV4Error::MissingAuthenticationToken`]; SigV4a, chunked (streaming) payloads and an RFC 1123 `Date`
//! header are not supported. A session token (`X-Amz-Security-Token`) is a signed header like any other and
//! is not checked: keys are long-term keys from the server's configuration.
//!
//! The canonical request follows the SigV4 specification as the AWS SDK for JavaScript implements it,
//! checked against vectors from that SDK in `tests/vectors/sigv4`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const TERMINATOR: &str = "aws4_request";
/// How far a request's timestamp may be from the server's clock, either way (AWS's window).
const MAX_SKEW_SECS: i64 = 15 * 60;

/// A request as the server received it.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// HTTP method, e.g. `"POST"`.
    pub method: &'a str,
    /// Raw path as received (still percent-encoded), e.g. `"/"`.
    pub path: &'a str,
    /// Raw query string without `?`; may be empty.
    pub query: &'a str,
    /// Header names as received (any case) and values as received; a name may repeat.
    pub headers: &'a [(String, String)],
    /// The body bytes.
    pub body: &'a [u8],
}

/// Why a request's signature was refused. Each variant names the AWS exception it is sent as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigV4Error {
    /// No `Authorization` header: `MissingAuthenticationTokenException`.
    #[error("Missing Authentication Token")]
    MissingAuthenticationToken,
    /// A malformed or incomplete `Authorization` header, a wrong credential scope, a missing date or
    /// signed header: `IncompleteSignatureException`. Holds the message.
    #[error("{0}")]
    IncompleteSignature(String),
    /// The access key id is unknown: `UnrecognizedClientException`.
    #[error("The security token included in the request is invalid.")]
    UnrecognizedClient,
    /// The signature does not match the request: `InvalidSignatureException`.
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS \
         Secret Access Key and signing method. Consult the service documentation for details."
    )]
    InvalidSignature,
    /// The request's timestamp is more than 15 minutes from the server's clock: `InvalidSignatureException`.
    /// Holds AWS's message ("Signature expired: ..." or "Signature not yet current: ...").
    #[error("{0}")]
    SignatureExpired(String),
}

impl SigV4Error {
    /// The AWS exception name sent as `__type`.
    pub fn exception_name(&self) -> &'static str {
        match self {
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::IncompleteSignature(_) => "IncompleteSignatureException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
            Self::InvalidSignature | Self::SignatureExpired(_) => "InvalidSignatureException",
        }
    }
}

/// Who signed a request that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The access key id from the credential scope.
    pub access_key_id: String,
    /// The region from the credential scope (any region is accepted).
    pub region: String,
}

/// [`SigV4Error::IncompleteSignature`] with a formatted message.
macro_rules! incomplete {
    ($($arg:tt)*) => { SigV4Error::IncompleteSignature(format!($($arg)*)) };
}

/// The parts of an `Authorization` header.
struct Authorization<'h> {
    access_key_id: &'h str,
    /// `date/region/service/aws4_request`, as the client wrote it.
    scope: &'h str,
    date: &'h str,
    region: &'h str,
    service: &'h str,
    signed_headers: &'h str,
    signature: &'h str,
}

/// Verifies `req`'s SigV4 signature for `service` at server time `now_unix` (seconds).
///
/// `secret_for` maps an access key id to its secret access key (`None`: unknown key). Every check that
/// needs no secret runs first; the clock is checked last, so only a genuine but stale (or early) request
/// learns that its time is off.
///
/// # Errors
/// [`SigV4Error`] for a missing, malformed, unknown, wrong or out-of-window signature.
pub fn verify(
    req: &SignedRequest<'_>,
    now_unix: i64,
    service: &str,
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<Verified, SigV4Error> {
    // Presigned requests (signature in the query) have no Authorization header and are refused here too.
    let header = header_value(req, "authorization").ok_or(SigV4Error::MissingAuthenticationToken)?;
    let auth = parse_authorization(&header)?;
    if auth.service != service {
        return Err(incomplete!("Credential should be scoped to correct service: '{service}'."));
    }
    if !auth.signed_headers.split(';').any(|name| name.eq_ignore_ascii_case("host")) {
        return Err(incomplete!("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."));
    }
    // Every x-amz-* header the request carries is signed, as AWS requires: otherwise a captured
    // request could be replayed with another X-Amz-Target (another operation) under the same signature.
    let signed = |name: &str| auth.signed_headers.split(';').any(|s| s.eq_ignore_ascii_case(name));
    if let Some((name, _)) = req
        .headers
        .iter()
        .find(|(name, _)| name.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("x-amz-")) && !signed(name))
    {
        return Err(incomplete!("'{name}' must be a 'SignedHeader' in the AWS Authorization."));
    }
    let (amz_date, from) = match (header_value(req, "x-amz-date"), header_value(req, "date")) {
        (Some(date), _) => (date, "X-Amz-Date"),
        (None, Some(date)) if signed("date") => (date, "Date"),
        (None, Some(_)) => {
            return Err(incomplete!("'Date' must be a 'SignedHeader' in the AWS Authorization."));
        }
        (None, None) => {
            return Err(incomplete!(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
            ));
        }
    };
    let signed_at = parse_amz_date(&amz_date)
        .ok_or_else(|| incomplete!("{from} must be in the form YYYYMMDD'T'HHMMSS'Z', not '{amz_date}'."))?;
    let day = amz_date.get(..8).unwrap_or_default();
    if auth.date != day {
        return Err(incomplete!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
             '{}' != '{day}', from '{from}'.",
            auth.date
        ));
    }
    let canonical = canonical_request(req, &auth)?;
    let secret = secret_for(auth.access_key_id).ok_or(SigV4Error::UnrecognizedClient)?;
    let hashed = hex(&Sha256::digest(canonical.as_bytes()));
    let string_to_sign = format!("{ALGORITHM}\n{amz_date}\n{}\n{hashed}", auth.scope);
    let key = signing_key(&secret, auth.date, auth.region, auth.service);
    let expected = hex(&hmac(&key, string_to_sign.as_bytes()));
    if !bool::from(expected.as_bytes().ct_eq(auth.signature.as_bytes())) {
        return Err(SigV4Error::InvalidSignature);
    }
    check_clock(&amz_date, signed_at, now_unix)?;
    Ok(Verified { access_key_id: auth.access_key_id.to_owned(), region: auth.region.to_owned() })
}

fn parse_authorization<'h>(header: &'h str) -> Result<Authorization<'h>, SigV4Error> {
    let (algorithm, params) = header.split_once([' ', '\t']).unwrap_or((header, ""));
    if algorithm != ALGORITHM {
        return Err(incomplete!("Unsupported Authorization algorithm '{algorithm}'; expected {ALGORITHM}."));
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in params.split(',').map(str::trim).filter(|part| !part.is_empty()) {
        let (name, value) = part.split_once('=').ok_or_else(|| {
            incomplete!("'{part}' not a valid key=value pair (missing equal-sign) in Authorization header.")
        })?;
        let slot = match name {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return Err(incomplete!("Unknown Authorization header parameter '{name}'.")),
        };
        if slot.replace(value).is_some() {
            return Err(incomplete!("Authorization header has '{name}' more than once."));
        }
    }
    let need = |value: Option<&'h str>, name| {
        value.ok_or_else(|| incomplete!("Authorization header requires '{name}' parameter."))
    };
    let (credential, signed_headers) =
        (need(credential, "Credential")?, need(signed_headers, "SignedHeaders")?);
    let signature = need(signature, "Signature")?;
    let form = "<AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request";
    let malformed = || incomplete!("Credential should be of the form {form}, not '{credential}'.");
    let (access_key_id, scope) = credential.split_once('/').ok_or_else(malformed)?;
    let parts: Vec<&str> = scope.split('/').collect();
    let &[date, region, service, terminator] = parts.as_slice() else {
        return Err(malformed());
    };
    let valid_date = date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit());
    if access_key_id.is_empty() || !valid_date || region.is_empty() || service.is_empty() {
        return Err(malformed());
    }
    if terminator != TERMINATOR {
        return Err(incomplete!("Credential should be scoped with a valid terminator: '{TERMINATOR}'."));
    }
    Ok(Authorization { access_key_id, scope, date, region, service, signed_headers, signature })
}

/// All values of header `name` (any case), each trimmed with inner blank runs collapsed to one space,
/// joined with `,` as SigV4 canonicalizes repeated headers.
fn header_value(req: &SignedRequest<'_>, name: &str) -> Option<String> {
    let collapse = |v: &str| v.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
    let values: Vec<String> =
        req.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| collapse(v)).collect();
    (!values.is_empty()).then(|| values.join(","))
}

fn canonical_request(req: &SignedRequest<'_>, auth: &Authorization<'_>) -> Result<String, SigV4Error> {
    let body_hash = hex(&Sha256::digest(req.body));
    // The body is always hashed: a claimed hash (or UNSIGNED-PAYLOAD) that differs cannot verify.
    let payload_hash = match header_value(req, "x-amz-content-sha256") {
        None => body_hash,
        Some(claimed) if claimed.eq_ignore_ascii_case(&body_hash) => claimed,
        Some(_) => return Err(SigV4Error::InvalidSignature),
    };
    let (uri, query) = (canonical_uri(req.path), canonical_query(req.query));
    let mut out = format!("{}\n{uri}\n{query}\n", req.method);
    for name in auth.signed_headers.split(';') {
        let value = header_value(req, name)
            .ok_or_else(|| incomplete!("Signed header '{name}' is missing from the request."))?;
        out.push_str(&format!("{name}:{value}\n"));
    }
    out.push_str(&format!("\n{}\n{payload_hash}", auth.signed_headers));
    Ok(out)
}

/// The path with empty, `.` and `..` segments resolved, and each segment (as received, so already encoded
/// once) percent-encoded again: SigV4 encodes paths twice for every service but S3, as the SDKs do.
fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<String> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => drop(segments.pop()),
            _ => segments.push(uri_encode(segment.as_bytes())),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    if !segments.is_empty() && path.ends_with('/') {
        out.push('/');
    }
    out
}

/// Parameters decoded, re-encoded and sorted by name then value; a name without `=` gets an empty value.
fn canonical_query(query: &str) -> String {
    let encode = |s: &str| uri_encode(&percent_decode(s));
    let mut pairs: Vec<(String, String)> = (query.split('&').filter(|p| !p.is_empty()))
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .map(|(name, value)| (encode(name), encode(value)))
        .collect();
    pairs.sort();
    pairs.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&")
}

/// Percent-encodes every byte outside `A-Z a-z 0-9 - _ . ~`, with uppercase hex.
fn uri_encode(bytes: &[u8]) -> String {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
    let encode = |&b: &u8| {
        if unreserved(b) { char::from(b).to_string() } else { format!("%{b:02X}") }
    };
    bytes.iter().map(encode).collect()
}

/// Decodes `%XY` escapes; a `%` without two hex digits stays as it is, and `+` is not a space.
fn percent_decode(s: &str) -> Vec<u8> {
    let (bytes, mut out, mut i) = (s.as_bytes(), Vec::with_capacity(s.len()), 0);
    let digit = |j: usize| bytes.get(j).and_then(|&d| char::from(d).to_digit(16));
    while let Some(&b) = bytes.get(i) {
        if let (b'%', Some(hi), Some(lo)) = (b, digit(i + 1), digit(i + 2)) {
            out.push(u8::try_from(hi * 16 + lo).unwrap_or(b));
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_service = hmac(&hmac(&k_date, region.as_bytes()), service.as_bytes());
    hmac(&k_service, TERMINATOR.as_bytes())
}

/// AWS's messages for a timestamp outside `now ± 15 min`.
fn check_clock(amz_date: &str, signed_at: i64, now: i64) -> Result<(), SigV4Error> {
    let (earliest, latest) = (now.saturating_sub(MAX_SKEW_SECS), now.saturating_add(MAX_SKEW_SECS));
    let now = format_amz_date(now);
    let message = if signed_at < earliest {
        let limit = format_amz_date(earliest);
        format!("Signature expired: {amz_date} is now earlier than {limit} ({now} - 15 min.)")
    } else if signed_at > latest {
        let limit = format_amz_date(latest);
        format!("Signature not yet current: {amz_date} is still later than {limit} ({now} + 15 min.)")
    } else {
        return Ok(());
    };
    Err(SigV4Error::SignatureExpired(message))
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn month_days(year: i64, month: i64) -> i64 {
    match month {
        2 => 28 + i64::from(is_leap(year)),
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to January 1st of `year`.
fn year_start(year: i64) -> i64 {
    let leaps = |y: i64| y / 4 - y / 100 + y / 400;
    365 * (year - 1970) + leaps(year - 1) - leaps(1969)
}

/// Unix seconds of `YYYYMMDD'T'HHMMSS'Z'` (years 1970–9999), or `None` if it is not such a UTC time.
fn parse_amz_date(s: &str) -> Option<i64> {
    let shape = s.len() == 16
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 => b == b'T',
            15 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    let n = |from: usize, to: usize| s.get(from..to)?.parse::<i64>().ok();
    let (year, month, day, hour, min, sec) =
        (n(0, 4)?, n(4, 6)?, n(6, 8)?, n(9, 11)?, n(11, 13)?, n(13, 15)?);
    let valid_day = (1..=12).contains(&month) && (1..=month_days(year, month)).contains(&day);
    if !shape || year < 1970 || !valid_day || hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    let days = year_start(year) + (1..month).map(|m| month_days(year, m)).sum::<i64>() + day - 1;
    Some(days * 86_400 + hour * 3600 + min * 60 + sec)
}

/// `YYYYMMDD'T'HHMMSS'Z'` for Unix seconds, clamped to years 1970–9999.
fn format_amz_date(unix: i64) -> String {
    let unix = unix.clamp(0, 253_402_300_799);
    let (mut days, secs) = (unix / 86_400, unix % 86_400);
    let mut year = 1970 + days / 366;
    while year_start(year + 1) <= days {
        year += 1;
    }
    days -= year_start(year);
    let mut month = 1;
    while days >= month_days(year, month) {
        days -= month_days(year, month);
        month += 1;
    }
    let (day, hour, min) = (days + 1, secs / 3600, secs / 60 % 60);
    format!("{year:04}{month:02}{day:02}T{hour:02}{min:02}{:02}Z", secs % 60)
}

#[cfg(test)]
mod tests;
