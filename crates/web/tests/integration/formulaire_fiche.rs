//! The fiche form people can work in: a 409 that keeps what was typed beside the other
//! version, totals computed on the server, full labels, formatted amounts, findings at the top
//! after saving, rows beyond the blank ones; and the contract file messages and format page.

use crate::commun::{Reponse, app_demo, en_tant_que, envoyer, get, post_formulaire};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

const ROLE: &str = "collectivite_editeur";
// Rennes Métropole: the demonstration leaves it without a contract, so its editor may create one.
const PERIMETRE: &str = "collectivite:243500139";

fn location(r: &Reponse) -> String {
    r.entetes
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn version(html: &str) -> String {
    let i = html.find("name=\"version\" value=\"").expect("version") + 22;
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

async fn poster(app: &Router, uri: &str, champs: &[(&str, String)]) -> Reponse {
    let c: Vec<(&str, &str)> = champs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post_formulaire(app, uri, &c).await
}

async fn nouveau_contrat(app: &Router) -> i64 {
    let r = post_formulaire(
        app,
        "/contrats/nouveau",
        &[
            ("collectivite", "243500139"),
            ("intitule", "Contrat de test"),
            ("debut", "2024-01-01"),
            ("fin", "2027-12-31"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    location(&r).strip_prefix("/contrats/").unwrap().parse().unwrap()
}

fn fiche(description: &str, etat: &str, collectivite: &str) -> Vec<(&'static str, String)> {
    vec![
        ("numero", "1.1".into()),
        ("intitule", "Médiateurs familles".into()),
        ("description", description.into()),
        ("sous_axe", "A1-1.1".into()),
        ("nature", "nouvelle".into()),
        ("financement.etat.2024", etat.into()),
        ("financement.collectivite.2024", collectivite.into()),
        ("depenses.0.poste", "Personnel".into()),
        ("depenses.0.montants.2024", "60000".into()),
    ]
}

/// A contract of the test editor with fiche 1.1 (State 40 000, collectivity 30 000, one
/// expense line of 60 000 in 2024), and the fiche form's address.
async fn contrat_et_fiche(app: &Router) -> (i64, String) {
    let id = nouveau_contrat(app).await;
    let r = poster(
        app,
        &format!("/contrats/{id}/fiches/nouvelle"),
        &fiche("Première version", "40000", "30000"),
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    (id, format!("/contrats/{id}/fiches/1.1/modifier"))
}

/// The `<tr data-annee="…">` row of the totals table.
fn ligne_totaux<'a>(html: &'a str, annee: &str) -> &'a str {
    let debut = html
        .find(&format!("<tr data-annee=\"{annee}\">"))
        .unwrap_or_else(|| panic!("ligne {annee}"));
    &html[debut..debut + html[debut..].find("</tr>").unwrap()]
}

#[tokio::test]
async fn le_conflit_garde_la_saisie_a_cote_de_l_autre_version() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let (id, uri) = contrat_et_fiche(&app).await;
    // Two tabs open the form at the same version.
    let v = version(&get(&app, &uri).await.corps);
    let mut premier = fiche("Texte de l'autre onglet", "40000", "45000");
    premier.push(("version", v.clone()));
    assert_eq!(poster(&app, &uri, &premier).await.statut, StatusCode::SEE_OTHER);

    let tape = "Une longue description tapée dans le second onglet,\r\nsur deux lignes.";
    let mut second = fiche(tape, "40000", "30 000");
    second.push(("version", v.clone()));
    let r = poster(&app, &uri, &second).await;
    assert_eq!(r.statut, StatusCode::CONFLICT);
    // What was typed is in the form.
    assert!(
        r.corps.contains("sur deux lignes.</textarea>") && r.corps.contains("Une longue description tapée"),
        "{}",
        r.corps
    );
    // Beside it, field by field, the other person's version; the same amount written two
    // ways is not a difference (40000 / 40 000).
    let panneau = &r.corps[r.corps.find("id=\"conflit\"").expect("panneau du conflit")..];
    let panneau = &panneau[..panneau.find("</table>").unwrap()];
    assert!(
        panneau.contains("href=\"#champ-description\">Description</a>"),
        "{panneau}"
    );
    assert!(panneau.contains("data-enregistre=\"champ-description\">Texte de l&#39;autre onglet<"));
    assert!(panneau.contains("data-saisi=\"champ-financement-collectivite-2024\">30 000<"));
    assert!(panneau.contains("data-enregistre=\"champ-financement-collectivite-2024\">45 000<"));
    assert!(!panneau.contains("champ-financement-etat-2024"), "{panneau}");
    assert_eq!(
        panneau.matches("<tr>").count(),
        3,
        "header + 2 differences: {panneau}"
    );
    // Nothing written; the page carries the stored version, so saving again replaces it.
    let stockee = base.contrat(id).await.unwrap();
    assert_eq!(
        stockee.contrat.fiches[0].description.as_deref(),
        Some("Texte de l'autre onglet")
    );
    let v2 = version(&r.corps);
    assert_ne!(v2, v);
    let mut encore = second.clone();
    encore.retain(|(k, _)| *k != "version");
    encore.push(("version", v2));
    let r = poster(&app, &uri, &encore).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let c = base.contrat(id).await.unwrap();
    assert_eq!(
        c.contrat.fiches[0].description.as_deref(),
        Some("Une longue description tapée dans le second onglet,\nsur deux lignes.")
    );
}

#[tokio::test]
async fn totaux_libelles_montants_et_constats_en_tete() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let (id, uri) = contrat_et_fiche(&app).await;
    let r = get(&app, &format!("{uri}?enregistre=1")).await;
    assert_eq!(r.statut, StatusCode::OK);
    let html = &r.corps;

    // Totals of 2024: A = 40 000, B = 30 000, F = 70 000; expenses 60 000: 10 000 apart;
    // the State above the collectivity (R-COFI-50).
    let l = ligne_totaux(html, "2024");
    for attendu in [
        "40 000,00 €",
        "30 000,00 €",
        "70 000,00 €",
        "60 000,00 €",
        "R-COFI-50",
        "écart de 10 000,00 €",
    ] {
        assert!(l.contains(attendu), "{attendu} : {l}");
    }
    // 2025 has nothing, and an expense line exists: nothing to report (0 = 0).
    let l = ligne_totaux(html, "2025");
    assert!(!l.contains("R-COFI-50") && !l.contains("R-TAB-02"), "{l}");
    let l = ligne_totaux(html, "total");
    assert!(l.contains("70 000,00 €"), "{l}");
    // The script that keeps them up to date is a file of the application.
    assert!(html.contains("<script src=\"/statique/pacte-fiche.js\" defer></script>"));
    let js = get(&app, "/statique/pacte-fiche.js").await;
    assert_eq!(js.statut, StatusCode::OK);
    assert!(
        js.entetes[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(js.corps.contains("data-totaux"));

    // Amounts in French digit groups; full référentiel labels.
    assert!(
        html.contains("name=\"financement.etat.2024\" value=\"40 000\""),
        "montant formaté"
    );
    let selects = &html
        [html.find("id=\"champ-sous_axe\"").unwrap()..html.find("id=\"champ-hors_referentiel\"").unwrap()];
    assert!(!selects.contains('…'), "libellés complets");
    assert!(selects.contains("data-") || selects.contains("<optgroup label=\"A1-1.1 — "));

    // After saving, the findings are at the top, each linking to its field.
    let bandeau = &html[html.find("id=\"enregistrement\"").expect("bandeau")..];
    let bandeau = &bandeau[..bandeau.find("</div>").unwrap()];
    assert!(
        bandeau.contains(&format!(
            "href=\"/contrats/{id}/fiches/1.1/modifier#champ-financement-etat-2024\""
        )),
        "{bandeau}"
    );
    assert!(
        bandeau.contains("R-COFI-50") && bandeau.contains("R-TAB-02"),
        "{bandeau}"
    );
    // Sections fold; rows carry their markers for the script.
    assert!(html.contains("<details class=\"pacte-section\" open>"));
    assert!(html.contains("data-lignes=\"depenses\""));
}

#[tokio::test]
async fn lignes_ajoutees_sans_enregistrer() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let (id, uri) = contrat_et_fiche(&app).await;
    let v = version(&get(&app, &uri).await.corps);
    // Rows 0, 4 and 9: the script numbers added rows after the last one and removes rows
    // whole; the server reads every row up to its bound, whatever the gaps.
    let mut f = fiche("x", "40000", "40000");
    f.extend([
        ("depenses.4.poste", "Locaux".to_string()),
        ("depenses.4.montants.2024", "15 000".to_string()),
        ("depenses.9.poste", "Déplacements".to_string()),
        ("depenses.9.montants.2024", "5000".to_string()),
        ("financement.autres.3.nom", "CAF".to_string()),
        ("financement.autres.3.montants.2024", "1 000".to_string()),
        ("version", v),
    ]);
    let r = poster(&app, &uri, &f).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let c = base.contrat(id).await.unwrap();
    let postes: Vec<&str> = c.contrat.fiches[0]
        .depenses
        .iter()
        .map(|d| d.poste.as_str())
        .collect();
    assert_eq!(postes, ["Personnel", "Locaux", "Déplacements"]);
    assert_eq!(c.contrat.fiches[0].financement.autres[0].nom, "CAF");
    // Expenses 60 000 + 15 000 + 5 000 = 80 000; F = 40 000 + 40 000 + 1 000 (CAF) = 81 000.
    let html = get(&app, &uri).await.corps;
    assert!(ligne_totaux(&html, "2024").contains("écart de 1 000,00 €"));
}

fn multipart(nom: &str, contenu: &[u8]) -> Request<Body> {
    let frontiere = "----pacte-test-frontiere";
    let mut corps = format!(
        "--{frontiere}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{nom}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    corps.extend_from_slice(contenu);
    corps.extend_from_slice(format!("\r\n--{frontiere}--\r\n").as_bytes());
    Request::post("/contrats/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={frontiere}"),
        )
        .body(Body::from(corps))
        .unwrap()
}

#[tokio::test]
async fn messages_des_fichiers_et_page_du_format() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let avant = base.contrats().await.unwrap().len();
    for (nom, octets, attendu) in [
        (
            "capture.toml",
            &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0"[..],
            "Ce fichier est une image PNG",
        ),
        (
            "budget.toml",
            b"numero;intitule;etat\n1.1;Accueil;40000\n",
            "est un tableau (CSV",
        ),
        ("vide.toml", b"\n\n", "Le fichier est vide"),
        ("contrat.pdf", b"%PDF-1.7\n%\xe2\xe3", "un document PDF"),
    ] {
        let r = envoyer(&app, multipart(nom, octets)).await;
        assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "{nom}");
        assert!(r.corps.contains(attendu), "{nom} : {}", r.corps);
        assert!(r.corps.contains("href=\"/aide/format-contrat\""), "{nom}");
        assert!(!r.corps.contains("docs/FORMAT-CONTRAT.md"), "{nom}");
    }
    // Too big: a French page naming the limit, announced beside the upload field beforehand.
    let liste = get(&app, "/contrats").await;
    assert!(liste.corps.contains("2 Mo au plus"), "limite annoncée");
    let gros = vec![b'#'; 3 * 1024 * 1024];
    let r = envoyer(&app, multipart("gros.toml", &gros)).await;
    assert_eq!(r.statut, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.corps.contains("Envoi trop volumineux") && r.corps.contains("2 Mo"),
        "{}",
        r.corps
    );
    assert_eq!(base.contrats().await.unwrap().len(), avant, "nothing imported");

    // The format page and the blank contract, served by the application.
    let r = get(&app, "/aide/format-contrat").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("<h2 id=\"3-en-tête-contrat\">"), "titres ancrés");
    assert!(r.corps.contains("href=\"/aide/modele-contrat.toml\""));
    let r = get(&app, "/aide/modele-contrat.toml").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(
        r.entetes[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("modele-contrat.toml")
    );
    pacte_core::fichier::lire_toml(&r.corps).expect("le modèle se lit");
    let r = get(&app, "/aide/exemples/illisible.toml").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert_eq!(
        get(&app, "/aide/exemples/..%2FCargo.toml").await.statut,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn le_conflit_sur_l_en_tete_garde_la_saisie() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let id = nouveau_contrat(&app).await;
    let uri = format!("/contrats/{id}/modifier");
    let v = version(&get(&app, &uri).await.corps);
    let entete = |intitule: &str, v: &str| {
        vec![
            ("collectivite", "243500139".to_string()),
            ("intitule", intitule.to_string()),
            ("debut", "2024-01-01".to_string()),
            ("fin", "2027-12-31".to_string()),
            ("version", v.to_string()),
        ]
    };
    let r = poster(&app, &uri, &entete("Intitulé de l'autre onglet", &v)).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let r = poster(&app, &uri, &entete("Mon intitulé tapé", &v)).await;
    assert_eq!(r.statut, StatusCode::CONFLICT);
    assert!(r.corps.contains("value=\"Mon intitulé tapé\""), "saisie gardée");
    assert!(
        r.corps
            .contains("data-enregistre=\"champ-intitule\">Intitulé de l&#39;autre onglet<"),
        "{}",
        r.corps
    );
    assert_eq!(
        base.contrat(id)
            .await
            .unwrap()
            .contrat
            .contrat
            .intitule
            .as_deref(),
        Some("Intitulé de l'autre onglet")
    );
    let r = poster(&app, &uri, &entete("Mon intitulé tapé", &version(&r.corps))).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
}

#[tokio::test]
async fn liste_cherche_et_filtre_en_ordre_francais() {
    let (app, base, _) = app_demo().await;
    let app = en_tant_que(&app, &base, "administrateur_national", "national").await;
    // Search without accents nor case; page links keep the filters.
    let r = get(&app, "/contrats?q=aix+MARSEILLE").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(
        r.corps.contains("Métropole d&#39;Aix-Marseille-Provence"),
        "{}",
        r.corps
    );
    assert!(!r.corps.contains("Montpellier Méditerranée"), "filtré");
    assert!(r.corps.contains("Contrats trouvés (1 sur"), "légende");
    let r = get(&app, "/contrats?q=zzzz").await;
    assert!(r.corps.contains("Aucun contrat ne répond à ces critères."));
    // Région and département filters; unknown codes are refused in French.
    let r = get(&app, "/contrats?departement=34").await;
    assert!(r.corps.contains("Montpellier") && !r.corps.contains("Aix-Marseille-Provence</a>"));
    let r = get(&app, "/contrats?region=99x").await;
    assert_eq!(r.statut, StatusCode::BAD_REQUEST);
    assert!(r.corps.contains("La région « 99x » n&#39;existe pas"));
    // Findings and derogation filters answer.
    for q in ["constats=bloquants", "constats=sans", "derogation=attendue"] {
        assert_eq!(
            get(&app, &format!("/contrats?{q}")).await.statut,
            StatusCode::OK,
            "{q}"
        );
    }
    // Regions and départements in French order: « Île-de-France » between « Hauts-de-France »
    // and « Normandie », « Ain » before « Aisne » before « Eure-et-Loir ».
    let html = get(&app, "/contrats").await.corps;
    let pos = |t: &str| html.find(t).unwrap_or_else(|| panic!("{t}"));
    assert!(pos(">Hauts-de-France<") < pos(">Île-de-France<"));
    assert!(pos(">Île-de-France<") < pos(">Normandie<"));
    assert!(pos(">Ain (01)<") < pos(">Aisne (02)<"));
    assert!(pos(">Aisne (02)<") < pos(">Eure-et-Loir (28)<"));
}

#[tokio::test]
async fn fiches_du_contrat_sur_quatre_ans_et_derogation_proposee_hors_referentiel() {
    let (brut, base, ids) = app_demo().await;
    // Montpellier (Occitanie): fiche 3.4 is outside the référentiel, 1.1 is not.
    let montpellier = ids[2];
    let app = en_tant_que(&brut, &base, "commissaire", "region:76").await;
    let r = get(&app, &format!("/contrats/{montpellier}/fiches/3.4")).await;
    assert!(r.corps.contains("Accorder une dérogation"));
    let r = get(&app, &format!("/contrats/{montpellier}/fiches/1.1")).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(
        !r.corps.contains("Accorder une dérogation"),
        "fiche du référentiel"
    );

    // The contract page's fiche tables show the four years and their total.
    let c = base.contrat(montpellier).await.unwrap();
    let f = &c
        .contrat
        .fiches
        .iter()
        .find(|f| f.numero.to_string() == "1.1")
        .unwrap();
    let t = pacte_core::totaux::totaux_fiche(f);
    let html = get(&app, &format!("/contrats/{montpellier}")).await.corps;
    let debut = html
        .find(&format!(
            "class=\"fr-cell--multiline\"><a href=\"/contrats/{montpellier}/fiches/1.1\""
        ))
        .unwrap();
    let ligne = &html[debut..debut + html[debut..].find("</tr>").unwrap()];
    for a in &t.annees {
        assert!(ligne.contains(&a.etat.to_string()), "{}", a.annee);
    }
    assert!(
        ligne.contains(&format!("<strong>{}</strong>", t.ensemble.etat)),
        "{ligne}"
    );
    assert!(html.contains(">2027<span class=\"fr-hint-text\">État / collectivité</span>"));
}

#[tokio::test]
async fn demonstration_complete_jouable_par_chaque_role() {
    use pacte_core::contrat::EtatContrat;
    let base = crate::commun::base_neuve().await;
    let debut = std::time::Instant::now();
    let ids = pacte_web::demo::charger_complet(&base).await.unwrap();
    let duree = debut.elapsed();
    eprintln!(
        "charger_complet : {} contrats en {:.2} s",
        ids.len(),
        duree.as_secs_f64()
    );
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
    // The full national set: one contract per eligible collectivity, every state present,
    // no collectivity twice.
    let tous = base.contrats().await.unwrap();
    let n_eligibles = pacte_core::territoires::territoires()
        .collectivites
        .iter()
        .filter(|k| {
            matches!(
                k.eligibilite,
                pacte_core::territoires::Eligibilite::Calpae
                    | pacte_core::territoires::Eligibilite::VilleDeMarseille
                    | pacte_core::territoires::Eligibilite::Departement
            )
        })
        .count();
    // Every eligible collectivity but Rennes Métropole and Brest Métropole, left for trying a
    // creation and an import.
    assert_eq!(tous.len(), n_eligibles - 2);
    assert!(
        tous.iter()
            .all(|c| c.collectivite != pacte_web::demo::SANS_CONTRAT
                && c.collectivite != pacte_web::demo::SANS_CONTRAT_IMPORT)
    );
    let mut codes: Vec<&str> = tous.iter().map(|c| c.collectivite.as_str()).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), tous.len(), "une collectivité sous contrat deux fois");
    for e in EtatContrat::TOUS {
        assert!(tous.iter().any(|c| c.etat == e), "{e:?}");
    }

    // The AMP editor: its contract in negotiation, offered on its dashboard.
    let amp = ids[0];
    assert_eq!(
        base.contrat(amp).await.unwrap().contrat.contrat.etat,
        EtatContrat::Negociation
    );
    let editeur = en_tant_que(&brut, &base, "collectivite_editeur", "collectivite:200054807").await;
    let r = get(&editeur, "/").await;
    assert!(r.corps.contains("id=\"votre-travail\""), "{}", r.corps);
    assert!(
        r.corps
            .contains(&format!("href=\"/contrats/{amp}/fiches/nouvelle\""))
    );
    let r = get(&editeur, &format!("/contrats/{amp}/fiches/1.1/modifier")).await;
    assert_eq!(r.statut, StatusCode::OK, "l'éditeur modifie sa fiche");

    // The partner's dashboard says why it is empty.
    let partenaire = en_tant_que(
        &brut,
        &base,
        "partenaire",
        "organisation:CAF des Bouches-du-Rhône",
    )
    .await;
    let r = get(&partenaire, "/").await;
    assert!(r.corps.contains("Pourquoi aucun contrat ?"), "{}", r.corps);
    // A reader changes nothing: no « à vous de jouer ».
    let lecteur = en_tant_que(&brut, &base, "lecteur_national", "national").await;
    assert!(!get(&lecteur, "/").await.corps.contains("id=\"votre-travail\""));
}
