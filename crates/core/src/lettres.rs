//! Amounts in words, in French, as a contract writes them beside the figures: « six cent mille
//! euros ».
//!
//! Traditional spelling (the one of administrative documents): hyphens between tens and units
//! below one hundred, « et » in 21, 31… 71 (« soixante et onze ») but not in 81 or 91
//! (« quatre-vingt-un », « quatre-vingt-onze »); « vingt » and « cent » take an « s » when
//! multiplied and ending the number (« quatre-vingts », « deux cents ») but not when followed by
//! another word (« quatre-vingt-deux », « deux cent un ») nor before « mille », an invariable
//! adjective (« deux cent mille »); « million » and « milliard » are nouns: they take an « s »
//! (« deux millions »), keep the « s » of what multiplies them (« quatre-vingts millions »), and
//! take « d' » before « euros » when nothing follows them (« un million d'euros »).

use crate::Montant;

const UNITES: [&str; 17] = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
    "treize", "quatorze", "quinze", "seize",
];
const DIZAINES: [&str; 7] = ["", "", "vingt", "trente", "quarante", "cinquante", "soixante"];

/// 0 < n < 100. `fin`: nothing follows (« quatre-vingts » keeps its « s »).
fn moins_de_cent(n: u64, fin: bool) -> String {
    debug_assert!(n > 0 && n < 100);
    match n {
        0..=16 => UNITES[n as usize].to_string(),
        17..=19 => format!("dix-{}", UNITES[(n - 10) as usize]),
        20..=69 => {
            let (d, u) = (n / 10, n % 10);
            match u {
                0 => DIZAINES[d as usize].to_string(),
                1 => format!("{} et un", DIZAINES[d as usize]),
                _ => format!("{}-{}", DIZAINES[d as usize], UNITES[u as usize]),
            }
        }
        70..=79 => {
            if n == 71 {
                "soixante et onze".to_string()
            } else {
                format!("soixante-{}", moins_de_cent(n - 60, false))
            }
        }
        _ => {
            if n == 80 {
                if fin { "quatre-vingts" } else { "quatre-vingt" }.to_string()
            } else {
                format!("quatre-vingt-{}", moins_de_cent(n - 80, false))
            }
        }
    }
}

/// 0 < n < 1000. `fin`: nothing follows, so « cents » and « quatre-vingts » take their « s ».
fn moins_de_mille(n: u64, fin: bool) -> String {
    debug_assert!(n > 0 && n < 1000);
    let (c, r) = (n / 100, n % 100);
    let mut mots = String::new();
    match c {
        0 => {}
        1 => mots.push_str("cent"),
        _ => {
            mots.push_str(UNITES[c as usize]);
            mots.push_str(if r == 0 && fin { " cents" } else { " cent" });
        }
    }
    if r > 0 {
        if !mots.is_empty() {
            mots.push(' ');
        }
        mots.push_str(&moins_de_cent(r, fin));
    }
    mots
}

/// `n` in words (cardinal, masculine), as it ends an amount before « euros » (« deux cents »).
pub fn nombre_en_lettres(n: u64) -> String {
    if n == 0 {
        return UNITES[0].to_string();
    }
    let mut parties: Vec<String> = Vec::new();
    let milliards = n / 1_000_000_000;
    let millions = (n / 1_000_000) % 1000;
    let milliers = (n / 1000) % 1000;
    let reste = n % 1000;
    if milliards > 0 {
        // « mille milliards »: the count of milliards may itself reach the thousands. A noun
        // follows, so « cents » keeps its « s » (« deux cents milliards »).
        let m = nombre_en_lettres(milliards);
        parties.push(format!("{m} milliard{}", if milliards > 1 { "s" } else { "" }));
    }
    if millions > 0 {
        let m = moins_de_mille(millions, true);
        parties.push(format!("{m} million{}", if millions > 1 { "s" } else { "" }));
    }
    if milliers > 0 {
        // « mille » is invariable and never preceded by « un »; what multiplies it is not
        // at the end (« deux cent mille », « quatre-vingt mille »).
        if milliers == 1 {
            parties.push("mille".to_string());
        } else {
            parties.push(format!("{} mille", moins_de_mille(milliers, false)));
        }
    }
    if reste > 0 {
        parties.push(moins_de_mille(reste, true));
    }
    parties.join(" ")
}

/// An amount in words: « six cent mille euros et un centime », « un million d'euros »,
/// « zéro euro », « cinquante centimes ».
pub fn montant_en_lettres(m: Montant) -> String {
    let c = m.en_centimes();
    let signe = if c < 0 { "moins " } else { "" };
    let a = c.unsigned_abs();
    let (euros, centimes) = (a / 100, a % 100);
    let centimes_mots = |n: u64| format!("{} centime{}", nombre_en_lettres(n), if n > 1 { "s" } else { "" });
    if euros == 0 && centimes > 0 {
        return format!("{signe}{}", centimes_mots(centimes));
    }
    let mots = nombre_en_lettres(euros);
    // « un million d'euros », « deux milliards d'euros »: a noun of number ending the amount.
    let de = euros >= 1_000_000 && euros.is_multiple_of(1_000_000);
    let unite = match (euros, de) {
        (0 | 1, _) => " euro",
        (_, true) => " d'euros",
        _ => " euros",
    };
    let mut texte = format!("{signe}{mots}{unite}");
    if centimes > 0 {
        texte.push_str(" et ");
        texte.push_str(&centimes_mots(centimes));
    }
    texte
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(euros: i64) -> String {
        montant_en_lettres(Montant::euros(euros))
    }

    #[test]
    fn exemples_du_contrat() {
        assert_eq!(e(0), "zéro euro");
        assert_eq!(e(1), "un euro");
        assert_eq!(e(2), "deux euros");
        assert_eq!(e(71), "soixante et onze euros");
        assert_eq!(e(80), "quatre-vingts euros");
        assert_eq!(e(91), "quatre-vingt-onze euros");
        assert_eq!(e(100), "cent euros");
        assert_eq!(e(200), "deux cents euros");
        assert_eq!(e(1_000_000), "un million d'euros");
        assert_eq!(e(600_000), "six cent mille euros");
        assert_eq!(
            montant_en_lettres(Montant::centimes(60_000_001)),
            "six cent mille euros et un centime"
        );
    }

    #[test]
    fn regles_de_vingt_et_cent() {
        assert_eq!(nombre_en_lettres(21), "vingt et un");
        assert_eq!(nombre_en_lettres(17), "dix-sept");
        assert_eq!(nombre_en_lettres(77), "soixante-dix-sept");
        assert_eq!(nombre_en_lettres(81), "quatre-vingt-un");
        assert_eq!(nombre_en_lettres(99), "quatre-vingt-dix-neuf");
        assert_eq!(nombre_en_lettres(101), "cent un");
        assert_eq!(nombre_en_lettres(180), "cent quatre-vingts");
        assert_eq!(nombre_en_lettres(201), "deux cent un");
        assert_eq!(nombre_en_lettres(1000), "mille");
        assert_eq!(nombre_en_lettres(1080), "mille quatre-vingts");
        assert_eq!(nombre_en_lettres(80_000), "quatre-vingt mille");
        assert_eq!(nombre_en_lettres(200_000), "deux cent mille");
        assert_eq!(nombre_en_lettres(2_000_000), "deux millions");
        assert_eq!(nombre_en_lettres(80_000_000), "quatre-vingts millions");
        assert_eq!(nombre_en_lettres(200_000_000), "deux cents millions");
        assert_eq!(
            nombre_en_lettres(1_234_567),
            "un million deux cent trente-quatre mille cinq cent soixante-sept"
        );
        assert_eq!(nombre_en_lettres(1_000_000_000_000), "mille milliards");
    }

    #[test]
    fn euros_et_centimes() {
        assert_eq!(montant_en_lettres(Montant::centimes(50)), "cinquante centimes");
        assert_eq!(montant_en_lettres(Montant::centimes(1)), "un centime");
        assert_eq!(e(2_000_000), "deux millions d'euros");
        assert_eq!(e(1_000_100), "un million cent euros");
        assert_eq!(
            montant_en_lettres(Montant::centimes(123_456_789)),
            "un million deux cent trente-quatre mille cinq cent soixante-sept euros et quatre-vingt-neuf centimes"
        );
        assert_eq!(e(-80), "moins quatre-vingts euros");
    }
}
