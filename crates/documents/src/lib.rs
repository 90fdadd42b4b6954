//! The documents of Pacte, generated from the data: the contrat local des solidarités (the
//! model of annexe 8 of the instruction, with its four annexes) and the yearly avenant.
//!
//! One engine, two outputs: a document is a *view* of the data ([`contrat`], [`avenant`]) that
//! builds a [`modele::Document`] (headings, paragraphs, tables, signatures, running header);
//! [`pdf`] lays it out with `typst` used as a library (tagged PDF, PDF/UA-1) and [`odt`]
//! writes it as an OpenDocument text. The web layer, the API and the command line ask for a
//! [`Fichier`] and know nothing else. A new document is a new view, not new plumbing.
//!
//! Every document states the version of the data it shows and a short verification code, a
//! hash of the canonical data it was built from ([`code_verification`]): two documents with
//! the same code show the same data.

pub mod avenant;
pub mod contrat;
pub mod modele;
pub mod odt;
pub mod pdf;
pub mod rapport;
pub mod rapport_mi_parcours;
pub mod rapport_synthese;
mod texte;

use sha2::{Digest, Sha256};

pub use modele::Document;

/// The two outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Odt,
}

impl Format {
    pub const TOUS: [Format; 2] = [Format::Pdf, Format::Odt];

    /// `pdf`, `odt`: the extension and the query value.
    pub fn code(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Odt => "odt",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Format> {
        Format::TOUS.into_iter().find(|f| f.code() == code)
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Odt => "application/vnd.oasis.opendocument.text",
        }
    }
}

/// A generated file: its bytes, a file name and its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fichier {
    pub octets: Vec<u8>,
    pub nom: String,
    pub mime: &'static str,
}

/// Why a document could not be generated, in French.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErreurDocument {
    /// Data the document must show is missing: the message names it.
    #[error("document impossible à produire : {0}")]
    Incomplet(String),
    /// The layout engine failed (a defect of Pacte, not of the data).
    #[error("le moteur de documents a échoué : {0}")]
    Moteur(String),
}

/// Renders `doc` in `format`, named `nom` (without extension).
pub fn rendre(doc: &Document, format: Format, nom: &str) -> Result<Fichier, ErreurDocument> {
    let octets = match format {
        Format::Pdf => pdf::pdf(doc)?,
        Format::Odt => odt::odt(doc)?,
    };
    Ok(Fichier {
        octets,
        nom: format!("{nom}.{}", format.code()),
        mime: format.mime(),
    })
}

/// The short verification code of canonical data `donnees` (its JSON): the first 40 bits of
/// its SHA-256, as « XXXX-XXXX-XX » in upper-case hexadecimal.
pub fn code_verification(donnees: &serde_json::Value) -> String {
    let h = Sha256::digest(donnees.to_string().as_bytes());
    let hex: String = h.iter().take(5).map(|b| format!("{b:02X}")).collect();
    format!("{}-{}-{}", &hex[0..4], &hex[4..8], &hex[8..10])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_court_stable_et_sensible() {
        let a = code_verification(&serde_json::json!({"montant": 600000}));
        assert_eq!(a, code_verification(&serde_json::json!({"montant": 600000})));
        assert_ne!(a, code_verification(&serde_json::json!({"montant": 600001})));
        assert_eq!(a.len(), 12);
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }

    #[test]
    fn formats() {
        assert_eq!(Format::depuis_code("pdf"), Some(Format::Pdf));
        assert_eq!(Format::depuis_code("PDF"), None);
        assert_eq!(Format::depuis_code("odt"), Some(Format::Odt));
        assert_eq!(Format::depuis_code("docx"), None);
    }
}
