//! The contract handlers of the JSON API (list, create, read, change, findings); routes in
//! `api::table`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pacte_core::Contrat;
use pacte_core::contrat::EnTete;
use pacte_store::ContratStocke;

use crate::api::corps::{CheminContrat, CorpsJson, Pagination, VersionLue};
use crate::api::reponses::{
    CollectiviteApi, ContratApi, ListeConstats, Page, ResumeApi, entete, url_contrat,
};
use crate::comptes::ClientApi;
use crate::{ErreurApi, ErreurWeb, Etat};
use pacte_core::droits::{Action, Cible};

pub(crate) async fn lister_contrats(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    pagination: Pagination,
) -> Result<Response, ErreurApi> {
    // Only the contracts the client may read, filtered and paged in SQL: the others are not
    // counted either.
    let liste = etat
        .base
        .contrats_lisibles(
            &u.habilitation.portee_lecture(),
            None,
            pagination.page,
            Some(pagination.par_page),
        )
        .await?;
    let mut elements = Vec::with_capacity(liste.lignes.len());
    for l in liste.lignes {
        let (bloquants, alertes) = crate::contrats::liste::constats_de(&etat.base, &l).await?;
        let en_tete = &l.entete;
        let nom = en_tete.nom_collectivite_connu().map(str::to_string);
        elements.push(ResumeApi {
            id: l.id,
            collectivite: CollectiviteApi {
                code: en_tete.collectivite.clone(),
                nom,
            },
            intitule: en_tete.intitule.clone(),
            etat: l.etat,
            fiches: l.fiches,
            version: l.version,
            modifie_le: l.modifie_le.clone(),
            bloquants,
            alertes,
        });
    }
    Ok(Json(Page {
        elements,
        page: pagination.page,
        par_page: pagination.par_page,
        total: liste.total as u64,
    })
    .into_response())
}

/// Refuses a fiche number used twice, naming the second fiche (the base would refuse it too,
/// without saying which field).
fn controler_numeros(c: &Contrat) -> Result<(), ErreurApi> {
    for (i, f) in c.fiches.iter().enumerate() {
        if c.fiches[..i].iter().any(|g| g.numero == f.numero) {
            return Err(ErreurApi(ErreurWeb::invalide(
                format!(
                    "le numéro de fiche {} est porté par plusieurs fiches (R-TAB-01) : chaque fiche doit avoir un numéro unique",
                    f.numero
                ),
                Some(format!("fiches[{i}].numero")),
            )));
        }
    }
    Ok(())
}

pub(crate) async fn creer_contrat(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    CorpsJson(contrat): CorpsJson<Contrat>,
) -> Result<Response, ErreurApi> {
    u.exiger(Action::Importer, &Cible::contrat(&contrat))?;
    u.exiger_derogations_importables(&contrat)?;
    controler_numeros(&contrat)?;
    // One contract per collectivity and period: refused (409) inside the write.
    let id = etat.base.creer_contrat(&contrat, &u.acteur()).await?;
    let stocke = etat.base.contrat(id).await?;
    let mut entetes = HeaderMap::new();
    entetes.insert(header::LOCATION, entete(&url_contrat(id)));
    Ok((StatusCode::CREATED, entetes, Json(ContratApi::from(&stocke))).into_response())
}

/// Contract `id` for a change of its header or fiches: allowed to the user, at a state that
/// allows changes.
pub(crate) async fn contrat_a_modifier(
    etat: &Etat,
    u: &crate::Utilisateur,
    id: i64,
) -> Result<ContratStocke, ErreurApi> {
    let stocke = u.contrat_pour(etat, id, Action::Modifier).await?;
    crate::contrats::edition::etat_permis(Action::Modifier, &stocke)?;
    Ok(stocke)
}

pub(crate) async fn lire_contrat(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
) -> Result<Response, ErreurApi> {
    let stocke = u.contrat_pour(&etat, c.id, Action::Lire).await?;
    Ok(Json(ContratApi::from(&stocke)).into_response())
}

pub(crate) async fn modifier_contrat(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
    VersionLue(version): VersionLue,
    CorpsJson(en_tete): CorpsJson<EnTete>,
) -> Result<Response, ErreurApi> {
    let avant = contrat_a_modifier(&etat, &u, c.id).await?;
    // The header may not take the contract out of the client's reach, nor change its state
    // (the lifecycle has its own actions).
    u.exiger(
        Action::Modifier,
        &Cible::Contrat {
            collectivite: en_tete.collectivite.clone(),
            etat: avant.contrat.contrat.etat,
        },
    )?;
    if en_tete.etat != avant.contrat.contrat.etat {
        let action = crate::comptes::action_vers(en_tete.etat).unwrap_or(Action::Modifier);
        u.exiger(action, &Cible::contrat(&avant.contrat))?;
        if pacte_core::droits::etat_apres(action, avant.contrat.contrat.etat) != Ok(en_tete.etat) {
            return Err(ErreurApi(ErreurWeb {
                statut: StatusCode::CONFLICT,
                code: "conflit",
                message: format!(
                    "le contrat est à l'état {} : il ne peut pas passer à l'état {}",
                    avant.contrat.contrat.etat.libelle(),
                    en_tete.etat.libelle()
                ),
                champ: Some("etat".into()),
            }));
        }
    }
    // The same checks, and the findings a step requires, made again by the store on the
    // contract as stored inside the write's transaction.
    let action = crate::comptes::action_vers(en_tete.etat)
        .filter(|_| en_tete.etat != avant.contrat.contrat.etat)
        .unwrap_or(Action::Modifier);
    let garde = crate::contrats::edition::garde_entete(action, en_tete.clone());
    etat.base
        .modifier_entete(c.id, &en_tete, version, &u.acteur(), garde)
        .await?;
    let stocke = etat.base.contrat(c.id).await?;
    Ok(Json(ContratApi::from(&stocke)).into_response())
}

pub(crate) async fn constats(
    State(etat): State<Etat>,
    ClientApi(u): ClientApi,
    c: CheminContrat,
) -> Result<Response, ErreurApi> {
    let stocke = u.contrat_pour(&etat, c.id, Action::Lire).await?;
    Ok(Json(ListeConstats {
        constats: pacte_core::verifier(&stocke.contrat),
    })
    .into_response())
}
