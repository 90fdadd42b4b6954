//! Request logs and request ids: every response carries `X-Request-Id`, the error page shows
//! it, and the one log line of a request names its route template and status, never its raw
//! path or query string.

mod commun;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use commun::*;
use sqlx::Connection;

/// A log sink for one test: what the subscriber writes, kept in memory.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, octets: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(octets);
        Ok(octets.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

/// The log of this test binary, installed once for all its tests (a subscriber set per thread
/// would miss the spans whose interest another test's thread registered first); each test
/// reads the lines of its own request ids.
fn capture() -> &'static Capture {
    static CAPTURE: std::sync::OnceLock<Capture> = std::sync::OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        tracing_subscriber::fmt()
            .with_writer(capture.clone())
            .with_max_level(tracing::Level::INFO)
            .init();
        capture
    })
}

impl Capture {
    fn texte(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn id_de(r: &Reponse) -> String {
    r.entetes
        .get("x-request-id")
        .expect("en-tête X-Request-Id")
        .to_str()
        .unwrap()
        .to_string()
}

fn avec_id(uri: &str, id: &str) -> Request<Body> {
    Request::get(uri)
        .header("x-request-id", id)
        .body(Body::empty())
        .unwrap()
}

fn genere(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn chaque_reponse_porte_son_identifiant() {
    capture();
    let (app, _, _) = app_demo().await;
    // A page, the sign-in redirect, a static file, the API (public document and refused
    // call), a page that does not exist: each carries a fresh id, different every time.
    let mut vus = Vec::new();
    for uri in [
        "/connexion",
        "/contrats",
        "/statique/pacte.css",
        "/api/v1/openapi.json",
        "/api/v1/contrats",
        "/nulle-part",
    ] {
        let r = get(&app, uri).await;
        let id = id_de(&r);
        assert!(genere(&id), "{uri} : {id}");
        vus.push(id);
    }
    let mut uniques = vus.clone();
    uniques.sort();
    uniques.dedup();
    assert_eq!(uniques.len(), vus.len(), "{vus:?}");
    // A well-formed incoming id is kept, pages and API alike; a malformed or long one is
    // replaced.
    for uri in ["/connexion", "/api/v1/contrats"] {
        let r = envoyer(&app, avec_id(uri, "amont-7f3a.2")).await;
        assert_eq!(id_de(&r), "amont-7f3a.2");
        let r = envoyer(&app, avec_id(uri, "<script>")).await;
        assert!(genere(&id_de(&r)));
        let r = envoyer(&app, avec_id(uri, &"x".repeat(65))).await;
        assert!(genere(&id_de(&r)));
    }
}

#[tokio::test]
async fn la_page_d_erreur_donne_la_reference_et_le_journal_la_route() {
    let capture = capture();

    let (brut, base, _, url) = app_demo_et_adresse(pacte_web::Options::default()).await;
    let (app, compte, _) = en_tant_que_compte(&brut, &base, "administrateur_national", "national").await;

    // A page that does not exist: 404, with the reference the user can quote.
    let r = envoyer(&app, avec_id("/contrats/999999", "reference-404")).await;
    assert_eq!(r.statut, StatusCode::NOT_FOUND);
    assert!(
        r.corps
            .contains("Référence de l'incident : <code id=\"reference-incident\">reference-404</code>"),
        "{}",
        r.corps
    );

    // The base loses its contracts table behind the application's back: the contract page
    // fails with a 500, whose page gives the reference and whose cause is logged.
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::query("ALTER TABLE contrats RENAME TO contrats_deplaces")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let r = envoyer(
        &app,
        avec_id("/contrats/1?q=marie.dupont%40exemple.fr", "incident-42"),
    )
    .await;
    assert_eq!(r.statut, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.corps);
    assert_eq!(id_de(&r), "incident-42");
    assert!(
        r.corps
            .contains("<code id=\"reference-incident\">incident-42</code>"),
        "{}",
        r.corps
    );
    assert!(!r.corps.contains("contrats_deplaces") && !r.corps.contains("no such table"));

    let journal = capture.texte();
    let lignes: Vec<&str> = journal.lines().filter(|l| l.contains("id=incident-42")).collect();
    // The cause, at error level, in the request's span.
    assert!(
        lignes
            .iter()
            .any(|l| l.contains("ERROR") && l.contains("erreur interne") && l.contains("contrats")),
        "{journal}"
    );
    // The one request line: route template, status, account id; no raw path, no query.
    let servie: Vec<&&str> = lignes.iter().filter(|l| l.contains("requête servie")).collect();
    assert_eq!(servie.len(), 1, "{journal}");
    let l = servie[0];
    assert!(
        l.contains("methode=GET") && l.contains("route=/contrats/{id}"),
        "{l}"
    );
    assert!(l.contains("statut=500") && l.contains("duree_ms="), "{l}");
    assert!(l.contains(&format!("compte={compte}")), "{l}");
    assert!(
        !journal.contains("/contrats/1") && !journal.contains("marie.dupont"),
        "{journal}"
    );
    // The 404 of a missing contract: its own line, its template.
    assert!(
        journal.lines().any(|l| l.contains("id=reference-404")
            && l.contains("route=/contrats/{id}")
            && l.contains("statut=404")),
        "{journal}"
    );
    assert!(!journal.contains("/contrats/999999"), "{journal}");
}
