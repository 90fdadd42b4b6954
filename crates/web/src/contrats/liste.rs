//! The contract list (`/contrats`) and the rows it shares with the dashboard, the territories
//! page and the API list: scoped and paged in SQL, findings counts kept per revision.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use pacte_core::contrat::EtatContrat;
use pacte_core::{Gravite, verifier};
use pacte_store::Base;
use serde::Deserialize;

use crate::ui::pagination::{Pagination, lire_page};
use crate::ui::{
    BadgeEtat, Page, code_etat, compter, etat_depuis_code, horodatage, nature_collectivite, rendre,
};
use crate::{ErreurWeb, Etat, Utilisateur};

/// One contract with what the list and the dashboard show of it.
#[derive(Debug, Clone)]
pub struct LigneContrat {
    pub id: i64,
    /// Code of the collectivity (SIREN or COG code).
    pub code_collectivite: String,
    pub collectivite: String,
    pub nature: String,
    pub etat: EtatContrat,
    pub badge: BadgeEtat,
    pub fiches: usize,
    pub bloquants: usize,
    pub alertes: usize,
    /// Last change of the header or of a fiche (ISO timestamp).
    pub modifie_le_iso: String,
    pub modifie_le: String,
}

/// The contracts `u` may read, one page of them (`par_page = None`: all), optionally of one
/// state, and how many there are on all pages: filtered and paged in SQL by the reader's scope
/// (`Base::contrats_lisibles`), headers only. The findings counts are kept per contract revision
/// (`Base::enregistrer_synthese`): only a contract written since its count was made is read in
/// full and checked again.
pub(crate) async fn lignes_contrats(
    base: &Base,
    u: &Utilisateur,
    etat: Option<EtatContrat>,
    page: u32,
    par_page: Option<u32>,
) -> Result<(Vec<LigneContrat>, i64), ErreurWeb> {
    let liste = base
        .contrats_lisibles(&u.habilitation.portee_lecture(), etat, page, par_page)
        .await?;
    let mut lignes = Vec::with_capacity(liste.lignes.len());
    for l in liste.lignes {
        let (bloquants, alertes) = constats_de(base, &l).await?;
        lignes.push(LigneContrat {
            id: l.id,
            code_collectivite: l.collectivite.clone(),
            collectivite: l.entete.nom_collectivite(),
            nature: nature_collectivite(&l.entete),
            etat: l.etat,
            badge: BadgeEtat::new(l.etat),
            fiches: l.fiches as usize,
            bloquants,
            alertes,
            modifie_le: horodatage(&l.derniere_modification),
            modifie_le_iso: l.derniere_modification,
        });
    }
    Ok((lignes, liste.total))
}

/// The findings counts (blocking, warnings) of a listed contract: the ones kept for its
/// revision, else computed from the rules on the stored contract and kept.
pub(crate) async fn constats_de(
    base: &Base,
    l: &pacte_store::sommes::LigneContrat,
) -> Result<(usize, usize), ErreurWeb> {
    if let Some((b, a)) = l.constats {
        return Ok((b as usize, a as usize));
    }
    let id = l.id;
    let (stocke, revision) = base.contrat_et_revision(id).await?;
    let constats = verifier(&stocke.contrat);
    let bloquants = compter(&constats, Gravite::Bloquant);
    let alertes = compter(&constats, Gravite::Alerte);
    base.enregistrer_synthese(id, revision, bloquants as i64, alertes as i64)
        .await?;
    Ok((bloquants, alertes))
}

// ---------------------------------------------------------------------------------------
// Contract list
// ---------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct FiltreContrats {
    pub etat: Option<String>,
    /// Page of the list, from 1.
    #[serde(default)]
    pub page: String,
}

/// Contracts per page of the list.
pub(crate) const PAR_PAGE: u32 = 50;

#[derive(Template)]
#[template(path = "contrats.html")]
pub struct PageContrats {
    pub page: Page,
    pub contrats: Vec<LigneContrat>,
    /// The state the list is filtered on.
    pub filtre: Option<BadgeEtat>,
    pub total: usize,
    pub legende: String,
    /// The user may create or import a contract (« Créer un contrat », the import form).
    pub creer: bool,
    /// The largest contract file accepted, in megabytes (announced beside the upload field).
    pub taille_max: usize,
    pub pagination: Pagination,
}

pub async fn contrats(
    State(etat): State<Etat>,
    u: Utilisateur,
    Query(filtre): Query<FiltreContrats>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let etat_choisi = match filtre.etat.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(etat_depuis_code(code).ok_or_else(|| {
            ErreurWeb::requete(format!(
                "L'état « {code} » n'existe pas : les états sont {}.",
                EtatContrat::TOUS.map(code_etat).join(", ")
            ))
        })?),
    };
    let numero = u32::try_from(lire_page(&filtre.page)?).unwrap_or(u32::MAX);
    let (contrats, trouves) = lignes_contrats(&etat.base, &u, etat_choisi, numero, Some(PAR_PAGE)).await?;
    let total = match etat_choisi {
        None => trouves,
        Some(_) => {
            etat.base
                .nombre_contrats_lisibles(&u.habilitation.portee_lecture(), None)
                .await?
        }
    };
    let legende = match etat_choisi {
        Some(f) => format!("Contrats à l'état « {} » ({trouves} sur {total})", f.libelle()),
        None => format!("Contrats enregistrés ({total})"),
    };
    let lien = |n: i64| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(f) = etat_choisi {
            q.append_pair("etat", &code_etat(f));
        }
        q.append_pair("page", &n.to_string());
        format!("/contrats?{}", q.finish())
    };
    let page = PageContrats {
        page: Page::new(&etat, "Contrats", "/contrats").ariane("Contrats", None),
        contrats,
        filtre: etat_choisi.map(BadgeEtat::new),
        total: total as usize,
        legende,
        creer: u.cree(),
        taille_max: crate::comptes::TAILLE_FORMULAIRE_MAX / (1024 * 1024),
        pagination: Pagination::new(
            "Pagination de la liste des contrats",
            i64::from(numero),
            trouves,
            i64::from(PAR_PAGE),
            lien,
        ),
    };
    rendre(&page)
}
