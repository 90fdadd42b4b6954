//! HTTP calls to the provider: a blocking `ureq` agent (rustls with the `ring` provider and the
//! Mozilla root certificates) run on Tokio's blocking threads.

use std::time::Duration;

use axum::http::Uri;

use super::erreur::ErreurOidc;

/// Limit on the whole of one call (connection, TLS, request, answer).
const DELAI: Duration = Duration::from_secs(15);
/// Limit on the size of an answer: discovery, JWKS, tokens and userinfo are a few kilobytes.
const TAILLE_MAX: u64 = 512 * 1024;

/// The agent shared by every call (it keeps connections open).
pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(DELAI))
        // Error statuses are read: the token endpoint explains its refusals in its body.
        .http_status_as_error(false)
        // A redirect is never followed: the client secret must only go to the token endpoint.
        .max_redirects(0)
        .user_agent("pacte")
        .build()
        .into()
}

/// One request to the provider.
pub(crate) enum Requete {
    /// GET, with an access token as bearer if given.
    Get { url: String, jeton: Option<String> },
    /// POST of a form, with an `Authorization` header if given.
    Formulaire {
        url: String,
        champs: Vec<(&'static str, String)>,
        autorisation: Option<String>,
    },
}

/// An answer of the provider, read whole.
#[derive(Debug)]
pub(crate) struct Reponse {
    pub statut: u16,
    /// Media type without parameters, lower-case (`application/json`, `application/jwt`).
    pub type_contenu: String,
    pub corps: String,
}

impl Reponse {
    pub(crate) fn reussie(&self) -> bool {
        (200..300).contains(&self.statut)
    }
}

/// Sends `requete` from a blocking thread. Any transport failure is
/// [`ErreurOidc::FournisseurInjoignable`].
pub(crate) async fn envoyer(agent: &ureq::Agent, requete: Requete) -> Result<Reponse, ErreurOidc> {
    let agent = agent.clone();
    tokio::task::spawn_blocking(move || envoyer_bloquant(&agent, requete))
        .await
        .map_err(|_| ErreurOidc::FournisseurInjoignable)?
}

fn envoyer_bloquant(agent: &ureq::Agent, requete: Requete) -> Result<Reponse, ErreurOidc> {
    let resultat = match requete {
        Requete::Get { url, jeton } => {
            let mut requete = agent
                .get(&url)
                .header("Accept", "application/json, application/jwt");
            if let Some(jeton) = jeton {
                requete = requete.header("Authorization", format!("Bearer {jeton}"));
            }
            requete.call()
        }
        Requete::Formulaire {
            url,
            champs,
            autorisation,
        } => {
            let mut requete = agent.post(&url).header("Accept", "application/json");
            if let Some(autorisation) = autorisation {
                requete = requete.header("Authorization", autorisation);
            }
            requete.send_form(champs.iter().map(|(k, v)| (*k, v.as_str())))
        }
    };
    let mut reponse = resultat.map_err(|_| ErreurOidc::FournisseurInjoignable)?;
    let statut = reponse.status().as_u16();
    let type_contenu = reponse
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let corps = reponse
        .body_mut()
        .with_config()
        .limit(TAILLE_MAX)
        .read_to_string()
        .map_err(|_| ErreurOidc::ReponseInvalide("corps de réponse illisible ou trop long"))?;
    Ok(Reponse {
        statut,
        type_contenu,
        corps,
    })
}

/// Refuses an address that is neither HTTPS nor plain HTTP to this machine (loopback, used by
/// tests and local development). `quoi` names the address in the message.
pub(crate) fn verifier_adresse(url: &str, quoi: &str) -> Result<(), ErreurOidc> {
    let invalide = || ErreurOidc::ConfigurationInvalide(format!("adresse {quoi} invalide"));
    let uri: Uri = url.parse().map_err(|_| invalide())?;
    let hote = uri.host().ok_or_else(invalide)?;
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if matches!(hote, "127.0.0.1" | "localhost" | "[::1]" | "::1") => Ok(()),
        _ => Err(ErreurOidc::ConfigurationInvalide(format!(
            "l'adresse {quoi} doit être en HTTPS"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_ou_boucle_locale() {
        assert!(verifier_adresse("https://proconnect.gouv.fr/api/v2", "x").is_ok());
        assert!(verifier_adresse("http://127.0.0.1:8080/a", "x").is_ok());
        assert!(verifier_adresse("http://localhost/a", "x").is_ok());
        assert!(verifier_adresse("http://[::1]:3000/a", "x").is_ok());
        assert_eq!(
            verifier_adresse("http://proconnect.gouv.fr/api/v2", "de découverte"),
            Err(ErreurOidc::ConfigurationInvalide(
                "l'adresse de découverte doit être en HTTPS".into()
            ))
        );
        assert!(verifier_adresse("http://127.0.0.1.exemple.fr/", "x").is_err());
        assert!(verifier_adresse("ftp://127.0.0.1/", "x").is_err());
        assert!(verifier_adresse("pas une adresse", "x").is_err());
        assert!(verifier_adresse("/relative", "x").is_err());
    }
}
