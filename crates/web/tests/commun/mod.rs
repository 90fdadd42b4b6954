//! Shared harness of the web tests: the real router, in-process, on a fresh SQLite base loaded
//! with the demonstration data.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use pacte_store::Base;
use tower::ServiceExt;

static COMPTEUR: AtomicU64 = AtomicU64::new(0);

/// A fresh base in its own temporary folder.
pub async fn base_neuve() -> Base {
    base_neuve_et_adresse().await.0
}

/// A fresh base and its URL (for tests that open a second handle, as another process would).
pub async fn base_neuve_et_adresse() -> (Base, String) {
    let n = COMPTEUR.fetch_add(1, Ordering::SeqCst);
    let dossier = std::env::temp_dir().join(format!("pacte-web-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dossier);
    let url = format!("sqlite://{}/pacte.db", dossier.display());
    (Base::ouvrir(&url).await.expect("base de test"), url)
}

/// The application on a fresh base with the demonstration data; also returns the base and the
/// ids of the demonstration contracts (AMP, département 13, Montpellier with findings, Bordeaux
/// with 60 fiches).
pub async fn app_demo() -> (Router, Base, Vec<i64>) {
    let base = base_neuve().await;
    let ids = pacte_web::demo::charger(&base)
        .await
        .expect("données de démonstration");
    let app = pacte_web::application(
        base.clone(),
        pacte_web::Options {
            demonstration: true,
            ..Default::default()
        },
    );
    (app, base, ids)
}

/// A response: status, content type, body as text.
pub struct Reponse {
    pub statut: StatusCode,
    pub type_contenu: String,
    pub corps: String,
    pub entetes: axum::http::HeaderMap,
}

impl Reponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.corps).unwrap_or_else(|e| panic!("JSON invalide ({e}) : {}", self.corps))
    }
}

pub async fn envoyer(app: &Router, requete: Request<Body>) -> Reponse {
    let r = app.clone().oneshot(requete).await.expect("réponse");
    let statut = r.status();
    let entetes = r.headers().clone();
    let type_contenu = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let octets = r.into_body().collect().await.expect("corps").to_bytes();
    Reponse {
        statut,
        type_contenu,
        corps: String::from_utf8_lossy(&octets).into_owned(),
        entetes,
    }
}

pub async fn get(app: &Router, uri: &str) -> Reponse {
    envoyer(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// POST of an HTML form (`application/x-www-form-urlencoded`); `champs` are encoded here.
pub async fn post_formulaire(app: &Router, uri: &str, champs: &[(&str, &str)]) -> Reponse {
    let corps = champs
        .iter()
        .map(|(k, v)| format!("{}={}", encoder(k), encoder(v)))
        .collect::<Vec<_>>()
        .join("&");
    let r = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(corps));
    envoyer(app, r.unwrap()).await
}

pub async fn envoyer_json(app: &Router, methode: &str, uri: &str, corps: &serde_json::Value) -> Reponse {
    let r = Request::builder()
        .method(methode)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(corps.to_string()));
    envoyer(app, r.unwrap()).await
}

/// Percent-encoding for form bodies.
pub fn encoder(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
