//! The campaign reminders sent, on both engines: a reminder is recorded once (a second
//! reservation of the same key writes nothing), an extension of the deadline makes a new key,
//! a withdrawn reservation can be made again, every write is audited, and the rows go through
//! a backup and a restore.

#[macro_use]
mod commun;

use commun::{Banc, executer};
use pacte_core::Annee;
use pacte_core::campagne::rappels::{CleRappel, MotifRappel};
use pacte_core::contrat::EtatContrat;
use pacte_core::fabrique::contrat_metropole_minimal;
use pacte_core::temps::Date;
use pacte_store::comptes::NouvelUtilisateur;
use pacte_store::{Base, Moteur};

const A2024: Annee = Annee::TOUTES[0];
const ACTEUR: &str = "cli:rappels";

async fn contrat_et_compte(base: &Base) -> (i64, i64) {
    let mut c = contrat_metropole_minimal();
    c.contrat.etat = EtatContrat::EnExecution;
    let id = base.importer(&[c], "import:test").await.expect("import")[0];
    let u = base
        .creer_utilisateur(
            &NouvelUtilisateur {
                email: "editeur@exemple.fr".into(),
                nom: "Éditrice".into(),
                hash_mot_de_passe: None,
                role: "collectivite_editeur".into(),
                perimetre: "collectivite:200054807".into(),
            },
            "admin",
        )
        .await
        .expect("compte");
    (id, u.id)
}

fn cle(contrat: i64, compte: i64, palier: i64, echeance: Option<Date>) -> CleRappel {
    CleRappel {
        annee: A2024,
        contrat,
        compte,
        motif: if echeance.is_some() {
            MotifRappel::Echeance
        } else {
            MotifRappel::Renvoi
        },
        palier,
        echeance,
    }
}

async fn entrees_rappel(base: &Base) -> Vec<(String, String)> {
    base.sauvegarde()
        .await
        .unwrap()
        .audit
        .into_iter()
        .filter(|e| e.entite == "rappel_campagne")
        .map(|e| (e.entite_id, e.operation))
        .collect()
}

conformite!(un_rappel_n_est_enregistre_qu_une_fois, |banc: Banc| async move {
    let base = banc.base().await;
    let (id, compte) = contrat_et_compte(&base).await;
    let echeance = Date::ymd(2025, 3, 31);
    let c15 = cle(id, compte, 15, Some(echeance));
    assert!(base.reserver_rappel(&c15, ACTEUR).await.unwrap());
    // The same key again: refused, nothing written.
    assert!(!base.reserver_rappel(&c15, ACTEUR).await.unwrap());
    // Another tier, an extended deadline, a return: new keys.
    let c3 = cle(id, compte, 3, Some(echeance));
    let c15_prolonge = cle(id, compte, 15, Some(Date::ymd(2025, 4, 30)));
    let renvoi = cle(id, compte, 4, None);
    for c in [&c3, &c15_prolonge, &renvoi] {
        assert!(base.reserver_rappel(c, ACTEUR).await.unwrap(), "{c:?}");
    }
    assert!(!base.reserver_rappel(&renvoi, ACTEUR).await.unwrap());
    let envoyes = base.rappels_envoyes(A2024).await.unwrap();
    assert_eq!(envoyes.len(), 4);
    assert!(envoyes.contains(&renvoi) && envoyes.contains(&c15_prolonge));
    assert!(base.rappels_envoyes(Annee::TOUTES[1]).await.unwrap().is_empty());

    // A mail that could not be sent: the reservation is withdrawn, a later run makes it again.
    base.retirer_rappel(&c3, "envoi : connexion refusée", ACTEUR)
        .await
        .unwrap();
    assert!(!base.rappels_envoyes(A2024).await.unwrap().contains(&c3));
    assert!(base.reserver_rappel(&c3, ACTEUR).await.unwrap());

    // Audited: one creation per reservation, the withdrawal as a deletion.
    let entrees = entrees_rappel(&base).await;
    let id_c3 = format!("2024-{id}-{compte}-echeance-3-2025-03-31");
    assert_eq!(
        entrees
            .iter()
            .filter(|(e, _)| *e == id_c3)
            .map(|(_, o)| o.as_str())
            .collect::<Vec<_>>(),
        ["creation", "suppression", "creation"]
    );
    assert_eq!(entrees.len(), 6, "{entrees:?}");
    assert!(entrees.contains(&(format!("2024-{id}-{compte}-renvoi-4"), "creation".into())));
    assert_eq!(base.verifier_audit().await.unwrap().rupture, None);
});

conformite!(rappels_sauvegardes_et_restaures, |banc: Banc| async move {
    let source = banc.base().await;
    let (id, compte) = contrat_et_compte(&source).await;
    source
        .reserver_rappel(&cle(id, compte, 15, Some(Date::ymd(2025, 3, 31))), ACTEUR)
        .await
        .unwrap();
    source
        .reserver_rappel(&cle(id, compte, 2, None), ACTEUR)
        .await
        .unwrap();
    let s = source.sauvegarde().await.unwrap();
    assert_eq!(s.rappels_campagne.len(), 2);
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
        cible.rappels_envoyes(A2024).await.unwrap(),
        source.rappels_envoyes(A2024).await.unwrap()
    );
    // Restored, a reminder is still known as sent.
    assert!(
        !cible
            .reserver_rappel(&cle(id, compte, 2, None), ACTEUR)
            .await
            .unwrap()
    );
    assert_eq!(cible.verifier_audit().await.unwrap().rupture, None);
});
