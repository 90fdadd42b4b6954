//! The description of a document that both renderings read: sections of headings,
//! paragraphs, tables and signature blocks, with the running header and the metadata.
//!
//! A document of Pacte is a *view* (a function from domain data to a [`Document`]); the PDF
//! ([`crate::pdf`]) and ODT ([`crate::odt`]) renderings know nothing of contracts. A new
//! document (a campaign report, an allocation letter) is one more view, not new plumbing.

use serde::Serialize;

/// A whole document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// The title of the document (PDF and ODT metadata, first heading).
    pub titre: String,
    /// The author in the metadata (« Pacte »).
    pub auteur: String,
    /// The running header of every page: « Projet — version 12 — code de vérification … ».
    pub entete: String,
    /// Whether the document is a draft (the header then says so in bold).
    pub projet: bool,
    /// The running footer, before the page number.
    pub pied: String,
    pub sections: Vec<Section>,
}

/// A run of pages of one orientation; every section but the first starts on a new page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Landscape pages (wide tables).
    pub paysage: bool,
    pub blocs: Vec<Bloc>,
}

/// A block of a section.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Bloc {
    /// A heading of level 1 to 4 (tagged as H1…H4 in the PDF, « Titre 1… » in the ODT).
    Titre {
        niveau: u8,
        texte: String,
    },
    /// A paragraph of runs.
    Paragraphe {
        morceaux: Vec<Morceau>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        centre: bool,
    },
    Tableau(Tableau),
    /// The signature blocks, side by side: one column per party.
    Signatures {
        colonnes: Vec<Vec<String>>,
    },
    /// A page break inside a section (one fiche per page).
    Saut,
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Morceau {
    pub texte: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub gras: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub italique: bool,
}

/// A table with one header row (repeated on each page, tagged as header cells).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tableau {
    pub colonnes: Vec<Colonne>,
    pub lignes: Vec<Ligne>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Colonne {
    pub libelle: String,
    /// Relative width.
    pub largeur: u16,
    /// Right-aligned figures.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nombre: bool,
}

/// How a row reads: an ordinary row, a group row (an axis) spanning the table, a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GenreLigne {
    Normale,
    Groupe,
    Total,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ligne {
    pub genre: GenreLigne,
    /// One text per column (a group row has one).
    pub cellules: Vec<String>,
}

impl Document {
    /// Every text of the document in reading order (for tests and the verification of views).
    pub fn textes(&self) -> Vec<&str> {
        let mut t = vec![self.titre.as_str(), self.entete.as_str(), self.pied.as_str()];
        for s in &self.sections {
            for b in &s.blocs {
                match b {
                    Bloc::Titre { texte, .. } => t.push(texte),
                    Bloc::Paragraphe { morceaux, .. } => t.extend(morceaux.iter().map(|m| m.texte.as_str())),
                    Bloc::Tableau(tab) => {
                        t.extend(tab.colonnes.iter().map(|c| c.libelle.as_str()));
                        for l in &tab.lignes {
                            t.extend(l.cellules.iter().map(String::as_str));
                        }
                    }
                    Bloc::Signatures { colonnes } => {
                        for c in colonnes {
                            t.extend(c.iter().map(String::as_str));
                        }
                    }
                    Bloc::Saut => {}
                }
            }
        }
        t
    }
}

/// Builds a section's blocks with short calls.
#[derive(Debug, Default)]
pub struct Redaction {
    pub blocs: Vec<Bloc>,
}

impl Redaction {
    pub fn titre(&mut self, niveau: u8, texte: impl Into<String>) -> &mut Self {
        self.blocs.push(Bloc::Titre {
            niveau,
            texte: texte.into(),
        });
        self
    }

    /// A paragraph of plain text.
    pub fn para(&mut self, texte: impl Into<String>) -> &mut Self {
        self.morceaux(vec![simple(texte)])
    }

    pub fn morceaux(&mut self, morceaux: Vec<Morceau>) -> &mut Self {
        self.blocs.push(Bloc::Paragraphe {
            morceaux,
            centre: false,
        });
        self
    }

    pub fn centre(&mut self, morceaux: Vec<Morceau>) -> &mut Self {
        self.blocs.push(Bloc::Paragraphe {
            morceaux,
            centre: true,
        });
        self
    }

    /// « Libellé : valeur » with the label in bold.
    pub fn champ(&mut self, libelle: &str, valeur: impl Into<String>) -> &mut Self {
        self.morceaux(vec![gras(format!("{libelle} : ")), simple(valeur)])
    }

    pub fn tableau(&mut self, t: Tableau) -> &mut Self {
        self.blocs.push(Bloc::Tableau(t));
        self
    }

    pub fn saut(&mut self) -> &mut Self {
        self.blocs.push(Bloc::Saut);
        self
    }

    pub fn section(self, paysage: bool) -> Section {
        Section {
            paysage,
            blocs: self.blocs,
        }
    }
}

pub fn simple(texte: impl Into<String>) -> Morceau {
    Morceau {
        texte: texte.into(),
        gras: false,
        italique: false,
    }
}

pub fn gras(texte: impl Into<String>) -> Morceau {
    Morceau {
        texte: texte.into(),
        gras: true,
        italique: false,
    }
}

pub fn italique(texte: impl Into<String>) -> Morceau {
    Morceau {
        texte: texte.into(),
        gras: false,
        italique: true,
    }
}

/// A column of text.
pub fn col(libelle: impl Into<String>, largeur: u16) -> Colonne {
    Colonne {
        libelle: libelle.into(),
        largeur,
        nombre: false,
    }
}

/// A column of figures.
pub fn col_nombre(libelle: impl Into<String>, largeur: u16) -> Colonne {
    Colonne {
        libelle: libelle.into(),
        largeur,
        nombre: true,
    }
}

pub fn ligne(cellules: Vec<String>) -> Ligne {
    Ligne {
        genre: GenreLigne::Normale,
        cellules,
    }
}

pub fn groupe(texte: impl Into<String>) -> Ligne {
    Ligne {
        genre: GenreLigne::Groupe,
        cellules: vec![texte.into()],
    }
}

pub fn total(cellules: Vec<String>) -> Ligne {
    Ligne {
        genre: GenreLigne::Total,
        cellules,
    }
}
