//! E-mail reminders of the campaigns (issue 15 item 3): who is due which reminder on a given
//! day, and the French text of the message. Pure: the caller reads the campaigns, the
//! accounts and the reminders already sent, and sends.
//!
//! Four kinds of reminder ([`MotifRappel`]):
//! - before the deadline, to the collectivity's editors of a contract whose figures are not
//!   submitted, at each configured number of days before it ([`Paliers::avant`], by default
//!   15 and 3): the reminder of a day is the tightest tier reached, so that a run that missed
//!   a day still sends one reminder, not two;
//! - after it (overdue), at each configured number of days past it ([`Paliers::apres`], by
//!   default 1 and 15), again the last tier reached only;
//! - a contract returned for correction, once per return, to the same editors;
//! - a contract submitted and awaiting review, once per submission, to the DDETS and the
//!   commissaire whose scope covers it.
//!
//! A reminder is identified by its [`CleRappel`]: the campaign year, the contract, the account,
//! the kind, the tier (days, or the rank of the return or submission in the campaign's
//! history) and, for the deadline reminders, the deadline itself, so that an extension of the
//! deadline starts the tiers again. A key already recorded is never sent again.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{EtatCampagne, ecart_jours};
use crate::temps::{Annee, Date};

/// Days before the deadline at which the editors are reminded, by default.
pub const JOURS_AVANT_PAR_DEFAUT: [i64; 2] = [15, 3];
/// Days after the deadline at which the editors are reminded of the delay, by default.
pub const JOURS_APRES_PAR_DEFAUT: [i64; 2] = [1, 15];
/// A tier is at most this many days from the deadline.
pub const JOURS_MAX: i64 = 366;

/// The tiers of the deadline reminders, in days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paliers {
    /// Days before the deadline (0: the day itself).
    pub avant: Vec<i64>,
    /// Days after the deadline (1: the day after).
    pub apres: Vec<i64>,
}

impl Default for Paliers {
    fn default() -> Paliers {
        Paliers {
            avant: JOURS_AVANT_PAR_DEFAUT.to_vec(),
            apres: JOURS_APRES_PAR_DEFAUT.to_vec(),
        }
    }
}

impl Paliers {
    /// Reads the tiers from lists of days separated by commas (`15,3`; empty: none), naming
    /// the option (`champ_avant`, `champ_apres`) in the French error.
    pub fn lire(avant: &str, apres: &str, champ_avant: &str, champ_apres: &str) -> Result<Paliers, String> {
        Ok(Paliers {
            avant: lire_jours(avant, 0, champ_avant)?,
            apres: lire_jours(apres, 1, champ_apres)?,
        })
    }
}

fn lire_jours(texte: &str, minimum: i64, champ: &str) -> Result<Vec<i64>, String> {
    let mut jours = BTreeSet::new();
    for morceau in texte.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        let j: i64 = morceau
            .parse()
            .map_err(|_| format!("{champ} : « {morceau} » n'est pas un nombre de jours (exemple : 15,3)"))?;
        if !(minimum..=JOURS_MAX).contains(&j) {
            return Err(format!(
                "{champ} : {j} jour(s) est hors des bornes admises ({minimum} à {JOURS_MAX})"
            ));
        }
        jours.insert(j);
    }
    Ok(jours.into_iter().rev().collect())
}

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MotifRappel {
    /// The deadline is near and the figures are not submitted.
    Echeance,
    /// The deadline has passed and the figures are not submitted.
    Retard,
    /// The State returned the figures for correction.
    Renvoi,
    /// The figures are submitted and await the State's review.
    Instruction,
}

impl MotifRappel {
    pub const TOUS: [MotifRappel; 4] = [
        MotifRappel::Echeance,
        MotifRappel::Retard,
        MotifRappel::Renvoi,
        MotifRappel::Instruction,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MotifRappel::Echeance => "echeance",
            MotifRappel::Retard => "retard",
            MotifRappel::Renvoi => "renvoi",
            MotifRappel::Instruction => "instruction",
        }
    }

    pub fn depuis_code(code: &str) -> Option<MotifRappel> {
        MotifRappel::TOUS.into_iter().find(|m| m.code() == code)
    }

    /// Sent to the State services (DDETS, commissaire) rather than to the collectivity.
    pub fn pour_l_etat(self) -> bool {
        self == MotifRappel::Instruction
    }

    /// The reminder is tied to the deadline in force (an extension starts the tiers again).
    pub fn lie_a_l_echeance(self) -> bool {
        matches!(self, MotifRappel::Echeance | MotifRappel::Retard)
    }
}

/// A contract's campaign as the selection needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SituationRappel {
    pub etat: EtatCampagne,
    /// The contract's deadline (the campaign's, or its extension).
    pub echeance: Date,
    /// The rank, in the campaign's history, of the last return (state « renvoyée ») or the last
    /// submission (state « soumise »): what makes a return or a submission a new one.
    pub rang_etat: Option<i64>,
}

/// A reminder due for a contract, before choosing the recipients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RappelDu {
    pub motif: MotifRappel,
    /// Days before or after the deadline, or the rank of the return or submission.
    pub palier: i64,
}

/// The reminders due on `aujourdhui` for a contract in situation `s` (worked examples in the
/// tests): none once validated; before the deadline the tightest tier `d` with
/// `days left ≤ d`; after it the largest tier `d` with `days late ≥ d`; a return and a
/// submission once each.
pub fn rappels_dus(s: &SituationRappel, paliers: &Paliers, aujourdhui: Date) -> Vec<RappelDu> {
    let mut dus = Vec::new();
    if s.etat.attend_la_collectivite() {
        let reste = ecart_jours(aujourdhui, s.echeance);
        if reste >= 0 {
            if let Some(d) = paliers.avant.iter().copied().filter(|d| reste <= *d).min() {
                dus.push(RappelDu {
                    motif: MotifRappel::Echeance,
                    palier: d,
                });
            }
        } else if let Some(d) = paliers.apres.iter().copied().filter(|d| -reste >= *d).max() {
            dus.push(RappelDu {
                motif: MotifRappel::Retard,
                palier: d,
            });
        }
    }
    match (s.etat, s.rang_etat) {
        (EtatCampagne::Renvoyee, Some(r)) => dus.push(RappelDu {
            motif: MotifRappel::Renvoi,
            palier: r,
        }),
        (EtatCampagne::Soumise, Some(r)) => dus.push(RappelDu {
            motif: MotifRappel::Instruction,
            palier: r,
        }),
        _ => {}
    }
    dus
}

/// What identifies a reminder sent: never two with the same key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CleRappel {
    pub annee: Annee,
    pub contrat: i64,
    pub compte: i64,
    pub motif: MotifRappel,
    pub palier: i64,
    /// The deadline the tier counts from, for the deadline reminders only.
    pub echeance: Option<Date>,
}

/// The recipients a contract's reminders may go to: the accounts (ids) of the collectivity's
/// editors, and of the DDETS and commissaire whose scope covers the contract.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Destinataires {
    pub collectivite: Vec<i64>,
    pub etat: Vec<i64>,
}

/// The reminders to send for contract `contrat`'s campaign of year `annee`: each due reminder
/// to each of its recipients, except those whose key is in `deja` (sent before).
pub fn a_envoyer(
    annee: Annee,
    contrat: i64,
    s: &SituationRappel,
    dus: &[RappelDu],
    destinataires: &Destinataires,
    deja: &BTreeSet<CleRappel>,
) -> Vec<CleRappel> {
    let mut cles = Vec::new();
    for d in dus {
        let comptes = if d.motif.pour_l_etat() {
            &destinataires.etat
        } else {
            &destinataires.collectivite
        };
        for &compte in comptes {
            let cle = CleRappel {
                annee,
                contrat,
                compte,
                motif: d.motif,
                palier: d.palier,
                echeance: d.motif.lie_a_l_echeance().then_some(s.echeance),
            };
            if !deja.contains(&cle) && !cles.contains(&cle) {
                cles.push(cle);
            }
        }
    }
    cles
}

/// A reminder's message: subject and plain text body, in French.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageRappel {
    pub sujet: String,
    pub corps: String,
}

/// The message of a reminder about the contract named `nom` (the collectivity's), whose
/// campaign of `annee` is in `etat` and due on `echeance`, seen on `aujourdhui`; `lien` is the
/// campaign page (an absolute address when the application's public address is known, else
/// its path). It names nothing the recipient may not read: the contract, its year, deadline
/// and state, the link.
pub fn message(
    motif: MotifRappel,
    nom: &str,
    annee: Annee,
    etat: EtatCampagne,
    echeance: Date,
    aujourdhui: Date,
    lien: &str,
) -> MessageRappel {
    let reste = ecart_jours(aujourdhui, echeance);
    let (sujet, phrase) = match motif {
        MotifRappel::Echeance => (
            format!("[Pacte] Campagne {annee} : échéance le {echeance} — {nom}"),
            match reste {
                0 => format!(
                    "Les indicateurs de l'année {annee} du contrat « {nom} » sont attendus aujourd'hui, {echeance}, et ne sont pas encore soumis à l'État."
                ),
                r => format!(
                    "Les indicateurs de l'année {annee} du contrat « {nom} » sont attendus le {echeance}, dans {r} jour(s), et ne sont pas encore soumis à l'État."
                ),
            },
        ),
        MotifRappel::Retard => (
            format!("[Pacte] Campagne {annee} en retard — {nom}"),
            format!(
                "L'échéance du {echeance} est dépassée de {} jour(s) : les indicateurs de l'année {annee} du contrat « {nom} » ne sont pas encore soumis à l'État. Ils restent attendus ; leur soumission sera marquée en retard.",
                -reste
            ),
        ),
        MotifRappel::Renvoi => (
            format!("[Pacte] Campagne {annee} renvoyée pour correction — {nom}"),
            format!(
                "Les indicateurs de l'année {annee} du contrat « {nom} » ont été renvoyés pour correction par l'État. Les remarques figurent à côté des chiffres concernés, sur la page de la campagne. Échéance : {echeance}."
            ),
        ),
        MotifRappel::Instruction => (
            format!("[Pacte] Campagne {annee} soumise, à instruire — {nom}"),
            format!(
                "Les indicateurs de l'année {annee} du contrat « {nom} » ont été soumis par la collectivité et attendent votre validation ou votre renvoi pour correction. Échéance de la campagne : {echeance}."
            ),
        ),
    };
    let corps = format!(
        "{phrase}\n\nContrat : {nom}\nCampagne : indicateurs de l'année {annee}\nÉchéance : {echeance}\nÉtat : {}\nPage de la campagne : {lien}\n\nCe courriel est un rappel automatique de Pacte : n'y répondez pas.",
        etat.libelle()
    );
    MessageRappel { sujet, corps }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A2024: Annee = Annee::TOUTES[0];
    /// The default deadline of 2024: 31 March 2025.
    const ECHEANCE: Date = Date::ymd(2025, 3, 31);

    fn situation(etat: EtatCampagne, rang: Option<i64>) -> SituationRappel {
        SituationRappel {
            etat,
            echeance: ECHEANCE,
            rang_etat: rang,
        }
    }

    fn dus(etat: EtatCampagne, jour: Date) -> Vec<(MotifRappel, i64)> {
        rappels_dus(&situation(etat, None), &Paliers::default(), jour)
            .into_iter()
            .map(|d| (d.motif, d.palier))
            .collect()
    }

    #[test]
    fn avant_l_echeance_le_palier_le_plus_serre_atteint() {
        use EtatCampagne::*;
        use MotifRappel::*;
        // 16 days before (15 March): beyond the first tier (15), nothing.
        assert_eq!(dus(EnCours, Date::ymd(2025, 3, 15)), vec![]);
        // 15 days before (16 March): the 15-day tier.
        assert_eq!(dus(EnCours, Date::ymd(2025, 3, 16)), vec![(Echeance, 15)]);
        // 10 days before: still the 15-day tier (one reminder, already sent on the 16th).
        assert_eq!(dus(NonCommencee, Date::ymd(2025, 3, 21)), vec![(Echeance, 15)]);
        // 4 days before (27 March): 15; 3 days before (28 March): the 3-day tier.
        assert_eq!(dus(EnCours, Date::ymd(2025, 3, 27)), vec![(Echeance, 15)]);
        assert_eq!(dus(EnCours, Date::ymd(2025, 3, 28)), vec![(Echeance, 3)]);
        // The deadline day itself is within the 3-day tier.
        assert_eq!(dus(EnCours, ECHEANCE), vec![(Echeance, 3)]);
    }

    #[test]
    fn apres_l_echeance_le_dernier_palier_atteint() {
        use EtatCampagne::*;
        use MotifRappel::*;
        // 1 April 2025: one day late, tier 1; 15 April: 15 days late, tier 15.
        assert_eq!(dus(EnCours, Date::ymd(2025, 4, 1)), vec![(Retard, 1)]);
        assert_eq!(dus(EnCours, Date::ymd(2025, 4, 14)), vec![(Retard, 1)]);
        assert_eq!(dus(EnCours, Date::ymd(2025, 4, 15)), vec![(Retard, 15)]);
        // Months later: still the last tier (sent once).
        assert_eq!(dus(NonCommencee, Date::ymd(2025, 9, 1)), vec![(Retard, 15)]);
    }

    #[test]
    fn soumise_ou_validee_ne_rappelle_pas_l_echeance() {
        for jour in [Date::ymd(2025, 3, 28), Date::ymd(2025, 4, 20)] {
            assert_eq!(dus(EtatCampagne::Validee, jour), vec![]);
            assert_eq!(dus(EtatCampagne::Soumise, jour), vec![]);
        }
    }

    #[test]
    fn renvoi_et_soumission_une_fois_chacun() {
        let p = Paliers::default();
        // Returned (rank 3 of its history) 20 days before the deadline: the return only.
        let r = rappels_dus(
            &situation(EtatCampagne::Renvoyee, Some(3)),
            &p,
            Date::ymd(2025, 3, 11),
        );
        assert_eq!(
            r,
            vec![RappelDu {
                motif: MotifRappel::Renvoi,
                palier: 3
            }]
        );
        // Returned and 2 days left: the return and the 3-day tier.
        let r = rappels_dus(
            &situation(EtatCampagne::Renvoyee, Some(3)),
            &p,
            Date::ymd(2025, 3, 29),
        );
        assert_eq!(r.len(), 2, "{r:?}");
        // Submitted (rank 2): the review reminder, keyed by the submission's rank.
        let r = rappels_dus(
            &situation(EtatCampagne::Soumise, Some(2)),
            &p,
            Date::ymd(2025, 5, 1),
        );
        assert_eq!(
            r,
            vec![RappelDu {
                motif: MotifRappel::Instruction,
                palier: 2
            }]
        );
    }

    #[test]
    fn destinataires_et_pas_de_second_rappel_identique() {
        let s = situation(EtatCampagne::Soumise, Some(2));
        let dus = rappels_dus(&s, &Paliers::default(), Date::ymd(2025, 4, 2));
        let d = Destinataires {
            collectivite: vec![10],
            etat: vec![20, 21],
        };
        let cles = a_envoyer(A2024, 7, &s, &dus, &d, &BTreeSet::new());
        // The review reminder goes to the State's accounts, not the collectivity's.
        assert_eq!(cles.iter().map(|c| c.compte).collect::<Vec<_>>(), vec![20, 21]);
        assert!(cles.iter().all(|c| c.echeance.is_none() && c.palier == 2));
        // Once 20 was told, only 21 remains; once both were, nothing.
        let deja: BTreeSet<CleRappel> = cles[..1].iter().cloned().collect();
        assert_eq!(a_envoyer(A2024, 7, &s, &dus, &d, &deja), cles[1..].to_vec());
        let deja: BTreeSet<CleRappel> = cles.iter().cloned().collect();
        assert!(a_envoyer(A2024, 7, &s, &dus, &d, &deja).is_empty());
        // A new submission (rank 4, after a return) is a new reminder.
        let s4 = situation(EtatCampagne::Soumise, Some(4));
        let dus4 = rappels_dus(&s4, &Paliers::default(), Date::ymd(2025, 4, 20));
        assert_eq!(a_envoyer(A2024, 7, &s4, &dus4, &d, &deja).len(), 2);
    }

    #[test]
    fn une_prolongation_relance_les_paliers() {
        let d = Destinataires {
            collectivite: vec![10],
            etat: vec![],
        };
        let s = situation(EtatCampagne::EnCours, None);
        let jour = Date::ymd(2025, 3, 28);
        let dus = rappels_dus(&s, &Paliers::default(), jour);
        let deja: BTreeSet<CleRappel> = a_envoyer(A2024, 7, &s, &dus, &d, &BTreeSet::new())
            .into_iter()
            .collect();
        assert_eq!(deja.len(), 1);
        assert!(a_envoyer(A2024, 7, &s, &dus, &d, &deja).is_empty());
        // Extended to 30 April: on 27 April, 3 days left again: a new 3-day reminder.
        let prolongee = SituationRappel {
            echeance: Date::ymd(2025, 4, 30),
            ..s
        };
        let jour = Date::ymd(2025, 4, 27);
        let dus = rappels_dus(&prolongee, &Paliers::default(), jour);
        let cles = a_envoyer(A2024, 7, &prolongee, &dus, &d, &deja);
        assert_eq!(cles.len(), 1);
        assert_eq!(cles[0].echeance, Some(Date::ymd(2025, 4, 30)));
        assert_eq!(cles[0].palier, 3);
    }

    #[test]
    fn paliers_lus_et_bornes() {
        let p = Paliers::lire("3, 15,15", "1", "--jours-avant", "--jours-apres").unwrap();
        assert_eq!(p.avant, vec![15, 3]);
        assert_eq!(p.apres, vec![1]);
        assert!(Paliers::lire("", "", "a", "b").unwrap().avant.is_empty());
        let e = Paliers::lire("quinze", "1", "--jours-avant", "--jours-apres").unwrap_err();
        assert!(e.contains("--jours-avant") && e.contains("quinze"), "{e}");
        let e = Paliers::lire("15", "0", "--jours-avant", "--jours-apres").unwrap_err();
        assert!(e.contains("--jours-apres"), "{e}");
        let e = Paliers::lire("400", "1", "--jours-avant", "--jours-apres").unwrap_err();
        assert!(e.contains("366"), "{e}");
        // No tier: no deadline reminder at all.
        let vide = Paliers {
            avant: vec![],
            apres: vec![],
        };
        assert!(rappels_dus(&situation(EtatCampagne::EnCours, None), &vide, ECHEANCE).is_empty());
    }

    #[test]
    fn message_en_francais() {
        let m = message(
            MotifRappel::Echeance,
            "Département des Bouches-du-Rhône",
            A2024,
            EtatCampagne::EnCours,
            ECHEANCE,
            Date::ymd(2025, 3, 28),
            "https://pacte.exemple.gouv.fr/contrats/2/campagnes/2024",
        );
        assert_eq!(
            m.sujet,
            "[Pacte] Campagne 2024 : échéance le 31/03/2025 — Département des Bouches-du-Rhône"
        );
        assert!(m.corps.contains("dans 3 jour(s)"), "{}", m.corps);
        assert!(m.corps.contains("État : en cours de saisie"), "{}", m.corps);
        assert!(
            m.corps
                .contains("Page de la campagne : https://pacte.exemple.gouv.fr/contrats/2/campagnes/2024"),
            "{}",
            m.corps
        );
        let m = message(
            MotifRappel::Retard,
            "X",
            A2024,
            EtatCampagne::NonCommencee,
            ECHEANCE,
            Date::ymd(2025, 4, 15),
            "/contrats/2/campagnes/2024",
        );
        assert!(m.corps.contains("dépassée de 15 jour(s)"), "{}", m.corps);
        assert!(m.corps.contains("État : non commencée"), "{}", m.corps);
    }
}
