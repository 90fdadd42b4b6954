//! The national référentiel: the 4 axes, their sub-axes and action types (annexes 1-4 of
//! [004]) and the 18 national indicators with their counting rules (annexe 6).
//!
//! The data lives in `data/referentiel.json`, compiled into the binary and parsed once.
//! Ids are stable: sub-axes `A<axe>-<code>` (`A3-I-2.1.2`), action types
//! `AT-<axe>-<code>-<rang>` (`AT-1-1.1-01`), national indicators `NI-<axe>.<rang>`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::Axe;

const DONNEES: &str = include_str!("../data/referentiel.json");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Referentiel {
    /// The instruction the référentiel comes from.
    pub version: String,
    pub source: String,
    pub axes: Vec<AxeReferentiel>,
    pub indicateurs_nationaux: Vec<IndicateurNational>,
    #[serde(skip)]
    index: Index,
}

#[derive(Debug, Clone, Default)]
struct Index {
    sous_axes: HashMap<String, (usize, usize)>,
    types_action: HashMap<String, (usize, usize, usize)>,
    indicateurs: HashMap<String, usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AxeReferentiel {
    pub code: u8,
    pub intitule: String,
    pub annexe: String,
    pub source: String,
    /// Other titles the sources use for this axis (rules.md X-26).
    #[serde(default)]
    pub variantes: Vec<String>,
    pub volets: Vec<Volet>,
    #[serde(default)]
    pub notes: Vec<String>,
    pub sous_axes: Vec<SousAxe>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Volet {
    pub code: String,
    pub nature: String,
    pub intitule: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SousAxe {
    /// Globally unique id: `A1-1.1`, `A3-I-2.1.2`.
    pub uid: String,
    /// Code as written in the annex, unique within its axis: `1.1`, `I-2.1.2`.
    pub code: String,
    pub volet: Option<String>,
    pub intitule: String,
    pub source: String,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub exclusions: Vec<String>,
    /// Codes of the national indicators attached to this sub-axis (R-IND-03).
    pub indicateurs_nationaux: Vec<String>,
    pub types_action: Vec<TypeAction>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TypeAction {
    /// Stable id: `AT-1-1.1-01`.
    pub id: String,
    pub intitule: String,
    pub statut: StatutTypeAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How the référentiel lists an action type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatutTypeAction {
    /// Listed as fundable.
    Financable,
    /// Recommended ("préconisé") rather than listed.
    Recommande,
    /// Explicitly prioritised.
    Prioritaire,
    /// "Cas particulier" with its own financing rule (SLIME+, FSATME, mobility planning).
    CasParticulier,
    /// Fundable within a cap (FSL énergie financial aid, R-REF-07).
    ExperimentationPlafonnee,
    /// Must be financed before the other actions of its field (R-REF-01).
    PrealableObligatoire,
    /// Defined in the axis-4 référentiel, funded on axis 2 (R-REF-02).
    DefiniAxe4FinanceAxe2,
}

impl StatutTypeAction {
    pub fn libelle(self) -> &'static str {
        match self {
            StatutTypeAction::Financable => "finançable",
            StatutTypeAction::Recommande => "recommandé",
            StatutTypeAction::Prioritaire => "prioritaire",
            StatutTypeAction::CasParticulier => "cas particulier",
            StatutTypeAction::ExperimentationPlafonnee => "expérimentation plafonnée",
            StatutTypeAction::PrealableObligatoire => "préalable obligatoire",
            StatutTypeAction::DefiniAxe4FinanceAxe2 => "défini à l'axe 4, financé sur l'axe 2",
        }
    }
}

/// A national indicator of annexe 6, with its counting rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndicateurNational {
    /// `NI-1.1` … `NI-4.3`.
    pub code: String,
    pub axe: u8,
    /// Label as written in annexe 6.
    pub libelle: String,
    /// Label as written in the axis référentiel, when it differs (rules.md X-17).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub libelle_referentiel: Option<String>,
    /// Sub-axes (uids) whose actions must report this indicator (R-IND-03).
    pub sous_axes: Vec<String>,
    /// The action types it concerns ([004] A6, each indicator's « actions concernées »): only
    /// fiches of these types, on one of `sous_axes`, must report it (R-IND-03). NI-4.1 concerns
    /// the energy platforms, not FSL aid; NI-2.2 the training of professionals, which NI-2.1
    /// excludes; NI-4.3 the canteen pricing action only. Empty: every type of its sub-axes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types_action: Vec<String>,
    pub unite: String,
    pub regles_decompte: Vec<String>,
    pub periode: String,
    #[serde(default)]
    pub exclusions: Vec<String>,
    pub dedoublonnage: String,
    pub estimations: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ventilations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub source: String,
}

/// Where an action type sits in the référentiel.
#[derive(Debug, Clone, Copy)]
pub struct Place<'r> {
    pub axe: &'r AxeReferentiel,
    pub sous_axe: &'r SousAxe,
}

impl Referentiel {
    fn depuis_json(texte: &str) -> Result<Referentiel, serde_json::Error> {
        let mut r: Referentiel = serde_json::from_str(texte)?;
        let mut index = Index::default();
        for (ia, axe) in r.axes.iter().enumerate() {
            for (is, sa) in axe.sous_axes.iter().enumerate() {
                index.sous_axes.insert(sa.uid.clone(), (ia, is));
                for (it, ta) in sa.types_action.iter().enumerate() {
                    index.types_action.insert(ta.id.clone(), (ia, is, it));
                }
            }
        }
        for (i, ni) in r.indicateurs_nationaux.iter().enumerate() {
            index.indicateurs.insert(ni.code.clone(), i);
        }
        r.index = index;
        Ok(r)
    }

    pub fn axe(&self, axe: Axe) -> &AxeReferentiel {
        self.axes
            .iter()
            .find(|a| a.code == axe.numero())
            .expect("the référentiel data holds the four axes (tested)")
    }

    /// A sub-axis by uid (`A1-1.1`).
    pub fn sous_axe(&self, uid: &str) -> Option<Place<'_>> {
        let (ia, is) = *self.index.sous_axes.get(uid)?;
        let axe = &self.axes[ia];
        Some(Place {
            axe,
            sous_axe: &axe.sous_axes[is],
        })
    }

    /// Resolves what a user wrote for a sub-axis: a uid (`A4-4.2`) or a code within the
    /// given axis (`1.1` on axis 1).
    pub fn resoudre_sous_axe(&self, axe: Axe, texte: &str) -> Option<Place<'_>> {
        let t = texte.trim();
        self.sous_axe(t)
            .or_else(|| self.sous_axe(&format!("A{}-{}", axe.numero(), t)))
    }

    /// An action type by id, with its place.
    pub fn type_action(&self, id: &str) -> Option<(Place<'_>, &TypeAction)> {
        let (ia, is, it) = *self.index.types_action.get(id.trim())?;
        let axe = &self.axes[ia];
        let sous_axe = &axe.sous_axes[is];
        Some((Place { axe, sous_axe }, &sous_axe.types_action[it]))
    }

    pub fn indicateur(&self, code: &str) -> Option<&IndicateurNational> {
        self.index
            .indicateurs
            .get(code.trim())
            .map(|i| &self.indicateurs_nationaux[*i])
    }

    pub fn types_action(&self) -> impl Iterator<Item = (Place<'_>, &TypeAction)> {
        self.axes.iter().flat_map(|axe| {
            axe.sous_axes.iter().flat_map(move |sous_axe| {
                sous_axe
                    .types_action
                    .iter()
                    .map(move |t| (Place { axe, sous_axe }, t))
            })
        })
    }
}

/// The référentiel compiled into the binary.
pub fn referentiel() -> &'static Referentiel {
    static R: OnceLock<Referentiel> = OnceLock::new();
    R.get_or_init(|| Referentiel::depuis_json(DONNEES).expect("data/referentiel.json is valid (tested)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn quatre_axes_et_leurs_intitules_officiels() {
        // Official titles: [004] A5 I.a (list of the 4 axes).
        let r = referentiel();
        let titres: Vec<_> = r.axes.iter().map(|a| (a.code, a.intitule.as_str())).collect();
        assert_eq!(
            titres,
            vec![
                (
                    1,
                    "Prévenir la pauvreté et lutter contre les inégalités dès l'enfance"
                ),
                (2, "Amplifier la politique d'accès à l'emploi pour tous"),
                (3, "Lutter contre la grande exclusion grâce à l'accès aux droits"),
                (4, "Construire une transition écologique solidaire"),
            ]
        );
    }

    #[test]
    fn identifiants_uniques_et_coherents() {
        let r = referentiel();
        let mut vus = HashSet::new();
        let mut n_types = 0;
        for (place, t) in r.types_action() {
            assert!(vus.insert(t.id.clone()), "doublon {}", t.id);
            assert!(
                t.id.starts_with(&format!("AT-{}-{}-", place.axe.code, place.sous_axe.code)),
                "{} hors de {}",
                t.id,
                place.sous_axe.uid
            );
            n_types += 1;
        }
        assert_eq!(n_types, 137);
        let sous_axes: usize = r.axes.iter().map(|a| a.sous_axes.len()).sum();
        assert_eq!(sous_axes, 41);
        assert_eq!(r.indicateurs_nationaux.len(), 18);
    }

    #[test]
    fn indicateurs_et_sous_axes_se_repondent() {
        // Every indicator a sub-axis names exists, and every sub-axis an indicator names lists
        // it back: the two directions of the annexe 6 attachment agree.
        let r = referentiel();
        for axe in &r.axes {
            for sa in &axe.sous_axes {
                for code in &sa.indicateurs_nationaux {
                    let ni = r.indicateur(code).unwrap_or_else(|| panic!("{code} inconnu"));
                    assert!(ni.sous_axes.contains(&sa.uid), "{code} ne cite pas {}", sa.uid);
                }
            }
        }
        for ni in &r.indicateurs_nationaux {
            for uid in &ni.sous_axes {
                let place = r.sous_axe(uid).unwrap_or_else(|| panic!("{uid} inconnu"));
                assert!(
                    place.sous_axe.indicateurs_nationaux.contains(&ni.code),
                    "{uid} ne cite pas {}",
                    ni.code
                );
            }
        }
    }

    #[test]
    fn resolution_des_sous_axes() {
        let r = referentiel();
        assert_eq!(
            r.resoudre_sous_axe(Axe::A1, "1.1").unwrap().sous_axe.uid,
            "A1-1.1"
        );
        assert_eq!(
            r.resoudre_sous_axe(Axe::A3, "I-2.1.2").unwrap().sous_axe.uid,
            "A3-I-2.1.2"
        );
        assert_eq!(
            r.resoudre_sous_axe(Axe::A2, "A4-4.2").unwrap().sous_axe.uid,
            "A4-4.2"
        );
        assert!(r.resoudre_sous_axe(Axe::A2, "1.1").is_none());
        let (place, t) = r.type_action("AT-3-I-1.1-01").unwrap();
        assert_eq!(place.sous_axe.uid, "A3-I-1.1");
        assert_eq!(t.statut, StatutTypeAction::PrealableObligatoire);
    }
}
