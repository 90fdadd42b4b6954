//! Référentiel-specific rules added to the contract catalogue: R-REF-05, R-REF-06, R-REF-09 to
//! R-REF-17 ([004] annexes 1, 3, 4 and 5).

use super::{CibleConstat, Constat, Contexte, Regle, cible_fiche, constat};
use crate::contrat::Axe;
use crate::{Annee, Montant};

/// SLIME+ or another CEE précarité programme (R-REF-04, R-REF-05).
pub(super) const TYPE_SLIME: &str = "AT-4-4.1-02";
/// Fonds sociaux d'aide aux travaux de maîtrise de l'énergie (R-REF-05).
pub(super) const TYPE_FSATME: &str = "AT-4-4.1-03";

/// R-REF-05: the « hors plafond » financing of SLIME+ animation or of a FSATME is a permission
/// the collectivity declares; the State sees each declaration. A FSATME cannot be funded by
/// CEE précarité ([004] A4 I).
pub(super) fn r_ref_05(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    for f in &ctx.fiches {
        let fiche = f.fiche;
        let n = fiche.numero;
        if fiche.hors_plafond_slime {
            let quoi = match f.type_id() {
                Some(TYPE_SLIME) => "l'animation du SLIME+ est déclarée financée hors plafond : le plafond de 70 % (R-REF-04) ne lui est pas appliqué".to_string(),
                Some(TYPE_FSATME) => "le fonds social d'aide aux travaux de maîtrise de l'énergie (FSATME) est déclaré financé hors plafond".to_string(),
                _ => format!(
                    "un financement hors plafond SLIME+ est déclaré pour une action qui n'est ni l'animation d'un SLIME+ ({TYPE_SLIME}) ni un FSATME ({TYPE_FSATME}) : la déclaration est sans objet"
                ),
            };
            let etat: Montant = Annee::TOUTES.iter().map(|a| fiche.financement.etat(*a)).sum();
            out.push(constat(
                regle,
                cible_fiche(n).et("hors_plafond_slime"),
                format!(
                    "Fiche {n} : {quoi} (part de l'État sur la durée du contrat : {etat}) ; seules les métropoles déjà financées au titre du SLIME+ peuvent en bénéficier."
                ),
            ));
        }
        if f.type_id() == Some(TYPE_FSATME) {
            for a in Annee::TOUTES {
                let cee = fiche.financement.cee(a);
                if !cee.est_nul() {
                    out.push(constat(
                        regle,
                        cible_fiche(n).et("financement.autres"),
                        format!(
                            "Fiche {n}, {a} : un FSATME ne peut pas être financé par les CEE précarité ({cee})."
                        ),
                    ));
                }
            }
        }
    }
}

/// School canteen social pricing (R-REF-11).
const TYPE_CANTINE: &str = "AT-4-4.3-02";
/// Reinforcement of the CCAPEX by a chargé de mission (R-REF-14).
const TYPE_CCAPEX_ID: &str = "AT-3-II-2-01";

/// R-REF-11: [004] A4 III « La contribution de l'État ne pourra dépasser 30 % des crédits de
/// l'État co-contractualisés dans le cadre de l'axe « Transition écologique solidaire » ».
/// Checked per year: State shares of the canteen fiches ≤ 30 % of the State shares of the
/// axis-4 fiches.
pub(super) fn r_ref_11(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    let cantines: Vec<_> = ctx
        .fiches_axe(Axe::A4)
        .filter(|f| f.type_id() == Some(TYPE_CANTINE))
        .collect();
    let Some(premiere) = cantines.first() else {
        return;
    };
    for a in Annee::TOUTES {
        let etat: Montant = cantines.iter().map(|f| f.fiche.financement.etat(a)).sum();
        let base: Montant = ctx.fiches_axe(Axe::A4).map(|f| f.fiche.financement.etat(a)).sum();
        if !etat.est_nul() && !etat.au_plus_pourcentage_de(30, base) {
            out.push(constat(
                regle,
                cible_fiche(premiere.fiche.numero).et(format!("financement.etat.{a}")),
                format!(
                    "{a} : la part de l'État dans la tarification sociale des cantines ({etat}) dépasse 30 % des crédits de l'État de l'axe 4 ({base}), soit {}.",
                    Montant::pourcentage_plafond(base, 30)
                ),
            ));
        }
    }
}

/// R-REF-14: [004] A3 II.2 « En priorité, pour les métropoles qui n'en ont pas été doté, il
/// est recommandé de prévoir le renforcement de la CCAPEX par un chargé de mission ». Read as:
/// a métropole contract with actions of the expulsion-prevention sub-axis but none reinforcing
/// the CCAPEX gets the alert (the collectivity may already have one).
pub(super) fn r_ref_14(regle: &Regle, ctx: &Contexte, out: &mut Vec<Constat>) {
    if ctx.type_contrat != super::TypeContrat::Metropole {
        return;
    }
    let prevention: Vec<_> = ctx
        .fiches
        .iter()
        .filter(|f| f.sous_axe_uid() == Some("A3-II-2"))
        .collect();
    if prevention.is_empty() || prevention.iter().any(|f| f.type_id() == Some(TYPE_CCAPEX_ID)) {
        return;
    }
    let numeros: Vec<String> = prevention.iter().map(|f| f.fiche.numero.to_string()).collect();
    out.push(constat(
        regle,
        CibleConstat::Axe(Axe::A3),
        format!(
            "Le contrat porte des actions de prévention des expulsions (fiches {}) sans renfort de la CCAPEX par un chargé de mission ({TYPE_CCAPEX_ID}), recommandé en priorité aux métropoles qui n'en ont pas.",
            numeros.join(", ")
        ),
    ));
}
