//! Money: an exact amount in euro cents.
//!
//! Every amount in Pacte is an integer number of cents. Percent rules are checked with
//! integer arithmetic (see [`Montant::au_moins_pourcentage_de`]); floats never touch money.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount in euro cents. Display: `1 234 567,89 €`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Montant(i64);

/// Why a text could not be read as an amount. Messages are French: they reach users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErreurMontant {
    #[error("montant vide")]
    Vide,
    #[error("« {0} » n'est pas un montant (exemples valides : 40000, \"40 000,50\", \"40000.50 €\")")]
    Illisible(String),
    #[error("« {0} » a plus de deux décimales : un montant s'exprime au centime près")]
    TropDeDecimales(String),
    #[error("« {0} » est négatif : un montant ne peut pas être négatif")]
    Negatif(String),
    #[error("« {0} » dépasse le plus grand montant admis")]
    TropGrand(String),
}

/// Largest amount accepted from input: 1 000 milliards d'euros, far above any budget, far
/// below `i64::MAX` so that sums over a national set cannot overflow.
const MAX_CENTIMES: i64 = 100_000_000_000_000;

impl Montant {
    pub const ZERO: Montant = Montant(0);

    pub const fn centimes(c: i64) -> Montant {
        Montant(c)
    }

    pub const fn euros(e: i64) -> Montant {
        Montant(e * 100)
    }

    pub const fn en_centimes(self) -> i64 {
        self.0
    }

    pub const fn est_nul(self) -> bool {
        self.0 == 0
    }

    /// `self ≥ pct % × base`, exactly: `100 × self ≥ pct × base` in i128.
    pub fn au_moins_pourcentage_de(self, pct: u32, base: Montant) -> bool {
        (self.0 as i128) * 100 >= (pct as i128) * (base.0 as i128)
    }

    /// `self ≤ pct % × base`, exactly.
    pub fn au_plus_pourcentage_de(self, pct: u32, base: Montant) -> bool {
        (self.0 as i128) * 100 <= (pct as i128) * (base.0 as i128)
    }

    /// The smallest amount that is at least `pct % × base` (rounded up to the cent): the
    /// floor to show a user next to [`Montant::au_moins_pourcentage_de`].
    pub fn pourcentage_plancher(base: Montant, pct: u32) -> Montant {
        let p = (base.0 as i128) * (pct as i128);
        Montant(((p + 99).div_euclid(100)) as i64)
    }

    /// The largest amount that is at most `pct % × base` (rounded down to the cent).
    pub fn pourcentage_plafond(base: Montant, pct: u32) -> Montant {
        Montant(((base.0 as i128) * (pct as i128)).div_euclid(100) as i64)
    }

    /// Parses a French or international written amount: `40000`, `40 000,50`, `40000.50 €`.
    /// Spaces (including non-breaking ones) group thousands. Negative amounts are refused.
    pub fn parse(texte: &str) -> Result<Montant, ErreurMontant> {
        let brut = texte.trim();
        let sans_euro = brut.strip_suffix('€').unwrap_or(brut).trim_end();
        let s: String = sans_euro
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '_'))
            .collect();
        if s.is_empty() {
            return Err(ErreurMontant::Vide);
        }
        if s.starts_with('-') {
            return Err(ErreurMontant::Negatif(brut.to_string()));
        }
        let s = s.strip_prefix('+').unwrap_or(&s);
        let (entier, decimales) = match s.find([',', '.']) {
            Some(i) => (&s[..i], &s[i + 1..]),
            None => (s, ""),
        };
        let chiffres = |t: &str| t.chars().all(|c| c.is_ascii_digit());
        if entier.is_empty() || !chiffres(entier) || !chiffres(decimales) {
            return Err(ErreurMontant::Illisible(brut.to_string()));
        }
        if decimales.len() > 2 {
            return Err(ErreurMontant::TropDeDecimales(brut.to_string()));
        }
        let trop_grand = || ErreurMontant::TropGrand(brut.to_string());
        let euros: i64 = entier.parse().map_err(|_| trop_grand())?;
        let mut cents: i64 = if decimales.is_empty() {
            0
        } else {
            decimales.parse().map_err(|_| trop_grand())?
        };
        if decimales.len() == 1 {
            cents *= 10;
        }
        let total = euros
            .checked_mul(100)
            .and_then(|e| e.checked_add(cents))
            .filter(|t| *t <= MAX_CENTIMES)
            .ok_or_else(trop_grand)?;
        Ok(Montant(total))
    }

    fn depuis_euros_entiers(e: i64) -> Result<Montant, ErreurMontant> {
        if e < 0 {
            return Err(ErreurMontant::Negatif(e.to_string()));
        }
        e.checked_mul(100)
            .filter(|c| *c <= MAX_CENTIMES)
            .map(Montant)
            .ok_or_else(|| ErreurMontant::TropGrand(e.to_string()))
    }

    /// A JSON number, read from its shortest decimal form — the number as it was written —
    /// rather than from `f × 100`, which loses the cents of large amounts in binary
    /// (145229646876.33 × 100 is not within 10⁻⁶ of an integer).
    fn depuis_flottant(f: f64) -> Result<Montant, ErreurMontant> {
        if !f.is_finite() {
            return Err(ErreurMontant::Illisible(f.to_string()));
        }
        if f == 0.0 {
            return Ok(Montant::ZERO);
        }
        if f < 0.0 {
            return Err(ErreurMontant::Negatif(f.to_string()));
        }
        Montant::parse(&f.to_string())
    }

    /// Machine form used in contract files: `40000` or `40000,50`.
    pub fn texte_fichier(self) -> String {
        let signe = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        if a.is_multiple_of(100) {
            format!("{signe}{}", a / 100)
        } else {
            format!("{signe}{},{:02}", a / 100, a % 100)
        }
    }
}

impl fmt::Display for Montant {
    /// French format: `1 234 567,89 €` (ASCII spaces; the web layer keeps it on one line).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0.unsigned_abs();
        let euros = (a / 100).to_string();
        let mut groupes = String::with_capacity(euros.len() + euros.len() / 3);
        for (i, c) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i).is_multiple_of(3) {
                groupes.push(' ');
            }
            groupes.push(c);
        }
        let signe = if self.0 < 0 { "-" } else { "" };
        write!(f, "{signe}{groupes},{:02} €", a % 100)
    }
}

impl Add for Montant {
    type Output = Montant;
    fn add(self, o: Montant) -> Montant {
        Montant(self.0 + o.0)
    }
}

impl AddAssign for Montant {
    fn add_assign(&mut self, o: Montant) {
        self.0 += o.0;
    }
}

impl Sub for Montant {
    type Output = Montant;
    fn sub(self, o: Montant) -> Montant {
        Montant(self.0 - o.0)
    }
}

impl Sum for Montant {
    fn sum<I: Iterator<Item = Montant>>(iter: I) -> Montant {
        iter.fold(Montant::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Montant> for Montant {
    fn sum<I: Iterator<Item = &'a Montant>>(iter: I) -> Montant {
        iter.copied().sum()
    }
}

impl Serialize for Montant {
    /// Whole euros as an integer, otherwise the string `"40000,50"`: both read back exactly.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            s.serialize_str(&self.texte_fichier())
        }
    }
}

impl<'de> Deserialize<'de> for Montant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Montant, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Montant;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("un montant en euros (40000 ou \"40 000,50\")")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Montant, E> {
                Montant::depuis_euros_entiers(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Montant, E> {
                let v = i64::try_from(v).map_err(|_| E::custom(ErreurMontant::TropGrand(v.to_string())))?;
                self.visit_i64(v)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Montant, E> {
                Montant::depuis_flottant(v).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Montant, E> {
                Montant::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for Montant {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Montant".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Montant en euros, positif ou nul, au centime près, 1 000 milliards au plus : un nombre (40000, 40000.5) ou une chaîne (\"40 000,50\", \"40000.50 €\").",
            // Disjoint branches (a number, a string): every amount matches exactly one. The
            // string admits at most 12 digits before the decimal mark, below the largest amount,
            // and only the white space that `Montant::parse` trims.
            "oneOf": [
                { "type": "number", "minimum": 0, "maximum": MAX_CENTIMES / 100, "multipleOf": 0.01 },
                { "type": "string", "pattern": "^[ \\t\\n\\r]*\\+?[0-9]([ \u{a0}\u{202f}_]*[0-9]){0,11}([,.][0-9]{1,2})?[ \\t\\n\\r]*€?[ \\t\\n\\r]*$" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nombres_json_au_centime() {
        for (texte, centimes) in [
            ("12345678901.23", 1_234_567_890_123),
            ("145229646876.33", 14_522_964_687_633),
            ("684705228700.83", 68_470_522_870_083),
            ("70387202238.6", 7_038_720_223_860),
            ("999999999999.99", 99_999_999_999_999),
            ("1000000000000", MAX_CENTIMES),
            ("0.07", 7),
            ("40000.5", 4_000_050),
            ("-0.0", 0),
        ] {
            let m: Montant = serde_json::from_str(texte).unwrap_or_else(|e| panic!("{texte} : {e}"));
            assert_eq!(m, Montant::centimes(centimes), "{texte}");
        }
        for texte in ["0.001", "-0.5", "1000000000000.01", "1e300"] {
            assert!(serde_json::from_str::<Montant>(texte).is_err(), "{texte}");
        }
    }

    #[test]
    fn affichage_francais() {
        assert_eq!(Montant::centimes(123_456_789).to_string(), "1 234 567,89 €");
        assert_eq!(Montant::euros(40_000).to_string(), "40 000,00 €");
        assert_eq!(Montant::centimes(5).to_string(), "0,05 €");
        assert_eq!(Montant::centimes(-150).to_string(), "-1,50 €");
        assert_eq!(Montant::euros(100).to_string(), "100,00 €");
    }

    #[test]
    fn lecture_des_formes_usuelles() {
        assert_eq!(Montant::parse("40000"), Ok(Montant::euros(40_000)));
        assert_eq!(Montant::parse("40 000,50"), Ok(Montant::centimes(4_000_050)));
        assert_eq!(
            Montant::parse("40\u{202f}000,5 €"),
            Ok(Montant::centimes(4_000_050))
        );
        assert_eq!(Montant::parse("1234.56"), Ok(Montant::centimes(123_456)));
        assert_eq!(Montant::parse(" 7 € "), Ok(Montant::euros(7)));
    }

    #[test]
    fn refus_des_formes_fausses() {
        assert!(matches!(Montant::parse("-5"), Err(ErreurMontant::Negatif(_))));
        assert!(matches!(
            Montant::parse("12,345"),
            Err(ErreurMontant::TropDeDecimales(_))
        ));
        assert!(matches!(
            Montant::parse("douze"),
            Err(ErreurMontant::Illisible(_))
        ));
        assert!(matches!(
            Montant::parse("1,2,3"),
            Err(ErreurMontant::Illisible(_))
        ));
        assert!(matches!(Montant::parse(""), Err(ErreurMontant::Vide)));
        assert!(matches!(
            Montant::parse("99999999999999999999"),
            Err(ErreurMontant::TropGrand(_))
        ));
    }

    #[test]
    fn flottants_au_centime() {
        assert_eq!(Montant::depuis_flottant(1234.56), Ok(Montant::centimes(123_456)));
        assert!(Montant::depuis_flottant(0.001).is_err());
        assert!(Montant::depuis_flottant(-1.0).is_err());
    }

    #[test]
    fn pourcentages_exacts_a_la_frontiere() {
        // 20 % of 100 000,00 € is 20 000,00 €: exactly at the floor passes, one cent less fails.
        let base = Montant::euros(100_000);
        assert!(Montant::euros(20_000).au_moins_pourcentage_de(20, base));
        assert!(!Montant::centimes(1_999_999).au_moins_pourcentage_de(20, base));
        assert!(Montant::euros(70_000).au_plus_pourcentage_de(70, base));
        assert!(!Montant::centimes(7_000_001).au_plus_pourcentage_de(70, base));
        // 20 % of 0,07 € is 0,014 €: the floor rounds up to 0,02 €, the ceiling down to 0,01 €.
        assert_eq!(
            Montant::pourcentage_plancher(Montant::centimes(7), 20),
            Montant::centimes(2)
        );
        assert_eq!(
            Montant::pourcentage_plafond(Montant::centimes(7), 20),
            Montant::centimes(1)
        );
    }

    proptest! {
        #[test]
        fn texte_fichier_relu_a_l_identique(c in 0i64..MAX_CENTIMES) {
            let m = Montant::centimes(c);
            prop_assert_eq!(Montant::parse(&m.texte_fichier()), Ok(m));
        }

        #[test]
        fn affichage_relu_a_l_identique(c in 0i64..MAX_CENTIMES) {
            let m = Montant::centimes(c);
            prop_assert_eq!(Montant::parse(&m.to_string()), Ok(m));
        }
    }
}
