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
    somme.is_multiple_of(10)
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

    /// The 22 former CALPAE signatories, by SIREN ([004] TP §4 and footnotes, A5 VI.b).
    const SIREN_CALPAE: [&str; 22] = [
        "200054807", // Aix-Marseille-Provence
        "243300316", // Bordeaux
        "242900314", // Brest
        "246300701", // Clermont-Auvergne
        "242100410", // Dijon
        "200040715", // Grenoble
        "200093201", // Lille
        "200039865", // Metz
        "243400017", // Montpellier
        "244400404", // Nantes
        "245400676", // Nancy
        "200030195", // Nice-Côte d'Azur
        "244500468", // Orléans
        "243500139", // Rennes
        "200023414", // Rouen
        "244200770", // Saint-Étienne
        "246700488", // Strasbourg
        "248300543", // Toulon-Provence-Méditerranée
        "243100518", // Toulouse
        "243700754", // Tours
        "200027183", // Perpignan Méditerranée Métropole
        "248000531", // Amiens Métropole
    ];

    fn nombre(eligibilite: Eligibilite) -> usize {
        territoires()
            .collectivites
            .iter()
            .filter(|c| c.eligibilite == eligibilite)
            .count()
    }

    /// Sort key for COG codes: Corsica's 2A and 2B sit between 19 and 21.
    fn rang_cog(code: &str) -> (u32, u8) {
        match code {
            "2A" => (20, 0),
            "2B" => (20, 1),
            _ => (code.parse().expect("numeric COG code"), 0),
        }
    }

    #[test]
    fn les_donnees_se_chargent() {
        // Every SIREN goes through `Siren::parse` (Luhn) during deserialisation.
        assert!(Territoires::depuis_json(DONNEES).is_ok());
        for c in &territoires().collectivites {
            if let Some(s) = &c.siren {
                assert!(Siren::parse(s.as_str()).is_ok(), "{}", c.nom);
            }
        }
    }

    #[test]
    fn dix_huit_regions_dont_cinq_outre_mer() {
        let t = territoires();
        assert_eq!(t.regions.len(), 18);
        let outre_mer: Vec<&str> = t
            .regions
            .iter()
            .filter(|r| r.code.starts_with('0'))
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(outre_mer, ["01", "02", "03", "04", "06"]);
        assert_eq!(t.region("93").unwrap().nom, "Provence-Alpes-Côte d'Azur");
        assert_eq!(t.region("11").unwrap().nom, "Île-de-France");
        assert_eq!(t.region("84").unwrap().nom, "Auvergne-Rhône-Alpes");
        assert_eq!(t.region("27").unwrap().nom, "Bourgogne-Franche-Comté");
        assert_eq!(t.region("94").unwrap().nom, "Corse");
        assert_eq!(t.region("04").unwrap().nom, "La Réunion");
    }

    #[test]
    fn cent_un_departements() {
        let t = territoires();
        assert_eq!(t.departements.len(), 101);
        // No département 20 since 1976, and Mayotte is 976 (975 is not a département).
        assert!(t.departement("20").is_none());
        assert!(t.departement("975").is_none());
        assert_eq!(t.departement("2A").unwrap().nom, "Corse-du-Sud");
        assert_eq!(t.departement("2B").unwrap().nom, "Haute-Corse");
        assert_eq!(t.departement("974").unwrap().nom, "La Réunion");
        assert_eq!(t.departement("976").unwrap().region, "06");
        assert_eq!(t.departement("90").unwrap().nom, "Territoire de Belfort");
    }

    #[test]
    fn nombre_de_collectivites_par_eligibilite() {
        assert_eq!(nombre(Eligibilite::Calpae), 22);
        assert_eq!(nombre(Eligibilite::VilleDeMarseille), 1);
        assert_eq!(nombre(Eligibilite::Departement), 101);
        assert_eq!(territoires().collectivites.len(), 124);
    }

    #[test]
    fn les_vingt_deux_epci_calpae() {
        let t = territoires();
        let calpae: Vec<&str> = t
            .collectivites
            .iter()
            .filter(|c| c.eligibilite == Eligibilite::Calpae)
            .map(|c| c.code.as_str())
            .collect();
        assert_eq!(calpae, SIREN_CALPAE);
        for code in SIREN_CALPAE {
            let c = t.collectivite(code).unwrap();
            // For an EPCI, the code in Pacte is its SIREN.
            assert_eq!(c.siren.as_ref().map(Siren::as_str), Some(code));
            let attendue = match code {
                "200027183" => NatureCollectivite::CommunauteUrbaine,
                "248000531" => NatureCollectivite::CommunauteAgglomeration,
                _ => NatureCollectivite::Metropole,
            };
            assert_eq!(c.nature, attendue, "{}", c.nom);
        }
        assert_eq!(
            t.collectivite("245400676").unwrap().nom,
            "Métropole du Grand Nancy"
        );
        assert_eq!(t.collectivite("200023414").unwrap().departement, "76");
        assert_eq!(t.collectivite("246700488").unwrap().departement, "67");
        assert_eq!(t.collectivite("248000531").unwrap().departement, "80");
        assert_eq!(t.collectivite("200027183").unwrap().departement, "66");
    }

    #[test]
    fn ville_de_marseille() {
        let t = territoires();
        let c = t.collectivite("211300553").unwrap();
        assert_eq!(c.nom, "Ville de Marseille");
        assert_eq!(c.nature, NatureCollectivite::Commune);
        assert_eq!(c.eligibilite, Eligibilite::VilleDeMarseille);
        assert_eq!(c.departement, "13");
    }

    #[test]
    fn une_collectivite_departementale_par_departement() {
        let t = territoires();
        for d in &t.departements {
            let c = t.collectivite(&d.code).unwrap_or_else(|| panic!("{}", d.code));
            assert_eq!(c.nature, NatureCollectivite::Departement);
            assert_eq!(c.eligibilite, Eligibilite::Departement);
            assert_eq!(c.departement, d.code);
        }
        let departementales = t
            .collectivites
            .iter()
            .filter(|c| c.nature == NatureCollectivite::Departement)
            .count();
        assert_eq!(departementales, 101);
    }

    #[test]
    fn noms_des_collectivites_departementales() {
        let t = territoires();
        let nom = |code: &str| t.collectivite(code).unwrap().nom.as_str();
        assert_eq!(nom("01"), "Département de l'Ain");
        assert_eq!(nom("59"), "Département du Nord");
        assert_eq!(nom("13"), "Département des Bouches-du-Rhône");
        assert_eq!(nom("28"), "Département d'Eure-et-Loir");
        assert_eq!(nom("49"), "Département de Maine-et-Loire");
        assert_eq!(nom("69"), "Département du Rhône");
        assert_eq!(nom("75"), "Ville de Paris");
        assert_eq!(nom("2A"), "Collectivité de Corse (Corse-du-Sud)");
        assert_eq!(nom("2B"), "Collectivité de Corse (Haute-Corse)");
        assert_eq!(nom("972"), "Collectivité territoriale de Martinique");
        assert_eq!(nom("973"), "Collectivité territoriale de Guyane");
        assert_eq!(nom("974"), "Département de La Réunion");
        assert_eq!(nom("976"), "Département de Mayotte");
    }

    #[test]
    fn chaque_departement_a_sa_region() {
        let t = territoires();
        for d in &t.departements {
            assert!(t.region(&d.region).is_some(), "{} -> {}", d.code, d.region);
        }
        // Every region has at least one département.
        for r in &t.regions {
            assert!(t.departements.iter().any(|d| d.region == r.code), "{}", r.code);
        }
    }

    #[test]
    fn chaque_collectivite_a_son_departement() {
        let t = territoires();
        for c in &t.collectivites {
            assert!(t.departement(&c.departement).is_some(), "{}", c.nom);
            assert!(t.region_de(c).is_some(), "{}", c.nom);
        }
    }

    #[test]
    fn les_codes_sont_uniques() {
        use std::collections::HashSet;
        let t = territoires();
        let regions: HashSet<&str> = t.regions.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(regions.len(), t.regions.len());
        let departements: HashSet<&str> = t.departements.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(departements.len(), t.departements.len());
        let collectivites: HashSet<&str> = t.collectivites.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(collectivites.len(), t.collectivites.len());
    }

    #[test]
    fn un_siren_partage_seulement_par_une_collectivite_unique() {
        // The Collectivité de Corse and the Collectivité européenne d'Alsace each cover two
        // départements under one SIREN; every other SIREN belongs to one collectivity only.
        let t = territoires();
        let mut par_siren: HashMap<&str, Vec<&str>> = HashMap::new();
        for c in &t.collectivites {
            if let Some(s) = &c.siren {
                par_siren.entry(s.as_str()).or_default().push(c.code.as_str());
            }
        }
        let mut partages: Vec<(&str, Vec<&str>)> = par_siren
            .into_iter()
            .filter(|(_, codes)| codes.len() > 1)
            .collect();
        partages.sort();
        assert_eq!(
            partages,
            [("200076958", vec!["2A", "2B"]), ("200094332", vec!["67", "68"])]
        );
    }

    #[test]
    fn lyon_et_le_grand_paris_ne_sont_pas_eligibles() {
        let t = territoires();
        assert!(t.collectivite("200046977").is_none()); // Métropole de Lyon
        assert!(t.collectivite("200054781").is_none()); // Métropole du Grand Paris
        for c in &t.collectivites {
            let siren = c.siren.as_ref().map(Siren::as_str);
            assert_ne!(siren, Some("200046977"));
            assert_ne!(siren, Some("200054781"));
            assert!(!c.nom.contains("Lyon"), "{}", c.nom);
            assert!(!c.nom.contains("Grand Paris"), "{}", c.nom);
        }
    }

    #[test]
    fn les_bouches_du_rhone_sont_en_paca() {
        let t = territoires();
        let c = t.collectivite("13").unwrap();
        assert_eq!(c.nom, "Département des Bouches-du-Rhône");
        assert_eq!(c.siren.as_ref().map(Siren::as_str), Some("221300015"));
        let r = t.region_de(c).unwrap();
        assert_eq!(r.code, "93");
        assert_eq!(r.nom, "Provence-Alpes-Côte d'Azur");
        // The métropole and the Ville de Marseille are in the same region.
        assert_eq!(
            t.region_de(t.collectivite("200054807").unwrap()).unwrap().code,
            "93"
        );
        assert_eq!(
            t.region_de(t.collectivite("211300553").unwrap()).unwrap().code,
            "93"
        );
    }

    #[test]
    fn la_corse_du_sud_et_la_reunion_se_resolvent() {
        let t = territoires();
        let corse = t.collectivite("2A").unwrap();
        assert_eq!(t.region_de(corse).unwrap().nom, "Corse");
        let reunion = t.collectivite("974").unwrap();
        assert_eq!(t.region_de(reunion).unwrap().code, "04");
        assert_eq!(t.region_de(reunion).unwrap().nom, "La Réunion");
        // Lookup tolerates surrounding whitespace.
        assert!(t.collectivite(" 974 ").is_some());
    }

    #[test]
    fn les_listes_sont_ordonnees() {
        let t = territoires();
        let regions: Vec<&str> = t.regions.iter().map(|r| r.code.as_str()).collect();
        let mut triees = regions.clone();
        triees.sort();
        assert_eq!(regions, triees);

        let rangs: Vec<(u32, u8)> = t.departements.iter().map(|d| rang_cog(&d.code)).collect();
        assert!(rangs.windows(2).all(|w| w[0] < w[1]));

        // Collectivities: the 22 EPCI, then Marseille, then the départements in COG order.
        let codes: Vec<&str> = t.collectivites.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(&codes[..22], SIREN_CALPAE);
        assert_eq!(codes[22], "211300553");
        let departements: Vec<&str> = t.departements.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(&codes[23..], departements.as_slice());
    }
}
