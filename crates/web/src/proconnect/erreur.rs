//! The failures of a ProConnect login, each with a French message fit to show an agent.
//!
//! Messages never carry a secret: neither the client secret, nor a token, nor a code. Values
//! that come from the provider (an OAuth error code, an algorithm name) are reduced to a short
//! run of plain characters before they are kept.

use std::fmt;

/// Why a ProConnect login (or the discovery of the provider) failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErreurOidc {
    /// The configuration cannot work (e.g. an address that is neither HTTPS nor loopback).
    ConfigurationInvalide(String),
    /// The provider could not be reached (network failure, time-out, TLS failure).
    FournisseurInjoignable,
    /// The provider answered something this client cannot use; says which answer.
    ReponseInvalide(&'static str),
    /// The discovery document announces an issuer that does not match the discovery address.
    EmetteurIncoherent,
    /// The provider sent the agent back with an error instead of a code (e.g. `access_denied`).
    AutorisationRefusee(String),
    /// The `state` received is not the one expected, or was already used.
    EtatInconnu,
    /// The token endpoint refused the authorization code (wrong code, PKCE verifier, secret…).
    EchangeRefuse(String),
    /// A token that is not a well-formed signed JWT.
    JetonMalforme,
    /// A signature algorithm that is not accepted (`none`, HS256, …).
    AlgorithmeRefuse(String),
    /// No key of the provider's JWKS matches the token, even after reloading it.
    CleInconnue,
    /// The signature does not verify with the provider's key.
    SignatureInvalide,
    /// `iss` is not the provider's issuer.
    EmetteurIncorrect,
    /// `aud` does not contain this client (or `azp` names another client).
    AudienceIncorrecte,
    /// `exp` is past.
    JetonExpire,
    /// `iat` is in the future.
    JetonDuFutur,
    /// `nbf` is in the future: the token is not valid yet.
    JetonPasEncoreValide,
    /// `iat` is older than a login can take: a replayed token.
    JetonTropAncien,
    /// `at_hash` does not match the access token received with the ID token.
    EmpreinteJetonAccesIncorrecte,
    /// `nonce` is not the one sent with the authorization request.
    NonceIncorrect,
    /// The userinfo answer is about another subject than the ID token.
    SujetIncoherent,
    /// No usable e-mail address in the identity returned.
    EmailAbsent,
    /// `acr_values` were asked and the ID token's `acr` is none of them (the agent was
    /// authenticated at a lower level than required).
    NiveauInsuffisant(String),
}

impl fmt::Display for ErreurOidc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ConfigurationInvalide(detail) => {
                write!(f, "configuration ProConnect invalide : {detail}")
            }
            Self::FournisseurInjoignable => {
                f.write_str("le fournisseur d'identité ProConnect est injoignable")
            }
            Self::ReponseInvalide(quoi) => {
                write!(f, "réponse invalide du fournisseur d'identité ({quoi})")
            }
            Self::EmetteurIncoherent => f.write_str(
                "l'émetteur annoncé par le fournisseur d'identité ne correspond pas à l'adresse de découverte",
            ),
            Self::AutorisationRefusee(code) => {
                write!(f, "connexion refusée par le fournisseur d'identité ({code})")
            }
            Self::EtatInconnu => f.write_str("état de connexion inconnu ou rejoué"),
            Self::EchangeRefuse(code) => write!(
                f,
                "le fournisseur d'identité a refusé l'échange du code d'autorisation ({code})"
            ),
            Self::JetonMalforme => f.write_str("jeton d'identité malformé"),
            Self::AlgorithmeRefuse(alg) => {
                write!(f, "algorithme de signature du jeton refusé ({alg})")
            }
            Self::CleInconnue => f.write_str("clé de signature du jeton inconnue du fournisseur"),
            Self::SignatureInvalide => f.write_str("signature du jeton invalide"),
            Self::EmetteurIncorrect => f.write_str("émetteur du jeton incorrect"),
            Self::AudienceIncorrecte => f.write_str("audience du jeton incorrecte"),
            Self::JetonExpire => f.write_str("jeton expiré"),
            Self::JetonDuFutur => f.write_str("jeton émis dans le futur"),
            Self::JetonPasEncoreValide => f.write_str("jeton pas encore valide (nbf)"),
            Self::JetonTropAncien => f.write_str("jeton émis il y a trop longtemps"),
            Self::EmpreinteJetonAccesIncorrecte => f.write_str(
                "le jeton d'accès ne correspond pas au jeton d'identité (at_hash)",
            ),
            Self::NonceIncorrect => f.write_str("nonce du jeton incorrect"),
            Self::SujetIncoherent => f.write_str(
                "les informations de l'agent ne correspondent pas au jeton d'identité",
            ),
            Self::EmailAbsent => {
                f.write_str("adresse électronique absente ou invalide dans l'identité reçue")
            }
            Self::NiveauInsuffisant(acr) => write!(
                f,
                "niveau d'authentification insuffisant (« {acr} » reçu, autre niveau exigé)"
            ),
        }
    }
}

impl std::error::Error for ErreurOidc {}

impl ErreurOidc {
    /// The provider sent the agent back with `error=code` instead of a code (the agent
    /// cancelled, or has no access): the code is reduced to plain characters.
    pub fn autorisation_refusee(code: &str) -> Self {
        Self::AutorisationRefusee(nettoyer(code))
    }
}

/// Keeps at most 64 plain characters (letters, digits, `_-.`) of a value sent by the provider,
/// so that it can go into a message or a log without surprise.
pub(crate) fn nettoyer(valeur: &str) -> String {
    let propre: String = valeur
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .take(64)
        .collect();
    if propre.is_empty() {
        "inconnu".to_owned()
    } else {
        propre
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valeurs_du_fournisseur_nettoyees() {
        assert_eq!(nettoyer("invalid_grant"), "invalid_grant");
        assert_eq!(nettoyer("<script>alert(1)</script>"), "scriptalert1script");
        assert_eq!(nettoyer(""), "inconnu");
        assert_eq!(nettoyer(&"a".repeat(500)).len(), 64);
    }

    #[test]
    fn messages_en_francais() {
        assert_eq!(ErreurOidc::JetonExpire.to_string(), "jeton expiré");
        assert_eq!(
            ErreurOidc::autorisation_refusee("access_denied<b>").to_string(),
            "connexion refusée par le fournisseur d'identité (access_deniedb)"
        );
        assert_eq!(
            ErreurOidc::EchangeRefuse("invalid_grant".into()).to_string(),
            "le fournisseur d'identité a refusé l'échange du code d'autorisation (invalid_grant)"
        );
    }
}
