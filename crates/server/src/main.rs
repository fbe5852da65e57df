//! `cognate`: the server binary.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use cognate_server::api::Services;
use cognate_server::config::{self, Config};
use cognate_server::http::{self, AppState, app};
use cognate_server::messenger::{self, SmtpSender, WebhookSender};
use cognate_server::seal::Sealer;
use cognate_server::store::{SqlStore, Store};
use cognate_server::tokens::KeyCache;

#[derive(Parser)]
#[command(
    name = "cognate",
    version,
    about = "A self-hostable identity server that speaks Amazon Cognito's protocols"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Flags shared by every command that opens the data directory.
#[derive(clap::Args)]
struct Common {
    /// A TOML configuration file.
    #[arg(long, env = "COGNATE_CONFIG")]
    config: Option<PathBuf>,
    /// The data directory (SQLite database, generated keys).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// `sqlite://...` or `postgres://...`.
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Cognito API.
    Serve {
        #[command(flatten)]
        common: Common,
        /// The address to listen on (default 127.0.0.1:9229).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// The URL clients reach this server at.
        #[arg(long)]
        public_url: Option<String>,
        /// Serve HTTPS with this certificate chain (PEM; with --tls-key).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Serve HTTPS with a self-signed development certificate (made once under the data directory).
        #[arg(long, conflicts_with = "tls_cert")]
        tls_self_signed: bool,
    },
    /// Read the outbox of codes and temporary passwords.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Manage token signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new signing key to a pool: published in its JWKS now, signing after the overlap window.
    Rotate {
        #[command(flatten)]
        common: Common,
        /// The user pool.
        #[arg(long)]
        pool: String,
    },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Print messages as JSON lines, oldest first.
    List {
        #[command(flatten)]
        common: Common,
        /// Only this pool's messages.
        #[arg(long)]
        pool: Option<String>,
        /// Only messages to this address or phone number.
        #[arg(long)]
        to: Option<String>,
    },
}

fn load(common: &Common) -> Result<Config, config::ConfigError> {
    let mut config = Config::load(common.config.as_deref())?;
    if let Some(dir) = &common.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(url) = &common.database_url {
        config.database_url = Some(url.clone());
    }
    Ok(config)
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("COGNATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down; finishing requests in flight");
}

async fn serve(
    mut config: Config,
    listen: Option<std::net::SocketAddr>,
    public_url: Option<String>,
) -> Result<(), String> {
    if let Some(addr) = listen {
        config.listen = addr;
    }
    if public_url.is_some() {
        config.public_url = public_url;
    }
    init_logs(&config.log_format);
    config::data_dir(&config).map_err(|e| e.to_string())?;
    let key = config::master_key(&config).map_err(|e| e.to_string())?;
    let admin_keys = config::admin_keys(&config).map_err(|e| e.to_string())?;
    let store: Arc<dyn Store> =
        Arc::new(SqlStore::connect(&config.database_url()).await.map_err(|e| format!("database: {e}"))?);
    if let Some(url) = &config.smtp_url {
        let sender = SmtpSender::new(url, &config.smtp_from).map_err(|e| e.to_string())?;
        messenger::spawn(store.clone(), sender);
    }
    if let Some(url) = &config.sms_webhook_url {
        let secret = config.sms_webhook_secret.as_ref().map(|s| s.0.clone());
        messenger::spawn(store.clone(), WebhookSender::new(url, secret).map_err(|e| e.to_string())?);
    }
    let listener =
        tokio::net::TcpListener::bind(config.listen).await.map_err(|e| format!("{}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let tls = match (&config.tls_cert, &config.tls_key, config.tls_self_signed) {
        (Some(cert), Some(key), _) => {
            let read = |p: &PathBuf| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
            Some(http::tls::config(&read(cert)?, &read(key)?)?)
        }
        (None, None, true) => {
            let (cert, key) = http::tls::development(&config.data_dir)?;
            tracing::warn!("serving HTTPS with a self-signed development certificate");
            Some(http::tls::config(&cert, &key)?)
        }
        (None, None, false) => None,
        _ => return Err("TLS needs both a certificate (COGNATE_TLS_CERT) and a key (COGNATE_TLS_KEY)".into()),
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("{scheme}://{addr}"));
    let limits = http::Limits {
        max_in_flight: config.max_in_flight,
        max_connections: config.max_connections,
        idle_timeout: std::time::Duration::from_secs(config.idle_timeout_seconds),
    };
    let state = AppState::new(services(&config, store, &key, public_url)?, Arc::new(admin_keys), &limits);
    println!("cognate listening on {scheme}://{addr}");
    tracing::info!(%addr, data_dir = %config.data_dir.display(), "serving");
    http::serve(listener, app(state), &limits, tls, shutdown_signal()).await;
    Ok(())
}

/// The operations' dependencies.
fn services(
    config: &Config,
    store: Arc<dyn Store>,
    key: &[u8; 32],
    public_url: String,
) -> Result<Services, String> {
    let trigger_secret = config::trigger_secret(config).map_err(|e| e.to_string())?;
    Ok(Services {
        store,
        sealer: Sealer::new(key),
        region: config.region.clone(),
        public_url,
        keys: KeyCache::default(),
        key_overlap_ms: config.key_overlap_seconds.saturating_mul(1000),
        derived_secret: derive(key, b"cognate: unknown-user salts"),
        domain_base_host: config.domain_base_host.clone(),
        hosted_session_seconds: config.hosted_session_seconds,
        triggers: cognate_server::triggers::Settings::new(
            trigger_secret.to_vec(),
            config.trigger_functions.clone(),
            std::time::Duration::from_millis(config.trigger_timeout_ms),
            config.trigger_allow_link_local,
            config.trigger_allow_http,
        ),
    })
}

async fn rotate_key(config: Config, pool: String) -> Result<(), String> {
    let key = config::master_key(&config).map_err(|e| e.to_string())?;
    let store: Arc<dyn Store> =
        Arc::new(SqlStore::connect(&config.database_url()).await.map_err(|e| format!("database: {e}"))?);
    let public_url = config.public_url.clone().unwrap_or_default();
    let svc = services(&config, store, &key, public_url)?;
    cognate_server::domain::pools::load(&svc, &pool).await.map_err(|e| e.to_string())?;
    let kid = cognate_server::tokens::rotate(&svc, &pool).await.map_err(|e| e.to_string())?;
    println!("{kid}");
    Ok(())
}

/// A secret for one purpose, derived from the master key (HMAC-SHA256 of the label).
fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    cognate_server::seal::hmac_sha256(master, &[label])
}

async fn outbox(config: Config, pool: Option<String>, to: Option<String>) -> Result<(), String> {
    let store = SqlStore::connect(&config.database_url()).await.map_err(|e| format!("database: {e}"))?;
    for message in store.messages(pool.as_deref(), to.as_deref()).await.map_err(|e| e.to_string())? {
        println!("{}", serde_json::to_string(&message).map_err(|e| e.to_string())?);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { common, listen, public_url, tls_cert, tls_key, tls_self_signed } => {
            match load(&common) {
                Ok(mut config) => {
                    if tls_cert.is_some() {
                        (config.tls_cert, config.tls_key) = (tls_cert, tls_key);
                    }
                    config.tls_self_signed |= tls_self_signed;
                    serve(config, listen, public_url).await
                }
                Err(e) => Err(e.to_string()),
            }
        }
        Command::Outbox { command: OutboxCommand::List { common, pool, to } } => match load(&common) {
            Ok(config) => outbox(config, pool, to).await,
            Err(e) => Err(e.to_string()),
        },
        Command::Keys { command: KeysCommand::Rotate { common, pool } } => match load(&common) {
            Ok(config) => rotate_key(config, pool).await,
            Err(e) => Err(e.to_string()),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cognate: {message}");
            ExitCode::FAILURE
        }
    }
}
