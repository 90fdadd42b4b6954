//! One error type for the web layer, mapped to HTTP in exactly one place.
//!
//! Internal details (database errors) are never shown: the user gets a French message and the
//! request id to quote (« Référence de l'incident »), the server log gets the detail at `error`
//! level in the request's span, under the same id.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use pacte_store::ErreurStore;
use serde::Serialize;

/// An error of the web layer: an HTTP status, a stable machine code, a French message and,
/// when a field is at fault, its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErreurWeb {
    #[serde(skip)]
    pub statut: StatusCode,
    /// Stable machine code: `introuvable`, `conflit`, `invalide`, `requete`, `interne`,
    /// `non_authentifie`, `interdit`, `csrf`.
    pub code: &'static str,
    pub message: String,
    /// The field at fault, when there is one (`financement.etat.2024`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub champ: Option<String>,
}

impl ErreurWeb {
    pub fn introuvable(message: impl Into<String>) -> ErreurWeb {
        ErreurWeb {
            statut: StatusCode::NOT_FOUND,
            code: "introuvable",
            message: message.into(),
            champ: None,
        }
    }

    pub fn invalide(message: impl Into<String>, champ: Option<String>) -> ErreurWeb {
        ErreurWeb {
            statut: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalide",
            message: message.into(),
            champ,
        }
    }

    /// The user sees the object but their role does not allow the action.
    pub fn interdit(message: impl Into<String>) -> ErreurWeb {
        ErreurWeb {
            statut: StatusCode::FORBIDDEN,
            code: "interdit",
            message: message.into(),
            champ: None,
        }
    }

    /// A form sent without the session's anti-forgery token.
    pub fn csrf() -> ErreurWeb {
        ErreurWeb {
            statut: StatusCode::FORBIDDEN,
            code: "csrf",
            message: "Ce formulaire a expiré ou ne provient pas de Pacte : rien n'a été enregistré. Rechargez la page, puis envoyez de nouveau le formulaire.".into(),
            champ: None,
        }
    }

    pub fn requete(message: impl Into<String>) -> ErreurWeb {
        ErreurWeb {
            statut: StatusCode::BAD_REQUEST,
            code: "requete",
            message: message.into(),
            champ: None,
        }
    }

    pub fn interne(detail: impl std::fmt::Display) -> ErreurWeb {
        tracing::error!(cause = %detail, "erreur interne");
        ErreurWeb {
            statut: StatusCode::INTERNAL_SERVER_ERROR,
            code: "interne",
            message: "Une erreur interne est survenue ; elle a été consignée. Réessayez plus tard.".into(),
            champ: None,
        }
    }
}

impl From<ErreurStore> for ErreurWeb {
    fn from(e: ErreurStore) -> ErreurWeb {
        match e {
            // The store's message names the actor by its key and the time in UTC: said again
            // for people, in Paris time.
            ErreurStore::Conflit {
                quoi,
                par,
                le,
                attendue,
                actuelle,
            } => ErreurWeb {
                statut: StatusCode::CONFLICT,
                code: "conflit",
                message: format!(
                    "{quoi} a été modifié(e) par {} {} depuis votre lecture (version {attendue} lue, version {actuelle} en base) : rechargez avant d'enregistrer ; rien n'a été écrit",
                    crate::comptes::auteur_lisible(&par),
                    pacte_core::temps::horodatage_lisible(&le)
                ),
                champ: None,
            },
            // A guard refused the write on the record as stored (the contract's state, its
            // blocking findings): the message names the state or the rules.
            ErreurStore::Refus(r) => ErreurWeb {
                statut: StatusCode::CONFLICT,
                code: "conflit",
                message: r.message,
                champ: None,
            },
            ErreurStore::Introuvable { .. } => ErreurWeb::introuvable(e.to_string()),
            ErreurStore::Invalide(m) => ErreurWeb::invalide(m, None),
            ErreurStore::Adresse(_)
            | ErreurStore::Migration(_)
            | ErreurStore::Base(_)
            | ErreurStore::Corrompue(_) => ErreurWeb::interne(e),
        }
    }
}

impl From<askama::Error> for ErreurWeb {
    fn from(e: askama::Error) -> ErreurWeb {
        ErreurWeb::interne(format!("gabarit : {e}"))
    }
}

#[derive(Template)]
#[template(path = "erreur.html")]
struct PageErreur<'a> {
    page: crate::ui::Page,
    erreur: &'a ErreurWeb,
    /// The request id, for the user to quote.
    reference: Option<String>,
}

/// On an HTML route: a DSFR error page.
impl IntoResponse for ErreurWeb {
    fn into_response(self) -> Response {
        let titre = match self.statut {
            StatusCode::NOT_FOUND => "Page introuvable",
            StatusCode::CONFLICT => "Modification concurrente",
            StatusCode::FORBIDDEN => "Accès refusé",
            StatusCode::INTERNAL_SERVER_ERROR => "Erreur interne",
            StatusCode::PAYLOAD_TOO_LARGE => "Envoi trop volumineux",
            _ => "Demande invalide",
        };
        let page = crate::ui::Page::simple(titre);
        let reference = crate::app::traces::id_courant();
        match (PageErreur {
            page,
            erreur: &self,
            reference,
        })
        .render()
        {
            Ok(html) => (self.statut, Html(html)).into_response(),
            Err(_) => (self.statut, self.message).into_response(),
        }
    }
}

/// The same error on an API route: `{"code", "message", "champ"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErreurApi(pub ErreurWeb);

impl<E: Into<ErreurWeb>> From<E> for ErreurApi {
    fn from(e: E) -> ErreurApi {
        ErreurApi(e.into())
    }
}

impl IntoResponse for ErreurApi {
    fn into_response(self) -> Response {
        (self.0.statut, Json(&self.0)).into_response()
    }
}
