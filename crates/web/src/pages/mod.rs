//! HTML pages. One template struct per page; handlers return it.
//!
//! - `lecture`: dashboard, référentiel, territories, contract list and contract page;
//! - `edition`: contract and fiche forms, lifecycle transitions;
//! - `fichiers`: contract file upload (preview, then atomic import) and download.

pub mod edition;
pub mod fichiers;
pub mod lecture;

use axum::response::{Html, IntoResponse, Response};

use crate::{ErreurWeb, Etat};

/// What the layout (`base.html`) needs on every page.
#[derive(Debug, Clone)]
pub struct Page {
    pub titre: String,
    /// The menu entry to mark as current: "/", "/contrats", "/referentiel", "/territoires".
    pub rubrique: &'static str,
    /// Breadcrumb after "Accueil": (label, link); the last one has no link.
    pub ariane: Vec<(String, Option<String>)>,
    pub demonstration: bool,
}

impl Page {
    pub fn new(etat: &Etat, titre: impl Into<String>, rubrique: &'static str) -> Page {
        Page {
            titre: titre.into(),
            rubrique,
            ariane: Vec::new(),
            demonstration: etat.options.demonstration,
        }
    }

    /// A page without application state (error pages).
    pub fn simple(titre: impl Into<String>) -> Page {
        Page {
            titre: titre.into(),
            rubrique: "",
            ariane: Vec::new(),
            demonstration: false,
        }
    }

    /// Adds a breadcrumb step (`None` link for the current page).
    pub fn ariane(mut self, libelle: impl Into<String>, lien: Option<String>) -> Page {
        self.ariane.push((libelle.into(), lien));
        self
    }

    pub fn menu(&self) -> [(&'static str, &'static str); 4] {
        [
            ("/", "Tableau de bord"),
            ("/contrats", "Contrats"),
            ("/referentiel", "Référentiel"),
            ("/territoires", "Territoires"),
        ]
    }
}

/// Renders a template, or the internal-error page.
pub fn rendre<T: askama::Template>(t: &T) -> Result<Response, ErreurWeb> {
    Ok(Html(t.render()?).into_response())
}

pub async fn introuvable() -> ErreurWeb {
    ErreurWeb::introuvable("Cette adresse ne correspond à aucune page de Pacte.")
}
