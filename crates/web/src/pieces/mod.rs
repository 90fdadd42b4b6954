//! Documents attached to a contract or one of its fiches (the acts' documents are sent with
//! their step's form, `contrats::actes`): upload (`POST /contrats/{id}/pieces`), download
//! (`GET /contrats/{id}/pieces/{piece}`) for whoever may read the contract, with a safe
//! `Content-Disposition` and the type recognised at upload (never the name's).
//!
//! This module imports no other capability (`contrats` lists the documents through it).

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::NumeroFiche;
use pacte_core::droits::{Action, Cible};
use pacte_store::pieces::{self, Piece};
use pacte_store::{ErreurStore, NouvellePiece};

use crate::{ErreurWeb, Etat, Utilisateur};

/// A document as pages list it.
#[derive(Debug, Clone)]
pub struct PieceVue {
    pub id: i64,
    pub contrat_id: i64,
    pub acte_id: Option<i64>,
    pub fiche_id: Option<i64>,
    pub nom: String,
    pub genre: String,
    pub taille: String,
    pub par: String,
    pub le: String,
    pub sha256: String,
}

impl PieceVue {
    pub fn lien(&self) -> String {
        format!("/contrats/{}/pieces/{}", self.contrat_id, self.id)
    }
}

fn vue(p: Piece) -> PieceVue {
    PieceVue {
        id: p.id,
        contrat_id: p.contrat_id,
        acte_id: p.acte_id,
        fiche_id: p.fiche_id,
        genre: p
            .type_piece()
            .map_or_else(|| p.type_mime.clone(), |t| t.libelle().to_string()),
        taille: pieces::taille_lisible(p.taille),
        par: crate::comptes::auteur_lisible(&p.depose_par),
        le: pacte_core::temps::horodatage_lisible(&p.depose_le),
        sha256: p.sha256,
        nom: p.nom,
    }
}

/// The documents of contract `id`, oldest first (the caller has checked it may be read).
pub async fn pieces_vues(etat: &Etat, id: i64) -> Result<Vec<PieceVue>, ErreurWeb> {
    Ok(etat.base.pieces(id).await?.into_iter().map(vue).collect())
}

/// Whether `u` may attach documents to contract `c`: whoever may change it or take one of
/// its lifecycle steps (its state aside: a signed contract still gets its supporting files).
pub fn peut_joindre(u: &Utilisateur, c: &pacte_core::Contrat) -> bool {
    let cible = Cible::contrat(c);
    std::iter::once(Action::Modifier)
        .chain(pacte_core::actes::Etape::TOUTES.map(|e| e.action()))
        .any(|a| u.peut(a, &cible))
}

fn id_de(texte: &str, quoi: &str) -> Result<i64, ErreurWeb> {
    texte
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| ErreurWeb::introuvable(format!("Aucun {quoi} ne porte ce numéro.")))
}

/// `Content-Disposition: attachment` with an ASCII fallback name (quotes, controls and
/// non-ASCII characters replaced) and the exact name in RFC 5987 form.
pub fn disposition(nom: &str) -> String {
    let ascii: String = nom
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encode = String::new();
    for b in nom.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            encode.push(b as char);
        } else {
            encode.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encode}")
}

pub async fn telecharger(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, piece)): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    let id = id_de(&id, "contrat")?;
    u.contrat_pour(&etat, id, Action::Lire).await?;
    let piece = id_de(&piece, "document")?;
    let (p, octets) = match etat.base.piece(piece).await {
        Ok(x) if x.0.contrat_id == id => x,
        Ok(_) | Err(ErreurStore::Introuvable { .. }) => {
            return Err(ErreurWeb::introuvable(format!(
                "Le contrat n° {id} n'a pas de document n° {piece}."
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let mut r = octets.into_response();
    let h = r.headers_mut();
    // The type recognised at upload, never the name's; `nosniff` is set on every response.
    let mime = p.type_piece().map_or("application/octet-stream", |t| t.mime());
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition(&p.nom))
            .map_err(|e| ErreurWeb::interne(format!("nom de document : {e}")))?,
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(r)
}

pub async fn deposer(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    requete: axum::extract::Request,
) -> Result<Response, ErreurWeb> {
    let id = id_de(&id, "contrat")?;
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    if !peut_joindre(&u, &c.contrat) {
        return Err(ErreurWeb::interdit(
            "Votre habilitation ne permet pas de joindre un document à ce contrat.",
        ));
    }
    // The body is read once the rights are checked.
    let mut envoi = <Multipart as axum::extract::FromRequest<()>>::from_request(requete, &())
        .await
        .map_err(|e| ErreurWeb::requete(format!("L'envoi du document n'a pas pu être lu : {e}.")))?;
    let illisible = |e: axum::extract::multipart::MultipartError| {
        ErreurWeb::requete(format!("L'envoi du document n'a pas pu être lu : {e}."))
    };
    let (mut document, mut fiche) = (None, String::new());
    while let Some(champ) = envoi.next_field().await.map_err(illisible)? {
        match champ.name() {
            Some("document") => {
                let nom = champ.file_name().unwrap_or_default().to_string();
                document = Some((nom, champ.bytes().await.map_err(illisible)?.to_vec()));
            }
            Some("fiche") => fiche = champ.text().await.map_err(illisible)?,
            _ => {}
        }
    }
    let Some((nom, octets)) = document.filter(|(n, o)| !n.is_empty() || !o.is_empty()) else {
        return Err(ErreurWeb::invalide(
            "Aucun document n'a été reçu : choisissez un fichier.",
            Some("document".into()),
        ));
    };
    let fiche_id = match fiche.trim() {
        "" => None,
        t => {
            let numero = NumeroFiche::parse(t).map_err(|_| {
                ErreurWeb::invalide(
                    format!("« {t} » n'est pas un numéro de fiche."),
                    Some("fiche".into()),
                )
            })?;
            let i = c
                .contrat
                .fiches
                .iter()
                .position(|f| f.numero == numero)
                .ok_or_else(|| {
                    ErreurWeb::invalide(
                        format!("Le contrat n'a pas de fiche {numero}."),
                        Some("fiche".into()),
                    )
                })?;
            Some(c.fiches[i].id)
        }
    };
    let ecrit = etat
        .base
        .ajouter_piece(
            &NouvellePiece {
                contrat_id: id,
                fiche_id,
                acte_id: None,
                nom: &nom,
                contenu: &octets,
            },
            &u.acteur(),
        )
        .await;
    match ecrit {
        Ok(_) => Ok(Redirect::to(&format!("/contrats/{id}?etape=document#documents")).into_response()),
        Err(ErreurStore::Invalide(m)) => Err(ErreurWeb {
            statut: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalide",
            message: format!(
                "Document « {} » refusé, rien n'a été enregistré : {}.",
                pieces::nom_sur(&nom),
                m.trim_start_matches("pièce jointe : ")
            ),
            champ: Some("document".into()),
        }),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_sure() {
        assert_eq!(
            disposition("délibération \"n°1\".pdf"),
            "attachment; filename=\"d_lib_ration _n_1_.pdf\"; filename*=UTF-8''d%C3%A9lib%C3%A9ration%20%22n%C2%B01%22.pdf"
        );
        assert!(!disposition("a\r\nSet-Cookie: x").contains('\n'));
    }
}
