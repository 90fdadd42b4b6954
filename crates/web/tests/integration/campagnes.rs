//! The indicator campaigns (issue 15) through the real router: every transition × every role
//! (allowed / 403 / 404), after the deadline, locking and reopening, the entry form's French
//! errors (R-REP-03, R-NI-2.3), the contract's state, and the mid-term page.

use crate::commun::{app_demo, en_tant_que, envoyer_json, get, post_formulaire};
use axum::Router;
use axum::http::StatusCode;
use pacte_store::Base;
use serde_json::{Value, json};

/// Aix-Marseille-Provence: in execution in the demonstration (Bouches-du-Rhône, PACA).
const AMP: &str = "collectivite:200054807";
/// Montpellier, in negotiation in the demonstration (Hérault, Occitanie).
const MONTPELLIER: &str = "collectivite:243400017";

struct Acteurs {
    editeur: Router,
    lecteur_collectivite: Router,
    ddets: Router,
    commissaire: Router,
    admin: Router,
    lecteur_national: Router,
    ddets_ailleurs: Router,
    commissaire_ailleurs: Router,
}

async fn acteurs(app: &Router, base: &Base) -> Acteurs {
    Acteurs {
        editeur: en_tant_que(app, base, "collectivite_editeur", AMP).await,
        lecteur_collectivite: en_tant_que(app, base, "collectivite_lecteur", AMP).await,
        ddets: en_tant_que(app, base, "ddets", "departement:13").await,
        commissaire: en_tant_que(app, base, "commissaire", "region:93").await,
        admin: en_tant_que(app, base, "administrateur_national", "national").await,
        lecteur_national: en_tant_que(app, base, "lecteur_national", "national").await,
        ddets_ailleurs: en_tant_que(app, base, "ddets", "departement:34").await,
        commissaire_ailleurs: en_tant_que(app, base, "commissaire", "region:76").await,
    }
}

/// The demonstration with the 2024 campaign opened by the national administrator (form).
async fn demo_ouverte() -> (Base, i64, Acteurs) {
    let (app, base, ids) = app_demo().await;
    let a = acteurs(&app, &base).await;
    let r = post_formulaire(&a.admin, "/campagnes", &[("annee", "2024"), ("echeance", "")]).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    (base, ids[0], a)
}

async fn lire(app: &Router, id: i64) -> Value {
    let r = get(app, &format!("/api/v1/contrats/{id}/campagnes/2024")).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    r.json()
}

/// Plausible values for every expected figure: NI-2.3's three categories 10 each and NI-2.1
/// 30 (their sum), NI-1.2 0 (exclusive), other national ones 5, local ones 10 (hundredths ×100).
fn valeurs_completes(campagne: &Value) -> Vec<Value> {
    campagne["lignes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let ind = l["indicateur"].as_str().unwrap();
            let v = match (l["nature"].as_str().unwrap(), ind, l["ventilation"].as_u64().unwrap()) {
                ("local", _, _) => 1000,
                (_, "NI-2.3", _) => 1000,
                (_, "NI-2.1", _) => 3000,
                (_, "NI-1.2", _) => 0,
                _ => 500,
            };
            json!({ "fiche": l["fiche"], "nature": l["nature"], "indicateur": ind, "ventilation": l["ventilation"], "realise": v })
        })
        .collect()
}

async fn saisir(app: &Router, id: i64, version: i64, valeurs: Vec<Value>) -> crate::commun::Reponse {
    envoyer_json(
        app,
        "PUT",
        &format!("/api/v1/contrats/{id}/campagnes/2024/valeurs"),
        &json!({ "version": version, "valeurs": valeurs }),
    )
    .await
}

async fn transition(app: &Router, id: i64, version: i64, corps: Value) -> crate::commun::Reponse {
    let mut c = corps;
    c["version"] = json!(version);
    envoyer_json(
        app,
        "POST",
        &format!("/api/v1/contrats/{id}/campagnes/2024/transitions"),
        &c,
    )
    .await
}

/// Brings the campaign to `etat` through the allowed roles; returns its version.
async fn amener(id: i64, a: &Acteurs, etat: &str) -> i64 {
    let c = lire(&a.editeur, id).await;
    if etat == "non_commencee" {
        return 0;
    }
    let r = saisir(&a.editeur, id, 0, valeurs_completes(&c)).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    if etat == "en_cours" {
        return 1;
    }
    let r = transition(&a.editeur, id, 1, json!({ "transition": "soumettre" })).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    if etat == "soumise" {
        return 2;
    }
    let r = transition(&a.ddets, id, 2, json!({ "transition": "valider" })).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(etat, "validee");
    3
}

/// One transition tried by every role: those not allowed get 403 (or 404 outside their
/// territory) and change nothing; then the allowed one succeeds. `aussi`: the other role
/// allowed the same step (DDETS and commissaire both instruct), not tried here.
async fn essayer(etat_depart: &str, corps: Value, autorise: &str, aussi: Option<&str>, etat_attendu: &str) {
    let (_base, id, a) = demo_ouverte().await;
    let version = amener(id, &a, etat_depart).await;
    let valeurs = valeurs_completes(&lire(&a.editeur, id).await);
    let essai = |app: Router| {
        let corps = corps.clone();
        let valeurs = valeurs.clone();
        async move {
            if corps["transition"] == "saisir" {
                saisir(&app, id, version, valeurs).await
            } else {
                transition(&app, id, version, corps).await
            }
        }
    };
    let tous: [(&str, &Router); 8] = [
        ("éditeur", &a.editeur),
        ("lecteur de la collectivité", &a.lecteur_collectivite),
        ("DDETS", &a.ddets),
        ("commissaire", &a.commissaire),
        ("administrateur national", &a.admin),
        ("lecteur national", &a.lecteur_national),
        ("DDETS de l'Hérault", &a.ddets_ailleurs),
        ("commissaire d'Occitanie", &a.commissaire_ailleurs),
    ];
    let mut choisi = None;
    for (nom, app) in tous {
        if nom == autorise {
            choisi = Some(app.clone());
            continue;
        }
        if Some(nom) == aussi {
            continue;
        }
        let r = essai(app.clone()).await;
        let attendu = if nom.ends_with("Hérault") || nom.ends_with("Occitanie") {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(r.statut, attendu, "{nom} ({corps}) : {}", r.corps);
    }
    let c = lire(&a.editeur, id).await;
    assert_eq!(c["etat"], etat_depart, "un refus ne change rien");
    let r = essai(choisi.expect("rôle autorisé")).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(r.json()["etat"], etat_attendu);
    assert_eq!(r.json()["version"], version + 1);
}

#[tokio::test]
async fn saisir_seul_l_editeur() {
    essayer(
        "non_commencee",
        json!({ "transition": "saisir" }),
        "éditeur",
        None,
        "en_cours",
    )
    .await;
}

#[tokio::test]
async fn soumettre_seul_l_editeur() {
    essayer(
        "en_cours",
        json!({ "transition": "soumettre" }),
        "éditeur",
        None,
        "soumise",
    )
    .await;
}

#[tokio::test]
async fn renvoyer_ddets() {
    essayer(
        "soumise",
        json!({ "transition": "renvoyer", "motif": "À revoir" }),
        "DDETS",
        Some("commissaire"),
        "renvoyee",
    )
    .await;
}

#[tokio::test]
async fn renvoyer_commissaire() {
    essayer(
        "soumise",
        json!({ "transition": "renvoyer", "motif": "À revoir" }),
        "commissaire",
        Some("DDETS"),
        "renvoyee",
    )
    .await;
}

#[tokio::test]
async fn valider_ddets() {
    essayer(
        "soumise",
        json!({ "transition": "valider" }),
        "DDETS",
        Some("commissaire"),
        "validee",
    )
    .await;
}

#[tokio::test]
async fn valider_commissaire() {
    essayer(
        "soumise",
        json!({ "transition": "valider" }),
        "commissaire",
        Some("DDETS"),
        "validee",
    )
    .await;
}

#[tokio::test]
async fn rouvrir_seul_le_commissaire() {
    essayer(
        "validee",
        json!({ "transition": "rouvrir", "motif": "Erreur de périmètre" }),
        "commissaire",
        None,
        "en_cours",
    )
    .await;
}

#[tokio::test]
async fn transitions_hors_de_leur_etat_refusees() {
    let (_base, id, a) = demo_ouverte().await;
    // Submitting nothing: not started, no transition from there.
    let r = transition(&a.editeur, id, 0, json!({ "transition": "soumettre" })).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    let r = transition(&a.ddets, id, 0, json!({ "transition": "valider" })).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    // An incomplete submission is refused with the missing figures (R-IND-05).
    let c = lire(&a.editeur, id).await;
    let mut v = valeurs_completes(&c);
    let dernier = v.pop().unwrap();
    let r = saisir(&a.editeur, id, 0, v.clone()).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let r = transition(&a.editeur, id, 1, json!({ "transition": "soumettre" })).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    assert!(r.corps.contains("R-IND-05"), "{}", r.corps);
    v.push(dernier);
    assert_eq!(saisir(&a.editeur, id, 1, v).await.statut, StatusCode::OK);
    // A stale version is a conflict.
    let r = transition(&a.editeur, id, 1, json!({ "transition": "soumettre" })).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    assert!(r.corps.contains("version 1 lue, version 2"), "{}", r.corps);
    // A return without reason nor remark is refused.
    assert_eq!(
        transition(&a.editeur, id, 2, json!({ "transition": "soumettre" }))
            .await
            .statut,
        StatusCode::OK
    );
    let r = transition(&a.ddets, id, 3, json!({ "transition": "renvoyer" })).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    // A contract not signed yet has no campaign entry.
    let (app, base, ids) = app_demo().await;
    let admin = en_tant_que(&app, &base, "administrateur_national", "national").await;
    post_formulaire(&admin, "/campagnes", &[("annee", "2024")]).await;
    let montpellier = en_tant_que(&app, &base, "collectivite_editeur", MONTPELLIER).await;
    let r = saisir(&montpellier, ids[2], 0, Vec::new()).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
}

#[tokio::test]
async fn apres_l_echeance_soumission_en_retard_puis_verrou_et_reouverture() {
    let (base, id, a) = demo_ouverte().await;
    // 2024's deadline is 31 March 2025, past on the clock: late before submission.
    let c = lire(&a.editeur, id).await;
    assert_eq!(
        (c["echeance"].as_str(), c["en_retard"].as_bool()),
        (Some("2025-03-31"), Some(true))
    );
    let page = get(&a.ddets, "/campagnes").await;
    assert!(page.corps.contains("en retard"), "{}", page.corps);
    // Entry stays open after the deadline; the submission is recorded as late.
    amener(id, &a, "soumise").await;
    let c = lire(&a.editeur, id).await;
    assert_eq!(
        (c["en_retard"].as_bool(), c["soumise_en_retard"].as_bool()),
        (Some(false), Some(true))
    );
    // A return with a remark on one figure: the collectivity sees it beside the figure.
    let l0 = &c["lignes"][0];
    let r = transition(
        &a.ddets,
        id,
        2,
        json!({ "transition": "renvoyer", "remarques": [{ "fiche": l0["fiche"], "nature": l0["nature"], "indicateur": l0["indicateur"], "ventilation": l0["ventilation"], "texte": "Chiffre à vérifier" }] }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let c = r.json();
    assert_eq!(c["lignes"][0]["remarque"], "Chiffre à vérifier");
    let page = get(&a.editeur, &format!("/contrats/{id}/campagnes/2024")).await;
    assert!(page.corps.contains("Remarque de l'État"), "{}", page.corps);
    // Corrected and resubmitted, validated: locked.
    let v = valeurs_completes(&c);
    assert_eq!(saisir(&a.editeur, id, 3, v.clone()).await.statut, StatusCode::OK);
    assert_eq!(
        transition(&a.editeur, id, 4, json!({ "transition": "soumettre" }))
            .await
            .statut,
        StatusCode::OK
    );
    assert_eq!(
        transition(&a.commissaire, id, 5, json!({ "transition": "valider" }))
            .await
            .statut,
        StatusCode::OK
    );
    let r = saisir(&a.editeur, id, 6, v.clone()).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "verrouillé : {}", r.corps);
    let page = get(&a.editeur, &format!("/contrats/{id}/campagnes/2024")).await;
    assert!(
        !page.corps.contains("id=\"saisie-campagne\""),
        "plus de formulaire une fois validé"
    );
    // Reopening needs a reason, and is audited.
    let r = transition(&a.commissaire, id, 6, json!({ "transition": "rouvrir" })).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    let r = transition(
        &a.commissaire,
        id,
        6,
        json!({ "transition": "rouvrir", "motif": "Périmètre corrigé" }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(saisir(&a.editeur, id, 7, v).await.statut, StatusCode::OK);
    let etapes: Vec<String> = lire(&a.editeur, id).await["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["transition"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        etapes,
        [
            "saisir",
            "soumettre",
            "renvoyer",
            "saisir",
            "soumettre",
            "valider",
            "rouvrir"
        ]
    );
    let journal = base.sauvegarde().await.unwrap().audit;
    assert!(journal.iter().any(|e| {
        e.entite == "campagne_contrat"
            && e.operation == "rouvrir"
            && e.apres
                .as_deref()
                .is_some_and(|a| a.contains("Périmètre corrigé"))
    }));
}

#[tokio::test]
async fn formulaire_erreurs_en_francais_par_champ() {
    let (_base, id, a) = demo_ouverte().await;
    let c = lire(&a.editeur, id).await;
    let lignes = c["lignes"].as_array().unwrap();
    let champ = |l: &Value| {
        format!(
            "{}|{}|{}|{}",
            l["fiche"].as_str().unwrap(),
            l["nature"].as_str().unwrap(),
            l["indicateur"].as_str().unwrap(),
            l["ventilation"]
        )
    };
    let premier = champ(&lignes[0]);
    // Unreadable value and a method change without its note: 422, nothing written.
    let realise = format!("realise|{premier}");
    let methode = format!("methode|{premier}");
    let r = post_formulaire(
        &a.editeur,
        &format!("/contrats/{id}/campagnes/2024/valeurs"),
        &[
            ("version", "0"),
            (realise.as_str(), "douze"),
            (methode.as_str(), "on"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(
        r.corps.contains("n&#39;est pas une valeur d&#39;indicateur")
            || r.corps.contains("n'est pas une valeur d'indicateur"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("R-REP-03"), "{}", r.corps);
    assert!(r.corps.contains("douze"), "la saisie est rendue telle quelle");
    assert_eq!(lire(&a.editeur, id).await["version"], 0);
    // NI-2.3 that does not sum to NI-2.1 is refused (when AMP's contract reports them).
    if let Some(l21) = lignes.iter().find(|l| l["indicateur"] == "NI-2.1") {
        let fiche = l21["fiche"].as_str().unwrap();
        let mut champs: Vec<(String, String)> = vec![
            ("version".into(), "0".into()),
            (format!("realise|{}", champ(l21)), "30".into()),
        ];
        for l in lignes
            .iter()
            .filter(|l| l["indicateur"] == "NI-2.3" && l["fiche"] == fiche)
        {
            champs.push((format!("realise|{}", champ(l)), "11".into()));
        }
        let champs: Vec<(&str, &str)> = champs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = post_formulaire(
            &a.editeur,
            &format!("/contrats/{id}/campagnes/2024/valeurs"),
            &champs,
        )
        .await;
        assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
        assert!(r.corps.contains("R-NI-2.3"), "{}", r.corps);
    }
    // A correct form is saved, and the page shows the national indicator's counting rules.
    let realise = format!("realise|{premier}");
    let r = post_formulaire(
        &a.editeur,
        &format!("/contrats/{id}/campagnes/2024/valeurs"),
        &[("version", "0"), (realise.as_str(), "12,5")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let c = lire(&a.editeur, id).await;
    assert_eq!(
        (c["etat"].as_str(), c["lignes"][0]["realise"].as_i64()),
        (Some("en_cours"), Some(1250))
    );
    let page = get(&a.editeur, &format!("/contrats/{id}/campagnes/2024")).await;
    assert!(
        page.corps.contains("Définition, décompte et dédoublonnage"),
        "{}",
        page.corps
    );
}

#[tokio::test]
async fn ouvrir_une_campagne_reserve_a_l_administrateur() {
    let (app, base, _) = app_demo().await;
    let a = acteurs(&app, &base).await;
    let r = post_formulaire(&a.commissaire, "/campagnes", &[("annee", "2024")]).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    let r = envoyer_json(&a.ddets, "POST", "/api/v1/campagnes", &json!({ "annee": 2024 })).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
    let r = envoyer_json(&a.admin, "POST", "/api/v1/campagnes", &json!({ "annee": 2024 })).await;
    assert_eq!(r.statut, StatusCode::CREATED, "{}", r.corps);
    assert_eq!(r.json()["echeance"], "2025-03-31");
    let r = envoyer_json(&a.admin, "POST", "/api/v1/campagnes", &json!({ "annee": 2024 })).await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    let r = get(&a.lecteur_national, "/api/v1/campagnes").await;
    assert_eq!(r.json()["campagnes"][0]["annee"], 2024);
    // Rights are judged before the body is read: a malformed body from whoever may not act
    // is a 403, not a 422.
    let r = envoyer_json(&a.ddets, "POST", "/api/v1/campagnes", &json!({ "n'importe": 1 })).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    let r = envoyer_json(
        &a.lecteur_national,
        "PUT",
        "/api/v1/contrats/1/campagnes/2024/valeurs",
        &json!({ "x": 1 }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    let r = envoyer_json(
        &a.lecteur_national,
        "POST",
        "/api/v1/contrats/1/campagnes/2024/transitions",
        &json!({ "x": 1 }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN, "{}", r.corps);
    let r = envoyer_json(
        &a.ddets_ailleurs,
        "POST",
        "/api/v1/contrats/1/campagnes/2024/transitions",
        &json!({ "x": 1 }),
    )
    .await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND, "{}", r.corps);
    // A year that is not open: 404 on the contract's campaign.
    let r = get(&a.editeur, "/api/v1/contrats/1/campagnes/2025").await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND, "{}", r.corps);
}

#[tokio::test]
async fn mi_parcours_rapport_et_decision() {
    let (base, id, a) = demo_ouverte().await;
    let r = get(&a.lecteur_national, &format!("/contrats/{id}/mi-parcours")).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(
        r.corps.contains("La campagne 2025 n&#39;est pas ouverte")
            || r.corps.contains("La campagne 2025 n'est pas ouverte")
    );
    // Sent after 31 March 2026: refused (R-EVAL-01).
    let r = post_formulaire(
        &a.editeur,
        &format!("/contrats/{id}/mi-parcours/rapport"),
        &[
            ("version", "0"),
            ("date_deliberation", "2026-03-10"),
            ("date_envoi", "2026-04-01"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    let r = post_formulaire(
        &a.editeur,
        &format!("/contrats/{id}/mi-parcours/rapport"),
        &[
            ("version", "0"),
            ("date_deliberation", "2026-03-10"),
            ("date_envoi", "2026-03-31"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let fiche = base.contrat(id).await.unwrap().contrat.fiches[0]
        .numero
        .to_string();
    let decision = [
        ("version", "1"),
        ("fiche", fiche.as_str()),
        ("etat_2027", "1000"),
        ("motif", "Cible atteinte à 30 %"),
    ];
    // The DDETS may not decide; the commissaire does.
    assert_eq!(
        post_formulaire(
            &a.ddets,
            &format!("/contrats/{id}/mi-parcours/decision"),
            &decision
        )
        .await
        .statut,
        StatusCode::FORBIDDEN
    );
    let r = post_formulaire(
        &a.commissaire,
        &format!("/contrats/{id}/mi-parcours/decision"),
        &decision,
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let m = base.mi_parcours(id).await.unwrap();
    assert_eq!(
        m.decisions[0].decision.etat_2027,
        pacte_core::Montant::euros(1000)
    );
    let page = get(&a.editeur, &format!("/contrats/{id}/mi-parcours")).await;
    assert!(
        page.corps.contains("Lignes de l&#39;avenant 2027")
            || page.corps.contains("Lignes de l'avenant 2027"),
        "{}",
        page.corps
    );
}

#[tokio::test]
async fn demonstration_campagnes_jouees() {
    let base = crate::commun::base_neuve().await;
    let ids = pacte_web::demo::charger_complet(&base).await.unwrap();
    let a2024 = pacte_core::Annee::TOUTES[0];
    let a2025 = pacte_core::Annee::TOUTES[1];
    let suivis = base.suivis_campagne(a2024).await.unwrap();
    let compter = |s: &[pacte_store::campagnes::SuiviCampagne], e: &str| {
        s.iter().filter(|x| x.etat.code() == e).count()
    };
    let validees = compter(&suivis, "validee");
    assert!(
        validees * 2 > suivis.len(),
        "la plupart validées : {validees} sur {}",
        suivis.len()
    );
    assert!(
        compter(&suivis, "soumise") > 0,
        "quelques-unes en cours d'instruction"
    );
    assert!(
        suivis.iter().any(|s| s.soumise_en_retard),
        "quelques soumissions en retard"
    );
    // Every validated campaign passes the submission's rules (R-IND-05, R-REP-03, R-NI-*).
    for s in suivis.iter().filter(|s| s.etat.code() == "validee") {
        let c = base.contrat(s.contrat_id).await.unwrap().contrat;
        let v = base.valeurs_campagne(a2024, s.contrat_id).await.unwrap();
        let bloquants: Vec<_> = pacte_core::campagne::verifier_soumission(&c, a2024, &v)
            .into_iter()
            .filter(|k| k.gravite == pacte_core::Gravite::Bloquant)
            .collect();
        assert!(bloquants.is_empty(), "{bloquants:?}");
    }
    // The Bouches-du-Rhône département: returned with a remark, corrected, validated.
    let h = base.transitions_campagne(a2024, ids[1]).await.unwrap();
    let etapes: Vec<&str> = h.iter().map(|t| t.transition.as_str()).collect();
    assert_eq!(
        etapes,
        [
            "prolonger",
            "saisir",
            "soumettre",
            "renvoyer",
            "saisir",
            "soumettre",
            "valider"
        ]
    );
    assert_eq!(h[3].remarques.len(), 1);
    // 2025 open: every state but returned, and the mid-term evaluation played for a few.
    let s25 = base.suivis_campagne(a2025).await.unwrap();
    for e in ["en_cours", "soumise", "validee"] {
        assert!(compter(&s25, e) > 0, "2025 : {e}");
    }
    let mut decisions = 0;
    for s in s25.iter().filter(|s| s.etat.code() == "validee") {
        let m = base.mi_parcours(s.contrat_id).await.unwrap();
        assert!(m.rapport.date_envoi.is_some());
        decisions += m.decisions.len();
    }
    assert!(decisions > 0, "au moins une décision sur 2027");
    assert_eq!(base.verifier_audit().await.unwrap().rupture, None);
}

#[tokio::test]
async fn rappels_sur_le_tableau_de_bord() {
    let (_base, id, a) = demo_ouverte().await;
    // Past the deadline and not submitted: the collectivity is reminded, the State sees the
    // late contracts.
    let r = get(&a.editeur, "/").await;
    assert!(
        r.corps.contains("Campagnes d&#39;indicateurs") || r.corps.contains("Campagnes d'indicateurs"),
        "{}",
        r.corps
    );
    assert!(
        r.corps
            .contains("campagne 2024 : échéance du 31/03/2025 dépassée"),
        "{}",
        r.corps
    );
    let r = get(&a.ddets, "/").await;
    assert!(
        r.corps
            .contains("Campagne 2024 : 2 contrat(s) de votre périmètre en retard"),
        "{}",
        r.corps
    );
    // Submitted: the State is asked to review, the collectivity's reminder is gone.
    amener(id, &a, "soumise").await;
    let r = get(&a.ddets, "/").await;
    assert!(
        r.corps.contains("campagne 2024 soumise : à valider ou renvoyer"),
        "{}",
        r.corps
    );
    let r = get(&a.editeur, "/").await;
    assert!(!r.corps.contains("dépassée"), "{}", r.corps);
}

/// A multipart upload of the national indicators table.
async fn deposer_tableur(app: &Router, id: i64, version: i64, octets: &[u8]) -> crate::commun::Reponse {
    let frontiere = "----tableur";
    let mut corps = format!(
        "--{frontiere}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n{version}\r\n--{frontiere}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"t.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    corps.extend_from_slice(octets);
    corps.extend_from_slice(format!("\r\n--{frontiere}--\r\n").as_bytes());
    let r = axum::http::Request::post(format!("/contrats/{id}/campagnes/2024/tableur"))
        .header(
            axum::http::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={frontiere}"),
        )
        .body(axum::body::Body::from(corps))
        .unwrap();
    crate::commun::envoyer(app, r).await
}

#[tokio::test]
async fn saisie_par_tableur() {
    use pacte_tableurs::disposition::{Cellule, Style};
    use pacte_tableurs::indicateurs::{disposer_indicateurs, nom_feuille};
    let (base, id, a) = demo_ouverte().await;
    let a2024 = pacte_core::Annee::TOUTES[0];
    // The table downloads pre-filled for every reader of the contract.
    let r = get(
        &a.lecteur_national,
        &format!("/contrats/{id}/campagnes/2024/tableur/xlsx"),
    )
    .await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.type_contenu.contains("spreadsheetml"), "{}", r.type_contenu);
    // Filled: every national figure at 7 (NI-2.3 categories 7, 7, 7 and NI-2.1 21; NI-1.2 0).
    let c = base.contrat(id).await.unwrap().contrat;
    let mut d = disposer_indicateurs(&c, a2024, &[]);
    for l in d.lignes.iter_mut().skip(3) {
        let code = match &l[2] {
            Cellule::Texte(t, _) => t.clone(),
            _ => String::new(),
        };
        let v = match code.as_str() {
            "NI-2.1" => "21",
            "NI-1.2" => "0",
            _ => "7",
        };
        l[8] = Cellule::Texte(v.into(), Style::Normal);
    }
    let octets = pacte_tableurs::xlsx::ecrire(&nom_feuille(a2024), &d).unwrap();
    let r = deposer_tableur(&a.editeur, id, 0, &octets).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let v = base.valeurs_campagne(a2024, id).await.unwrap();
    assert!(!v.is_empty());
    assert!(
        v.iter()
            .all(|x| x.cle.nature == pacte_core::campagne::NatureIndicateur::National)
    );
    // One unreadable cell: 422 naming the sheet and the cell, nothing written.
    d.lignes[3][8] = Cellule::Texte("beaucoup".into(), Style::Normal);
    let octets = pacte_tableurs::xlsx::ecrire(&nom_feuille(a2024), &d).unwrap();
    let r = deposer_tableur(&a.editeur, id, 1, &octets).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.corps);
    assert!(
        r.corps.contains("Indicateurs nationaux 2024") && r.corps.contains("cellule I4"),
        "{}",
        r.corps
    );
    assert_eq!(base.suivi_campagne(a2024, id).await.unwrap().tampon.version, 1);
    // Not for whoever may not enter.
    let r = deposer_tableur(&a.ddets, id, 1, &octets).await;
    assert_eq!(r.statut, StatusCode::FORBIDDEN);
}
