//! The JSON API under /api/v1: every route, its errors, the OpenAPI document, malformed input,
//! concurrent changes.

/// The identity these tests act as (see `crate::commun::en_tant_que`).
const ROLE: &str = "collectivite_editeur";
const PERIMETRE: &str = "collectivite:13";

use std::collections::BTreeSet;

use crate::commun::{Reponse, app_demo, en_tant_que, envoyer, envoyer_json, get};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

/// Every route of the API, relative to /api/v1. Written once: the router and the OpenAPI
/// document must both match it.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/openapi.json"),
    ("GET", "/referentiel"),
    ("GET", "/territoires"),
    ("GET", "/contrats"),
    ("POST", "/contrats"),
    ("GET", "/contrats/{id}"),
    ("PUT", "/contrats/{id}"),
    ("GET", "/contrats/{id}/constats"),
    ("GET", "/contrats/{id}/actes"),
    ("POST", "/contrats/{id}/actes"),
    ("GET", "/contrats/{id}/fiches"),
    ("POST", "/contrats/{id}/fiches"),
    ("GET", "/contrats/{id}/fiches/{numero}"),
    ("PUT", "/contrats/{id}/fiches/{numero}"),
    ("DELETE", "/contrats/{id}/fiches/{numero}"),
    ("PUT", "/contrats/{id}/fiches/{numero}/derogation"),
    ("DELETE", "/contrats/{id}/fiches/{numero}/derogation"),
    ("GET", "/contrats/{id}/messages"),
    ("POST", "/contrats/{id}/messages"),
    ("GET", "/contrats/{id}/demandes"),
    ("POST", "/contrats/{id}/demandes"),
    ("POST", "/contrats/{id}/demandes/{demande}/reponse"),
    ("POST", "/contrats/{id}/demandes/{demande}/resolution"),
    ("GET", "/contrats/{id}/tableaux/{table}/{annee}"),
    ("GET", "/consolidation"),
    ("GET", "/consolidation/regions/{region}"),
    ("GET", "/contrats/{id}/document"),
    ("GET", "/campagnes"),
    ("POST", "/campagnes"),
    ("GET", "/contrats/{id}/campagnes/{annee}"),
    ("PUT", "/contrats/{id}/campagnes/{annee}/valeurs"),
    ("POST", "/contrats/{id}/campagnes/{annee}/transitions"),
    ("GET", "/contrats/{id}/campagnes/{annee}/textes"),
    ("PUT", "/contrats/{id}/campagnes/{annee}/textes"),
];

const AMP: &str = include_str!("../../../../exemples/metropole-aix-marseille-provence.toml");
const AVEC_ERREURS: &str = include_str!("../../../../exemples/contrat-avec-erreurs.toml");

/// A contract file read and written as JSON: the body `POST /contrats` takes.
fn contrat_json(toml: &str) -> Value {
    serde_json::to_value(pacte_core::fichier::lire_toml(toml).expect("exemple lisible")).unwrap()
}

/// The application acting as `role` over `perimetre`, on the demonstration contracts all
/// brought back to the negotiation state, where their collectivity may change them.
async fn app_en_negociation(role: &str, perimetre: &str) -> (Router, pacte_store::Base, Vec<i64>) {
    let base = crate::commun::base_neuve().await;
    let mut contrats: Vec<pacte_core::Contrat> = pacte_web::demo::EXEMPLES
        .iter()
        .map(|(_, t)| pacte_core::fichier::lire_toml(t).unwrap())
        .collect();
    for c in &mut contrats {
        c.contrat.etat = pacte_core::contrat::EtatContrat::Negociation;
    }
    let ids = base.importer(&contrats, "demo").await.unwrap();
    let app = pacte_web::application(base.clone(), pacte_web::Options::default());
    let app = en_tant_que(&app, &base, role, perimetre).await;
    (app, base, ids)
}

/// Whether an audit actor is an API token of a test account.
fn acteur_jeton(a: &Value) -> bool {
    a.as_str()
        .is_some_and(|a| a.starts_with("jeton:") && a.ends_with("@test.pacte.example"))
}

/// A request with any method, headers and raw body.
async fn requete(
    app: &Router,
    methode: &str,
    uri: &str,
    entetes: &[(&str, &str)],
    corps: impl Into<Body>,
) -> Reponse {
    let mut r = Request::builder().method(methode).uri(uri);
    for (nom, valeur) in entetes {
        r = r.header(*nom, *valeur);
    }
    envoyer(app, r.body(corps.into()).unwrap()).await
}

/// A JSON request with `If-Match: "<version>"`.
async fn json_version(app: &Router, methode: &str, uri: &str, version: &str, corps: &Value) -> Reponse {
    requete(
        app,
        methode,
        uri,
        &[("content-type", "application/json"), ("if-match", version)],
        corps.to_string(),
    )
    .await
}

const CODES: &[(&str, &[u16])] = &[
    ("non_authentifie", &[401]),
    ("interdit", &[403]),
    ("introuvable", &[404]),
    ("conflit", &[409]),
    ("invalide", &[422]),
    ("requete", &[400, 405, 413, 415, 428]),
    ("interne", &[500]),
];

/// Checks the error body: JSON `{"code", "message", "champ"?}` and nothing else, a code that
/// matches the status, a French message.
#[track_caller]
fn forme_erreur(r: &Reponse) -> Value {
    assert!(
        r.statut.is_client_error() || r.statut.is_server_error(),
        "pas une erreur : {} {}",
        r.statut,
        r.corps
    );
    assert!(
        r.type_contenu.starts_with("application/json"),
        "type {} pour {} : {}",
        r.type_contenu,
        r.statut,
        r.corps
    );
    let v = r.json();
    let o = v
        .as_object()
        .unwrap_or_else(|| panic!("objet attendu : {}", r.corps));
    assert!(
        o.keys()
            .all(|k| ["code", "message", "champ"].contains(&k.as_str())),
        "{}",
        r.corps
    );
    let code = o["code"].as_str().unwrap_or_else(|| panic!("code : {}", r.corps));
    let statuts = CODES
        .iter()
        .find(|(c, _)| *c == code)
        .unwrap_or_else(|| panic!("code inconnu {code}"))
        .1;
    assert!(
        statuts.contains(&r.statut.as_u16()),
        "code {code} avec le statut {}",
        r.statut
    );
    let message = o["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{}", r.corps);
    for anglais in [
        " at line ",
        "expected ",
        "invalid type",
        "missing field",
        "unknown field",
        "Failed to",
    ] {
        assert!(!message.contains(anglais), "message anglais : {message}");
    }
    if let Some(c) = o.get("champ") {
        assert!(c.is_string(), "{}", r.corps);
    }
    v
}

#[track_caller]
fn erreur(r: &Reponse, statut: u16, code: &str, champ: Option<&str>) -> Value {
    assert_eq!(r.statut.as_u16(), statut, "{}", r.corps);
    let v = forme_erreur(r);
    assert_eq!(v["code"], code, "{}", r.corps);
    assert_eq!(v.get("champ").and_then(Value::as_str), champ, "{}", r.corps);
    v
}

// ---------------------------------------------------------------------------------------------
// Reference data

#[tokio::test]
async fn referentiel_et_territoires() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let r = get(&app, "/api/v1/referentiel").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.type_contenu.starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["axes"].as_array().unwrap().len(), 4);
    assert_eq!(v["indicateurs_nationaux"].as_array().unwrap().len(), 18);
    assert!(
        v["axes"][0]["sous_axes"][0]["types_action"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("AT-1-")
    );

    let v = get(&app, "/api/v1/territoires").await.json();
    let amp = v["collectivites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "200054807")
        .unwrap();
    assert_eq!(amp["nature"], "metropole");
    assert!(
        v["departements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "2A")
    );
    assert!(!v["regions"].as_array().unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Contracts

#[tokio::test]
async fn liste_paginee() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, "lecteur_national", "national").await;
    let _ = &base;
    let v = get(&app, "/api/v1/contrats").await.json();
    assert_eq!(
        (v["page"].as_u64(), v["par_page"].as_u64(), v["total"].as_u64()),
        (Some(1), Some(50), Some(ids.len() as u64))
    );
    let elements = v["elements"].as_array().unwrap();
    assert_eq!(
        elements
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        ids
    );
    let amp = &elements[0];
    assert_eq!(
        amp["collectivite"],
        json!({"code": "200054807", "nom": "Métropole d'Aix-Marseille-Provence"})
    );
    assert_eq!(
        (
            amp["etat"].as_str(),
            amp["fiches"].as_i64(),
            amp["version"].as_i64()
        ),
        (Some("en_execution"), Some(14), Some(1))
    );
    assert_eq!(
        (amp["bloquants"].as_u64(), amp["alertes"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(amp["modifie_le"].is_string() && amp["intitule"].is_string());
    let montpellier = &elements[2];
    assert_eq!(
        (montpellier["bloquants"].as_u64(), montpellier["alertes"].as_u64()),
        (Some(13), Some(2))
    );
    assert_eq!(elements[3]["fiches"], 60);

    let v = get(&app, "/api/v1/contrats?page=2&par_page=3").await.json();
    assert_eq!(v["elements"].as_array().unwrap().len(), 2);
    assert_eq!(v["elements"][0]["id"], ids[3]);
    assert_eq!(v["elements"][1]["id"], ids[4]);
    assert_eq!(
        (v["page"].as_u64(), v["par_page"].as_u64(), v["total"].as_u64()),
        (Some(2), Some(3), Some(5))
    );
    let v = get(&app, "/api/v1/contrats?page=9&par_page=200").await.json();
    assert_eq!(
        (v["elements"].as_array().unwrap().len(), v["total"].as_u64()),
        (0, Some(5))
    );

    for q in [
        "par_page=0",
        "par_page=201",
        "par_page=abc",
        "par_page=-1",
        "par_page=",
        "par_page=1e2",
        "page=1&par_page=2.5",
    ] {
        let r = get(&app, &format!("/api/v1/contrats?{q}")).await;
        let e = erreur(&r, 400, "requete", Some("par_page"));
        assert!(e["message"].as_str().unwrap().contains("1 à 200"), "{q} : {e}");
    }
    for q in ["page=0", "page=x", "page=99999999999"] {
        erreur(
            &get(&app, &format!("/api/v1/contrats?{q}")).await,
            400,
            "requete",
            Some("page"),
        );
    }
    erreur(
        &get(&app, "/api/v1/contrats?per_page=10").await,
        400,
        "requete",
        Some("per_page"),
    );
    erreur(
        &get(&app, "/api/v1/contrats?page=1&page=2").await,
        400,
        "requete",
        Some("page"),
    );
}

#[tokio::test]
async fn creer_puis_lire_un_contrat() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let _ = &base;
    // AMP's file for a métropole without a contract in the demonstration: one contract per
    // collectivity and period.
    let mut corps = contrat_json(AMP);
    let libre = pacte_core::jeu_national::jeu_national(3, 1)[2]
        .contrat
        .collectivite
        .clone();
    assert!(base.contrat_de_collectivite(&libre).await.unwrap().is_none());
    corps["contrat"]["collectivite"] = json!(libre);
    let r = envoyer_json(&app, "POST", "/api/v1/contrats", &corps).await;
    assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    let v = r.json();
    let id = v["id"].as_i64().unwrap();
    let location = r.entetes[header::LOCATION].to_str().unwrap();
    assert_eq!(location, format!("/api/v1/contrats/{id}"));
    assert_eq!(
        (v["version"].as_i64(), acteur_jeton(&v["modifie_par"])),
        (Some(1), true)
    );
    // The body read back is the file shape plus the stamps, beside it.
    assert_eq!(v["contrat"], corps["contrat"]);
    let fiches = v["fiches"].as_array().unwrap();
    assert_eq!(fiches.len(), 14);
    for (lue, envoyee) in fiches.iter().zip(corps["fiches"].as_array().unwrap()) {
        assert_eq!(lue["fiche"], *envoyee);
        assert_eq!(lue["numero"], envoyee["numero"]);
        assert_eq!(lue["version"], 1);
        assert!(lue["modifie_le"].is_string() && acteur_jeton(&lue["modifie_par"]));
    }
    let lu = get(&app, location).await;
    assert_eq!(lu.statut, StatusCode::OK);
    assert_eq!(lu.json(), v);
    assert_eq!(get(&app, "/api/v1/contrats").await.json()["total"], ids.len() + 1);

    // A draft with findings is stored; findings are read apart.
    let r = envoyer_json(
        &app,
        "POST",
        "/api/v1/contrats",
        &json!({"contrat": {"collectivite": "84"}}),
    )
    .await;
    assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    assert_eq!(r.json()["fiches"], json!([]));
}

#[tokio::test]
async fn contrat_refuse() {
    // A base without contracts: the draft accepted at the end is the département's only one
    // (one contract per collectivity and period).
    let base = crate::commun::base_neuve().await;
    let app = pacte_web::application(base.clone(), pacte_web::Options::default());
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let post = |corps: Value| {
        let app = app.clone();
        async move { envoyer_json(&app, "POST", "/api/v1/contrats", &corps).await }
    };
    let e = erreur(
        &post(json!({"contrat": {"collectivite": "13", "budjet": 5}})).await,
        422,
        "invalide",
        Some("contrat.budjet"),
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("champ inconnu « budjet »"),
        "{e}"
    );
    let e = erreur(
        &post(json!({"contrat": {}})).await,
        422,
        "invalide",
        Some("contrat.collectivite"),
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("champ obligatoire « collectivite » manquant"),
        "{e}"
    );
    let negatif = json!({"contrat": {"collectivite": "13"}, "fiches": [{"numero": "1.1", "intitule": "x", "financement": {"etat": {"2024": -5000}}}]});
    let e = erreur(
        &post(negatif).await,
        422,
        "invalide",
        Some("fiches[0].financement.etat.2024"),
    );
    assert!(e["message"].as_str().unwrap().contains("négatif"), "{e}");
    let annee = json!({"contrat": {"collectivite": "13", "engagement_etat": {"2031": 1}}});
    erreur(
        &post(annee).await,
        422,
        "invalide",
        Some("contrat.engagement_etat.2031"),
    );
    let doublon = json!({"contrat": {"collectivite": "13"}, "fiches": [{"numero": "1.1", "intitule": "a"}, {"numero": "1.1", "intitule": "b"}]});
    let e = erreur(&post(doublon).await, 422, "invalide", Some("fiches[1].numero"));
    assert!(e["message"].as_str().unwrap().contains("R-TAB-01"), "{e}");
    let nul = json!({"contrat": {"collectivite": "13", "intitule": "a\u{0}b"}});
    erreur(&post(nul).await, 422, "invalide", Some("contrat.intitule"));
    erreur(&post(json!("contrat")).await, 422, "invalide", None);
    erreur(&post(json!([1, 2])).await, 422, "invalide", Some("[0]"));

    let brut = |corps: &'static [u8], type_contenu: Option<&'static str>| {
        let app = app.clone();
        async move {
            let entetes: Vec<(&str, &str)> = type_contenu.map(|t| ("content-type", t)).into_iter().collect();
            requete(&app, "POST", "/api/v1/contrats", &entetes, corps).await
        }
    };
    let e = erreur(
        &brut(
            b"{\"contrat\": {\n  \"collectivite\": \"13\",\n}",
            Some("application/json"),
        )
        .await,
        400,
        "requete",
        Some("contrat"),
    );
    assert!(e["message"].as_str().unwrap().starts_with("ligne 3"), "{e}");
    let e = erreur(&brut(b"", Some("application/json")).await, 400, "requete", None);
    assert!(e["message"].as_str().unwrap().contains("vide"), "{e}");
    let e = erreur(
        &brut(b"{\"contrat\": \"\xff\"}", Some("application/json")).await,
        400,
        "requete",
        None,
    );
    assert!(e["message"].as_str().unwrap().contains("UTF-8"), "{e}");
    erreur(
        &brut(b"{}", Some("text/plain")).await,
        415,
        "requete",
        Some("Content-Type"),
    );
    erreur(&brut(b"{}", None).await, 415, "requete", Some("Content-Type"));
    let r = brut(
        b"{\"contrat\": {\"collectivite\": \"13\"}}",
        Some("application/json; charset=utf-8"),
    )
    .await;
    assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    let gros = format!(
        "{{\"contrat\": {{\"collectivite\": \"{}\"}}}}",
        "x".repeat(3 * 1024 * 1024)
    );
    let r = requete(
        &app,
        "POST",
        "/api/v1/contrats",
        &[("content-type", "application/json")],
        gros,
    )
    .await;
    erreur(&r, 413, "requete", None);
}

#[tokio::test]
async fn lire_un_contrat() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let r = get(&app, &format!("/api/v1/contrats/{}", ids[1])).await;
    assert_eq!(r.statut, StatusCode::OK);
    let v = r.json();
    let cles: BTreeSet<_> = v.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        cles,
        ["contrat", "fiches", "id", "modifie_le", "modifie_par", "version"]
            .map(String::from)
            .into()
    );
    assert_eq!(
        (v["id"].as_i64(), v["version"].as_i64(), v["modifie_par"].as_str()),
        (Some(ids[1]), Some(1), Some("demo"))
    );
    assert_eq!(v["contrat"]["collectivite"], "13");
    assert_eq!(v["fiches"].as_array().unwrap().len(), 8);
    let f = &v["fiches"][0];
    assert_eq!(f["numero"], f["fiche"]["numero"]);
    assert_eq!(f["version"], 1);

    erreur(
        &get(&app, "/api/v1/contrats/9999").await,
        404,
        "introuvable",
        None,
    );
    for id in ["abc", "0", "-3", "1.5", "99999999999999999999"] {
        erreur(
            &get(&app, &format!("/api/v1/contrats/{id}")).await,
            400,
            "requete",
            Some("id"),
        );
    }
}

#[tokio::test]
async fn modifier_l_en_tete() {
    let (app, base, ids) = app_en_negociation("collectivite_editeur", "collectivite:13").await;
    let _ = &base;
    let url = format!("/api/v1/contrats/{}", ids[1]);
    let mut en_tete = get(&app, &url).await.json()["contrat"].clone();
    en_tete["intitule"] = json!("Contrat départemental modifié");
    // The collectivity changes its header but does not record a signature: 403, nothing
    // written.
    let mut signe = en_tete.clone();
    signe["etat"] = json!("signe");
    erreur(
        &json_version(&app, "PUT", &url, "\"1\"", &signe).await,
        403,
        "interdit",
        None,
    );

    let r = json_version(&app, "PUT", &url, "\"1\"", &en_tete).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let v = r.json();
    assert_eq!(
        (v["version"].as_i64(), acteur_jeton(&v["modifie_par"])),
        (Some(2), true)
    );
    assert_eq!(v["contrat"], en_tete);
    assert_eq!(v["fiches"].as_array().unwrap().len(), 8);
    assert_eq!(get(&app, &url).await.json(), v);
    let liste = get(&app, "/api/v1/contrats").await.json();
    assert_eq!(liste["elements"][0]["intitule"], "Contrat départemental modifié");

    // Stale version: nothing written, who and when named.
    let e = erreur(
        &json_version(&app, "PUT", &url, "\"1\"", &en_tete).await,
        409,
        "conflit",
        None,
    );
    let m = e["message"].as_str().unwrap();
    assert!(
        m.contains("@test.pacte.example")
            // The stored UTC time, said in Paris time.
            && m.contains(&pacte_core::temps::horodatage_lisible(v["modifie_le"].as_str().unwrap()))
            && m.contains("version 1 lue"),
        "{m}"
    );
    // A bare number is read too.
    let r = json_version(&app, "PUT", &url, "2", &en_tete).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);

    let sans = requete(
        &app,
        "PUT",
        &url,
        &[("content-type", "application/json")],
        en_tete.to_string(),
    )
    .await;
    erreur(&sans, 428, "requete", Some("If-Match"));
    for mauvaise in ["*", "abc", "\"\"", "\"0\"", "W/\"x\"", "-1"] {
        erreur(
            &json_version(&app, "PUT", &url, mauvaise, &en_tete).await,
            400,
            "requete",
            Some("If-Match"),
        );
    }
    erreur(
        &json_version(&app, "PUT", "/api/v1/contrats/9999", "\"1\"", &en_tete).await,
        404,
        "introuvable",
        None,
    );
    erreur(
        &json_version(&app, "PUT", &url, "\"3\"", &json!({"intitule": "x"})).await,
        422,
        "invalide",
        Some("collectivite"),
    );
    // The whole contract is not a header.
    erreur(
        &json_version(&app, "PUT", &url, "\"3\"", &json!({"contrat": en_tete})).await,
        422,
        "invalide",
        Some("contrat"),
    );
}

#[tokio::test]
async fn deux_modifications_sur_la_meme_version() {
    let (app, base, ids) = app_en_negociation("collectivite_editeur", "collectivite:200054807").await;
    let _ = &base;
    let url = format!("/api/v1/contrats/{}", ids[0]);
    let en_tete = get(&app, &url).await.json()["contrat"].clone();
    let mut a = en_tete.clone();
    a["intitule"] = json!("Version A");
    let mut b = en_tete.clone();
    b["intitule"] = json!("Version B");

    // One after the other.
    let premiere = json_version(&app, "PUT", &url, "\"1\"", &a).await;
    assert_eq!(premiere.statut, StatusCode::OK, "{}", premiere.corps);
    let seconde = json_version(&app, "PUT", &url, "\"1\"", &b).await;
    let e = erreur(&seconde, 409, "conflit", None);
    assert!(
        e["message"].as_str().unwrap().contains("rien n'a été écrit"),
        "{e}"
    );
    // Who and when, for people: no actor key, Paris time in French.
    let m = e["message"].as_str().unwrap();
    assert!(
        !m.contains("utilisateur:") && !m.contains("jeton:") && m.contains(" h ") && !m.contains("Z "),
        "{m}"
    );
    assert_eq!(get(&app, &url).await.json()["contrat"]["intitule"], "Version A");

    // At the same time: exactly one wins.
    let (ra, rb) = tokio::join!(
        json_version(&app, "PUT", &url, "\"2\"", &a),
        json_version(&app, "PUT", &url, "\"2\"", &b)
    );
    let mut statuts = [ra.statut.as_u16(), rb.statut.as_u16()];
    statuts.sort();
    assert_eq!(statuts, [200, 409], "{} / {}", ra.corps, rb.corps);
    assert_eq!(get(&app, &url).await.json()["version"], 3);

    // The same for a fiche.
    let fiche = format!("{url}/fiches/1.1");
    let f = get(&app, &fiche).await.json()["fiche"].clone();
    let (ra, rb) = tokio::join!(
        json_version(&app, "PUT", &fiche, "\"1\"", &f),
        json_version(&app, "PUT", &fiche, "\"1\"", &f)
    );
    let mut statuts = [ra.statut.as_u16(), rb.statut.as_u16()];
    statuts.sort();
    assert_eq!(statuts, [200, 409], "{} / {}", ra.corps, rb.corps);
}

#[tokio::test]
async fn constats_comme_pacte_check() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, "lecteur_national", "national").await;
    let _ = &base;
    let r = get(&app, &format!("/api/v1/contrats/{}/constats", ids[2])).await;
    assert_eq!(r.statut, StatusCode::OK);
    let v = r.json();
    let attendu = pacte_core::verifier(&pacte_core::fichier::lire_toml(AVEC_ERREURS).unwrap());
    assert_eq!(v, json!({ "constats": attendu }));
    let constats = v["constats"].as_array().unwrap();
    assert_eq!(constats.len(), 15);
    let cles: BTreeSet<_> = constats[0].as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        cles,
        ["cible", "code", "gravite", "message", "source"]
            .map(String::from)
            .into()
    );
    assert_eq!(constats[0]["gravite"], "bloquant");
    assert_eq!(
        get(&app, &format!("/api/v1/contrats/{}/constats", ids[0]))
            .await
            .json(),
        json!({"constats": []})
    );
    erreur(
        &get(&app, "/api/v1/contrats/9999/constats").await,
        404,
        "introuvable",
        None,
    );
}

// ---------------------------------------------------------------------------------------------
// Fiches

#[tokio::test]
async fn fiches_d_un_contrat() {
    let (app, base, ids) = app_en_negociation("collectivite_editeur", "collectivite:13").await;
    let _ = &base;
    let base = format!("/api/v1/contrats/{}/fiches", ids[1]);
    let v = get(&app, &base).await.json();
    let fiches = v["fiches"].as_array().unwrap();
    assert_eq!(fiches.len(), 8);
    assert!(
        fiches
            .iter()
            .all(|f| f["version"] == 1 && f["fiche"]["intitule"].is_string())
    );
    let premiere = fiches[0]["numero"].as_str().unwrap().to_string();

    // Read one.
    let r = get(&app, &format!("{base}/{premiere}")).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert_eq!(r.entetes[header::ETAG], "\"1\"");
    assert_eq!(r.json(), fiches[0]);

    // Create one.
    let nouvelle = json!({"numero": "3.9", "intitule": "Accès aux droits en itinérance", "financement": {"etat": {"2024": "40 000,50"}}});
    let r = envoyer_json(&app, "POST", &base, &nouvelle).await;
    assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    assert_eq!(r.entetes[header::LOCATION], format!("{base}/3.9").as_str());
    assert_eq!(r.entetes[header::ETAG], "\"1\"");
    let v = r.json();
    assert_eq!(
        (v["numero"].as_str(), v["version"].as_i64()),
        (Some("3.9"), Some(1))
    );
    assert_eq!(v["fiche"]["financement"]["etat"]["2024"], "40000,50");
    let liste = get(&app, &base).await.json();
    assert_eq!(liste["fiches"].as_array().unwrap().len(), 9);
    assert_eq!(liste["fiches"][8]["numero"], "3.9");
    // The contract's header version does not move when a fiche changes.
    assert_eq!(
        get(&app, &format!("/api/v1/contrats/{}", ids[1])).await.json()["version"],
        1
    );

    erreur(
        &envoyer_json(&app, "POST", &base, &nouvelle).await,
        422,
        "invalide",
        Some("numero"),
    );
    erreur(
        &envoyer_json(&app, "POST", &base, &json!({"numero": "3.10"})).await,
        422,
        "invalide",
        Some("intitule"),
    );
    erreur(
        &envoyer_json(&app, "POST", &base, &json!({"numero": 1.1, "intitule": "x"})).await,
        422,
        "invalide",
        Some("numero"),
    );
    erreur(
        &envoyer_json(&app, "POST", "/api/v1/contrats/9999/fiches", &nouvelle).await,
        404,
        "introuvable",
        None,
    );

    // Change it: same number, then a new number.
    let url = format!("{base}/3.9");
    let mut f = v["fiche"].clone();
    f["duree_mois"] = json!(24);
    let r = json_version(&app, "PUT", &url, "\"1\"", &f).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(
        (
            r.json()["version"].as_i64(),
            r.json()["fiche"]["duree_mois"].as_i64()
        ),
        (Some(2), Some(24))
    );
    assert_eq!(r.entetes[header::ETAG], "\"2\"");
    assert!(r.entetes.get(header::LOCATION).is_none());
    erreur(
        &json_version(&app, "PUT", &url, "\"1\"", &f).await,
        409,
        "conflit",
        None,
    );
    f["numero"] = json!(premiere);
    erreur(
        &json_version(&app, "PUT", &url, "\"2\"", &f).await,
        422,
        "invalide",
        Some("numero"),
    );
    f["numero"] = json!("3.12");
    let r = json_version(&app, "PUT", &url, "\"2\"", &f).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(r.entetes[header::LOCATION], format!("{base}/3.12").as_str());
    erreur(&get(&app, &url).await, 404, "introuvable", None);
    let url = format!("{base}/3.12");
    assert_eq!(get(&app, &url).await.json()["version"], 3);

    // Delete it.
    erreur(
        &requete(&app, "DELETE", &url, &[], Body::empty()).await,
        428,
        "requete",
        Some("If-Match"),
    );
    erreur(
        &requete(&app, "DELETE", &url, &[("if-match", "\"2\"")], Body::empty()).await,
        409,
        "conflit",
        None,
    );
    let r = requete(&app, "DELETE", &url, &[("if-match", "\"3\"")], Body::empty()).await;
    assert_eq!(r.statut, StatusCode::NO_CONTENT, "{}", r.corps);
    assert!(r.corps.is_empty());
    erreur(&get(&app, &url).await, 404, "introuvable", None);
    erreur(
        &requete(&app, "DELETE", &url, &[("if-match", "\"3\"")], Body::empty()).await,
        404,
        "introuvable",
        None,
    );
    assert_eq!(
        get(&app, &base).await.json()["fiches"].as_array().unwrap().len(),
        8
    );

    // Bad addresses.
    for numero in ["x", "5.1", "1.0", "1", "1.x"] {
        erreur(
            &get(&app, &format!("{base}/{numero}")).await,
            400,
            "requete",
            Some("numero"),
        );
    }
    erreur(
        &get(&app, &format!("{base}/4.99")).await,
        404,
        "introuvable",
        None,
    );
    erreur(
        &get(&app, "/api/v1/contrats/9999/fiches").await,
        404,
        "introuvable",
        None,
    );
    erreur(
        &get(&app, "/api/v1/contrats/abc/fiches/1.1").await,
        400,
        "requete",
        Some("id"),
    );
}

// ---------------------------------------------------------------------------------------------
// Routes and the OpenAPI document

/// A concrete address for a route template.
fn adresse(modele: &str, id: i64) -> String {
    format!(
        "/api/v1{}",
        modele
            .replace("{id}", &id.to_string())
            .replace("{numero}", "1.1")
            .replace("{demande}", "1")
            .replace("{table}", "bilan")
            .replace("{annee}", "2024")
            .replace("{region}", "93")
    )
}

#[tokio::test]
async fn routes_servies_et_documentees() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let attendues: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, c)| (m.to_string(), c.to_string()))
        .collect();

    // The router's own list.
    let servies: BTreeSet<(String, String)> = pacte_web::api::routes_servies()
        .into_iter()
        .map(|(m, c)| (m.to_string(), c.to_string()))
        .collect();
    assert_eq!(servies, attendues, "routes servies ≠ liste du test");

    // The document.
    let r = get(&app, "/api/v1/openapi.json").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.type_contenu.starts_with("application/json"));
    let doc: Value = serde_json::from_str(&r.corps).expect("document JSON valide");
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    let mut documentees = BTreeSet::new();
    for (chemin, operations) in doc["paths"].as_object().unwrap() {
        for (methode, operation) in operations.as_object().unwrap() {
            if methode == "parameters" {
                continue;
            }
            assert!(
                operation["responses"]["500"].is_object(),
                "{methode} {chemin} : réponses"
            );
            assert!(operation["summary"].is_string(), "{methode} {chemin} : résumé");
            documentees.insert((methode.to_uppercase(), chemin.clone()));
        }
    }
    assert_eq!(documentees, attendues, "routes documentées ≠ liste du test");

    // Every $ref resolves inside the document.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("$ref", Value::String(s)) => out.push(s.clone()),
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut toutes = Vec::new();
    refs(&doc, &mut toutes);
    assert!(toutes.len() > 50);
    for r in &toutes {
        let pointeur = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("référence externe {r}"));
        assert!(doc.pointer(pointeur).is_some(), "référence {r} non résolue");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for nom in [
        "Contrat",
        "EnTete",
        "FicheAction",
        "Montant",
        "Erreur",
        "PageContrats",
        "ContratStocke",
        "FicheStockee",
        "ListeConstats",
    ] {
        assert!(schemas.contains_key(nom), "schéma {nom}");
    }
    assert!(!r.corps.contains("$defs"));
    assert_eq!(
        doc["paths"]["/contrats"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        doc["components"]["parameters"]["ParPage"]["schema"]["maximum"],
        200
    );

    // Every listed route answers (not the "no such route" error), and the other methods of
    // its path answer 405 with the error body.
    for (methode, modele) in ROUTES {
        let r = requete(&app, methode, &adresse(modele, ids[0]), &[], Body::empty()).await;
        assert!(
            !r.corps.contains("aucune ressource de l'API") && r.statut != StatusCode::METHOD_NOT_ALLOWED,
            "{methode} {modele} : {} {}",
            r.statut,
            r.corps
        );
        for autre in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            if ROUTES.contains(&(autre, modele)) {
                continue;
            }
            let r = requete(&app, autre, &adresse(modele, ids[0]), &[], Body::empty()).await;
            erreur(&r, 405, "requete", None);
            assert!(r.entetes.contains_key(header::ALLOW), "{autre} {modele}");
        }
    }
}

#[tokio::test]
async fn adresse_inconnue_sous_l_api() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    for uri in [
        "/api/v1/inconnu",
        "/api/v1/contrats/1/inconnu",
        "/api/v1",
        "/api/v1/contrats/1/fiches/1.1/x",
    ] {
        let e = erreur(&get(&app, uri).await, 404, "introuvable", None);
        assert!(e["message"].as_str().unwrap().contains("openapi.json"), "{e}");
    }
    erreur(
        &requete(&app, "PATCH", "/api/v1/inconnu", &[], Body::empty()).await,
        404,
        "introuvable",
        None,
    );
}

// ---------------------------------------------------------------------------------------------
// Malformed input on every write route

/// A small deterministic generator (xorshift64*), so failures replay.
struct Hasard(u64);

impl Hasard {
    fn suivant(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn sous(&mut self, n: usize) -> usize {
        (self.suivant() % n as u64) as usize
    }
    fn choisir<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.sous(v.len())]
    }
}

/// Values that types refuse or that stress them.
fn valeur_hostile(h: &mut Hasard) -> Value {
    let valeurs = [
        json!(null),
        json!(true),
        json!(-1),
        json!(-5000.5),
        json!(0.001),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1e308),
        json!(""),
        json!(" "),
        json!("-5"),
        json!("40 000,505"),
        json!("9.1"),
        json!("2031"),
        json!("é\u{1}\u{7f}"),
        json!("x".repeat(5000)),
        json!([]),
        json!([[[[[]]]]]),
        json!({}),
        json!({"inconnu": 1}),
        json!("2024-02-30"),
        json!("1.0"),
        json!(["a", 1, null]),
    ];
    h.choisir(&valeurs).clone()
}

/// One random change deep inside a JSON document.
fn muter(v: &mut Value, h: &mut Hasard, profondeur: usize) {
    let descendre = profondeur < 6 && h.sous(4) != 0;
    match v {
        Value::Object(m) if !m.is_empty() => {
            let cles: Vec<String> = m.keys().cloned().collect();
            let cle = h.choisir(&cles).clone();
            match h.sous(6) {
                0 => {
                    m.insert(format!("champ_inconnu_{}", h.sous(100)), valeur_hostile(h));
                }
                1 => {
                    m.remove(&cle);
                }
                _ if descendre => muter(m.get_mut(&cle).unwrap(), h, profondeur + 1),
                _ => {
                    m.insert(cle, valeur_hostile(h));
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            let i = h.sous(a.len());
            if descendre {
                muter(&mut a[i], h, profondeur + 1);
            } else if h.sous(2) == 0 {
                a.push(valeur_hostile(h));
            } else {
                a[i] = valeur_hostile(h);
            }
        }
        _ => *v = valeur_hostile(h),
    }
}

/// Byte-level damage: cut, flip, insert invalid UTF-8, huge literals.
fn abimer(octets: &mut Vec<u8>, h: &mut Hasard) {
    if octets.is_empty() {
        octets.extend_from_slice(b"{");
        return;
    }
    let i = h.sous(octets.len());
    match h.sous(6) {
        0 => octets.truncate(i),
        1 => octets[i] = 0xff,
        2 => octets.splice(i..i, [0xc3, 0x28]).for_each(drop),
        3 => octets.splice(i..i, *b"1e999999").for_each(drop),
        4 => octets
            .splice(i..i, *b"-99999999999999999999999999")
            .for_each(drop),
        _ => octets[i] = *h.choisir(b"{}[]:,\"\\0-"),
    }
}

#[tokio::test]
async fn entrees_malformees_jamais_d_erreur_interne() {
    let (app, base, ids) = app_en_negociation("collectivite_editeur", "collectivite:13").await;
    let _ = &base;
    let id = ids[1];
    let stocke = get(&app, &format!("/api/v1/contrats/{id}")).await.json();
    let contrat = contrat_json(AMP);
    let en_tete = stocke["contrat"].clone();
    let fiche = stocke["fiches"][0]["fiche"].clone();
    let numero = stocke["fiches"][0]["numero"].as_str().unwrap().to_string();

    let routes_ecriture: Vec<(&str, String, Value)> = vec![
        ("POST", "/api/v1/contrats".into(), contrat),
        ("PUT", format!("/api/v1/contrats/{id}"), en_tete),
        ("POST", format!("/api/v1/contrats/{id}/fiches"), fiche.clone()),
        (
            "PUT",
            format!("/api/v1/contrats/{id}/fiches/{numero}"),
            fiche.clone(),
        ),
        ("DELETE", format!("/api/v1/contrats/{id}/fiches/{numero}"), fiche),
    ];
    let types_contenu = [
        Some("application/json"),
        Some("application/json"),
        Some("application/json"),
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/problem+json"),
        Some("application/json; charset=utf-8"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonx"),
        Some(""),
        None,
    ];
    let versions = [
        Some("\"1\""),
        Some("\"1\""),
        Some("1"),
        Some("*"),
        Some("abc"),
        Some("\"99999999999999999999\""),
        Some("W/\"1\""),
        None,
    ];

    let mut h = Hasard(0x5eed_1234_abcd_0042);
    let mut vus = std::collections::BTreeMap::<u16, usize>::new();
    for (methode, uri, modele) in &routes_ecriture {
        for tour in 0..200 {
            let corps: Vec<u8> = match tour % 8 {
                0 => Vec::new(),
                1 => {
                    let mut v = modele.clone();
                    muter(&mut v, &mut h, 0);
                    let mut o = v.to_string().into_bytes();
                    abimer(&mut o, &mut h);
                    o
                }
                2 => valeur_hostile(&mut h).to_string().into_bytes(),
                3 => (0..h.sous(64)).map(|_| h.suivant() as u8).collect(),
                _ => {
                    let mut v = modele.clone();
                    for _ in 0..=h.sous(3) {
                        muter(&mut v, &mut h, 0);
                    }
                    v.to_string().into_bytes()
                }
            };
            let type_contenu = if tour % 8 >= 4 {
                Some("application/json")
            } else {
                *h.choisir(&types_contenu)
            };
            let version = if tour % 3 == 0 {
                *h.choisir(&versions)
            } else {
                Some("\"1\"")
            };
            let mut r = Request::builder().method(*methode).uri(uri.as_str());
            if let Some(t) = type_contenu {
                r = r.header(header::CONTENT_TYPE, t);
            }
            if let Some(v) = version {
                r = r.header(header::IF_MATCH, v);
            }
            let reponse = envoyer(&app, r.body(Body::from(corps.clone())).unwrap()).await;
            *vus.entry(reponse.statut.as_u16()).or_default() += 1;
            assert_ne!(
                reponse.statut,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{methode} {uri} avec {:?} : {}",
                String::from_utf8_lossy(&corps),
                reponse.corps
            );
            if !reponse.statut.is_success() {
                forme_erreur(&reponse);
            }
        }
    }
    // The inputs reached every kind of refusal.
    for statut in [400, 409, 415, 422, 428] {
        assert!(vus.contains_key(&statut), "aucun {statut} : {vus:?}");
    }
}
