//! French sorting and searching of names: « Île-de-France » sorts among the I, « Ain »
//! before « Eure-et-Loir », « Ecully » finds « Écully ».
//!
//! The key is the name with its accents stripped, case folded, ligatures spelled out and
//! hyphens and apostrophes read as spaces (the first level of French dictionary order);
//! equal keys fall back to the name itself, so the order is total and stable. Written here
//! rather than taken from an ICU crate: the names sorted are French place and body names in
//! Latin script, for which these few rules give the dictionary order, at no build cost.

use std::cmp::Ordering;

/// The collation key of `nom`: lower case, no accents, `œ` → `oe`, `æ` → `ae`, hyphens,
/// apostrophes and runs of spaces → one space, trimmed.
pub fn cle_tri(nom: &str) -> String {
    let mut cle = String::with_capacity(nom.len());
    for c in nom.chars().flat_map(char::to_lowercase) {
        let remplace: &str = match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => "a",
            'ç' => "c",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' | 'ì' => "i",
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ÿ' | 'ý' => "y",
            'ñ' => "n",
            'œ' => "oe",
            'æ' => "ae",
            '-' | '\'' | '’' | '‑' | '–' | '—' | '_' => " ",
            c if c.is_whitespace() => " ",
            // Combining accents (a decomposed « é ») carry no letter.
            '\u{300}'..='\u{36f}' => "",
            _ => {
                cle.push(c);
                continue;
            }
        };
        for r in remplace.chars() {
            if r == ' ' && (cle.is_empty() || cle.ends_with(' ')) {
                continue;
            }
            cle.push(r);
        }
    }
    while cle.ends_with(' ') {
        cle.pop();
    }
    cle
}

/// French order of two names: by key, then by the names themselves.
pub fn comparer(a: &str, b: &str) -> Ordering {
    cle_tri(a).cmp(&cle_tri(b)).then_with(|| a.cmp(b))
}

/// Sorts `v` in French order of the name `nom` gives each item (keys computed once per item).
pub fn trier_par<T>(v: &mut [T], nom: impl Fn(&T) -> &str) {
    v.sort_by_cached_key(|x| {
        let n = nom(x);
        (cle_tri(n), n.to_string())
    });
}

/// `nom` contains `recherche`, accents, case, hyphens and apostrophes aside (an empty search
/// matches everything).
pub fn contient(nom: &str, recherche: &str) -> bool {
    cle_tri(nom).contains(&cle_tri(recherche))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordre_francais_des_regions() {
        let mut v = vec![
            "Provence-Alpes-Côte d'Azur",
            "Île-de-France",
            "Auvergne-Rhône-Alpes",
            "Hauts-de-France",
            "Occitanie",
            "Bretagne",
        ];
        // Byte order puts « Île-de-France » last (« Î » is above every ASCII letter).
        let mut octets = v.clone();
        octets.sort();
        assert_eq!(octets.last(), Some(&"Île-de-France"));
        trier_par(&mut v, |s| s);
        assert_eq!(
            v,
            [
                "Auvergne-Rhône-Alpes",
                "Bretagne",
                "Hauts-de-France",
                "Île-de-France",
                "Occitanie",
                "Provence-Alpes-Côte d'Azur",
            ]
        );
    }

    #[test]
    fn ordre_francais_des_departements() {
        let mut v = vec!["Eure-et-Loir", "Éure", "Ain", "Eure", "Essonne", "Aisne"];
        trier_par(&mut v, |s| s);
        // « Eure » and « Éure » share a key: the name itself decides (byte order puts « E »
        // first); « Eure-et-Loir » reads « eure et loir », after « eure ».
        assert_eq!(v, ["Ain", "Aisne", "Essonne", "Eure", "Éure", "Eure-et-Loir"]);
        assert_eq!(cle_tri("Œuvre"), cle_tri("Oeuvre"));
        assert_eq!(comparer("Saint-Étienne", "Saint-Denis"), Ordering::Greater);
    }

    #[test]
    fn cle_sans_accents_ni_casse() {
        assert_eq!(cle_tri("  Île-de-France "), "ile de france");
        assert_eq!(cle_tri("Côte-d'Or"), "cote d or");
        assert_eq!(cle_tri("CŒUR"), "coeur");
        // A decomposed « é » (e + U+0301) reads as the composed one.
        assert_eq!(cle_tri("E\u{301}cully"), cle_tri("Écully"));
    }

    #[test]
    fn recherche_sans_accents() {
        assert!(contient("Métropole d'Aix-Marseille-Provence", "aix marseille"));
        assert!(contient("Écully", "ecul"));
        assert!(contient("Ville de Marseille", ""));
        assert!(!contient("Ville de Marseille", "lyon"));
    }
}
