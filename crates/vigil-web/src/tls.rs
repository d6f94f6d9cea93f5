//! TLS for a single node (`vigil serve --tls-cert FILE --tls-key FILE`):
//! rustls on ring, HTTP/1.1 only, the certificate chain and its private key
//! read from PEM files. Behind a TLS-terminating proxy instead, Vigil
//! speaks plain HTTP to the proxy (`--trusted-proxy`).

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{Error, ErrorKind};
use std::path::PathBuf;
use std::sync::Arc;
use tokio_rustls::rustls;

/// Where the certificate chain and its key are.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn bad(path: &std::path::Path, why: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::InvalidInput, format!("{}: {why}", path.display()))
}

/// Reads the files and builds the acceptor; every error names the file.
pub(crate) fn acceptor(files: &TlsFiles) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| bad(&files.cert, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad(&files.cert, e))?;
    if certs.is_empty() {
        return Err(bad(&files.cert, "holds no PEM certificate"));
    }
    // The key is the server's identity: a key others on the host can read
    // is refused, as Vigil refuses its own keys' files.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files.key).map_err(|e| bad(&files.key, e))?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(bad(&files.key, format!("is readable by others (mode {:o}); chmod 600 it", mode & 0o777)));
        }
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| bad(&files.key, e))?;
    // ring builds with a C compiler alone; rustls marks it deprecated only
    // because it lacks post-quantum key exchange, which needs aws-lc-rs
    // (and cmake). TLS 1.2 and 1.3 with ECDHE are what browsers use today.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::other(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad(&files.key, format!("does not fit the certificate: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
