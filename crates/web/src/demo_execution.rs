//! The demonstration's financial execution: every contract of the national set that is signed,
//! in execution or evaluated gets 2024 and 2025 executed (notified amounts, one annual payment,
//! realised amounts, a few carry-overs decided in the management dialogue), so that every
//! annexe 10 table and the « Finances » page have figures. One contract — the Bouches-du-Rhône
//! département's, read by the demonstration's commissaire (PACA) and DDETS (13) — keeps one
//! manifest under-consumption in 2024 with its proposed reduction of 2025 (R-FIN-06), awaiting
//! the commissaire's decision on the dashboard.

use pacte_core::Contrat;
use pacte_core::contrat::EtatContrat;
use pacte_core::execution::{Execution, execution_simulee, saisie::reductions_en_attente};
use pacte_core::{Annee, Montant};
use pacte_store::{Base, ErreurStore};

/// The collectivity whose contract keeps its under-consumption (the Bouches-du-Rhône).
pub const SOUS_CONSOMMATION: &str = "13";

/// The simulation under-consumes the second fiche in 2024; elsewhere it is brought back to a
/// 90 % consumption, half of the rest carried over.
fn sans_sous_consommation(c: &Contrat, e: &mut Execution) {
    let Some(f) = c.fiches.get(1) else {
        return;
    };
    let annee = Annee::TOUTES[0];
    let etat = f.financement.etat(annee);
    let realise = Montant::pourcentage_plafond(etat, 90);
    for r in e
        .realisations
        .iter_mut()
        .filter(|r| r.fiche == f.numero && r.annee == annee)
    {
        r.etat = realise;
    }
    for r in e
        .reports
        .iter_mut()
        .filter(|r| r.fiche == f.numero && r.annee == annee)
    {
        r.etat = Montant::pourcentage_plancher(etat - realise, 50);
    }
}

/// Records the demonstration's execution of the contracts `ids` (those [`crate::demo`] loaded).
pub async fn executer(base: &Base, ids: &[i64]) -> Result<(), ErreurStore> {
    for (i, &id) in ids.iter().enumerate() {
        let c = base.contrat(id).await?.contrat;
        let executable = matches!(
            c.contrat.etat,
            EtatContrat::Signe | EtatContrat::EnExecution | EtatContrat::Evalue
        );
        if !executable || c.fiches.is_empty() {
            continue;
        }
        let mut e = execution_simulee(&c, i);
        if c.contrat.collectivite != SOUS_CONSOMMATION {
            sans_sous_consommation(&c, &mut e);
        }
        base.enregistrer_execution(id, 0, crate::demo::ACTEUR_DEMO, move |_, _| Ok(e))
            .await?;
    }
    Ok(())
}

/// The reductions the demonstration leaves awaiting a decision, by contract id.
pub async fn reductions_demo(base: &Base, ids: &[i64]) -> Result<Vec<(i64, usize)>, ErreurStore> {
    let mut out = Vec::new();
    for &id in ids {
        let e = base.execution(id).await?;
        if e.tampon.version == 0 {
            continue;
        }
        let c = base.contrat(id).await?.contrat;
        let n = reductions_en_attente(&c, &e.execution).len();
        if n > 0 {
            out.push((id, n));
        }
    }
    Ok(out)
}
