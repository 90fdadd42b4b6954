//! Contract lists read the reader's contracts from SQL: a DDETS's list touches only the
//! contracts of its département, and the findings counts are computed once per contract
//! revision, not on every view.

use crate::commun::*;
use axum::http::StatusCode;
use pacte_core::droits::{Habilitation, Perimetre, Role};
use pacte_core::jeu_national::jeu_national;

/// The ids of the contracts a list page links to.
fn ids_listes(html: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = html
        .split("<th scope=\"row\"><a href=\"/contrats/")
        .skip(1)
        .filter_map(|m| m.split('"').next()?.parse().ok())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liste_d_une_ddets_ne_lit_que_son_territoire() {
    let base = base_neuve().await;
    let contrats = jeu_national(125, 3);
    let ids = base.importer(&contrats, "import:test").await.unwrap();
    let app = pacte_web::application(base.clone(), pacte_web::Options::default());
    let ddets = en_tant_que(&app, &base, "ddets", "departement:13").await;
    let portee = Habilitation::new(Role::Ddets, Perimetre::Departement("13".into()))
        .unwrap()
        .portee_lecture();
    let siens: Vec<i64> = ids
        .iter()
        .zip(&contrats)
        .filter(|(_, c)| portee.couvre(&c.contrat.collectivite, c.contrat.etat))
        .map(|(id, _)| *id)
        .collect();
    assert!(!siens.is_empty() && siens.len() < ids.len() / 10, "{siens:?}");

    // First view: only the département's contracts are read in full (their findings counts
    // are made and kept), none of the 125 others.
    let avant = base.lectures_completes();
    let r = get(&ddets, "/contrats").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(ids_listes(&r.corps), siens);
    assert_eq!(base.lectures_completes() - avant, siens.len() as u64);

    // Second view, and the dashboard: nothing read in full.
    let avant = base.lectures_completes();
    assert_eq!(get(&ddets, "/contrats").await.statut, StatusCode::OK);
    assert_eq!(get(&ddets, "/").await.statut, StatusCode::OK);
    assert_eq!(base.lectures_completes(), avant);

    // A fiche written in one of its contracts: that one, and only that one, is read again.
    let lu = base.contrat(siens[0]).await.unwrap();
    let mut f = lu.contrat.fiches[0].clone();
    f.intitule = "Intitulé modifié".into();
    base.modifier_fiche(siens[0], f.numero, &f, lu.fiches[0].version, "test", |_| Ok(()))
        .await
        .unwrap();
    let avant = base.lectures_completes();
    assert_eq!(get(&ddets, "/contrats").await.statut, StatusCode::OK);
    assert_eq!(base.lectures_completes() - avant, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liste_paginee_et_api() {
    let base = base_neuve().await;
    let ids = base.importer(&jeu_national(120, 2), "import:test").await.unwrap();
    let app = pacte_web::application(base.clone(), pacte_web::Options::default());
    let admin = en_tant_que(&app, &base, "administrateur_national", "national").await;
    // 120 contracts, 50 a page: page 3 holds the last 20.
    let r = get(&admin, "/contrats?page=3").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(ids_listes(&r.corps), ids[100..].to_vec());
    assert!(r.corps.contains("Contrats enregistrés (120)"), "{}", r.corps);
    assert!(
        r.corps
            .contains("aria-label=\"Pagination de la liste des contrats\"")
    );
    assert!(r.corps.contains("href=\"/contrats?page=2\""));
    // A page number that is not one: a French 400.
    let r = get(&admin, "/contrats?page=deux").await;
    assert_eq!(r.statut, StatusCode::BAD_REQUEST);
    assert!(r.corps.contains("numéro de page « deux »"), "{}", r.corps);
    // The API pages the same list in SQL, with the same total.
    let r = get(&admin, "/api/v1/contrats?page=2&par_page=7").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let j = r.json();
    assert_eq!(j["total"], 120);
    let lus: Vec<i64> = j["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(lus, ids[7..14].to_vec());
}
