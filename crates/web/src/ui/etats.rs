//! Shared view helpers of contracts: state codes, labels and badges, plural and count
//! wording, the collectivity nature shown in lists.

use pacte_core::contrat::{EnTete, EtatContrat};
use pacte_core::territoires::Territoires;
use pacte_core::{Constat, Gravite};

/// Machine name of a state, as in contract files and forms (`en_execution`).
pub fn code_etat(etat: EtatContrat) -> String {
    etat.code().to_string()
}

/// Reads a state from its machine name.
pub(crate) fn etat_depuis_code(code: &str) -> Option<EtatContrat> {
    EtatContrat::depuis_code(code)
}

/// DSFR badge classes of a state.
fn classe_etat(etat: EtatContrat) -> &'static str {
    match etat {
        EtatContrat::Brouillon | EtatContrat::Clos => "",
        EtatContrat::Negociation => "fr-badge--yellow-tournesol",
        EtatContrat::Valide => "fr-badge--blue-cumulus",
        EtatContrat::Delibere => "fr-badge--purple-glycine",
        EtatContrat::Signe => "fr-badge--green-emeraude",
        EtatContrat::EnExecution => "fr-badge--success fr-badge--no-icon",
        EtatContrat::Evalue => "fr-badge--info fr-badge--no-icon",
        EtatContrat::Denonce => "fr-badge--error fr-badge--no-icon",
    }
}

/// A state ready to show as a badge.
#[derive(Debug, Clone)]
pub struct BadgeEtat {
    pub code: String,
    pub libelle: &'static str,
    pub classe: &'static str,
}

impl BadgeEtat {
    pub fn new(etat: EtatContrat) -> BadgeEtat {
        BadgeEtat {
            code: code_etat(etat),
            libelle: etat.libelle(),
            classe: classe_etat(etat),
        }
    }
}

/// The label of the button that takes a contract to `etat`.
pub(crate) fn libelle_etape(etat: EtatContrat) -> &'static str {
    match etat {
        EtatContrat::Brouillon => "Revenir au brouillon",
        EtatContrat::Negociation => "Passer en négociation",
        EtatContrat::Valide => "Valider le contrat",
        EtatContrat::Delibere => "Enregistrer la délibération",
        EtatContrat::Signe => "Enregistrer la signature",
        EtatContrat::EnExecution => "Passer en exécution",
        EtatContrat::Evalue => "Enregistrer l'évaluation à mi-parcours",
        EtatContrat::Clos => "Clore le contrat",
        EtatContrat::Denonce => "Enregistrer la dénonciation",
    }
}

/// What is awaited from a contract in `etat`, for the dashboard.
pub(crate) fn attente(etat: EtatContrat) -> Option<&'static str> {
    match etat {
        EtatContrat::Negociation => Some("à valider"),
        EtatContrat::Valide => Some("délibération attendue"),
        EtatContrat::Delibere => Some("signature attendue"),
        _ => None,
    }
}

/// The HTML id of a national indicator on the référentiel page: `NI-1.1` → `ni-1-1`.
pub fn ancre_indicateur(code: &str) -> String {
    code.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

pub(crate) fn reperes() -> &'static Territoires {
    pacte_core::territoires::territoires()
}

pub(crate) fn nature_collectivite(entete: &EnTete) -> String {
    match reperes().collectivite(&entete.collectivite) {
        Some(c) => c.nature.libelle().to_string(),
        None => match &entete.ami {
            Some(ami) => match ami.nature {
                pacte_core::contrat::NatureAmi::CommunauteAgglomeration => {
                    "communauté d'agglomération (AMI national)".into()
                }
                pacte_core::contrat::NatureAmi::CommunauteUrbaine => {
                    "communauté urbaine (AMI national)".into()
                }
            },
            None => "collectivité hors de la liste des collectivités éligibles".into(),
        },
    }
}

/// A stored timestamp (`2026-11-23T04:17:03.123Z`) in French, Paris time: `23/11/2026 à 5 h 17`.
pub(crate) fn horodatage(iso: &str) -> String {
    pacte_core::temps::horodatage_court(iso)
}

pub(crate) fn pluriel(n: usize, singulier: &str, pluriel: &str) -> String {
    if n > 1 {
        format!("{n} {pluriel}")
    } else {
        format!("{n} {singulier}")
    }
}

pub(crate) fn compter(constats: &[Constat], gravite: Gravite) -> usize {
    constats.iter().filter(|c| c.gravite == gravite).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etats_et_ancres() {
        assert_eq!(code_etat(EtatContrat::EnExecution), "en_execution");
        assert_eq!(etat_depuis_code("negociation"), Some(EtatContrat::Negociation));
        assert_eq!(etat_depuis_code("inconnu"), None);
        assert_eq!(ancre_indicateur("NI-1.1"), "ni-1-1");
        assert_eq!(horodatage("2026-11-23T04:17:03.123Z"), "23/11/2026 à 5 h 17");
    }
}
