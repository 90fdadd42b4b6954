//! The campaign reports' download routes (issue 15, item 5) through the real router: the
//! annual progress report (R-REP-05) and the mid-term report (annexe 8 art. 2.3) for whoever
//! reads the contract, 404 for whoever does not see it; the regional synthesis note (R-REP-06)
//! for the region's commissaire and the national roles, 403 for anyone else, 404 for an
//! unknown region or a campaign not opened; 400 for an unknown format. The documents' content
//! is checked in `crates/documents/tests/rapports.rs`; here, that the stored figures reach it.

use crate::commun::{app_demo, en_tant_que, envoyer_json, get, post_formulaire};
use axum::Router;
use axum::http::{StatusCode, header};
use serde_json::{Value, json};

const AMP: &str = "collectivite:200054807";

/// Opens 2024 and enters a distinctive value for every expected figure of contract `id`
/// (NI-2.3's breakdowns summing to NI-2.1, NI-1.2 exclusive): returns the values entered.
async fn campagne_saisie(admin: &Router, editeur: &Router, id: i64) -> Vec<Value> {
    let r = post_formulaire(admin, "/campagnes", &[("annee", "2024"), ("echeance", "")]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let c = get(editeur, &format!("/api/v1/contrats/{id}/campagnes/2024"))
        .await
        .json();
    let valeurs: Vec<Value> = c["lignes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let ind = l["indicateur"].as_str().unwrap();
            let v = match (l["nature"].as_str().unwrap(), ind) {
                ("local", _) => 4_321,
                (_, "NI-2.3") => 1_000,
                (_, "NI-2.1") => 3_000,
                (_, "NI-1.2") => 0,
                _ => 700,
            };
            json!({ "fiche": l["fiche"], "nature": l["nature"], "indicateur": ind, "ventilation": l["ventilation"], "realise": v })
        })
        .collect();
    let r = envoyer_json(
        editeur,
        "PUT",
        &format!("/api/v1/contrats/{id}/campagnes/2024/valeurs"),
        &json!({ "version": 0, "valeurs": valeurs }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    valeurs
}

/// A download's answer with its bytes.
struct Telechargement {
    statut: StatusCode,
    entetes: axum::http::HeaderMap,
    corps: String,
    octets: Vec<u8>,
}

async fn telecharger(app: &Router, uri: &str) -> Telechargement {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let r = app
        .clone()
        .oneshot(
            axum::http::Request::get(uri)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let (statut, entetes) = (r.status(), r.headers().clone());
    let octets = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    Telechargement {
        statut,
        entetes,
        corps: String::from_utf8_lossy(&octets).into_owned(),
        octets,
    }
}

fn pdftotext(octets: &[u8]) -> Option<String> {
    let outil = std::path::Path::new("/usr/bin/pdftotext");
    if !outil.exists() {
        eprintln!("pdftotext absent : lecture du PDF non vérifiée.");
        return None;
    }
    let f = std::env::temp_dir().join(format!("pacte-web-rapport-{}.pdf", std::process::id()));
    std::fs::write(&f, octets).unwrap();
    let s = std::process::Command::new(outil)
        .arg(&f)
        .arg("-")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&f);
    Some(String::from_utf8_lossy(&s.stdout).replace('\u{a0}', " "))
}

#[tokio::test]
async fn rapport_annuel_et_mi_parcours_pour_qui_lit_le_contrat() {
    let (app, base, ids) = app_demo().await;
    let id = ids[0];
    let admin = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let ddets_ailleurs = en_tant_que(&app, &base, "ddets", "departement:34").await;

    // Before the campaign is opened: 404 in French.
    let r = telecharger(&editeur, &format!("/contrats/{id}/campagnes/2024/rapport/pdf")).await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND, "{}", r.corps);
    assert!(
        r.corps.contains("La campagne 2024 n") && r.corps.contains("est pas ouverte"),
        "{}",
        r.corps
    );

    campagne_saisie(&admin, &editeur, id).await;
    for app in [&editeur, &ddets, &admin] {
        let r = telecharger(app, &format!("/contrats/{id}/campagnes/2024/rapport/pdf")).await;
        assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
        assert_eq!(r.entetes[header::CONTENT_TYPE], "application/pdf");
        let d = r.entetes[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_string();
        assert!(d.contains("rapport-annuel-2024-"), "{d}");
    }
    let r = telecharger(&ddets, &format!("/contrats/{id}/campagnes/2024/rapport/pdf")).await;
    if let Some(t) = pdftotext(&r.octets) {
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(t.contains("Rapport d'état d'avancement 2024"), "{t}");
        assert!(t.contains("Aix-Marseille-Provence"), "{t}");
        // The local figures entered (43,21) reach the report.
        assert!(t.contains("43,21"), "{t}");
        assert!(t.contains("Bilan 2024"), "{t}");
    }
    let r = telecharger(&editeur, &format!("/contrats/{id}/campagnes/2024/rapport/odt")).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(
        r.entetes[header::CONTENT_TYPE],
        "application/vnd.oasis.opendocument.text"
    );
    assert_eq!(&r.octets[0..4], b"PK\x03\x04");

    // Rights first: whoever does not see the contract gets the 404 of a missing contract,
    // whatever the format.
    for chemin in [
        format!("/contrats/{id}/campagnes/2024/rapport/pdf"),
        format!("/contrats/{id}/campagnes/2024/rapport/docx"),
        format!("/contrats/{id}/mi-parcours/document/pdf"),
    ] {
        let r = telecharger(&ddets_ailleurs, &chemin).await;
        assert_eq!(r.statut, StatusCode::NOT_FOUND, "{chemin} : {}", r.corps);
    }
    let r = telecharger(&editeur, &format!("/contrats/{id}/campagnes/2024/rapport/docx")).await;
    assert_eq!(r.statut, StatusCode::BAD_REQUEST, "{}", r.corps);
    assert!(r.corps.contains("pdf ou odt"), "{}", r.corps);
    let r = telecharger(&editeur, &format!("/contrats/{id}/campagnes/2031/rapport/pdf")).await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND, "{}", r.corps);

    // The mid-term report comes out even before the 2025 campaign (its figures then « — »).
    for f in ["pdf", "odt"] {
        let r = telecharger(&editeur, &format!("/contrats/{id}/mi-parcours/document/{f}")).await;
        assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
        let d = r.entetes[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_string();
        assert!(d.contains("rapport-mi-parcours-") && d.contains(f), "{d}");
    }
    let r = telecharger(&editeur, &format!("/contrats/{id}/mi-parcours/document/pdf")).await;
    if let Some(t) = pdftotext(&r.octets) {
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(t.contains("Rapport d'exécution à mi-parcours 2024-2025"), "{t}");
        assert!(t.contains("Bilan 2025"), "{t}");
    }
}

#[tokio::test]
async fn note_de_synthese_pour_le_commissaire_de_la_region_et_le_national() {
    let (app, base, ids) = app_demo().await;
    let admin = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let commissaire = en_tant_que(&app, &base, "commissaire", "region:93").await;
    let commissaire_ailleurs = en_tant_que(&app, &base, "commissaire", "region:76").await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let lecteur_national = en_tant_que(&app, &base, "lecteur_national", "national").await;

    // No campaign yet: 404.
    let r = telecharger(&commissaire, "/campagnes/2024/synthese/pdf").await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND, "{}", r.corps);
    campagne_saisie(&admin, &editeur, ids[0]).await;

    let r = telecharger(&commissaire, "/campagnes/2024/synthese/pdf").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(r.entetes[header::CONTENT_TYPE], "application/pdf");
    if let Some(t) = pdftotext(&r.octets) {
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(t.contains("Note de synthèse régionale 2024"), "{t}");
        assert!(t.contains("Provence-Alpes-Côte d'Azur"), "{t}");
        assert!(t.contains("Aix-Marseille-Provence"), "{t}");
        assert!(t.contains("en cours"), "l'état de la campagne d'AMP : {t}");
    }
    let r = telecharger(&commissaire, "/campagnes/2024/synthese/odt").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(&r.octets[0..4], b"PK\x03\x04");

    // The national roles name the region; without it, a French 400 naming the parameter.
    let r = telecharger(&lecteur_national, "/campagnes/2024/synthese/pdf?region=93").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let r = telecharger(&lecteur_national, "/campagnes/2024/synthese/pdf").await;
    assert_eq!(r.statut, StatusCode::BAD_REQUEST, "{}", r.corps);
    assert!(r.corps.contains("region"), "{}", r.corps);
    let r = telecharger(&lecteur_national, "/campagnes/2024/synthese/pdf?region=99").await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND, "{}", r.corps);

    // Another region's commissaire, a DDETS, a collectivity: 403, whatever the format.
    for (qui, app) in [
        ("commissaire 76", &commissaire_ailleurs),
        ("DDETS", &ddets),
        ("collectivité", &editeur),
    ] {
        for chemin in [
            "/campagnes/2024/synthese/pdf?region=93",
            "/campagnes/2024/synthese/docx?region=93",
        ] {
            let r = telecharger(app, chemin).await;
            assert_eq!(r.statut, StatusCode::FORBIDDEN, "{qui} {chemin} : {}", r.corps);
        }
    }
    // The commissaire's own region by default; the campaigns page offers the downloads.
    let r = telecharger(&commissaire_ailleurs, "/campagnes/2024/synthese/pdf").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let r = get(&commissaire, "/campagnes").await;
    assert!(r.corps.contains("/campagnes/2024/synthese/pdf"), "{}", r.corps);
    let r = get(&admin, "/campagnes").await;
    assert!(
        r.corps.contains("formaction=\"/campagnes/2024/synthese/odt\""),
        "{}",
        r.corps
    );
    let r = get(&ddets, "/campagnes").await;
    assert!(!r.corps.contains("/synthese/"), "pas de note pour la DDETS");
}
