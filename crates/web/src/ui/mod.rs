//! What every page shares: the layout's data ([`Page`], [`Visiteur`]), rendering ([`rendre`],
//! [`rendre_statut`]), the 404 page, finding links (`lien_constat`, `id_champ`), the state
//! badges and wording helpers (`etats`), pagination (`pagination`) and the form kit that keeps
//! what was typed (`formulaire`). It imports no capability module.

pub mod conflit;
pub mod etats;
pub mod formulaire;
pub mod pagination;

pub use etats::*;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use pacte_core::CibleConstat;

use crate::{ErreurWeb, Etat};

/// Address of the accounts list (`administration::utilisateurs`), shown in the menu.
pub const ADRESSE_UTILISATEURS: &str = "/administration/utilisateurs";

/// Address of the audit log (`administration::journal`), shown in the menu.
pub const ADRESSE_JOURNAL: &str = "/administration/journal";

/// What the layout (`base.html`) needs on every page.
#[derive(Debug, Clone)]
pub struct Page {
    pub titre: String,
    /// The menu entry to mark as current: "/", "/contrats", "/referentiel", "/territoires",
    /// "/administration/utilisateurs", "/administration/journal".
    pub rubrique: &'static str,
    /// Breadcrumb after "Accueil": (label, link); the last one has no link.
    pub ariane: Vec<(String, Option<String>)>,
    pub demonstration: bool,
    /// The signed-in user, for the header and the CSRF token of the page's forms.
    pub visiteur: Option<Visiteur>,
}

/// What the layout shows of the signed-in user.
#[derive(Debug, Clone)]
pub struct Visiteur {
    pub nom: String,
    /// « DDETS, département Bouches-du-Rhône (13) ».
    pub habilitation: String,
    pub csrf: String,
    pub droits: pacte_core::droits::Habilitation,
    /// The account has a Pacte password (not a ProConnect-only account): the header offers
    /// the password page.
    pub mot_de_passe: bool,
}

impl Visiteur {
    /// Whether the page may offer `action` on `cible` (the decision is `droits::decider`'s;
    /// handlers check it again through `Utilisateur`).
    pub fn peut(&self, action: pacte_core::droits::Action, cible: &pacte_core::droits::Cible) -> bool {
        pacte_core::droits::decider(&self.droits, action, cible) == pacte_core::droits::Decision::Autorise
    }
}

impl Page {
    pub fn new(etat: &Etat, titre: impl Into<String>, rubrique: &'static str) -> Page {
        Page {
            titre: titre.into(),
            rubrique,
            ariane: Vec::new(),
            demonstration: etat.options.demonstration,
            visiteur: etat.visiteur.as_deref().cloned(),
        }
    }

    /// A page without application state (error pages).
    pub fn simple(titre: impl Into<String>) -> Page {
        Page {
            titre: titre.into(),
            rubrique: "",
            ariane: Vec::new(),
            demonstration: false,
            visiteur: None,
        }
    }

    /// Adds a breadcrumb step (`None` link for the current page).
    pub fn ariane(mut self, libelle: impl Into<String>, lien: Option<String>) -> Page {
        self.ariane.push((libelle.into(), lien));
        self
    }

    /// The CSRF token the page's forms carry (empty when signed out).
    pub fn csrf(&self) -> &str {
        self.visiteur.as_ref().map_or("", |v| v.csrf.as_str())
    }

    /// The header's menu; « Utilisateurs » only for whoever may manage the accounts, « Journal
    /// d'audit » for whoever may read it.
    pub fn menu(&self) -> Vec<(&'static str, &'static str)> {
        let mut menu = vec![
            ("/", "Tableau de bord"),
            ("/contrats", "Contrats"),
            ("/campagnes", "Campagnes"),
            ("/referentiel", "Référentiel"),
            ("/territoires", "Territoires"),
        ];
        // An account with no rights yet reads no contract: only the public pages.
        let sans_droit = self
            .visiteur
            .as_ref()
            .is_some_and(|v| v.droits.role() == pacte_core::droits::Role::Aucun);
        if sans_droit {
            menu.retain(|(lien, _)| *lien != "/contrats" && *lien != "/campagnes");
        }
        let administre = self.visiteur.as_ref().is_some_and(|v| {
            v.peut(
                pacte_core::droits::Action::GererUtilisateurs,
                &pacte_core::droits::Cible::Utilisateurs,
            )
        });
        if administre {
            menu.push((ADRESSE_UTILISATEURS, "Utilisateurs"));
        }
        let audite = self.visiteur.as_ref().is_some_and(|v| {
            v.peut(
                pacte_core::droits::Action::LireJournalAudit,
                &pacte_core::droits::Cible::Journal,
            )
        });
        if audite {
            menu.push((ADRESSE_JOURNAL, "Journal d'audit"));
        }
        menu
    }
}

/// Renders a template, or the internal-error page.
pub fn rendre<T: askama::Template>(t: &T) -> Result<Response, ErreurWeb> {
    Ok(Html(t.render()?).into_response())
}

/// Renders a template with a status other than 200.
pub(crate) fn rendre_statut<T: askama::Template>(statut: StatusCode, t: &T) -> Result<Response, ErreurWeb> {
    Ok((statut, Html(t.render()?)).into_response())
}

pub async fn introuvable() -> ErreurWeb {
    ErreurWeb::introuvable("Cette adresse ne correspond à aucune page de Pacte.")
}

/// The HTML id of the form field a finding's target points at: `financement.etat.2024` →
/// `champ-financement-etat-2024`, `indicateurs[0].t0` → `champ-indicateurs-0-t0`. Forms give
/// their fields these ids so that findings can link to them.
pub fn id_champ(chemin: &str) -> String {
    let mut id = String::from("champ");
    for morceau in chemin.split(['.', '[', ']']).filter(|m| !m.is_empty()) {
        id.push('-');
        id.push_str(morceau);
    }
    id
}

/// Where a finding of contract `contrat_id` links to: the field it concerns, on the fiche
/// form, the contract header form or the contract page. For a reader who may not change the
/// contract (`modifiable` false), the fiche page or the contract page instead of the forms.
pub fn lien_constat(contrat_id: i64, cible: &CibleConstat, modifiable: bool) -> String {
    match cible {
        CibleConstat::Fiche { numero, champ } => {
            let champ = champ.as_deref().unwrap_or("");
            if champ.is_empty() || (!modifiable && !champ.starts_with("derogation")) {
                return format!("/contrats/{contrat_id}/fiches/{numero}");
            }
            // The derogation is not on the fiche form: the fiche page shows it, and offers its
            // page to the commissaire (R-ACT-03).
            if champ == "derogation" || champ.starts_with("derogation.") {
                return format!("/contrats/{contrat_id}/fiches/{numero}#derogation");
            }
            format!(
                "/contrats/{contrat_id}/fiches/{numero}/modifier#{}",
                id_champ(champ)
            )
        }
        CibleConstat::Axe(axe) => format!("/contrats/{contrat_id}#axe-{}", axe.numero()),
        CibleConstat::Fiches => format!("/contrats/{contrat_id}#fiches"),
        CibleConstat::EnTete(_) if !modifiable => format!("/contrats/{contrat_id}"),
        CibleConstat::EnTete(champ) => format!("/contrats/{contrat_id}/modifier#{}", id_champ(champ)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cible(chemin: &str) -> CibleConstat {
        chemin.parse().unwrap()
    }

    #[test]
    fn liens_des_constats() {
        assert_eq!(id_champ("financement.etat.2024"), "champ-financement-etat-2024");
        assert_eq!(id_champ("indicateurs[0].t0"), "champ-indicateurs-0-t0");
        assert_eq!(
            lien_constat(3, &cible("fiches[1.2].financement.etat.2024"), true),
            "/contrats/3/fiches/1.2/modifier#champ-financement-etat-2024"
        );
        assert_eq!(
            lien_constat(3, &cible("fiches[2.1]"), true),
            "/contrats/3/fiches/2.1"
        );
        assert_eq!(
            lien_constat(3, &cible("fiches[4.2].derogation.diplp_informee"), true),
            "/contrats/3/fiches/4.2#derogation"
        );
        assert_eq!(
            lien_constat(3, &cible("contrat.axes.2"), true),
            "/contrats/3#axe-2"
        );
        assert_eq!(
            lien_constat(3, &cible("contrat.montants_proposes.4"), true),
            "/contrats/3/modifier#champ-montants_proposes-4"
        );
        assert_eq!(
            lien_constat(3, &cible("contrat.fiches"), true),
            "/contrats/3#fiches"
        );
        // A reader who may not change the contract is sent to the pages they can open.
        assert_eq!(
            lien_constat(3, &cible("fiches[1.2].financement.etat.2024"), false),
            "/contrats/3/fiches/1.2"
        );
        assert_eq!(
            lien_constat(3, &cible("fiches[4.2].derogation"), false),
            "/contrats/3/fiches/4.2#derogation"
        );
        assert_eq!(
            lien_constat(3, &cible("contrat.montants_proposes.4"), false),
            "/contrats/3"
        );
        assert_eq!(
            lien_constat(3, &cible("contrat.fiches"), false),
            "/contrats/3#fiches"
        );
    }
}
