//! An https server on loopback for client metadata documents, with a CA
//! made by the test: the server under test trusts it only through the
//! explicit `cimd_extra_root_ca` and `cimd_allow_loopback` settings.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tower::ServiceExt;

/// What one path answers.
#[derive(Debug, Clone)]
pub struct Doc {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

impl Doc {
    pub fn json(body: serde_json::Value) -> Doc {
        Doc {
            status: 200,
            body: body.to_string(),
            headers: vec![("content-type", "application/json".into())],
        }
    }
}

#[derive(Default)]
struct Shared {
    docs: Mutex<HashMap<String, Doc>>,
    hits: AtomicUsize,
}

pub struct DocServer {
    /// `https://localhost:<port>`.
    pub origin: String,
    /// The port, for URLs on other loopback names.
    pub port: u16,
    /// The CA's certificate, as a PEM file.
    pub ca_file: tempfile::NamedTempFile,
    shared: Arc<Shared>,
}

impl DocServer {
    pub async fn start() -> DocServer {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "Test metadata CA");
        let ca_cert = ca.self_signed(&ca_key).expect("CA cert");
        let leaf_key = KeyPair::generate().expect("leaf key");
        let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("leaf params")
            .signed_by(&leaf_key, &ca_cert, &ca_key)
            .expect("leaf cert");
        let ca_file = tempfile::NamedTempFile::new().expect("CA file");
        std::fs::write(ca_file.path(), ca_cert.pem()).expect("write CA");

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(leaf.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .expect("TLS config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(Shared::default());
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(shared.clone());
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let app = app.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service =
                        hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                            app.clone().oneshot(req.map(Body::new))
                        });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        DocServer {
            origin: format!("https://localhost:{port}"),
            port,
            ca_file,
            shared,
        }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    pub fn serve(&self, path: &str, doc: Doc) {
        self.shared
            .docs
            .lock()
            .expect("docs")
            .insert(path.to_owned(), doc);
    }

    /// How many requests the server has answered.
    pub fn hits(&self) -> usize {
        self.shared.hits.load(Ordering::SeqCst)
    }

    /// A typical MCP client's document, served at `path`; returns its URL
    /// (the client id).
    pub fn serve_client(&self, path: &str, redirect_uri: &str) -> String {
        let id = self.url(path);
        self.serve(
            path,
            Doc::json(serde_json::json!({
                "client_id": id,
                "client_name": "Doc Client",
                "redirect_uris": [redirect_uri],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "none",
            })),
        );
        id
    }
}

async fn answer(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    shared.hits.fetch_add(1, Ordering::SeqCst);
    let doc = shared
        .docs
        .lock()
        .expect("docs")
        .get(req.uri().path())
        .cloned();
    let Some(doc) = doc else {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::from("not found"))
            .expect("response");
    };
    let mut response = Response::builder()
        .status(doc.status)
        .body(Body::from(doc.body))
        .expect("response");
    for (name, value) in doc.headers {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_str(&value).expect("header"));
    }
    response
}
