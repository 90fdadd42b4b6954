//! Write pages: contract and fiche forms, findings next to their fields, lifecycle, conflicts,
//! contract files.

/// The identity these tests act as (see `crate::commun::en_tant_que`).
const ROLE: &str = "collectivite_editeur";
const PERIMETRE: &str = "collectivite:243400017";

use crate::commun::{Reponse, app_demo, en_tant_que, envoyer, get, post_formulaire};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pacte_core::contrat::EtatContrat;
use pacte_core::fichier::lire_toml;
use pacte_store::Base;

const AMP: &str = include_str!("../../../../exemples/metropole-aix-marseille-provence.toml");
const ILLISIBLE: &str = include_str!("../../../../exemples/illisible.toml");

fn location(r: &Reponse) -> String {
    r.entetes
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The form group (`fr-input-group`, `fr-select-group`, `fr-checkbox-group`) holding the field
/// with HTML id `id`.
fn groupe_du_champ<'a>(html: &'a str, id: &str) -> &'a str {
    let attribut = format!("id=\"{id}\"");
    let i = html.find(&attribut).unwrap_or_else(|| panic!("aucun champ {id}"));
    let marques = [
        "class=\"fr-input-group",
        "class=\"fr-select-group",
        "class=\"fr-checkbox-group",
    ];
    let debut = marques
        .iter()
        .filter_map(|m| html[..i].rfind(m))
        .max()
        .expect("début du groupe");
    let fin = marques
        .iter()
        .filter_map(|m| html[i..].find(m).map(|j| i + j))
        .min()
        .unwrap_or(html.len());
    &html[debut..fin]
}

/// The `value` of the input with HTML id `id`, unescaped.
fn valeur_du_champ(html: &str, id: &str) -> String {
    let groupe = groupe_du_champ(html, id);
    let balise = &groupe[groupe.find(&format!("id=\"{id}\" name=")).expect("champ")..];
    let v = &balise[balise.find("value=\"").expect("value") + 7..];
    desechapper(&v[..v.find('"').unwrap()])
}

fn desechapper(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#43;", "+")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

/// The hidden `version` of the form posting to `action`.
fn version(html: &str) -> String {
    let i = html.find("name=\"version\" value=\"").expect("version") + 22;
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

/// The application on a base without contracts: the contract a test creates is its
/// collectivity's only one (one contract per collectivity and period).
async fn app_sans_contrats() -> (Router, Base, Vec<i64>) {
    let base = crate::commun::base_neuve().await;
    let app = pacte_web::application(
        base.clone(),
        pacte_web::Options {
            demonstration: true,
            cout_hachage: pacte_web::comptes::mot_de_passe::Cout::Test,
            ..Default::default()
        },
    );
    (app, base, Vec::new())
}

async fn nouveau_contrat(app: &Router) -> i64 {
    let r = post_formulaire(
        app,
        "/contrats/nouveau",
        &[
            ("collectivite", "243400017"),
            ("intitule", "Contrat de test"),
            ("debut", "2024-01-01"),
            ("fin", "2027-12-31"),
            ("montants_proposes.1", "400 000"),
            ("montants_proposes.2", "300000"),
            ("montants_proposes.3", "350000"),
            ("montants_proposes.4", "300000"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let l = location(&r);
    l.strip_prefix("/contrats/")
        .and_then(|i| i.parse().ok())
        .unwrap_or_else(|| panic!("{l}"))
}

fn fiche(etat: &str, collectivite: &str) -> Vec<(&'static str, String)> {
    vec![
        ("numero", "1.1".into()),
        ("intitule", "Médiateurs familles".into()),
        ("sous_axe", "A1-1.1".into()),
        ("nature", "nouvelle".into()),
        ("financement.etat.2024", etat.into()),
        ("financement.collectivite.2024", collectivite.into()),
        ("depenses.0.poste", "Personnel".into()),
        ("depenses.0.montants.2024", "90000".into()),
    ]
}

async fn poster(app: &Router, uri: &str, champs: &[(&str, String)]) -> Reponse {
    let c: Vec<(&str, &str)> = champs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post_formulaire(app, uri, &c).await
}

#[tokio::test]
async fn creation_d_un_contrat_par_le_formulaire() {
    let (app, base, _) = app_sans_contrats().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let r = get(&app, "/contrats/nouveau").await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("Bordeaux Métropole"), "liste des collectivités");
    assert!(r.corps.contains("id=\"champ-montants_proposes-2\""));
    assert!(!r.corps.contains("<script>") && !r.corps.contains("style="));

    let id = nouveau_contrat(&app).await;
    let c = base.contrat(id).await.unwrap();
    assert_eq!(c.contrat.contrat.collectivite, "243400017");
    assert_eq!(c.contrat.contrat.etat, EtatContrat::Brouillon);
    assert_eq!(
        c.contrat
            .contrat
            .montants_proposes
            .values()
            .next()
            .unwrap()
            .en_centimes(),
        40_000_000
    );

    // Missing collectivity and unreadable date: 422, typed values kept, nothing written.
    let avant = base.contrats().await.unwrap().len();
    let r = post_formulaire(
        &app,
        "/contrats/nouveau",
        &[
            ("collectivite", ""),
            ("intitule", "Mon <contrat>"),
            ("debut", "2024-13-45"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.corps.contains("« Collectivité » est obligatoire"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("Date invalide pour « Début du contrat »"));
    assert_eq!(valeur_du_champ(&r.corps, "champ-intitule"), "Mon <contrat>");
    assert_eq!(base.contrats().await.unwrap().len(), avant);

    // The header form, with the findings of the contract next to their fields.
    let r = get(&app, &format!("/contrats/{id}/modifier")).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert_eq!(valeur_du_champ(&r.corps, "champ-montants_proposes-1"), "400000");
    let v = version(&r.corps);
    let r = post_formulaire(
        &app,
        &format!("/contrats/{id}/modifier"),
        &[
            ("version", &v),
            ("collectivite", "243400017"),
            ("intitule", "Nouvel intitulé"),
            ("debut", "2024-01-01"),
        ],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let r = get(&app, &location(&r)).await;
    // No end date any more: R-CAL-01 is shown next to the field.
    assert!(groupe_du_champ(&r.corps, "champ-fin").contains("R-CAL-01"));
    assert_eq!(
        base.contrat(id)
            .await
            .unwrap()
            .contrat
            .contrat
            .intitule
            .as_deref(),
        Some("Nouvel intitulé")
    );

    // The same stale version again: 409, naming who changed it.
    let r = post_formulaire(
        &app,
        &format!("/contrats/{id}/modifier"),
        &[("version", &v), ("collectivite", "243400017")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT);
    assert!(r.corps.contains("@test.pacte.example"), "{}", r.corps);
}

#[tokio::test]
async fn constat_affiche_a_cote_du_champ_puis_corrige() {
    let (app, base, _) = app_sans_contrats().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let id = nouveau_contrat(&app).await;
    let r = get(&app, &format!("/contrats/{id}/fiches/nouvelle")).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("id=\"champ-financement-etat-2024\""));
    assert!(r.corps.contains("id=\"champ-indicateurs-0-t0\""));

    let r = poster(
        &app,
        &format!("/contrats/{id}/fiches/nouvelle"),
        &fiche("50000", "40000"),
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let page = location(&r);
    assert!(
        page.starts_with(&format!("/contrats/{id}/fiches/1.1/modifier")),
        "{page}"
    );
    let r = get(&app, &page).await;
    assert_eq!(r.statut, StatusCode::OK);
    let etat_2024 = groupe_du_champ(&r.corps, "champ-financement-etat-2024");
    assert!(etat_2024.contains("R-COFI-50"), "{etat_2024}");
    assert!(etat_2024.contains("fr-input-group"));
    assert!(!groupe_du_champ(&r.corps, "champ-financement-collectivite-2024").contains("R-COFI-50"));
    assert!(!groupe_du_champ(&r.corps, "champ-financement-etat-2025").contains("R-COFI-50"));
    // The fiche has no local indicator: R-IND-01 is on the indicators' fieldset.
    assert!(r.corps.contains("R-IND-01"));

    // The fiche page lists the finding, linking to the field.
    let vue = get(&app, &format!("/contrats/{id}/fiches/1.1")).await;
    assert_eq!(vue.statut, StatusCode::OK);
    assert!(vue.corps.contains(&format!(
        "/contrats/{id}/fiches/1.1/modifier#champ-financement-etat-2024"
    )));
    assert!(vue.corps.contains("90 000,00 €"));

    // Fixed: the collectivity matches the State share; the finding disappears.
    let mut champs = fiche("50000", "50000");
    champs.push(("version", version(&r.corps)));
    let r = poster(&app, &format!("/contrats/{id}/fiches/1.1/modifier"), &champs).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let r = get(&app, &location(&r)).await;
    assert!(!groupe_du_champ(&r.corps, "champ-financement-etat-2024").contains("R-COFI-50"));
    assert!(
        !r.corps.contains("R-COFI-50</span>"),
        "plus aucun constat R-COFI-50"
    );

    // Renumbered: the form follows the fiche to its new number.
    let mut champs = fiche("50000", "50000");
    champs[0].1 = "1.2".into();
    champs.push(("version", version(&r.corps)));
    let r = poster(&app, &format!("/contrats/{id}/fiches/1.1/modifier"), &champs).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert!(location(&r).starts_with(&format!("/contrats/{id}/fiches/1.2/modifier")));
    let c = base.contrat(id).await.unwrap();
    assert_eq!(
        c.contrat.fiches[0]
            .financement
            .collectivite
            .values()
            .next()
            .unwrap()
            .en_centimes(),
        5_000_000
    );
    assert_eq!(c.contrat.fiches[0].numero.to_string(), "1.2");
}

#[tokio::test]
async fn saisie_invalide_renvoyee_telle_quelle() {
    let (app, base, _) = app_sans_contrats().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let id = nouveau_contrat(&app).await;
    let mut champs = fiche("abc", "-5");
    champs.push(("indicateurs.0.libelle", "Familles".into()));
    champs.push(("indicateurs.0.t0", "douze".into()));
    champs.push(("financement.autres.0.montants.2025", "1000".into()));
    let r = poster(&app, &format!("/contrats/{id}/fiches/nouvelle"), &champs).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(valeur_du_champ(&r.corps, "champ-financement-etat-2024"), "abc");
    assert_eq!(
        valeur_du_champ(&r.corps, "champ-financement-collectivite-2024"),
        "-5"
    );
    assert_eq!(valeur_du_champ(&r.corps, "champ-indicateurs-0-t0"), "douze");
    assert_eq!(valeur_du_champ(&r.corps, "champ-intitule"), "Médiateurs familles");
    let etat = groupe_du_champ(&r.corps, "champ-financement-etat-2024");
    assert!(
        etat.contains("fr-input-group--error") && etat.contains("fr-error-text"),
        "{etat}"
    );
    assert!(
        etat.contains("Montant invalide pour « État 2024 » : « abc » n&#39;est pas un montant"),
        "{etat}"
    );
    assert!(
        groupe_du_champ(&r.corps, "champ-financement-collectivite-2024")
            .contains("Montant invalide pour « Collectivité 2024 » : « -5 » est négatif")
    );
    assert!(
        groupe_du_champ(&r.corps, "champ-financement-autres-0-nom")
            .contains("le nom du cofinanceur est obligatoire")
    );
    assert!(r.corps.contains("4 champs sont à corriger"), "{}", r.corps);
    assert!(
        base.contrat(id).await.unwrap().contrat.fiches.is_empty(),
        "rien n'est écrit"
    );

    // A number already taken.
    let r = poster(&app, &format!("/contrats/{id}/fiches/nouvelle"), &fiche("1", "1")).await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    let r = poster(&app, &format!("/contrats/{id}/fiches/nouvelle"), &fiche("1", "1")).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(groupe_du_champ(&r.corps, "champ-numero").contains("Le numéro 1.1 est déjà porté"));
}

#[tokio::test]
async fn conflit_de_version_et_suppression() {
    let (app, base, _) = app_sans_contrats().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let id = nouveau_contrat(&app).await;
    let r = poster(
        &app,
        &format!("/contrats/{id}/fiches/nouvelle"),
        &fiche("40000", "40000"),
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    let uri = format!("/contrats/{id}/fiches/1.1/modifier");
    let v = version(&get(&app, &uri).await.corps);

    let mut premier = fiche("40000", "45000");
    premier.push(("version", v.clone()));
    assert_eq!(poster(&app, &uri, &premier).await.statut, StatusCode::SEE_OTHER);
    let mut second = fiche("1", "1");
    second.push(("version", v.clone()));
    let r = poster(&app, &uri, &second).await;
    assert_eq!(r.statut, StatusCode::CONFLICT);
    // The form comes back with what was typed, the other version beside it, nothing written.
    assert!(
        r.corps.contains("@test.pacte.example")
            && r.corps.contains("Vos modifications n'ont pas été enregistrées"),
        "{}",
        r.corps
    );
    assert_eq!(
        valeur_du_champ(&r.corps, "champ-financement-collectivite-2024"),
        "1"
    );
    assert!(
        r.corps
            .contains("data-enregistre=\"champ-financement-collectivite-2024\">45 000<")
    );
    assert_ne!(
        version(&r.corps),
        v,
        "the stored version, to save over it knowingly"
    );
    let c = base.contrat(id).await.unwrap();
    assert_eq!(
        c.contrat.fiches[0]
            .financement
            .collectivite
            .values()
            .next()
            .unwrap()
            .en_centimes(),
        4_500_000
    );

    // Deletion with the stale version: refused; with the current one: done.
    let r = post_formulaire(
        &app,
        &format!("/contrats/{id}/fiches/1.1/supprimer"),
        &[("version", &v)],
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT);
    let v = version(&get(&app, &uri).await.corps);
    let r = post_formulaire(
        &app,
        &format!("/contrats/{id}/fiches/1.1/supprimer"),
        &[("version", &v)],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/contrats/{id}"));
    assert!(base.contrat(id).await.unwrap().contrat.fiches.is_empty());
    assert_eq!(get(&app, &uri).await.statut, StatusCode::NOT_FOUND);
}

async fn importer_amp(base: &Base, etat: EtatContrat, sans_deliberation: bool) -> i64 {
    let mut c = lire_toml(AMP).unwrap();
    c.contrat.etat = etat;
    if sans_deliberation {
        c.contrat.date_deliberation = None;
    }
    base.importer(&[c], "test").await.unwrap()[0]
}

async fn changer_etat(app: &Router, base: &Base, id: i64, etat: &str, date: &str) -> Reponse {
    let v = base.contrat(id).await.unwrap().tampon.version.to_string();
    post_formulaire(
        app,
        &format!("/contrats/{id}/etat"),
        &[("etat", etat), ("version", &v), ("date_deliberation", date)],
    )
    .await
}

#[tokio::test]
async fn cycle_de_vie() {
    let (brut, base, ids) = app_demo().await;
    // The commissaire of each region validates; the AMP contract is in Provence-Alpes-Côte
    // d'Azur (93), Montpellier's in Occitanie (76).
    let occitanie = en_tant_que(&brut, &base, "commissaire", "region:76").await;
    let app = en_tant_que(&brut, &base, "commissaire", "region:93").await;
    // Montpellier is in negotiation with blocking findings: validation is refused.
    let montpellier = ids[2];
    let r = changer_etat(&occitanie, &base, montpellier, "valide", "").await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.corps.contains("R-COFI-50") && r.corps.contains("constats bloquants"),
        "{}",
        r.corps
    );
    assert_eq!(
        base.contrat(montpellier).await.unwrap().contrat.contrat.etat,
        EtatContrat::Negociation
    );

    // The AMP contract is clean: validated, then deliberated once the date is given.
    let id = importer_amp(&base, EtatContrat::Negociation, true).await;
    let r = changer_etat(&app, &base, id, "valide", "").await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    // The contract page then says the step succeeded; the validation is recorded as an act.
    assert_eq!(location(&r), format!("/contrats/{id}?etape=validation"));
    assert_eq!(base.actes(id).await.unwrap().len(), 1);
    assert_eq!(
        base.contrat(id).await.unwrap().contrat.contrat.etat,
        EtatContrat::Valide
    );
    let r = changer_etat(&app, &base, id, "signe", "").await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY, "pas d'étape sautée");
    // A step whose act carries something (here the deliberation, R-DOC-05) is taken on its
    // own form with a confirmation (tests/actes.rs): the one-click form sends there and
    // writes nothing.
    let r = changer_etat(&app, &base, id, "delibere", "2024-06-27").await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    assert_eq!(location(&r), format!("/contrats/{id}/etapes/deliberation"));
    assert_eq!(
        base.contrat(id).await.unwrap().contrat.contrat.etat,
        EtatContrat::Valide
    );

    // Stale version: 409, naming who changed the contract.
    let id2 = importer_amp(&base, EtatContrat::Negociation, true).await;
    let e2 = base.contrat(id2).await.unwrap().contrat.contrat;
    base.modifier_entete(id2, &e2, 1, "utilisateur:1:autre@test.pacte.example", |_| Ok(()))
        .await
        .unwrap();
    let r = post_formulaire(
        &app,
        &format!("/contrats/{id2}/etat"),
        &[("etat", "valide"), ("version", "1")],
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT);
    assert!(r.corps.contains("@test.pacte.example"));
    // Unknown state.
    let r = changer_etat(&app, &base, id, "parti", "").await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);

    // The header page offers the next steps.
    let r = get(&app, &format!("/contrats/{id}/modifier")).await;
    assert!(r.corps.contains("name=\"etat\" value=\"delibere\""));
}

fn multipart(nom: &str, contenu: &str) -> Request<Body> {
    let frontiere = "----pacte-test-frontiere";
    let corps = format!(
        "--{frontiere}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{nom}\"\r\nContent-Type: application/toml\r\n\r\n{contenu}\r\n--{frontiere}--\r\n"
    );
    Request::post("/contrats/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={frontiere}"),
        )
        .body(Body::from(corps))
        .unwrap()
}

#[tokio::test]
async fn import_avec_apercu_puis_confirmation() {
    let (app, base, _) = app_sans_contrats().await;
    let app = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let avant = base.contrats().await.unwrap().len();
    let r = envoyer(&app, multipart("amp.toml", AMP)).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert!(
        r.corps.contains("Métropole d&#39;Aix-Marseille-Provence"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("Aucun constat"));
    assert_eq!(
        base.contrats().await.unwrap().len(),
        avant,
        "rien n'est écrit avant la confirmation"
    );
    let i = r.corps.find("name=\"contenu\" value=\"").unwrap() + 22;
    let contenu = desechapper(&r.corps[i..i + r.corps[i..].find('"').unwrap()]);
    assert!(contenu == AMP, "le contenu du fichier est porté tel quel");

    let r = post_formulaire(
        &app,
        "/contrats/import/confirmer",
        &[("contenu", &contenu.replace('\n', "\r\n"))],
    )
    .await;
    assert_eq!(r.statut, StatusCode::SEE_OTHER, "{}", r.corps);
    let id: i64 = location(&r).strip_prefix("/contrats/").unwrap().parse().unwrap();
    assert_eq!(base.contrat(id).await.unwrap().contrat, lire_toml(AMP).unwrap());
    assert_eq!(base.contrats().await.unwrap().len(), avant + 1);
}

#[tokio::test]
async fn import_d_un_fichier_illisible() {
    let (app, base, _) = app_sans_contrats().await;
    let app = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let avant = base.contrats().await.unwrap().len();
    let r = envoyer(&app, multipart("illisible.toml", ILLISIBLE)).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.corps
            .contains("Ligne 30, colonne 39, champ « fiches[0].financement.collectivite.2025 »"),
        "{}",
        r.corps
    );
    assert!(r.corps.contains("« -5000 » est négatif"));
    assert!(
        r.corps.contains("collectivite = { 2024 = 45000, 2025 = -5000"),
        "extrait de la ligne"
    );

    let r = envoyer(&app, multipart("vide.toml", "")).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    // Not UTF-8, a broken envelope, no file at all: refused, never an internal error.
    let latin1 = Request::post("/contrats/import")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .body(Body::from(
            b"--x\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"a.toml\"\r\n\r\n\xe9t\xe9\r\n--x--\r\n".to_vec(),
        ))
        .unwrap();
    let r = envoyer(&app, latin1).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.corps.contains("UTF-8"));
    let casse = Request::post("/contrats/import")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .body(Body::from(
            "--x\r\nContent-Disposition: form-data; name=\"fichier\"\r\n\r\nabc",
        ))
        .unwrap();
    assert!(envoyer(&app, casse).await.statut.is_client_error());
    let sans_fichier = Request::post("/contrats/import")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .body(Body::from(
            "--x\r\nContent-Disposition: form-data; name=\"autre\"\r\n\r\nabc\r\n--x--\r\n",
        ))
        .unwrap();
    assert_eq!(
        envoyer(&app, sans_fichier).await.statut,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = post_formulaire(&app, "/contrats/import/confirmer", &[("contenu", "[contrat\n")]).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.corps.contains("Ligne 1"));
    let double = format!("{AMP}\n[[fiches]]\nnumero = \"1.1\"\nintitule = \"Doublon\"\n");
    let r = envoyer(&app, multipart("double.toml", &double)).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("Import impossible") && !r.corps.contains("name=\"contenu\""));
    let r = post_formulaire(&app, "/contrats/import/confirmer", &[("contenu", &double)]).await;
    assert_eq!(r.statut, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(base.contrats().await.unwrap().len(), avant);
}

#[tokio::test]
async fn telechargement_du_fichier() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, "administrateur_national", "national").await;
    for id in &ids {
        let r = get(&app, &format!("/contrats/{id}/fichier")).await;
        assert_eq!(r.statut, StatusCode::OK);
        assert_eq!(r.type_contenu, "application/toml; charset=utf-8");
        let relu = lire_toml(&r.corps).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(relu, base.contrat(*id).await.unwrap().contrat);
    }
    let r = get(&app, &format!("/contrats/{}/fichier", ids[0])).await;
    assert_eq!(
        r.entetes.get(header::CONTENT_DISPOSITION).unwrap(),
        "attachment; filename=\"contrat-metropole-d-aix-marseille-provence.toml\""
    );
    assert_eq!(
        get(&app, "/contrats/999/fichier").await.statut,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/contrats/abc/fichier").await.statut,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn page_de_la_fiche() {
    let (brut, base, ids) = app_demo().await;
    let app = en_tant_que(&brut, &base, "administrateur_national", "national").await;
    let _ = &base;
    let r = get(&app, &format!("/contrats/{}/fiches/1.1", ids[0])).await;
    assert_eq!(r.statut, StatusCode::OK);
    for attendu in [
        "Place dans le référentiel",
        "F = A + B + C",
        "Indicateurs locaux",
        "Aucun constat",
    ] {
        assert!(r.corps.contains(attendu), "{attendu}");
    }
    // Montpellier, fiche 1.2: R-COFI-50 each year.
    let r = get(&app, &format!("/contrats/{}/fiches/1.2", ids[2])).await;
    assert!(r.corps.contains("R-COFI-50"));
    assert_eq!(
        get(&app, &format!("/contrats/{}/fiches/9.9", ids[0]))
            .await
            .statut,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, &format!("/contrats/{}/fiches/4.99", ids[0]))
            .await
            .statut,
        StatusCode::NOT_FOUND
    );

    // Every fiche of the demonstration renders, with its form pre-filled from the stored values
    // (for the collectivity's editor).
    let app = en_tant_que(&brut, &base, "collectivite_editeur", "collectivite:200054807").await;
    let r = get(&app, &format!("/contrats/{}/fiches/1.1/modifier", ids[0])).await;
    assert_eq!(r.statut, StatusCode::OK);
    assert!(r.corps.contains("selected>1.1 — "), "sous-axe sélectionné");
}

/// A small deterministic generator (no dependency needed).
struct Hasard(u64);

impl Hasard {
    fn suivant(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn texte(&mut self) -> String {
        const NUISIBLES: &[&str] = &[
            "",
            " ",
            "-5",
            "abc",
            "0",
            "1e9",
            "99999999999999999999999",
            "2024-02-30",
            "0,001",
            "<script>alert(1)</script>",
            "\u{0}",
            "1.1",
            "7.1",
            "1.0",
            "NI-1.1",
            "A1-1.1",
            "AT-1-1.1-01",
            "oui",
            "renforcee",
            "investissement",
            "\r\n\r\n",
            "%",
            "2024-01-01",
            "40 000,50",
            "'\"&<>",
            "valide",
            "en_execution",
            "delibere",
            "-1",
            "1.99999",
            "4294967296",
            "💥🇫🇷",
            "٣٤٥",
            "NaN",
            "inf",
            "--",
            "2A",
            "243400017",
        ];
        match self.suivant() % 4 {
            0 => {
                let n = (self.suivant() % 40) as usize;
                (0..n)
                    .map(|_| char::from_u32((self.suivant() % 0x2FFF) as u32).unwrap_or('?'))
                    .collect()
            }
            1 => "é".repeat(1 + (self.suivant() % 2500) as usize),
            _ => NUISIBLES[(self.suivant() % NUISIBLES.len() as u64) as usize].to_string(),
        }
    }
}

/// The names of the fields of the forms of a page.
fn noms_des_champs(html: &str) -> Vec<String> {
    let mut noms: Vec<String> = html
        .split("name=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(desechapper)
        // The CSRF token is the session's, added to every form by the harness.
        .filter(|n| n != "csrf")
        .collect();
    noms.sort();
    noms.dedup();
    noms
}

#[tokio::test]
async fn saisies_aleatoires_jamais_d_erreur_interne() {
    let (app, base, _) = app_sans_contrats().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    let id = nouveau_contrat(&app).await;
    assert_eq!(
        poster(&app, &format!("/contrats/{id}/fiches/nouvelle"), &fiche("1", "1"))
            .await
            .statut,
        StatusCode::SEE_OTHER
    );
    let mut hasard = Hasard(0x5eed_cafe_f00d_u64);
    let formulaires = [
        ("/contrats/nouveau".to_string(), "/contrats/nouveau".to_string()),
        (
            format!("/contrats/{id}/modifier"),
            format!("/contrats/{id}/modifier"),
        ),
        (format!("/contrats/{id}/modifier"), format!("/contrats/{id}/etat")),
        (
            format!("/contrats/{id}/fiches/nouvelle"),
            format!("/contrats/{id}/fiches/nouvelle"),
        ),
        (
            format!("/contrats/{id}/fiches/1.1/modifier"),
            format!("/contrats/{id}/fiches/1.1/modifier"),
        ),
        (
            format!("/contrats/{id}/fiches/1.1/modifier"),
            format!("/contrats/{id}/fiches/1.1/supprimer"),
        ),
        (
            "/contrats/nouveau".to_string(),
            "/contrats/import/confirmer".to_string(),
        ),
    ];
    for (page, action) in &formulaires {
        let r = get(&app, page).await;
        assert_eq!(r.statut, StatusCode::OK, "{page}");
        let mut noms = noms_des_champs(&r.corps);
        noms.push("contenu".into());
        for tour in 0..25 {
            let mut champs: Vec<(String, String)> = Vec::new();
            for n in &noms {
                if hasard.suivant().is_multiple_of(5) {
                    continue;
                }
                // Keep the version right half of the time, to reach the writes.
                let v = if n == "version" && tour % 2 == 0 {
                    "1".to_string()
                } else {
                    hasard.texte()
                };
                champs.push((n.clone(), v));
            }
            let c: Vec<(&str, &str)> = champs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let r = post_formulaire(&app, action, &c).await;
            assert!(
                !r.statut.is_server_error(),
                "{action} : {} pour {champs:?}\n{}",
                r.statut,
                r.corps
            );
        }
    }
    // One garbage field in an otherwise valid fiche, so that writes are reached.
    let page = get(&app, &format!("/contrats/{id}/fiches/1.1/modifier")).await;
    let noms = noms_des_champs(&page.corps);
    let mut ecrites = 0;
    for _ in 0..150 {
        let uri = format!("/contrats/{id}/fiches/1.1/modifier");
        let c = base.contrat(id).await.unwrap();
        let Some(t) = c
            .contrat
            .fiches
            .iter()
            .position(|f| f.numero.to_string() == "1.1")
        else {
            // Deleted or renumbered by the garbage above: start again from a valid fiche.
            poster(&app, &format!("/contrats/{id}/fiches/nouvelle"), &fiche("1", "1")).await;
            continue;
        };
        let mut champs = fiche("1", "1");
        champs.push(("version", c.fiches[t].version.to_string()));
        let nom = noms[(hasard.suivant() % noms.len() as u64) as usize].clone();
        if nom == "numero" || nom == "version" {
            continue;
        }
        let valeur = hasard.texte();
        let mut paires: Vec<(String, String)> = champs
            .into_iter()
            .filter(|(k, _)| *k != nom)
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        paires.push((nom.clone(), valeur));
        let c: Vec<(&str, &str)> = paires.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = post_formulaire(&app, &uri, &c).await;
        assert!(
            !r.statut.is_server_error(),
            "{nom} : {} pour {paires:?}\n{}",
            r.statut,
            r.corps
        );
        if r.statut == StatusCode::SEE_OTHER {
            ecrites += 1;
        }
    }
    assert!(ecrites > 20, "{ecrites} écritures seulement");
    // Garbage in the addresses.
    for uri in [
        "/contrats/-1/fiches/1.1",
        "/contrats/1/fiches/%C3%A9",
        "/contrats/99999999999999999999/modifier",
    ] {
        assert_eq!(get(&app, uri).await.statut, StatusCode::NOT_FOUND, "{uri}");
    }
    // What was written by the garbage is still a readable, exportable contract.
    for c in base.contrats().await.unwrap() {
        if base.contrat(c.id).await.unwrap().contrat.contrat.collectivite != "243400017" {
            continue;
        }
        let r = get(&app, &format!("/contrats/{}/fichier", c.id)).await;
        assert_eq!(
            lire_toml(&r.corps).unwrap(),
            base.contrat(c.id).await.unwrap().contrat
        );
    }
}
