//! The documents of a contract through the real router (issue 14): the download buttons of the
//! contract page, the files (type, name, first bytes), the API with its parameters, the rights,
//! and the signed version: recorded when the signed convention is attached to the signature
//! act, and the contract page's warning once the data changed.

use crate::commun::{app_demo, en_tant_que, envoyer, get};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use pacte_core::contrat::EtatContrat;
use pacte_core::fichier::lire_toml;
use pacte_store::Base;
use tower::ServiceExt;

const AMP: &str = include_str!("../../../../exemples/metropole-aix-marseille-provence.toml");

async fn telecharger(app: &Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let r = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (s, h) = (r.status(), r.headers().clone());
    (s, h, r.into_body().collect().await.unwrap().to_bytes().to_vec())
}

async fn importer_amp(base: &Base, etat: EtatContrat) -> i64 {
    let mut c = lire_toml(AMP).unwrap();
    c.contrat.etat = etat;
    c.contrat.signataires.clear();
    base.importer(&[c], "test").await.unwrap()[0]
}

#[tokio::test]
async fn contrat_en_pdf_et_en_odt_pour_qui_lit_le_contrat() {
    let (brut, base, _) = app_demo().await;
    let id = importer_amp(&base, EtatContrat::Negociation).await;
    let editeur = en_tant_que(&brut, &base, "collectivite_editeur", "collectivite:200054807").await;
    let page = get(&editeur, &format!("/contrats/{id}")).await;
    for f in ["pdf", "odt"] {
        assert!(
            page.corps
                .contains(&format!("href=\"/contrats/{id}/document/{f}\"")),
            "{f}"
        );
    }
    let (s, h, pdf) = telecharger(&editeur, &format!("/contrats/{id}/document/pdf")).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    assert!(
        h[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("contrat-metropole-d-aix-marseille-provence.pdf")
    );
    assert!(pdf.starts_with(b"%PDF-"));
    let (s, h, odt) = telecharger(&editeur, &format!("/contrats/{id}/document/odt")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/vnd.oasis.opendocument.text");
    assert_eq!(&odt[30..38], b"mimetype");
    // The API gives the same document; its parameters are checked.
    let (s, h, _) = telecharger(&editeur, &format!("/api/v1/contrats/{id}/document?format=pdf")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    for (q, champ) in [
        ("", "format"),
        ("?format=docx", "format"),
        ("?format=pdf&avenant=2031", "avenant"),
    ] {
        let r = get(&editeur, &format!("/api/v1/contrats/{id}/document{q}")).await;
        assert_eq!(r.statut, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(r.json()["champ"], champ, "{q}");
    }
    // No avenant recorded: the message names what is missing.
    let r = get(
        &editeur,
        &format!("/api/v1/contrats/{id}/document?format=odt&avenant=2025"),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.corps.contains("aucun avenant n'est enregistré pour 2025"),
        "{}",
        r.corps
    );
    // Outside the perimeter: as if the contract did not exist.
    let autre = en_tant_que(&brut, &base, "ddets", "departement:83").await;
    let (s, _, _) = telecharger(&autre, &format!("/contrats/{id}/document/pdf")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = telecharger(&autre, &format!("/api/v1/contrats/{id}/document?format=pdf")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// A part of a multipart body: its name, its file name (a file), its content type, its bytes.
type Partie<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// The body of `parties`, with its content type.
fn corps_multipart(parties: &[Partie<'_>]) -> (String, Vec<u8>) {
    let f = "----pacte-test-documents";
    let mut o = Vec::new();
    for (nom, fichier, genre, octets) in parties {
        let fichier = fichier.map(|n| format!("; filename=\"{n}\"")).unwrap_or_default();
        let genre = genre
            .map(|g| format!("\r\nContent-Type: {g}"))
            .unwrap_or_default();
        let entete = format!("{fichier}{genre}");
        o.extend(
            format!("--{f}\r\nContent-Disposition: form-data; name=\"{nom}\"{entete}\r\n\r\n").into_bytes(),
        );
        o.extend(*octets);
        o.extend(b"\r\n");
    }
    o.extend(format!("--{f}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={f}"), o)
}

/// A multipart form with the file `document`.
fn formulaire(uri: &str, champs: &[(&str, &str)], document: (&str, &[u8])) -> Request<Body> {
    let mut parties: Vec<Partie<'_>> = champs
        .iter()
        .map(|(k, v)| (*k, None, None, v.as_bytes()))
        .collect();
    parties.push((
        "document",
        Some(document.0),
        Some("application/octet-stream"),
        document.1,
    ));
    let (genre, corps) = corps_multipart(&parties);
    Request::post(uri)
        .header(header::CONTENT_TYPE, genre)
        .body(Body::from(corps))
        .unwrap()
}

#[tokio::test]
async fn la_version_signee_est_consignee_et_la_page_avertit_apres_modification() {
    let (brut, base, _) = app_demo().await;
    let app = en_tant_que(&brut, &base, "ddets", "departement:13").await;
    let id = importer_amp(&base, EtatContrat::Delibere).await;
    let v = base.contrat(id).await.unwrap().tampon.version.to_string();
    let (_, _, scan) = telecharger(&app, &format!("/contrats/{id}/document/pdf")).await;
    let champs = [
        ("version", v.as_str()),
        ("date", "2024-07-02"),
        ("signataires[0].partie", "etat"),
        ("signataires[0].qualite", "Préfet des Bouches-du-Rhône"),
        ("signataires[1].partie", "collectivite"),
        ("signataires[1].qualite", "Présidente de la Métropole"),
        ("confirmer", "oui"),
    ];
    let r = envoyer(
        &app,
        formulaire(
            &format!("/contrats/{id}/etapes/signature"),
            &champs,
            ("convention-signee.pdf", &scan),
        ),
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let stocke = base.contrat(id).await.unwrap();
    let signee = base
        .version_signee(id)
        .await
        .unwrap()
        .expect("version signée consignée");
    assert_eq!(signee.version, stocke.tampon.version);
    let page = get(&app, &format!("/contrats/{id}")).await;
    assert!(!page.corps.contains("Les données ont changé depuis la signature"));
    // The document now carries the signature date and the recorded code.
    let (_, _, _) = telecharger(&app, &format!("/contrats/{id}/document/pdf")).await;
    // The header changes after signature: the page warns, naming both codes.
    let mut entete = stocke.contrat.contrat.clone();
    entete.intitule = Some("Contrat modifié après signature".into());
    base.modifier_entete(id, &entete, stocke.tampon.version, "test", |_| Ok(()))
        .await
        .unwrap();
    let page = get(&app, &format!("/contrats/{id}")).await;
    assert!(
        page.corps.contains("Les données ont changé depuis la signature"),
        "{}",
        page.corps
    );
    assert!(page.corps.contains(&signee.code));
}

/// A multipart body for the API, at the contract's `version`.
fn envoi_api(uri: &str, version: &str, parties: &[Partie<'_>]) -> Request<Body> {
    let (genre, corps) = corps_multipart(parties);
    Request::post(uri)
        .header(header::CONTENT_TYPE, genre)
        .header(header::IF_MATCH, format!("\"{version}\""))
        .body(Body::from(corps))
        .unwrap()
}

/// Through the API too, the signed convention sent with the signature act (multipart) records
/// the signed version in the act's transaction; a refused document records nothing.
#[tokio::test]
async fn l_api_enregistre_la_signature_avec_sa_convention() {
    let (brut, base, _) = app_demo().await;
    let app = en_tant_que(&brut, &base, "ddets", "departement:13").await;
    let id = importer_amp(&base, EtatContrat::Delibere).await;
    let v = base.contrat(id).await.unwrap().tampon.version.to_string();
    let (_, _, scan) = telecharger(&app, &format!("/contrats/{id}/document/pdf")).await;
    let acte = serde_json::json!({
        "etape": "signature",
        "date": "2024-07-02",
        "signataires": [
            { "partie": "etat", "qualite": "Préfet des Bouches-du-Rhône" },
            { "partie": "collectivite", "qualite": "Présidente de la Métropole" }
        ]
    })
    .to_string();
    let uri = format!("/api/v1/contrats/{id}/actes");
    let json = "application/json";
    // Refusals first, each naming what is wrong; nothing is written.
    let r = envoyer(
        &app,
        envoi_api(
            &uri,
            &v,
            &[
                ("acte", None, Some(json), acte.as_bytes()),
                (
                    "document",
                    Some("convention.pdf"),
                    Some("application/pdf"),
                    b"pas un pdf",
                ),
            ],
        ),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert_eq!(r.json()["champ"], "document");
    assert!(
        r.json()["message"].as_str().unwrap().contains("convention.pdf"),
        "{}",
        r.corps
    );
    let r = envoyer(
        &app,
        envoi_api(
            &uri,
            &v,
            &[("document", Some("convention.pdf"), Some("application/pdf"), &scan)],
        ),
    )
    .await;
    assert_eq!(r.statut, StatusCode::BAD_REQUEST, "{}", r.corps);
    assert_eq!(r.json()["champ"], "acte");
    let r = envoyer(
        &app,
        envoi_api(
            &uri,
            &v,
            &[
                ("acte", None, Some(json), acte.as_bytes()),
                ("annexe", None, Some("text/plain"), b"x"),
            ],
        ),
    )
    .await;
    assert_eq!(r.statut, StatusCode::BAD_REQUEST, "{}", r.corps);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("« annexe » inconnue"),
        "{}",
        r.corps
    );
    let texte = Request::post(&uri)
        .header(header::CONTENT_TYPE, "text/plain")
        .header(header::IF_MATCH, format!("\"{v}\""))
        .body(Body::from(acte.clone()))
        .unwrap();
    assert_eq!(
        envoyer(&app, texte).await.statut,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert!(base.actes(id).await.unwrap().is_empty());
    assert!(base.version_signee(id).await.unwrap().is_none());
    // The act with its convention.
    let r = envoyer(
        &app,
        envoi_api(
            &uri,
            &v,
            &[
                ("acte", None, Some(json), acte.as_bytes()),
                (
                    "document",
                    Some("convention-signee.pdf"),
                    Some("application/pdf"),
                    &scan,
                ),
            ],
        ),
    )
    .await;
    assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    assert_eq!(r.json()["acte"]["etape"], "signature");
    let pieces = base.pieces(id).await.unwrap();
    assert_eq!(pieces.len(), 1);
    assert_eq!(r.json()["pieces"], serde_json::json!([pieces[0].id]));
    assert_eq!(pieces[0].nom, "convention-signee.pdf");
    let stocke = base.contrat(id).await.unwrap();
    assert_eq!(stocke.contrat.contrat.etat, EtatContrat::Signe);
    let signee = base
        .version_signee(id)
        .await
        .unwrap()
        .expect("version signée consignée");
    assert_eq!(signee.version, stocke.tampon.version);
    // The OpenAPI document describes both bodies.
    let r = get(&app, "/api/v1/openapi.json").await;
    let corps = &r.json()["paths"]["/contrats/{id}/actes"]["post"]["requestBody"]["content"];
    assert!(corps["application/json"].is_object() && corps["multipart/form-data"].is_object());
}
