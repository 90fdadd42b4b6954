//! Exchanges instead of e-mail, the contract history for every reader, and one contract per
//! collectivity and period, through the real router (issue « Négociation », items 3 to 5).

use std::time::Duration;

use crate::commun::{
    app_demo, app_demo_avec, en_tant_que, en_tant_que_compte, envoyer, envoyer_json, get, post_formulaire,
};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pacte_core::fichier::{ecrire_toml, lire_toml};
use pacte_web::echanges::notification::{ConfigSmtp, ModeTls};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tower::ServiceExt;

/// Toulon, in negotiation in the demonstration (département 83): its collectivity's code.
async fn toulon(base: &pacte_store::Base, id: i64) -> String {
    base.contrat(id).await.unwrap().contrat.contrat.collectivite
}

fn redirection(r: &crate::commun::Reponse) -> String {
    r.entetes
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn correction_demandee_repondue_resolue() {
    let (app, base, ids) = app_demo().await;
    let id = ids[4];
    let code = toulon(&base, id).await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:83").await;
    let editeur = en_tant_que(
        &app,
        &base,
        "collectivite_editeur",
        &format!("collectivite:{code}"),
    )
    .await;
    let lecteur = en_tant_que(
        &app,
        &base,
        "collectivite_lecteur",
        &format!("collectivite:{code}"),
    )
    .await;
    let ailleurs = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let fiche = base.contrat(id).await.unwrap().contrat.fiches[0]
        .numero
        .to_string();

    // The DDETS requests a correction on a field of the first fiche.
    let r = post_formulaire(
        &ddets,
        &format!("/contrats/{id}/demandes"),
        &[
            ("fiche", &fiche),
            ("champ", "Financement 2025"),
            ("texte", "Le cofinancement CAF manque en 2025."),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert!(redirection(&r).starts_with(&format!("/contrats/{id}/fiches/{fiche}/echanges#demande-")));
    let d = base.demandes_correction(id).await.unwrap().remove(0);

    // It is on the collectivity's dashboard, open, with one unread message.
    let accueil = get(&editeur, "/").await;
    assert!(
        accueil.corps.contains("Le cofinancement CAF manque en 2025."),
        "{}",
        accueil.corps
    );
    assert!(accueil.corps.contains("ouverte"));
    assert!(accueil.corps.contains("1 message non lu"), "{}", accueil.corps);
    // Neither the reader of the collectivity nor the DDETS of another département may answer.
    let r = post_formulaire(
        &lecteur,
        &format!("/contrats/{id}/demandes/{}", d.tampon.id),
        &[("action", "repondre"), ("version", "1"), ("texte", "Non")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    let r = get(&ailleurs, &format!("/contrats/{id}/echanges")).await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND);
    // The DDETS cannot resolve before the answer.
    let r = post_formulaire(
        &ddets,
        &format!("/contrats/{id}/demandes/{}", d.tampon.id),
        &[("action", "resoudre"), ("version", "1")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);

    // The editor reads the fiche's thread (the unread count goes) and answers.
    let fil = get(&editeur, &format!("/contrats/{id}/fiches/{fiche}/echanges")).await;
    assert_eq!(fil.statut, StatusCode::OK);
    assert!(fil.corps.contains("Répondre"), "{}", fil.corps);
    assert!(!fil.corps.contains("Marquer comme résolue"));
    assert!(!get(&editeur, "/").await.corps.contains("message non lu"));
    let r = post_formulaire(
        &editeur,
        &format!("/contrats/{id}/demandes/{}", d.tampon.id),
        &[
            ("action", "repondre"),
            ("version", "1"),
            ("texte", "Ajouté : 12 000 € de la CAF."),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    // The same form again (stale version) is a conflict, nothing written.
    let r = post_formulaire(
        &editeur,
        &format!("/contrats/{id}/demandes/{}", d.tampon.id),
        &[("action", "repondre"), ("version", "1"), ("texte", "Encore")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT);
    let accueil = get(&editeur, "/").await;
    assert!(accueil.corps.contains("répondue"), "{}", accueil.corps);

    // The DDETS resolves: the request leaves the dashboard; the thread keeps all three.
    let fil = get(&ddets, &format!("/contrats/{id}/fiches/{fiche}/echanges")).await;
    assert!(fil.corps.contains("Marquer comme résolue"));
    let r = post_formulaire(
        &ddets,
        &format!("/contrats/{id}/demandes/{}", d.tampon.id),
        &[("action", "resoudre"), ("version", "2"), ("texte", "Merci.")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let accueil = get(&editeur, "/").await;
    assert!(!accueil.corps.contains("Le cofinancement CAF manque en 2025."));
    let fil = get(&lecteur, &format!("/contrats/{id}/fiches/{fiche}/echanges")).await;
    for texte in [
        "Le cofinancement CAF manque en 2025.",
        "Ajouté : 12 000 € de la CAF.",
        "Merci.",
    ] {
        assert!(fil.corps.contains(texte), "{texte}");
    }
    assert!(fil.corps.contains("résolue"));
    assert!(fil.corps.contains("Votre rôle lit ces échanges sans y écrire."));
}

#[tokio::test]
async fn messages_bornes_et_api() {
    let (app, base, ids) = app_demo().await;
    let id = ids[4];
    let code = toulon(&base, id).await;
    let ddets = en_tant_que(&app, &base, "ddets", "departement:83").await;
    let editeur = en_tant_que(
        &app,
        &base,
        "collectivite_editeur",
        &format!("collectivite:{code}"),
    )
    .await;
    let national = en_tant_que(&app, &base, "lecteur_national", "national").await;

    // A message too long is refused with a French message naming the limit; nothing stored.
    let long = "a".repeat(pacte_core::echanges::MESSAGE_MAX + 1);
    let r = post_formulaire(&editeur, &format!("/contrats/{id}/echanges"), &[("texte", &long)]).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.corps.contains("au plus 5000"), "{}", r.corps);
    let r = envoyer_json(
        &editeur,
        "POST",
        &format!("/api/v1/contrats/{id}/messages"),
        &serde_json::json!({ "texte": "   " }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champ"], "texte");
    assert!(base.messages_du_contrat(id).await.unwrap().is_empty());

    // The API: a message, a request, its answer and resolution with If-Match.
    let r = envoyer_json(
        &editeur,
        "POST",
        &format!("/api/v1/contrats/{id}/messages"),
        &serde_json::json!({ "texte": "Bonjour, la fiche 1.1 est complétée." }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    assert_eq!(r.json()["role"], "collectivite_editeur");
    // The national reader reads, does not write; the editor does not request corrections.
    let r = envoyer_json(
        &national,
        "POST",
        &format!("/api/v1/contrats/{id}/messages"),
        &serde_json::json!({ "texte": "Non" }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    let r = envoyer_json(
        &editeur,
        "POST",
        &format!("/api/v1/contrats/{id}/demandes"),
        &serde_json::json!({ "texte": "Non" }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    let r = envoyer_json(
        &ddets,
        "POST",
        &format!("/api/v1/contrats/{id}/demandes"),
        &serde_json::json!({ "texte": "Précisez le public visé.", "champ": "Description" }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    let demande = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["etat"], "ouverte");
    let suite = |qui: &axum::Router, quoi: &'static str, version: &'static str, texte: &'static str| {
        let qui = qui.clone();
        async move {
            let r = Request::post(format!("/api/v1/contrats/{id}/demandes/{demande}/{quoi}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::IF_MATCH, version)
                .body(Body::from(serde_json::json!({ "texte": texte }).to_string()))
                .unwrap();
            envoyer(&qui, r).await
        }
    };
    assert_eq!(
        suite(&ddets, "reponse", "\"1\"", "x").await.statut,
        StatusCode::FORBIDDEN
    );
    let r = suite(&editeur, "reponse", "\"1\"", "Les familles hébergées à l'hôtel.").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(r.json()["etat"], "repondue");
    assert_eq!(
        suite(&ddets, "resolution", "\"1\"", "").await.statut,
        StatusCode::CONFLICT
    );
    let r = suite(&ddets, "resolution", "\"2\"", "").await;
    assert_eq!(
        (r.statut, r.json()["etat"].clone()),
        (StatusCode::OK, serde_json::json!("resolue"))
    );
    let r = get(&national, &format!("/api/v1/contrats/{id}/messages")).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert_eq!(r.json()["messages"].as_array().unwrap().len(), 4);
    let r = get(&national, &format!("/api/v1/contrats/{id}/demandes")).await;
    assert_eq!(r.json()["demandes"][0]["etat"], "resolue");
}

#[tokio::test]
async fn historique_pour_chaque_lecteur() {
    let (app, base, ids) = app_demo().await;
    let id = ids[4];
    let code = toulon(&base, id).await;
    let lecteur = en_tant_que(
        &app,
        &base,
        "collectivite_lecteur",
        &format!("collectivite:{code}"),
    )
    .await;
    // A change of one fiche's State share for 2024, through the store's write path.
    let c = base.contrat(id).await.unwrap();
    let mut f = c.contrat.fiches[1].clone();
    let an = pacte_core::Annee::new(2024).unwrap();
    let avant = f.financement.etat(an);
    let apres = avant + pacte_core::Montant::euros(1_500);
    f.financement.etat.insert(an, apres);
    base.modifier_fiche(id, f.numero, &f, c.fiches[1].version, "test", |_| Ok(()))
        .await
        .unwrap();
    let r = get(&lecteur, &format!("/contrats/{id}/historique")).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(r.corps.contains("Version 2"), "{}", r.corps);
    assert!(r.corps.contains("Création du contrat"));
    assert!(r.corps.contains("Financement › État › 2024"));
    assert!(r.corps.contains(&avant.to_string()) && r.corps.contains(&apres.to_string()));
    assert!(r.corps.contains("1 champ modifié"));
    // Linked from the contract page.
    let page = get(&lecteur, &format!("/contrats/{id}")).await;
    assert!(page.corps.contains(&format!("/contrats/{id}/historique")));
}

/// Uploads `texte` as a contract file: the preview page.
async fn apercu(app: &axum::Router, texte: &str) -> crate::commun::Reponse {
    let frontiere = "----essai";
    let corps = format!(
        "--{frontiere}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"c.toml\"\r\n\r\n{texte}\r\n--{frontiere}--\r\n"
    );
    let r = Request::post("/contrats/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={frontiere}"),
        )
        .body(Body::from(corps))
        .unwrap();
    envoyer(app, r).await
}

#[tokio::test]
async fn import_d_un_contrat_existant() {
    let (app, base, ids) = app_demo().await;
    let id = ids[4];
    let code = toulon(&base, id).await;
    let editeur = en_tant_que(
        &app,
        &base,
        "collectivite_editeur",
        &format!("collectivite:{code}"),
    )
    .await;
    let admin = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let n = base.contrats().await.unwrap().len();

    // Toulon's file, its title changed: the preview names the contract and the difference.
    let mut c = base.contrat(id).await.unwrap().contrat;
    let ancien = c.contrat.intitule.clone().unwrap();
    c.contrat.intitule = Some("Contrat local des solidarités de Toulon, version révisée".into());
    let texte = ecrire_toml(&c);
    let r = apercu(&editeur, &texte).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(
        r.corps.contains("Un contrat existe déjà pour cette collectivité"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains(&format!("contrat n° {id}")));
    assert!(r.corps.contains("Intitulé") && r.corps.contains("version révisée"));
    assert!(r.corps.contains(&format!("Mettre à jour le contrat n° {id}")));
    let revision = base.revision(id).await.unwrap().unwrap().to_string();
    // The administrator sees the difference but may not update a contract in negotiation.
    let r = apercu(&admin, &texte).await;
    assert!(
        r.corps.contains("Import impossible") && r.corps.contains("votre rôle"),
        "{}",
        r.corps
    );
    assert!(!r.corps.contains("Mettre à jour le contrat"));
    // Confirmed: a new version of the same contract.
    let confirmer = |qui: &axum::Router, revision: String| {
        let (qui, texte) = (qui.clone(), texte.clone());
        async move {
            post_formulaire(
                &qui,
                "/contrats/import/confirmer",
                &[
                    ("contenu", &texte),
                    ("remplacer", &id.to_string()),
                    ("revision", &revision),
                ],
            )
            .await
        }
    };
    let r = confirmer(&editeur, revision.clone()).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(redirection(&r), format!("/contrats/{id}/historique"));
    assert_eq!(base.contrats().await.unwrap().len(), n);
    let lu = base.contrat(id).await.unwrap().contrat;
    assert_eq!(lu.contrat.intitule, c.contrat.intitule);
    let historique = get(&editeur, &format!("/contrats/{id}/historique")).await;
    assert!(historique.corps.contains(&ancien) && historique.corps.contains("version révisée"));
    // The same confirmation again: the revision moved, a conflict; nothing written.
    let r = confirmer(&editeur, revision).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);

    // A second contract is refused: the creation form, the file without `remplacer`, the API.
    let r = post_formulaire(
        &editeur,
        "/contrats/nouveau",
        &[
            ("collectivite", &code),
            ("intitule", "Doublon"),
            ("debut", "2024-01-01"),
            ("fin", "2027-12-31"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    assert!(r.corps.contains("a déjà un contrat pour la période 2024-2027"));
    let mut brouillon = lire_toml(&texte).unwrap();
    brouillon.contrat.etat = pacte_core::contrat::EtatContrat::Brouillon;
    let r = post_formulaire(
        &editeur,
        "/contrats/import/confirmer",
        &[("contenu", &ecrire_toml(&brouillon))],
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    let r = envoyer_json(
        &admin,
        "POST",
        "/api/v1/contrats",
        &serde_json::to_value(&brouillon).unwrap(),
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    assert_eq!(r.json()["code"], "conflit");
    assert_eq!(base.contrats().await.unwrap().len(), n);
}

/// A tiny SMTP server for one test: accepts every mail, sends each recipient and body on
/// `sortie`.
pub(crate) async fn puits_smtp(sortie: tokio::sync::mpsc::UnboundedSender<(String, String)>) -> u16 {
    let ecoute = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = ecoute.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((flux, _)) = ecoute.accept().await else {
                return;
            };
            let sortie = sortie.clone();
            tokio::spawn(async move {
                let (lecture, mut ecriture) = flux.into_split();
                let mut lignes = BufReader::new(lecture).lines();
                ecriture.write_all(b"220 puits ESMTP\r\n").await.unwrap();
                let (mut destinataires, mut corps, mut dans_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(l)) = lignes.next_line().await {
                    if dans_data {
                        if l == "." {
                            dans_data = false;
                            for d in destinataires.drain(..) {
                                let _ = sortie.send((d, corps.clone()));
                            }
                            corps.clear();
                            ecriture.write_all(b"250 OK\r\n").await.unwrap();
                        } else {
                            corps.push_str(&l);
                            corps.push('\n');
                        }
                        continue;
                    }
                    let commande = l.to_ascii_uppercase();
                    let reponse: &[u8] = if commande.starts_with("EHLO") || commande.starts_with("HELO") {
                        b"250 puits\r\n"
                    } else if commande.starts_with("RCPT TO:") {
                        destinataires.push(l[8..].trim().trim_matches(['<', '>']).to_string());
                        b"250 OK\r\n"
                    } else if commande.starts_with("DATA") {
                        dans_data = true;
                        b"354 Go\r\n"
                    } else if commande.starts_with("QUIT") {
                        let _ = ecriture.write_all(b"221 Bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    ecriture.write_all(reponse).await.unwrap();
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn notification_par_courriel_apres_une_demande() {
    let (envoi, mut recus) = tokio::sync::mpsc::unbounded_channel();
    let port = puits_smtp(envoi).await;
    let (app, base, ids) = app_demo_avec(pacte_web::Options {
        smtp: Some(ConfigSmtp {
            hote: "127.0.0.1".into(),
            port,
            utilisateur: None,
            mot_de_passe: None,
            expediteur: "Pacte <pacte@exemple.fr>".into(),
            tls: ModeTls::Aucun,
        }),
        ..Default::default()
    })
    .await;
    let id = ids[4];
    let code = toulon(&base, id).await;
    let (ddets, _, email_ddets) = en_tant_que_compte(&app, &base, "ddets", "departement:83").await;
    let (editeur, _, email_editeur) = en_tant_que_compte(
        &app,
        &base,
        "collectivite_editeur",
        &format!("collectivite:{code}"),
    )
    .await;
    let r = post_formulaire(
        &ddets,
        &format!("/contrats/{id}/demandes"),
        &[("texte", "Merci de joindre la délibération.")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let (a, corps) = tokio::time::timeout(Duration::from_secs(10), recus.recv())
        .await
        .expect("aucun courriel reçu en 10 s")
        .unwrap();
    assert_eq!(a, email_editeur, "le courriel va à l'éditeur de la collectivité");
    assert!(corps.contains(&format!("/contrats/{id}/echanges")), "{corps}");
    // The collectivity's answer goes to the State (the DDETS of the 83), not to its author.
    let d = base.demandes_correction(id).await.unwrap().remove(0);
    let r = post_formulaire(
        &editeur,
        &format!("/contrats/{id}/demandes/{}", d.tampon.id),
        &[("action", "repondre"), ("version", "1"), ("texte", "Jointe.")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    let mut destinataires = Vec::new();
    while let Ok(Some((a, _))) = tokio::time::timeout(Duration::from_secs(3), recus.recv()).await {
        destinataires.push(a);
    }
    assert!(destinataires.contains(&email_ddets), "{destinataires:?}");
    assert!(!destinataires.contains(&email_editeur), "{destinataires:?}");
}

#[tokio::test]
async fn un_serveur_smtp_absent_ne_bloque_rien() {
    // A server that does not answer: the request still returns at once.
    let (app, base, ids) = app_demo_avec(pacte_web::Options {
        smtp: Some(ConfigSmtp {
            hote: "127.0.0.1".into(),
            port: 9,
            utilisateur: None,
            mot_de_passe: None,
            expediteur: "pacte@exemple.fr".into(),
            tls: ModeTls::Aucun,
        }),
        ..Default::default()
    })
    .await;
    let id = ids[4];
    let ddets = en_tant_que(&app, &base, "ddets", "departement:83").await;
    let debut = std::time::Instant::now();
    let r = post_formulaire(
        &ddets,
        &format!("/contrats/{id}/echanges"),
        &[("texte", "Bonjour")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    assert!(debut.elapsed() < Duration::from_secs(2), "{:?}", debut.elapsed());
    assert_eq!(base.messages_du_contrat(id).await.unwrap().len(), 1);
}

/// A multipart message form: text fields and the file `document`.
fn message_multipart(uri: &str, champs: &[(&str, &str)], document: (&str, &[u8])) -> Request<Body> {
    let f = "----pacte-test-echanges";
    let mut o = Vec::new();
    for (k, v) in champs {
        o.extend(
            format!("--{f}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").into_bytes(),
        );
    }
    o.extend(
        format!(
            "--{f}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            document.0
        )
        .into_bytes(),
    );
    o.extend(document.1);
    o.extend(format!("\r\n--{f}--\r\n").into_bytes());
    Request::post(uri)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={f}"))
        .body(Body::from(o))
        .unwrap()
}

#[tokio::test]
async fn message_avec_document_joint() {
    let (app, base, ids) = app_demo().await;
    let id = ids[4];
    let ddets = en_tant_que(&app, &base, "ddets", "departement:83").await;
    let uri = format!("/contrats/{id}/fiches/1.1/echanges");
    let page = get(&ddets, &uri).await;
    assert!(page.corps.contains("enctype=\"multipart/form-data\""));
    let csrf = crate::commun::csrf_de(&page.corps).unwrap();
    let fil = pacte_store::echanges::Fil {
        contrat_id: id,
        fiche: Some("1.1".into()),
    };
    // A text file renamed to .pdf: refused by its content, the message is not written either,
    // and the typed text is kept.
    let r = envoyer(
        &ddets,
        message_multipart(
            &uri,
            &[("csrf", &csrf), ("texte", "Voici le courrier du préfet.")],
            ("courrier.pdf", b"ceci n'est pas un PDF"),
        ),
    )
    .await;
    assert!(
        r.corps.contains("Document « courrier.pdf » refusé"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("Voici le courrier du préfet."), "saisie gardée");
    assert!(base.messages(&fil).await.unwrap().is_empty());
    assert!(base.pieces(id).await.unwrap().is_empty());
    // A real PDF: the message and its document in one write, linked from the thread.
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend(0u8..=255);
    pdf.extend(b"\n%%EOF\n");
    let r = envoyer(
        &ddets,
        message_multipart(
            &uri,
            &[("csrf", &csrf), ("texte", "Voici le courrier du préfet.")],
            ("courrier.pdf", &pdf),
        ),
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let messages = base.messages(&fil).await.unwrap();
    let piece = messages[0].piece_id.expect("document lié au message");
    let pieces = base.pieces(id).await.unwrap();
    assert_eq!((pieces.len(), pieces[0].id), (1, piece));
    assert!(pieces[0].fiche_id.is_some(), "document rattaché à la fiche 1.1");
    let fil_html = get(&ddets, &uri).await.corps;
    let lien = format!("/contrats/{id}/pieces/{piece}");
    assert!(fil_html.contains(&format!("href=\"{lien}\"")) && fil_html.contains("courrier.pdf"));
    // The fiche's page lists it among the fiche's documents.
    let page_fiche = get(&ddets, &format!("/contrats/{id}/fiches/1.1")).await.corps;
    let i = page_fiche
        .find("Documents de la fiche")
        .expect("section des documents");
    assert!(page_fiche[i..].contains(&format!("href=\"{lien}\"")));
    // Whoever reads the contract downloads it, byte for byte.
    let editeur = en_tant_que(
        &app,
        &base,
        "collectivite_editeur",
        &format!("collectivite:{}", toulon(&base, id).await),
    )
    .await;
    let r = editeur
        .clone()
        .oneshot(Request::get(&lien).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let octets = http_body_util::BodyExt::collect(r.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(octets.as_ref(), pdf.as_slice());
}
