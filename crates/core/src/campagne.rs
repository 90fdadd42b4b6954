//! The yearly indicator campaigns and the mid-term evaluation ([004] annexe 5 III-IV,
//! annexe 6, annexe 8 art. 2.3 and 4).
//!
//! - A campaign of year n is reported by 31 March n+1 (R-REP-01), a deadline configurable per
//!   campaign and extended per contract. Per contract a state: not started → in progress →
//!   submitted → (returned → in progress →) validated; each transition has its right
//!   ([`Transition::action`], decided by [`crate::droits::decider`]).
//! - An entry is one figure: per fiche, per indicator (national or local) and, for NI-2.3, per
//!   breakdown, the value realised in year n, beside the target of the year and a comment
//!   (R-REP-02), with a method-change note and its quantified effect (R-REP-03).
//! - Attainment is measured from T0: `(realised − T0) / (target − T0)`, exact to the
//!   millionth (floored), so that « exactly 50 % » passes and one hundredth below fails.
//! - The mid-term evaluation (R-EVAL-01/02, R-FIN-07) puts each fiche's attainment beside its
//!   credit consumption (from [`crate::execution::situation`]) and proposes a 2027 amount.
//!
//! Pure: no IO. Storage lives in `pacte-store` (`campagnes.rs`), pages in `pacte-web`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::contrat::{Axe, Contrat, NumeroFiche, ParAnnee, TEXTE_LONG_MAX};
use crate::droits::Action;
use crate::execution::{self, AtteinteCibles, Execution, LigneAvenant, SEUIL_SOUS_CONSOMMATION_POURCENT};
use crate::referentiel::referentiel;
use crate::regles::Gravite;
use crate::temps::{Annee, Date};
use crate::{Montant, Valeur};

pub mod rappels;
#[cfg(test)]
mod tests;
pub mod textes;

/// A comment, a method-change note, a return remark or a reason: at most this many characters.
pub const COMMENTAIRE_MAX: usize = 2_000;
const _: () = assert!(COMMENTAIRE_MAX <= TEXTE_LONG_MAX);

/// One million: attainments and consumption rates are counted in millionths.
pub const MILLION: i64 = 1_000_000;

// ---------------------------------------------------------------------------------------------
// The campaign and its deadline (R-REP-01)
// ---------------------------------------------------------------------------------------------

/// The default deadline of the campaign of year `annee`: 31 March of the next year
/// ([004] A6 intro, R-REP-01: « En mars 2025 […] pour la période du 01/01/2024 au 31/12/2024 »).
pub fn echeance_par_defaut(annee: Annee) -> Date {
    Date::ymd(annee.valeur() as i32 + 1, 3, 31)
}

/// A contract's deadline: the campaign's, or its extension when later.
pub fn echeance_contrat(campagne: Date, prolongation: Option<Date>) -> Date {
    prolongation.map_or(campagne, |p| p.max(campagne))
}

/// Days from 1970-01-01 (civil calendar), for differences of dates.
fn jours(d: Date) -> i64 {
    let (a, m, j) = (d.annee() as i64, d.mois() as i64, d.jour() as i64);
    let a = if m <= 2 { a - 1 } else { a };
    let ere = a.div_euclid(400);
    let aoe = a - ere * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + j - 1;
    let doe = aoe * 365 + aoe / 4 - aoe / 100 + doy;
    ere * 146_097 + doe - 719_468
}

/// `b − a` in days.
pub fn ecart_jours(a: Date, b: Date) -> i64 {
    jours(b) - jours(a)
}

/// The reminder window before a deadline, in days.
pub const RAPPEL_AVANT_JOURS: i64 = 30;

/// What a dashboard says of a contract's campaign on `aujourdhui`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "nature", rename_all = "snake_case")]
pub enum Rappel {
    /// The deadline is in `jours` days (0: today), within [`RAPPEL_AVANT_JOURS`].
    Bientot { jours: i64 },
    /// The deadline passed `jours` days ago and the figures are not submitted.
    EnRetard { jours: i64 },
}

/// The reminder for a contract whose campaign is in `etat`, due on `echeance`: none once
/// submitted or validated, none more than [`RAPPEL_AVANT_JOURS`] days ahead.
pub fn rappel(etat: EtatCampagne, echeance: Date, aujourdhui: Date) -> Option<Rappel> {
    if !etat.attend_la_collectivite() {
        return None;
    }
    let reste = ecart_jours(aujourdhui, echeance);
    if reste < 0 {
        Some(Rappel::EnRetard { jours: -reste })
    } else if reste <= RAPPEL_AVANT_JOURS {
        Some(Rappel::Bientot { jours: reste })
    } else {
        None
    }
}

/// Late: the deadline has passed on `aujourdhui` and the collectivity has not submitted.
/// Entry and submission stay open after the deadline (the figures are still due); a
/// submission after it is recorded as late ([`soumission_en_retard`]).
pub fn en_retard(etat: EtatCampagne, echeance: Date, aujourdhui: Date) -> bool {
    etat.attend_la_collectivite() && aujourdhui > echeance
}

/// A submission on `jour` is late when it comes after the deadline (the deadline day is on
/// time).
pub fn soumission_en_retard(echeance: Date, jour: Date) -> bool {
    jour > echeance
}

// ---------------------------------------------------------------------------------------------
// The per-contract state machine
// ---------------------------------------------------------------------------------------------

/// Where a contract's campaign stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EtatCampagne {
    NonCommencee,
    EnCours,
    Soumise,
    Renvoyee,
    Validee,
}

impl EtatCampagne {
    pub const TOUS: [EtatCampagne; 5] = [
        EtatCampagne::NonCommencee,
        EtatCampagne::EnCours,
        EtatCampagne::Soumise,
        EtatCampagne::Renvoyee,
        EtatCampagne::Validee,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EtatCampagne::NonCommencee => "non_commencee",
            EtatCampagne::EnCours => "en_cours",
            EtatCampagne::Soumise => "soumise",
            EtatCampagne::Renvoyee => "renvoyee",
            EtatCampagne::Validee => "validee",
        }
    }

    pub fn depuis_code(code: &str) -> Option<EtatCampagne> {
        EtatCampagne::TOUS.into_iter().find(|e| e.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            EtatCampagne::NonCommencee => "non commencée",
            EtatCampagne::EnCours => "en cours de saisie",
            EtatCampagne::Soumise => "soumise à l'État",
            EtatCampagne::Renvoyee => "renvoyée pour correction",
            EtatCampagne::Validee => "validée",
        }
    }

    /// The collectivity has to act (enter, correct or submit).
    pub fn attend_la_collectivite(self) -> bool {
        matches!(
            self,
            EtatCampagne::NonCommencee | EtatCampagne::EnCours | EtatCampagne::Renvoyee
        )
    }

    /// The figures may be changed: not while the State reviews them, not once validated.
    pub fn saisie_ouverte(self) -> bool {
        self.attend_la_collectivite()
    }
}

/// A step of a contract's campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// The collectivity saves figures: non commencée, en cours or renvoyée → en cours.
    Saisir,
    /// The collectivity submits its figures: en cours → soumise.
    Soumettre,
    /// The DDETS or the commissaire returns them with a remark per figure: soumise → renvoyée.
    Renvoyer,
    /// The DDETS or the commissaire validates them: soumise → validée; the figures are locked.
    Valider,
    /// The commissaire reopens validated figures, with a reason: validée → en cours.
    Rouvrir,
}

impl Transition {
    pub const TOUTES: [Transition; 5] = [
        Transition::Saisir,
        Transition::Soumettre,
        Transition::Renvoyer,
        Transition::Valider,
        Transition::Rouvrir,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Transition::Saisir => "saisir",
            Transition::Soumettre => "soumettre",
            Transition::Renvoyer => "renvoyer",
            Transition::Valider => "valider",
            Transition::Rouvrir => "rouvrir",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Transition> {
        Transition::TOUTES.into_iter().find(|t| t.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Transition::Saisir => "Saisir les indicateurs",
            Transition::Soumettre => "Soumettre à l'État",
            Transition::Renvoyer => "Renvoyer pour correction",
            Transition::Valider => "Valider les indicateurs",
            Transition::Rouvrir => "Rouvrir après validation",
        }
    }

    /// The right the transition needs on the contract ([`crate::droits::decider`]).
    pub fn action(self) -> Action {
        match self {
            Transition::Saisir | Transition::Soumettre => Action::SaisirCampagne,
            Transition::Renvoyer | Transition::Valider => Action::InstruireCampagne,
            Transition::Rouvrir => Action::RouvrirCampagne,
        }
    }

    /// The states the transition starts from.
    pub fn depuis(self) -> &'static [EtatCampagne] {
        use EtatCampagne::*;
        match self {
            Transition::Saisir => &[NonCommencee, EnCours, Renvoyee],
            Transition::Soumettre => &[EnCours],
            Transition::Renvoyer | Transition::Valider => &[Soumise],
            Transition::Rouvrir => &[Validee],
        }
    }

    pub fn vers(self) -> EtatCampagne {
        match self {
            Transition::Saisir | Transition::Rouvrir => EtatCampagne::EnCours,
            Transition::Soumettre => EtatCampagne::Soumise,
            Transition::Renvoyer => EtatCampagne::Renvoyee,
            Transition::Valider => EtatCampagne::Validee,
        }
    }

    /// A reason is required (a return states what to correct; a reopening why).
    pub fn exige_motif(self) -> bool {
        matches!(self, Transition::Renvoyer | Transition::Rouvrir)
    }
}

/// The state after `transition` from `etat`, or the French reason it is not possible.
pub fn apres(etat: EtatCampagne, transition: Transition) -> Result<EtatCampagne, String> {
    if transition.depuis().contains(&etat) {
        Ok(transition.vers())
    } else {
        let admis: Vec<&str> = transition.depuis().iter().map(|e| e.libelle()).collect();
        Err(format!(
            "« {} » n'est possible que lorsque la campagne est {} ; elle est {}",
            transition.libelle(),
            admis.join(" ou "),
            etat.libelle()
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Entry (R-REP-02, R-REP-03, R-NI-*)
// ---------------------------------------------------------------------------------------------

/// National or local indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NatureIndicateur {
    National,
    Local,
}

impl NatureIndicateur {
    pub fn code(self) -> &'static str {
        match self {
            NatureIndicateur::National => "national",
            NatureIndicateur::Local => "local",
        }
    }
    pub fn depuis_code(code: &str) -> Option<NatureIndicateur> {
        match code {
            "national" => Some(NatureIndicateur::National),
            "local" => Some(NatureIndicateur::Local),
            _ => None,
        }
    }
}

/// The identity of one figure of a campaign: a fiche, an indicator (a national code such as
/// `NI-2.1`, or the 1-based rank of the fiche's local indicator) and a breakdown (0 for the
/// indicator itself; 1 to 3 for NI-2.3's, in the référentiel's order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CleValeur {
    pub fiche: NumeroFiche,
    pub nature: NatureIndicateur,
    pub indicateur: String,
    #[serde(default)]
    pub ventilation: u8,
}

impl CleValeur {
    pub fn national(fiche: NumeroFiche, code: &str) -> CleValeur {
        CleValeur {
            fiche,
            nature: NatureIndicateur::National,
            indicateur: code.to_string(),
            ventilation: 0,
        }
    }
    pub fn local(fiche: NumeroFiche, rang: usize) -> CleValeur {
        CleValeur {
            fiche,
            nature: NatureIndicateur::Local,
            indicateur: rang.to_string(),
            ventilation: 0,
        }
    }
    /// The form field's name and the spreadsheet's key: `1.2|national|NI-2.3|1`.
    pub fn champ(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.fiche,
            self.nature.code(),
            self.indicateur,
            self.ventilation
        )
    }
    pub fn depuis_champ(texte: &str) -> Option<CleValeur> {
        let mut p = texte.split('|');
        let fiche = NumeroFiche::parse(p.next()?).ok()?;
        let nature = NatureIndicateur::depuis_code(p.next()?)?;
        let indicateur = p.next()?.to_string();
        let ventilation = p.next()?.parse().ok()?;
        if p.next().is_some() || indicateur.is_empty() || indicateur.len() > 20 {
            return None;
        }
        Some(CleValeur {
            fiche,
            nature,
            indicateur,
            ventilation,
        })
    }
}

/// A figure as the collectivity enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValeurSaisie {
    #[serde(flatten)]
    pub cle: CleValeur,
    /// The value realised in year n, in hundredths; `None`: not entered yet.
    pub realise: Option<Valeur>,
    /// R-REP-02: « possible de mettre des commentaires à côté de chaque entrée d'indicateur ».
    #[serde(default)]
    pub commentaire: Option<String>,
    /// R-REP-03: the perimeter or the counting method changed from the year before.
    #[serde(default)]
    pub changement_methode: bool,
    /// R-REP-03: what changed.
    #[serde(default)]
    pub note_methode: Option<String>,
    /// R-REP-03: « l'effet exact qu'elle a eu sur le décompte », in hundredths of the
    /// indicator's unit, signed (`-1200` = twelve fewer).
    #[serde(default)]
    pub effet_methode: Option<i64>,
}

impl ValeurSaisie {
    pub fn vide(cle: CleValeur) -> ValeurSaisie {
        ValeurSaisie {
            cle,
            realise: None,
            commentaire: None,
            changement_methode: false,
            note_methode: None,
            effet_methode: None,
        }
    }
}

/// Reads a signed quantified effect (`-12`, `+3,5`, `0`) into hundredths.
pub fn lire_effet(texte: &str) -> Result<i64, String> {
    let t = texte.trim();
    let (signe, reste) = match t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    Valeur::parse(reste)
        .map(|v| signe * v.en_centiemes())
        .map_err(|_| format!("« {t} » n'est pas un effet chiffré (exemples : -12, +3,5)"))
}

/// Writes hundredths signed, as [`lire_effet`] reads them.
pub fn ecrire_effet(centiemes: i64) -> String {
    let v = Valeur::centiemes(centiemes.abs());
    if centiemes < 0 {
        format!("-{v}")
    } else {
        format!("+{v}")
    }
}

/// A figure the campaign expects, as the contract defines it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LigneAttendue {
    pub cle: CleValeur,
    pub axe: Axe,
    pub intitule_fiche: String,
    /// The indicator's label (the référentiel's for a national one), and the breakdown's.
    pub libelle: String,
    pub unite: Option<String>,
    pub t0: Option<Valeur>,
    /// The target of the year (R-REP-02); none for NI-2.3's breakdowns.
    pub cible: Option<Valeur>,
}

/// The figures of year `annee` a contract must report: for every fiche, each national
/// indicator it feeds (NI-2.3 as its three breakdowns, annexe 6) and each local one
/// (R-IND-05: « Les indicateurs locaux et nationaux devront être renseignés […] chaque année »).
pub fn lignes_attendues(contrat: &Contrat, annee: Annee) -> Vec<LigneAttendue> {
    let r = referentiel();
    let mut lignes = Vec::new();
    for f in &contrat.fiches {
        for n in &f.indicateurs_nationaux {
            let def = r.indicateur(&n.code);
            let libelle = def.map_or_else(|| n.code.clone(), |d| d.libelle.clone());
            let unite = def.map(|d| d.unite.clone());
            let ventilations = def.map(|d| d.ventilations.clone()).unwrap_or_default();
            if ventilations.is_empty() {
                lignes.push(LigneAttendue {
                    cle: CleValeur::national(f.numero, &n.code),
                    axe: f.axe(),
                    intitule_fiche: f.intitule.clone(),
                    libelle,
                    unite,
                    t0: n.t0,
                    cible: n.cibles.get(&annee).copied(),
                });
            } else {
                for (i, v) in ventilations.iter().enumerate() {
                    lignes.push(LigneAttendue {
                        cle: CleValeur {
                            ventilation: i as u8 + 1,
                            ..CleValeur::national(f.numero, &n.code)
                        },
                        axe: f.axe(),
                        intitule_fiche: f.intitule.clone(),
                        libelle: format!("{} — dont {v}", n.code),
                        unite: unite.clone(),
                        t0: None,
                        cible: None,
                    });
                }
            }
        }
        for (i, l) in f.indicateurs.iter().enumerate() {
            lignes.push(LigneAttendue {
                cle: CleValeur::local(f.numero, i + 1),
                axe: f.axe(),
                intitule_fiche: f.intitule.clone(),
                libelle: l.libelle.clone(),
                unite: l.unite.clone(),
                t0: l.t0,
                cible: l.cibles.get(&annee).copied(),
            });
        }
    }
    lignes
}

/// A finding of a campaign: its rule, its gravity, the figure concerned, a French message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConstatCampagne {
    pub code: &'static str,
    pub gravite: Gravite,
    pub cle: Option<CleValeur>,
    pub message: String,
}

impl ConstatCampagne {
    fn bloquant(code: &'static str, cle: Option<CleValeur>, message: String) -> ConstatCampagne {
        ConstatCampagne {
            code,
            gravite: Gravite::Bloquant,
            cle,
            message,
        }
    }
    fn alerte(code: &'static str, cle: Option<CleValeur>, message: String) -> ConstatCampagne {
        ConstatCampagne {
            code,
            gravite: Gravite::Alerte,
            cle,
            message,
        }
    }
}

fn vide(t: &Option<String>) -> bool {
    t.as_deref().is_none_or(|t| t.trim().is_empty())
}

/// Checks figures as entered (any subset of the expected ones): each is expected by the
/// contract, texts are bounded, a method change carries its note and its effect (R-REP-03),
/// NI-2.3's breakdowns sum to NI-2.1 (R-NI-2.3), NI-1.2 is counted exclusively (R-NI-1.2).
/// Saving is refused when a blocking finding is returned.
pub fn verifier_saisie(contrat: &Contrat, annee: Annee, valeurs: &[ValeurSaisie]) -> Vec<ConstatCampagne> {
    let attendues: BTreeMap<CleValeur, LigneAttendue> = lignes_attendues(contrat, annee)
        .into_iter()
        .map(|l| (l.cle.clone(), l))
        .collect();
    let mut constats = Vec::new();
    let mut vues = std::collections::BTreeSet::new();
    for v in valeurs {
        let cle = Some(v.cle.clone());
        if !vues.insert(v.cle.clone()) {
            constats.push(ConstatCampagne::bloquant(
                "R-IND-05",
                cle.clone(),
                format!(
                    "Fiche {} : l'indicateur {} est saisi deux fois",
                    v.cle.fiche, v.cle.indicateur
                ),
            ));
            continue;
        }
        if !attendues.contains_key(&v.cle) {
            constats.push(ConstatCampagne::bloquant(
                "R-IND-05",
                cle,
                format!(
                    "Fiche {} : l'indicateur « {} » n'est pas un indicateur de cette fiche",
                    v.cle.fiche, v.cle.indicateur
                ),
            ));
            continue;
        }
        for (nom, texte) in [
            ("commentaire", &v.commentaire),
            ("note de changement de méthode", &v.note_methode),
        ] {
            if let Some(t) = texte
                && t.chars().count() > COMMENTAIRE_MAX
            {
                constats.push(ConstatCampagne::bloquant(
                    "R-REP-02",
                    cle.clone(),
                    format!(
                        "Fiche {} : le champ « {nom} » dépasse {COMMENTAIRE_MAX} caractères",
                        v.cle.fiche
                    ),
                ));
            }
        }
        if v.changement_methode && (vide(&v.note_methode) || v.effet_methode.is_none()) {
            constats.push(ConstatCampagne::bloquant(
                "R-REP-03",
                cle,
                format!(
                    "Fiche {}, indicateur {} : le périmètre ou la méthode de décompte a changé ; \
                     précisez en commentaire le changement et son effet chiffré sur le décompte \
                     de l'année (R-REP-03, annexe 6)",
                    v.cle.fiche, v.cle.indicateur
                ),
            ));
        }
    }
    // Per fiche: NI-2.3 against NI-2.1, NI-1.2's exclusive count.
    let mut par_fiche: BTreeMap<NumeroFiche, Vec<&ValeurSaisie>> = BTreeMap::new();
    for v in valeurs
        .iter()
        .filter(|v| v.cle.nature == NatureIndicateur::National)
    {
        par_fiche.entry(v.cle.fiche).or_default().push(v);
    }
    for (fiche, vs) in &par_fiche {
        let realise = |code: &str, vent: u8| {
            vs.iter()
                .find(|v| v.cle.indicateur == code && v.cle.ventilation == vent)
                .and_then(|v| v.realise)
        };
        let ventilations: Vec<Option<Valeur>> = (1..=3).map(|i| realise("NI-2.3", i)).collect();
        if ventilations.iter().any(Option::is_some) {
            let somme: i64 = ventilations.iter().flatten().map(|v| v.en_centiemes()).sum();
            let cle = Some(CleValeur {
                ventilation: 1,
                ..CleValeur::national(*fiche, "NI-2.3")
            });
            match realise("NI-2.1", 0) {
                _ if ventilations.iter().any(Option::is_none) => constats.push(ConstatCampagne::bloquant(
                    "R-NI-2.3",
                    cle,
                    format!(
                        "Fiche {fiche} : renseignez les trois catégories de NI-2.3 (0 si aucune personne)"
                    ),
                )),
                None => constats.push(ConstatCampagne::bloquant(
                    "R-NI-2.3",
                    cle,
                    format!("Fiche {fiche} : NI-2.3 ventile NI-2.1, qui n'est pas renseigné"),
                )),
                Some(total) if total.en_centiemes() != somme => constats.push(ConstatCampagne::bloquant(
                    "R-NI-2.3",
                    cle,
                    format!(
                        "Fiche {fiche} : la ventilation NI-2.3 totalise {} alors que NI-2.1 vaut {total} ; \
                         elle doit en être la répartition (annexe 6)",
                        Valeur::centiemes(somme)
                    ),
                )),
                Some(_) => {}
            }
        }
        if realise("NI-1.2", 0).is_some_and(|v| v.en_centiemes() > 0) {
            for v in vs.iter().filter(|v| {
                v.cle.indicateur != "NI-1.2"
                    && v.cle.ventilation == 0
                    && v.realise.is_some_and(|r| r.en_centiemes() > 0)
            }) {
                constats.push(ConstatCampagne::bloquant(
                    "R-NI-1.2",
                    Some(v.cle.clone()),
                    format!(
                        "Fiche {fiche} : les actions comptées dans NI-1.2 ne peuvent pas l'être aussi dans {} \
                         (annexe 6 : « ne peuvent être également incluses dans d'autres »)",
                        v.cle.indicateur
                    ),
                ));
            }
        }
    }
    constats
}

/// Checks a submission: [`verifier_saisie`], plus every expected figure entered (R-IND-05)
/// and, as a warning, an expected figure without the year's target in the contract (R-REP-02).
pub fn verifier_soumission(
    contrat: &Contrat,
    annee: Annee,
    valeurs: &[ValeurSaisie],
) -> Vec<ConstatCampagne> {
    let mut constats = verifier_saisie(contrat, annee, valeurs);
    let saisies: BTreeMap<&CleValeur, &ValeurSaisie> = valeurs.iter().map(|v| (&v.cle, v)).collect();
    for l in lignes_attendues(contrat, annee) {
        if saisies.get(&l.cle).and_then(|v| v.realise).is_none() {
            constats.push(ConstatCampagne::bloquant(
                "R-IND-05",
                Some(l.cle.clone()),
                format!(
                    "Fiche {} : « {} » n'est pas renseigné pour {annee}",
                    l.cle.fiche, l.libelle
                ),
            ));
        }
        if l.cle.ventilation == 0 && l.cible.is_none() {
            constats.push(ConstatCampagne::alerte(
                "R-REP-02",
                Some(l.cle.clone()),
                format!(
                    "Fiche {} : « {} » n'a pas de cible pour {annee} dans le contrat",
                    l.cle.fiche, l.libelle
                ),
            ));
        }
    }
    constats
}

/// The figures expected but not entered: the « missing figures » list.
pub fn manquantes(contrat: &Contrat, annee: Annee, valeurs: &[ValeurSaisie]) -> Vec<LigneAttendue> {
    let saisies: BTreeMap<&CleValeur, &ValeurSaisie> = valeurs.iter().map(|v| (&v.cle, v)).collect();
    lignes_attendues(contrat, annee)
        .into_iter()
        .filter(|l| saisies.get(&l.cle).and_then(|v| v.realise).is_none())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Attainment (R-IND-02, R-FIN-07)
// ---------------------------------------------------------------------------------------------

/// An attainment `(realised − T0) / (target − T0)`, in millionths, floored: 1 000 000 is 100 %.
/// May be negative (the figure moved away from the target) or above 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Atteinte {
    pub millioniemes: i64,
}

impl Atteinte {
    /// At least `pourcent` % (exact: 50 % passes, anything below fails).
    pub fn au_moins_pourcent(self, pourcent: i64) -> bool {
        self.millioniemes >= pourcent * 10_000
    }
    /// Floored percent (49,99 % → 49).
    pub fn pourcent_plancher(self) -> i64 {
        self.millioniemes.div_euclid(10_000)
    }
    /// Bounded to 0-100 %, as fiches, axes and contracts average them.
    pub fn bornee(self) -> Atteinte {
        Atteinte {
            millioniemes: self.millioniemes.clamp(0, MILLION),
        }
    }
    /// `49,99 %`, two decimals floored, French format.
    pub fn texte(self) -> String {
        let centiemes = self.millioniemes.div_euclid(100);
        let (e, d) = (centiemes.div_euclid(100), centiemes.rem_euclid(100));
        format!("{e},{d:02} %")
    }
}

/// The attainment of one figure from T0 (R-IND-02: T0, targets per year): none without a
/// target or a realised value; T0 absent counts as 0. A target equal to T0 is reached (100 %)
/// when the realised value is at least the target, else not at all (0 %).
pub fn atteinte(t0: Option<Valeur>, cible: Option<Valeur>, realise: Option<Valeur>) -> Option<Atteinte> {
    let (c, r) = (cible?.en_centiemes() as i128, realise?.en_centiemes() as i128);
    let t = t0.map_or(0, |v| v.en_centiemes()) as i128;
    let millioniemes = if c == t {
        if r >= c { MILLION as i128 } else { 0 }
    } else {
        ((r - t) * MILLION as i128).div_euclid(c - t)
    };
    Some(Atteinte {
        millioniemes: millioniemes.clamp(i64::MIN as i128, i64::MAX as i128) as i64,
    })
}

fn moyenne(v: &[Atteinte]) -> Option<Atteinte> {
    if v.is_empty() {
        return None;
    }
    let s: i128 = v.iter().map(|a| a.bornee().millioniemes as i128).sum();
    Some(Atteinte {
        millioniemes: s.div_euclid(v.len() as i128) as i64,
    })
}

/// The attainment of one expected figure, with the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtteinteLigne {
    pub ligne: LigneAttendue,
    pub realise: Option<Valeur>,
    pub atteinte: Option<Atteinte>,
}

/// Attainment per figure, fiche, axis and contract for year `annee`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Atteintes {
    pub lignes: Vec<AtteinteLigne>,
    /// Per fiche: the mean of its indicators' attainments, each bounded to 0-100 % (reading
    /// L-CAMP-01), so that one target far exceeded does not hide another missed.
    pub fiches: BTreeMap<NumeroFiche, Atteinte>,
    /// Per axis and for the contract: the mean of the fiches'.
    pub axes: BTreeMap<Axe, Atteinte>,
    pub contrat: Option<Atteinte>,
}

impl AtteinteCibles for Atteintes {
    /// R-FIN-07's extension point of the execution: the fiche's attainment, floored percent.
    fn atteinte_pourcent(&self, fiche: NumeroFiche) -> Option<u32> {
        self.fiches
            .get(&fiche)
            .map(|a| a.pourcent_plancher().clamp(0, u32::MAX as i64) as u32)
    }
}

/// Attainment of year `annee` from the figures entered (indicators themselves, not NI-2.3's
/// breakdowns, which have no target).
pub fn atteintes(contrat: &Contrat, annee: Annee, valeurs: &[ValeurSaisie]) -> Atteintes {
    let saisies: BTreeMap<&CleValeur, &ValeurSaisie> = valeurs.iter().map(|v| (&v.cle, v)).collect();
    let lignes: Vec<AtteinteLigne> = lignes_attendues(contrat, annee)
        .into_iter()
        .filter(|l| l.cle.ventilation == 0)
        .map(|l| {
            let realise = saisies.get(&l.cle).and_then(|v| v.realise);
            AtteinteLigne {
                atteinte: atteinte(l.t0, l.cible, realise),
                realise,
                ligne: l,
            }
        })
        .collect();
    let mut par_fiche: BTreeMap<NumeroFiche, Vec<Atteinte>> = BTreeMap::new();
    for l in &lignes {
        if let Some(a) = l.atteinte {
            par_fiche.entry(l.ligne.cle.fiche).or_default().push(a);
        }
    }
    let fiches: BTreeMap<NumeroFiche, Atteinte> = par_fiche
        .into_iter()
        .filter_map(|(f, v)| Some((f, moyenne(&v)?)))
        .collect();
    let mut par_axe: BTreeMap<Axe, Vec<Atteinte>> = BTreeMap::new();
    for (f, a) in &fiches {
        par_axe.entry(f.axe).or_default().push(*a);
    }
    let axes = par_axe
        .into_iter()
        .filter_map(|(x, v)| Some((x, moyenne(&v)?)))
        .collect();
    let toutes: Vec<Atteinte> = fiches.values().copied().collect();
    Atteintes {
        lignes,
        contrat: moyenne(&toutes),
        fiches,
        axes,
    }
}

/// A national indicator of a contract: the sum of its fiches' contributions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TotalNational {
    pub code: String,
    /// 0, or the breakdown of NI-2.3.
    pub ventilation: u8,
    pub realise: Valeur,
    /// Sum of the targets of the year of the fiches that have one.
    pub cible: Valeur,
    /// Fiches contributing a realised value.
    pub fiches: usize,
    /// The sum may count some people twice: a professional trained by two fiches is counted
    /// once by the guide (NI-2.2, « comptabilisé une seule fois »), which the fiches' figures
    /// cannot tell.
    pub majorant: bool,
}

/// Whether the sum of `fiches` fiches' figures of indicator `code` may count people twice:
/// NI-2.2 counts a professional « une seule fois » ([004] annexe 6), which several fiches'
/// figures cannot tell.
fn majorant(code: &str, fiches: usize) -> bool {
    code == "NI-2.2" && fiches > 1
}

/// National indicators per contract: per code and breakdown, the sum of the fiches'
/// contributions (annexe 6: the contract's figure is its actions'; the indicators that the
/// guide says « peuvent être sommés » and the others alike, since each fiche counts its own
/// beneficiaries; NI-2.1 and NI-4.2 both count mobility job seekers, by the guide's rule).
pub fn totaux_nationaux(contrat: &Contrat, annee: Annee, valeurs: &[ValeurSaisie]) -> Vec<TotalNational> {
    let saisies: BTreeMap<&CleValeur, &ValeurSaisie> = valeurs.iter().map(|v| (&v.cle, v)).collect();
    let mut totaux: BTreeMap<(String, u8), TotalNational> = BTreeMap::new();
    for l in lignes_attendues(contrat, annee)
        .into_iter()
        .filter(|l| l.cle.nature == NatureIndicateur::National)
    {
        let t = totaux
            .entry((l.cle.indicateur.clone(), l.cle.ventilation))
            .or_insert_with(|| TotalNational {
                code: l.cle.indicateur.clone(),
                ventilation: l.cle.ventilation,
                realise: Valeur::default(),
                cible: Valeur::default(),
                fiches: 0,
                majorant: false,
            });
        if let Some(r) = saisies.get(&l.cle).and_then(|v| v.realise) {
            t.realise = Valeur::centiemes(t.realise.en_centiemes() + r.en_centiemes());
            t.fiches += 1;
        }
        if let Some(c) = l.cible {
            t.cible = Valeur::centiemes(t.cible.en_centiemes() + c.en_centiemes());
        }
        t.majorant = majorant(&t.code, t.fiches);
    }
    totaux.into_values().collect()
}

/// A national indicator's declared trajectory for the whole contract (annexe 4 of the
/// convention, « se reporter au tableau de l'annexe 9 »): the sum, over the fiches that feed
/// it, of their situation at 31 December 2023 and of their targets per year (annexe 6: the
/// contract's figure is its actions'). A sum is given only when every feeding fiche gives its
/// term: a partial sum would pass for the contract's figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrajectoireContrat {
    pub code: String,
    /// Fiches that feed the indicator.
    pub fiches: usize,
    pub t0: Option<Valeur>,
    pub cibles: ParAnnee<Valeur>,
    /// As [`TotalNational::majorant`]: NI-2.2 fed by several fiches may count people twice.
    pub majorant: bool,
}

/// [`TrajectoireContrat`] of every national indicator the contract's fiches feed, by code.
pub fn trajectoires_contrat(contrat: &Contrat) -> BTreeMap<String, TrajectoireContrat> {
    let mut par_code: BTreeMap<String, Vec<&crate::contrat::TrajectoireNationale>> = BTreeMap::new();
    for f in &contrat.fiches {
        for t in &f.indicateurs_nationaux {
            par_code.entry(t.code.clone()).or_default().push(t);
        }
    }
    par_code
        .into_iter()
        .map(|(code, ts)| {
            let somme = |termes: Vec<Option<Valeur>>| -> Option<Valeur> {
                termes
                    .into_iter()
                    .try_fold(0i64, |acc, v| v.map(|v| acc + v.en_centiemes()))
                    .map(Valeur::centiemes)
            };
            let t0 = somme(ts.iter().map(|t| t.t0).collect());
            let cibles = Annee::TOUTES
                .iter()
                .filter_map(|a| somme(ts.iter().map(|t| t.cibles.get(a).copied()).collect()).map(|v| (*a, v)))
                .collect();
            let t = TrajectoireContrat {
                majorant: majorant(&code, ts.len()),
                fiches: ts.len(),
                code: code.clone(),
                t0,
                cibles,
            };
            (code, t)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Mid-term evaluation (R-EVAL-01, R-EVAL-02, R-FIN-07)
// ---------------------------------------------------------------------------------------------

/// The mid-term evaluation covers 2024 and 2025 ([004] A8 art. 2.3).
pub const ANNEES_MI_PARCOURS: [Annee; 2] = [Annee::TOUTES[0], Annee::TOUTES[1]];
/// The year whose attainment is measured: the last of the period (rules.md X-13 leaves
/// « cible prévue en année n+1 » undefined; reading L-CAMP-03).
pub const ANNEE_REFERENCE_MI_PARCOURS: Annee = Annee::TOUTES[1];
/// The year whose amount the evaluation may revise.
pub const ANNEE_REVISEE: Annee = Annee::TOUTES[3];
/// R-EVAL-01: the report is sent « au plus tard le 31 mars 2026 ».
pub const DATE_LIMITE_RAPPORT: Date = Date::ymd(2026, 3, 31);
/// R-FIN-07: « cible prévue […] atteinte à moins de 50 % ».
pub const SEUIL_ATTEINTE_POURCENT: i64 = 50;

/// One fiche at mid-term: attainment and consumption side by side, and the proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LigneMiParcours {
    pub fiche: NumeroFiche,
    pub intitule: String,
    pub atteinte: Option<Atteinte>,
    /// State credits paid in 2024-2025 and consumed (realised) over the same years.
    pub etat_verse: Montant,
    pub etat_realise: Montant,
    /// Consumption `realised / paid`, in millionths (floored); none when nothing was paid.
    pub consommation: Option<i64>,
    /// R-FIN-07: attainment below 50 %.
    pub sous_atteinte: bool,
    /// R-FIN-06's side: less than 50 % of the paid State credits consumed.
    pub sous_consommation: bool,
    /// The State amount planned for 2027 (the last avenant's, else the notification, else the
    /// contract's).
    pub etat_2027_prevu: Montant,
    /// The proposed 2027 amount, when a criterion fails.
    pub etat_2027_propose: Option<Montant>,
}

fn part(base: Montant, millioniemes: i64) -> Montant {
    let m = millioniemes.clamp(0, MILLION) as i128;
    let c = base.en_centimes() as i128 * m;
    // Rounded up to the cent: the proposal never cuts more than the figures justify.
    Montant::centimes(((c + MILLION as i128 - 1) / MILLION as i128) as i64)
}

/// The mid-term evaluation of a contract: per fiche, the attainment of 2025 (`atteintes`,
/// from the 2025 campaign) beside the consumption of the State credits paid in 2024-2025
/// (`execution::situation`). A fiche is a candidate for a downward revision of 2027 when its
/// attainment is below 50 % (R-FIN-07, through `execution::candidates_revision_2027`) or when
/// it consumed less than 50 % of its credits (R-FIN-06's threshold over the period). The
/// proposed amount (reading L-CAMP-02) is the 2027 amount × the lower failing rate, rounded up
/// to the cent: a fiche at 40 % of its target and 70 % consumed is proposed 40 % of its 2027
/// amount; the commissaire decides.
pub fn evaluation_mi_parcours(
    contrat: &Contrat,
    execution: &Execution,
    atteintes: &Atteintes,
) -> Vec<LigneMiParcours> {
    let situation = execution::situation(contrat, execution);
    let candidates = execution::candidates_revision_2027(contrat, atteintes);
    contrat
        .fiches
        .iter()
        .map(|f| {
            let (mut verse, mut realise) = (Montant::ZERO, Montant::ZERO);
            for a in ANNEES_MI_PARCOURS {
                let af = situation.fiche(f.numero, a);
                verse += af.etat_verse;
                realise += af.realise_etat;
            }
            let consommation = (!verse.est_nul()).then(|| {
                ((realise.en_centimes() as i128 * MILLION as i128).div_euclid(verse.en_centimes() as i128))
                    as i64
            });
            let sous_consommation =
                !verse.est_nul() && !realise.au_moins_pourcentage_de(SEUIL_SOUS_CONSOMMATION_POURCENT, verse);
            let atteinte = atteintes.fiches.get(&f.numero).copied();
            let sous_atteinte = candidates.contains(&f.numero);
            let prevu = execution::etat_prevu(contrat, execution, f.numero, ANNEE_REVISEE);
            let mut taux: Vec<i64> = Vec::new();
            if sous_atteinte && let Some(a) = atteinte {
                taux.push(a.millioniemes);
            }
            if sous_consommation && let Some(c) = consommation {
                taux.push(c);
            }
            LigneMiParcours {
                fiche: f.numero,
                intitule: f.intitule.clone(),
                atteinte,
                etat_verse: verse,
                etat_realise: realise,
                consommation,
                sous_atteinte,
                sous_consommation,
                etat_2027_prevu: prevu,
                etat_2027_propose: taux.into_iter().min().map(|t| part(prevu, t)),
            }
        })
        .collect()
}

/// The findings of the mid-term evaluation: one R-FIN-07 warning per fiche below 50 % of its
/// target, one R-FIN-06 warning per fiche that consumed less than half its credits.
pub fn constats_mi_parcours(lignes: &[LigneMiParcours]) -> Vec<ConstatCampagne> {
    let mut c = Vec::new();
    for l in lignes {
        let propose = l
            .etat_2027_propose
            .map(|m| format!(" ; montant 2027 proposé : {m} au lieu de {}", l.etat_2027_prevu))
            .unwrap_or_default();
        if l.sous_atteinte {
            c.push(ConstatCampagne::alerte(
                "R-FIN-07",
                None,
                format!(
                    "Fiche {} : cible 2025 atteinte à {} (moins de {SEUIL_ATTEINTE_POURCENT} %){propose}",
                    l.fiche,
                    l.atteinte.map(Atteinte::texte).unwrap_or_default()
                ),
            ));
        }
        if l.sous_consommation {
            c.push(ConstatCampagne::alerte(
                "R-FIN-06",
                None,
                format!(
                    "Fiche {} : {} consommés sur {} versés par l'État en 2024-2025 (moins de \
                     {SEUIL_SOUS_CONSOMMATION_POURCENT} %){propose}",
                    l.fiche, l.etat_realise, l.etat_verse
                ),
            ));
        }
    }
    c
}

/// The collectivity's mid-term report (R-EVAL-01): dates of its deliberation and of its
/// sending to the préfets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RapportMiParcours {
    pub date_deliberation: Option<Date>,
    pub date_envoi: Option<Date>,
}

/// R-EVAL-01: a deliberation, a sending on or before 31 March 2026, not before the
/// deliberation and not before the end of the period (the report covers 2024-2025).
pub fn verifier_rapport(r: &RapportMiParcours) -> Vec<(&'static str, String)> {
    let mut e = Vec::new();
    let debut = Date::ymd(2026, 1, 1);
    if let Some(d) = r.date_deliberation
        && d < debut
    {
        e.push((
            "date_deliberation",
            format!("la délibération du {d} précède la fin de la période évaluée (31/12/2025) (R-EVAL-01)"),
        ));
    }
    if let Some(envoi) = r.date_envoi {
        match r.date_deliberation {
            None => e.push((
                "date_deliberation",
                "le rapport à mi-parcours est envoyé après une délibération : indiquez sa date (R-EVAL-01)"
                    .to_string(),
            )),
            Some(d) if envoi < d => e.push((
                "date_envoi",
                format!("l'envoi du {envoi} précède la délibération du {d} (R-EVAL-01)"),
            )),
            _ => {}
        }
        if envoi > DATE_LIMITE_RAPPORT {
            e.push((
                "date_envoi",
                format!(
                    "l'envoi du {envoi} est postérieur au {DATE_LIMITE_RAPPORT}, date limite de l'annexe 8 art. 2.3 (R-EVAL-01)"
                ),
            ));
        }
    }
    e
}

/// The commissaire's decision on one fiche's 2027 amount (R-EVAL-02, R-FIN-07). The evaluation
/// may revise either way (rules.md X-14): the amount is not bounded by the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionMiParcours {
    pub fiche: NumeroFiche,
    pub etat_2027: Montant,
    pub motif: String,
}

/// Checks a decision: a fiche of the contract, a reason, bounded.
pub fn verifier_decision(contrat: &Contrat, d: &DecisionMiParcours) -> Result<(), (&'static str, String)> {
    if contrat.fiche(d.fiche).is_none() {
        return Err(("fiche", format!("la fiche {} n'est pas dans ce contrat", d.fiche)));
    }
    if d.motif.trim().is_empty() {
        return Err((
            "motif",
            "indiquez le motif de la décision (R-EVAL-02 : l'évaluation fonde le réajustement)".into(),
        ));
    }
    if d.motif.chars().count() > COMMENTAIRE_MAX {
        return Err(("motif", format!("le motif dépasse {COMMENTAIRE_MAX} caractères")));
    }
    Ok(())
}

/// The 2027 avenant's lines the decisions call for (A5 VI.a, R-FIN-09): one per fiche whose
/// decided amount differs from what is planned for 2027. The avenant forms start from these.
pub fn lignes_avenant_2027(
    contrat: &Contrat,
    execution: &Execution,
    decisions: &[DecisionMiParcours],
) -> Vec<LigneAvenant> {
    decisions
        .iter()
        .filter(|d| d.etat_2027 != execution::etat_prevu(contrat, execution, d.fiche, ANNEE_REVISEE))
        .map(|d| LigneAvenant {
            fiche: d.fiche,
            ajoutee: false,
            intitule: None,
            etat: d.etat_2027,
            collectivite: None,
            motif: format!("Évaluation à mi-parcours (R-FIN-07) : {}", d.motif),
        })
        .collect()
}

/// The readings this module makes where the sources leave a choice, printed beside the pages.
pub const LECTURES: &[(&str, &str)] = &[
    (
        "L-CAMP-01",
        "L'atteinte d'une fiche est la moyenne des atteintes de ses indicateurs (nationaux et \
         locaux), chacune mesurée depuis le T0 ((réalisé − T0) / (cible − T0)) et bornée entre \
         0 et 100 % ; celle d'un axe et du contrat, la moyenne de leurs fiches.",
    ),
    (
        "L-CAMP-02",
        "Le montant 2027 proposé pour une fiche sous le seuil est le montant prévu multiplié \
         par le plus bas des taux en défaut (atteinte, consommation), arrondi au centime \
         supérieur. Le ou la commissaire décide du montant.",
    ),
    (
        "L-CAMP-03",
        "L'atteinte mesurée à mi-parcours est celle de 2025, dernière année de la période \
         évaluée (2024-2025) ; la consommation est celle des crédits de l'État versés en 2024 \
         et 2025.",
    ),
];
