//! The history of a contract (`/contrats/{id}/historique`), for every reader of the contract:
//! its versions, newest first, each with who made it, when (Paris time) and what changed, field
//! by field, in French labels and formatted amounts.
//!
//! The versions are replayed from the audit log (`Base::journal_du_contrat`): the entries of
//! one write share their actor and timestamp, and one write is one version. Each version's
//! contract is compared with the one before by `pacte_core::differences`, the function the
//! import of a file for an existing contract uses too.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use pacte_core::contrat::EnTete;
use pacte_core::differences::{Difference, differences};
use pacte_core::droits::Action;
use pacte_core::{Contrat, FicheAction};
use pacte_store::EntreeAudit;

use crate::comptes::Auteurs;
use crate::contrats::edition::{id_contrat, page_contrat};
use crate::{ErreurWeb, Etat, Utilisateur};

/// One version of the contract.
#[derive(Debug, Clone)]
pub struct Version {
    /// 1 for the creation.
    pub numero: usize,
    pub auteur: String,
    /// In Paris time, in French.
    pub quand: String,
    /// « Création du contrat », « Modification », « Import d'un fichier »…
    pub resume: String,
    pub differences: Vec<Difference>,
}

#[derive(Template)]
#[template(path = "historique.html")]
struct PageHistorique {
    page: crate::ui::Page,
    id: i64,
    nom: String,
    versions: Vec<Version>,
}

/// The versions of a contract replayed from its audit entries (chain order), oldest first,
/// with the actor of each.
pub fn versions(entrees: &[EntreeAudit]) -> Vec<(String, String, Vec<Difference>, String)> {
    let mut entete: Option<EnTete> = None;
    let mut fiches: BTreeMap<String, FicheAction> = BTreeMap::new();
    let mut precedent: Option<Contrat> = None;
    let mut sortie = Vec::new();
    let mut i = 0;
    while i < entrees.len() {
        let (acteur, quand) = (&entrees[i].acteur, &entrees[i].horodatage);
        let mut j = i;
        let mut creation = false;
        while j < entrees.len() && &entrees[j].acteur == acteur && &entrees[j].horodatage == quand {
            let e = &entrees[j];
            match e.entite.as_str() {
                "contrat" => {
                    creation |= e.operation == "creation";
                    if let Some(d) = e.apres.as_deref().and_then(|t| serde_json::from_str(t).ok()) {
                        entete = Some(d);
                    }
                }
                _ => match e
                    .apres
                    .as_deref()
                    .and_then(|t| serde_json::from_str::<FicheAction>(t).ok())
                {
                    Some(f) => {
                        fiches.insert(e.entite_id.clone(), f);
                    }
                    None => {
                        fiches.remove(&e.entite_id);
                    }
                },
            }
            j += 1;
        }
        if let Some(en_tete) = &entete {
            let mut liste: Vec<FicheAction> = fiches.values().cloned().collect();
            liste.sort_by_key(|f| f.numero);
            let courant = Contrat {
                contrat: en_tete.clone(),
                fiches: liste,
            };
            let (resume, diff) = match &precedent {
                Some(p) if !creation => {
                    let d = differences(p, &courant);
                    let n = d.len();
                    (crate::ui::pluriel(n, "champ modifié", "champs modifiés"), d)
                }
                _ => (
                    format!(
                        "Création du contrat ({})",
                        crate::ui::pluriel(courant.fiches.len(), "fiche", "fiches")
                    ),
                    Vec::new(),
                ),
            };
            sortie.push((acteur.clone(), quand.clone(), diff, resume));
            precedent = Some(courant);
        }
        i = j;
    }
    sortie
}

pub async fn historique(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let etat = etat.pour(&u);
    let stocke = u.contrat_pour(&etat, id, Action::Lire).await?;
    let entrees = etat.base.journal_du_contrat(id).await?;
    let brutes = versions(&entrees);
    let auteurs = Auteurs::lire(&etat.base, brutes.iter().map(|v| v.0.as_str())).await?;
    let mut versions: Vec<Version> = brutes
        .into_iter()
        .enumerate()
        .map(|(i, (acteur, quand, differences, resume))| Version {
            numero: i + 1,
            auteur: auteurs.lisible(&acteur),
            quand: pacte_core::temps::horodatage_lisible(&quand),
            resume,
            differences,
        })
        .collect();
    versions.reverse();
    let entete = &stocke.contrat.contrat;
    let page =
        page_contrat(&etat, "Historique du contrat", Some(id), Some(entete)).ariane("Historique", None);
    crate::ui::rendre(&PageHistorique {
        page,
        id,
        nom: entete.nom_collectivite(),
        versions,
    })
}
