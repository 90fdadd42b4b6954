//! Sign-in through ProConnect, on the web: the two routes of the OpenID Connect flow and the
//! provider's logout. The protocol itself is in [`crate::proconnect`].
//!
//! - `GET /connexion/proconnect?retour=…` starts a login: the secrets of the login are kept in
//!   memory ([`EtatsEnAttente`]) and its `state`, with the page to come back to, in a short-lived
//!   cookie scoped to `/connexion/proconnect` — so that the return is accepted only in the
//!   browser that left. The agent is sent to the provider (303).
//! - `GET /connexion/proconnect/retour?code=…&state=…` ends it: the state is consumed whatever
//!   happens, the code exchanged, the ID token verified; the agent's account is found by e-mail
//!   (lower-cased), or created with no rights (role and scope `aucun`) until an administrator
//!   assigns them; a session is opened with the ID token kept for the logout.
//! - On sign-out, a session opened through ProConnect is sent to the provider's
//!   `end_session_endpoint`, which brings the agent back to `/connexion`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use pacte_store::comptes::{NouvelUtilisateur, cle_compte, empreinte_secret};
use serde::Deserialize;
use tokio::sync::OnceCell;

use super::pages::{cookie_session, ouvrir_session, page_connexion_en_erreur};
use super::{cookie, encoder, retour_local, temps};
use crate::proconnect::{ClientProConnect, ConfigProConnect, ErreurOidc, EtatsEnAttente, Identite};
use crate::{ErreurWeb, Etat};

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
    etats: EtatsEnAttente,
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

/// `GET /connexion/proconnect`: sends the agent to ProConnect.
pub async fn debut(State(etat): State<Etat>, Query(q): Query<Depart>) -> Result<Response, ErreurWeb> {
    let pc = proconnect(&etat)?;
    let retour = q
        .retour
        .as_deref()
        .and_then(retour_local)
        .unwrap_or("/")
        .to_string();
    let client = match pc.client().await {
        Ok(c) => c,
        Err(e) => return Ok(echec_oidc(&etat, &e, &retour)),
    };
    let (url, connexion) = client.debut_connexion();
    let valeur = format!("{}.{}", connexion.state, encoder(&retour));
    pc.etats.garder(connexion);
    let mut entetes = HeaderMap::new();
    entetes.insert(header::SET_COOKIE, cookie_etat(&etat, Some(&valeur)));
    Ok((entetes, Redirect::to(&url)).into_response())
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
    if let Some(code_erreur) = p.error {
        return Ok(echec_oidc(
            &etat,
            &ErreurOidc::autorisation_refusee(&code_erreur),
            &retour,
        ));
    }
    let meme_navigateur = attendu.as_ref().is_some_and(|(s, _)| *s == state);
    let Some(connexion) = connexion.filter(|_| meme_navigateur) else {
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
    let compte = compte_de(&etat, &identite).await?;
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

/// The account of an agent, by e-mail; created with no rights at their first login.
async fn compte_de(etat: &Etat, identite: &Identite) -> Result<pacte_store::comptes::Utilisateur, ErreurWeb> {
    if let Some(u) = etat.base.utilisateur_par_email(&identite.email).await? {
        return Ok(u);
    }
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
    let acteur = format!("{ACTEUR_CREATION}:{}", identite.sujet);
    match etat.base.creer_utilisateur(&nouveau, &acteur).await {
        Ok(u) => {
            tracing::info!(
                compte = u.id,
                "ProConnect : compte créé sans droit (en attente d'habilitation)"
            );
            Ok(u)
        }
        // Two first logins of the same agent at once: the other one created it.
        Err(e) => match etat.base.utilisateur_par_email(&identite.email).await? {
            Some(u) => Ok(u),
            None => Err(e.into()),
        },
    }
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
