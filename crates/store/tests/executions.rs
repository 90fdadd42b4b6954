//! The financial execution of a contract, on both engines: one versioned document per
//! contract, written through the audited write path (before/after), refused on a stale
//! version or by the caller's guard without writing anything, and kept by backups.

#[macro_use]
mod commun;

use commun::{Banc, executer};
use pacte_core::contrat::EtatContrat;
use pacte_core::execution::{Execution, execution_simulee};
use pacte_core::fabrique::contrat_metropole_minimal;
use pacte_store::{Base, ErreurStore, Moteur, Refus};

const ACTEUR: &str = "utilisateur:1:ddets@test";

async fn contrat_signe(base: &Base) -> i64 {
    let mut c = contrat_metropole_minimal();
    c.contrat.etat = EtatContrat::EnExecution;
    base.importer(&[c], "import:test").await.expect("import")[0]
}

conformite!(execution_ecrite_versionnee_et_auditee, |banc: Banc| async move {
    let base = banc.base().await;
    let id = contrat_signe(&base).await;
    let vide = base.execution(id).await.unwrap();
    assert_eq!(vide.tampon.version, 0);
    assert_eq!(vide.execution, Execution::default());
    let contrat = base.contrat(id).await.unwrap().contrat;
    let simulee = execution_simulee(&contrat, 3);
    assert_ne!(
        simulee,
        Execution::default(),
        "la simulation devrait produire des lignes"
    );
    let attendue = simulee.clone();
    let t = base
        .enregistrer_execution(id, 0, ACTEUR, move |_, avant| {
            assert_eq!(avant, &Execution::default());
            Ok(attendue)
        })
        .await
        .unwrap();
    assert_eq!((t.id, t.version, t.modifie_par.as_str()), (id, 1, ACTEUR));
    let lue = base.execution(id).await.unwrap();
    assert_eq!((lue.tampon.version, &lue.execution), (1, &simulee));

    // A second write changes one payment; the audit entry holds the document before and after.
    let mut modifiee = simulee.clone();
    modifiee.versements.truncate(1);
    let m = modifiee.clone();
    base.enregistrer_execution(id, 1, ACTEUR, move |_, _| Ok(m))
        .await
        .unwrap();
    assert_eq!(base.execution(id).await.unwrap().execution, modifiee);
    let journal = base.sauvegarde().await.unwrap().audit;
    let entrees: Vec<_> = journal.iter().filter(|e| e.entite == "execution").collect();
    assert_eq!(entrees.len(), 2);
    assert_eq!(entrees[0].operation, "creation");
    assert_eq!(entrees[1].operation, "modification");
    let avant: Execution = serde_json::from_str(entrees[1].avant.as_deref().unwrap()).unwrap();
    let apres: Execution = serde_json::from_str(entrees[1].apres.as_deref().unwrap()).unwrap();
    assert_eq!((avant, apres), (simulee.clone(), modifiee.clone()));
    assert_eq!(base.verifier_audit().await.unwrap().rupture, None);

    // A stale version is a conflict, a guard's refusal is passed on: nothing written.
    let r = base
        .enregistrer_execution(id, 1, ACTEUR, |_, _| Ok(Execution::default()))
        .await;
    assert!(
        matches!(
            r,
            Err(ErreurStore::Conflit {
                attendue: 1,
                actuelle: 2,
                ..
            })
        ),
        "{r:?}"
    );
    let r = base
        .enregistrer_execution(id, 2, ACTEUR, |_, _| Err(Refus::new("non")))
        .await;
    assert!(matches!(r, Err(ErreurStore::Refus(_))), "{r:?}");
    let lue = base.execution(id).await.unwrap();
    assert_eq!((lue.tampon.version, lue.execution), (2, modifiee));

    // An unknown contract.
    assert!(matches!(
        base.execution(id + 1000).await,
        Err(ErreurStore::Introuvable { .. })
    ));
    assert!(matches!(
        base.enregistrer_execution(id + 1000, 0, ACTEUR, |_, _| Ok(Execution::default()))
            .await,
        Err(ErreurStore::Introuvable { .. })
    ));
});

conformite!(sauvegarde_garde_les_executions, |banc: Banc| async move {
    let source = banc.base().await;
    let id = contrat_signe(&source).await;
    let contrat = source.contrat(id).await.unwrap().contrat;
    let simulee = execution_simulee(&contrat, 7);
    let s2 = simulee.clone();
    source
        .enregistrer_execution(id, 0, ACTEUR, move |_, _| Ok(s2))
        .await
        .unwrap();
    let s = source.sauvegarde().await.unwrap();
    assert_eq!(s.executions.len(), 1);
    let texte = serde_json::to_string(&s).unwrap();
    let s: pacte_store::sauvegarde::Sauvegarde = serde_json::from_str(&texte).unwrap();
    let cible = match banc.moteur() {
        Moteur::Postgres => banc.base_sqlite().await,
        Moteur::Sqlite => banc.base().await,
    };
    cible.restaurer(&s).await.expect("restauration");
    assert_eq!(
        cible.empreinte().await.unwrap(),
        source.empreinte().await.unwrap()
    );
    let lue = cible.execution(id).await.unwrap();
    assert_eq!((lue.tampon.version, lue.execution), (1, simulee));
    assert_eq!(cible.verifier_audit().await.unwrap().rupture, None);
});

conformite!(avenant_et_piece_dans_la_meme_ecriture, |banc: Banc| async move {
    use pacte_store::pieces::NouvellePiece;
    let base = banc.base().await;
    let id = contrat_signe(&base).await;
    let pdf = b"%PDF-1.7\nAvenant 2025 signe\n%%EOF\n".to_vec();
    let piece = NouvellePiece {
        contrat_id: id,
        fiche_id: None,
        acte_id: None,
        nom: "avenant-2025.pdf",
        contenu: &pdf,
    };
    // The guard refuses: neither the document nor the execution is written.
    let r = base
        .enregistrer_execution_avec_piece(id, 0, ACTEUR, Some(&piece), |_, _, _| Err(Refus::new("non")))
        .await;
    assert!(matches!(r, Err(ErreurStore::Refus(_))), "{r:?}");
    assert!(base.pieces(id).await.unwrap().is_empty());
    // A document that is not of an accepted type: nothing written either.
    let texte = NouvellePiece {
        contenu: b"pas un PDF",
        ..piece.clone()
    };
    let r = base
        .enregistrer_execution_avec_piece(id, 0, ACTEUR, Some(&texte), |_, e, _| Ok(e.clone()))
        .await;
    assert!(matches!(r, Err(ErreurStore::Invalide(_))), "{r:?}");
    assert_eq!(base.execution(id).await.unwrap().tampon.version, 0);
    // Accepted: the guard gets the document's id, both are written with their audit entries.
    let t = base
        .enregistrer_execution_avec_piece(id, 0, ACTEUR, Some(&piece), |_, e, p| {
            let mut apres = e.clone();
            apres.avenants.push(pacte_core::execution::Avenant {
                annee: pacte_core::Annee::TOUTES[1],
                date: None,
                accord_etat: None,
                accord_collectivite: None,
                lignes: Vec::new(),
                piece: p,
            });
            Ok(apres)
        })
        .await
        .unwrap();
    assert_eq!(t.version, 1);
    let pieces = base.pieces(id).await.unwrap();
    assert_eq!(pieces.len(), 1);
    let e = base.execution(id).await.unwrap().execution;
    assert_eq!(e.avenants[0].piece, Some(pieces[0].id));
    assert_eq!(base.piece(pieces[0].id).await.unwrap().1, pdf);
    let journal = base.sauvegarde().await.unwrap().audit;
    assert!(journal.iter().any(|x| x.entite == "execution"));
    assert!(journal.iter().any(|x| x.entite == "piece"));
    assert_eq!(base.verifier_audit().await.unwrap().rupture, None);
});
