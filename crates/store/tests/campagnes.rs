//! The indicator campaigns and the mid-term evaluation, on both engines: relational rows
//! written through the audited write path, the state machine and the version checked inside
//! the write (a stale version is a conflict, nothing written), the history with the remarks of
//! a return, late submissions, and backups.

#[macro_use]
mod commun;

use commun::{Banc, executer};
use pacte_core::campagne::{
    CleValeur, DecisionMiParcours, EtatCampagne, RapportMiParcours, Transition, ValeurSaisie,
    echeance_par_defaut, lignes_attendues,
};
use pacte_core::contrat::EtatContrat;
use pacte_core::fabrique::contrat_metropole_minimal;
use pacte_core::{Annee, Date, Montant, NumeroFiche, Valeur};
use pacte_store::campagnes::NouvelleDecision;
use pacte_store::{Base, ErreurStore, Moteur, Refus};
use sqlx::Row;

const COLLECTIVITE: &str = "utilisateur:1:editeur@test";
const DDETS: &str = "utilisateur:2:ddets@test";
const A2024: Annee = Annee::TOUTES[0];

async fn contrat_signe(base: &Base) -> i64 {
    let mut c = contrat_metropole_minimal();
    c.contrat.etat = EtatContrat::EnExecution;
    base.importer(&[c], "import:test").await.expect("import")[0]
}

/// Every expected figure of the contract, realised = 10 + its rank.
async fn toutes_les_valeurs(base: &Base, id: i64) -> Vec<ValeurSaisie> {
    let c = base.contrat(id).await.unwrap().contrat;
    let mut v = lignes_attendues(&c, A2024)
        .into_iter()
        .enumerate()
        .map(|(i, l)| ValeurSaisie {
            realise: Some(Valeur::entier(10 + i as i64)),
            ..ValeurSaisie::vide(l.cle)
        })
        .collect::<Vec<_>>();
    v.sort_by(|a, b| a.cle.cmp(&b.cle));
    v
}

conformite!(cycle_complet_versionne_et_audite, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let id = contrat_signe(&base).await;
    // No campaign yet: writing is refused.
    let r = base
        .enregistrer_valeurs(A2024, id, 0, COLLECTIVITE, |_, _, _| Ok(Vec::new()))
        .await;
    assert!(matches!(r, Err(ErreurStore::Introuvable { .. })), "{r:?}");
    base.ouvrir_campagne(A2024, echeance_par_defaut(A2024), "admin")
        .await
        .unwrap();
    assert!(matches!(
        base.ouvrir_campagne(A2024, echeance_par_defaut(A2024), "admin")
            .await,
        Err(ErreurStore::Invalide(_))
    ));
    let suivi = base.suivi_campagne(A2024, id).await.unwrap();
    assert_eq!(
        (suivi.etat, suivi.tampon.version),
        (EtatCampagne::NonCommencee, 0)
    );

    let valeurs = toutes_les_valeurs(&base, id).await;
    assert!(valeurs.len() >= 2, "le contrat minimal attend des indicateurs");
    let v2 = valeurs.clone();
    let t = base
        .enregistrer_valeurs(A2024, id, 0, COLLECTIVITE, move |_, s, avant| {
            assert_eq!(s.etat, EtatCampagne::NonCommencee);
            assert!(avant.is_empty());
            Ok(v2)
        })
        .await
        .unwrap();
    assert_eq!(t.version, 1);
    assert_eq!(
        base.suivi_campagne(A2024, id).await.unwrap().etat,
        EtatCampagne::EnCours
    );
    assert_eq!(base.valeurs_campagne(A2024, id).await.unwrap(), valeurs);

    // The rows sum in SQL: the national figures of the year, in hundredths.
    let attendu: i64 = valeurs
        .iter()
        .filter(|v| v.cle.nature == pacte_core::campagne::NatureIndicateur::National)
        .map(|v| v.realise.unwrap().en_centiemes())
        .sum();
    let somme: Option<i64> = sqlx::query(
        "SELECT CAST(SUM(realise) AS BIGINT) AS s FROM valeurs_indicateurs WHERE annee = 2024 AND nature = 'national'",
    )
    .fetch_one(&sqlx::AnyPool::connect(&url).await.unwrap())
    .await
    .unwrap()
    .try_get("s")
    .unwrap();
    assert_eq!(somme.unwrap_or(0), attendu);

    // A stale version is a conflict; nothing written.
    let r = base
        .enregistrer_valeurs(A2024, id, 0, COLLECTIVITE, |_, _, _| Ok(Vec::new()))
        .await;
    assert!(
        matches!(
            r,
            Err(ErreurStore::Conflit {
                attendue: 0,
                actuelle: 1,
                ..
            })
        ),
        "{r:?}"
    );
    assert_eq!(base.valeurs_campagne(A2024, id).await.unwrap(), valeurs);

    // Submit (the guard sees the stored figures), then the figures are locked.
    let n = valeurs.len();
    base.changer_etat_campagne(
        A2024,
        id,
        1,
        Transition::Soumettre,
        None,
        &[],
        COLLECTIVITE,
        move |_, _, v| {
            assert_eq!(v.len(), n);
            Ok(())
        },
    )
    .await
    .unwrap();
    let r = base
        .enregistrer_valeurs(A2024, id, 2, COLLECTIVITE, |_, _, _| Ok(Vec::new()))
        .await;
    assert!(matches!(r, Err(ErreurStore::Refus(_))), "{r:?}");
    // Validate is refused from « en cours » only; a guard's refusal is passed on.
    let r = base
        .changer_etat_campagne(A2024, id, 2, Transition::Valider, None, &[], DDETS, |_, _, _| {
            Err(Refus::new("non"))
        })
        .await;
    assert!(matches!(r, Err(ErreurStore::Refus(_))), "{r:?}");
    // A return needs a reason or remarks.
    let r = base
        .changer_etat_campagne(A2024, id, 2, Transition::Renvoyer, None, &[], DDETS, |_, _, _| {
            Ok(())
        })
        .await;
    assert!(matches!(r, Err(ErreurStore::Invalide(_))), "{r:?}");
    let remarque = (
        valeurs[0].cle.clone(),
        "Ce chiffre double celui de 2023 : vérifier".to_string(),
    );
    base.changer_etat_campagne(
        A2024,
        id,
        2,
        Transition::Renvoyer,
        Some("Un chiffre à revoir"),
        std::slice::from_ref(&remarque),
        DDETS,
        |_, _, _| Ok(()),
    )
    .await
    .unwrap();
    // Corrected and submitted again, validated, reopened with a reason.
    let mut corrigees = valeurs.clone();
    corrigees[0].realise = Some(Valeur::entier(7));
    corrigees[0].commentaire = Some("Doublons retirés".into());
    let c2 = corrigees.clone();
    base.enregistrer_valeurs(A2024, id, 3, COLLECTIVITE, move |_, _, _| Ok(c2))
        .await
        .unwrap();
    base.changer_etat_campagne(
        A2024,
        id,
        4,
        Transition::Soumettre,
        None,
        &[],
        COLLECTIVITE,
        |_, _, _| Ok(()),
    )
    .await
    .unwrap();
    base.changer_etat_campagne(
        A2024,
        id,
        5,
        Transition::Valider,
        None,
        &[],
        "commissaire",
        |_, _, _| Ok(()),
    )
    .await
    .unwrap();
    let s = base.suivi_campagne(A2024, id).await.unwrap();
    assert_eq!((s.etat, s.tampon.version), (EtatCampagne::Validee, 6));
    assert!(s.validee_le.is_some());
    // 2024's deadline (31 March 2025) is past on the clock: the submissions were late.
    assert!(s.soumise_en_retard);
    let r = base
        .changer_etat_campagne(
            A2024,
            id,
            6,
            Transition::Rouvrir,
            None,
            &[],
            "commissaire",
            |_, _, _| Ok(()),
        )
        .await;
    assert!(matches!(r, Err(ErreurStore::Invalide(_))), "{r:?}");
    base.changer_etat_campagne(
        A2024,
        id,
        6,
        Transition::Rouvrir,
        Some("Erreur de périmètre signalée"),
        &[],
        "commissaire",
        |_, _, _| Ok(()),
    )
    .await
    .unwrap();
    let s = base.suivi_campagne(A2024, id).await.unwrap();
    assert_eq!((s.etat, s.validee_le), (EtatCampagne::EnCours, None));

    let h = base.transitions_campagne(A2024, id).await.unwrap();
    let etapes: Vec<&str> = h.iter().map(|t| t.transition.as_str()).collect();
    assert_eq!(
        etapes,
        [
            "saisir",
            "soumettre",
            "renvoyer",
            "saisir",
            "soumettre",
            "valider",
            "rouvrir"
        ]
    );
    assert_eq!(h[2].remarques, vec![remarque]);
    assert_eq!(h[6].motif.as_deref(), Some("Erreur de périmètre signalée"));
    let journal = base.sauvegarde().await.unwrap().audit;
    let ops: Vec<&str> = journal
        .iter()
        .filter(|e| e.entite == "campagne_contrat")
        .map(|e| e.operation.as_str())
        .collect();
    assert_eq!(
        ops,
        [
            "saisie",
            "soumettre",
            "renvoyer",
            "saisie",
            "soumettre",
            "valider",
            "rouvrir"
        ]
    );
    assert_eq!(base.verifier_audit().await.unwrap().rupture, None);
    // Transitions of an unknown contract.
    assert!(matches!(
        base.changer_etat_campagne(
            A2024,
            id + 99,
            0,
            Transition::Soumettre,
            None,
            &[],
            COLLECTIVITE,
            |_, _, _| Ok(())
        )
        .await,
        Err(ErreurStore::Introuvable { .. })
    ));
});

conformite!(prolongation_evite_le_retard, |banc: Banc| async move {
    let base = banc.base().await;
    let id = contrat_signe(&base).await;
    base.ouvrir_campagne(A2024, echeance_par_defaut(A2024), "admin")
        .await
        .unwrap();
    base.prolonger_campagne(A2024, id, 0, Some(Date::ymd(2100, 1, 1)), DDETS, |_, _| Ok(()))
        .await
        .unwrap();
    let v = toutes_les_valeurs(&base, id).await;
    base.enregistrer_valeurs(A2024, id, 1, COLLECTIVITE, move |_, _, _| Ok(v))
        .await
        .unwrap();
    base.changer_etat_campagne(
        A2024,
        id,
        2,
        Transition::Soumettre,
        None,
        &[],
        COLLECTIVITE,
        |_, _, _| Ok(()),
    )
    .await
    .unwrap();
    let s = base.suivi_campagne(A2024, id).await.unwrap();
    assert_eq!(s.prolongation, Some(Date::ymd(2100, 1, 1)));
    assert!(!s.soumise_en_retard);
    assert_eq!(base.suivis_campagne(A2024).await.unwrap(), vec![s]);
    // Moving the campaign's deadline is versioned too.
    base.modifier_echeance(A2024, Date::ymd(2025, 4, 30), 1, "admin")
        .await
        .unwrap();
    assert!(matches!(
        base.modifier_echeance(A2024, Date::ymd(2025, 4, 30), 1, "admin")
            .await,
        Err(ErreurStore::Conflit { .. })
    ));
    assert_eq!(
        base.campagne(A2024).await.unwrap().unwrap().echeance,
        Date::ymd(2025, 4, 30)
    );
});

conformite!(mi_parcours_et_sauvegarde, |banc: Banc| async move {
    let source = banc.base().await;
    let id = contrat_signe(&source).await;
    source
        .ouvrir_campagne(A2024, echeance_par_defaut(A2024), "admin")
        .await
        .unwrap();
    let v = toutes_les_valeurs(&source, id).await;
    source
        .enregistrer_valeurs(A2024, id, 0, COLLECTIVITE, move |_, _, _| Ok(v))
        .await
        .unwrap();
    source
        .changer_etat_campagne(
            A2024,
            id,
            1,
            Transition::Soumettre,
            None,
            &[],
            COLLECTIVITE,
            |_, _, _| Ok(()),
        )
        .await
        .unwrap();
    let rapport = RapportMiParcours {
        date_deliberation: Some(Date::ymd(2026, 3, 12)),
        date_envoi: Some(Date::ymd(2026, 3, 20)),
    };
    source
        .enregistrer_rapport_mi_parcours(id, 0, rapport, COLLECTIVITE, |_, _| Ok(()))
        .await
        .unwrap();
    let fiche = source.contrat(id).await.unwrap().contrat.fiches[0].numero;
    let d = NouvelleDecision {
        decision: DecisionMiParcours {
            fiche,
            etat_2027: Montant::euros(6_000),
            motif: "Cible 2025 atteinte à 40 %".into(),
        },
        etat_2027_prevu: Montant::euros(10_000),
        etat_2027_propose: Some(Montant::euros(4_000)),
    };
    source
        .decider_mi_parcours(id, 1, vec![d.clone()], "commissaire", |_, _| Ok(()))
        .await
        .unwrap();
    assert!(matches!(
        source
            .decider_mi_parcours(id, 1, vec![d], "commissaire", |_, _| Ok(()))
            .await,
        Err(ErreurStore::Conflit { .. })
    ));
    let m = source.mi_parcours(id).await.unwrap();
    assert_eq!((m.rapport, m.tampon.version), (rapport, 2));
    assert_eq!(m.decisions.len(), 1);
    assert_eq!(m.decisions[0].decision.etat_2027, Montant::euros(6_000));
    assert_eq!(m.decisions[0].etat_2027_propose, Some(Montant::euros(4_000)));
    assert_eq!(
        m.decisions[0].decision.fiche,
        NumeroFiche::parse(&fiche.to_string()).unwrap()
    );

    let s = source.sauvegarde().await.unwrap();
    let tables: Vec<&str> = s.campagnes.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(
        tables,
        [
            "campagnes",
            "campagnes_contrats",
            "valeurs_indicateurs",
            "transitions_campagne",
            "mi_parcours",
            "decisions_mi_parcours"
        ]
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
        cible.valeurs_campagne(A2024, id).await.unwrap(),
        source.valeurs_campagne(A2024, id).await.unwrap()
    );
    assert_eq!(cible.mi_parcours(id).await.unwrap(), m);
    assert_eq!(cible.verifier_audit().await.unwrap().rupture, None);
    let _ = CleValeur::depuis_champ("1.1|local|1|0");
});
