//! Request logs: one `tracing` event per request, and the request id.
//!
//! [`tracer`] is the outermost middleware. It takes the request id from an incoming
//! `X-Request-Id` when it is well-formed and short ([`id_recu`]), otherwise makes one, opens
//! the request's span (`requete`: id, method, route template, account id once known) in which
//! every event of the request is logged, writes one line when the response is ready (status,
//! latency) and returns the id in the `X-Request-Id` header. The French error page shows the
//! same id (« Référence de l'incident ») through [`id_courant`], so that a user can quote it.
//!
//! Only the route template (axum's `MatchedPath`, `/contrats/{id}`) is logged, never the raw
//! path or the query string: they may hold personal data (a searched name, an e-mail) and
//! would make every line unique. The only personal datum is the account id.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header that carries the request id, both ways.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest incoming request id kept.
pub const ID_MAX: usize = 64;

/// The route label of a request that matched no route (the « page introuvable » fallback).
pub const HORS_ROUTE: &str = "(aucune route)";

tokio::task_local! {
    static ID_REQUETE: String;
}

/// The id of the request being served, when there is one.
pub fn id_courant() -> Option<String> {
    ID_REQUETE.try_with(Clone::clone).ok()
}

/// An incoming request id, when it is short (at most [`ID_MAX`] characters) and made of
/// letters, digits, `-`, `_` and `.` only; anything else is replaced by a fresh id.
pub fn id_recu(valeur: &HeaderValue) -> Option<String> {
    let t = valeur.to_str().ok()?;
    let valide = !t.is_empty()
        && t.len() <= ID_MAX
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    valide.then(|| t.to_string())
}

/// A fresh request id: 16 hexadecimal digits (64 random bits).
fn nouvel_id() -> String {
    let mut octets = [0u8; 8];
    if getrandom::getrandom(&mut octets).is_err() {
        // No randomness: a clock reading still tells requests apart in a log.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default();
        octets = nanos.to_be_bytes();
    }
    octets.iter().map(|o| format!("{o:02x}")).collect()
}

/// The request log middleware (see the module).
pub async fn tracer(requete: Request, next: Next) -> Response {
    let debut = Instant::now();
    let id = requete
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(id_recu)
        .unwrap_or_else(nouvel_id);
    let route = requete
        .extensions()
        .get::<MatchedPath>()
        .map_or(HORS_ROUTE, MatchedPath::as_str)
        .to_string();
    let span = tracing::info_span!(
        "requete",
        id = %id,
        methode = %requete.method(),
        route = %route,
        compte = tracing::field::Empty,
    );
    let mut reponse = ID_REQUETE
        .scope(id.clone(), next.run(requete).instrument(span.clone()))
        .await;
    let statut = reponse.status().as_u16();
    // Microseconds are enough: rounded so that the line reads `duree_ms=1.978`.
    let duree_ms = (debut.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0;
    span.in_scope(|| {
        if statut >= 500 {
            tracing::error!(statut, duree_ms, "requête servie");
        } else {
            tracing::info!(statut, duree_ms, "requête servie");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        reponse.headers_mut().insert(X_REQUEST_ID, v);
    }
    reponse
}

/// Records the account of the request being served in its span (the id only).
pub fn noter_compte(id: i64) {
    tracing::Span::current().record("compte", id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_recus() {
        let v = |t: &str| HeaderValue::from_str(t).unwrap();
        assert_eq!(id_recu(&v("abc-123_X.y")).as_deref(), Some("abc-123_X.y"));
        assert_eq!(id_recu(&v(&"a".repeat(ID_MAX))).map(|s| s.len()), Some(ID_MAX));
        assert_eq!(id_recu(&v(&"a".repeat(ID_MAX + 1))), None);
        assert_eq!(id_recu(&v("")), None);
        assert_eq!(id_recu(&v("a b")), None);
        assert_eq!(id_recu(&v("<script>")), None);
        let id = nouvel_id();
        assert!(
            id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
        assert_ne!(nouvel_id(), id);
    }
}
