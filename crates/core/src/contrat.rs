//! The contract model: a `Contrat` (contrat local des solidarités) and its `FicheAction`s.
//!
//! These types are also the contract file format (`docs/FORMAT-CONTRAT.md`): what a person
//! writes by hand in TOML deserializes straight into them. Values that cannot be valid
//! (an axis 7, a year 2031, a negative amount, a fiche number `1.x`) are refused at reading
//! with a French message; everything else that can be wrong but still be a draft (a missing
//! T0, an unbalanced budget) is read, then reported by the rules (`crate::regles`).

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Annee, Date, Montant, Valeur};

/// Longest one-line text of a contract (a title, a name, a code), in characters. The contract
/// file, the API and the forms refuse longer texts, naming the field.
pub const TEXTE_COURT_MAX: usize = 1_000;
/// Longest multi-line text of a contract (a description, a justification), in characters.
pub const TEXTE_LONG_MAX: usize = 20_000;
/// Most rows of a repeated list (signatories, partners, co-funders, expense lines, indicators).
pub const LIGNES_MAX: usize = 100;

/// Why `texte` may not be stored in a field whose limit is `max` characters, in French.
pub fn refus_longueur(texte: &str, max: usize) -> Option<String> {
    let n = texte.chars().count();
    (n > max).then(|| format!("texte trop long : {n} caractères pour {max} au plus"))
}

/// Why a list of `n` rows may not be stored, in French.
pub fn refus_lignes(n: usize) -> Option<String> {
    (n > LIGNES_MAX).then(|| format!("liste trop longue : {n} lignes pour {LIGNES_MAX} au plus"))
}

/// The bounded readings of texts and lists (`deserialize_with`), so that a file or an API body
/// that exceeds a limit is refused at reading with the field's path.
mod bornes {
    use serde::de::{Deserialize, Deserializer, Error};

    use super::{TEXTE_COURT_MAX, TEXTE_LONG_MAX, refus_lignes, refus_longueur};

    fn borne<E: Error>(t: String, max: usize) -> Result<String, E> {
        match refus_longueur(&t, max) {
            Some(m) => Err(E::custom(m)),
            None => Ok(t),
        }
    }

    pub fn court<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        borne(String::deserialize(d)?, TEXTE_COURT_MAX)
    }

    pub fn court_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| borne(t, TEXTE_COURT_MAX))
            .transpose()
    }

    pub fn long_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| borne(t, TEXTE_LONG_MAX))
            .transpose()
    }

    pub fn lignes<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        let v = Vec::<T>::deserialize(d)?;
        match refus_lignes(v.len()) {
            Some(m) => Err(D::Error::custom(m)),
            None => Ok(v),
        }
    }

    pub fn courts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let v: Vec<String> = lignes(d)?;
        v.into_iter().map(|t| borne(t, TEXTE_COURT_MAX)).collect()
    }

    /// The collectivity's code: given, and short (R-ELIG checks the code itself).
    pub fn collectivite<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let t = court(d)?;
        if t.trim().is_empty() {
            return Err(D::Error::custom(
                "la collectivité est vide : indiquez son SIREN (9 chiffres) ou, pour un département, son code officiel géographique (« 13 », « 2A »)",
            ));
        }
        Ok(t)
    }
}

/// Amounts per year of the convention: `{ 2024 = 40000, 2025 = 40000 }`.
pub type ParAnnee<T> = BTreeMap<Annee, T>;

/// One of the four axes of the Pacte ([004] A5 I.a).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Axe {
    A1,
    A2,
    A3,
    A4,
}

impl Axe {
    pub const TOUS: [Axe; 4] = [Axe::A1, Axe::A2, Axe::A3, Axe::A4];

    pub fn depuis_numero(n: i64) -> Result<Axe, String> {
        match n {
            1 => Ok(Axe::A1),
            2 => Ok(Axe::A2),
            3 => Ok(Axe::A3),
            4 => Ok(Axe::A4),
            _ => Err(format!(
                "l'axe {n} n'existe pas : le Pacte compte quatre axes, numérotés de 1 à 4"
            )),
        }
    }

    pub const fn numero(self) -> u8 {
        match self {
            Axe::A1 => 1,
            Axe::A2 => 2,
            Axe::A3 => 3,
            Axe::A4 => 4,
        }
    }
}

impl fmt::Display for Axe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "axe {}", self.numero())
    }
}

impl Serialize for Axe {
    /// Axes are map keys (`montants_proposes = { 1 = … }`), hence a string.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.numero())
    }
}

impl<'de> Deserialize<'de> for Axe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Axe, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Axe;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("un numéro d'axe de 1 à 4")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Axe, E> {
                Axe::depuis_numero(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Axe, E> {
                Axe::depuis_numero(v.min(99) as i64).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Axe, E> {
                let t = v.trim().trim_start_matches("axe").trim();
                let n: i64 = t
                    .parse()
                    .map_err(|_| E::custom(format!("« {v} » n'est pas un numéro d'axe (1 à 4)")))?;
                Axe::depuis_numero(n).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Axe {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Axe".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Numéro d'axe : 1 enfance, 2 emploi, 3 accès aux droits, 4 transition écologique solidaire.",
            "type": "string",
            "enum": ["1", "2", "3", "4"]
        })
    }
}

/// A fiche action number `<axe>.<rang>` (`1.1`, `2.3`), the "Fiche action N°" of the annexe 10
/// tables (R-TAB-01). The axis of a fiche is the axis of its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NumeroFiche {
    pub axe: Axe,
    pub rang: u16,
}

impl NumeroFiche {
    pub fn parse(texte: &str) -> Result<NumeroFiche, String> {
        let t = texte.trim();
        let invalide = || {
            format!(
                "« {t} » n'est pas un numéro de fiche action : il s'écrit <axe>.<rang>, par exemple 1.2 pour la deuxième fiche de l'axe 1"
            )
        };
        let (a, r) = t.split_once('.').ok_or_else(invalide)?;
        let a: i64 = a.parse().map_err(|_| invalide())?;
        let rang: u16 = r.parse().map_err(|_| invalide())?;
        if rang == 0 {
            return Err(invalide());
        }
        Ok(NumeroFiche {
            axe: Axe::depuis_numero(a)?,
            rang,
        })
    }
}

impl fmt::Display for NumeroFiche {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.axe.numero(), self.rang)
    }
}

impl Serialize for NumeroFiche {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for NumeroFiche {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<NumeroFiche, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumeroFiche;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("un numéro de fiche « axe.rang » entre guillemets, par exemple \"1.2\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NumeroFiche, E> {
                NumeroFiche::parse(v).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumeroFiche, E> {
                Err(E::custom(format!(
                    "écrire le numéro de fiche entre guillemets (\"{v}\") : sans guillemets, 1.10 se lirait 1.1"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for NumeroFiche {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NumeroFiche".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Numéro de fiche action « axe.rang » (1.1, 2.3) : l'axe de la fiche est celui de son numéro.",
            "type": "string",
            // The rank is at most 65535 (`u16`).
            "pattern": "^[1-4]\\.([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$"
        })
    }
}

/// The state of a contract in its lifecycle (DESIGN.md §2, capability 2).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[schemars(
    description = "État du contrat dans son cycle de vie : brouillon, negociation, valide, delibere, signe, en_execution, evalue, clos, denonce."
)]
pub enum EtatContrat {
    #[default]
    Brouillon,
    Negociation,
    Valide,
    Delibere,
    Signe,
    EnExecution,
    Evalue,
    Clos,
    Denonce,
}

impl EtatContrat {
    /// Every state, in lifecycle order (the denounced contract last).
    pub const TOUS: [EtatContrat; 9] = [
        EtatContrat::Brouillon,
        EtatContrat::Negociation,
        EtatContrat::Valide,
        EtatContrat::Delibere,
        EtatContrat::Signe,
        EtatContrat::EnExecution,
        EtatContrat::Evalue,
        EtatContrat::Clos,
        EtatContrat::Denonce,
    ];

    /// The machine name, as in contract files, forms and the API: `en_execution`.
    pub fn code(self) -> &'static str {
        match self {
            EtatContrat::Brouillon => "brouillon",
            EtatContrat::Negociation => "negociation",
            EtatContrat::Valide => "valide",
            EtatContrat::Delibere => "delibere",
            EtatContrat::Signe => "signe",
            EtatContrat::EnExecution => "en_execution",
            EtatContrat::Evalue => "evalue",
            EtatContrat::Clos => "clos",
            EtatContrat::Denonce => "denonce",
        }
    }

    /// The state whose machine name is `code`.
    pub fn depuis_code(code: &str) -> Option<EtatContrat> {
        EtatContrat::TOUS.into_iter().find(|e| e.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            EtatContrat::Brouillon => "brouillon",
            EtatContrat::Negociation => "en négociation",
            EtatContrat::Valide => "validé",
            EtatContrat::Delibere => "délibéré",
            EtatContrat::Signe => "signé",
            EtatContrat::EnExecution => "en exécution",
            EtatContrat::Evalue => "évalué",
            EtatContrat::Clos => "clos",
            EtatContrat::Denonce => "dénoncé",
        }
    }
}

/// A complete contract file: the header `[contrat]` and its `[[fiches]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Contrat local des solidarités (format Pacte)")]
#[schemars(description = "Fichier de contrat complet : l'en-tête [contrat] et ses [[fiches]].")]
pub struct Contrat {
    /// En-tête du contrat.
    pub contrat: EnTete,
    /// Fiches action, numérotées par axe (annexe 2 du modèle de contrat, [004] A8).
    #[serde(default)]
    pub fiches: Vec<FicheAction>,
}

/// The contract header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "En-tête du contrat : collectivité, dates, état, montants proposés, signataires.")]
pub struct EnTete {
    /// Collectivité cocontractante : SIREN (9 chiffres) pour une métropole, une communauté ou
    /// la Ville de Marseille ; code officiel géographique pour un département (« 13 », « 2A »).
    #[serde(deserialize_with = "bornes::collectivite")]
    #[schemars(length(min = 1, max = TEXTE_COURT_MAX), regex(pattern = r"\S"))]
    pub collectivite: String,
    /// Intitulé du contrat.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::court_opt"
    )]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub intitule: Option<String>,
    /// Début du contrat (1er janvier 2024, R-CAL-01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debut: Option<Date>,
    /// Fin du contrat (31 décembre 2027, R-CAL-01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fin: Option<Date>,
    /// État du contrat.
    #[serde(default)]
    pub etat: EtatContrat,
    /// Date de la délibération de l'assemblée autorisant la signature (R-DOC-05).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_deliberation: Option<Date>,
    /// Sélection par l'appel à manifestation d'intérêt national, pour une communauté
    /// d'agglomération ou urbaine hors de la liste des 22 (R-ELIG-03).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ami: Option<SelectionAmi>,
    /// Participation de l'État proposée par axe, montant annuel (plafond notifié, annexe 5 II.a ; R-FIN-03, R-FIN-04).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub montants_proposes: BTreeMap<Axe, Montant>,
    /// Soutien financier annuel de l'État écrit à l'article 2.2 du contrat ; comparé aux
    /// totaux des fiches (R-TAB-03).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub engagement_etat: ParAnnee<Montant>,
    /// Signataires du contrat (préfet, président de l'exécutif, cosignataires).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "bornes::lignes"
    )]
    #[schemars(length(max = LIGNES_MAX))]
    pub signataires: Vec<Signataire>,
}

impl EnTete {
    /// The collectivity's name when Pacte knows it: from the territories, else from its
    /// application to the national AMI (R-ELIG-03).
    pub fn nom_collectivite_connu(&self) -> Option<&str> {
        match crate::territoires::territoires().collectivite(&self.collectivite) {
            Some(c) => Some(&c.nom),
            None => self.ami.as_ref().map(|a| a.nom.as_str()),
        }
    }

    /// The collectivity's name for people: its known name, else « Collectivité » and its code.
    /// Every page and command names a contract's collectivity with this.
    pub fn nom_collectivite(&self) -> String {
        match self.nom_collectivite_connu() {
            Some(nom) => nom.to_string(),
            None => format!("Collectivité {}", self.collectivite),
        }
    }
}

/// Selection of a new communauté d'agglomération or urbaine by the national AMI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    description = "Sélection d'une nouvelle communauté d'agglomération ou urbaine par l'AMI national (R-ELIG-03)."
)]
pub struct SelectionAmi {
    /// Nom de la collectivité.
    #[serde(deserialize_with = "bornes::court")]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub nom: String,
    /// Nature : communaute_agglomeration ou communaute_urbaine.
    pub nature: NatureAmi,
    /// Code du département du siège.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::court_opt"
    )]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub departement: Option<String>,
    /// Retenue par l'AMI national.
    pub retenue: bool,
    /// Date de la décision de sélection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "Nature de la communauté retenue par l'AMI.")]
pub enum NatureAmi {
    CommunauteAgglomeration,
    CommunauteUrbaine,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "Signataire du contrat.")]
pub struct Signataire {
    /// Nom de la personne (facultatif : le modèle de contrat désigne les signataires par leur qualité).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::court_opt"
    )]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub nom: Option<String>,
    /// Qualité : « Préfet des Bouches-du-Rhône », « Président de la Métropole »…
    #[serde(deserialize_with = "bornes::court")]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub qualite: String,
    /// Institution représentée.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::court_opt"
    )]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub organisation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_signature: Option<Date>,
}

/// Whether an action is new, reinforced or an identical CALPAE renewal ([004] A5 I.b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "Nature de l'action : nouvelle, renforcee ou reconduction_calpae.")]
pub enum NatureAction {
    Nouvelle,
    Renforcee,
    ReconductionCalpae,
}

impl NatureAction {
    pub fn libelle(self) -> &'static str {
        match self {
            NatureAction::Nouvelle => "nouvelle",
            NatureAction::Renforcee => "renforcée",
            NatureAction::ReconductionCalpae => "reconduction CALPAE",
        }
    }
}

/// How the action is carried out: the three modes of [004] A5 I.b (R-ACT-09, enforced by the type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "Mode d'exécution : subvention, marche (marché public) ou regie.")]
pub enum ModeExecution {
    Subvention,
    Marche,
    Regie,
}

/// Public of a mobility action, which decides its funding axis (R-REF-02).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "Public d'une action de mobilité, qui décide de l'axe qui la finance (R-REF-02).")]
pub enum PublicMobilite {
    /// Bénéficiaires du RSA et personnes en recherche d'emploi : axe 2.
    BrsaDemandeursEmploi,
    /// Tous publics en précarité mobilité, sans condition de statut : axe 4.
    TousPublics,
}

/// A function of an energy-poverty platform (R-REF-06, [004] A4 I) or of a mobility platform
/// (R-REF-10, [004] A4 II): each platform covers its three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(
    description = "Fonction d'une plateforme : reperage, diagnostic_domicile, solutions_suivi (précarité énergétique, R-REF-06) ; inventaire_offre, diagnostic_mobilite, orientation_solutions (mobilité, R-REF-10)."
)]
pub enum FonctionPlateforme {
    /// Repérer les ménages (donneurs d'alerte, demandes FSL énergie, communication).
    Reperage,
    /// Diagnostic sociotechnique systématique au domicile par un chargé de visite formé.
    DiagnosticDomicile,
    /// Proposer des solutions durables et adaptées, et suivre le ménage.
    SolutionsSuivi,
    /// Recensement exhaustif et dynamique de l'offre, guichet unique.
    InventaireOffre,
    /// Conseil, formation, accompagnement, dont le diagnostic individuel de mobilité.
    DiagnosticMobilite,
    /// Orientation vers les solutions existantes et solutions complémentaires.
    OrientationSolutions,
}

impl FonctionPlateforme {
    /// The three functions of an energy-poverty platform ([004] A4 I).
    pub const ENERGIE: [FonctionPlateforme; 3] = [
        FonctionPlateforme::Reperage,
        FonctionPlateforme::DiagnosticDomicile,
        FonctionPlateforme::SolutionsSuivi,
    ];
    /// The three core offers of a mobility platform ([004] A4 II).
    pub const MOBILITE: [FonctionPlateforme; 3] = [
        FonctionPlateforme::InventaireOffre,
        FonctionPlateforme::DiagnosticMobilite,
        FonctionPlateforme::OrientationSolutions,
    ];

    /// The machine name, as in contract files and forms.
    pub fn code(self) -> &'static str {
        match self {
            FonctionPlateforme::Reperage => "reperage",
            FonctionPlateforme::DiagnosticDomicile => "diagnostic_domicile",
            FonctionPlateforme::SolutionsSuivi => "solutions_suivi",
            FonctionPlateforme::InventaireOffre => "inventaire_offre",
            FonctionPlateforme::DiagnosticMobilite => "diagnostic_mobilite",
            FonctionPlateforme::OrientationSolutions => "orientation_solutions",
        }
    }

    pub fn depuis_code(code: &str) -> Option<FonctionPlateforme> {
        Self::ENERGIE
            .into_iter()
            .chain(Self::MOBILITE)
            .find(|f| f.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            FonctionPlateforme::Reperage => {
                "repérer les ménages (donneurs d'alerte, demandes FSL énergie, communication)"
            }
            FonctionPlateforme::DiagnosticDomicile => {
                "réaliser systématiquement un diagnostic sociotechnique au domicile, par un chargé de visite formé"
            }
            FonctionPlateforme::SolutionsSuivi => {
                "proposer des solutions durables et adaptées, et suivre le ménage"
            }
            FonctionPlateforme::InventaireOffre => {
                "recenser l'offre de façon exhaustive et dynamique (guichet unique)"
            }
            FonctionPlateforme::DiagnosticMobilite => {
                "conseiller, former et accompagner, dont un diagnostic individuel de mobilité"
            }
            FonctionPlateforme::OrientationSolutions => {
                "orienter vers les solutions existantes et proposer des solutions complémentaires"
            }
        }
    }
}

/// The competence under which the collectivity carries an action (R-ACT-13, [004] TP §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(
    description = "Compétence : propre (de la collectivité), deleguee (par les communes membres ou leurs CCAS) ou hors_competence."
)]
pub enum Competence {
    Propre,
    Deleguee,
    HorsCompetence,
}

impl Competence {
    pub const TOUTES: [Competence; 3] = [
        Competence::Propre,
        Competence::Deleguee,
        Competence::HorsCompetence,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Competence::Propre => "propre",
            Competence::Deleguee => "deleguee",
            Competence::HorsCompetence => "hors_competence",
        }
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Competence::Propre => "compétence propre de la collectivité",
            Competence::Deleguee => "compétence déléguée par les communes membres ou leurs CCAS",
            Competence::HorsCompetence => "hors des compétences de la collectivité",
        }
    }
}

/// A fiche action (annexe 2 of the contract model, [004] A8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "Fiche action (annexe 2 du modèle de contrat).")]
pub struct FicheAction {
    /// Numéro « axe.rang » : « 1.2 » est la deuxième fiche de l'axe 1.
    pub numero: NumeroFiche,
    /// Intitulé de l'action.
    #[serde(deserialize_with = "bornes::court")]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub intitule: String,
    /// Description de l'action.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::long_opt"
    )]
    #[schemars(length(max = TEXTE_LONG_MAX))]
    pub description: Option<String>,
    /// Sous-axe du référentiel : identifiant (« A1-1.1 ») ou code dans l'axe de la fiche (« 1.1 »).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::court_opt"
    )]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub sous_axe: Option<String>,
    /// Type d'action du référentiel (« AT-1-1.1-01 »).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::court_opt"
    )]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub type_action: Option<String>,
    /// Action hors référentiel, autorisée par dérogation (R-ACT-03).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hors_referentiel: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derogation: Option<Derogation>,
    /// nouvelle, renforcee ou reconduction_calpae (R-ACT-05).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nature: Option<NatureAction>,
    /// Pour une action renforcée : la part renforcée (R-ACT-06).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renforcement: Option<Renforcement>,
    /// Pour une reconduction CALPAE à l'identique : sa justification (R-ACT-07).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconduction: Option<Reconduction>,
    /// Date de mise en place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debut: Option<Date>,
    /// Durée en mois (le calendrier doit s'achever au plus tard le 31/12/2027, R-DOC-07).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duree_mois: Option<u32>,
    /// Opérateur qui porte l'action.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::court_opt"
    )]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub operateur: Option<String>,
    /// subvention, marche ou regie (annexe 5 I.b).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode_execution: Option<ModeExecution>,
    /// Partenaires de l'action.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "bornes::courts"
    )]
    #[schemars(length(max = LIGNES_MAX), inner(length(max = TEXTE_COURT_MAX)))]
    pub partenaires: Vec<String>,
    /// Public d'une action de mobilité solidaire (R-REF-02).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_mobilite: Option<PublicMobilite>,
    /// Animation SLIME+ financée hors plafond (annexe 4 I ; exclue du plafond de R-REF-04).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hors_plafond_slime: bool,
    /// Fonctions assurées par une plateforme de lutte contre la précarité énergétique
    /// (R-REF-06) ou de mobilité solidaire (R-REF-10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 6))]
    pub fonctions_plateforme: Vec<FonctionPlateforme>,
    /// Le budget valorise des moyens existants : gestion courante, ressources humaines
    /// existantes ou non renforcées (exclu, R-ACT-08).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub valorisation_existant: bool,
    /// Les crédits du contrat remplacent une dépense que la collectivité finançait déjà (R-ACT-12).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub substitution_depense: bool,
    /// Compétence au titre de laquelle la collectivité porte l'action (R-ACT-13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competence: Option<Competence>,
    /// L'action comporte des aides à l'achat de véhicules dans le cadre des ZFE (exclu, R-REF-09).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub aide_achat_vehicule_zfe: bool,
    /// L'action est financée dans le cadre du Fonds d'aide aux jeunes (FAJ) métropolitain (R-REF-12).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub financement_faj: bool,
    /// L'action comporte des entretiens prénataux ou des bilans de santé en école maternelle
    /// de la PMI (exclus de l'axe 1, volet I, R-REF-13).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub actions_pmi: bool,
    /// Les mesures sur site en bidonville sont accompagnées et font l'objet d'un suivi étroit (R-REF-15).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accompagnement_suivi: bool,
    /// L'action finance la personne référente du pacte des solidarités, avec du temps
    /// clairement dégagé (annexe 5 V.b, R-REF-17).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub referent_pacte: bool,
    /// Cette action porte l'évaluation d'impact social du contrat (R-EVAL-03).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub evaluation_impact: bool,
    /// Financement par année et par financeur.
    #[serde(default)]
    pub financement: Financement,
    /// Budget global déclaré par année, s'il est saisi (colonne F de l'annexe 10, R-TAB-02).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub budget_global: ParAnnee<Montant>,
    /// Postes de dépenses par année (R-DOC-06).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "bornes::lignes"
    )]
    #[schemars(length(max = LIGNES_MAX))]
    pub depenses: Vec<LigneDepense>,
    /// Indicateurs locaux (R-IND-01, R-IND-02).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "bornes::lignes"
    )]
    #[schemars(length(max = LIGNES_MAX))]
    pub indicateurs: Vec<IndicateurLocal>,
    /// Indicateurs nationaux alimentés, avec leur trajectoire (R-IND-03, R-IND-04).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "bornes::lignes"
    )]
    #[schemars(length(max = LIGNES_MAX))]
    pub indicateurs_nationaux: Vec<TrajectoireNationale>,
}

/// Derogation for an action outside the référentiel (R-ACT-03, R-REF-03).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "Dérogation pour une action hors référentiel (R-ACT-03, R-REF-03).")]
pub struct Derogation {
    /// Qui l'a accordée (le ou la commissaire à la lutte contre la pauvreté).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::court_opt"
    )]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub accordee_par: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Utilité au regard des besoins locaux et de l'insuffisance de l'offre.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::long_opt"
    )]
    #[schemars(length(max = TEXTE_LONG_MAX))]
    pub justification: Option<String>,
    /// La DIPLP et la DGCS ont été informées en amont.
    #[serde(default)]
    pub diplp_informee: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_information_diplp: Option<Date>,
}

impl Derogation {
    /// What a derogation granted by the commissaire must state, as (field, French message):
    /// who granted it, when, and why — the usefulness of the action given local needs and an
    /// insufficient supply (R-ACT-03, instruction TP §2); on axis 4 (`axe_4`), the prior
    /// information of the DIPLP and the DGCS, on or before the derogation (R-REF-03). Empty
    /// when the derogation is complete.
    pub fn lacunes(&self, axe_4: bool) -> Vec<(&'static str, String)> {
        let mut l = self.lacunes_autorisation();
        if axe_4 {
            l.extend(self.lacunes_information_diplp());
        }
        l
    }

    /// What the commissaire's authorisation must state (R-ACT-03, instruction TP §2): its
    /// justification by local needs, its date, who granted it. Without them the action is not
    /// authorised, hence not admissible (R-ACT-02). Empty when the authorisation is complete.
    pub fn lacunes_autorisation(&self) -> Vec<(&'static str, String)> {
        let vide = |t: &Option<String>| t.as_deref().is_none_or(|t| t.trim().is_empty());
        let mut l = Vec::new();
        if vide(&self.justification) {
            l.push((
                "justification",
                "« Justification » est obligatoire (R-ACT-03) : l'utilité de l'action doit être justifiée par les besoins locaux au regard d'une insuffisance de l'offre (instruction du 27/10/2023, §2).".to_string(),
            ));
        }
        if self.date.is_none() {
            l.push((
                "date",
                "« Date de la dérogation » est obligatoire (R-ACT-03) : ce champ ne peut pas rester vide."
                    .to_string(),
            ));
        }
        if vide(&self.accordee_par) {
            l.push((
                "accordee_par",
                "« Accordée par » est obligatoire (R-ACT-03) : la dérogation est accordée par le ou la commissaire à la lutte contre la pauvreté, qui la signe de son nom.".to_string(),
            ));
        }
        l
    }

    /// What an axis-4 derogation must also state (R-REF-03, annexe 4 « Contexte »): the DIPLP
    /// and the DGCS informed « en amont », with the date of that information, on or before the
    /// derogation. Empty when the information is complete.
    pub fn lacunes_information_diplp(&self) -> Vec<(&'static str, String)> {
        let mut l = Vec::new();
        if !self.diplp_informee {
            l.push((
                "diplp_informee",
                "« DIPLP et DGCS informées en amont » est exigé sur l'axe 4 (R-REF-03) : une mesure hors référentiel de l'axe 4 n'est contractualisée qu'après l'information de la DIPLP et de la DGCS par le ou la commissaire.".to_string(),
            ));
        }
        match (self.date_information_diplp, self.date) {
            (None, _) => l.push((
                "date_information_diplp",
                "« Date d'information de la DIPLP et de la DGCS » est obligatoire (R-REF-03) : ce champ ne peut pas rester vide.".to_string(),
            )),
            (Some(info), Some(accord)) if info > accord => l.push((
                "date_information_diplp",
                format!(
                    "« Date d'information de la DIPLP et de la DGCS » ({info}) est postérieure à la dérogation ({accord}) : l'information a lieu en amont (R-REF-03)."
                ),
            )),
            _ => {}
        }
        l
    }
}

/// The reinforced share of a reinforced action (R-ACT-06).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "Part renforcée d'une action renforcée (R-ACT-06).")]
pub struct Renforcement {
    /// Ce qui existait avant le renfort (file active, territoire).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::long_opt"
    )]
    #[schemars(length(max = TEXTE_LONG_MAX))]
    pub existant: Option<String>,
    /// Coût de la part supplémentaire, renforcée, par année.
    #[serde(default)]
    pub part_renforcee: ParAnnee<Montant>,
}

/// Justification of an identical CALPAE renewal (R-ACT-07).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "Justification d'une reconduction CALPAE à l'identique (R-ACT-07).")]
pub struct Reconduction {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::long_opt"
    )]
    #[schemars(length(max = TEXTE_LONG_MAX))]
    pub justification_efficacite: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::long_opt"
    )]
    #[schemars(length(max = TEXTE_LONG_MAX))]
    pub justification_impact: Option<String>,
    #[serde(default)]
    pub conformite_referentiel: bool,
    #[serde(default)]
    pub accord_des_parties: bool,
}

/// Funding of an action per year and per funder (A, B, C of the annexe 10 tables).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    description = "Financement de l'action par année et par financeur (colonnes A, B, C des tableaux de l'annexe 10)."
)]
pub struct Financement {
    /// Part État par année.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub etat: ParAnnee<Montant>,
    /// Part de la collectivité par année, FSE+ compris.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub collectivite: ParAnnee<Montant>,
    /// Dont FSE+ : partie de la part collectivité financée par le FSE+ (R-ACT-10).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fse_plus: ParAnnee<Montant>,
    /// Autres cofinanceurs (CAF, CPAM, ARS…).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "bornes::lignes"
    )]
    #[schemars(length(max = LIGNES_MAX))]
    pub autres: Vec<Cofinanceur>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "Autre cofinanceur de l'action.")]
pub struct Cofinanceur {
    /// Nom du cofinanceur.
    #[serde(deserialize_with = "bornes::court")]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub nom: String,
    /// Financement au titre des certificats d'économies d'énergie (CEE précarité, R-REF-04).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cee: bool,
    #[serde(default)]
    pub montants: ParAnnee<Montant>,
}

/// Operating or investment expense (R-REF-08 caps eco-mobility investment).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(
    description = "Nature de la dépense : fonctionnement ou investissement (R-REF-08 plafonne l'investissement en éco-mobilité)."
)]
pub enum NatureDepense {
    #[default]
    Fonctionnement,
    Investissement,
}

/// An expense line of the detailed budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "Poste de dépenses du budget détaillé.")]
pub struct LigneDepense {
    /// Poste de dépenses (« Personnel : 2 ETP de conseillers »).
    #[serde(deserialize_with = "bornes::court")]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub poste: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub nature: NatureDepense,
    /// Ce poste finance l'évaluation d'impact social (R-REF-18).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub evaluation: bool,
    #[serde(default)]
    pub montants: ParAnnee<Montant>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// A local indicator with its T0 and targets (annexe 1 of the contract model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "Indicateur local avec sa situation au 31/12/2023 (T0) et ses cibles.")]
pub struct IndicateurLocal {
    #[serde(deserialize_with = "bornes::court")]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub libelle: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::court_opt"
    )]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub unite: Option<String>,
    /// Situation au 31 décembre 2023.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t0: Option<Valeur>,
    /// Cibles intermédiaires 2024 à 2027.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cibles: ParAnnee<Valeur>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cible_finale: Option<Valeur>,
}

/// A national indicator an action feeds, with its local trajectory (R-IND-04).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "Indicateur national alimenté par l'action, avec sa trajectoire locale (R-IND-04).")]
pub struct TrajectoireNationale {
    /// Code de l'indicateur national (« NI-1.1 »).
    #[serde(deserialize_with = "bornes::court")]
    #[schemars(length(max = TEXTE_COURT_MAX))]
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t0: Option<Valeur>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cibles: ParAnnee<Valeur>,
}

fn somme(m: &ParAnnee<Montant>, a: Annee) -> Montant {
    m.get(&a).copied().unwrap_or_default()
}

impl Financement {
    /// A: State share of year `a`.
    pub fn etat(&self, a: Annee) -> Montant {
        somme(&self.etat, a)
    }
    /// B: collectivity share of year `a`, FSE+ included.
    pub fn collectivite(&self, a: Annee) -> Montant {
        somme(&self.collectivite, a)
    }
    pub fn fse_plus(&self, a: Annee) -> Montant {
        somme(&self.fse_plus, a)
    }
    /// C: other co-funders of year `a`.
    pub fn autres(&self, a: Annee) -> Montant {
        self.autres.iter().map(|c| somme(&c.montants, a)).sum()
    }
    pub fn cee(&self, a: Annee) -> Montant {
        self.autres
            .iter()
            .filter(|c| c.cee)
            .map(|c| somme(&c.montants, a))
            .sum()
    }
    /// Other co-funders of year `a` but the CEE: the local partners of [004] A5 II.b
    /// (R-COFI-51, R-COFI-52); CEE money sits on the State's side (X-29, R-REF-04).
    pub fn autres_hors_cee(&self, a: Annee) -> Montant {
        self.autres(a) - self.cee(a)
    }
    /// F = A + B + C (R-TAB-02).
    pub fn total(&self, a: Annee) -> Montant {
        self.etat(a) + self.collectivite(a) + self.autres(a)
    }
    /// Years with any amount from any funder.
    pub fn annees(&self) -> impl Iterator<Item = Annee> + '_ {
        Annee::TOUTES
            .into_iter()
            .filter(|a| !self.total(*a).est_nul() || !self.fse_plus(*a).est_nul())
    }
}

impl FicheAction {
    pub fn axe(&self) -> Axe {
        self.numero.axe
    }

    /// Sum of the expense lines of year `a`.
    pub fn depenses(&self, a: Annee) -> Montant {
        self.depenses.iter().map(|l| somme(&l.montants, a)).sum()
    }

    /// Last day of the action's calendar, when its start and duration are known.
    pub fn fin(&self) -> Option<Date> {
        Some(self.debut?.fin_apres_mois(self.duree_mois?))
    }
}

impl Contrat {
    pub fn fiche(&self, numero: NumeroFiche) -> Option<&FicheAction> {
        self.fiches.iter().find(|f| f.numero == numero)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn les_etats_dans_l_ordre_du_cycle_de_vie_et_leurs_codes() {
        // TOUS is sorted (the derived order is the declaration order) and has no duplicate.
        assert!(EtatContrat::TOUS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(EtatContrat::TOUS[0], EtatContrat::default());
        for e in EtatContrat::TOUS {
            // The code is the serde name, the one of contract files.
            assert_eq!(
                serde_json::to_value(e).unwrap(),
                serde_json::Value::from(e.code())
            );
            assert_eq!(EtatContrat::depuis_code(e.code()), Some(e));
        }
        assert_eq!(EtatContrat::depuis_code("En_execution"), None);
    }

    #[test]
    fn nom_de_la_collectivite() {
        let mut e = crate::fabrique::contrat_metropole_minimal().contrat;
        assert_eq!(e.nom_collectivite(), "Métropole d'Aix-Marseille-Provence");
        e.collectivite = "999999999".into();
        assert_eq!(e.nom_collectivite_connu(), None);
        assert_eq!(e.nom_collectivite(), "Collectivité 999999999");
        e.ami = Some(SelectionAmi {
            nom: "Communauté d'agglomération du Grand Exemple".into(),
            nature: NatureAmi::CommunauteAgglomeration,
            departement: None,
            retenue: true,
            date: None,
        });
        assert_eq!(
            e.nom_collectivite(),
            "Communauté d'agglomération du Grand Exemple"
        );
    }

    #[test]
    fn numeros_de_fiche() {
        let n = NumeroFiche::parse("2.10").unwrap();
        assert_eq!((n.axe, n.rang), (Axe::A2, 10));
        assert_eq!(n.to_string(), "2.10");
        assert!(
            NumeroFiche::parse("5.1")
                .unwrap_err()
                .contains("l'axe 5 n'existe pas")
        );
        assert!(NumeroFiche::parse("1").is_err());
        assert!(NumeroFiche::parse("1.0").is_err());
        assert!(NumeroFiche::parse("1.x").is_err());
    }

    #[test]
    fn total_f_egal_a_plus_b_plus_c() {
        // [004] A5 II.b: 40 000 € État + 40 000 € métropole + 20 000 € CAF = 100 000 €.
        let a = Annee::TOUTES[0];
        let f = Financement {
            etat: [(a, Montant::euros(40_000))].into(),
            collectivite: [(a, Montant::euros(40_000))].into(),
            fse_plus: BTreeMap::new(),
            autres: vec![Cofinanceur {
                nom: "CAF".into(),
                cee: false,
                montants: [(a, Montant::euros(20_000))].into(),
            }],
        };
        assert_eq!(f.total(a), Montant::euros(100_000));
        assert_eq!(f.annees().collect::<Vec<_>>(), vec![a]);
    }
}
