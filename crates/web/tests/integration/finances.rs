//! The « Finances » page of a contract (issue 12): who reads it, the three annexe 10 tables of
//! each year, the files of each table (type, name) read back with the figures of the stored
//! execution, and the same table as JSON in the API.

use crate::commun::{app_demo, en_tant_que, get};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use pacte_core::Annee;
use pacte_core::execution::execution_simulee;
use pacte_core::tableau::{TypeTableau, feuille};
use pacte_store::Base;
use tower::ServiceExt;

/// Aix-Marseille-Provence, in execution in the demonstration (Bouches-du-Rhône, PACA).
const AMP: &str = "collectivite:200054807";

/// The demonstration with a simulated execution stored for AMP's contract; returns its id.
async fn demo_executee() -> (Router, Base, i64) {
    let (app, base, ids) = app_demo().await;
    let id = ids[0];
    let contrat = base.contrat(id).await.unwrap().contrat;
    let e = execution_simulee(&contrat, 5);
    assert!(
        !e.realisations.is_empty(),
        "la simulation devrait réaliser des dépenses"
    );
    base.enregistrer_execution(id, 0, "test", move |_, _| Ok(e))
        .await
        .unwrap();
    (app, base, id)
}

/// The raw bytes and headers of a GET.
async fn octets(app: &Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let r = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (statut, entetes) = (r.status(), r.headers().clone());
    (
        statut,
        entetes,
        r.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

#[tokio::test]
async fn page_lue_par_qui_lit_le_contrat() {
    let (app, base, id) = demo_executee().await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let r = get(&editeur, &format!("/contrats/{id}/finances")).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let contrat = base.contrat(id).await.unwrap().contrat;
    let execution = base.execution(id).await.unwrap().execution;
    // Every table of every year, with its title as caption and its notes.
    for a in Annee::TOUTES {
        for t in TypeTableau::TOUS {
            let Ok(f) = feuille(&contrat, &execution, t, a) else {
                assert!(!r.corps.contains(&format!("/tableaux/{}/{a}/", t.code())));
                continue;
            };
            let titre = askama_escape(&f.titre);
            assert!(
                r.corps.contains(&format!("<caption>{titre}</caption>")),
                "{titre}"
            );
            for n in &f.notes {
                assert!(r.corps.contains(&askama_escape(n)), "note absente : {n}");
            }
            for x in ["xlsx", "ods", "csv"] {
                assert!(
                    r.corps
                        .contains(&format!("/contrats/{id}/tableaux/{}/{a}/{x}", t.code()))
                );
            }
            // The totals row shows the core's figures.
            assert!(r.corps.contains(&askama_escape(&f.totaux[0].to_string())));
        }
    }
    // The contract page links to it.
    let c = get(&editeur, &format!("/contrats/{id}")).await;
    assert!(c.corps.contains(&format!("href=\"/contrats/{id}/finances\"")));
    // A DDETS of another département, and an account without rights: as if it did not exist.
    for (role, perimetre) in [("ddets", "departement:83"), ("aucun", "aucun")] {
        let autre = en_tant_que(&app, &base, role, perimetre).await;
        let r = get(&autre, &format!("/contrats/{id}/finances")).await;
        assert_eq!(r.statut, StatusCode::NOT_FOUND, "{role}");
        let (s, _, _) = octets(&autre, &format!("/contrats/{id}/tableaux/bilan/2024/csv")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{role}");
        let r = get(&autre, &format!("/api/v1/contrats/{id}/tableaux/bilan/2024")).await;
        assert_eq!(r.statut, StatusCode::NOT_FOUND, "{role}");
    }
    // Signed out: to the sign-in page.
    let r = get(&app, &format!("/contrats/{id}/finances")).await;
    assert!(r.statut.is_redirection(), "{}", r.statut);
}

/// The few characters askama escapes in text.
fn askama_escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn fichiers_de_chaque_format() {
    let (app, base, id) = demo_executee().await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    for (ext, mime) in [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
        ("csv", "text/csv; charset=utf-8"),
    ] {
        let (s, h, corps) = octets(
            &ddets,
            &format!("/contrats/{id}/tableaux/previsionnel/2025/{ext}"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{ext}");
        assert_eq!(h[header::CONTENT_TYPE], mime);
        assert_eq!(
            h[header::CONTENT_DISPOSITION].to_str().unwrap(),
            format!(
                "attachment; filename=\"annexe10-200054807-previsionnel-2025.{ext}\"; filename*=UTF-8''annexe10-200054807-previsionnel-2025.{ext}"
            )
        );
        assert!(!corps.is_empty());
    }
    // Unknown table, year outside the contract, the recapitulative of 2024, unknown format.
    for uri in [
        "tableaux/autre/2024/xlsx",
        "tableaux/bilan/2031/xlsx",
        "tableaux/recapitulatif/2024/xlsx",
        "tableaux/bilan/2024/pdf",
    ] {
        let (s, _, _) = octets(&ddets, &format!("/contrats/{id}/{uri}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn bilan_exporte_relu_avec_les_memes_montants() {
    let (app, base, id) = demo_executee().await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let contrat = base.contrat(id).await.unwrap().contrat;
    let execution = base.execution(id).await.unwrap().execution;
    let annee = Annee::TOUTES[0];
    for ext in ["xlsx", "ods"] {
        let (s, _, classeur) = octets(&editeur, &format!("/contrats/{id}/tableaux/bilan/2024/{ext}")).await;
        assert_eq!(s, StatusCode::OK);
        let lu = pacte_tableurs::lire_bilan(&classeur, &contrat, &execution, annee);
        assert!(lu.est_valide(), "{ext} : {:?}", lu.erreurs);
        let mut relues = lu.realisations(&execution);
        let mut stockees: Vec<_> = execution
            .realisations
            .iter()
            .filter(|r| r.annee == annee)
            .copied()
            .collect();
        relues.retain(|r| stockees.iter().any(|s| s.fiche == r.fiche));
        relues.sort_by_key(|r| r.fiche);
        stockees.sort_by_key(|r| r.fiche);
        assert!(!stockees.is_empty());
        assert_eq!(relues, stockees, "{ext}");
    }
}

#[tokio::test]
async fn tableau_en_json_comme_la_ligne_de_commande() {
    let (app, base, id) = demo_executee().await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let contrat = base.contrat(id).await.unwrap().contrat;
    let execution = base.execution(id).await.unwrap().execution;
    for (t, a) in [
        (TypeTableau::Previsionnel, 2024),
        (TypeTableau::Bilan, 2025),
        (TypeTableau::Recapitulatif, 2026),
    ] {
        let r = get(
            &editeur,
            &format!("/api/v1/contrats/{id}/tableaux/{}/{a}", t.code()),
        )
        .await;
        assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
        assert!(r.type_contenu.starts_with("application/json"));
        let f = feuille(&contrat, &execution, t, Annee::new(a).unwrap()).unwrap();
        assert_eq!(r.json(), serde_json::to_value(&f).unwrap());
    }
    let r = get(
        &editeur,
        &format!("/api/v1/contrats/{id}/tableaux/recapitulatif/2024"),
    )
    .await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND);
}

/// A multipart upload of a Bilan file.
fn envoi_bilan(id: i64, annee: &str, version: i64, nom: &str, fichier: &[u8]) -> Request<Body> {
    let f = "----bilan";
    let mut corps = format!(
        "--{f}\r\nContent-Disposition: form-data; name=\"annee\"\r\n\r\n{annee}\r\n--{f}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n{version}\r\n--{f}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{nom}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    corps.extend_from_slice(fichier);
    corps.extend_from_slice(format!("\r\n--{f}--\r\n").as_bytes());
    Request::post(format!("/contrats/{id}/bilan"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={f}"))
        .body(Body::from(corps))
        .unwrap()
}

/// The value of the hidden field `nom` of a page.
fn champ_cache(html: &str, nom: &str) -> String {
    let debut = format!("name=\"{nom}\" value=\"");
    let i = html.find(&debut).unwrap_or_else(|| panic!("champ {nom} absent")) + debut.len();
    html[i..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn bilan_apercu_application_et_refus() {
    let (app, base, id) = demo_executee().await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let annee = Annee::TOUTES[0];
    // The Bilan of the stored execution, downloaded as the collectivity does.
    let (_, _, classeur) = octets(&editeur, &format!("/contrats/{id}/tableaux/bilan/2024/xlsx")).await;
    let origine = base.execution(id).await.unwrap().execution;
    // Meanwhile the stored realised amounts of 2024 are changed: the file now differs.
    let modifiee = {
        let mut e = origine.clone();
        for r in e.realisations.iter_mut().filter(|r| r.annee == annee) {
            r.etat = pacte_core::Montant::euros(1);
        }
        e
    };
    let m = modifiee.clone();
    let t = base
        .enregistrer_execution(id, 1, "test", move |_, _| Ok(m))
        .await
        .unwrap();
    assert_eq!(t.version, 2);

    // Preview: the differences, nothing written.
    let r = crate::commun::envoyer(&editeur, envoi_bilan(id, "2024", 2, "bilan.xlsx", &classeur)).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(
        r.corps.contains("Différences avec les montants enregistrés"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("1,00 €"));
    assert_eq!(base.execution(id).await.unwrap().tampon.version, 2);
    let contenu = champ_cache(&r.corps, "contenu");

    // The State does not upload the collectivity's Bilan.
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let r2 = crate::commun::envoyer(&ddets, envoi_bilan(id, "2024", 2, "bilan.xlsx", &classeur)).await;
    assert_eq!(r2.statut, StatusCode::FORBIDDEN);

    // A stale version is refused; nothing written.
    let r3 = crate::commun::post_formulaire(
        &editeur,
        &format!("/contrats/{id}/bilan/appliquer"),
        &[("annee", "2024"), ("version", "1"), ("contenu", &contenu)],
    )
    .await;
    assert_eq!(r3.statut, StatusCode::CONFLICT, "{}", r3.corps);
    assert_eq!(base.execution(id).await.unwrap().execution, modifiee);

    // Applied: the realised amounts of the file, in one audited write.
    let r4 = crate::commun::post_formulaire(
        &editeur,
        &format!("/contrats/{id}/bilan/appliquer"),
        &[("annee", "2024"), ("version", "2"), ("contenu", &contenu)],
    )
    .await;
    assert!(r4.statut.is_redirection(), "{} {}", r4.statut, r4.corps);
    let apres = base.execution(id).await.unwrap();
    assert_eq!(apres.tampon.version, 3);
    let en = |e: &pacte_core::execution::Execution| {
        let mut v: Vec<_> = e
            .realisations
            .iter()
            .filter(|r| r.annee == annee)
            .copied()
            .collect();
        v.sort_by_key(|r| r.fiche);
        v
    };
    assert_eq!(en(&apres.execution), en(&origine));
    let journal = base.sauvegarde().await.unwrap().audit;
    let derniere = journal.iter().rev().find(|e| e.entite == "execution").unwrap();
    assert_eq!(derniere.operation, "modification");
    assert!(
        derniere.acteur.contains("collectivite_editeur"),
        "{}",
        derniere.acteur
    );

    // An unreadable file: the errors, 422, nothing written.
    let r5 = crate::commun::envoyer(
        &editeur,
        envoi_bilan(id, "2024", 3, "bilan.xlsx", b"pas un classeur"),
    )
    .await;
    assert_eq!(r5.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r5.corps);
    assert!(r5.corps.contains("rien n'a été enregistré"), "{}", r5.corps);
    let r6 = crate::commun::post_formulaire(
        &editeur,
        &format!("/contrats/{id}/bilan/appliquer"),
        &[
            ("annee", "2024"),
            ("version", "3"),
            ("contenu", "cGFzIHVuIGNsYXNzZXVy"),
        ],
    )
    .await;
    assert_eq!(r6.statut, StatusCode::CONFLICT, "{}", r6.corps);
    assert!(r6.corps.contains("Bilan refusé"), "{}", r6.corps);
    assert_eq!(base.execution(id).await.unwrap().tampon.version, 3);
}

#[tokio::test]
async fn formulaires_versement_et_realisation() {
    let (app, base, id) = demo_executee().await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let avant = base.execution(id).await.unwrap().execution;
    let uri = format!("/contrats/{id}/finances/versement");
    let versement = |programme: &'static str, iban: &'static str| {
        vec![
            ("version", "1"),
            ("annee", "2025"),
            ("date", "2025-03-14"),
            ("montant", "120 000,50"),
            ("programme", programme),
            ("iban", iban),
        ]
    };
    // French errors naming the field and the rule; nothing written.
    let r = crate::commun::post_formulaire(&ddets, &uri, &versement("303", "FR76 3000")).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(
        r.corps.contains("Programme") && r.corps.contains("R-FIN-10"),
        "{}",
        r.corps
    );
    let r = crate::commun::post_formulaire(&ddets, &uri, &versement("304", "")).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(r.corps.contains("IBAN"), "{}", r.corps);
    assert_eq!(base.execution(id).await.unwrap().tampon.version, 1);
    // The collectivity does not record the State's payments.
    let r = crate::commun::post_formulaire(&editeur, &uri, &versement("304", "FR76 3000")).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    // Recorded.
    let r = crate::commun::post_formulaire(&ddets, &uri, &versement("304", "FR76 3000")).await;
    assert!(r.statut.is_redirection(), "{} {}", r.statut, r.corps);
    let e = base.execution(id).await.unwrap();
    assert_eq!(e.tampon.version, 2);
    assert_eq!(e.execution.versements.len(), avant.versements.len() + 1);
    let v = e.execution.versements.last().unwrap();
    assert_eq!(
        (v.montant, v.programme),
        (pacte_core::Montant::centimes(12_000_050), 304)
    );

    // Realised amounts of a fiche-year, by the collectivity only.
    let fiche = base.contrat(id).await.unwrap().contrat.fiches[0]
        .numero
        .to_string();
    let uri = format!("/contrats/{id}/finances/realisation");
    let saisie = |etat: &'static str, version: &'static str| {
        vec![
            ("version", version),
            ("annee", "2024"),
            ("fiche", fiche.as_str()),
            ("etat", etat),
            ("collectivite", "10"),
        ]
    };
    let r = crate::commun::post_formulaire(&ddets, &uri, &saisie("5", "2")).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    let r = crate::commun::post_formulaire(&editeur, &uri, &saisie("douze", "2")).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.corps.contains("Crédits État consommés"), "{}", r.corps);
    let r = crate::commun::post_formulaire(&editeur, &uri, &saisie("5", "1")).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "version périmée");
    let r = crate::commun::post_formulaire(&editeur, &uri, &saisie("5", "2")).await;
    assert!(r.statut.is_redirection(), "{} {}", r.statut, r.corps);
    let e = base.execution(id).await.unwrap().execution;
    let lignes: Vec<_> = e
        .realisations
        .iter()
        .filter(|x| x.fiche.to_string() == fiche && x.annee == Annee::TOUTES[0])
        .collect();
    assert_eq!(lignes.len(), 1);
    assert_eq!(
        (lignes[0].etat, lignes[0].collectivite),
        (pacte_core::Montant::euros(5), pacte_core::Montant::euros(10))
    );
}

/// A multipart form: text fields, then an optional file in `document`.
fn multipart(uri: &str, champs: &[(&str, &str)], document: Option<(&str, &[u8])>) -> Request<Body> {
    let f = "----avenant";
    let mut corps = Vec::new();
    for (k, v) in champs {
        corps.extend_from_slice(
            format!("--{f}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    if let Some((nom, octets)) = document {
        corps.extend_from_slice(
            format!(
                "--{f}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"{nom}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        corps.extend_from_slice(octets);
        corps.extend_from_slice(b"\r\n");
    }
    corps.extend_from_slice(format!("--{f}--\r\n").as_bytes());
    Request::post(uri)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={f}"))
        .body(Body::from(corps))
        .unwrap()
}

#[tokio::test]
async fn formulaire_refuse_reaffiche_avec_la_saisie() {
    let (app, base, id) = demo_executee().await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let uri = format!("/contrats/{id}/finances/versement");
    let champs = [
        ("version", "1"),
        ("annee", "2025"),
        ("date", "2025-03-14"),
        ("montant", "120 000,50"),
        ("programme", "304"),
        ("code_chorus", "0304-17-05"),
        ("iban", ""),
    ];
    let r = crate::commun::post_formulaire(&ddets, &uri, &champs).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    // The page again, not an error page: the message, the typed values, the field marked.
    assert!(r.corps.contains("<h1>Finances</h1>"), "{}", r.corps);
    assert!(
        r.corps
            .contains("Coordonnées bancaires (IBAN) : champ obligatoire (R-FIN-10).")
    );
    assert!(
        r.corps.contains(r#"name="montant" value="120 000,50""#),
        "{}",
        r.corps
    );
    assert!(r.corps.contains(r#"name="code_chorus" value="0304-17-05""#));
    assert!(
        r.corps
            .contains(r#"name="iban" value="" maxlength="200" aria-invalid="true""#),
        "{}",
        r.corps
    );
    assert!(r.corps.contains(r#"<option value="2025" selected>"#));
    // A concurrent change: 409, the input kept.
    let mut perimee = champs.to_vec();
    perimee[0] = ("version", "0");
    perimee[6] = ("iban", "FR76 3000");
    let r = crate::commun::post_formulaire(&ddets, &uri, &perimee).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    assert!(r.corps.contains("rien n&#39;a été écrit"), "{}", r.corps);
    assert!(r.corps.contains(r#"name="iban" value="FR76 3000""#));
    assert_eq!(base.execution(id).await.unwrap().tampon.version, 1);
}

#[tokio::test]
async fn notifications_par_axe_et_par_fiche() {
    let (app, base, id) = demo_executee().await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let contrat = base.contrat(id).await.unwrap().contrat;
    let plafond = pacte_core::financement::par_axe(&contrat).plafond_global;
    let uri = format!("/contrats/{id}/finances/notification-axe");
    // 2027 has no notification yet: axis 1 at the global ceiling plus one cent breaks R-FIN-03.
    let plus = (plafond + pacte_core::Montant::centimes(1)).texte_fichier();
    let r = crate::commun::post_formulaire(
        &ddets,
        &uri,
        &[
            ("version", "1"),
            ("axe", "1"),
            ("annee", "2027"),
            ("montant", &plus),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(r.corps.contains("(R-FIN-03)"), "{}", r.corps);
    let r = crate::commun::post_formulaire(
        &editeur,
        &uri,
        &[
            ("version", "1"),
            ("axe", "1"),
            ("annee", "2027"),
            ("montant", "1"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    let socle = pacte_core::financement::par_axe(&contrat).axes[0]
        .reperes
        .socle
        .unwrap()
        .texte_fichier();
    let r = crate::commun::post_formulaire(
        &ddets,
        &uri,
        &[
            ("version", "1"),
            ("axe", "1"),
            ("annee", "2027"),
            ("montant", &socle),
        ],
    )
    .await;
    assert!(r.statut.is_redirection(), "{} {}", r.statut, r.corps);
    let fiche = contrat.fiches[0].numero;
    let r = crate::commun::post_formulaire(
        &ddets,
        &format!("/contrats/{id}/finances/notification-fiche"),
        &[
            ("version", "2"),
            ("fiche", &fiche.to_string()),
            ("annee", "2027"),
            ("montant", "1 234,56"),
        ],
    )
    .await;
    assert!(r.statut.is_redirection(), "{} {}", r.statut, r.corps);
    let e = base.execution(id).await.unwrap().execution;
    assert_eq!(
        e.etat_notifie(fiche, Annee::TOUTES[3]),
        Some(pacte_core::Montant::centimes(123_456))
    );
    assert!(
        e.notifie_axe(pacte_core::contrat::Axe::A1, Annee::TOUTES[3])
            .is_some()
    );
}

#[tokio::test]
async fn report_au_plus_les_credits_non_consommes() {
    let (app, base, id) = demo_executee().await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let contrat = base.contrat(id).await.unwrap().contrat;
    let e = base.execution(id).await.unwrap().execution;
    let s = pacte_core::execution::situation(&contrat, &e);
    // The fiche with the most unconsumed State credits in 2024.
    let (fiche, a) = s
        .annee(Annee::TOUTES[0])
        .max_by_key(|(_, a)| a.etat_non_consomme)
        .map(|(f, a)| (*f, *a))
        .unwrap();
    assert!(a.etat_non_consomme > pacte_core::Montant::ZERO);
    let uri = format!("/contrats/{id}/finances/report");
    let envoi = |etat: String, version: &'static str| {
        let fiche = fiche.to_string();
        let uri = uri.clone();
        let ddets = ddets.clone();
        async move {
            crate::commun::post_formulaire(
                &ddets,
                &uri,
                &[
                    ("version", version),
                    ("fiche", &fiche),
                    ("annee", "2024"),
                    ("etat", &etat),
                    ("collectivite", "0"),
                    ("date", "2025-03-20"),
                ],
            )
            .await
        }
    };
    let plus = (a.etat_non_consomme + pacte_core::Montant::centimes(1)).texte_fichier();
    let r = envoi(plus.clone(), "1").await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(r.corps.contains("(R-FIN-12)"), "{}", r.corps);
    assert!(r.corps.contains(&format!(r#"name="etat" value="{plus}""#)));
    let r = envoi(a.etat_non_consomme.texte_fichier(), "1").await;
    assert!(r.statut.is_redirection(), "{} {}", r.statut, r.corps);
    let e = base.execution(id).await.unwrap().execution;
    let reps: Vec<_> = e
        .reports
        .iter()
        .filter(|r| r.fiche == fiche && r.annee == Annee::TOUTES[0])
        .collect();
    assert_eq!(reps.len(), 1);
    assert_eq!(reps[0].etat, a.etat_non_consomme);
    // No carry-over out of 2027 (R-FIN-11).
    let r = crate::commun::post_formulaire(
        &ddets,
        &uri,
        &[
            ("version", "2"),
            ("fiche", &fiche.to_string()),
            ("annee", "2027"),
            ("etat", "1"),
            ("date", "2028-01-10"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.corps.contains("(R-FIN-11)"), "{}", r.corps);
}

#[tokio::test]
async fn avenant_avec_son_document_signe() {
    let (app, base, id) = demo_executee().await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let contrat = base.contrat(id).await.unwrap().contrat;
    let fiche = contrat.fiches[0].numero.to_string();
    let uri = format!("/contrats/{id}/finances/avenant");
    let pdf = b"%PDF-1.7\nAvenant signe\n%%EOF\n";
    let mut champs = vec![
        ("version", "1"),
        ("annee", "2025"),
        ("date", "2025-04-01"),
        ("accord_etat", "2025-03-20"),
        ("accord_collectivite", "2025-04-02"),
        ("lignes[0].fiche", fiche.as_str()),
        ("lignes[0].etat", "50 000"),
        ("lignes[0].motif", "Réduction décidée"),
    ];
    // The collectivity's agreement dated after the avenant: R-FIN-09, the input kept.
    let r = crate::commun::envoyer(&ddets, multipart(&uri, &champs, Some(("avenant.pdf", pdf)))).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(r.corps.contains("(R-FIN-09)"), "{}", r.corps);
    assert!(r.corps.contains(r#"name="lignes[0].motif" rows="3""#));
    assert!(r.corps.contains("Réduction décidée</textarea>"), "{}", r.corps);
    champs[4] = ("accord_collectivite", "2025-03-25");
    // Without the signed document.
    let r = crate::commun::envoyer(&ddets, multipart(&uri, &champs, None)).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(r.corps.contains("Avenant signé : joignez le document signé"));
    assert!(base.pieces(id).await.unwrap().is_empty());
    // A text file in place of the signed document: nothing written.
    let r = crate::commun::envoyer(
        &ddets,
        multipart(&uri, &champs, Some(("avenant.pdf", b"pas un PDF"))),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert_eq!(base.execution(id).await.unwrap().tampon.version, 1);
    // Recorded with its document, in one write.
    let r = crate::commun::envoyer(&ddets, multipart(&uri, &champs, Some(("avenant.pdf", pdf)))).await;
    assert!(r.statut.is_redirection(), "{} {}", r.statut, r.corps);
    let e = base.execution(id).await.unwrap();
    assert_eq!(e.tampon.version, 2);
    let a = e.execution.avenants.last().unwrap();
    let pieces = base.pieces(id).await.unwrap();
    assert_eq!(a.piece, Some(pieces[0].id));
    assert_eq!(
        e.execution
            .etat_notifie(contrat.fiches[0].numero, Annee::TOUTES[1]),
        Some(pacte_core::Montant::euros(50_000))
    );
    // Listed on the page with its document.
    let p = get(&ddets, &format!("/contrats/{id}/finances")).await;
    assert!(
        p.corps.contains("Avenant 1 — année 2025, du 01/04/2025"),
        "{}",
        p.corps
    );
    assert!(
        p.corps
            .contains(&format!("/contrats/{id}/pieces/{}", pieces[0].id))
    );
}

#[tokio::test]
async fn reduction_justifiee_puis_decidee() {
    let (app, base, id) = demo_executee().await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let commissaire = en_tant_que(&app, &base, "commissaire", "region:93").await;
    let contrat = base.contrat(id).await.unwrap().contrat;
    let e = base.execution(id).await.unwrap().execution;
    let attente = pacte_core::execution::saisie::reductions_en_attente(&contrat, &e);
    assert!(
        !attente.is_empty(),
        "la simulation sous-consomme une fiche en 2024"
    );
    let r0 = &attente[0];
    let (fiche, annee) = (r0.fiche.to_string(), r0.annee.to_string());
    // The collectivity sees the proposal and justifies it.
    let p = get(&editeur, &format!("/contrats/{id}/finances")).await;
    assert!(
        p.corps
            .contains(&format!("réduction proposée de {}", r0.proposee)),
        "{}",
        p.corps
    );
    let r = crate::commun::post_formulaire(
        &editeur,
        &format!("/contrats/{id}/finances/reduction/justification"),
        &[
            ("version", "1"),
            ("fiche", &fiche),
            ("annee", &annee),
            ("justification", "Recrutement retardé de six mois"),
        ],
    )
    .await;
    assert!(r.statut.is_redirection(), "{} {}", r.statut, r.corps);
    // The collectivity does not decide.
    let uri = format!("/contrats/{id}/finances/reduction/decision");
    let r = crate::commun::post_formulaire(
        &editeur,
        &uri,
        &[
            ("version", "2"),
            ("fiche", &fiche),
            ("annee", &annee),
            ("montant", "1"),
            ("date", "2025-03-15"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    // Over the fiche's State amount of the year: refused, input kept in its own form.
    let plafond = pacte_core::execution::etat_prevu(&contrat, &e, r0.fiche, r0.annee);
    let plus = (plafond + pacte_core::Montant::centimes(1)).texte_fichier();
    let r = crate::commun::post_formulaire(
        &commissaire,
        &uri,
        &[
            ("version", "2"),
            ("fiche", &fiche),
            ("annee", &annee),
            ("montant", &plus),
            ("date", "2025-03-15"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(r.corps.contains("(R-FIN-06)"));
    assert!(r.corps.contains(&format!(r#"name="montant" value="{plus}""#)));
    assert!(r.corps.contains("Recrutement retardé de six mois"));
    let montant = r0.proposee.texte_fichier();
    let r = crate::commun::post_formulaire(
        &commissaire,
        &uri,
        &[
            ("version", "2"),
            ("fiche", &fiche),
            ("annee", &annee),
            ("montant", &montant),
            ("date", "2025-03-15"),
        ],
    )
    .await;
    assert!(r.statut.is_redirection(), "{} {}", r.statut, r.corps);
    let e = base.execution(id).await.unwrap().execution;
    assert_eq!(e.reduction_decidee(r0.fiche, r0.annee), r0.proposee);
    let attente = pacte_core::execution::saisie::reductions_en_attente(&contrat, &e);
    assert!(!attente.iter().any(|x| x.fiche == r0.fiche && x.annee == r0.annee));
}

#[tokio::test]
async fn page_suivi_graphiques_registres_et_releve() {
    let (app, base, id) = demo_executee().await;
    let lecteur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let r = get(&lecteur, &format!("/contrats/{id}/finances")).await;
    assert_eq!(r.statut, StatusCode::OK);
    let contrat = base.contrat(id).await.unwrap().contrat;
    let e = base.execution(id).await.unwrap().execution;
    let s = pacte_core::execution::situation(&contrat, &e);
    // One chart per axis of the contract, CSP-safe (no style attribute, no script).
    let axes = pacte_core::financement::par_axe(&contrat)
        .type_contrat
        .axes()
        .len();
    assert_eq!(r.corps.matches("<svg ").count(), axes);
    assert!(!r.corps.contains("style=\""));
    // The table beside the chart of axis 1 in 2024: the sum of its fiches' realised amounts.
    let realise: pacte_core::Montant = s
        .annee(Annee::TOUTES[0])
        .filter(|(f, _)| f.axe == pacte_core::contrat::Axe::A1)
        .map(|(_, a)| a.realise_etat)
        .sum();
    assert!(r.corps.contains(&askama_escape(&realise.to_string())));
    // The payment register, the recovery statement with its total.
    assert!(r.corps.contains("Registre des versements"));
    assert!(
        r.corps
            .contains(&askama_escape(&e.versements[0].montant.to_string()))
    );
    let total: pacte_core::Montant = pacte_core::execution::releve_reversement(&s)
        .iter()
        .map(|l| l.reversement)
        .sum();
    assert!(r.corps.contains("Relevé de reversement (2028)"));
    assert!(
        r.corps
            .contains(&format!("<strong>{}</strong>", askama_escape(&total.to_string())))
    );
    // The collectivity sees no State form; the DDETS sees them.
    assert!(!r.corps.contains("/finances/avenant"));
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let r = get(&ddets, &format!("/contrats/{id}/finances")).await;
    for f in [
        "notification-axe",
        "notification-fiche",
        "avenant",
        "report",
        "versement",
    ] {
        assert!(r.corps.contains(&format!("/contrats/{id}/finances/{f}\"")), "{f}");
    }
}

#[tokio::test]
async fn reports_du_bilan_proposes_puis_confirmes() {
    let (app, base, id) = demo_executee().await;
    let editeur = en_tant_que(&app, &base, "collectivite_editeur", AMP).await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    // The stored carry-overs of 2024 are removed: the downloaded Bilan (made before) still has
    // them, so applying it proposes them again.
    let (_, _, classeur) = octets(&editeur, &format!("/contrats/{id}/tableaux/bilan/2024/xlsx")).await;
    let origine = base.execution(id).await.unwrap().execution;
    let sans: Vec<_> = origine
        .reports
        .iter()
        .filter(|r| r.annee == Annee::TOUTES[0])
        .copied()
        .collect();
    assert!(!sans.is_empty());
    let mut m = origine.clone();
    m.reports.retain(|r| r.annee != Annee::TOUTES[0]);
    let m2 = m.clone();
    base.enregistrer_execution(id, 1, "test", move |_, _| Ok(m2))
        .await
        .unwrap();
    let r = crate::commun::envoyer(&editeur, envoi_bilan(id, "2024", 2, "bilan.xlsx", &classeur)).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let contenu = champ_cache(&r.corps, "contenu");
    let r = crate::commun::post_formulaire(
        &editeur,
        &format!("/contrats/{id}/bilan/appliquer"),
        &[("annee", "2024"), ("version", "2"), ("contenu", &contenu)],
    )
    .await;
    assert!(r.statut.is_redirection(), "{} {}", r.statut, r.corps);
    let e = base.execution(id).await.unwrap().execution;
    let proposes: Vec<_> = e.reports.iter().filter(|r| r.proposition).collect();
    assert_eq!(proposes.len(), sans.len());
    // Proposed: no figure moves.
    let contrat = base.contrat(id).await.unwrap().contrat;
    assert_eq!(
        pacte_core::execution::situation(&contrat, &e).annees,
        pacte_core::execution::situation(&contrat, &m).annees
    );
    // The State confirms one, with the dialogue's date.
    let p = proposes[0];
    let page = get(&ddets, &format!("/contrats/{id}/finances")).await;
    assert!(page.corps.contains("Reports proposés par la collectivité"));
    let r = crate::commun::post_formulaire(
        &ddets,
        &format!("/contrats/{id}/finances/report"),
        &[
            ("version", "3"),
            ("proposition", "1"),
            ("fiche", &p.fiche.to_string()),
            ("annee", "2024"),
            ("etat", &p.etat.texte_fichier()),
            ("collectivite", &p.collectivite.texte_fichier()),
            ("date", "2025-03-20"),
        ],
    )
    .await;
    assert!(r.statut.is_redirection(), "{} {}", r.statut, r.corps);
    let apres = base.execution(id).await.unwrap().execution;
    let de_la_fiche: Vec<_> = apres
        .reports
        .iter()
        .filter(|r| r.fiche == p.fiche && r.annee == Annee::TOUTES[0])
        .collect();
    assert_eq!(de_la_fiche.len(), 1);
    assert!(!de_la_fiche[0].proposition);
    assert_eq!(de_la_fiche[0].date, Some(pacte_core::Date::ymd(2025, 3, 20)));
}

#[tokio::test]
async fn demonstration_executee_et_reduction_sur_le_tableau_de_bord() {
    let base = crate::commun::base_neuve().await;
    let ids = pacte_web::demo::charger_complet(&base).await.unwrap();
    pacte_web::demo::creer_comptes(&base, pacte_web::comptes::mot_de_passe::Cout::Test)
        .await
        .unwrap();
    let brut = pacte_web::application(
        base.clone(),
        pacte_web::Options {
            demonstration: true,
            cout_hachage: pacte_web::comptes::mot_de_passe::Cout::Test,
            ..Default::default()
        },
    );
    // Every contract in execution has 2024 and 2025 executed, without a blocking finding.
    let mut executes = 0;
    for &id in &ids {
        let c = base.contrat(id).await.unwrap().contrat;
        let e = base.execution(id).await.unwrap();
        if c.contrat.etat != pacte_core::contrat::EtatContrat::EnExecution {
            continue;
        }
        executes += 1;
        for a in [Annee::TOUTES[0], Annee::TOUTES[1]] {
            assert!(!e.execution.verse(a).est_nul(), "{} {a}", c.contrat.collectivite);
            assert!(e.execution.realisations.iter().any(|r| r.annee == a));
        }
        let bloquants: Vec<_> = pacte_core::regles::execution::verifier_execution(&c, &e.execution)
            .into_iter()
            .filter(|k| k.gravite == pacte_core::Gravite::Bloquant)
            .collect();
        assert!(bloquants.is_empty(), "{} : {bloquants:?}", c.contrat.collectivite);
    }
    assert!(executes > 5, "{executes}");
    // One manifest under-consumption, in the Bouches-du-Rhône's contract.
    let reductions = pacte_web::demo_execution::reductions_demo(&base, &ids)
        .await
        .unwrap();
    assert_eq!(reductions.len(), 1, "{reductions:?}");
    let id13 = reductions[0].0;
    assert_eq!(
        base.contrat(id13).await.unwrap().contrat.contrat.collectivite,
        pacte_web::demo_execution::SOUS_CONSOMMATION
    );
    // On the commissaire's dashboard, linked to the contract's finances; not on the
    // collectivity's.
    let commissaire = en_tant_que(&brut, &base, "commissaire", "region:93").await;
    let r = get(&commissaire, "/").await;
    assert!(r.corps.contains("Réductions à décider"), "{}", r.corps);
    assert!(
        r.corps
            .contains(&format!("/contrats/{id13}/finances#reductions-attente"))
    );
    let editeur = en_tant_que(&brut, &base, "collectivite_editeur", "collectivite:13").await;
    let r = get(&editeur, "/").await;
    assert!(!r.corps.contains("Réductions à décider"));
}
