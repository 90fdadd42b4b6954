//! Accounts, sessions, API tokens and sign-in attempts, on both engines: every test exists as
//! `<nom>::sqlite` and `<nom>::postgres`, each on a fresh base of its own (see `conformite.rs`
//! for `PACTE_TEST_PG`).

#[macro_use]
mod commun;

use commun::{Banc, executer};
use pacte_core::fabrique::contrat_metropole_minimal;
use pacte_store::comptes::{
    NouvelUtilisateur, ProfilUtilisateur, ROLE_ADMINISTRATEUR, Utilisateur, cle_adresse, cle_compte,
    empreinte_secret,
};
use pacte_store::{Base, ErreurStore, Moteur, sauvegarde};
use sqlx::{Connection, Row};

const ADMIN: &str = "admin@exemple.fr";
const PASSE: &str = "2000-01-01T00:00:00.000Z";
const FUTUR: &str = "2999-12-31T23:59:59.999Z";

/// A plausible argon2id hash, different for each `graine`.
fn hash(graine: &str) -> String {
    format!(
        "$argon2id$v=19$m=19456,t=2,p=1${}${}",
        &empreinte_secret(&format!("sel-{graine}"))[..22],
        &empreinte_secret(&format!("hash-{graine}"))[..43]
    )
}

fn nouvel(email: &str, role: &str, perimetre: &str, avec_mot_de_passe: bool) -> NouvelUtilisateur {
    NouvelUtilisateur {
        email: email.into(),
        nom: format!("Nom de {email}"),
        hash_mot_de_passe: avec_mot_de_passe.then(|| hash(email)),
        role: role.into(),
        perimetre: perimetre.into(),
    }
}

async fn creer(base: &Base, email: &str) -> Utilisateur {
    base.creer_utilisateur(&nouvel(email, "redacteur", "departement:13", true), ADMIN)
        .await
        .unwrap_or_else(|e| panic!("création de {email} : {e}"))
}

fn profil(u: &Utilisateur) -> ProfilUtilisateur {
    ProfilUtilisateur {
        nom: u.nom.clone(),
        role: u.role.clone(),
        perimetre: u.perimetre.clone(),
        actif: u.actif,
    }
}

/// The audit report, which must show no break.
async fn audit_intact(base: &Base) -> usize {
    let r = base.verifier_audit().await.expect("vérification du journal");
    assert_eq!(r.rupture, None, "le journal devrait être intact");
    r.entrees
}

/// Every text column of every audit row, read directly from the table.
async fn audit_brut(url: &str) -> Vec<String> {
    let mut conn = sqlx::AnyConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connexion directe à {url} : {e}"));
    let lignes = sqlx::query(
        "SELECT horodatage, acteur, entite, entite_id, operation, avant, apres, hash_precedent, hash FROM audit ORDER BY id",
    )
    .fetch_all(&mut conn)
    .await
    .expect("lecture du journal");
    conn.close().await.expect("fermeture");
    let mut textes = Vec::new();
    for l in &lignes {
        for i in 0..l.len() {
            if let Some(t) = l.try_get::<Option<String>, _>(i).expect("colonne texte") {
                textes.push(t);
            }
        }
    }
    textes
}

fn invalide(e: ErreurStore) -> String {
    match e {
        ErreurStore::Invalide(m) => m,
        autre => panic!("erreur Invalide attendue, obtenu {autre:?}"),
    }
}

conformite!(creation_et_lecture, |banc: Banc| async move {
    let base = banc.base().await;
    assert!(base.utilisateurs().await.unwrap().is_empty());
    assert_eq!(base.compter_administrateurs_actifs().await.unwrap(), 0);

    let admin = base
        .creer_utilisateur(
            &nouvel(" Admin@Exemple.FR ", ROLE_ADMINISTRATEUR, "national", true),
            "systeme",
        )
        .await
        .expect("premier administrateur");
    assert_eq!(admin.email, ADMIN);
    assert_eq!(admin.role, ROLE_ADMINISTRATEUR);
    assert_eq!(admin.perimetre, "national");
    assert!(admin.actif);
    assert_eq!(admin.version, 1);
    assert_eq!(admin.modifie_par, "systeme");
    assert_eq!(admin.cree_le, admin.modifie_le);
    assert_eq!(
        admin.hash_mot_de_passe.as_deref(),
        Some(hash(" Admin@Exemple.FR ").as_str())
    );
    assert_eq!(base.compter_administrateurs_actifs().await.unwrap(), 1);

    // A ProConnect agent: no password, no rights yet.
    let agent = base
        .creer_utilisateur(
            &nouvel("agent@interieur.gouv.fr", "aucun", "aucun", false),
            "proconnect",
        )
        .await
        .expect("compte ProConnect");
    assert_eq!(agent.hash_mot_de_passe, None);
    assert!(agent.id > admin.id);

    assert_eq!(base.utilisateur(admin.id).await.unwrap(), admin);
    assert_eq!(
        base.utilisateur_par_email("ADMIN@exemple.fr").await.unwrap(),
        Some(admin.clone())
    );
    assert_eq!(
        base.utilisateur_par_email("inconnu@exemple.fr").await.unwrap(),
        None
    );
    assert_eq!(
        base.utilisateurs().await.unwrap(),
        vec![admin.clone(), agent.clone()]
    );
    let e = base.utilisateur(agent.id + 100).await.unwrap_err();
    assert!(
        matches!(
            e,
            ErreurStore::Introuvable {
                entite: "utilisateur",
                ..
            }
        ),
        "{e:?}"
    );

    // Neither Debug nor serialization shows the hash.
    let h = admin.hash_mot_de_passe.clone().unwrap();
    assert!(!format!("{admin:?}").contains(&h));
    assert!(!serde_json::to_string(&admin).unwrap().contains(&h));

    // Invalid data is refused before anything is written.
    let e = base
        .creer_utilisateur(&nouvel("pas-une-adresse", "aucun", "aucun", false), ADMIN)
        .await
        .unwrap_err();
    assert_eq!(
        invalide(e),
        "adresse électronique invalide « pas-une-adresse » : attendu nom@domaine"
    );
    let mut clair = nouvel("clair@exemple.fr", "aucun", "aucun", false);
    clair.hash_mot_de_passe = Some("motdepasse".into());
    assert!(invalide(base.creer_utilisateur(&clair, ADMIN).await.unwrap_err()).contains("format PHC"));
    let e = base
        .creer_utilisateur(&nouvel("sans-role@exemple.fr", " ", "aucun", false), ADMIN)
        .await
        .unwrap_err();
    assert_eq!(invalide(e), "le rôle est vide");
    assert_eq!(base.utilisateurs().await.unwrap().len(), 2);
    audit_intact(&base).await;
});

conformite!(adresse_en_double_refusee, |banc: Banc| async move {
    let base = banc.base().await;
    let bob = creer(&base, "bob@exemple.fr").await;
    let journal_avant = base.journal(1, 1_000).await.unwrap();
    for double in ["bob@exemple.fr", "BOB@Exemple.fr", "  Bob@exemple.FR"] {
        let e = base
            .creer_utilisateur(&nouvel(double, "aucun", "aucun", false), ADMIN)
            .await
            .expect_err("adresse déjà prise");
        assert_eq!(invalide(e), "un compte existe déjà pour l'adresse bob@exemple.fr");
    }
    assert_eq!(base.utilisateurs().await.unwrap(), vec![bob]);
    assert_eq!(base.journal(1, 1_000).await.unwrap(), journal_avant);
    audit_intact(&base).await;
});

conformite!(conflit_de_version, |banc: Banc| async move {
    let base = banc.base().await;
    let u = creer(&base, "claire@exemple.fr").await;

    let mut p = profil(&u);
    p.role = "instructeur".into();
    p.perimetre = "region:93".into();
    let v2 = base
        .modifier_utilisateur(u.id, &p, u.version, "alice@exemple.fr")
        .await
        .expect("première modification");
    assert_eq!(
        (v2.version, v2.role.as_str(), v2.perimetre.as_str()),
        (2, "instructeur", "region:93")
    );
    assert_eq!(v2.modifie_par, "alice@exemple.fr");
    assert_eq!(v2.hash_mot_de_passe, u.hash_mot_de_passe);

    // Bruno read version 1 too.
    let mut p2 = profil(&u);
    p2.nom = "Claire B.".into();
    let e = base
        .modifier_utilisateur(u.id, &p2, u.version, "bruno@exemple.fr")
        .await
        .expect_err("version périmée");
    match &e {
        ErreurStore::Conflit {
            quoi,
            par,
            attendue,
            actuelle,
            ..
        } => {
            assert_eq!(quoi, "le compte claire@exemple.fr");
            assert_eq!(par, "alice@exemple.fr");
            assert_eq!((*attendue, *actuelle), (1, 2));
        }
        autre => panic!("conflit attendu, obtenu {autre:?}"),
    }
    assert!(e.to_string().contains("rien n'a été écrit"), "{e}");
    assert_eq!(base.utilisateur(u.id).await.unwrap(), v2);

    // A password change moves the version too.
    let v3 = base
        .changer_mot_de_passe(u.id, &hash("nouveau"), "claire@exemple.fr")
        .await
        .expect("changement de mot de passe");
    assert_eq!(v3.version, 3);
    assert_eq!(v3.hash_mot_de_passe, Some(hash("nouveau")));
    assert!(matches!(
        base.modifier_utilisateur(u.id, &p, 2, ADMIN).await,
        Err(ErreurStore::Conflit { .. })
    ));
    let e = base.modifier_utilisateur(9_999, &p, 1, ADMIN).await.unwrap_err();
    assert!(matches!(e, ErreurStore::Introuvable { .. }), "{e:?}");
    audit_intact(&base).await;
});

conformite!(le_dernier_administrateur_reste, |banc: Banc| async move {
    let base = banc.base().await;
    let a = base
        .creer_utilisateur(&nouvel(ADMIN, ROLE_ADMINISTRATEUR, "national", true), "systeme")
        .await
        .unwrap();
    let entrees = base.journal(1, 1_000).await.unwrap().len();
    let dernier = |e: ErreurStore| {
        let m = invalide(e);
        assert!(m.contains("dernier administrateur national actif"), "{m}");
        m
    };

    // The only administrator: neither demoted, nor deactivated either way.
    let mut p = profil(&a);
    p.role = "lecteur_national".into();
    dernier(
        base.modifier_utilisateur(a.id, &p, a.version, ADMIN)
            .await
            .unwrap_err(),
    );
    let mut p = profil(&a);
    p.actif = false;
    dernier(
        base.modifier_utilisateur(a.id, &p, a.version, ADMIN)
            .await
            .unwrap_err(),
    );
    let m = dernier(base.desactiver_utilisateur(a.id, ADMIN).await.unwrap_err());
    assert!(m.starts_with(&format!("le compte {ADMIN} est")), "{m}");
    assert_eq!(base.utilisateur(a.id).await.unwrap(), a, "rien n'a été écrit");
    assert_eq!(base.journal(1, 1_000).await.unwrap().len(), entrees);
    // A change that keeps them an active administrator is fine.
    let mut p = profil(&a);
    p.nom = "Anne Administratrice".into();
    let a = base
        .modifier_utilisateur(a.id, &p, a.version, ADMIN)
        .await
        .unwrap();

    // An inactive administrator does not count.
    let c = base
        .creer_utilisateur(
            &nouvel("claude@exemple.fr", ROLE_ADMINISTRATEUR, "national", false),
            ADMIN,
        )
        .await
        .unwrap();
    let mut p = profil(&c);
    p.actif = false;
    base.modifier_utilisateur(c.id, &p, c.version, ADMIN)
        .await
        .unwrap();
    dernier(base.desactiver_utilisateur(a.id, ADMIN).await.unwrap_err());

    // With a second active administrator, the first may go; then the second is the last.
    let b = base
        .creer_utilisateur(
            &nouvel("berenice@exemple.fr", ROLE_ADMINISTRATEUR, "national", false),
            ADMIN,
        )
        .await
        .unwrap();
    let mut p = profil(&a);
    p.role = "lecteur_national".into();
    base.modifier_utilisateur(a.id, &p, a.version, ADMIN)
        .await
        .unwrap();
    let m = dernier(base.desactiver_utilisateur(b.id, ADMIN).await.unwrap_err());
    assert!(m.contains("berenice@exemple.fr"), "{m}");
    assert_eq!(base.compter_administrateurs_actifs().await.unwrap(), 1);
    audit_intact(&base).await;
});

conformite!(deux_retraits_simultanes, |banc: Banc| async move {
    // Two administrators demote each other at the same time: one of them stays.
    let base = banc.base().await;
    let a = base
        .creer_utilisateur(&nouvel(ADMIN, ROLE_ADMINISTRATEUR, "national", true), "systeme")
        .await
        .unwrap();
    let b = base
        .creer_utilisateur(
            &nouvel("berenice@exemple.fr", ROLE_ADMINISTRATEUR, "national", true),
            "systeme",
        )
        .await
        .unwrap();
    let retrait = |u: Utilisateur| {
        let base = base.clone();
        async move {
            let mut p = profil(&u);
            p.role = "lecteur_national".into();
            base.modifier_utilisateur(u.id, &p, u.version, "concurrent").await
        }
    };
    let (ra, rb) = tokio::join!(tokio::spawn(retrait(a)), tokio::spawn(retrait(b)));
    let reussis = [ra.unwrap(), rb.unwrap()]
        .into_iter()
        .filter(Result::is_ok)
        .count();
    assert_eq!(reussis, 1, "un seul retrait aboutit");
    assert_eq!(base.compter_administrateurs_actifs().await.unwrap(), 1);
    audit_intact(&base).await;
});

conformite!(desactivation_coupe_les_acces, |banc: Banc| async move {
    let base = banc.base().await;
    let u = creer(&base, "dora@exemple.fr").await;
    let autre = creer(&base, "eric@exemple.fr").await;
    let s1 = empreinte_secret("session-1");
    let s2 = empreinte_secret("session-2");
    let s_autre = empreinte_secret("session-autre");
    base.ouvrir_session(u.id, &s1, "csrf-1", FUTUR).await.unwrap();
    base.ouvrir_session(u.id, &s2, "csrf-2", FUTUR).await.unwrap();
    base.ouvrir_session(autre.id, &s_autre, "csrf-3", FUTUR)
        .await
        .unwrap();
    let j1 = empreinte_secret("jeton-1");
    let j2 = empreinte_secret("jeton-2");
    base.creer_jeton(u.id, "intégration", &j1, FUTUR, &u.email)
        .await
        .unwrap();
    let revoque = base
        .creer_jeton(u.id, "ancien", &j2, FUTUR, &u.email)
        .await
        .unwrap();
    let revoque = base.revoquer_jeton(revoque.id, &u.email).await.unwrap();
    assert!(base.session(&s1).await.unwrap().is_some());
    assert!(base.jeton_par_hash(&j1).await.unwrap().is_some());

    let d = base
        .desactiver_utilisateur(u.id, ADMIN)
        .await
        .expect("désactivation");
    assert!(!d.actif);
    assert_eq!(d.version, u.version + 1);
    assert_eq!(d.modifie_par, ADMIN);
    assert!(base.session(&s1).await.unwrap().is_none());
    assert!(!base.fermer_session(&s1).await.unwrap(), "session supprimée");
    assert!(!base.fermer_session(&s2).await.unwrap(), "session supprimée");
    assert!(base.jeton_par_hash(&j1).await.unwrap().is_none());
    let jetons = base.jetons_de(u.id).await.unwrap();
    assert_eq!(jetons.len(), 2);
    assert!(jetons.iter().all(|j| j.revoque_le.is_some()), "{jetons:?}");
    // The token revoked earlier keeps its revocation time.
    assert_eq!(jetons[1], revoque);
    // The other account keeps its session.
    assert!(base.session(&s_autre).await.unwrap().is_some());

    // No new access for a deactivated account.
    let e = base
        .ouvrir_session(u.id, &empreinte_secret("session-3"), "csrf", FUTUR)
        .await
        .unwrap_err();
    assert_eq!(invalide(e), "le compte dora@exemple.fr est désactivé");
    let e = base
        .creer_jeton(u.id, "encore", &empreinte_secret("jeton-3"), FUTUR, &u.email)
        .await
        .unwrap_err();
    assert_eq!(invalide(e), "le compte dora@exemple.fr est désactivé");
    // Deactivating twice writes nothing more.
    let entrees = base.journal(1, 1_000).await.unwrap().len();
    assert_eq!(base.desactiver_utilisateur(u.id, ADMIN).await.unwrap(), d);
    assert_eq!(base.journal(1, 1_000).await.unwrap().len(), entrees);

    // Reactivated, the account signs in again but its tokens stay revoked.
    let mut p = profil(&d);
    p.actif = true;
    let r = base
        .modifier_utilisateur(u.id, &p, d.version, ADMIN)
        .await
        .unwrap();
    assert!(r.actif);
    assert!(base.jeton_par_hash(&j1).await.unwrap().is_none());
    let s4 = empreinte_secret("session-4");
    base.ouvrir_session(u.id, &s4, "csrf-4", FUTUR).await.unwrap();

    // Deactivation through a profile change cuts accesses as well.
    let j5 = empreinte_secret("jeton-5");
    base.creer_jeton(u.id, "nouveau", &j5, FUTUR, &u.email)
        .await
        .unwrap();
    p.actif = false;
    base.modifier_utilisateur(u.id, &p, r.version, ADMIN)
        .await
        .unwrap();
    assert!(base.session(&s4).await.unwrap().is_none());
    assert!(!base.fermer_session(&s4).await.unwrap());
    assert!(base.jeton_par_hash(&j5).await.unwrap().is_none());
    assert!(
        base.jetons_de(u.id)
            .await
            .unwrap()
            .iter()
            .all(|j| j.revoque_le.is_some())
    );

    let e = base.desactiver_utilisateur(9_999, ADMIN).await.unwrap_err();
    assert!(matches!(e, ErreurStore::Introuvable { .. }), "{e:?}");
    audit_intact(&base).await;
});

conformite!(sessions_et_expiration, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let u = creer(&base, "fanny@exemple.fr").await;
    let entrees = base.journal(1, 1_000).await.unwrap().len();
    let ecritures = base.ecritures_locales();

    let expiree = empreinte_secret("expiree");
    let vivante = empreinte_secret("vivante");
    let ouverte = base
        .ouvrir_session(u.id, &expiree, "csrf-a", PASSE)
        .await
        .unwrap();
    assert_eq!(ouverte.expire_le, PASSE);
    assert!(base.session(&expiree).await.unwrap().is_none(), "session expirée");

    let s = base
        .ouvrir_session(u.id, &vivante, "csrf-b", FUTUR)
        .await
        .unwrap();
    assert_eq!(s.cree_le, s.derniere_activite);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let lue = base.session(&vivante).await.unwrap().expect("session vivante");
    assert_eq!(lue.session, s);
    assert_eq!(lue.utilisateur, u);
    // Within the minute, the activity is not written again (no write per request)…
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let relue = base.session(&vivante).await.unwrap().expect("session vivante");
    assert_eq!(relue.session.derniere_activite, s.derniere_activite);
    // …once older than the grain, it is.
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .expect("connexion directe");
    sqlx::query("UPDATE sessions SET derniere_activite = '2020-01-01T00:00:00.000Z' WHERE id_hash = $1")
        .bind(&vivante)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    base.session(&vivante).await.unwrap().expect("session vivante");
    let relue = base.session(&vivante).await.unwrap().expect("session vivante");
    assert!(
        relue.session.derniere_activite > s.derniere_activite,
        "activité enregistrée : {relue:?}"
    );
    assert!(
        base.session(&empreinte_secret("inconnue"))
            .await
            .unwrap()
            .is_none()
    );

    // The secret itself is refused, as is a malformed expiry or a taken id.
    let e = base
        .ouvrir_session(u.id, "secret-en-clair", "csrf", FUTUR)
        .await
        .unwrap_err();
    assert!(invalide(e).contains("jamais le secret lui-même"));
    let e = base
        .ouvrir_session(u.id, &empreinte_secret("x"), "csrf", "2999-12-31")
        .await
        .unwrap_err();
    assert!(invalide(e).starts_with("l'expiration de la session invalide"));
    let e = base
        .ouvrir_session(u.id, &vivante, "csrf", FUTUR)
        .await
        .unwrap_err();
    assert_eq!(invalide(e), "cet identifiant de session est déjà pris");
    let e = base
        .ouvrir_session(9_999, &empreinte_secret("y"), "csrf", FUTUR)
        .await
        .unwrap_err();
    assert!(matches!(e, ErreurStore::Introuvable { .. }), "{e:?}");

    assert_eq!(base.purger_sessions_expirees().await.unwrap(), 1);
    assert!(base.session(&vivante).await.unwrap().is_some());
    // Idle sessions: `vivante` was active just now, so only an idle limit in the future takes it.
    assert_eq!(base.purger_sessions_inactives(PASSE).await.unwrap(), 0);
    assert!(base.session(&vivante).await.unwrap().is_some());
    let inactive = empreinte_secret("inactive");
    base.ouvrir_session(u.id, &inactive, "csrf", FUTUR).await.unwrap();
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .expect("connexion directe");
    sqlx::query("UPDATE sessions SET derniere_activite = '2020-01-01T00:00:00.000Z' WHERE id_hash = $1")
        .bind(&inactive)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    assert_eq!(
        base.purger_sessions_inactives("2021-01-01T00:00:00.000Z")
            .await
            .unwrap(),
        1
    );
    assert!(base.session(&vivante).await.unwrap().is_some());
    assert!(!base.fermer_session(&inactive).await.unwrap(), "session purgée");
    assert!(base.fermer_session(&vivante).await.unwrap());
    assert!(base.session(&vivante).await.unwrap().is_none());
    assert!(!base.fermer_session(&vivante).await.unwrap());

    // Closing the other sessions of an account (after a password change).
    let a = empreinte_secret("a");
    let b = empreinte_secret("b");
    let c = empreinte_secret("c");
    for id in [&a, &b, &c] {
        base.ouvrir_session(u.id, id, "csrf", FUTUR).await.unwrap();
    }
    assert_eq!(base.fermer_sessions_de(u.id, Some(&a)).await.unwrap(), 2);
    assert!(base.session(&a).await.unwrap().is_some());
    assert!(base.session(&b).await.unwrap().is_none());
    assert_eq!(base.fermer_sessions_de(u.id, None).await.unwrap(), 1);
    assert!(base.session(&a).await.unwrap().is_none());

    // A session opened through ProConnect keeps the ID token for the provider's logout.
    let pc = empreinte_secret("proconnect");
    let ouverte = base.ouvrir_session(u.id, &pc, "csrf", FUTUR).await.unwrap();
    assert_eq!(ouverte.jeton_id_proconnect, None);
    base.lier_session_proconnect(&pc, "eyJ.jeton.id").await.unwrap();
    let lue = base.session(&pc).await.unwrap().expect("session ProConnect");
    assert_eq!(lue.session.jeton_id_proconnect.as_deref(), Some("eyJ.jeton.id"));
    let e = base.lier_session_proconnect(&pc, " ").await.unwrap_err();
    assert!(invalide(e).contains("jeton d'identité ProConnect"));
    assert!(base.fermer_session(&pc).await.unwrap());
    let e = base
        .lier_session_proconnect(&pc, "eyJ.jeton.id")
        .await
        .unwrap_err();
    assert_eq!(invalide(e), "cette session n'existe pas ou a été fermée");

    // Sessions are neither audited nor counted as data writes.
    assert_eq!(base.journal(1, 1_000).await.unwrap().len(), entrees);
    assert_eq!(base.ecritures_locales(), ecritures);
    audit_intact(&base).await;
});

conformite!(jetons_expiration_et_revocation, |banc: Banc| async move {
    let base = banc.base().await;
    let u = creer(&base, "gael@exemple.fr").await;
    let valide = empreinte_secret("pacte_jeton_valide");
    let expire = empreinte_secret("pacte_jeton_expire");
    let j = base
        .creer_jeton(u.id, " Tableau de bord ", &valide, FUTUR, &u.email)
        .await
        .expect("création du jeton");
    assert_eq!(j.libelle, "Tableau de bord");
    assert_eq!(
        (j.utilisateur_id, j.expire_le.as_str(), j.revoque_le.as_deref()),
        (u.id, FUTUR, None)
    );
    let je = base
        .creer_jeton(u.id, "périmé", &expire, PASSE, &u.email)
        .await
        .unwrap();

    let trouve = base.jeton_par_hash(&valide).await.unwrap().expect("jeton valide");
    assert_eq!(trouve.jeton, j);
    assert_eq!(trouve.utilisateur, u);
    assert!(
        base.jeton_par_hash(&expire).await.unwrap().is_none(),
        "jeton expiré"
    );
    assert!(
        base.jeton_par_hash(&empreinte_secret("inconnu"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(base.jetons_de(u.id).await.unwrap(), vec![j.clone(), je.clone()]);

    let e = base
        .creer_jeton(u.id, "double", &valide, FUTUR, &u.email)
        .await
        .unwrap_err();
    assert_eq!(invalide(e), "ce jeton existe déjà");
    let e = base
        .creer_jeton(u.id, "clair", "pacte_jeton_en_clair", FUTUR, &u.email)
        .await
        .unwrap_err();
    assert!(invalide(e).contains("jamais le secret lui-même"));
    let e = base
        .creer_jeton(u.id, " ", &empreinte_secret("z"), FUTUR, &u.email)
        .await
        .unwrap_err();
    assert_eq!(invalide(e), "le libellé du jeton est vide");

    let r = base.revoquer_jeton(j.id, &u.email).await.expect("révocation");
    assert!(r.revoque_le.is_some());
    assert!(
        base.jeton_par_hash(&valide).await.unwrap().is_none(),
        "jeton révoqué"
    );
    let entrees = base.journal(1, 1_000).await.unwrap().len();
    assert_eq!(
        base.revoquer_jeton(j.id, ADMIN).await.unwrap(),
        r,
        "révocation idempotente"
    );
    assert_eq!(base.journal(1, 1_000).await.unwrap().len(), entrees);
    let e = base.revoquer_jeton(9_999, ADMIN).await.unwrap_err();
    assert!(
        matches!(
            e,
            ErreurStore::Introuvable {
                entite: "jeton_api",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(base.jetons_de(u.id).await.unwrap(), vec![r, je]);
    audit_intact(&base).await;
});

conformite!(limitation_des_tentatives, |banc: Banc| async move {
    let base = banc.base().await;
    let compte = cle_compte("Hugo@Exemple.fr");
    assert_eq!(compte, "compte:hugo@exemple.fr");
    let adresse = cle_adresse("203.0.113.7");
    let autre = cle_adresse("198.51.100.1");
    let t = |m: u32, s: u32| format!("2026-03-01T10:{m:02}:{s:02}.000Z");

    // An old failure, outside the window.
    base.noter_tentative(&compte, false, &t(0, 0)).await.unwrap();
    for i in 0..4 {
        base.noter_tentative(&compte, false, &t(20, i)).await.unwrap();
        base.noter_tentative(&adresse, false, &t(20, i)).await.unwrap();
    }
    base.noter_tentative(&compte, true, &t(21, 0)).await.unwrap();
    base.noter_tentative(&autre, false, &t(21, 0)).await.unwrap();
    base.noter_tentative(&adresse, false, &t(22, 0)).await.unwrap();

    let depuis = t(10, 0);
    assert_eq!(base.echecs_recents(&compte, &depuis).await.unwrap(), 4);
    assert_eq!(base.echecs_recents(&adresse, &depuis).await.unwrap(), 5);
    assert_eq!(base.echecs_recents(&autre, &depuis).await.unwrap(), 1);
    assert_eq!(
        base.echecs_recents(&compte, &t(0, 0)).await.unwrap(),
        5,
        "borne incluse"
    );
    assert_eq!(base.echecs_recents(&compte, &t(20, 2)).await.unwrap(), 2);
    assert_eq!(
        base.echecs_recents("compte:inconnu@exemple.fr", &depuis)
            .await
            .unwrap(),
        0
    );

    let e = base
        .noter_tentative(&compte, false, "maintenant")
        .await
        .unwrap_err();
    assert!(invalide(e).starts_with("l'horodatage de la tentative invalide"));

    assert_eq!(base.purger_tentatives(&t(20, 2)).await.unwrap(), 1 + 2 + 2);
    assert_eq!(base.echecs_recents(&compte, &t(0, 0)).await.unwrap(), 2);
    assert_eq!(base.echecs_recents(&adresse, &t(0, 0)).await.unwrap(), 3);
    // Attempts are not audited.
    assert_eq!(base.journal(1, 1_000).await.unwrap().len(), 1);
});

conformite!(journal_des_comptes, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let ids = base
        .importer(&[contrat_metropole_minimal()], "import:comptes")
        .await
        .unwrap();
    let admin = base
        .creer_utilisateur(&nouvel(ADMIN, ROLE_ADMINISTRATEUR, "national", true), "systeme")
        .await
        .unwrap();
    let u = creer(&base, "ines@exemple.fr").await;
    let hash_initial = u.hash_mot_de_passe.clone().unwrap();
    let mut p = profil(&u);
    p.role = "lecteur".into();
    let u = base
        .modifier_utilisateur(u.id, &p, u.version, &admin.email)
        .await
        .unwrap();
    let hash_nouveau = hash("ines-nouveau");
    base.changer_mot_de_passe(u.id, &hash_nouveau, &u.email)
        .await
        .unwrap();
    let secret_jeton = "pacte_secret_du_jeton";
    let hash_jeton = empreinte_secret(secret_jeton);
    let j = base
        .creer_jeton(u.id, "script", &hash_jeton, FUTUR, &u.email)
        .await
        .unwrap();
    let session = empreinte_secret("secret-de-session");
    base.ouvrir_session(u.id, &session, "csrf-secret", FUTUR)
        .await
        .unwrap();
    base.noter_tentative(&cle_compte(&u.email), true, &pacte_store::comptes::maintenant())
        .await
        .unwrap();
    base.desactiver_utilisateur(u.id, &admin.email).await.unwrap();

    let entrees = base.journal(1, 1_000).await.unwrap();
    let comptes: Vec<_> = entrees
        .iter()
        .filter(|e| e.entite == "utilisateur" || e.entite == "jeton_api")
        .map(|e| {
            (
                e.acteur.as_str(),
                e.entite.as_str(),
                e.entite_id.clone(),
                e.operation.as_str(),
            )
        })
        .collect();
    let (a, i, jid) = (admin.id.to_string(), u.id.to_string(), j.id.to_string());
    assert_eq!(
        comptes,
        vec![
            ("systeme", "utilisateur", a.clone(), "creation"),
            (ADMIN, "utilisateur", i.clone(), "creation"),
            (ADMIN, "utilisateur", i.clone(), "modification"),
            (
                "ines@exemple.fr",
                "utilisateur",
                i.clone(),
                "modification du mot de passe"
            ),
            ("ines@exemple.fr", "jeton_api", jid.clone(), "creation"),
            (ADMIN, "utilisateur", i.clone(), "desactivation"),
            (ADMIN, "jeton_api", jid, "revocation"),
        ]
    );
    // The logged view tells whether there is a password, and what changed.
    let modif: serde_json::Value = serde_json::from_str(
        entrees
            .iter()
            .find(|e| e.operation == "modification" && e.entite == "utilisateur")
            .unwrap()
            .apres
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(modif["role"], "lecteur");
    assert_eq!(modif["mot_de_passe"], true);
    assert_eq!(modif["email"], "ines@exemple.fr");
    assert!(modif.get("hash_mot_de_passe").is_none());

    // No hash nor secret anywhere in the raw log.
    let brut = audit_brut(&url).await;
    assert!(brut.len() > 20);
    for secret in [
        hash_initial.as_str(),
        hash_nouveau.as_str(),
        admin.hash_mot_de_passe.as_deref().unwrap(),
        "$argon2id$",
        &hash_jeton,
        secret_jeton,
        &session,
        "csrf-secret",
    ] {
        assert!(
            !brut.iter().any(|t| t.contains(secret)),
            "« {secret} » figure dans le journal"
        );
    }

    // Contracts and accounts share one chain, which verifies.
    assert_eq!(audit_intact(&base).await, entrees.len());
    let lu = base.contrat(ids[0]).await.unwrap();
    let mut e = lu.contrat.contrat.clone();
    e.intitule = Some("Revu après les comptes".into());
    base.modifier_entete(ids[0], &e, lu.tampon.version, &admin.email, |_| Ok(()))
        .await
        .unwrap();
    audit_intact(&base).await;

    // A base with accounts still moves to a new SQLite base whose log verifies.
    let cible = banc.base_sqlite().await;
    let rapport = sauvegarde::migrer(&base, &cible).await.expect("migration");
    assert!(rapport.identiques(), "{rapport:?}");
    audit_intact(&cible).await;
});

// A role raised behind the application's back (raw SQL) no longer matches the account's last
// audited state: the audit verification names the account.
conformite!(role_modifie_hors_pacte_detecte, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let u = creer(&base, "noe@exemple.fr").await;
    audit_intact(&base).await;
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .expect("connexion directe");
    sqlx::query(
        "UPDATE utilisateurs SET role = 'administrateur_national', perimetre = 'national' WHERE id = $1",
    )
    .bind(u.id)
    .execute(&mut conn)
    .await
    .expect("modification directe");
    conn.close().await.expect("fermeture");
    let r = base.verifier_audit().await.unwrap();
    let rupture = r
        .rupture
        .expect("la modification hors de Pacte doit être détectée");
    assert!(
        rupture.raison.contains(&format!("utilisateur {}", u.id)),
        "{}",
        rupture.raison
    );
});

// ProConnect identities pinned to accounts: one identity per account and one account per
// identity, every change audited, and a `sub` swapped behind the application's back found by
// the verification.
conformite!(liens_proconnect, |banc: Banc| async move {
    let (base, url) = banc.base_et_url().await;
    let a = creer(&base, "a@exemple.fr").await;
    let b = creer(&base, "b@exemple.fr").await;
    assert_eq!(base.lien_proconnect(a.id).await.unwrap(), None);
    let lien = base
        .lier_proconnect(a.id, "sub-a", "proconnect:sub-a")
        .await
        .unwrap();
    assert_eq!(lien.sujet.as_deref(), Some("sub-a"));
    assert_eq!(
        base.utilisateur_par_sujet_proconnect("sub-a")
            .await
            .unwrap()
            .map(|u| u.id),
        Some(a.id)
    );
    assert_eq!(
        base.utilisateur_par_sujet_proconnect("sub-b").await.unwrap(),
        None
    );
    let entrees = audit_intact(&base).await;
    // The same link again writes nothing.
    base.lier_proconnect(a.id, "sub-a", "x").await.unwrap();
    assert_eq!(audit_intact(&base).await, entrees);
    // Another identity for `a`, or `sub-a` for `b`: refused, nothing written.
    assert!(invalide(base.lier_proconnect(a.id, "sub-z", "x").await.unwrap_err()).contains("autre identité"));
    assert!(invalide(base.lier_proconnect(b.id, "sub-a", "x").await.unwrap_err()).contains("déjà liée"));
    assert!(invalide(base.lier_proconnect(b.id, "", "x").await.unwrap_err()).contains("sub"));
    assert_eq!(base.lien_proconnect(b.id).await.unwrap(), None);
    assert_eq!(audit_intact(&base).await, entrees);
    // An administrator's authorisation replaces the link; the next link takes its place.
    let autorise = base.autoriser_liaison_proconnect(a.id, ADMIN).await.unwrap();
    assert_eq!(autorise.sujet, None);
    assert_eq!(
        base.utilisateur_par_sujet_proconnect("sub-a").await.unwrap(),
        None
    );
    base.lier_proconnect(a.id, "sub-a2", "proconnect:sub-a2")
        .await
        .unwrap();
    base.lier_proconnect(b.id, "sub-a", "proconnect:sub-a")
        .await
        .unwrap();
    let journal = base.journal(1, 10_000).await.unwrap();
    let operations: Vec<(&str, &str)> = journal
        .iter()
        .filter(|e| e.entite == "lien_proconnect")
        .map(|e| (e.entite_id.as_str(), e.operation.as_str()))
        .collect();
    let (ia, ib) = (a.id.to_string(), b.id.to_string());
    assert_eq!(
        operations,
        [
            (ia.as_str(), "liaison"),
            (ia.as_str(), "autorisation de liaison"),
            (ia.as_str(), "liaison"),
            (ib.as_str(), "liaison"),
        ]
    );
    audit_intact(&base).await;

    // A backup carries the links: restored, they still verify.
    let cible = banc.base_sqlite().await;
    let rapport = sauvegarde::migrer(&base, &cible).await.expect("migration");
    assert!(rapport.identiques());
    assert_eq!(
        cible
            .lien_proconnect(b.id)
            .await
            .unwrap()
            .unwrap()
            .sujet
            .as_deref(),
        Some("sub-a")
    );
    audit_intact(&cible).await;

    // `a`'s identity replaced behind the application's back: found.
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .expect("connexion directe");
    sqlx::query("UPDATE liens_proconnect SET sujet = 'sub-pirate' WHERE utilisateur_id = $1")
        .bind(a.id)
        .execute(&mut conn)
        .await
        .expect("modification directe");
    conn.close().await.expect("fermeture");
    let rupture = base
        .verifier_audit()
        .await
        .unwrap()
        .rupture
        .expect("la modification hors de Pacte doit être détectée");
    assert!(
        rupture.raison.contains(&format!("lien_proconnect {}", a.id)),
        "{}",
        rupture.raison
    );
});
