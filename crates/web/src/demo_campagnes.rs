//! The campaigns of the demonstration (issue 15), played through the store's audited writes
//! as the roles would: the 2024 campaign completed for the signed contracts of the national
//! set — most validated, some submitted after the deadline, a few never submitted, the
//! Bouches-du-Rhône département's returned with a remark and corrected —, the 2025 campaign
//! open with a few contracts entered, submitted or validated, and the mid-term evaluation
//! played for the contracts whose 2025 figures are validated (report dates, a decision on
//! the fiches below 50 % of their target).
//!
//! The demonstration is played on the day it is loaded: 2024's deadline (31 March 2025) has
//! passed, so the contracts that submit on time do so under an extension the DDETS granted.

use pacte_core::campagne::{
    self, CleValeur, DecisionMiParcours, NatureIndicateur, RapportMiParcours, Transition, ValeurSaisie,
};
use pacte_core::contrat::EtatContrat;
use pacte_core::{Annee, Contrat, Date, Montant, Valeur};
use pacte_store::campagnes::NouvelleDecision;
use pacte_store::{Base, ErreurStore};

use crate::campagnes::{garde_saisie, garde_transition};
use crate::demo::ACTEUR_DEMO;

const A2024: Annee = Annee::TOUTES[0];
const A2025: Annee = Annee::TOUTES[1];

/// The actors of the demonstration's writes, as the audit log names them.
const COLLECTIVITE: &str = "demo:collectivite";
const DDETS: &str = "demo:ddets";
const COMMISSAIRE: &str = "demo:commissaire";

/// The share of the way from T0 to the target a fiche's figures reach, in percent, by contract
/// and fiche: mostly 70 to 120 %, and the third fiche of every fifth contract at 40 % (below
/// R-FIN-07's threshold).
fn part(contrat: usize, fiche: usize) -> i64 {
    if contrat.is_multiple_of(5) && fiche == 2 {
        40
    } else {
        70 + ((contrat * 7 + fiche * 13) % 51) as i64
    }
}

/// Figures for every expected line: T0 + part × (target − T0); NI-2.3's categories split
/// NI-2.1 exactly (R-NI-2.3); NI-1.2 alone on its fiche (R-NI-1.2).
fn valeurs(contrat: &Contrat, annee: Annee, k: usize) -> Vec<ValeurSaisie> {
    let lignes = campagne::lignes_attendues(contrat, annee);
    let rang = |fiche| contrat.fiches.iter().position(|f| f.numero == fiche).unwrap_or(0);
    let avec_ni12: Vec<_> = lignes
        .iter()
        .filter(|l| l.cle.indicateur == "NI-1.2")
        .map(|l| l.cle.fiche)
        .collect();
    let mut v: Vec<ValeurSaisie> = Vec::new();
    for l in &lignes {
        let p = part(k, rang(l.cle.fiche));
        let t0 = l.t0.map_or(0, Valeur::en_centiemes);
        let realise = match (&l.cle.nature, l.cle.indicateur.as_str(), l.cle.ventilation) {
            (NatureIndicateur::National, "NI-2.3", _) => continue,
            (NatureIndicateur::National, code, 0) if code != "NI-1.2" && avec_ni12.contains(&l.cle.fiche) => {
                0
            }
            _ => match l.cible {
                Some(c) => (t0 + (c.en_centiemes() - t0) * p / 100).max(0),
                None => 1_000,
            },
        };
        // Whole units: counts of people.
        let realise = realise / 100 * 100;
        v.push(ValeurSaisie {
            realise: Some(Valeur::centiemes(realise)),
            ..ValeurSaisie::vide(l.cle.clone())
        });
    }
    // NI-2.3: a half, a third and the rest of NI-2.1 of the same fiche.
    for l in lignes
        .iter()
        .filter(|l| l.cle.indicateur == "NI-2.3" && l.cle.ventilation == 1)
    {
        let total = v
            .iter()
            .find(|x| x.cle == CleValeur::national(l.cle.fiche, "NI-2.1"))
            .and_then(|x| x.realise)
            .map_or(0, Valeur::en_centiemes)
            / 100;
        let (a, b) = (total / 2, total / 3);
        for (i, n) in [(1, a), (2, b), (3, total - a - b)] {
            v.push(ValeurSaisie {
                realise: Some(Valeur::entier(n)),
                ..ValeurSaisie::vide(CleValeur {
                    ventilation: i,
                    ..l.cle.clone()
                })
            });
        }
    }
    v
}

/// Saves the figures and submits them; returns the version.
async fn saisir_et_soumettre(
    base: &Base,
    annee: Annee,
    id: i64,
    version: i64,
    v: Vec<ValeurSaisie>,
) -> Result<i64, ErreurStore> {
    base.enregistrer_valeurs(annee, id, version, COLLECTIVITE, garde_saisie(annee, v))
        .await?;
    base.changer_etat_campagne(
        annee,
        id,
        version + 1,
        Transition::Soumettre,
        None,
        &[],
        COLLECTIVITE,
        garde_transition(annee, Transition::Soumettre),
    )
    .await?;
    Ok(version + 2)
}

async fn valider(base: &Base, annee: Annee, id: i64, version: i64) -> Result<i64, ErreurStore> {
    base.changer_etat_campagne(
        annee,
        id,
        version,
        Transition::Valider,
        None,
        &[],
        DDETS,
        garde_transition(annee, Transition::Valider),
    )
    .await?;
    Ok(version + 1)
}

/// Plays the campaigns on the demonstration contracts `ids` (those of `demo::charger_complet`).
pub async fn jouer(base: &Base, ids: &[i64]) -> Result<(), ErreurStore> {
    base.ouvrir_campagne(A2024, campagne::echeance_par_defaut(A2024), ACTEUR_DEMO)
        .await?;
    base.ouvrir_campagne(A2025, campagne::echeance_par_defaut(A2025), ACTEUR_DEMO)
        .await?;
    let mut signes = Vec::new();
    for &id in ids {
        let c = base.contrat(id).await?.contrat;
        if matches!(
            c.contrat.etat,
            EtatContrat::Signe | EtatContrat::EnExecution | EtatContrat::Evalue
        ) {
            signes.push((id, c));
        }
    }
    let prolongation = pacte_store::horloge::instant().jour_a_paris();
    let prolongation = Date::ymd(prolongation.annee() + 1, 3, 31);
    for (k, (id, c)) in signes.iter().enumerate() {
        let id = *id;
        // 2024: one in eight never submitted (missing, late), one in eight submitted after the
        // deadline, the others under an extension; the Bouches-du-Rhône département (the
        // second demonstration contract) returned with a remark on its first figure and
        // corrected; every submitted contract validated but one in six still under review.
        if k % 8 == 7 {
            if k % 16 == 7 {
                let mut v = valeurs(c, A2024, k);
                v.truncate(v.len() / 2);
                base.enregistrer_valeurs(A2024, id, 0, COLLECTIVITE, garde_saisie(A2024, v))
                    .await?;
            }
            continue;
        }
        let mut version = 0;
        if k % 8 != 3 {
            base.prolonger_campagne(A2024, id, 0, Some(prolongation), DDETS, |_, _| Ok(()))
                .await?;
            version = 1;
        }
        version = saisir_et_soumettre(base, A2024, id, version, valeurs(c, A2024, k)).await?;
        if Some(&id) == ids.get(1) {
            let premiere = campagne::lignes_attendues(c, A2024)
                .into_iter()
                .next()
                .map(|l| l.cle);
            let remarques: Vec<(CleValeur, String)> = premiere
                .map(|cle| (cle, "Ce chiffre est en baisse de moitié sur 2023 sans commentaire : vérifier le périmètre.".to_string()))
                .into_iter()
                .collect();
            base.changer_etat_campagne(
                A2024,
                id,
                version,
                Transition::Renvoyer,
                None,
                &remarques,
                DDETS,
                |_, _, _| Ok(()),
            )
            .await?;
            let mut v = valeurs(c, A2024, k);
            if let Some(x) = v.first_mut() {
                x.commentaire =
                    Some("Chiffre vérifié : les permanences de l'été ont été ajoutées au décompte.".into());
            }
            version = saisir_et_soumettre(base, A2024, id, version + 1, v).await?;
        }
        if k % 6 != 5 {
            valider(base, A2024, id, version).await?;
        }
    }
    // 2025: open; a few contracts validated (they carry the mid-term evaluation), a few
    // submitted, a few in progress, the others not started.
    for (k, (id, c)) in signes.iter().enumerate() {
        let id = *id;
        let v = valeurs(c, A2025, k);
        match k % 4 {
            0 if k < 24 => {
                let version = saisir_et_soumettre(base, A2025, id, 0, v).await?;
                valider(base, A2025, id, version).await?;
                mi_parcours(base, id, c, k).await?;
            }
            1 => {
                saisir_et_soumettre(base, A2025, id, 0, v).await?;
            }
            2 => {
                let mut v = v;
                v.truncate(v.len() / 3);
                base.enregistrer_valeurs(A2025, id, 0, COLLECTIVITE, garde_saisie(A2025, v))
                    .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The mid-term evaluation of one contract: its simulated 2024-2025 execution when none is
/// recorded, the report deliberated and sent, and the commissaire's decision on every fiche
/// that is a candidate for a revision (the proposal retained, or halfway for every other one).
async fn mi_parcours(base: &Base, id: i64, c: &Contrat, k: usize) -> Result<(), ErreurStore> {
    let stockee = base.execution(id).await?;
    if stockee.tampon.version == 0 {
        let e = pacte_core::execution::execution_simulee(c, k);
        base.enregistrer_execution(id, 0, ACTEUR_DEMO, move |_, _| Ok(e))
            .await?;
    }
    let rapport = RapportMiParcours {
        date_deliberation: Some(Date::ymd(2026, 3, 12)),
        date_envoi: Some(Date::ymd(2026, 3, if k.is_multiple_of(8) { 20 } else { 27 })),
    };
    base.enregistrer_rapport_mi_parcours(id, 0, rapport, COLLECTIVITE, |_, _| Ok(()))
        .await?;
    let execution = base.execution(id).await?.execution;
    let valeurs = base.valeurs_campagne(A2025, id).await?;
    let atteintes = campagne::atteintes(c, A2025, &valeurs);
    let decisions: Vec<NouvelleDecision> = campagne::evaluation_mi_parcours(c, &execution, &atteintes)
        .into_iter()
        .filter_map(|l| {
            let propose = l.etat_2027_propose?;
            let decide = if k.is_multiple_of(8) {
                propose
            } else {
                Montant::centimes((l.etat_2027_prevu.en_centimes() + propose.en_centimes()) / 2)
            };
            Some(NouvelleDecision {
                decision: DecisionMiParcours {
                    fiche: l.fiche,
                    etat_2027: decide,
                    motif: "Dialogue de gestion du printemps 2026 : cible 2025 ou consommation sous 50 %, \
                            crédits 2027 ajustés avec l'accord de la collectivité."
                        .into(),
                },
                etat_2027_prevu: l.etat_2027_prevu,
                etat_2027_propose: l.etat_2027_propose,
            })
        })
        .collect();
    if !decisions.is_empty() {
        base.decider_mi_parcours(id, 1, decisions, COMMISSAIRE, |_, _| Ok(()))
            .await?;
    }
    Ok(())
}
