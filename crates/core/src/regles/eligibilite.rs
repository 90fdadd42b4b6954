//! Eligibility, calendar and documents: R-ELIG-*, R-CAL-01, R-DOC-05, R-DOC-07.

use super::{CibleConstat, Constat, Contexte, Regle, cible_fiche, constat};
use crate::contrat::EtatContrat;
use crate::territoires::{Eligibilite, Siren};
use crate::{Annee, Date};

const FIN_CONVENTION: Date = Date::ymd(2027, 12, 31);

/// Whether the collectivity code looks like a commune's SIREN (INSEE's category: communes'
/// SIREN start with 21).
fn siren_de_commune(code: &str) -> bool {
    Siren::parse(code).is_ok_and(|s| s.as_str().starts_with("21"))
}

/// Whether a valid SIREN can be an EPCI's, hence a communauté d'agglomération or urbaine's:
/// INSEE numbers groupings of communes 24… (before 2000) or 200… (since); communes are 21…,
/// départements 22…, régions 23….
fn siren_d_epci(siren: &Siren) -> bool {
    let s = siren.as_str();
    s.starts_with("24") || s.starts_with("200")
}

/// A département designated by its SIREN (22…) rather than its official geographic code.
fn siren_de_departement(code: &str) -> bool {
    Siren::parse(code).is_ok_and(|s| s.as_str().starts_with("22"))
}

/// Codes of the overseas collectivities outside article 73 of the Constitution (article 74
/// collectivities and New Caledonia): Saint-Pierre-et-Miquelon, Saint-Barthélemy,
/// Saint-Martin, Wallis-et-Futuna, Polynésie française, Nouvelle-Calédonie.
const HORS_ARTICLE_73: [(&str, &str); 6] = [
    ("975", "Saint-Pierre-et-Miquelon"),
    ("977", "Saint-Barthélemy"),
    ("978", "Saint-Martin"),
    ("986", "Wallis-et-Futuna"),
    ("987", "la Polynésie française"),
    ("988", "la Nouvelle-Calédonie"),
];

/// R-ELIG-04: [004] « La présente instruction s'applique dans les territoires nommés à
/// l'article 73 de la Constitution. »
pub(super) fn r_elig_04(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let code = ctx.contrat.contrat.collectivite.trim();
    if let Some((_, nom)) = HORS_ARTICLE_73.iter().find(|(c, _)| *c == code) {
        out.push(constat(
            regle,
            CibleConstat::en_tete("collectivite"),
            format!(
                "Le code « {code} » désigne {nom}, hors des territoires de l'article 73 de la Constitution (Guadeloupe, Guyane, Martinique, La Réunion, Mayotte) où s'applique l'instruction outre-mer."
            ),
        ));
    }
}

pub(super) fn r_elig_01(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let code = ctx.contrat.contrat.collectivite.trim();
    if HORS_ARTICLE_73.iter().any(|(c, _)| *c == code) {
        return; // R-ELIG-04 says why.
    }
    if ctx.collectivite.is_some() || siren_de_commune(code) {
        // Known and eligible, or decided by R-ELIG-02 (communes).
        return;
    }
    if ctx.contrat.contrat.ami.is_some() {
        // Selection by the AMI is decided by R-ELIG-03; the code must still name a
        // communauté d'agglomération or urbaine ([004] A5 VI.b « ces intercommunalités »).
        let pourquoi = match Siren::parse(code) {
            Err(e) => e,
            Ok(s) if !siren_d_epci(&s) => format!(
                "le SIREN {s} n'est pas celui d'une intercommunalité (un SIREN de communauté d'agglomération ou urbaine commence par 24 ou 200)"
            ),
            Ok(_) => return,
        };
        out.push(constat(
            regle,
            CibleConstat::en_tete("collectivite"),
            format!(
                "Collectivité non éligible : {pourquoi}. Une communauté retenue par l'AMI national se désigne par le SIREN de la communauté d'agglomération ou urbaine."
            ),
        ));
        return;
    }
    let pourquoi = match Siren::parse(code) {
        Err(e) if code.len() == 9 => e,
        _ if siren_de_departement(code) => format!(
            "« {code} » est le SIREN d'un département ; un département se désigne par son code officiel géographique à deux ou trois caractères (« 13 », « 2A », « 974 »)"
        ),
        _ => format!(
            "« {code} » n'est ni le SIREN (9 chiffres) d'une des 22 métropoles et communautés éligibles, ni le code officiel géographique d'un département (« 13 », « 2A », « 974 »)"
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

/// The dates at which the contract was deliberated or signed: a start set on one of them
/// instead of 1 January is the retroactive start R-CAL-02 asks for.
fn dates_de_signature(ctx: &Contexte) -> Vec<Date> {
    let en_tete = &ctx.contrat.contrat;
    en_tete
        .date_deliberation
        .into_iter()
        .chain(en_tete.signataires.iter().filter_map(|s| s.date_signature))
        .collect()
}

/// The starts the contract may have: 1 January 2024, or 2025 / 2026 for a communauté
/// selected by the AMI (R-ELIG-03).
fn debuts_admis(ctx: &Contexte) -> (&'static [Date], &'static str) {
    const AMI: [Date; 2] = [Date::ymd(2025, 1, 1), Date::ymd(2026, 1, 1)];
    const CALPAE: [Date; 1] = [Date::ymd(2024, 1, 1)];
    let par_ami = ctx.collectivite.is_none() && ctx.contrat.contrat.ami.is_some();
    if par_ami {
        (&AMI, "le 01/01/2025 ou le 01/01/2026")
    } else {
        (&CALPAE, "le 01/01/2024")
    }
}

/// R-CAL-02: a start set on the signature or deliberation date instead of 1 January.
pub(super) fn r_cal_02(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let (admis, attendu) = debuts_admis(ctx);
    if let Some(d) = ctx.contrat.contrat.debut
        && !admis.contains(&d)
        && dates_de_signature(ctx).contains(&d)
    {
        out.push(constat(
            regle,
            CibleConstat::en_tete("debut"),
            format!(
                "Le contrat débute le {d}, date de sa délibération ou de sa signature : il démarre {attendu}, de façon rétroactive s'il est signé plus tard."
            ),
        ));
    }
}

pub(super) fn r_cal_01(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let en_tete = &ctx.contrat.contrat;
    avant_le_debut(regle, ctx, out);
    let (debuts_admis, attendu) = debuts_admis(ctx);
    match en_tete.debut {
        None => out.push(constat(
            regle,
            CibleConstat::en_tete("debut"),
            format!("La date de début du contrat n'est pas renseignée : elle doit être {attendu}."),
        )),
        Some(d) if !debuts_admis.contains(&d) && !dates_de_signature(ctx).contains(&d) => out.push(constat(
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
            | EtatContrat::Denonce
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

/// R-CAL-01, the other side of the period: no year before the contract's start carries money,
/// and no fiche starts before it ([004] TP §4 « pour un démarrage en 2025 ou 2026 »; A5 VI.b).
fn avant_le_debut(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    // Against an admissible start only: a wrong start is R-CAL-01's own finding.
    let Some(debut) = ctx
        .contrat
        .contrat
        .debut
        .filter(|d| debuts_admis(ctx).0.contains(d))
    else {
        return;
    };
    let annee_debut = debut.annee();
    for f in &ctx.fiches {
        let fiche = f.fiche;
        let n = fiche.numero;
        let cible = cible_fiche(n);
        for a in Annee::TOUTES
            .into_iter()
            .filter(|a| i32::from(a.valeur()) < annee_debut)
        {
            let fin = &fiche.financement;
            let champ = if !fin.etat(a).est_nul() {
                Some("financement.etat")
            } else if !fin.collectivite(a).est_nul() {
                Some("financement.collectivite")
            } else if !fin.autres(a).est_nul() {
                Some("financement.autres")
            } else if !fiche.depenses(a).est_nul() {
                Some("depenses")
            } else {
                None
            };
            if let Some(champ) = champ {
                out.push(constat(
                    regle,
                    cible.clone().et(format!("{champ}.{a}")),
                    format!(
                        "Fiche {n}, {a} : un financement ou une dépense est prévu avant le début du contrat ({debut}) ; aucune année antérieure au démarrage ne peut porter de crédits."
                    ),
                ));
            }
        }
        if let Some(d) = fiche.debut
            && d < debut
        {
            out.push(constat(
                regle,
                cible.et("debut"),
                format!("Fiche {n} : l'action débute le {d}, avant le début du contrat ({debut})."),
            ));
        }
    }
}
