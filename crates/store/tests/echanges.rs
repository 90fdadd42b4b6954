//! Exchanges (migration 0009) and one contract per collectivity and period, on both engines.

#[macro_use]
#[allow(dead_code)]
mod commun;

use commun::{Banc, executer};
use pacte_core::Montant;
use pacte_core::echanges::{ActionEchange, EtatDemande, MESSAGE_MAX};
use pacte_core::fabrique::contrat_metropole_minimal;
use pacte_store::comptes::NouvelUtilisateur;
use pacte_store::echanges::{Auteur, Fil};
use pacte_store::{ErreurStore, Moteur};

fn ddets() -> Auteur {
    Auteur {
        compte_id: None,
        role: "ddets".into(),
    }
}

async fn compte(base: &pacte_store::Base, email: &str, role: &str, perimetre: &str) -> i64 {
    base.creer_utilisateur(
        &NouvelUtilisateur {
            email: email.into(),
            nom: email.into(),
            hash_mot_de_passe: None,
            role: role.into(),
            perimetre: perimetre.into(),
        },
        "test",
    )
    .await
    .expect("compte")
    .id
}

conformite!(demande_ouverte_repondue_resolue, |banc: Banc| async move {
    let base = banc.base().await;
    let id = base
        .importer(&[contrat_metropole_minimal()], "test")
        .await
        .unwrap()[0];
    let fil = Fil {
        contrat_id: id,
        fiche: Some("1.1".into()),
    };
    let d = base
        .demander_correction(
            &fil,
            Some("Financement 2024"),
            &ddets(),
            "  Le cofinancement manque.  ",
            "ddets:test",
        )
        .await
        .unwrap();
    assert_eq!(
        (d.etat, d.tampon.version, d.texte.as_str()),
        (EtatDemande::Ouverte, 1, "Le cofinancement manque.")
    );
    // Resolving an unanswered request is refused, nothing written.
    let e = base
        .faire_avancer_demande(
            d.tampon.id,
            ActionEchange::Resoudre,
            1,
            &ddets(),
            "",
            "ddets:test",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ErreurStore::Refus(_)), "{e}");
    let editeur = Auteur {
        compte_id: None,
        role: "collectivite_editeur".into(),
    };
    let r = base
        .faire_avancer_demande(
            d.tampon.id,
            ActionEchange::Repondre,
            1,
            &editeur,
            "Ajouté.",
            "editeur:test",
        )
        .await
        .unwrap();
    assert_eq!((r.etat, r.tampon.version), (EtatDemande::Repondue, 2));
    // A stale version is a conflict.
    let e = base
        .faire_avancer_demande(
            d.tampon.id,
            ActionEchange::Resoudre,
            1,
            &ddets(),
            "",
            "ddets:test",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ErreurStore::Conflit { .. }), "{e}");
    let fin = base
        .faire_avancer_demande(
            d.tampon.id,
            ActionEchange::Resoudre,
            2,
            &ddets(),
            "",
            "ddets:test",
        )
        .await
        .unwrap();
    assert_eq!(fin.etat, EtatDemande::Resolue);
    assert_eq!(
        base.demande_correction(d.tampon.id).await.unwrap().etat,
        EtatDemande::Resolue
    );
    // The fiche's thread holds the request, the answer and the resolution, in order; the
    // contract's own thread holds none of them.
    let fiche = base.messages(&fil).await.unwrap();
    let textes: Vec<&str> = fiche.iter().map(|m| m.texte.as_str()).collect();
    assert_eq!(
        textes,
        [
            "Le cofinancement manque.",
            "Ajouté.",
            "Demande de correction résolue."
        ]
    );
    assert!(fiche.iter().all(|m| m.demande_id == Some(d.tampon.id)));
    let propre = Fil {
        contrat_id: id,
        fiche: None,
    };
    assert!(base.messages(&propre).await.unwrap().is_empty());
    // Every step is audited, and the chain still verifies.
    let rapport = base.verifier_audit().await.unwrap();
    assert!(rapport.rupture.is_none(), "{rapport:?}");
    let journal = base.journal(0, 10_000).await.unwrap();
    let ops: Vec<(&str, &str)> = journal
        .iter()
        .filter(|e| e.entite == "demande_correction")
        .map(|e| (e.entite.as_str(), e.operation.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            ("demande_correction", "creation"),
            ("demande_correction", "reponse"),
            ("demande_correction", "resolution")
        ]
    );
    assert_eq!(journal.iter().filter(|e| e.entite == "message").count(), 3);
});

conformite!(textes_bornes_et_fil_existant, |banc: Banc| async move {
    let base = banc.base().await;
    let id = base
        .importer(&[contrat_metropole_minimal()], "test")
        .await
        .unwrap()[0];
    let fil = Fil {
        contrat_id: id,
        fiche: None,
    };
    let avant = base.journal(0, 10_000).await.unwrap().len();
    let e = base
        .ecrire_message(&fil, &ddets(), "   ", None, "t")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("vide"), "{e}");
    let e = base
        .ecrire_message(&fil, &ddets(), &"x".repeat(MESSAGE_MAX + 1), None, "t")
        .await
        .unwrap_err();
    assert!(e.to_string().contains(&MESSAGE_MAX.to_string()), "{e}");
    let e = base
        .ecrire_message(
            &Fil {
                contrat_id: id,
                fiche: Some("4.9".into()),
            },
            &ddets(),
            "Bonjour",
            None,
            "t",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ErreurStore::Introuvable { .. }), "{e}");
    assert_eq!(
        base.journal(0, 10_000).await.unwrap().len(),
        avant,
        "rien d'écrit"
    );
    let m = base
        .ecrire_message(&fil, &ddets(), &"é".repeat(MESSAGE_MAX), None, "t")
        .await
        .unwrap();
    assert_eq!(m.texte.chars().count(), MESSAGE_MAX);
});

conformite!(non_lus_par_compte, |banc: Banc| async move {
    let base = banc.base().await;
    let id = base
        .importer(&[contrat_metropole_minimal()], "test")
        .await
        .unwrap()[0];
    let a = compte(&base, "ddets@example.fr", "ddets", "departement:13").await;
    let b = compte(
        &base,
        "editeur@example.fr",
        "collectivite_editeur",
        "collectivite:200054807",
    )
    .await;
    let fil = Fil {
        contrat_id: id,
        fiche: None,
    };
    let de_a = Auteur {
        compte_id: Some(a),
        role: "ddets".into(),
    };
    base.ecrire_message(&fil, &de_a, "Premier", None, "a")
        .await
        .unwrap();
    base.demander_correction(&fil, None, &de_a, "Second", "a")
        .await
        .unwrap();
    // Its own messages are not unread for their author; the editor has two.
    let pour_a = base.etat_echanges(a, &[id]).await.unwrap();
    assert_eq!((pour_a[0].non_lus, pour_a[0].demandes_en_cours), (0, 1));
    let pour_b = base.etat_echanges(b, &[id]).await.unwrap();
    assert_eq!((pour_b[0].non_lus, pour_b[0].demandes_en_cours), (2, 1));
    base.marquer_lu(b, id).await.unwrap();
    assert_eq!(base.etat_echanges(b, &[id]).await.unwrap()[0].non_lus, 0);
    base.ecrire_message(&fil, &de_a, "Troisième", None, "a")
        .await
        .unwrap();
    assert_eq!(base.etat_echanges(b, &[id]).await.unwrap()[0].non_lus, 1);
    // The marks are per account: A's mark did not move B's count, nor B's A's.
    assert_eq!(base.etat_echanges(a, &[id]).await.unwrap()[0].non_lus, 0);
});

conformite!(un_seul_contrat_par_collectivite, |banc: Banc| async move {
    let base = banc.base().await;
    let c = contrat_metropole_minimal();
    let id = base.creer_contrat(&c, "test").await.unwrap();
    let e = base.creer_contrat(&c, "test").await.unwrap_err();
    match e {
        ErreurStore::Refus(r) => assert!(
            r.message.contains(&format!("contrat n° {id}")) && r.message.contains("2024-2027"),
            "{}",
            r.message
        ),
        autre => panic!("attendu un refus, reçu {autre}"),
    }
    assert_eq!(base.contrats().await.unwrap().len(), 1);
    assert_eq!(base.contrat_de_collectivite("200054807").await.unwrap(), Some(id));
});

conformite!(creations_concurrentes_une_seule_passe, |banc: Banc| async move {
    let base = banc.base().await;
    let c = contrat_metropole_minimal();
    let mut taches = Vec::new();
    for _ in 0..8 {
        let (base, c) = (base.clone(), c.clone());
        taches.push(tokio::spawn(
            async move { base.creer_contrat(&c, "course").await },
        ));
    }
    let mut reussies = 0;
    for t in taches {
        match t.await.unwrap() {
            Ok(_) => reussies += 1,
            Err(ErreurStore::Refus(_)) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(reussies, 1);
    assert_eq!(base.contrats().await.unwrap().len(), 1);
});

conformite!(remplacement_comme_nouvelle_version, |banc: Banc| async move {
    let base = banc.base().await;
    let c = contrat_metropole_minimal();
    let id = base.creer_contrat(&c, "test").await.unwrap();
    let revision = base.revision(id).await.unwrap().unwrap();
    let mut nouveau = c.clone();
    nouveau.contrat.intitule = Some("Nouvel intitulé".into());
    nouveau.fiches[1].intitule = "Fiche 2.1 modifiée".into();
    nouveau.fiches.remove(2); // 3.1 gone
    let mut ajout = c.fiches[0].clone();
    ajout.numero = pacte_core::NumeroFiche::parse("1.2").unwrap();
    ajout
        .financement
        .etat
        .values_mut()
        .for_each(|m| *m = Montant::euros(1_000));
    nouveau.fiches.push(ajout);
    // A guard's refusal writes nothing.
    let e = base
        .remplacer_contrat(id, &nouveau, revision, "t", |_| {
            Err(pacte_store::Refus::new("non"))
        })
        .await
        .unwrap_err();
    assert!(matches!(e, ErreurStore::Refus(_)));
    base.remplacer_contrat(id, &nouveau, revision, "t", |_| Ok(()))
        .await
        .unwrap();
    let lu = base.contrat(id).await.unwrap();
    assert_eq!(lu.contrat, nouveau);
    assert!(base.ecarts_montants().await.unwrap().is_empty());
    let rapport = base.verifier_audit().await.unwrap();
    assert!(rapport.rupture.is_none(), "{rapport:?}");
    // The revision moved: the same confirmation again is a conflict.
    let e = base
        .remplacer_contrat(id, &c, revision, "t", |_| Ok(()))
        .await
        .unwrap_err();
    assert!(matches!(e, ErreurStore::Conflit { .. }), "{e}");
    // Another collectivity's file never replaces this contract.
    let mut autre = c.clone();
    autre.contrat.collectivite = "13".into();
    let r = base.revision(id).await.unwrap().unwrap();
    let e = base
        .remplacer_contrat(id, &autre, r, "t", |_| Ok(()))
        .await
        .unwrap_err();
    assert!(matches!(e, ErreurStore::Invalide(_)), "{e}");
});

conformite!(sauvegarde_garde_les_echanges, |banc: Banc| async move {
    let source = banc.base().await;
    let id = source
        .importer(&[contrat_metropole_minimal()], "test")
        .await
        .unwrap()[0];
    let lecteur = compte(&source, "ddets@exemple.fr", "ddets", "departement:34").await;
    let fil = Fil {
        contrat_id: id,
        fiche: Some("1.1".into()),
    };
    source
        .ecrire_message(&fil, &ddets(), "Merci de préciser le public.", None, "t")
        .await
        .unwrap();
    let d = source
        .demander_correction(&fil, Some("Public"), &ddets(), "Public à préciser.", "t")
        .await
        .unwrap();
    source.marquer_lu(lecteur, id).await.unwrap();
    let s = source.sauvegarde().await.unwrap();
    assert_eq!(
        (
            s.messages.len(),
            s.demandes_correction.len(),
            s.lectures_messages.len()
        ),
        (2, 1, 1),
        "un message, une demande (avec son message) et une marque de lecture"
    );
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
    assert_eq!(
        cible.messages(&fil).await.unwrap(),
        source.messages(&fil).await.unwrap()
    );
    assert_eq!(
        cible.demandes_correction(id).await.unwrap(),
        source.demandes_correction(id).await.unwrap()
    );
    // A request written after the restore gets a new id.
    let apres = cible
        .demander_correction(&fil, None, &ddets(), "Encore une.", "t")
        .await
        .unwrap();
    assert!(apres.tampon.id > d.tampon.id);
});
