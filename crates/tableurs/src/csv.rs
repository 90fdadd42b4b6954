//! CSV as French spreadsheets open it: UTF-8 with a byte order mark, `;` between fields,
//! decimal comma, CRLF line ends; figures only (no formulas).

use crate::disposition::{Cellule, Disposition, decimal_virgule};

fn champ(s: &str) -> String {
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn ecrire(d: &Disposition) -> Vec<u8> {
    let mut s = String::from("\u{feff}");
    for ligne in &d.lignes {
        let cells: Vec<String> = ligne
            .iter()
            .map(|c| match c {
                Cellule::Vide => String::new(),
                Cellule::Texte(t, _) => champ(t),
                Cellule::Montant { valeur, .. } => decimal_virgule(*valeur),
                Cellule::Nombre { centiemes, genre, .. } => champ(&genre.texte(*centiemes)),
            })
            .collect();
        s.push_str(&cells.join(";"));
        s.push_str("\r\n");
    }
    s.into_bytes()
}
