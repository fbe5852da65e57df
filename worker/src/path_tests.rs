#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn normal(raw: &str) -> String {
    match normalize(raw) {
        Ok(p) => p.as_str().to_owned(),
        Err(e) => panic!("{raw:?} refused: {e}"),
    }
}

fn segments(raw: &str) -> Vec<String> {
    normalize(raw).unwrap().segments().to_vec()
}

#[test]
fn paths_already_normal_are_unchanged() {
    for p in ["/", "/api/items/7", "/a/", "/a%20b", "/caf%C3%A9", "/x:y@z/!$&'()*+,=", "/v1.2/a-b_c~d"] {
        assert_eq!(normal(p), p);
    }
}

#[test]
fn unreserved_escapes_are_decoded_and_others_upper_cased() {
    assert_eq!(normal("/%61dmin/users"), "/admin/users");
    assert_eq!(normal("/%41%7a%30%2d%5f%7E"), "/Az0-_~");
    assert_eq!(normal("/caf%c3%a9"), "/caf%C3%A9");
    assert_eq!(normal("/a%2cb%3a%40"), "/a%2Cb%3A%40");
    assert_eq!(normal("/file%2Etxt"), "/file.txt");
    assert_eq!(segments("/caf%c3%a9/a%2Cb"), ["café", "a,b"]);
}

#[test]
fn raw_characters_a_uri_cannot_hold_are_encoded() {
    assert_eq!(normal("/a b/\"q\"/<x>|^`{}[]"), "/a%20b/%22q%22/%3Cx%3E%7C%5E%60%7B%7D%5B%5D");
    assert_eq!(normal("/café"), "/caf%C3%A9");
    assert_eq!(normal("/a?b#c"), "/a%3Fb%23c");
    // The raw and the encoded spelling are one segment to the rules.
    assert_eq!(segments("/café"), segments("/caf%C3%A9"));
    assert_eq!(segments("/a|b"), segments("/a%7cb"));
}

#[test]
fn dot_segments_are_removed() {
    assert_eq!(normal("/public/../admin"), "/admin");
    assert_eq!(normal("/x/./y"), "/x/y");
    assert_eq!(normal("/a/b/.."), "/a/");
    assert_eq!(normal("/a/."), "/a/");
    assert_eq!(normal("/../../admin"), "/admin");
    assert_eq!(normal("/.."), "/");
    assert_eq!(normal("/a/.../b..c/.x"), "/a/.../b..c/.x");
}

#[test]
fn empty_segments_are_collapsed_and_a_trailing_slash_kept() {
    assert_eq!(normal("//admin/users"), "/admin/users");
    assert_eq!(normal("/admin//users"), "/admin/users");
    assert_eq!(normal("///"), "/");
    assert_eq!(normal("/admin//"), "/admin/");
    assert_eq!(segments("/"), [""]);
    assert_eq!(segments("//"), [""]);
    assert_eq!(segments("/a/"), ["a", ""]);
    assert_eq!(segments("//a//b"), ["a", "b"]);
}

#[test]
fn ambiguous_paths_are_refused_with_their_reason() {
    use Refusal::*;
    for (raw, why) in [
        ("x", NotAbsolute),
        ("", NotAbsolute),
        ("/a%2fb", EncodedSeparator),
        ("/public/..%2Fadmin", EncodedSeparator),
        ("/a%5cb", EncodedSeparator),
        ("/a\\b", Backslash),
        ("/public/%2e%2e/admin", EncodedDotSegment),
        ("/public/.%2E/admin", EncodedDotSegment),
        ("/x/%2e/y", EncodedDotSegment),
        ("/admin;x=1/users", MatrixParameter),
        ("/public/..;/admin", MatrixParameter),
        ("/a%3bb", MatrixParameter),
        ("/a;", MatrixParameter),
        ("/a%00", Control),
        ("/a\u{0}b", Control),
        ("/a%0d%0ab", Control),
        ("/a\tb", Control),
        ("/a%7f", Control),
        ("/a%252fb", EncodedPercent),
        ("/100%25", EncodedPercent),
        ("/a%", BadEscape),
        ("/a%4", BadEscape),
        ("/a%zz", BadEscape),
        ("/a%+1", BadEscape),
        ("/a%c0%af", NotUtf8),
        ("/a%ff", NotUtf8),
        ("/a%c3", NotUtf8),
    ] {
        assert_eq!(normalize(raw), Err(why), "{raw:?}");
    }
    // Refused even where a later `..` would remove the segment.
    assert_eq!(normalize("/a;b/../c"), Err(MatrixParameter));
}

#[test]
fn normal_form_is_a_fixed_point() {
    for raw in ["//%61dmin/./users/../x%c3%a9/", "/a b/%7e", "/../a//b/..", "/é/%E2%82%AC"] {
        let once = normal(raw);
        assert_eq!(normal(&once), once, "{raw:?}");
        assert_eq!(segments(&once), segments(raw), "{raw:?}");
    }
}

#[test]
fn arbitrary_input_never_panics() {
    // Every short string over an alphabet of the characters that matter.
    let alphabet = ['/', '%', '2', 'e', 'F', '.', ';', '\\', 'a', 'é', '\u{0}'];
    let mut stack = vec![String::new()];
    let mut seen = 0;
    while let Some(s) = stack.pop() {
        let _ = normalize(&s);
        let _ = pattern_segments(&s);
        seen += 1;
        if s.chars().count() < 5 {
            for c in alphabet {
                stack.push(format!("{s}{c}"));
            }
        }
    }
    assert!(seen > 100_000);
}

#[test]
fn patterns_are_held_to_the_same_rules() {
    assert_eq!(pattern_segments("/").unwrap(), [""]);
    assert_eq!(pattern_segments("/api/*/items/**").unwrap(), ["api", "*", "items", "**"]);
    assert_eq!(pattern_segments("/caf%C3%A9/").unwrap(), ["café", ""]);
    assert_eq!(pattern_segments("/café").unwrap(), ["café"]);
    for bad in ["api", "//admin", "/a//b", "/a/../b", "/./a", "/a;b", "/a%2Fb", "/a\\b", "/a%zz"] {
        assert!(pattern_segments(bad).is_err(), "{bad}");
    }
}
