//! Sign-in through ProConnect, on the web: the two routes of the OpenID Connect flow and the
//! provider's logout. The protocol itself is in [`crate::proconnect`].
//!
//! - `GET /connexion/proconnect?retour=…` starts a login: the secrets of the login are kept in
//!   memory ([`EtatsEnAttente`]) and its `state`, with the page to come back to, in a short-lived
//!   cookie scoped to `/connexion/proconnect` — so that the return is accepted only in the
//!   browser that left. The agent is sent to the provider (303).
//!   Each client address (an IPv6 address counts by its /64) has a bounded share of the logins
//!   under way: past it, the flood gets a French 429 page, and nobody else's login is pushed out.
//! - `GET /connexion/proconnect/retour?code=…&state=…` ends it: the state is consumed whatever
//!   happens, the code exchanged, the ID token verified; the agent's account is found by its
//!   pinned ProConnect identity (`sub`, see `liens_proconnect`), else by e-mail (lower-cased,
//!   refused if the provider says it is not verified) — and then linked to that identity if it
//!   has no password, or if a national administrator authorised the link; a password account
//!   is never linked implicitly —, or created with no rights (role and scope `aucun`, linked at
//!   once) until an administrator assigns them; a session is opened with the ID token kept for
//!   the logout.
//! - `GET /compte/proconnect` and `POST /compte/proconnect`: a person signed in with their
//!   password links their account explicitly (« Lier mon compte ProConnect »): the same flow,
//!   whose return links the identity to that account (same e-mail address required).
//! - On sign-out, a session opened through ProConnect is sent to the provider's
//!   `end_session_endpoint`, which brings the agent back to `/connexion`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use pacte_store::comptes::{NouvelUtilisateur, cle_compte, empreinte_secret};
use serde::Deserialize;
use tokio::sync::OnceCell;

use askama::Template;
use pacte_store::ErreurStore;
use pacte_store::comptes::Utilisateur as Compte;

use super::session::{Adresse, cookie_session, ouvrir_session, page_connexion_en_erreur};
use super::{cookie, encoder, retour_local, temps};
use crate::proconnect::{ClientProConnect, ConfigProConnect, ErreurOidc, EtatsEnAttente, Identite, Sature};
use crate::ui::{Page, rendre};
use crate::{ErreurWeb, Etat, Utilisateur};

/// The cookie that ties a return from ProConnect to the browser that left: `<state>.<retour>`.
pub const COOKIE_ETAT: &str = "pacte_proconnect";
/// The path the cookie is sent to: the two routes of the flow only.
const CHEMIN_COOKIE: &str = "/connexion/proconnect";
/// The actor recorded in the audit log for an account created at first login.
const ACTEUR_CREATION: &str = "proconnect";

/// The environment variables of the configuration (see the README, « ProConnect »).
pub const VARIABLES: [&str; 4] = [
    "PACTE_PROCONNECT_URL_DECOUVERTE",
    "PACTE_PROCONNECT_CLIENT_ID",
    "PACTE_PROCONNECT_CLIENT_SECRET",
    "PACTE_PROCONNECT_URL_RETOUR",
];
/// Optional: scopes (default [`crate::proconnect::PORTEES_PAR_DEFAUT`]), `acr_values`, and the
/// address the provider sends the agent back to after logout (default: `/connexion` on the
/// host of the return address).
pub const VARIABLES_FACULTATIVES: [&str; 3] = [
    "PACTE_PROCONNECT_PORTEES",
    "PACTE_PROCONNECT_ACR",
    "PACTE_PROCONNECT_URL_APRES_DECONNEXION",
];

/// The ProConnect configuration from variables read by `lire` (the environment, in the
/// application): `Ok(None)` when none of the required ones is set, an error naming those
/// missing when only some are.
pub fn config_depuis(lire: impl Fn(&str) -> Option<String>) -> Result<Option<ConfigProConnect>, String> {
    let lire = |nom: &str| lire(nom).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let valeurs: Vec<Option<String>> = VARIABLES.iter().map(|n| lire(n)).collect();
    if valeurs.iter().all(Option::is_none) {
        return Ok(None);
    }
    let manquantes: Vec<&str> = VARIABLES
        .iter()
        .zip(&valeurs)
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !manquantes.is_empty() {
        return Err(format!(
            "configuration ProConnect incomplète : définissez aussi {}",
            manquantes.join(", ")
        ));
    }
    let [decouverte, client_id, secret, retour] = <[Option<String>; 4]>::try_from(valeurs)
        .map_err(|_| "configuration ProConnect illisible".to_string())?
        .map(Option::unwrap_or_default);
    let mut config = ConfigProConnect::new(decouverte, client_id, secret, retour);
    if let Some(p) = lire(VARIABLES_FACULTATIVES[0]) {
        config.portees = p;
    }
    config.acr_values = lire(VARIABLES_FACULTATIVES[1]);
    config.url_apres_deconnexion = lire(VARIABLES_FACULTATIVES[2]);
    Ok(Some(config))
}

/// The address the provider sends the agent back to after logout: the configured one, or
/// `/connexion` on the origin of the return address.
pub fn url_apres_deconnexion(config: &ConfigProConnect) -> String {
    if let Some(u) = &config.url_apres_deconnexion {
        return u.clone();
    }
    let url = &config.url_retour;
    let debut_hote = url.find("://").map_or(0, |i| i + 3);
    let fin_origine = url[debut_hote..].find('/').map_or(url.len(), |i| debut_hote + i);
    format!("{}/connexion", &url[..fin_origine])
}

/// ProConnect in a running application: its configuration, the client (made at first use by
/// discovering the provider, and made again at the next login if the provider could not be
/// reached), and the logins under way.
pub struct ProConnect {
    config: ConfigProConnect,
    client: OnceCell<Arc<ClientProConnect>>,
    /// Kept with each login: the account it links, when started by « Lier mon compte ».
    etats: EtatsEnAttente<Option<i64>>,
}

impl std::fmt::Debug for ProConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProConnect")
            .field("config", &self.config)
            .field("decouvert", &self.client.initialized())
            .field("etats", &self.etats)
            .finish()
    }
}

impl ProConnect {
    pub fn new(config: ConfigProConnect) -> ProConnect {
        ProConnect {
            config,
            client: OnceCell::new(),
            etats: EtatsEnAttente::default(),
        }
    }

    /// The client, discovering the provider if it has not been yet.
    pub async fn client(&self) -> Result<&Arc<ClientProConnect>, ErreurOidc> {
        self.client
            .get_or_try_init(|| async {
                ClientProConnect::decouvrir(self.config.clone())
                    .await
                    .map(Arc::new)
            })
            .await
    }

    pub fn config(&self) -> &ConfigProConnect {
        &self.config
    }
}

fn proconnect(etat: &Etat) -> Result<&ProConnect, ErreurWeb> {
    etat.proconnect.as_deref().ok_or_else(|| {
        ErreurWeb::introuvable(
            "La connexion par ProConnect n'est pas configurée sur ce serveur : connectez-vous avec votre adresse électronique et votre mot de passe.",
        )
    })
}

/// The `Set-Cookie` of the login cookie (`None`: its deletion).
fn cookie_etat(etat: &Etat, valeur: Option<&str>) -> HeaderValue {
    let securise = if etat.options.https { "; Secure" } else { "" };
    let (valeur, age) = match valeur {
        Some(v) => (v, crate::proconnect::DUREE_ETAT_PAR_DEFAUT.as_secs()),
        None => ("", 0),
    };
    HeaderValue::from_str(&format!(
        "{COOKIE_ETAT}={valeur}; Path={CHEMIN_COOKIE}; HttpOnly; SameSite=Lax; Max-Age={age}{securise}"
    ))
    .expect("cookie value")
}

/// The state and the page to come back to, from the login cookie.
fn lire_cookie_etat(entetes: &HeaderMap) -> Option<(String, String)> {
    let valeur = cookie(entetes, COOKIE_ETAT)?;
    let (state, retour) = valeur.split_once('.')?;
    let retour = form_urlencoded::parse(format!("r={retour}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    Some((state.to_owned(), retour))
}

#[derive(Debug, Deserialize)]
pub struct Depart {
    retour: Option<String>,
}

/// The sign-in page with `message`, answered with `statut`.
fn echec(etat: &Etat, statut: StatusCode, message: String, retour: &str) -> Response {
    let mut entetes = HeaderMap::new();
    entetes.insert(header::SET_COOKIE, cookie_etat(etat, None));
    match page_connexion_en_erreur(etat, message, retour) {
        Ok(html) => (statut, entetes, html).into_response(),
        Err(e) => e.into_response(),
    }
}

/// What an agent is told when a login fails: what happened, and what to do.
fn message_echec(e: &ErreurOidc) -> (StatusCode, String) {
    match e {
        ErreurOidc::FournisseurInjoignable
        | ErreurOidc::ReponseInvalide(_)
        | ErreurOidc::EmetteurIncoherent
        | ErreurOidc::ConfigurationInvalide(_) => (
            StatusCode::BAD_GATEWAY,
            format!(
                "La connexion par ProConnect est momentanément impossible ({e}). Réessayez dans quelques minutes ou connectez-vous avec votre mot de passe Pacte."
            ),
        ),
        ErreurOidc::AutorisationRefusee(_) => (
            StatusCode::UNAUTHORIZED,
            format!("La connexion par ProConnect n'a pas abouti ({e}). Vous pouvez recommencer."),
        ),
        ErreurOidc::EtatInconnu => (
            StatusCode::BAD_REQUEST,
            "Cette connexion par ProConnect a expiré, a déjà servi ou a été commencée dans un autre navigateur. Recommencez depuis cette page.".into(),
        ),
        _ => (
            StatusCode::UNAUTHORIZED,
            format!("La connexion par ProConnect a été refusée : {e}. Recommencez ; si le problème persiste, signalez-le à l'administrateur de Pacte."),
        ),
    }
}

fn echec_oidc(etat: &Etat, e: &ErreurOidc, retour: &str) -> Response {
    tracing::warn!("ProConnect : échec de connexion ({e})");
    let (statut, message) = message_echec(e);
    echec(etat, statut, message, retour)
}

/// The key under which a client's logins under way are counted: its address, an IPv6 address
/// by its /64 (what one subscriber usually holds whole).
fn cle_client(adresse: &str) -> String {
    match adresse.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(ip) => ip.to_canonical().to_string(),
        Err(_) => adresse.to_string(),
    }
}

/// The answer to a client that has too many logins under way (or to everyone, when the
/// store of logins is full): the sign-in page, 429, and when to come back.
fn trop_de_connexions(etat: &Etat, refus: Sature, retour: &str) -> Response {
    let message = match refus {
        Sature::Client => {
            "Trop de connexions par ProConnect ont été commencées depuis votre adresse sans aboutir. Patientez quelques minutes, puis recommencez ; vous pouvez aussi vous connecter avec votre mot de passe Pacte."
        }
        Sature::Global => {
            "Pacte reçoit trop de demandes de connexion par ProConnect en ce moment. Patientez quelques minutes, puis recommencez ; vous pouvez aussi vous connecter avec votre mot de passe Pacte."
        }
    };
    let mut r = echec(etat, StatusCode::TOO_MANY_REQUESTS, message.into(), retour);
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    r
}

/// Starts a login for `client` (its address): keeps its secrets, and sends the browser to the
/// provider with the login cookie. `lier`: the account the login is to be linked to.
async fn commencer(
    etat: &Etat,
    client: &str,
    retour: &str,
    lier: Option<i64>,
) -> Result<Response, ErreurWeb> {
    let pc = proconnect(etat)?;
    let fournisseur = match pc.client().await {
        Ok(c) => c,
        Err(e) => return Ok(echec_oidc(etat, &e, retour)),
    };
    let (url, connexion) = fournisseur.debut_connexion();
    let valeur = format!("{}.{}", connexion.state, encoder(retour));
    if let Err(refus) = pc.etats.garder(&cle_client(client), connexion, lier) {
        return Ok(trop_de_connexions(etat, refus, retour));
    }
    let mut entetes = HeaderMap::new();
    entetes.insert(header::SET_COOKIE, cookie_etat(etat, Some(&valeur)));
    Ok((entetes, Redirect::to(&url)).into_response())
}

/// `GET /connexion/proconnect`: sends the agent to ProConnect.
pub async fn debut(
    State(etat): State<Etat>,
    Adresse(adresse): Adresse,
    Query(q): Query<Depart>,
) -> Result<Response, ErreurWeb> {
    proconnect(&etat)?;
    let retour = q
        .retour
        .as_deref()
        .and_then(retour_local)
        .unwrap_or("/")
        .to_string();
    commencer(&etat, &adresse, &retour, None).await
}

#[derive(Debug, Deserialize)]
pub struct ParametresRetour {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /connexion/proconnect/retour`: the provider sends the agent back here.
pub async fn retour(
    State(etat): State<Etat>,
    entetes: HeaderMap,
    Query(p): Query<ParametresRetour>,
) -> Result<Response, ErreurWeb> {
    let pc = proconnect(&etat)?;
    let attendu = lire_cookie_etat(&entetes);
    let retour = attendu
        .as_ref()
        .and_then(|(_, r)| retour_local(r))
        .unwrap_or("/")
        .to_string();
    let state = p.state.unwrap_or_default();
    // Whatever happens next, this state can serve no more.
    let connexion = pc.etats.consommer(&state);
    let retour = if connexion.as_ref().is_some_and(|(_, lier)| lier.is_some()) {
        PAGE_COMPTE.to_string()
    } else {
        retour
    };
    if let Some(code_erreur) = p.error {
        return Ok(echec_oidc(
            &etat,
            &ErreurOidc::autorisation_refusee(&code_erreur),
            &retour,
        ));
    }
    let meme_navigateur = attendu.as_ref().is_some_and(|(s, _)| *s == state);
    let Some((connexion, lier)) = connexion.filter(|_| meme_navigateur) else {
        return Ok(echec_oidc(&etat, &ErreurOidc::EtatInconnu, &retour));
    };
    let client = match pc.client().await {
        Ok(c) => c,
        Err(e) => return Ok(echec_oidc(&etat, &e, &retour)),
    };
    let identite = match client
        .fin_connexion(&connexion, &state, p.code.as_deref().unwrap_or_default())
        .await
    {
        Ok(i) => i,
        Err(e) => return Ok(echec_oidc(&etat, &e, &retour)),
    };
    if let Some(id) = lier {
        return lier_compte(&etat, id, &identite).await;
    }
    let compte = match compte_de(&etat, &identite).await? {
        Ok(c) => c,
        // The sign-in page, whose password form leads to the page where the account is linked.
        Err(message) => return Ok(echec(&etat, StatusCode::FORBIDDEN, message, PAGE_COMPTE)),
    };
    if !compte.actif {
        return Ok(echec(
            &etat,
            StatusCode::FORBIDDEN,
            format!(
                "Le compte Pacte de {} est désactivé. Adressez-vous à l'administrateur national de Pacte pour le réactiver.",
                compte.email
            ),
            &retour,
        ));
    }
    // Recorded as password sign-ins are (kept a day, see `entretien`).
    etat.base
        .noter_tentative(&cle_compte(&compte.email), true, &temps::iso(temps::maintenant()))
        .await?;
    let secret = ouvrir_session(&etat, compte.id).await?;
    etat.base
        .lier_session_proconnect(&empreinte_secret(&secret), &identite.jeton_id)
        .await?;
    let mut entetes = HeaderMap::new();
    entetes.append(header::SET_COOKIE, cookie_session(&etat, Some(&secret)));
    entetes.append(header::SET_COOKIE, cookie_etat(&etat, None));
    Ok((entetes, Redirect::to(&retour)).into_response())
}

/// The account of an agent: the one pinned to their ProConnect identity; else the one of
/// their (verified) e-mail address, if it may be linked now — it is then linked —; else a
/// new one with no rights, linked at once. `Err`: why the agent is refused, in French.
async fn compte_de(etat: &Etat, identite: &Identite) -> Result<Result<Compte, String>, ErreurWeb> {
    if let Some(u) = etat
        .base
        .utilisateur_par_sujet_proconnect(&identite.sujet)
        .await?
    {
        return Ok(Ok(u));
    }
    if identite.email_verifie == Some(false) {
        return Ok(Err(adresse_non_verifiee(identite)));
    }
    let acteur = format!("{ACTEUR_CREATION}:{}", identite.sujet);
    let compte = match etat.base.utilisateur_par_email(&identite.email).await? {
        Some(u) => {
            let autorise = match etat.base.lien_proconnect(u.id).await? {
                Some(l) if l.sujet.is_some() => {
                    return Ok(Err(format!(
                        "Le compte Pacte de {} est lié à une autre identité ProConnect que celle avec laquelle vous venez de vous identifier. Si votre identité ProConnect a changé, demandez à l'administrateur national de Pacte d'autoriser une nouvelle liaison.",
                        u.email
                    )));
                }
                Some(_) => true,
                None => false,
            };
            // A password account is linked only by an explicit act: the person signed in
            // with their password, or a national administrator.
            if u.hash_mot_de_passe.is_some() && !autorise {
                return Ok(Err(format!(
                    "Un compte Pacte protégé par un mot de passe existe déjà pour l'adresse {}. Il n'est pas lié à ProConnect : connectez-vous ci-dessous avec votre mot de passe, puis choisissez « Lier mon compte ProConnect » (page {PAGE_COMPTE}) ; ou demandez à l'administrateur national de Pacte d'autoriser la liaison.",
                    u.email
                )));
            }
            u
        }
        None => creer_compte(etat, identite, &acteur).await?,
    };
    match etat
        .base
        .lier_proconnect(compte.id, &identite.sujet, &acteur)
        .await
    {
        Ok(_) => Ok(Ok(compte)),
        Err(ErreurStore::Invalide(m)) => Ok(Err(format!(
            "La connexion par ProConnect a été refusée : {m}. Adressez-vous à l'administrateur national de Pacte."
        ))),
        Err(e) => Err(e.into()),
    }
}

fn adresse_non_verifiee(identite: &Identite) -> String {
    format!(
        "Votre fournisseur d'identité indique que l'adresse {} n'est pas vérifiée : elle ne peut pas servir à vous connecter à Pacte. Faites-la vérifier auprès de votre administration, puis recommencez.",
        identite.email
    )
}

/// A new account with no rights for an agent at their first login.
async fn creer_compte(etat: &Etat, identite: &Identite, acteur: &str) -> Result<Compte, ErreurWeb> {
    let nom = [identite.prenom.as_deref(), identite.nom.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let nouveau = NouvelUtilisateur {
        email: identite.email.clone(),
        nom: if nom.is_empty() {
            identite.email.clone()
        } else {
            nom
        },
        hash_mot_de_passe: None,
        role: "aucun".into(),
        perimetre: "aucun".into(),
    };
    match etat.base.creer_utilisateur(&nouveau, acteur).await {
        Ok(u) => {
            tracing::info!(
                compte = u.id,
                "ProConnect : compte créé sans droit (en attente d'habilitation)"
            );
            Ok(u)
        }
        // Two first logins of the same agent at once: the other one created it.
        Err(e) => match etat.base.utilisateur_par_email(&identite.email).await? {
            Some(u) if u.hash_mot_de_passe.is_none() => Ok(u),
            _ => Err(e.into()),
        },
    }
}

/// The end of « Lier mon compte ProConnect »: links the identity to account `id` (who started
/// the login while signed in) if the addresses match, then back to the account's ProConnect
/// page. The session stays the one the person had.
async fn lier_compte(etat: &Etat, id: i64, identite: &Identite) -> Result<Response, ErreurWeb> {
    let compte = etat.base.utilisateur(id).await?;
    // The page says why from a code: no text of the address bar is ever shown as a message.
    let refus = |code: &str| {
        let mut entetes = HeaderMap::new();
        entetes.insert(header::SET_COOKIE, cookie_etat(etat, None));
        (entetes, Redirect::to(&format!("{PAGE_COMPTE}?refus={code}"))).into_response()
    };
    if identite.email_verifie == Some(false) {
        return Ok(refus("non-verifiee"));
    }
    if identite.email != compte.email {
        return Ok(refus("adresse"));
    }
    let acteur = format!("utilisateur:{}:{}", compte.id, compte.email);
    match etat
        .base
        .lier_proconnect(compte.id, &identite.sujet, &acteur)
        .await
    {
        Ok(_) => {
            let mut entetes = HeaderMap::new();
            entetes.insert(header::SET_COOKIE, cookie_etat(etat, None));
            Ok((entetes, Redirect::to(&format!("{PAGE_COMPTE}?lie=1"))).into_response())
        }
        Err(ErreurStore::Invalide(_)) => Ok(refus("deja-lie")),
        Err(e) => Err(e.into()),
    }
}

/// The account's ProConnect page.
pub const PAGE_COMPTE: &str = "/compte/proconnect";

#[derive(Template)]
#[template(path = "compte_proconnect.html")]
struct PageCompteProConnect {
    page: Page,
    email: String,
    situation: String,
    propose_liaison: bool,
    message: Option<&'static str>,
    erreur: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ParametresCompte {
    lie: Option<String>,
    refus: Option<String>,
}

/// `GET /compte/proconnect`: whether the account is linked to ProConnect, and the button to
/// link it (« Lier mon compte ProConnect »).
pub async fn page_compte(
    State(etat): State<Etat>,
    u: Utilisateur,
    Query(q): Query<ParametresCompte>,
) -> Result<Response, ErreurWeb> {
    proconnect(&etat)?;
    let etat = etat.pour(&u);
    let lien = etat.base.lien_proconnect(u.compte.id).await?;
    let lie = lien.as_ref().is_some_and(|l| l.sujet.is_some());
    let situation = if lie {
        "Votre compte Pacte est lié à votre identité ProConnect : vous pouvez vous connecter avec ProConnect."
            .to_string()
    } else if lien.is_some() {
        "L'administrateur national a autorisé la liaison de votre compte : elle se fera à votre prochaine connexion avec ProConnect.".to_string()
    } else {
        "Votre compte Pacte n'est pas lié à ProConnect.".to_string()
    };
    let erreur = q.refus.as_deref().map(|code| match code {
        "adresse" => format!(
            "Vous vous êtes identifié sur ProConnect avec une autre adresse que celle de votre compte Pacte ({}) : votre compte n'a pas été lié. Recommencez en vous identifiant avec cette adresse.",
            u.compte.email
        ),
        "non-verifiee" => "Votre fournisseur d'identité indique que votre adresse n'est pas vérifiée : votre compte n'a pas été lié.".to_string(),
        _ => "Votre compte n'a pas été lié : cette identité ProConnect est déjà liée à un autre compte Pacte, ou votre compte à une autre identité. Adressez-vous à l'administrateur national de Pacte.".to_string(),
    });
    rendre(&PageCompteProConnect {
        page: Page::new(&etat, "Mon compte ProConnect", "").ariane("Mon compte ProConnect", None),
        email: u.compte.email.clone(),
        situation,
        propose_liaison: !lie,
        message: q
            .lie
            .is_some()
            .then_some("Votre compte est maintenant lié à ProConnect."),
        erreur,
    })
}

/// `POST /compte/proconnect` (« Lier mon compte ProConnect »): starts a login whose return
/// links the identity to the signed-in account.
pub async fn lier(
    State(etat): State<Etat>,
    u: Utilisateur,
    Adresse(adresse): Adresse,
) -> Result<Response, ErreurWeb> {
    proconnect(&etat)?;
    commencer(&etat, &adresse, PAGE_COMPTE, Some(u.compte.id)).await
}

/// Where a sign-out sends the browser: the provider's logout for a session opened through
/// ProConnect (when the provider has one), the sign-in page otherwise.
pub async fn apres_deconnexion(etat: &Etat, jeton_id: Option<&str>) -> String {
    let (Some(jeton_id), Some(pc)) = (jeton_id, etat.proconnect.as_deref()) else {
        return "/connexion".into();
    };
    let Ok(client) = pc.client().await else {
        return "/connexion".into();
    };
    client
        .url_deconnexion(
            jeton_id,
            &url_apres_deconnexion(pc.config()),
            &client.aleatoire_base64url(),
        )
        .unwrap_or_else(|| "/connexion".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_lue() {
        let aucune = config_depuis(|_| None).unwrap();
        assert!(aucune.is_none());
        let e = config_depuis(|n| (n == "PACTE_PROCONNECT_CLIENT_ID").then(|| "pacte".into())).unwrap_err();
        assert_eq!(
            e,
            "configuration ProConnect incomplète : définissez aussi PACTE_PROCONNECT_URL_DECOUVERTE, PACTE_PROCONNECT_CLIENT_SECRET, PACTE_PROCONNECT_URL_RETOUR"
        );
        let c = config_depuis(|n| {
            Some(match n {
                "PACTE_PROCONNECT_URL_DECOUVERTE" => "https://fca.integ01.dev-agentconnect.fr/api/v2".into(),
                "PACTE_PROCONNECT_CLIENT_ID" => " pacte ".into(),
                "PACTE_PROCONNECT_CLIENT_SECRET" => "secret".into(),
                "PACTE_PROCONNECT_URL_RETOUR" => {
                    "https://pacte.exemple.gouv.fr/connexion/proconnect/retour".into()
                }
                "PACTE_PROCONNECT_ACR" => "eidas1".into(),
                _ => return None,
            })
        })
        .unwrap()
        .unwrap();
        assert_eq!(c.client_id, "pacte");
        assert_eq!(c.portees, crate::proconnect::PORTEES_PAR_DEFAUT);
        assert_eq!(c.acr_values.as_deref(), Some("eidas1"));
        assert_eq!(
            url_apres_deconnexion(&c),
            "https://pacte.exemple.gouv.fr/connexion"
        );
        let mut c = c;
        c.url_apres_deconnexion = Some("https://pacte.exemple.gouv.fr/au-revoir".into());
        assert_eq!(
            url_apres_deconnexion(&c),
            "https://pacte.exemple.gouv.fr/au-revoir"
        );
    }

    #[test]
    fn cookie_d_etat_relu() {
        let mut entetes = HeaderMap::new();
        let valeur = format!("abc-_9.{}", encoder("/contrats/3?onglet=fiches&x=é"));
        entetes.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("autre=1; {COOKIE_ETAT}={valeur}")).unwrap(),
        );
        assert_eq!(
            lire_cookie_etat(&entetes),
            Some(("abc-_9".into(), "/contrats/3?onglet=fiches&x=é".into()))
        );
        assert_eq!(lire_cookie_etat(&HeaderMap::new()), None);
    }
}
