//! The annexe 10 tables as files users open in their spreadsheet: XLSX with live formulas,
//! ODS, CSV; and the filled Bilan read back. The figures come from `pacte_core::tableau`
//! (one sheet model, [`Feuille`]); this crate only lays them out and parses them. The web layer
//! and the command line ask it for a file.

pub mod csv;
pub mod disposition;
pub mod import;
pub mod indicateurs;
pub mod ods;
pub mod xlsx;

use pacte_core::tableau::Feuille;

pub use import::{BilanImporte, ErreurImport, LigneBilan, lire_bilan};

/// A file format of the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatTableur {
    Xlsx,
    Ods,
    Csv,
}

impl FormatTableur {
    pub const TOUS: [FormatTableur; 3] = [FormatTableur::Xlsx, FormatTableur::Ods, FormatTableur::Csv];

    pub fn extension(self) -> &'static str {
        match self {
            FormatTableur::Xlsx => "xlsx",
            FormatTableur::Ods => "ods",
            FormatTableur::Csv => "csv",
        }
    }

    pub fn type_mime(self) -> &'static str {
        match self {
            FormatTableur::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FormatTableur::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            FormatTableur::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn depuis_extension(e: &str) -> Option<FormatTableur> {
        FormatTableur::TOUS.into_iter().find(|f| f.extension() == e)
    }
}

/// Why a file could not be written (never expected: the layout is ours).
#[derive(Debug, thiserror::Error)]
pub enum ErreurExport {
    #[error("écriture du classeur XLSX impossible : {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("écriture du classeur ODS impossible : {0}")]
    Ods(#[from] zip::result::ZipError),
}

/// The file of a table in a format.
pub fn exporter(f: &Feuille, format: FormatTableur) -> Result<Vec<u8>, ErreurExport> {
    let d = disposition::disposer(f);
    Ok(match format {
        FormatTableur::Xlsx => xlsx::ecrire(&f.nom, &d)?,
        FormatTableur::Ods => ods::ecrire(&f.nom, &d)?,
        FormatTableur::Csv => csv::ecrire(&d),
    })
}

/// A file name: `annexe10-200054807-bilan-2024.xlsx`.
pub fn nom_fichier(collectivite: &str, f: &Feuille, format: FormatTableur) -> String {
    let code: String = collectivite
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!(
        "annexe10-{code}-{}-{}.{}",
        f.type_tableau.code(),
        f.annee,
        format.extension()
    )
}
