//! The JSON API under `/api/v1/` (conventions in docs/API.md, schema at /api/v1/openapi.json).
//!
//! Resources: the référentiel, the territories, the contracts, their fiches and their findings.
//! A contract is sent and received in the shape of the contract file (`pacte_core::Contrat`);
//! what the base adds (id, version, last change) sits beside it, never inside it, so a body
//! read from the API can be written back after editing.
//!
//! Optimistic concurrency: the header of a contract and each fiche carry their own `version`.
//! Every change of an existing record sends the version it read in `If-Match: "<version>"`;
//! a stale version is refused with 409 `conflit` naming who changed the record and when.
//!
//! Every error is an [`ErreurApi`] (`{"code", "message", "champ"}`), including unknown routes,
//! unsupported methods and unreadable bodies (module `corps`).

pub(crate) mod corps;
mod openapi;
pub(crate) mod reponses;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, OriginalUri};
use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::{ErreurApi, ErreurWeb, Etat};
use crate::{contrats, derogations, fiches, referentiel, territoires};

/// Prefix under which [`routes`] is served.
pub use crate::app::PREFIXE_API as PREFIXE;

type Route = (&'static str, Method, MethodRouter<Etat>);

fn route<H, T>(methode: Method, chemin: &'static str, h: H) -> Route
where
    H: Handler<T, Etat>,
    T: 'static,
{
    let filtre = MethodFilter::try_from(methode.clone()).expect("standard HTTP method");
    (chemin, methode, on(filtre, h))
}

/// A route whose body may carry a document (`multipart/form-data`): the documents' limit
/// (`comptes::TAILLE_ENVOI_MAX`) instead of the API's; its JSON keeps the API's.
fn document_joint((chemin, methode, mr): Route) -> Route {
    (
        chemin,
        methode,
        mr.layer(DefaultBodyLimit::max(crate::comptes::TAILLE_ENVOI_MAX)),
    )
}

/// Every route of the API, relative to [`PREFIXE`]: the one list the router is built from.
fn table() -> Vec<Route> {
    vec![
        route(Method::GET, "/openapi.json", document_openapi),
        route(Method::GET, "/referentiel", referentiel::api_referentiel),
        route(Method::GET, "/territoires", territoires::api_territoires),
        route(Method::GET, "/contrats", contrats::api::lister_contrats),
        route(Method::POST, "/contrats", contrats::api::creer_contrat),
        route(Method::GET, "/contrats/{id}", contrats::api::lire_contrat),
        route(Method::PUT, "/contrats/{id}", contrats::api::modifier_contrat),
        route(Method::GET, "/contrats/{id}/constats", contrats::api::constats),
        route(
            Method::GET,
            "/contrats/{id}/actes",
            contrats::actes::api_lister_actes,
        ),
        document_joint(route(
            Method::POST,
            "/contrats/{id}/actes",
            contrats::actes::api_creer_acte,
        )),
        route(Method::GET, "/contrats/{id}/fiches", fiches::api::lister_fiches),
        route(Method::POST, "/contrats/{id}/fiches", fiches::api::creer_fiche),
        route(
            Method::GET,
            "/contrats/{id}/fiches/{numero}",
            fiches::api::lire_fiche,
        ),
        route(
            Method::PUT,
            "/contrats/{id}/fiches/{numero}",
            fiches::api::modifier_fiche,
        ),
        route(
            Method::DELETE,
            "/contrats/{id}/fiches/{numero}",
            fiches::api::supprimer_fiche,
        ),
        route(
            Method::PUT,
            "/contrats/{id}/fiches/{numero}/derogation",
            derogations::api::accorder_derogation,
        ),
        route(
            Method::DELETE,
            "/contrats/{id}/fiches/{numero}/derogation",
            derogations::api::retirer_derogation,
        ),
        route(
            Method::GET,
            "/contrats/{id}/messages",
            crate::echanges::api::lister_messages,
        ),
        route(
            Method::POST,
            "/contrats/{id}/messages",
            crate::echanges::api::ecrire_message,
        ),
        route(
            Method::GET,
            "/contrats/{id}/demandes",
            crate::echanges::api::lister_demandes,
        ),
        route(
            Method::POST,
            "/contrats/{id}/demandes",
            crate::echanges::api::demander,
        ),
        route(
            Method::POST,
            "/contrats/{id}/demandes/{demande}/reponse",
            crate::echanges::api::repondre,
        ),
        route(
            Method::POST,
            "/contrats/{id}/demandes/{demande}/resolution",
            crate::echanges::api::resoudre,
        ),
        route(
            Method::GET,
            "/contrats/{id}/tableaux/{table}/{annee}",
            crate::finances::tableau_api,
        ),
        route(Method::GET, "/consolidation", crate::consolidation::api),
        route(
            Method::GET,
            "/consolidation/regions/{region}",
            crate::consolidation::api_region,
        ),
        route(Method::GET, "/campagnes", crate::campagnes::api::lister),
        route(Method::POST, "/campagnes", crate::campagnes::api::ouvrir),
        route(
            Method::GET,
            "/contrats/{id}/campagnes/{annee}",
            crate::campagnes::api::lire,
        ),
        route(
            Method::PUT,
            "/contrats/{id}/campagnes/{annee}/valeurs",
            crate::campagnes::api::saisir,
        ),
        route(
            Method::POST,
            "/contrats/{id}/campagnes/{annee}/transitions",
            crate::campagnes::api::transition,
        ),
        route(
            Method::GET,
            "/contrats/{id}/campagnes/{annee}/textes",
            crate::rapports::api::lire,
        ),
        route(
            Method::PUT,
            "/contrats/{id}/campagnes/{annee}/textes",
            crate::rapports::api::ecrire,
        ),
        route(
            Method::GET,
            "/contrats/{id}/document",
            crate::documents::api_document,
        ),
    ]
}

/// The routes served, as (method, path relative to [`PREFIXE`]), in declaration order. The
/// OpenAPI document must describe exactly these.
pub fn routes_servies() -> Vec<(Method, &'static str)> {
    table()
        .into_iter()
        .map(|(chemin, methode, _)| (methode, chemin))
        .collect()
}

/// The API router, served under [`PREFIXE`].
pub fn routes() -> Router<Etat> {
    table()
        .into_iter()
        .fold(Router::new(), |r, (chemin, _, mr)| r.route(chemin, mr))
        .method_not_allowed_fallback(methode_non_admise)
        .fallback(route_inconnue)
        // The API's own limit, whatever the pages set for their uploads.
        .layer(DefaultBodyLimit::max(corps::TAILLE_MAX))
}

async fn route_inconnue(methode: Method, OriginalUri(uri): OriginalUri) -> ErreurApi {
    ErreurApi(ErreurWeb::introuvable(format!(
        "aucune ressource de l'API à l'adresse {methode} {} : les adresses sont décrites dans {PREFIXE}/openapi.json",
        uri.path()
    )))
}

async fn methode_non_admise(methode: Method, OriginalUri(uri): OriginalUri) -> ErreurApi {
    ErreurApi(ErreurWeb {
        statut: StatusCode::METHOD_NOT_ALLOWED,
        code: "requete",
        message: format!(
            "méthode {methode} non admise sur {} : les méthodes admises sont dans l'en-tête Allow",
            uri.path()
        ),
        champ: None,
    })
}

// ---------------------------------------------------------------------------------------------
// The API's own document

async fn document_openapi() -> Json<&'static serde_json::Value> {
    Json(openapi::document())
}
