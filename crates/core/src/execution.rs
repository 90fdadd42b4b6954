//! The money of a contract after signature: notified amounts, avenants, payments, execution at
//! 31 December, carry-overs, reductions and recovery.
//!
//! Kept apart from the [`Contrat`] document: the contract says what was *planned*; an
//! [`Execution`] says what the State notified and paid and what the collectivity spent, year by
//! year, from 2024 to the recovery statement of 2028. Every figure a table, a page or a rule
//! shows is computed here, from these records, once.
//!
//! Sources (instruction of 27/10/2023, `004_…`): annexe 5 II.d (amounts renewed, reductions for
//! manifest under-consumption, the fourth year after the mid-term evaluation), annexe 5 VI.a
//! (annual financial avenants), annexe 8 art. 2.2 (annual support, reductions), art. 3 (one
//! annual payment, programme 304), art. 5 (no carry-over beyond the convention, *titre de
//! reversement*), annexe 10 (the Bilan and the recapitulative forecast). Rule codes
//! (`shared/analysis/rules.md`): R-FIN-05 to R-FIN-12, R-TAB-04, R-TAB-05. The readings the
//! sources leave open are listed in [`LECTURES`] and printed in `docs/REGLES.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::contrat::{Axe, Contrat, NumeroFiche};

/// Bounded texts and lists at reading (the contract file's limits), so that a file or an API
/// body that exceeds them is refused with the field's path.
mod bornes {
    use serde::de::{Deserialize, Deserializer, Error};

    use crate::contrat::{TEXTE_COURT_MAX, TEXTE_LONG_MAX, refus_longueur};

    /// A list of the execution: at most this many records (100 fiches × 4 years, five times).
    pub const LIGNES_EXECUTION_MAX: usize = 2_000;

    fn borne<E: Error>(t: String, max: usize) -> Result<String, E> {
        match refus_longueur(&t, max) {
            Some(m) => Err(E::custom(m)),
            None => Ok(t),
        }
    }

    pub fn court<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        borne(String::deserialize(d)?, TEXTE_COURT_MAX)
    }

    pub fn court_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| borne(t, TEXTE_COURT_MAX))
            .transpose()
    }

    pub fn long<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        borne(String::deserialize(d)?, TEXTE_LONG_MAX)
    }

    pub fn long_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| borne(t, TEXTE_LONG_MAX))
            .transpose()
    }

    pub fn lignes<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        let v = Vec::<T>::deserialize(d)?;
        if v.len() > LIGNES_EXECUTION_MAX {
            return Err(D::Error::custom(format!(
                "liste trop longue : {} lignes pour {LIGNES_EXECUTION_MAX} au plus",
                v.len()
            )));
        }
        Ok(v)
    }
}
use crate::{Annee, Date, Exercice, Montant};

/// The budget programme every State payment of the Pacte is charged to (A8 art. 3, R-FIN-10).
pub const PROGRAMME_304: u16 = 304;

/// Below this share of the State credits available in a year (paid + carried over into it), the
/// under-consumption of a fiche is « manifeste » (R-FIN-06; the sources give no threshold:
/// reading L-06 in [`LECTURES`]).
pub const SEUIL_SOUS_CONSOMMATION_POURCENT: u32 = 50;

/// The State amount notified for one axis and one year (annexe 8 art. 2.2, per axis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationAxe {
    pub axe: Axe,
    pub annee: Annee,
    pub etat: Montant,
}

/// The State participation notified for one fiche and one year: annexe 10 column A
/// (« Participation État notifiée pour la convention n »), which may differ from the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationFiche {
    pub fiche: NumeroFiche,
    pub annee: Annee,
    pub etat: Montant,
}

/// One fiche changed or added by an avenant, with its new amounts of the avenant's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LigneAvenant {
    pub fiche: NumeroFiche,
    /// The fiche is added by this avenant (it was not in the contract).
    #[serde(default)]
    pub ajoutee: bool,
    /// The title of an added fiche (a changed fiche keeps the contract's).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::court_opt"
    )]
    pub intitule: Option<String>,
    /// The State amount of the fiche for the avenant's year.
    pub etat: Montant,
    /// The collectivity's amount for that year, when the avenant changes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collectivite: Option<Montant>,
    /// Why the amount changes (a reduction decided under R-FIN-06, a new action…).
    #[serde(default, deserialize_with = "bornes::long")]
    pub motif: String,
}

/// A yearly financial avenant (A5 VI.a, R-FIN-09): it readjusts actions and amounts with the
/// express agreement of both parties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Avenant {
    pub annee: Annee,
    /// Date of the avenant (its signature).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Date of the State's express agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accord_etat: Option<Date>,
    /// Date of the collectivity's express agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accord_collectivite: Option<Date>,
    #[serde(default, deserialize_with = "bornes::lignes")]
    pub lignes: Vec<LigneAvenant>,
    /// The signed avenant, as a document attached to the contract (its id in the store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub piece: Option<i64>,
}

/// A State payment (A8 art. 3, R-FIN-10), entered by the State services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Versement {
    pub annee: Annee,
    pub date: Date,
    pub montant: Montant,
    /// Budget programme: 304 « Inclusion sociale et protection des personnes ».
    pub programme: u16,
    /// Chorus imputation: code …
    #[serde(default, deserialize_with = "bornes::court")]
    pub code_chorus: String,
    /// … and long label (annexe 10, recapitulative table, first column).
    #[serde(default, deserialize_with = "bornes::court")]
    pub libelle_chorus: String,
    /// The collectivity's bank details (IBAN), mandatory.
    #[serde(default, deserialize_with = "bornes::court")]
    pub iban: String,
    /// The authorising officer (the préfet) and the assigned accountant named in the contract.
    #[serde(default, deserialize_with = "bornes::court")]
    pub ordonnateur: String,
    #[serde(default, deserialize_with = "bornes::court")]
    pub comptable: String,
}

/// What a fiche spent in a year, at 31 December (entered by the collectivity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Realisation {
    pub fiche: NumeroFiche,
    pub annee: Annee,
    /// State credits consumed (Bilan, column A).
    pub etat: Montant,
    /// Collectivity credits consumed (Bilan, column C).
    pub collectivite: Montant,
    /// Other funders' money consumed.
    #[serde(default)]
    pub autres: Montant,
}

/// A carry-over of year `annee`'s unconsumed credits of a fiche into the next year (R-FIN-12),
/// decided in the annual management dialogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub fiche: NumeroFiche,
    /// The year whose credits are carried over (into `annee + 1`).
    pub annee: Annee,
    #[serde(default)]
    pub etat: Montant,
    #[serde(default)]
    pub collectivite: Montant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Proposed by the collectivity (its uploaded Bilan) and not yet confirmed by the State:
    /// counts in no figure until the State records it in the management dialogue (reading
    /// L-09).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub proposition: bool,
}

/// The commissaire's decision on a reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionReduction {
    pub montant: Montant,
    pub date: Date,
}

/// A reduction of year `annee`'s State credits of a fiche for manifest under-consumption in
/// `annee − 1` (R-FIN-06): proposed by [`propositions_reduction`], justified by the
/// collectivity, decided by the commissaire; a decided reduction flows into the next avenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reduction {
    pub fiche: NumeroFiche,
    /// The year whose credits are reduced.
    pub annee: Annee,
    pub proposee: Montant,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bornes::long_opt"
    )]
    pub justification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionReduction>,
}

/// Everything recorded about a contract's money after signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Execution {
    #[serde(default, deserialize_with = "bornes::lignes")]
    pub notifications_axes: Vec<NotificationAxe>,
    #[serde(default, deserialize_with = "bornes::lignes")]
    pub notifications: Vec<NotificationFiche>,
    #[serde(default, deserialize_with = "bornes::lignes")]
    pub avenants: Vec<Avenant>,
    #[serde(default, deserialize_with = "bornes::lignes")]
    pub versements: Vec<Versement>,
    #[serde(default, deserialize_with = "bornes::lignes")]
    pub realisations: Vec<Realisation>,
    #[serde(default, deserialize_with = "bornes::lignes")]
    pub reports: Vec<Report>,
    #[serde(default, deserialize_with = "bornes::lignes")]
    pub reductions: Vec<Reduction>,
}

/// The figures of one fiche in one year, all computed from an [`Execution`] and its contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AnneeFiche {
    /// State participation of the year: the last avenant's, else the notification, else the
    /// contract's plan (annexe 10 column A).
    pub etat_notifie: Montant,
    /// Collectivity credits allocated for the year (the last avenant's, else the plan).
    pub collectivite_affectee: Montant,
    /// Other funders planned for the year.
    pub autres_prevus: Montant,
    /// State credits paid this year for this fiche (see [`Execution::verse_fiche`]).
    pub etat_verse: Montant,
    /// Carry-overs received from the previous year.
    pub report_recu_etat: Montant,
    pub report_recu_collectivite: Montant,
    pub realise_etat: Montant,
    pub realise_collectivite: Montant,
    pub realise_autres: Montant,
    /// State credits of the year not consumed: paid + carried over into the year − realised
    /// (reading L-01). Negative when more was spent than was available (R-TAB-04).
    pub etat_non_consomme: Montant,
    /// Collectivity credits not consumed: allocated + carried over into the year − realised.
    pub collectivite_non_consommee: Montant,
    /// Carry-overs into the next year.
    pub report_etat: Montant,
    pub report_collectivite: Montant,
}

impl Execution {
    /// The avenant lines of `annee` for `fiche`, in the order they apply: by the avenant's date
    /// (undated last), then by position in the record.
    fn lignes_avenant(&self, fiche: NumeroFiche, annee: Annee) -> impl Iterator<Item = &LigneAvenant> {
        let mut avenants: Vec<(usize, &Avenant)> = self
            .avenants
            .iter()
            .enumerate()
            .filter(|(_, a)| a.annee == annee)
            .collect();
        avenants.sort_by_key(|(i, a)| (a.date.is_none(), a.date, *i));
        avenants
            .into_iter()
            .flat_map(move |(_, a)| a.lignes.iter().filter(move |l| l.fiche == fiche))
    }

    /// The fiche's State amount of a year, when notified: the last avenant's (R-FIN-09), else
    /// the notification (annexe 10 column A). `None` when nothing was notified.
    pub fn etat_notifie(&self, fiche: NumeroFiche, annee: Annee) -> Option<Montant> {
        self.lignes_avenant(fiche, annee)
            .last()
            .map(|l| l.etat)
            .or_else(|| {
                self.notifications
                    .iter()
                    .rev()
                    .find(|n| n.fiche == fiche && n.annee == annee)
                    .map(|n| n.etat)
            })
    }

    /// The State amount notified for an axis and a year (the last notification recorded).
    pub fn notifie_axe(&self, axe: Axe, annee: Annee) -> Option<Montant> {
        self.notifications_axes
            .iter()
            .rev()
            .find(|n| n.axe == axe && n.annee == annee)
            .map(|n| n.etat)
    }

    /// Total State payments of a year (A8 art. 3: one a year, possibly completed).
    pub fn verse(&self, annee: Annee) -> Montant {
        self.versements
            .iter()
            .filter(|v| v.annee == annee)
            .map(|v| v.montant)
            .sum()
    }

    /// The Chorus imputation of a year's payments, `code - libellé` (distinct ones joined).
    pub fn imputation_chorus(&self, annee: Annee) -> String {
        let mut vus: Vec<String> = Vec::new();
        for v in self.versements.iter().filter(|v| v.annee == annee) {
            let t = match (v.code_chorus.trim(), v.libelle_chorus.trim()) {
                ("", "") => continue,
                (c, "") => c.to_string(),
                ("", l) => l.to_string(),
                (c, l) => format!("{c} - {l}"),
            };
            if !vus.contains(&t) {
                vus.push(t);
            }
        }
        vus.join(" ; ")
    }

    /// The fiche's realised amounts of a year (State, collectivity, others), zero if none.
    fn realisation(&self, fiche: NumeroFiche, annee: Annee) -> (Montant, Montant, Montant) {
        self.realisations
            .iter()
            .rev()
            .find(|r| r.fiche == fiche && r.annee == annee)
            .map(|r| (r.etat, r.collectivite, r.autres))
            .unwrap_or_default()
    }

    fn report(&self, fiche: NumeroFiche, annee: Annee) -> (Montant, Montant) {
        self.reports
            .iter()
            .filter(|r| r.fiche == fiche && r.annee == annee && !r.proposition)
            .fold((Montant::ZERO, Montant::ZERO), |(e, c), r| {
                (e + r.etat, c + r.collectivite)
            })
    }

    /// The decided reduction of a fiche's State credits of `annee` (sum of the decisions).
    pub fn reduction_decidee(&self, fiche: NumeroFiche, annee: Annee) -> Montant {
        self.reductions
            .iter()
            .filter(|r| r.fiche == fiche && r.annee == annee)
            .filter_map(|r| r.decision.map(|d| d.montant))
            .sum()
    }
}

/// The title of a fiche: the contract's, else the one an avenant that added it gives.
pub fn intitule_fiche(contrat: &Contrat, execution: &Execution, fiche: NumeroFiche) -> String {
    contrat
        .fiche(fiche)
        .map(|f| f.intitule.clone())
        .or_else(|| {
            execution
                .avenants
                .iter()
                .flat_map(|a| &a.lignes)
                .filter(|l| l.fiche == fiche)
                .find_map(|l| l.intitule.clone())
        })
        .unwrap_or_else(|| format!("Action {fiche}"))
}

/// Every fiche number of the contract and of the avenants (added fiches), in order.
pub fn fiches_executees(contrat: &Contrat, execution: &Execution) -> Vec<NumeroFiche> {
    let mut n: Vec<NumeroFiche> = contrat.fiches.iter().map(|f| f.numero).collect();
    for a in &execution.avenants {
        n.extend(a.lignes.iter().map(|l| l.fiche));
    }
    n.sort();
    n.dedup();
    n
}

/// The State amount of a fiche and year before any payment: notified, else planned.
pub fn etat_prevu(contrat: &Contrat, execution: &Execution, fiche: NumeroFiche, annee: Annee) -> Montant {
    execution.etat_notifie(fiche, annee).unwrap_or_else(|| {
        contrat
            .fiche(fiche)
            .map(|f| f.financement.etat(annee))
            .unwrap_or_default()
    })
}

/// The collectivity's amount of a fiche and year: the last avenant's, else planned.
pub fn collectivite_prevue(
    contrat: &Contrat,
    execution: &Execution,
    fiche: NumeroFiche,
    annee: Annee,
) -> Montant {
    execution
        .lignes_avenant(fiche, annee)
        .filter_map(|l| l.collectivite)
        .last()
        .unwrap_or_else(|| {
            contrat
                .fiche(fiche)
                .map(|f| f.financement.collectivite(annee))
                .unwrap_or_default()
        })
}

fn autres_prevus(contrat: &Contrat, fiche: NumeroFiche, annee: Annee) -> Montant {
    contrat
        .fiche(fiche)
        .map(|f| f.financement.autres(annee))
        .unwrap_or_default()
}

/// The State payments of a year shared between its fiches (reading L-05): one annual payment
/// per contract (A8 art. 3) pays the notified amounts; each fiche gets its share of the
/// payment in proportion to its State amount of the year, to the cent, the remaining cents
/// going to the largest remainders (then the first fiches), so that the shares add up to the
/// payment exactly. Without any State amount that year, nothing is shared.
pub fn repartition_versements(
    contrat: &Contrat,
    execution: &Execution,
    annee: Annee,
) -> BTreeMap<NumeroFiche, Montant> {
    let fiches = fiches_executees(contrat, execution);
    let bases: Vec<(NumeroFiche, i128)> = fiches
        .iter()
        .map(|&f| (f, etat_prevu(contrat, execution, f, annee).en_centimes() as i128))
        .collect();
    let total_base: i128 = bases.iter().map(|(_, b)| *b).sum();
    let verse = execution.verse(annee).en_centimes() as i128;
    let mut parts: BTreeMap<NumeroFiche, Montant> = BTreeMap::new();
    if total_base <= 0 {
        return parts;
    }
    let mut restes: Vec<(i128, usize)> = Vec::new();
    let mut distribue = 0i128;
    for (i, (f, b)) in bases.iter().enumerate() {
        let p = verse * b;
        let q = p.div_euclid(total_base);
        distribue += q;
        restes.push((p.rem_euclid(total_base), i));
        parts.insert(*f, Montant::centimes(q as i64));
    }
    restes.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut a_donner = verse - distribue;
    for (_, i) in restes {
        if a_donner <= 0 {
            break;
        }
        let f = bases[i].0;
        *parts.get_mut(&f).expect("part") += Montant::centimes(1);
        a_donner -= 1;
    }
    parts
}

/// Every figure of every fiche and year, computed in year order (a year's carry-overs are the
/// next year's received ones).
#[derive(Debug, Clone, Serialize)]
pub struct SituationFinanciere {
    pub annees: BTreeMap<Annee, BTreeMap<NumeroFiche, AnneeFiche>>,
}

impl SituationFinanciere {
    pub fn fiche(&self, fiche: NumeroFiche, annee: Annee) -> AnneeFiche {
        self.annees
            .get(&annee)
            .and_then(|a| a.get(&fiche))
            .copied()
            .unwrap_or_default()
    }

    pub fn annee(&self, annee: Annee) -> impl Iterator<Item = (&NumeroFiche, &AnneeFiche)> {
        self.annees.get(&annee).into_iter().flat_map(|m| m.iter())
    }
}

/// The money of a contract per fiche and year, from 2024 to 2027.
pub fn situation(contrat: &Contrat, execution: &Execution) -> SituationFinanciere {
    let fiches = fiches_executees(contrat, execution);
    let mut annees = BTreeMap::new();
    let mut precedente: BTreeMap<NumeroFiche, AnneeFiche> = BTreeMap::new();
    for annee in Annee::TOUTES {
        let verses = repartition_versements(contrat, execution, annee);
        let mut cette: BTreeMap<NumeroFiche, AnneeFiche> = BTreeMap::new();
        for &f in &fiches {
            let (realise_etat, realise_collectivite, realise_autres) = execution.realisation(f, annee);
            let (report_etat, report_collectivite) = execution.report(f, annee);
            let avant = precedente.get(&f).copied().unwrap_or_default();
            let etat_verse = verses.get(&f).copied().unwrap_or_default();
            let collectivite_affectee = collectivite_prevue(contrat, execution, f, annee);
            let report_recu_etat = avant.report_etat;
            let report_recu_collectivite = avant.report_collectivite;
            cette.insert(
                f,
                AnneeFiche {
                    etat_notifie: etat_prevu(contrat, execution, f, annee),
                    collectivite_affectee,
                    autres_prevus: autres_prevus(contrat, f, annee),
                    etat_verse,
                    report_recu_etat,
                    report_recu_collectivite,
                    realise_etat,
                    realise_collectivite,
                    realise_autres,
                    etat_non_consomme: etat_verse + report_recu_etat - realise_etat,
                    collectivite_non_consommee: collectivite_affectee + report_recu_collectivite
                        - realise_collectivite,
                    report_etat,
                    report_collectivite,
                },
            );
        }
        precedente = cette.clone();
        annees.insert(annee, cette);
    }
    SituationFinanciere { annees }
}

/// A reduction the rules propose (R-FIN-06), before any decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PropositionReduction {
    pub fiche: NumeroFiche,
    /// The year whose credits would be reduced.
    pub annee: Annee,
    /// State credits available in `annee − 1` (paid + carried over into it).
    pub disponible: Montant,
    pub realise: Montant,
    /// The proposed reduction: the unconsumed State credits of `annee − 1` that were not
    /// carried over, at most the fiche's State amount of `annee` (reading L-06).
    pub montant: Montant,
}

/// The planned trajectory explains an under-consumption when the fiche planned less State money
/// in `annee` than it was paid, or starts after 30 June of that year (reading L-06).
fn trajectoire_explique(contrat: &Contrat, fiche: NumeroFiche, annee: Annee, disponible: Montant) -> bool {
    let Some(f) = contrat.fiche(fiche) else {
        return false;
    };
    let milieu = Date::ymd(annee.valeur() as i32, 6, 30);
    f.financement.etat(annee) < disponible || f.debut.is_some_and(|d| d > milieu)
}

/// The reductions of year `annee` proposed for manifest under-consumption in `annee − 1`
/// (R-FIN-06): a fiche that consumed less than [`SEUIL_SOUS_CONSOMMATION_POURCENT`] % of the
/// State credits available to it, not explained by its planned trajectory.
pub fn propositions_reduction(
    contrat: &Contrat,
    execution: &Execution,
    situation: &SituationFinanciere,
    annee: Annee,
) -> Vec<PropositionReduction> {
    let Some(precedente) = Annee::new(annee.valeur() as i64 - 1).ok() else {
        return Vec::new();
    };
    let mut propositions = Vec::new();
    for (&fiche, a) in situation.annee(precedente) {
        let disponible = a.etat_verse + a.report_recu_etat;
        if disponible.est_nul()
            || a.realise_etat
                .au_moins_pourcentage_de(SEUIL_SOUS_CONSOMMATION_POURCENT, disponible)
            || trajectoire_explique(contrat, fiche, precedente, disponible)
        {
            continue;
        }
        let non_reporte = a.etat_non_consomme - a.report_etat;
        let plafond = etat_prevu(contrat, execution, fiche, annee);
        let montant = non_reporte.min(plafond).max(Montant::ZERO);
        if montant.est_nul() {
            continue;
        }
        propositions.push(PropositionReduction {
            fiche,
            annee,
            disponible,
            realise: a.realise_etat,
            montant,
        });
    }
    propositions
}

/// One line of the recovery statement (R-FIN-11): what the State paid a fiche over the
/// convention and what it consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LigneReversement {
    pub fiche: NumeroFiche,
    pub verse: Montant,
    pub realise_etat: Montant,
    /// The *titre de reversement*: paid − realised, when positive (reading L-08: State-funded
    /// expenses only).
    pub reversement: Montant,
}

/// The recovery statement drawn up in 2028 (A8 art. 5, R-FIN-11, R-FIN-12): per fiche, State
/// payments of 2024-2027 against the State credits consumed. Unconsumed credits that were not
/// carried over stay due (reading L-04), so this is the cash balance over the four years.
pub fn releve_reversement(situation: &SituationFinanciere) -> Vec<LigneReversement> {
    let mut par_fiche: BTreeMap<NumeroFiche, (Montant, Montant)> = BTreeMap::new();
    for annee in Annee::TOUTES {
        for (&f, a) in situation.annee(annee) {
            let e = par_fiche.entry(f).or_default();
            e.0 += a.etat_verse;
            e.1 += a.realise_etat;
        }
    }
    par_fiche
        .into_iter()
        .map(|(fiche, (verse, realise_etat))| LigneReversement {
            fiche,
            verse,
            realise_etat,
            reversement: (verse - realise_etat).max(Montant::ZERO),
        })
        .collect()
}

/// The budget year of a recovery: the year after the convention.
pub const EXERCICE_REVERSEMENT: Exercice = Exercice::TOUS[4];

/// R-FIN-07's indicator side: the mid-term evaluation may revise 2027 downward for an action
/// whose target is reached at less than 50 %. Indicators and their campaigns are not part of
/// this module; whoever holds them implements this trait and the 2027 proposals read it.
pub trait AtteinteCibles {
    /// The attainment of a fiche's targets for the reference year, in percent, if known.
    fn atteinte_pourcent(&self, fiche: NumeroFiche) -> Option<u32>;
}

/// The fiches whose 2027 amount may be revised downward after the mid-term evaluation
/// (R-FIN-07): attainment below 50 %, as told by `indicateurs`.
pub fn candidates_revision_2027(contrat: &Contrat, indicateurs: &dyn AtteinteCibles) -> Vec<NumeroFiche> {
    contrat
        .fiches
        .iter()
        .map(|f| f.numero)
        .filter(|&n| indicateurs.atteinte_pourcent(n).is_some_and(|p| p < 50))
        .collect()
}

/// A plausible execution of 2024 and 2025 for a contract, deterministic in `graine`: the
/// planned amounts notified and paid in one annual payment, 80 to 99 % of them realised, some
/// carry-overs, and one fiche (the second) that consumed 30 % of its 2024 credits (R-FIN-06).
/// For benchmarks, spreadsheet tests and demonstrations.
pub fn execution_simulee(contrat: &Contrat, graine: usize) -> Execution {
    let mut e = Execution::default();
    let annees = [Annee::TOUTES[0], Annee::TOUTES[1]];
    for (k, &annee) in annees.iter().enumerate() {
        let mut total = Montant::ZERO;
        for (i, f) in contrat.fiches.iter().enumerate() {
            let etat = f.financement.etat(annee);
            let cd = f.financement.collectivite(annee);
            total += etat;
            e.notifications.push(NotificationFiche {
                fiche: f.numero,
                annee,
                etat,
            });
            let taux = if i == 1 && k == 0 {
                30
            } else {
                80 + ((graine + 7 * i + 3 * k) % 20) as u32
            };
            let realise_etat = Montant::pourcentage_plafond(etat, taux);
            let realise_cd = Montant::pourcentage_plafond(cd, taux.max(85));
            e.realisations.push(Realisation {
                fiche: f.numero,
                annee,
                etat: realise_etat,
                collectivite: realise_cd,
                autres: f.financement.autres(annee),
            });
            if k == 0 && (i % 3 == 0 || i == 1) {
                e.reports.push(Report {
                    fiche: f.numero,
                    annee,
                    etat: Montant::pourcentage_plafond(etat - realise_etat, 50),
                    collectivite: if i % 4 == 0 {
                        cd - realise_cd
                    } else {
                        Montant::ZERO
                    },
                    date: Some(Date::ymd(annee.valeur() as i32 + 1, 3, 20)),
                    proposition: false,
                });
            }
        }
        for axe in Axe::TOUS {
            let etat: Montant = contrat
                .fiches
                .iter()
                .filter(|f| f.axe() == axe)
                .map(|f| f.financement.etat(annee))
                .sum();
            if !etat.est_nul() {
                e.notifications_axes.push(NotificationAxe { axe, annee, etat });
            }
        }
        e.versements.push(Versement {
            annee,
            date: Date::ymd(annee.valeur() as i32, 6, 15),
            montant: total,
            programme: PROGRAMME_304,
            code_chorus: "0304-17-05".into(),
            libelle_chorus: "Stratégie de prévention et de lutte contre la pauvreté".into(),
            iban: "FR76 3000 1007 9412 3456 7890 185".into(),
            ordonnateur: "Le préfet de région".into(),
            comptable: "Le directeur régional des finances publiques".into(),
        });
    }
    e
}

/// An execution as a TOML file (read back by `fichier::lire_toml_en`).
pub fn ecrire_toml(execution: &Execution) -> String {
    toml::to_string_pretty(execution).expect("an Execution always serializes to TOML")
}

/// A reading adopted where the sources are silent or contradict each other, with its source.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Lecture {
    pub code: &'static str,
    pub question: &'static str,
    pub lecture: &'static str,
    pub source: &'static str,
}

/// The readings of the execution and the annexe 10 tables (printed in `docs/REGLES.md` and,
/// where they matter, under the tables).
pub const LECTURES: &[Lecture] = &[
    Lecture {
        code: "L-01",
        question: "Crédits État non consommés après 2024 : la colonne « B Crédits État 2024 non consommés » ne vaut que pour 2024.",
        lecture: "Les crédits non consommés d'une année sont les crédits versés dans l'année, plus les reports reçus de l'année précédente, moins le montant État réalisé : un crédit reporté puis dépensé l'année suivante est consommé cette année-là. Le Bilan porte une colonne supplémentaire « Reports reçus de n-1 – part État » pour que B = versés + reports reçus − A soit une formule vivante.",
        source: "Annexe 10, BILAN 2024 (« Crédits État 2024 non consommés en 2024 ») ; annexe 10, PREVISIONNEL 2025 (« I Budget total État prévu pour 2025 (F+H) ») : un report s'ajoute au budget de l'année suivante.",
    },
    Lecture {
        code: "L-02",
        question: "Le Bilan n'a de colonne ni pour les reports reçus ni pour les crédits CD non consommés.",
        lecture: "Le Bilan garde les colonnes de l'instruction et ajoute à droite les reports reçus de n-1 (part État) ; les crédits CD non consommés (CD affectés + reports CD reçus − CD réalisé) figurent dans le prévisionnel récapitulatif (colonne D) et bornent le report CD (R-FIN-12).",
        source: "Annexe 10, BILAN 2024 et PREVISIONNEL 2025 (« D Crédits CD 2024 non consommés »).",
    },
    Lecture {
        code: "L-03",
        question: "Le total réalisé du Bilan (A+C) omet les autres financeurs, alors que le récapitulatif suit E ; dans le récapitulatif, A est versé (trésorerie) mais C est affecté.",
        lecture: "Le Bilan garde « Montant total réalisé (A+C) » tel qu'imprimé (État et CD seulement). Le « Montant total réalisé au 31/12 » du récapitulatif est le réalisé complet : État + CD + autres financeurs réalisés, saisi au 31 décembre (non déduit des colonnes A à E, qui mêlent versé et affecté).",
        source: "Annexe 10, BILAN 2024 (« Montant total réalisé au 31/12/2024 (A+C) ») ; PREVISIONNEL 2025 (colonnes A « versés », C « affectés », E, « Montant total réalisé au 31/12/2024 »).",
    },
    Lecture {
        code: "L-04",
        question: "Que deviennent les crédits non consommés qui ne sont pas reportés ?",
        lecture: "Ils restent dus à l'État et entrent dans le titre de reversement de fin de convention : par fiche, la somme des versements 2024-2027 moins la somme des montants État réalisés. Une réduction décidée (R-FIN-06) diminue la participation de l'année suivante, pas ce solde.",
        source: "Annexe 8, article 5 (« titre de reversement … si les dépenses réalisées … étaient inférieures au versement effectué ») ; annexe 5, II.d.",
    },
    Lecture {
        code: "L-05",
        question: "Un versement annuel par contrat (annexe 8, article 3) contre des cellules « versés » par fiche et un code Chorus par ligne.",
        lecture: "Le versement de l'année (un, éventuellement complété) est réparti entre les fiches au prorata de leur participation État de l'année, au centime, les centimes restants allant aux plus grands restes : la somme des lignes égale le versement. La colonne Chorus de chaque ligne porte l'imputation des versements de l'année.",
        source: "Annexe 8, article 3 (« La contribution fera l'objet d'un versement annuel ») ; annexe 10, PREVISIONNEL 2025 (« Imputation chorus », « A Crédits État versés en 2024 »).",
    },
    Lecture {
        code: "L-06",
        question: "R-FIN-06 ne donne pas de seuil pour « manifeste » et ses années glissent entre l'annexe 5 (n-1 → n) et l'annexe 8 (n → n+1).",
        lecture: "Sous-consommation manifeste : moins de 50 % des crédits État disponibles d'une fiche (versés + reports reçus) consommés en n-1, sans que la trajectoire l'explique (fiche qui prévoyait moins que ce qu'elle a reçu, ou qui démarrait après le 30 juin). La réduction proposée de l'année n est la part non consommée et non reportée, au plus la participation État de n. Les deux annexes disent la même chose : le bilan d'une année réduit l'année qui suit.",
        source: "Annexe 5, II.d (« si l'exécution comptable des actions en année n-1 fait état d'une sous-consommation manifeste ») ; annexe 8, article 2.2 (mêmes termes, années n et n+1).",
    },
    Lecture {
        code: "L-07",
        question: "Le tableau imprime « K Budget total CD prévu pour 2025 (G+I) ».",
        lecture: "K = G + J (report CD + crédits CD affectés) : I est le budget total État ; G + I mêlerait l'argent de l'État et celui de la collectivité (X-01). Une note sous le tableau le dit.",
        source: "Annexe 10, PREVISIONNEL 2025, colonne K.",
    },
    Lecture {
        code: "L-08",
        question: "Les « dépenses réalisées » de l'annexe 8, article 5, sont-elles la part financée par l'État ou toute l'action ?",
        lecture: "La part financée par l'État : le titre de reversement porte sur les crédits État versés et non consommés. Compter les dépenses de toute l'action laisserait la part de la collectivité couvrir des crédits État non dépensés, contre le cofinancement 50/50 action par action.",
        source: "Annexe 8, article 5 ; annexe 5, II.b (cofinancement à parité action par action).",
    },
    Lecture {
        code: "L-09",
        question: "Le Bilan rempli par la collectivité porte des reports, mais le report est décidé lors du dialogue de gestion annuel.",
        lecture: "Les reports du Bilan importé sont enregistrés comme propositions de la collectivité : ils n'entrent dans aucun chiffre ni aucun tableau tant que les services de l'État ne les ont pas confirmés, avec la date de la décision (R-FIN-12 bornant chaque part). Une proposition identique à un report déjà décidé n'est pas répétée ; un nouveau Bilan remplace les propositions de son année.",
        source: "Annexe 5, VI.a (dialogue de gestion annuel) ; annexe 10, BILAN 2024 (« Montant reporté sur 2025 »).",
    },
];

pub mod saisie;

#[cfg(test)]
mod tests;
