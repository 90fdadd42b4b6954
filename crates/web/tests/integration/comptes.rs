//! Accounts: sign-in, throttling, CSRF, session expiry, sign-out, password change, API tokens.

use std::net::SocketAddr;

use crate::commun::*;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use pacte_store::comptes::empreinte_secret;

const ECHEC: &str =
    "Identifiant ou mot de passe incorrect, ou compte temporairement bloqué après trop d&#39;essais.";

/// A sign-in attempt from client address `ip`.
async fn essai(app: &Router, ip: &str, email: &str, mdp: &str) -> Reponse {
    tentative(app, ip, None, email, mdp).await
}

/// A sign-in attempt from TCP peer `ip`, with an `X-Forwarded-For` header if `xff`.
async fn tentative(app: &Router, ip: &str, xff: Option<&str>, email: &str, mdp: &str) -> Reponse {
    let adresse: SocketAddr = format!("{ip}:40000").parse().unwrap();
    let mut r = Request::post("/connexion")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .extension(ConnectInfo(adresse));
    if let Some(xff) = xff {
        r = r.header("x-forwarded-for", xff);
    }
    let corps = corps_formulaire(&[("email", email), ("mot_de_passe", mdp)]);
    envoyer(app, r.body(Body::from(corps)).unwrap()).await
}

#[tokio::test]
async fn connexion_reussie_puis_echouee() {
    let (app, _, _) = app_demo().await;
    // Signed out: the page sends to the sign-in form, which brings back afterwards.
    let r = get(&app, "/contrats?etat=brouillon").await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    assert_eq!(
        r.entetes[header::LOCATION],
        "/connexion?retour=/contrats%3Fetat%3Dbrouillon"
    );
    let page = get(&app, "/connexion?retour=/contrats").await;
    assert!(page.corps.contains("name=\"retour\" value=\"/contrats\""));
    // Another site is never a destination.
    let page = get(&app, "/connexion?retour=//exemple.fr").await;
    assert!(page.corps.contains("name=\"retour\" value=\"/\""));

    let (email, mdp) = compte_demo("ddets");
    let r = post_formulaire(
        &app,
        "/connexion",
        &[
            ("email", &email.to_uppercase()),
            ("mot_de_passe", mdp),
            ("retour", "/contrats"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(r.entetes[header::LOCATION], "/contrats");
    let cookie = r.entetes[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("pacte_session="), "{cookie}");
    for attribut in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribut), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "servi en HTTP : {cookie}");
    // The base keeps the SHA-256 of the secret, not the secret.
    let secret = cookie_de(&r)
        .unwrap()
        .trim_start_matches("pacte_session=")
        .to_string();
    assert_eq!(secret.len(), 43, "32 octets en base64url");
    let s = connecter(&app, email, mdp).await;
    let accueil = get_connecte(&app, &s, "/").await;
    assert_eq!(accueil.statut, StatusCode::OK);
    assert!(accueil.corps.contains("DDETS des Bouches-du-Rhône (démo)"));

    // Wrong password, unknown account: the same message, nothing told.
    for (e, m) in [(email, "pas le bon"), ("inconnu@exemple.fr", mdp)] {
        let r = post_formulaire(&app, "/connexion", &[("email", e), ("mot_de_passe", m)]).await;
        assert_eq!(r.statut, StatusCode::UNAUTHORIZED);
        assert!(r.corps.contains(ECHEC), "{}", r.corps);
        assert!(r.entetes.get(header::SET_COOKIE).is_none());
    }
}

#[tokio::test]
async fn cookie_securise_en_https() {
    let base = base_neuve().await;
    pacte_web::demo::creer_comptes(&base, pacte_web::comptes::mot_de_passe::Cout::Test)
        .await
        .unwrap();
    let app = pacte_web::application(
        base,
        pacte_web::Options {
            https: true,
            ..Default::default()
        },
    );
    let (email, mdp) = compte_demo("aucun");
    let r = post_formulaire(&app, "/connexion", &[("email", email), ("mot_de_passe", mdp)]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    assert!(
        r.entetes[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
}

#[tokio::test]
async fn blocage_apres_cinq_echecs_par_compte() {
    let (app, _, _) = app_demo().await;
    let (email, mdp) = compte_demo("commissaire");
    // Five failures from five addresses: the account is blocked.
    for i in 1..=5 {
        let r = essai(&app, &format!("10.0.0.{i}"), email, "mauvais mot de passe").await;
        assert_eq!(r.statut, StatusCode::UNAUTHORIZED);
    }
    // The sixth attempt is refused even with the right password, from a fresh address, with
    // the same message.
    let r = essai(&app, "10.0.0.99", email, mdp).await;
    assert_eq!(r.statut, StatusCode::UNAUTHORIZED);
    assert!(r.corps.contains(ECHEC));
    // Another account is not affected.
    let (autre, mdp_autre) = compte_demo("ddets");
    assert_eq!(
        essai(&app, "10.0.0.99", autre, mdp_autre).await.statut,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn blocage_apres_cinq_echecs_par_adresse() {
    let (app, _, _) = app_demo().await;
    // Five failures from one address, on five different (unknown) accounts.
    for i in 1..=5 {
        let r = essai(&app, "192.0.2.7", &format!("essai{i}@exemple.fr"), "x").await;
        assert_eq!(r.statut, StatusCode::UNAUTHORIZED);
    }
    let (email, mdp) = compte_demo("lecteur_national");
    let r = essai(&app, "192.0.2.7", email, mdp).await;
    assert_eq!(
        r.statut,
        StatusCode::UNAUTHORIZED,
        "sixième essai depuis la même adresse"
    );
    assert!(r.corps.contains(ECHEC));
    // From another address, the same account signs in.
    assert_eq!(
        essai(&app, "192.0.2.8", email, mdp).await.statut,
        StatusCode::SEE_OTHER
    );
}

/// A sign-in attempt relayed by a reverse proxy at 10.0.0.1 with `X-Forwarded-For: xff`.
async fn essai_relaye(app: &Router, xff: &str, email: &str, mdp: &str) -> Reponse {
    tentative(app, "10.0.0.1", Some(xff), email, mdp).await
}

#[tokio::test]
async fn blocage_par_adresse_derriere_un_mandataire() {
    let (email, mdp) = compte_demo("lecteur_national");
    // Behind a proxy: the client's address is the last of X-Forwarded-For.
    let (app, _, _) = app_demo_avec(pacte_web::Options {
        mandataire: true,
        ..Default::default()
    })
    .await;
    for i in 1..=5 {
        let r = essai_relaye(&app, "203.0.113.9", &format!("essai{i}@exemple.fr"), "x").await;
        assert_eq!(r.statut, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        essai_relaye(&app, "203.0.113.9", email, mdp).await.statut,
        StatusCode::UNAUTHORIZED,
        "sixième essai depuis la même adresse de client"
    );
    // A client cannot escape by adding addresses of its own in front of the proxy's.
    assert_eq!(
        essai_relaye(&app, "198.51.100.1, 203.0.113.9", email, mdp)
            .await
            .statut,
        StatusCode::UNAUTHORIZED
    );
    // Another client behind the same proxy signs in.
    assert_eq!(
        essai_relaye(&app, "203.0.113.9, 203.0.113.10", email, mdp)
            .await
            .statut,
        StatusCode::SEE_OTHER
    );

    // Without the setting, the header is ignored: every client shares the proxy's address.
    let (app, _, _) = app_demo().await;
    for i in 1..=5 {
        let r = essai_relaye(
            &app,
            &format!("203.0.113.{i}"),
            &format!("essai{i}@exemple.fr"),
            "x",
        )
        .await;
        assert_eq!(r.statut, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        essai_relaye(&app, "203.0.113.50", email, mdp).await.statut,
        StatusCode::UNAUTHORIZED,
        "X-Forwarded-For ignoré sans mandataire déclaré"
    );
}

#[tokio::test]
async fn formulaire_sans_jeton_csrf_refuse() {
    let (app, base, ids) = app_demo().await;
    let (email, mdp) = compte_demo("collectivite_editeur");
    let s = connecter(&app, email, mdp).await;
    let amp = ids[0];
    let version = base.contrat(amp).await.unwrap().tampon.version.to_string();
    let fiches = base.contrat(amp).await.unwrap().contrat.fiches.len();
    let champs = [("intitule", "Intitulé forgé"), ("version", version.as_str())];
    let uri = format!("/contrats/{amp}/fiches/1.1/supprimer");
    for csrf in [None, Some("faux"), Some("")] {
        let mut tous: Vec<(&str, &str)> = champs.to_vec();
        tous.push(("confirmer", "oui"));
        if let Some(c) = csrf {
            tous.push(("csrf", c));
        }
        let r = envoyer(
            &app,
            Request::post(&uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, &s.cookie)
                .body(Body::from(corps_formulaire(&tous)))
                .unwrap(),
        )
        .await;
        assert_eq!(r.statut, StatusCode::FORBIDDEN, "{csrf:?}");
        assert!(r.corps.contains("rien n&#39;a été enregistré"), "{}", r.corps);
    }
    // A multipart upload without the token: refused too.
    let frontiere = "xyz";
    let corps = format!(
        "--{frontiere}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"a.toml\"\r\n\r\n{}\r\n--{frontiere}--\r\n",
        include_str!("../../../../exemples/metropole-aix-marseille-provence.toml")
    );
    let r = envoyer(
        &app,
        Request::post("/contrats/import")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={frontiere}"),
            )
            .header(header::COOKIE, &s.cookie)
            .body(Body::from(corps))
            .unwrap(),
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    // Nothing was written.
    assert_eq!(base.contrat(amp).await.unwrap().contrat.fiches.len(), fiches);
    assert_eq!(base.contrats().await.unwrap().len(), 5);
    // The session's own token passes the check (the contract is in execution: the
    // collectivity no longer changes its fiches, 409).
    let r = post_formulaire_connecte(&app, &s, &uri, &[("version", &version), ("confirmer", "oui")]).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
}

#[tokio::test]
async fn session_expiree_ou_fermee() {
    let (app, base, _) = app_demo().await;
    let (email, _) = compte_demo("administrateur_national");
    let u = base.utilisateur_par_email(email).await.unwrap().unwrap();
    // A session past its expiry: back to the sign-in page.
    base.ouvrir_session(
        u.id,
        &empreinte_secret("expiree"),
        "c",
        "2020-01-01T00:00:00.000Z",
    )
    .await
    .unwrap();
    let r = envoyer(
        &app,
        Request::get("/")
            .header(header::COOKIE, "pacte_session=expiree")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    assert!(
        r.entetes[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/connexion")
    );
    // An unknown cookie: the same.
    let r = envoyer(
        &app,
        Request::get("/")
            .header(header::COOKIE, "pacte_session=inconnue")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);

    // Sign-out closes the session and deletes the cookie.
    let (email, mdp) = compte_demo("lecteur_national");
    let s = connecter(&app, email, mdp).await;
    assert_eq!(get_connecte(&app, &s, "/").await.statut, StatusCode::OK);
    let r = post_formulaire_connecte(&app, &s, "/deconnexion", &[]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    assert!(
        r.entetes[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(get_connecte(&app, &s, "/").await.statut, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn changement_de_mot_de_passe() {
    let (app, _, _) = app_demo().await;
    let (email, mdp) = compte_demo("partenaire");
    let s = connecter(&app, email, mdp).await;
    let autre = connecter(&app, email, mdp).await;
    let uri = "/compte/mot-de-passe";
    for (actuel, nouveau, confirmation, attendu) in [
        (
            "faux",
            "un nouveau mot de passe",
            "un nouveau mot de passe",
            "Le mot de passe actuel est incorrect.",
        ),
        (mdp, "court", "court", "au moins 12 caractères"),
        (
            mdp,
            "un nouveau mot de passe",
            "un autre mot de passe",
            "La confirmation ne reprend pas",
        ),
    ] {
        let r = post_formulaire_connecte(
            &app,
            &s,
            uri,
            &[
                ("actuel", actuel),
                ("nouveau", nouveau),
                ("confirmation", confirmation),
            ],
        )
        .await;
        assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.corps.contains(attendu), "{attendu}");
    }
    let r = post_formulaire_connecte(
        &app,
        &s,
        uri,
        &[
            ("actuel", mdp),
            ("nouveau", "un nouveau mot de passe"),
            ("confirmation", "un nouveau mot de passe"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    // This session goes on; the other one is closed; the old password no longer works.
    assert_eq!(get_connecte(&app, &s, "/").await.statut, StatusCode::OK);
    assert_eq!(
        get_connecte(&app, &autre, "/").await.statut,
        StatusCode::SEE_OTHER
    );
    let r = post_formulaire(&app, "/connexion", &[("email", email), ("mot_de_passe", mdp)]).await;
    assert_eq!(r.statut, StatusCode::UNAUTHORIZED);
    connecter(&app, email, "un nouveau mot de passe").await;
}

#[tokio::test]
async fn jetons_d_api() {
    let (app, base, _) = app_demo().await;
    let (email, mdp) = compte_demo("ddets");
    let s = connecter(&app, email, mdp).await;
    // Bad input.
    let r = post_formulaire_connecte(&app, &s, "/compte/jetons", &[("libelle", "x"), ("jours", "400")]).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.corps.contains("entre 1 et 365"));
    // Created: shown once.
    let r = post_formulaire_connecte(
        &app,
        &s,
        "/compte/jetons",
        &[("libelle", "Tableur DDETS"), ("jours", "30")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    let motif = "id=\"nouveau-jeton\">";
    let i = r.corps.find(motif).unwrap() + motif.len();
    let jeton = r.corps[i..i + r.corps[i..].find('<').unwrap()].to_string();
    assert!(jeton.starts_with("pacte_"));
    let liste = get_connecte(&app, &s, "/compte/jetons").await;
    assert!(liste.corps.contains("Tableur DDETS") && !liste.corps.contains(&jeton));

    let api = |jeton: String| {
        let app = app.clone();
        async move {
            envoyer(
                &app,
                Request::get("/api/v1/contrats")
                    .header(header::AUTHORIZATION, format!("Bearer {jeton}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
        }
    };
    let r = api(jeton.clone()).await;
    assert_eq!(r.statut, StatusCode::OK);
    // The token carries its owner's rights: the DDETS 13 sees its two contracts.
    assert_eq!(r.json()["total"], 2);
    assert_eq!(api("pacte_faux".into()).await.statut, StatusCode::UNAUTHORIZED);
    // A session cookie does not open the API.
    let r = get_connecte(&app, &s, "/api/v1/contrats").await;
    assert_eq!(r.statut, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "non_authentifie");

    // Revoked: 401. Another account cannot revoke it.
    let id = base
        .jetons_de(base.utilisateur_par_email(email).await.unwrap().unwrap().id)
        .await
        .unwrap()[0]
        .id;
    let (autre, mdp_autre) = compte_demo("commissaire");
    let t = connecter(&app, autre, mdp_autre).await;
    let r = post_formulaire_connecte(&app, &t, &format!("/compte/jetons/{id}/revoquer"), &[]).await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND);
    assert_eq!(api(jeton.clone()).await.statut, StatusCode::OK);
    let r = post_formulaire_connecte(&app, &s, &format!("/compte/jetons/{id}/revoquer"), &[]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    let r = api(jeton).await;
    assert_eq!(r.statut, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "non_authentifie");
}

#[tokio::test]
async fn journal_d_audit_nomme_l_auteur() {
    // The demonstration accounts on a base without contracts: the AMP contract created below
    // is AMP's only one (one contract per collectivity and period).
    let base = crate::commun::base_neuve().await;
    pacte_web::demo::creer_comptes(&base, pacte_web::comptes::mot_de_passe::Cout::Test)
        .await
        .unwrap();
    let app = pacte_web::application(
        base.clone(),
        pacte_web::Options {
            cout_hachage: pacte_web::comptes::mot_de_passe::Cout::Test,
            ..Default::default()
        },
    );
    let (email, mdp) = compte_demo("collectivite_editeur");
    let s = connecter(&app, email, mdp).await;
    let r = post_formulaire_connecte(
        &app,
        &s,
        "/contrats/nouveau",
        &[
            ("collectivite", "200054807"),
            ("intitule", "Nouveau contrat AMP"),
            ("debut", "2024-01-01"),
            ("fin", "2027-12-31"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let id: i64 = r.entetes[header::LOCATION]
        .to_str()
        .unwrap()
        .trim_start_matches("/contrats/")
        .parse()
        .unwrap();
    let u = base.utilisateur_par_email(email).await.unwrap().unwrap();
    assert_eq!(
        base.contrat(id).await.unwrap().tampon.modifie_par,
        format!("utilisateur:{}:{email}", u.id)
    );
    // Another collectivity's contract: refused, nothing created.
    let r = post_formulaire_connecte(
        &app,
        &s,
        "/contrats/nouveau",
        &[
            ("collectivite", "243400017"),
            ("intitule", "Contrat d'autrui"),
            ("debut", "2024-01-01"),
            ("fin", "2027-12-31"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    assert_eq!(
        base.contrats().await.unwrap().len(),
        1,
        "only the contract created above"
    );
}

/// Housekeeping: expired and idle sessions go, attempts older than a day go (client addresses
/// are personal data), the rest stays.
#[tokio::test]
async fn entretien_des_sessions_et_des_tentatives() {
    use pacte_web::comptes::entretien::{Bilan, RETENTION_TENTATIVES, entretenir};
    use pacte_web::comptes::temps;
    let (app, base, _) = app_demo().await;
    let (email, mdp) = compte_demo("lecteur_national");
    let vivante = connecter(&app, email, mdp).await;
    let compte = base.utilisateur_par_email(email).await.unwrap().unwrap();
    let maintenant = temps::maintenant();
    let expiree = empreinte_secret("expiree");
    base.ouvrir_session(compte.id, &expiree, "csrf", &temps::iso(maintenant - 1))
        .await
        .unwrap();
    let hier = temps::iso(maintenant - RETENTION_TENTATIVES - 60);
    base.noter_tentative("adresse:192.0.2.1", false, &hier)
        .await
        .unwrap();
    base.noter_tentative("adresse:192.0.2.2", false, &temps::iso(maintenant - 60))
        .await
        .unwrap();

    // The sign-in above left two attempts (account and address), recent: kept.
    let bilan = entretenir(&base, maintenant).await.unwrap();
    assert_eq!(
        bilan,
        Bilan {
            sessions: 1,
            tentatives: 1
        }
    );
    assert_eq!(
        base.echecs_recents("adresse:192.0.2.2", &temps::iso(maintenant - 3600))
            .await
            .unwrap(),
        1
    );
    assert_eq!(get_connecte(&app, &vivante, "/").await.statut, StatusCode::OK);

    // Three hours later, the session has been idle too long: it goes too.
    let bilan = entretenir(&base, maintenant + 3 * 3600).await.unwrap();
    assert_eq!(bilan.sessions, 1);
    // (The application trusts a session it has just read for a moment: by the real clock this
    // one is not idle, so it is gone once that moment has passed.)
    tokio::time::sleep(pacte_web::comptes::memoire::FRAICHEUR).await;
    assert_eq!(
        get_connecte(&app, &vivante, "/").await.statut,
        StatusCode::SEE_OTHER
    );
}

/// Sessions read recently are kept in memory for a moment: a sign-out or a change made by the
/// application is seen at once; a change made by another process (the command line beside
/// the server) within `FRAICHEUR`.
#[tokio::test]
async fn sessions_en_memoire() {
    use pacte_web::comptes::memoire::FRAICHEUR;
    let (app, base, _, url) = app_demo_et_adresse(pacte_web::Options::default()).await;
    let (email, mdp) = compte_demo("ddets");
    let s = connecter(&app, email, mdp).await;
    assert_eq!(get_connecte(&app, &s, "/").await.statut, StatusCode::OK);
    // Another process deactivates the account.
    let compte = base.utilisateur_par_email(email).await.unwrap().unwrap();
    let autre = pacte_store::Base::ouvrir(&url).await.unwrap();
    autre
        .desactiver_utilisateur(compte.id, "cli:admin")
        .await
        .unwrap();
    tokio::time::sleep(FRAICHEUR + std::time::Duration::from_millis(50)).await;
    let r = get_connecte(&app, &s, "/").await;
    assert_eq!(
        r.statut,
        StatusCode::SEE_OTHER,
        "compte désactivé par un autre processus"
    );

    // Sign-out through the application: at once.
    let (email, mdp) = compte_demo("lecteur_national");
    let s = connecter(&app, email, mdp).await;
    assert_eq!(get_connecte(&app, &s, "/").await.statut, StatusCode::OK);
    let r = post_formulaire_connecte(&app, &s, "/deconnexion", &[]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    assert_eq!(get_connecte(&app, &s, "/").await.statut, StatusCode::SEE_OTHER);

    // A write of the application (an account deactivated by this process): at once.
    let (email, mdp) = compte_demo("partenaire");
    let s = connecter(&app, email, mdp).await;
    assert_eq!(get_connecte(&app, &s, "/").await.statut, StatusCode::OK);
    let compte = base.utilisateur_par_email(email).await.unwrap().unwrap();
    base.desactiver_utilisateur(compte.id, "admin").await.unwrap();
    assert_eq!(get_connecte(&app, &s, "/").await.statut, StatusCode::SEE_OTHER);
}
