//! The free-text parts of the campaign reports: the collectivity's sections of its annual
//! progress report and of its mid-term execution report, and the commissaire's own text of the
//! regional synthesis note.
//!
//! The sections are those the sources name:
//! - annual progress report (R-REP-05, [004] annexe 5 IV.a: « Un état d'avancement des actions
//!   et du niveau de consommation des crédits sera présenté […] par le biais d'un rapport
//!   succinct d'état d'avancement des actions contractualisées »): the progress of the actions
//!   and the level of credit consumption — two sections;
//! - mid-term execution report (R-EVAL-01, [004] annexe 8 art. 2.3: « Il décrit, pour chaque
//!   action du contrat, les résultats obtenus […] et dans la mesure du possible l'impact
//!   social de l'action sur ses bénéficiaires ; il contient un bilan financier […]. Ce rapport
//!   contient également un bilan global synthétisant l'ensemble des actions conduites par la
//!   Métropole et ses partenaires ») — the global summary, the results and social impact, the
//!   comment of the financial balance; the figures themselves (attainment, tables, matrix)
//!   are computed, never typed;
//! - regional synthesis note (R-REP-06, annexe 5 IV.a: « une note synthétique à la DIPLP et
//!   DGCS, retraçant l'état d'avancement général des contrats locaux »): one text per region
//!   and year, the commissaire's.
//!
//! Each text is bounded ([`TEXTE_MAX`]); a report's sections are written together, with one
//! version, by the collectivity's editor while the campaign they belong to is not validated
//! ([`verrouille`]); the synthesis text by the region's commissaire and the national
//! administrator ([`decider_synthese`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::campagne::{ANNEE_REFERENCE_MI_PARCOURS, EtatCampagne};
use crate::droits::{Decision, Habilitation, Perimetre, Role};
use crate::temps::Annee;

/// A section or a synthesis text: at most this many characters.
pub const TEXTE_MAX: usize = 20_000;

/// A report's sections as stored: section code → text (an absent or empty section is not
/// filled in).
pub type Textes = BTreeMap<String, String>;

/// One free-text section of a report: its code (form field, API key, storage key), its
/// title as the document prints it, and the hint the form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    pub code: &'static str,
    pub titre: &'static str,
    pub aide: &'static str,
}

/// The sections of the annual progress report (annexe 5 IV.a).
pub const SECTIONS_ANNUEL: &[Section] = &[
    Section {
        code: "avancement",
        titre: "État d'avancement des actions",
        aide: "Ce qui a été mis en œuvre dans l'année, action par action, et les écarts au calendrier prévu (annexe 5 IV.a).",
    },
    Section {
        code: "consommation",
        titre: "Niveau de consommation des crédits",
        aide: "Commentaire du bilan financier de l'année : crédits consommés, sous-consommations et leurs raisons, reports (annexe 5 IV.a).",
    },
];

/// The sections of the mid-term execution report (annexe 8 art. 2.3).
pub const SECTIONS_MI_PARCOURS: &[Section] = &[
    Section {
        code: "bilan_global",
        titre: "Bilan global",
        aide: "Synthèse de l'ensemble des actions conduites par la collectivité et ses partenaires sur le territoire en 2024 et 2025 (annexe 8 art. 2.3).",
    },
    Section {
        code: "resultats_impact",
        titre: "Résultats et impact social des actions",
        aide: "Pour chaque action, les résultats obtenus et, dans la mesure du possible, leur impact social sur les bénéficiaires (annexe 8 art. 2.3).",
    },
    Section {
        code: "bilan_financier",
        titre: "Commentaire du bilan financier",
        aide: "Lecture du bilan financier des actions mises en œuvre et de l'exécution budgétaire des crédits contractualisés (annexe 8 art. 2.3).",
    },
];

/// The title of the commissaire's text in the synthesis note.
pub const TITRE_SYNTHESE: &str = "Appréciation de la ou du commissaire";

/// Which report a set of sections belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RapportTexte {
    /// The annual progress report of year n (R-REP-05).
    Annuel(Annee),
    /// The mid-term execution report, 2024-2025 (R-EVAL-01).
    MiParcours,
}

impl RapportTexte {
    /// `annuel`, `mi_parcours`: the stored kind.
    pub fn code(self) -> &'static str {
        match self {
            RapportTexte::Annuel(_) => "annuel",
            RapportTexte::MiParcours => "mi_parcours",
        }
    }

    /// The year of the campaign the report belongs to: year n, or 2025 for the mid-term report
    /// (its figures are those of the 2025 campaign). Its validation locks the texts.
    pub fn annee(self) -> Annee {
        match self {
            RapportTexte::Annuel(a) => a,
            RapportTexte::MiParcours => ANNEE_REFERENCE_MI_PARCOURS,
        }
    }

    /// The kind and year as stored, back to the report.
    pub fn depuis_code(code: &str, annee: Annee) -> Option<RapportTexte> {
        match code {
            "annuel" => Some(RapportTexte::Annuel(annee)),
            "mi_parcours" if annee == ANNEE_REFERENCE_MI_PARCOURS => Some(RapportTexte::MiParcours),
            _ => None,
        }
    }

    pub fn sections(self) -> &'static [Section] {
        match self {
            RapportTexte::Annuel(_) => SECTIONS_ANNUEL,
            RapportTexte::MiParcours => SECTIONS_MI_PARCOURS,
        }
    }

    /// « rapport d'état d'avancement 2024 », « rapport d'exécution à mi-parcours » (without
    /// article: « le {} », « du {} »).
    pub fn nom(self) -> String {
        match self {
            RapportTexte::Annuel(a) => format!("rapport d'état d'avancement {a}"),
            RapportTexte::MiParcours => "rapport d'exécution à mi-parcours".to_string(),
        }
    }
}

/// A typed text as kept: line ends as `\n`, blank lines at both ends removed.
pub fn normaliser(texte: &str) -> String {
    texte.replace("\r\n", "\n").replace('\r', "\n").trim().to_string()
}

/// The bound of one text (after [`normaliser`]): at most [`TEXTE_MAX`] characters, no control
/// character but line ends and tabs. `Err` names the field (`libelle`) and the rule in French.
pub fn verifier_texte(libelle: &str, texte: &str) -> Result<(), String> {
    if let Some(c) = texte
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(format!(
            "« {libelle} » : le caractère de contrôle U+{:04X} n'est pas admis dans un texte ; rien n'a été enregistré",
            c as u32
        ));
    }
    let n = texte.chars().count();
    if n > TEXTE_MAX {
        return Err(format!(
            "« {libelle} » : {} caractères au plus ({} saisis) ; rien n'a été enregistré",
            espace_milliers(TEXTE_MAX),
            espace_milliers(n)
        ));
    }
    Ok(())
}

/// Checks a report's sections: every code is one of the report's sections and every text is
/// within [`TEXTE_MAX`]. Each error is the section's code and a French message naming it.
pub fn verifier_textes(rapport: RapportTexte, textes: &Textes) -> Vec<(String, String)> {
    let mut e = Vec::new();
    for (code, texte) in textes {
        match rapport.sections().iter().find(|s| s.code == code) {
            None => e.push((
                code.clone(),
                format!(
                    "section « {code} » inconnue pour le {} : {}",
                    rapport.nom(),
                    rapport
                        .sections()
                        .iter()
                        .map(|s| s.code)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            Some(s) => {
                if let Err(m) = verifier_texte(s.titre, texte) {
                    e.push((code.clone(), m));
                }
            }
        }
    }
    e
}

/// The sections as stored: normalised, empty ones left out.
pub fn nettoyer(textes: Textes) -> Textes {
    textes
        .into_iter()
        .map(|(k, v)| (k, normaliser(&v)))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// The collectivity's texts of a report are locked once its campaign is validated, like its
/// figures; the commissaire's reopening unlocks both.
pub fn verrouille(etat: EtatCampagne) -> bool {
    etat == EtatCampagne::Validee
}

/// The paragraphs of a text, as documents print them: one per non-blank line.
pub fn paragraphes(texte: &str) -> Vec<&str> {
    texte.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// Reading or writing the commissaire's text of a region's synthesis note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionSynthese {
    Lire,
    Ecrire,
}

/// Who may read or write the synthesis text of region `region` (R-REP-06: the commissaire
/// writes to the DIPLP and the DGCS): reading is the region's commissaire and the national
/// roles, as for the note itself; writing the region's commissaire and the national
/// administrator (who may complete a note for a region). Everyone else: `Interdit` (the
/// regions are public, so nothing is masked).
pub fn decider_synthese(h: &Habilitation, region: &str, action: ActionSynthese) -> Decision {
    let permis = match (h.role(), h.perimetre()) {
        (Role::Commissaire, Perimetre::Region(r)) => r == region,
        (Role::AdministrateurNational, Perimetre::National) => true,
        (Role::LecteurNational, Perimetre::National) => action == ActionSynthese::Lire,
        _ => false,
    };
    if permis {
        Decision::Autorise
    } else {
        Decision::Interdit
    }
}

/// « 20 000 » (narrow no-break space as the thousands separator, as pages print numbers).
pub fn espace_milliers(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::droits::lire_habilitation;

    fn h(role: &str, perimetre: &str) -> Habilitation {
        lire_habilitation(role, perimetre).unwrap()
    }

    #[test]
    fn la_borne_est_de_20_000_caracteres_et_le_message_nomme_le_champ() {
        // 20 000 characters, accents counted as one: accepted; one more: refused.
        let juste = "é".repeat(TEXTE_MAX);
        assert!(verifier_texte("Bilan global", &juste).is_ok());
        let trop = format!("{juste}x");
        let m = verifier_texte("Bilan global", &trop).unwrap_err();
        assert!(m.contains("« Bilan global »"), "{m}");
        assert!(m.contains("20\u{202f}000 caractères au plus"), "{m}");
        assert!(m.contains("20\u{202f}001 saisis"), "{m}");
        let nul = verifier_texte("Bilan global", "a\u{0}b").unwrap_err();
        assert!(nul.contains("U+0000"), "{nul}");
        assert!(verifier_texte("Bilan global", "a\n\tb").is_ok());
    }

    #[test]
    fn une_section_inconnue_ou_trop_longue_est_refusee() {
        let mut t = Textes::new();
        t.insert("avancement".into(), "ok".into());
        assert!(verifier_textes(RapportTexte::Annuel(Annee::TOUTES[0]), &t).is_empty());
        t.insert("bilan_global".into(), "x".into());
        let e = verifier_textes(RapportTexte::Annuel(Annee::TOUTES[0]), &t);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0, "bilan_global");
        assert!(e[0].1.contains("avancement, consommation"), "{}", e[0].1);
        assert!(verifier_textes(RapportTexte::MiParcours, &t).len() == 1);
        t.remove("avancement");
        t.insert("bilan_financier".into(), "y".repeat(TEXTE_MAX + 1));
        let e = verifier_textes(RapportTexte::MiParcours, &t);
        assert_eq!(e.len(), 1);
        assert!(e[0].1.contains("Commentaire du bilan financier"));
    }

    #[test]
    fn nettoyer_garde_les_paragraphes_et_retire_les_sections_vides() {
        let mut t = Textes::new();
        t.insert("avancement".into(), "  Premier.\r\n\r\nSecond.  \n".into());
        t.insert("consommation".into(), " \n ".into());
        let n = nettoyer(t);
        assert_eq!(n.len(), 1);
        assert_eq!(n["avancement"], "Premier.\n\nSecond.");
        assert_eq!(paragraphes(&n["avancement"]), vec!["Premier.", "Second."]);
    }

    #[test]
    fn le_verrou_suit_la_validation() {
        for e in EtatCampagne::TOUS {
            assert_eq!(verrouille(e), e == EtatCampagne::Validee, "{e:?}");
        }
    }

    #[test]
    fn le_rapport_se_relit_depuis_son_code() {
        let a = Annee::TOUTES[2];
        for r in [RapportTexte::Annuel(a), RapportTexte::MiParcours] {
            assert_eq!(RapportTexte::depuis_code(r.code(), r.annee()), Some(r));
        }
        assert_eq!(RapportTexte::depuis_code("mi_parcours", Annee::TOUTES[0]), None);
        assert_eq!(RapportTexte::depuis_code("autre", a), None);
    }

    #[test]
    fn droits_de_la_synthese() {
        use ActionSynthese::*;
        let cases = [
            (h("commissaire", "region:84"), "84", Lire, Decision::Autorise),
            (h("commissaire", "region:84"), "84", Ecrire, Decision::Autorise),
            (h("commissaire", "region:93"), "84", Lire, Decision::Interdit),
            (h("commissaire", "region:93"), "84", Ecrire, Decision::Interdit),
            (
                h("administrateur_national", "national"),
                "84",
                Ecrire,
                Decision::Autorise,
            ),
            (h("lecteur_national", "national"), "84", Lire, Decision::Autorise),
            (
                h("lecteur_national", "national"),
                "84",
                Ecrire,
                Decision::Interdit,
            ),
            (h("ddets", "departement:69"), "84", Lire, Decision::Interdit),
        ];
        for (hab, region, action, attendu) in cases {
            assert_eq!(
                decider_synthese(&hab, region, action),
                attendu,
                "{hab:?} {action:?}"
            );
        }
    }
}
