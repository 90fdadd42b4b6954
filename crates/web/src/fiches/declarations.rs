//! What a fiche declares for the rules read from declarations (R-ACT-08, R-ACT-12, R-ACT-13,
//! R-REF-06, R-REF-09, R-REF-10, R-REF-12, R-REF-13, R-REF-15, R-REF-17): their part of the
//! fiche form, shown by `fiche_declarations.html`. Field names are the fiche's paths.

use pacte_core::FicheAction;
use pacte_core::contrat::{Competence, FonctionPlateforme};

use crate::ui::formulaire::{Champ, Choix, Groupe, Lecture, Saisie, Vue, options_simples};

/// The boxes: (field, label, help).
const CASES: [(&str, &str, &str); 7] = [
    (
        "valorisation_existant",
        "Le budget valorise des moyens existants (gestion courante, ressources humaines non renforcées)",
        "Exclu par l'instruction (R-ACT-08) : seuls le temps d'ingénierie, les recrutements et les évolutions substantielles de poste sont finançables.",
    ),
    (
        "substitution_depense",
        "Les crédits remplacent une dépense que la collectivité finançait déjà",
        "Les crédits du contrat ne se substituent pas aux dépenses de la collectivité (R-ACT-12).",
    ),
    (
        "aide_achat_vehicule_zfe",
        "L'action comporte des aides à l'achat de véhicules dans le cadre des ZFE",
        "Non finançable par le pacte (R-REF-09).",
    ),
    (
        "financement_faj",
        "L'action est financée dans le cadre du Fonds d'aide aux jeunes (FAJ) métropolitain",
        "Une telle action doit être spécifiquement identifiée (R-REF-12).",
    ),
    (
        "actions_pmi",
        "L'action comporte des entretiens prénataux ou des bilans de santé en école maternelle de la PMI",
        "Exclus du volet I de l'axe 1 (R-REF-13).",
    ),
    (
        "accompagnement_suivi",
        "Les mesures sur site en bidonville sont accompagnées et font l'objet d'un suivi étroit",
        "Exigé pour l'eau, les déchets, l'électricité et la prévention des risques (R-REF-15).",
    ),
    (
        "referent_pacte",
        "L'action finance la personne référente du pacte des solidarités",
        "Permise par l'annexe 5, V.b, avec du temps clairement dégagé (R-REF-17) ; sans sous-axe ni type d'action.",
    ),
];

/// The declarations read from the form.
#[derive(Debug, Clone, Default)]
pub struct Declarations {
    pub fonctions_plateforme: Vec<FonctionPlateforme>,
    pub valorisation_existant: bool,
    pub substitution_depense: bool,
    pub competence: Option<Competence>,
    pub aide_achat_vehicule_zfe: bool,
    pub financement_faj: bool,
    pub actions_pmi: bool,
    pub accompagnement_suivi: bool,
    pub referent_pacte: bool,
}

fn fonctions() -> impl Iterator<Item = FonctionPlateforme> {
    FonctionPlateforme::ENERGIE
        .into_iter()
        .chain(FonctionPlateforme::MOBILITE)
}

fn nom_fonction(f: FonctionPlateforme) -> String {
    format!("fonctions_plateforme.{}", f.code())
}

/// Stored values → the form's text.
pub fn mettre(s: &mut Saisie, f: &FicheAction) {
    let cases = [
        f.valorisation_existant,
        f.substitution_depense,
        f.aide_achat_vehicule_zfe,
        f.financement_faj,
        f.actions_pmi,
        f.accompagnement_suivi,
        f.referent_pacte,
    ];
    for ((nom, _, _), oui) in CASES.iter().zip(cases) {
        if oui {
            s.set(*nom, "oui");
        }
    }
    for x in &f.fonctions_plateforme {
        s.set(nom_fonction(*x), "oui");
    }
    if let Some(c) = f.competence {
        s.set("competence", c.code());
    }
}

/// The form's text → the declarations.
pub fn lire(l: &mut Lecture) -> Declarations {
    let options: Vec<(&str, &str, Competence)> = Competence::TOUTES
        .iter()
        .map(|c| (c.code(), c.libelle(), *c))
        .collect();
    Declarations {
        fonctions_plateforme: fonctions().filter(|x| l.coche(&nom_fonction(*x))).collect(),
        valorisation_existant: l.coche("valorisation_existant"),
        substitution_depense: l.coche("substitution_depense"),
        competence: l.choix("competence", "Compétence", &options),
        aide_achat_vehicule_zfe: l.coche("aide_achat_vehicule_zfe"),
        financement_faj: l.coche("financement_faj"),
        actions_pmi: l.coche("actions_pmi"),
        accompagnement_suivi: l.coche("accompagnement_suivi"),
        referent_pacte: l.coche("referent_pacte"),
    }
}

/// The fields of the declarations part of the form.
#[derive(Debug, Clone)]
pub struct FormDeclarations {
    pub competence: Choix,
    pub cases: Vec<Champ>,
    pub fonctions_energie: Vec<Champ>,
    pub fonctions_mobilite: Vec<Champ>,
    /// Where the findings on the whole list of functions go.
    pub fonctions: Groupe,
}

pub fn vue(v: &Vue) -> FormDeclarations {
    let competences: Vec<(&str, &str)> = Competence::TOUTES
        .iter()
        .map(|c| (c.code(), c.libelle()))
        .collect();
    let fonction = |x: FonctionPlateforme| v.champ(&nom_fonction(x), x.libelle());
    FormDeclarations {
        competence: v.choix(
            "competence",
            "Compétence au titre de laquelle la collectivité porte l'action (R-ACT-13)",
            options_simples("— Non renseignée —", &competences),
        ),
        cases: CASES
            .iter()
            .map(|(nom, libelle, aide)| v.champ(nom, *libelle).avec_aide(*aide))
            .collect(),
        fonctions_energie: FonctionPlateforme::ENERGIE.into_iter().map(fonction).collect(),
        fonctions_mobilite: FonctionPlateforme::MOBILITE.into_iter().map(fonction).collect(),
        fonctions: v.groupe("fonctions_plateforme"),
    }
}
