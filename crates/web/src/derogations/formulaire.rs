//! The commissaire's derogation form (R-ACT-03, R-REF-03): a fiche's [`Derogation`], stored
//! values to text and back.
//!
//! Field names are the paths of the fiche's findings (`derogation.justification`,
//! `derogation.diplp_informee`), as on the other forms.

use pacte_core::Date;
use pacte_core::contrat::Derogation;

use crate::ui::formulaire::{Champ, ErreurChamp, Groupe, Lecture, Saisie, Vue};

const ACCORDEE_PAR: &str = "derogation.accordee_par";
const DATE: &str = "derogation.date";
const JUSTIFICATION: &str = "derogation.justification";
const DIPLP_INFORMEE: &str = "derogation.diplp_informee";
const DATE_INFORMATION: &str = "derogation.date_information_diplp";

/// The form's text: the stored derogation, or, for a new one, granted today by `commissaire`.
/// A stored derogation that lacks who granted it or its date gets the same defaults.
pub fn saisie_de(d: Option<&Derogation>, commissaire: &str, aujourd_hui: Date) -> Saisie {
    let mut s = Saisie::default();
    let d = d.cloned().unwrap_or(Derogation {
        accordee_par: None,
        date: None,
        justification: None,
        diplp_informee: false,
        date_information_diplp: None,
    });
    s.set(
        ACCORDEE_PAR,
        d.accordee_par
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| commissaire.to_string()),
    );
    s.set(DATE, d.date.unwrap_or(aujourd_hui).iso());
    s.set(JUSTIFICATION, d.justification.unwrap_or_default());
    if d.diplp_informee {
        s.set(DIPLP_INFORMEE, "oui");
    }
    s.set(
        DATE_INFORMATION,
        d.date_information_diplp.map(Date::iso).unwrap_or_default(),
    );
    s
}

/// Reads the form into a derogation. `axe_4`: the fiche is on axis 4, where the prior
/// information of the DIPLP and the DGCS is required (R-REF-03); elsewhere the stored values
/// of those fields (`actuelle`, from a contract file) are kept as they are. What the
/// derogation must state is checked by [`Derogation::lacunes`], as the API does; a field that
/// cannot be read keeps its own message.
pub fn lire(
    saisie: &Saisie,
    axe_4: bool,
    actuelle: Option<&Derogation>,
) -> Result<Derogation, Vec<ErreurChamp>> {
    let mut l = Lecture::new(saisie);
    let justification = l.texte_long(JUSTIFICATION, "Justification");
    let date = l.date(DATE, "Date de la dérogation");
    let accordee_par = l.texte(ACCORDEE_PAR, "Accordée par");
    let (diplp_informee, date_information_diplp) = if axe_4 {
        (
            l.coche(DIPLP_INFORMEE),
            l.date(DATE_INFORMATION, "Date d'information de la DIPLP et de la DGCS"),
        )
    } else {
        actuelle.map_or((false, None), |d| (d.diplp_informee, d.date_information_diplp))
    };
    let d = Derogation {
        accordee_par,
        date,
        justification,
        diplp_informee,
        date_information_diplp,
    };
    for (champ, message) in d.lacunes(axe_4) {
        l.erreur(&format!("derogation.{champ}"), message);
    }
    if !l.erreurs.is_empty() {
        return Err(l.erreurs);
    }
    Ok(d)
}

/// The fields of the derogation form.
#[derive(Debug, Clone)]
pub struct FormDerogation {
    pub groupe: Groupe,
    pub justification: Champ,
    pub accordee_par: Champ,
    pub date: Champ,
    pub diplp_informee: Champ,
    pub date_information: Champ,
}

pub fn formulaire(saisie: &Saisie, erreurs: &[ErreurChamp]) -> FormDerogation {
    let v = Vue::new(saisie, erreurs, None);
    FormDerogation {
        groupe: v.groupe("derogation"),
        justification: v.champ(JUSTIFICATION, "Justification").avec_aide(
            "Obligatoire (R-ACT-03). L'utilité de l'action est justifiée par les besoins locaux au regard d'une insuffisance de l'offre (instruction du 27/10/2023, §2).",
        ),
        accordee_par: v
            .champ(ACCORDEE_PAR, "Accordée par")
            .avec_aide("Le ou la commissaire à la lutte contre la pauvreté de la région."),
        date: v.champ(DATE, "Date de la dérogation"),
        diplp_informee: v.champ(
            DIPLP_INFORMEE,
            "DIPLP et DGCS informées en amont (axe 4, R-REF-03)",
        ),
        date_information: v.champ(DATE_INFORMATION, "Date d'information de la DIPLP et de la DGCS"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jour(t: &str) -> Date {
        Date::parse(t).unwrap()
    }

    #[test]
    fn valeurs_par_defaut_et_relecture() {
        let s = saisie_de(None, "Commissaire PACA", jour("2025-03-04"));
        assert_eq!(s.get(ACCORDEE_PAR), "Commissaire PACA");
        assert_eq!(s.get(DATE), "2025-03-04");
        let e = lire(&s, false, None).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].nom, JUSTIFICATION);
        assert!(e[0].message.contains("R-ACT-03"), "{}", e[0].message);

        let mut s = s;
        s.set(JUSTIFICATION, "Aucune offre d'aide d'urgence sur le territoire.");
        let d = lire(&s, false, None).unwrap();
        assert_eq!(d.date, Some(jour("2025-03-04")));
        assert_eq!(
            saisie_de(Some(&d), "Autre", jour("2026-01-01")).get(ACCORDEE_PAR),
            "Commissaire PACA"
        );
    }

    #[test]
    fn axe_4_information_en_amont() {
        let mut s = saisie_de(None, "C", jour("2025-03-04"));
        s.set(JUSTIFICATION, "j");
        let e = lire(&s, true, None).unwrap_err();
        let noms: Vec<&str> = e.iter().map(|e| e.nom.as_str()).collect();
        assert_eq!(noms, [DIPLP_INFORMEE, DATE_INFORMATION]);
        assert!(e.iter().all(|e| e.message.contains("R-REF-03")));
        s.set(DIPLP_INFORMEE, "oui");
        s.set(DATE_INFORMATION, "2025-03-05");
        let e = lire(&s, true, None).unwrap_err();
        assert!(e[0].message.contains("postérieure"), "{}", e[0].message);
        s.set(DATE_INFORMATION, "2025-02-01");
        let d = lire(&s, true, None).unwrap();
        assert!(d.diplp_informee);
        assert_eq!(d.date_information_diplp, Some(jour("2025-02-01")));
    }
}
