//! The JSON the SDK reads and writes: Cognito's request and response bodies, token payloads and
//! what `cognate-wasm` hands to JavaScript.
//!
//! It is written here rather than taken from serde_json because the browser SDK ships every byte:
//! serde_json, its float printer and the B-tree of its objects cost about 30 KB of wasm, where this
//! is a few. The SDK only ever looks values up by key, so objects are lists of members (the last of
//! two equal keys wins, as in `JSON.parse`), and numbers keep their text: a client never does
//! arithmetic on them beyond reading a timestamp ([`Json::as_f64`]).

use alloc::string::String;
use alloc::vec::Vec;

/// Nesting deeper than this is refused rather than parsed (a hostile answer cannot exhaust the stack).
const MAX_DEPTH: usize = 128;

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Json {
    /// `null`, and what [`Json::get`] finds under a missing key through `[]`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as its (validated) text.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's members, in order.
    Object(Vec<(String, Json)>),
}

static NULL: Json = Json::Null;

impl Json {
    /// An empty object, to build with [`Json::with`].
    #[must_use]
    pub fn object() -> Self {
        Self::Object(Vec::new())
    }

    /// This object with `key` set to `value` (replacing an earlier value).
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Json>) -> Self {
        self.set(key, value.into());
        self
    }

    /// This object with `key` set to `value` when there is one; left out otherwise (Cognito's
    /// requests want absent members, not `null`s).
    #[must_use]
    pub fn with_opt<T: Into<Json>>(self, key: &str, value: Option<T>) -> Self {
        match value {
            Some(value) => self.with(key, value),
            None => self,
        }
    }

    /// Sets `key` to `value` in an object (replacing an earlier value); other values are unchanged.
    pub fn set(&mut self, key: &str, value: Json) {
        if let Self::Object(members) = self {
            members.retain(|(k, _)| k != key);
            members.push((key.into(), value));
        }
    }

    /// The member `key` of an object.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Self::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The member `key` of an object, when it is a string.
    #[must_use]
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Json::as_str)
    }

    /// The string, when this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, when this is one.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, when this is an array.
    #[must_use]
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, when this is an object.
    #[must_use]
    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Self::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The number's value, when this is a number. Exact for integers below 2^53 and within an ulp
    /// or so otherwise: enough for the epoch seconds a client reads.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        let Self::Number(text) = self else { return None };
        let (negative, text) = text.strip_prefix('-').map_or((false, text.as_str()), |t| (true, t));
        let (mantissa, exponent) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
        let mut digits = 0u64;
        let mut scale = 0i32;
        let mut seen_point = false;
        for c in mantissa.bytes() {
            if c == b'.' {
                seen_point = true;
            } else if digits < 1 << 53 {
                digits = digits * 10 + u64::from(c - b'0');
                scale -= i32::from(seen_point);
            } else {
                scale += i32::from(!seen_point);
            }
        }
        // Beyond ±400 every f64 is 0 or infinite: clamp exponents too long to parse.
        let exponent = exponent.parse::<i32>().unwrap_or(if exponent.starts_with('-') { -400 } else { 400 });
        let scale = scale.saturating_add(exponent);
        #[allow(clippy::cast_precision_loss)]
        let digits = digits as f64;
        // Dividing by an exact power of ten rounds once, where multiplying by an inexact 10^-k would not.
        let power = pow10(scale.unsigned_abs());
        let value = if scale < 0 { digits / power } else { digits * power };
        Some(if negative { -value } else { value })
    }

    /// Parses JSON text; `None` when it is not exactly one JSON value (whitespace around it allowed).
    #[must_use]
    pub fn parse(text: &str) -> Option<Json> {
        let mut parser = Parser { bytes: text.as_bytes(), at: 0 };
        let value = parser.value(0)?;
        parser.skip_space();
        (parser.at == parser.bytes.len()).then_some(value)
    }

    /// The JSON text (compact).
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(true) => out.push_str("true"),
            Self::Bool(false) => out.push_str("false"),
            Self::Number(n) => out.push_str(n),
            Self::String(s) => write_string(s, out),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Self::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// 10^e, exactly up to 10^22 (every step is a power of ten an f64 holds); `f64::powi` is std's.
fn pow10(e: u32) -> f64 {
    (0..e.min(400)).fold(1.0, |p, _| p * 10.0)
}

fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(HEX[(u32::from(c) >> 4) as usize]));
                out.push(char::from(HEX[(u32::from(c) & 15) as usize]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An integer as a JSON number.
#[must_use]
pub fn integer(n: i64) -> Json {
    Json::Number(decimal(n))
}

/// An integer's decimal text.
pub(crate) fn decimal(n: i64) -> String {
    let mut out = String::new();
    cognate_srp::push_decimal(&mut out, n, 1);
    out
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Self::String(s.into())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<&String> for Json {
    fn from(s: &String) -> Self {
        Self::String(s.clone())
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Self {
        Self::Array(items)
    }
}

impl core::ops::Index<&str> for Json {
    type Output = Json;
    /// The member `key`, or `null` when there is none (as serde_json's `Value` does).
    fn index(&self, key: &str) -> &Json {
        self.get(key).unwrap_or(&NULL)
    }
}

impl PartialEq<&str> for Json {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn literal(&mut self, word: &[u8], value: Json) -> Option<Json> {
        let end = self.at.checked_add(word.len())?;
        (self.bytes.get(self.at..end)? == word).then(|| {
            self.at = end;
            value
        })
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match self.peek()? {
            b'n' => self.literal(b"null", Json::Null),
            b't' => self.literal(b"true", Json::Bool(true)),
            b'f' => self.literal(b"false", Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Json::Array(items))
            }
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.skip_space();
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        members.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Json::Object(members))
            }
            _ => self.number(),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<Json> {
        let start = self.at;
        self.at += usize::from(self.peek() == Some(b'-'));
        let leading_zero = self.peek() == Some(b'0');
        let whole = self.digits();
        if whole == 0 || (leading_zero && whole > 1) {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            self.at += usize::from(matches!(self.peek(), Some(b'+' | b'-')));
            if self.digits() == 0 {
                return None;
            }
        }
        let text = core::str::from_utf8(&self.bytes[start..self.at]).ok()?;
        Some(Json::Number(text.into()))
    }

    fn hex4(&mut self) -> Option<u32> {
        let end = self.at.checked_add(4)?;
        let text = core::str::from_utf8(self.bytes.get(self.at..end)?).ok()?;
        if !text.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.at = end;
        u32::from_str_radix(text, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let c = self.peek()?;
            self.at += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let escape = self.peek()?;
                    self.at += 1;
                    let simple = match escape {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xd800..0xdc00).contains(&code) {
                                // A high surrogate must be followed by its low half.
                                if self.bytes.get(self.at..self.at + 2)? != b"\\u" {
                                    return None;
                                }
                                self.at += 2;
                                let low = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&low) {
                                    return None;
                                }
                                code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                            }
                            let c = char::from_u32(code)?;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                            continue;
                        }
                        _ => return None,
                    };
                    out.push(simple);
                }
                0..0x20 => return None,
                c => out.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Json, integer};
    use alloc::string::{String, ToString};
    use alloc::vec;

    #[test]
    fn parses_and_writes_what_cognito_sends() {
        let text = r#" {"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab","N":[1,-2.5e3,true,null]},"E":{}} "#;
        let v = Json::parse(text).unwrap();
        assert_eq!(v.get_str("ChallengeName"), Some("PASSWORD_VERIFIER"));
        assert_eq!(v["ChallengeParameters"]["SALT"], "ab");
        assert_eq!(v["missing"], Json::Null);
        assert_eq!(v["ChallengeParameters"]["N"].as_array().unwrap()[1].as_f64(), Some(-2500.0));
        assert_eq!(
            v.to_text(),
            r#"{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab","N":[1,-2.5e3,true,null]},"E":{}}"#
        );
    }

    #[test]
    fn strings_round_trip_with_escapes() {
        let v = Json::parse(r#""a\"b\\c\/d\n\u00e9\ud83d\ude00\u0001""#).unwrap();
        assert_eq!(v.as_str(), Some("a\"b\\c/d\né😀\u{1}"));
        assert_eq!(v.to_text(), "\"a\\\"b\\\\c/d\\né😀\\u0001\"");
        assert_eq!(Json::parse(&v.to_text()), Some(v));
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "[1 2]",
            "{\"a\"}",
            "{\"a\":1,}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "1e",
            "-",
            "+1",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "\"\\udc00\"",
            "\"a\nb\"",
            "nul",
            "truex",
            "1 2",
            "\"unterminated",
            "[\"\\u12\"]",
        ] {
            assert_eq!(Json::parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(Json::parse(&deep), None);
        let fine = "[".repeat(100) + &"]".repeat(100);
        assert!(Json::parse(&fine).is_some());
    }

    #[test]
    fn later_members_win_and_builders_replace() {
        let v = Json::parse(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(v["a"].as_f64(), Some(2.0));
        let built = Json::object()
            .with("a", "x")
            .with("b", true)
            .with_opt("a", Some("y"))
            .with_opt("c", None::<&str>);
        assert_eq!(built.to_text(), r#"{"b":true,"a":"y"}"#);
    }

    #[test]
    fn numbers_read_as_timestamps() {
        for (text, value) in [
            ("0", 0.0),
            ("1700000000", 1_700_000_000.0),
            ("1700000000.25", 1_700_000_000.25),
            ("1.7E9", 1.7e9),
            ("-12e-1", -1.2),
            ("123456789012345678901234", 1.234_567_890_123_456_8e23),
        ] {
            let n = Json::parse(text).unwrap().as_f64().unwrap();
            assert!((n - value).abs() <= value.abs() * 1e-15, "{text}: {n}");
        }
        for n in [0, 7, -7, 1_700_000_000, i64::MIN, i64::MAX] {
            assert_eq!(integer(n), Json::Number(n.to_string()));
        }
        assert_eq!(Json::from(vec![integer(20)]).to_text(), String::from("[20]"));
    }
}
