//! Request paths as the origin will act on them. A route rule must judge the same path the origin
//! serves, so before any rule is tried the path is put in one normal form:
//!
//! - percent-encoded unreserved characters are decoded (`%61` → `a`; RFC 3986 §6.2.2.2) and the
//!   hex of the remaining escapes is upper-cased (`%c3%a9` → `%C3%A9`; §6.2.2.1);
//! - characters a URI may not hold raw (space, `"`, `|`, non-ASCII, ...) are percent-encoded;
//! - `.` and `..` segments are removed (§5.2.4; `..` never climbs above the root);
//! - empty segments are collapsed (`//admin` → `/admin`); a trailing slash is kept.
//!
//! What would still read differently at some origin is refused rather than guessed at: encoded
//! slashes and backslashes, an encoded `%` (a second decoding would see a new escape), dot
//! segments written with `%2E`, `;` raw or encoded (matrix parameters, which Tomcat, Jetty and
//! Spring strip), raw backslashes, control characters raw or encoded (NUL included), `%` not
//! followed by two hex digits, and escapes that decode to bytes that are not UTF-8 (overlong forms
//! such as `%C0%AF` among them).
//!
//! The normal form is what the rules match (segment by segment, decoded) and what is forwarded.

use std::fmt;

/// Why a path is refused (with 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The path does not start with `/`.
    NotAbsolute,
    /// A `%` not followed by two hex digits.
    BadEscape,
    /// `%2F` or `%5C`: a separator the origin may or may not split on.
    EncodedSeparator,
    /// `%25`: an origin that decodes twice would see another escape.
    EncodedPercent,
    /// A `.` or `..` segment written with `%2E`.
    EncodedDotSegment,
    /// `;` or `%3B`: matrix parameters, stripped by some origins before routing.
    MatrixParameter,
    /// A raw backslash, which some origins read as `/`.
    Backslash,
    /// A control character (U+0000–U+001F, U+007F), raw or encoded.
    Control,
    /// Escapes that decode to bytes that are not UTF-8 (overlong forms included).
    NotUtf8,
}

impl Refusal {
    /// A fixed description for the 400 answer.
    #[must_use]
    pub fn message(self) -> &'static str {
        match self {
            Self::NotAbsolute => "the path must start with /",
            Self::BadEscape => "the path has a % that is not followed by two hex digits",
            Self::EncodedSeparator => "the path has an encoded slash or backslash (%2F, %5C)",
            Self::EncodedPercent => "the path has an encoded % (%25), which a second decoding would misread",
            Self::EncodedDotSegment => "the path has a dot segment written with %2E",
            Self::MatrixParameter => "the path has a ; (matrix parameters), which some origins strip",
            Self::Backslash => "the path has a backslash",
            Self::Control => "the path has a control character",
            Self::NotUtf8 => "the path's escapes do not decode to UTF-8",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A path in normal form: the text to forward, and its decoded segments to match rules against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalPath {
    path: String,
    segments: Vec<String>,
}

impl NormalPath {
    /// The normalised path, as forwarded to the origin: always starts with `/`, ASCII only.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.path
    }

    /// The decoded segments after the leading `/`: `/` is `[""]`, and a trailing slash adds a last
    /// empty segment (`/a/` is `["a", ""]`). No other segment is empty.
    #[must_use]
    pub fn segments(&self) -> &[String] {
        &self.segments
    }
}

/// One segment, checked and read.
enum Segment {
    Empty,
    Dot,
    DotDot,
    /// The segment in normal form, and decoded.
    Text(String, String),
}

/// Puts `raw` (a URL's path, without query) in normal form, or says why it is refused.
pub fn normalize(raw: &str) -> Result<NormalPath, Refusal> {
    let rest = raw.strip_prefix('/').ok_or(Refusal::NotAbsolute)?;
    let mut kept: Vec<(String, String)> = Vec::new();
    let mut trailing = false;
    // Every segment is checked, also those a later `..` removes: `/a;b/../c` is refused too.
    for part in rest.split('/') {
        trailing = true;
        match segment(part)? {
            Segment::Empty | Segment::Dot => {}
            Segment::DotDot => {
                kept.pop();
            }
            Segment::Text(normal, decoded) => {
                kept.push((normal, decoded));
                trailing = false;
            }
        }
    }
    if kept.is_empty() {
        return Ok(NormalPath { path: "/".to_owned(), segments: vec![String::new()] });
    }
    let mut path = String::with_capacity(raw.len());
    let mut segments = Vec::with_capacity(kept.len() + 1);
    for (normal, decoded) in kept {
        path.push('/');
        path.push_str(&normal);
        segments.push(decoded);
    }
    if trailing {
        path.push('/');
        segments.push(String::new());
    }
    Ok(NormalPath { path, segments })
}

/// The decoded segments of a rule's path pattern, which is held to the same rules as a request's
/// path but must already be in its final shape: no empty segment but a trailing one, no `.` or
/// `..`. Patterns may be written decoded (`/café`) or encoded (`/caf%C3%A9`); both mean the same.
pub fn pattern_segments(pattern: &str) -> Result<Vec<String>, String> {
    let rest = pattern.strip_prefix('/').ok_or_else(|| "must start with /".to_owned())?;
    let parts: Vec<&str> = rest.split('/').collect();
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        match segment(part).map_err(|e| e.message().replacen("the path", "it", 1))? {
            Segment::Empty if i + 1 == parts.len() => out.push(String::new()),
            Segment::Empty => return Err("has an empty segment (//)".to_owned()),
            Segment::Dot | Segment::DotDot => return Err("has a . or .. segment".to_owned()),
            Segment::Text(_, decoded) => out.push(decoded),
        }
    }
    Ok(out)
}

fn segment(raw: &str) -> Result<Segment, Refusal> {
    let bytes = raw.as_bytes();
    let mut normal = String::with_capacity(raw.len());
    let mut decoded = Vec::with_capacity(raw.len());
    let mut encoded_dot = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let digit = |at: usize| bytes.get(at).and_then(|c| char::from(*c).to_digit(16));
            let (Some(hi), Some(lo)) = (digit(i + 1), digit(i + 2)) else {
                return Err(Refusal::BadEscape);
            };
            // Two hex digits: at most 0xFF.
            let v = u8::try_from(hi * 16 + lo).map_err(|_| Refusal::BadEscape)?;
            check(v, true)?;
            if is_unreserved(v) {
                encoded_dot |= v == b'.';
                normal.push(char::from(v));
            } else {
                escape(&mut normal, v);
            }
            decoded.push(v);
            i += 3;
        } else {
            check(b, false)?;
            if is_unreserved(b) || b"!$&'()*+,=:@".contains(&b) {
                normal.push(char::from(b));
            } else {
                escape(&mut normal, b);
            }
            decoded.push(b);
            i += 1;
        }
    }
    let decoded = String::from_utf8(decoded).map_err(|_| Refusal::NotUtf8)?;
    match decoded.as_str() {
        "" => Ok(Segment::Empty),
        "." | ".." if encoded_dot => Err(Refusal::EncodedDotSegment),
        "." => Ok(Segment::Dot),
        ".." => Ok(Segment::DotDot),
        _ => Ok(Segment::Text(normal, decoded)),
    }
}

/// Refuses the bytes no origin reads the same way everywhere, raw or (`encoded`) as an escape.
fn check(b: u8, encoded: bool) -> Result<(), Refusal> {
    match b {
        0x00..=0x1f | 0x7f => Err(Refusal::Control),
        b';' => Err(Refusal::MatrixParameter),
        b'\\' if !encoded => Err(Refusal::Backslash),
        b'/' | b'\\' => Err(Refusal::EncodedSeparator),
        b'%' => Err(Refusal::EncodedPercent),
        _ => Ok(()),
    }
}

/// RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~".
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 0xf)]));
}

#[cfg(test)]
#[path = "path_tests.rs"]
mod tests;
