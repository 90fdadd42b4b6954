//! The sign-in session, shared by the password sign-in (`pages`) and the ProConnect sign-in
//! (`proconnect`): the sign-in page shown again with an error, the client address, the session
//! cookie and the opening of a session. Neither sign-in imports the other for these.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::ConnectInfo;
use axum::http::HeaderValue;
use axum::http::request::Parts;
use pacte_store::comptes::empreinte_secret;

use super::mot_de_passe::aleatoire;
use super::{COOKIE_SESSION, DUREE_SESSION, temps};
use crate::ui::Page;
use crate::{ErreurWeb, Etat};

#[derive(Template)]
#[template(path = "connexion.html")]
pub(crate) struct PageConnexion {
    page: Page,
    email: String,
    retour: String,
    erreur: Option<String>,
    /// The « S'identifier avec ProConnect » button is shown.
    proconnect: bool,
    /// The address of that button (with the page to come back to).
    lien_proconnect: String,
}

impl PageConnexion {
    pub(crate) fn new(etat: &Etat, email: String, retour: String, erreur: Option<String>) -> PageConnexion {
        PageConnexion {
            page: Page::new(etat, "Connexion", ""),
            email,
            lien_proconnect: format!("/connexion/proconnect?retour={}", super::encoder(&retour)),
            retour,
            erreur,
            proconnect: etat.proconnect.is_some(),
        }
    }
}

/// The sign-in page showing `message` (a failed ProConnect login).
pub(crate) fn page_connexion_en_erreur(
    etat: &Etat,
    message: String,
    retour: &str,
) -> Result<axum::response::Html<String>, ErreurWeb> {
    let p = PageConnexion::new(etat, String::new(), retour.to_string(), Some(message));
    Ok(axum::response::Html(p.render()?))
}

/// The client's address, the throttling key of an address: the TCP peer or, behind a reverse
/// proxy ([`crate::Options::mandataire`]), the last address of `X-Forwarded-For` — the one the
/// proxy appended, the only one it vouches for (the earlier ones are the client's own say).
fn adresse(parts: &Parts, mandataire: bool) -> String {
    let pair = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let transmise = mandataire
        .then(|| {
            parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
        })
        .flatten()
        .and_then(|a| a.trim().parse::<std::net::IpAddr>().ok())
        .map(|ip| ip.to_string());
    transmise.or(pair).unwrap_or_else(|| "inconnue".into())
}

/// The client address, as an extractor.
pub struct Adresse(pub(crate) String);

impl axum::extract::FromRequestParts<Etat> for Adresse {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, etat: &Etat) -> Result<Adresse, Self::Rejection> {
        Ok(Adresse(adresse(parts, etat.options.mandataire)))
    }
}

/// The `Set-Cookie` value of a session cookie (`None`: the deletion).
pub(crate) fn cookie_session(etat: &Etat, secret: Option<&str>) -> HeaderValue {
    let securise = if etat.options.https { "; Secure" } else { "" };
    let texte = match secret {
        Some(s) => {
            format!("{COOKIE_SESSION}={s}; Path=/; HttpOnly; SameSite=Lax; Max-Age={DUREE_SESSION}{securise}")
        }
        None => format!("{COOKIE_SESSION}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{securise}"),
    };
    HeaderValue::from_str(&texte).expect("cookie value")
}

/// Opens a session for account `id` and returns the cookie's secret.
pub async fn ouvrir_session(etat: &Etat, id: i64) -> Result<String, ErreurWeb> {
    let secret = aleatoire();
    let expire = temps::iso(temps::maintenant() + DUREE_SESSION);
    etat.base
        .ouvrir_session(id, &empreinte_secret(&secret), &aleatoire(), &expire)
        .await?;
    Ok(secret)
}
