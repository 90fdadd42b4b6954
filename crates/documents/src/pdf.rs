//! The PDF rendering: `typst` used as a library. A minimal [`World`] serves one template
//! (`modeles/document.typ`), the document description as `/document.json`, and the vendored
//! fonts; nothing is read from the disk or the network at run time.
//!
//! The PDF is tagged (structure tree, headings, table header cells, reading order), declares
//! its language (`fr`) and its title, and is checked against PDF/UA-1 by typst's exporter.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::ErreurDocument;
use crate::modele::Document;

const MODELE: &str = include_str!("../modeles/document.typ");

/// The vendored fonts (Liberation Sans, SIL Open Font License 1.1: `fonts/`).
static POLICES: [&[u8]; 3] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../fonts/LiberationSans-Italic.ttf"),
];

/// What every compilation shares: the standard library, the fonts, the template's id.
struct Commun {
    bibliotheque: LazyHash<Library>,
    livre: LazyHash<FontBook>,
    polices: Vec<Font>,
    modele: FileId,
    donnees: FileId,
    /// The code points every vendored font can display, as a bit set.
    affichables: Vec<u64>,
}

impl Commun {
    fn affichable(&self, c: char) -> bool {
        let n = c as usize;
        self.affichables
            .get(n / 64)
            .is_some_and(|mot| mot & (1 << (n % 64)) != 0)
    }

    /// `texte` as the fonts can show it. A PDF/UA exporter refuses a glyph missing from its
    /// font, and the vendored fonts cover Latin, Greek and Cyrillic, not every script nor emoji:
    /// a character they lack becomes `REMPLACEMENT`, an invisible format character (soft
    /// hyphen, zero-width space, direction marks) is dropped, and a control character but the
    /// line feed becomes a space. The ODT keeps the text as typed.
    fn affichable_texte(&self, texte: &str) -> Option<String> {
        let invisible = |c: char| {
            matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
        };
        let tel_quel = |c: char| c == '\n' || (!c.is_control() && !invisible(c) && self.affichable(c));
        if texte.chars().all(tel_quel) {
            return None;
        }
        Some(
            texte
                .chars()
                .filter_map(|c| match c {
                    c if tel_quel(c) => Some(c),
                    c if invisible(c) => None,
                    c if c.is_control() => Some(' '),
                    _ => Some(REMPLACEMENT),
                })
                .collect(),
        )
    }

    /// Every text of a document's JSON made displayable ([`Commun::affichable_texte`]).
    fn rendre_affichable(&self, v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(t) => {
                if let Some(propre) = self.affichable_texte(t) {
                    *t = propre;
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| self.rendre_affichable(x)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|x| self.rendre_affichable(x)),
            _ => {}
        }
    }
}

/// What the PDF shows for a character its fonts lack: a white square, as a missing glyph looks
/// (the replacement character U+FFFD is not in the fonts either).
const REMPLACEMENT: char = '□';

static COMMUN: LazyLock<Commun> = LazyLock::new(|| {
    let polices: Vec<Font> = POLICES
        .iter()
        .flat_map(|octets| Font::iter(Bytes::new(*octets)))
        .collect();
    let chemin = |p: &str| {
        RootedPath::new(
            VirtualRoot::Project,
            VirtualPath::new(p).expect("a fixed absolute virtual path"),
        )
        .intern()
    };
    let mut affichables = vec![0u64; (char::MAX as usize + 1).div_ceil(64)];
    for c in polices[0].info().coverage.iter() {
        if polices.iter().all(|p| p.info().coverage.contains(c))
            && let Some(mot) = affichables.get_mut(c as usize / 64)
        {
            *mot |= 1 << (c % 64);
        }
    }
    Commun {
        bibliotheque: LazyHash::new(Library::default()),
        livre: LazyHash::new(FontBook::from_fonts(&polices)),
        polices,
        affichables,
        modele: chemin("/document.typ"),
        donnees: chemin("/document.json"),
    }
});

/// One compilation: the template and one document's data.
struct Monde {
    commun: &'static Commun,
    source: Source,
    donnees: Bytes,
}

impl World for Monde {
    fn library(&self) -> &LazyHash<Library> {
        &self.commun.bibliotheque
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.commun.livre
    }

    fn main(&self) -> FileId {
        self.commun.modele
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.commun.modele {
            Ok(self.source.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.commun.donnees {
            Ok(self.donnees.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.commun.polices.get(index).cloned()
    }

    fn today(&self, _: Option<Duration>) -> Option<Datetime> {
        // Documents never print « today »: their dates come from the data.
        None
    }
}

fn messages(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// Compilations in progress in the process: typst's memoization cache is global to it.
static EN_COURS: AtomicUsize = AtomicUsize::new(0);

/// One compilation in progress. When it ends (returning or not), it trims typst's cache, which
/// would otherwise grow with every document: alone, it drops the whole cache; with `n` other
/// compilations still running, it keeps the entries used since the last `n` trimmings, so
/// that what the others have just computed (and will ask again in their second layout pass)
/// is most likely kept.
///
/// Measured on the 60-fiche contracts of the national set (`cargo bench -p pacte-documents`):
/// a new contract reuses almost nothing of the previous ones, and keeping the entries of the
/// last ten documents (typst's own watch mode) made every later compilation slower and every
/// trimming about 100 ms long, against about 25 ms to drop one document's entries.
struct Compilation;

impl Compilation {
    fn commencer() -> Compilation {
        EN_COURS.fetch_add(1, Ordering::SeqCst);
        Compilation
    }
}

impl Drop for Compilation {
    fn drop(&mut self) {
        // An entry's age is the number of trimmings since it was last used.
        let autres = EN_COURS.fetch_sub(1, Ordering::SeqCst).saturating_sub(1);
        typst::comemo::evict(autres);
    }
}

/// The PDF of `doc`.
pub fn pdf(doc: &Document) -> Result<Vec<u8>, ErreurDocument> {
    let _compilation = Compilation::commencer();
    let commun: &'static Commun = &COMMUN;
    let mut valeur = serde_json::to_value(doc).map_err(|e| ErreurDocument::Moteur(e.to_string()))?;
    commun.rendre_affichable(&mut valeur);
    let donnees = serde_json::to_vec(&valeur).map_err(|e| ErreurDocument::Moteur(e.to_string()))?;
    let monde = Monde {
        commun,
        source: Source::new(commun.modele, MODELE.to_string()),
        donnees: Bytes::new(donnees),
    };
    let compile = typst::compile::<PagedDocument>(&monde);
    let document = match compile.output {
        Ok(d) => d,
        Err(e) => {
            return Err(ErreurDocument::Moteur(format!(
                "mise en page : {}",
                messages(e.as_slice())
            )));
        }
    };
    let standards = PdfStandards::new(&[PdfStandard::Ua_1])
        .map_err(|e| ErreurDocument::Moteur(e.message().to_string()))?;
    let options = PdfOptions {
        ident: Smart::Custom(doc.titre.clone()),
        creator: Smart::Custom(Some("Pacte".to_string())),
        standards,
        tagged: true,
        ..PdfOptions::default()
    };
    match typst_pdf::pdf(&document, &options) {
        Ok(octets) => Ok(octets),
        Err(e) => Err(ErreurDocument::Moteur(format!(
            "export PDF : {}",
            messages(e.as_slice())
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text the fonts lack does not stop the PDF: each such character becomes a white square,
    /// invisible format characters go, control characters become spaces; French text, amounts'
    /// narrow no-break spaces, Greek and Cyrillic stay as they are.
    #[test]
    fn les_caracteres_sans_glyphe_sont_remplaces() {
        let c: &Commun = &COMMUN;
        assert_eq!(
            c.affichable_texte("Café « 1\u{202f}000\u{a0}€ » — Ωμέγα, Жизнь\nœuvre"),
            None
        );
        assert_eq!(
            c.affichable_texte("Café 😀 漢字\u{1f}so\u{ad}leil\u{200b}!"),
            Some("Café □ □□ soleil!".to_string())
        );
        let mut v = serde_json::json!({ "titre": "a\u{7}b", "lignes": [["漢", 3]] });
        c.rendre_affichable(&mut v);
        assert_eq!(v, serde_json::json!({ "titre": "a b", "lignes": [["□", 3]] }));
    }
}
