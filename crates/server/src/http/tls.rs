//! HTTPS for `cognate serve`: a certificate and key given as PEM files, or a self-signed development
//! certificate made once under the data directory. Apps that build `https://` URLs from the OAuth
//! domain (Amplify) need it; production deployments usually terminate TLS in front instead.

use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A server configuration from PEM: the certificate chain and its private key.
///
/// # Errors
/// A message for the operator when the PEM does not parse or the key does not fit the certificate.
pub fn config(cert_pem: &[u8], key_pem: &[u8]) -> Result<Arc<ServerConfig>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("TLS certificate: {e}"))?;
    if certs.is_empty() {
        return Err("TLS certificate: no CERTIFICATE block in the file".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| format!("TLS key: {e}"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("TLS certificate and key: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The development certificate under `dir` (`tls/dev-cert.pem`, `tls/dev-key.pem`), made on first
/// use for `localhost`, `127.0.0.1`, `::1` and `*.localhost` (browsers resolve those to loopback),
/// so prefix domains under a `localhost` base host are covered too.
///
/// # Errors
/// A message when the files cannot be written or read.
pub fn development(dir: &Path) -> Result<(Vec<u8>, Vec<u8>), String> {
    let tls = dir.join("tls");
    let (cert_path, key_path) = (tls.join("dev-cert.pem"), tls.join("dev-key.pem"));
    if let (Ok(cert), Ok(key)) = (std::fs::read(&cert_path), std::fs::read(&key_path)) {
        return Ok((cert, key));
    }
    let names = ["localhost", "127.0.0.1", "::1", "*.localhost"].map(String::from).to_vec();
    let made =
        rcgen::generate_simple_self_signed(names).map_err(|e| format!("development certificate: {e}"))?;
    let (cert, key) = (made.cert.pem(), made.signing_key.serialize_pem());
    std::fs::create_dir_all(&tls).map_err(|e| format!("{}: {e}", tls.display()))?;
    // A key left without its certificate (an interrupted first run) is made again.
    let _ = std::fs::remove_file(&key_path);
    crate::config::write_private(&key_path, key.as_bytes()).map_err(|e| e.to_string())?;
    std::fs::write(&cert_path, &cert).map_err(|e| format!("{}: {e}", cert_path.display()))?;
    Ok((cert.into_bytes(), key.into_bytes()))
}
