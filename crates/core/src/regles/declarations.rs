//! Rules read from what a fiche declares (fields of the fiche form and of the contract file):
//! R-ACT-08, R-ACT-09, R-ACT-12, R-ACT-13, R-REF-06, R-REF-09, R-REF-10, R-REF-12, R-REF-13,
//! R-REF-15, R-REF-17.

use super::{Constat, Contexte, FicheResolue, Regle, cible_fiche, constat};
use crate::contrat::{Competence, FonctionPlateforme};

/// Energy-poverty platform (R-REF-06) and mobility platform (R-REF-10) action types.
const TYPE_PLATEFORME_ENERGIE: &str = "AT-4-4.1-01";
const TYPE_PLATEFORME_MOBILITE: &str = "AT-4-4.2-01";
/// The four site measures for slums: water, waste, electricity, risks (R-REF-15).
const MESURES_SUR_SITE: &str = "A3-IV-2.2";

/// R-ACT-08: [004] A5 I.b « la valorisation financière de l'existant est exclue ».
pub(super) fn r_act_08(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx.fiches.iter().filter(|f| f.fiche.valorisation_existant) {
        out.push(constat(
            regle,
            cible_fiche(f.fiche.numero).et("valorisation_existant"),
            format!(
                "Fiche {} : le budget valorise des moyens existants (gestion courante, temps de réunion ou de délibération, ressources humaines existantes ou non renforcées), ce que l'instruction exclut ; seuls le temps d'ingénierie, les recrutements et les évolutions substantielles de poste sont finançables.",
                f.fiche.numero
            ),
        ));
    }
}

/// R-ACT-09: [004] A5 I.b — subsidy, public procurement, or en régie.
pub(super) fn r_act_09(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx.fiches.iter().filter(|f| f.fiche.mode_execution.is_none()) {
        out.push(constat(
            regle,
            cible_fiche(f.fiche.numero).et("mode_execution"),
            format!(
                "Fiche {} : le mode d'exécution n'est pas renseigné ; une action est exécutée par un tiers (subvention ou marché public) ou en régie par la collectivité.",
                f.fiche.numero
            ),
        ));
    }
}

/// R-ACT-12: [004] A5 II.b « les crédits liés à la contractualisation ne se substituent pas
/// aux dépenses de la collectivité ».
pub(super) fn r_act_12(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx.fiches.iter().filter(|f| f.fiche.substitution_depense) {
        out.push(constat(
            regle,
            cible_fiche(f.fiche.numero).et("substitution_depense"),
            format!(
                "Fiche {} : les crédits du contrat remplacent une dépense que la collectivité finançait déjà ; ils ne doivent pas se substituer à ses dépenses ni créer d'effet d'aubaine.",
                f.fiche.numero
            ),
        ));
    }
}

/// R-ACT-13: [004] TP §2 « en cohérence avec les champs de compétences respectifs des
/// métropoles, et le cas échéant par délégation, des communes membres et de leurs CCAS ».
pub(super) fn r_act_13(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx
        .fiches
        .iter()
        .filter(|f| f.fiche.competence == Some(Competence::HorsCompetence))
    {
        out.push(constat(
            regle,
            cible_fiche(f.fiche.numero).et("competence"),
            format!(
                "Fiche {} : l'action est déclarée hors des compétences de la collectivité ; elle doit relever de ses compétences ou, par délégation, de celles des communes membres et de leurs CCAS.",
                f.fiche.numero
            ),
        ));
    }
}

/// The functions of `attendues` a platform fiche does not declare.
fn fonctions_manquantes(f: &FicheResolue, attendues: [FonctionPlateforme; 3]) -> Vec<&'static str> {
    attendues
        .into_iter()
        .filter(|x| !f.fiche.fonctions_plateforme.contains(x))
        .map(|x| x.libelle())
        .collect()
}

fn plateforme(
    regle: &Regle,
    ctx: &Contexte,
    out: &mut Vec<Constat>,
    type_action: &str,
    attendues: [FonctionPlateforme; 3],
    quoi: &str,
) {
    for f in ctx.fiches.iter().filter(|f| f.type_id() == Some(type_action)) {
        let manque = fonctions_manquantes(f, attendues);
        if !manque.is_empty() {
            out.push(constat(
                regle,
                cible_fiche(f.fiche.numero).et("fonctions_plateforme"),
                format!(
                    "Fiche {} : {quoi} doit assurer ses trois fonctions de manière intégrée et coordonnée ; elle n'assure pas : {}.",
                    f.fiche.numero,
                    manque.join(" ; ")
                ),
            ));
        }
    }
}

/// R-REF-06: [004] A4 I « permettant d'atteindre de manière intégrée et coordonnée les 3
/// fonctions suivantes ».
pub(super) fn r_ref_06(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    plateforme(
        regle,
        ctx,
        out,
        TYPE_PLATEFORME_ENERGIE,
        FonctionPlateforme::ENERGIE,
        "la plateforme de lutte contre la précarité énergétique",
    );
}

/// R-REF-10: [004] A4 II « respectant 3 offres de service socles coordonnées ».
pub(super) fn r_ref_10(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    plateforme(
        regle,
        ctx,
        out,
        TYPE_PLATEFORME_MOBILITE,
        FonctionPlateforme::MOBILITE,
        "la plateforme de mobilité solidaire",
    );
}

/// R-REF-09: [004] A4 II « les aides à l'achat de véhicules dans le cadre des ZFE ne peuvent
/// être financées dans le cadre des pactes locaux des solidarités ».
pub(super) fn r_ref_09(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx.fiches.iter().filter(|f| f.fiche.aide_achat_vehicule_zfe) {
        out.push(constat(
            regle,
            cible_fiche(f.fiche.numero).et("aide_achat_vehicule_zfe"),
            format!(
                "Fiche {} : les aides à l'achat de véhicules dans le cadre des zones à faibles émissions (ZFE) ne peuvent pas être financées par le pacte.",
                f.fiche.numero
            ),
        ));
    }
}

/// R-REF-12: [004] A1 III « Les diverses actions mentionnées ci-dessous peuvent être
/// financées dans le cadre du Fonds d'aide au jeune (FAJ) métropolitain […]. Dans ce cas,
/// elles doivent être spécifiquement identifiées. » A co-funder named as the FAJ on a fiche
/// that does not declare it leaves the action unidentified.
pub(super) fn r_ref_12(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx.fiches.iter().filter(|f| !f.fiche.financement_faj) {
        let faj = f.fiche.financement.autres.iter().find(|c| nomme_le_faj(&c.nom));
        if let Some(c) = faj {
            out.push(constat(
                regle,
                cible_fiche(f.fiche.numero).et("financement_faj"),
                format!(
                    "Fiche {} : le cofinanceur « {} » est le Fonds d'aide aux jeunes ; une action financée par le FAJ doit être spécifiquement identifiée (case « financée par le FAJ »).",
                    f.fiche.numero, c.nom
                ),
            ));
        }
    }
}

/// Whether a co-funder's name designates the Fonds d'aide aux jeunes (`FAJ` as a word, or
/// the name written out).
fn nomme_le_faj(nom: &str) -> bool {
    let bas = nom.to_lowercase();
    bas.contains("fonds d'aide aux jeunes")
        || bas.contains("fonds d’aide aux jeunes")
        || bas.contains("fonds d'aide au jeune")
        || nom.split(|c: char| !c.is_alphanumeric()).any(|mot| mot == "FAJ")
}

/// R-REF-13: [004] A1 I « Ce volet n'inclut pas les actions de la protection maternelle et
/// infantile (PMI) dans le cadre des entretiens prénataux ou bilans de santé en école
/// maternelle ».
pub(super) fn r_ref_13(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx.fiches.iter().filter(|f| f.fiche.actions_pmi) {
        let volet_1 = f
            .place
            .is_some_and(|p| p.axe.code == 1 && p.sous_axe.volet.as_deref() == Some("I"));
        if volet_1 {
            out.push(constat(
                regle,
                cible_fiche(f.fiche.numero).et("actions_pmi"),
                format!(
                    "Fiche {} : les entretiens prénataux et bilans de santé en école maternelle de la PMI sont exclus du volet I de l'axe 1 ; ils relèvent de la contractualisation départementale en protection de l'enfance.",
                    f.fiche.numero
                ),
            ));
        }
    }
}

/// R-REF-15: [004] A3 IV.2.2 « L'ensemble de ces mesures devront être accompagnées et faire
/// l'objet d'un suivi étroit. »
pub(super) fn r_ref_15(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in ctx
        .fiches
        .iter()
        .filter(|f| f.sous_axe_uid() == Some(MESURES_SUR_SITE) && !f.fiche.accompagnement_suivi)
    {
        out.push(constat(
            regle,
            cible_fiche(f.fiche.numero).et("accompagnement_suivi"),
            format!(
                "Fiche {} : les mesures sur site (eau, déchets, électricité, risques) doivent être accompagnées et faire l'objet d'un suivi étroit ; l'accompagnement n'est pas déclaré.",
                f.fiche.numero
            ),
        ));
    }
}

/// R-REF-17: [004] A5 V.b « la possibilité de financer […] une personne référente du pacte
/// des solidarités en métropole » — one person: a second référent fiche is signalled. The
/// permission itself is applied by R-ACT-02 (the fiche needs no référentiel place).
pub(super) fn r_ref_17(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let referents: Vec<_> = ctx.fiches.iter().filter(|f| f.fiche.referent_pacte).collect();
    if referents.len() > 1 {
        let numeros: Vec<String> = referents.iter().map(|f| f.fiche.numero.to_string()).collect();
        out.push(constat(
            regle,
            cible_fiche(referents[1].fiche.numero).et("referent_pacte"),
            format!(
                "Les fiches {} financent chacune une personne référente du pacte ; l'instruction prévoit une personne référente, avec du temps clairement dégagé.",
                numeros.join(", ")
            ),
        ));
    }
}
