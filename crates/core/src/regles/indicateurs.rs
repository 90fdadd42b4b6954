//! Indicators and evaluation: R-IND-01..04, R-EVAL-03, R-REF-18.

use super::{CibleConstat, Constat, Contexte, Regle, cible_fiche, constat};
use crate::Annee;

/// The years missing from a trajectory, as French text (`2025, 2027`), or `None`.
fn annees_manquantes<T>(cibles: &crate::contrat::ParAnnee<T>) -> Option<String> {
    let manque: Vec<String> = Annee::TOUTES
        .iter()
        .filter(|a| !cibles.contains_key(a))
        .map(ToString::to_string)
        .collect();
    (!manque.is_empty()).then(|| manque.join(", "))
}

pub(super) fn r_ind_01(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx.fiches.iter().filter(|f| f.fiche.indicateurs.is_empty()) {
        out.push(constat(
            regle,
            cible_fiche(f.fiche.numero).et("indicateurs"),
            format!("Fiche {} : aucun indicateur local chiffré ; chaque action contractualisée en porte au moins un.", f.fiche.numero),
        ));
    }
}

pub(super) fn r_ind_02(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        for (i, ind) in f.fiche.indicateurs.iter().enumerate() {
            let cible = cible_fiche(f.fiche.numero).et(format!("indicateurs[{i}]"));
            let mut manque = Vec::new();
            if ind.t0.is_none() {
                manque.push("la situation au 31/12/2023 (T0)".to_string());
            }
            if let Some(annees) = annees_manquantes(&ind.cibles) {
                manque.push(format!("la cible {annees}"));
            }
            if ind.cible_finale.is_none() {
                manque.push("la cible finale".to_string());
            }
            if !manque.is_empty() {
                let champ = if ind.t0.is_none() {
                    "t0"
                } else if ind.cible_finale.is_some() || ind.cibles.len() < 4 {
                    "cibles"
                } else {
                    "cible_finale"
                };
                out.push(constat(
                    regle,
                    cible.clone().et(champ),
                    format!(
                        "Fiche {}, indicateur « {} » : il manque {}.",
                        f.fiche.numero,
                        ind.libelle,
                        manque.join(", ")
                    ),
                ));
            }
        }
    }
}

pub(super) fn r_ind_03(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        let fiche = f.fiche;
        let cible = cible_fiche(fiche.numero).et("indicateurs_nationaux");
        for t in &fiche.indicateurs_nationaux {
            if ctx.referentiel.indicateur(&t.code).is_none() {
                out.push(constat(
                    regle,
                    cible.clone(),
                    format!(
                        "Fiche {} : l'indicateur national « {} » n'existe pas (codes NI-1.1 à NI-4.3).",
                        fiche.numero, t.code
                    ),
                ));
            }
        }
        let Some(place) = f.place else { continue };
        for code in &place.sous_axe.indicateurs_nationaux {
            let Some(ni) = ctx.referentiel.indicateur(code) else {
                continue;
            };
            if !ni_concerne(ni, f) {
                continue;
            }
            if !fiche.indicateurs_nationaux.iter().any(|t| t.code.trim() == code) {
                let libelle = ni.libelle.as_str();
                out.push(constat(
                    regle,
                    cible.clone(),
                    format!(
                        "Fiche {} : l'action relève du sous-axe {} et doit renseigner l'indicateur national {code} « {libelle} ».",
                        fiche.numero, place.sous_axe.uid
                    ),
                ));
            }
        }
    }
}

/// Whether national indicator `ni`, attached to the fiche's sub-axis, concerns the fiche: its
/// action type is one of the indicator's « actions concernées » ([004] A6, data of the
/// référentiel); a fiche without a type is concerned only when every type of its sub-axis is.
fn ni_concerne(ni: &crate::referentiel::IndicateurNational, f: &super::FicheResolue) -> bool {
    if ni.types_action.is_empty() {
        return true;
    }
    match f.type_id() {
        Some(t) => ni.types_action.iter().any(|x| x == t),
        None => f.place.is_some_and(|p| {
            p.sous_axe
                .types_action
                .iter()
                .all(|t| ni.types_action.contains(&t.id))
        }),
    }
}

/// The national indicators a fiche must report (R-IND-03): those attached to its sub-axis
/// that concern its action type.
#[cfg(test)]
pub(super) fn indicateurs_requis(f: &super::FicheResolue) -> Vec<&'static str> {
    let r = crate::referentiel::referentiel();
    let Some(place) = f.place else { return Vec::new() };
    place
        .sous_axe
        .indicateurs_nationaux
        .iter()
        .filter_map(|code| r.indicateur(code))
        .filter(|ni| ni_concerne(ni, f))
        .map(|ni| ni.code.as_str())
        .collect()
}

pub(super) fn r_ind_04(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        for (i, t) in f.fiche.indicateurs_nationaux.iter().enumerate() {
            if let Some(annees) = annees_manquantes(&t.cibles) {
                out.push(constat(
                    regle,
                    cible_fiche(f.fiche.numero).et(format!("indicateurs_nationaux[{i}].cibles")),
                    format!(
                        "Fiche {}, indicateur national {} : la trajectoire sur quatre ans est incomplète, il manque la cible {annees}.",
                        f.fiche.numero,
                        t.code.trim()
                    ),
                ));
            }
        }
    }
}

pub(super) fn r_eval_03(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    if !ctx.fiches.is_empty() && !ctx.fiches.iter().any(|f| f.fiche.evaluation_impact) {
        out.push(constat(
            regle,
            CibleConstat::Fiches,
            "Aucune fiche ne porte l'évaluation d'impact social du contrat : au moins une action doit être évaluée de 2024 à 2027.",
        ));
    }
}

pub(super) fn r_ref_18(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx.fiches.iter().filter(|f| f.fiche.evaluation_impact) {
        let finance = f
            .fiche
            .depenses
            .iter()
            .any(|l| l.evaluation && l.montants.values().any(|m| !m.est_nul()));
        if !finance {
            out.push(constat(
                regle,
                cible_fiche(f.fiche.numero).et("depenses"),
                format!(
                    "Fiche {} : elle porte l'évaluation d'impact social, mais aucun poste de dépenses chiffré n'est marqué « evaluation = true » ; la mesure d'impact est financée dans le coût de l'action.",
                    f.fiche.numero
                ),
            ));
        }
    }
}
