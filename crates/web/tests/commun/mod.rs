//! Shared harness of the web tests: the real router, in-process, on a fresh SQLite base loaded
//! with the demonstration data.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use pacte_store::Base;
use pacte_store::comptes::empreinte_secret;
use pacte_web::comptes::mot_de_passe::Cout;
use tower::ServiceExt;

static COMPTEUR: AtomicU64 = AtomicU64::new(0);

/// A fresh base in its own temporary folder.
pub async fn base_neuve() -> Base {
    base_neuve_et_adresse().await.0
}

/// Prefix of the bases' folders: `pacte-web-test-{pid}-{n}` in the temporary directory.
const PREFIXE: &str = "pacte-web-test-";

/// Removes the bases left by test processes that have ended. A test's base lives as long as the
/// test holds it, so a process cannot remove its own; the next one does (Linux: a process is
/// alive while `/proc/{pid}` exists). Run once per process.
fn nettoyer_bases_orphelines() {
    static FAIT: std::sync::Once = std::sync::Once::new();
    FAIT.call_once(|| {
        let Ok(entrees) = std::fs::read_dir(std::env::temp_dir()) else {
            return;
        };
        for entree in entrees.flatten() {
            let nom = entree.file_name();
            let Some(pid) = nom
                .to_str()
                .and_then(|n| n.strip_prefix(PREFIXE))
                .and_then(|reste| reste.split('-').next())
                .and_then(|pid| pid.parse::<u32>().ok())
            else {
                continue;
            };
            if pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(entree.path());
            }
        }
    });
}

/// A fresh base and its URL (for tests that open a second handle, as another process would).
pub async fn base_neuve_et_adresse() -> (Base, String) {
    nettoyer_bases_orphelines();
    let n = COMPTEUR.fetch_add(1, Ordering::SeqCst);
    let dossier = std::env::temp_dir().join(format!("{PREFIXE}{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dossier);
    let url = format!("sqlite://{}/pacte.db", dossier.display());
    (Base::ouvrir(&url).await.expect("base de test"), url)
}

/// The application on a fresh base with the demonstration data; also returns the base and the
/// ids of the demonstration contracts (AMP, département 13, Montpellier with findings, Bordeaux
/// with 60 fiches).
pub async fn app_demo() -> (Router, Base, Vec<i64>) {
    app_demo_avec(pacte_web::Options::default()).await
}

/// [`app_demo`] with `options` (the demonstration banner and the test hashing cost are set).
pub async fn app_demo_avec(options: pacte_web::Options) -> (Router, Base, Vec<i64>) {
    let (app, base, ids, _) = app_demo_et_adresse(options).await;
    (app, base, ids)
}

/// [`app_demo_avec`], also returning the base's URL (for tests that open a second handle, as
/// another process would).
pub async fn app_demo_et_adresse(options: pacte_web::Options) -> (Router, Base, Vec<i64>, String) {
    let (base, url) = base_neuve_et_adresse().await;
    let ids = pacte_web::demo::charger(&base)
        .await
        .expect("données de démonstration");
    pacte_web::demo::creer_comptes(&base, Cout::Test)
        .await
        .expect("comptes de démonstration");
    let app = pacte_web::application(
        base.clone(),
        pacte_web::Options {
            demonstration: true,
            cout_hachage: Cout::Test,
            ..options
        },
    );
    (app, base, ids, url)
}

/// The demonstration account of a role (`pacte_web::demo::COMPTES`): (e-mail, password).
pub fn compte_demo(role: &str) -> (&'static str, &'static str) {
    let c = pacte_web::demo::COMPTES
        .iter()
        .find(|c| c.role == role)
        .unwrap_or_else(|| panic!("pas de compte de démonstration {role}"));
    (c.email, c.mot_de_passe)
}

/// A signed-in browser: its session cookie and the CSRF token of its forms.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// Signs in through the sign-in form; panics if refused.
pub async fn connecter(app: &Router, email: &str, mot_de_passe: &str) -> Session {
    let r = post_formulaire(
        app,
        "/connexion",
        &[("email", email), ("mot_de_passe", mot_de_passe)],
    )
    .await;
    assert_eq!(
        r.statut,
        StatusCode::SEE_OTHER,
        "connexion de {email} : {}",
        r.corps
    );
    let cookie = cookie_de(&r).expect("cookie de session");
    // A page with a form: the session's token.
    let page = envoyer(
        app,
        Request::get("/deconnexion")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    Session {
        csrf: csrf_de(&page.corps).expect("jeton CSRF dans la page"),
        cookie,
    }
}

/// `pacte_session=…` from a response's `Set-Cookie`.
pub fn cookie_de(r: &Reponse) -> Option<String> {
    r.entetes
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("pacte_session=") && !v.starts_with("pacte_session=;"))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

/// The CSRF token of the first form of a page.
pub fn csrf_de(html: &str) -> Option<String> {
    let motif = "name=\"csrf\" value=\"";
    let i = html.find(motif)? + motif.len();
    Some(html[i..i + html[i..].find('"')?].to_string())
}

pub async fn get_connecte(app: &Router, s: &Session, uri: &str) -> Reponse {
    envoyer(
        app,
        Request::get(uri)
            .header(header::COOKIE, &s.cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// POST of a form by a signed-in user, with the session's CSRF token.
pub async fn post_formulaire_connecte(
    app: &Router,
    s: &Session,
    uri: &str,
    champs: &[(&str, &str)],
) -> Reponse {
    let mut tous = vec![("csrf", s.csrf.as_str())];
    tous.extend_from_slice(champs);
    let r = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &s.cookie)
        .body(Body::from(corps_formulaire(&tous)));
    envoyer(app, r.unwrap()).await
}

/// An account of `role` over `perimetre`, created directly in the base (no password), with a
/// session and an API token; returns the application acting as that user: every request gets
/// the session cookie and the Bearer token unless it carries its own, and every form the
/// session's CSRF token unless it carries one.
pub async fn en_tant_que(app: &Router, base: &Base, role: &str, perimetre: &str) -> Router {
    en_tant_que_compte(app, base, role, perimetre).await.0
}

/// [`en_tant_que`], also returning the account's id and e-mail.
pub async fn en_tant_que_compte(
    app: &Router,
    base: &Base,
    role: &str,
    perimetre: &str,
) -> (Router, i64, String) {
    let n = COMPTEUR.fetch_add(1, Ordering::SeqCst);
    let email = format!("{role}.{n}@test.pacte.example");
    let u = base
        .creer_utilisateur(
            &pacte_store::comptes::NouvelUtilisateur {
                email: email.clone(),
                nom: format!("Test {role}"),
                hash_mot_de_passe: None,
                role: role.into(),
                perimetre: perimetre.into(),
            },
            "test",
        )
        .await
        .expect("compte de test");
    let secret = format!("session-{n}-{}", std::process::id());
    let csrf = format!("csrf-{n}");
    let expire = "2999-01-01T00:00:00.000Z";
    base.ouvrir_session(u.id, &empreinte_secret(&secret), &csrf, expire)
        .await
        .expect("session de test");
    let jeton = format!("jeton-{n}-{}", std::process::id());
    base.creer_jeton(u.id, "tests", &empreinte_secret(&jeton), expire, "test")
        .await
        .expect("jeton de test");
    let cookie = format!("pacte_session={secret}");
    let bearer = format!("Bearer {jeton}");
    let app = app.clone().layer(axum::middleware::from_fn(
        move |req: Request<Body>, next: axum::middleware::Next| {
            let (cookie, bearer, csrf) = (cookie.clone(), bearer.clone(), csrf.clone());
            async move {
                let (mut parts, corps) = req.into_parts();
                if !parts.headers.contains_key(header::COOKIE)
                    && !parts.headers.contains_key(header::AUTHORIZATION)
                {
                    parts.headers.insert(header::COOKIE, cookie.parse().unwrap());
                    parts
                        .headers
                        .insert(header::AUTHORIZATION, bearer.parse().unwrap());
                }
                let type_contenu = parts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let octets = corps.collect().await.expect("corps").to_bytes().to_vec();
                let texte = String::from_utf8_lossy(&octets);
                let deja =
                    texte.starts_with("csrf=") || texte.contains("&csrf=") || texte.contains("name=\"csrf\"");
                let octets = if deja || parts.uri.path().starts_with("/api/") {
                    octets
                } else if type_contenu.starts_with("application/x-www-form-urlencoded") {
                    let mut o = format!("csrf={}&", encoder(&csrf)).into_bytes();
                    o.extend(octets);
                    o
                } else if let Some(frontiere) = type_contenu.split("boundary=").nth(1) {
                    let mut o = format!(
                        "--{frontiere}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
                    )
                    .into_bytes();
                    o.extend(octets);
                    o
                } else {
                    octets
                };
                parts.headers.remove(header::CONTENT_LENGTH);
                next.run(Request::from_parts(parts, Body::from(octets))).await
            }
        },
    ));
    (app, u.id, email)
}

/// A response: status, content type, body as text.
pub struct Reponse {
    pub statut: StatusCode,
    pub type_contenu: String,
    pub corps: String,
    pub entetes: axum::http::HeaderMap,
}

impl Reponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.corps).unwrap_or_else(|e| panic!("JSON invalide ({e}) : {}", self.corps))
    }
}

pub async fn envoyer(app: &Router, requete: Request<Body>) -> Reponse {
    let r = app.clone().oneshot(requete).await.expect("réponse");
    let statut = r.status();
    let entetes = r.headers().clone();
    let type_contenu = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let octets = r.into_body().collect().await.expect("corps").to_bytes();
    Reponse {
        statut,
        type_contenu,
        corps: String::from_utf8_lossy(&octets).into_owned(),
        entetes,
    }
}

pub async fn get(app: &Router, uri: &str) -> Reponse {
    envoyer(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// POST of an HTML form (`application/x-www-form-urlencoded`); `champs` are encoded here.
pub async fn post_formulaire(app: &Router, uri: &str, champs: &[(&str, &str)]) -> Reponse {
    let corps = corps_formulaire(champs);
    let r = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(corps));
    envoyer(app, r.unwrap()).await
}

pub async fn envoyer_json(app: &Router, methode: &str, uri: &str, corps: &serde_json::Value) -> Reponse {
    let r = Request::builder()
        .method(methode)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(corps.to_string()));
    envoyer(app, r.unwrap()).await
}

/// A URL-encoded form body.
pub fn corps_formulaire(champs: &[(&str, &str)]) -> String {
    champs
        .iter()
        .map(|(k, v)| format!("{}={}", encoder(k), encoder(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encoding for form bodies.
pub fn encoder(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
