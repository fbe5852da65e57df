//! Route rules: an ordered list of (methods, path pattern) → what a request there needs. The first
//! rule that matches decides; a request no rule matches is refused.

use serde::Deserialize;

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
        if !self.path.starts_with('/') {
            return Err(format!("rule path {:?} must start with /", self.path));
        }
        let segments: Vec<&str> = self.path[1..].split('/').collect();
        if segments.iter().rev().skip(1).any(|s| *s == "**") {
            return Err(format!("rule path {:?}: ** may only be the last segment", self.path));
        }
        if self.access == Access::Public && (!self.scopes.is_empty() || !self.groups.is_empty()) {
            return Err(format!("rule path {:?}: a public rule cannot require scopes or groups", self.path));
        }
        Ok(())
    }

    /// True when `method` and `path` fall under this rule.
    #[must_use]
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self.methods.is_empty()
            || self.methods.iter().any(|m| m == "*" || m.eq_ignore_ascii_case(method));
        method_ok && path_matches(&self.path, path)
    }
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let (Some(pattern), Some(path)) = (pattern.strip_prefix('/'), path.strip_prefix('/')) else {
        return false;
    };
    let mut want = pattern.split('/');
    let mut have = path.split('/');
    loop {
        match (want.next(), have.next()) {
            (Some("**"), _) => return true,
            (None, None) => return true,
            (Some("*"), Some(seg)) if !seg.is_empty() => {}
            (Some(w), Some(seg)) if w == seg => {}
            _ => return false,
        }
    }
}

/// A path the rules can judge safely: one that no origin can decode into a different path than
/// the one matched. Encoded slashes, backslashes and dots are refused outright.
#[must_use]
pub fn is_unambiguous(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    path.starts_with('/')
        && !path.contains('\\')
        && !["%2f", "%5c", "%2e", "%00"].iter().any(|bad| lower.contains(bad))
        && !path.split('/').any(|seg| seg == "." || seg == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn patterns_match_segments() {
        let r = rule(&[], "/api/*/items/**");
        assert!(r.matches("GET", "/api/v1/items"));
        assert!(r.matches("POST", "/api/v1/items/7/parts"));
        assert!(!r.matches("GET", "/api//items"));
        assert!(!r.matches("GET", "/api/v1/item"));
        assert!(!r.matches("GET", "/api/v1"));
        assert!(rule(&[], "/**").matches("GET", "/"));
        assert!(rule(&[], "/").matches("GET", "/"));
        assert!(!rule(&[], "/").matches("GET", "/x"));
        assert!(!rule(&[], "/health").matches("GET", "/health/x"));
        assert!(!rule(&[], "/health").matches("GET", "/Health"));
    }

    #[test]
    fn methods_filter() {
        let r = rule(&["GET", "HEAD"], "/x");
        assert!(r.matches("GET", "/x") && r.matches("head", "/x"));
        assert!(!r.matches("POST", "/x"));
        assert!(rule(&["*"], "/x").matches("DELETE", "/x"));
    }

    #[test]
    fn malformed_rules_are_refused() {
        assert!(rule(&[], "api").validate().is_err());
        assert!(rule(&[], "/a/**/b").validate().is_err());
        assert!(rule(&[], "/a/**").validate().is_ok());
        let mut public = rule(&[], "/a");
        public.access = Access::Public;
        public.scopes = vec!["x".into()];
        assert!(public.validate().is_err());
    }

    #[test]
    fn ambiguous_paths_are_refused() {
        for bad in [
            "/public/..%2fadmin",
            "/public/%2E%2E/admin",
            "/a\\b",
            "/public/../admin",
            "/x/./y",
            "/a%00",
            "x",
        ] {
            assert!(!is_unambiguous(bad), "{bad}");
        }
        for good in ["/", "/api/items/7", "/a%20b", "/caf%C3%A9"] {
            assert!(is_unambiguous(good), "{good}");
        }
    }
}
