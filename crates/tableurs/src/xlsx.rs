//! XLSX with live formulas (`rust_xlsxwriter`): line formulas, sub-totals and totals are
//! formulas with their results cached, so the file shows figures at once and recalculates when
//! a cell is changed; euro number format; frozen header; the instruction's title line.

use rust_xlsxwriter::{Format, FormatAlign, Formula, Workbook, XlsxError};

use crate::disposition::{Cellule, Disposition, GenreNombre, Style, decimal_point};

/// The euro number format: `1 234,50 €` in a French spreadsheet.
pub const FORMAT_EURO: &str = "#,##0.00\\ \"€\";-#,##0.00\\ \"€\"";

pub fn ecrire(nom_feuille: &str, d: &Disposition) -> Result<Vec<u8>, XlsxError> {
    let mut classeur = Workbook::new();
    let f = classeur.add_worksheet();
    f.set_name(nom_feuille)?;
    let titre = Format::new().set_bold().set_font_size(12);
    let entete = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color("DDE5F4");
    let euro = Format::new().set_num_format(FORMAT_EURO);
    let euro_total = Format::new().set_num_format(FORMAT_EURO).set_bold();
    let texte = Format::new().set_text_wrap();
    let format_nombre = |centiemes: i64, genre: GenreNombre, style: Style| {
        let motif = match (genre, centiemes % 100 == 0) {
            (GenreNombre::Nombre, true) => "#,##0",
            (GenreNombre::Nombre, false) => "#,##0.00",
            (GenreNombre::Pourcentage, _) => "0.0%",
        };
        let f = Format::new().set_num_format(motif);
        if style == Style::Total { f.set_bold() } else { f }
    };
    let gras = Format::new().set_bold();
    let note = Format::new().set_italic();
    for (r, ligne) in d.lignes.iter().enumerate() {
        let r32 = r as u32;
        for (c, cell) in ligne.iter().enumerate() {
            let c16 = c as u16;
            match cell {
                Cellule::Vide => {}
                Cellule::Texte(s, style) => {
                    let fmt = match style {
                        Style::Titre => &titre,
                        Style::Entete => &entete,
                        Style::Total => &gras,
                        Style::Note => &note,
                        Style::Normal => &texte,
                    };
                    f.write_string_with_format(r32, c16, s, fmt)?;
                }
                Cellule::Nombre {
                    centiemes,
                    genre,
                    style,
                } => {
                    let v: f64 = genre.valeur(*centiemes).parse().unwrap_or_default();
                    f.write_number_with_format(r32, c16, v, &format_nombre(*centiemes, *genre, *style))?;
                }
                Cellule::Montant {
                    valeur,
                    formule,
                    style,
                } => {
                    let fmt = if *style == Style::Total {
                        &euro_total
                    } else {
                        &euro
                    };
                    match formule {
                        Some(fo) => {
                            let fo = Formula::new(fo).set_result(decimal_point(*valeur));
                            f.write_formula_with_format(r32, c16, fo, fmt)?;
                        }
                        None => {
                            let v = valeur.en_centimes() as f64 / 100.0;
                            f.write_number_with_format(r32, c16, v, fmt)?;
                        }
                    }
                }
            }
        }
    }
    f.set_row_height(d.ligne_entete as u32, 60)?;
    f.set_column_width(0, 34)?;
    for c in 1..d.colonnes_texte {
        let large = c + 1 == d.colonnes_texte || (c == 1 && d.colonnes_texte == 4);
        f.set_column_width(c as u16, if large { 40 } else { 12 })?;
    }
    for c in d.colonnes_texte..d.largeur {
        f.set_column_width(c as u16, 18)?;
    }
    f.set_freeze_panes(d.ligne_entete as u32 + 1, d.colonnes_texte as u16)?;
    classeur.save_to_buffer()
}
