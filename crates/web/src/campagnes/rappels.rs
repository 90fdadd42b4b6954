//! The campaigns' block of the dashboard: reminders before and after the deadline for whoever
//! enters a contract's figures (R-REP-01: « en mars n+1 »), the submissions awaiting review and
//! the late contracts for the State services. The same reminders by e-mail, when SMTP is
//! configured: `rappels_courriel.rs`.

use pacte_core::campagne::{self, EtatCampagne, Rappel};
use pacte_core::droits::{Action, Cible};

use super::{aujourdhui, suivis_lisibles};
use crate::{ErreurWeb, Etat, Utilisateur};

/// Items shown at most, the most urgent first.
const MAX: usize = 10;

pub struct RappelVu {
    pub lien: String,
    pub texte: String,
    /// `error`, `warning` or `info`: the DSFR badge.
    pub classe: &'static str,
    /// Days past the deadline (negative: days left), to sort the most urgent first.
    urgence: i64,
}

/// What the dashboard shows of the campaigns.
#[derive(Default)]
pub struct TableauCampagnes {
    pub rappels: Vec<RappelVu>,
    /// Items left out beyond [`MAX`].
    pub autres: usize,
}

impl TableauCampagnes {
    pub fn vide(&self) -> bool {
        self.rappels.is_empty()
    }
}

/// The reminders of `u` over every open campaign.
pub async fn tableau(etat: &Etat, u: &Utilisateur) -> Result<TableauCampagnes, ErreurWeb> {
    let jour = aujourdhui();
    let mut rappels = Vec::new();
    for c in etat.base.campagnes().await? {
        let mut en_retard = 0;
        let mut instruire = false;
        for (l, s) in suivis_lisibles(etat, u, &c).await? {
            let cible = Cible::Contrat {
                collectivite: l.collectivite.clone(),
                etat: l.etat,
            };
            let echeance = campagne::echeance_contrat(c.echeance, s.prolongation);
            let lien = format!("/contrats/{}/campagnes/{}", l.id, c.annee);
            let nom = l.entete.nom_collectivite();
            if u.peut(Action::SaisirCampagne, &cible) {
                let renvoi = if s.etat == EtatCampagne::Renvoyee {
                    " — renvoyée pour correction"
                } else {
                    ""
                };
                match campagne::rappel(s.etat, echeance, jour) {
                    Some(Rappel::EnRetard { jours }) => rappels.push(RappelVu {
                        lien: lien.clone(),
                        texte: format!("{nom} — campagne {} : échéance du {echeance} dépassée de {jours} jour(s){renvoi}", c.annee),
                        classe: "error",
                        urgence: jours,
                    }),
                    Some(Rappel::Bientot { jours }) => rappels.push(RappelVu {
                        lien: lien.clone(),
                        texte: format!("{nom} — campagne {} : échéance le {echeance}, dans {jours} jour(s){renvoi}", c.annee),
                        classe: "warning",
                        urgence: -jours,
                    }),
                    None if !renvoi.is_empty() => rappels.push(RappelVu {
                        lien: lien.clone(),
                        texte: format!("{nom} — campagne {}{renvoi}", c.annee),
                        classe: "warning",
                        urgence: i64::MIN / 2,
                    }),
                    None => {}
                }
            }
            if u.peut(Action::InstruireCampagne, &cible) {
                instruire = true;
                if s.etat == EtatCampagne::Soumise {
                    rappels.push(RappelVu {
                        lien,
                        texte: format!("{nom} — campagne {} soumise : à valider ou renvoyer", c.annee),
                        classe: "info",
                        urgence: i64::MIN / 2,
                    });
                } else if campagne::en_retard(s.etat, echeance, jour) {
                    en_retard += 1;
                }
            }
        }
        if instruire && en_retard > 0 {
            rappels.push(RappelVu {
                lien: "/campagnes".into(),
                texte: format!(
                    "Campagne {} : {en_retard} contrat(s) de votre périmètre en retard (échéance du {})",
                    c.annee, c.echeance
                ),
                classe: "error",
                urgence: i64::MAX / 2,
            });
        }
    }
    rappels.sort_by_key(|r| std::cmp::Reverse(r.urgence));
    let autres = rappels.len().saturating_sub(MAX);
    rappels.truncate(MAX);
    Ok(TableauCampagnes { rappels, autres })
}
