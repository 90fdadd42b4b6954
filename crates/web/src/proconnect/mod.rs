//! Login of public agents through ProConnect: an OpenID Connect client (authorization code
//! flow with PKCE, `state` and `nonce`), independent of how sessions are kept.
//!
//! The flow, for the web layer:
//! 1. once, at start-up: [`ClientProConnect::decouvrir`] with a [`ConfigProConnect`] read from
//!    the configuration (it fetches the discovery document and the provider's keys);
//! 2. on `/connexion/proconnect`: [`ClientProConnect::debut_connexion`] gives the address to
//!    redirect the agent to and an [`EtatConnexion`], kept in [`EtatsEnAttente`] under the
//!    client's address, a bounded share per client (and the `state` in a short-lived cookie,
//!    to tie the return to the browser that left);
//! 3. on the return (`/connexion/proconnect/retour?code=…&state=…`):
//!    [`ClientProConnect::fin_connexion_en_attente`] consumes the state, exchanges the code,
//!    verifies the ID token and returns the agent's [`Identite`]; every failure is an
//!    [`ErreurOidc`] with a French message.
//!
//! The provider's keys (JWKS) are cached for an hour and reloaded at once when a token is
//! signed with a key the cache does not know (key rotation) — at most once a minute
//! ([`PAUSE_RECHARGEMENT_CLES`]), so that tokens naming unknown keys cannot make this client
//! hammer the provider.

mod erreur;
mod etats;
mod jws;
mod transport;

use std::fmt;
use std::sync::Mutex;
use std::time::Instant;

use base64::Engine;
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;
use serde_json::{Map, Value};

pub use erreur::ErreurOidc;
pub use etats::{
    CAPACITE_ETATS_PAR_DEFAUT, DUREE_ETAT_PAR_DEFAUT, ETATS_PAR_CLIENT_PAR_DEFAUT, EtatConnexion,
    EtatsEnAttente, Sature,
};

use erreur::nettoyer;
use jws::{Attendu, BASE64URL, CleNommee};
use transport::{Reponse, Requete, envoyer, verifier_adresse};

/// The scopes asked by default: the agent's e-mail address, first name and usual name.
pub const PORTEES_PAR_DEFAUT: &str = "openid email given_name usual_name";

const SUFFIXE_DECOUVERTE: &str = "/.well-known/openid-configuration";

/// How long the provider's keys are trusted without reloading them.
const DUREE_CACHE_CLES: std::time::Duration = std::time::Duration::from_secs(3600);

/// The least time between two reloads of the keys caused by an unknown `kid`: a token naming a
/// key nobody published costs the provider one request a minute at most, whoever sends them.
/// A real rotation (the provider publishes the new key, then signs with it) is seen at the
/// first token signed with the new key, or within this time when a forged `kid` came just before.
pub const PAUSE_RECHARGEMENT_CLES: std::time::Duration = std::time::Duration::from_secs(60);

/// Settings of the ProConnect client, read by the caller from the configuration.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct ConfigProConnect {
    /// The discovery document, e.g. `https://proconnect.gouv.fr/api/v2/.well-known/openid-configuration`;
    /// the issuer's address alone is accepted too (the well-known suffix is then added).
    pub url_decouverte: String,
    pub client_id: String,
    /// Never shown by `Debug`.
    pub client_secret: String,
    /// The `redirect_uri` registered with ProConnect: this application's `/connexion/proconnect/retour`.
    pub url_retour: String,
    /// Space-separated scopes; `openid` is added if missing.
    #[serde(default = "portees_par_defaut")]
    pub portees: String,
    /// `acr_values` sent with the authorization request, if any (e.g. `eidas1`).
    #[serde(default)]
    pub acr_values: Option<String>,
    /// The `post_logout_redirect_uri` registered with ProConnect, where the provider sends the
    /// agent back after logout; `None`: the application's `/connexion`.
    #[serde(default)]
    pub url_apres_deconnexion: Option<String>,
}

fn portees_par_defaut() -> String {
    PORTEES_PAR_DEFAUT.to_owned()
}

impl ConfigProConnect {
    /// A configuration with the default scopes and no `acr_values`.
    pub fn new(
        url_decouverte: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        url_retour: impl Into<String>,
    ) -> Self {
        Self {
            url_decouverte: url_decouverte.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            url_retour: url_retour.into(),
            portees: portees_par_defaut(),
            acr_values: None,
            url_apres_deconnexion: None,
        }
    }
}

impl fmt::Debug for ConfigProConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigProConnect")
            .field("url_decouverte", &self.url_decouverte)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[masqué]")
            .field("url_retour", &self.url_retour)
            .field("portees", &self.portees)
            .field("acr_values", &self.acr_values)
            .field("url_apres_deconnexion", &self.url_apres_deconnexion)
            .finish()
    }
}

/// The identity of an agent who logged in through ProConnect.
#[derive(Clone, PartialEq, Eq)]
pub struct Identite {
    /// The provider's stable identifier of the agent (`sub`).
    pub sujet: String,
    /// E-mail address, trimmed and lower-cased: the key to match the agent's account.
    pub email: String,
    /// `given_name`.
    pub prenom: Option<String>,
    /// `usual_name` (ProConnect), or else `family_name`.
    pub nom: Option<String>,
    /// `email_verified`, when the provider gives it (ProConnect's addresses are those of the
    /// agents' administrations; other providers may say an address is not verified).
    pub email_verifie: Option<bool>,
    /// The raw ID token, for the `id_token_hint` of [`ClientProConnect::url_deconnexion`].
    pub jeton_id: String,
}

impl fmt::Debug for Identite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identite")
            .field("sujet", &self.sujet)
            .field("email", &self.email)
            .field("prenom", &self.prenom)
            .field("nom", &self.nom)
            .field("email_verifie", &self.email_verifie)
            .field("jeton_id", &"[masqué]")
            .finish()
    }
}

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Authentification {
    /// `client_id` and `client_secret` in the form (what ProConnect documents).
    SecretPost,
    /// HTTP Basic.
    SecretBasic,
}

#[derive(Deserialize)]
struct DocumentDecouverte {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    userinfo_endpoint: Option<String>,
    end_session_endpoint: Option<String>,
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct ReponseJeton {
    id_token: Option<String>,
    access_token: Option<String>,
}

#[derive(Deserialize)]
struct ReponseErreur {
    error: Option<String>,
}

struct CacheCles {
    cles: Vec<CleNommee>,
    charge_le: Instant,
    /// The last reload caused by a token signed with a key the cache did not know.
    dernier_rechargement_force: Option<Instant>,
}

/// An OpenID Connect client for ProConnect, made by [`decouvrir`](Self::decouvrir). Share it
/// (e.g. in an `Arc`) between requests: it keeps the provider's keys and HTTP connections.
pub struct ClientProConnect {
    config: ConfigProConnect,
    emetteur: String,
    url_autorisation: String,
    url_jeton: String,
    url_cles: String,
    url_infos: Option<String>,
    url_fin_session: Option<String>,
    authentification: Authentification,
    cles: Mutex<CacheCles>,
    agent: ureq::Agent,
    aleatoire: SystemRandom,
}

impl fmt::Debug for ClientProConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientProConnect")
            .field("config", &self.config)
            .field("emetteur", &self.emetteur)
            .field("url_autorisation", &self.url_autorisation)
            .field("url_jeton", &self.url_jeton)
            .field("url_cles", &self.url_cles)
            .field("url_infos", &self.url_infos)
            .field("url_fin_session", &self.url_fin_session)
            .field("authentification", &self.authentification)
            .finish_non_exhaustive()
    }
}

impl ClientProConnect {
    /// Fetches the provider's discovery document and keys. The issuer it announces must be the
    /// discovery address without its `/.well-known/openid-configuration` suffix, and every
    /// address must be HTTPS (plain HTTP is accepted on loopback only).
    pub async fn decouvrir(config: ConfigProConnect) -> Result<Self, ErreurOidc> {
        for (url, quoi) in [
            (&config.url_decouverte, "de découverte"),
            (&config.url_retour, "de retour"),
        ] {
            verifier_adresse(url, quoi)?;
        }
        if config.client_id.is_empty() || config.client_secret.is_empty() {
            return Err(ErreurOidc::ConfigurationInvalide(
                "identifiant ou secret du client manquant".into(),
            ));
        }
        let url_decouverte = if config.url_decouverte.ends_with(SUFFIXE_DECOUVERTE) {
            config.url_decouverte.clone()
        } else {
            format!(
                "{}{SUFFIXE_DECOUVERTE}",
                config.url_decouverte.trim_end_matches('/')
            )
        };
        let agent = transport::agent();
        let reponse = envoyer(
            &agent,
            Requete::Get {
                url: url_decouverte.clone(),
                jeton: None,
            },
        )
        .await?;
        let document: DocumentDecouverte = json_reussi(&reponse, "document de découverte")?;
        let emetteur_attendu = url_decouverte
            .strip_suffix(SUFFIXE_DECOUVERTE)
            .unwrap_or_default();
        if document.issuer.trim_end_matches('/') != emetteur_attendu.trim_end_matches('/') {
            return Err(ErreurOidc::EmetteurIncoherent);
        }
        verifier_adresse(&document.authorization_endpoint, "d'autorisation")?;
        verifier_adresse(&document.token_endpoint, "du point de jeton")?;
        verifier_adresse(&document.jwks_uri, "des clés")?;
        if let Some(url) = &document.userinfo_endpoint {
            verifier_adresse(url, "des informations de l'agent")?;
        }
        if let Some(url) = &document.end_session_endpoint {
            verifier_adresse(url, "de déconnexion")?;
        }
        // Without a list, the default is `client_secret_basic` (OpenID Connect Discovery §3).
        let authentification = match &document.token_endpoint_auth_methods_supported {
            Some(methodes) if methodes.iter().any(|m| m == "client_secret_post") => {
                Authentification::SecretPost
            }
            Some(methodes) if !methodes.iter().any(|m| m == "client_secret_basic") => {
                return Err(ErreurOidc::ConfigurationInvalide(
                    "le fournisseur n'accepte aucune authentification par secret".into(),
                ));
            }
            _ => Authentification::SecretBasic,
        };
        let cles = charger_cles(&agent, &document.jwks_uri).await?;
        Ok(Self {
            config,
            emetteur: document.issuer,
            url_autorisation: document.authorization_endpoint,
            url_jeton: document.token_endpoint,
            url_cles: document.jwks_uri,
            url_infos: document.userinfo_endpoint,
            url_fin_session: document.end_session_endpoint,
            authentification,
            cles: Mutex::new(CacheCles {
                cles,
                charge_le: Instant::now(),
                dernier_rechargement_force: None,
            }),
            agent,
            aleatoire: SystemRandom::new(),
        })
    }

    /// The provider's issuer identifier.
    pub fn emetteur(&self) -> &str {
        &self.emetteur
    }

    /// The configuration the client was made with.
    pub fn config(&self) -> &ConfigProConnect {
        &self.config
    }

    /// Starts a login: the provider's authorization address to redirect the agent to, and the
    /// secrets the return will need (random `state`, `nonce` and PKCE verifier; the S256
    /// challenge of the verifier goes in the address).
    pub fn debut_connexion(&self) -> (String, EtatConnexion) {
        let etat = EtatConnexion {
            state: self.aleatoire_base64url(),
            nonce: self.aleatoire_base64url(),
            verifier_pkce: self.aleatoire_base64url(),
        };
        let mut portees = self.config.portees.trim().to_owned();
        if !portees.split_whitespace().any(|p| p == "openid") {
            portees.insert_str(0, "openid ");
        }
        let mut requete = form_urlencoded::Serializer::new(String::new());
        requete
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &self.config.url_retour)
            .append_pair("scope", portees.trim())
            .append_pair("state", &etat.state)
            .append_pair("nonce", &etat.nonce)
            .append_pair("code_challenge", &defi_pkce(&etat.verifier_pkce))
            .append_pair("code_challenge_method", "S256");
        if let Some(acr) = self.config.acr_values.as_deref().filter(|a| !a.is_empty()) {
            requete.append_pair("acr_values", acr);
        }
        let separateur = if self.url_autorisation.contains('?') {
            '&'
        } else {
            '?'
        };
        let url = format!("{}{separateur}{}", self.url_autorisation, requete.finish());
        (url, etat)
    }

    /// Ends a login whose state the caller kept: consumes `state_recu` from `etats` (so that it
    /// can never be used again, whatever the outcome), then [`fin_connexion`](Self::fin_connexion).
    pub async fn fin_connexion_en_attente<T>(
        &self,
        etats: &EtatsEnAttente<T>,
        state_recu: &str,
        code: &str,
    ) -> Result<Identite, ErreurOidc> {
        let (etat, _) = etats.consommer(state_recu).ok_or(ErreurOidc::EtatInconnu)?;
        self.fin_connexion(&etat, state_recu, code).await
    }

    /// Ends a login: checks that `state_recu` is the expected one, exchanges `code` at the token
    /// endpoint (with the PKCE verifier), verifies the ID token (signature with the provider's
    /// key, issuer, audience, expiry, issue time, nonce) and returns the agent's identity,
    /// reading the userinfo endpoint when the ID token lacks the e-mail or the names.
    ///
    /// The caller must make sure `etat_attendu` cannot serve twice (see [`EtatsEnAttente`]).
    pub async fn fin_connexion(
        &self,
        etat_attendu: &EtatConnexion,
        state_recu: &str,
        code: &str,
    ) -> Result<Identite, ErreurOidc> {
        if !jws::egal_temps_constant(state_recu.as_bytes(), etat_attendu.state.as_bytes()) {
            return Err(ErreurOidc::EtatInconnu);
        }
        if code.is_empty() {
            return Err(ErreurOidc::ReponseInvalide("code d'autorisation absent"));
        }
        let jetons = self.echanger_code(code, &etat_attendu.verifier_pkce).await?;
        let jeton_id = jetons
            .id_token
            .ok_or(ErreurOidc::ReponseInvalide("jeton d'identité absent"))?;
        let revendications = self.verifier_signature(&jeton_id).await?;
        let attendu = self.attendu();
        let sujet = jws::verifier_jeton_id(&revendications, &attendu, &etat_attendu.nonce)?;
        jws::verifier_at_hash(&revendications, jetons.access_token.as_deref())?;
        // `acr_values` are a request the provider may not honour: the level reached is checked.
        if let Some(exiges) = self.config.acr_values.as_deref().filter(|a| !a.trim().is_empty()) {
            let recu = texte(&revendications, "acr").unwrap_or_default();
            if !exiges.split_whitespace().any(|a| a == recu) {
                return Err(ErreurOidc::NiveauInsuffisant(nettoyer(&recu)));
            }
        }

        let mut email = texte(&revendications, "email");
        let mut prenom = texte(&revendications, "given_name");
        let mut nom = texte(&revendications, "usual_name").or_else(|| texte(&revendications, "family_name"));
        let mut email_verifie = booleen(&revendications, "email_verified");
        if (email.is_none() || (prenom.is_none() && nom.is_none()))
            && let (Some(url), Some(jeton_acces)) = (&self.url_infos, jetons.access_token)
        {
            let infos = self.lire_infos(url, jeton_acces, &sujet).await?;
            email = email.or_else(|| texte(&infos, "email"));
            prenom = prenom.or_else(|| texte(&infos, "given_name"));
            nom = nom
                .or_else(|| texte(&infos, "usual_name"))
                .or_else(|| texte(&infos, "family_name"));
            // The address is the ID token's if it had one, and so is its verification.
            if texte(&revendications, "email").is_none() {
                email_verifie = booleen(&infos, "email_verified");
            }
        }
        let email = email
            .map(|e| e.trim().to_lowercase())
            .filter(|e| email_plausible(e))
            .ok_or(ErreurOidc::EmailAbsent)?;
        Ok(Identite {
            sujet,
            email,
            prenom,
            nom,
            email_verifie,
            jeton_id,
        })
    }

    /// The provider's logout address for an agent (`end_session_endpoint` with `id_token_hint`,
    /// `state` and `post_logout_redirect_uri`), if the provider has one. ProConnect expects the
    /// application to send the agent there when they log out.
    pub fn url_deconnexion(&self, jeton_id: &str, url_apres: &str, state: &str) -> Option<String> {
        let base = self.url_fin_session.as_ref()?;
        let requete = form_urlencoded::Serializer::new(String::new())
            .append_pair("id_token_hint", jeton_id)
            .append_pair("state", state)
            .append_pair("post_logout_redirect_uri", url_apres)
            .finish();
        let separateur = if base.contains('?') { '&' } else { '?' };
        Some(format!("{base}{separateur}{requete}"))
    }

    /// A fresh random value for a `state` or a logout: 256 bits, base64url.
    pub fn aleatoire_base64url(&self) -> String {
        let mut octets = [0u8; 32];
        // The system's CSPRNG failing leaves no safe way on: nothing random can be made.
        self.aleatoire
            .fill(&mut octets)
            .expect("générateur aléatoire du système indisponible");
        BASE64URL.encode(octets)
    }

    fn attendu(&self) -> Attendu<'_> {
        Attendu {
            emetteur: &self.emetteur,
            client_id: &self.config.client_id,
            maintenant: maintenant(),
        }
    }

    async fn echanger_code(&self, code: &str, verifier: &str) -> Result<ReponseJeton, ErreurOidc> {
        let mut champs = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", self.config.url_retour.clone()),
            ("code_verifier", verifier.to_owned()),
        ];
        let autorisation = match self.authentification {
            Authentification::SecretPost => {
                champs.push(("client_id", self.config.client_id.clone()));
                champs.push(("client_secret", self.config.client_secret.clone()));
                None
            }
            Authentification::SecretBasic => {
                // RFC 6749 §2.3.1: both parts are form-encoded before base64.
                let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                let paire = format!(
                    "{}:{}",
                    encode(&self.config.client_id),
                    encode(&self.config.client_secret)
                );
                Some(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(paire)
                ))
            }
        };
        let reponse = envoyer(
            &self.agent,
            Requete::Formulaire {
                url: self.url_jeton.clone(),
                champs,
                autorisation,
            },
        )
        .await?;
        if !reponse.reussie() {
            let code = serde_json::from_str::<ReponseErreur>(&reponse.corps)
                .ok()
                .and_then(|e| e.error)
                .map(|e| nettoyer(&e))
                .unwrap_or_else(|| format!("statut {}", reponse.statut));
            return Err(ErreurOidc::EchangeRefuse(code));
        }
        json_reussi(&reponse, "réponse du point de jeton")
    }

    /// Verifies a JWS of the provider with the key of its `kid`, reloading the keys if the cache
    /// is older than an hour, or if it does not have that key and no such reload happened in
    /// the last [`PAUSE_RECHARGEMENT_CLES`]; returns its claims.
    async fn verifier_signature(&self, jeton: &str) -> Result<Map<String, Value>, ErreurOidc> {
        let decoupe = jws::decouper(jeton)?;
        let en_cache = {
            let mut cache = self.verrou_cles();
            let frais = cache.charge_le.elapsed() < DUREE_CACHE_CLES;
            match frais
                .then(|| jws::choisir_cle(&decoupe, &cache.cles).cloned())
                .flatten()
            {
                Some(cle) => Some(cle),
                None if !frais => None,
                None => {
                    let permis = cache
                        .dernier_rechargement_force
                        .is_none_or(|t| t.elapsed() >= PAUSE_RECHARGEMENT_CLES);
                    if !permis {
                        return Err(ErreurOidc::CleInconnue);
                    }
                    // Taken before the request, so that simultaneous tokens reload once.
                    cache.dernier_rechargement_force = Some(Instant::now());
                    None
                }
            }
        };
        let cle = match en_cache {
            Some(cle) => cle,
            None => {
                let cles = charger_cles(&self.agent, &self.url_cles).await?;
                let cle = jws::choisir_cle(&decoupe, &cles).cloned();
                let mut cache = self.verrou_cles();
                cache.cles = cles;
                cache.charge_le = Instant::now();
                drop(cache);
                cle.ok_or(ErreurOidc::CleInconnue)?
            }
        };
        decoupe.verifier(&cle)
    }

    /// Reads the userinfo endpoint: plain JSON, or a JWT signed by the provider (ProConnect's
    /// way), whose signature and claims are then verified. The subject must be the ID token's.
    async fn lire_infos(
        &self,
        url: &str,
        jeton_acces: String,
        sujet: &str,
    ) -> Result<Map<String, Value>, ErreurOidc> {
        let reponse = envoyer(
            &self.agent,
            Requete::Get {
                url: url.to_owned(),
                jeton: Some(jeton_acces),
            },
        )
        .await?;
        if !reponse.reussie() {
            return Err(ErreurOidc::ReponseInvalide("informations de l'agent"));
        }
        let corps = reponse.corps.trim();
        if reponse.type_contenu == "application/jwt" || !corps.starts_with('{') {
            let infos = self.verifier_signature(corps).await?;
            jws::verifier_infos_signees(&infos, &self.attendu(), sujet)?;
            Ok(infos)
        } else {
            // Read as strictly as a signed answer: a member named twice is refused.
            let infos = jws::objet_sans_doublon(corps.as_bytes())
                .map_err(|_| ErreurOidc::ReponseInvalide("informations de l'agent"))?;
            if jws::sujet(&infos).as_deref() != Some(sujet) {
                return Err(ErreurOidc::SujetIncoherent);
            }
            Ok(infos)
        }
    }

    fn verrou_cles(&self) -> std::sync::MutexGuard<'_, CacheCles> {
        // The cache is replaced whole: it stays consistent even if a holder panicked.
        self.cles.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn charger_cles(agent: &ureq::Agent, url: &str) -> Result<Vec<CleNommee>, ErreurOidc> {
    let reponse = envoyer(
        agent,
        Requete::Get {
            url: url.to_owned(),
            jeton: None,
        },
    )
    .await?;
    if !reponse.reussie() {
        return Err(ErreurOidc::ReponseInvalide("jeu de clés JWKS"));
    }
    jws::lire_jwks(&reponse.corps)
}

fn json_reussi<T: serde::de::DeserializeOwned>(
    reponse: &Reponse,
    quoi: &'static str,
) -> Result<T, ErreurOidc> {
    if !reponse.reussie() {
        return Err(ErreurOidc::ReponseInvalide(quoi));
    }
    serde_json::from_str(&reponse.corps).map_err(|_| ErreurOidc::ReponseInvalide(quoi))
}

/// The S256 PKCE challenge of a verifier (RFC 7636 §4.2).
pub fn defi_pkce(verifier: &str) -> String {
    BASE64URL.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
}

fn texte(revendications: &Map<String, Value>, nom: &str) -> Option<String> {
    revendications
        .get(nom)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// A boolean claim: `true`/`false`, or the strings some providers send instead.
fn booleen(revendications: &Map<String, Value>, nom: &str) -> Option<bool> {
    match revendications.get(nom)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        // Any other value is not a verification.
        _ => Some(false),
    }
}

fn email_plausible(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domaine)) => {
            !local.is_empty()
                && !domaine.is_empty()
                && !domaine.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// Now, in Unix seconds, from the store's clock (the one `comptes::temps` reads too): the
/// client depends on nothing of the web crate.
fn maintenant() -> i64 {
    pacte_store::horloge::instant().secondes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defi_pkce_de_la_rfc_7636() {
        // RFC 7636, appendix B.
        assert_eq!(
            defi_pkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn debug_de_la_configuration_sans_secret() {
        let config = ConfigProConnect::new(
            "https://proconnect.gouv.fr/api/v2",
            "pacte",
            "secret-tres-secret",
            "https://pacte.test/connexion/proconnect/retour",
        );
        let texte = format!("{config:?}");
        assert!(texte.contains("pacte"));
        assert!(!texte.contains("secret-tres-secret"));
        assert_eq!(config.portees, PORTEES_PAR_DEFAUT);
    }

    #[test]
    fn configuration_lue_avec_valeurs_par_defaut() {
        let config: ConfigProConnect = serde_json::from_str(
            r#"{"url_decouverte": "https://p/", "client_id": "c", "client_secret": "s", "url_retour": "https://r/"}"#,
        )
        .unwrap();
        assert_eq!(config.portees, PORTEES_PAR_DEFAUT);
        assert_eq!(config.acr_values, None);
    }

    #[test]
    fn adresses_electroniques() {
        assert!(email_plausible("agent@exemple.gouv.fr"));
        assert!(!email_plausible("agent"));
        assert!(!email_plausible("@exemple.fr"));
        assert!(!email_plausible("agent@"));
        assert!(!email_plausible("a@b@c"));
        assert!(!email_plausible("a b@c"));
    }

    #[tokio::test]
    async fn adresse_de_decouverte_en_clair_refusee() {
        let config = ConfigProConnect::new(
            "http://proconnect.gouv.fr/api/v2",
            "pacte",
            "secret",
            "https://pacte.test/retour",
        );
        let erreur = ClientProConnect::decouvrir(config).await.unwrap_err();
        assert_eq!(
            erreur.to_string(),
            "configuration ProConnect invalide : l'adresse de découverte doit être en HTTPS"
        );
    }
}
