//! Territories: regions, départements (COG codes) and the collectivities that may sign a
//! contrat local des solidarités, with their eligibility (R-ELIG-01, R-ELIG-02).
//!
//! Data: `data/territoires.json`, compiled into the binary and parsed once.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const DONNEES: &str = include_str!("../data/territoires.json");

/// A SIREN number (9 digits, Luhn check digit), the identifier of an EPCI or a commune.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    pub fn parse(texte: &str) -> Result<Siren, String> {
        let s: String = texte.chars().filter(|c| !c.is_whitespace()).collect();
        if s.len() != 9 || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("« {texte} » n'est pas un SIREN : il faut 9 chiffres"));
        }
        if !luhn(&s) {
            return Err(format!(
                "le SIREN {s} est invalide : sa clé de contrôle (algorithme de Luhn) ne correspond pas"
            ));
        }
        Ok(Siren(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn luhn(chiffres: &str) -> bool {
    let somme: u32 = chiffres
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = (b - b'0') as u32;
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum();
    somme % 10 == 0
}

impl TryFrom<String> for Siren {
    type Error = String;
    fn try_from(s: String) -> Result<Siren, String> {
        Siren::parse(&s)
    }
}

impl From<Siren> for String {
    fn from(s: Siren) -> String {
        s.0
    }
}

impl fmt::Display for Siren {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of collectivity signs the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NatureCollectivite {
    Metropole,
    CommunauteUrbaine,
    CommunauteAgglomeration,
    Commune,
    Departement,
}

impl NatureCollectivite {
    pub fn libelle(self) -> &'static str {
        match self {
            NatureCollectivite::Metropole => "métropole",
            NatureCollectivite::CommunauteUrbaine => "communauté urbaine",
            NatureCollectivite::CommunauteAgglomeration => "communauté d'agglomération",
            NatureCollectivite::Commune => "commune",
            NatureCollectivite::Departement => "département",
        }
    }
}

/// On what ground a collectivity may sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibilite {
    /// One of the 22 former CALPAE signatories ([004] A5 VI.b, R-ELIG-01).
    Calpae,
    /// The Ville de Marseille ([004] TP §4, R-ELIG-02).
    VilleDeMarseille,
    /// A département, under the départements' contracts (axes 1, 3 and 4; rules.md X-37).
    Departement,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Region {
    /// Code INSEE de la région (« 93 »).
    pub code: String,
    pub nom: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Departement {
    /// Code officiel géographique (« 13 », « 2A », « 974 »).
    pub code: String,
    pub nom: String,
    /// Code de la région.
    pub region: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Collectivite {
    /// Identifiant dans Pacte : le SIREN, ou le code COG pour un département.
    pub code: String,
    pub nom: String,
    pub nature: NatureCollectivite,
    /// SIREN de la personne morale (aussi pour un département, s'il est connu).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siren: Option<Siren>,
    /// Département du siège.
    pub departement: String,
    pub eligibilite: Eligibilite,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Territoires {
    pub regions: Vec<Region>,
    pub departements: Vec<Departement>,
    pub collectivites: Vec<Collectivite>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

impl Territoires {
    fn depuis_json(texte: &str) -> Result<Territoires, serde_json::Error> {
        let mut t: Territoires = serde_json::from_str(texte)?;
        t.index = t
            .collectivites
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect();
        Ok(t)
    }

    /// A collectivity by its code in Pacte (SIREN, or COG code for a département).
    pub fn collectivite(&self, code: &str) -> Option<&Collectivite> {
        self.index.get(code.trim()).map(|i| &self.collectivites[*i])
    }

    pub fn departement(&self, code: &str) -> Option<&Departement> {
        self.departements.iter().find(|d| d.code == code)
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }

    /// The region a collectivity belongs to, through its département.
    pub fn region_de(&self, c: &Collectivite) -> Option<&Region> {
        self.region(&self.departement(&c.departement)?.region)
    }
}

/// The territories compiled into the binary.
pub fn territoires() -> &'static Territoires {
    static T: OnceLock<Territoires> = OnceLock::new();
    T.get_or_init(|| Territoires::depuis_json(DONNEES).expect("data/territoires.json is valid (tested)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siren_et_cle_de_luhn() {
        assert!(Siren::parse("200054807").is_ok()); // Métropole d'Aix-Marseille-Provence
        assert!(Siren::parse("200054808").unwrap_err().contains("clé de contrôle"));
        assert!(Siren::parse("12345").unwrap_err().contains("9 chiffres"));
    }
}
