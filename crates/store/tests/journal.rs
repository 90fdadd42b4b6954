//! Reading the audit log a page at a time: filters and pagination done by the engine, on
//! SQLite and on PostgreSQL (skipped without `PACTE_TEST_PG`, as in the conformance suite).

#[allow(dead_code)]
mod commun;

use commun::{Banc, executer};
use pacte_core::fabrique::contrat_metropole_minimal;
use pacte_core::jeu_national::jeu_national;
use pacte_store::audit::{ENTITES, OPERATIONS};
use pacte_store::{Base, FiltreJournal, Moteur};

macro_rules! deux_moteurs {
    ($nom:ident, $corps:expr) => {
        mod $nom {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                executer(Moteur::Sqlite, $corps).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                executer(Moteur::Postgres, $corps).await
            }
        }
    };
}

/// Imports two contracts as `import:100%_lot`, then Alice edits a fiche and deletes another.
async fn peupler(base: &Base) -> Vec<i64> {
    let mut contrats = vec![contrat_metropole_minimal()];
    contrats.extend(jeu_national(1, 6));
    let ids = base.importer(&contrats, "import:100%_lot").await.expect("import");
    let lu = base.contrat(ids[1]).await.expect("lecture");
    let mut f = lu.contrat.fiches[0].clone();
    f.intitule = "Intitulé revu par Alice".into();
    base.modifier_fiche(
        ids[1],
        f.numero,
        &f,
        lu.fiches[0].version,
        "utilisateur:7:Alice@exemple.fr",
        |_| Ok(()),
    )
    .await
    .expect("modification");
    let g = &lu.contrat.fiches[1];
    base.supprimer_fiche(
        ids[1],
        g.numero,
        lu.fiches[1].version,
        "utilisateur:7:Alice@exemple.fr",
        |_| Ok(()),
    )
    .await
    .expect("suppression");
    ids
}

fn filtre() -> FiltreJournal {
    FiltreJournal::default()
}

deux_moteurs!(filtres_et_pages, |banc: Banc| async move {
    let base = banc.base().await;
    let ids = peupler(&base).await;
    let tout = base.journal(1, 1_000_000).await.expect("journal");
    let n = tout.len() as i64;
    // Every entity and operation written is one the filters offer.
    for e in &tout {
        assert!(ENTITES.contains(&e.entite.as_str()), "{}", e.entite);
        assert!(OPERATIONS.contains(&e.operation.as_str()), "{}", e.operation);
    }

    // No filter: everything, newest first, by pages.
    let p1 = base.journal_filtre(&filtre(), 1, 5).await.expect("page 1");
    assert_eq!(p1.total, n);
    let ids_p1: Vec<i64> = p1.entrees.iter().map(|e| e.id).collect();
    assert_eq!(ids_p1, (n - 4..=n).rev().collect::<Vec<_>>());
    let p2 = base.journal_filtre(&filtre(), 2, 5).await.expect("page 2");
    assert_eq!(p2.entrees[0].id, n - 5);
    assert_eq!(p2.entrees[0], tout[(n - 6) as usize]);
    let loin = base.journal_filtre(&filtre(), 1_000, 5).await.expect("au-delà");
    assert!(loin.entrees.is_empty());
    assert_eq!(loin.total, n);

    // By entity and operation.
    let fiches = FiltreJournal {
        entite: Some("fiche".into()),
        ..filtre()
    };
    let p = base.journal_filtre(&fiches, 1, 1_000).await.expect("fiches");
    assert_eq!(
        p.total,
        tout.iter().filter(|e| e.entite == "fiche").count() as i64
    );
    assert!(p.entrees.iter().all(|e| e.entite == "fiche"));
    let suppression = FiltreJournal {
        operation: Some("suppression".into()),
        ..fiches.clone()
    };
    let p = base
        .journal_filtre(&suppression, 1, 10)
        .await
        .expect("suppressions");
    assert_eq!(p.total, 1);
    assert_eq!(p.entrees[0].apres, None);

    // By actor: part of it, whatever its case; the LIKE wildcards are plain characters.
    for (cherche, attendu) in [
        ("alice@", 2),
        ("ALICE", 2),
        ("100%_", n - 3),
        ("0%", n - 3),
        ("%", n - 3),
    ] {
        let f = FiltreJournal {
            acteur: Some(cherche.into()),
            ..filtre()
        };
        let p = base.journal_filtre(&f, 1, 1_000).await.expect("acteur");
        assert_eq!(p.total, attendu, "acteur « {cherche} »");
    }
    let lot = FiltreJournal {
        acteur: Some("_lot".into()),
        ..filtre()
    };
    assert_eq!(
        base.journal_filtre(&lot, 1, 1).await.unwrap().total,
        n - 3,
        "« _ » n'est pas un joker"
    );
    let x_lot = FiltreJournal {
        acteur: Some("x_lot".into()),
        ..filtre()
    };
    assert_eq!(base.journal_filtre(&x_lot, 1, 1).await.unwrap().total, 0);

    // By period: the days are UTC and inclusive.
    let jour = tout[0].horodatage[..10].to_string();
    let ce_jour = FiltreJournal {
        du: Some(jour.clone()),
        au: Some(jour.clone()),
        ..filtre()
    };
    assert_eq!(base.journal_filtre(&ce_jour, 1, 1).await.unwrap().total, n);
    let avant = FiltreJournal {
        au: Some("2000-01-01".into()),
        ..filtre()
    };
    assert_eq!(base.journal_filtre(&avant, 1, 1).await.unwrap().total, 0);
    let apres = FiltreJournal {
        du: Some("2999-01-01".into()),
        ..filtre()
    };
    assert_eq!(base.journal_filtre(&apres, 1, 1).await.unwrap().total, 0);

    // Criteria combine.
    let combine = FiltreJournal {
        entite: Some("fiche".into()),
        acteur: Some("alice".into()),
        operation: Some("modification".into()),
        du: Some(jour.clone()),
        au: Some(jour),
    };
    let p = base.journal_filtre(&combine, 1, 10).await.expect("combinés");
    assert_eq!(p.total, 1);
    assert!(p.entrees[0].avant.is_some() && p.entrees[0].apres.is_some());

    // One entry; where the fiches and contracts are now.
    let e = base.entree_audit(p.entrees[0].id).await.unwrap().expect("entrée");
    assert_eq!(e, p.entrees[0]);
    assert_eq!(base.entree_audit(n + 1).await.unwrap(), None);
    let modifiee: i64 = e.entite_id.parse().unwrap();
    let supprimee: i64 = base.journal_filtre(&suppression, 1, 1).await.unwrap().entrees[0]
        .entite_id
        .parse()
        .unwrap();
    let lieux = base.fiches_par_id(&[modifiee, supprimee]).await.unwrap();
    assert_eq!(lieux.len(), 1);
    assert_eq!(lieux[&modifiee].0, ids[1]);
    let existants = base.contrats_existants(&[ids[0], ids[1], 9_999]).await.unwrap();
    assert_eq!(existants.len(), 2);
    assert!(base.fiches_par_id(&[]).await.unwrap().is_empty());
});

/// The time a full verification takes on the national set (125 contracts, 7 500 fiches):
/// `cargo test -p pacte-store --release --test journal -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "mesure"]
async fn duree_de_la_verification_sur_le_jeu_national() {
    executer(Moteur::Sqlite, |banc: Banc| async move {
        let base = banc.base().await;
        base.importer(&pacte_core::jeu_national::jeu_national_standard(), "import")
            .await
            .expect("import");
        for _ in 0..3 {
            let debut = std::time::Instant::now();
            let r = base.verifier_audit().await.expect("vérification");
            assert_eq!(r.rupture, None);
            let verification = debut.elapsed();
            let debut = std::time::Instant::now();
            let p = base.journal_filtre(&filtre(), 1, 50).await.expect("page");
            let page = debut.elapsed();
            let debut = std::time::Instant::now();
            let fiches = FiltreJournal {
                acteur: Some("imp".into()),
                entite: Some("fiche".into()),
                ..filtre()
            };
            base.journal_filtre(&fiches, 100, 50).await.expect("page filtrée");
            let filtree = debut.elapsed();
            println!(
                "{} entrées : vérification {verification:?}, première page {page:?}, page 100 filtrée {filtree:?} ({} au total)",
                r.entrees, p.total
            );
        }
    })
    .await
}

// The names behind the actors of a page, in one query, by account id or by address.
deux_moteurs!(noms_des_comptes, |banc: Banc| async move {
    let base = banc.base().await;
    let compte = |email: &str, nom: &str| pacte_store::comptes::NouvelUtilisateur {
        email: email.into(),
        nom: nom.into(),
        hash_mot_de_passe: None,
        role: "redacteur".into(),
        perimetre: "departement:13".into(),
    };
    let marie = base
        .creer_utilisateur(&compte("marie@exemple.fr", "Marie Dupont"), "test")
        .await
        .unwrap();
    let paul = base
        .creer_utilisateur(&compte("paul@exemple.fr", "Paul Martin"), "test")
        .await
        .unwrap();
    let noms = base
        .noms_des_comptes(
            &[marie.id, 9_999],
            &["paul@exemple.fr".to_string(), "inconnu@exemple.fr".to_string()],
        )
        .await
        .unwrap();
    assert_eq!(noms.len(), 2);
    assert_eq!(
        noms[&marie.id],
        ("Marie Dupont".to_string(), "marie@exemple.fr".to_string())
    );
    assert_eq!(noms[&paul.id].0, "Paul Martin");
    assert_eq!(base.noms_des_comptes(&[marie.id], &[]).await.unwrap().len(), 1);
    assert!(base.noms_des_comptes(&[], &[]).await.unwrap().is_empty());
});
