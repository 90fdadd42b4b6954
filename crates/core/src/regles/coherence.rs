//! R-ACT-14: coherence between a métropole's contract and its département's ([004] TP §1 « Les
//! services de l'État sont garants de la cohérence entre les actions déployées dans le cadre
//! du contrat métropolitain et du contrat départemental »). The rule compares two contracts:
//! the store finds the pair, this module compares it.

use super::{Constat, Contexte, cible_fiche, regle};
use crate::Contrat;
use crate::contrat::Axe;
use crate::territoires::{NatureCollectivite, territoires};

/// The collectivity codes whose contracts pair with `contrat`'s under R-ACT-14: for a
/// métropole (or the Ville de Marseille, or a communauté), its département's official code;
/// for a département, the codes of the collectivities of the list whose seat is in it.
pub fn collectivites_appariees(contrat: &Contrat) -> Vec<String> {
    let code = contrat.contrat.collectivite.trim();
    if territoires().collectivite(code).is_some() {
        return appariees_du_code(code);
    }
    contrat
        .contrat
        .ami
        .as_ref()
        .and_then(|a| a.departement.clone())
        .into_iter()
        .collect()
}

/// [`collectivites_appariees`] from the collectivity's code alone (a collectivity of the
/// territories; a communauté selected by the AMI needs its contract): what the store uses to
/// find the paired contracts.
pub fn appariees_du_code(code: &str) -> Vec<String> {
    let t = territoires();
    match t.collectivite(code.trim()) {
        Some(c) if c.nature == NatureCollectivite::Departement => t
            .collectivites
            .iter()
            .filter(|x| x.nature != NatureCollectivite::Departement && x.departement == c.departement)
            .map(|x| x.code.clone())
            .collect(),
        Some(c) => vec![c.departement.clone()],
        None => Vec::new(),
    }
}

/// R-ACT-14 on `contrat`, against `autre`, the contract of the paired collectivity: each
/// fiche of `contrat` on a common axis (1, 3, 4) whose action type `autre` also funds is an
/// alert to articulate the two (same public, same territory: risk of double funding or of gaps).
/// Empty when the two do not pair.
pub fn coherence(contrat: &Contrat, autre: &Contrat) -> Vec<Constat> {
    if !collectivites_appariees(contrat)
        .iter()
        .any(|c| *c == autre.contrat.collectivite.trim())
    {
        return Vec::new();
    }
    let r = regle("R-ACT-14").expect("in the catalogue");
    let (a, b) = (Contexte::new(contrat), Contexte::new(autre));
    let nom_autre = autre.contrat.nom_collectivite();
    let mut out = Vec::new();
    for f in a.fiches.iter().filter(|f| f.fiche.axe() != Axe::A2) {
        let Some(t) = f.type_id() else { continue };
        let communes: Vec<String> = b
            .fiches
            .iter()
            .filter(|g| g.fiche.axe() != Axe::A2 && g.type_id() == Some(t))
            .map(|g| g.fiche.numero.to_string())
            .collect();
        if !communes.is_empty() {
            out.push(super::constat(
                r,
                cible_fiche(f.fiche.numero).et("type_action"),
                format!(
                    "Fiche {} : le contrat de {nom_autre} finance aussi une action de type {t} (fiche {}) ; les services de l'État veillent à la cohérence des deux contrats sur ce territoire (actions complémentaires, sans double financement).",
                    f.fiche.numero,
                    communes.join(", ")
                ),
            ));
        }
    }
    out
}

/// The catalogue entry's check on one contract: nothing to compare alone.
pub(super) fn r_act_14(_: &super::Regle, _: &Contexte, _: &mut Vec<Constat>) {}
