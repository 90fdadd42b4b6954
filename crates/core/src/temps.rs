//! Calendar values: the contract years 2024-2027, plain dates, and timestamps.
//!
//! `Annee` and `Date` need no calendar crate: the domain only compares dates, adds months for
//! an action's duration and prints them in French. `Horodatage` (a point in time) rests on
//! `jiff`, whose bundled time zone database gives Europe/Paris on any host; reading the clock
//! is left to the callers (the store), so that this crate stays free of IO.

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

/// A point in time, to the millisecond: when a record was written, an audit entry made, a
/// session opened. Stored and exchanged as ISO 8601 UTC text (`2026-12-04T20:45:07.123Z`, the
/// format of every base and of the audit chain); shown to people in Paris time, in French
/// (`le 4 décembre 2026 à 21 h 45`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Horodatage(jiff::Timestamp);

/// The Europe/Paris zone, from the time zone database compiled into the binary.
fn paris() -> &'static jiff::tz::TimeZone {
    static PARIS: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();
    PARIS.get_or_init(|| {
        jiff::tz::TimeZone::get("Europe/Paris").expect("the bundled tz database has Europe/Paris")
    })
}

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

impl Horodatage {
    /// The instant `ms` milliseconds after 1970-01-01T00:00:00Z (a clock reading: the store's
    /// clock is `pacte_store::horloge`); `None` beyond the calendar.
    pub fn depuis_millisecondes(ms: i64) -> Option<Horodatage> {
        jiff::Timestamp::from_millisecond(ms).ok().map(Horodatage)
    }

    /// The instant `secondes` after 1970-01-01T00:00:00Z; `None` beyond the calendar.
    pub fn depuis_secondes(secondes: i64) -> Option<Horodatage> {
        jiff::Timestamp::from_second(secondes).ok().map(Horodatage)
    }

    /// Unix seconds (milliseconds dropped, towards the past).
    pub fn secondes(self) -> i64 {
        self.0.as_second()
    }

    /// This instant moved by `secondes` (negative: earlier); the calendar's end if it overflows.
    pub fn plus_secondes(self, secondes: i64) -> Horodatage {
        let ms = self
            .0
            .as_millisecond()
            .saturating_add(secondes.saturating_mul(1000));
        let borne = if secondes < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        };
        Horodatage(jiff::Timestamp::from_millisecond(ms).unwrap_or(borne))
    }

    /// Reads a stored timestamp (`2026-12-04T20:45:07.123Z`; any RFC 3339 offset is accepted).
    pub fn lire(texte: &str) -> Result<Horodatage, String> {
        texte
            .trim()
            .parse::<jiff::Timestamp>()
            .map(Horodatage)
            .map_err(|_| {
                format!("« {texte} » n'est pas un horodatage (format attendu : 2026-12-04T20:45:07.123Z)")
            })
    }

    /// The stored form: ISO 8601 in UTC, milliseconds, `Z` (same as `Display`).
    pub fn iso(self) -> String {
        self.to_string()
    }

    fn a_paris(self) -> jiff::ZonedDateTime {
        self.0.to_zoned_datetime(paris().clone())
    }

    /// The day in Paris at this instant: 2026-12-31T23:30Z is 1 January 2027 in Paris.
    pub fn jour_a_paris(self) -> Date {
        let z = self.a_paris();
        Date::ymd(i32::from(z.year()), z.month() as u8, z.day() as u8)
    }

    /// The first instant of day `jour` in Paris (midnight, UTC+1 in winter, UTC+2 in summer).
    pub fn debut_du_jour_a_paris(jour: Date) -> Horodatage {
        let civil =
            jiff::civil::date(jour.annee() as i16, jour.mois() as i8, jour.jour() as i8).at(0, 0, 0, 0);
        // Paris never skips or repeats midnight (its changes are at 2 h and 3 h).
        Horodatage(
            paris()
                .to_ambiguous_timestamp(civil)
                .compatible()
                .expect("a date of the calendar"),
        )
    }

    /// In Paris time, in French: `le 4 décembre 2026 à 21 h 45`, `le 1er mars 2026 à 9 h 05`.
    pub fn en_francais(self) -> String {
        let z = self.a_paris();
        let jour = match z.day() {
            1 => "1er".to_string(),
            j => j.to_string(),
        };
        format!(
            "le {jour} {} {} à {} h {:02}",
            MOIS[(z.month() - 1) as usize],
            z.year(),
            z.hour(),
            z.minute()
        )
    }

    /// The short form for tables, in Paris time: `04/12/2026 à 21 h 45`.
    pub fn court(self) -> String {
        let z = self.a_paris();
        format!(
            "{:02}/{:02}/{} à {} h {:02}",
            z.day(),
            z.month(),
            z.year(),
            z.hour(),
            z.minute()
        )
    }
}

impl fmt::Display for Horodatage {
    /// `2026-12-04T20:45:07.123Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = self.0.to_zoned_datetime(jiff::tz::TimeZone::UTC);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            u.year(),
            u.month(),
            u.day(),
            u.hour(),
            u.minute(),
            u.second(),
            u.millisecond()
        )
    }
}

impl std::str::FromStr for Horodatage {
    type Err = String;
    fn from_str(s: &str) -> Result<Horodatage, String> {
        Horodatage::lire(s)
    }
}

/// A stored timestamp for people, in Paris time (`le 4 décembre 2026 à 21 h 45`); any text
/// that is not one, as it is.
pub fn horodatage_lisible(texte: &str) -> String {
    Horodatage::lire(texte).map_or_else(|_| texte.to_string(), Horodatage::en_francais)
}

/// The same, short, for tables (`04/12/2026 à 21 h 45`).
pub fn horodatage_court(texte: &str) -> String {
    Horodatage::lire(texte).map_or_else(|_| texte.to_string(), Horodatage::court)
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

    fn h(texte: &str) -> Horodatage {
        Horodatage::lire(texte).unwrap()
    }

    #[test]
    fn horodatage_stocke_inchange() {
        // The stored text reads back to itself: bases and the audit chain keep their format.
        for t in [
            "2026-12-04T20:45:07.123Z",
            "2024-02-29T12:34:56.007Z",
            "1970-01-01T00:00:00.000Z",
        ] {
            assert_eq!(h(t).to_string(), t);
        }
        // 2024-02-29 12:34:56 UTC = 1 709 210 096 s since 1970.
        assert_eq!(h("2024-02-29T12:34:56.789Z").secondes(), 1_709_210_096);
        assert_eq!(
            Horodatage::depuis_secondes(1_709_210_096).unwrap().iso(),
            "2024-02-29T12:34:56.000Z"
        );
        assert_eq!(
            h("2026-12-04T20:45:07.123Z").plus_secondes(-3600).iso(),
            "2026-12-04T19:45:07.123Z"
        );
        assert!(Horodatage::lire("hier").is_err());
        assert_eq!(horodatage_lisible("hier"), "hier");
    }

    #[test]
    fn heure_de_paris_hiver_et_ete() {
        // Winter: Paris is UTC+1, 20:45 UTC is 21 h 45.
        assert_eq!(
            h("2026-12-04T20:45:07.123Z").en_francais(),
            "le 4 décembre 2026 à 21 h 45"
        );
        assert_eq!(h("2026-12-04T20:45:07.123Z").court(), "04/12/2026 à 21 h 45");
        // Summer: Paris is UTC+2, 10:00 UTC is 12 h 00.
        assert_eq!(
            h("2026-07-14T10:00:00.000Z").en_francais(),
            "le 14 juillet 2026 à 12 h 00"
        );
        // The first of the month, a morning hour without a leading zero.
        assert_eq!(
            h("2026-03-01T08:05:00.000Z").en_francais(),
            "le 1er mars 2026 à 9 h 05"
        );
        // 23:30 UTC on New Year's Eve is already 2027 in Paris.
        let t = h("2026-12-31T23:30:00.000Z");
        assert_eq!(t.en_francais(), "le 1er janvier 2027 à 0 h 30");
        assert_eq!(t.jour_a_paris(), Date::ymd(2027, 1, 1));
    }

    #[test]
    fn nuits_de_changement_d_heure() {
        // 29 March 2026, 01:00 UTC: Paris goes from 2 h (UTC+1) to 3 h (UTC+2).
        assert_eq!(h("2026-03-29T00:59:00.000Z").court(), "29/03/2026 à 1 h 59");
        assert_eq!(h("2026-03-29T01:00:00.000Z").court(), "29/03/2026 à 3 h 00");
        // 25 October 2026, 01:00 UTC: from 3 h (UTC+2) back to 2 h (UTC+1); 2 h 30 happens twice.
        assert_eq!(h("2026-10-25T00:30:00.000Z").court(), "25/10/2026 à 2 h 30");
        assert_eq!(h("2026-10-25T01:30:00.000Z").court(), "25/10/2026 à 2 h 30");
        assert_eq!(h("2026-10-25T02:30:00.000Z").court(), "25/10/2026 à 3 h 30");
        // Midnight in Paris: 23:00 UTC the day before in winter, 22:00 in summer.
        assert_eq!(
            Horodatage::debut_du_jour_a_paris(Date::ymd(2026, 12, 4)).iso(),
            "2026-12-03T23:00:00.000Z"
        );
        assert_eq!(
            Horodatage::debut_du_jour_a_paris(Date::ymd(2026, 7, 14)).iso(),
            "2026-07-13T22:00:00.000Z"
        );
    }
}
