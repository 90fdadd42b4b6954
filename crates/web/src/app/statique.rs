//! Static files (DSFR, Pacte's own CSS), embedded at build time by `build.rs`.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/statiques.rs"));

fn index() -> &'static HashMap<&'static str, &'static [u8]> {
    static I: OnceLock<HashMap<&'static str, &'static [u8]>> = OnceLock::new();
    I.get_or_init(|| FICHIERS.iter().copied().collect())
}

fn type_mime(chemin: &str) -> &'static str {
    match chemin.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "webmanifest" => "application/manifest+json",
        "json" => "application/json",
        "md" | "txt" | "" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The bytes of an embedded file, for tests and the load test's static baseline.
pub fn fichier(chemin: &str) -> Option<&'static [u8]> {
    index().get(chemin).copied()
}

pub async fn servir(Path(chemin): Path<String>) -> Response {
    match fichier(&chemin) {
        None => (StatusCode::NOT_FOUND, "fichier introuvable").into_response(),
        Some(octets) => {
            let mut r = octets.into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(type_mime(&chemin)));
            // Assets change only with a new binary: a day of caching is safe.
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
            r
        }
    }
}

/// The load-test baseline page (`Options::page_reference`), 404 when not configured.
pub async fn reference(axum::extract::State(etat): axum::extract::State<crate::Etat>) -> Response {
    match &etat.options.page_reference {
        None => (StatusCode::NOT_FOUND, "page de référence non configurée").into_response(),
        Some(octets) => {
            let mut r = octets.as_ref().clone().into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
    }
}
