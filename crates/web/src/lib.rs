//! The web application: server-rendered DSFR pages and the JSON API, over one [`Base`].
//!
//! One module per capability, each owning its pages, its API handlers and its form reading
//! (`contrats`, `fiches`, `derogations`, `fichiers`, `administration`, `comptes`, and the
//! read-only `tableau_de_bord`, `referentiel`, `territoires`); a shared `ui` (page layout,
//! state badges, pagination, the form kit) and an `app` (router, the one error type, cache,
//! security headers, request log). The map and the import rules are in docs/ARCHITECTURE.md.
//!
//! Handlers are thin: they read the request, call `pacte-store` and `pacte-core`, and return
//! a template (HTML) or a JSON body. Errors are one type, [`ErreurWeb`], rendered as a French
//! DSFR page on HTML routes and as `{code, message, champ}` on API routes ([`ErreurApi`]).
//!
//! [`Base`]: pacte_store::Base

pub mod administration;
pub mod api;
mod app;
pub mod campagnes;
pub mod comptes;
pub mod consolidation;
pub mod contrats;
pub mod demo;
pub mod demo_campagnes;
pub mod demo_execution;
pub mod derogations;
pub mod documents;
pub mod echanges;
pub mod fiches;
pub mod fichiers;
pub mod finances;
pub mod pieces;
pub mod proconnect;
pub mod rapports;
pub mod referentiel;
pub mod tableau_de_bord;
pub mod territoires;
pub mod ui;

pub use app::erreur::{ErreurApi, ErreurWeb};
pub use app::traces;
pub use app::{
    Etat, LimitesServeur, Options, application, application_de, routes_pages, servir, servir_application,
};
pub use comptes::Utilisateur;

/// The paths the pages had before the layout by capability, kept for the tests and the CLI.
pub mod pages {
    /// Contract form reading.
    pub mod formulaire {
        pub mod contrat {
            pub use crate::contrats::formulaire::etats_suivants;
        }
    }
    /// The audit log pages.
    pub mod journal {
        pub use crate::administration::journal::{VERIFICATION_AUTOMATIQUE, nombre};
    }
    /// State helpers.
    pub mod lecture {
        pub use crate::ui::code_etat;
    }
}
