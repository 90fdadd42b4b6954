//! Budget years of the money of a contract: 2024 to 2028.
//!
//! A contract runs from 2024 to 2027 ([`Annee`], R-CAL-01), but its money does not stop
//! there: the balance of 2027 is drawn up in 2028 (the annexe 10 "Bilan" of year n is made in
//! n+1, the national indicators of 2027 are entered in March 2028, annexe 6), and the
//! unconsumed credits are recovered then by a "titre de reversement" — no carry-over beyond
//! the convention (instruction of 27/10/2023, annexe 8 article 5; rules.md R-FIN-11, R-FIN-12).
//! Payments, realised amounts, carry-overs and recoveries are therefore dated by an
//! [`Exercice`]; contract years convert into it, never the other way without a check.
//!
//! Kept apart from `temps.rs` on purpose: the contract file format knows only [`Annee`].

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Annee;

/// A budget year of a contract's money: a contract year (2024-2027) or 2028, the year after
/// the convention where its balance is drawn up and unconsumed credits are recovered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Exercice(u16);

impl Exercice {
    pub const PREMIER: u16 = Annee::PREMIERE;
    /// The year after the convention (R-FIN-11).
    pub const DERNIER: u16 = Annee::DERNIERE + 1;
    /// Every budget year, in order.
    pub const TOUS: [Exercice; 5] = [
        Exercice(2024),
        Exercice(2025),
        Exercice(2026),
        Exercice(2027),
        Exercice(2028),
    ];

    pub fn new(a: i64) -> Result<Exercice, String> {
        if (Self::PREMIER as i64..=Self::DERNIER as i64).contains(&a) {
            Ok(Exercice(a as u16))
        } else {
            Err(format!(
                "l'exercice {a} est hors du contrat : les exercices admis vont de 2024 à 2028 (les quatre années de la convention, puis l'année de son bilan et du reversement des crédits non consommés)"
            ))
        }
    }

    pub const fn valeur(self) -> u16 {
        self.0
    }

    /// The contract year this budget year is, if any (not 2028).
    pub fn annee(self) -> Option<Annee> {
        Annee::new(self.0 as i64).ok()
    }

    /// The year after the convention, when only its balance and recoveries are made.
    pub fn apres_convention(self) -> bool {
        self.0 > Annee::DERNIERE
    }

    /// The next budget year (where year n's unconsumed credits are carried over, R-FIN-12,
    /// or recovered after 2027, R-FIN-11); `None` after 2028.
    pub fn suivant(self) -> Option<Exercice> {
        Exercice::new(self.0 as i64 + 1).ok()
    }
}

impl From<Annee> for Exercice {
    fn from(a: Annee) -> Exercice {
        Exercice(a.valeur())
    }
}

impl TryFrom<Exercice> for Annee {
    type Error = String;

    fn try_from(e: Exercice) -> Result<Annee, String> {
        Annee::new(e.0 as i64)
    }
}

impl fmt::Display for Exercice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Exercice {
    /// Like [`Annee`]: a string, since budget years are map keys.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Exercice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Exercice, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Exercice;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("un exercice de 2024 à 2028")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Exercice, E> {
                Exercice::new(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Exercice, E> {
                Exercice::new(v.min(i64::MAX as u64) as i64).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Exercice, E> {
                let n: i64 = v
                    .trim()
                    .parse()
                    .map_err(|_| E::custom(format!("« {v} » n'est pas un exercice")))?;
                Exercice::new(n).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn les_exercices_vont_de_2024_a_2028() {
        assert_eq!(
            Exercice::TOUS.map(Exercice::valeur),
            [2024, 2025, 2026, 2027, 2028]
        );
        assert!(Exercice::new(2023).is_err());
        assert!(Exercice::new(2029).unwrap_err().contains("de 2024 à 2028"));
        // 2028 is a budget year but not a contract year (R-CAL-01).
        let e2028 = Exercice::new(2028).unwrap();
        assert!(Annee::new(2028).is_err());
        assert_eq!(e2028.annee(), None);
        assert!(Annee::try_from(e2028).is_err());
        assert!(e2028.apres_convention());
        assert_eq!(e2028.suivant(), None);
    }

    #[test]
    fn chaque_annee_du_contrat_est_un_exercice() {
        for (i, a) in Annee::TOUTES.into_iter().enumerate() {
            let e = Exercice::from(a);
            assert_eq!(e, Exercice::TOUS[i]);
            assert_eq!(e.annee(), Some(a));
            assert_eq!(Annee::try_from(e), Ok(a));
            assert!(!e.apres_convention());
            // 2027's credits go to 2028, where they are recovered (R-FIN-11).
            assert_eq!(e.suivant(), Some(Exercice::TOUS[i + 1]));
        }
        assert!(Exercice::from(Annee::TOUTES[0]) < Exercice::new(2028).unwrap());
    }

    #[test]
    fn lu_et_ecrit_comme_une_annee() {
        let e = Exercice::new(2028).unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"2028\"");
        assert_eq!(serde_json::from_str::<Exercice>("\"2028\"").unwrap(), e);
        assert_eq!(
            serde_json::from_str::<Exercice>("2026").unwrap(),
            Exercice::TOUS[2]
        );
        let erreur = serde_json::from_str::<Exercice>("2029").unwrap_err().to_string();
        assert!(erreur.contains("hors du contrat"), "{erreur}");
    }
}
