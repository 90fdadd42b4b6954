//! What a finding is about: a typed target, printed once as a path into the contract file
//! (`contrat.debut`, `fiches[1.2].financement.etat.2024`) for the API, `pacte check` and the
//! pages' links, never re-parsed.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::contrat::{Axe, NumeroFiche};

/// The object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CibleConstat {
    /// A field of the contract header, as its path under `contrat.`: `debut`, `ami.retenue`,
    /// `montants_proposes`, `montants_proposes.2`, `engagement_etat.2025`.
    EnTete(String),
    /// An axis of the contract as a whole (`contrat.axes.3`): no fiche on it, for instance.
    Axe(Axe),
    /// The contract's fiches as a whole (`contrat.fiches`).
    Fiches,
    /// A fiche (`fiches[1.2]`), or one of its fields, as its path within the fiche:
    /// `financement.etat.2024`, `indicateurs[0].t0`, `derogation.diplp_informee`.
    Fiche {
        numero: NumeroFiche,
        champ: Option<String>,
    },
}

/// Where a target lies: the contract header (and the contract page), or a fiche.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Objet {
    Contrat,
    Fiche(NumeroFiche),
}

impl CibleConstat {
    /// A field of the contract header: `en_tete("debut")` is `contrat.debut`.
    pub fn en_tete(champ: impl Into<String>) -> CibleConstat {
        CibleConstat::EnTete(champ.into())
    }

    /// The proposed amount of an axis: `contrat.montants_proposes.2`.
    pub fn montant_propose(axe: Axe) -> CibleConstat {
        CibleConstat::EnTete(format!("montants_proposes.{}", axe.numero()))
    }

    /// A whole fiche: `fiches[1.2]`.
    pub fn fiche(numero: NumeroFiche) -> CibleConstat {
        CibleConstat::Fiche { numero, champ: None }
    }

    /// A field under this target: `fiche(n).et("financement.etat.2024")` is
    /// `fiches[n].financement.etat.2024`. An axis or the list of fiches have no fields: they
    /// are returned unchanged.
    pub fn et(self, sous_champ: impl fmt::Display) -> CibleConstat {
        let joindre = |c: Option<String>| match c {
            Some(c) => format!("{c}.{sous_champ}"),
            None => sous_champ.to_string(),
        };
        match self {
            CibleConstat::EnTete(c) => CibleConstat::EnTete(joindre(Some(c))),
            CibleConstat::Fiche { numero, champ } => CibleConstat::Fiche {
                numero,
                champ: Some(joindre(champ)),
            },
            autre => autre,
        }
    }

    /// The object the target lies in.
    pub fn objet(&self) -> Objet {
        match self {
            CibleConstat::Fiche { numero, .. } => Objet::Fiche(*numero),
            _ => Objet::Contrat,
        }
    }

    /// The fiche concerned, if any.
    pub fn fiche_concernee(&self) -> Option<NumeroFiche> {
        match self {
            CibleConstat::Fiche { numero, .. } => Some(*numero),
            _ => None,
        }
    }

    /// The path within the object ([`CibleConstat::objet`]): `debut`, `axes.3`, `fiches`,
    /// `financement.etat.2024`; empty for a whole fiche.
    pub fn champ(&self) -> String {
        match self {
            CibleConstat::EnTete(c) => c.clone(),
            CibleConstat::Axe(axe) => format!("axes.{}", axe.numero()),
            CibleConstat::Fiches => "fiches".into(),
            CibleConstat::Fiche { champ, .. } => champ.clone().unwrap_or_default(),
        }
    }
}

impl fmt::Display for CibleConstat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CibleConstat::EnTete(c) => write!(f, "contrat.{c}"),
            CibleConstat::Axe(axe) => write!(f, "contrat.axes.{}", axe.numero()),
            CibleConstat::Fiches => f.write_str("contrat.fiches"),
            CibleConstat::Fiche { numero, champ: None } => write!(f, "fiches[{numero}]"),
            CibleConstat::Fiche {
                numero,
                champ: Some(c),
            } => write!(f, "fiches[{numero}].{c}"),
        }
    }
}

/// A path that is not one of a finding's target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {0} » ne désigne pas un objet du contrat (contrat.… ou fiches[n° de fiche]…)")]
pub struct CibleInvalide(pub String);

/// Reads a path back (the inverse of `Display`): for tests and for paths kept as text.
/// Pages and commands use the typed value; they never parse it.
impl FromStr for CibleConstat {
    type Err = CibleInvalide;

    fn from_str(chemin: &str) -> Result<CibleConstat, CibleInvalide> {
        let invalide = || CibleInvalide(chemin.to_string());
        if let Some(reste) = chemin.strip_prefix("fiches[") {
            let (numero, champ) = reste.split_once(']').ok_or_else(invalide)?;
            let numero = NumeroFiche::parse(numero).map_err(|_| invalide())?;
            let champ = match champ {
                "" => None,
                c => Some(
                    c.strip_prefix('.')
                        .filter(|c| !c.is_empty())
                        .ok_or_else(invalide)?,
                ),
            };
            return Ok(CibleConstat::Fiche {
                numero,
                champ: champ.map(str::to_string),
            });
        }
        match chemin.strip_prefix("contrat.").ok_or_else(invalide)? {
            "" => Err(invalide()),
            "fiches" => Ok(CibleConstat::Fiches),
            c => match c.strip_prefix("axes.") {
                Some(n) => {
                    let axe = n
                        .parse::<u8>()
                        .ok()
                        .and_then(|n| Axe::TOUS.get((n as usize).wrapping_sub(1)));
                    axe.map(|a| CibleConstat::Axe(*a)).ok_or_else(invalide)
                }
                None => Ok(CibleConstat::EnTete(c.to_string())),
            },
        }
    }
}

/// Serialised as its path, the string the API and `pacte check --format json` have always
/// given.
impl Serialize for CibleConstat {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NumeroFiche {
        NumeroFiche::parse(s).unwrap()
    }

    #[test]
    fn chemins_du_fichier() {
        assert_eq!(CibleConstat::en_tete("debut").to_string(), "contrat.debut");
        assert_eq!(
            CibleConstat::montant_propose(Axe::A2).to_string(),
            "contrat.montants_proposes.2"
        );
        assert_eq!(CibleConstat::Axe(Axe::A3).to_string(), "contrat.axes.3");
        assert_eq!(CibleConstat::Fiches.to_string(), "contrat.fiches");
        assert_eq!(CibleConstat::fiche(n("1.2")).to_string(), "fiches[1.2]");
        let c = CibleConstat::fiche(n("1.2")).et("financement").et("etat.2024");
        assert_eq!(c.to_string(), "fiches[1.2].financement.etat.2024");
        assert_eq!(c.champ(), "financement.etat.2024");
        assert_eq!(c.objet(), Objet::Fiche(n("1.2")));
        assert_eq!(
            serde_json::to_string(&CibleConstat::fiche(n("4.1")).et("indicateurs[0].t0")).unwrap(),
            "\"fiches[4.1].indicateurs[0].t0\""
        );
        assert_eq!(CibleConstat::Axe(Axe::A1).et("x"), CibleConstat::Axe(Axe::A1));
        assert_eq!(CibleConstat::Axe(Axe::A1).champ(), "axes.1");
        assert_eq!(CibleConstat::Fiches.objet(), Objet::Contrat);
    }

    #[test]
    fn un_chemin_se_relit_a_l_identique() {
        for chemin in [
            "contrat.debut",
            "contrat.montants_proposes",
            "contrat.montants_proposes.2",
            "contrat.axes.4",
            "contrat.fiches",
            "fiches[1.2]",
            "fiches[1.2].financement.etat.2024",
            "fiches[3.10].indicateurs[0].t0",
        ] {
            let c: CibleConstat = chemin.parse().unwrap();
            assert_eq!(c.to_string(), chemin);
        }
        assert_eq!("contrat.axes.2".parse(), Ok(CibleConstat::Axe(Axe::A2)));
        for faux in [
            "",
            "contrat.",
            "contrat.axes.5",
            "fiches[1.x]",
            "fiches[1.2]x",
            "fiches[1.2].",
            "debut",
        ] {
            assert!(faux.parse::<CibleConstat>().is_err(), "{faux}");
        }
    }

    /// Every target the rules produce on the examples and a slice of the national set prints
    /// a path that reads back to the same value.
    #[test]
    fn les_cibles_des_regles_se_relisent() {
        let mut contrats: Vec<_> = crate::jeu_national::jeu_national(20, 30);
        contrats.push(
            crate::fichier::lire_toml(include_str!("../../../../exemples/contrat-avec-erreurs.toml"))
                .unwrap(),
        );
        let mut n = 0;
        for c in &contrats {
            for k in crate::verifier(c) {
                assert_eq!(k.cible.to_string().parse(), Ok(k.cible.clone()));
                n += 1;
            }
        }
        assert!(n > 20, "{n}");
    }
}
