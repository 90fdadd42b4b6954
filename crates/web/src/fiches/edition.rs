//! Fiche writes: new fiche, fiche form, deletion. Same edge rules as the contract forms (422
//! with what was typed, 409 on a stale version).

use askama::Template;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::contrat::NumeroFiche;
use pacte_core::{FicheAction, verifier};
use pacte_store::{ContratStocke, ErreurStore};

use crate::contrats::edition::{
    contrat_a_modifier, enregistre, erreur_ecriture, garde_etat, id_contrat, numero_fiche, page_contrat,
    position, version_saisie,
};
use crate::contrats::formulaire::message_conflit;
use crate::fiches::formulaire::{self as ff, FormFiche};
use crate::ui::conflit::{Conflit, ecarts};
use crate::ui::formulaire::{ConstatVu, ErreurChamp, Saisie};
use crate::ui::{Page, rendre_statut};
use crate::{ErreurWeb, Etat, Utilisateur};
use pacte_core::droits::Action;

type Champs = Form<Vec<(String, String)>>;

#[derive(Template)]
#[template(path = "fiche_formulaire.html")]
struct PageFicheFormulaire {
    page: Page,
    titre: String,
    collectivite: String,
    action: String,
    annuler: String,
    contrat_id: i64,
    /// The stored fiche's number (edit form only).
    numero: Option<String>,
    version: Option<i64>,
    f: FormFiche,
    erreurs: Vec<ErreurChamp>,
    message: Option<String>,
    numeros_pris: String,
    /// The stored fiche's derogation, shown read-only: the commissaire grants it (R-ACT-03).
    derogation: Option<pacte_core::contrat::Derogation>,
    /// After a save: the findings of the fiche, each linking to its field.
    constats_fiche: Vec<ConstatVu>,
    /// A save met a newer version: what the other person saved, field by field.
    conflit: Option<Conflit>,
    /// Most rows of a repeated block (the script adds rows up to it).
    max_lignes: usize,
}

fn numeros_pris(c: &ContratStocke, sauf: Option<NumeroFiche>) -> String {
    let mut n: Vec<NumeroFiche> = c
        .contrat
        .fiches
        .iter()
        .map(|f| f.numero)
        .filter(|n| Some(*n) != sauf)
        .collect();
    n.sort();
    n.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn page_nouvelle_fiche(
    etat: &Etat,
    c: &ContratStocke,
    s: &Saisie,
    erreurs: Vec<ErreurChamp>,
) -> PageFicheFormulaire {
    let id = c.tampon.id;
    let entete = &c.contrat.contrat;
    PageFicheFormulaire {
        page: page_contrat(etat, "Nouvelle fiche action", Some(id), Some(entete))
            .ariane("Nouvelle fiche", None),
        titre: "Nouvelle fiche action".into(),
        collectivite: entete.nom_collectivite(),
        action: format!("/contrats/{id}/fiches/nouvelle"),
        annuler: format!("/contrats/{id}"),
        contrat_id: id,
        numero: None,
        version: None,
        f: ff::formulaire(s, &erreurs, None),
        erreurs,
        message: None,
        numeros_pris: numeros_pris(c, None),
        derogation: None,
        constats_fiche: Vec::new(),
        conflit: None,
        max_lignes: crate::ui::formulaire::MAX_LIGNES,
    }
}

/// The edit form of fiche `numero`; findings are placed next to their fields unless the form
/// carries input errors (they describe the stored fiche, not what was typed).
fn page_modifier_fiche(
    etat: &Etat,
    c: &ContratStocke,
    numero: NumeroFiche,
    s: &Saisie,
    erreurs: Vec<ErreurChamp>,
    version: i64,
) -> PageFicheFormulaire {
    let id = c.tampon.id;
    let entete = &c.contrat.contrat;
    let constats = verifier(&c.contrat);
    let f = if erreurs.is_empty() {
        ff::formulaire(s, &erreurs, Some((&constats, numero, id)))
    } else {
        ff::formulaire(s, &erreurs, None)
    };
    PageFicheFormulaire {
        page: page_contrat(
            etat,
            format!("Modifier la fiche {numero}"),
            Some(id),
            Some(entete),
        )
        .ariane(
            format!("Fiche {numero}"),
            Some(format!("/contrats/{id}/fiches/{numero}")),
        )
        .ariane("Modifier", None),
        titre: format!("Fiche action {numero}"),
        collectivite: entete.nom_collectivite(),
        action: format!("/contrats/{id}/fiches/{numero}/modifier"),
        annuler: format!("/contrats/{id}/fiches/{numero}"),
        contrat_id: id,
        numero: Some(numero.to_string()),
        version: Some(version),
        f,
        erreurs,
        message: None,
        numeros_pris: numeros_pris(c, Some(numero)),
        derogation: c
            .contrat
            .fiches
            .iter()
            .find(|f| f.numero == numero)
            .and_then(|f| f.derogation.clone()),
        constats_fiche: constats
            .iter()
            .filter(|k| k.cible.fiche_concernee() == Some(numero))
            .map(|k| ConstatVu::new(k, id, true))
            .collect(),
        conflit: None,
        max_lignes: crate::ui::formulaire::MAX_LIGNES,
    }
}

/// A number already taken, found by the store at write time: shown on the number field.
fn erreur_numero(e: ErreurStore) -> Result<Vec<ErreurChamp>, ErreurStore> {
    match e {
        ErreurStore::Invalide(m) => Ok(vec![ErreurChamp {
            nom: "numero".into(),
            message: format!("Numéro de fiche refusé : {m}."),
        }]),
        e => Err(e),
    }
}

pub async fn nouvelle_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let c = u.contrat_pour(&etat, id_contrat(&id)?, Action::Modifier).await?;
    crate::ui::rendre(&page_nouvelle_fiche(&etat, &c, &ff::saisie_vierge(), Vec::new()))
}

pub async fn creer_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    Form(champs): Champs,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let c = contrat_a_modifier(&etat, &u, id_contrat(&id)?).await?;
    let id = c.tampon.id;
    let s = Saisie::new(champs);
    let autres: Vec<&FicheAction> = c.contrat.fiches.iter().collect();
    let refus = |erreurs| {
        rendre_statut(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page_nouvelle_fiche(&etat, &c, &s, erreurs),
        )
    };
    match ff::lire(&s, None, &autres) {
        Err(erreurs) => refus(erreurs),
        Ok(fiche) => match etat
            .base
            .ajouter_fiche(id, &fiche, &u.acteur(), garde_etat(Action::Modifier))
            .await
        {
            Ok(_) => Ok(Redirect::to(&format!(
                "/contrats/{id}/fiches/{}/modifier?enregistre=1",
                fiche.numero
            ))
            .into_response()),
            Err(e) => refus(erreur_numero(e)?),
        },
    }
}

pub async fn modifier_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
    RawQuery(requete): RawQuery,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let numero = numero_fiche(&numero)?;
    let c = u.contrat_pour(&etat, id, Action::Modifier).await?;
    let i = position(&c, numero)?;
    let s = ff::saisie_de(&c.contrat.fiches[i]);
    let mut p = page_modifier_fiche(&etat, &c, numero, &s, Vec::new(), c.fiches[i].version);
    if enregistre(&requete) {
        p.message = Some("Fiche enregistrée. Les constats sont recalculés sur le contrat enregistré.".into());
    }
    crate::ui::rendre(&p)
}

pub async fn enregistrer_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
    Form(champs): Champs,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let numero = numero_fiche(&numero)?;
    let c = contrat_a_modifier(&etat, &u, id).await?;
    let i = position(&c, numero)?;
    let s = Saisie::new(champs);
    let version = version_saisie(&s)?;
    let actuelle = &c.contrat.fiches[i];
    let autres: Vec<&FicheAction> = c.contrat.fiches.iter().filter(|f| f.numero != numero).collect();
    let refus = |erreurs| {
        rendre_statut(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page_modifier_fiche(&etat, &c, numero, &s, erreurs, version),
        )
    };
    match ff::lire(&s, Some(actuelle), &autres) {
        Err(erreurs) => refus(erreurs),
        Ok(fiche) => match etat
            .base
            .modifier_fiche(
                id,
                numero,
                &fiche,
                version,
                &u.acteur(),
                garde_etat(Action::Modifier),
            )
            .await
        {
            Ok(_) => Ok(Redirect::to(&format!(
                "/contrats/{id}/fiches/{}/modifier?enregistre=1",
                fiche.numero
            ))
            .into_response()),
            Err(e @ ErreurStore::Conflit { .. }) => {
                // The form comes back with what was typed, the other person's version beside
                // it, and the stored version's number: saving again replaces it knowingly.
                let Ok(frais) = etat.base.contrat(id).await else {
                    return erreur_ecriture(
                        &etat,
                        e,
                        format!("/contrats/{id}/fiches/{numero}/modifier"),
                        format!("/contrats/{id}"),
                    );
                };
                let Some(j) = frais.contrat.fiches.iter().position(|f| f.numero == numero) else {
                    return erreur_ecriture(
                        &etat,
                        e,
                        format!("/contrats/{id}/fiches/{numero}/modifier"),
                        format!("/contrats/{id}"),
                    );
                };
                let stockee = ff::saisie_stockee(&frais.contrat.fiches[j]);
                let mut champs = ff::libelles(&s);
                champs.extend(ff::libelles(&stockee));
                let mut p =
                    page_modifier_fiche(&etat, &frais, numero, &s, Vec::new(), frais.fiches[j].version);
                p.constats_fiche.clear();
                p.conflit = Some(Conflit {
                    message: message_conflit(&e).unwrap_or_default(),
                    ecarts: ecarts(&s, &stockee, &champs),
                });
                rendre_statut(StatusCode::CONFLICT, &p)
            }
            Err(e) => refus(erreur_numero(e)?),
        },
    }
}

pub async fn supprimer_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
    Form(champs): Champs,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let numero = numero_fiche(&numero)?;
    contrat_a_modifier(&etat, &u, id).await?;
    let s = Saisie::new(champs);
    let version = version_saisie(&s)?;
    match etat
        .base
        .supprimer_fiche(id, numero, version, &u.acteur(), garde_etat(Action::Modifier))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/contrats/{id}")).into_response()),
        Err(ErreurStore::Introuvable { .. }) => Err(ErreurWeb::introuvable(format!(
            "Le contrat n° {id} n'a pas de fiche {numero} (elle a pu être supprimée ou renumérotée)."
        ))),
        Err(e) => erreur_ecriture(
            &etat,
            e,
            format!("/contrats/{id}/fiches/{numero}/modifier"),
            format!("/contrats/{id}"),
        ),
    }
}
