//! The rules engine: every checkable rule of the instruction as a small function with a
//! stable code (`shared/analysis/rules.md`), a severity, its source section and, where the
//! sources conflict, the reading adopted.
//!
//! A rule reads a [`Contexte`] (the contract with its référentiel lookups resolved once) and
//! pushes [`Constat`]s. The CLI, the API and the pages show the same findings.

mod actions;
mod cible;
mod coherence;
mod declarations;
mod eligibilite;
pub mod execution;
mod financement;
mod hors_moteur;
mod indicateurs;
mod specifiques;

use serde::Serialize;

pub use cible::{CibleConstat, Objet};
pub use coherence::{appariees_du_code, coherence, collectivites_appariees};
pub use hors_moteur::{RegleHorsMoteur, Statut, regles_hors_moteur};

use crate::Annee;
use crate::contrat::{Axe, Contrat, FicheAction, NumeroFiche};
use crate::financement::{FinancementContrat, depuis_tableaux};
use crate::referentiel::{Place, Referentiel, TypeAction, referentiel};
use crate::tableau::{TableauPrevisionnel, previsionnel};
use crate::territoires::{Collectivite, NatureCollectivite, Territoires, territoires};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gravite {
    /// A HARD rule of rules.md: the contract cannot be validated.
    Bloquant,
    /// A WARN rule: allowed with a justification, a derogation or a specific review.
    Alerte,
}

impl Gravite {
    pub fn libelle(self) -> &'static str {
        match self {
            Gravite::Bloquant => "bloquant",
            Gravite::Alerte => "alerte",
        }
    }
}

/// A rule of the catalogue.
#[derive(Debug)]
pub struct Regle {
    /// Stable code from rules.md: `R-COFI-50`.
    pub code: &'static str,
    pub gravite: Gravite,
    /// What the rule requires, in French.
    pub intitule: &'static str,
    /// Source section: `Instruction du 27/10/2023, annexe 5, II.b`.
    pub source: &'static str,
    /// Reading adopted where the sources conflict or are silent (rules.md §O), in French.
    pub lecture: &'static str,
    verifier: fn(&Regle, &Contexte, &mut Vec<Constat>),
}

/// A finding: a rule that does not hold, on a precise object, with the figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Constat {
    pub code: &'static str,
    pub gravite: Gravite,
    /// The object concerned; serialised (and displayed) as a path into the contract file:
    /// `contrat.debut`, `fiches[1.2].financement.etat.2024`.
    pub cible: CibleConstat,
    pub message: String,
    pub source: &'static str,
}

/// Which kind of contract: a métropole's (4 axes) or a département's (axes 1, 3, 4; axis 2
/// goes to the separate insertion-emploi convention, rules.md X-37).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeContrat {
    Metropole,
    Departement,
}

impl TypeContrat {
    pub fn axes(self) -> &'static [Axe] {
        match self {
            TypeContrat::Metropole => &Axe::TOUS,
            TypeContrat::Departement => &[Axe::A1, Axe::A3, Axe::A4],
        }
    }
}

/// The kind of contract a collectivity signs.
pub fn type_contrat(contrat: &Contrat) -> TypeContrat {
    match territoires().collectivite(&contrat.contrat.collectivite) {
        Some(c) if c.nature == NatureCollectivite::Departement => TypeContrat::Departement,
        _ => TypeContrat::Metropole,
    }
}

/// A fiche with its référentiel place resolved once.
pub struct FicheResolue<'c> {
    pub fiche: &'c FicheAction,
    /// The sub-axis, from `sous_axe` or from the action type.
    pub place: Option<Place<'static>>,
    pub type_action: Option<&'static TypeAction>,
    /// An axis-2 fiche using a mobility action type of the axis-4 référentiel (sub-axis 4.2):
    /// « définies dans le référentiel de l'axe [4] mais relèvent d'un financement du présent
    /// axe [2] » ([004] A2 2.1.4; A4 II). Its place is then sub-axis A2-2.1.4.
    pub mobilite_axe4_sur_axe2: bool,
}

impl FicheResolue<'_> {
    pub fn sous_axe_uid(&self) -> Option<&'static str> {
        self.place.map(|p| p.sous_axe.uid.as_str())
    }

    pub fn type_id(&self) -> Option<&'static str> {
        self.type_action.map(|t| t.id.as_str())
    }
}

/// What rules read: the contract and what it refers to.
pub struct Contexte<'c> {
    pub contrat: &'c Contrat,
    pub referentiel: &'static Referentiel,
    pub territoires: &'static Territoires,
    pub collectivite: Option<&'static Collectivite>,
    pub type_contrat: TypeContrat,
    pub fiches: Vec<FicheResolue<'c>>,
    /// The annexe 10 forecast table of each year, computed once for the rules that read totals.
    pub tableaux: Vec<TableauPrevisionnel>,
    /// Ceilings, floors and contracted State amounts per axis (R-FIN-03/04), from the tables.
    pub financement: FinancementContrat,
}

impl<'c> Contexte<'c> {
    pub fn new(contrat: &'c Contrat) -> Contexte<'c> {
        let r = referentiel();
        let fiches = contrat
            .fiches
            .iter()
            .map(|fiche| {
                let par_type = fiche.type_action.as_deref().and_then(|id| r.type_action(id));
                let par_sous_axe = fiche
                    .sous_axe
                    .as_deref()
                    .and_then(|s| r.resoudre_sous_axe(fiche.axe(), s));
                let mut place = par_sous_axe.or(par_type.map(|(p, _)| p));
                let mobilite_axe4_sur_axe2 =
                    fiche.axe() == Axe::A2 && place.is_some_and(|p| p.sous_axe.uid == "A4-4.2");
                if mobilite_axe4_sur_axe2 {
                    place = r.sous_axe("A2-2.1.4");
                }
                FicheResolue {
                    fiche,
                    place,
                    type_action: par_type.map(|(_, t)| t),
                    mobilite_axe4_sur_axe2,
                }
            })
            .collect();
        let genre = type_contrat(contrat);
        let tableaux: Vec<_> = Annee::TOUTES.iter().map(|a| previsionnel(contrat, *a)).collect();
        Contexte {
            contrat,
            referentiel: r,
            territoires: territoires(),
            collectivite: territoires().collectivite(&contrat.contrat.collectivite),
            type_contrat: genre,
            fiches,
            financement: depuis_tableaux(contrat, genre, &tableaux),
            tableaux,
        }
    }

    /// Fiches of one axis.
    pub fn fiches_axe(&self, axe: Axe) -> impl Iterator<Item = &FicheResolue<'c>> {
        self.fiches.iter().filter(move |f| f.fiche.axe() == axe)
    }

    /// The collectivity's name for messages: « la métropole », « le département »…
    pub fn nom_collectivite(&self) -> &'static str {
        match self.type_contrat {
            TypeContrat::Departement => "le département",
            TypeContrat::Metropole => "la collectivité",
        }
    }
}

/// A fiche as a finding's target (`fiches[1.2]`); [`CibleConstat::et`] names one of its fields.
pub fn cible_fiche(n: NumeroFiche) -> CibleConstat {
    CibleConstat::fiche(n)
}

/// The catalogue, in the order of rules.md.
pub fn regles() -> &'static [Regle] {
    CATALOGUE
}

/// A rule by code.
pub fn regle(code: &str) -> Option<&'static Regle> {
    CATALOGUE.iter().find(|r| r.code == code)
}

/// Checks every rule on a contract. Findings are sorted: blocking first, then by rule order.
pub fn verifier(contrat: &Contrat) -> Vec<Constat> {
    let ctx = Contexte::new(contrat);
    let mut constats = Vec::new();
    for r in CATALOGUE {
        let avant = constats.len();
        (r.verifier)(r, &ctx, &mut constats);
        debug_assert!(
            constats[avant..]
                .iter()
                .all(|c| c.code == r.code && c.gravite == r.gravite)
        );
    }
    constats.sort_by_key(|c| c.gravite);
    constats
}

/// Helper for rule functions: a finding of rule `r`.
fn constat(r: &Regle, cible: CibleConstat, message: impl Into<String>) -> Constat {
    Constat {
        code: r.code,
        gravite: r.gravite,
        cible,
        message: message.into(),
        source: r.source,
    }
}

macro_rules! regle {
    ($code:literal, $gravite:ident, $intitule:literal, $source:literal, $lecture:literal, $f:path) => {
        Regle {
            code: $code,
            gravite: Gravite::$gravite,
            intitule: $intitule,
            source: $source,
            lecture: $lecture,
            verifier: $f,
        }
    };
}

static CATALOGUE: &[Regle] = &[
    regle!(
        "R-ELIG-01",
        Bloquant,
        "La collectivité cocontractante est éligible : l'une des 22 métropoles et communautés signataires des CALPAE, ou un département.",
        "Instruction du 27/10/2023, annexe 5, VI.b ; texte principal, §4",
        "Les départements sont éligibles au titre de leur propre contrat (axes 1, 3 et 4). La Métropole de Lyon et la Métropole du Grand Paris ne figurent pas sur la liste. Une communauté retenue par l'AMI est désignée par un SIREN valide d'intercommunalité (24… ou 200…).",
        eligibilite::r_elig_01
    ),
    regle!(
        "R-ELIG-02",
        Bloquant,
        "Parmi les communes, seule la Ville de Marseille peut conclure un contrat local des solidarités.",
        "Instruction du 27/10/2023, texte principal, §4 ; annexe 5, VI.b",
        "Le texte principal parle d'un contrat, l'annexe 5 d'un pacte (X-08) : la Ville de Marseille est traitée comme une métropole (quatre axes).",
        eligibilite::r_elig_02
    ),
    regle!(
        "R-ELIG-03",
        Bloquant,
        "Une nouvelle communauté d'agglomération ou urbaine ne contracte qu'après sélection par l'AMI national, pour un démarrage en 2025 ou 2026.",
        "Instruction du 27/10/2023, annexe 5, VI.b ; texte principal, §4",
        "Le texte principal admet 2025 ou 2026, l'annexe 5 « pour 2025 » (X-07) : 2025 et 2026 sont acceptés.",
        eligibilite::r_elig_03
    ),
    regle!(
        "R-ELIG-04",
        Bloquant,
        "Outre-mer, l'instruction s'applique dans les territoires de l'article 73 de la Constitution.",
        "Instruction du 27/10/2023, en-tête",
        "Un code de collectivité d'outre-mer de l'article 74 ou de Nouvelle-Calédonie (975, 977, 978, 986, 987, 988) est hors champ.",
        eligibilite::r_elig_04
    ),
    regle!(
        "R-CAL-01",
        Bloquant,
        "Le contrat court du 1er janvier 2024 au 31 décembre 2027 ; aucune année antérieure à son début ne porte de crédits ni d'action.",
        "Instruction du 27/10/2023, annexe 5, VI.a ; annexe 8, article 4 ; texte principal, §4",
        "Pour une communauté sélectionnée par l'AMI, le début est le 1er janvier 2025 ou 2026 (R-ELIG-03) : une fiche qui débute, ou un financement ou une dépense prévus, avant ce début sont bloquants.",
        eligibilite::r_cal_01
    ),
    regle!(
        "R-CAL-02",
        Bloquant,
        "Le contrat démarre au 1er janvier 2024 même s'il est signé plus tard (démarrage rétroactif).",
        "Instruction du 27/10/2023, texte principal, §4",
        "Relevé quand le début du contrat est fixé à la date de sa délibération ou d'une signature ; les autres débuts erronés relèvent de R-CAL-01.",
        eligibilite::r_cal_02
    ),
    regle!(
        "R-DOC-05",
        Bloquant,
        "Un contrat délibéré ou signé (y compris dénoncé après signature) mentionne la délibération de l'assemblée autorisant la signature.",
        "Instruction du 27/10/2023, annexe 8, visas",
        "",
        eligibilite::r_doc_05
    ),
    regle!(
        "R-DOC-06",
        Bloquant,
        "Chaque fiche action détaille son budget par année et par poste de dépenses.",
        "Instruction du 27/10/2023, annexe 8, annexe 2 du contrat (fiche action, « Budget détaillé »)",
        "",
        financement::r_doc_06
    ),
    regle!(
        "R-DOC-07",
        Bloquant,
        "Le calendrier de chaque fiche action est précisé et s'achève au plus tard le 31 décembre 2027.",
        "Instruction du 27/10/2023, annexe 8, article 2.2",
        "Fin du calendrier = date de mise en place + durée en mois, moins un jour.",
        eligibilite::r_doc_07
    ),
    regle!(
        "R-ACT-01",
        Bloquant,
        "Le contrat comporte au moins une action du référentiel sur chacun de ses axes (4 pour une métropole ; 1, 3 et 4 pour un département).",
        "Instruction du 27/10/2023, annexe 5, I.a",
        "Un département contracte les axes 1, 3 et 4 ; l'axe 2 relève de sa convention insertion-emploi (X-37) : une fiche ou un montant sur l'axe 2 y est refusé. Une action hors référentiel, même autorisée par dérogation, ne compte pas.",
        actions::r_act_01
    ),
    regle!(
        "R-ACT-02",
        Bloquant,
        "Chaque action s'inscrit dans le référentiel de son axe (sous-axe et type d'action), sauf dérogation.",
        "Instruction du 27/10/2023, texte principal, §2 ; annexe 5, I.a",
        "Une action hors référentiel sans dérogation complète (qui l'a accordée, sa date, sa justification) n'est pas admissible : bloquant. Même définition que le formulaire de dérogation.",
        actions::r_act_02
    ),
    regle!(
        "R-ACT-03",
        Alerte,
        "Une action hors référentiel est autorisée par le ou la commissaire, à une date, avec une justification par les besoins locaux.",
        "Instruction du 27/10/2023, texte principal, §2",
        "Une dérogation incomplète est bloquante (R-ACT-02) ; une dérogation complète est signalée en alerte, l'action restant exceptionnelle.",
        actions::r_act_03
    ),
    regle!(
        "R-REF-03",
        Alerte,
        "Une mesure hors référentiel de l'axe 4 est signalée en amont à la DIPLP et à la DGCS.",
        "Instruction du 27/10/2023, annexe 4, contexte",
        "« En amont » : l'information est datée, au plus tard le jour de la dérogation ; une information non datée ou postérieure est relevée.",
        actions::r_ref_03
    ),
    regle!(
        "R-ACT-05",
        Bloquant,
        "Chaque action est nouvelle, renforcée ou, par exception, une reconduction CALPAE.",
        "Instruction du 27/10/2023, annexe 5, I.b ; texte principal, §1",
        "",
        actions::r_act_05
    ),
    regle!(
        "R-ACT-06",
        Bloquant,
        "Pour une action renforcée, les crédits de l'État ne financent que la part renforcée : part État ≤ 50 % de la part renforcée, chaque année.",
        "Instruction du 27/10/2023, annexe 5, I.b",
        "",
        actions::r_act_06
    ),
    regle!(
        "R-ACT-07",
        Alerte,
        "Une reconduction CALPAE à l'identique est justifiée (efficacité, impact), conforme au référentiel et acceptée par les deux parties.",
        "Instruction du 27/10/2023, annexe 5, I.b ; texte principal, §1",
        "",
        actions::r_act_07
    ),
    regle!(
        "R-ACT-08",
        Bloquant,
        "La valorisation financière de l'existant (gestion courante, ressources humaines existantes ou non renforcées) est exclue.",
        "Instruction du 27/10/2023, annexe 5, I.b",
        "Lu de la déclaration de la fiche (valorisation_existant) : le temps d'ingénierie, les recrutements et les évolutions substantielles de poste restent finançables.",
        declarations::r_act_08
    ),
    regle!(
        "R-ACT-09",
        Bloquant,
        "Chaque action a un mode d'exécution : subvention à un opérateur, marché public, ou régie par la collectivité.",
        "Instruction du 27/10/2023, annexe 5, I.b",
        "Les trois modes sont les seules valeurs admises par le format ; la règle exige que le mode soit renseigné.",
        declarations::r_act_09
    ),
    regle!(
        "R-ACT-10",
        Bloquant,
        "Le FSE+ ne cofinance que des actions nouvelles, et seulement sur la part de la collectivité.",
        "Instruction du 27/10/2023, annexe 5, I.b",
        "Le FSE+ est saisi comme « dont FSE+ » de la part collectivité ; il ne peut la dépasser.",
        actions::r_act_10
    ),
    regle!(
        "R-ACT-12",
        Alerte,
        "Les crédits du contrat ne se substituent pas aux dépenses de la collectivité (pas d'effet d'aubaine).",
        "Instruction du 27/10/2023, annexe 5, II.b et I.b",
        "Lu de la déclaration de la fiche (substitution_depense).",
        declarations::r_act_12
    ),
    regle!(
        "R-ACT-13",
        Alerte,
        "Les actions relèvent des compétences de la collectivité ou, par délégation, des communes membres et de leurs CCAS.",
        "Instruction du 27/10/2023, texte principal, §2",
        "Lu de la déclaration de la fiche (competence = hors_competence).",
        declarations::r_act_13
    ),
    regle!(
        "R-ACT-14",
        Alerte,
        "Les contrats de la métropole et du département sont cohérents sur leurs axes communs (1, 3 et 4).",
        "Instruction du 27/10/2023, texte principal, §1",
        "Vérifiée quand les deux contrats sont dans la base : une action du même type financée par les deux contrats est signalée sur chacun, pour articulation.",
        coherence::r_act_14
    ),
    regle!(
        "R-REF-01",
        Bloquant,
        "Des actions d'accès aux droits (axe 3, sous-axe I) supposent de financer au préalable un temps de coordination (type AT-3-I-1.1-01).",
        "Instruction du 27/10/2023, annexe 3, I.1.1",
        "« Au préalable » : la fiche de coordination démarre au plus tard avec la première autre action du sous-axe I.",
        actions::r_ref_01
    ),
    regle!(
        "R-REF-02",
        Bloquant,
        "Les actions de mobilité pour les bénéficiaires du RSA et demandeurs d'emploi relèvent de l'axe 2 (2.1.4) ; celles de l'axe 4 (4.2) s'adressent à tous les publics.",
        "Instruction du 27/10/2023, annexe 2, 2.1.4 ; annexe 4, II",
        "Le public de l'action de mobilité doit être renseigné pour décider de son axe.",
        actions::r_ref_02
    ),
    regle!(
        "R-REF-04",
        Bloquant,
        "Pour une action éligible au SLIME+ (CEE précarité), la part de l'État, CEE compris, ne dépasse pas 70 % du cofinancement total d'une année.",
        "Instruction du 27/10/2023, annexe 4, I, « Cas particulier : SLIME+ »",
        "Les CEE comptent dans la part de l'État (X-29) pour ce plafond ; pour le 50/50, la part de l'État (crédits du pacte) est comparée à celle de la collectivité et les CEE ne sont pas un « autre partenaire local » (R-COFI-51) : État 10 000 €, CEE 60 000 €, collectivité 30 000 € respecte le plafond et n'appelle qu'une alerte R-COFI-52. L'animation SLIME+ marquée « hors plafond » en est exclue, avec une alerte R-REF-05.",
        actions::r_ref_04
    ),
    regle!(
        "R-REF-05",
        Alerte,
        "L'animation des SLIME+ et les fonds sociaux d'aide aux travaux de maîtrise de l'énergie (FSATME) peuvent être financés hors plafond ; un FSATME n'est pas financé par les CEE précarité.",
        "Instruction du 27/10/2023, annexe 4, I, « Cas particulier : SLIME+ »",
        "Le « hors plafond » est déclaré par la collectivité (hors_plafond_slime) : chaque déclaration est signalée pour que l'État la voie.",
        specifiques::r_ref_05
    ),
    regle!(
        "R-REF-06",
        Bloquant,
        "Une plateforme de lutte contre la précarité énergétique assure ses trois fonctions : repérage, diagnostic sociotechnique systématique au domicile, solutions durables et suivi.",
        "Instruction du 27/10/2023, annexe 4, I",
        "Type AT-4-4.1-01 ; les fonctions sont déclarées par la fiche (fonctions_plateforme).",
        declarations::r_ref_06
    ),
    regle!(
        "R-REF-07",
        Bloquant,
        "Les aides financières FSL énergie expérimentales ne dépassent pas 20 % du montant co-contractualisé sur l'axe 4.",
        "Instruction du 27/10/2023, annexe 4, I",
        "Base = parts État et collectivité de toutes les fiches de l'axe 4, pour l'année ; comparée aux parts État et collectivité des fiches d'aides FSL (X-30).",
        actions::r_ref_07
    ),
    regle!(
        "R-REF-08",
        Bloquant,
        "L'investissement en solutions d'éco-mobilité inclusive ne dépasse pas 20 % des crédits totaux contractualisés sur l'axe 4.",
        "Instruction du 27/10/2023, annexe 4, II",
        "Vérifié par année : dépenses d'investissement des fiches de mobilité (4.2) ≤ 20 % des parts État et collectivité de l'axe 4.",
        actions::r_ref_08
    ),
    regle!(
        "R-REF-09",
        Bloquant,
        "Les aides à l'achat de véhicules dans le cadre des ZFE ne sont pas financées.",
        "Instruction du 27/10/2023, annexe 4, II",
        "Lu de la déclaration de la fiche (aide_achat_vehicule_zfe).",
        declarations::r_ref_09
    ),
    regle!(
        "R-REF-10",
        Bloquant,
        "Une plateforme de mobilité solidaire assure ses trois offres socles : recensement de l'offre, conseil et diagnostic de mobilité, orientation vers les solutions.",
        "Instruction du 27/10/2023, annexe 4, II",
        "Type AT-4-4.2-01, sur l'axe 4 ou l'axe 2 ; les fonctions sont déclarées par la fiche (fonctions_plateforme).",
        declarations::r_ref_10
    ),
    regle!(
        "R-REF-11",
        Bloquant,
        "La part de l'État dans la tarification sociale des cantines ne dépasse pas 30 % des crédits de l'État de l'axe 4.",
        "Instruction du 27/10/2023, annexe 4, III",
        "Vérifié par année : parts État des fiches AT-4-4.3-02 ≤ 30 % des parts État de l'axe 4 (base « crédits de l'État », à la différence de R-REF-07, X-30).",
        specifiques::r_ref_11
    ),
    regle!(
        "R-REF-12",
        Bloquant,
        "Les actions jeunesse financées par le Fonds d'aide aux jeunes (FAJ) métropolitain sont spécifiquement identifiées.",
        "Instruction du 27/10/2023, annexe 1, III",
        "Une fiche dont un cofinanceur est le FAJ doit le déclarer (financement_faj).",
        declarations::r_ref_12
    ),
    regle!(
        "R-REF-13",
        Bloquant,
        "Les entretiens prénataux et bilans de santé en école maternelle de la PMI sont exclus du volet I de l'axe 1.",
        "Instruction du 27/10/2023, annexe 1, I",
        "Lu de la déclaration de la fiche (actions_pmi) sur un sous-axe du volet I.",
        declarations::r_ref_13
    ),
    regle!(
        "R-REF-14",
        Alerte,
        "Il est recommandé, en priorité, de renforcer la CCAPEX par un chargé de mission.",
        "Instruction du 27/10/2023, annexe 3, II.2",
        "Alerte pour un contrat de métropole qui porte des actions de prévention des expulsions (A3-II-2) sans renfort de la CCAPEX (AT-3-II-2-01) ; la métropole peut déjà en être dotée.",
        specifiques::r_ref_14
    ),
    regle!(
        "R-REF-15",
        Alerte,
        "Les mesures sur site en bidonville (eau, déchets, électricité, risques) sont accompagnées et font l'objet d'un suivi étroit.",
        "Instruction du 27/10/2023, annexe 3, IV.2.2",
        "Lu de la déclaration de la fiche (accompagnement_suivi).",
        declarations::r_ref_15
    ),
    regle!(
        "R-REF-17",
        Alerte,
        "Le contrat peut financer une personne référente du pacte, avec du temps clairement dégagé.",
        "Instruction du 27/10/2023, annexe 5, V.b",
        "Permission : une fiche « referent_pacte » sans sous-axe ni type n'a pas besoin de dérogation (R-ACT-02) mais ne compte pas pour R-ACT-01 ; plus d'une fiche de référent est signalée.",
        declarations::r_ref_17
    ),
    regle!(
        "R-REF-18",
        Bloquant,
        "La mesure d'impact social est financée dans le coût de l'action évaluée : la fiche porte un poste de dépenses d'évaluation.",
        "Instruction du 27/10/2023, annexe 5, IV.c",
        "",
        indicateurs::r_ref_18
    ),
    regle!(
        "R-COFI-50",
        Bloquant,
        "Pour chaque action et chaque année, la part de l'État ne dépasse pas celle de la collectivité (cofinancement 50/50 action par action).",
        "Instruction du 27/10/2023, annexe 5, II.b ; texte principal, §1",
        "Les « 50 % » s'entendent de la paire État + collectivité (X-04) ; une compensation entre actions ne vaut pas.",
        financement::r_cofi_50
    ),
    regle!(
        "R-COFI-51",
        Bloquant,
        "Quand d'autres partenaires cofinancent une action, les parts de l'État et de la collectivité restent égales.",
        "Instruction du 27/10/2023, annexe 5, II.b (exemple 40 000 / 40 000 / 20 000 €)",
        "Un excès de la part État est relevé par R-COFI-50 ; R-COFI-51 relève une part collectivité supérieure à celle de l'État en présence d'autres cofinanceurs, que l'annexe 5 exclut expressément. Les CEE ne sont pas un partenaire local : ils comptent du côté de l'État (X-29, R-REF-04).",
        financement::r_cofi_51
    ),
    regle!(
        "R-COFI-52",
        Alerte,
        "Sans autre cofinanceur, une part de la collectivité supérieure à celle de l'État est admise (« au moins 50 % ») mais s'écarte de l'égalité demandée.",
        "Instruction du 27/10/2023, annexe 8, article 2.2 ; annexe 5, II.b",
        "« Au moins 50 % » (annexe 8) et l'égalité (annexe 5) se concilient ainsi : l'excès de la part collectivité est une alerte (X-04).",
        financement::r_cofi_52
    ),
    regle!(
        "R-COFI-53",
        Bloquant,
        "La convention n'est conclue que si toutes les actions sont conformes aux référentiels et si la collectivité finance 50 % de chacune.",
        "Instruction du 27/10/2023, texte principal, §4",
        "Relevé sur un contrat validé ou au-delà tant que R-ACT-02, R-COFI-50 ou R-COFI-51 relèvent un constat.",
        financement::r_cofi_53
    ),
    regle!(
        "R-FIN-03",
        Bloquant,
        "Chaque année, la participation totale de l'État ne dépasse pas la somme des montants proposés par axe (plafond global).",
        "Instruction du 27/10/2023, annexe 5, II.a",
        "Seul le montant global est un plafond absolu ; un axe peut dépasser son montant proposé par fongibilité (X-05).",
        financement::r_fin_03
    ),
    regle!(
        "R-FIN-04",
        Bloquant,
        "Chaque année, chaque axe garde au moins 20 % du montant proposé pour lui (socle de la fongibilité).",
        "Instruction du 27/10/2023, annexe 5, II.a ; texte principal, §1",
        "Vérifié pour chaque année où le contrat porte une participation de l'État.",
        financement::r_fin_04
    ),
    regle!(
        "R-FIN-05",
        Alerte,
        "Le montant de l'État négocié pour la première année est reconduit à la même hauteur en 2025 et 2026.",
        "Instruction du 27/10/2023, annexe 5, II.d ; annexe 8, article 2.2",
        "La référence est la première année du contrat (2024, ou 2025 pour une communauté retenue par l'AMI) ; un écart est une alerte : il peut résulter d'une réduction pour sous-consommation (R-FIN-06).",
        financement::r_fin_05
    ),
    regle!(
        "R-TAB-01",
        Bloquant,
        "Chaque fiche action porte un numéro « axe.rang » unique dans le contrat.",
        "Instruction du 27/10/2023, annexe 10, colonne « Fiche action N° »",
        "",
        financement::r_tab_01
    ),
    regle!(
        "R-TAB-02",
        Bloquant,
        "Pour chaque action et chaque année, le budget global F = A + B + C (État + collectivité + autres) ; les postes de dépenses lui sont égaux.",
        "Instruction du 27/10/2023, annexe 10, tableau « Prévisionnel année 2024 »",
        "",
        financement::r_tab_02
    ),
    regle!(
        "R-TAB-03",
        Bloquant,
        "Le soutien annuel de l'État écrit au contrat (article 2.2) est égal au total des parts État des fiches (ligne « TOTAUX FINANCIERS »).",
        "Instruction du 27/10/2023, annexe 10, lignes « Sous total » et « TOTAUX FINANCIERS » ; annexe 8, article 2.2",
        "Les sous-totaux et totaux sont calculés, jamais saisis ; seul le montant de l'article 2.2, saisi, est comparé.",
        financement::r_tab_03
    ),
    regle!(
        "R-IND-01",
        Bloquant,
        "Chaque action porte au moins un indicateur local chiffré.",
        "Instruction du 27/10/2023, texte principal, §2 ; annexe 5, III.a",
        "",
        indicateurs::r_ind_01
    ),
    regle!(
        "R-IND-02",
        Bloquant,
        "Chaque indicateur local a une situation au 31/12/2023 (T0), une cible par année de 2024 à 2027 et une cible finale.",
        "Instruction du 27/10/2023, annexe 5, III.a",
        "",
        indicateurs::r_ind_02
    ),
    regle!(
        "R-IND-03",
        Bloquant,
        "Une action d'un sous-axe auquel est rattaché un indicateur national renseigne cet indicateur.",
        "Instruction du 27/10/2023, annexe 5, III.b ; annexe 6",
        "",
        indicateurs::r_ind_03
    ),
    regle!(
        "R-IND-04",
        Bloquant,
        "Chaque indicateur national renseigné a une trajectoire : une cible par année de 2024 à 2027.",
        "Instruction du 27/10/2023, annexe 5, III.b ; annexe 6, introduction",
        "",
        indicateurs::r_ind_04
    ),
    regle!(
        "R-EVAL-03",
        Bloquant,
        "Le contrat comporte une évaluation d'impact social d'au moins une action.",
        "Instruction du 27/10/2023, annexe 5, IV.c",
        "",
        indicateurs::r_eval_03
    ),
];

/// The rules catalogue as Markdown, for `docs/REGLES.md` (generated, checked by a test).
pub fn catalogue_markdown() -> String {
    let mut s = String::from(
        "# Règles vérifiées par Pacte\n\n\
         <!-- Generated from crates/core/src/regles/mod.rs by `pacte regles --format markdown`; do not edit. -->\n\n\
         Chaque règle porte un code stable (celui de l'analyse des sources), une gravité \
         (« bloquant » : le contrat ne peut être validé ; « alerte » : admis avec justification), \
         sa source dans l'instruction interministérielle DGCS/SD1B/DIPLP/2023/168 du 27 octobre 2023 \
         et, quand les sources se contredisent ou se taisent, la lecture retenue.\n\n\
         | Code | Gravité | Règle | Source | Lecture retenue |\n|---|---|---|---|---|\n",
    );
    for r in CATALOGUE {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.code,
            r.gravite.libelle(),
            r.intitule,
            r.source,
            if r.lecture.is_empty() { "—" } else { r.lecture }
        ));
    }
    s.push_str(
        "\n## Règles du contrat non vérifiées par le moteur\n\n\
         Les autres règles des sections A à E de l'analyse des sources (éligibilité, documents et \
         calendrier, éligibilité des actions, règles propres aux référentiels, cofinancement), \
         avec la raison pour laquelle Pacte ne les vérifie pas.\n\n\
         | Code | Statut | Règle | Source | Raison |\n|---|---|---|---|---|\n",
    );
    for r in regles_hors_moteur() {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.code,
            r.statut.libelle(),
            r.intitule,
            r.source,
            r.raison
        ));
    }
    s.push_str(&execution::section_markdown());
    s
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_lectures;
