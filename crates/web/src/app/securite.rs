//! Security headers on every response.
//!
//! The Content-Security-Policy allows only the application's own files: the pages carry no
//! inline script or style (an architecture invariant), the DSFR's stylesheet uses `data:` images.
//!
//! Nothing is kept in a cache (`Cache-Control: no-store`) unless the handler says otherwise:
//! pages and API answers carry what the signed-in user may read, which a shared or back-button
//! cache must not keep; the embedded static files set their own caching.

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;

use crate::Etat;

pub const POLITIQUE_CONTENU: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub async fn entetes(State(etat): State<Etat>, mut r: Response) -> Response {
    let h = r.headers_mut();
    let mut poser = |nom: HeaderName, valeur: &'static str| {
        h.entry(nom).or_insert(HeaderValue::from_static(valeur));
    };
    poser(header::CONTENT_SECURITY_POLICY, POLITIQUE_CONTENU);
    poser(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    poser(header::CACHE_CONTROL, "no-store");
    poser(header::REFERRER_POLICY, "same-origin");
    poser(header::X_FRAME_OPTIONS, "DENY");
    poser(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    if etat.options.https {
        poser(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    r
}
