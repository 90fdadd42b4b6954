//! The commissaire's derogation for an action outside the référentiel (R-ACT-03), on a page of
//! its own: « le ou la commissaire peut autoriser la contractualisation d'une action qui ne
//! serait pas prévue dans les référentiels, pour autant que son utilité soit justifiée par les
//! besoins locaux au regard d'une insuffisance de l'offre » (instruction du 27/10/2023, §2).
//! On axis 4, the DIPLP and the DGCS are informed beforehand (R-REF-03).
//!
//! The collectivity's fiche form shows the derogation without changing it; this page changes
//! nothing else of the fiche. Both write the whole fiche through the store, with the version
//! the form was loaded with, so that neither overwrites the other.

pub mod api;
pub mod formulaire;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::contrat::{Axe, Derogation, NumeroFiche};
use pacte_core::droits::Action;
use pacte_store::ContratStocke;

use crate::comptes::temps::aujourd_hui;
use crate::contrats::edition::{
    erreur_ecriture, etat_permis, id_contrat, numero_fiche, page_contrat, position, version_saisie,
};
use crate::derogations::formulaire::{self as fd, FormDerogation};
use crate::fiches::page::{constats_fiche, rattachement};
use crate::ui::Page;
use crate::ui::formulaire::{ConstatVu, ErreurChamp, Saisie};
use crate::ui::rendre_statut;
use crate::{ErreurWeb, Etat, Utilisateur};

/// The rules whose findings the page recalls.
const REGLES: [&str; 3] = ["R-ACT-02", "R-ACT-03", "R-REF-03"];

#[derive(Template)]
#[template(path = "derogation.html")]
struct PageDerogation {
    page: Page,
    collectivite: String,
    numero: String,
    intitule: String,
    axe: String,
    sous_axe: String,
    type_action: String,
    hors_referentiel: bool,
    /// Axis 4: the prior information of the DIPLP and the DGCS is asked (R-REF-03).
    axe_4: bool,
    /// The stored derogation.
    actuelle: Option<Derogation>,
    /// The findings of R-ACT-02, R-ACT-03 and R-REF-03 on the fiche.
    constats: Vec<ConstatVu>,
    version: i64,
    f: FormDerogation,
    erreurs: Vec<ErreurChamp>,
    /// The withdrawal was asked without its confirmation.
    erreur_retrait: Option<String>,
    action: String,
    retour: String,
}

/// The stored contract, for a derogation by `u` (403/404 as decided, 409 when the state no
/// longer allows it), and the position of fiche `numero`.
async fn contrat_et_fiche(
    etat: &Etat,
    u: &Utilisateur,
    id: &str,
    numero: &str,
) -> Result<(ContratStocke, NumeroFiche, usize), ErreurWeb> {
    let id = id_contrat(id)?;
    let numero = numero_fiche(numero)?;
    // Rights first, so that a hidden contract stays hidden whatever its state.
    let c = u.contrat_pour(etat, id, Action::AccorderDerogation).await?;
    etat_permis(Action::AccorderDerogation, &c)?;
    let i = position(&c, numero)?;
    Ok((c, numero, i))
}

fn page_derogation(
    etat: &Etat,
    c: &ContratStocke,
    numero: NumeroFiche,
    i: usize,
    s: &Saisie,
    erreurs: Vec<ErreurChamp>,
    version: i64,
) -> PageDerogation {
    let id = c.tampon.id;
    let fiche = &c.contrat.fiches[i];
    let entete = &c.contrat.contrat;
    let (axe, sous_axe, type_action) = rattachement(fiche);
    let titre = format!("Dérogation pour la fiche {numero}");
    PageDerogation {
        page: page_contrat(etat, titre, Some(id), Some(entete))
            .ariane(
                format!("Fiche {numero}"),
                Some(format!("/contrats/{id}/fiches/{numero}")),
            )
            .ariane("Dérogation", None),
        collectivite: entete.nom_collectivite(),
        numero: numero.to_string(),
        intitule: fiche.intitule.clone(),
        axe,
        sous_axe,
        type_action,
        hors_referentiel: fiche.hors_referentiel,
        axe_4: fiche.axe() == Axe::A4,
        actuelle: fiche.derogation.clone(),
        // The commissaire does not edit the fiche: its findings link to the fiche page.
        constats: constats_fiche(&c.contrat, numero, id, false)
            .into_iter()
            .filter(|k| REGLES.contains(&k.code))
            .collect(),
        version,
        f: fd::formulaire(s, &erreurs),
        erreurs,
        erreur_retrait: None,
        action: format!("/contrats/{id}/fiches/{numero}/derogation"),
        retour: format!("/contrats/{id}/fiches/{numero}"),
    }
}

pub async fn page(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let (c, numero, i) = contrat_et_fiche(&etat, &u, &id, &numero).await?;
    let s = fd::saisie_de(
        c.contrat.fiches[i].derogation.as_ref(),
        &u.compte.nom,
        aujourd_hui(),
    );
    let p = page_derogation(&etat, &c, numero, i, &s, Vec::new(), c.fiches[i].version);
    crate::ui::rendre(&p)
}

pub async fn enregistrer(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
    Form(champs): Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let (c, numero, i) = contrat_et_fiche(&etat, &u, &id, &numero).await?;
    let id = c.tampon.id;
    let s = Saisie::new(champs);
    let version = version_saisie(&s)?;
    let actuelle = &c.contrat.fiches[i];
    let retrait = s.get("operation") == "retirer";
    let derogation = if retrait {
        if actuelle.derogation.is_none() || s.get("confirmer") != "oui" {
            // Nothing to withdraw, or the withdrawal was not confirmed: the page again.
            let mut p = page_derogation(
                &etat,
                &c,
                numero,
                i,
                &fd::saisie_de(actuelle.derogation.as_ref(), &u.compte.nom, aujourd_hui()),
                Vec::new(),
                version,
            );
            p.erreur_retrait = Some(if actuelle.derogation.is_none() {
                "Aucune dérogation n'est enregistrée pour cette fiche : il n'y a rien à retirer.".into()
            } else {
                "Cochez la case de confirmation pour retirer la dérogation (R-ACT-03) ; rien n'a été écrit."
                    .into()
            });
            return rendre_statut(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
        None
    } else {
        match fd::lire(&s, actuelle.axe() == Axe::A4, actuelle.derogation.as_ref()) {
            Ok(d) => Some(d),
            Err(erreurs) => {
                return rendre_statut(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &page_derogation(&etat, &c, numero, i, &s, erreurs, version),
                );
            }
        }
    };
    // Only the derogation changes; the rest of the fiche is the collectivity's.
    let mut fiche = actuelle.clone();
    fiche.derogation = derogation;
    match etat
        .base
        .modifier_fiche(
            id,
            numero,
            &fiche,
            version,
            &u.acteur(),
            crate::contrats::edition::garde_etat(Action::AccorderDerogation),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/contrats/{id}/fiches/{numero}?derogation={}",
            if retrait { "retiree" } else { "accordee" }
        ))
        .into_response()),
        Err(e) => erreur_ecriture(
            &etat,
            e,
            format!("/contrats/{id}/fiches/{numero}/derogation"),
            format!("/contrats/{id}/fiches/{numero}"),
        ),
    }
}
