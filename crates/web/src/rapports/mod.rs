//! The campaign reports as PDF or ODT, from `pacte-documents` (issue 15, item 5):
//! - `GET /contrats/{id}/campagnes/{annee}/rapport/{format}`: the annual progress report of
//!   year n (R-REP-05, with the indicator table of R-REP-04 and the « Bilan n »), for whoever
//!   may read the contract;
//! - `GET /contrats/{id}/mi-parcours/document/{format}`: the mid-term execution report
//!   ([004] annexe 8 art. 2.3), same right;
//! - `GET /campagnes/{annee}/synthese/{format}[?region=CODE]`: the regional synthesis note
//!   (R-REP-06), for the commissaire of the region (whose region is the default) and the
//!   national roles (who name the region).
//!
//! The free texts printed in them (the collectivity's sections, the commissaire's text) are
//! written on the pages of [`textes`].
//!
//! Nothing is computed here: the documents are views of `pacte_documents`, reading what the
//! campaign store holds.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use pacte_core::Annee;
use pacte_core::campagne::textes::RapportTexte;
use pacte_core::campagne::{ANNEES_MI_PARCOURS, DecisionMiParcours};
use pacte_core::droits::{Action, Habilitation, Perimetre};
use pacte_core::territoires::territoires;
use pacte_documents::rapport::DonneesRapportAnnuel;
use pacte_documents::rapport_mi_parcours::DonneesRapportMiParcours;
use pacte_documents::rapport_synthese::{ContratRegion, DonneesSynthese};
use pacte_documents::{ErreurDocument, Fichier, Format};

use crate::campagnes::{annee_de, campagne_ouverte};
use crate::contrats::edition::id_contrat;
use crate::{ErreurWeb, Etat, Utilisateur};

pub(crate) mod api;
pub mod textes;

fn format_de(texte: &str) -> Result<Format, ErreurWeb> {
    Format::depuis_code(texte).ok_or_else(|| ErreurWeb {
        champ: Some("format".into()),
        ..ErreurWeb::requete(format!("Format « {texte} » inconnu : pdf ou odt."))
    })
}

fn erreur_document(e: ErreurDocument) -> ErreurWeb {
    match e {
        ErreurDocument::Incomplet(m) => ErreurWeb {
            statut: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalide",
            message: format!("Le rapport ne peut pas être produit : {m}."),
            champ: None,
        },
        ErreurDocument::Moteur(m) => ErreurWeb::interne(m),
    }
}

/// Lays a report out when a place is free ([`crate::documents::mettre_en_page`]).
async fn produire(
    f: impl FnOnce() -> Result<Fichier, ErreurDocument> + Send + 'static,
) -> Result<Response, ErreurWeb> {
    let fichier = crate::documents::mettre_en_page(f)
        .await?
        .map_err(erreur_document)?;
    crate::documents::reponse(fichier)
}

/// `GET /contrats/{id}/campagnes/{annee}/rapport/{format}`.
pub async fn annuel(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, annee, format)): Path<(String, String, String)>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    let annee = annee_de(&annee)?;
    let format = format_de(&format)?;
    campagne_ouverte(&etat, annee).await?;
    let suivi = etat.base.suivi_campagne(annee, id).await?;
    let valeurs = etat.base.valeurs_campagne(annee, id).await?;
    let execution = etat.base.execution(id).await?.execution;
    let textes = etat
        .base
        .textes_rapport(id, RapportTexte::Annuel(annee))
        .await?
        .sections;
    produire(move || {
        pacte_documents::rapport::fichier(
            &DonneesRapportAnnuel {
                contrat: &c.contrat,
                execution: &execution,
                annee,
                valeurs: &valeurs,
                etat_campagne: suivi.etat,
                textes: &textes,
                version: c.tampon.version,
            },
            format,
        )
    })
    .await
}

/// `GET /contrats/{id}/mi-parcours/document/{format}`.
pub async fn mi_parcours(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, format)): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    let format = format_de(&format)?;
    let [a24, a25] = ANNEES_MI_PARCOURS;
    let v24 = etat.base.valeurs_campagne(a24, id).await?;
    let v25 = etat.base.valeurs_campagne(a25, id).await?;
    let mp = etat.base.mi_parcours(id).await?;
    let execution = etat.base.execution(id).await?.execution;
    let decisions: Vec<DecisionMiParcours> = mp.decisions.into_iter().map(|d| d.decision).collect();
    let textes = etat
        .base
        .textes_rapport(id, RapportTexte::MiParcours)
        .await?
        .sections;
    produire(move || {
        pacte_documents::rapport_mi_parcours::fichier(
            &DonneesRapportMiParcours {
                contrat: &c.contrat,
                execution: &execution,
                valeurs_2024: &v24,
                valeurs_2025: &v25,
                rapport: &mp.rapport,
                decisions: &decisions,
                textes: &textes,
                version: c.tampon.version,
            },
            format,
        )
    })
    .await
}

/// The region whose synthesis note `h` writes by default: a commissaire's.
pub fn region_du_commissaire(h: &Habilitation) -> Option<&str> {
    match h.perimetre() {
        Perimetre::Region(r) => Some(r.as_str()),
        _ => None,
    }
}

/// Whether `h` may read every region's note (national roles).
pub fn synthese_nationale(h: &Habilitation) -> bool {
    matches!(h.perimetre(), Perimetre::National)
}

/// The regions, for the national roles' choice: (code, name).
pub fn regions() -> Vec<(String, String)> {
    territoires()
        .regions
        .iter()
        .map(|r| (r.code.clone(), r.nom.clone()))
        .collect()
}

/// `GET /campagnes/{annee}/synthese/{format}[?region=CODE]`: the commissaire of the region
/// and the national roles; anyone else 403; an unknown region 404.
pub async fn synthese(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((annee, format)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let annee: Annee = annee_de(&annee)?;
    let region = textes::region_lue(&u, q.get("region").map(String::as_str))?.ok_or_else(|| ErreurWeb {
        champ: Some("region".into()),
        ..ErreurWeb::requete("Indiquez la région de la note de synthèse (paramètre « region », code INSEE).")
    })?;
    let format = format_de(&format)?;
    campagne_ouverte(&etat, annee).await?;
    let lus = etat.base.contrats_synthese(&region.code, annee).await?;
    let texte = etat.base.texte_synthese(&region.code, annee).await?.texte;
    produire(move || {
        let d = DonneesSynthese {
            region: &region,
            annee,
            contrats: lus
                .iter()
                .map(|x| ContratRegion {
                    contrat: &x.contrat,
                    etat_campagne: x.etat_campagne,
                    valeurs: &x.valeurs,
                    decisions: &x.decisions,
                })
                .collect(),
            texte: &texte,
        };
        pacte_documents::rapport_synthese::fichier(&d, format)
    })
    .await
}
