//! TLS with rustls: a certificate and key from PEM files, or a self-signed one for development.

use crate::config::TlsConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

/// TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read or parsed.
    #[error("cannot load {what}: {detail}")]
    Load {
        /// Certificate or key.
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// `[tls]` is incomplete.
    #[error("[tls] needs cert and key, or self_signed = true")]
    Incomplete,
    /// rustls refused the material.
    #[error("rustls: {0}")]
    Rustls(#[from] rustls::Error),
    /// Generating the self-signed certificate failed.
    #[error("self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
}

/// A certificate chain and key, PEM-encoded.
pub struct PemPair {
    /// Certificate chain.
    pub cert: String,
    /// Private key.
    pub key: String,
}

/// A self-signed certificate for `localhost`, `127.0.0.1` and `::1`.
pub fn self_signed() -> Result<PemPair, TlsError> {
    let names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let certified = rcgen::generate_simple_self_signed(names)?;
    Ok(PemPair {
        cert: certified.cert.pem(),
        key: certified.signing_key.serialize_pem(),
    })
}

/// The rustls server configuration for `[tls]`.
pub fn server_config(tls: &TlsConfig) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let (certs, key) = match (&tls.cert, &tls.key, tls.self_signed) {
        (Some(cert), Some(key), _) => {
            let load = |what| {
                move |e: rustls::pki_types::pem::Error| TlsError::Load {
                    what,
                    detail: e.to_string(),
                }
            };
            let certs = CertificateDer::pem_file_iter(cert)
                .map_err(load("certificate"))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(load("certificate"))?;
            (
                certs,
                PrivateKeyDer::from_pem_file(key).map_err(load("key"))?,
            )
        }
        (None, None, true) => {
            let pair = self_signed()?;
            let load = |what| {
                move |e: rustls::pki_types::pem::Error| TlsError::Load {
                    what,
                    detail: e.to_string(),
                }
            };
            let certs = CertificateDer::pem_slice_iter(pair.cert.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(load("certificate"))?;
            (
                certs,
                PrivateKeyDer::from_pem_slice(pair.key.as_bytes()).map_err(load("key"))?,
            )
        }
        _ => return Err(TlsError::Incomplete),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    // WebSockets ride on HTTP/1.1 upgrades.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
