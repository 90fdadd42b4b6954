//! Entry by spreadsheet: the national indicators table of a contract's campaign (annexe 9)
//! downloaded pre-filled as XLSX or ODS (`pacte_tableurs::indicateurs`), filled and uploaded
//! back; every unreadable cell is named in French (sheet and cell) and nothing is written; a
//! readable file goes through the same checks and the same audited write as the form.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::droits::Action;
use pacte_tableurs::FormatTableur;
use pacte_tableurs::indicateurs::{exporter_indicateurs, lire_indicateurs};

use super::{annee_de, campagne_ouverte, contrat_pour, garde_saisie, refuser_bloquants};
use crate::contrats::edition::id_contrat;
use crate::{ErreurWeb, Etat, Utilisateur};

/// `GET /contrats/{id}/campagnes/{annee}/tableur/{format}`: whoever may read the contract.
pub async fn telecharger(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, annee, format)): Path<(String, String, String)>,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    let annee = annee_de(&annee)?;
    let format = FormatTableur::depuis_extension(&format)
        .filter(|f| *f != FormatTableur::Csv)
        .ok_or_else(|| ErreurWeb::introuvable(format!("Format « {format} » : xlsx ou ods.")))?;
    campagne_ouverte(&etat, annee).await?;
    let valeurs = etat.base.valeurs_campagne(annee, id).await?;
    let octets = exporter_indicateurs(&c.contrat, annee, &valeurs, format).map_err(ErreurWeb::interne)?;
    let nom = format!(
        "indicateurs-nationaux-{annee}-{}.{}",
        c.contrat.contrat.collectivite,
        format.extension()
    );
    let mut r = octets.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.type_mime()));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&crate::pieces::disposition(&nom)).map_err(ErreurWeb::interne)?,
    );
    Ok(r)
}

/// `POST /contrats/{id}/campagnes/{annee}/tableur` (multipart: `version`, `fichier`): the
/// collectivity's editor uploads the filled table.
pub async fn deposer(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, annee)): Path<(String, String)>,
    requete: axum::extract::Request,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let c = contrat_pour(&etat, &u, id, Action::SaisirCampagne).await?;
    let annee = annee_de(&annee)?;
    campagne_ouverte(&etat, annee).await?;
    // The body is read once the rights are checked.
    let illisible = |e: axum::extract::multipart::MultipartError| {
        ErreurWeb::requete(format!("L'envoi du fichier n'a pas pu être lu : {e}."))
    };
    let mut envoi = <Multipart as axum::extract::FromRequest<()>>::from_request(requete, &())
        .await
        .map_err(|e| ErreurWeb::requete(format!("L'envoi du fichier n'a pas pu être lu : {e}.")))?;
    let (mut fichier, mut version) = (Vec::new(), String::new());
    while let Some(champ) = envoi.next_field().await.map_err(illisible)? {
        match champ.name() {
            Some("fichier") => fichier = champ.bytes().await.map_err(illisible)?.to_vec(),
            Some("version") => version = champ.text().await.map_err(illisible)?,
            _ => {}
        }
    }
    let version = version
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v >= 0)
        .ok_or_else(|| {
            ErreurWeb::requete("Version de la campagne illisible : rechargez la page ; rien n'a été écrit.")
        })?;
    if fichier.is_empty() {
        return Err(ErreurWeb::invalide(
            "Fichier : aucun fichier reçu ; choisissez le tableau des indicateurs nationaux rempli (XLSX ou ODS).",
            Some("fichier".into()),
        ));
    }
    let existantes = etat.base.valeurs_campagne(annee, id).await?;
    let lu = lire_indicateurs(&fichier, &c.contrat, annee, &existantes);
    if !lu.erreurs.is_empty() {
        let mut message = format!(
            "Le fichier contient {} erreur(s) ; rien n'a été enregistré : ",
            lu.erreurs.len()
        );
        message.push_str(
            &lu.erreurs
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ; "),
        );
        return Err(ErreurWeb::invalide(message, Some("fichier".into())));
    }
    refuser_bloquants(&pacte_core::campagne::verifier_saisie(
        &c.contrat,
        annee,
        &lu.valeurs,
    ))
    .map_err(|r| ErreurWeb::invalide(r.message, Some("fichier".into())))?;
    etat.base
        .enregistrer_valeurs(annee, id, version, &u.acteur(), garde_saisie(annee, lu.valeurs))
        .await?;
    Ok(Redirect::to(&format!("/contrats/{id}/campagnes/{annee}")).into_response())
}
