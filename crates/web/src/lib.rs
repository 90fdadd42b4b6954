//! The web application: server-rendered DSFR pages and the JSON API, over one [`Base`].
//!
//! Handlers are thin: they read the request, call `pacte-store` and `pacte-core`, and return
//! a template (HTML) or a JSON body. Errors are one type, [`ErreurWeb`], rendered as a French
//! DSFR page on HTML routes and as `{code, message, champ}` on API routes ([`ErreurApi`]).

pub mod api;
mod cache;
pub mod demo;
mod erreur;
pub mod pages;
mod securite;
mod statique;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use pacte_store::Base;

pub use erreur::{ErreurApi, ErreurWeb};

/// Options of a running application.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Shows the "données de démonstration" banner on every page.
    pub demonstration: bool,
    /// For load tests: bytes served as is at `/banc/reference.html`, the static baseline the
    /// dynamic pages are compared with (scripts/charge).
    pub page_reference: Option<Arc<Vec<u8>>>,
    /// The application is served over HTTPS (behind a TLS proxy): sends HSTS.
    pub https: bool,
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct Etat {
    pub base: Base,
    pub options: Arc<Options>,
    /// Rendered heavy pages (see `cache.rs`).
    pub pages: Arc<cache::CachePages>,
}

/// The actor recorded in the audit log for writes made through the web. Accounts come with
/// their own issue; until then every web write is attributed to this actor.
pub const ACTEUR_WEB: &str = "web:anonyme";

/// The whole application: pages, API, static files.
pub fn application(base: Base, options: Options) -> Router {
    let etat = Etat {
        base,
        options: Arc::new(options),
        pages: Arc::default(),
    };
    Router::new()
        // Pages (read)
        .route("/", get(pages::lecture::accueil))
        .route("/referentiel", get(pages::lecture::referentiel))
        .route("/territoires", get(pages::lecture::territoires))
        .route("/contrats", get(pages::lecture::contrats))
        .route("/contrats/{id}", get(pages::lecture::contrat))
        // Pages (write)
        .route(
            "/contrats/nouveau",
            get(pages::edition::nouveau_contrat).post(pages::edition::creer_contrat),
        )
        .route(
            "/contrats/{id}/modifier",
            get(pages::edition::modifier_contrat).post(pages::edition::enregistrer_contrat),
        )
        .route("/contrats/{id}/etat", post(pages::edition::changer_etat))
        .route(
            "/contrats/{id}/fiches/nouvelle",
            get(pages::edition::nouvelle_fiche).post(pages::edition::creer_fiche),
        )
        .route("/contrats/{id}/fiches/{numero}", get(pages::edition::fiche))
        .route(
            "/contrats/{id}/fiches/{numero}/modifier",
            get(pages::edition::modifier_fiche).post(pages::edition::enregistrer_fiche),
        )
        .route(
            "/contrats/{id}/fiches/{numero}/supprimer",
            post(pages::edition::supprimer_fiche),
        )
        // Files
        .route("/contrats/import", post(pages::fichiers::apercu_import))
        .route(
            "/contrats/import/confirmer",
            post(pages::fichiers::confirmer_import),
        )
        .route("/contrats/{id}/fichier", get(pages::fichiers::telecharger))
        // JSON API
        .nest("/api/v1", api::routes())
        // Static files
        .route("/statique/{*chemin}", get(statique::servir))
        .route("/banc/reference.html", get(statique::reference))
        .fallback(pages::introuvable)
        .layer(axum::middleware::map_response_with_state(
            etat.clone(),
            securite::entetes,
        ))
        .with_state(etat)
}

/// Serves the application on `adresse` until Ctrl-C.
pub async fn servir(base: Base, adresse: SocketAddr, options: Options) -> std::io::Result<()> {
    let ecoute = tokio::net::TcpListener::bind(adresse).await?;
    axum::serve(ecoute, application(base, options))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
