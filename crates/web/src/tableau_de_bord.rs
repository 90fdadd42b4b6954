//! The dashboard (`/`): contracts by state, what awaits the reader, accounts waiting (national
//! administrators).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use pacte_core::contrat::EtatContrat;
use pacte_core::droits::{Action, Cible};

use crate::contrats::liste::{LigneContrat, lignes_contrats};
use crate::ui::{BadgeEtat, Page, attente, pluriel, rendre};
use crate::{ErreurWeb, Etat, Utilisateur};

#[derive(Debug, Clone)]
pub struct CompteEtat {
    pub badge: BadgeEtat,
    pub nombre: usize,
}

#[derive(Template)]
#[template(path = "accueil.html")]
pub struct PageAccueil {
    pub page: Page,
    pub total: usize,
    pub total_texte: String,
    pub par_etat: Vec<CompteEtat>,
    pub bloquants: usize,
    pub alertes: usize,
    pub contrats_bloques: usize,
    /// Contracts with blocking findings, most first.
    pub plus_bloques: Vec<LigneContrat>,
    /// Contracts awaiting the next step of their lifecycle, with what is awaited.
    pub en_attente: Vec<(LigneContrat, &'static str)>,
    /// The user may create or import a contract.
    pub creer: bool,
    /// For whoever manages the accounts: « 2 comptes en attente d'habilitation ».
    pub habilitations_en_attente: Option<String>,
    /// The user may read the audit log: a quick link to it.
    pub journal: bool,
    /// Unread messages and correction requests not resolved, per contract.
    pub echanges: crate::echanges::TableauEchanges,
    /// The campaigns' reminders (deadline near or passed, submissions to review).
    pub campagnes: crate::campagnes::rappels::TableauCampagnes,
    /// The contracts the user may change now (their own work), with their findings.
    pub a_modifier: Vec<LigneContrat>,
    /// Why the dashboard shows no contract, for a role that reads none (the partner).
    pub pourquoi_vide: Option<&'static str>,
}

/// The dashboard of an account with no rights yet.
#[derive(Template)]
#[template(path = "accueil_sans_droit.html")]
pub struct PageSansDroit {
    pub page: Page,
    pub email: String,
}

pub async fn accueil(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    if u.habilitation.role() == pacte_core::droits::Role::Aucun {
        return rendre(&PageSansDroit {
            page: Page::new(&etat, "Tableau de bord", "/"),
            email: u.compte.email.clone(),
        });
    }
    let habilitations_en_attente = if u.peut(Action::GererUtilisateurs, &Cible::Utilisateurs) {
        let n = crate::administration::utilisateurs::comptes_en_attente(&etat).await?;
        Some(crate::administration::utilisateurs::texte_en_attente(n))
    } else {
        None
    };
    let (lignes, _) = lignes_contrats(&etat.base, &u, None, 1, None).await?;
    let par_etat = EtatContrat::TOUS
        .iter()
        .map(|e| CompteEtat {
            badge: BadgeEtat::new(*e),
            nombre: lignes.iter().filter(|l| l.etat == *e).count(),
        })
        .collect();
    let mut plus_bloques: Vec<LigneContrat> = lignes.iter().filter(|l| l.bloquants > 0).cloned().collect();
    plus_bloques.sort_by(|a, b| b.bloquants.cmp(&a.bloquants).then(a.id.cmp(&b.id)));
    let en_attente = lignes
        .iter()
        .filter_map(|l| attente(l.etat).map(|a| (l.clone(), a)))
        .collect();
    let lus: Vec<(i64, String)> = lignes.iter().map(|l| (l.id, l.collectivite.clone())).collect();
    let echanges = crate::echanges::tableau(&etat, &u, &lus).await?;
    // The person's own work: the contracts their role lets them change in their state.
    let a_modifier: Vec<LigneContrat> = lignes
        .iter()
        .filter(|l| {
            u.peut(
                Action::Modifier,
                &Cible::Contrat {
                    collectivite: l.code_collectivite.clone(),
                    etat: l.etat,
                },
            )
        })
        .cloned()
        .collect();
    let pourquoi_vide = (lignes.is_empty()
        && u.habilitation.role() == pacte_core::droits::Role::Partenaire)
        .then_some(
            "En tant que partenaire du pacte local, vous ne lisez pas les contrats locaux des solidarités : ils sont négociés entre l'État et la collectivité. Les engagements des partenaires et les instances du pacte local seront suivis dans Pacte dans une prochaine version ; en attendant, le référentiel national et les territoires vous sont ouverts.",
        );
    let page = PageAccueil {
        page: Page::new(&etat, "Tableau de bord", "/"),
        total: lignes.len(),
        total_texte: pluriel(lignes.len(), "contrat", "contrats"),
        par_etat,
        bloquants: lignes.iter().map(|l| l.bloquants).sum(),
        alertes: lignes.iter().map(|l| l.alertes).sum(),
        contrats_bloques: plus_bloques.len(),
        plus_bloques,
        en_attente,
        creer: u.cree(),
        habilitations_en_attente,
        journal: u.peut(Action::LireJournalAudit, &Cible::Journal),
        echanges,
        campagnes: crate::campagnes::rappels::tableau(&etat, &u).await?,
        a_modifier,
        pourquoi_vide,
    };
    rendre(&page)
}
