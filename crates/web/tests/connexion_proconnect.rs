//! Sign-in through ProConnect in the application, end to end: the application's routes
//! against an OpenID Connect provider started by the test (tests/fournisseur_oidc), which
//! signs real RS256 tokens. The browser is played by the test: it keeps the cookies the
//! application sets and carries the provider's answer back.

mod commun;
#[allow(dead_code)]
mod fournisseur_oidc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use commun::*;
use fournisseur_oidc::{CLIENT_ID, CLIENT_SECRET, EMAIL, Fournisseur, Reglages, SUJET, URL_RETOUR, naviguer};
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
    let r = get(app, &format!("/connexion/proconnect?retour={}", encoder(retour))).await;
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
            Box::new(|r: &mut Reglages| r.signature = fournisseur_oidc::Signature::AutreCle),
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
