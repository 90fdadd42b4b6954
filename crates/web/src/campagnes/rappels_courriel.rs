//! The campaigns' reminders by e-mail, when SMTP is configured (issue 15 item 3): who is due
//! which reminder today (`pacte_core::campagne::rappels`, from the campaigns, the accounts and
//! the reminders already sent), and the sending, each reminder reserved in the store before its
//! mail goes out and withdrawn if it cannot be sent (`pacte_store::rappels`).
//!
//! Run by `pacte campagne rappels` (for a daily cron; `--simulation` lists without sending or
//! recording) and by the daily task of `pacte serve` ([`tache_quotidienne`]) when SMTP is
//! configured. Recipients: the collectivity's editors of a contract (deadline near or passed,
//! figures returned), the DDETS and commissaire whose scope covers it (figures submitted,
//! awaiting review) — whoever [`pacte_core::droits::decider`] gives the right to enter or to
//! review the campaign, on active accounts.

use std::collections::BTreeMap;

use pacte_core::campagne::rappels::{
    self, CleRappel, Destinataires, MessageRappel, Paliers, SituationRappel,
};
use pacte_core::campagne::{self, EtatCampagne, Transition};
use pacte_core::droits::{Action, Cible, Decision, PorteeLecture, TerritoireLu, decider, lire_habilitation};
use pacte_core::{Annee, Date};
use pacte_store::{Base, ErreurStore};

use super::ETATS_CONCERNES;
use crate::echanges::notification::{self, ConfigSmtp};

/// The variable naming the application's public address (`https://pacte.exemple.gouv.fr`),
/// for absolute links in the reminders.
pub const VARIABLE_URL: &str = "PACTE_URL_PUBLIQUE";

/// The application's public address: [`VARIABLE_URL`], else the origin of the ProConnect
/// return address when ProConnect is configured (`https://hote/connexion/proconnect/retour`
/// → `https://hote`); `None`: the reminders give the page's path.
pub fn url_publique(lire: impl Fn(&str) -> Option<String>) -> Result<Option<String>, String> {
    let lire = |n: &str| lire(n).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    if let Some(u) = lire(VARIABLE_URL) {
        if !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 200 {
            return Err(format!(
                "{VARIABLE_URL} : « {u} » n'est pas une adresse http(s):// (200 caractères au plus)"
            ));
        }
        return Ok(Some(u.trim_end_matches('/').to_string()));
    }
    Ok(lire("PACTE_PROCONNECT_URL_RETOUR").and_then(|r| {
        let (schema, reste) = r.split_once("://")?;
        let hote = reste.split('/').next()?;
        (!hote.is_empty()).then(|| format!("{schema}://{hote}"))
    }))
}

/// One reminder to send.
#[derive(Debug, Clone)]
pub struct Envoi {
    pub cle: CleRappel,
    /// The recipient's address.
    pub email: String,
    /// The contract, as the collectivity's name.
    pub contrat: String,
    pub message: MessageRappel,
}

/// The reminders due on `aujourdhui` over the open campaigns (only `annee`'s when given), not
/// sent before.
pub async fn preparer(
    base: &Base,
    annee: Option<Annee>,
    paliers: &Paliers,
    url: Option<&str>,
    aujourdhui: Date,
) -> Result<Vec<Envoi>, ErreurStore> {
    let comptes: Vec<_> = base
        .utilisateurs()
        .await?
        .into_iter()
        .filter(|u| u.actif)
        .filter_map(|u| Some((lire_habilitation(&u.role, &u.perimetre).ok()?, u)))
        .collect();
    let emails: BTreeMap<i64, String> = comptes.iter().map(|(_, u)| (u.id, u.email.clone())).collect();
    let portee = PorteeLecture {
        territoire: TerritoireLu::Tout,
        etats: ETATS_CONCERNES.to_vec(),
    };
    let contrats = base.contrats_lisibles(&portee, None, 1, None).await?.lignes;
    let mut envois = Vec::new();
    for c in base.campagnes().await? {
        if annee.is_some_and(|a| a != c.annee) {
            continue;
        }
        let suivis: BTreeMap<i64, _> = base
            .suivis_campagne(c.annee)
            .await?
            .into_iter()
            .map(|s| (s.contrat_id, s))
            .collect();
        let deja = base.rappels_envoyes(c.annee).await?;
        for l in &contrats {
            let (etat, prolongation) = suivis
                .get(&l.id)
                .map_or((EtatCampagne::NonCommencee, None), |s| (s.etat, s.prolongation));
            let echeance = campagne::echeance_contrat(c.echeance, prolongation);
            // What makes a return or a submission a new one: its rank in the history.
            let rang_etat = match etat {
                EtatCampagne::Renvoyee | EtatCampagne::Soumise => {
                    let t = if etat == EtatCampagne::Renvoyee {
                        Transition::Renvoyer
                    } else {
                        Transition::Soumettre
                    };
                    base.transitions_campagne(c.annee, l.id)
                        .await?
                        .iter()
                        .rev()
                        .find(|x| x.transition == t.code())
                        .map(|x| x.rang)
                }
                _ => None,
            };
            let s = SituationRappel {
                etat,
                echeance,
                rang_etat,
            };
            let dus = rappels::rappels_dus(&s, paliers, aujourdhui);
            if dus.is_empty() {
                continue;
            }
            let cible = Cible::Contrat {
                collectivite: l.collectivite.clone(),
                etat: l.etat,
            };
            let mut d = Destinataires::default();
            for (h, u) in &comptes {
                if decider(h, Action::SaisirCampagne, &cible) == Decision::Autorise {
                    d.collectivite.push(u.id);
                }
                if decider(h, Action::InstruireCampagne, &cible) == Decision::Autorise {
                    d.etat.push(u.id);
                }
            }
            let nom = l.entete.nom_collectivite();
            let chemin = format!("/contrats/{}/campagnes/{}", l.id, c.annee);
            let lien = format!("{}{chemin}", url.unwrap_or(""));
            for cle in rappels::a_envoyer(c.annee, l.id, &s, &dus, &d, &deja) {
                let Some(email) = emails.get(&cle.compte) else {
                    continue;
                };
                envois.push(Envoi {
                    message: rappels::message(cle.motif, &nom, c.annee, etat, echeance, aujourdhui, &lien),
                    email: email.clone(),
                    contrat: nom.clone(),
                    cle,
                });
            }
        }
    }
    Ok(envois)
}

/// What a sending did.
#[derive(Debug, Default)]
pub struct Bilan {
    pub envoyes: usize,
    /// Reserved meanwhile by another run: not sent again.
    pub deja: usize,
    /// The reminders that could not be sent (recipient, reason): withdrawn, tried again by the
    /// next run.
    pub echecs: Vec<(String, String)>,
}

/// Sends `envois` through `smtp`, each reserved first (never twice), as `acteur`.
pub async fn envoyer(
    base: &Base,
    smtp: &ConfigSmtp,
    envois: &[Envoi],
    acteur: &str,
) -> Result<Bilan, ErreurStore> {
    let mut bilan = Bilan::default();
    for e in envois {
        if !base.reserver_rappel(&e.cle, acteur).await? {
            bilan.deja += 1;
            continue;
        }
        match notification::envoyer(
            smtp,
            std::slice::from_ref(&e.email),
            &e.message.sujet,
            &e.message.corps,
        )
        .await
        {
            Ok(()) => bilan.envoyes += 1,
            Err(raison) => {
                base.retirer_rappel(&e.cle, &raison, acteur).await?;
                bilan.echecs.push((e.email.clone(), raison));
            }
        }
    }
    Ok(bilan)
}

/// Audit actor of the daily task of `pacte serve`.
pub const ACTEUR_TACHE: &str = "serveur:rappels";

/// The hour (Paris) from which the daily task sends the day's reminders.
const HEURE: i64 = 7;

/// The day whose reminders the daily task sends at `maintenant`: today in Paris once it is
/// 7 h there, unless that day's were sent (`dernier`).
fn jour_a_traiter(dernier: Option<Date>, maintenant: pacte_core::Horodatage) -> Option<Date> {
    let jour = maintenant.jour_a_paris();
    let debut = pacte_core::Horodatage::debut_du_jour_a_paris(jour);
    (dernier != Some(jour) && maintenant.secondes() >= debut.secondes() + HEURE * 3600).then_some(jour)
}

/// Starts the daily task of `pacte serve`: every hour it checks whether today's reminders
/// (Paris) were sent, and from 7 h sends them once a day. The store's keys make a second run
/// (a restart, a second server, a cron beside it) send nothing more.
pub fn tache_quotidienne(base: Base, smtp: ConfigSmtp, url: Option<String>) {
    tokio::spawn(async move {
        let mut dernier: Option<Date> = None;
        let mut horloge = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            horloge.tick().await;
            let Some(jour) = jour_a_traiter(dernier, pacte_store::horloge::instant()) else {
                continue;
            };
            dernier = Some(jour);
            let resultat = async {
                let envois = preparer(&base, None, &Paliers::default(), url.as_deref(), jour).await?;
                envoyer(&base, &smtp, &envois, ACTEUR_TACHE).await
            }
            .await;
            match resultat {
                Ok(b) => {
                    for (_, raison) in &b.echecs {
                        tracing::error!(erreur = %raison, "rappel de campagne non envoyé");
                    }
                    tracing::info!(
                        envoyes = b.envoyes,
                        echecs = b.echecs.len(),
                        "rappels de campagne du jour"
                    );
                }
                Err(e) => tracing::error!(erreur = %e, "rappels de campagne : base illisible"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn une_fois_par_jour_a_partir_de_7_h_a_paris() {
        let t = |iso: &str| pacte_core::Horodatage::lire(iso).unwrap();
        let samedi = Date::ymd(2026, 12, 5);
        // Winter: Paris is UTC+1. 5:59 UTC is 6:59 in Paris: not yet; 6:00 UTC is 7:00.
        assert_eq!(jour_a_traiter(None, t("2026-12-05T05:59:59.000Z")), None);
        assert_eq!(jour_a_traiter(None, t("2026-12-05T06:00:00.000Z")), Some(samedi));
        // Done for the day: nothing until the next day's 7 h (Paris).
        assert_eq!(jour_a_traiter(Some(samedi), t("2026-12-05T22:00:00.000Z")), None);
        assert_eq!(jour_a_traiter(Some(samedi), t("2026-12-05T23:30:00.000Z")), None);
        assert_eq!(
            jour_a_traiter(Some(samedi), t("2026-12-06T06:00:00.000Z")),
            Some(Date::ymd(2026, 12, 6))
        );
        // Summer: Paris is UTC+2; 5:00 UTC is 7:00 in Paris.
        assert_eq!(
            jour_a_traiter(None, t("2026-07-01T05:00:00.000Z")),
            Some(Date::ymd(2026, 7, 1))
        );
        assert_eq!(jour_a_traiter(None, t("2026-07-01T04:59:00.000Z")), None);
    }

    #[test]
    fn adresse_publique() {
        let env = |paires: &'static [(&'static str, &'static str)]| {
            move |n: &str| paires.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string())
        };
        assert_eq!(url_publique(env(&[])).unwrap(), None);
        assert_eq!(
            url_publique(env(&[(VARIABLE_URL, "https://pacte.exemple.gouv.fr/")])).unwrap(),
            Some("https://pacte.exemple.gouv.fr".into())
        );
        assert_eq!(
            url_publique(env(&[(
                "PACTE_PROCONNECT_URL_RETOUR",
                "https://pacte.exemple.gouv.fr/connexion/proconnect/retour"
            )]))
            .unwrap(),
            Some("https://pacte.exemple.gouv.fr".into())
        );
        let e = url_publique(env(&[(VARIABLE_URL, "pacte.exemple.gouv.fr")])).unwrap_err();
        assert!(e.contains(VARIABLE_URL), "{e}");
    }
}
