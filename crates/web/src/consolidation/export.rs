//! The consolidation's tables as files (XLSX, ODS, CSV), laid out for `pacte_tableurs`'
//! writers: a title line, the header row, one row per region, axis or year, and a total row
//! whose cells are live `SUM` formulas over the rows above (with their results).

use pacte_core::Montant;
use pacte_store::consolidation::Montants;
use pacte_tableurs::disposition::{Cellule, Disposition, Style, nom_cellule};
use pacte_tableurs::{ErreurExport, FormatTableur};

use super::COLONNES;

/// A table of the consolidation: its code in addresses, title, first column, rows and total.
#[derive(Debug, Clone)]
pub struct Table {
    pub code: &'static str,
    pub titre: String,
    pub premiere_colonne: &'static str,
    pub lignes: Vec<(String, Montants)>,
    pub total: Montants,
}

pub fn libelle_format(f: FormatTableur) -> &'static str {
    match f {
        FormatTableur::Xlsx => "XLSX",
        FormatTableur::Ods => "ODS",
        FormatTableur::Csv => "CSV",
    }
}

/// The layout of a table.
pub fn disposer(t: &Table) -> Disposition {
    let largeur = 1 + COLONNES.len();
    let mut lignes = vec![vec![Cellule::Texte(t.titre.clone(), Style::Titre)]];
    let mut entete = vec![Cellule::Texte(t.premiere_colonne.into(), Style::Entete)];
    entete.extend(
        COLONNES
            .iter()
            .map(|(l, _)| Cellule::Texte(format!("{l} (€)"), Style::Entete)),
    );
    lignes.push(entete);
    for (libelle, m) in &t.lignes {
        let mut l = vec![Cellule::Texte(libelle.clone(), Style::Normal)];
        l.extend(COLONNES.iter().map(|(_, f)| Cellule::Montant {
            valeur: Montant::centimes(f(m)),
            formule: None,
            style: Style::Normal,
        }));
        lignes.push(l);
    }
    let premiere = 2;
    let derniere = lignes.len() - 1;
    let mut total = vec![Cellule::Texte("Total".into(), Style::Total)];
    total.extend(COLONNES.iter().enumerate().map(|(i, (_, f))| Cellule::Montant {
        valeur: Montant::centimes(f(&t.total)),
        formule: (derniere >= premiere).then(|| {
            format!(
                "=SUM({}:{})",
                nom_cellule(premiere, i + 1),
                nom_cellule(derniere, i + 1)
            )
        }),
        style: Style::Total,
    }));
    lignes.push(total);
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
