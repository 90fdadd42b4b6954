//! The consolidation's tables as files (XLSX, ODS, CSV), laid out for `pacte_tableurs`'
//! writers: a title line, the header row, one row per region, axis, year or indicator, and a
//! total row. Amounts are numbers in euros (the total row a live `SUM` over the rows above,
//! with its result); counts, indicator values and shares are numbers too (a share as a
//! fraction with a percent format), so that a spreadsheet can sum and sort them.

use pacte_core::Montant;
use pacte_store::consolidation::Montants;
use pacte_tableurs::disposition::{Cellule, Disposition, GenreNombre, Style, nom_cellule};
use pacte_tableurs::{ErreurExport, FormatTableur};

use super::COLONNES;

/// A cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Valeur {
    /// Cents.
    Montant(i64),
    Texte(String),
    /// A count or an indicator value, in hundredths.
    Nombre(i64),
    /// The share `n / sur` (« — » without a base).
    Part {
        n: i64,
        sur: i64,
    },
}

impl Valeur {
    /// As the page prints it.
    pub fn texte(&self) -> String {
        match self {
            Valeur::Montant(c) => Montant::centimes(*c).to_string(),
            Valeur::Texte(t) => t.clone(),
            Valeur::Nombre(c) => pacte_core::Valeur::centiemes(*c).to_string(),
            Valeur::Part { n, sur } => super::pourcentage(*n, *sur),
        }
    }

    /// A count of things (people, contracts), in hundredths.
    pub fn compte(n: impl Into<i64>) -> Valeur {
        Valeur::Nombre(n.into() * 100)
    }
}

/// A table of the consolidation: its code in addresses, title, columns, rows and total.
#[derive(Debug, Clone)]
pub struct Table {
    pub code: String,
    pub titre: String,
    pub premiere_colonne: &'static str,
    pub colonnes: Vec<String>,
    pub lignes: Vec<(String, Vec<Valeur>)>,
    pub total: Option<Vec<Valeur>>,
}

/// A table of amounts, one column per figure of [`COLONNES`].
pub fn table_montants(
    code: &str,
    titre: String,
    premiere_colonne: &'static str,
    lignes: &[(String, Montants)],
    total: &Montants,
) -> Table {
    let cellules = |m: &Montants| COLONNES.iter().map(|(_, f)| Valeur::Montant(f(m))).collect();
    Table {
        code: code.into(),
        titre,
        premiere_colonne,
        colonnes: COLONNES.iter().map(|(l, _)| format!("{l} (€)")).collect(),
        lignes: lignes.iter().map(|(l, m)| (l.clone(), cellules(m))).collect(),
        total: Some(cellules(total)),
    }
}

pub fn libelle_format(f: FormatTableur) -> &'static str {
    match f {
        FormatTableur::Xlsx => "XLSX",
        FormatTableur::Ods => "ODS",
        FormatTableur::Csv => "CSV",
    }
}

fn cellule(v: &Valeur, style: Style, formule: Option<String>) -> Cellule {
    match v {
        Valeur::Montant(c) => Cellule::Montant {
            valeur: Montant::centimes(*c),
            formule,
            style,
        },
        Valeur::Texte(t) => Cellule::Texte(t.clone(), style),
        Valeur::Nombre(c) => Cellule::Nombre {
            centiemes: *c,
            genre: GenreNombre::Nombre,
            style,
        },
        // Hundredths of a percent, floored, like the page's tenths.
        Valeur::Part { n, sur } if *sur > 0 => Cellule::Nombre {
            centiemes: (i128::from(*n) * 10_000 / i128::from(*sur)) as i64,
            genre: GenreNombre::Pourcentage,
            style,
        },
        Valeur::Part { .. } => Cellule::Texte(v.texte(), style),
    }
}

/// The layout of a table.
pub fn disposer(t: &Table) -> Disposition {
    let largeur = 1 + t.colonnes.len();
    let mut lignes = vec![vec![Cellule::Texte(t.titre.clone(), Style::Titre)]];
    let mut entete = vec![Cellule::Texte(t.premiere_colonne.into(), Style::Entete)];
    entete.extend(
        t.colonnes
            .iter()
            .map(|l| Cellule::Texte(l.clone(), Style::Entete)),
    );
    lignes.push(entete);
    for (libelle, valeurs) in &t.lignes {
        let mut l = vec![Cellule::Texte(libelle.clone(), Style::Normal)];
        l.extend(valeurs.iter().map(|v| cellule(v, Style::Normal, None)));
        lignes.push(l);
    }
    let (premiere, derniere) = (2, lignes.len() - 1);
    if let Some(total) = &t.total {
        let mut l = vec![Cellule::Texte("Total".into(), Style::Total)];
        l.extend(total.iter().enumerate().map(|(i, v)| {
            let formule = (matches!(v, Valeur::Montant(_)) && derniere >= premiere).then(|| {
                format!(
                    "=SUM({}:{})",
                    nom_cellule(premiere, i + 1),
                    nom_cellule(derniere, i + 1)
                )
            });
            cellule(v, Style::Total, formule)
        }));
        lignes.push(l);
    }
    Disposition {
        lignes,
        ligne_entete: 1,
        colonnes_texte: 1,
        largeur,
    }
}

/// The file of a table in a format.
pub fn exporter(t: &Table, format: FormatTableur) -> Result<Vec<u8>, ErreurExport> {
    let d = disposer(t);
    let feuille = "Consolidation";
    Ok(match format {
        FormatTableur::Xlsx => pacte_tableurs::xlsx::ecrire(feuille, &d)?,
        FormatTableur::Ods => pacte_tableurs::ods::ecrire(feuille, &d)?,
        FormatTableur::Csv => pacte_tableurs::csv::ecrire(&d),
    })
}
