//! Route rules: an ordered list of (methods, path pattern) → what a request there needs. The first
//! rule that matches decides; a request no rule matches is refused.

use serde::Deserialize;

use crate::path::{NormalPath, pattern_segments};

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// No token needed; none is verified and no identity headers are sent.
    Public,
    /// A valid token, plus the rule's scopes and groups if it lists any.
    #[default]
    Authenticated,
}

/// Which token a route takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Use {
    /// Access tokens only (the default: APIs take access tokens).
    #[default]
    Access,
    /// ID tokens only.
    Id,
    /// Either.
    Any,
}

/// CORS for a route: the edge answers preflights itself and marks its answers for these origins.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cors {
    /// Allowed origins, exactly as browsers send them (`https://app.example`), or `"*"`.
    pub origins: Vec<String>,
    /// Request headers a preflight may ask for (default: authorization, content-type).
    #[serde(default = "default_cors_headers")]
    pub headers: Vec<String>,
    /// `Access-Control-Max-Age` in seconds (default 600).
    #[serde(default = "default_max_age")]
    pub max_age: u32,
}

fn default_cors_headers() -> Vec<String> {
    vec!["authorization".to_owned(), "content-type".to_owned()]
}

fn default_max_age() -> u32 {
    600
}

/// One rule as written in the `RULES` variable.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteRule {
    /// Methods, upper case; empty or `["*"]` for all.
    #[serde(default)]
    pub methods: Vec<String>,
    /// A path pattern: literal segments, `*` for one segment, `**` (last) for any rest.
    pub path: String,
    /// `public` or `authenticated` (the default).
    #[serde(default)]
    pub access: Access,
    /// `access` (default), `id` or `any`.
    #[serde(default)]
    pub token_use: Use,
    /// At least one of these scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// At least one of these groups.
    #[serde(default)]
    pub groups: Vec<String>,
    /// CORS, if browsers on other origins call this route.
    #[serde(default)]
    pub cors: Option<Cors>,
}

impl RouteRule {
    /// Checks the rule's own shape: a pattern that starts with `/`, `**` only at the end.
    pub fn validate(&self) -> Result<(), String> {
        Route::new(self.clone()).map(|_| ())
    }
}

/// Whether letters in paths are told apart by case (the `PATH_CASE` variable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Case {
    /// `/Admin` and `/admin` are different paths (RFC 3986, and most origins).
    #[default]
    Sensitive,
    /// ASCII letters match regardless of case, for origins that route that way (Express by
    /// default, IIS, case-insensitive file systems).
    Insensitive,
}

impl Case {
    fn same(self, pattern: &str, segment: &str) -> bool {
        match self {
            Self::Sensitive => pattern == segment,
            Self::Insensitive => pattern.eq_ignore_ascii_case(segment),
        }
    }
}

/// A checked rule, with its pattern's segments decoded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The rule as written.
    pub rule: RouteRule,
    pattern: Vec<String>,
}

impl Route {
    /// Checks `rule` (its pattern is held to the same rules as request paths, and `**` may only
    /// be last) and decodes its pattern.
    pub fn new(rule: RouteRule) -> Result<Self, String> {
        let pattern = pattern_segments(&rule.path).map_err(|e| format!("rule path {:?} {e}", rule.path))?;
        if pattern.iter().rev().skip(1).any(|s| s == "**") {
            return Err(format!("rule path {:?}: ** may only be the last segment", rule.path));
        }
        if rule.access == Access::Public && (!rule.scopes.is_empty() || !rule.groups.is_empty()) {
            return Err(format!("rule path {:?}: a public rule cannot require scopes or groups", rule.path));
        }
        Ok(Self { rule, pattern })
    }

    /// True when `method` and `path` (in normal form) fall under this rule.
    #[must_use]
    pub fn matches(&self, method: &str, path: &NormalPath, case: Case) -> bool {
        let methods = &self.rule.methods;
        let method_ok =
            methods.is_empty() || methods.iter().any(|m| m == "*" || m.eq_ignore_ascii_case(method));
        method_ok && path_matches(&self.pattern, path.segments(), case)
    }
}

/// Segment by segment: `*` is one non-empty segment, a last `**` any rest (none included).
fn path_matches(pattern: &[String], path: &[String], case: Case) -> bool {
    let mut have = path.iter();
    for want in pattern {
        if want == "**" {
            return true;
        }
        let Some(seg) = have.next() else { return false };
        let ok = if want == "*" { !seg.is_empty() } else { case.same(want, seg) };
        if !ok {
            return false;
        }
    }
    have.next().is_none()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::path::normalize;

    fn rule(methods: &[&str], path: &str) -> RouteRule {
        RouteRule {
            methods: methods.iter().map(|m| (*m).to_owned()).collect(),
            path: path.to_owned(),
            access: Access::Authenticated,
            token_use: Use::Access,
            scopes: Vec::new(),
            groups: Vec::new(),
            cors: None,
        }
    }

    /// Whether `path` (normalised first) falls under a rule for `pattern`.
    fn hits(methods: &[&str], pattern: &str, method: &str, path: &str, case: Case) -> bool {
        let route = Route::new(rule(methods, pattern)).unwrap();
        route.matches(method, &normalize(path).unwrap(), case)
    }

    fn hit(pattern: &str, path: &str) -> bool {
        hits(&[], pattern, "GET", path, Case::Sensitive)
    }

    #[test]
    fn patterns_match_segments() {
        assert!(hit("/api/*/items/**", "/api/v1/items"));
        assert!(hit("/api/*/items/**", "/api/v1/items/7/parts"));
        assert!(!hit("/api/*/items/**", "/api//items"));
        assert!(!hit("/api/*/items/**", "/api/v1/item"));
        assert!(!hit("/api/*/items/**", "/api/v1"));
        assert!(hit("/**", "/"));
        assert!(hit("/", "/"));
        assert!(!hit("/", "/x"));
        assert!(!hit("/health", "/health/x"));
        assert!(!hit("/health", "/Health"));
        assert!(!hit("/health", "/health/"), "a trailing slash is another path");
        assert!(hit("/health/", "/health/"));
        assert!(hit("/admin/**", "/admin/"));
    }

    #[test]
    fn patterns_match_the_normal_form() {
        // The same URI spelt differently (RFC 3986 §6.2.2) meets the same rule.
        assert!(hit("/admin/**", "//admin/users"));
        assert!(hit("/admin/**", "/%61dmin/users"));
        assert!(hit("/admin/**", "/public/../admin/users"));
        assert!(hit("/admin/*", "/admin//users"));
        // Encoded and raw spellings of other characters are one segment to the rules.
        assert!(hit("/café", "/caf%c3%a9"));
        assert!(hit("/caf%C3%A9", "/café"));
        assert!(hit("/a,b", "/a%2Cb"));
        assert!(hit("/a b", "/a%20b"));
    }

    #[test]
    fn case_insensitive_matching_folds_ascii_letters() {
        let ci = |pattern: &str, path: &str| hits(&[], pattern, "GET", path, Case::Insensitive);
        assert!(ci("/admin/**", "/ADMIN/users"));
        assert!(ci("/admin/**", "/%41dMiN/users"));
        assert!(ci("/Reports/*/pdf", "/reports/q3/PDF"));
        assert!(!ci("/admin/**", "/admins/users"));
        assert!(!hit("/admin/**", "/ADMIN/users"));
    }

    #[test]
    fn methods_filter() {
        let m = |methods: &[&str], method: &str| hits(methods, "/x", method, "/x", Case::Sensitive);
        assert!(m(&["GET", "HEAD"], "GET") && m(&["GET", "HEAD"], "head"));
        assert!(!m(&["GET", "HEAD"], "POST"));
        assert!(m(&["*"], "DELETE"));
    }

    #[test]
    fn malformed_rules_are_refused() {
        for bad in ["api", "/a/**/b", "//admin/**", "/a/../b", "/a;x/**", "/a%2Fb", "/a\\b", "/a%"] {
            assert!(rule(&[], bad).validate().is_err(), "{bad}");
        }
        assert!(rule(&[], "/a/**").validate().is_ok());
        let mut public = rule(&[], "/a");
        public.access = Access::Public;
        public.scopes = vec!["x".into()];
        assert!(public.validate().is_err());
    }
}
