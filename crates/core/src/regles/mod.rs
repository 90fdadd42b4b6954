//! The rules engine: every checkable rule of the instruction as a small function with a
//! stable code (`shared/analysis/rules.md`), a severity, its source section and, where the
//! sources conflict, the reading adopted.
//!
//! A rule reads a [`Contexte`] (the contract with its référentiel lookups resolved once) and
//! pushes [`Constat`]s. The CLI, the API and the pages show the same findings.

mod actions;
mod cible;
mod eligibilite;
pub mod execution;
mod financement;
mod indicateurs;

use serde::Serialize;

pub use cible::{CibleConstat, Objet};

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
                FicheResolue {
                    fiche,
                    place: par_sous_axe.or(par_type.map(|(p, _)| p)),
                    type_action: par_type.map(|(_, t)| t),
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
        "Les départements sont éligibles au titre de leur propre contrat (axes 1, 3 et 4). La Métropole de Lyon et la Métropole du Grand Paris ne figurent pas sur la liste.",
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
        "R-CAL-01",
        Bloquant,
        "Le contrat court du 1er janvier 2024 au 31 décembre 2027.",
        "Instruction du 27/10/2023, annexe 5, VI.a ; annexe 8, article 4",
        "Pour une communauté sélectionnée par l'AMI, le début est le 1er janvier 2025 ou 2026 (R-ELIG-03).",
        eligibilite::r_cal_01
    ),
    regle!(
        "R-DOC-05",
        Bloquant,
        "Un contrat délibéré ou signé mentionne la délibération de l'assemblée autorisant la signature.",
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
        "Un département contracte les axes 1, 3 et 4 ; l'axe 2 relève de sa convention insertion-emploi (X-37) : une fiche ou un montant sur l'axe 2 y est refusé.",
        actions::r_act_01
    ),
    regle!(
        "R-ACT-02",
        Bloquant,
        "Chaque action s'inscrit dans le référentiel de son axe (sous-axe et type d'action), sauf dérogation.",
        "Instruction du 27/10/2023, texte principal, §2 ; annexe 5, I.a",
        "Une action hors référentiel sans dérogation est bloquante ; avec dérogation, voir R-ACT-03.",
        actions::r_act_02
    ),
    regle!(
        "R-ACT-03",
        Alerte,
        "Une action hors référentiel est autorisée par le ou la commissaire, à une date, avec une justification par les besoins locaux.",
        "Instruction du 27/10/2023, texte principal, §2",
        "",
        actions::r_act_03
    ),
    regle!(
        "R-REF-03",
        Alerte,
        "Une mesure hors référentiel de l'axe 4 est signalée en amont à la DIPLP et à la DGCS.",
        "Instruction du 27/10/2023, annexe 4, contexte",
        "",
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
        "R-ACT-10",
        Bloquant,
        "Le FSE+ ne cofinance que des actions nouvelles, et seulement sur la part de la collectivité.",
        "Instruction du 27/10/2023, annexe 5, I.b",
        "Le FSE+ est saisi comme « dont FSE+ » de la part collectivité ; il ne peut la dépasser.",
        actions::r_act_10
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
        "Les CEE comptent dans la part de l'État (X-29) ; l'animation SLIME+ marquée « hors plafond » en est exclue (R-REF-05).",
        actions::r_ref_04
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
        "Un excès de la part État est relevé par R-COFI-50 ; R-COFI-51 relève une part collectivité supérieure à celle de l'État en présence d'autres cofinanceurs, que l'annexe 5 exclut expressément.",
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
        "Le montant de l'État négocié pour 2024 est reconduit à la même hauteur en 2025 et 2026.",
        "Instruction du 27/10/2023, annexe 5, II.d ; annexe 8, article 2.2",
        "Un écart est une alerte : il peut résulter d'une réduction pour sous-consommation (R-FIN-06).",
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
    s.push_str(&execution::section_markdown());
    s
}

#[cfg(test)]
mod tests;
