//! The commissaire's derogation (R-ACT-03, R-REF-03) on its own page: granted, refused at the
//! edge, in conflict, withdrawn; who may, who may not; the collectivity's fiche form keeps it.

use crate::commun::{Reponse, app_demo, compte_demo, en_tant_que, en_tant_que_compte, get, post_formulaire};
use axum::Router;
use axum::http::{StatusCode, header};
use pacte_core::contrat::EtatContrat;
use pacte_core::fichier::lire_toml;
use pacte_core::verifier;
use pacte_store::Base;

const AMP: &str = include_str!("../../../../exemples/metropole-aix-marseille-provence.toml");
/// Montpellier's out-of-référentiel fiche, without a derogation (R-ACT-02), axis 3.
const FICHE: &str = "3.4";

fn location(r: &Reponse) -> String {
    r.entetes
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The hidden `version` of the first form of the page.
fn version(html: &str) -> String {
    let i = html.find("name=\"version\" value=\"").expect("version") + 22;
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

async fn fiche(base: &Base, id: i64, numero: &str) -> (pacte_core::FicheAction, pacte_store::Tampon) {
    let c = base.contrat(id).await.unwrap();
    let i = c
        .contrat
        .fiches
        .iter()
        .position(|f| f.numero.to_string() == numero)
        .expect("fiche");
    (c.contrat.fiches[i].clone(), c.fiches[i].clone())
}

/// The R-ACT-02 findings of fiche `numero` of contract `id`.
async fn r_act_02(base: &Base, id: i64, numero: &str) -> usize {
    let c = base.contrat(id).await.unwrap().contrat;
    verifier(&c)
        .iter()
        .filter(|k| {
            k.code == "R-ACT-02" && k.cible.fiche_concernee().is_some_and(|n| n.to_string() == numero)
        })
        .count()
}

async fn accorder(app: &Router, uri: &str, version: &str, justification: &str) -> Reponse {
    post_formulaire(
        app,
        uri,
        &[
            ("version", version),
            ("operation", "accorder"),
            ("derogation.accordee_par", "Claire Commissaire"),
            ("derogation.date", "2025-03-04"),
            ("derogation.justification", justification),
        ],
    )
    .await
}

#[tokio::test]
async fn le_commissaire_accorde_puis_retire_une_derogation() {
    let (brut, base, ids) = app_demo().await;
    // Montpellier (Hérault, Occitanie), in negotiation: its commissaire is the region 76's.
    let montpellier = ids[2];
    let (app, _, email) = en_tant_que_compte(&brut, &base, "commissaire", "region:76").await;
    let page_fiche = format!("/contrats/{montpellier}/fiches/{FICHE}");
    let uri = format!("{page_fiche}/derogation");
    assert_eq!(r_act_02(&base, montpellier, FICHE).await, 1);

    // The fiche page offers the derogation, as its main button (R-ACT-02 is there).
    let r = get(&app, &page_fiche).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(
        r.corps.contains(&format!(
            "<a class=\"fr-btn\" href=\"{uri}\">Accorder une dérogation</a>"
        )),
        "{}",
        r.corps
    );
    // The commissaire does not edit the collectivity's fiche.
    assert!(!r.corps.contains(&format!("href=\"{page_fiche}/modifier\"")));

    // The form: the fiche's summary, its findings, the defaults.
    let r = get(&app, &uri).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(r.corps.contains(&format!("action=\"{uri}\"")));
    assert!(r.corps.contains("Aides financières d&#39;urgence aux ménages"));
    assert!(r.corps.contains("Hors référentiel") && r.corps.contains("R-ACT-02"));
    assert!(r.corps.contains("insuffisance de l&#39;offre"));
    assert!(r.corps.contains("value=\"Test commissaire\""), "accordée par");
    let aujourd_hui = pacte_web::comptes::temps::aujourd_hui().iso();
    assert!(
        r.corps.contains(&format!("value=\"{aujourd_hui}\"")),
        "date du jour"
    );
    // Axis 3: no DIPLP/DGCS question (R-REF-03 is for axis 4).
    assert!(!r.corps.contains("name=\"derogation.diplp_informee\""));
    assert!(!r.corps.contains("Retirer la dérogation"), "rien à retirer");
    let v = version(&r.corps);
    let (avant, tampon_avant) = fiche(&base, montpellier, FICHE).await;
    assert_eq!(v, tampon_avant.version.to_string());

    // No justification: 422 naming the field and the rule, what was typed kept, nothing written.
    let r = accorder(&app, &uri, &v, "  ").await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.corps.contains("« Justification » est obligatoire (R-ACT-03)"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("value=\"Claire Commissaire\"") && r.corps.contains("value=\"2025-03-04\""));
    assert_eq!(
        fiche(&base, montpellier, FICHE).await,
        (avant.clone(), tampon_avant.clone())
    );

    // Granted.
    let justification = "Aucune aide d'urgence n'est proposée aux ménages orientés par les CCAS.";
    let r = accorder(&app, &uri, &v, justification).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(location(&r), format!("{page_fiche}?derogation=accordee"));
    let (apres, tampon) = fiche(&base, montpellier, FICHE).await;
    let d = apres.derogation.clone().expect("dérogation");
    assert_eq!(d.justification.as_deref(), Some(justification));
    assert_eq!(d.accordee_par.as_deref(), Some("Claire Commissaire"));
    assert_eq!(d.date.map(|d| d.iso()).as_deref(), Some("2025-03-04"));
    // Nothing else of the fiche changed.
    assert_eq!(
        pacte_core::FicheAction {
            derogation: None,
            ..apres.clone()
        },
        avant
    );
    assert_eq!(r_act_02(&base, montpellier, FICHE).await, 0, "R-ACT-02 levé");
    // Audited under the commissaire.
    assert!(tampon.modifie_par.ends_with(&email), "{}", tampon.modifie_par);
    let journal = base.journal(0, 10_000).await.unwrap();
    let derniere = journal.last().unwrap();
    assert_eq!(derniere.entite, "fiche");
    assert!(derniere.acteur.starts_with("utilisateur:") && derniere.acteur.ends_with(&email));

    // The fiche page shows it, with the notice.
    let r = get(&app, &location(&r)).await;
    assert!(r.corps.contains("Dérogation enregistrée"));
    assert!(r.corps.contains("Aucune aide d&#39;urgence") && r.corps.contains("Claire Commissaire"));
    assert!(r.corps.contains(&format!(
        "<a class=\"fr-btn fr-btn--secondary\" href=\"{uri}\">Modifier la dérogation</a>"
    )));
    assert!(!r.corps.contains("R-ACT-02"));

    // The stale version: 409 naming who changed the fiche, nothing written.
    let r = accorder(&app, &uri, &v, "Autre justification").await;
    assert_eq!(r.statut, StatusCode::CONFLICT);
    assert!(
        r.corps.contains(&email) && r.corps.contains("rien n&#39;a été écrit"),
        "{}",
        r.corps
    );
    assert!(
        r.corps.contains(&format!("href=\"{uri}\"")),
        "lien pour recharger"
    );
    assert_eq!(fiche(&base, montpellier, FICHE).await.0, apres);

    // Withdrawn: confirmation asked first.
    let r = get(&app, &uri).await;
    assert!(r.corps.contains("Retirer la dérogation") && r.corps.contains("value=\"retirer\""));
    let v = version(&r.corps);
    let r = post_formulaire(&app, &uri, &[("version", &v), ("operation", "retirer")]).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fiche(&base, montpellier, FICHE).await.0.derogation.is_some());
    let r = post_formulaire(
        &app,
        &uri,
        &[("version", &v), ("operation", "retirer"), ("confirmer", "oui")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(location(&r), format!("{page_fiche}?derogation=retiree"));
    assert_eq!(fiche(&base, montpellier, FICHE).await.0, avant);
    assert_eq!(r_act_02(&base, montpellier, FICHE).await, 1);
}

#[tokio::test]
async fn axe_4_information_de_la_diplp() {
    let (brut, base, _) = app_demo().await;
    // An AMP contract in negotiation whose fiche 4.1 is declared out of the référentiel.
    let mut c = lire_toml(AMP).unwrap();
    c.contrat.etat = EtatContrat::Negociation;
    let f = c
        .fiches
        .iter_mut()
        .find(|f| f.numero.to_string() == "4.1")
        .unwrap();
    f.hors_referentiel = true;
    let id = base.importer(&[c], "test").await.unwrap()[0];
    let app = en_tant_que(&brut, &base, "commissaire", "region:93").await;
    let uri = format!("/contrats/{id}/fiches/4.1/derogation");
    let r = get(&app, &uri).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("name=\"derogation.diplp_informee\""));
    let v = version(&r.corps);
    let mut champs = vec![
        ("version", v.as_str()),
        ("derogation.accordee_par", "C"),
        ("derogation.date", "2025-03-04"),
        ("derogation.justification", "Besoins locaux"),
    ];
    let r = post_formulaire(&app, &uri, &champs).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.corps.contains("(R-REF-03)"), "{}", r.corps);
    champs.push(("derogation.diplp_informee", "oui"));
    champs.push(("derogation.date_information_diplp", "2025-02-01"));
    let r = post_formulaire(&app, &uri, &champs).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let d = fiche(&base, id, "4.1").await.0.derogation.unwrap();
    assert!(d.diplp_informee);
    let constats = verifier(&base.contrat(id).await.unwrap().contrat);
    assert!(
        !constats
            .iter()
            .any(|k| ["R-ACT-02", "R-REF-03"].contains(&k.code)),
        "{constats:?}"
    );
    // The complete derogation makes the action admissible; the exception stays visible.
    assert_eq!(
        constats
            .iter()
            .filter(|k| k.code == "R-ACT-03" && k.gravite == pacte_core::Gravite::Alerte)
            .count(),
        1,
        "{constats:?}"
    );
}

#[tokio::test]
async fn l_editeur_ne_touche_pas_a_la_derogation() {
    let (brut, base, ids) = app_demo().await;
    let montpellier = ids[2];
    let commissaire = en_tant_que(&brut, &base, "commissaire", "region:76").await;
    let editeur = en_tant_que(&brut, &base, "collectivite_editeur", "collectivite:243400017").await;
    let uri = format!("/contrats/{montpellier}/fiches/{FICHE}/derogation");
    let v = fiche(&base, montpellier, FICHE).await.1.version.to_string();
    let r = accorder(&commissaire, &uri, &v, "Besoins locaux, offre insuffisante").await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    let accordee = fiche(&base, montpellier, FICHE).await.0.derogation;

    // The editor may neither open nor post the derogation page.
    assert_eq!(get(&editeur, &uri).await.statut, StatusCode::FORBIDDEN);
    let v = fiche(&base, montpellier, FICHE).await.1.version.to_string();
    assert_eq!(
        accorder(&editeur, &uri, &v, "x").await.statut,
        StatusCode::FORBIDDEN
    );
    // The fiche form shows the derogation read-only, without its fields.
    let formulaire = format!("/contrats/{montpellier}/fiches/{FICHE}/modifier");
    let r = get(&editeur, &formulaire).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("Besoins locaux, offre insuffisante"));
    assert!(r.corps.contains("accordée par le ou la commissaire"));
    assert!(!r.corps.contains("name=\"derogation."));
    // Saving the fiche keeps the derogation, even with forged fields.
    let r = post_formulaire(
        &editeur,
        &formulaire,
        &[
            ("version", &v),
            ("numero", FICHE),
            ("intitule", "Aides d'urgence (intitulé revu)"),
            ("hors_referentiel", "oui"),
            ("derogation.justification", "falsifiée"),
            ("derogation.accordee_par", "La collectivité"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let apres = fiche(&base, montpellier, FICHE).await.0;
    assert_eq!(apres.intitule, "Aides d'urgence (intitulé revu)");
    assert_eq!(apres.derogation, accordee);
}

#[tokio::test]
async fn qui_peut_accorder() {
    let (brut, base, ids) = app_demo().await;
    let (amp, montpellier) = (ids[0], ids[2]);
    let chemin = |id: i64| format!("/contrats/{id}/fiches/1.1/derogation");
    // Outside their territory (Montpellier is in Occitanie): as a contract that does not exist.
    let (email, mdp) = compte_demo("commissaire");
    let paca = crate::commun::connecter(&brut, email, mdp).await;
    let r = crate::commun::get_connecte(&brut, &paca, &chemin(montpellier)).await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND);
    let r = crate::commun::post_formulaire_connecte(&brut, &paca, &chemin(montpellier), &[("version", "1")])
        .await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND);
    // In their region, but AMP is in execution: a conflict with its state, not a refusal.
    let r = crate::commun::get_connecte(&brut, &paca, &chemin(amp)).await;
    assert_eq!(r.statut, StatusCode::CONFLICT);
    assert!(r.corps.contains("brouillon ou en négociation"), "{}", r.corps);

    for (role, perimetre, attendu) in [
        ("ddets", "departement:13", StatusCode::NOT_FOUND),
        ("ddets", "departement:34", StatusCode::FORBIDDEN),
        (
            "partenaire",
            "organisation:CAF des Bouches-du-Rhône",
            StatusCode::NOT_FOUND,
        ),
        ("aucun", "aucun", StatusCode::NOT_FOUND),
        ("lecteur_national", "national", StatusCode::FORBIDDEN),
        ("administrateur_national", "national", StatusCode::FORBIDDEN),
        (
            "collectivite_editeur",
            "collectivite:243400017",
            StatusCode::FORBIDDEN,
        ),
        (
            "collectivite_lecteur",
            "collectivite:243400017",
            StatusCode::FORBIDDEN,
        ),
        ("commissaire", "region:76", StatusCode::OK),
    ] {
        let app = en_tant_que(&brut, &base, role, perimetre).await;
        let r = get(&app, &chemin(montpellier)).await;
        assert_eq!(r.statut, attendu, "GET {role} {perimetre}");
        let r = post_formulaire(&app, &chemin(montpellier), &[("version", "999")]).await;
        let attendu = if attendu == StatusCode::OK {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            attendu
        };
        assert_eq!(r.statut, attendu, "POST {role} {perimetre}");
    }
    assert_eq!(
        base.contrat(montpellier).await.unwrap().contrat,
        lire_toml(include_str!("../../../../exemples/contrat-avec-erreurs.toml")).unwrap(),
        "rien n'a été écrit"
    );
}

/// A JSON request with `If-Match: "<version>"`.
async fn json_version(
    app: &Router,
    methode: &str,
    uri: &str,
    version: i64,
    corps: &serde_json::Value,
) -> Reponse {
    let r = axum::http::Request::builder()
        .method(methode)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, format!("\"{version}\""))
        .body(axum::body::Body::from(corps.to_string()))
        .unwrap();
    crate::commun::envoyer(app, r).await
}

/// The collectivity cannot grant itself a derogation by the API or a file either: the fiche
/// keeps the stored derogation (R-ACT-03); a reprise by the national administrator may carry
/// the derogations of a contract signed before Pacte.
#[tokio::test]
async fn ni_l_api_ni_un_fichier_n_accordent_une_derogation() {
    let (brut, base, ids) = app_demo().await;
    let montpellier = ids[2];
    let editeur = en_tant_que(&brut, &base, "collectivite_editeur", "collectivite:243400017").await;
    let uri = format!("/api/v1/contrats/{montpellier}/fiches/{FICHE}");
    let (f, tampon) = fiche(&base, montpellier, FICHE).await;
    assert!(f.derogation.is_none());
    let derogation = serde_json::json!({
        "accordee_par": "La collectivité elle-même",
        "date": "2025-01-15",
        "justification": "Nous le voulons."
    });

    // PUT of the fiche with a derogation added: 403 naming the fiche's field, nothing written.
    let mut corps = serde_json::to_value(&f).unwrap();
    corps["derogation"] = derogation.clone();
    let r = json_version(&editeur, "PUT", &uri, tampon.version, &corps).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    let v = r.json();
    assert_eq!(v["code"], "interdit");
    assert_eq!(v["champ"], format!("fiches[{FICHE}].derogation"));
    assert!(v["message"].as_str().unwrap().contains("R-ACT-03"));
    assert_eq!(
        fiche(&base, montpellier, FICHE).await.1,
        tampon,
        "rien n'a été écrit"
    );

    // The same fiche sent back unchanged (its stored derogation, none): accepted.
    let mut corps = serde_json::to_value(&f).unwrap();
    corps["intitule"] = "Aides d'urgence (API)".into();
    let r = json_version(&editeur, "PUT", &uri, tampon.version, &corps).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);

    // A new fiche carrying a derogation.
    let mut nouvelle = serde_json::to_value(&f).unwrap();
    nouvelle["numero"] = "3.9".into();
    nouvelle["derogation"] = derogation.clone();
    let r = crate::commun::envoyer_json(
        &editeur,
        "POST",
        &format!("/api/v1/contrats/{montpellier}/fiches"),
        &nouvelle,
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    assert_eq!(r.json()["champ"], "fiches[3.9].derogation");

    // A draft contract file with a derogation, by the collectivity: refused, by the API and by
    // the upload form; by the national administrator (a reprise): accepted.
    let mut c = lire_toml(AMP).unwrap();
    c.contrat.etat = EtatContrat::Brouillon;
    c.contrat.collectivite = "243400017".into();
    c.fiches[0].hors_referentiel = true;
    c.fiches[0].derogation = serde_json::from_value(derogation).unwrap();
    let numero = c.fiches[0].numero;
    let r = crate::commun::envoyer_json(
        &editeur,
        "POST",
        "/api/v1/contrats",
        &serde_json::to_value(&c).unwrap(),
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    assert_eq!(r.json()["champ"], format!("fiches[{numero}].derogation"));
    let texte = pacte_core::fichier::ecrire_toml(&c);
    let r = post_formulaire(&editeur, "/contrats/import/confirmer", &[("contenu", &texte)]).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    assert!(r.corps.contains("R-ACT-03"));
    let avant = base.contrats().await.unwrap().len();
    let admin = en_tant_que(&brut, &base, "administrateur_national", "national").await;
    // For Brest Métropole, which has no contract yet (one contract per collectivity).
    c.contrat.collectivite = "242900314".into();
    let r = crate::commun::envoyer_json(
        &admin,
        "POST",
        "/api/v1/contrats",
        &serde_json::to_value(&c).unwrap(),
    )
    .await;
    assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    assert_eq!(base.contrats().await.unwrap().len(), avant + 1);
}

/// The same derogation by the API: granted with the fiche's version, refused when incomplete
/// or stale, withdrawn; the collectivity may not, another region does not see the contract.
#[tokio::test]
async fn la_derogation_par_l_api() {
    let (brut, base, ids) = app_demo().await;
    let montpellier = ids[2];
    let (commissaire, _, email) = en_tant_que_compte(&brut, &base, "commissaire", "region:76").await;
    let editeur = en_tant_que(&brut, &base, "collectivite_editeur", "collectivite:243400017").await;
    let paca = en_tant_que(&brut, &base, "commissaire", "region:93").await;
    let uri = format!("/api/v1/contrats/{montpellier}/fiches/{FICHE}/derogation");
    let derogation = serde_json::json!({
        "accordee_par": "Claire Commissaire",
        "date": "2025-03-04",
        "justification": "Aucune aide d'urgence alimentaire le week-end sur le territoire"
    });
    let v = fiche(&base, montpellier, FICHE).await.1.version;

    // Incomplete: 422 naming the field and the rule, nothing written.
    let mut incomplete = derogation.clone();
    incomplete["justification"] = " ".into();
    let r = json_version(&commissaire, "PUT", &uri, v, &incomplete).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert_eq!(r.json()["champ"], "justification");
    assert!(r.json()["message"].as_str().unwrap().contains("R-ACT-03"));
    assert_eq!(fiche(&base, montpellier, FICHE).await.1.version, v);

    // Others: the collectivity 403, another region's commissaire 404.
    let r = json_version(&editeur, "PUT", &uri, v, &derogation).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    let r = json_version(&paca, "PUT", &uri, v, &derogation).await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND, "{}", r.corps);

    // Granted.
    let r = json_version(&commissaire, "PUT", &uri, v, &derogation).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(r.json()["version"], v + 1);
    let renvoyee = &r.json()["fiche"]["derogation"];
    assert_eq!(renvoyee["justification"], derogation["justification"]);
    assert_eq!(renvoyee["date"], "2025-03-04");
    let (f, t) = fiche(&base, montpellier, FICHE).await;
    assert!(f.derogation.is_some());
    assert!(
        t.modifie_par.starts_with("jeton:") && t.modifie_par.ends_with(&email),
        "{}",
        t.modifie_par
    );
    assert_eq!(r_act_02(&base, montpellier, FICHE).await, 0);

    // Stale version: 409.
    let r = json_version(&commissaire, "PUT", &uri, v, &derogation).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);

    // Withdrawn, then nothing left to withdraw.
    let r = json_version(&commissaire, "DELETE", &uri, v + 1, &serde_json::Value::Null).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(fiche(&base, montpellier, FICHE).await.0.derogation.is_none());
    assert_eq!(r_act_02(&base, montpellier, FICHE).await, 1);
    let r = json_version(&commissaire, "DELETE", &uri, v + 2, &serde_json::Value::Null).await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND, "{}", r.corps);
}
