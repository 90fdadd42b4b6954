//! The consolidation pages, files and API on the demonstration set (`demo::charger_complet`,
//! with a simulated 2024-2025 execution for every signed contract): figures equal to the cent
//! to a computation by loading every contract, scoping by role (a commissaire reads its
//! region only), the files read back with calamine, charts without inline style.

use std::collections::BTreeMap;
use std::io::Cursor;

use crate::commun::{en_tant_que, get};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Data, Reader};
use http_body_util::BodyExt;
use pacte_core::execution::{execution_simulee, situation};
use pacte_core::territoires::territoires;
use pacte_core::{Annee, Montant};
use pacte_store::Base;
use pacte_store::consolidation::ETATS_CONSOLIDES;
use tower::ServiceExt;

const CHAMPS: [&str; 8] = [
    "contractualise_etat",
    "contractualise_collectivite",
    "notifie",
    "verse",
    "realise_etat",
    "realise_collectivite",
    "reporte_etat",
    "reporte_collectivite",
];

/// The demonstration set with executions, without the demonstration's campaigns (the tests
/// play their own); the application and the base.
async fn demonstration() -> (Router, Base) {
    let base = crate::commun::base_neuve().await;
    let ids = pacte_web::demo::charger_sans_campagnes(&base)
        .await
        .expect("démonstration");
    for (i, id) in ids.iter().enumerate() {
        let c = base.contrat(*id).await.unwrap().contrat;
        // The demonstration executes its contracts in execution itself; the others get one here.
        let deja = base.execution(*id).await.unwrap().tampon.version > 0;
        if ETATS_CONSOLIDES.contains(&c.contrat.etat) && !deja {
            let e = execution_simulee(&c, i);
            base.enregistrer_execution(*id, 0, "demo", move |_, _| Ok(e))
                .await
                .unwrap();
        }
    }
    let app = pacte_web::application(
        base.clone(),
        pacte_web::Options {
            cout_hachage: pacte_web::comptes::mot_de_passe::Cout::Test,
            ..pacte_web::Options::default()
        },
    );
    (app, base)
}

/// Per year and per region: the eight figures, computed by loading every signed contract and
/// its execution and calling pacte_core (the Finances page's functions).
async fn par_chargement(base: &Base) -> (BTreeMap<u16, [i64; 8]>, BTreeMap<String, [i64; 8]>) {
    let mut annees: BTreeMap<u16, [i64; 8]> = BTreeMap::new();
    let mut regions: BTreeMap<String, [i64; 8]> = BTreeMap::new();
    for r in base.contrats().await.unwrap() {
        let c = base.contrat(r.id).await.unwrap().contrat;
        if !ETATS_CONSOLIDES.contains(&c.contrat.etat) {
            continue;
        }
        let t = territoires();
        let region = t
            .collectivite(&c.contrat.collectivite)
            .and_then(|k| t.region_de(k))
            .map(|r| r.code.clone())
            .unwrap();
        let e = base.execution(r.id).await.unwrap().execution;
        let s = situation(&c, &e);
        for a in Annee::TOUTES {
            let mut v = [0i64; 8];
            for f in &c.fiches {
                v[0] += f.financement.etat(a).en_centimes();
                v[1] += f.financement.collectivite(a).en_centimes();
            }
            for (fiche, x) in s.annee(a) {
                v[2] += e.etat_notifie(*fiche, a).unwrap_or(Montant::ZERO).en_centimes();
                v[3] += x.etat_verse.en_centimes();
                v[4] += x.realise_etat.en_centimes();
                v[5] += x.realise_collectivite.en_centimes();
                v[6] += x.report_etat.en_centimes();
                v[7] += x.report_collectivite.en_centimes();
            }
            let w = annees.entry(a.valeur()).or_default();
            for i in 0..8 {
                w[i] += v[i];
            }
            let w = regions.entry(region.clone()).or_default();
            for i in 0..8 {
                w[i] += v[i];
            }
        }
    }
    (annees, regions)
}

fn figures(m: &serde_json::Value) -> [i64; 8] {
    CHAMPS.map(|c| m[c].as_i64().unwrap_or_else(|| panic!("{c} absent : {m}")))
}

#[tokio::test]
async fn consolidation_nationale_egale_au_chargement_des_contrats() {
    let (brut, base) = demonstration().await;
    let app = en_tant_que(&brut, &base, "lecteur_national", "national").await;
    let r = get(&app, "/api/v1/consolidation").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let j = r.json();
    assert_eq!(j["territoire"]["nature"], "france");
    let (annees, regions) = par_chargement(&base).await;
    let obtenu: BTreeMap<u16, [i64; 8]> = j["annees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["annee"].as_u64().unwrap() as u16, figures(&a["montants"])))
        .collect();
    assert_eq!(obtenu, annees);
    assert!(
        annees[&2024][3] > 0 && annees[&2024][6] > 0,
        "versements et reports"
    );
    let obtenu: BTreeMap<String, [i64; 8]> = j["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_str().unwrap().to_string(), figures(&r["montants"])))
        .collect();
    assert_eq!(obtenu, regions);
    // The axes add up to the total, and so do the years.
    let total = figures(&j["total"]);
    let mut somme = [0i64; 8];
    for a in j["axes"].as_array().unwrap() {
        let f = figures(&a["montants"]);
        for i in 0..8 {
            somme[i] += f[i];
        }
    }
    assert_eq!(somme, total);

    // The page shows the same total, formatted, and its charts carry no inline style.
    let r = get(&app, "/consolidation").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(
        r.corps.contains(&Montant::centimes(total[3]).to_string()),
        "total versé"
    );
    assert!(r.corps.contains("<svg"), "graphique");
    assert!(!r.corps.contains("style="), "aucun style en ligne");
    assert!(r.corps.contains("href=\"/consolidation/regions/93\""));
    assert!(r.corps.contains("href=\"/consolidation\""), "menu");
}

#[tokio::test]
async fn un_commissaire_ne_lit_que_sa_region() {
    let (brut, base) = demonstration().await;
    let (_, regions) = par_chargement(&base).await;
    let app = en_tant_que(&brut, &base, "commissaire", "region:93").await;
    let r = get(&app, "/api/v1/consolidation").await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let j = r.json();
    assert_eq!(j["territoire"]["code"], "93");
    assert_eq!(figures(&j["total"]), regions["93"]);
    assert_eq!(j["regions"].as_array().unwrap().len(), 1);
    for uri in [
        "/api/v1/consolidation/regions/93",
        "/consolidation",
        "/consolidation/regions/93",
        "/consolidation/tableaux/axes/csv",
    ] {
        assert_eq!(get(&app, uri).await.statut, StatusCode::OK, "{uri}");
    }
    // Elsewhere: 403; an unknown region: 404; a table only France has: 404.
    for uri in [
        "/api/v1/consolidation/regions/76",
        "/consolidation/regions/76",
        "/consolidation/regions/76/tableaux/axes/xlsx",
    ] {
        assert_eq!(get(&app, uri).await.statut, StatusCode::FORBIDDEN, "{uri}");
    }
    for uri in [
        "/api/v1/consolidation/regions/99",
        "/consolidation/regions/99",
        "/consolidation/tableaux/regions/csv",
    ] {
        assert_eq!(get(&app, uri).await.statut, StatusCode::NOT_FOUND, "{uri}");
    }
    // A DDETS and a collectivity read no consolidation, and the menu does not offer it.
    for (role, perimetre) in [
        ("ddets", "departement:13"),
        ("collectivite_editeur", "collectivite:200054807"),
    ] {
        let app = en_tant_que(&brut, &base, role, perimetre).await;
        assert_eq!(
            get(&app, "/api/v1/consolidation").await.statut,
            StatusCode::FORBIDDEN
        );
        assert_eq!(get(&app, "/consolidation").await.statut, StatusCode::FORBIDDEN);
        let accueil = get(&app, "/").await;
        assert!(!accueil.corps.contains("href=\"/consolidation\""), "{role}");
    }
    // The national reader reads any region.
    let national = en_tant_que(&brut, &base, "administrateur_national", "national").await;
    let r = get(&national, "/api/v1/consolidation/regions/76").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert_eq!(figures(&r.json()["total"]), regions["76"]);
}

async fn octets(app: &Router, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let r = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let statut = r.status();
    let t = r
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        statut,
        t,
        r.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

#[tokio::test]
async fn chaque_tableau_s_ouvre_dans_un_tableur() {
    let (brut, base) = demonstration().await;
    let app = en_tant_que(&brut, &base, "lecteur_national", "national").await;
    let j = get(&app, "/api/v1/consolidation").await.json();
    for tableau in ["regions", "axes", "annees"] {
        let lignes = j[tableau].as_array().unwrap().clone();
        // XLSX and ODS: read back with calamine; row 3 onwards are the lines, then the total.
        for format in ["xlsx", "ods"] {
            let (s, t, o) = octets(&app, &format!("/consolidation/tableaux/{tableau}/{format}")).await;
            assert_eq!(s, StatusCode::OK, "{tableau}.{format}");
            assert!(t.starts_with("application/vnd."), "{t}");
            let plage = if format == "xlsx" {
                let mut c: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(o)).unwrap();
                c.worksheet_range("Consolidation").unwrap()
            } else {
                let mut c: calamine::Ods<_> = calamine::open_workbook_from_rs(Cursor::new(o)).unwrap();
                c.worksheet_range("Consolidation").unwrap()
            };
            let valeur = |l: usize, col: usize| match plage.get_value((l as u32, col as u32)) {
                Some(Data::Float(f)) => (f * 100.0).round() as i64,
                Some(Data::Int(i)) => i * 100,
                autre => panic!("{tableau}.{format} ({l}, {col}) : {autre:?}"),
            };
            for (i, ligne) in lignes.iter().enumerate() {
                let f = figures(&ligne["montants"]);
                for (k, attendu) in f.iter().enumerate() {
                    assert_eq!(
                        valeur(2 + i, 1 + k),
                        *attendu,
                        "{tableau}.{format} ligne {i} colonne {k}"
                    );
                }
            }
            let total = figures(&j["total"]);
            for (k, attendu) in total.iter().enumerate() {
                assert_eq!(
                    valeur(2 + lignes.len(), 1 + k),
                    *attendu,
                    "{tableau}.{format} total"
                );
            }
        }
        let (s, t, o) = octets(&app, &format!("/consolidation/tableaux/{tableau}/csv")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(t.starts_with("text/csv"));
        let texte = String::from_utf8(o).unwrap();
        let total = figures(&j["total"]);
        // 1 234,56: the CSV's decimal comma without thousands separator.
        let verse = format!("{},{:02}", total[3] / 100, total[3] % 100);
        assert!(texte.contains(&verse), "{tableau}.csv : {verse}\n{texte}");
    }
    let (s, _, _) = octets(&app, "/consolidation/tableaux/axes/pdf").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// The 2024 campaign of the first three signed contracts: every national figure 0 but the
/// first line of `code` (4 for the first contract, 5 for the second, 7 for the third),
/// submitted; the first two validated, the third left submitted. Returns the three
/// collectivities' codes.
async fn campagne(base: &Base, code: &str) -> Vec<String> {
    use pacte_core::campagne::{NatureIndicateur, Transition, ValeurSaisie, lignes_attendues};
    use pacte_core::{Date, Valeur};
    let a = Annee::new(2024).unwrap();
    base.ouvrir_campagne(a, Date::ymd(2025, 3, 31), "demo")
        .await
        .unwrap();
    let mut collectivites = Vec::new();
    for r in base.contrats().await.unwrap() {
        if collectivites.len() == 3 {
            break;
        }
        let c = base.contrat(r.id).await.unwrap().contrat;
        let lignes = lignes_attendues(&c, a);
        if !ETATS_CONSOLIDES.contains(&c.contrat.etat) || !lignes.iter().any(|l| l.cle.indicateur == code) {
            continue;
        }
        let valeur = [4, 5, 7][collectivites.len()];
        let code = code.to_string();
        let t = base
            .enregistrer_valeurs(a, r.id, 0, "demo", move |_, _, _| {
                let mut premiere = true;
                Ok(lignes
                    .into_iter()
                    .filter(|l| l.cle.nature == NatureIndicateur::National)
                    .map(|l| {
                        let v = if premiere && l.cle.indicateur == code {
                            premiere = false;
                            valeur
                        } else {
                            0
                        };
                        ValeurSaisie {
                            realise: Some(Valeur::centiemes(100 * v)),
                            ..ValeurSaisie::vide(l.cle)
                        }
                    })
                    .collect())
            })
            .await
            .unwrap();
        let t = base
            .changer_etat_campagne(
                a,
                r.id,
                t.version,
                Transition::Soumettre,
                None,
                &[],
                "demo",
                |_, _, _| Ok(()),
            )
            .await
            .unwrap();
        if collectivites.len() < 2 {
            base.changer_etat_campagne(
                a,
                r.id,
                t.version,
                Transition::Valider,
                None,
                &[],
                "demo",
                |_, _, _| Ok(()),
            )
            .await
            .unwrap();
        }
        collectivites.push(c.contrat.collectivite.clone());
    }
    assert_eq!(collectivites.len(), 3, "trois contrats signés alimentant {code}");
    collectivites
}

#[tokio::test]
async fn campagne_indicateurs_et_donnees_ouvertes() {
    let (brut, base) = demonstration().await;
    let collectivites = campagne(&base, "NI-2.1").await;
    let app = en_tant_que(&brut, &base, "lecteur_national", "national").await;
    let j = get(&app, "/api/v1/consolidation").await.json();
    let c = &j["campagnes"][0];
    assert_eq!(c["annee"], 2024);
    assert_eq!(
        (c["total"]["validee"].as_i64(), c["total"]["soumise"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        c["total"]["non_commencee"].as_i64().unwrap(),
        j["contrats"].as_i64().unwrap() - 3
    );
    // NI-2.1 over the two validated campaigns: 4 + 5 = 9 people (the submitted 7 not counted).
    let ni = j["indicateurs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "NI-2.1")
        .unwrap();
    assert_eq!(ni["realise"], 900);
    assert_eq!(ni["contrats"], 2);

    let page = get(&app, "/consolidation").await;
    assert!(page.corps.contains("Campagne 2024"));
    assert!(page.corps.contains("Indicateurs nationaux 2024"));
    assert!(!page.corps.contains("style="));
    for tableau in ["campagne-2024", "indicateurs-2024"] {
        let (s, _, o) = octets(&app, &format!("/consolidation/tableaux/{tableau}/xlsx")).await;
        assert_eq!(s, StatusCode::OK, "{tableau}");
        let mut x: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(o)).unwrap();
        let plage = x.worksheet_range("Consolidation").unwrap();
        assert!(plage.height() > 2, "{tableau}");
    }
    // Counts and shares are numbers a spreadsheet can sum: the total row of the campaign table
    // (row 0 title, row 1 header) holds 2 validated contracts and their share as a fraction.
    let contrats = j["contrats"].as_i64().unwrap() as f64;
    for format in ["xlsx", "ods"] {
        let (_, _, o) = octets(&app, &format!("/consolidation/tableaux/campagne-2024/{format}")).await;
        let plage = if format == "xlsx" {
            let mut c: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(o)).unwrap();
            c.worksheet_range("Consolidation").unwrap()
        } else {
            let mut c: calamine::Ods<_> = calamine::open_workbook_from_rs(Cursor::new(o)).unwrap();
            c.worksheet_range("Consolidation").unwrap()
        };
        let total = (plage.height() - 1) as u32;
        let nombre = |col: u32| match plage.get_value((total, col)) {
            Some(Data::Float(f)) => *f,
            Some(Data::Int(i)) => *i as f64,
            autre => panic!("{format} ({total}, {col}) : {autre:?}"),
        };
        assert_eq!(nombre(1), contrats, "{format} : contrats");
        assert_eq!(nombre(6), 2.0, "{format} : validées");
        let part = nombre(7);
        assert!((part - (2.0 / contrats)).abs() < 0.0001, "{format} : part {part}");
    }

    // Open data: the 4 is withheld, the 5 published; the submitted campaign is absent.
    let (s, t, o) = octets(&app, "/consolidation/donnees-ouvertes/indicateurs-nationaux.csv").await;
    assert_eq!(s, StatusCode::OK);
    assert!(t.starts_with("text/csv"));
    let texte = String::from_utf8(o).unwrap();
    let entete: Vec<&str> = texte.lines().next().unwrap().split(',').collect();
    let col = |nom: &str| entete.iter().position(|c| *c == nom).unwrap();
    let ligne = |collectivite: &str| -> Option<Vec<String>> {
        texte
            .lines()
            .map(|l| l.split(',').map(String::from).collect::<Vec<_>>())
            .find(|c| c[col("code_collectivite")] == collectivite && c[col("indicateur")] == "NI-2.1")
    };
    let quatre = ligne(&collectivites[0]).expect("ligne à 4");
    assert_eq!(quatre[col("valeur_realisee")], "");
    assert_eq!(quatre[col("secret_statistique")], "true");
    let cinq = ligne(&collectivites[1]).expect("ligne à 5");
    assert_eq!(cinq[col("valeur_realisee")], "5");
    assert_eq!(cinq[col("secret_statistique")], "false");
    assert!(
        ligne(&collectivites[2]).is_none(),
        "campagne soumise, non validée"
    );
    // A commissaire's file covers its region only.
    let commissaire = en_tant_que(&brut, &base, "commissaire", "region:93").await;
    let (_, _, o) = octets(
        &commissaire,
        "/consolidation/donnees-ouvertes/indicateurs-nationaux.csv",
    )
    .await;
    let texte = String::from_utf8(o).unwrap();
    let region = entete.iter().position(|c| *c == "code_region").unwrap();
    assert!(
        texte
            .lines()
            .skip(1)
            .all(|l| l.split(',').nth(region) == Some("93"))
    );
}
