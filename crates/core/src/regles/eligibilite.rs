//! Eligibility, calendar and documents: R-ELIG-*, R-CAL-01, R-DOC-05, R-DOC-07.

use super::{CibleConstat, Constat, Contexte, Regle, cible_fiche, constat};
use crate::Date;
use crate::contrat::EtatContrat;
use crate::territoires::{Eligibilite, Siren};

const FIN_CONVENTION: Date = Date::ymd(2027, 12, 31);

/// Whether the collectivity code looks like a commune's SIREN (INSEE's category: communes'
/// SIREN start with 21).
fn siren_de_commune(code: &str) -> bool {
    Siren::parse(code).is_ok_and(|s| s.as_str().starts_with("21"))
}

pub(super) fn r_elig_01(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let code = ctx.contrat.contrat.collectivite.trim();
    if ctx.collectivite.is_some() || ctx.contrat.contrat.ami.is_some() || siren_de_commune(code) {
        // Known and eligible, or decided by R-ELIG-03 (AMI) or R-ELIG-02 (communes).
        return;
    }
    let pourquoi = match Siren::parse(code) {
        Err(e) if code.len() == 9 => e,
        _ => format!(
            "« {code} » n'est ni le SIREN d'une des 22 métropoles et communautés éligibles, ni le code d'un département"
        ),
    };
    out.push(constat(
        regle,
        CibleConstat::en_tete("collectivite"),
        format!(
            "Collectivité non éligible : {pourquoi}. Peuvent contracter les 20 métropoles, Perpignan Méditerranée Métropole, Amiens Métropole, la Ville de Marseille, les départements, et les communautés retenues par l'AMI national."
        ),
    ));
}

pub(super) fn r_elig_02(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let code = ctx.contrat.contrat.collectivite.trim();
    let est_marseille = ctx
        .collectivite
        .is_some_and(|c| c.eligibilite == Eligibilite::VilleDeMarseille);
    if siren_de_commune(code) && !est_marseille {
        out.push(constat(
            regle,
            CibleConstat::en_tete("collectivite"),
            format!(
                "La commune de SIREN {code} ne peut pas conclure de contrat local des solidarités : parmi les communes, seule la Ville de Marseille (SIREN 211300553) y est éligible."
            ),
        ));
    }
}

pub(super) fn r_elig_03(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let en_tete = &ctx.contrat.contrat;
    let Some(ami) = &en_tete.ami else { return };
    if ctx.collectivite.is_some() {
        return; // Already eligible on its own ground; the AMI block is informative.
    }
    if !ami.retenue {
        out.push(constat(
            regle,
            CibleConstat::en_tete("ami.retenue"),
            format!(
                "{} n'est pas marquée comme retenue par l'appel à manifestation d'intérêt national : elle ne peut pas contracter.",
                ami.nom
            ),
        ));
    }
    if let Some(debut) = en_tete.debut
        && debut < Date::ymd(2025, 1, 1)
    {
        out.push(constat(
            regle,
            CibleConstat::en_tete("debut"),
            format!(
                "Le contrat de {} démarre le {debut} : une communauté retenue par l'AMI ne peut démarrer qu'en 2025 ou 2026.",
                ami.nom
            ),
        ));
    }
}

pub(super) fn r_cal_01(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let en_tete = &ctx.contrat.contrat;
    let par_ami = ctx.collectivite.is_none() && en_tete.ami.is_some();
    let debuts_admis: &[Date] = if par_ami {
        &[Date::ymd(2025, 1, 1), Date::ymd(2026, 1, 1)]
    } else {
        &[Date::ymd(2024, 1, 1)]
    };
    let attendu = if par_ami {
        "le 01/01/2025 ou le 01/01/2026"
    } else {
        "le 01/01/2024"
    };
    match en_tete.debut {
        None => out.push(constat(
            regle,
            CibleConstat::en_tete("debut"),
            format!("La date de début du contrat n'est pas renseignée : elle doit être {attendu}."),
        )),
        Some(d) if !debuts_admis.contains(&d) => out.push(constat(
            regle,
            CibleConstat::en_tete("debut"),
            format!(
                "Le contrat débute le {d} : il doit débuter {attendu}, le cas échéant de façon rétroactive."
            ),
        )),
        Some(_) => {}
    }
    match en_tete.fin {
        None => out.push(constat(
            regle,
            CibleConstat::en_tete("fin"),
            "La date de fin du contrat n'est pas renseignée : elle doit être le 31/12/2027.",
        )),
        Some(f) if f != FIN_CONVENTION => out.push(constat(
            regle,
            CibleConstat::en_tete("fin"),
            format!("Le contrat s'achève le {f} : il doit s'achever le 31/12/2027."),
        )),
        Some(_) => {}
    }
}

pub(super) fn r_doc_05(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let en_tete = &ctx.contrat.contrat;
    let delibere = matches!(
        en_tete.etat,
        EtatContrat::Delibere
            | EtatContrat::Signe
            | EtatContrat::EnExecution
            | EtatContrat::Evalue
            | EtatContrat::Clos
    );
    if delibere && en_tete.date_deliberation.is_none() {
        out.push(constat(
            regle,
            CibleConstat::en_tete("date_deliberation"),
            format!(
                "Le contrat est « {} » mais la date de la délibération autorisant sa signature n'est pas renseignée.",
                en_tete.etat.libelle()
            ),
        ));
    }
}

pub(super) fn r_doc_07(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        let fiche = f.fiche;
        let cible = cible_fiche(fiche.numero);
        match (fiche.debut, fiche.duree_mois) {
            (Some(debut), Some(duree)) => {
                let fin = debut.fin_apres_mois(duree);
                if fin > FIN_CONVENTION {
                    out.push(constat(
                        regle,
                        cible.clone().et("duree_mois"),
                        format!(
                            "Fiche {} : l'action débute le {debut} pour {duree} mois et s'achèverait le {fin}, après l'échéance de la convention (31/12/2027).",
                            fiche.numero
                        ),
                    ));
                }
            }
            (debut, duree) => {
                let manque = match (debut, duree) {
                    (None, None) => "la date de mise en place et la durée ne sont pas renseignées",
                    (None, _) => "la date de mise en place n'est pas renseignée",
                    _ => "la durée n'est pas renseignée",
                };
                let champ = if debut.is_none() { "debut" } else { "duree_mois" };
                out.push(constat(
                    regle,
                    cible.clone().et(champ),
                    format!(
                        "Fiche {} : {manque} ; le calendrier de l'action doit être précisé.",
                        fiche.numero
                    ),
                ));
            }
        }
    }
}
