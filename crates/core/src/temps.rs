//! Calendar values: the contract years 2024-2027 and plain dates.
//!
//! No calendar crate is needed: the domain only compares dates, adds months for an action's
//! duration and prints them in French.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A year of the convention: 2024, 2025, 2026 or 2027 ([004] A5 VI.a, R-CAL-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Annee(u16);

impl Annee {
    pub const PREMIERE: u16 = 2024;
    pub const DERNIERE: u16 = 2027;
    /// The four years of the convention, in order.
    pub const TOUTES: [Annee; 4] = [Annee(2024), Annee(2025), Annee(2026), Annee(2027)];

    pub fn new(a: i64) -> Result<Annee, String> {
        if (Self::PREMIERE as i64..=Self::DERNIERE as i64).contains(&a) {
            Ok(Annee(a as u16))
        } else {
            Err(format!(
                "l'année {a} est hors de la convention : les années admises sont 2024, 2025, 2026 et 2027 (R-CAL-01)"
            ))
        }
    }

    pub const fn valeur(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Annee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Annee {
    /// Years are map keys in contract files (`{ 2024 = 40000 }`), hence a string.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Annee {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Annee, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Annee;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("une année de 2024 à 2027")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Annee, E> {
                Annee::new(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Annee, E> {
                Annee::new(v.min(i64::MAX as u64) as i64).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Annee, E> {
                let n: i64 = v
                    .trim()
                    .parse()
                    .map_err(|_| E::custom(format!("« {v} » n'est pas une année")))?;
                Annee::new(n).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for Annee {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Annee".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Année de la convention (2024 à 2027).",
            "type": "string",
            "enum": ["2024", "2025", "2026", "2027"]
        })
    }
}

/// A calendar date (proleptic Gregorian). Written `2024-01-01` in files, `01/01/2024` to users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    annee: i32,
    mois: u8,
    jour: u8,
}

fn bissextile(a: i32) -> bool {
    (a % 4 == 0 && a % 100 != 0) || a % 400 == 0
}

fn jours_dans_mois(a: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if bissextile(a) => 29,
        _ => 28,
    }
}

impl Date {
    pub fn new(annee: i32, mois: u8, jour: u8) -> Result<Date, String> {
        if !(1900..=2100).contains(&annee) {
            return Err(format!("l'année {annee} n'est pas plausible"));
        }
        if !(1..=12).contains(&mois) {
            return Err(format!("le mois {mois} n'existe pas"));
        }
        if jour == 0 || jour > jours_dans_mois(annee, mois) {
            return Err(format!("le {jour:02}/{mois:02}/{annee} n'existe pas"));
        }
        Ok(Date { annee, mois, jour })
    }

    /// Constant constructor for dates known to be valid (panics otherwise, at compile time
    /// when used in a `const`).
    pub const fn ymd(annee: i32, mois: u8, jour: u8) -> Date {
        assert!(mois >= 1 && mois <= 12 && jour >= 1 && jour <= 31);
        Date { annee, mois, jour }
    }

    pub fn parse(texte: &str) -> Result<Date, String> {
        let t = texte.trim();
        let invalide = || format!("« {t} » n'est pas une date (format attendu : AAAA-MM-JJ)");
        // Accept a full TOML datetime by keeping its date part.
        let t_date = t
            .get(..10)
            .filter(|_| t.len() == 10 || t.as_bytes().get(10).is_some_and(|b| *b == b'T' || *b == b' '))
            .ok_or_else(invalide)?;
        let mut parts = t_date.split('-');
        let (Some(a), Some(m), Some(j), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalide());
        };
        if a.len() != 4 || m.len() != 2 || j.len() != 2 {
            return Err(invalide());
        }
        let a: i32 = a.parse().map_err(|_| invalide())?;
        let m: u8 = m.parse().map_err(|_| invalide())?;
        let j: u8 = j.parse().map_err(|_| invalide())?;
        Date::new(a, m, j)
    }

    pub const fn annee(self) -> i32 {
        self.annee
    }
    pub const fn mois(self) -> u8 {
        self.mois
    }
    pub const fn jour(self) -> u8 {
        self.jour
    }

    /// The last day of a period of `mois` months starting on `self`: 1 March 2024 + 12 months
    /// ends on 28 February 2025 (the day before the same date `mois` months later).
    pub fn fin_apres_mois(self, mois: u32) -> Date {
        if mois == 0 {
            return self;
        }
        let total = self.annee as i64 * 12 + (self.mois as i64 - 1) + mois as i64;
        let annee = (total / 12) as i32;
        let m = (total % 12) as u8 + 1;
        let dernier = jours_dans_mois(annee, m);
        if self.jour > dernier {
            // The same date does not exist in the target month: the period ends on its last day.
            return Date {
                annee,
                mois: m,
                jour: dernier,
            };
        }
        Date {
            annee,
            mois: m,
            jour: self.jour,
        }
        .veille()
    }

    /// The previous day.
    pub fn veille(self) -> Date {
        if self.jour > 1 {
            return Date {
                jour: self.jour - 1,
                ..self
            };
        }
        if self.mois > 1 {
            let m = self.mois - 1;
            return Date {
                annee: self.annee,
                mois: m,
                jour: jours_dans_mois(self.annee, m),
            };
        }
        Date {
            annee: self.annee - 1,
            mois: 12,
            jour: 31,
        }
    }

    /// ISO form, as written in files: `2024-01-01`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.annee, self.mois, self.jour)
    }
}

impl fmt::Display for Date {
    /// French form: `01/01/2024`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}/{:04}", self.jour, self.mois, self.annee)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Date {
    /// Accepts a string (`"2024-01-01"`, JSON or TOML) and a native TOML date, which the TOML
    /// deserializer hands over as a one-entry map holding its text.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("une date AAAA-MM-JJ")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
                let Some((_, texte)) = map.next_entry::<String, String>()? else {
                    return Err(de::Error::custom("date vide"));
                };
                Date::parse(&texte).map_err(de::Error::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Date au format AAAA-MM-JJ (date TOML native ou chaîne).",
            "type": "string",
            "format": "date"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annees_de_la_convention() {
        assert!(Annee::new(2024).is_ok());
        assert!(Annee::new(2027).is_ok());
        let e = Annee::new(2028).unwrap_err();
        assert!(e.contains("2028") && e.contains("R-CAL-01"), "{e}");
        assert!(Annee::new(2023).is_err());
    }

    #[test]
    fn dates_valides_et_invalides() {
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "29/02/2024");
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2024-13-01").is_err());
        assert!(Date::parse("01/02/2024").is_err());
        assert_eq!(Date::parse("2024-03-01T00:00:00").unwrap(), Date::ymd(2024, 3, 1));
    }

    #[test]
    fn fin_d_une_duree_en_mois() {
        // 1 March 2024 + 12 months → last day 28 February 2025.
        assert_eq!(Date::ymd(2024, 3, 1).fin_apres_mois(12), Date::ymd(2025, 2, 28));
        // 1 January 2024 + 48 months → 31 December 2027, the last day of the convention.
        assert_eq!(Date::ymd(2024, 1, 1).fin_apres_mois(48), Date::ymd(2027, 12, 31));
        // 1 February 2024 + 48 months → 31 January 2028: one month too long.
        assert_eq!(Date::ymd(2024, 2, 1).fin_apres_mois(48), Date::ymd(2028, 1, 31));
        // 31 January 2025 + 1 month: 31 February does not exist, the period ends on 28 February.
        assert_eq!(Date::ymd(2025, 1, 31).fin_apres_mois(1), Date::ymd(2025, 2, 28));
    }
}
