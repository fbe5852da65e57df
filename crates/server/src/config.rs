//! Configuration: defaults, then a TOML file, then `COGNATE_*` environment variables, then flags; and
//! the first-run setup of the data directory (master key, admin credentials).

use std::fs;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::seal::KEY_LEN;

/// An access key allowed to call the signed (admin) operations.
#[derive(Clone, Deserialize)]
pub struct AdminKey {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl std::fmt::Debug for AdminKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AdminKey({}, ..)", self.access_key_id)
    }
}

/// A secret setting: its `Debug` shows no characters of it.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// The server's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the SQLite database, the generated master key and admin credentials live.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; default: SQLite in the data directory.
    pub database_url: Option<String>,
    /// The listening address.
    pub listen: SocketAddr,
    /// The URL clients reach the server at (token issuers derive from it); default `http://{listen}`.
    pub public_url: Option<String>,
    /// A file with the master key (32 bytes, raw or base64).
    pub master_key_file: Option<PathBuf>,
    /// Refuse to start without a master key supplied from outside.
    pub production: bool,
    /// The region of pool ids created by unsigned calls.
    pub region: String,
    /// Access keys for the admin API; default: generated once into the data directory.
    pub admin_keys: Vec<AdminKey>,
    /// `text` or `json`.
    pub log_format: String,
    /// Where email goes: `smtp://[user:pass@]host[:port][?tls=required]` or `smtps://...`; without it,
    /// messages only wait in the outbox (`cognate outbox list`).
    pub smtp_url: Option<String>,
    /// The sender address of email.
    pub smtp_from: String,
    /// Where SMS messages go: each is POSTed there as JSON (`{"id", "pool_id", "to", "message"}`);
    /// without it, SMS messages wait in the outbox.
    pub sms_webhook_url: Option<String>,
    /// When set, each webhook request carries `X-Cognate-Signature: sha256=<hex HMAC-SHA256 of the
    /// body under this secret>`, so the receiver can tell it came from this server.
    pub sms_webhook_secret: Option<Secret>,
    /// Seconds a new signing key is published in the JWKS before it signs (`cognate keys rotate`).
    pub key_overlap_seconds: i64,
    /// Operations running at once; the excess is answered `TooManyRequestsException` at once.
    /// Default: 8 per core (`cargo xtask bench overload` measured 16 on 2 cores to keep admitted
    /// requests' p99 at 36 ms at twice the sustainable rate, where 64 let it reach 110 ms).
    pub max_in_flight: usize,
    /// Connections open at once.
    pub max_connections: usize,
    /// Seconds a connection may take to send a request head, or stay idle between requests.
    pub idle_timeout_seconds: u64,
    /// The host prefix domains are served under (`{prefix}.{host}`); none: `{public_url}/domains/{prefix}`.
    pub domain_base_host: Option<String>,
    /// Seconds a managed login session (the `cognito` cookie) lasts (Cognito: 1 hour).
    pub hosted_session_seconds: i64,
    /// Serve HTTPS with this certificate chain (PEM) ...
    pub tls_cert: Option<PathBuf>,
    /// ... and this private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a self-signed development certificate kept under the data directory.
    pub tls_self_signed: bool,
    /// The key triggers' webhook calls are signed with (`whsec_<base64>`, Standard Webhooks); none:
    /// one generated into `<data dir>/trigger-secret`.
    pub trigger_secret: Option<Secret>,
    /// URLs of the Lambda functions `LambdaConfig` ARNs name, by function name.
    pub trigger_functions: std::collections::BTreeMap<String, String>,
    /// Milliseconds a trigger has to answer (Cognito: 5 s, at most).
    pub trigger_timeout_ms: u64,
    /// Triggers may call link-local addresses (cloud metadata lives there).
    pub trigger_allow_link_local: bool,
    /// Triggers may call `http://` URLs other than loopback.
    pub trigger_allow_http: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("cognate-data"),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 9229)),
            public_url: None,
            master_key_file: None,
            production: false,
            region: "us-east-1".to_owned(),
            admin_keys: Vec::new(),
            log_format: "text".to_owned(),
            smtp_url: None,
            smtp_from: "Cognate <no-reply@localhost>".to_owned(),
            sms_webhook_url: None,
            sms_webhook_secret: None,
            key_overlap_seconds: 3600,
            max_in_flight: 8 * std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            max_connections: 1024,
            idle_timeout_seconds: 30,
            domain_base_host: None,
            hosted_session_seconds: 3600,
            tls_cert: None,
            tls_key: None,
            tls_self_signed: false,
            trigger_secret: None,
            trigger_functions: std::collections::BTreeMap::new(),
            trigger_timeout_ms: 5000,
            trigger_allow_link_local: false,
            trigger_allow_http: false,
        }
    }
}

/// A configuration problem, for the person starting the server.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Config {
    /// Loads the file (if any) and overlays the environment.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the bad file, key or variable.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut config = match file {
            Some(path) => {
                let text =
                    fs::read_to_string(path).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
                toml::from_str(&text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?
            }
            None => Config::default(),
        };
        if let Some(v) = env("COGNATE_DATA_DIR") {
            config.data_dir = v.into();
        }
        if let Some(v) = env("COGNATE_DATABASE_URL") {
            config.database_url = Some(v);
        }
        if let Some(v) = env("COGNATE_LISTEN") {
            config.listen = v.parse().map_err(|e| ConfigError(format!("COGNATE_LISTEN: {e}")))?;
        }
        if let Some(v) = env("COGNATE_PUBLIC_URL") {
            config.public_url = Some(v);
        }
        if let Some(v) = env("COGNATE_MASTER_KEY_FILE") {
            config.master_key_file = Some(v.into());
        }
        if let Some(v) = env("COGNATE_PRODUCTION") {
            config.production = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("COGNATE_REGION") {
            config.region = v;
        }
        if let Some(v) = env("COGNATE_SMTP_URL") {
            config.smtp_url = Some(v);
        }
        if let Some(v) = env("COGNATE_SMTP_FROM") {
            config.smtp_from = v;
        }
        if let Some(v) = env("COGNATE_SMS_WEBHOOK_URL") {
            config.sms_webhook_url = Some(v);
        }
        if let Some(v) = env("COGNATE_SMS_WEBHOOK_SECRET") {
            config.sms_webhook_secret = Some(Secret(v));
        }
        if let Some(v) = env("COGNATE_KEY_OVERLAP_SECONDS") {
            config.key_overlap_seconds =
                v.parse().map_err(|e| ConfigError(format!("COGNATE_KEY_OVERLAP_SECONDS: {e}")))?;
        }
        for (name, slot) in [
            ("COGNATE_MAX_IN_FLIGHT", &mut config.max_in_flight),
            ("COGNATE_MAX_CONNECTIONS", &mut config.max_connections),
        ] {
            if let Some(v) = env(name) {
                *slot = v.parse().map_err(|e| ConfigError(format!("{name}: {e}")))?;
            }
        }
        if let Some(v) = env("COGNATE_IDLE_TIMEOUT_SECONDS") {
            config.idle_timeout_seconds =
                v.parse().map_err(|e| ConfigError(format!("COGNATE_IDLE_TIMEOUT_SECONDS: {e}")))?;
        }
        if let Some(v) = env("COGNATE_DOMAIN_BASE_HOST") {
            config.domain_base_host = Some(v.trim_start_matches('.').to_ascii_lowercase());
        }
        if let Some(v) = env("COGNATE_HOSTED_SESSION_SECONDS") {
            config.hosted_session_seconds =
                v.parse().map_err(|e| ConfigError(format!("COGNATE_HOSTED_SESSION_SECONDS: {e}")))?;
            if !(60..=86_400 * 30).contains(&config.hosted_session_seconds) {
                return Err(ConfigError("COGNATE_HOSTED_SESSION_SECONDS: between 60 and 2592000".into()));
            }
        }
        if let Some(v) = env("COGNATE_TLS_CERT") {
            config.tls_cert = Some(v.into());
        }
        if let Some(v) = env("COGNATE_TLS_KEY") {
            config.tls_key = Some(v.into());
        }
        if let Some(v) = env("COGNATE_TLS_SELF_SIGNED") {
            config.tls_self_signed = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("COGNATE_TRIGGER_SECRET") {
            config.trigger_secret = Some(Secret(v));
        }
        if let Some(v) = env("COGNATE_TRIGGER_FUNCTIONS") {
            // `name=url,name2=url2`
            for pair in v.split(',').filter(|p| !p.trim().is_empty()) {
                let (name, url) = pair.split_once('=').ok_or_else(|| {
                    ConfigError("COGNATE_TRIGGER_FUNCTIONS: expected name=url[,name=url]".into())
                })?;
                config.trigger_functions.insert(name.trim().to_owned(), url.trim().to_owned());
            }
        }
        if let Some(v) = env("COGNATE_TRIGGER_TIMEOUT_MS") {
            config.trigger_timeout_ms =
                v.parse().map_err(|e| ConfigError(format!("COGNATE_TRIGGER_TIMEOUT_MS: {e}")))?;
        }
        if !(100..=5000).contains(&config.trigger_timeout_ms) {
            return Err(ConfigError("trigger_timeout_ms: between 100 and 5000".into()));
        }
        for (name, slot) in [
            ("COGNATE_TRIGGER_ALLOW_LINK_LOCAL", &mut config.trigger_allow_link_local),
            ("COGNATE_TRIGGER_ALLOW_HTTP", &mut config.trigger_allow_http),
        ] {
            if let Some(v) = env(name) {
                *slot = matches!(v.as_str(), "1" | "true" | "yes");
            }
        }
        if let Some(v) = env("COGNATE_LOG_FORMAT") {
            config.log_format = v;
        }
        if let Some(v) = env("COGNATE_ADMIN_KEYS") {
            // `ID:SECRET,ID2:SECRET2`
            config.admin_keys = v
                .split(',')
                .map(|pair| {
                    let (id, secret) = pair.split_once(':').ok_or_else(|| {
                        ConfigError("COGNATE_ADMIN_KEYS: expected ID:SECRET[,ID:SECRET]".into())
                    })?;
                    Ok(AdminKey {
                        access_key_id: id.trim().to_owned(),
                        secret_access_key: secret.trim().to_owned(),
                    })
                })
                .collect::<Result<_, ConfigError>>()?;
        }
        Ok(config)
    }

    /// The database URL: the configured one, or SQLite in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", self.data_dir.join("cognate.db").display()))
    }
}

pub(crate) fn write_private(path: &Path, contents: &[u8]) -> Result<(), ConfigError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| ConfigError(format!("{}: {e}", path.display())))
}

fn decode_key(text: &[u8]) -> Option<Zeroizing<[u8; KEY_LEN]>> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    if text.len() == KEY_LEN {
        key.copy_from_slice(text);
        return Some(key);
    }
    let decoded = Zeroizing::new(STANDARD.decode(String::from_utf8_lossy(text).trim()).ok()?);
    (decoded.len() == KEY_LEN).then(|| {
        key.copy_from_slice(&decoded);
        key
    })
}

/// The master key: `COGNATE_MASTER_KEY` (base64), the configured file, or, outside production mode,
/// one generated into the data directory.
///
/// # Errors
/// A [`ConfigError`] for a malformed key, or a missing one in production mode.
pub fn master_key(config: &Config) -> Result<Zeroizing<[u8; KEY_LEN]>, ConfigError> {
    if let Some(v) = env("COGNATE_MASTER_KEY") {
        return decode_key(v.as_bytes())
            .ok_or_else(|| ConfigError("COGNATE_MASTER_KEY must be 32 bytes in base64".into()));
    }
    let (path, configured) = match &config.master_key_file {
        Some(p) => (p.clone(), true),
        None => (config.data_dir.join("master.key"), false),
    };
    if path.exists() {
        let bytes =
            Zeroizing::new(fs::read(&path).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?);
        return decode_key(&bytes)
            .ok_or_else(|| ConfigError(format!("{}: not a 32-byte key (raw or base64)", path.display())));
    }
    if configured || config.production {
        return Err(ConfigError(format!(
            "no master key: production mode needs COGNATE_MASTER_KEY or an existing master_key_file ({})",
            path.display()
        )));
    }
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    crate::ids::fill(key.as_mut());
    write_private(&path, STANDARD.encode(key.as_ref()).as_bytes())?;
    tracing::warn!(
        path = %path.display(),
        "generated a master key for this development server; production supplies its own (COGNATE_MASTER_KEY or master_key_file)"
    );
    Ok(key)
}

/// The key trigger calls are signed with: the configured one (`whsec_<base64>`, or any other text as
/// its bytes), or one generated once into `<data dir>/trigger-secret` for the receivers to read.
///
/// # Errors
/// A [`ConfigError`] when the file cannot be read or written.
pub fn trigger_secret(config: &Config) -> Result<Zeroizing<Vec<u8>>, ConfigError> {
    let decode = |text: &str| {
        let text = text.trim();
        match text.strip_prefix("whsec_").and_then(|b| STANDARD.decode(b).ok()) {
            Some(bytes) => Zeroizing::new(bytes),
            None => Zeroizing::new(text.as_bytes().to_vec()),
        }
    };
    if let Some(secret) = &config.trigger_secret {
        return Ok(decode(&secret.0));
    }
    let path = config.data_dir.join("trigger-secret");
    if let Ok(text) = fs::read_to_string(&path) {
        return Ok(decode(&text));
    }
    let mut raw = Zeroizing::new([0u8; 24]);
    crate::ids::fill(&mut raw[..]);
    let text = format!("whsec_{}\n", STANDARD.encode(&raw[..]));
    write_private(&path, text.as_bytes())?;
    Ok(Zeroizing::new(raw.to_vec()))
}

/// The admin access keys: configured ones, or a pair generated once into `admin-credentials` (AWS
/// shared-credentials format) and announced on stdout that one time.
///
/// # Errors
/// A [`ConfigError`] if the credentials file cannot be read or written.
pub fn admin_keys(config: &Config) -> Result<Vec<AdminKey>, ConfigError> {
    if !config.admin_keys.is_empty() {
        return Ok(config.admin_keys.clone());
    }
    let path = config.data_dir.join("admin-credentials");
    if path.exists() {
        let text = fs::read_to_string(&path).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        let value = |key: &str| {
            text.lines().find_map(|l| {
                l.split_once('=').filter(|(k, _)| k.trim() == key).map(|(_, v)| v.trim().to_owned())
            })
        };
        return match (value("aws_access_key_id"), value("aws_secret_access_key")) {
            (Some(id), Some(secret)) => Ok(vec![AdminKey { access_key_id: id, secret_access_key: secret }]),
            _ => {
                Err(ConfigError(format!("{}: no aws_access_key_id / aws_secret_access_key", path.display())))
            }
        };
    }
    let key = AdminKey {
        access_key_id: format!("AKIA{}", crate::ids::random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
        secret_access_key: crate::ids::random_string(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            40,
        ),
    };
    let text = format!(
        "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        key.access_key_id, key.secret_access_key
    );
    write_private(&path, text.as_bytes())?;
    println!(
        "Generated admin credentials (shown once; kept in {}):\n  aws_access_key_id = {}\n  aws_secret_access_key = {}",
        path.display(),
        key.access_key_id,
        key.secret_access_key
    );
    Ok(vec![key])
}

/// Creates the data directory (owner-only).
///
/// # Errors
/// A [`ConfigError`] if it cannot be created.
pub fn data_dir(config: &Config) -> Result<(), ConfigError> {
    fs::create_dir_all(&config.data_dir)
        .map_err(|e| ConfigError(format!("{}: {e}", config.data_dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = fs::set_permissions(&config.data_dir, fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("cognate-config-{name}-{}", crate::ids::random_string(b"abcdef0123456789", 8)));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_toml_and_refuses_unknown_keys() {
        let dir = temp_dir("toml");
        let file = dir.join("cognate.toml");
        fs::write(
            &file,
            "data_dir = \"/srv/cognate\"\nlisten = \"0.0.0.0:8080\"\nregion = \"eu-west-2\"\n\n[[admin_keys]]\naccess_key_id = \"AKIAEXAMPLE\"\nsecret_access_key = \"s3cret\"\n",
        )
        .unwrap();
        let config = Config::load(Some(&file)).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/cognate"));
        assert_eq!(config.listen.port(), 8080);
        assert_eq!(config.region, "eu-west-2");
        assert_eq!(config.admin_keys.len(), 1);
        assert!(!format!("{:?}", config.admin_keys[0]).contains("s3cret"), "Debug must not show the secret");
        fs::write(&file, "listen_on = \"x\"\n").unwrap();
        assert!(Config::load(Some(&file)).unwrap_err().0.contains("listen_on"));
        assert!(Config::load(Some(&dir.join("missing.toml"))).is_err());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn generates_a_private_master_key_once_and_refuses_none_in_production() {
        let dir = temp_dir("key");
        let config = Config { data_dir: dir.clone(), ..Config::default() };
        let first = master_key(&config).unwrap();
        assert_eq!(master_key(&config).unwrap(), first, "the key is kept, not regenerated");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(dir.join("master.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let production = Config { data_dir: dir.join("empty"), production: true, ..Config::default() };
        assert!(master_key(&production).unwrap_err().0.contains("production"));
        fs::write(dir.join("bad.key"), "short").unwrap();
        let bad = Config { master_key_file: Some(dir.join("bad.key")), ..Config::default() };
        assert!(master_key(&bad).is_err());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn admin_credentials_are_generated_once_in_aws_format() {
        let dir = temp_dir("creds");
        let config = Config { data_dir: dir.clone(), ..Config::default() };
        let keys = admin_keys(&config).unwrap();
        let again = admin_keys(&config).unwrap();
        assert_eq!(keys[0].access_key_id, again[0].access_key_id);
        assert_eq!(keys[0].secret_access_key, again[0].secret_access_key);
        let text = fs::read_to_string(dir.join("admin-credentials")).unwrap();
        assert!(text.starts_with("[default]\naws_access_key_id = AKIA"));
        fs::remove_dir_all(dir).unwrap();
    }
}
