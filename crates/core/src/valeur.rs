//! Indicator values: exact decimals with two places (a count, a rate, a number of ETP).

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A non-negative indicator value, stored in hundredths: `12,5` is `Valeur(1250)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Valeur(i64);

const MAX: i64 = 1_000_000_000_000;

impl Valeur {
    pub const fn centiemes(c: i64) -> Valeur {
        Valeur(c)
    }

    pub const fn entier(n: i64) -> Valeur {
        Valeur(n * 100)
    }

    pub const fn en_centiemes(self) -> i64 {
        self.0
    }

    pub fn parse(texte: &str) -> Result<Valeur, String> {
        let t = texte.trim();
        let s: String = t
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '_'))
            .collect();
        let s = s.strip_suffix('%').unwrap_or(&s);
        let invalide = || format!("« {t} » n'est pas une valeur d'indicateur (exemples : 120, 12,5)");
        if s.starts_with('-') {
            return Err(format!(
                "« {t} » est négatif : une valeur d'indicateur est positive ou nulle"
            ));
        }
        let (e, d) = match s.find([',', '.']) {
            Some(i) => (&s[..i], &s[i + 1..]),
            None => (s, ""),
        };
        if e.is_empty() || !e.chars().all(|c| c.is_ascii_digit()) || !d.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalide());
        }
        if d.len() > 2 {
            return Err(format!("« {t} » a plus de deux décimales"));
        }
        let e: i64 = e.parse().map_err(|_| invalide())?;
        let mut c: i64 = if d.is_empty() {
            0
        } else {
            d.parse().map_err(|_| invalide())?
        };
        if d.len() == 1 {
            c *= 10;
        }
        e.checked_mul(100)
            .and_then(|v| v.checked_add(c))
            .filter(|v| *v <= MAX)
            .map(Valeur)
            .ok_or_else(|| format!("« {t} » est trop grand"))
    }
}

impl fmt::Display for Valeur {
    /// `120`, `12,5`, `0,25`: no trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (e, c) = (self.0 / 100, self.0 % 100);
        match c {
            0 => write!(f, "{e}"),
            c if c % 10 == 0 => write!(f, "{e},{}", c / 10),
            c => write!(f, "{e},{c:02}"),
        }
    }
}

impl Serialize for Valeur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            s.collect_str(self)
        }
    }
}

impl<'de> Deserialize<'de> for Valeur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Valeur, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Valeur;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("une valeur d'indicateur (120 ou \"12,5\")")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Valeur, E> {
                Valeur::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Valeur, E> {
                Valeur::parse(&v.to_string()).map_err(E::custom)
            }
            /// From the number's shortest decimal form, as written (not from `v × 100`, which
            /// loses the hundredths of large values in binary).
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Valeur, E> {
                if !v.is_finite() {
                    return Err(E::custom(format!("« {v} » n'est pas une valeur d'indicateur")));
                }
                if v == 0.0 {
                    return Ok(Valeur(0));
                }
                Valeur::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Valeur, E> {
                Valeur::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for Valeur {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Valeur".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Valeur d'indicateur positive ou nulle, deux décimales au plus, 10 milliards au plus : 120, 12.5 ou \"12,5\".",
            // As read by `Valeur::parse`: at most 10 digits before the decimal mark, an
            // optional percent sign, only the white space it trims.
            "oneOf": [
                { "type": "number", "minimum": 0, "maximum": MAX / 100, "multipleOf": 0.01 },
                { "type": "string", "pattern": "^[ \\t\\n\\r]*[0-9]([ \u{a0}\u{202f}_]*[0-9]){0,9}([,.][0-9]{1,2})?[ \u{a0}\u{202f}_]*%?[ \\t\\n\\r]*$" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nombres_json_au_centieme() {
        for (texte, centiemes) in [
            ("1234567890.12", 123_456_789_012),
            ("12.5", 1250),
            ("0.07", 7),
            ("-0.0", 0),
        ] {
            let v: Valeur = serde_json::from_str(texte).unwrap_or_else(|e| panic!("{texte} : {e}"));
            assert_eq!(v, Valeur::centiemes(centiemes), "{texte}");
        }
        for texte in ["0.001", "-1.5", "1e300"] {
            assert!(serde_json::from_str::<Valeur>(texte).is_err(), "{texte}");
        }
    }

    #[test]
    fn lecture_et_affichage() {
        assert_eq!(Valeur::parse("120").unwrap().to_string(), "120");
        assert_eq!(Valeur::parse("12,5").unwrap().to_string(), "12,5");
        assert_eq!(Valeur::parse("0.25").unwrap().to_string(), "0,25");
        assert_eq!(Valeur::parse("35 %").unwrap(), Valeur::entier(35));
        assert!(Valeur::parse("-1").is_err());
        assert!(Valeur::parse("1,234").is_err());
        assert!(Valeur::parse("beaucoup").is_err());
    }
}
