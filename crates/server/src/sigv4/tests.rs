//! Tests of the SigV4 verifier: the AWS SDK's vectors, mutations, malformed input.
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
    let read = |f: &std::path::PathBuf| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
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
        let who = Ok(Verified { access_key_id: v.access_key_id.clone(), region: v.expected_region.clone() });
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
            let [name, from, to, expected] = line.split('|').map(str::trim).collect::<Vec<_>>()[..] else {
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
        assert!(matches!(&result, Err(SigV4Error::IncompleteSignature(m)) if m.contains(expected)), "{line}");
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
    assert_eq!(format_amz_date(i64::MIN) + &format_amz_date(i64::MAX), "19700101T000000Z99991231T235959Z");
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
    let pieces = ["AWS4-HMAC-SHA256", " ", "Credential=", "/", ",", "=", ";", "aws4_request", "%", "é", "T"];
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

/// `v` re-signed (with its own secret) over only the headers in `signed`, the rest sent unsigned.
fn resigned(v: &Vector, headers: &Headers, signed: &str) -> Headers {
    let date = headers.iter().find(|(n, _)| n == "x-amz-date").unwrap().1.clone();
    let region = &v.expected_region;
    let scope = format!("{}/{region}/cognito-idp/aws4_request", &date[..8]);
    let unsigned_auth =
        format!("{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed}, Signature=", v.access_key_id);
    let mut out = edit(headers, "authorization", |_| Some(unsigned_auth.clone()));
    let req = request(v, &out, v.body.as_bytes());
    let header = header_value(&req, "authorization").unwrap();
    let canonical = canonical_request(&req, &parse_authorization(&header).unwrap()).unwrap();
    let to_sign = format!("{ALGORITHM}\n{date}\n{scope}\n{}", hex(&Sha256::digest(canonical.as_bytes())));
    let key = signing_key(&v.secret_access_key, &date[..8], region, "cognito-idp");
    let signature = hex(&hmac(&key, to_sign.as_bytes()));
    out = edit(&out, "authorization", |a| Some(format!("{a}{signature}")));
    out
}

#[test]
fn every_x_amz_header_must_be_signed() {
    let v = vectors()
        .into_iter()
        .find(|v| v.description.contains("AdminGetUser"))
        .unwrap_or_else(|| vectors().swap_remove(0));
    // Without x-amz-* headers but the date, a signature over host and date alone verifies...
    let bare: Headers = v
        .headers
        .iter()
        .filter(|(n, _)| {
            let n = n.to_ascii_lowercase();
            !n.starts_with("x-amz-") || n == "x-amz-date"
        })
        .cloned()
        .collect();
    let ok = resigned(&v, &bare, "host;x-amz-date");
    assert!(run(&v, &ok, v.body.as_bytes(), v.now_unix).is_ok());
    // ...but an unsigned X-Amz-Target (any case) beside it is refused, so the operation cannot be swapped.
    for name in ["x-amz-target", "X-Amz-Target", "X-AMZ-USER-AGENT"] {
        let mut headers = bare.clone();
        headers.push((name.to_owned(), "AWSCognitoIdentityProviderService.AdminDeleteUser".to_owned()));
        let signed = resigned(&v, &headers, "host;x-amz-date");
        let result = run(&v, &signed, v.body.as_bytes(), v.now_unix);
        let expected = format!("'{name}' must be a 'SignedHeader'");
        assert!(
            matches!(&result, Err(SigV4Error::IncompleteSignature(m)) if m.contains(&expected)),
            "{result:?}"
        );
    }
    // A Date header used in place of X-Amz-Date must be signed as well.
    let date = bare.iter().find(|(n, _)| n == "x-amz-date").unwrap().1.clone();
    let mut with_date = edit(&bare, "x-amz-date", |_| None);
    with_date.push(("date".to_owned(), date));
    let result = run(&v, &with_date, v.body.as_bytes(), v.now_unix);
    assert!(
        matches!(&result, Err(SigV4Error::IncompleteSignature(m)) if m.contains("'Date' must be")),
        "{result:?}"
    );
}
