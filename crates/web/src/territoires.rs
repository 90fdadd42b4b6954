//! The territories page (`/territoires`): regions, departments and eligible collectivities,
//! with their contracts; and the territories as JSON for the API.

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use pacte_core::droits::{Action, Cible};
use pacte_core::territoires::{Eligibilite, NatureCollectivite};

use crate::comptes::ClientApi;
use crate::contrats::liste::{LigneContrat, lignes_contrats};
use crate::ui::{BadgeEtat, Page, pluriel, rendre};
use crate::{ErreurApi, ErreurWeb, Etat, Utilisateur};

#[derive(Debug, Clone)]
pub struct ContratLie {
    pub id: i64,
    pub badge: BadgeEtat,
}

#[derive(Debug, Clone)]
pub struct CollectiviteVue {
    pub nom: String,
    pub nature: &'static str,
    /// Why the collectivity may sign, when it is not simply the département's.
    pub eligibilite: Option<&'static str>,
    pub contrats: Vec<ContratLie>,
    /// Whether the user may read a contract of this collectivity: outside their scope, the
    /// page says so rather than « Aucun contrat » (and tells nothing of its contract).
    pub lisible: bool,
}

#[derive(Debug, Clone)]
pub struct DepartementVue {
    pub code: String,
    pub nom: String,
    pub collectivites: Vec<CollectiviteVue>,
}

#[derive(Debug, Clone)]
pub struct RegionVue {
    pub code: String,
    pub nom: String,
    pub ancre: String,
    pub departements: Vec<DepartementVue>,
    pub resume: String,
}

#[derive(Template)]
#[template(path = "territoires.html")]
pub struct PageTerritoires {
    pub page: Page,
    pub resume: String,
    pub regions: Vec<RegionVue>,
    /// Contracts of collectivities outside the list (AMI selection).
    pub hors_liste: Vec<LigneContrat>,
}

/// Sort key for French names: accented letters sort with their base letter (Île-de-France
/// between Hauts-de-France and Normandie).
fn cle_alphabetique(nom: &str) -> String {
    pacte_core::collation::cle_tri(nom)
}

/// Sort key for COG codes: Corsica's 2A and 2B sit between 19 and 21, overseas after 95.
fn rang_cog(code: &str) -> (u32, String) {
    match code {
        "2A" | "2B" => (20, code.to_string()),
        _ => (code.parse().unwrap_or(u32::MAX), code.to_string()),
    }
}

fn libelle_eligibilite(e: Eligibilite) -> Option<&'static str> {
    match e {
        Eligibilite::Calpae => Some("ancien signataire CALPAE"),
        Eligibilite::VilleDeMarseille => Some("éligible au titre de la Ville de Marseille"),
        Eligibilite::Departement => None,
    }
}

pub async fn territoires(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    u.exiger(Action::LireReferentiel, &Cible::Referentiel)?;
    let etat = etat.pour(&u);
    let t = pacte_core::territoires::territoires();
    let mut par_collectivite: BTreeMap<String, Vec<ContratLie>> = BTreeMap::new();
    let mut hors_liste = Vec::new();
    let (lignes, _) = lignes_contrats(&etat.base, &u, None, 1, None).await?;
    for ligne in &lignes {
        if t.collectivite(&ligne.code_collectivite).is_some() {
            par_collectivite
                .entry(ligne.code_collectivite.clone())
                .or_default()
                .push(ContratLie {
                    id: ligne.id,
                    badge: ligne.badge.clone(),
                });
        } else {
            hors_liste.push(ligne.clone());
        }
    }
    let mut regions: Vec<RegionVue> = t
        .regions
        .iter()
        .map(|r| {
            let mut departements: Vec<DepartementVue> = t
                .departements
                .iter()
                .filter(|d| d.region == r.code)
                .map(|d| {
                    let mut du_departement: Vec<_> = t
                        .collectivites
                        .iter()
                        .filter(|c| c.departement == d.code)
                        .collect();
                    // The département's own collectivity first, then the others.
                    du_departement.sort_by_key(|c| c.nature != NatureCollectivite::Departement);
                    let collectivites = du_departement
                        .into_iter()
                        .map(|c| CollectiviteVue {
                            nom: c.nom.clone(),
                            nature: c.nature.libelle(),
                            eligibilite: libelle_eligibilite(c.eligibilite),
                            contrats: par_collectivite.get(&c.code).cloned().unwrap_or_default(),
                            lisible: u.peut(
                                Action::Lire,
                                &Cible::Contrat {
                                    collectivite: c.code.clone(),
                                    etat: pacte_core::contrat::EtatContrat::Brouillon,
                                },
                            ),
                        })
                        .collect();
                    DepartementVue {
                        code: d.code.clone(),
                        nom: d.nom.clone(),
                        collectivites,
                    }
                })
                .collect();
            departements.sort_by_key(|d| rang_cog(&d.code));
            let n_coll: usize = departements.iter().map(|d| d.collectivites.len()).sum();
            let n_contrats: usize = departements
                .iter()
                .flat_map(|d| &d.collectivites)
                .map(|c| c.contrats.len())
                .sum();
            let tout_lisible = departements
                .iter()
                .flat_map(|d| &d.collectivites)
                .all(|c| c.lisible);
            RegionVue {
                code: r.code.clone(),
                ancre: format!("region-{}", r.code),
                nom: r.nom.clone(),
                resume: format!(
                    "{}, {} éligibles, {}{}.",
                    pluriel(departements.len(), "département", "départements"),
                    pluriel(n_coll, "collectivité", "collectivités"),
                    pluriel(n_contrats, "contrat", "contrats"),
                    if tout_lisible {
                        ""
                    } else {
                        " dans votre périmètre"
                    }
                ),
                departements,
            }
        })
        .collect();
    regions.sort_by_key(|r| cle_alphabetique(&r.nom));
    let nombre = |e: Eligibilite| t.collectivites.iter().filter(|c| c.eligibilite == e).count();
    let epci = nombre(Eligibilite::Calpae);
    let communes = nombre(Eligibilite::VilleDeMarseille);
    let resume = format!(
        "{} régions, {} départements, {} collectivités éligibles : {} collectivités départementales, {epci} EPCI éligibles (anciens signataires CALPAE) et {} ; {} enregistrés.",
        t.regions.len(),
        t.departements.len(),
        t.collectivites.len(),
        nombre(Eligibilite::Departement),
        if communes == 1 {
            "la Ville de Marseille".to_string()
        } else {
            pluriel(communes, "commune", "communes")
        },
        pluriel(lignes.len(), "contrat", "contrats"),
    );
    let page = PageTerritoires {
        page: Page::new(&etat, "Territoires", "/territoires").ariane("Territoires", None),
        resume,
        regions,
        hors_liste,
    };
    rendre(&page)
}

/// `GET /api/v1/territoires`: the territories as JSON.
pub async fn api_territoires(
    ClientApi(u): ClientApi,
) -> Result<Json<&'static pacte_core::territoires::Territoires>, ErreurApi> {
    u.exiger(Action::LireReferentiel, &Cible::Referentiel)?;
    Ok(Json(pacte_core::territoires::territoires()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordre_alphabetique() {
        assert!(cle_alphabetique("Île-de-France") < cle_alphabetique("Normandie"));
    }
}
