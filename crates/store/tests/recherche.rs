//! The contract list's filters in SQL (`pacte_store::recherche`), on both engines: each
//! filter keeps exactly the contracts the domain values say, within the reader's scope.

#[macro_use]
#[allow(dead_code)]
mod commun;

use commun::{Banc, executer};
use pacte_core::Contrat;
use pacte_core::contrat::{Derogation, EtatContrat};
use pacte_core::droits::{Habilitation, Perimetre, Role};
use pacte_core::jeu_national::jeu_national;
use pacte_core::territoires::territoires;
use pacte_store::Moteur;
use pacte_store::recherche::FiltreContrats;

fn nationale() -> Habilitation {
    Habilitation::new(Role::AdministrateurNational, Perimetre::National).unwrap()
}

/// The ids of `ids` whose contract satisfies `p`, in number order.
fn attendus(ids: &[i64], contrats: &[Contrat], p: impl Fn(&Contrat) -> bool) -> Vec<i64> {
    ids.iter()
        .zip(contrats)
        .filter(|(_, c)| p(c))
        .map(|(i, _)| *i)
        .collect()
}

conformite!(filtres_de_la_liste, |banc: Banc| async move {
    let base = banc.base().await;
    let mut contrats = jeu_national(12, 4);
    // States spread over the lifecycle; two fiches outside the référentiel, one of them
    // with its derogation.
    for (i, c) in contrats.iter_mut().enumerate() {
        c.contrat.etat = EtatContrat::TOUS[i % EtatContrat::TOUS.len()];
    }
    contrats[3].fiches[0].hors_referentiel = true;
    contrats[5].fiches[1].hors_referentiel = true;
    contrats[5].fiches[1].derogation = Some(Derogation {
        accordee_par: Some("Commissaire".into()),
        ..serde_json::from_str("{}").unwrap()
    });
    let ids = base.importer(&contrats, "import:test").await.unwrap();
    let portee = nationale().portee_lecture();
    let t = territoires();
    let ids_de = |f: FiltreContrats| {
        let base = base.clone();
        let portee = portee.clone();
        async move {
            let p = base.contrats_filtres(&portee, &f, 1, None).await.unwrap();
            let ids: Vec<i64> = p.lignes.iter().map(|l| l.id).collect();
            assert_eq!(p.total as usize, ids.len());
            ids
        }
    };

    // No filter: everything.
    assert_eq!(ids_de(FiltreContrats::default()).await, ids);
    // State.
    let e = EtatContrat::TOUS[2];
    assert_eq!(
        ids_de(FiltreContrats {
            etat: Some(e),
            ..Default::default()
        })
        .await,
        attendus(&ids, &contrats, |c| c.contrat.etat == e)
    );
    // Region and département of the first contract's collectivity.
    let k = t.collectivite(&contrats[0].contrat.collectivite).unwrap();
    let region = t.region_de(k).unwrap().code.clone();
    let dans_region = attendus(&ids, &contrats, |c| {
        t.collectivite(&c.contrat.collectivite)
            .and_then(|k| t.region_de(k))
            .is_some_and(|r| r.code == region)
    });
    assert!(!dans_region.is_empty());
    assert_eq!(
        ids_de(FiltreContrats {
            region: Some(region.clone()),
            ..Default::default()
        })
        .await,
        dans_region
    );
    let dep = k.departement.clone();
    assert_eq!(
        ids_de(FiltreContrats {
            departement: Some(dep.clone()),
            ..Default::default()
        })
        .await,
        attendus(&ids, &contrats, |c| t
            .collectivite(&c.contrat.collectivite)
            .is_some_and(|k| k.departement == dep))
    );
    // Collectivities matched by a search; none matched: nothing.
    let codes = vec![contrats[1].contrat.collectivite.clone()];
    assert_eq!(
        ids_de(FiltreContrats {
            collectivites: Some(codes.clone()),
            ..Default::default()
        })
        .await,
        attendus(&ids, &contrats, |c| codes.contains(&c.contrat.collectivite))
    );
    assert!(
        ids_de(FiltreContrats {
            collectivites: Some(vec![]),
            ..Default::default()
        })
        .await
        .is_empty()
    );
    // Awaiting a derogation: contract 3 only (5 has its derogation).
    assert_eq!(
        ids_de(FiltreContrats {
            derogation_attendue: true,
            ..Default::default()
        })
        .await,
        vec![ids[3]]
    );
    // Findings: read from the counts kept per revision; none kept yet, nothing matches.
    assert!(
        ids_de(FiltreContrats {
            bloquants: Some(true),
            ..Default::default()
        })
        .await
        .is_empty()
    );
    for (i, id) in ids.iter().enumerate() {
        let revision = base.revision(*id).await.unwrap().unwrap();
        base.enregistrer_synthese(*id, revision, (i % 3) as i64, 0)
            .await
            .unwrap();
    }
    let avec: Vec<i64> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 0)
        .map(|(_, id)| *id)
        .collect();
    assert_eq!(
        ids_de(FiltreContrats {
            bloquants: Some(true),
            ..Default::default()
        })
        .await,
        avec
    );
    let sans: Vec<i64> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .map(|(_, id)| *id)
        .collect();
    assert_eq!(
        ids_de(FiltreContrats {
            bloquants: Some(false),
            ..Default::default()
        })
        .await,
        sans
    );
    // Filters combine, and pages cut the result.
    let p = base
        .contrats_filtres(
            &portee,
            &FiltreContrats {
                bloquants: Some(true),
                ..Default::default()
            },
            2,
            Some(3),
        )
        .await
        .unwrap();
    assert_eq!(p.total as usize, avec.len());
    assert_eq!(
        p.lignes.iter().map(|l| l.id).collect::<Vec<_>>(),
        avec[3..6.min(avec.len())]
    );
    // The scope still applies: a DDETS sees only its département's contracts.
    let ddets = Habilitation::new(Role::Ddets, Perimetre::Departement(dep.clone())).unwrap();
    let p = base
        .contrats_filtres(&ddets.portee_lecture(), &FiltreContrats::default(), 1, None)
        .await
        .unwrap();
    assert!(
        p.lignes
            .iter()
            .all(|l| t.collectivite(&l.collectivite).unwrap().departement == dep)
    );
    let _ = Moteur::Sqlite;
});
