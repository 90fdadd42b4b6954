//! Conformance suite of the store, written once and run against both engines: every test
//! exists as `<nom>::sqlite` and `<nom>::postgres`, each on a fresh base of its own.
//!
//! The PostgreSQL variants need `PACTE_TEST_PG` (an administration URL such as
//! `postgres://pacte@127.0.0.1:5432/postgres`); without it they are skipped, except in CI.

#[macro_use]
mod commun;

use std::collections::HashSet;

use commun::{Banc, executer};
use pacte_core::contrat::EtatContrat;
use pacte_core::fabrique::{FicheBuilder, contrat_metropole_minimal};
use pacte_core::fichier::{ecrire_toml, lire_toml};
use pacte_core::jeu_national::{defauts_plantes, jeu_national};
use pacte_core::{Contrat, Montant, NumeroFiche};
use pacte_store::audit::Rupture;
use pacte_store::{Base, ContratStocke, ErreurStore, Moteur, Refus, sauvegarde};
use sqlx::Connection;

const IMPORT: &str = "import:conformite";

fn numero(texte: &str) -> NumeroFiche {
    NumeroFiche::parse(texte).expect("numéro de fiche")
}

/// Index of fiche `n` in a stored contract.
fn indice(lu: &ContratStocke, n: NumeroFiche) -> usize {
    lu.contrat
        .fiches
        .iter()
        .position(|f| f.numero == n)
        .unwrap_or_else(|| panic!("fiche {n} absente"))
}

/// Entries of the whole audit log.
async fn journal(base: &Base) -> Vec<pacte_store::EntreeAudit> {
    base.journal(1, 1_000_000).await.expect("journal")
}

/// The audit report, which must show no break.
async fn audit_intact(base: &Base) -> usize {
    let r = base.verifier_audit().await.expect("vérification du journal");
    assert_eq!(r.rupture, None, "le journal devrait être intact");
    r.entrees
}

/// The first break of the audit log, which must exist.
async fn rupture(base: &Base) -> Rupture {
    let r = base.verifier_audit().await.expect("vérification du journal");
    r.rupture.expect("la falsification devrait être détectée")
}

/// Runs SQL behind the application's back, on a connection of its own.
async fn falsifier(url: &str, sql: &str) -> u64 {
    let mut conn = sqlx::AnyConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connexion directe à {url} : {e}"));
    let n = sqlx::query(sql)
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql} : {e}"))
        .rows_affected();
    conn.close().await.expect("fermeture");
    n
}

/// The contracts `peupler` imports: the minimal métropole contract and the first three of
/// the national set (contract 0 carries planted faults).
fn contrats_de_test() -> Vec<Contrat> {
    let mut contrats = vec![contrat_metropole_minimal()];
    contrats.extend(jeu_national(3, 12));
    contrats
}

/// Audit entries `peupler` writes (on top of the référentiel's).
const ENTREES_PEUPLER: usize = (1 + 4) + 3 * (1 + 12) + 2;

/// Imports `contrats_de_test()`, then Alice edits fiche 2.1 and Bruno the header of the first
/// contract.
async fn peupler(base: &Base) -> Vec<i64> {
    let ids = base.importer(&contrats_de_test(), IMPORT).await.expect("import");
    let lu = base.contrat(ids[0]).await.expect("lecture");
    let k = indice(&lu, numero("2.1"));
    let mut f = lu.contrat.fiches[k].clone();
    f.intitule = "Intitulé revu par Alice".into();
    base.modifier_fiche(ids[0], f.numero, &f, lu.fiches[k].version, "alice", |_| Ok(()))
        .await
        .expect("modification de fiche");
    let mut e = lu.contrat.contrat.clone();
    e.intitule = Some("Contrat revu par Bruno".into());
    base.modifier_entete(ids[0], &e, lu.tampon.version, "bruno", |_| Ok(()))
        .await
        .expect("modification d'en-tête");
    ids
}

/// Every contract of a base, read in full.
async fn tout_lire(base: &Base) -> Vec<ContratStocke> {
    let mut tout = Vec::new();
    for r in base.contrats().await.expect("liste") {
        tout.push(base.contrat(r.id).await.expect("lecture"));
    }
    tout
}

// 1. Opening a base loads the reference data once.
conformite!(ouverture_charge_le_referentiel, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let version = base.version_referentiel().await.expect("version");
    assert!(!version.trim().is_empty(), "version du référentiel vide");
    assert_eq!(version, pacte_core::referentiel::referentiel().version);
    assert_eq!(base.compter("regions").await.unwrap(), 18);
    assert_eq!(base.compter("departements").await.unwrap(), 101);
    assert_eq!(base.compter("collectivites").await.unwrap(), 124);
    assert_eq!(base.compter("contrats").await.unwrap(), 0);
    let entrees = journal(&base).await;
    assert_eq!(entrees.len(), 1);
    assert_eq!(
        (entrees[0].entite.as_str(), entrees[0].operation.as_str()),
        ("referentiel", "chargement")
    );
    assert_eq!(audit_intact(&base).await, 1);
    let e = base.compter("tout").await.unwrap_err();
    assert!(matches!(e, ErreurStore::Invalide(_)));
    assert_eq!(e.to_string(), "table inconnue tout");

    // Reopening the same base, even while it is open, writes nothing.
    let encore = Base::ouvrir(&url).await.expect("réouverture");
    assert_eq!(encore.moteur(), banc.moteur());
    assert_eq!(journal(&encore).await, entrees);
    assert_eq!(encore.version_referentiel().await.unwrap(), version);
    assert_eq!(encore.compter("collectivites").await.unwrap(), 124);
    encore.fermer().await;
    base.fermer().await;
    let encore = Base::ouvrir(&url).await.expect("réouverture après fermeture");
    assert_eq!(journal(&encore).await, entrees);
});

// 2. What is imported is read back unchanged, findings included.
conformite!(import_puis_lecture, |banc: Banc| async move {
    let base = banc.base().await;
    let mut contrats = vec![contrat_metropole_minimal()];
    contrats.extend(jeu_national(5, 12));
    let ids = base.importer(&contrats, IMPORT).await.expect("import");
    assert_eq!(ids.len(), contrats.len());
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "identifiants distincts"
    );
    for (c, id) in contrats.iter().zip(&ids) {
        let lu = base.contrat(*id).await.expect("lecture");
        assert_eq!(&lu.contrat, c, "contrat {id} relu différent");
        assert_eq!(pacte_core::verifier(&lu.contrat), pacte_core::verifier(c));
        assert_eq!(lu.tampon.id, *id);
        assert_eq!(lu.tampon.version, 1);
        assert_eq!(lu.tampon.modifie_par, IMPORT);
        assert_eq!(lu.fiches.len(), c.fiches.len());
        assert!(
            lu.fiches
                .iter()
                .all(|t| t.version == 1 && t.modifie_par == IMPORT)
        );
    }
    // The planted faults of the national set are still found on what the base returns.
    let relu = base.contrat(ids[1]).await.unwrap().contrat;
    let codes: HashSet<_> = pacte_core::verifier(&relu).iter().map(|c| c.code).collect();
    for code in defauts_plantes(0) {
        assert!(codes.contains(code), "{code} attendu parmi {codes:?}");
    }
    assert!(pacte_core::verifier(&base.contrat(ids[0]).await.unwrap().contrat).is_empty());

    let liste = base.contrats().await.expect("liste");
    assert_eq!(liste.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
    for (r, c) in liste.iter().zip(&contrats) {
        assert_eq!(r.collectivite, c.contrat.collectivite);
        assert_eq!(r.etat, c.contrat.etat);
        assert_eq!(r.fiches, c.fiches.len() as i64);
        assert_eq!(r.version, 1);
    }
    assert_eq!(base.trouver_contrat(&ids[2].to_string()).await.unwrap(), ids[2]);
    let siren = &contrats[2].contrat.collectivite;
    assert_eq!(siren.len(), 9);
    assert_eq!(base.trouver_contrat(siren).await.unwrap(), ids[2]);
    let e = base.trouver_contrat("999999999").await.unwrap_err();
    assert!(matches!(e, ErreurStore::Introuvable { .. }), "{e:?}");
    assert_eq!(e.to_string(), "contrat 999999999 introuvable");
    let e = base.trouver_contrat("2B-inconnu").await.unwrap_err();
    assert!(matches!(e, ErreurStore::Introuvable { .. }), "{e:?}");
    assert!(e.to_string().contains("« 2B-inconnu »"), "{e}");
    let e = base.contrat(987_654).await.unwrap_err();
    assert!(matches!(e, ErreurStore::Introuvable { .. }));
    assert_eq!(e.to_string(), "contrat 987654 introuvable");
    assert_eq!(
        audit_intact(&base).await,
        1 + contrats.iter().map(|c| 1 + c.fiches.len()).sum::<usize>()
    );
});

// 3. An import is written whole or not at all.
conformite!(import_atomique, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let valide = contrat_metropole_minimal();
    let mut doublon = jeu_national(1, 6).remove(0);
    doublon.fiches[1].numero = doublon.fiches[0].numero;
    assert_eq!(doublon.fiches[0].numero, numero("1.1"));
    let e = base
        .importer(&[valide.clone(), doublon], IMPORT)
        .await
        .expect_err("un contrat avec deux fiches 1.1 doit être refusé");
    assert!(matches!(e, ErreurStore::Invalide(_)), "{e:?}");
    let message = e.to_string();
    assert!(message.contains("1.1"), "{message}");
    assert!(message.contains("plusieurs fiches"), "{message}");
    assert!(base.contrats().await.unwrap().is_empty());
    assert_eq!(base.compter("fiches").await.unwrap(), 0);
    let entrees = journal(&base).await;
    assert_eq!(entrees.len(), 1);
    assert_eq!(entrees[0].entite, "referentiel");

    // A failure of the database itself in the middle of the transaction (here a uniqueness
    // constraint added behind the application's back) leaves nothing either: neither the
    // contracts written before it, nor their audit entries, nor the head of the chain.
    falsifier(
        &url,
        "CREATE UNIQUE INDEX test_une_collectivite ON contrats (collectivite)",
    )
    .await;
    let autre = jeu_national(2, 6).remove(1);
    let e = base
        .importer(&[valide.clone(), autre.clone(), valide.clone()], IMPORT)
        .await
        .expect_err("la contrainte d'unicité doit faire échouer l'import");
    assert!(matches!(e, ErreurStore::Base(_)), "{e:?}");
    assert!(base.contrats().await.unwrap().is_empty());
    assert_eq!(base.compter("fiches").await.unwrap(), 0);
    assert_eq!(journal(&base).await, entrees);
    assert_eq!(audit_intact(&base).await, 1);
    // The chain goes on from the référentiel entry.
    let ids = base
        .importer(std::slice::from_ref(&autre), IMPORT)
        .await
        .expect("import valide");
    assert_eq!(base.contrat(ids[0]).await.unwrap().contrat, autre);
    let apres = journal(&base).await;
    assert_eq!(apres[1].id, 2);
    assert_eq!(apres[1].hash_precedent, entrees[0].hash);
    assert_eq!(audit_intact(&base).await, 1 + 1 + autre.fiches.len());
});

// 4. import(export(x)) == x through the base: the TOML file of a stored contract reads back
// as the contract imported.
conformite!(aller_retour_du_fichier, |banc: Banc| async move {
    let base = banc.base().await;
    let mut contrats = vec![contrat_metropole_minimal()];
    contrats.extend(jeu_national(8, 12));
    let ids = base.importer(&contrats, IMPORT).await.expect("import");
    for (c, id) in contrats.iter().zip(&ids) {
        let lu = base.contrat(*id).await.unwrap();
        let texte = ecrire_toml(&lu.contrat);
        let relu = lire_toml(&texte).unwrap_or_else(|e| panic!("contrat {id} : {e}"));
        assert_eq!(
            &relu, c,
            "contrat {id} : le fichier exporté ne relit pas le contrat importé"
        );
    }

    // Text the engines could mangle: quotes, backslashes, line breaks, non-Latin letters.
    let lu = base.contrat(ids[0]).await.unwrap();
    let mut f = lu.contrat.fiches[0].clone();
    f.intitule = "« Aller vers » : l'accueil \"inconditionnel\" \\ 100 % ; 🏠 Ωμέγα".into();
    f.description = Some("Ligne 1\nLigne 2\ttabulée\r\n'apostrophe' ; DROP TABLE fiches; --".into());
    f.partenaires = vec!["CCAS d'Aix".into(), String::new(), "ÉÈÊË œ æ".into()];
    base.modifier_fiche(ids[0], f.numero, &f, lu.fiches[0].version, "alice", |_| Ok(()))
        .await
        .expect("modification");
    let relu = base.contrat(ids[0]).await.unwrap();
    assert_eq!(relu.contrat.fiches[0], f);
    assert_eq!(lire_toml(&ecrire_toml(&relu.contrat)).unwrap(), relu.contrat);
    audit_intact(&base).await;
});

// 5. Optimistic concurrency: the second of two editors working from the same read is refused.
conformite!(modifications_concurrentes, |banc: Banc| async move {
    let base = banc.base().await;
    let id = base
        .importer(&[contrat_metropole_minimal()], IMPORT)
        .await
        .unwrap()[0];
    let n = numero("2.1");
    let lecture_alice = base.contrat(id).await.unwrap();
    let lecture_bruno = base.contrat(id).await.unwrap();
    let k = indice(&lecture_alice, n);
    let mut fiche_alice = lecture_alice.contrat.fiches[k].clone();
    fiche_alice.intitule = "Version d'Alice".into();
    let mut fiche_bruno = lecture_bruno.contrat.fiches[k].clone();
    fiche_bruno.intitule = "Version de Bruno".into();

    let t = base
        .modifier_fiche(
            id,
            n,
            &fiche_alice,
            lecture_alice.fiches[k].version,
            "alice",
            |_| Ok(()),
        )
        .await
        .expect("la première modification passe");
    assert_eq!((t.version, t.modifie_par.as_str()), (2, "alice"));
    let entrees = base.compter("audit").await.unwrap();
    let e = base
        .modifier_fiche(
            id,
            n,
            &fiche_bruno,
            lecture_bruno.fiches[k].version,
            "bruno",
            |_| Ok(()),
        )
        .await
        .expect_err("la seconde modification doit être refusée");
    match &e {
        ErreurStore::Conflit {
            par,
            attendue,
            actuelle,
            ..
        } => assert_eq!((par.as_str(), *attendue, *actuelle), ("alice", 1, 2)),
        autre => panic!("conflit attendu, obtenu {autre:?}"),
    }
    let message = e.to_string();
    for attendu in [
        format!("la fiche 2.1 du contrat {id}"),
        "modifié(e) par alice le ".into(),
        "version 1 lue, version 2 en base".into(),
        "rechargez avant d'enregistrer".into(),
        "rien n'a été écrit".into(),
    ] {
        assert!(message.contains(&attendu), "« {attendu} » absent de : {message}");
    }
    let stocke = base.contrat(id).await.unwrap();
    assert_eq!(stocke.contrat.fiches[k], fiche_alice);
    assert_eq!(stocke.fiches[k].version, 2);
    assert_eq!(stocke.fiches[k].modifie_par, "alice");
    assert_eq!(
        base.compter("audit").await.unwrap(),
        entrees,
        "le refus n'écrit rien"
    );

    // Same for the header.
    let mut entete_alice = lecture_alice.contrat.contrat.clone();
    entete_alice.intitule = Some("Intitulé d'Alice".into());
    let mut entete_bruno = lecture_bruno.contrat.contrat.clone();
    entete_bruno.intitule = Some("Intitulé de Bruno".into());
    base.modifier_entete(id, &entete_alice, lecture_alice.tampon.version, "alice", |_| {
        Ok(())
    })
    .await
    .expect("la première modification passe");
    let e = base
        .modifier_entete(id, &entete_bruno, lecture_bruno.tampon.version, "bruno", |_| {
            Ok(())
        })
        .await
        .expect_err("la seconde modification doit être refusée");
    assert!(
        matches!(&e, ErreurStore::Conflit { par, .. } if par == "alice"),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(
        message.contains(&format!("le contrat {id} a été modifié(e) par alice le ")),
        "{message}"
    );
    assert!(message.contains("rien n'a été écrit"), "{message}");
    let stocke = base.contrat(id).await.unwrap();
    assert_eq!(stocke.contrat.contrat, entete_alice);
    assert_eq!(
        (stocke.tampon.version, stocke.tampon.modifie_par.as_str()),
        (2, "alice")
    );

    // Two different fiches edited from the same read: no conflict.
    let lecture = base.contrat(id).await.unwrap();
    for (n, qui) in [("3.1", "alice"), ("4.1", "bruno")] {
        let k = indice(&lecture, numero(n));
        let mut f = lecture.contrat.fiches[k].clone();
        f.intitule = format!("Fiche {n} revue par {qui}");
        base.modifier_fiche(id, f.numero, &f, lecture.fiches[k].version, qui, |_| Ok(()))
            .await
            .unwrap_or_else(|e| panic!("fiche {n} : {e}"));
    }
    let stocke = base.contrat(id).await.unwrap();
    assert_eq!(
        stocke.contrat.fiches[indice(&stocke, numero("3.1"))].intitule,
        "Fiche 3.1 revue par alice"
    );
    assert_eq!(
        stocke.contrat.fiches[indice(&stocke, numero("4.1"))].intitule,
        "Fiche 4.1 revue par bruno"
    );

    // Two editors racing on the same fiche from the same read: exactly one wins.
    let lecture = base.contrat(id).await.unwrap();
    let k = indice(&lecture, numero("1.1"));
    let version = lecture.fiches[k].version;
    let course = |qui: &'static str| {
        let base = base.clone();
        let mut f = lecture.contrat.fiches[k].clone();
        f.intitule = format!("Course gagnée par {qui}");
        tokio::spawn(async move {
            base.modifier_fiche(id, f.numero, &f, version, qui, |_| Ok(()))
                .await
        })
    };
    let (a, b) = (course("alice"), course("bruno"));
    let resultats = [a.await.unwrap(), b.await.unwrap()];
    let gagnants: Vec<_> = resultats.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(gagnants.len(), 1, "{resultats:?}");
    let perdant = resultats.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert!(
        matches!(perdant, ErreurStore::Conflit { par, .. } if *par == gagnants[0].modifie_par),
        "{perdant:?}"
    );
    let stocke = base.contrat(id).await.unwrap();
    assert_eq!(
        stocke.contrat.fiches[k].intitule,
        format!("Course gagnée par {}", gagnants[0].modifie_par)
    );
    // 1 + 5 (import) + 1 fiche + 1 en-tête + 2 fiches + 1 course.
    assert_eq!(audit_intact(&base).await, 11);
});

// 6. Writers in parallel, each on its own fiche, each from its own read.
conformite!(ecritures_paralleles, |banc: Banc| async move {
    const REDACTEURS: usize = 8;
    const TOURS: usize = 5;
    let base = banc.base().await;
    let contrat = jeu_national(2, 12).remove(1);
    let id = base
        .importer(std::slice::from_ref(&contrat), IMPORT)
        .await
        .unwrap()[0];
    let numeros: Vec<NumeroFiche> = contrat.fiches.iter().take(REDACTEURS).map(|f| f.numero).collect();
    let mut taches = Vec::new();
    for (i, n) in numeros.iter().copied().enumerate() {
        let base = base.clone();
        taches.push(tokio::spawn(async move {
            let qui = format!("redacteur-{i}");
            for tour in 0..TOURS {
                let lu = base
                    .contrat(id)
                    .await
                    .map_err(|e| format!("{qui}, lecture {tour} : {e}"))?;
                let k = indice(&lu, n);
                let mut f = lu.contrat.fiches[k].clone();
                f.intitule = format!("Fiche {n}, tour {tour}, par {qui}");
                base.modifier_fiche(id, n, &f, lu.fiches[k].version, &qui, |_| Ok(()))
                    .await
                    .map_err(|e| format!("{qui}, écriture {tour} : {e}"))?;
            }
            Ok::<_, String>(())
        }));
    }
    let mut echecs = Vec::new();
    for t in taches {
        if let Err(e) = t.await.expect("tâche") {
            echecs.push(e);
        }
    }
    assert!(echecs.is_empty(), "écritures parallèles en échec : {echecs:#?}");
    let stocke = base.contrat(id).await.unwrap();
    for (i, n) in numeros.iter().enumerate() {
        let k = indice(&stocke, *n);
        let qui = format!("redacteur-{i}");
        assert_eq!(
            stocke.contrat.fiches[k].intitule,
            format!("Fiche {n}, tour {}, par {qui}", TOURS - 1)
        );
        assert_eq!(stocke.fiches[k].version, 1 + TOURS as i64);
        assert_eq!(stocke.fiches[k].modifie_par, qui);
    }
    let entrees = 1 + (1 + contrat.fiches.len()) + REDACTEURS * TOURS;
    assert_eq!(audit_intact(&base).await, entrees);
    let j = journal(&base).await;
    assert_eq!(
        j.iter().map(|e| e.id).collect::<Vec<_>>(),
        (1..=entrees as i64).collect::<Vec<_>>()
    );
    for i in 0..REDACTEURS {
        let qui = format!("redacteur-{i}");
        assert_eq!(j.iter().filter(|e| e.acteur == qui).count(), TOURS);
    }
});

// 7. The audit log: intact after normal use, every tampering caught.
conformite!(journal_intact_et_acteurs, |banc: Banc| async move {
    let base = banc.base().await;
    let ids = peupler(&base).await;
    let n = audit_intact(&base).await;
    assert_eq!(n, 1 + ENTREES_PEUPLER);
    assert_eq!(base.compter("audit").await.unwrap(), n as i64);
    let j = journal(&base).await;
    assert_eq!(j.len(), n);
    let attendu: Vec<(&str, &str, &str)> = std::iter::once(("systeme", "referentiel", "chargement"))
        .chain(contrats_de_test().iter().flat_map(|c| {
            std::iter::once((IMPORT, "contrat", "creation"))
                .chain(c.fiches.iter().map(|_| (IMPORT, "fiche", "creation")))
        }))
        .chain([
            ("alice", "fiche", "modification"),
            ("bruno", "contrat", "modification"),
        ])
        .collect();
    let obtenu: Vec<_> = j
        .iter()
        .map(|e| (e.acteur.as_str(), e.entite.as_str(), e.operation.as_str()))
        .collect();
    assert_eq!(obtenu, attendu);
    let derniere = &j[n - 1];
    assert_eq!(derniere.entite_id, ids[0].to_string());
    assert!(derniere.avant.as_deref().unwrap().contains("200054807"));
    assert!(
        derniere
            .apres
            .as_deref()
            .unwrap()
            .contains("Contrat revu par Bruno")
    );
    for (a, b) in j.iter().zip(&j[1..]) {
        assert_eq!(b.hash_precedent, a.hash);
    }
    // A partial read of the log.
    let extrait = base.journal(3, 2).await.unwrap();
    assert_eq!(extrait, j[2..4].to_vec());
});

conformite!(journal_fiche_modifiee_hors_pacte, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let ids = peupler(&base).await;
    audit_intact(&base).await;
    let lu = base.contrat(ids[1]).await.unwrap();
    let fiche = lu.fiches[3].id;
    let n = falsifier(
        &url,
        &format!("UPDATE fiches SET donnees = replace(donnees, 'a', 'b') WHERE id = {fiche}"),
    )
    .await;
    assert_eq!(n, 1);
    let r = rupture(&base).await;
    assert!(r.raison.contains(&format!("fiche {fiche} ")), "{r:?}");
    assert!(r.raison.contains("modifié hors de Pacte"), "{r:?}");
    let creation = journal(&base)
        .await
        .into_iter()
        .rfind(|e| e.entite == "fiche" && e.entite_id == fiche.to_string())
        .unwrap();
    assert_eq!(r.entree, creation.id);
    assert!(r.raison.contains(&format!("(entrée {})", creation.id)), "{r:?}");
});

conformite!(journal_entree_modifiee, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    peupler(&base).await;
    audit_intact(&base).await;
    assert_eq!(
        falsifier(&url, "UPDATE audit SET acteur = 'intrus' WHERE id = 3").await,
        1
    );
    let r = rupture(&base).await;
    assert_eq!(r.entree, 3, "{r:?}");
    assert_eq!(
        r.raison,
        "le contenu de l'entrée 3 a été modifié après son écriture"
    );
});

conformite!(journal_derniere_entree_supprimee, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    peupler(&base).await;
    let n = audit_intact(&base).await as i64;
    let sql = "DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit)";
    assert_eq!(falsifier(&url, sql).await, 1);
    let r = rupture(&base).await;
    assert_eq!(r.entree, n - 1, "{r:?}");
    assert!(r.raison.contains(&format!("annonce l'entrée {n}")), "{r:?}");
    assert!(r.raison.contains("des entrées ont été supprimées"), "{r:?}");
});

conformite!(journal_entree_du_milieu_supprimee, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    peupler(&base).await;
    assert_eq!(falsifier(&url, "DELETE FROM audit WHERE id = 10").await, 1);
    let r = rupture(&base).await;
    assert_eq!(r.entree, 11, "{r:?}");
    assert_eq!(
        r.raison,
        "l'entrée 11 suit l'entrée 9 : des entrées ont été supprimées"
    );
});

conformite!(journal_ecritures_hors_pacte, |banc: Banc| async move {
    // A fiche deleted behind the application's back.
    let (base, url) = banc.base_et_url().await;
    let ids = peupler(&base).await;
    let fiche = base.contrat(ids[2]).await.unwrap().fiches[0].id;
    assert_eq!(
        falsifier(&url, &format!("DELETE FROM fiches WHERE id = {fiche}")).await,
        1
    );
    let r = rupture(&base).await;
    assert!(
        r.raison
            .contains(&format!("fiche {fiche} figure au journal mais a disparu")),
        "{r:?}"
    );

    // A contract inserted behind the application's back.
    let (base, url) = banc.base_et_url().await;
    peupler(&base).await;
    falsifier(
        &url,
        "INSERT INTO contrats (collectivite, etat, entete, version, cree_le, modifie_par, modifie_le) \
         VALUES ('13', 'signe', '{}', 1, '2026-01-01T00:00:00.000Z', 'intrus', '2026-01-01T00:00:00.000Z')",
    )
    .await;
    let r = rupture(&base).await;
    assert_eq!(r.entree, 0, "{r:?}");
    assert!(
        r.raison
            .contains("n'apparaît pas dans le journal : écrit hors de Pacte"),
        "{r:?}"
    );
});

// 8. Backup and restore on the same engine.
conformite!(sauvegarde_et_restauration, |banc: Banc| async move {
    let source = banc.base().await;
    let ids = peupler(&source).await;
    let lu = source.contrat(ids[1]).await.unwrap();
    let derniere = lu.contrat.fiches.last().unwrap();
    source
        .supprimer_fiche(
            ids[1],
            derniere.numero,
            lu.fiches.last().unwrap().version,
            "alice",
            |_| Ok(()),
        )
        .await
        .expect("suppression");
    let s = source.sauvegarde().await.expect("sauvegarde");
    assert_eq!(s.format, sauvegarde::FORMAT);
    assert_eq!(s.audit.len(), 1 + ENTREES_PEUPLER + 1);
    // The backup survives its own serialisation (it is written to a file).
    let texte = serde_json::to_string(&s).unwrap();
    let s: sauvegarde::Sauvegarde = serde_json::from_str(&texte).unwrap();

    let cible = banc.base().await;
    cible.restaurer(&s).await.expect("restauration");
    assert_eq!(
        cible.empreinte().await.unwrap(),
        source.empreinte().await.unwrap()
    );
    assert_eq!(cible.empreinte().await.unwrap(), s.empreinte());
    assert_eq!(cible.contrats().await.unwrap(), source.contrats().await.unwrap());
    assert_eq!(tout_lire(&cible).await, tout_lire(&source).await);
    assert_eq!(journal(&cible).await, journal(&source).await);
    assert_eq!(audit_intact(&cible).await, s.audit.len());
    assert!(cible.integrite().await.unwrap().is_empty());

    // The restored base goes on.
    let t = cible
        .ajouter_fiche(
            ids[0],
            &FicheBuilder::new("1.2", "AT-1-1.1-02", Montant::euros(1_000)).build(),
            "alice",
            |_| Ok(()),
        )
        .await
        .expect("ajout après restauration");
    assert!(
        s.fiches.iter().all(|f| f.id < t.id),
        "identifiant {} déjà pris",
        t.id
    );
    let nouveau = cible
        .importer(&[contrat_metropole_minimal()], IMPORT)
        .await
        .expect("import")[0];
    assert!(s.contrats.iter().all(|c| c.id < nouveau));
    assert_eq!(audit_intact(&cible).await, s.audit.len() + 1 + 5);
});

conformite!(restauration_dans_une_base_non_vide, |banc: Banc| async move {
    let source = banc.base().await;
    peupler(&source).await;
    let s = source.sauvegarde().await.unwrap();

    let cible = banc.base().await;
    cible
        .importer(&[contrat_metropole_minimal()], IMPORT)
        .await
        .unwrap();
    let avant = cible.empreinte().await.unwrap();
    let journal_avant = journal(&cible).await;
    let e = cible.restaurer(&s).await.expect_err("la cible n'est pas vide");
    assert!(matches!(e, ErreurStore::Invalide(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "la base cible contient déjà des données : la restauration se fait dans une base neuve"
    );
    assert_eq!(cible.empreinte().await.unwrap(), avant);
    assert_eq!(journal(&cible).await, journal_avant);
    audit_intact(&cible).await;

    // A base that only ever had its contracts deleted is not new either.
    let cible = banc.base().await;
    let id = cible
        .importer(&[contrat_metropole_minimal()], IMPORT)
        .await
        .unwrap()[0];
    let lu = cible.contrat(id).await.unwrap();
    for (f, t) in lu.contrat.fiches.iter().zip(&lu.fiches) {
        cible
            .supprimer_fiche(id, f.numero, t.version, "alice", |_| Ok(()))
            .await
            .unwrap();
    }
    let avant = cible.empreinte().await.unwrap();
    assert!(matches!(cible.restaurer(&s).await, Err(ErreurStore::Invalide(_))));
    assert_eq!(cible.empreinte().await.unwrap(), avant);

    // Nor is a base already restored.
    let cible = banc.base().await;
    cible.restaurer(&s).await.unwrap();
    let e = cible.restaurer(&s).await.expect_err("deuxième restauration");
    assert!(matches!(e, ErreurStore::Invalide(_)), "{e:?}");
    assert_eq!(cible.empreinte().await.unwrap(), s.empreinte());

    // An unknown format is refused before anything.
    let mut autre = s.clone();
    autre.format = "pacte-sauvegarde/99".into();
    let e = banc.base().await.restaurer(&autre).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "format de sauvegarde « pacte-sauvegarde/99 » inconnu (attendu pacte-sauvegarde/1)"
    );
});

// 9. Moving a SQLite base to the engine under test (SQLite → PostgreSQL in the PostgreSQL
// variant), then back to a new SQLite base.
conformite!(migration_depuis_sqlite, |banc: Banc| async move {
    let source = banc.base_sqlite().await;
    let ids = peupler(&source).await;
    // The target holds the key that signed the log, as `PACTE_CLE_AUDIT` gives it.
    let cle = source
        .chemin_cle_audit()
        .expect("clé à côté de la base")
        .to_path_buf();
    let cible = Base::ouvrir_avec(&banc.url().await, pacte_store::SourceCle::Fichier(cle))
        .await
        .expect("base cible");
    assert_eq!(cible.moteur(), banc.moteur());
    let rapport = sauvegarde::migrer(&source, &cible).await.expect("migration");
    assert!(rapport.identiques(), "{rapport:?}");
    assert_eq!(rapport.cible.audit.0, 1 + ENTREES_PEUPLER);
    assert_eq!(tout_lire(&cible).await, tout_lire(&source).await);
    assert_eq!(audit_intact(&cible).await, 1 + ENTREES_PEUPLER);

    // The target accepts new writes; its ids do not collide with the moved ones.
    let s = source.sauvegarde().await.unwrap();
    let t = cible
        .ajouter_fiche(
            ids[0],
            &FicheBuilder::new("1.2", "AT-1-1.1-02", Montant::euros(1_000)).build(),
            "alice",
            |_| Ok(()),
        )
        .await
        .expect("ajout après migration");
    assert!(s.fiches.iter().all(|f| f.id < t.id));
    let nouveau = cible
        .importer(&jeu_national(4, 5)[3..], IMPORT)
        .await
        .expect("import après migration")[0];
    assert!(s.contrats.iter().all(|c| c.id < nouveau));
    let lu = cible.contrat(ids[1]).await.unwrap();
    let mut f = lu.contrat.fiches[0].clone();
    f.intitule = "Modifiée après migration".into();
    cible
        .modifier_fiche(ids[1], f.numero, &f, lu.fiches[0].version, "bruno", |_| Ok(()))
        .await
        .unwrap();
    assert_eq!(audit_intact(&cible).await, 1 + ENTREES_PEUPLER + 1 + 6 + 1);

    // And back to SQLite.
    let retour = banc.base_sqlite().await;
    let rapport = sauvegarde::migrer(&cible, &retour)
        .await
        .expect("migration retour");
    assert!(rapport.identiques(), "{rapport:?}");
    assert_eq!(tout_lire(&retour).await, tout_lire(&cible).await);
    audit_intact(&retour).await;
});

// A fiche number identifies a fiche within its contract: taking a number already used is
// refused on both engines (a uniqueness violation of the database, turned into a message).
conformite!(numero_de_fiche_deja_pris, |banc: Banc| async move {
    let base = banc.base().await;
    let id = base
        .importer(&[contrat_metropole_minimal()], IMPORT)
        .await
        .unwrap()[0];
    let entrees = audit_intact(&base).await;
    let lu = base.contrat(id).await.unwrap();
    let k = indice(&lu, numero("2.1"));
    let mut f = lu.contrat.fiches[k].clone();
    f.numero = numero("3.1");
    let e = base
        .modifier_fiche(id, numero("2.1"), &f, lu.fiches[k].version, "alice", |_| Ok(()))
        .await
        .expect_err("le numéro 3.1 est pris");
    assert!(matches!(e, ErreurStore::Invalide(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "le numéro de fiche 3.1 est déjà pris dans ce contrat"
    );
    let doublon = FicheBuilder::new("4.1", "AT-4-4.1-01", Montant::euros(1_000)).build();
    let e = base
        .ajouter_fiche(id, &doublon, "alice", |_| Ok(()))
        .await
        .expect_err("le numéro 4.1 est pris");
    assert_eq!(
        e.to_string(),
        "le numéro de fiche 4.1 est déjà pris dans ce contrat"
    );
    assert_eq!(base.contrat(id).await.unwrap(), lu, "rien n'a été écrit");
    assert_eq!(audit_intact(&base).await, entrees);

    // Renumbering to a free number: the fiche is then found under its new number only.
    f.numero = numero("2.7");
    base.modifier_fiche(id, numero("2.1"), &f, lu.fiches[k].version, "alice", |_| Ok(()))
        .await
        .expect("renumérotation");
    let relu = base.contrat(id).await.unwrap();
    assert_eq!(relu.contrat.fiches[k], f);
    let e = base
        .modifier_fiche(id, numero("2.1"), &f, 2, "alice", |_| Ok(()))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), format!("fiche 2.1 du contrat {id} introuvable"));
    let e = base
        .ajouter_fiche(987_654, &doublon, "alice", |_| Ok(()))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "contrat 987654 introuvable");
    assert_eq!(audit_intact(&base).await, entrees + 1);
});

// Ids of deleted records are never handed out again, not even after a restore: the audit log
// names records by id, so a reused id would merge the histories of two different fiches.
conformite!(
    identifiants_non_reutilises_apres_restauration,
    |banc: Banc| async move {
        let source = banc.base().await;
        let ids = peupler(&source).await;
        // Deletes the fiche with the highest id.
        let lu = source.contrat(ids[3]).await.unwrap();
        let (f, t) = (lu.contrat.fiches.last().unwrap(), lu.fiches.last().unwrap());
        source
            .supprimer_fiche(ids[3], f.numero, t.version, "alice", |_| Ok(()))
            .await
            .unwrap();
        let supprimee = t.id;
        let cible = banc.base().await;
        sauvegarde::migrer(&source, &cible).await.unwrap();

        let nouvelle = FicheBuilder::new("1.9", "AT-1-1.1-02", Montant::euros(1_000)).build();
        let dans_source = source
            .ajouter_fiche(ids[0], &nouvelle, "alice", |_| Ok(()))
            .await
            .unwrap();
        assert_ne!(
            dans_source.id, supprimee,
            "la base d'origine ne réutilise pas l'identifiant"
        );
        let dans_cible = cible
            .ajouter_fiche(ids[0], &nouvelle, "alice", |_| Ok(()))
            .await
            .unwrap();
        assert_ne!(
            dans_cible.id, supprimee,
            "après restauration, la nouvelle fiche reçoit l'identifiant {supprimee} de la fiche supprimée : \
         le journal mêle l'histoire des deux fiches"
        );
        assert_eq!(dans_cible.id, dans_source.id);
    }
);

// 10. The engine's integrity check finds nothing on a sound base.
conformite!(integrite_d_une_base_saine, |banc: Banc| async move {
    let base = banc.base().await;
    assert_eq!(base.integrite().await.expect("contrôle"), Vec::<String>::new());
    let ids = peupler(&base).await;
    let lu = base.contrat(ids[2]).await.unwrap();
    base.supprimer_fiche(
        ids[2],
        lu.contrat.fiches[0].numero,
        lu.fiches[0].version,
        "alice",
        |_| Ok(()),
    )
    .await
    .unwrap();
    assert_eq!(base.integrite().await.expect("contrôle"), Vec::<String>::new());
    audit_intact(&base).await;
});

// 11. Deleting a fiche is audited.
conformite!(suppression_de_fiche_journalisee, |banc: Banc| async move {
    let base = banc.base().await;
    let id = base
        .importer(&[contrat_metropole_minimal()], IMPORT)
        .await
        .unwrap()[0];
    let lu = base.contrat(id).await.unwrap();
    let n = numero("3.1");
    let k = indice(&lu, n);
    let avant = serde_json::to_string(&lu.contrat.fiches[k]).unwrap();

    // A stale version is refused.
    let mut f = lu.contrat.fiches[k].clone();
    f.intitule = "Revue".into();
    base.modifier_fiche(id, n, &f, lu.fiches[k].version, "bruno", |_| Ok(()))
        .await
        .unwrap();
    let e = base
        .supprimer_fiche(id, n, lu.fiches[k].version, "alice", |_| Ok(()))
        .await
        .expect_err("version périmée");
    assert!(
        matches!(&e, ErreurStore::Conflit { par, .. } if par == "bruno"),
        "{e:?}"
    );
    assert!(e.to_string().contains("rien n'a été écrit"));
    assert_eq!(base.contrat(id).await.unwrap().contrat.fiches.len(), 4);

    let lu = base.contrat(id).await.unwrap();
    base.supprimer_fiche(id, n, lu.fiches[k].version, "alice", |_| Ok(()))
        .await
        .expect("suppression");
    let apres = base.contrat(id).await.unwrap();
    assert_eq!(apres.contrat.fiches.len(), 3);
    assert!(apres.contrat.fiches.iter().all(|f| f.numero != n));
    let derniere = journal(&base).await.pop().unwrap();
    assert_eq!(derniere.operation, "suppression");
    assert_eq!(derniere.entite, "fiche");
    assert_eq!(derniere.entite_id, lu.fiches[k].id.to_string());
    assert_eq!(derniere.acteur, "alice");
    assert_eq!(derniere.apres, None);
    assert_eq!(
        derniere.avant.as_deref(),
        Some(serde_json::to_string(&lu.contrat.fiches[k]).unwrap().as_str())
    );
    assert_ne!(
        derniere.avant.as_deref(),
        Some(avant.as_str()),
        "l'état d'avant est le dernier"
    );
    assert_eq!(audit_intact(&base).await, 1 + 5 + 1 + 1);
    assert_eq!(base.contrats().await.unwrap()[0].fiches, 3);

    // Deleting it again: not found.
    let e = base
        .supprimer_fiche(id, n, 2, "alice", |_| Ok(()))
        .await
        .unwrap_err();
    assert!(matches!(e, ErreurStore::Introuvable { .. }), "{e:?}");
    assert_eq!(e.to_string(), format!("fiche 3.1 du contrat {id} introuvable"));
    // Its number is free again.
    base.ajouter_fiche(
        id,
        &FicheBuilder::new("3.1", "AT-3-II-2-01", Montant::euros(5_000)).build(),
        "alice",
        |_| Ok(()),
    )
    .await
    .expect("nouvelle fiche 3.1");
    audit_intact(&base).await;
});

// A NUL character cannot be stored as text by PostgreSQL: it is refused on both engines with a
// clear message, and nothing is written.
conformite!(caractere_nul_refuse, |banc: Banc| async move {
    let base = banc.base().await;
    let mut c = contrat_metropole_minimal();
    c.fiches[0].intitule = "Aller\u{0}vers".into();
    let e = base.importer(&[c], IMPORT).await.unwrap_err();
    assert!(e.to_string().contains("caractère nul"), "{e}");
    assert_eq!(base.compter("contrats").await.unwrap(), 0);
});

// 12. Guards: a header write's guard judges the contract re-read inside the write's
// transaction (fiches written since the caller's read included); a fiche write's guard judges
// the header as stored. A refusal writes nothing.
conformite!(gardes_dans_la_transaction, |banc: Banc| async move {
    let base = banc.base().await;
    let id = base
        .importer(&[contrat_metropole_minimal()], IMPORT)
        .await
        .unwrap()[0];
    let lu = base.contrat(id).await.unwrap();
    let n = numero("2.1");
    let k = indice(&lu, n);

    // Alice changes fiche 2.1 after Bruno's read: Bruno's header guard sees her change.
    let mut f = lu.contrat.fiches[k].clone();
    f.intitule = "Revue par Alice".into();
    base.modifier_fiche(id, n, &f, lu.fiches[k].version, "alice", |_| Ok(()))
        .await
        .unwrap();
    let entrees = base.compter("audit").await.unwrap();
    let mut e = lu.contrat.contrat.clone();
    e.etat = EtatContrat::Valide;
    let err = base
        .modifier_entete(id, &e, lu.tampon.version, "bruno", |c: &Contrat| {
            if c.fiches.iter().any(|f| f.intitule == "Revue par Alice") {
                Err(Refus::avec_codes(
                    "Refusé : fiche 2.1 revue",
                    vec!["R-TEST-01".into()],
                ))
            } else {
                Ok(())
            }
        })
        .await
        .expect_err("la garde voit la fiche écrite depuis la lecture");
    assert!(
        matches!(&err, ErreurStore::Refus(r) if r.codes == ["R-TEST-01"]),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "Refusé : fiche 2.1 revue");
    assert_eq!(base.compter("audit").await.unwrap(), entrees, "rien n'est écrit");
    assert_eq!(base.contrat(id).await.unwrap().tampon.version, lu.tampon.version);

    // Accepted: written.
    base.modifier_entete(id, &e, lu.tampon.version, "bruno", |c: &Contrat| {
        assert_eq!(
            c.contrat.etat, lu.contrat.contrat.etat,
            "la garde voit l'état d'avant"
        );
        Ok(())
    })
    .await
    .unwrap();

    // The fiche writes' guards see the state written since.
    let lu = base.contrat(id).await.unwrap();
    let pas_valide = |e: &pacte_core::contrat::EnTete| {
        if e.etat == EtatContrat::Valide {
            Err(Refus::new("contrat validé"))
        } else {
            Ok(())
        }
    };
    let mut f = lu.contrat.fiches[k].clone();
    f.intitule = "Trop tard".into();
    let err = base
        .modifier_fiche(id, n, &f, lu.fiches[k].version, "alice", pas_valide)
        .await
        .unwrap_err();
    assert!(matches!(err, ErreurStore::Refus(_)), "{err:?}");
    let err = base
        .supprimer_fiche(id, n, lu.fiches[k].version, "alice", pas_valide)
        .await
        .unwrap_err();
    assert!(matches!(err, ErreurStore::Refus(_)), "{err:?}");
    let nouvelle = FicheBuilder::new("3.9", "AT-3-II-2-01", Montant::euros(5_000)).build();
    let err = base
        .ajouter_fiche(id, &nouvelle, "alice", pas_valide)
        .await
        .unwrap_err();
    assert!(matches!(err, ErreurStore::Refus(_)), "{err:?}");
    assert_eq!(base.contrat(id).await.unwrap(), lu, "rien n'est écrit");
    // A missing contract is reported as such, before any guard.
    let err = base
        .ajouter_fiche(987_654, &nouvelle, "alice", pas_valide)
        .await
        .unwrap_err();
    assert!(matches!(err, ErreurStore::Introuvable { .. }), "{err:?}");
    audit_intact(&base).await;
});

// 13. Races between a header write whose guard refuses a contract holding a marked fiche and
// a fiche write (marking it) whose guard refuses a validated contract: whichever the engine
// serialises first, the other is refused. Never both.
conformite!(courses_entete_et_fiche, |banc: Banc| async move {
    const COURSES: usize = 40;
    let base = banc.base().await;
    let ids = base
        .importer(&vec![contrat_metropole_minimal(); COURSES], IMPORT)
        .await
        .unwrap();
    let n = numero("2.1");
    let mut taches = Vec::new();
    for &id in &ids {
        let lu = base.contrat(id).await.unwrap();
        let k = indice(&lu, n);
        let depart = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let validation = {
            let (base, depart, mut e) = (base.clone(), depart.clone(), lu.contrat.contrat.clone());
            e.etat = EtatContrat::Valide;
            let version = lu.tampon.version;
            tokio::spawn(async move {
                depart.wait().await;
                base.modifier_entete(id, &e, version, "commissaire", |c: &Contrat| {
                    if c.fiches.iter().any(|f| f.intitule == "BLOQUANT") {
                        Err(Refus::new("constat bloquant"))
                    } else {
                        Ok(())
                    }
                })
                .await
            })
        };
        let ecriture = {
            let (base, depart, mut f) = (base.clone(), depart.clone(), lu.contrat.fiches[k].clone());
            f.intitule = "BLOQUANT".into();
            let version = lu.fiches[k].version;
            tokio::spawn(async move {
                depart.wait().await;
                base.modifier_fiche(id, n, &f, version, "editeur", |e| {
                    if e.etat == EtatContrat::Valide {
                        Err(Refus::new("contrat validé"))
                    } else {
                        Ok(())
                    }
                })
                .await
            })
        };
        taches.push((id, validation, ecriture));
    }
    let mut gagnants = (0, 0);
    for (id, validation, ecriture) in taches {
        let (v, e) = (validation.await.unwrap(), ecriture.await.unwrap());
        match (&v, &e) {
            (Ok(_), Err(ErreurStore::Refus(_))) => gagnants.0 += 1,
            (Err(ErreurStore::Refus(_)), Ok(_)) => gagnants.1 += 1,
            _ => panic!("contrat {id} : validation {v:?}, écriture {e:?}"),
        }
        let c = base.contrat(id).await.unwrap().contrat;
        let marque = c.fiches.iter().any(|f| f.intitule == "BLOQUANT");
        assert!(
            !(c.contrat.etat == EtatContrat::Valide && marque),
            "contrat {id} validé avec la fiche marquée"
        );
    }
    println!(
        "{COURSES} courses sur {:?} : validation d'abord {}, fiche d'abord {}",
        banc.moteur(),
        gagnants.0,
        gagnants.1
    );
    audit_intact(&base).await;
});

// 14. The list reads a contract's state once, typed: a state column that is no state (written
// behind the application's back) is reported, not passed on as text.
conformite!(etat_illisible_signale, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let id = base
        .importer(&[contrat_metropole_minimal()], IMPORT)
        .await
        .unwrap()[0];
    assert_eq!(base.contrats().await.unwrap()[0].etat, EtatContrat::EnExecution);
    falsifier(
        &url,
        &format!("UPDATE contrats SET etat = 'approuve' WHERE id = {id}"),
    )
    .await;
    let e = base.contrats().await.unwrap_err();
    assert!(matches!(e, ErreurStore::Corrompue(_)), "{e:?}");
    assert!(e.to_string().contains("« approuve »"), "{e}");
});
