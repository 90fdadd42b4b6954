//! Sign-in through ProConnect in the application, end to end: the application's routes
//! against an OpenID Connect provider started by the test (tests/fournisseur_oidc), which
//! signs real RS256 tokens. The browser is played by the test: it keeps the cookies the
//! application sets and carries the provider's answer back.

use crate::commun::*;
use crate::fournisseur_oidc::{
    CLIENT_ID, CLIENT_SECRET, EMAIL, Fournisseur, Reglages, SUJET, URL_RETOUR, naviguer,
};
#[allow(dead_code)]
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pacte_store::Base;
use pacte_web::proconnect::ConfigProConnect;
use serde_json::json;

/// The agent's address as the application stores it (trimmed, lower-cased).
const EMAIL_NORMALISE: &str = "camille.durand@exemple.gouv.fr";

/// The demonstration application with ProConnect configured to use `fournisseur`.
async fn app_avec(fournisseur: &Fournisseur) -> (Router, Base, Vec<i64>) {
    app_demo_avec(pacte_web::Options {
        proconnect: Some(ConfigProConnect::new(
            fournisseur.url_decouverte(),
            CLIENT_ID,
            CLIENT_SECRET,
            URL_RETOUR,
        )),
        ..Default::default()
    })
    .await
}

/// The value (`nom=valeur`) of cookie `nom` set by a response, unless it is a deletion.
fn cookie_pose(r: &Reponse, nom: &str) -> Option<String> {
    r.entetes
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{nom}=")) && !v.starts_with(&format!("{nom}=;")))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

fn efface(r: &Reponse, nom: &str) -> bool {
    r.entetes
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with(&format!("{nom}=;")) && v.contains("Max-Age=0"))
}

fn location(r: &Reponse) -> String {
    r.entetes
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// A login under way: the cookie the application set, and the provider's answer.
struct Depart {
    cookie: String,
    code: String,
    state: String,
}

/// The agent clicks « S'identifier avec ProConnect » (coming from `retour`) and logs in at the
/// provider, which sends them back with a code.
async fn partir(app: &Router, retour: &str) -> Depart {
    partir_depuis(app, retour, None).await
}

/// [`partir`] from a client address (behind a declared reverse proxy: `X-Forwarded-For`).
async fn partir_depuis(app: &Router, retour: &str, adresse: Option<&str>) -> Depart {
    let r = depart(app, retour, adresse).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let cookie = cookie_pose(&r, "pacte_proconnect").expect("cookie de connexion");
    let pose = r.entetes[header::SET_COOKIE].to_str().unwrap();
    assert!(
        pose.contains("HttpOnly")
            && pose.contains("SameSite=Lax")
            && pose.contains("Path=/connexion/proconnect"),
        "{pose}"
    );
    let (code, state) = naviguer(&location(&r)).await;
    Depart { cookie, code, state }
}

/// `GET /connexion/proconnect?retour=…`, from `adresse` if given.
async fn depart(app: &Router, retour: &str, adresse: Option<&str>) -> Reponse {
    let mut r = Request::get(format!("/connexion/proconnect?retour={}", encoder(retour)));
    if let Some(a) = adresse {
        r = r.header("x-forwarded-for", a);
    }
    envoyer(app, r.body(Body::empty()).unwrap()).await
}

/// The provider sends the agent back: `GET /connexion/proconnect/retour?…` with `cookie`.
async fn revenir(app: &Router, parametres: &[(&str, &str)], cookie: Option<&str>) -> Reponse {
    let requete = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(parametres)
        .finish();
    let mut r = Request::get(format!("/connexion/proconnect/retour?{requete}"));
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    envoyer(app, r.body(Body::empty()).unwrap()).await
}

async fn revenir_de(app: &Router, d: &Depart) -> Reponse {
    revenir(app, &[("code", &d.code), ("state", &d.state)], Some(&d.cookie)).await
}

async fn get_cookie(app: &Router, cookie: &str, uri: &str) -> Reponse {
    envoyer(
        app,
        Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn premiere_connexion_cree_un_compte_sans_droit() {
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let (app, base, ids) = app_avec(&fournisseur).await;
    let page = get(&app, "/connexion?retour=/contrats").await;
    assert!(
        page.corps.contains("S'identifier avec ProConnect"),
        "{}",
        page.corps
    );
    assert!(
        page.corps
            .contains("href=\"/connexion/proconnect?retour=/contrats\"")
    );
    assert!(base.utilisateur_par_email(EMAIL).await.unwrap().is_none());
    let comptes_avant = base.utilisateurs().await.unwrap().len();

    let d = partir(&app, "/contrats").await;
    let r = revenir_de(&app, &d).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(location(&r), "/contrats");
    assert!(efface(&r, "pacte_proconnect"), "cookie de connexion effacé");
    let session = cookie_pose(&r, "pacte_session").expect("session ouverte");

    // The account exists, with no rights and no password, named after the identity.
    let compte = base
        .utilisateur_par_email(EMAIL)
        .await
        .unwrap()
        .expect("compte créé");
    assert_eq!(compte.email, EMAIL_NORMALISE);
    assert_eq!(compte.nom, "Camille Durand");
    assert_eq!(
        (compte.role.as_str(), compte.perimetre.as_str()),
        ("aucun", "aucun")
    );
    assert!(compte.hash_mot_de_passe.is_none() && compte.actif);
    assert_eq!(compte.modifie_par, format!("proconnect:{SUJET}"));
    let journal = base.journal(1, 10_000).await.unwrap();
    let creation = journal.last().expect("création au journal");
    assert_eq!(creation.acteur, format!("proconnect:{SUJET}"));
    assert_eq!(base.verifier_audit().await.unwrap().rupture, None);

    // Signed in, and sees nothing of the contracts.
    let accueil = get_cookie(&app, &session, "/").await;
    assert_eq!(accueil.statut, StatusCode::OK);
    assert!(accueil.corps.contains(EMAIL_NORMALISE) || accueil.corps.contains("Camille Durand"));
    let contrat = get_cookie(&app, &session, &format!("/contrats/{}", ids[0])).await;
    assert_eq!(contrat.statut, StatusCode::NOT_FOUND);

    // No Pacte password to change: the page says so, the header does not offer it.
    let page = get_cookie(&app, &session, "/compte/mot-de-passe").await;
    assert_eq!(page.statut, StatusCode::OK);
    assert!(
        page.corps.contains("il n&#39;a pas de mot de passe Pacte"),
        "{}",
        page.corps
    );
    assert!(!page.corps.contains("name=\"actuel\""));
    assert!(!accueil.corps.contains("href=\"/compte/mot-de-passe\""));
    let csrf = csrf_de(&get_cookie(&app, &session, "/deconnexion").await.corps).unwrap();
    let r = envoyer(
        &app,
        Request::post("/compte/mot-de-passe")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &session)
            .body(Body::from(corps_formulaire(&[
                ("csrf", &csrf),
                ("actuel", ""),
                ("nouveau", "un nouveau mot de passe"),
                ("confirmation", "un nouveau mot de passe"),
            ])))
            .unwrap(),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        base.utilisateur_par_email(EMAIL)
            .await
            .unwrap()
            .unwrap()
            .hash_mot_de_passe
            .is_none()
    );

    // A second login finds the same account.
    let r = revenir_de(&app, &partir(&app, "/").await).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(base.utilisateurs().await.unwrap().len(), comptes_avant + 1);
}

#[tokio::test]
async fn agent_connu_retrouve_son_compte_et_ses_droits() {
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let (app, base, ids) = app_avec(&fournisseur).await;
    // Created by an administrator beforehand, with another capitalisation.
    let existant = base
        .creer_utilisateur(
            &pacte_store::comptes::NouvelUtilisateur {
                email: "CAMILLE.DURAND@exemple.gouv.fr".into(),
                nom: "Camille Durand (DDETS 13)".into(),
                hash_mot_de_passe: None,
                role: "ddets".into(),
                perimetre: "departement:13".into(),
            },
            "admin",
        )
        .await
        .unwrap();
    let r = revenir_de(&app, &partir(&app, &format!("/contrats/{}", ids[0])).await).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(location(&r), format!("/contrats/{}", ids[0]));
    let session = cookie_pose(&r, "pacte_session").unwrap();
    let page = get_cookie(&app, &session, &location(&r)).await;
    assert_eq!(page.statut, StatusCode::OK, "le DDETS 13 lit le contrat d'AMP");
    // Nothing was created or changed.
    assert_eq!(base.utilisateur(existant.id).await.unwrap(), existant);
    assert_eq!(
        base.utilisateurs()
            .await
            .unwrap()
            .iter()
            .filter(|u| u.email == EMAIL_NORMALISE)
            .count(),
        1
    );
}

#[tokio::test]
async fn compte_desactive_refuse() {
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let (app, base, _) = app_avec(&fournisseur).await;
    let r = revenir_de(&app, &partir(&app, "/").await).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    let compte = base.utilisateur_par_email(EMAIL).await.unwrap().unwrap();
    base.desactiver_utilisateur(compte.id, "admin").await.unwrap();

    let r = revenir_de(&app, &partir(&app, "/").await).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    assert!(r.corps.contains("est désactivé"), "{}", r.corps);
    assert!(cookie_pose(&r, "pacte_session").is_none());
}

#[tokio::test]
async fn retour_sans_le_cookie_du_navigateur_ou_rejoue() {
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let (app, base, _) = app_avec(&fournisseur).await;
    let comptes = base.utilisateurs().await.unwrap().len();

    // Another browser (no cookie) brings back a valid code and state: refused, and the state
    // is spent — the agent's own browser cannot use it afterwards either.
    let d = partir(&app, "/").await;
    let r = revenir(&app, &[("code", &d.code), ("state", &d.state)], None).await;
    assert_eq!(r.statut, StatusCode::BAD_REQUEST, "{}", r.corps);
    assert!(r.corps.contains("a été commencée dans un autre navigateur"));
    assert!(cookie_pose(&r, "pacte_session").is_none());
    let r = revenir_de(&app, &d).await;
    assert_eq!(r.statut, StatusCode::BAD_REQUEST, "état consommé");

    // A cookie of another login.
    let d1 = partir(&app, "/").await;
    let d2 = partir(&app, "/").await;
    let r = revenir(
        &app,
        &[("code", &d1.code), ("state", &d1.state)],
        Some(&d2.cookie),
    )
    .await;
    assert_eq!(r.statut, StatusCode::BAD_REQUEST);

    // A successful return replayed.
    let d = partir(&app, "/").await;
    assert_eq!(revenir_de(&app, &d).await.statut, StatusCode::SEE_OTHER);
    let r = revenir_de(&app, &d).await;
    assert_eq!(r.statut, StatusCode::BAD_REQUEST, "retour rejoué");
    assert!(cookie_pose(&r, "pacte_session").is_none());
    assert_eq!(base.utilisateurs().await.unwrap().len(), comptes + 1);
}

#[tokio::test]
async fn refus_et_jetons_invalides() {
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let (app, base, _) = app_avec(&fournisseur).await;
    let comptes = base.utilisateurs().await.unwrap().len();

    // The agent cancelled at the provider.
    let d = partir(&app, "/").await;
    let r = revenir(
        &app,
        &[("error", "access_denied<script>"), ("state", &d.state)],
        Some(&d.cookie),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNAUTHORIZED);
    assert!(r.corps.contains("(access_deniedscript)"), "{}", r.corps);
    assert!(r.corps.contains("fr-alert--error"));
    // …and that state is spent.
    assert_eq!(revenir_de(&app, &d).await.statut, StatusCode::BAD_REQUEST);

    // Tokens the client must refuse: each answered by the sign-in page with the reason.
    for (reglage, motif) in [
        (
            Box::new(|r: &mut Reglages| r.audience = json!("autre-client")) as Box<dyn FnOnce(&mut Reglages)>,
            "audience du jeton incorrecte",
        ),
        (Box::new(|r: &mut Reglages| r.decalage_exp = -600), "jeton expiré"),
        (
            Box::new(|r: &mut Reglages| r.signature = crate::fournisseur_oidc::Signature::AutreCle),
            "signature du jeton invalide",
        ),
        (
            Box::new(|r: &mut Reglages| r.nonce = Some("autre".into())),
            "nonce du jeton incorrect",
        ),
    ] {
        fournisseur.regler(|r| *r = Reglages::default());
        fournisseur.regler(reglage);
        let r = revenir_de(&app, &partir(&app, "/").await).await;
        assert_eq!(r.statut, StatusCode::UNAUTHORIZED, "{motif} : {}", r.corps);
        assert!(r.corps.contains(motif), "{motif} : {}", r.corps);
        assert!(cookie_pose(&r, "pacte_session").is_none());
    }
    assert_eq!(
        base.utilisateurs().await.unwrap().len(),
        comptes,
        "aucun compte créé"
    );
}

#[tokio::test]
async fn retour_vers_un_autre_site_refuse() {
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let (app, _, _) = app_avec(&fournisseur).await;
    for retour in ["//exemple.org/piege", "https://exemple.org/", "/\\exemple.org"] {
        let r = revenir_de(&app, &partir(&app, retour).await).await;
        assert_eq!(r.statut, StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/", "{retour}");
    }
}

#[tokio::test]
async fn fournisseur_injoignable_ou_non_configure() {
    // The provider is down (nothing listens on port 9 of the loopback).
    let (app, _, _) = app_demo_avec(pacte_web::Options {
        proconnect: Some(ConfigProConnect::new(
            "http://127.0.0.1:9/api/v2",
            CLIENT_ID,
            CLIENT_SECRET,
            URL_RETOUR,
        )),
        ..Default::default()
    })
    .await;
    let r = get(&app, "/connexion/proconnect").await;
    assert_eq!(r.statut, StatusCode::BAD_GATEWAY, "{}", r.corps);
    assert!(r.corps.contains("momentanément impossible"), "{}", r.corps);
    assert!(
        r.corps.contains("name=\"mot_de_passe\""),
        "le formulaire reste offert"
    );

    // Not configured: no button, and the routes do not exist.
    let (app, _, _) = app_demo().await;
    let page = get(&app, "/connexion").await;
    assert!(!page.corps.contains("ProConnect"));
    for chemin in [
        "/connexion/proconnect",
        "/connexion/proconnect/retour?code=x&state=y",
    ] {
        let r = get(&app, chemin).await;
        assert_eq!(r.statut, StatusCode::NOT_FOUND, "{chemin}");
        assert!(r.corps.contains("pas configurée"));
    }
}

#[tokio::test]
async fn deconnexion_chez_le_fournisseur() {
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let (app, _, _) = app_avec(&fournisseur).await;
    let r = revenir_de(&app, &partir(&app, "/").await).await;
    let cookie = cookie_pose(&r, "pacte_session").unwrap();
    let page = get_cookie(&app, &cookie, "/deconnexion").await;
    let csrf = csrf_de(&page.corps).unwrap();
    let r = envoyer(
        &app,
        Request::post("/deconnexion")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &cookie)
            .body(Body::from(corps_formulaire(&[("csrf", &csrf)])))
            .unwrap(),
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let vers = location(&r);
    let (adresse, requete) = vers.split_once('?').unwrap();
    assert_eq!(adresse, format!("{}/session/end", fournisseur.emetteur));
    let parametres: std::collections::HashMap<String, String> =
        form_urlencoded::parse(requete.as_bytes()).into_owned().collect();
    assert_eq!(
        parametres["post_logout_redirect_uri"],
        "http://127.0.0.1:9/connexion"
    );
    assert_eq!(
        parametres["id_token_hint"].split('.').count(),
        3,
        "jeton d'identité"
    );
    assert!(parametres["state"].len() >= 43);
    // The local session is closed.
    assert_eq!(get_cookie(&app, &cookie, "/").await.statut, StatusCode::SEE_OTHER);

    // A password session signs out locally only.
    let (email, mdp) = compte_demo("lecteur_national");
    let s = connecter(&app, email, mdp).await;
    let r = post_formulaire_connecte(&app, &s, "/deconnexion", &[]).await;
    assert_eq!(location(&r), "/connexion");
}

// ----- Accounts are matched by their pinned identity, never by e-mail alone -----

#[tokio::test]
async fn compte_a_mot_de_passe_jamais_lie_implicitement() {
    // A ProConnect identity asserting the national administrator's address.
    let (email_admin, mdp_admin) = compte_demo("administrateur_national");
    let fournisseur = Fournisseur::demarrer(Reglages {
        email: email_admin.to_uppercase(),
        ..Reglages::default()
    })
    .await;
    let (app, base, _) = app_avec(&fournisseur).await;
    let admin = base.utilisateur_par_email(email_admin).await.unwrap().unwrap();
    let entrees = base.journal(1, 100_000).await.unwrap().len();

    let r = revenir_de(&app, &partir(&app, "/administration/utilisateurs").await).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    assert!(r.corps.contains("protégé par un mot de passe"), "{}", r.corps);
    assert!(r.corps.contains("Lier mon compte ProConnect"), "{}", r.corps);
    assert!(
        cookie_pose(&r, "pacte_session").is_none(),
        "aucune session ouverte"
    );
    // The password form leads to the page where the person links the account.
    assert!(r.corps.contains("/compte/proconnect"), "{}", r.corps);
    assert_eq!(base.utilisateur(admin.id).await.unwrap(), admin);
    assert_eq!(base.lien_proconnect(admin.id).await.unwrap(), None);
    assert_eq!(
        base.journal(1, 100_000).await.unwrap().len(),
        entrees,
        "rien d'écrit"
    );

    // The person signs in with the password, and links the account explicitly.
    let s = connecter(&app, email_admin, mdp_admin).await;
    let page = get_connecte(&app, &s, "/compte/proconnect").await;
    assert_eq!(page.statut, StatusCode::OK, "{}", page.corps);
    assert!(
        page.corps.contains("n&#39;est pas lié à ProConnect"),
        "{}",
        page.corps
    );
    assert!(page.corps.contains("Lier mon compte ProConnect"));
    let r = post_formulaire_connecte(&app, &s, "/compte/proconnect", &[]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let cookie_etat = cookie_pose(&r, "pacte_proconnect").expect("cookie de connexion");
    let (code, state) = naviguer(&location(&r)).await;
    let cookies = format!("{}; {cookie_etat}", s.cookie);
    let r = revenir(&app, &[("code", &code), ("state", &state)], Some(&cookies)).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(location(&r), "/compte/proconnect?lie=1");
    let lien = base.lien_proconnect(admin.id).await.unwrap().expect("compte lié");
    assert_eq!(lien.sujet.as_deref(), Some(SUJET));
    let entree = base.journal(1, 100_000).await.unwrap().pop().unwrap();
    assert_eq!(
        (entree.entite.as_str(), entree.operation.as_str()),
        ("lien_proconnect", "liaison")
    );
    assert_eq!(entree.acteur, format!("utilisateur:{}:{}", admin.id, admin.email));
    assert_eq!(base.verifier_audit().await.unwrap().rupture, None);
    let page = get_connecte(&app, &s, "/compte/proconnect?lie=1").await;
    assert!(
        page.corps.contains("maintenant lié à ProConnect"),
        "{}",
        page.corps
    );
    assert!(!page.corps.contains("name=\"csrf\""), "plus de bouton");

    // From now on, ProConnect signs in as that account.
    let r = revenir_de(&app, &partir(&app, "/").await).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let session = cookie_pose(&r, "pacte_session").unwrap();
    let page = get_cookie(&app, &session, "/administration/utilisateurs").await;
    assert_eq!(page.statut, StatusCode::OK);
}

#[tokio::test]
async fn liaison_refusee_pour_une_autre_adresse() {
    // The person signs in at the provider as another agent.
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let (app, base, _) = app_avec(&fournisseur).await;
    let (email, mdp) = compte_demo("lecteur_national");
    let compte = base.utilisateur_par_email(email).await.unwrap().unwrap();
    let s = connecter(&app, email, mdp).await;
    let r = post_formulaire_connecte(&app, &s, "/compte/proconnect", &[]).await;
    let cookie_etat = cookie_pose(&r, "pacte_proconnect").unwrap();
    let (code, state) = naviguer(&location(&r)).await;
    let cookies = format!("{}; {cookie_etat}", s.cookie);
    let r = revenir(&app, &[("code", &code), ("state", &state)], Some(&cookies)).await;
    assert_eq!(location(&r), "/compte/proconnect?refus=adresse");
    assert_eq!(base.lien_proconnect(compte.id).await.unwrap(), None);
    let page = get_connecte(&app, &s, &location(&r)).await;
    assert!(page.corps.contains("avec une autre adresse"), "{}", page.corps);
    // Without the CSRF token, no login is started.
    let r = envoyer(
        &app,
        Request::post("/compte/proconnect")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &s.cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn liaison_autorisee_par_l_administrateur() {
    let (email, _) = compte_demo("commissaire");
    let fournisseur = Fournisseur::demarrer(Reglages {
        email: email.into(),
        ..Reglages::default()
    })
    .await;
    let (app, base, _) = app_avec(&fournisseur).await;
    let compte = base.utilisateur_par_email(email).await.unwrap().unwrap();
    // Refused before the administrator's act.
    let r = revenir_de(&app, &partir(&app, "/").await).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);

    let (email_admin, mdp_admin) = compte_demo("administrateur_national");
    let admin = connecter(&app, email_admin, mdp_admin).await;
    let fiche = format!("/administration/utilisateurs/{}", compte.id);
    let page = get_connecte(&app, &admin, &fiche).await;
    assert!(
        page.corps.contains("Autoriser la liaison ProConnect"),
        "{}",
        page.corps
    );
    let r = post_formulaire_connecte(&app, &admin, &format!("{fiche}/proconnect"), &[]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(location(&r), format!("{fiche}?proconnect=1"));
    let page = get_connecte(&app, &admin, &location(&r)).await;
    assert!(
        page.corps.contains("Liaison ProConnect autorisée"),
        "{}",
        page.corps
    );
    let lien = base.lien_proconnect(compte.id).await.unwrap().unwrap();
    assert_eq!(lien.sujet, None);

    // The next ProConnect sign-in with that address is linked and signed in.
    let r = revenir_de(&app, &partir(&app, "/").await).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert!(cookie_pose(&r, "pacte_session").is_some());
    let lien = base.lien_proconnect(compte.id).await.unwrap().unwrap();
    assert_eq!(lien.sujet.as_deref(), Some(SUJET));
    let journal = base.journal(1, 100_000).await.unwrap();
    let operations: Vec<(&str, &str)> = journal
        .iter()
        .filter(|e| e.entite == "lien_proconnect")
        .map(|e| (e.operation.as_str(), e.acteur.as_str()))
        .collect();
    let par_admin = format!(
        "utilisateur:{}:{email_admin}",
        base.utilisateur_par_email(email_admin).await.unwrap().unwrap().id
    );
    let par_sujet = format!("proconnect:{SUJET}");
    assert_eq!(
        operations,
        [
            ("autorisation de liaison", par_admin.as_str()),
            ("liaison", par_sujet.as_str())
        ]
    );
    assert_eq!(base.verifier_audit().await.unwrap().rupture, None);
    // The audit log names it for people.
    let page = get_connecte(&app, &admin, "/administration/journal").await;
    assert!(
        page.corps
            .contains(&format!("Liaison ProConnect du compte n° {}", compte.id)),
        "{}",
        page.corps
    );
}

#[tokio::test]
async fn sujet_epingle_a_la_premiere_liaison() {
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let (app, base, _) = app_avec(&fournisseur).await;
    let r = revenir_de(&app, &partir(&app, "/").await).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let compte = base.utilisateur_par_email(EMAIL).await.unwrap().unwrap();
    assert_eq!(
        base.lien_proconnect(compte.id)
            .await
            .unwrap()
            .unwrap()
            .sujet
            .as_deref(),
        Some(SUJET)
    );

    // Another identity asserting the same address: refused.
    fournisseur.regler(|r| r.sujet = "agent-9999".into());
    let r = revenir_de(&app, &partir(&app, "/").await).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    assert!(
        r.corps.contains("lié à une autre identité ProConnect"),
        "{}",
        r.corps
    );
    assert!(cookie_pose(&r, "pacte_session").is_none());

    // The pinned identity, whose address changed at the provider: the same account.
    fournisseur.regler(|r| {
        r.sujet = SUJET.into();
        r.email = "camille.durand@nouvelle-adresse.gouv.fr".into();
    });
    let comptes = base.utilisateurs().await.unwrap().len();
    let r = revenir_de(&app, &partir(&app, "/").await).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(
        base.utilisateurs().await.unwrap().len(),
        comptes,
        "aucun compte créé"
    );
    assert_eq!(base.verifier_audit().await.unwrap().rupture, None);
}

#[tokio::test]
async fn adresse_non_verifiee_refusee() {
    let fournisseur = Fournisseur::demarrer(Reglages {
        identite_dans_jeton: true,
        email_verifie: Some(false),
        ..Reglages::default()
    })
    .await;
    let (app, base, _) = app_avec(&fournisseur).await;
    let comptes = base.utilisateurs().await.unwrap().len();
    let r = revenir_de(&app, &partir(&app, "/").await).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    assert!(r.corps.contains("n&#39;est pas vérifiée"), "{}", r.corps);
    assert_eq!(base.utilisateurs().await.unwrap().len(), comptes);
    // Verified: accepted.
    fournisseur.regler(|r| r.email_verifie = Some(true));
    let r = revenir_de(&app, &partir(&app, "/").await).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
}

// ----- Logins under way cannot be flushed by strangers -----

#[tokio::test]
async fn inondation_d_une_adresse_sans_effet_sur_les_autres() {
    let fournisseur = Fournisseur::demarrer(Reglages::default()).await;
    let (app, _, _) = app_demo_avec(pacte_web::Options {
        proconnect: Some(ConfigProConnect::new(
            fournisseur.url_decouverte(),
            CLIENT_ID,
            CLIENT_SECRET,
            URL_RETOUR,
        )),
        mandataire: true,
        ..Default::default()
    })
    .await;
    // An agent starts a login from their office…
    let agent = partir_depuis(&app, "/contrats", Some("192.0.2.10")).await;
    // …while a robot opens 10 050 from one address (more than the whole store used to hold).
    let mut refusees = 0;
    let mut derniere = None;
    for _ in 0..10_050 {
        let r = depart(&app, "/", Some("198.51.100.7")).await;
        match r.statut {
            StatusCode::SEE_OTHER => {}
            StatusCode::TOO_MANY_REQUESTS => {
                refusees += 1;
                derniere = Some(r);
            }
            autre => panic!("réponse inattendue {autre}"),
        }
    }
    let acceptees = 10_050 - refusees;
    println!("inondation : {acceptees} connexions commencées, {refusees} refusées (429)");
    assert_eq!(acceptees, pacte_web::proconnect::ETATS_PAR_CLIENT_PAR_DEFAUT);
    let r = derniere.expect("l'inondation est refusée");
    assert!(
        r.corps
            .contains("Trop de connexions par ProConnect ont été commencées depuis votre adresse"),
        "{}",
        r.corps
    );
    assert!(
        r.corps.contains("name=\"mot_de_passe\""),
        "le formulaire reste offert"
    );
    assert_eq!(r.entetes[header::RETRY_AFTER], "60");
    // IPv6: the addresses of one /64 count together, another /64 apart.
    for i in 0..pacte_web::proconnect::ETATS_PAR_CLIENT_PAR_DEFAUT {
        let adresse = format!("2001:db8:1:2::{:x}", i + 1);
        assert_eq!(
            depart(&app, "/", Some(&adresse)).await.statut,
            StatusCode::SEE_OTHER
        );
    }
    for (adresse, attendu) in [
        ("2001:db8:1:2::ffff", StatusCode::TOO_MANY_REQUESTS),
        ("2001:db8:1:3::1", StatusCode::SEE_OTHER),
    ] {
        assert_eq!(
            depart(&app, "/", Some(adresse)).await.statut,
            attendu,
            "{adresse}"
        );
    }
    // The agent's login was not pushed out.
    let r = revenir_de(&app, &agent).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(location(&r), "/contrats");
    assert!(cookie_pose(&r, "pacte_session").is_some());
}
