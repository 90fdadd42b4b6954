//! Where each figure of a table goes: one layout of rows and cells, with the A1 formulas of the
//! computed cells, that the XLSX, ODS and CSV writers all render. The import reads the same
//! layout back (header row, the fiche number column, the amount columns).

use pacte_core::Montant;
use pacte_core::tableau::Feuille;

/// How a cell looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Normal,
    Titre,
    Entete,
    /// A sub-total or total row (bold).
    Total,
    Note,
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cellule {
    Vide,
    Texte(String, Style),
    /// An amount; `formule` is an A1 formula (`=D5+E5`, `=SUM(D5:D6)`) whose result is the
    /// amount.
    Montant {
        valeur: Montant,
        formule: Option<String>,
        style: Style,
    },
    /// A figure that is not an amount: a count, an indicator value or a share.
    Nombre {
        /// Hundredths: `1250` is 12,5, and for [`GenreNombre::Pourcentage`] 12,5 %.
        centiemes: i64,
        genre: GenreNombre,
        style: Style,
    },
}

/// How a [`Cellule::Nombre`] is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenreNombre {
    /// `1 234` (a count; hundredths shown only when there are some).
    Nombre,
    /// `12,5 %`: the cell holds the fraction (0,125) with a percent format, as spreadsheets do.
    Pourcentage,
}

impl GenreNombre {
    /// The value a spreadsheet stores, as a decimal with a point: hundredths for a number,
    /// ten-thousandths of a fraction for a percentage.
    pub fn valeur(self, centiemes: i64) -> String {
        let (entier, decimales) = match self {
            GenreNombre::Nombre => (100u64, 2),
            GenreNombre::Pourcentage => (10_000, 4),
        };
        let signe = if centiemes < 0 { "-" } else { "" };
        let a = centiemes.unsigned_abs();
        let reste = format!("{:0decimales$}", a % entier);
        let reste = reste.trim_end_matches('0');
        if reste.is_empty() {
            format!("{signe}{}", a / entier)
        } else {
            format!("{signe}{}.{reste}", a / entier)
        }
    }

    /// As a French page prints it: `1 234,5` or `12,5 %` (CSV).
    pub fn texte(self, centiemes: i64) -> String {
        let v = pacte_core::Valeur::centiemes(centiemes).to_string();
        match self {
            GenreNombre::Nombre => v,
            GenreNombre::Pourcentage => format!("{v} %"),
        }
    }
}

/// The rows of a sheet, from row 0 (the title). Indices are 0-based; A1 names are 1-based.
#[derive(Debug, Clone)]
pub struct Disposition {
    pub lignes: Vec<Vec<Cellule>>,
    /// Row of the headers (frozen above and at this row).
    pub ligne_entete: usize,
    /// Number of text columns before the amounts (axis, [Chorus], number, title).
    pub colonnes_texte: usize,
    /// Width of the table.
    pub largeur: usize,
}

/// `0 → A`, `25 → Z`, `26 → AA`.
pub fn lettres_colonne(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// `(row, col)` 0-based → `D12`.
pub fn nom_cellule(ligne: usize, colonne: usize) -> String {
    format!("{}{}", lettres_colonne(colonne), ligne + 1)
}

/// The header of the fiche number column (the import finds the header row by it).
pub const ENTETE_NUMERO: &str = "Fiche action N°";
pub const SOUS_TOTAL: &str = "Sous total";
pub const TOTAUX: &str = "TOTAUX FINANCIERS";

/// Lays a table out.
pub fn disposer(f: &Feuille) -> Disposition {
    let texte = |s: &str, st: Style| Cellule::Texte(s.to_string(), st);
    let mut entete = vec![texte("Axes de la contractualisation", Style::Entete)];
    if f.colonne_chorus {
        entete.push(texte(
            "Imputation chorus (code chorus - description longue)",
            Style::Entete,
        ));
    }
    entete.push(texte(ENTETE_NUMERO, Style::Entete));
    entete.push(texte(
        "Intitulé de l'action (une ligne par action financée)",
        Style::Entete,
    ));
    let colonnes_texte = entete.len();
    for c in &f.colonnes {
        entete.push(texte(&c.entete(), Style::Entete));
    }
    let largeur = entete.len();
    let mut lignes = vec![vec![texte(&f.titre, Style::Titre)], vec![], entete];
    let ligne_entete = 2;
    let col = |i: usize| colonnes_texte + i;
    let mut sous_totaux: Vec<usize> = Vec::new();
    for b in &f.blocs {
        let premiere = lignes.len();
        for (k, l) in b.lignes.iter().enumerate() {
            let r = lignes.len();
            let mut cells = vec![if k == 0 {
                texte(&b.libelle, Style::Normal)
            } else {
                Cellule::Vide
            }];
            if f.colonne_chorus {
                cells.push(texte(l.chorus.as_deref().unwrap_or(""), Style::Normal));
            }
            cells.push(texte(&l.numero.to_string(), Style::Normal));
            cells.push(texte(&l.intitule, Style::Normal));
            for (i, c) in f.colonnes.iter().enumerate() {
                let formule = c.formule.as_ref().map(|termes| {
                    let mut s = String::from("=");
                    for (j, t) in termes.iter().enumerate() {
                        if t.signe < 0 {
                            s.push('-');
                        } else if j > 0 {
                            s.push('+');
                        }
                        s.push_str(&nom_cellule(r, col(t.colonne)));
                    }
                    s
                });
                cells.push(Cellule::Montant {
                    valeur: l.valeurs[i],
                    formule,
                    style: Style::Normal,
                });
            }
            lignes.push(cells);
        }
        let derniere = lignes.len();
        let r = lignes.len();
        let mut cells = vec![if b.lignes.is_empty() {
            texte(&b.libelle, Style::Normal)
        } else {
            Cellule::Vide
        }];
        if f.colonne_chorus {
            cells.push(Cellule::Vide);
        }
        cells.push(texte(SOUS_TOTAL, Style::Total));
        cells.push(Cellule::Vide);
        for (i, v) in b.sous_total.iter().enumerate() {
            let formule = if derniere > premiere {
                format!(
                    "=SUM({}:{})",
                    nom_cellule(premiere, col(i)),
                    nom_cellule(derniere - 1, col(i))
                )
            } else {
                "=0".to_string()
            };
            cells.push(Cellule::Montant {
                valeur: *v,
                formule: Some(formule),
                style: Style::Total,
            });
        }
        sous_totaux.push(r);
        lignes.push(cells);
    }
    let mut cells = vec![texte(TOTAUX, Style::Total)];
    cells.resize(colonnes_texte, Cellule::Vide);
    for (i, v) in f.totaux.iter().enumerate() {
        let termes: Vec<String> = sous_totaux.iter().map(|&r| nom_cellule(r, col(i))).collect();
        let formule = if termes.is_empty() {
            "=0".to_string()
        } else {
            format!("={}", termes.join("+"))
        };
        cells.push(Cellule::Montant {
            valeur: *v,
            formule: Some(formule),
            style: Style::Total,
        });
    }
    lignes.push(cells);
    lignes.push(vec![]);
    for n in &f.notes {
        lignes.push(vec![texte(&format!("Note : {n}"), Style::Note)]);
    }
    Disposition {
        lignes,
        ligne_entete,
        colonnes_texte,
        largeur,
    }
}

/// An amount as a plain decimal with a point, exact: 123 450 cents → `1234.50`.
pub fn decimal_point(m: Montant) -> String {
    let c = m.en_centimes();
    let signe = if c < 0 { "-" } else { "" };
    let a = c.unsigned_abs();
    format!("{signe}{}.{:02}", a / 100, a % 100)
}

/// An amount as a French decimal, without grouping: `1234,50` (CSV).
pub fn decimal_virgule(m: Montant) -> String {
    decimal_point(m).replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nombres_et_pourcentages() {
        assert_eq!(GenreNombre::Nombre.valeur(1_200), "12");
        assert_eq!(GenreNombre::Nombre.valeur(1_250), "12.5");
        assert_eq!(GenreNombre::Nombre.valeur(-7), "-0.07");
        // 12,5 % is the fraction 0,125; 100 % is 1.
        assert_eq!(GenreNombre::Pourcentage.valeur(1_250), "0.125");
        assert_eq!(GenreNombre::Pourcentage.valeur(10_000), "1");
        assert_eq!(GenreNombre::Pourcentage.valeur(3), "0.0003");
        assert_eq!(GenreNombre::Pourcentage.texte(1_250), "12,5 %");
    }

    #[test]
    fn noms_de_cellules() {
        assert_eq!(lettres_colonne(0), "A");
        assert_eq!(lettres_colonne(25), "Z");
        assert_eq!(lettres_colonne(26), "AA");
        assert_eq!(lettres_colonne(27), "AB");
        assert_eq!(nom_cellule(11, 5), "F12");
        assert_eq!(decimal_point(Montant::centimes(-5)), "-0.05");
        assert_eq!(decimal_virgule(Montant::centimes(123_450)), "1234,50");
    }
}
