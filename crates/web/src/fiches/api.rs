//! The fiche handlers of the JSON API (list, create, read, change, delete); routes in
//! `api::table`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pacte_core::{FicheAction, NumeroFiche};
use pacte_store::Tampon;

use crate::api::corps::{CheminContrat, CheminFiche, CorpsJson, VersionLue};
use crate::api::reponses::{FicheApi, ListeFiches, entete, etag, fiches_api, url_fiche};
use crate::comptes::ClientApi;
use crate::contrats::api::contrat_a_modifier;
use crate::contrats::edition::garde_etat;
use crate::{ErreurApi, ErreurWeb, Etat};
use pacte_core::droits::Action;

pub(crate) async fn lister_fiches(
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

pub(crate) fn fiche_introuvable(id: i64, numero: NumeroFiche) -> ErreurApi {
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
pub(crate) fn reponse_fiche(
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

pub(crate) async fn creer_fiche(
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

pub(crate) async fn lire_fiche(
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

pub(crate) async fn modifier_fiche(
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

pub(crate) async fn supprimer_fiche(
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
