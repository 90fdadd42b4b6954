//! Contract files: upload (preview, then atomic import) and download.
//!
//! An uploaded file is read and checked first; the preview page carries its text in a hidden
//! field, and only the confirmation imports it, in one transaction.

pub mod format;
pub mod nature;

use std::collections::HashSet;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::fichier::{ErreurLecture, ecrire_toml, lire_toml};
use pacte_core::territoires::territoires;
use pacte_core::{Annee, Axe, Contrat, Montant, verifier};

use crate::contrats::edition::id_contrat;
use crate::ui::Page;
use crate::ui::formulaire::{ConstatVu, abrege};
use crate::ui::rendre_statut;
use crate::{ErreurWeb, Etat, Utilisateur};
use pacte_core::droits::{Action, Cible};

/// The largest contract file, in megabytes, announced beside every upload field: the limit of a
/// page form's body (`comptes::TAILLE_FORMULAIRE_MAX`), less room for the form's other fields.
pub fn taille_max_mo() -> usize {
    crate::comptes::TAILLE_FORMULAIRE_MAX / (1024 * 1024)
}

#[derive(Template)]
#[template(path = "import_erreur.html")]
struct PageErreurImport {
    page: Page,
    format: &'static str,
    modele: &'static str,
    taille_max: usize,
    fichier: String,
    titre: String,
    message: String,
    lieu: String,
    /// The faulty line: (number, text).
    extrait: Option<(usize, String)>,
}

#[derive(Template)]
#[template(path = "import_apercu.html")]
struct PageApercu {
    page: Page,
    fichier: String,
    collectivite: String,
    intitule: String,
    etat: &'static str,
    periode: String,
    nb_fiches: usize,
    par_axe: String,
    /// (year, State share, total F) over the fiches.
    montants: Vec<(String, String, String)>,
    constats: Vec<ConstatVu>,
    nb_bloquants: usize,
    /// Why the contract cannot be imported, when it cannot.
    refus: Option<String>,
    contenu: String,
    /// The contract the file's collectivity already has (one per collectivity and period).
    existant: Option<crate::contrats::existant::ContratExistant>,
}

fn page(etat: &Etat, titre: &str) -> Page {
    Page::new(etat, titre, "/contrats")
        .ariane("Contrats", Some("/contrats".into()))
        .ariane(titre, None)
}

/// The 422 page of a file that cannot be read.
fn illisible(etat: &Etat, fichier: &str, texte: &str, e: &ErreurLecture) -> Result<Response, ErreurWeb> {
    let mut lieu = Vec::new();
    if let Some(l) = e.ligne {
        lieu.push(format!("ligne {l}"));
    }
    if let Some(c) = e.colonne {
        lieu.push(format!("colonne {c}"));
    }
    if let Some(ch) = &e.champ {
        lieu.push(format!("champ « {ch} »"));
    }
    let lieu = if lieu.is_empty() {
        String::new()
    } else {
        let mut l = lieu.join(", ");
        l[..1].make_ascii_uppercase();
        format!("{l}.")
    };
    let extrait = e.ligne.and_then(|n| {
        texte
            .lines()
            .nth(n.saturating_sub(1))
            .map(|l| (n, abrege(l, 300)))
    });
    rendre_statut(
        StatusCode::UNPROCESSABLE_ENTITY,
        &PageErreurImport {
            page: page(etat, "Fichier de contrat illisible"),
            fichier: fichier.to_string(),
            format: format::ADRESSE_FORMAT,
            modele: format::ADRESSE_MODELE,
            taille_max: taille_max_mo(),
            titre: "Le fichier ne peut pas être lu".into(),
            message: format!("{}.", e.message.trim_end_matches('.')),
            lieu,
            extrait,
        },
    )
}

/// A file refused before it is read (no file, not a contract file: see [`nature::refus`]).
fn refuse(etat: &Etat, fichier: &str, message: &str) -> Result<Response, ErreurWeb> {
    refuse_statut(etat, StatusCode::UNPROCESSABLE_ENTITY, fichier, message)
}

fn refuse_statut(
    etat: &Etat,
    statut: StatusCode,
    fichier: &str,
    message: &str,
) -> Result<Response, ErreurWeb> {
    rendre_statut(
        statut,
        &PageErreurImport {
            format: format::ADRESSE_FORMAT,
            modele: format::ADRESSE_MODELE,
            taille_max: taille_max_mo(),
            page: page(etat, "Import impossible"),
            fichier: fichier.to_string(),
            titre: "Le fichier ne peut pas être lu".into(),
            message: message.to_string(),
            lieu: String::new(),
            extrait: None,
        },
    )
}

/// Fiche numbers written twice: the base identifies a fiche by its number.
fn numeros_repetes(c: &Contrat) -> Option<String> {
    let mut vus = HashSet::new();
    let repetes: Vec<String> = c
        .fiches
        .iter()
        .filter(|f| !vus.insert(f.numero))
        .map(|f| f.numero.to_string())
        .collect();
    (!repetes.is_empty()).then(|| {
        format!(
            "Le numéro de fiche {} est porté par plusieurs fiches (R-TAB-01) : chaque fiche doit avoir un numéro unique. Corrigez le fichier, puis importez-le de nouveau.",
            repetes.join(", ")
        )
    })
}

fn apercu(etat: &Etat, fichier: &str, texte: &str, c: &Contrat) -> PageApercu {
    let e = &c.contrat;
    let collectivite = match territoires().collectivite(&e.collectivite) {
        Some(t) => format!("{} ({}, {})", t.nom, t.code, t.nature.libelle()),
        None => match &e.ami {
            Some(ami) => format!("{} ({}, candidature à l'AMI national)", ami.nom, e.collectivite),
            None => format!(
                "« {} » : collectivité inconnue de Pacte",
                abrege(&e.collectivite, 60)
            ),
        },
    };
    let periode = match (e.debut, e.fin) {
        (Some(d), Some(f)) => format!("du {d} au {f}"),
        (Some(d), None) => format!("à partir du {d} (fin non renseignée)"),
        (None, Some(f)) => format!("jusqu'au {f} (début non renseigné)"),
        (None, None) => "non renseignée".into(),
    };
    let par_axe = Axe::TOUS
        .iter()
        .filter_map(|a| {
            let n = c.fiches.iter().filter(|f| f.axe() == *a).count();
            (n > 0).then(|| format!("{a} : {n}"))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let montants = Annee::TOUTES
        .iter()
        .map(|a| {
            let etat: Montant = c.fiches.iter().map(|f| f.financement.etat(*a)).sum();
            let total: Montant = c.fiches.iter().map(|f| f.financement.total(*a)).sum();
            (a.to_string(), etat.to_string(), total.to_string())
        })
        .collect();
    let constats: Vec<ConstatVu> = verifier(c).iter().map(|k| ConstatVu::new(k, 0, false)).collect();
    PageApercu {
        page: page(etat, "Aperçu du contrat à importer"),
        fichier: fichier.to_string(),
        collectivite,
        intitule: e.intitule.clone().unwrap_or_else(|| "non renseigné".into()),
        etat: e.etat.libelle(),
        periode,
        nb_fiches: c.fiches.len(),
        par_axe,
        montants,
        nb_bloquants: constats.iter().filter(|k| k.bloquant).count(),
        constats,
        refus: numeros_repetes(c),
        contenu: texte.to_string(),
        existant: None,
    }
}

pub async fn apercu_import(
    State(etat): State<Etat>,
    u: Utilisateur,
    mut envoi: Multipart,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let mut recu: Option<(String, Vec<u8>)> = None;
    // A multipart error in French: too big (413, with the limit), else a broken upload.
    let envoi_illisible = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            refuse_statut(
                &etat,
                StatusCode::PAYLOAD_TOO_LARGE,
                "trop volumineux",
                &format!(
                    "Le fichier dépasse la taille admise : {} Mo au plus. Un fichier de contrat pèse d'ordinaire moins de 200 ko : vérifiez qu'il s'agit bien du fichier .toml du contrat.",
                    taille_max_mo()
                ),
            )
        } else {
            refuse(
                &etat,
                "incomplet",
                "L'envoi du fichier a été interrompu ou mal formé : choisissez de nouveau le fichier, puis envoyez-le.",
            )
        }
    };
    loop {
        let champ = match envoi.next_field().await {
            Ok(c) => c,
            Err(e) => return envoi_illisible(e),
        };
        let Some(champ) = champ else { break };
        if champ.name() != Some("fichier") || recu.is_some() {
            continue;
        }
        let nom = champ.file_name().unwrap_or_default().to_string();
        let octets = match champ.bytes().await {
            Ok(o) => o,
            Err(e) => return envoi_illisible(e),
        };
        recu = Some((nom, octets.to_vec()));
    }
    let Some((nom, octets)) = recu else {
        return refuse(
            &etat,
            "aucun",
            "Aucun fichier n'a été reçu : choisissez un fichier de contrat (.toml).",
        );
    };
    let nom = if nom.trim().is_empty() {
        "sans nom".to_string()
    } else {
        abrege(&nom, 120)
    };
    if let Some(m) = nature::refus(&octets) {
        return refuse(&etat, &nom, &m);
    }
    let Ok(texte) = String::from_utf8(octets) else {
        return Err(ErreurWeb::interne("texte non UTF-8 après nature::refus"));
    };
    let texte = texte.strip_prefix('\u{feff}').unwrap_or(&texte);
    match lire_toml(texte) {
        Err(e) => illisible(&etat, &nom, texte, &e),
        Ok(c) => {
            let existant = crate::contrats::existant::examiner(&etat, &u, &c).await?;
            crate::contrats::existant::exiger_apercu(&u, &c, existant.as_ref())?;
            if existant.as_ref().is_none_or(|e| !e.modifiable) {
                u.exiger_derogations_importables(&c)?;
            }
            let mut p = apercu(&etat, &nom, texte, &c);
            p.existant = existant;
            crate::ui::rendre(&p)
        }
    }
}

pub async fn confirmer_import(
    State(etat): State<Etat>,
    u: Utilisateur,
    Form(champs): Form<Vec<(String, String)>>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let champ = |nom: &str| {
        champs
            .iter()
            .find(|(k, _)| k == nom)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (texte, remplacer, revision) = (champ("contenu"), champ("remplacer"), champ("revision"));
    // Browsers send line breaks of form fields as CRLF.
    let texte = texte.replace("\r\n", "\n");
    if texte.trim().is_empty() {
        return refuse(
            &etat,
            "aucun",
            "Aucun contenu de fichier n'a été reçu : importez de nouveau le fichier.",
        );
    }
    let c = match lire_toml(&texte) {
        Err(e) => return illisible(&etat, "confirmé", &texte, &e),
        Ok(c) => c,
    };
    if let Some(m) = numeros_repetes(&c) {
        return refuse(&etat, "confirmé", &m);
    }
    if !remplacer.is_empty() {
        let id = id_contrat(&remplacer)?;
        let revision = revision.trim().parse::<i64>().map_err(|_| {
            ErreurWeb::invalide(
                "Le formulaire ne porte pas la révision du contrat à mettre à jour : importez de nouveau le fichier ; rien n'a été écrit.",
                Some("revision".into()),
            )
        })?;
        return crate::contrats::existant::remplacer(&etat, &u, id, revision, c).await;
    }
    u.exiger(Action::Importer, &Cible::contrat(&c))?;
    u.exiger_derogations_importables(&c)?;
    let id = etat.base.creer_contrat(&c, &u.acteur()).await?;
    Ok(Redirect::to(&format!("/contrats/{id}")).into_response())
}

/// A file name made of lowercase ASCII letters, digits and dashes.
fn nom_de_fichier(texte: &str) -> String {
    let mut s = String::new();
    for c in texte.to_lowercase().chars() {
        let pli = match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' | 'ì' => "i",
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ÿ' => "y",
            'ç' => "c",
            'ñ' => "n",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_ascii_alphanumeric() => {
                s.push(c);
                continue;
            }
            _ => "-",
        };
        if pli == "-" && (s.is_empty() || s.ends_with('-')) {
            continue;
        }
        s.push_str(pli);
    }
    let s: String = s.chars().take(80).collect();
    s.trim_end_matches('-').to_string()
}

pub async fn telecharger(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    let texte = ecrire_toml(&c.contrat);
    let nom = match nom_de_fichier(&c.contrat.contrat.nom_collectivite()) {
        n if n.is_empty() => format!("contrat-{id}.toml"),
        n => format!("contrat-{n}.toml"),
    };
    let mut r = texte.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/toml; charset=utf-8"),
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{nom}\""))
        .map_err(|e| ErreurWeb::interne(format!("nom de fichier : {e}")))?;
    h.insert(header::CONTENT_DISPOSITION, disposition);
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noms_de_fichier() {
        assert_eq!(
            nom_de_fichier("Métropole d'Aix-Marseille-Provence"),
            "metropole-d-aix-marseille-provence"
        );
        assert_eq!(nom_de_fichier("Côtes-d'Armor"), "cotes-d-armor");
        assert_eq!(nom_de_fichier("\"; rm -rf /"), "rm-rf");
        assert_eq!(nom_de_fichier("«»"), "");
    }
}
