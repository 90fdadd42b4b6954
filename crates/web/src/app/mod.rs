//! The application: its options and state, the page route table, the router with its layers,
//! and the server loop. Beside it, what every capability relies on: the one error type
//! (`erreur`), the rendered page cache (`cache`), the security headers (`securite`), the static
//! files (`statique`) and the request log (`traces`).
//!
//! This module is the only one that names every capability (in [`table_pages`]); no module
//! below imports it except for [`Etat`], [`Options`] and the error types.

pub(crate) mod cache;
pub(crate) mod erreur;
pub(crate) mod securite;
pub(crate) mod statique;
pub mod traces;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use pacte_store::Base;

use crate::comptes::{self, Utilisateur};
use crate::{api, proconnect, ui};

/// Prefix under which the JSON API is served (see `api::routes`).
pub const PREFIXE_API: &str = "/api/v1";

/// Options of a running application.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Shows the "données de démonstration" banner on every page.
    pub demonstration: bool,
    /// For load tests: bytes served as is at `/banc/reference.html`, the static baseline the
    /// dynamic pages are compared with (scripts/charge).
    pub page_reference: Option<Arc<Vec<u8>>>,
    /// The application is served over HTTPS (behind a TLS proxy): sends HSTS and marks the
    /// session cookie `Secure`.
    pub https: bool,
    /// Cost of the password hashes made by the application (password change).
    pub cout_hachage: comptes::mot_de_passe::Cout,
    /// Sign-in through ProConnect, when configured (see `comptes::proconnect::config_depuis`).
    pub proconnect: Option<proconnect::ConfigProConnect>,
    /// The application is reached through a reverse proxy that appends the client's address to
    /// `X-Forwarded-For`: the sign-in throttling then keys on that address rather than on the
    /// proxy's. Never set it when clients reach the application directly (they could then
    /// choose their address).
    pub mandataire: bool,
    /// E-mail notification of exchanges, when SMTP is configured
    /// (`echanges::notification::config_depuis`); nothing is sent by default.
    pub smtp: Option<crate::echanges::notification::ConfigSmtp>,
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct Etat {
    pub base: Base,
    pub options: Arc<Options>,
    /// Rendered heavy pages (see `app/cache.rs`).
    pub pages: Arc<cache::CachePages>,
    /// The signed-in user a page is rendered for ([`Etat::pour`]); `None` in the router's
    /// state.
    pub visiteur: Option<Arc<ui::Visiteur>>,
    /// ProConnect, when configured.
    pub proconnect: Option<Arc<comptes::proconnect::ProConnect>>,
    /// Sessions read in the last second (see `comptes/memoire.rs`).
    pub sessions: Arc<comptes::memoire::SessionsRecentes>,
}

impl Etat {
    /// The state of an application serving `base` with `options`.
    pub fn new(base: Base, options: Options) -> Etat {
        Etat {
            base,
            proconnect: options
                .proconnect
                .clone()
                .map(|c| Arc::new(comptes::proconnect::ProConnect::new(c))),
            options: Arc::new(options),
            pages: Arc::default(),
            visiteur: None,
            sessions: Arc::default(),
        }
    }

    /// The state a handler renders pages with for user `u`: the layout shows who is signed
    /// in and the forms carry the session's CSRF token.
    pub fn pour(&self, u: &Utilisateur) -> Etat {
        Etat {
            visiteur: Some(Arc::new(ui::Visiteur::de(u))),
            ..self.clone()
        }
    }
}

type RoutePage = (&'static str, Method, MethodRouter<Etat>);

fn page<H, T>(methode: Method, chemin: &'static str, h: H) -> RoutePage
where
    H: Handler<T, Etat>,
    T: 'static,
{
    let filtre = MethodFilter::try_from(methode.clone()).expect("standard HTTP method");
    (chemin, methode, on(filtre, h))
}

/// A page route whose form carries a document: its body may reach the documents' limit.
fn envoi((chemin, methode, mr): RoutePage) -> RoutePage {
    (
        chemin,
        methode,
        mr.layer(axum::extract::DefaultBodyLimit::max(comptes::TAILLE_ENVOI_MAX)),
    )
}

/// Every page route (the API's are in [`api::routes_servies`]): the one list the router is
/// built from, and that the authorization matrix test covers.
fn table_pages() -> Vec<RoutePage> {
    use crate::administration::{journal, utilisateurs as administration};
    use crate::{
        contrats, derogations as derogation, fiches, fichiers, referentiel, tableau_de_bord, territoires,
    };
    vec![
        // Accounts
        page(Method::GET, "/connexion", comptes::pages::page_connexion),
        page(Method::POST, "/connexion", comptes::pages::connexion),
        page(Method::GET, "/connexion/proconnect", comptes::proconnect::debut),
        page(
            Method::GET,
            "/connexion/proconnect/retour",
            comptes::proconnect::retour,
        ),
        page(Method::GET, "/deconnexion", comptes::pages::page_deconnexion),
        page(Method::POST, "/deconnexion", comptes::pages::deconnexion),
        page(
            Method::GET,
            "/compte/mot-de-passe",
            comptes::pages::page_mot_de_passe,
        ),
        page(
            Method::POST,
            "/compte/mot-de-passe",
            comptes::pages::changer_mot_de_passe,
        ),
        page(
            Method::GET,
            "/compte/proconnect",
            comptes::proconnect::page_compte,
        ),
        page(Method::POST, "/compte/proconnect", comptes::proconnect::lier),
        page(Method::GET, "/compte/jetons", comptes::pages::page_jetons),
        page(Method::POST, "/compte/jetons", comptes::pages::creer_jeton),
        page(
            Method::POST,
            "/compte/jetons/{id}/revoquer",
            comptes::pages::revoquer_jeton,
        ),
        // Read
        page(Method::GET, "/", tableau_de_bord::accueil),
        page(Method::GET, "/referentiel", referentiel::referentiel),
        page(Method::GET, "/territoires", territoires::territoires),
        page(Method::GET, "/contrats", contrats::liste::contrats),
        page(Method::GET, "/contrats/{id}", contrats::page::contrat),
        // Write
        page(
            Method::GET,
            "/contrats/nouveau",
            contrats::edition::nouveau_contrat,
        ),
        page(
            Method::POST,
            "/contrats/nouveau",
            contrats::edition::creer_contrat,
        ),
        page(
            Method::GET,
            "/contrats/{id}/modifier",
            contrats::edition::modifier_contrat,
        ),
        page(
            Method::POST,
            "/contrats/{id}/modifier",
            contrats::edition::enregistrer_contrat,
        ),
        page(
            Method::POST,
            "/contrats/{id}/etat",
            contrats::edition::changer_etat,
        ),
        page(
            Method::GET,
            "/contrats/{id}/fiches/nouvelle",
            fiches::edition::nouvelle_fiche,
        ),
        page(
            Method::POST,
            "/contrats/{id}/fiches/nouvelle",
            fiches::edition::creer_fiche,
        ),
        page(Method::GET, "/contrats/{id}/fiches/{numero}", fiches::page::fiche),
        page(
            Method::GET,
            "/contrats/{id}/fiches/{numero}/modifier",
            fiches::edition::modifier_fiche,
        ),
        page(
            Method::POST,
            "/contrats/{id}/fiches/{numero}/modifier",
            fiches::edition::enregistrer_fiche,
        ),
        page(
            Method::POST,
            "/contrats/{id}/fiches/{numero}/supprimer",
            fiches::edition::supprimer_fiche,
        ),
        page(
            Method::GET,
            "/contrats/{id}/fiches/{numero}/derogation",
            derogation::page,
        ),
        page(
            Method::POST,
            "/contrats/{id}/fiches/{numero}/derogation",
            derogation::enregistrer,
        ),
        // Files
        page(Method::POST, "/contrats/import", fichiers::apercu_import),
        page(
            Method::POST,
            "/contrats/import/confirmer",
            fichiers::confirmer_import,
        ),
        page(Method::GET, "/contrats/{id}/fichier", fichiers::telecharger),
        // History and exchanges
        page(
            Method::GET,
            "/contrats/{id}/historique",
            crate::contrats::historique::historique,
        ),
        page(
            Method::GET,
            "/contrats/{id}/echanges",
            crate::echanges::fil_contrat,
        ),
        envoi(page(
            Method::POST,
            "/contrats/{id}/echanges",
            crate::echanges::ecrire_contrat,
        )),
        page(
            Method::GET,
            "/contrats/{id}/fiches/{numero}/echanges",
            crate::echanges::fil_fiche,
        ),
        envoi(page(
            Method::POST,
            "/contrats/{id}/fiches/{numero}/echanges",
            crate::echanges::ecrire_fiche,
        )),
        page(Method::POST, "/contrats/{id}/demandes", crate::echanges::demander),
        page(
            Method::POST,
            "/contrats/{id}/demandes/{demande}",
            crate::echanges::faire_avancer,
        ),
        // Lifecycle acts and attached documents
        page(
            Method::GET,
            "/contrats/{id}/etapes/{etape}",
            contrats::actes::formulaire_etape,
        ),
        envoi(page(
            Method::POST,
            "/contrats/{id}/etapes/{etape}",
            contrats::actes::enregistrer_etape,
        )),
        page(
            Method::POST,
            "/contrats/{id}/annuler-etape",
            contrats::actes::annuler_etape,
        ),
        envoi(page(
            Method::POST,
            "/contrats/{id}/pieces",
            crate::pieces::deposer,
        )),
        page(
            Method::GET,
            "/contrats/{id}/pieces/{piece}",
            crate::pieces::telecharger,
        ),
        page(
            Method::GET,
            fichiers::format::ADRESSE_FORMAT,
            fichiers::format::format_contrat,
        ),
        page(
            Method::GET,
            fichiers::format::ADRESSE_MODELE,
            fichiers::format::modele_contrat,
        ),
        page(Method::GET, "/aide/exemples/{nom}", fichiers::format::exemple),
        // Administration
        page(Method::GET, "/administration/utilisateurs", administration::liste),
        page(
            Method::GET,
            "/administration/utilisateurs/nouveau",
            administration::nouveau,
        ),
        page(
            Method::POST,
            "/administration/utilisateurs/nouveau",
            administration::creer,
        ),
        page(
            Method::GET,
            "/administration/utilisateurs/{id}",
            administration::fiche,
        ),
        page(
            Method::POST,
            "/administration/utilisateurs/{id}",
            administration::enregistrer,
        ),
        page(
            Method::POST,
            "/administration/utilisateurs/{id}/proconnect",
            administration::autoriser_proconnect,
        ),
        page(Method::GET, journal::LISTE, journal::liste),
        page(Method::GET, "/administration/journal/{id}", journal::entree),
        // Finances (issue 12)
        page(Method::GET, "/contrats/{id}/finances", crate::finances::page),
        page(
            Method::GET,
            "/contrats/{id}/tableaux/{table}/{annee}/{format}",
            crate::finances::telecharger,
        ),
        envoi(page(
            Method::POST,
            "/contrats/{id}/bilan",
            crate::finances::bilan::apercu,
        )),
        envoi(page(
            Method::POST,
            "/contrats/{id}/bilan/appliquer",
            crate::finances::bilan::appliquer_bilan,
        )),
        page(
            Method::POST,
            "/contrats/{id}/finances/versement",
            crate::finances::saisie::versement,
        ),
        page(
            Method::POST,
            "/contrats/{id}/finances/realisation",
            crate::finances::saisie::realisation,
        ),
        page(
            Method::POST,
            "/contrats/{id}/finances/notification-axe",
            crate::finances::saisie::notification_axe,
        ),
        page(
            Method::POST,
            "/contrats/{id}/finances/notification-fiche",
            crate::finances::saisie::notification_fiche,
        ),
        envoi(page(
            Method::POST,
            "/contrats/{id}/finances/avenant",
            crate::finances::saisie::avenant,
        )),
        page(
            Method::POST,
            "/contrats/{id}/finances/report",
            crate::finances::saisie::report,
        ),
        page(
            Method::POST,
            "/contrats/{id}/finances/reduction/decision",
            crate::finances::saisie::decision_reduction,
        ),
        page(
            Method::POST,
            "/contrats/{id}/finances/reduction/justification",
            crate::finances::saisie::justification_reduction,
        ),
        // Consolidation (issue 15)
        page(Method::GET, "/consolidation", crate::consolidation::page),
        page(
            Method::GET,
            "/consolidation/donnees-ouvertes/indicateurs-nationaux.csv",
            crate::consolidation::donnees_ouvertes::indicateurs_nationaux,
        ),
        page(
            Method::GET,
            "/consolidation/tableaux/{tableau}/{format}",
            crate::consolidation::telecharger,
        ),
        page(
            Method::GET,
            "/consolidation/regions/{region}",
            crate::consolidation::page_region,
        ),
        page(
            Method::GET,
            "/consolidation/regions/{region}/tableaux/{tableau}/{format}",
            crate::consolidation::telecharger_region,
        ),
        // Campaigns and mid-term evaluation (issue 15)
        page(Method::GET, "/campagnes", crate::campagnes::liste),
        page(Method::POST, "/campagnes", crate::campagnes::ouvrir),
        page(
            Method::GET,
            "/contrats/{id}/campagnes/{annee}",
            crate::campagnes::page,
        ),
        page(
            Method::POST,
            "/contrats/{id}/campagnes/{annee}/valeurs",
            crate::campagnes::enregistrer,
        ),
        page(
            Method::POST,
            "/contrats/{id}/campagnes/{annee}/transition",
            crate::campagnes::transition,
        ),
        page(
            Method::GET,
            "/contrats/{id}/campagnes/{annee}/tableur/{format}",
            crate::campagnes::tableur::telecharger,
        ),
        envoi(page(
            Method::POST,
            "/contrats/{id}/campagnes/{annee}/tableur",
            crate::campagnes::tableur::deposer,
        )),
        page(
            Method::GET,
            "/contrats/{id}/mi-parcours",
            crate::campagnes::mi_parcours::page,
        ),
        page(
            Method::POST,
            "/contrats/{id}/mi-parcours/rapport",
            crate::campagnes::mi_parcours::rapport,
        ),
        page(
            Method::POST,
            "/contrats/{id}/mi-parcours/decision",
            crate::campagnes::mi_parcours::decision,
        ),
        // Campaign reports as PDF/ODT (issue 15, item 5)
        page(
            Method::GET,
            "/contrats/{id}/campagnes/{annee}/rapport/{format}",
            crate::rapports::annuel,
        ),
        page(
            Method::GET,
            "/contrats/{id}/mi-parcours/document/{format}",
            crate::rapports::mi_parcours,
        ),
        page(
            Method::GET,
            "/campagnes/{annee}/synthese/{format}",
            crate::rapports::synthese,
        ),
        // Their free texts (collectivity's sections, commissaire's text)
        page(
            Method::POST,
            "/contrats/{id}/campagnes/{annee}/textes",
            crate::rapports::textes::enregistrer_annuel,
        ),
        page(
            Method::POST,
            "/contrats/{id}/mi-parcours/textes",
            crate::rapports::textes::enregistrer_mi_parcours,
        ),
        page(
            Method::GET,
            "/campagnes/{annee}/synthese",
            crate::rapports::textes::page_synthese,
        ),
        page(
            Method::POST,
            "/campagnes/{annee}/synthese",
            crate::rapports::textes::enregistrer_synthese,
        ),
        // Documents (issue 14)
        page(
            Method::GET,
            "/contrats/{id}/document/{format}",
            crate::documents::contrat,
        ),
        page(
            Method::GET,
            "/contrats/{id}/avenants/{annee}/{format}",
            crate::documents::avenant,
        ),
        // Static files (public)
        page(Method::GET, "/statique/{*chemin}", statique::servir),
        page(Method::GET, "/banc/reference.html", statique::reference),
    ]
}

/// The page routes served, as (method, path), in declaration order.
pub fn routes_pages() -> Vec<(Method, &'static str)> {
    table_pages()
        .into_iter()
        .map(|(chemin, methode, _)| (methode, chemin))
        .collect()
}

/// The whole application: pages, API, static files.
pub fn application(base: Base, options: Options) -> Router {
    application_de(Etat::new(base, options))
}

/// The application over a state made by [`Etat::new`].
pub fn application_de(etat: Etat) -> Router {
    let mut parchemins: Vec<(&'static str, MethodRouter<Etat>)> = Vec::new();
    for (chemin, _, mr) in table_pages() {
        match parchemins.iter_mut().find(|(c, _)| *c == chemin) {
            Some((_, existant)) => *existant = std::mem::take(existant).merge(mr),
            None => parchemins.push((chemin, mr)),
        }
    }
    parchemins
        .into_iter()
        .fold(Router::new(), |r, (chemin, mr)| r.route(chemin, mr))
        // JSON API
        .nest(PREFIXE_API, api::routes())
        .fallback(ui::introuvable)
        .layer(axum::middleware::from_fn_with_state(
            etat.clone(),
            comptes::session_et_csrf,
        ))
        .layer(axum::middleware::map_response_with_state(
            etat.clone(),
            securite::entetes,
        ))
        // Outermost: the request id and the request log line.
        .layer(axum::middleware::from_fn(traces::tracer))
        .with_state(etat)
}

/// Limits of the server's connections (see [`servir_application`]).
#[derive(Debug, Clone, Copy)]
pub struct LimitesServeur {
    /// A client has this long to send a request's headers, and a kept-alive connection that
    /// sends no new request is closed after it: slow or idle clients do not keep a socket.
    pub delai_entetes: std::time::Duration,
    /// Connections served at once; beyond, new ones wait in the system's queue until one
    /// ends, so that a flood of connections cannot exhaust the process's file descriptors.
    pub connexions_max: usize,
}

impl Default for LimitesServeur {
    fn default() -> LimitesServeur {
        LimitesServeur {
            delai_entetes: std::time::Duration::from_secs(20),
            connexions_max: 512,
        }
    }
}

/// Serves the application on `adresse` until Ctrl-C.
pub async fn servir(base: Base, adresse: SocketAddr, options: Options) -> std::io::Result<()> {
    let ecoute = tokio::net::TcpListener::bind(adresse).await?;
    let etat = Etat::new(base, options);
    let entretien = comptes::entretien::lancer(etat.base.clone());
    if let Some(pc) = etat.proconnect.clone() {
        // Reaching the provider now tells the operator at once whether the configuration
        // works; on failure, the next login tries again.
        match pc.client().await {
            Ok(c) => println!("Connexion ProConnect activée (fournisseur {}).", c.emetteur()),
            Err(e) => tracing::warn!(
                "Attention : ProConnect injoignable pour l'instant ({e}) ; nouvel essai à la première connexion."
            ),
        }
    }
    let servi = servir_application(ecoute, application_de(etat), LimitesServeur::default(), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    entretien.abort();
    servi
}

/// Serves `app` on `ecoute` until `arret` completes, within `limites`: HTTP/1.1 through hyper
/// with a header read timeout (which also closes idle kept-alive connections) and at most
/// `limites.connexions_max` connections at once. The client address is given to handlers as
/// `ConnectInfo<SocketAddr>` (the sign-in throttling key). An accept error (no file
/// descriptor left) pauses accepting instead of ending the server. After `arret`, no new
/// connection is accepted and the open ones get up to 10 s to finish.
pub async fn servir_application(
    ecoute: tokio::net::TcpListener,
    app: Router,
    limites: LimitesServeur,
    arret: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};

    let places = Arc::new(tokio::sync::Semaphore::new(limites.connexions_max.max(1)));
    let mut arret = std::pin::pin!(arret);
    loop {
        let place = tokio::select! {
            p = places.clone().acquire_owned() => p.expect("semaphore never closed"),
            () = &mut arret => break,
        };
        let (flux, pair) = tokio::select! {
            r = ecoute.accept() => match r {
                Ok(c) => c,
                Err(_) => {
                    // EMFILE and the like: wait for connections to end rather than spin.
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut arret => break,
        };
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |mut requete: axum::http::Request<hyper::body::Incoming>| {
                requete.extensions_mut().insert(ConnectInfo(pair));
                let app = app.clone();
                async move {
                    use tower_service::Service;
                    let mut app = app;
                    app.call(requete.map(axum::body::Body::new)).await
                }
            });
        tokio::spawn(async move {
            let mut constructeur = hyper::server::conn::http1::Builder::new();
            constructeur
                .timer(TokioTimer::new())
                .header_read_timeout(limites.delai_entetes);
            let _ = constructeur.serve_connection(TokioIo::new(flux), service).await;
            drop(place);
        });
    }
    // Let the requests in progress finish (a kept-alive idle connection ends at its header
    // timeout), 10 s at most.
    let tous = u32::try_from(limites.connexions_max.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), places.acquire_many(tous)).await;
    Ok(())
}
