//! The consolidation summed in SQL agrees to the cent with the same figures computed by loading
//! every contract and its execution and calling `pacte_core` directly, on both engines: on the
//! demonstration set with simulated executions, after a fiche is changed behind the execution
//! (the payment shares follow the plan), and for a base whose execution rows are missing
//! (computed again when the base is opened).

#[allow(dead_code)]
#[macro_use]
mod commun;

use std::collections::BTreeMap;

use commun::{Banc, executer};
use pacte_core::droits::{PorteeLecture, TerritoireLu};
use pacte_core::execution::{execution_simulee, situation};
use pacte_core::jeu_national::jeu_demonstration;
use pacte_core::territoires::territoires;
use pacte_core::{Annee, Montant};
use pacte_store::consolidation::{Consolidation, ETATS_CONSOLIDES, Montants};
use pacte_store::{Base, Moteur};
use sqlx::Connection;

const ACTEUR: &str = "utilisateur:1:ddets@test";

fn nationale() -> PorteeLecture {
    PorteeLecture {
        territoire: TerritoireLu::Tout,
        etats: pacte_core::contrat::EtatContrat::TOUS.to_vec(),
    }
}

/// The demonstration set (8 fiches per contract), with a simulated execution recorded for
/// every contract in execution or later.
async fn base_avec_executions(base: &Base) -> Vec<i64> {
    let ids = base
        .importer(&jeu_demonstration(8), "import:test")
        .await
        .expect("import");
    for (i, id) in ids.iter().enumerate() {
        let c = base.contrat(*id).await.unwrap().contrat;
        if !ETATS_CONSOLIDES.contains(&c.contrat.etat) {
            continue;
        }
        let e = execution_simulee(&c, i);
        base.enregistrer_execution(*id, 0, ACTEUR, move |_, _| Ok(e))
            .await
            .expect("exécution");
    }
    ids
}

/// The same sums, computed by loading every contract and its execution.
async fn par_chargement(
    base: &Base,
    ids: &[i64],
    region: Option<&str>,
) -> BTreeMap<(String, u8, u16), Montants> {
    let mut attendu: BTreeMap<(String, u8, u16), Montants> = BTreeMap::new();
    for id in ids {
        let c = base.contrat(*id).await.unwrap().contrat;
        if !ETATS_CONSOLIDES.contains(&c.contrat.etat) {
            continue;
        }
        let t = territoires();
        let r = t
            .collectivite(&c.contrat.collectivite)
            .and_then(|k| t.region_de(k))
            .map(|r| r.code.clone())
            .unwrap_or_default();
        if region.is_some_and(|x| x != r) {
            continue;
        }
        let e = base.execution(*id).await.unwrap().execution;
        for f in &c.fiches {
            for a in Annee::TOUTES {
                let m = attendu
                    .entry((r.clone(), f.axe().numero(), a.valeur()))
                    .or_default();
                m.contractualise_etat += f.financement.etat(a).en_centimes();
                m.contractualise_collectivite += f.financement.collectivite(a).en_centimes();
            }
        }
        let s = situation(&c, &e);
        for a in Annee::TOUTES {
            for (fiche, x) in s.annee(a) {
                let m = attendu
                    .entry((r.clone(), fiche.axe.numero(), a.valeur()))
                    .or_default();
                m.notifie += e.etat_notifie(*fiche, a).unwrap_or(Montant::ZERO).en_centimes();
                m.verse += x.etat_verse.en_centimes();
                m.realise_etat += x.realise_etat.en_centimes();
                m.realise_collectivite += x.realise_collectivite.en_centimes();
                m.reporte_etat += x.report_etat.en_centimes();
                m.reporte_collectivite += x.report_collectivite.en_centimes();
            }
        }
    }
    attendu.retain(|_, m| *m != Montants::default());
    attendu
}

fn non_nuls(c: &Consolidation) -> BTreeMap<(String, u8, u16), Montants> {
    c.montants
        .iter()
        .filter(|(_, m)| **m != Montants::default())
        .map(|(k, m)| (k.clone(), *m))
        .collect()
}

conformite!(
    consolidation_egale_au_chargement_des_contrats,
    |banc: Banc| async move {
        let base = banc.base().await;
        let ids = base_avec_executions(&base).await;
        let c = base.consolidation(&nationale()).await.unwrap();
        let attendu = par_chargement(&base, &ids, None).await;
        assert!(
            attendu.values().any(|m| m.verse > 0 && m.reporte_etat > 0),
            "le jeu doit porter des versements et des reports"
        );
        assert_eq!(non_nuls(&c), attendu);
        let contrats: i64 = c.regions.iter().map(|r| r.contrats).sum();
        assert!(contrats > 0);

        // A region's scope sees its region only, with the same figures.
        let region = c.regions[0].code.clone();
        let regionale = PorteeLecture {
            territoire: TerritoireLu::Region(region.clone()),
            ..nationale()
        };
        let cr = base.consolidation(&regionale).await.unwrap();
        assert_eq!(cr.regions.len(), 1);
        assert_eq!(cr.regions[0].code, region);
        assert_eq!(non_nuls(&cr), par_chargement(&base, &ids, Some(&region)).await);
    }
);

conformite!(fiche_modifiee_apres_l_execution_suivie, |banc: Banc| async move {
    let base = banc.base().await;
    let ids = base_avec_executions(&base).await;
    // A contract with an execution: double the 2024 State plan of its first fiche. The 2024
    // notification keeps the shares of that year; the contracted sums move; nothing else.
    let mut choisi = None;
    for id in &ids {
        if base.execution(*id).await.unwrap().tampon.version > 0 {
            choisi = Some(*id);
            break;
        }
    }
    let id = choisi.expect("un contrat exécuté");
    let stocke = base.contrat(id).await.unwrap();
    // A fiche added after the execution: never notified, it is paid on its plan, so the 2024
    // payment is shared anew between the fiches (reading L-05) and every share moves.
    let mut fiche = stocke.contrat.fiches[0].clone();
    let rang = stocke
        .contrat
        .fiches
        .iter()
        .filter(|f| f.numero.axe == fiche.numero.axe)
        .map(|f| f.numero.rang)
        .max()
        .unwrap();
    fiche.numero.rang = rang + 1;
    let a = Annee::new(2024).unwrap();
    let plan = fiche.financement.etat(a);
    fiche.financement.etat.insert(a, plan + plan);
    let e = base.execution(id).await.unwrap().execution;
    let avant = situation(&stocke.contrat, &e)
        .fiche(stocke.contrat.fiches[0].numero, a)
        .etat_verse;
    base.ajouter_fiche(id, &fiche, "cli:test", |_| Ok(()))
        .await
        .expect("ajout");
    let apres = situation(&base.contrat(id).await.unwrap().contrat, &e)
        .fiche(stocke.contrat.fiches[0].numero, a)
        .etat_verse;
    assert_ne!(avant, apres, "la part du versement doit changer");
    let c = base.consolidation(&nationale()).await.unwrap();
    assert_eq!(non_nuls(&c), par_chargement(&base, &ids, None).await);
});

conformite!(lignes_absentes_calculees_a_l_ouverture, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let ids = base_avec_executions(&base).await;
    let attendu = par_chargement(&base, &ids, None).await;
    drop(base);
    // A base from before migration 0015: no execution rows.
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::query("DELETE FROM execution_lignes")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("DELETE FROM executions_projetees")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let base = Base::ouvrir(&url).await.unwrap();
    let n: i64 = {
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM execution_lignes")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };
    assert!(n > 0, "les lignes doivent être recalculées à l'ouverture");
    assert_eq!(base.rafraichir_projection_execution().await.unwrap(), 0);
    let c = base.consolidation(&nationale()).await.unwrap();
    assert_eq!(non_nuls(&c), attendu);
});

/// The 2024 campaign: every expected figure of the first `n` signed contracts entered
/// (national value `k + 3` for the k-th line, local ones 1), submitted; the even ones validated.
/// Returns the ids of the validated and of the submitted-only contracts.
async fn campagne_2024(base: &Base, ids: &[i64], n: usize) -> (Vec<i64>, Vec<i64>) {
    use pacte_core::campagne::{Transition, ValeurSaisie, lignes_attendues};
    use pacte_core::{Date, Valeur};
    let a = Annee::new(2024).unwrap();
    base.ouvrir_campagne(a, Date::ymd(2025, 3, 31), ACTEUR)
        .await
        .unwrap();
    let (mut validees, mut soumises) = (Vec::new(), Vec::new());
    let mut signes = Vec::new();
    for id in ids {
        if ETATS_CONSOLIDES.contains(&base.contrat(*id).await.unwrap().contrat.contrat.etat) {
            signes.push(*id);
        }
    }
    for (i, id) in signes.into_iter().take(n).enumerate() {
        let t = base
            .enregistrer_valeurs(a, id, 0, ACTEUR, move |c, _, _| {
                Ok(lignes_attendues(c, a)
                    .into_iter()
                    .enumerate()
                    .map(|(k, l)| ValeurSaisie {
                        realise: Some(Valeur::centiemes(100 * (k as i64 + 3))),
                        ..ValeurSaisie::vide(l.cle)
                    })
                    .collect())
            })
            .await
            .unwrap();
        let t = base
            .changer_etat_campagne(
                a,
                id,
                t.version,
                Transition::Soumettre,
                None,
                &[],
                ACTEUR,
                |_, _, _| Ok(()),
            )
            .await
            .unwrap();
        if i % 2 == 0 {
            base.changer_etat_campagne(
                a,
                id,
                t.version,
                Transition::Valider,
                None,
                &[],
                ACTEUR,
                |_, _, _| Ok(()),
            )
            .await
            .unwrap();
            validees.push(id);
        } else {
            soumises.push(id);
        }
    }
    (validees, soumises)
}

conformite!(
    indicateurs_nationaux_egaux_aux_totaux_des_contrats,
    |banc: Banc| async move {
        use pacte_core::campagne::totaux_nationaux;
        let base = banc.base().await;
        let ids = base_avec_executions(&base).await;
        let (validees, soumises) = campagne_2024(&base, &ids, 6).await;
        assert_eq!((validees.len(), soumises.len()), (3, 3));
        let a = Annee::new(2024).unwrap();
        // Expected: the sum over the validated contracts of core's per-contract totals.
        let mut attendu: BTreeMap<(String, u8), (i64, i64, i64)> = BTreeMap::new();
        for id in &validees {
            let c = base.contrat(*id).await.unwrap().contrat;
            let v = base.valeurs_campagne(a, *id).await.unwrap();
            for t in totaux_nationaux(&c, a, &v) {
                let e = attendu.entry((t.code.clone(), t.ventilation)).or_default();
                e.0 += t.realise.en_centiemes();
                e.1 += t.cible.en_centiemes();
                e.2 += t.fiches as i64;
            }
        }
        attendu.retain(|_, (r, _, n)| *r != 0 || *n != 0);
        let obtenu: BTreeMap<(String, u8), (i64, i64, i64)> = base
            .indicateurs_consolides(&nationale(), false)
            .await
            .unwrap()
            .into_iter()
            .map(|i| {
                assert_eq!(i.annee, 2024);
                ((i.code, i.ventilation), (i.realise, i.cible, i.contributions))
            })
            .collect();
        assert!(!attendu.is_empty());
        assert_eq!(obtenu, attendu);
        // Per collectivity: the same sums, split.
        let par_collectivite = base.indicateurs_consolides(&nationale(), true).await.unwrap();
        let collectivites: std::collections::BTreeSet<_> =
            par_collectivite.iter().map(|i| i.collectivite.clone()).collect();
        assert_eq!(collectivites.len(), validees.len());

        // Campaign follow-up: every counted contract appears once, in its state.
        let suivi = base.suivi_campagnes_consolide(&nationale()).await.unwrap();
        let compte =
            |etat: &str| -> i64 { suivi.iter().filter(|s| s.etat == etat).map(|s| s.contrats).sum() };
        assert_eq!(compte("validee"), 3);
        assert_eq!(compte("soumise"), 3);
        let c = base.consolidation(&nationale()).await.unwrap();
        let total: i64 = c.regions.iter().map(|r| r.contrats).sum();
        assert_eq!(compte("non_commencee"), total - 6);
    }
);
