//! The campaigns' reminders by e-mail (issue 15 item 3), on the demonstration base and a fake
//! SMTP server: the collectivity's editors before the deadline, never twice; the DDETS and the
//! commissaire of the territory once the figures are submitted, not those of elsewhere; a
//! mail server that does not answer leaves the reminder to the next run.

use std::time::Duration;

use pacte_core::campagne::Transition;
use pacte_core::campagne::rappels::{MotifRappel, Paliers};
use pacte_core::{Annee, Date};
use pacte_store::Base;
use pacte_web::campagnes::rappels_courriel::{self, Envoi};
use pacte_web::echanges::notification::{ConfigSmtp, ModeTls};

use crate::commun::{app_demo, en_tant_que_compte};
use crate::echanges::puits_smtp;

const A2024: Annee = Annee::TOUTES[0];
const ECHEANCE: Date = Date::ymd(2025, 3, 31);
const URL: &str = "https://pacte.exemple.gouv.fr";
/// Aix-Marseille-Provence (in execution in the demonstration: Bouches-du-Rhône, PACA).
const AMP: &str = "collectivite:200054807";

fn smtp(port: u16) -> ConfigSmtp {
    ConfigSmtp {
        hote: "127.0.0.1".into(),
        port,
        utilisateur: None,
        mot_de_passe: None,
        expediteur: "Pacte <pacte@exemple.fr>".into(),
        tls: ModeTls::Aucun,
    }
}

/// The reminders of contract `id` on `jour`.
async fn du_contrat(base: &Base, id: i64, jour: Date) -> Vec<Envoi> {
    rappels_courriel::preparer(base, Some(A2024), &Paliers::default(), Some(URL), jour)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.cle.contrat == id)
        .collect()
}

/// A quoted-printable body as text (the mails are in French, hence encoded).
fn decoder(brut: &str) -> String {
    let joint = brut.replace("=\n", "").replace("=\r\n", "");
    let mut octets = Vec::new();
    let b = joint.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && i + 2 < b.len()
            && let Some(x) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            octets.push(x);
            i += 3;
            continue;
        }
        octets.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&octets).into_owned()
}

#[tokio::test]
async fn rappels_avant_echeance_puis_instruction() {
    let (app, base, ids) = app_demo().await;
    let id = ids[0];
    base.ouvrir_campagne(A2024, ECHEANCE, "test").await.unwrap();
    let (_, _, editeur) = en_tant_que_compte(&app, &base, "collectivite_editeur", AMP).await;
    let (_, _, lecteur) = en_tant_que_compte(&app, &base, "collectivite_lecteur", AMP).await;
    let (_, _, ddets) = en_tant_que_compte(&app, &base, "ddets", "departement:13").await;
    let (_, _, commissaire) = en_tant_que_compte(&app, &base, "commissaire", "region:93").await;
    let (_, _, ddets_34) = en_tant_que_compte(&app, &base, "ddets", "departement:34").await;

    // 20 days before the deadline: nothing; 3 days before: the editors, tier 3.
    assert!(du_contrat(&base, id, Date::ymd(2025, 3, 11)).await.is_empty());
    let jour = Date::ymd(2025, 3, 28);
    let envois = du_contrat(&base, id, jour).await;
    let a: Vec<&str> = envois.iter().map(|e| e.email.as_str()).collect();
    assert!(a.contains(&editeur.as_str()), "{a:?}");
    assert!(a.contains(&"editeur.amp@demo.pacte.example"), "{a:?}");
    for autre in [&lecteur, &ddets, &commissaire, &ddets_34] {
        assert!(!a.contains(&autre.as_str()), "{autre} : {a:?}");
    }
    assert!(
        envois
            .iter()
            .all(|e| e.cle.motif == MotifRappel::Echeance && e.cle.palier == 3)
    );

    let (envoi, mut recus) = tokio::sync::mpsc::unbounded_channel();
    let port = puits_smtp(envoi).await;
    let bilan = rappels_courriel::envoyer(&base, &smtp(port), &envois, "test:rappels")
        .await
        .unwrap();
    assert_eq!((bilan.envoyes, bilan.echecs.len()), (envois.len(), 0));
    let mut recu = Vec::new();
    for _ in 0..envois.len() {
        let (a, corps) = tokio::time::timeout(Duration::from_secs(10), recus.recv())
            .await
            .expect("aucun courriel reçu en 10 s")
            .unwrap();
        recu.push((a, decoder(&corps)));
    }
    let (_, corps) = recu
        .iter()
        .find(|(a, _)| *a == editeur)
        .expect("l'éditeur est prévenu");
    for attendu in [
        "Campagne : indicateurs de l'année 2024",
        "Échéance : 31/03/2025",
        "dans 3 jour(s)",
        "État : non commencée",
        &format!("Page de la campagne : {URL}/contrats/{id}/campagnes/2024"),
    ] {
        assert!(corps.contains(attendu), "« {attendu} » absent de :\n{corps}");
    }

    // The same day again, or the next: nothing more for this contract (never twice).
    assert!(du_contrat(&base, id, jour).await.is_empty());
    assert!(du_contrat(&base, id, Date::ymd(2025, 3, 30)).await.is_empty());
    let audit = base.sauvegarde().await.unwrap().audit;
    assert_eq!(
        audit.iter().filter(|e| e.entite == "rappel_campagne").count(),
        envois.len()
    );

    // Submitted: the DDETS and the commissaire of the territory, once; no delay reminder.
    let v = base
        .enregistrer_valeurs(A2024, id, 0, "test", |_, _, _| Ok(Vec::new()))
        .await
        .unwrap();
    base.changer_etat_campagne(
        A2024,
        id,
        v.version,
        Transition::Soumettre,
        None,
        &[],
        "test",
        |_, _, _| Ok(()),
    )
    .await
    .unwrap();
    let apres = Date::ymd(2025, 4, 2);
    let envois = du_contrat(&base, id, apres).await;
    let a: Vec<&str> = envois.iter().map(|e| e.email.as_str()).collect();
    assert!(
        a.contains(&ddets.as_str()) && a.contains(&commissaire.as_str()),
        "{a:?}"
    );
    for autre in [&editeur, &ddets_34, &lecteur] {
        assert!(!a.contains(&autre.as_str()), "{autre} : {a:?}");
    }
    assert!(envois.iter().all(|e| e.cle.motif == MotifRappel::Instruction));
    assert!(
        envois[0].message.corps.contains("État : soumise à l'État"),
        "{}",
        envois[0].message.corps
    );

    // A server that does not answer: reported, withdrawn, due again on the next run.
    let bilan = rappels_courriel::envoyer(&base, &smtp(9), &envois, "test:rappels")
        .await
        .unwrap();
    assert_eq!((bilan.envoyes, bilan.echecs.len()), (0, envois.len()));
    assert_eq!(du_contrat(&base, id, apres).await.len(), envois.len());
    assert_eq!(base.verifier_audit().await.unwrap().rupture, None);
}
