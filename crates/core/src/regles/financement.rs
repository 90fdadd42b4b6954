//! Co-funding, ceilings and tables: R-DOC-06, R-COFI-*, R-FIN-03..05, R-TAB-02..03.

use super::{CibleConstat, Constat, Contexte, Regle, cible_fiche, constat};
use crate::Annee;
use crate::contrat::Axe;

pub(super) fn r_doc_06(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        let fiche = f.fiche;
        if fiche.financement.annees().next().is_none() {
            out.push(constat(
                regle,
                cible_fiche(fiche.numero).et("financement"),
                format!(
                    "Fiche {} : aucun financement n'est renseigné ; le budget détaillé donne les montants de l'État et de la collectivité par année.",
                    fiche.numero
                ),
            ));
        } else if fiche.depenses.is_empty() {
            out.push(constat(
                regle,
                cible_fiche(fiche.numero).et("depenses"),
                format!(
                    "Fiche {} : le budget n'est pas détaillé par poste de dépenses (personnel, prestations, investissement…).",
                    fiche.numero
                ),
            ));
        }
    }
}

pub(super) fn r_cofi_50(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        let fin = &f.fiche.financement;
        for a in Annee::TOUTES {
            let (etat, coll) = (fin.etat(a), fin.collectivite(a));
            if etat > coll {
                let autres = fin.autres(a);
                let precision = if autres.est_nul() {
                    String::new()
                } else {
                    format!(
                        " Les {autres} des autres cofinanceurs ne comptent pas dans la part de {}.",
                        ctx.nom_collectivite()
                    )
                };
                out.push(constat(
                    regle,
                    cible_fiche(f.fiche.numero).et(format!("financement.etat.{a}")),
                    format!(
                        "Fiche {}, {a} : la part de l'État ({etat}) dépasse celle de {} ({coll}). Le cofinancement est de 50 % État et 50 % collectivité pour chaque action.{precision}",
                        f.fiche.numero,
                        ctx.nom_collectivite()
                    ),
                ));
            }
        }
    }
}

pub(super) fn r_cofi_51(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        let fin = &f.fiche.financement;
        for a in Annee::TOUTES {
            // CEE money sits on the State's side (X-29, R-REF-04): it is not another local
            // partner whose presence makes the collectivity's excess a breach (R-COFI-52).
            let (etat, coll, autres) = (fin.etat(a), fin.collectivite(a), fin.autres_hors_cee(a));
            if !autres.est_nul() && coll > etat {
                out.push(constat(
                    regle,
                    cible_fiche(f.fiche.numero).et(format!("financement.collectivite.{a}")),
                    format!(
                        "Fiche {}, {a} : avec d'autres cofinanceurs ({autres}), les parts de l'État ({etat}) et de {} ({coll}) doivent rester égales.",
                        f.fiche.numero,
                        ctx.nom_collectivite()
                    ),
                ));
            }
        }
    }
}

pub(super) fn r_cofi_52(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        let fin = &f.fiche.financement;
        for a in Annee::TOUTES {
            let (etat, coll) = (fin.etat(a), fin.collectivite(a));
            if fin.autres_hors_cee(a).est_nul() && coll > etat {
                let cee = fin.cee(a);
                let precision = if cee.est_nul() {
                    String::new()
                } else {
                    format!(" Les CEE ({cee}) comptent du côté de l'État pour le plafond SLIME+ (R-REF-04).")
                };
                out.push(constat(
                    regle,
                    cible_fiche(f.fiche.numero).et(format!("financement.collectivite.{a}")),
                    format!(
                        "Fiche {}, {a} : la part de {} ({coll}) dépasse celle de l'État ({etat}) ; c'est admis, mais l'instruction demande des parts égales.{precision}",
                        f.fiche.numero,
                        ctx.nom_collectivite()
                    ),
                ));
            }
        }
    }
}

/// R-FIN-03: the global ceiling is the sum of the proposed amounts of the contract's axes
/// (annexe 5 II.a); the figures come from [`crate::financement`].
pub(super) fn r_fin_03(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    if ctx.contrat.contrat.montants_proposes.is_empty() {
        out.push(constat(
            regle,
            CibleConstat::en_tete("montants_proposes"),
            "Les montants proposés par axe (participation de l'État notifiée) ne sont pas renseignés : le plafond ne peut être vérifié.",
        ));
        return;
    }
    let f = &ctx.financement;
    for x in &f.axes {
        if x.reperes.dans_contrat && x.reperes.propose.is_none() {
            out.push(constat(
                regle,
                CibleConstat::montant_propose(x.axe),
                format!(
                    "Le montant proposé pour l'{} n'est pas renseigné : le plafond global et le socle de 20 % de cet axe ne peuvent être vérifiés.",
                    x.axe
                ),
            ));
        }
    }
    if !f.plafond_complet {
        return; // The global ceiling is unknown until every axis has its amount.
    }
    let plafond = f.plafond_global;
    for a in f.annees.iter().filter(|a| a.depasse) {
        out.push(constat(
            regle,
            CibleConstat::en_tete("montants_proposes"),
            format!(
                "{} : la participation totale de l'État ({}) dépasse le plafond global, somme des montants proposés par axe ({plafond}), de {}.",
                a.annee,
                a.etat,
                a.etat - plafond
            ),
        ));
    }
}

/// R-FIN-04: each axis keeps 20 % of its proposed amount, each year with a State
/// participation (annexe 5 II.a); the figures come from [`crate::financement`].
pub(super) fn r_fin_04(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let f = &ctx.financement;
    for (i, annee) in f.annees.iter().enumerate() {
        for x in &f.axes {
            let (Some(propose), Some(socle)) = (x.reperes.propose, x.reperes.socle) else {
                continue;
            };
            let a = &x.annees[i];
            if a.sous_socle {
                out.push(constat(
                    regle,
                    CibleConstat::montant_propose(x.axe),
                    format!(
                        "{}, {} : la participation de l'État ({}) est inférieure au socle de 20 % du montant proposé pour l'axe ({propose}), soit au moins {socle}.",
                        annee.annee, x.axe, a.contractualise
                    ),
                ));
            }
        }
    }
}

/// R-FIN-05: the State amount of the contract's first year (2024, or 2025 for a communauté
/// selected by the AMI) is carried over at the same level the following years up to 2026
/// ([004] A5 II.d « reconduit à même hauteur en 2025 et 2026 »). The amounts compared are the
/// totals of the fiches' State shares (annexe 10), written at `engagement_etat` when the
/// contract states them.
pub(super) fn r_fin_05(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let t = &ctx.tableaux;
    let premiere = ctx
        .contrat
        .contrat
        .debut
        .map_or(2024, |d| d.annee())
        .clamp(2024, 2027);
    let Some(i0) = t.iter().position(|x| i32::from(x.annee.valeur()) == premiere) else {
        return;
    };
    let reference = t[i0].totaux.etat;
    if reference.est_nul() {
        return;
    }
    let reference_annee = t[i0].annee;
    for tableau in t[i0 + 1..].iter().filter(|x| x.annee.valeur() <= 2026) {
        let montant = tableau.totaux.etat;
        if montant != reference {
            let cible = if ctx.contrat.contrat.engagement_etat.contains_key(&tableau.annee) {
                CibleConstat::en_tete(format!("engagement_etat.{}", tableau.annee))
            } else {
                CibleConstat::Fiches
            };
            out.push(constat(
                regle,
                cible,
                format!(
                    "{} : la participation de l'État (total des parts État des fiches : {montant}) diffère de celle de la première année du contrat, {reference_annee} ({reference}) ; le montant négocié est reconduit à la même hauteur jusqu'en 2026.",
                    tableau.annee
                ),
            ));
        }
    }
}

pub(super) fn r_tab_01(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let mut vus = std::collections::BTreeMap::new();
    for f in &ctx.fiches {
        *vus.entry(f.fiche.numero).or_insert(0usize) += 1;
    }
    for (numero, n) in vus.into_iter().filter(|(_, n)| *n > 1) {
        out.push(constat(
            regle,
            cible_fiche(numero),
            format!("Le numéro de fiche {numero} est porté par {n} fiches : chaque fiche action a un numéro unique."),
        ));
    }
}

pub(super) fn r_tab_02(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        let fiche = f.fiche;
        let cible = cible_fiche(fiche.numero);
        for a in Annee::TOUTES {
            let fin = &fiche.financement;
            let total = fin.total(a);
            if let Some(&declare) = fiche.budget_global.get(&a)
                && declare != total
            {
                out.push(constat(
                    regle,
                    cible.clone().et(format!("budget_global.{a}")),
                    format!(
                        "Fiche {}, {a} : le budget global déclaré ({declare}) diffère de la somme des financements F = A + B + C = {} + {} + {} = {total}.",
                        fiche.numero,
                        fin.etat(a),
                        fin.collectivite(a),
                        fin.autres(a)
                    ),
                ));
            }
            let depenses = fiche.depenses(a);
            if !fiche.depenses.is_empty() && depenses != total {
                out.push(constat(
                    regle,
                    cible.clone().et(format!("depenses.{a}")),
                    format!(
                        "Fiche {}, {a} : les postes de dépenses ({depenses}) ne sont pas égaux aux financements ({total}), écart de {}.",
                        fiche.numero,
                        if depenses > total { depenses - total } else { total - depenses }
                    ),
                ));
            }
        }
    }
}

pub(super) fn r_tab_03(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let engagement = &ctx.contrat.contrat.engagement_etat;
    if engagement.is_empty() {
        return;
    }
    for t in &ctx.tableaux {
        let Some(&ecrit) = engagement.get(&t.annee) else {
            continue;
        };
        if ecrit != t.totaux.etat {
            let detail: Vec<String> = Axe::TOUS
                .iter()
                .map(|&axe| format!("{axe} {}", t.sous_total(axe).etat))
                .collect();
            out.push(constat(
                regle,
                CibleConstat::en_tete(format!("engagement_etat.{}", t.annee)),
                format!(
                    "{} : le soutien de l'État écrit au contrat ({ecrit}) diffère du total des parts État des fiches ({} : {}).",
                    t.annee,
                    t.totaux.etat,
                    detail.join(", ")
                ),
            ));
        }
    }
}

/// R-COFI-53: [004] TP §4 « Vous veillerez à ce que l'ensemble des actions proposées soit bien
/// conforme aux attendus explicités dans les référentiels et que l'engagement financier de la
/// métropole porte bien sur 50 % du financement de chaque action contractualisée. C'est à ces
/// conditions qu'il pourra être admis la conclusion […] d'une convention pluriannuelle. »
/// A contract recorded as validated or beyond while R-ACT-02, R-COFI-50 or R-COFI-51 fail.
pub(super) fn r_cofi_53(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    use crate::contrat::EtatContrat;
    let conclu = !matches!(
        ctx.contrat.contrat.etat,
        EtatContrat::Brouillon | EtatContrat::Negociation
    );
    if !conclu {
        return;
    }
    let mut conditions = Vec::new();
    for code in ["R-ACT-02", "R-COFI-50", "R-COFI-51"] {
        let r = super::regle(code).expect("in the catalogue");
        let mut k = Vec::new();
        (r.verifier)(r, ctx, &mut k);
        if !k.is_empty() {
            conditions.push(format!("{code} ({} constat(s))", k.len()));
        }
    }
    if !conditions.is_empty() {
        out.push(constat(
            regle,
            CibleConstat::en_tete("etat"),
            format!(
                "Le contrat est « {} » alors que les conditions de sa conclusion ne sont pas réunies : toutes les actions conformes aux référentiels et 50 % de chaque action financés par la collectivité ; voir {}.",
                ctx.contrat.contrat.etat.libelle(),
                conditions.join(", ")
            ),
        ));
    }
}
