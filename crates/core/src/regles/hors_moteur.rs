//! The rules of sections A to E of `shared/analysis/rules.md` (eligibility, documents and
//! calendar, action eligibility, référentiel-specific rules, co-financing) that the engine does
//! not check, each with why: so that `pacte regles` and `docs/REGLES.md` give the complete
//! contract catalogue.

/// Why a rule of the contract is not checked by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statut {
    /// Checked by the State's instruction: the data cannot carry it.
    NonAutomatisable,
    /// Automatable once Pacte holds the data it needs (a later capability).
    PasEncore,
}

impl Statut {
    pub fn libelle(self) -> &'static str {
        match self {
            Statut::NonAutomatisable => "vérifiée par l'instruction, non automatisable",
            Statut::PasEncore => "pas encore automatisée",
        }
    }
}

/// A rule of the contract outside the engine.
#[derive(Debug, serde::Serialize)]
pub struct RegleHorsMoteur {
    pub code: &'static str,
    pub intitule: &'static str,
    pub source: &'static str,
    pub statut: Statut,
    /// Why, in French.
    pub raison: &'static str,
}

/// The rules of sections A-E not in the engine's catalogue, in the order of rules.md.
pub fn regles_hors_moteur() -> &'static [RegleHorsMoteur] {
    HORS_MOTEUR
}

macro_rules! hors {
    ($code:literal, $statut:ident, $intitule:literal, $source:literal, $raison:literal) => {
        RegleHorsMoteur {
            code: $code,
            intitule: $intitule,
            source: $source,
            statut: Statut::$statut,
            raison: $raison,
        }
    };
}

static HORS_MOTEUR: &[RegleHorsMoteur] = &[
    hors!(
        "R-DOC-01",
        PasEncore,
        "Deux documents liés : le contrat (engagements financiers et toutes les fiches action) et le pacte local.",
        "Instruction du 27/10/2023, annexe 5, V.c",
        "Le contrat, ses engagements et ses fiches sont vérifiés (R-DOC-06, R-TAB-03) ; le pacte local n'est pas encore tenu dans Pacte."
    ),
    hors!(
        "R-DOC-02",
        NonAutomatisable,
        "Le pacte et le contrat se signent indépendamment ; aucun n'est le préalable de l'autre.",
        "Instruction du 27/10/2023, texte principal, §1",
        "Une liberté, non une contrainte : il n'y a rien à refuser."
    ),
    hors!(
        "R-DOC-03",
        PasEncore,
        "Un seul pacte peut être signé à l'échelle départementale si la métropole et le département en sont d'accord.",
        "Instruction du 27/10/2023, texte principal, §1",
        "Porte sur le pacte local, pas encore tenu dans Pacte."
    ),
    hors!(
        "R-DOC-04",
        NonAutomatisable,
        "Le contrat est signé par le préfet de département et le président de l'exécutif ; des partenaires peuvent cosigner avec l'accord des deux parties.",
        "Instruction du 27/10/2023, annexe 5, VI.a ; texte principal, §1 ; annexe 8, article 2",
        "La qualité des signataires est un texte libre et l'accord des parties à une cosignature n'est pas une donnée : l'instruction le vérifie à la signature."
    ),
    hors!(
        "R-DOC-08",
        NonAutomatisable,
        "Les documents de communication des actions financées portent le logo du Pacte des solidarités et celui du préfet.",
        "Instruction du 27/10/2023, annexe 8, article 2.2",
        "Les documents de communication ne passent pas par Pacte."
    ),
    hors!(
        "R-DOC-09",
        NonAutomatisable,
        "Les contrats et pactes signés sont transmis à la DIPLP et envoyés à l'adresse fonctionnelle de la DGCS.",
        "Instruction du 27/10/2023, texte principal, après le calendrier",
        "Un envoi par messagerie, hors des données du contrat."
    ),
    hors!(
        "R-DOC-10",
        PasEncore,
        "Le contrat peut être dénoncé ; la collectivité reste tenue de transmettre le rapport d'exécution.",
        "Instruction du 27/10/2023, annexe 5, VI.a ; annexe 8, article 6",
        "L'état « dénoncé » existe (et R-DOC-05 s'y applique) ; le rapport d'exécution dû après dénonciation relève des rapports, pas encore tenus."
    ),
    hors!(
        "R-DOC-11",
        NonAutomatisable,
        "Les litiges vont au tribunal administratif après recherche d'une solution amiable ; le contrat est visé par le directeur régional des finances publiques.",
        "Instruction du 27/10/2023, annexe 8, article 7",
        "Le contentieux et le visa sont des actes hors des données du contrat."
    ),
    hors!(
        "R-CAL-03",
        PasEncore,
        "Le contrat est délibéré et signé entre décembre 2023 et fin mars 2024.",
        "Instruction du 27/10/2023, texte principal, §4 ; annexe 5, V.c",
        "Les dates de délibération et de signature sont saisies ; l'alerte de retard n'est pas encore écrite."
    ),
    hors!(
        "R-CAL-04",
        NonAutomatisable,
        "Diagnostics de territoire finalisés en décembre 2023, enveloppes notifiées fin octobre 2023, négociation de l'été à décembre 2023.",
        "Instruction du 27/10/2023, texte principal, calendrier ; annexe 5, VI.d",
        "Jalons de la préparation, antérieurs au contrat et à sa saisie."
    ),
    hors!(
        "R-CAL-05",
        PasEncore,
        "Le pacte local est signé une seule fois pour les quatre ans.",
        "Instruction du 27/10/2023, annexe 5, V.c ; annexe 7, §2.3",
        "Porte sur le pacte local, pas encore tenu dans Pacte."
    ),
    hors!(
        "R-ACT-04",
        NonAutomatisable,
        "Chaque action est issue des priorités du diagnostic de territoire de 2023.",
        "Instruction du 27/10/2023, annexe 5, I.a",
        "Le diagnostic est un document hors de Pacte : le rattachement d'une action à ses priorités est apprécié par l'instruction."
    ),
    hors!(
        "R-ACT-11",
        NonAutomatisable,
        "Les actions sont suffisamment structurantes au sein de chaque axe, sans dispersion en de trop nombreuses actions.",
        "Instruction du 27/10/2023, annexe 5, I.a",
        "L'instruction ne fixe aucun seuil (« en évitant une dispersion de trop nombreuses actions ») : un nombre ou un montant minimal serait une règle inventée. Le nombre de fiches par axe est visible sur la page du contrat."
    ),
    hors!(
        "R-REF-16",
        NonAutomatisable,
        "Les actions en direction des personnes sans domicile sont cohérentes avec la contractualisation Logement d'abord sur les 44 territoires de mise en œuvre accélérée.",
        "Instruction du 27/10/2023, annexe 3, V.1",
        "La liste des 44 territoires ne figure pas dans les sources et la cohérence entre deux contractualisations est appréciée par les services de l'État."
    ),
];
