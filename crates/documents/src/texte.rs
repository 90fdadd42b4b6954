//! Small French wordings shared by the views.

use pacte_core::lettres::montant_en_lettres;
use pacte_core::territoires::{NatureCollectivite, territoires};
use pacte_core::{Contrat, Date, Montant};

const MOIS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// « 15 février 2024 », « 1er janvier 2024 ».
pub fn date_longue(d: Date) -> String {
    let iso = d.iso();
    let mut p = iso.split('-').map(|x| x.parse::<u32>().unwrap_or(0));
    let (a, m, j) = (
        p.next().unwrap_or(0),
        p.next().unwrap_or(1),
        p.next().unwrap_or(1),
    );
    let mois = MOIS[(m.clamp(1, 12) - 1) as usize];
    // Non-breaking spaces: a date never breaks across lines.
    if j == 1 {
        format!("1er\u{a0}{mois}\u{a0}{a}")
    } else {
        format!("{j}\u{a0}{mois}\u{a0}{a}")
    }
}

/// « 600 000,00 € » with non-breaking spaces: an amount never breaks across lines.
pub fn euros(m: Montant) -> String {
    m.to_string().replace(' ', "\u{a0}")
}

/// « 600 000,00 € (six cent mille euros) ».
pub fn montant_complet(m: Montant) -> String {
    format!("{} ({})", euros(m), montant_en_lettres(m))
}

/// How the contract names the collectivity as a party.
pub struct Partie {
    /// « la Métropole de Lyon », « le Département du Nord ».
    pub designation: String,
    /// « la Métropole », « le Département », « la collectivité ».
    pub court: &'static str,
    /// « le département du Rhône » for the préfet, when known.
    pub departement: Option<String>,
}

pub fn partie(contrat: &Contrat) -> Partie {
    let t = territoires();
    let c = t.collectivite(&contrat.contrat.collectivite);
    let nom = contrat.contrat.nom_collectivite();
    let departement = c
        .and_then(|c| t.departement(&c.departement))
        .map(|d| d.nom.clone())
        .or_else(|| {
            contrat
                .contrat
                .ami
                .as_ref()
                .and_then(|a| a.departement.as_deref())
                .and_then(|code| t.departement(code))
                .map(|d| d.nom.clone())
        });
    let court = match c.map(|c| c.nature) {
        Some(NatureCollectivite::Metropole) => "la Métropole",
        Some(NatureCollectivite::Departement) => "le Département",
        Some(NatureCollectivite::Commune) => "la Ville",
        _ => "la collectivité",
    };
    Partie {
        designation: nom,
        court,
        departement,
    }
}

/// First letter in upper case.
pub fn majuscule(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(p) => p.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A file-name-safe slug: « contrat-metropole-de-lyon ».
pub fn slug(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        let c = match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
            'î' | 'ï' | 'Î' => 'i',
            'ô' | 'ö' | 'Ô' => 'o',
            'ù' | 'û' | 'ü' | 'Û' => 'u',
            'ç' | 'Ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            o.push(c.to_ascii_lowercase());
        } else if !o.ends_with('-') {
            o.push('-');
        }
    }
    o.trim_matches('-').chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_et_noms() {
        assert_eq!(date_longue(Date::ymd(2024, 1, 1)), "1er\u{a0}janvier\u{a0}2024");
        assert_eq!(date_longue(Date::ymd(2024, 2, 15)), "15\u{a0}février\u{a0}2024");
        assert_eq!(
            slug("Métropole d'Aix-Marseille-Provence"),
            "metropole-d-aix-marseille-provence"
        );
        assert_eq!(
            montant_complet(Montant::euros(600_000)),
            "600\u{a0}000,00\u{a0}€ (six cent mille euros)"
        );
    }
}
