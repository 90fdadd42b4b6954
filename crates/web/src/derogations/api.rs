//! The derogation handlers of the JSON API (grant, withdraw); routes in `api::table`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use pacte_core::contrat::{Axe, Derogation};
use pacte_store::ContratStocke;

use crate::api::corps::{CheminFiche, CorpsJson, VersionLue};
use crate::comptes::ClientApi;
use crate::contrats::edition::garde_etat;
use crate::fiches::api::{fiche_introuvable, reponse_fiche};
use crate::{ErreurApi, ErreurWeb, Etat};
use pacte_core::droits::Action;

/// The contract and the position of fiche `c` for a derogation by `u`: rights first (403/404),
/// then the state (409 past the negotiation), then the fiche (404).
async fn fiche_pour_derogation(
    etat: &Etat,
    u: &crate::Utilisateur,
    c: &CheminFiche,
) -> Result<(ContratStocke, usize), ErreurApi> {
    let stocke = u.contrat_pour(etat, c.id, Action::AccorderDerogation).await?;
    crate::contrats::edition::etat_permis(Action::AccorderDerogation, &stocke)?;
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
pub(crate) async fn accorder_derogation(
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
pub(crate) async fn retirer_derogation(
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
