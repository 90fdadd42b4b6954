//! The dashboard block « Réductions à décider »: for whoever records the State's side of the
//! execution (the commissaire, the DDETS), the reductions proposed for manifest
//! under-consumption (R-FIN-06) awaiting a decision, in the contracts they read.

use pacte_core::contrat::EtatContrat;
use pacte_core::droits::{Action, Cible};
use pacte_core::execution::{intitule_fiche, saisie::reductions_en_attente};

use crate::contrats::liste::LigneContrat;
use crate::{ErreurWeb, Etat, Utilisateur};

/// One reduction awaiting a decision, as the dashboard lists it.
pub struct ReductionADecider {
    pub contrat_id: i64,
    pub collectivite: String,
    pub texte: String,
    pub justifiee: bool,
}

/// The reductions awaiting a decision in `lignes` (the contracts the dashboard lists) that
/// `u` may decide; empty for whoever may not.
pub async fn reductions_a_decider(
    etat: &Etat,
    u: &Utilisateur,
    lignes: &[LigneContrat],
) -> Result<Vec<ReductionADecider>, ErreurWeb> {
    let mut out = Vec::new();
    for l in lignes {
        let executable = matches!(
            l.etat,
            EtatContrat::Signe | EtatContrat::EnExecution | EtatContrat::Evalue
        );
        let cible = Cible::Contrat {
            collectivite: l.code_collectivite.clone(),
            etat: l.etat,
        };
        if !executable || !u.peut(Action::EnregistrerFinancesEtat, &cible) {
            continue;
        }
        let e = etat.base.execution(l.id).await?;
        if e.tampon.version == 0 {
            continue;
        }
        let c = etat.base.contrat(l.id).await?.contrat;
        for r in reductions_en_attente(&c, &e.execution) {
            out.push(ReductionADecider {
                contrat_id: l.id,
                collectivite: l.collectivite.clone(),
                texte: format!(
                    "Fiche {} — {} : {} sur {}",
                    r.fiche,
                    intitule_fiche(&c, &e.execution, r.fiche),
                    r.proposee,
                    r.annee
                ),
                justifiee: r.justification.is_some(),
            });
        }
    }
    Ok(out)
}
