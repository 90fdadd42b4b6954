//! One contract per collectivity and period: what the import of a file does when its
//! collectivity already has a contract. The preview shows the differences with the stored
//! contract (`pacte_core::differences`) and, to whoever may edit that contract in its state,
//! offers to update it as a new version; the confirmation carries the contract's revision, so
//! a change made meanwhile is a conflict, not an overwrite. A creation (form, API, file) for a
//! collectivity that has a contract is refused by the store inside the write
//! (`Base::creer_contrat`).

use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::Contrat;
use pacte_core::differences::{Difference, differences};
use pacte_core::droits::{Action, Cible};

use crate::contrats::edition::{etat_permis, garde_etat};
use crate::{ErreurWeb, Etat, Utilisateur};

/// The stored contract a file's collectivity already has, as the import preview shows it.
#[derive(Debug, Clone)]
pub struct ContratExistant {
    pub id: i64,
    pub etat: &'static str,
    /// The contract's revision when the preview was made, sent back with the confirmation.
    pub revision: i64,
    /// What the file changes, field by field.
    pub differences: Vec<Difference>,
    /// Whether the user may update it now (edit it, in its state).
    pub modifiable: bool,
    /// Why not, in French, when the user may not.
    pub refus: Option<String>,
}

/// The file as it would be stored over contract `stocke`: the state is the stored one (a
/// lifecycle step is an act of its own, never a field of an import).
fn comme_nouvelle_version(mut c: Contrat, stocke: &Contrat) -> Contrat {
    c.contrat.etat = stocke.contrat.etat;
    c
}

/// The contract of the file's collectivity, if there is one and the user may read it; `None`
/// when the collectivity has none. A contract the user may not read is reported without its
/// content (its number only), so that the creation is still refused clearly.
pub async fn examiner(
    etat: &Etat,
    u: &Utilisateur,
    c: &Contrat,
) -> Result<Option<ContratExistant>, ErreurWeb> {
    let Some(id) = etat.base.contrat_de_collectivite(&c.contrat.collectivite).await? else {
        return Ok(None);
    };
    let (stocke, revision) = etat.base.contrat_et_revision(id).await?;
    let lisible = u.peut(Action::Lire, &Cible::contrat(&stocke.contrat));
    let modifiable = lisible && u.propose(Action::Modifier, &stocke.contrat);
    let refus = (!modifiable).then(|| {
        if !lisible {
            "Cette collectivité a déjà un contrat pour la période 2024-2027, que vous ne pouvez pas consulter : un second contrat n'est pas créé.".to_string()
        } else if u.peut(Action::Modifier, &Cible::contrat(&stocke.contrat)) {
            format!(
                "Le contrat n° {id} est à l'état {} : il ne se modifie plus qu'au brouillon et en négociation (ensuite par avenant). Le fichier n'est pas importé.",
                stocke.contrat.contrat.etat.libelle()
            )
        } else {
            format!(
                "Seul l'éditeur de la collectivité met à jour le contrat n° {id}, au brouillon et en négociation : votre rôle ({}) ne le permet pas. Le fichier n'est pas importé ; un second contrat n'est pas créé.",
                u.habilitation.role().libelle()
            )
        }
    });
    let differences = if lisible {
        differences(
            &stocke.contrat,
            &comme_nouvelle_version(c.clone(), &stocke.contrat),
        )
    } else {
        Vec::new()
    };
    Ok(Some(ContratExistant {
        id,
        etat: stocke.contrat.contrat.etat.libelle(),
        revision,
        differences,
        modifiable,
        refus,
    }))
}

/// Whether the user may see the preview of `c` at all: the right to import it, or the right
/// to update the collectivity's existing contract with it.
pub fn exiger_apercu(
    u: &Utilisateur,
    c: &Contrat,
    existant: Option<&ContratExistant>,
) -> Result<(), ErreurWeb> {
    if existant.is_some_and(|e| e.modifiable) {
        return Ok(());
    }
    u.exiger(Action::Importer, &Cible::contrat(c))
}

/// The confirmation of an update by file: contract `id` replaced by `c` if the user may edit
/// it in its state, the derogations are kept (R-ACT-03) and its revision is still `revision`.
pub async fn remplacer(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    revision: i64,
    c: Contrat,
) -> Result<Response, ErreurWeb> {
    let stocke = u.contrat_pour(etat, id, Action::Modifier).await?;
    etat_permis(Action::Modifier, &stocke)?;
    if stocke.contrat.contrat.collectivite != c.contrat.collectivite {
        return Err(ErreurWeb::invalide(
            format!(
                "Le fichier est celui de la collectivité {}, le contrat n° {id} celui d'une autre collectivité : rien n'a été écrit.",
                c.contrat.collectivite
            ),
            None,
        ));
    }
    let nouveau = comme_nouvelle_version(c, &stocke.contrat);
    for f in &nouveau.fiches {
        let avant = stocke
            .contrat
            .fiches
            .iter()
            .find(|g| g.numero == f.numero)
            .and_then(|g| g.derogation.as_ref());
        u.exiger_derogation_gardee(&stocke.contrat, f.numero, avant, f.derogation.as_ref())?;
    }
    let garde = garde_etat(Action::Modifier);
    etat.base
        .remplacer_contrat(id, &nouveau, revision, &u.acteur(), move |c| garde(&c.contrat))
        .await?;
    Ok(Redirect::to(&format!("/contrats/{id}/historique")).into_response())
}
