//! The reports' free texts through the real router: the collectivity's sections of its annual
//! report (campaign page) and of its mid-term report (mid-term page), the commissaire's text of
//! the regional synthesis note (its page). Rights (403 for a reader who may not write, 404 for
//! whoever does not see the contract), a stale version answering the form with what was typed,
//! the bound named in French, the lock after validation, and the texts printed in the PDF.

use crate::commun::{app_demo, en_tant_que, envoyer, get, post_formulaire};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pacte_core::Annee;
use pacte_core::campagne::Transition;
use pacte_core::campagne::textes::{RapportTexte, TEXTE_MAX};

const AMP: &str = "collectivite:200054807";
const A2024: Annee = Annee::TOUTES[0];

fn pdftotext(octets: &[u8]) -> Option<String> {
    let outil = std::path::Path::new("/usr/bin/pdftotext");
    if !outil.exists() {
        eprintln!("pdftotext absent : lecture du PDF non vérifiée.");
        return None;
    }
    let f = std::env::temp_dir().join(format!(
        "pacte-web-textes-{}-{:?}.pdf",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&f, octets).unwrap();
    let s = std::process::Command::new(outil)
        .arg(&f)
        .arg("-")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&f);
    let t = String::from_utf8_lossy(&s.stdout).replace(['\u{a0}', '\u{202f}'], " ");
    Some(t.split_whitespace().collect::<Vec<_>>().join(" "))
}

async fn octets(app: &axum::Router, uri: &str) -> (StatusCode, Vec<u8>) {
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
    let s = r.status();
    (s, r.into_body().collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test]
async fn sections_du_rapport_annuel_droits_conflit_borne_et_verrou() {
    let (app, base, ids) = app_demo().await;
    let id = ids[0];
    let admin = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let lecteur = en_tant_que(&app, &base, "collectivite_lecteur", AMP).await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let ddets_ailleurs = en_tant_que(&app, &base, "ddets", "departement:34").await;
    let commissaire = en_tant_que(&app, &base, "commissaire", "region:93").await;
    let r = post_formulaire(&admin, "/campagnes", &[("annee", "2024"), ("echeance", "")]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let page = format!("/contrats/{id}/campagnes/2024");
    let action = format!("/contrats/{id}/campagnes/2024/textes");

    // The editor gets the form: a labelled textarea per section, its hint and its counter.
    let r = get(&editeur, &page).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(r.corps.contains(&format!("action=\"{action}\"")), "{}", r.corps);
    assert!(
        r.corps
            .contains("<label class=\"fr-label\" for=\"texte-avancement\">État d&#39;avancement des actions")
    );
    assert!(
        r.corps.contains("0 caractère(s) sur 20\u{202f}000"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("/statique/pacte-compteur.js"));

    let r = post_formulaire(
        &editeur,
        &action,
        &[
            ("version", "0"),
            (
                "avancement",
                "Les accueils sont ouverts.\r\nLe recrutement a pris du retard.",
            ),
            ("consommation", ""),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let lu = base
        .textes_rapport(id, RapportTexte::Annuel(A2024))
        .await
        .unwrap();
    assert_eq!(lu.tampon.version, 1);
    assert_eq!(
        lu.sections["avancement"],
        "Les accueils sont ouverts.\nLe recrutement a pris du retard."
    );
    assert!(!lu.sections.contains_key("consommation"));

    // Whoever reads the contract reads the texts, without the form.
    for qui in [&ddets, &lecteur, &commissaire] {
        let r = get(qui, &page).await;
        assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
        assert!(
            r.corps.contains("<p>Les accueils sont ouverts.</p>"),
            "{}",
            r.corps
        );
        assert!(r.corps.contains("<p>Le recrutement a pris du retard.</p>"));
        assert!(r.corps.contains("Section non renseignée par la collectivité."));
        assert!(!r.corps.contains(&format!("action=\"{action}\"")));
    }
    // Writing: 403 for a reader of the contract, 404 for whoever does not see it; nothing
    // written.
    for (qui, app, attendu) in [
        ("DDETS", &ddets, StatusCode::FORBIDDEN),
        ("lecteur", &lecteur, StatusCode::FORBIDDEN),
        ("commissaire", &commissaire, StatusCode::FORBIDDEN),
        ("DDETS ailleurs", &ddets_ailleurs, StatusCode::NOT_FOUND),
    ] {
        let r = post_formulaire(app, &action, &[("version", "1"), ("avancement", "Intrus")]).await;
        assert_eq!(r.statut, attendu, "{qui} : {}", r.corps);
    }
    let r = get(&ddets_ailleurs, &page).await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND);

    // A stale version: the form again, with what was typed, the text saved meanwhile and a
    // French message; nothing written.
    let r = post_formulaire(
        &editeur,
        &action,
        &[
            ("version", "0"),
            ("avancement", "Ma version concurrente."),
            ("consommation", "Crédits consommés à 80 %."),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    assert!(
        r.corps.contains(">Ma version concurrente.</textarea>"),
        "{}",
        r.corps
    );
    assert!(
        r.corps.contains(">Crédits consommés à 80 %.</textarea>"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("depuis votre lecture"), "{}", r.corps);
    assert!(
        r.corps
            .contains("Texte de « État d&#39;avancement des actions » enregistré entre-temps")
    );
    assert!(r.corps.contains("name=\"version\" value=\"1\""), "{}", r.corps);
    assert_eq!(
        base.textes_rapport(id, RapportTexte::Annuel(A2024))
            .await
            .unwrap()
            .tampon
            .version,
        1
    );

    // Beyond the bound: 422, the field named with the rule, the text kept, nothing written.
    let long = "x".repeat(TEXTE_MAX + 1);
    let r = post_formulaire(
        &editeur,
        &action,
        &[
            ("version", "1"),
            ("avancement", "Court."),
            ("consommation", &long),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(
        r.corps.contains(
            "« Niveau de consommation des crédits » : 20\u{202f}000 caractères au plus (20\u{202f}001 saisis)"
        ),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("id=\"texte-consommation-erreur\""));
    assert!(r.corps.contains(">Court.</textarea>"));
    assert_eq!(
        base.textes_rapport(id, RapportTexte::Annuel(A2024))
            .await
            .unwrap()
            .tampon
            .version,
        1
    );

    // The report prints the paragraphs and says which section is empty.
    let (s, pdf) = octets(&ddets, &format!("/contrats/{id}/campagnes/2024/rapport/pdf")).await;
    assert_eq!(s, StatusCode::OK);
    if let Some(t) = pdftotext(&pdf) {
        assert!(t.contains("3.1 État d'avancement des actions Les accueils sont ouverts. Le recrutement a pris du retard."), "{t}");
        assert!(
            t.contains("3.2 Niveau de consommation des crédits Section non renseignée par la collectivité."),
            "{t}"
        );
    }

    // Validated: locked for the editor (the page says so, a save is refused), as the figures.
    let v = base.suivi_campagne(A2024, id).await.unwrap().tampon.version;
    let mut v = if v == 0 {
        base.enregistrer_valeurs(A2024, id, 0, "test", |_, _, _| Ok(Vec::new()))
            .await
            .unwrap()
            .version
    } else {
        v
    };
    for t in [Transition::Soumettre, Transition::Valider] {
        v = base
            .changer_etat_campagne(A2024, id, v, t, None, &[], "test", |_, _, _| Ok(()))
            .await
            .unwrap()
            .version;
    }
    let r = get(&editeur, &page).await;
    assert!(
        r.corps
            .contains("Textes verrouillés : la campagne 2024 est validée"),
        "{}",
        r.corps
    );
    assert!(!r.corps.contains(&format!("action=\"{action}\"")));
    let r = post_formulaire(
        &editeur,
        &action,
        &[("version", "1"), ("avancement", "Après validation.")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    assert!(
        r.corps
            .contains("les textes du rapport d&#39;état d&#39;avancement 2024 sont verrouillés"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("Après validation."), "{}", r.corps);
    let lu = base
        .textes_rapport(id, RapportTexte::Annuel(A2024))
        .await
        .unwrap();
    assert_eq!(lu.tampon.version, 1);
    // The commissaire reopens: writable again.
    base.changer_etat_campagne(
        A2024,
        id,
        v,
        Transition::Rouvrir,
        Some("motif"),
        &[],
        "test",
        |_, _, _| Ok(()),
    )
    .await
    .unwrap();
    let r = post_formulaire(
        &editeur,
        &action,
        &[("version", "1"), ("avancement", "Après réouverture.")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
}

#[tokio::test]
async fn sections_du_rapport_a_mi_parcours() {
    let (app, base, ids) = app_demo().await;
    let id = ids[0];
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let action = format!("/contrats/{id}/mi-parcours/textes");
    let r = get(&editeur, &format!("/contrats/{id}/mi-parcours")).await;
    assert!(r.corps.contains(&format!("action=\"{action}\"")), "{}", r.corps);
    assert!(r.corps.contains("for=\"texte-bilan-global\">Bilan global"));
    let r = post_formulaire(
        &editeur,
        &action,
        &[
            ("version", "0"),
            ("bilan_global", "Deux années de montée en charge."),
            ("resultats_impact", ""),
            ("bilan_financier", "Les reports ont été consommés."),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let r = post_formulaire(&ddets, &action, &[("version", "1"), ("bilan_global", "x")]).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    let r = get(&ddets, &format!("/contrats/{id}/mi-parcours")).await;
    assert!(
        r.corps.contains("<p>Deux années de montée en charge.</p>"),
        "{}",
        r.corps
    );
    let (s, pdf) = octets(&ddets, &format!("/contrats/{id}/mi-parcours/document/pdf")).await;
    assert_eq!(s, StatusCode::OK);
    if let Some(t) = pdftotext(&pdf) {
        assert!(
            t.contains("3.1 Bilan global Deux années de montée en charge."),
            "{t}"
        );
        assert!(
            t.contains("3.2 Résultats et impact social des actions Section non renseignée"),
            "{t}"
        );
        assert!(t.contains("Les reports ont été consommés."), "{t}");
    }
}

#[tokio::test]
async fn texte_de_la_note_de_synthese() {
    let (app, base, _) = app_demo().await;
    let admin = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let commissaire = en_tant_que(&app, &base, "commissaire", "region:93").await;
    let commissaire_ailleurs = en_tant_que(&app, &base, "commissaire", "region:76").await;
    let lecteur_national = en_tant_que(&app, &base, "lecteur_national", "national").await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    // No campaign: 404.
    let r = get(&commissaire, "/campagnes/2024/synthese").await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND, "{}", r.corps);
    let r = post_formulaire(&admin, "/campagnes", &[("annee", "2024"), ("echeance", "")]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);

    // Before any text, the note says so.
    let (_, pdf) = octets(&commissaire, "/campagnes/2024/synthese/pdf").await;
    if let Some(t) = pdftotext(&pdf) {
        assert!(t.contains("n'est pas renseignée dans Pacte"), "{t}");
    }
    let r = get(&commissaire, "/campagnes/2024/synthese").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(
        r.corps
            .contains("for=\"texte-commissaire\">Appréciation de la ou du commissaire")
    );
    let r = post_formulaire(
        &commissaire,
        "/campagnes/2024/synthese",
        &[
            ("version", "0"),
            (
                "texte",
                "Les contrats avancent.\n\nDeux collectivités sont en retard.",
            ),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let lu = base.texte_synthese("93", A2024).await.unwrap();
    assert_eq!(
        lu.texte,
        "Les contrats avancent.\n\nDeux collectivités sont en retard."
    );
    let (s, pdf) = octets(&commissaire, "/campagnes/2024/synthese/pdf").await;
    assert_eq!(s, StatusCode::OK);
    if let Some(t) = pdftotext(&pdf) {
        assert!(
            t.contains("3. Appréciation de la ou du commissaire Les contrats avancent. Deux collectivités sont en retard."),
            "{t}"
        );
        assert!(!t.contains("pas renseignée"), "{t}");
    }

    // The national reader reads it, without the form; may not write (403).
    let r = get(&lecteur_national, "/campagnes/2024/synthese?region=93").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(
        r.corps.contains("<p>Deux collectivités sont en retard.</p>"),
        "{}",
        r.corps
    );
    assert!(!r.corps.contains("id=\"texte-commissaire\""));
    let r = get(&lecteur_national, "/campagnes/2024/synthese").await;
    assert_eq!(r.statut, StatusCode::OK, "le choix de la région : {}", r.corps);
    for (qui, app, region) in [
        ("lecteur national", &lecteur_national, "93"),
        ("commissaire 76", &commissaire_ailleurs, "93"),
        ("DDETS", &ddets, "93"),
    ] {
        let r = post_formulaire(
            app,
            "/campagnes/2024/synthese",
            &[("region", region), ("version", "1"), ("texte", "Intrus")],
        )
        .await;
        assert_eq!(r.statut, StatusCode::FORBIDDEN, "{qui} : {}", r.corps);
        let r = get(app, "/campagnes/2024/synthese?region=93").await;
        if qui != "lecteur national" {
            assert_eq!(r.statut, StatusCode::FORBIDDEN, "{qui} : {}", r.corps);
        }
    }
    let r = get(&admin, "/campagnes/2024/synthese?region=99").await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND, "{}", r.corps);

    // The national administrator completes it; the commissaire's stale form keeps its text.
    let r = post_formulaire(
        &admin,
        "/campagnes/2024/synthese",
        &[
            ("region", "93"),
            ("version", "1"),
            ("texte", "Version nationale."),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let r = post_formulaire(
        &commissaire,
        "/campagnes/2024/synthese",
        &[("version", "1"), ("texte", "Ma version tardive.")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    assert!(r.corps.contains(">Ma version tardive.</textarea>"), "{}", r.corps);
    assert!(r.corps.contains("Version nationale."), "{}", r.corps);
    assert!(r.corps.contains("name=\"version\" value=\"2\""), "{}", r.corps);
    // Beyond the bound: 422, named; nothing written.
    let long = "y".repeat(TEXTE_MAX + 1);
    let r = post_formulaire(
        &commissaire,
        "/campagnes/2024/synthese",
        &[("version", "2"), ("texte", &long)],
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(
        r.corps
            .contains("« Appréciation de la ou du commissaire » : 20\u{202f}000 caractères au plus")
    );
    assert_eq!(
        base.texte_synthese("93", A2024).await.unwrap().texte,
        "Version nationale."
    );
}

/// `PUT` of the annual report's sections through the API, with `If-Match` when given.
async fn put_textes(
    app: &axum::Router,
    uri: &str,
    si: Option<&str>,
    corps: serde_json::Value,
) -> crate::commun::Reponse {
    let mut r = Request::builder()
        .method("PUT")
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(v) = si {
        r = r.header(header::IF_MATCH, v);
    }
    envoyer(app, r.body(Body::from(corps.to_string())).unwrap()).await
}

#[tokio::test]
async fn textes_du_rapport_annuel_par_l_api() {
    let (app, base, ids) = app_demo().await;
    let id = ids[0];
    let admin = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let ddets_ailleurs = en_tant_que(&app, &base, "ddets", "departement:34").await;
    let uri = format!("/api/v1/contrats/{id}/campagnes/2024/textes");
    // No campaign: 404.
    assert_eq!(get(&editeur, &uri).await.statut, StatusCode::NOT_FOUND);
    let r = post_formulaire(&admin, "/campagnes", &[("annee", "2024"), ("echeance", "")]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);

    let r = get(&ddets, &uri).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(r.entetes[header::ETAG], "\"0\"");
    let j = r.json();
    assert_eq!(
        (j["version"].as_i64(), j["modifiable"].as_bool()),
        (Some(0), Some(false))
    );
    assert_eq!(j["sections"][0]["code"], "avancement");
    assert!(j["sections"][0]["texte"].is_null());
    assert_eq!(get(&ddets_ailleurs, &uri).await.statut, StatusCode::NOT_FOUND);

    let corps =
        serde_json::json!({ "sections": { "avancement": "Premier.\nSecond.", "consommation": null } });
    // Rights before the version: 403 for a reader, 404 for whoever does not see the contract.
    assert_eq!(
        put_textes(&ddets, &uri, Some("\"0\""), corps.clone())
            .await
            .statut,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put_textes(&ddets_ailleurs, &uri, None, corps.clone())
            .await
            .statut,
        StatusCode::NOT_FOUND
    );
    // Without If-Match: 428 naming it.
    let r = put_textes(&editeur, &uri, None, corps.clone()).await;
    assert_eq!(r.statut, StatusCode::PRECONDITION_REQUIRED, "{}", r.corps);
    assert_eq!(r.json()["champ"], "If-Match");
    let r = put_textes(&editeur, &uri, Some("\"0\""), corps.clone()).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(r.entetes[header::ETAG], "\"1\"");
    assert_eq!(r.json()["sections"][0]["texte"], "Premier.\nSecond.");
    assert!(r.json()["sections"][1]["texte"].is_null());
    // Stale: 409, nothing written.
    let r = put_textes(
        &editeur,
        &uri,
        Some("\"0\""),
        serde_json::json!({ "sections": { "avancement": "Autre" } }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    // Beyond the bound or an unknown section: 422 naming the field.
    let long = "z".repeat(TEXTE_MAX + 1);
    let r = put_textes(
        &editeur,
        &uri,
        Some("\"1\""),
        serde_json::json!({ "sections": { "consommation": long } }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert_eq!(r.json()["champ"], "sections.consommation");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("20\u{202f}000 caractères au plus")
    );
    let r = put_textes(
        &editeur,
        &uri,
        Some("\"1\""),
        serde_json::json!({ "sections": { "bilan_global": "x" } }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert_eq!(r.json()["champ"], "sections.bilan_global");
    let lu = base
        .textes_rapport(id, RapportTexte::Annuel(A2024))
        .await
        .unwrap();
    assert_eq!(
        (lu.tampon.version, lu.sections["avancement"].as_str()),
        (1, "Premier.\nSecond.")
    );
}
