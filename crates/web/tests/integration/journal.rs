//! The audit log in the application: the national administrator lists it (newest first,
//! filtered, paginated), reads one entry with its change, and sees whether the chain is intact;
//! everyone else gets 403.

use crate::commun::*;
use axum::Router;
use axum::http::{StatusCode, header};
use pacte_store::Base;
use sqlx::Connection;

const LISTE: &str = "/administration/journal";

/// The demonstration application, the base, its URL, and the application acting as a new
/// national administrator.
async fn en_administrateur() -> (Router, Router, Base, String) {
    let (brut, base, _, url) = app_demo_et_adresse(pacte_web::Options::default()).await;
    let app = en_tant_que(&brut, &base, "administrateur_national", "national").await;
    (brut, app, base, url)
}

/// The entry numbers of a list page, in page order.
fn numeros(html: &str) -> Vec<i64> {
    html.match_indices("<tr id=\"entree-")
        .map(|(i, m)| {
            let reste = &html[i + m.len()..];
            reste[..reste.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

async fn total(base: &Base) -> i64 {
    base.journal(1, 1_000_000).await.unwrap().len() as i64
}

#[tokio::test]
async fn liste_recente_d_abord_et_banniere_d_integrite() {
    let (_, app, base, _) = en_administrateur().await;
    let n = total(&base).await;
    let r = get(&app, LISTE).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let p = &r.corps;
    assert!(p.contains("<h1>Journal d'audit</h1>"));
    assert!(
        p.contains("fr-alert--success") && p.contains(&format!("Chaîne intègre : {n} entrées vérifiées")),
        "{p}"
    );
    // Newest first, 50 per page.
    let ids = numeros(p);
    assert_eq!(ids.len(), 50);
    assert_eq!(ids, (n - 49..=n).rev().collect::<Vec<_>>());
    // The demonstration load is there, readable: its actor, objects and operations.
    let demo = get(
        &app,
        &format!("{LISTE}?acteur=demo&operation=creation&entite=contrat"),
    )
    .await;
    assert_eq!(demo.statut, StatusCode::OK);
    assert!(demo.corps.contains("données de démonstration"), "{}", demo.corps);
    assert!(demo.corps.contains("href=\"/contrats/1\""));
    assert!(demo.corps.contains("Création"));
    // The menu and the dashboard lead to it.
    assert!(p.contains(&format!(
        "href=\"{LISTE}\" aria-current=\"page\">Journal d&#39;audit</a>"
    )));
    let accueil = get(&app, "/").await;
    assert!(
        accueil
            .corps
            .contains(&format!("href=\"{LISTE}\">Journal d&#39;audit</a>"))
    );
    assert!(
        accueil
            .corps
            .contains(&format!("href=\"{LISTE}\">Consulter le journal d'audit</a>"))
    );
}

#[tokio::test]
async fn filtres() {
    let (_, app, base, _) = en_administrateur().await;
    let tout = base.journal(1, 1_000_000).await.unwrap();
    let compter = |f: &dyn Fn(&pacte_store::EntreeAudit) -> bool| tout.iter().filter(|e| f(e)).count();

    // By entity: only fiches.
    let r = get(&app, &format!("{LISTE}?entite=fiche")).await;
    assert_eq!(r.statut, StatusCode::OK);
    let fiches = compter(&|e| e.entite == "fiche");
    assert!(r.corps.contains(&format!("{fiches} entrées.")), "{}", r.corps);
    assert!(
        r.corps
            .contains("<option value=\"fiche\" selected>Fiche</option>")
    );
    for id in numeros(&r.corps) {
        assert_eq!(tout[(id - 1) as usize].entite, "fiche");
    }
    // The pagination keeps the filter.
    assert!(
        r.corps
            .contains(&format!("href=\"{LISTE}?entite=fiche&#38;page=2\"")),
        "{}",
        r.corps
    );

    // By actor, part of it: the accounts of the demonstration were created by `demo`; the
    // référentiel was loaded by Pacte itself.
    let r = get(&app, &format!("{LISTE}?acteur=SYST")).await;
    assert!(r.corps.contains("1 entrée."), "{}", r.corps);
    assert!(r.corps.contains("Pacte (mise à jour du référentiel)"));
    assert!(r.corps.contains("Référentiel des actions"));
    assert!(r.corps.contains("value=\"SYST\""));

    // By operation.
    let r = get(&app, &format!("{LISTE}?operation=creation&entite=utilisateur")).await;
    let comptes = compter(&|e| e.entite == "utilisateur" && e.operation == "creation");
    assert!(r.corps.contains(&format!("{comptes} entrées.")), "{}", r.corps);
    assert!(r.corps.contains("href=\"/administration/utilisateurs/1\""));

    // By period (UTC days, inclusive).
    let jour = &tout[0].horodatage[..10];
    let r = get(&app, &format!("{LISTE}?du={jour}&au={jour}&entite=referentiel")).await;
    assert!(r.corps.contains("1 entrée."), "{}", r.corps);
    let r = get(&app, &format!("{LISTE}?au=2000-01-01")).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("Aucune entrée ne correspond"), "{}", r.corps);
    assert!(numeros(&r.corps).is_empty());

    // Values the filters do not know: a French 400.
    for q in ["du=23/11/2026", "entite=session", "operation=effacement"] {
        let r = get(&app, &format!("{LISTE}?{q}")).await;
        assert_eq!(r.statut, StatusCode::BAD_REQUEST, "{q}");
        assert!(r.corps.contains("n&#39;est pas"), "{q} : {}", r.corps);
    }
}

#[tokio::test]
async fn pagination() {
    let (_, app, base, _) = en_administrateur().await;
    let n = total(&base).await;
    assert!(n > 100, "assez d'entrées pour trois pages ({n})");
    let p1 = get(&app, LISTE).await;
    assert!(p1.corps.contains("class=\"fr-pagination\""));
    assert!(p1.corps.contains("Première page") && p1.corps.contains("Dernière page"));
    assert!(p1.corps.contains(&format!("href=\"{LISTE}?page=2\"")));
    let p2 = get(&app, &format!("{LISTE}?page=2")).await;
    assert_eq!(p2.statut, StatusCode::OK);
    let ids = numeros(&p2.corps);
    assert_eq!(ids.first(), Some(&(n - 50)));
    assert!(numeros(&p1.corps).iter().all(|i| !ids.contains(i)));
    assert!(p2.corps.contains(&format!("href=\"{LISTE}?page=1\"")));
    assert!(p2.corps.contains("aria-current=\"page\" title=\"Page 2\""));

    // Past the end: an empty page that says so, not an error.
    let loin = get(&app, &format!("{LISTE}?page=9999")).await;
    assert_eq!(loin.statut, StatusCode::OK);
    assert!(numeros(&loin.corps).is_empty());
    assert!(
        loin.corps.contains("au-delà de la dernière page"),
        "{}",
        loin.corps
    );

    // Not a page number: 400, in French.
    for page in ["abc", "0", "-1"] {
        let r = get(&app, &format!("{LISTE}?page={page}")).await;
        assert_eq!(r.statut, StatusCode::BAD_REQUEST, "page={page}");
        assert!(
            r.corps
                .contains(&format!("Le numéro de page « {page} » n&#39;est pas valide")),
            "{}",
            r.corps
        );
    }
}

#[tokio::test]
async fn detail_d_une_modification_de_fiche_faite_par_le_formulaire() {
    let (brut, app, base, _) = en_administrateur().await;
    let (editeur, editeur_id, email) =
        en_tant_que_compte(&brut, &base, "collectivite_editeur", "collectivite:242900314").await;
    // A contract and a fiche through the forms, then a change of the fiche (Brest Métropole,
    // which has no contract in the demonstration: one contract per collectivity).
    let r = post_formulaire(
        &editeur,
        "/contrats/nouveau",
        &[
            ("collectivite", "242900314"),
            ("intitule", "Contrat du journal"),
            ("debut", "2024-01-01"),
            ("fin", "2027-12-31"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let contrat = r.entetes[header::LOCATION].to_str().unwrap().to_string();
    let fiche = |intitule: &'static str, etat: &'static str| {
        vec![
            ("numero", "1.1"),
            ("intitule", intitule),
            ("sous_axe", "A1-1.1"),
            ("nature", "nouvelle"),
            ("financement.etat.2024", etat),
            ("financement.collectivite.2024", "40000"),
            ("depenses.0.poste", "Personnel"),
            ("depenses.0.montants.2024", "90000"),
        ]
    };
    let r = post_formulaire(
        &editeur,
        &format!("{contrat}/fiches/nouvelle"),
        &fiche("Médiateurs familles", "40000"),
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let modifier = format!("{contrat}/fiches/1.1/modifier");
    let page = get(&editeur, &modifier).await.corps;
    let i = page.find("name=\"version\" value=\"").unwrap() + 22;
    let version = &page[i..i + page[i..].find('"').unwrap()];
    let mut champs = fiche("Médiateurs des familles", "45000");
    champs.push(("version", version));
    let r = post_formulaire(&editeur, &modifier, &champs).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);

    let derniere = base.journal(1, 1_000_000).await.unwrap().pop().unwrap();
    assert_eq!(
        (derniere.entite.as_str(), derniere.operation.as_str()),
        ("fiche", "modification")
    );
    // The list: the editor by name and e-mail (never the stored key
    // `utilisateur:<id>:<email>`), linked to the account; the fiche, linked to its page; the
    // time in Paris, computed here from the stored UTC timestamp (UTC+1 or UTC+2).
    let liste = get(&app, LISTE).await.corps;
    assert_eq!(numeros(&liste)[0], derniere.id);
    assert!(
        liste.contains(&format!(
            "<a href=\"/administration/utilisateurs/{editeur_id}\">Test collectivite_editeur ({email})</a>"
        )),
        "{liste}"
    );
    assert!(!liste.contains(&derniere.acteur));
    let heure = pacte_core::Horodatage::lire(&derniere.horodatage).unwrap();
    assert!(liste.contains(&format!("<td>{}</td>", heure.court())), "{liste}");
    assert!(!liste.contains("(UTC)</td>"));
    assert!(liste.contains(&format!("href=\"{contrat}/fiches/1.1\">Fiche 1.1 du contrat")));

    let r = get(&app, &format!("{LISTE}/{}", derniere.id)).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    let p = &r.corps;
    assert!(p.contains(&format!("Entrée n° {} du journal d&#39;audit", derniere.id)));
    assert!(p.contains(&format!(
        "<a href=\"/administration/utilisateurs/{editeur_id}\">Test collectivite_editeur ({email})</a>"
    )));
    assert!(p.contains(&format!("<dd>{}</dd>", heure.court())), "{p}");
    assert!(p.contains("Modification"));
    // The fields that changed, before and after; the others are not listed.
    let changements = &p[p.find("id=\"changements\"").expect("tableau des changements")..];
    let ligne = |champ: &str| {
        let i = changements
            .find(&format!("<code>{champ}</code>"))
            .unwrap_or_else(|| panic!("{champ} absent : {changements}"));
        changements[i..i + changements[i..].find("</tr>").unwrap()].to_string()
    };
    let intitule = ligne("intitule");
    assert!(
        intitule.find("Médiateurs familles").unwrap() < intitule.find("Médiateurs des familles").unwrap(),
        "{intitule}"
    );
    let etat = ligne("financement.etat.2024");
    assert!(etat.contains(">40000<") && etat.contains(">45000<"), "{etat}");
    assert!(!changements.contains("<code>financement.collectivite.2024</code>"));
    // The hashes.
    assert!(p.contains(&derniere.hash) && p.contains(&derniere.hash_precedent));

    // A creation: its snapshot; an entry that does not exist: 404.
    let r = get(&app, &format!("{LISTE}/{}", derniere.id - 1)).await;
    assert!(r.corps.contains("id=\"instantane\"") && r.corps.contains("Médiateurs familles"));
    assert_eq!(
        get(&app, &format!("{LISTE}/999999")).await.statut,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, &format!("{LISTE}/abc")).await.statut,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn seul_l_administrateur_national_lit_le_journal() {
    let (brut, _, base, _) = en_administrateur().await;
    for c in pacte_web::demo::COMPTES {
        let app = en_tant_que(&brut, &base, c.role, c.perimetre).await;
        let attendu = if c.role == "administrateur_national" {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        for uri in [LISTE.to_string(), format!("{LISTE}/1")] {
            let r = get(&app, &uri).await;
            assert_eq!(r.statut, attendu, "{} {uri}", c.role);
        }
        let menu = get(&app, "/referentiel").await.corps;
        assert_eq!(
            menu.contains(&format!("href=\"{LISTE}\"")),
            c.role == "administrateur_national",
            "menu de {}",
            c.role
        );
    }
    let r = get(&brut, LISTE).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    assert!(
        r.entetes[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/connexion")
    );
}

#[tokio::test]
async fn une_entree_falsifiee_rompt_la_chaine() {
    let (_, app, _, url) = en_administrateur().await;
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .expect("connexion directe");
    let n = sqlx::query("UPDATE audit SET acteur = 'quelqu''un' WHERE id = 5")
        .execute(&mut conn)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(n, 1);
    conn.close().await.unwrap();

    let r = get(&app, LISTE).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("fr-alert--error"), "{}", r.corps);
    assert!(!r.corps.contains("Chaîne intègre"));
    assert!(r.corps.contains("Chaîne rompue à l'entrée n° 5"), "{}", r.corps);
    assert!(
        r.corps
            .contains("le contenu de l&#39;entrée 5 a été modifié après son écriture")
    );
    assert!(r.corps.contains(&format!("href=\"{LISTE}/5\"")));
    // Asked for explicitly (what a long log offers), on any page: the same verification.
    let r = get(&app, &format!("{LISTE}?page=2&verifier=oui")).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("Chaîne rompue à l'entrée n° 5"), "{}", r.corps);
}

#[tokio::test]
async fn un_long_journal_est_verifie_a_la_demande() {
    let (_, app, base, _) = en_administrateur().await;
    // The national set's size plus a third: 166 contracts of 60 fiches.
    base.importer(&pacte_core::jeu_national::jeu_national(166, 60), "cli:test")
        .await
        .unwrap();
    let n = total(&base).await;
    assert!(n > pacte_web::pages::journal::VERIFICATION_AUTOMATIQUE, "{n}");
    let r = get(&app, &format!("{LISTE}?entite=contrat&page=2")).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(
        !r.corps.contains("Chaîne intègre"),
        "pas de vérification d'office"
    );
    assert!(r.corps.contains("elle n'est faite qu'à la demande"));
    assert!(r.corps.contains(&format!(
        "href=\"{LISTE}?entite=contrat&#38;page=2&#38;verifier=oui\">Vérifier la chaîne</a>"
    )));
    let r = get(&app, &format!("{LISTE}?entite=contrat&page=2&verifier=oui")).await;
    let attendu = format!(
        "Chaîne intègre : {} entrées vérifiées",
        pacte_web::pages::journal::nombre(n)
    );
    assert!(r.corps.contains(&attendu), "{}", r.corps);
    assert_eq!(numeros(&r.corps).len(), 50);
}
