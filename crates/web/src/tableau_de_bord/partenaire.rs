//! The dashboard of a partner of a pacte local. The partner reads no contract yet
//! (`pacte_core::droits`: the signatories of the pactes are not stored, so no contract can be
//! tied to its organisation); its dashboard says so and opens what it may read: the national
//! référentiel and the territories, with their figures, and the contract file format.

use askama::Template;
use pacte_core::referentiel::referentiel;
use pacte_core::territoires::{Eligibilite, territoires};

use crate::ui::Page;

#[derive(Template)]
#[template(path = "accueil_partenaire.html")]
pub struct PagePartenaire {
    pub page: Page,
    /// The organisation of the account (its scope).
    pub organisation: String,
    /// The four axes: number and title.
    pub axes: Vec<(u8, String)>,
    pub sous_axes: usize,
    pub types_action: usize,
    pub indicateurs: usize,
    pub regions: usize,
    pub collectivites: usize,
    pub adresse_format: &'static str,
}

impl PagePartenaire {
    pub fn new(page: Page, organisation: String) -> PagePartenaire {
        let r = referentiel();
        let t = territoires();
        PagePartenaire {
            page,
            organisation,
            axes: r.axes.iter().map(|a| (a.code, a.intitule.clone())).collect(),
            sous_axes: r.axes.iter().map(|a| a.sous_axes.len()).sum(),
            types_action: r.types_action().count(),
            indicateurs: r.indicateurs_nationaux.len(),
            regions: t.regions.len(),
            collectivites: t
                .collectivites
                .iter()
                .filter(|c| {
                    matches!(
                        c.eligibilite,
                        Eligibilite::Calpae | Eligibilite::VilleDeMarseille | Eligibilite::Departement
                    )
                })
                .count(),
            adresse_format: crate::fichiers::format::ADRESSE_FORMAT,
        }
    }
}
