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

mod corps;
mod openapi;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, OriginalUri, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use pacte_core::contrat::{Axe, Derogation, EnTete};
use pacte_core::{Constat, Contrat, FicheAction, NumeroFiche};
use pacte_store::{ContratStocke, Tampon};
use serde::Serialize;

use crate::comptes::ClientApi;
use crate::pages::edition::garde_etat;
use crate::{ErreurApi, ErreurWeb, Etat};
use corps::{CheminContrat, CheminFiche, CorpsJson, Pagination, VersionLue};
use pacte_core::droits::{Action, Cible};

/// Prefix under which [`routes`] is served.
pub const PREFIXE: &str = "/api/v1";

type Route = (&'static str, Method, MethodRouter<Etat>);

fn route<H, T>(methode: Method, chemin: &'static str, h: H) -> Route
where
    H: Handler<T, Etat>,
    T: 'static,
{
    let filtre = MethodFilter::try_from(methode.clone()).expect("standard HTTP method");
    (chemin, methode, on(filtre, h))
}

/// Every route of the API, relative to [`PREFIXE`]: the one list the router is built from.
fn table() -> Vec<Route> {
    vec![
        route(Method::GET, "/openapi.json", document_openapi),
        route(Method::GET, "/referentiel", referentiel),
        route(Method::GET, "/territoires", territoires),
        route(Method::GET, "/contrats", lister_contrats),
        route(Method::POST, "/contrats", creer_contrat),
        route(Method::GET, "/contrats/{id}", lire_contrat),
        route(Method::PUT, "/contrats/{id}", modifier_contrat),
        route(Method::GET, "/contrats/{id}/constats", constats),
        route(Method::GET, "/contrats/{id}/fiches", lister_fiches),
        route(Method::POST, "/contrats/{id}/fiches", creer_fiche),
        route(Method::GET, "/contrats/{id}/fiches/{numero}", lire_fiche),
        route(Method::PUT, "/contrats/{id}/fiches/{numero}", modifier_fiche),
        route(Method::DELETE, "/contrats/{id}/fiches/{numero}", supprimer_fiche),
        route(
            Method::PUT,
            "/contrats/{id}/fiches/{numero}/derogation",
            accorder_derogation,
        ),
        route(
            Method::DELETE,
            "/contrats/{id}/fiches/{numero}/derogation",
            retirer_derogation,
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
// Response bodies

/// Who last changed a record, and its version.
#[derive(Debug, Serialize)]
struct TamponApi<'a> {
    version: i64,
    modifie_par: &'a str,
    modifie_le: &'a str,
}

impl<'a> From<&'a Tampon> for TamponApi<'a> {
    fn from(t: &'a Tampon) -> TamponApi<'a> {
        TamponApi {
            version: t.version,
            modifie_par: &t.modifie_par,
            modifie_le: &t.modifie_le,
        }
    }
}

/// A stored fiche: its number, its stamp, and the fiche as written in the contract file.
#[derive(Debug, Serialize)]
struct FicheApi<'a> {
    numero: NumeroFiche,
    #[serde(flatten)]
    tampon: TamponApi<'a>,
    fiche: &'a FicheAction,
}

impl<'a> FicheApi<'a> {
    fn new(fiche: &'a FicheAction, tampon: &'a Tampon) -> FicheApi<'a> {
        FicheApi {
            numero: fiche.numero,
            tampon: tampon.into(),
            fiche,
        }
    }
}

/// A stored contract: id and stamp of the header, the header as written in the contract file,
/// and its fiches with their own stamps.
#[derive(Debug, Serialize)]
struct ContratApi<'a> {
    id: i64,
    #[serde(flatten)]
    tampon: TamponApi<'a>,
    contrat: &'a EnTete,
    fiches: Vec<FicheApi<'a>>,
}

fn fiches_api(s: &ContratStocke) -> Vec<FicheApi<'_>> {
    s.contrat
        .fiches
        .iter()
        .zip(&s.fiches)
        .map(|(f, t)| FicheApi::new(f, t))
        .collect()
}

impl<'a> From<&'a ContratStocke> for ContratApi<'a> {
    fn from(s: &'a ContratStocke) -> ContratApi<'a> {
        ContratApi {
            id: s.tampon.id,
            tampon: (&s.tampon).into(),
            contrat: &s.contrat.contrat,
            fiches: fiches_api(s),
        }
    }
}

#[derive(Debug, Serialize)]
struct CollectiviteApi {
    code: String,
    /// From the territories, or from the AMI selection; null when the code is unknown.
    nom: Option<String>,
}

/// One line of the contract list.
#[derive(Debug, Serialize)]
struct ResumeApi {
    id: i64,
    collectivite: CollectiviteApi,
    intitule: Option<String>,
    etat: pacte_core::contrat::EtatContrat,
    fiches: i64,
    version: i64,
    modifie_le: String,
    bloquants: usize,
    alertes: usize,
}

/// A page of a collection.
#[derive(Debug, Serialize)]
struct Page<T> {
    elements: Vec<T>,
    page: u32,
    par_page: u32,
    total: u64,
}

#[derive(Debug, Serialize)]
struct ListeFiches<'a> {
    fiches: Vec<FicheApi<'a>>,
}

/// The same body as `pacte check --format json`.
#[derive(Debug, Serialize)]
struct ListeConstats {
    constats: Vec<Constat>,
}

fn url_contrat(id: i64) -> String {
    format!("{PREFIXE}/contrats/{id}")
}

fn url_fiche(id: i64, numero: NumeroFiche) -> String {
    format!("{PREFIXE}/contrats/{id}/fiches/{numero}")
}

fn entete(valeur: &str) -> HeaderValue {
    HeaderValue::from_str(valeur).expect("generated header values are ASCII")
}

fn etag(version: i64) -> HeaderValue {
    entete(&format!("\"{version}\""))
}

// ---------------------------------------------------------------------------------------------
// Handlers

async fn document_openapi() -> Json<&'static serde_json::Value> {
    Json(openapi::document())
}

async fn referentiel(
    ClientApi(u): ClientApi,
) -> Result<Json<&'static pacte_core::referentiel::Referentiel>, ErreurApi> {
    u.exiger(Action::LireReferentiel, &Cible::Referentiel)?;
    Ok(Json(pacte_core::referentiel::referentiel()))
}

async fn territoires(
    ClientApi(u): ClientApi,
) -> Result<Json<&'static pacte_core::territoires::Territoires>, ErreurApi> {
    u.exiger(Action::LireReferentiel, &Cible::Referentiel)?;
    Ok(Json(pacte_core::territoires::territoires()))
}

async fn lister_contrats(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    pagination: Pagination,
) -> Result<Response, ErreurApi> {
    // Only the contracts the client may read, filtered and paged in SQL: the others are not
    // counted either.
    let liste = etat
        .base
        .contrats_lisibles(
            &u.habilitation.portee_lecture(),
            None,
            pagination.page,
            Some(pagination.par_page),
        )
        .await?;
    let mut elements = Vec::with_capacity(liste.lignes.len());
    for l in liste.lignes {
        let (bloquants, alertes) = match l.constats {
            Some((b, a)) => (b as usize, a as usize),
            None => crate::pages::lecture::compter_constats(&etat.base, l.id).await?,
        };
        let en_tete = &l.entete;
        let nom = en_tete.nom_collectivite_connu().map(str::to_string);
        elements.push(ResumeApi {
            id: l.id,
            collectivite: CollectiviteApi {
                code: en_tete.collectivite.clone(),
                nom,
            },
            intitule: en_tete.intitule.clone(),
            etat: l.etat,
            fiches: l.fiches,
            version: l.version,
            modifie_le: l.modifie_le.clone(),
            bloquants,
            alertes,
        });
    }
    Ok(Json(Page {
        elements,
        page: pagination.page,
        par_page: pagination.par_page,
        total: liste.total as u64,
    })
    .into_response())
}

/// Refuses a fiche number used twice, naming the second fiche (the base would refuse it too,
/// without saying which field).
fn controler_numeros(c: &Contrat) -> Result<(), ErreurApi> {
    for (i, f) in c.fiches.iter().enumerate() {
        if c.fiches[..i].iter().any(|g| g.numero == f.numero) {
            return Err(ErreurApi(ErreurWeb::invalide(
                format!(
                    "le numéro de fiche {} est porté par plusieurs fiches (R-TAB-01) : chaque fiche doit avoir un numéro unique",
                    f.numero
                ),
                Some(format!("fiches[{i}].numero")),
            )));
        }
    }
    Ok(())
}

async fn creer_contrat(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    CorpsJson(contrat): CorpsJson<Contrat>,
) -> Result<Response, ErreurApi> {
    u.exiger(Action::Importer, &Cible::contrat(&contrat))?;
    u.exiger_derogations_importables(&contrat)?;
    controler_numeros(&contrat)?;
    let ids = etat
        .base
        .importer(std::slice::from_ref(&contrat), &u.acteur())
        .await?;
    let id = *ids
        .first()
        .ok_or_else(|| ErreurWeb::interne("import sans numéro de contrat"))?;
    let stocke = etat.base.contrat(id).await?;
    let mut entetes = HeaderMap::new();
    entetes.insert(header::LOCATION, entete(&url_contrat(id)));
    Ok((StatusCode::CREATED, entetes, Json(ContratApi::from(&stocke))).into_response())
}

/// Contract `id` for a change of its header or fiches: allowed to the user, at a state that
/// allows changes.
async fn contrat_a_modifier(
    etat: &Etat,
    u: &crate::Utilisateur,
    id: i64,
) -> Result<ContratStocke, ErreurApi> {
    let stocke = u.contrat_pour(etat, id, Action::Modifier).await?;
    crate::pages::edition::etat_permis(Action::Modifier, &stocke)?;
    Ok(stocke)
}

async fn lire_contrat(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
) -> Result<Response, ErreurApi> {
    let stocke = u.contrat_pour(&etat, c.id, Action::Lire).await?;
    Ok(Json(ContratApi::from(&stocke)).into_response())
}

async fn modifier_contrat(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
    VersionLue(version): VersionLue,
    CorpsJson(en_tete): CorpsJson<EnTete>,
) -> Result<Response, ErreurApi> {
    let avant = contrat_a_modifier(&etat, &u, c.id).await?;
    // The header may not take the contract out of the client's reach, nor change its state
    // (the lifecycle has its own actions).
    u.exiger(
        Action::Modifier,
        &Cible::Contrat {
            collectivite: en_tete.collectivite.clone(),
            etat: avant.contrat.contrat.etat,
        },
    )?;
    if en_tete.etat != avant.contrat.contrat.etat {
        let action = crate::comptes::action_vers(en_tete.etat).unwrap_or(Action::Modifier);
        u.exiger(action, &Cible::contrat(&avant.contrat))?;
        if pacte_core::droits::etat_apres(action, avant.contrat.contrat.etat) != Ok(en_tete.etat) {
            return Err(ErreurApi(ErreurWeb {
                statut: StatusCode::CONFLICT,
                code: "conflit",
                message: format!(
                    "le contrat est à l'état {} : il ne peut pas passer à l'état {}",
                    avant.contrat.contrat.etat.libelle(),
                    en_tete.etat.libelle()
                ),
                champ: Some("etat".into()),
            }));
        }
    }
    // The same checks, and the findings a step requires, made again by the store on the
    // contract as stored inside the write's transaction.
    let action = crate::comptes::action_vers(en_tete.etat)
        .filter(|_| en_tete.etat != avant.contrat.contrat.etat)
        .unwrap_or(Action::Modifier);
    let garde = crate::pages::edition::garde_entete(action, en_tete.clone());
    etat.base
        .modifier_entete(c.id, &en_tete, version, &u.acteur(), garde)
        .await?;
    let stocke = etat.base.contrat(c.id).await?;
    Ok(Json(ContratApi::from(&stocke)).into_response())
}

async fn constats(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
) -> Result<Response, ErreurApi> {
    let stocke = u.contrat_pour(&etat, c.id, Action::Lire).await?;
    Ok(Json(ListeConstats {
        constats: pacte_core::verifier(&stocke.contrat),
    })
    .into_response())
}

async fn lister_fiches(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
) -> Result<Response, ErreurApi> {
    let stocke = u.contrat_pour(&etat, c.id, Action::Lire).await?;
    Ok(Json(ListeFiches {
        fiches: fiches_api(&stocke),
    })
    .into_response())
}

fn fiche_introuvable(id: i64, numero: NumeroFiche) -> ErreurApi {
    ErreurApi(ErreurWeb::introuvable(format!(
        "fiche {numero} du contrat {id} introuvable"
    )))
}

fn numero_pris(id: i64, numero: NumeroFiche) -> ErreurApi {
    ErreurApi(ErreurWeb::invalide(
        format!(
            "le numéro de fiche {numero} est déjà pris dans le contrat {id} : chaque fiche doit avoir un numéro unique (R-TAB-01)"
        ),
        Some("numero".into()),
    ))
}

/// A fiche response: the fiche with its stamp and its `ETag`.
fn reponse_fiche(
    statut: StatusCode,
    id: i64,
    fiche: &FicheAction,
    tampon: &Tampon,
    location: bool,
) -> Response {
    let mut entetes = HeaderMap::new();
    entetes.insert(header::ETAG, etag(tampon.version));
    if location {
        entetes.insert(header::LOCATION, entete(&url_fiche(id, fiche.numero)));
    }
    (statut, entetes, Json(FicheApi::new(fiche, tampon))).into_response()
}

async fn creer_fiche(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
    CorpsJson(fiche): CorpsJson<FicheAction>,
) -> Result<Response, ErreurApi> {
    let stocke = contrat_a_modifier(&etat, &u, c.id).await?;
    if stocke.contrat.fiche(fiche.numero).is_some() {
        return Err(numero_pris(c.id, fiche.numero));
    }
    u.exiger_derogation_gardee(&stocke.contrat, fiche.numero, None, fiche.derogation.as_ref())?;
    let tampon = etat
        .base
        .ajouter_fiche(c.id, &fiche, &u.acteur(), garde_etat(Action::Modifier))
        .await?;
    Ok(reponse_fiche(StatusCode::CREATED, c.id, &fiche, &tampon, true))
}

async fn lire_fiche(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminFiche,
) -> Result<Response, ErreurApi> {
    let stocke = u.contrat_pour(&etat, c.id, Action::Lire).await?;
    let i = stocke
        .contrat
        .fiches
        .iter()
        .position(|f| f.numero == c.numero)
        .ok_or_else(|| fiche_introuvable(c.id, c.numero))?;
    Ok(reponse_fiche(
        StatusCode::OK,
        c.id,
        &stocke.contrat.fiches[i],
        &stocke.fiches[i],
        false,
    ))
}

async fn modifier_fiche(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminFiche,
    VersionLue(version): VersionLue,
    CorpsJson(fiche): CorpsJson<FicheAction>,
) -> Result<Response, ErreurApi> {
    let stocke = contrat_a_modifier(&etat, &u, c.id).await?;
    if fiche.numero != c.numero && stocke.contrat.fiche(fiche.numero).is_some() {
        return Err(numero_pris(c.id, fiche.numero));
    }
    let avant = stocke
        .contrat
        .fiche(c.numero)
        .ok_or_else(|| fiche_introuvable(c.id, c.numero))?
        .derogation
        .as_ref();
    u.exiger_derogation_gardee(&stocke.contrat, c.numero, avant, fiche.derogation.as_ref())?;
    let tampon = etat
        .base
        .modifier_fiche(
            c.id,
            c.numero,
            &fiche,
            version,
            &u.acteur(),
            garde_etat(Action::Modifier),
        )
        .await?;
    // A renumbered fiche has moved: say where.
    Ok(reponse_fiche(
        StatusCode::OK,
        c.id,
        &fiche,
        &tampon,
        fiche.numero != c.numero,
    ))
}

async fn supprimer_fiche(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminFiche,
    VersionLue(version): VersionLue,
) -> Result<Response, ErreurApi> {
    contrat_a_modifier(&etat, &u, c.id).await?;
    etat.base
        .supprimer_fiche(c.id, c.numero, version, &u.acteur(), garde_etat(Action::Modifier))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The contract and the position of fiche `c` for a derogation by `u`: rights first (403/404),
/// then the state (409 past the negotiation), then the fiche (404).
async fn fiche_pour_derogation(
    etat: &Etat,
    u: &crate::Utilisateur,
    c: &CheminFiche,
) -> Result<(ContratStocke, usize), ErreurApi> {
    let stocke = u.contrat_pour(etat, c.id, Action::AccorderDerogation).await?;
    crate::pages::edition::etat_permis(Action::AccorderDerogation, &stocke)?;
    let i = stocke
        .contrat
        .fiches
        .iter()
        .position(|f| f.numero == c.numero)
        .ok_or_else(|| fiche_introuvable(c.id, c.numero))?;
    Ok((stocke, i))
}

/// The commissaire grants, or changes, the derogation of a fiche (R-ACT-03; on axis 4 with the
/// prior information of the DIPLP and the DGCS, R-REF-03). Only the derogation changes.
async fn accorder_derogation(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminFiche,
    VersionLue(version): VersionLue,
    CorpsJson(derogation): CorpsJson<Derogation>,
) -> Result<Response, ErreurApi> {
    let (stocke, i) = fiche_pour_derogation(&etat, &u, &c).await?;
    let mut fiche = stocke.contrat.fiches[i].clone();
    if let Some((champ, message)) = derogation.lacunes(fiche.axe() == Axe::A4).into_iter().next() {
        return Err(ErreurWeb::invalide(message, Some(champ.to_string())).into());
    }
    fiche.derogation = Some(derogation);
    let tampon = etat
        .base
        .modifier_fiche(
            c.id,
            c.numero,
            &fiche,
            version,
            &u.acteur(),
            garde_etat(Action::AccorderDerogation),
        )
        .await?;
    Ok(reponse_fiche(StatusCode::OK, c.id, &fiche, &tampon, false))
}

/// The commissaire withdraws the derogation of a fiche.
async fn retirer_derogation(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminFiche,
    VersionLue(version): VersionLue,
) -> Result<Response, ErreurApi> {
    let (stocke, i) = fiche_pour_derogation(&etat, &u, &c).await?;
    let mut fiche = stocke.contrat.fiches[i].clone();
    if fiche.derogation.take().is_none() {
        return Err(ErreurWeb::introuvable(format!(
            "La fiche {} du contrat n° {} n'a pas de dérogation à retirer.",
            c.numero, c.id
        ))
        .into());
    }
    let tampon = etat
        .base
        .modifier_fiche(
            c.id,
            c.numero,
            &fiche,
            version,
            &u.acteur(),
            garde_etat(Action::AccorderDerogation),
        )
        .await?;
    Ok(reponse_fiche(StatusCode::OK, c.id, &fiche, &tampon, false))
}
