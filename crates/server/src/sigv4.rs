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
    let (amz_date, from) = match (header_value(req, "x-amz-date"), header_value(req, "date")) {
        (Some(date), _) => (date, "X-Amz-Date"),
        (None, Some(date)) => (date, "Date"),
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
mod tests {
    use super::*;

    type Headers = Vec<(String, String)>;

    /// One file of `tests/vectors/sigv4`, signed by the AWS SDK for JavaScript (see its README).
    #[derive(Clone, serde::Deserialize)]
    struct Vector {
        description: String,
        access_key_id: String,
        secret_access_key: String,
        now_unix: i64,
        method: String,
        path: String,
        query: String,
        headers: Headers,
        body: String,
        expected_region: String,
        canonical_request: String,
        string_to_sign: String,
    }

    fn vectors() -> Vec<Vector> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/sigv4");
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.retain(|path| path.extension().is_some_and(|ext| ext == "json"));
        files.sort();
        assert!(files.len() >= 8, "the SDK vectors should be in {}", dir.display());
        let read =
            |f: &std::path::PathBuf| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        files.iter().map(read).collect()
    }

    fn request<'a>(v: &'a Vector, headers: &'a [(String, String)], body: &'a [u8]) -> SignedRequest<'a> {
        SignedRequest { method: &v.method, path: &v.path, query: &v.query, headers, body }
    }

    fn run(v: &Vector, headers: &[(String, String)], body: &[u8], now: i64) -> Result<Verified, SigV4Error> {
        let secrets = |id: &str| (id == v.access_key_id).then(|| v.secret_access_key.clone());
        verify(&request(v, headers, body), now, "cognito-idp", secrets)
    }

    /// `headers` with header `name` (any case) changed by `f`, or dropped where `f` gives `None`.
    fn edit(headers: &Headers, name: &str, f: impl Fn(&str) -> Option<String>) -> Headers {
        let edited = |(n, v): &(String, String)| match n.eq_ignore_ascii_case(name) {
            true => f(v).map(|v| (n.clone(), v)),
            false => Some((n.clone(), v.clone())),
        };
        headers.iter().filter_map(edited).collect()
    }

    #[test]
    fn sdk_vectors_verify_with_the_sdks_intermediate_values() {
        for v in vectors() {
            let (req, what) = (request(&v, &v.headers, v.body.as_bytes()), &v.description);
            let header = header_value(&req, "authorization").unwrap();
            let auth = parse_authorization(&header).unwrap();
            assert_eq!(canonical_request(&req, &auth).unwrap(), v.canonical_request, "{what}");
            let hashed = hex(&Sha256::digest(v.canonical_request.as_bytes()));
            assert!(v.string_to_sign.ends_with(&format!("\n{}\n{hashed}", auth.scope)), "{what}");
            let who =
                Ok(Verified { access_key_id: v.access_key_id.clone(), region: v.expected_region.clone() });
            for now in [v.now_unix, v.now_unix - MAX_SKEW_SECS, v.now_unix + MAX_SKEW_SECS] {
                assert_eq!(run(&v, &v.headers, v.body.as_bytes(), now), who, "{what}");
            }
        }
    }

    /// header (or `:body`, `:path`, `:query`, `:now`) | text to replace (`*`: all of it) | replacement (`-`:
    /// drop the header; for `:now` seconds to add) | expected (part of the result's `Debug` form).
    /// Each line is applied to every SDK vector.
    const MUTATIONS: &str = "
        x-amz-target  | Service.      | Service.Admin | Err(InvalidSignature)
        authorization | Signature=    | Signature=0   | Err(InvalidSignature)
        authorization | Credential=   | Credential=X  | Err(UnrecognizedClient)
        authorization | *             | -             | Err(MissingAuthenticationToken)
        user-agent    | *             | curl/8.0      | Ok(Verified
        host          | *             | -             | Signed header 'host' is missing
        authorization | ;host;        | ;             | 'Host' or ':authority' must be a 'SignedHeader'
        authorization | /cognito-idp/ | /iam/         | scoped to correct service: 'cognito-idp'
        authorization | SHA256        | SHA1          | Unsupported Authorization algorithm 'AWS4-HMAC-SHA1'
        x-amz-date    | *             | -             | either a 'X-Amz-Date' or a 'Date' header
        x-amz-date    | 20            | 21            | Date in Credential scope does not match
        x-amz-date    | T             | t             | X-Amz-Date must be in the form
        :body         | *             | {}            | Err(InvalidSignature)
        :path         | *             | /x            | Err(InvalidSignature)
        :query        | *             | Version=2     | Err(InvalidSignature)
        :now          | *             | 901           | Signature expired: 
        :now          | *             | -901          | Signature not yet current: ";

    #[test]
    fn mutations_fail_with_the_right_error() {
        for v in vectors() {
            for line in MUTATIONS.lines().filter(|line| !line.trim().is_empty()) {
                let [name, from, to, expected] = line.split('|').map(str::trim).collect::<Vec<_>>()[..]
                else {
                    unreachable!()
                };
                let (mut w, mut now) = (v.clone(), v.now_unix);
                match name {
                    ":body" => w.body = to.into(),
                    ":path" => w.path = to.into(),
                    ":query" => w.query = to.into(),
                    ":now" => now += to.parse::<i64>().unwrap(),
                    _ => {
                        assert!(v.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)), "{line}");
                        w.headers = edit(&v.headers, name, |x| match (from, to) {
                            (_, "-") => None,
                            ("*", _) => Some(to.to_owned()),
                            _ => Some(x.replacen(from, to, 1)),
                        });
                    }
                }
                let result = format!("{:?}", run(&w, &w.headers, w.body.as_bytes(), now));
                assert!(result.contains(expected), "{}: {line}: {result}", v.description);
            }
            // The same length as the right signature, one digit off.
            let flip = |x: &str| Some(format!("{}{}", &x[..x.len() - 1], u8::from(x.ends_with('0'))));
            let headers = edit(&v.headers, "authorization", flip);
            assert_eq!(run(&v, &headers, v.body.as_bytes(), v.now_unix), Err(SigV4Error::InvalidSignature));
        }
    }

    /// Authorization header | part of the IncompleteSignature message
    const MALFORMED: &str = "
        AWS4-HMAC-SHA256 | requires 'Credential' parameter
        AWS4-HMAC-SHA256 Credential=A/20250101/r/s/aws4_request | requires 'SignedHeaders' parameter
        AWS4-HMAC-SHA256 Credential=A/2025/r/s/aws4_request, SignedHeaders=h, Signature=0 | of the form
        AWS4-HMAC-SHA256 Credential=A/20250101/r/s/aws4_request/x, SignedHeaders=h, Signature=0 | of the form
        AWS4-HMAC-SHA256 Credential=A/20250101//s/aws4_request, SignedHeaders=h, Signature=0 | of the form
        AWS4-HMAC-SHA256 Credential=A/20250101/r/s/aws4, SignedHeaders=h, Signature=0 | valid terminator
        AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=0 | missing equal-sign
        AWS4-HMAC-SHA256 Credential=a, Credential=b, SignedHeaders=host, Signature=0 | more than once
        AWS4-HMAC-SHA256 Credential=a, Token=b, SignedHeaders=host, Signature=0 | Unknown
        Bearer abc | Unsupported Authorization algorithm";

    #[test]
    fn malformed_authorization_headers_are_incomplete() {
        for line in MALFORMED.lines().filter(|line| !line.trim().is_empty()) {
            let (header, expected) = line.split_once(" | ").unwrap();
            let headers = [("Authorization".to_owned(), header.trim().to_owned())];
            let req = SignedRequest { method: "POST", path: "/", query: "", headers: &headers, body: b"" };
            let result = verify(&req, 0, "s", |_| None);
            assert!(
                matches!(&result, Err(SigV4Error::IncompleteSignature(m)) if m.contains(expected)),
                "{line}"
            );
        }
    }

    #[test]
    fn aws_documented_example_verifies() {
        // The IAM ListUsers example in AWS's SigV4 docs, with its published signing key and signature.
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let key = hex(&signing_key(secret, "20150830", "us-east-1", "iam"));
        assert_eq!(key, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
        let headers = "Host: iam.amazonaws.com
            Content-Type: application/x-www-form-urlencoded; charset=utf-8
            X-Amz-Date: 20150830T123600Z
            Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
            SignedHeaders=content-type;host;x-amz-date, \
            Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        let headers: Headers = headers
            .lines()
            .filter_map(|h| h.trim().split_once(": "))
            .map(|(n, v)| (n.into(), v.into()))
            .collect();
        let query = "Action=ListUsers&Version=2010-05-08";
        let req = SignedRequest { method: "GET", path: "/", query, headers: &headers, body: b"" };
        let now = parse_amz_date("20150830T123600Z").unwrap();
        let result = verify(&req, now, "iam", |id| (id == "AKIDEXAMPLE").then(|| secret.to_owned()));
        let region = "us-east-1".to_owned();
        assert_eq!(result, Ok(Verified { access_key_id: "AKIDEXAMPLE".into(), region }));
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/.././/"), "/");
        assert_eq!(canonical_uri("/a%20b/./c//d/../e%2Ff~(x)/"), "/a%2520b/c/e%252Ff~%28x%29/");
        assert_eq!(canonical_query("b=2&a&b=10&%7e=%zz+&&"), "a=&b=10&b=2&~=%25zz%2B");
        assert_eq!(percent_decode("%41%c3%a9%4%"), "Aé%4%".as_bytes());
    }

    /// timestamp | Unix seconds, or `-` for an invalid timestamp
    const DATES: &str = "
        19700101T000000Z 0
        20240229T235959Z 1709251199
        20250605T030802Z 1749092882
        21000301T000000Z 4107542400
        99991231T235959Z 253402300799
        21000229T000000Z -
        20251301T000000Z -
        20250100T000000Z -
        20250101T240000Z -
        19691231T235959Z -
        +0250101T000000Z -
        20250101T000000z -";

    #[test]
    fn dates_and_clock_messages() {
        for (date, unix) in DATES.lines().filter_map(|line| line.trim().split_once(' ')) {
            assert_eq!(parse_amz_date(date), unix.parse().ok(), "{date}");
            if let Ok(unix) = unix.parse() {
                assert_eq!(format_amz_date(unix), date);
            }
        }
        assert_eq!(
            format_amz_date(i64::MIN) + &format_amz_date(i64::MAX),
            "19700101T000000Z99991231T235959Z"
        );
        let now = parse_amz_date("20240101T003000Z").unwrap();
        let late = check_clock("20240101T000000Z", now - 1800, now).unwrap_err();
        assert_eq!(late.exception_name(), "InvalidSignatureException");
        assert_eq!(
            late.to_string(),
            "Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z \
             (20240101T003000Z - 15 min.)"
        );
        assert_eq!(
            check_clock("20240101T010000Z", now + 1800, now).unwrap_err().to_string(),
            "Signature not yet current: 20240101T010000Z is still later than 20240101T004500Z \
             (20240101T003000Z + 15 min.)"
        );
        assert!(check_clock("x", 0, i64::MIN).is_err() && check_clock("x", 0, i64::MAX).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let v = vectors().swap_remove(0);
        let auth = header_value(&request(&v, &v.headers, b""), "authorization").unwrap();
        let pieces =
            ["AWS4-HMAC-SHA256", " ", "Credential=", "/", ",", "=", ";", "aws4_request", "%", "é", "T"];
        // Every prefix of a good header, then pseudo-random strings of the pieces (xorshift, fixed seed).
        let mut inputs: Vec<String> = auth.char_indices().map(|(i, _)| auth[..i].to_owned()).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..3000 {
            let mut garbage = String::new();
            for _ in 0..state % 13 {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                garbage.push_str(pieces[usize::try_from((state >> 33) % 11).unwrap()]);
            }
            inputs.push(garbage);
        }
        for (i, garbage) in inputs.iter().enumerate() {
            for name in ["authorization", "x-amz-date", "host"] {
                let headers = edit(&v.headers, name, |_| Some(garbage.clone()));
                let req = SignedRequest { path: garbage, query: garbage, ..request(&v, &headers, b"") };
                let now = v.now_unix.wrapping_mul(i as i64);
                assert!(verify(&req, now, "cognito-idp", |_| Some(garbage.clone())).is_err());
            }
        }
    }
}
