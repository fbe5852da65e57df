//! The worker's settings, read from its environment variables (wrangler `[vars]`, `--var`).
//! Every problem is reported with the variable's name; a worker with a bad configuration refuses
//! every request rather than guess.

use std::collections::HashMap;
use std::time::Duration;

use cognate_jwt::{CacheSettings, ClientIds};

use crate::routes::{Case, Route, RouteRule};

/// The variables, with their defaults (also written in `worker/wrangler.toml`).
pub const VARS: &[(&str, &str)] = &[
    ("ISSUERS", ""),
    ("JWKS_URLS", "{}"),
    ("CLIENT_IDS", ""),
    ("RULES", r#"[{"path": "/**"}]"#),
    ("PATH_CASE", "sensitive"),
    ("ORIGIN", ""),
    ("REALM", "cognate"),
    ("CLOCK_SKEW_SECONDS", "0"),
    ("JWKS_TTL_SECONDS", "3600"),
    ("JWKS_PENALTY_SECONDS", "10"),
    ("JWKS_TIMEOUT_MS", "5000"),
    ("TOKEN_CACHE_SIZE", "4096"),
    ("TOKEN_CACHE_SECONDS", "60"),
];

/// Parsed settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Trusted issuers and the JWKS URL of each.
    pub issuers: Vec<(String, String)>,
    /// Accepted app clients.
    pub clients: ClientIds,
    /// Route rules in order, checked.
    pub rules: Vec<Route>,
    /// Whether rules match paths regardless of the case of ASCII letters.
    pub path_case: Case,
    /// Where verified requests go: scheme, host and optional port, no trailing slash.
    pub origin: String,
    /// The `realm` of `WWW-Authenticate`.
    pub realm: String,
    /// Allowed clock skew.
    pub skew: Duration,
    /// JWKS cache settings.
    pub jwks: CacheSettings,
    /// How many verified tokens to remember (0: none).
    pub token_cache_size: usize,
    /// How long a verified token is remembered at most (its expiry is checked on every use).
    pub token_cache_ttl: f64,
}

impl Config {
    /// Reads every variable through `var` (None: unset, so the default applies).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |name: &str| {
            var(name)
                .or_else(|| VARS.iter().find(|(n, _)| *n == name).map(|(_, d)| (*d).to_owned()))
                .unwrap_or_default()
        };
        let issuers = list(&get("ISSUERS"), "ISSUERS")?;
        if issuers.is_empty() {
            return Err("ISSUERS: at least one issuer is required".to_owned());
        }
        let jwks_urls: HashMap<String, String> = serde_json::from_str(&get("JWKS_URLS"))
            .map_err(|e| format!("JWKS_URLS: a JSON object of issuer to URL is required ({e})"))?;
        if let Some(stray) = jwks_urls.keys().find(|k| !issuers.contains(k)) {
            return Err(format!("JWKS_URLS: {stray} is not one of ISSUERS"));
        }
        let issuers = issuers
            .into_iter()
            .map(|iss| {
                let url =
                    jwks_urls.get(&iss).cloned().unwrap_or_else(|| format!("{iss}/.well-known/jwks.json"));
                check_url(&iss, "ISSUERS")?;
                check_url(&url, "JWKS_URLS")?;
                Ok((iss, url))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let clients = match get("CLIENT_IDS").trim() {
            // Like aws-jwt-verify's `clientId: null`: skipping the check must be said out loud.
            "*" => ClientIds::Any,
            raw => {
                let ids = list(raw, "CLIENT_IDS")?;
                if ids.is_empty() {
                    return Err(
                        "CLIENT_IDS: list the accepted app client ids, or \"*\" to accept any".to_owned()
                    );
                }
                ClientIds::OneOf(ids)
            }
        };
        let rules: Vec<RouteRule> = serde_json::from_str(&get("RULES"))
            .map_err(|e| format!("RULES: not a valid list of rules ({e})"))?;
        let rules = rules
            .into_iter()
            .map(|rule| Route::new(rule).map_err(|e| format!("RULES: {e}")))
            .collect::<Result<Vec<_>, String>>()?;
        let path_case = match get("PATH_CASE").trim().to_ascii_lowercase().as_str() {
            "sensitive" => Case::Sensitive,
            "insensitive" => Case::Insensitive,
            other => {
                return Err(format!("PATH_CASE: {other:?} is neither \"sensitive\" nor \"insensitive\""));
            }
        };
        let origin = get("ORIGIN").trim_end_matches('/').to_owned();
        check_url(&origin, "ORIGIN")?;
        let seconds = |name: &str| number(&get(name), name).map(|n| Duration::from_secs(n as u64));
        Ok(Self {
            issuers,
            clients,
            rules,
            path_case,
            origin,
            realm: get("REALM")
                .chars()
                .filter(|c| (' '..='~').contains(c) && !matches!(c, '"' | '\\'))
                .collect(),
            skew: seconds("CLOCK_SKEW_SECONDS")?.min(cognate_jwt::MAX_SKEW),
            jwks: CacheSettings {
                ttl: seconds("JWKS_TTL_SECONDS")?,
                penalty: seconds("JWKS_PENALTY_SECONDS")?,
                timeout: Duration::from_millis(number(&get("JWKS_TIMEOUT_MS"), "JWKS_TIMEOUT_MS")? as u64),
            },
            token_cache_size: number(&get("TOKEN_CACHE_SIZE"), "TOKEN_CACHE_SIZE")? as usize,
            token_cache_ttl: number(&get("TOKEN_CACHE_SECONDS"), "TOKEN_CACHE_SECONDS")? as f64,
        })
    }
}

/// A JSON array of strings, or a comma-separated list.
fn list(raw: &str, name: &str) -> Result<Vec<String>, String> {
    let raw = raw.trim();
    if raw.starts_with('[') {
        return serde_json::from_str(raw).map_err(|e| format!("{name}: not a JSON array of strings ({e})"));
    }
    Ok(raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
}

fn number(raw: &str, name: &str) -> Result<u32, String> {
    raw.trim().parse().map_err(|_| format!("{name}: {raw:?} is not a whole number"))
}

fn check_url(url: &str, name: &str) -> Result<(), String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(()),
        _ => Err(format!("{name}: {url:?} is not an http(s) URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_vars(|name| vars.get(name).cloned())
    }

    const BASE: &[(&str, &str)] = &[
        ("ISSUERS", "https://id.example/us-east-1_abc"),
        ("CLIENT_IDS", "c1,c2"),
        ("ORIGIN", "http://127.0.0.1:8080/"),
    ];

    #[test]
    fn defaults_fill_the_rest() {
        let c = config(BASE).unwrap();
        assert_eq!(
            c.issuers,
            vec![(
                "https://id.example/us-east-1_abc".to_owned(),
                "https://id.example/us-east-1_abc/.well-known/jwks.json".to_owned()
            )]
        );
        assert_eq!(c.clients, ClientIds::OneOf(vec!["c1".into(), "c2".into()]));
        assert_eq!(c.origin, "http://127.0.0.1:8080");
        assert_eq!(c.rules.len(), 1);
        assert_eq!(c.jwks.penalty, Duration::from_secs(10));
        assert_eq!(c.path_case, Case::Sensitive);
        let mut vars = BASE.to_vec();
        vars.push(("PATH_CASE", " Insensitive "));
        assert_eq!(config(&vars).unwrap().path_case, Case::Insensitive);
    }

    #[test]
    fn every_mistake_names_its_variable() {
        let with = |k: &'static str, v: &'static str| {
            let mut vars = BASE.to_vec();
            vars.retain(|(n, _)| *n != k);
            vars.push((k, v));
            config(&vars).unwrap_err()
        };
        assert!(with("ISSUERS", "").starts_with("ISSUERS"));
        assert!(with("ISSUERS", "ftp://x").starts_with("ISSUERS"));
        assert!(with("CLIENT_IDS", " ").starts_with("CLIENT_IDS"));
        assert!(with("RULES", "[{\"path\": \"/x\", \"acess\": \"public\"}]").starts_with("RULES"));
        assert!(with("RULES", "[{\"path\": \"x\"}]").starts_with("RULES"));
        assert!(with("RULES", "[{\"path\": \"/a;b\"}]").starts_with("RULES"));
        assert!(with("PATH_CASE", "ignore").starts_with("PATH_CASE"));
        assert!(with("ORIGIN", "").starts_with("ORIGIN"));
        assert!(with("JWKS_URLS", "{\"https://other\": \"https://x/j\"}").starts_with("JWKS_URLS"));
        assert!(with("TOKEN_CACHE_SIZE", "-1").starts_with("TOKEN_CACHE_SIZE"));
        assert_eq!(
            config(&[("CLIENT_IDS", "*"), ("ISSUERS", "[\"https://a\"]"), ("ORIGIN", "https://o")])
                .unwrap()
                .clients,
            ClientIds::Any
        );
    }

    #[test]
    fn skew_is_capped() {
        let mut vars = BASE.to_vec();
        vars.push(("CLOCK_SKEW_SECONDS", "86400"));
        assert_eq!(config(&vars).unwrap().skew, cognate_jwt::MAX_SKEW);
    }
}
