//! An OpenID Connect provider for the tests, served on 127.0.0.1: discovery, authorization
//! (answers at once with a code, as if the agent had logged in), token endpoint (checks the
//! client secret, the code and the PKCE verifier), userinfo and JWKS. It signs real RS256
//! tokens with the RSA keys of `tests/donnees/`, and its [`Reglages`] make it misbehave in the
//! ways a client must resist.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use ring::{digest, hmac};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "pacte-test";
pub const CLIENT_SECRET: &str = "secret-du-client-de-test";
pub const URL_RETOUR: &str = "http://127.0.0.1:9/connexion/proconnect/retour";
pub const SUJET: &str = "agent-0001";
/// As the provider sends it: the client must lower-case it.
pub const EMAIL: &str = "Camille.Durand@Exemple.GOUV.fr";
/// The identifier of the provider's signing key in its JWKS.
pub const KID_PRINCIPALE: &str = "cle-1";
/// The identifier of the second key, published only after a rotation.
pub const KID_SECONDE: &str = "cle-2";

const CHEMIN: &str = "/api/v2";

/// How the provider signs the tokens it issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    /// RS256 with the active key, announced by its `kid`.
    Normale,
    /// RS256 with the second key, while the header names the main key.
    AutreCle,
    /// `alg: none`, no signature.
    Aucune,
    /// HS256 with the client secret as key (the classic algorithm confusion).
    Hs256,
}

/// The `at_hash` of the ID tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmpreinteAcces {
    /// The hash of the access token issued with it.
    Juste,
    /// The hash of another access token.
    Fausse,
    /// No `at_hash` (allowed in the code flow).
    Absente,
}

/// What the provider does; tests change it between steps.
#[derive(Debug, Clone)]
pub struct Reglages {
    /// Issuer announced by the discovery document, if not the real one.
    pub emetteur_annonce: Option<String>,
    /// `iss` of the tokens, if not the real issuer.
    pub emetteur_jeton: Option<String>,
    pub audience: Value,
    /// `exp` = now + this many seconds.
    pub decalage_exp: i64,
    /// `iat` = now + this many seconds.
    pub decalage_iat: i64,
    /// `nonce` of the ID token, if not the one received.
    pub nonce: Option<String>,
    pub signature: Signature,
    /// The `kid` of the key that signs.
    pub kid_actif: &'static str,
    /// The keys the JWKS publishes.
    pub kids_publies: Vec<&'static str>,
    /// The ID token carries e-mail and names (else only userinfo has them).
    pub identite_dans_jeton: bool,
    /// Userinfo answers a signed JWT (as ProConnect does) instead of JSON.
    pub infos_signees: bool,
    /// How the userinfo JWT is signed, if not as the ID token.
    pub signature_infos: Option<Signature>,
    /// `sub` of the userinfo answer, if not the ID token's.
    pub sujet_infos: Option<String>,
    /// `token_endpoint_auth_methods_supported` of the discovery document.
    pub methodes_authentification: Vec<&'static str>,
    /// The `acr` of the ID token.
    pub acr: &'static str,
    /// `azp` of the ID token, if any.
    pub azp: Option<String>,
    /// `nbf` = now + this many seconds, if any.
    pub decalage_nbf: Option<i64>,
    pub at_hash: EmpreinteAcces,
    /// The signed userinfo answer leaves out `iss` and `aud`.
    pub infos_sans_emetteur_ni_audience: bool,
    /// The ID token's parts are base64url with padding (`=`), signed as such.
    pub remplissage_base64: bool,
    /// A member written a second time at the end of the ID token's payload, with this value.
    pub revendication_en_double: Option<(&'static str, Value)>,
    /// The agent's `sub`.
    pub sujet: String,
    /// The agent's e-mail address, as the provider sends it.
    pub email: String,
    /// `email_verified` of the ID token and userinfo, if given.
    pub email_verifie: Option<bool>,
}

impl Default for Reglages {
    fn default() -> Self {
        Self {
            emetteur_annonce: None,
            emetteur_jeton: None,
            audience: json!(CLIENT_ID),
            decalage_exp: 300,
            decalage_iat: 0,
            nonce: None,
            signature: Signature::Normale,
            kid_actif: KID_PRINCIPALE,
            kids_publies: vec![KID_PRINCIPALE],
            identite_dans_jeton: false,
            infos_signees: false,
            signature_infos: None,
            sujet_infos: None,
            methodes_authentification: vec!["client_secret_post", "client_secret_basic"],
            acr: "eidas1",
            azp: None,
            decalage_nbf: None,
            at_hash: EmpreinteAcces::Juste,
            infos_sans_emetteur_ni_audience: false,
            remplissage_base64: false,
            revendication_en_double: None,
            sujet: SUJET.to_owned(),
            email: EMAIL.to_owned(),
            email_verifie: None,
        }
    }
}

/// What the provider saw, for the tests to check.
#[derive(Debug, Default)]
pub struct Journal {
    pub appels_jwks: usize,
    pub appels_infos: usize,
    /// `post` or `basic`, for each accepted token request.
    pub authentifications: Vec<&'static str>,
    /// The last authorization request's parameters.
    pub derniere_autorisation: HashMap<String, String>,
}

struct Autorisation {
    defi: String,
    nonce: String,
    redirect_uri: String,
}

struct Interne {
    emetteur: String,
    reglages: Reglages,
    journal: Journal,
    codes: HashMap<String, Autorisation>,
    jetons_acces: HashMap<String, String>,
    compteur: u64,
}

#[derive(Clone)]
struct Partage {
    interne: Arc<Mutex<Interne>>,
    cles: Arc<HashMap<&'static str, RsaKeyPair>>,
}

/// A running provider; stops when dropped.
pub struct Fournisseur {
    /// `http://127.0.0.1:PORT/api/v2`, also its issuer.
    pub emetteur: String,
    partage: Partage,
    tache: tokio::task::JoinHandle<()>,
}

impl Drop for Fournisseur {
    fn drop(&mut self) {
        self.tache.abort();
    }
}

impl Fournisseur {
    /// Starts a provider on a free port of 127.0.0.1.
    pub async fn demarrer(reglages: Reglages) -> Self {
        let ecoute = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let emetteur = format!("http://{}{CHEMIN}", ecoute.local_addr().unwrap());
        let cles = HashMap::from([
            (
                KID_PRINCIPALE,
                paire_rsa(include_str!("../donnees/cle_fournisseur_test.pem")),
            ),
            (
                KID_SECONDE,
                paire_rsa(include_str!("../donnees/cle_autre_test.pem")),
            ),
        ]);
        let partage = Partage {
            interne: Arc::new(Mutex::new(Interne {
                emetteur: emetteur.clone(),
                reglages,
                journal: Journal::default(),
                codes: HashMap::new(),
                jetons_acces: HashMap::new(),
                compteur: 0,
            })),
            cles: Arc::new(cles),
        };
        let routes = Router::new()
            .route(
                &format!("{CHEMIN}/.well-known/openid-configuration"),
                get(decouverte),
            )
            .route(&format!("{CHEMIN}/authorize"), get(autoriser))
            .route(&format!("{CHEMIN}/token"), post(jeton))
            .route(&format!("{CHEMIN}/userinfo"), get(infos))
            .route(&format!("{CHEMIN}/jwks"), get(jwks))
            .with_state(partage.clone());
        let tache = tokio::spawn(async move {
            axum::serve(ecoute, routes).await.unwrap();
        });
        Self {
            emetteur,
            partage,
            tache,
        }
    }

    /// The discovery address.
    pub fn url_decouverte(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.emetteur)
    }

    /// Changes the provider's behaviour from now on.
    pub fn regler(&self, changement: impl FnOnce(&mut Reglages)) {
        changement(&mut self.partage.interne.lock().unwrap().reglages);
    }

    /// Reads what the provider saw.
    pub fn journal<T>(&self, lecture: impl FnOnce(&Journal) -> T) -> T {
        lecture(&self.partage.interne.lock().unwrap().journal)
    }
}

/// The agent's browser: follows the authorization address and reads the code and the state of
/// the redirect back to the application (which it does not follow).
pub async fn naviguer(url: &str) -> (String, String) {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        let reponse = agent.get(&url).call().unwrap();
        assert_eq!(reponse.status().as_u16(), 303, "redirection vers l'application");
        let retour = reponse.headers()["location"].to_str().unwrap().to_owned();
        let requete = retour
            .strip_prefix(&format!("{URL_RETOUR}?"))
            .expect("retour vers l'adresse enregistrée");
        let parametres: HashMap<String, String> =
            form_urlencoded::parse(requete.as_bytes()).into_owned().collect();
        (parametres["code"].clone(), parametres["state"].clone())
    })
    .await
    .unwrap()
}

/// Reads a PKCS#8 PEM private key.
fn paire_rsa(pem: &str) -> RsaKeyPair {
    let base64: String = pem.lines().filter(|ligne| !ligne.starts_with("-----")).collect();
    RsaKeyPair::from_pkcs8(&STANDARD.decode(base64).unwrap()).unwrap()
}

fn maintenant() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn b64(octets: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(octets)
}

/// base64url, padded with `=` if `remplissage`.
fn b64_avec(octets: &[u8], remplissage: bool) -> String {
    if remplissage {
        base64::engine::general_purpose::URL_SAFE.encode(octets)
    } else {
        b64(octets)
    }
}

/// Signs `charge` as a compact JWS, the way `signature` says.
fn signer(partage: &Partage, reglages: &Reglages, signature: Signature, charge: &Value) -> String {
    signer_texte(partage, reglages, signature, &charge.to_string(), false)
}

/// Signs the payload `texte` as a compact JWS, its parts padded if `remplissage`.
fn signer_texte(
    partage: &Partage,
    reglages: &Reglages,
    signature: Signature,
    texte: &str,
    remplissage: bool,
) -> String {
    let (entete, cle_signature) = match signature {
        Signature::Normale => (
            json!({"alg": "RS256", "typ": "JWT", "kid": reglages.kid_actif}),
            Some(reglages.kid_actif),
        ),
        Signature::AutreCle => (
            json!({"alg": "RS256", "typ": "JWT", "kid": KID_PRINCIPALE}),
            Some(KID_SECONDE),
        ),
        Signature::Aucune => (json!({"alg": "none", "typ": "JWT", "kid": KID_PRINCIPALE}), None),
        Signature::Hs256 => (json!({"alg": "HS256", "typ": "JWT", "kid": KID_PRINCIPALE}), None),
    };
    let signe = format!(
        "{}.{}",
        b64_avec(entete.to_string().as_bytes(), remplissage),
        b64_avec(texte.as_bytes(), remplissage)
    );
    let signature = match (signature, cle_signature) {
        (Signature::Aucune, _) => Vec::new(),
        (Signature::Hs256, _) => {
            let cle = hmac::Key::new(hmac::HMAC_SHA256, CLIENT_SECRET.as_bytes());
            hmac::sign(&cle, signe.as_bytes()).as_ref().to_vec()
        }
        (_, Some(kid)) => {
            let paire = &partage.cles[kid];
            let mut signature = vec![0; paire.public().modulus_len()];
            paire
                .sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    signe.as_bytes(),
                    &mut signature,
                )
                .unwrap();
            signature
        }
        (_, None) => unreachable!(),
    };
    format!("{signe}.{}", b64_avec(&signature, remplissage))
}

fn erreur(statut: StatusCode, code: &str) -> Response {
    (statut, axum::Json(json!({"error": code}))).into_response()
}

async fn decouverte(State(partage): State<Partage>) -> Response {
    let interne = partage.interne.lock().unwrap();
    let e = &interne.emetteur;
    axum::Json(json!({
        "issuer": interne.reglages.emetteur_annonce.clone().unwrap_or_else(|| e.clone()),
        "authorization_endpoint": format!("{e}/authorize"),
        "token_endpoint": format!("{e}/token"),
        "userinfo_endpoint": format!("{e}/userinfo"),
        "jwks_uri": format!("{e}/jwks"),
        "end_session_endpoint": format!("{e}/session/end"),
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "email", "given_name", "usual_name"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": interne.reglages.methodes_authentification,
    }))
    .into_response()
}

async fn jwks(State(partage): State<Partage>) -> Response {
    let mut interne = partage.interne.lock().unwrap();
    interne.journal.appels_jwks += 1;
    let cles: Vec<Value> = interne
        .reglages
        .kids_publies
        .iter()
        .map(|kid| {
            let publique = RsaPublicKeyComponents::<Vec<u8>>::from(partage.cles[kid].public());
            json!({
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                "n": b64(&publique.n), "e": b64(&publique.e),
            })
        })
        .collect();
    axum::Json(json!({ "keys": cles })).into_response()
}

/// The agent "logs in" at once: redirect to the client with a fresh code.
async fn autoriser(
    State(partage): State<Partage>,
    Query(parametres): Query<HashMap<String, String>>,
) -> Response {
    let p = |nom: &str| parametres.get(nom).cloned().unwrap_or_default();
    let valide = p("response_type") == "code"
        && p("client_id") == CLIENT_ID
        && p("redirect_uri") == URL_RETOUR
        && p("scope").split(' ').any(|s| s == "openid")
        && p("code_challenge_method") == "S256"
        && !p("code_challenge").is_empty()
        && !p("state").is_empty()
        && !p("nonce").is_empty();
    if !valide {
        return (StatusCode::BAD_REQUEST, "requête d'autorisation invalide").into_response();
    }
    let mut interne = partage.interne.lock().unwrap();
    interne.compteur += 1;
    let code = format!("code-{}", interne.compteur);
    interne.codes.insert(
        code.clone(),
        Autorisation {
            defi: p("code_challenge"),
            nonce: p("nonce"),
            redirect_uri: p("redirect_uri"),
        },
    );
    interne.journal.derniere_autorisation = parametres.clone();
    let retour = form_urlencoded::Serializer::new(format!("{}?", p("redirect_uri")))
        .append_pair("code", &code)
        .append_pair("state", &p("state"))
        .finish();
    (StatusCode::SEE_OTHER, [(header::LOCATION, retour)]).into_response()
}

/// The client: `client_secret_basic` if an `Authorization` header is there, else
/// `client_secret_post`.
fn client_authentifie(entetes: &HeaderMap, champs: &HashMap<String, String>) -> Option<&'static str> {
    if let Some(valeur) = entetes.get(header::AUTHORIZATION) {
        let encode = valeur.to_str().ok()?.strip_prefix("Basic ")?;
        let paire = String::from_utf8(STANDARD.decode(encode).ok()?).ok()?;
        let (id, secret) = paire.split_once(':')?;
        let decode = |s: &str| {
            form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return (decode(id)? == CLIENT_ID && decode(secret)? == CLIENT_SECRET).then_some("basic");
    }
    let id = champs.get("client_id")?;
    let secret = champs.get("client_secret")?;
    (id == CLIENT_ID && secret == CLIENT_SECRET).then_some("post")
}

async fn jeton(
    State(partage): State<Partage>,
    entetes: HeaderMap,
    Form(champs): Form<HashMap<String, String>>,
) -> Response {
    let Some(methode) = client_authentifie(&entetes, &champs) else {
        return erreur(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    if champs.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return erreur(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let mut interne = partage.interne.lock().unwrap();
    // A code serves once, whatever happens next.
    let code = champs.get("code").cloned().unwrap_or_default();
    let Some(autorisation) = interne.codes.remove(&code) else {
        return erreur(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    if champs.get("redirect_uri") != Some(&autorisation.redirect_uri) {
        return erreur(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let verifier = champs.get("code_verifier").cloned().unwrap_or_default();
    if b64(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref()) != autorisation.defi {
        return erreur(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    interne.journal.authentifications.push(methode);
    interne.compteur += 1;
    let jeton_acces = format!("acces-{}", interne.compteur);
    let sujet = interne.reglages.sujet.clone();
    interne.jetons_acces.insert(jeton_acces.clone(), sujet.clone());
    let r = &interne.reglages;
    let t = maintenant();
    let mut charge = json!({
        "iss": r.emetteur_jeton.clone().unwrap_or_else(|| interne.emetteur.clone()),
        "sub": sujet,
        "aud": r.audience,
        "exp": t + r.decalage_exp,
        "iat": t + r.decalage_iat,
        "auth_time": t,
        "nonce": r.nonce.clone().unwrap_or(autorisation.nonce),
        "acr": r.acr,
        "idp_id": "fia1v2",
    });
    if r.identite_dans_jeton {
        charge["email"] = json!(r.email);
        charge["given_name"] = json!("Camille");
        charge["usual_name"] = json!("Durand");
        if let Some(v) = r.email_verifie {
            charge["email_verified"] = json!(v);
        }
    }
    if let Some(azp) = &r.azp {
        charge["azp"] = json!(azp);
    }
    if let Some(d) = r.decalage_nbf {
        charge["nbf"] = json!(t + d);
    }
    let haches = match r.at_hash {
        EmpreinteAcces::Juste => Some(jeton_acces.clone()),
        EmpreinteAcces::Fausse => Some(format!("{jeton_acces}-autre")),
        EmpreinteAcces::Absente => None,
    };
    if let Some(h) = haches {
        let empreinte = digest::digest(&digest::SHA256, h.as_bytes());
        charge["at_hash"] = json!(b64(&empreinte.as_ref()[..16]));
    }
    let mut texte = charge.to_string();
    if let Some((nom, valeur)) = &r.revendication_en_double {
        texte.pop();
        texte.push_str(&format!(",{}:{valeur}}}", json!(nom)));
    }
    if r.remplissage_base64 {
        // Spaces after the JSON, so that the payload's base64 needs padding.
        while texte.len().is_multiple_of(3) {
            texte.push(' ');
        }
    }
    let jeton_id = signer_texte(&partage, r, r.signature, &texte, r.remplissage_base64);
    axum::Json(json!({
        "access_token": jeton_acces,
        "token_type": "Bearer",
        "expires_in": 60,
        "id_token": jeton_id,
        "scope": "openid email given_name usual_name",
    }))
    .into_response()
}

async fn infos(State(partage): State<Partage>, entetes: HeaderMap) -> Response {
    let mut interne = partage.interne.lock().unwrap();
    interne.journal.appels_infos += 1;
    let porteur = entetes
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(sujet) = porteur.and_then(|j| interne.jetons_acces.get(j)).cloned() else {
        return erreur(StatusCode::UNAUTHORIZED, "invalid_token");
    };
    let r = &interne.reglages;
    let mut charge = json!({
        "sub": r.sujet_infos.clone().unwrap_or(sujet),
        "email": r.email,
        "given_name": "Camille",
        "usual_name": "Durand",
        "siret": "13002526500013",
        "idp_id": "fia1v2",
    });
    if let Some(v) = r.email_verifie {
        charge["email_verified"] = json!(v);
    }
    if r.infos_signees && !r.infos_sans_emetteur_ni_audience {
        charge["iss"] = json!(
            r.emetteur_jeton
                .clone()
                .unwrap_or_else(|| interne.emetteur.clone())
        );
        charge["aud"] = r.audience.clone();
    }
    if r.infos_signees {
        charge["iat"] = json!(maintenant());
        let jwt = signer(&partage, r, r.signature_infos.unwrap_or(r.signature), &charge);
        ([(header::CONTENT_TYPE, "application/jwt; charset=utf-8")], jwt).into_response()
    } else {
        axum::Json(charge).into_response()
    }
}
