//! The entries of the financial execution, checked before anything is written: each function
//! takes the contract, the execution as stored and what a form (or a file) says, and returns
//! the new execution or an [`ErreurSaisie`] naming the field and, where one applies, the rule.
//!
//! The checks are the execution catalogue's own (`regles::execution`): after the explicit
//! checks of each entry, the entry is refused when it makes a *new* blocking finding appear
//! among the rules it touches, so that a form and a rule never disagree.

use std::fmt;

use crate::contrat::{Axe, Contrat, NumeroFiche, TEXTE_LONG_MAX};
use crate::financement::par_axe;
use crate::regles::{Constat, Gravite};
use crate::{Annee, Montant};

use super::{
    Avenant, DecisionReduction, Execution, NotificationAxe, NotificationFiche, Realisation, Reduction,
    Report, Versement, etat_prevu, fiches_executees, propositions_reduction, situation,
};

/// A refused entry: the field at fault (the form's field name), the rule when one applies,
/// and the French message (which names the field and the rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErreurSaisie {
    pub champ: String,
    pub regle: Option<&'static str>,
    pub message: String,
}

impl fmt::Display for ErreurSaisie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErreurSaisie {}

fn refus(champ: impl Into<String>, regle: Option<&'static str>, message: impl Into<String>) -> ErreurSaisie {
    let mut message = message.into();
    if let Some(r) = regle {
        message = format!("{message} ({r})");
    }
    ErreurSaisie {
        champ: champ.into(),
        regle,
        message,
    }
}

/// The first blocking finding of one of `codes` that `apres` has and `avant` had not, as an
/// error on `champ`.
fn nouveau_bloquant(
    contrat: &Contrat,
    avant: &Execution,
    apres: &Execution,
    codes: &[&'static str],
    champ: &str,
) -> Result<(), ErreurSaisie> {
    let bloquants = |e: &Execution| -> Vec<Constat> {
        crate::regles::execution::verifier_execution(contrat, e)
            .into_iter()
            .filter(|k| k.gravite == Gravite::Bloquant && codes.contains(&k.code))
            .collect()
    };
    let deja: Vec<(&str, String)> = bloquants(avant)
        .into_iter()
        .map(|k| (k.code, k.message))
        .collect();
    match bloquants(apres)
        .into_iter()
        .find(|k| !deja.iter().any(|(c, m)| *c == k.code && *m == k.message))
    {
        Some(k) => Err(refus(champ, Some(k.code), k.message.trim_end_matches('.'))),
        None => Ok(()),
    }
}

fn fiche_connue(
    contrat: &Contrat,
    e: &Execution,
    fiche: NumeroFiche,
    champ: &str,
) -> Result<(), ErreurSaisie> {
    if fiches_executees(contrat, e).contains(&fiche) {
        Ok(())
    } else {
        Err(refus(
            champ,
            None,
            format!("Fiche : le contrat n'a pas de fiche {fiche}."),
        ))
    }
}

fn positif(m: Montant, champ: &str, libelle: &str) -> Result<(), ErreurSaisie> {
    if m < Montant::ZERO {
        Err(refus(
            champ,
            None,
            format!("{libelle} : un montant positif ou nul ({m})."),
        ))
    } else {
        Ok(())
    }
}

/// The State amount notified for an axis and a year (annexe 8 art. 2.2); replaces an earlier
/// notification of the same axis and year. Refused when the axis is not the contract's (a
/// département's contract has no axis 2) or when the year's notified amounts then break the
/// global ceiling (R-FIN-03) or the axis's 20 % floor (R-FIN-04).
pub fn notifier_axe(contrat: &Contrat, e: &Execution, n: NotificationAxe) -> Result<Execution, ErreurSaisie> {
    if !par_axe(contrat).type_contrat.axes().contains(&n.axe) {
        return Err(refus(
            "axe",
            None,
            format!("Axe : {} n'appartient pas à ce type de contrat.", n.axe),
        ));
    }
    positif(n.etat, "montant", "Montant notifié")?;
    let mut apres = e.clone();
    apres
        .notifications_axes
        .retain(|x| !(x.axe == n.axe && x.annee == n.annee));
    apres.notifications_axes.push(n);
    nouveau_bloquant(contrat, e, &apres, &["R-FIN-03", "R-FIN-04"], "montant")?;
    Ok(apres)
}

/// The State participation notified for a fiche and a year (annexe 10 column A); replaces an
/// earlier notification of the same fiche and year. Refused on R-FIN-03 and R-FIN-04 as
/// [`notifier_axe`].
pub fn notifier_fiche(
    contrat: &Contrat,
    e: &Execution,
    n: NotificationFiche,
) -> Result<Execution, ErreurSaisie> {
    fiche_connue(contrat, e, n.fiche, "fiche")?;
    positif(n.etat, "montant", "Participation État notifiée")?;
    let mut apres = e.clone();
    apres
        .notifications
        .retain(|x| !(x.fiche == n.fiche && x.annee == n.annee));
    apres.notifications.push(n);
    nouveau_bloquant(contrat, e, &apres, &["R-FIN-03", "R-FIN-04"], "montant")?;
    Ok(apres)
}

/// A yearly financial avenant (R-FIN-09): dated, with both parties' express agreement dated on
/// or before it, at least one fiche, each with its amount and reason; a fiche it changes
/// exists, a fiche it adds is new and has a title. Refused also on R-FIN-03 and R-FIN-04.
/// Field names: `date`, `accord_etat`, `accord_collectivite`, `lignes[i].fiche`,
/// `lignes[i].intitule`, `lignes[i].etat`, `lignes[i].motif`.
pub fn enregistrer_avenant(contrat: &Contrat, e: &Execution, a: Avenant) -> Result<Execution, ErreurSaisie> {
    const R: Option<&str> = Some("R-FIN-09");
    let Some(date) = a.date else {
        return Err(refus("date", R, "Date de l'avenant : champ obligatoire"));
    };
    for (champ, accord, partie) in [
        ("accord_etat", a.accord_etat, "de l'État"),
        ("accord_collectivite", a.accord_collectivite, "de la collectivité"),
    ] {
        match accord {
            None => {
                return Err(refus(
                    champ,
                    R,
                    format!("Accord exprès {partie} : sa date est obligatoire"),
                ));
            }
            Some(d) if d > date => {
                return Err(refus(
                    champ,
                    R,
                    format!("Accord exprès {partie} : daté du {d}, après l'avenant du {date}"),
                ));
            }
            Some(_) => {}
        }
    }
    if a.lignes.is_empty() {
        return Err(refus(
            "lignes[0].fiche",
            R,
            "Fiches : un avenant modifie ou ajoute au moins une fiche",
        ));
    }
    for (i, l) in a.lignes.iter().enumerate() {
        let champ = |c: &str| format!("lignes[{i}].{c}");
        let existe = contrat.fiche(l.fiche).is_some()
            || e.avenants
                .iter()
                .flat_map(|x| &x.lignes)
                .any(|x| x.fiche == l.fiche);
        if a.lignes[..i].iter().any(|x| x.fiche == l.fiche) {
            return Err(refus(
                champ("fiche"),
                R,
                format!("Fiche {} : elle figure deux fois dans l'avenant", l.fiche),
            ));
        }
        if l.ajoutee && existe {
            return Err(refus(
                champ("fiche"),
                R,
                format!(
                    "Fiche {} : elle existe déjà ; décochez « fiche ajoutée » pour la modifier",
                    l.fiche
                ),
            ));
        }
        if !l.ajoutee && !existe {
            return Err(refus(
                champ("fiche"),
                R,
                format!(
                    "Fiche {} : le contrat ne l'a pas ; cochez « fiche ajoutée » pour l'ajouter",
                    l.fiche
                ),
            ));
        }
        if l.ajoutee && l.intitule.as_deref().is_none_or(|t| t.trim().is_empty()) {
            return Err(refus(
                champ("intitule"),
                R,
                format!("Fiche {} ajoutée : son intitulé est obligatoire", l.fiche),
            ));
        }
        positif(l.etat, &champ("etat"), "Participation État")?;
        if let Some(c) = l.collectivite {
            positif(c, &champ("collectivite"), "Participation de la collectivité")?;
        }
        if l.motif.trim().is_empty() {
            return Err(refus(
                champ("motif"),
                R,
                format!("Motif de la fiche {} : champ obligatoire", l.fiche),
            ));
        }
    }
    let mut apres = e.clone();
    apres.avenants.push(a);
    nouveau_bloquant(contrat, e, &apres, &["R-FIN-03", "R-FIN-04"], "lignes[0].etat")?;
    Ok(apres)
}

/// A State payment (R-FIN-10): above zero, programme 304, the collectivity's bank details.
pub fn enregistrer_versement(e: &Execution, v: Versement) -> Result<Execution, ErreurSaisie> {
    const R: Option<&str> = Some("R-FIN-10");
    if v.montant <= Montant::ZERO {
        return Err(refus(
            "montant",
            None,
            "Montant versé : un versement porte un montant supérieur à zéro.",
        ));
    }
    if v.programme != super::PROGRAMME_304 {
        return Err(refus(
            "programme",
            R,
            format!(
                "Programme : la dépense est imputée sur le programme 304 « Inclusion sociale et protection des personnes », pas « {} »",
                v.programme
            ),
        ));
    }
    if v.iban.trim().is_empty() {
        return Err(refus(
            "iban",
            R,
            "Coordonnées bancaires (IBAN) : champ obligatoire",
        ));
    }
    let mut apres = e.clone();
    apres.versements.push(v);
    Ok(apres)
}

/// What a fiche spent in a year, replacing an earlier declaration of the same fiche and year.
pub fn declarer_realisation(
    contrat: &Contrat,
    e: &Execution,
    r: Realisation,
) -> Result<Execution, ErreurSaisie> {
    fiche_connue(contrat, e, r.fiche, "fiche")?;
    positif(r.etat, "etat", "Crédits État consommés")?;
    positif(
        r.collectivite,
        "collectivite",
        "Crédits de la collectivité consommés",
    )?;
    positif(r.autres, "autres", "Autres financements consommés")?;
    let mut apres = e.clone();
    apres
        .realisations
        .retain(|x| !(x.fiche == r.fiche && x.annee == r.annee));
    apres.realisations.push(r);
    Ok(apres)
}

/// A carry-over of a fiche's unconsumed credits of `r.annee` into the next year, decided in the
/// management dialogue and recorded with its date. It replaces every carry-over of the same
/// fiche and year, the collectivity's proposal included (reading L-09). No carry-over out of
/// the last year (R-FIN-11); the State part is at most the State credits not consumed that
/// year, the collectivity part at most the collectivity's (R-FIN-12): equal passes, one cent
/// over is refused. Refused also when it makes a later carry-over exceed its year's credits.
pub fn enregistrer_report(contrat: &Contrat, e: &Execution, r: Report) -> Result<Execution, ErreurSaisie> {
    fiche_connue(contrat, e, r.fiche, "fiche")?;
    let derniere = Annee::TOUTES[3];
    if r.annee == derniere {
        return Err(refus(
            "annee",
            Some("R-FIN-11"),
            format!(
                "Année : aucun crédit ne se reporte au-delà de la convention (31/12/{derniere}) ; les crédits État non consommés font l'objet d'un titre de reversement"
            ),
        ));
    }
    if r.date.is_none() {
        return Err(refus(
            "date",
            Some("R-FIN-12"),
            "Date de la décision : le report est décidé lors du dialogue de gestion, à sa date",
        ));
    }
    positif(r.etat, "etat", "Report État")?;
    positif(r.collectivite, "collectivite", "Report collectivité")?;
    let mut apres = e.clone();
    apres
        .reports
        .retain(|x| !(x.fiche == r.fiche && x.annee == r.annee));
    apres.reports.push(Report {
        proposition: false,
        ..r
    });
    // A year's unconsumed credits do not depend on its own carry-over: read them after.
    let a = situation(contrat, &apres).fiche(r.fiche, r.annee);
    for (champ, report, non_consomme, part) in [
        ("etat", r.etat, a.etat_non_consomme, "État"),
        (
            "collectivite",
            r.collectivite,
            a.collectivite_non_consommee,
            "collectivité",
        ),
    ] {
        let plafond = non_consomme.max(Montant::ZERO);
        if report > plafond {
            return Err(refus(
                champ,
                Some("R-FIN-12"),
                format!(
                    "Report {part} : {report} dépasse les crédits {part} non consommés de la fiche {} en {} ({plafond})",
                    r.fiche, r.annee
                ),
            ));
        }
    }
    nouveau_bloquant(contrat, e, &apres, &["R-FIN-12"], "etat")?;
    Ok(apres)
}

/// The reduction of `annee` of a fiche that is proposed (R-FIN-06) or already recorded.
fn reduction_en_cours(
    contrat: &Contrat,
    e: &Execution,
    fiche: NumeroFiche,
    annee: Annee,
) -> Option<Reduction> {
    if let Some(r) = e
        .reductions
        .iter()
        .rev()
        .find(|r| r.fiche == fiche && r.annee == annee)
    {
        return Some(r.clone());
    }
    let s = situation(contrat, e);
    propositions_reduction(contrat, e, &s, annee)
        .into_iter()
        .find(|p| p.fiche == fiche)
        .map(|p| Reduction {
            fiche,
            annee,
            proposee: p.montant,
            justification: None,
            decision: None,
        })
}

fn remplacer_reduction(e: &Execution, r: Reduction) -> Execution {
    let mut apres = e.clone();
    apres
        .reductions
        .retain(|x| !(x.fiche == r.fiche && x.annee == r.annee));
    apres.reductions.push(r);
    apres
}

/// The collectivity's justification of a proposed reduction (R-FIN-06), before the decision.
pub fn justifier_reduction(
    contrat: &Contrat,
    e: &Execution,
    fiche: NumeroFiche,
    annee: Annee,
    texte: &str,
) -> Result<Execution, ErreurSaisie> {
    const R: Option<&str> = Some("R-FIN-06");
    let texte = texte.trim();
    if texte.is_empty() {
        return Err(refus("justification", R, "Justification : champ obligatoire"));
    }
    if let Some(m) = crate::contrat::refus_longueur(texte, TEXTE_LONG_MAX) {
        return Err(refus("justification", None, format!("Justification : {m}")));
    }
    let Some(mut r) = reduction_en_cours(contrat, e, fiche, annee) else {
        return Err(refus(
            "fiche",
            R,
            format!("Fiche {fiche} : aucune réduction n'est proposée pour {annee}"),
        ));
    };
    if r.decision.is_some() {
        return Err(refus(
            "justification",
            R,
            format!("Fiche {fiche} : la réduction de {annee} est déjà décidée"),
        ));
    }
    r.justification = Some(texte.to_string());
    Ok(remplacer_reduction(e, r))
}

/// The commissaire's decision on a proposed reduction (R-FIN-06): an amount from zero (no
/// reduction) up to the fiche's State amount of the year, and its date. The decided reduction
/// flows into the next avenant (R-FIN-05 reads it).
pub fn decider_reduction(
    contrat: &Contrat,
    e: &Execution,
    fiche: NumeroFiche,
    annee: Annee,
    decision: DecisionReduction,
) -> Result<Execution, ErreurSaisie> {
    const R: Option<&str> = Some("R-FIN-06");
    let Some(mut r) = reduction_en_cours(contrat, e, fiche, annee) else {
        return Err(refus(
            "fiche",
            R,
            format!("Fiche {fiche} : aucune réduction n'est proposée pour {annee}"),
        ));
    };
    positif(decision.montant, "montant", "Réduction décidée")?;
    let plafond = etat_prevu(contrat, e, fiche, annee);
    if decision.montant > plafond {
        return Err(refus(
            "montant",
            R,
            format!(
                "Réduction décidée : {} dépasse la participation État de la fiche {fiche} en {annee} ({plafond})",
                decision.montant
            ),
        ));
    }
    r.decision = Some(decision);
    Ok(remplacer_reduction(e, r))
}

/// The reductions of a contract awaiting the commissaire's decision: proposed by R-FIN-06 or
/// recorded (justified), without a decision, every year.
pub fn reductions_en_attente(contrat: &Contrat, e: &Execution) -> Vec<Reduction> {
    let s = situation(contrat, e);
    let mut out = Vec::new();
    for annee in Annee::TOUTES {
        for p in propositions_reduction(contrat, e, &s, annee) {
            if let Some(r) = reduction_en_cours(contrat, e, p.fiche, annee)
                && r.decision.is_none()
            {
                out.push(r);
            }
        }
    }
    out
}

/// A carry-over proposal of the collectivity, from its uploaded Bilan (reading L-09).
pub fn proposer_reports(e: &Execution, annee: Annee, reports: &[Report]) -> Execution {
    let mut apres = e.clone();
    apres.reports.retain(|x| !(x.annee == annee && x.proposition));
    for r in reports {
        let deja = apres.reports.iter().any(|x| {
            x.fiche == r.fiche
                && x.annee == annee
                && !x.proposition
                && x.etat == r.etat
                && x.collectivite == r.collectivite
        });
        if !deja {
            apres.reports.push(Report {
                annee,
                date: None,
                proposition: true,
                ..*r
            });
        }
    }
    apres
}

/// The axis of a notification form, by its number.
pub fn axe_depuis_numero(t: &str) -> Option<Axe> {
    Axe::TOUS.into_iter().find(|a| a.numero().to_string() == t.trim())
}

#[cfg(test)]
mod tests;
