//! Action eligibility and référentiel-specific rules: R-ACT-*, R-REF-01..08.

use super::{CibleConstat, Constat, Contexte, FicheResolue, Regle, TypeContrat, cible_fiche, constat};
use crate::contrat::{Axe, NatureAction, NatureDepense, PublicMobilite};
use crate::{Annee, Montant};

/// Coordination time for access to rights, the prerequisite of R-REF-01.
const TYPE_COORDINATION: &str = "AT-3-I-1.1-01";
use super::specifiques::TYPE_SLIME;
/// Experimental FSL énergie financial aid (R-REF-07).
const TYPE_AIDES_FSL: &str = "AT-4-4.1-05";
/// Mobility sub-axes: axis 4 for all publics, axis 2 for BRSA and job seekers (R-REF-02).
const MOBILITE_AXE4: &str = "A4-4.2";
const MOBILITE_AXE2: &str = "A2-2.1.4";

pub(super) fn r_act_01(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for &axe in ctx.type_contrat.axes() {
        // [004] A5 I.a: « au moins une action issue des référentiels proposés dans chacun des
        // 4 axes » — an action outside the référentiel, even derogated, does not count.
        let derogees = ctx.fiches_axe(axe).filter(|f| f.fiche.hors_referentiel).count();
        if ctx
            .fiches_axe(axe)
            .all(|f| f.fiche.hors_referentiel || f.fiche.referent_pacte)
        {
            let titre = &ctx.referentiel.axe(axe).intitule;
            let precision = if derogees > 0 {
                format!(
                    " Les {derogees} fiche(s) hors référentiel de cet axe, même autorisées par dérogation, ne comptent pas."
                )
            } else {
                String::new()
            };
            out.push(constat(
                regle,
                CibleConstat::Axe(axe),
                format!("Aucune fiche action issue du référentiel sur l'{axe} « {titre} » : le contrat doit engager au moins une action issue du référentiel de chacun de ses axes.{precision}"),
            ));
        }
    }
    if ctx.type_contrat == TypeContrat::Departement {
        for f in ctx.fiches_axe(Axe::A2) {
            out.push(constat(
                regle,
                cible_fiche(f.fiche.numero),
                format!(
                    "Fiche {} : un contrat départemental ne porte pas l'axe 2 « emploi », qui relève de la convention insertion-emploi du département.",
                    f.fiche.numero
                ),
            ));
        }
        if ctx.contrat.contrat.montants_proposes.contains_key(&Axe::A2) {
            out.push(constat(
                regle,
                CibleConstat::montant_propose(Axe::A2),
                "Un montant est proposé sur l'axe 2 alors qu'un contrat départemental ne porte que les axes 1, 3 et 4.",
            ));
        }
    }
}

pub(super) fn r_act_02(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        let fiche = f.fiche;
        let n = fiche.numero;
        let cible = cible_fiche(n);
        if fiche.hors_referentiel {
            // One definition of a complete authorisation, the one the derogation form and API
            // apply: `Derogation::lacunes_autorisation` ([004] TP §2).
            match &fiche.derogation {
                None => out.push(constat(
                    regle,
                    cible.clone().et("derogation"),
                    format!("Fiche {n} : action hors référentiel sans dérogation du ou de la commissaire à la lutte contre la pauvreté."),
                )),
                Some(d) => {
                    let lacunes = d.lacunes_autorisation();
                    if let Some((champ, _)) = lacunes.first() {
                        let manque: Vec<&str> = lacunes
                            .iter()
                            .map(|(c, _)| match *c {
                                "justification" => "sa justification par les besoins locaux",
                                "date" => "sa date",
                                _ => "qui l'a accordée",
                            })
                            .collect();
                        out.push(constat(
                            regle,
                            cible.clone().et(format!("derogation.{champ}")),
                            format!(
                                "Fiche {n} : action hors référentiel dont la dérogation ne précise pas {} ; sans autorisation complète du ou de la commissaire, l'action n'est pas admissible.",
                                manque.join(", ni ")
                            ),
                        ));
                    }
                }
            }
            continue;
        }
        if fiche.referent_pacte && fiche.sous_axe.is_none() && fiche.type_action.is_none() {
            continue; // A5 V.b permission (R-REF-17): the référent needs no référentiel place.
        }
        if let Some(s) = &fiche.sous_axe
            && ctx.referentiel.resoudre_sous_axe(fiche.axe(), s).is_none()
        {
            out.push(constat(
                regle,
                cible.clone().et("sous_axe"),
                format!(
                    "Fiche {n} : le sous-axe « {s} » n'existe pas dans le référentiel de l'{}.",
                    fiche.axe()
                ),
            ));
            continue;
        }
        if let Some(id) = &fiche.type_action
            && f.type_action.is_none()
        {
            out.push(constat(
                regle,
                cible.clone().et("type_action"),
                format!("Fiche {n} : le type d'action « {id} » n'existe pas dans le référentiel."),
            ));
            continue;
        }
        let Some(place) = f.place else {
            out.push(constat(
                regle,
                cible.clone().et("sous_axe"),
                format!(
                    "Fiche {n} : l'action n'est rattachée à aucun sous-axe ni type d'action du référentiel."
                ),
            ));
            continue;
        };
        if place.axe.code != fiche.axe().numero() && !f.mobilite_axe4_sur_axe2 {
            out.push(constat(
                regle,
                cible.clone().et("sous_axe"),
                format!(
                    "Fiche {n} : le sous-axe {} relève de l'axe {}, pas de l'{} de la fiche.",
                    place.sous_axe.uid,
                    place.axe.code,
                    fiche.axe()
                ),
            ));
            continue;
        }
        let sous_axe_declare = fiche
            .sous_axe
            .as_deref()
            .and_then(|s| ctx.referentiel.resoudre_sous_axe(fiche.axe(), s));
        if let (Some(t), Some(s), Some(declare)) = (f.type_action, &fiche.sous_axe, sous_axe_declare)
            && !declare.sous_axe.types_action.iter().any(|x| x.id == t.id)
            && !(f.mobilite_axe4_sur_axe2 && declare.sous_axe.uid == MOBILITE_AXE2)
        {
            out.push(constat(
                regle,
                cible.clone().et("type_action"),
                format!(
                    "Fiche {n} : le type d'action {} n'appartient pas au sous-axe « {s} » ({}).",
                    t.id, declare.sous_axe.uid
                ),
            ));
        }
    }
}

pub(super) fn r_act_03(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    // A complete derogation makes the action admissible; it stays an exception the State
    // reviews (TP §2 « Exceptionnellement »): an alert names it. An incomplete one is
    // blocking under R-ACT-02.
    for f in ctx.fiches.iter().filter(|f| f.fiche.hors_referentiel) {
        let Some(d) = &f.fiche.derogation else { continue };
        if !d.lacunes_autorisation().is_empty() {
            continue;
        }
        out.push(constat(
            regle,
            cible_fiche(f.fiche.numero).et("derogation"),
            format!(
                "Fiche {} : action hors référentiel autorisée par dérogation ({}, le {}) ; à titre exceptionnel, son utilité au regard des besoins locaux est à examiner.",
                f.fiche.numero,
                d.accordee_par.as_deref().unwrap_or_default().trim(),
                d.date.map(|x| x.to_string()).unwrap_or_default()
            ),
        ));
    }
}

pub(super) fn r_ref_03(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx.fiches_axe(Axe::A4).filter(|f| f.fiche.hors_referentiel) {
        let n = f.fiche.numero;
        let lacunes = match &f.fiche.derogation {
            None => vec![("diplp_informee", String::new())],
            Some(d) => d.lacunes_information_diplp(),
        };
        let Some((champ, _)) = lacunes.first() else {
            continue;
        };
        let detail = match (&f.fiche.derogation, *champ) {
            (Some(d), "date_information_diplp") if d.diplp_informee => {
                match (d.date_information_diplp, d.date) {
                    (Some(info), Some(accord)) => {
                        format!(" : l'information date du {info}, après la dérogation du {accord}")
                    }
                    _ => " : la date de cette information n'est pas renseignée".to_string(),
                }
            }
            _ => String::new(),
        };
        out.push(constat(
            regle,
            cible_fiche(n).et(format!("derogation.{champ}")),
            format!("Fiche {n} : mesure de l'axe 4 hors référentiel dont la DIPLP et la DGCS n'ont pas été informées en amont{detail}."),
        ));
    }
}

pub(super) fn r_act_05(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx.fiches.iter().filter(|f| f.fiche.nature.is_none()) {
        out.push(constat(
            regle,
            cible_fiche(f.fiche.numero).et("nature"),
            format!("Fiche {} : la nature de l'action (nouvelle, renforcée ou reconduction CALPAE) n'est pas renseignée.", f.fiche.numero),
        ));
    }
}

pub(super) fn r_act_06(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx
        .fiches
        .iter()
        .filter(|f| f.fiche.nature == Some(NatureAction::Renforcee))
    {
        let fiche = f.fiche;
        let cible = cible_fiche(fiche.numero).et("renforcement.part_renforcee");
        let parts = fiche.renforcement.as_ref().map(|r| &r.part_renforcee);
        for a in Annee::TOUTES {
            let etat = fiche.financement.etat(a);
            if etat.est_nul() {
                continue;
            }
            match parts.and_then(|p| p.get(&a)) {
                None => out.push(constat(
                    regle,
                    cible.clone().et(format!("{a}")),
                    format!("Fiche {}, {a} : action renforcée dont la part renforcée n'est pas chiffrée ; l'État ({etat}) ne peut financer que la part supplémentaire.", fiche.numero),
                )),
                Some(&part) if !etat.au_plus_pourcentage_de(50, part) => out.push(constat(
                    regle,
                    cible.clone().et(format!("{a}")),
                    format!(
                        "Fiche {}, {a} : la part de l'État ({etat}) dépasse la moitié de la part renforcée ({part}), soit {} ; les crédits de l'État ne financent que la part supplémentaire.",
                        fiche.numero,
                        Montant::pourcentage_plafond(part, 50)
                    ),
                )),
                Some(_) => {}
            }
        }
    }
}

pub(super) fn r_act_07(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx
        .fiches
        .iter()
        .filter(|f| f.fiche.nature == Some(NatureAction::ReconductionCalpae))
    {
        let r = f.fiche.reconduction.as_ref();
        let vide = |s: Option<&String>| s.is_none_or(|s| s.trim().is_empty());
        let mut manque = Vec::new();
        if vide(r.and_then(|r| r.justification_efficacite.as_ref())) {
            manque.push("la preuve de son efficacité");
        }
        if vide(r.and_then(|r| r.justification_impact.as_ref())) {
            manque.push("son impact sur les bénéficiaires");
        }
        if !r.is_some_and(|r| r.conformite_referentiel) {
            manque.push("sa conformité au référentiel");
        }
        if !r.is_some_and(|r| r.accord_des_parties) {
            manque.push("l'accord des deux parties");
        }
        if !manque.is_empty() {
            out.push(constat(
                regle,
                cible_fiche(f.fiche.numero).et("reconduction"),
                format!(
                    "Fiche {} : reconduction CALPAE à l'identique sans {} ; elle doit rester limitée et faire l'objet d'un examen attentif.",
                    f.fiche.numero,
                    manque.join(", ni ")
                ),
            ));
        }
    }
}

pub(super) fn r_act_10(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        let fiche = f.fiche;
        let cible = cible_fiche(fiche.numero).et("financement.fse_plus");
        let mut nature_signalee = false;
        for a in Annee::TOUTES {
            let fse = fiche.financement.fse_plus(a);
            if fse.est_nul() {
                continue;
            }
            if fiche.nature != Some(NatureAction::Nouvelle) && !nature_signalee {
                nature_signalee = true;
                out.push(constat(
                    regle,
                    cible.clone(),
                    format!(
                        "Fiche {} : le FSE+ ({fse} en {a}) ne peut cofinancer que des actions nouvelles ; cette action est {}.",
                        fiche.numero,
                        fiche.nature.map_or("de nature non renseignée", |n| n.libelle())
                    ),
                ));
            }
            let coll = fiche.financement.collectivite(a);
            if fse > coll {
                out.push(constat(
                    regle,
                    cible.clone().et(format!("{a}")),
                    format!(
                        "Fiche {}, {a} : le FSE+ ({fse}) dépasse la part de la collectivité ({coll}) ; le FSE+ ne peut financer la part de l'État.",
                        fiche.numero
                    ),
                ));
            }
        }
    }
}

fn est_acces_aux_droits(f: &FicheResolue) -> bool {
    f.sous_axe_uid().is_some_and(|u| u.starts_with("A3-I-"))
}

fn est_coordination(f: &FicheResolue) -> bool {
    f.type_id() == Some(TYPE_COORDINATION)
        || (f.type_action.is_none() && f.sous_axe_uid() == Some("A3-I-1.1"))
}

pub(super) fn r_ref_01(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let autres: Vec<_> = ctx
        .fiches
        .iter()
        .filter(|f| est_acces_aux_droits(f) && !est_coordination(f))
        .collect();
    if autres.is_empty() {
        return;
    }
    let numeros: Vec<String> = autres.iter().map(|f| f.fiche.numero.to_string()).collect();
    let coordinations: Vec<_> = ctx.fiches.iter().filter(|f| est_coordination(f)).collect();
    if coordinations.is_empty() {
        out.push(constat(
            regle,
            CibleConstat::Axe(Axe::A3),
            format!(
                "Le contrat comporte des actions d'accès aux droits (fiches {}) mais aucun temps de coordination de l'accès aux droits (type AT-3-I-1.1-01), qui doit être financé au préalable.",
                numeros.join(", ")
            ),
        ));
        return;
    }
    let premier_debut = autres.iter().filter_map(|f| f.fiche.debut).min();
    let debut_coordination = coordinations.iter().filter_map(|f| f.fiche.debut).min();
    if let (Some(premier), Some(coord)) = (premier_debut, debut_coordination)
        && coord > premier
    {
        let f = coordinations
            .iter()
            .find(|f| f.fiche.debut == Some(coord))
            .expect("min exists");
        out.push(constat(
            regle,
            cible_fiche(f.fiche.numero).et("debut"),
            format!(
                "Fiche {} : le temps de coordination de l'accès aux droits débute le {coord}, après la première action d'accès aux droits ({premier}) ; il doit être financé au préalable.",
                f.fiche.numero
            ),
        ));
    }
}

pub(super) fn r_ref_02(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        let uid = f.sous_axe_uid();
        if uid != Some(MOBILITE_AXE4) && uid != Some(MOBILITE_AXE2) {
            continue;
        }
        let fiche = f.fiche;
        let n = fiche.numero;
        let cible = cible_fiche(n).et("public_mobilite");
        match (uid, fiche.public_mobilite) {
            (_, None) => out.push(constat(
                regle,
                cible,
                format!("Fiche {n} : action de mobilité solidaire dont le public n'est pas précisé ; il décide de l'axe qui la finance (2 pour les bénéficiaires du RSA et demandeurs d'emploi, 4 pour tous publics)."),
            )),
            (Some(MOBILITE_AXE4), Some(PublicMobilite::BrsaDemandeursEmploi)) => out.push(constat(
                regle,
                cible,
                format!("Fiche {n} : une action de mobilité réservée aux bénéficiaires du RSA et demandeurs d'emploi relève des crédits de l'axe 2 (sous-axe 2.1.4), pas de l'axe 4."),
            )),
            (Some(MOBILITE_AXE2), Some(PublicMobilite::TousPublics)) => out.push(constat(
                regle,
                cible,
                format!("Fiche {n} : une action de mobilité ouverte à tous les publics relève des crédits de l'axe 4 (sous-axe 4.2) ; l'axe 2 finance les bénéficiaires du RSA et demandeurs d'emploi."),
            )),
            _ => {}
        }
    }
}

pub(super) fn r_ref_04(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx
        .fiches
        .iter()
        .filter(|f| f.type_id() == Some(TYPE_SLIME) && !f.fiche.hors_plafond_slime)
    {
        let fin = &f.fiche.financement;
        for a in Annee::TOUTES {
            let total = fin.total(a);
            let part_etat = fin.etat(a) + fin.cee(a);
            if !total.est_nul() && !part_etat.au_plus_pourcentage_de(70, total) {
                out.push(constat(
                    regle,
                    cible_fiche(f.fiche.numero).et(format!("financement.etat.{a}")),
                    format!(
                        "Fiche {}, {a} : action éligible au SLIME+ dont la part de l'État, CEE compris ({} + {} = {part_etat}), dépasse 70 % du cofinancement total ({total}), soit {}.",
                        f.fiche.numero,
                        fin.etat(a),
                        fin.cee(a),
                        Montant::pourcentage_plafond(total, 70)
                    ),
                ));
            }
        }
    }
}

/// State + collectivity shares of all axis-4 fiches of year `a`: the amount "co-contracted" on
/// axis 4.
fn co_contractualise_axe4(ctx: &Contexte, a: Annee) -> Montant {
    ctx.fiches_axe(Axe::A4)
        .map(|f| f.fiche.financement.etat(a) + f.fiche.financement.collectivite(a))
        .sum()
}

pub(super) fn r_ref_07(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let aides: Vec<_> = ctx
        .fiches
        .iter()
        .filter(|f| f.type_id() == Some(TYPE_AIDES_FSL))
        .collect();
    if aides.is_empty() {
        return;
    }
    for a in Annee::TOUTES {
        let montant: Montant = aides
            .iter()
            .map(|f| f.fiche.financement.etat(a) + f.fiche.financement.collectivite(a))
            .sum();
        let base = co_contractualise_axe4(ctx, a);
        if !montant.est_nul() && !montant.au_plus_pourcentage_de(20, base) {
            let numeros: Vec<String> = aides.iter().map(|f| f.fiche.numero.to_string()).collect();
            out.push(constat(
                regle,
                cible_fiche(aides[0].fiche.numero).et("financement"),
                format!(
                    "{a} : les aides financières FSL énergie (fiches {} : {montant}) dépassent 20 % du montant co-contractualisé sur l'axe 4 ({base}), soit {}.",
                    numeros.join(", "),
                    Montant::pourcentage_plafond(base, 20)
                ),
            ));
        }
    }
}

pub(super) fn r_ref_08(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let mobilite: Vec<_> = ctx
        .fiches
        .iter()
        .filter(|f| f.sous_axe_uid() == Some(MOBILITE_AXE4))
        .collect();
    for a in Annee::TOUTES {
        let investissement: Montant = mobilite
            .iter()
            .flat_map(|f| f.fiche.depenses.iter())
            .filter(|l| l.nature == NatureDepense::Investissement)
            .filter_map(|l| l.montants.get(&a).copied())
            .sum();
        if investissement.est_nul() {
            continue;
        }
        let base = co_contractualise_axe4(ctx, a);
        if !investissement.au_plus_pourcentage_de(20, base) {
            let f = mobilite
                .iter()
                .find(|f| {
                    f.fiche
                        .depenses
                        .iter()
                        .any(|l| l.nature == NatureDepense::Investissement)
                })
                .expect("some investment line exists");
            out.push(constat(
                regle,
                cible_fiche(f.fiche.numero).et("depenses"),
                format!(
                    "{a} : l'investissement en solutions d'éco-mobilité ({investissement}) dépasse 20 % des crédits contractualisés sur l'axe 4 ({base}), soit {}.",
                    Montant::pourcentage_plafond(base, 20)
                ),
            ));
        }
    }
}
