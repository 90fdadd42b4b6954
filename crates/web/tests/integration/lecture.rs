//! Read pages: dashboard, référentiel, territories, contract list and contract page, on the
//! demonstration data (AMP, département 13, Montpellier with findings, Bordeaux with 60 fiches).

/// The identity these tests act as (see `crate::commun::en_tant_que`).
const ROLE: &str = "administrateur_national";
const PERIMETRE: &str = "national";

use std::collections::HashSet;

use crate::commun::*;
use axum::http::StatusCode;

/// Text as the templates escape it.
fn html(texte: &str) -> String {
    texte
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// Checks what every page must respect: an HTML page in French, no inline script or style
/// (the Content-Security-Policy forbids them), unique ids without dots.
fn page_valide(r: &Reponse) {
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(r.type_contenu.starts_with("text/html"), "{}", r.type_contenu);
    assert!(r.corps.contains("lang=\"fr\""));
    assert!(!r.corps.contains("style="), "attribut style interdit");
    for balise in r.corps.split("<script").skip(1) {
        let ouverture = &balise[..balise.find('>').unwrap()];
        assert!(
            ouverture.contains("src="),
            "script en ligne : <script{ouverture}>"
        );
    }
    let mut vus = HashSet::new();
    for morceau in r.corps.split(" id=\"").skip(1) {
        let id = &morceau[..morceau.find('"').unwrap()];
        assert!(!id.is_empty() && !id.contains(['.', ' ']), "id invalide « {id} »");
        assert!(vus.insert(id.to_string()), "id en double « {id} »");
    }
    // Headings never skip a level.
    let mut niveau = 0;
    for morceau in r.corps.split("<h").skip(1) {
        let Some(n) = morceau.chars().next().and_then(|c| c.to_digit(10)) else {
            continue;
        };
        assert!(n <= niveau + 1, "titre h{n} après h{niveau}");
        niveau = n;
    }
    // Every table has a caption.
    assert_eq!(
        r.corps.matches("<table").count(),
        r.corps.matches("<caption").count()
    );
}

#[tokio::test]
async fn tableau_de_bord() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let r = get(&app, "/").await;
    page_valide(&r);
    let c = &r.corps;
    assert!(c.contains("<h1>Tableau de bord</h1>"));
    assert!(c.contains("5 contrats"), "{c}");
    // Counts per state, linked to the filtered list.
    assert!(c.contains("href=\"/contrats?etat=negociation\""));
    assert!(c.contains("href=\"/contrats?etat=en_execution\""));
    // Montpellier has 13 blocking findings and 2 alerts, and awaits validation.
    assert!(c.contains(&format!("href=\"/contrats/{}#constats\"", ids[2])));
    assert!(c.contains("13 constats bloquants"), "{c}");
    assert!(c.contains("à valider"));
    for lien in [
        "/referentiel",
        "/territoires",
        "/contrats#importer",
        "/contrats/nouveau",
    ] {
        assert!(c.contains(&format!("href=\"{lien}\"")), "{lien}");
    }
}

#[tokio::test]
async fn referentiel() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let r = get(&app, "/referentiel").await;
    page_valide(&r);
    let c = &r.corps;
    for axe in &pacte_core::referentiel::referentiel().axes {
        assert!(c.contains(&html(&axe.intitule)), "{}", axe.intitule);
    }
    assert!(c.contains("NI-4.3"));
    assert!(c.contains("id=\"ni-4-3\"") && c.contains("href=\"#ni-1-1\""));
    assert!(c.contains("AT-1-1.1-01") && c.contains("finançable"));
    assert!(c.contains("Dédoublonnage"));
    assert!(c.contains("fr-accordion__btn"));
}

#[tokio::test]
async fn territoires() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let r = get(&app, "/territoires").await;
    page_valide(&r);
    let c = &r.corps;
    assert!(c.contains("18 régions, 101 départements"), "{c}");
    assert!(c.contains("22 EPCI éligibles"));
    let bdr = c.find("13 — Bouches-du-Rhône").expect("Bouches-du-Rhône");
    let lien = format!("href=\"/contrats/{}\"", ids[1]);
    assert!(c[bdr..].contains(&lien), "lien vers le contrat du département 13");
    assert!(c.contains(&format!("href=\"/contrats/{}\"", ids[3])), "Bordeaux");
    assert!(c.contains("Aucun contrat"));
}

#[tokio::test]
async fn liste_des_contrats() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let r = get(&app, "/contrats").await;
    page_valide(&r);
    let c = &r.corps;
    for id in &ids {
        assert!(c.contains(&format!("href=\"/contrats/{id}\"")), "{id}");
    }
    assert!(c.contains("Montpellier Méditerranée Métropole") && c.contains("Bordeaux Métropole"));
    assert!(c.contains("href=\"/contrats/nouveau\""));
    assert!(c.contains("action=\"/contrats/import\"") && c.contains("enctype=\"multipart/form-data\""));
    assert!(c.contains("type=\"file\" id=\"fichier\" name=\"fichier\" accept=\".toml\""));
    assert!(c.contains(">60</td>"), "60 fiches de Bordeaux");

    let r = get(&app, "/contrats?etat=negociation").await;
    page_valide(&r);
    assert!(r.corps.contains("Montpellier Méditerranée Métropole"));
    assert!(!r.corps.contains("Bordeaux Métropole</a>"));
    let r = get(&app, "/contrats?etat=imaginaire").await;
    assert_eq!(r.statut, StatusCode::BAD_REQUEST);
    assert!(r.corps.contains("n&#39;existe pas"), "{}", r.corps);
}

#[tokio::test]
async fn contrat_avec_constats() {
    let (brut, base, ids) = app_demo().await;
    let app = en_tant_que(&brut, &base, "commissaire", "region:76").await;
    let id = ids[2];
    let r = get(&app, &format!("/contrats/{id}")).await;
    page_valide(&r);
    let c = &r.corps;
    assert!(c.contains("Montpellier Méditerranée Métropole"));
    assert!(c.contains("en négociation"));
    assert!(c.contains("R-COFI-50"));
    // The commissaire does not edit the fiches: the finding leads to the fiche page; the
    // collectivity's editor is taken to the field itself.
    assert!(!c.contains("/modifier#"));
    let editeur = en_tant_que(&brut, &base, "collectivite_editeur", "collectivite:243400017").await;
    let e = get(&editeur, &format!("/contrats/{id}")).await.corps;
    assert!(e.contains(&format!(
        "href=\"/contrats/{id}/fiches/1.2/modifier#champ-financement-etat-2024\""
    )));
    for ancre in ["axe-1", "axe-2", "axe-3", "axe-4", "fiches", "constats"] {
        assert!(c.contains(&format!("id=\"{ancre}\"")), "{ancre}");
    }
    // Axis 4: 50 000 € of State funding for 300 000 € proposed, floor 60 000 €.
    assert!(c.contains("300 000,00 €") && c.contains("60 000,00 €") && c.contains("sous le socle"));
    assert!(c.contains("1 350 000,00 €"), "plafond global");
    assert!(c.contains(&format!("href=\"/contrats/{id}/fiches/1.2\"")));
    assert!(c.contains(&format!("href=\"/contrats/{id}/fichier\"")));
    // The commissaire does not edit the collectivity's contract: no edit control is shown.
    for lien in ["modifier", "fiches/nouvelle"] {
        assert!(!c.contains(&format!("href=\"/contrats/{id}/{lien}\"")), "{lien}");
    }
    // Lifecycle: validation is offered but disabled while blocking findings remain.
    assert!(c.contains("data-etape=\"valide\" disabled"));
    assert!(!c.contains(&format!("href=\"/contrats/{id}/etapes/validation\"")));
    assert!(c.contains("13 constats bloquants restent"));
}

#[tokio::test]
async fn contrats_conformes() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    // The métropole's contract is in execution: no next step, no finding.
    let r = get(&app, &format!("/contrats/{}", ids[0])).await;
    page_valide(&r);
    assert!(r.corps.contains("Aucun constat"));
    assert!(!r.corps.contains("name=\"etat\""));
    assert!(r.corps.contains("quatre axes"));
    // The département's contract has axes 1, 3 and 4.
    let r = get(&app, &format!("/contrats/{}", ids[1])).await;
    page_valide(&r);
    assert!(r.corps.contains("axes 1, 3 et 4"));
    assert!(r.corps.contains("id=\"axe-3\"") && !r.corps.contains("id=\"axe-2\""));
}

/// A département proposes an amount on axis 2, which its contract does not have. The
/// page takes the global ceiling and the floors from `financement::par_axe`, as R-FIN-03/04
/// do: axis 2 is shown, outside the contract, and does not count in the ceiling.
#[tokio::test]
async fn un_montant_propose_hors_du_contrat_ne_compte_pas_dans_le_plafond() {
    use pacte_core::Axe;
    use pacte_core::fabrique::{ContratBuilder, FicheBuilder};
    let eur = pacte_core::Montant::euros;
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    // Gard (département): 100 000 € proposed on axes 1, 3 and 4, 250 000 € on axis 2; the
    // fiches carry 100 000 + 100 000 + 150 000 = 350 000 € of State money a year.
    let c = ContratBuilder::departement("30")
        .fiche(FicheBuilder::new("1.1", "AT-1-1.1-02", eur(100_000)).evaluation(eur(10_000)))
        .fiche(FicheBuilder::new("3.1", "AT-3-II-2-01", eur(100_000)))
        .fiche(FicheBuilder::new("4.1", "AT-4-4.1-01", eur(150_000)))
        .proposes(&[
            (Axe::A1, eur(100_000)),
            (Axe::A2, eur(250_000)),
            (Axe::A3, eur(100_000)),
            (Axe::A4, eur(100_000)),
        ])
        .build();
    let id = base.importer(&[c], "test").await.unwrap()[0];
    let r = get(&app, &format!("/contrats/{id}")).await;
    page_valide(&r);
    let c = &r.corps;
    // Global ceiling 100 000 × 3 = 300 000 €, exceeded by 350 000 − 300 000 = 50 000 €; the
    // page used to add axis 2: 550 000 €, a margin of 200 000 €.
    assert!(c.contains("dépassement de 50 000,00 €"), "{c}");
    assert!(!c.contains("550 000,00 €") && !c.contains("marge de 200 000,00 €"));
    // Axis 2 is shown with its amount, outside the contract, without the floor of
    // 20 % × 250 000 = 50 000 € that put it « sous le socle » with 0 €.
    assert!(c.contains("id=\"axe-2\"") && c.contains("250 000,00 €"));
    assert!(c.contains("axe hors de ce contrat"));
    assert!(!c.contains("sous le socle"));
    // R-FIN-03 says the same, once a year.
    assert_eq!(
        c.matches("somme des montants proposés par axe (300 000,00 €)")
            .count(),
        4
    );
}

#[tokio::test]
async fn contrat_de_soixante_fiches() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let id = ids[3];
    let r = get(&app, &format!("/contrats/{id}")).await;
    page_valide(&r);
    assert!(r.corps.contains("Bordeaux Métropole"));
    assert!(r.corps.contains("Fiches action (60)"));
    let liens = r.corps.matches(&format!("href=\"/contrats/{id}/fiches/")).count();
    // 60 fiches, plus the "Ajouter une fiche" buttons and the findings' links.
    assert!(liens >= 62, "{liens}");
}

#[tokio::test]
async fn contrat_introuvable() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let _ = &base;
    let r = get(&app, "/contrats/abc").await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND);
    assert!(r.corps.contains("Page introuvable") && r.corps.contains("n&#39;est pas un numéro de contrat"));
    let r = get(&app, "/contrats/999999").await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND);
    assert!(
        r.corps.contains("Le contrat n° 999999 n&#39;existe pas"),
        "{}",
        r.corps
    );
}
