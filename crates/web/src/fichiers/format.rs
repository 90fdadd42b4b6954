//! The contract file format, served by the application: `docs/FORMAT-CONTRAT.md` rendered as
//! a page at build time (`build.rs`, pulldown-cmark), a blank contract to start from, and the
//! examples the format page links to. Every page that asks for a contract file links here.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::ui::Page;
use crate::{ErreurWeb, Etat, Utilisateur};

/// Address of the format page.
pub const ADRESSE_FORMAT: &str = "/aide/format-contrat";
/// Address of the blank contract.
pub const ADRESSE_MODELE: &str = "/aide/modele-contrat.toml";

/// The format documentation, as HTML (rendered at build time).
const FORMAT_HTML: &str = include_str!(concat!(env!("OUT_DIR"), "/format_contrat.html"));

/// The blank contract offered for download; it reads as a contract (tested).
pub const MODELE: &str = include_str!("modele-contrat.toml");

/// The example files the format page links to.
const EXEMPLES: [(&str, &str); 4] = [
    (
        "metropole-aix-marseille-provence.toml",
        include_str!("../../../../exemples/metropole-aix-marseille-provence.toml"),
    ),
    (
        "departement-bouches-du-rhone.toml",
        include_str!("../../../../exemples/departement-bouches-du-rhone.toml"),
    ),
    (
        "contrat-avec-erreurs.toml",
        include_str!("../../../../exemples/contrat-avec-erreurs.toml"),
    ),
    (
        "illisible.toml",
        include_str!("../../../../exemples/illisible.toml"),
    ),
];

#[derive(Template)]
#[template(path = "format_contrat.html")]
struct PageFormat {
    page: Page,
    contenu: &'static str,
    modele: &'static str,
}

pub async fn format_contrat(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    crate::ui::rendre(&PageFormat {
        page: Page::new(&etat, "Format du fichier de contrat", "/contrats")
            .ariane("Contrats", Some("/contrats".into()))
            .ariane("Format du fichier de contrat", None),
        contenu: FORMAT_HTML,
        modele: ADRESSE_MODELE,
    })
}

fn toml(nom: &str, texte: &'static str) -> Result<Response, ErreurWeb> {
    let mut r = texte.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/toml; charset=utf-8"),
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{nom}\""))
        .map_err(|e| ErreurWeb::interne(format!("nom de fichier : {e}")))?;
    h.insert(header::CONTENT_DISPOSITION, disposition);
    Ok(r)
}

pub async fn modele_contrat(_u: Utilisateur) -> Result<Response, ErreurWeb> {
    toml("modele-contrat.toml", MODELE)
}

pub async fn exemple(_u: Utilisateur, Path(nom): Path<String>) -> Result<Response, ErreurWeb> {
    match EXEMPLES.iter().find(|(n, _)| *n == nom) {
        Some((n, texte)) => toml(n, texte),
        None => Err(ErreurWeb::introuvable(
            "Cet exemple n'existe pas : la page « Format du fichier de contrat » liste les exemples.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn le_modele_vierge_se_lit() {
        let c = pacte_core::fichier::lire_toml(MODELE).expect("the blank contract reads");
        assert_eq!(c.fiches.len(), 1);
    }

    #[test]
    fn la_page_de_format_garde_ses_ancres_et_ses_tableaux() {
        // The table of contents links to headings rendered with the same anchors.
        assert!(FORMAT_HTML.contains("href=\"#3-en-tête-contrat\""));
        assert!(FORMAT_HTML.contains("<h2 id=\"3-en-tête-contrat\">"));
        assert!(FORMAT_HTML.contains("href=\"/aide/exemples/illisible.toml\""));
        assert!(FORMAT_HTML.contains("<div class=\"fr-table"));
        // No link into the code repository is left.
        assert!(!FORMAT_HTML.contains("href=\"REGLES.md\""));
        assert!(!FORMAT_HTML.contains("href=\"../"));
        for (_, texte) in EXEMPLES {
            assert!(!texte.is_empty());
        }
    }
}
