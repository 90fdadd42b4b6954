//! The OpenAPI document (/api/v1/openapi.json) is exact: every route of the API route table
//! and nothing else, one schema branch per value, no value admitted that the server refuses
//! (If-Match, fiche numbers, amounts, page bounds), and every status a route really answers
//! documented for it. The live fuzzing run (tests/schemathesis) checks the same from outside.

use std::collections::BTreeSet;

use crate::commun::{app_demo, en_tant_que, envoyer, get};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

/// The demonstration editor of Aix-Marseille-Provence, whose contract is in execution.
const ROLE: &str = "collectivite_editeur";
const PERIMETRE: &str = "collectivite:200054807";

/// The document, read through the public route as a client does.
async fn document() -> Value {
    let (app, _, _) = app_demo().await;
    let r = get(&app, "/api/v1/openapi.json").await;
    assert_eq!(r.statut, StatusCode::OK);
    r.json()
}

/// The object a local `$ref` points to.
fn resoudre<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let cible = doc
                .pointer(r.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("référence {r} introuvable"));
            resoudre(doc, cible)
        }
        None => v,
    }
}

/// Whether `statut` is documented for `methode chemin` (a path template of the document).
fn documente(doc: &Value, methode: &str, chemin: &str, statut: StatusCode) -> bool {
    doc["paths"][chemin][methode.to_lowercase()]["responses"]
        .get(statut.as_str())
        .is_some()
}

/// A schema of the document by its pointer below `components`.
fn composant<'a>(doc: &'a Value, pointeur: &str) -> &'a Value {
    let v = doc
        .pointer(&format!("/components/{pointeur}"))
        .unwrap_or_else(|| panic!("{pointeur} absent du document"));
    resoudre(doc, v)
}

fn motif(schema: &Value) -> regex::Regex {
    let m = schema["pattern"].as_str().expect("motif");
    regex::Regex::new(m).unwrap_or_else(|e| panic!("motif {m} : {e}"))
}

#[tokio::test]
async fn routes_de_la_table_et_du_document() {
    let doc = document().await;
    let servies: BTreeSet<(String, String)> = pacte_web::api::routes_servies()
        .into_iter()
        .map(|(m, c)| (m.to_string(), c.to_string()))
        .collect();
    let mut documentees = BTreeSet::new();
    for (chemin, operations) in doc["paths"].as_object().unwrap() {
        for methode in operations.as_object().unwrap().keys() {
            if methode != "parameters" {
                documentees.insert((methode.to_uppercase(), chemin.clone()));
            }
        }
    }
    assert_eq!(
        servies.difference(&documentees).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes servies absentes du document"
    );
    assert_eq!(
        documentees.difference(&servies).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes documentées que le serveur ne sert pas"
    );
}

/// The JSON types a branch admits, `integer` standing inside `number`.
fn types_admis(doc: &Value, branche: &Value) -> Option<BTreeSet<&'static str>> {
    let b = resoudre(doc, branche);
    let noms: Vec<&str> = match &b["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    let mut s = BTreeSet::new();
    for n in noms {
        for t in [
            "null", "boolean", "integer", "number", "string", "array", "object",
        ] {
            if n == t || (n == "number" && t == "integer") {
                s.insert(t);
            }
        }
    }
    Some(s)
}

/// Two object branches told apart by a tag: a property both require, with a different
/// constant in each (`{"etape": {"const": "signature"}}` against `"deliberation"`).
fn etiquettes_distinctes(doc: &Value, a: &Value, b: &Value) -> bool {
    let (a, b) = (resoudre(doc, a), resoudre(doc, b));
    let requis = |v: &Value, nom: &str| {
        v["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(nom)))
    };
    a["properties"].as_object().is_some_and(|pa| {
        pa.iter().any(|(nom, sa)| {
            let (ca, cb) = (&sa["const"], &b["properties"][nom]["const"]);
            !ca.is_null() && !cb.is_null() && ca != cb && requis(a, nom) && requis(b, nom)
        })
    })
}

/// `oneOf` means exactly one branch: branches that admit the same JSON type must be told apart
/// by a constant. (An integer amount used to match both the integer and the number branch of
/// `Montant`, so every response carrying one was invalid.)
#[tokio::test]
async fn un_seul_schema_par_valeur() {
    let doc = document().await;
    fn parcourir(doc: &Value, v: &Value, chemin: String, fautes: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(branches)) = m.get("oneOf") {
                    for (i, a) in branches.iter().enumerate() {
                        for b in &branches[i + 1..] {
                            let constantes = resoudre(doc, a).get("const").is_some()
                                && resoudre(doc, b).get("const").is_some();
                            let etiquetees = etiquettes_distinctes(doc, a, b);
                            match (types_admis(doc, a), types_admis(doc, b)) {
                                (Some(x), Some(y)) if x.is_disjoint(&y) || constantes || etiquetees => {}
                                _ => fautes.push(format!("{chemin} : {a} et {b}")),
                            }
                        }
                    }
                }
                for (k, x) in m {
                    parcourir(doc, x, format!("{chemin}/{k}"), fautes);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    parcourir(doc, x, format!("{chemin}/{i}"), fautes);
                }
            }
            _ => {}
        }
    }
    let mut fautes = Vec::new();
    parcourir(&doc, &doc, String::new(), &mut fautes);
    assert!(
        fautes.is_empty(),
        "branches oneOf qui se recouvrent :\n{}",
        fautes.join("\n")
    );
}

/// Every fiche number the document admits is one the server reads, and every number the
/// server writes is admitted.
#[tokio::test]
async fn numero_de_fiche() {
    let doc = document().await;
    let m = motif(composant(&doc, "schemas/NumeroFiche"));
    for n in [
        "1.1", "4.9", "2.10", "3.65535", "1.65536", "1.99999", "5.1", "1.0", "1.01", "0.1", "1.", "1.1.1",
    ] {
        if m.is_match(n) {
            assert!(
                pacte_core::NumeroFiche::parse(n).is_ok(),
                "{n} admis par le document, refusé par le serveur"
            );
        }
    }
    for n in ["1.1", "4.12", "2.65535"] {
        let lu = pacte_core::NumeroFiche::parse(n).unwrap();
        assert!(
            m.is_match(&lu.to_string()),
            "{lu} écrit par le serveur, refusé par le document"
        );
    }
    // The path parameter is the same schema.
    let p = composant(&doc, "parameters/NumeroFiche");
    assert_eq!(
        resoudre(&doc, &p["schema"]),
        composant(&doc, "schemas/NumeroFiche")
    );
}

/// Every amount string the document admits is one `Montant::parse` reads.
#[tokio::test]
async fn montant_en_chaine() {
    let doc = document().await;
    let montant = composant(&doc, "schemas/Montant");
    let chaine = montant["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "string")
        .expect("branche chaîne");
    let m = motif(chaine);
    for t in [
        "40000",
        "40 000,50",
        "40000.50 €",
        "+7",
        " 1_000 ",
        "999 999 999 999,99",
        "1000000000000",
        "99999999999999999999",
        "1\u{feff}",
        "\u{1c}5",
        "5\u{b}",
        "1,",
        "-1",
        "1,234",
    ] {
        if m.is_match(t) {
            assert!(
                pacte_core::Montant::parse(t).is_ok(),
                "« {t} » admis par le document, refusé par le serveur"
            );
        }
    }
    for t in ["40000", "40 000,50", "40000.50 €", "+7"] {
        assert!(m.is_match(t), "« {t} » refusé par le document");
    }
}

async fn app_editeur() -> (Router, i64) {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, ROLE, PERIMETRE).await;
    // The demonstration contract of Aix-Marseille-Provence is in execution.
    let id = ids[0];
    let r = get(&app, &format!("/api/v1/contrats/{id}")).await;
    assert_eq!(r.statut, StatusCode::OK, "{}", r.corps);
    assert_eq!(r.json()["contrat"]["etat"], "en_execution");
    (app, id)
}

async fn requete(
    app: &Router,
    methode: &str,
    uri: &str,
    if_match: Option<&str>,
    corps: Option<&Value>,
) -> crate::commun::Reponse {
    let mut r = Request::builder().method(methode).uri(uri);
    if let Some(v) = if_match {
        r = r.header(header::IF_MATCH, v);
    }
    let corps = match corps {
        Some(c) => {
            r = r.header(header::CONTENT_TYPE, "application/json");
            Body::from(c.to_string())
        }
        None => Body::empty(),
    };
    envoyer(app, r.body(corps).unwrap()).await
}

/// An If-Match value the document admits is one the server reads (no 400 for it).
#[tokio::test]
async fn if_match_admis_par_le_serveur() {
    let doc = document().await;
    let p = composant(&doc, "parameters/IfMatch");
    assert_eq!(p["required"], true);
    let m = motif(&p["schema"]);
    let (app, id) = app_editeur().await;
    let uri = format!("/api/v1/contrats/{id}/fiches/1.1");
    for v in [
        "\"1\"",
        "1",
        "\"3",
        "3\"",
        "\"0\"",
        "0",
        "-1",
        "W/\"1\"",
        "\"123456789012345678\"",
        "\"99999999999999999999\"",
    ] {
        let r = requete(&app, "DELETE", &uri, Some(v), None).await;
        if m.is_match(v) {
            assert_ne!(
                r.statut,
                StatusCode::BAD_REQUEST,
                "If-Match {v} admis par le document : {}",
                r.corps
            );
        }
        assert!(
            documente(&doc, "DELETE", "/contrats/{id}/fiches/{numero}", r.statut),
            "If-Match {v} : statut {} non documenté",
            r.statut
        );
    }
    // Absent: 428, documented on every operation that takes it.
    for (methode, chemin) in [
        ("PUT", "/contrats/{id}"),
        ("PUT", "/contrats/{id}/fiches/{numero}"),
        ("DELETE", "/contrats/{id}/fiches/{numero}"),
        ("PUT", "/contrats/{id}/fiches/{numero}/derogation"),
        ("DELETE", "/contrats/{id}/fiches/{numero}/derogation"),
    ] {
        let uri = format!(
            "/api/v1{}",
            chemin.replace("{id}", &id.to_string()).replace("{numero}", "1.1")
        );
        let r = requete(&app, methode, &uri, None, None).await;
        assert_eq!(
            r.statut,
            StatusCode::PRECONDITION_REQUIRED,
            "{methode} {chemin} : {}",
            r.corps
        );
        assert!(
            documente(&doc, methode, chemin, r.statut),
            "{methode} {chemin} : 428 non documenté"
        );
        let operation = &doc["paths"][chemin][methode.to_lowercase()];
        assert!(
            operation["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| resoudre(&doc, p)["name"] == "If-Match")),
            "{methode} {chemin} : If-Match non décrit"
        );
    }
}

/// A change refused because of the contract's state answers 409, documented on every write,
/// fiche creation included.
#[tokio::test]
async fn conflit_d_etat_documente() {
    let doc = document().await;
    let (app, id) = app_editeur().await;
    let fiche = json!({ "numero": "1.9", "intitule": "Nouvelle action" });
    let r = requete(
        &app,
        "POST",
        &format!("/api/v1/contrats/{id}/fiches"),
        None,
        Some(&fiche),
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    assert!(
        documente(&doc, "POST", "/contrats/{id}/fiches", r.statut),
        "POST …/fiches : 409 non documenté"
    );
    let r = requete(
        &app,
        "PUT",
        &format!("/api/v1/contrats/{id}/fiches/1.1"),
        Some("\"1\""),
        Some(&fiche),
    )
    .await;
    assert_eq!(r.statut, StatusCode::CONFLICT, "{}", r.corps);
    assert!(documente(&doc, "PUT", "/contrats/{id}/fiches/{numero}", r.statut));
}

/// The page bounds of the document are the server's.
#[tokio::test]
async fn bornes_de_pagination() {
    let doc = document().await;
    let (app, _) = app_editeur().await;
    for (nom, defaut) in [("Page", "page"), ("ParPage", "par_page")] {
        let p = composant(&doc, &format!("parameters/{nom}"));
        let schema = &p["schema"];
        let min = schema["minimum"].as_u64().expect("minimum");
        let max = schema["maximum"]
            .as_u64()
            .unwrap_or_else(|| panic!("{defaut} : maximum absent"));
        for (n, admis) in [(min - 1, false), (min, true), (max, true), (max + 1, false)] {
            let r = get(&app, &format!("/api/v1/contrats?{defaut}={n}")).await;
            if admis {
                assert_eq!(r.statut, StatusCode::OK, "{defaut}={n} : {}", r.corps);
            } else {
                assert_eq!(r.statut, StatusCode::BAD_REQUEST, "{defaut}={n} : {}", r.corps);
            }
        }
    }
}

/// Every indicator value string the document admits is one `Valeur` reads.
#[tokio::test]
async fn valeur_en_chaine() {
    let doc = document().await;
    let valeur = composant(&doc, "schemas/Valeur");
    let chaine = valeur["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "string")
        .expect("branche chaîne");
    let m = motif(chaine);
    for t in [
        "120",
        "12,5",
        "0.25",
        "35 %",
        "9 999 999 999,99",
        "99999999999",
        "+1",
        "-1",
        "1,234",
        "beaucoup",
        "",
        "1\u{feff}",
    ] {
        if m.is_match(t) {
            let lu: Result<pacte_core::Valeur, _> = serde_json::from_value(json!(t));
            assert!(lu.is_ok(), "« {t} » admis par le document, refusé par le serveur");
        }
    }
    for t in ["120", "12,5", "35 %"] {
        assert!(m.is_match(t), "« {t} » refusé par le document");
    }
}

/// Every text of a request body is bounded in the document as the server bounds it: a
/// maximum length, a closed list, a date, or an anchored pattern with no unbounded repetition
/// (white space and digit-group separators aside). A collectivity made of spaces is refused by both.
#[tokio::test]
async fn textes_bornes() {
    let doc = document().await;
    fn borne(s: &Value) -> bool {
        if s.get("maxLength").is_some()
            || s.get("enum").is_some()
            || s.get("const").is_some()
            || s["format"] == "date"
        {
            return true;
        }
        let Some(p) = s["pattern"].as_str() else {
            return false;
        };
        // Runs of white space or of digit-group separators may be as long as the body allows.
        let reste = p
            .replace("[ \\t\\n\\r]*", "")
            .replace("[ \u{a0}\u{202f}_]*", "")
            .replace("\\+", "");
        p.starts_with('^') && p.ends_with('$') && !reste.contains('*') && !reste.contains('+')
    }
    fn parcourir(
        doc: &Value,
        v: &Value,
        chemin: String,
        vus: &mut BTreeSet<String>,
        fautes: &mut Vec<String>,
    ) {
        let Value::Object(m) = v else {
            if let Value::Array(a) = v {
                for (i, x) in a.iter().enumerate() {
                    parcourir(doc, x, format!("{chemin}/{i}"), vus, fautes);
                }
            }
            return;
        };
        if let Some(Value::String(r)) = m.get("$ref") {
            if vus.insert(r.clone()) {
                parcourir(doc, resoudre(doc, v), r.clone(), vus, fautes);
            }
            return;
        }
        let chaine = match &m.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(a)) => a.iter().any(|t| t == "string"),
            _ => false,
        };
        if chaine && !borne(v) {
            fautes.push(chemin.clone());
        }
        for (k, x) in m {
            parcourir(doc, x, format!("{chemin}/{k}"), vus, fautes);
        }
    }
    let mut fautes = Vec::new();
    let mut vus = BTreeSet::new();
    for nom in ["Contrat", "EnTete", "FicheAction", "Derogation"] {
        parcourir(
            &doc,
            &json!({ "$ref": format!("#/components/schemas/{nom}") }),
            nom.into(),
            &mut vus,
            &mut fautes,
        );
    }
    assert!(fautes.is_empty(), "textes sans borne :\n{}", fautes.join("\n"));

    let collectivite = &composant(&doc, "schemas/EnTete")["properties"]["collectivite"];
    assert!(
        !motif(collectivite).is_match("   "),
        "collectivité faite d'espaces admise"
    );
    let r: Result<pacte_core::contrat::EnTete, _> = serde_json::from_value(json!({ "collectivite": "   " }));
    assert!(r.is_err());
    let partenaires = &composant(&doc, "schemas/FicheAction")["properties"]["partenaires"];
    assert_eq!(
        partenaires["items"]["maxLength"],
        pacte_core::contrat::TEXTE_COURT_MAX
    );
}
