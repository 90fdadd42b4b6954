//! Lifecycle steps as acts (a form, a confirmation, one audited write, an undo) and attached
//! documents (type by content, size limit, download), through the real router.

use crate::commun::{Reponse, app_demo, en_tant_que, envoyer, get, post_formulaire};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use pacte_core::contrat::EtatContrat;
use pacte_core::fichier::lire_toml;
use pacte_store::Base;
use tower::ServiceExt;

const AMP: &str = include_str!("../../../../exemples/metropole-aix-marseille-provence.toml");

async fn importer_amp(base: &Base, etat: EtatContrat) -> i64 {
    let mut c = lire_toml(AMP).unwrap();
    c.contrat.etat = etat;
    if etat == EtatContrat::Valide {
        c.contrat.date_deliberation = None;
    }
    c.contrat.signataires.clear();
    base.importer(&[c], "test").await.unwrap()[0]
}

/// A multipart form: text fields, and optionally the file `document` (name, bytes).
fn formulaire(uri: &str, champs: &[(&str, &str)], document: Option<(&str, &[u8])>) -> Request<Body> {
    let f = "----pacte-test-actes";
    let mut o = Vec::new();
    for (k, v) in champs {
        o.extend(
            format!("--{f}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").into_bytes(),
        );
    }
    if let Some((nom, octets)) = document {
        o.extend(
            format!(
                "--{f}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"{nom}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .into_bytes(),
        );
        o.extend(octets);
        o.extend(b"\r\n");
    }
    o.extend(format!("--{f}--\r\n").into_bytes());
    Request::post(uri)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={f}"))
        .body(Body::from(o))
        .unwrap()
}

fn pdf() -> Vec<u8> {
    let mut o = b"%PDF-1.7\n".to_vec();
    o.extend(0u8..=255);
    o.extend(b"\n%%EOF\n");
    o
}

fn valeur_cachee(html: &str, nom: &str) -> String {
    let motif = format!("name=\"{nom}\" value=\"");
    let i = html
        .find(&motif)
        .unwrap_or_else(|| panic!("{nom} absent : {html}"))
        + motif.len();
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

async fn envoyer_champs(
    app: &Router,
    uri: &str,
    champs: Vec<(String, String)>,
    document: Option<(&str, Vec<u8>)>,
) -> Reponse {
    let refs: Vec<(&str, &str)> = champs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    envoyer(
        app,
        formulaire(uri, &refs, document.as_ref().map(|(n, o)| (*n, o.as_slice()))),
    )
    .await
}

async fn version(base: &Base, id: i64) -> String {
    base.contrat(id).await.unwrap().tampon.version.to_string()
}

async fn etat(base: &Base, id: i64) -> EtatContrat {
    base.contrat(id).await.unwrap().contrat.contrat.etat
}

async fn telecharger(app: &Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let r = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (s, h) = (r.status(), r.headers().clone());
    (s, h, r.into_body().collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test]
async fn deliberation_avec_confirmation_document_puis_annulation() {
    let (brut, base, _) = app_demo().await;
    let app = en_tant_que(&brut, &base, "commissaire", "region:93").await;
    let id = importer_amp(&base, EtatContrat::Valide).await;
    let uri = format!("/contrats/{id}/etapes/deliberation");

    // The contract page links to the step's form, which announces the documents' limit.
    let r = get(&app, &format!("/contrats/{id}")).await;
    assert!(r.corps.contains(&format!("href=\"{uri}\"")), "{}", r.corps);
    let r = get(&app, &uri).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("Taille maximale : 10 Mo"), "{}", r.corps);

    // A deliberation after the contract's end is refused, naming the field and the rule.
    let v = version(&base, id).await;
    let champs = |date: &str| -> Vec<(String, String)> {
        [
            ("version", v.as_str()),
            ("date", date),
            ("instance", "seance_pleniere"),
            ("reference", "DEL-2024-117"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let r = envoyer_champs(&app, &uri, champs("2030-06-01"), None).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(r.corps.contains("hors de la période du contrat"), "{}", r.corps);
    assert!(r.corps.contains("R-CAL-01"));
    assert_eq!(etat(&base, id).await, EtatContrat::Valide);

    // A text file renamed to .pdf is refused by its content.
    let r = envoyer_champs(
        &app,
        &uri,
        champs("2024-03-28"),
        Some(("deliberation.pdf", b"ceci n'est pas un PDF".to_vec())),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(r.corps.contains("fichier texte"), "{}", r.corps);

    // A valid act: the confirmation page, nothing written yet.
    let r = envoyer_champs(
        &app,
        &uri,
        champs("2024-03-28"),
        Some(("délibération.pdf", pdf())),
    )
    .await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(r.corps.contains("Confirmer"), "{}", r.corps);
    assert!(r.corps.contains("DEL-2024-117"));
    assert_eq!(etat(&base, id).await, EtatContrat::Valide);
    assert!(base.actes(id).await.unwrap().is_empty());
    let b64 = valeur_cachee(&r.corps, "document_base64");

    // Confirmed: the act, its document and the new state in one write.
    let mut c = champs("2024-03-28");
    c.push(("confirmer".into(), "oui".into()));
    c.push(("document_nom".into(), "délibération.pdf".into()));
    c.push(("document_base64".into(), b64));
    let r = envoyer_champs(&app, &uri, c, None).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let lieu = r
        .entetes
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(lieu, format!("/contrats/{id}?etape=deliberation"));
    let e = base.contrat(id).await.unwrap().contrat.contrat;
    assert_eq!(
        (e.etat, e.date_deliberation.map(|d| d.iso())),
        (EtatContrat::Delibere, Some("2024-03-28".into()))
    );
    let actes = base.actes(id).await.unwrap();
    assert_eq!(actes.len(), 1);
    let pieces = base.pieces(id).await.unwrap();
    assert_eq!((pieces.len(), pieces[0].acte_id), (1, Some(actes[0].id)));

    // The page says the step succeeded and shows the history, with the document and the undo.
    let r = get(&app, &lieu).await;
    assert!(r.corps.contains("La délibération est enregistrée"), "{}", r.corps);
    assert!(r.corps.contains("Délibération n° DEL-2024-117"), "{}", r.corps);
    assert!(
        r.corps
            .contains(&format!("action=\"/contrats/{id}/annuler-etape\""))
    );
    assert!(
        r.corps
            .contains(&format!("name=\"acte\" value=\"{}\"", actes[0].id))
    );
    let lien = format!("/contrats/{id}/pieces/{}", pieces[0].id);
    assert!(r.corps.contains(&lien));

    // Downloaded byte for byte, with its type, as an attachment, never sniffed.
    let (s, h, octets) = telecharger(&app, &lien).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(octets, pdf());
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let d = h[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(d.starts_with("attachment; filename=\"d_lib_ration.pdf\""), "{d}");
    // Not from another contract's address.
    let (s, _, _) = telecharger(&app, &format!("/contrats/{}/pieces/{}", id + 1000, pieces[0].id)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A national reader may read it, but not undo the step.
    let lecteur = en_tant_que(&brut, &base, "lecteur_national", "national").await;
    let (s, _, _) = telecharger(&lecteur, &lien).await;
    assert_eq!(s, StatusCode::OK);
    let annuler = format!("/contrats/{id}/annuler-etape");
    let acte = actes[0].id.to_string();
    let v = version(&base, id).await;
    let r = post_formulaire(&lecteur, &annuler, &[("version", &v), ("acte", &acte)]).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    assert_eq!(etat(&base, id).await, EtatContrat::Delibere);

    // The commissaire undoes it: back to « validé », audited as an undo.
    let r = post_formulaire(&app, &annuler, &[("version", &v), ("acte", &acte)]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let e = base.contrat(id).await.unwrap().contrat.contrat;
    assert_eq!((e.etat, e.date_deliberation), (EtatContrat::Valide, None));
    let journal = base.journal(1, 10_000).await.unwrap();
    assert!(
        journal
            .iter()
            .any(|e| e.entite == "acte" && e.operation == "annulation")
    );
    let r = get(&app, &format!("/contrats/{id}?etape=annulee")).await;
    assert!(r.corps.contains("Étape annulée"), "{}", r.corps);
    assert!(r.corps.contains("annulé"));
    assert!(base.verifier_audit().await.unwrap().rupture.is_none());
}

#[tokio::test]
async fn signature_sans_signataire_refusee() {
    let (brut, base, _) = app_demo().await;
    let app = en_tant_que(&brut, &base, "ddets", "departement:13").await;
    let id = importer_amp(&base, EtatContrat::Delibere).await;
    let v = version(&base, id).await;
    let uri = format!("/contrats/{id}/etapes/signature");
    let r = envoyer(
        &app,
        formulaire(&uri, &[("version", &v), ("date", "2024-07-02")], None),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(r.corps.contains("R-DOC-04"), "{}", r.corps);
    assert!(r.corps.contains("aucun signataire de la partie"), "{}", r.corps);
    // With the préfet and the president: the confirmation, then the write.
    let champs = [
        ("version", v.as_str()),
        ("date", "2024-07-02"),
        ("signataires[0].partie", "etat"),
        ("signataires[0].qualite", "Préfet des Bouches-du-Rhône"),
        ("signataires[1].partie", "collectivite"),
        ("signataires[1].qualite", "Présidente de la Métropole"),
        ("confirmer", "oui"),
    ];
    let r = envoyer(&app, formulaire(&uri, &champs, None)).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let e = base.contrat(id).await.unwrap().contrat.contrat;
    assert_eq!(e.etat, EtatContrat::Signe);
    assert_eq!(e.signataires.len(), 2);
    assert_eq!(e.signataires[0].organisation.as_deref(), Some("État"));
}

#[tokio::test]
async fn un_clic_ne_franchit_plus_une_etape_qui_porte_un_acte() {
    let (brut, base, _) = app_demo().await;
    let app = en_tant_que(&brut, &base, "ddets", "departement:13").await;
    let id = importer_amp(&base, EtatContrat::Signe).await;
    let v = version(&base, id).await;
    let r = post_formulaire(
        &app,
        &format!("/contrats/{id}/etat"),
        &[("etat", "denonce"), ("version", &v)],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    assert_eq!(
        r.entetes[header::LOCATION],
        format!("/contrats/{id}/etapes/denonciation").as_str()
    );
    assert_eq!(etat(&base, id).await, EtatContrat::Signe, "rien n'est écrit");
}

#[tokio::test]
async fn api_actes_denonciation() {
    let (brut, base, _) = app_demo().await;
    let app = en_tant_que(&brut, &base, "ddets", "departement:13").await;
    let id = importer_amp(&base, EtatContrat::EnExecution).await;
    let v = version(&base, id).await;
    let mut acte = serde_json::json!({
        "etape": "denonciation",
        "partie": "collectivite",
        "auteur": "Présidente de la Métropole",
        "date_lettre": "2026-03-15",
        "motif": "Réorientation",
        "preavis_mois": 3,
        "date_effet": "2026-06-01"
    });
    let poster = |acte: serde_json::Value, v: String| {
        let app = app.clone();
        async move {
            let r = Request::post(format!("/api/v1/contrats/{id}/actes"))
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::IF_MATCH, format!("\"{v}\""))
                .body(Body::from(acte.to_string()))
                .unwrap();
            envoyer(&app, r).await
        }
    };
    let r: Reponse = poster(acte.clone(), v.clone()).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert_eq!(r.json()["champ"], "date_effet");
    assert!(r.json()["message"].as_str().unwrap().contains("15/06/2026"));
    acte["date_effet"] = "2026-06-15".into();
    let r = poster(acte.clone(), v.clone()).await;
    assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    assert_eq!(r.json()["acte"]["etape"], "denonciation");
    assert_eq!(r.json()["etat_avant"], "en_execution");
    assert_eq!(etat(&base, id).await, EtatContrat::Denonce);
    let r = get(&app, &format!("/api/v1/contrats/{id}/actes")).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert_eq!(r.json()["actes"].as_array().unwrap().len(), 1);
    // The OpenAPI document describes both operations and the act's schema.
    let r = get(&app, "/api/v1/openapi.json").await;
    let doc = r.json();
    assert!(doc["paths"]["/contrats/{id}/actes"]["post"].is_object());
    assert!(doc["components"]["schemas"]["Acte"].is_object());
}

#[tokio::test]
async fn document_joint_controle_et_limite() {
    let (brut, base, _) = app_demo().await;
    let app = en_tant_que(&brut, &base, "commissaire", "region:93").await;
    let id = importer_amp(&base, EtatContrat::EnExecution).await;
    let uri = format!("/contrats/{id}/pieces");
    // Renamed text: refused, nothing stored.
    let r = envoyer(&app, formulaire(&uri, &[], Some(("bilan.pdf", b"pas un pdf")))).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(r.corps.contains("fichier texte"), "{}", r.corps);
    // Over the limit (10 Mio + 1 byte): refused with the limit named.
    let mut gros = pdf();
    gros.resize(pacte_store::pieces::TAILLE_MAX + 1, b' ');
    let r = envoyer(&app, formulaire(&uri, &[], Some(("gros.pdf", &gros)))).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(r.corps.contains("la limite est de 10 Mo"), "{}", r.corps);
    assert!(base.pieces(id).await.unwrap().is_empty());
    // A PNG attached to fiche 1.1.
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    let r = envoyer(
        &app,
        formulaire(&uri, &[("fiche", "1.1")], Some(("photo.png", &png))),
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let p = &base.pieces(id).await.unwrap()[0];
    assert!(p.fiche_id.is_some());
    let (s, h, octets) = telecharger(&app, &format!("/contrats/{id}/pieces/{}", p.id)).await;
    assert_eq!((s, octets), (StatusCode::OK, png));
    assert_eq!(h[header::CONTENT_TYPE], "image/png");
    // A reader outside the contract's territory does not see it.
    let ailleurs = en_tant_que(&brut, &base, "ddets", "departement:34").await;
    let (s, _, _) = telecharger(&ailleurs, &format!("/contrats/{id}/pieces/{}", p.id)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A national reader may not attach.
    let lecteur = en_tant_que(&brut, &base, "lecteur_national", "national").await;
    let r = envoyer(&lecteur, formulaire(&uri, &[], Some(("a.pdf", &pdf())))).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
}
