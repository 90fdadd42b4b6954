//! R-ACT-14 on the contract page: the comparison with the paired contract (a métropole's and
//! its département's, [004] TP §1), when both are in the base and the reader may read the
//! other one. Shown by `contrat_coherence.html`.

use pacte_core::droits::Action;
use pacte_core::regles::coherence;

use crate::{ErreurWeb, Etat, Utilisateur};

/// The comparison with one paired contract.
#[derive(Debug, Clone)]
pub struct CoherenceVue {
    pub id: i64,
    pub collectivite: String,
    /// The R-ACT-14 alerts: (fiche of this contract, message).
    pub constats: Vec<(String, String)>,
}

/// The paired contracts the reader may read, each with its R-ACT-14 alerts on `contrat`.
pub async fn coherences(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    contrat: &pacte_core::Contrat,
) -> Result<Vec<CoherenceVue>, ErreurWeb> {
    let mut vues = Vec::new();
    for autre_id in etat.base.contrats_apparies(id).await? {
        // A contract the reader may not read is left out, as on the lists.
        let Ok(autre) = u.contrat_pour(etat, autre_id, Action::Lire).await else {
            continue;
        };
        vues.push(CoherenceVue {
            id: autre_id,
            collectivite: autre.contrat.contrat.nom_collectivite(),
            constats: coherence(contrat, &autre.contrat)
                .into_iter()
                .map(|k| (k.cible.to_string(), k.message))
                .collect(),
        });
    }
    Ok(vues)
}

/// The part of the page cache key that the paired contracts decide: their ids and revisions,
/// so that a change to the other contract refreshes this page.
pub async fn cle_apparies(etat: &Etat, id: i64) -> Result<String, ErreurWeb> {
    let mut cle = String::new();
    for autre in etat.base.contrats_apparies(id).await? {
        let r = etat.pages.revision(&etat.base, autre).await?;
        cle.push_str(&format!("/{autre}:{}", r.unwrap_or(-1)));
    }
    Ok(cle)
}
