//! A real Cognate server, in this process on 127.0.0.1, for the client's tests: pools and clients
//! are made through the server's own operation dispatch (the admin API without HTTP), and the
//! client reaches it over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs, unreachable_pub, dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cognate_client::{Client, ClientError, Clock, Config, TokenStore, Transport};
use cognate_server::api::{Caller, Services, dispatch};
use cognate_server::http::{self, AppState, app};
use cognate_server::seal::Sealer;
use cognate_server::store::{SqlStore, Store};
use cognate_server::tokens::KeyCache;
use serde_json::{Value, json};

pub struct Server {
    pub endpoint: String,
    services: Services,
    rt: tokio::runtime::Handle,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl Server {
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "cognate-client-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("cognate.db").display());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            let handle = rt.handle().clone();
            rt.block_on(async move {
                let store: Arc<dyn Store> = Arc::new(SqlStore::connect(&url).await.unwrap());
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let services = Services {
                    store,
                    sealer: Sealer::new(&[7; 32]),
                    region: "us-east-1".to_owned(),
                    public_url: format!("http://{addr}"),
                    keys: KeyCache::default(),
                    key_overlap_ms: 0,
                    derived_secret: [9; 32],
                    domain_base_host: None,
                    hosted_session_seconds: 3600,
                    triggers: cognate_server::triggers::Settings::new(
                        b"secret".to_vec(),
                        std::collections::BTreeMap::new(),
                        std::time::Duration::from_secs(5),
                        false,
                        false,
                    ),
                };
                tx.send((addr, services.clone(), handle)).unwrap();
                let limits = http::Limits::default();
                let state = AppState::new(services, Arc::new(Vec::new()), &limits);
                http::serve(listener, app(state), &limits, None, std::future::pending()).await;
            });
        });
        let (addr, services, rt) = rx.recv().unwrap();
        Self { endpoint: format!("http://{addr}/"), services, rt }
    }

    /// An admin operation, run by the server's dispatch.
    pub fn admin(&self, op: &str, body: Value) -> Value {
        self.rt
            .block_on(dispatch(&self.services, &Caller::default(), op, body))
            .unwrap_or_else(|e| panic!("{op}: {e:?}"))
    }

    /// A pool with email auto-verified and an app client for every flow; (pool id, client id).
    pub fn pool(&self, client_extra: Value) -> (String, String) {
        let pool =
            self.admin("CreateUserPool", json!({ "PoolName": "sdk", "AutoVerifiedAttributes": ["email"] }));
        let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
        let mut body = json!({
            "UserPoolId": pool_id,
            "ClientName": "sdk",
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        });
        for (k, v) in client_extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let client = self.admin("CreateUserPoolClient", body);
        (pool_id, client["UserPoolClient"]["ClientId"].as_str().unwrap().to_owned())
    }

    /// The newest six-digit code sent to `to`.
    pub fn code_for(&self, pool: &str, to: &str) -> String {
        let messages = self.rt.block_on(self.services.store.messages(Some(pool), Some(to))).unwrap();
        let body = &messages.last().expect("no message").body;
        let start = body.find(|c: char| c.is_ascii_digit()).expect("no code");
        body[start..start + 6].to_owned()
    }
}

/// HTTP/1.1 over a fresh connection per call, on its own thread, so concurrent calls overlap.
/// Counts calls per X-Amz-Target.
#[derive(Clone, Default)]
pub struct Http {
    pub calls: Arc<Mutex<HashMap<String, usize>>>,
}

impl Http {
    pub fn count(&self, operation: &str) -> usize {
        *self
            .calls
            .lock()
            .unwrap()
            .get(&format!("AWSCognitoIdentityProviderService.{operation}"))
            .unwrap_or(&0)
    }
}

fn post_blocking(endpoint: &str, target: &str, body: &str) -> std::io::Result<(u16, String)> {
    let rest = endpoint.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host)?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: {target}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok((status, body.to_owned()))
}

impl Transport for Http {
    async fn post(&self, endpoint: &str, target: &str, body: &str) -> Result<(u16, String), ClientError> {
        *self.calls.lock().unwrap().entry(target.to_owned()).or_default() += 1;
        let (tx, rx) = futures_channel::oneshot::channel();
        let (endpoint, target, body) = (endpoint.to_owned(), target.to_owned(), body.to_owned());
        std::thread::spawn(move || {
            let _ = tx.send(post_blocking(&endpoint, &target, &body));
        });
        rx.await.unwrap().map_err(|e| ClientError::new("NetworkError", e.to_string()))
    }
}

#[derive(Default)]
pub struct Memory(pub RefCell<HashMap<String, String>>);

impl TokenStore for Memory {
    fn get(&self, key: &str) -> Option<String> {
        self.0.borrow().get(key).cloned()
    }
    fn set(&self, key: &str, value: &str) {
        self.0.borrow_mut().insert(key.to_owned(), value.to_owned());
    }
    fn remove(&self, key: &str) {
        self.0.borrow_mut().remove(key);
    }
}

/// The system clock, plus an offset the tests move forward.
#[derive(Default)]
pub struct TestClock(pub Cell<f64>);

impl Clock for TestClock {
    fn now_ms(&self) -> f64 {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
        now.as_secs_f64() * 1000.0 + self.0.get()
    }
}

pub type TestClient = Client<Http, Memory, TestClock>;

pub fn client(server: &Server, pool: &str, client_id: &str) -> (TestClient, Http) {
    let http = Http::default();
    let config = Config {
        user_pool_id: pool.to_owned(),
        client_id: client_id.to_owned(),
        client_secret: None,
        endpoint: Some(server.endpoint.clone()),
    };
    (Client::new(config, http.clone(), Memory::default(), TestClock::default()), http)
}
