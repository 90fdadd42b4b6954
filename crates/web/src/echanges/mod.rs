//! Exchanges instead of e-mail: the thread of a contract (`/contrats/{id}/echanges`) and of a
//! fiche (`/contrats/{id}/fiches/{numero}/echanges`) between the State services and the
//! collectivity, and the State's correction requests (ouverte → répondue → résolue), which the
//! collectivity's dashboard shows until they are resolved.
//!
//! Rights: `pacte_core::echanges::decider_echange`, on top of the contract's read right (a
//! thread of a contract the user may not read answers as the contract: 404). Writes go through
//! the store's audited path (`pacte_store::echanges`); a notification e-mail, when SMTP is
//! configured, is sent after the commit and never delays the answer (`notification.rs`).

pub mod api;
pub mod notification;

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::droits::{Cible, Decision};
use pacte_core::echanges::{ActionEchange, EtatDemande, decider_echange};
use pacte_store::ContratStocke;
use pacte_store::echanges::{Auteur, DemandeCorrection, Fil, Message};

use crate::comptes::{Auteurs, code_role};
use crate::contrats::edition::{id_contrat, numero_fiche, page_contrat};
use crate::ui::formulaire::Saisie;
use crate::{ErreurWeb, Etat, Utilisateur};

type Champs = Form<Vec<(String, String)>>;

/// A message as a thread shows it.
#[derive(Debug, Clone)]
pub struct MessageVu {
    pub auteur: String,
    pub role: String,
    /// In Paris time, in French.
    pub quand: String,
    pub texte: String,
    /// « Demande de correction n° 3 » when the message belongs to one.
    pub demande: Option<i64>,
    /// The user's own message.
    pub mien: bool,
    /// The attached document's download address and name.
    pub piece: Option<(String, String)>,
}

/// A correction request as a page shows it, with the controls its reader may use.
#[derive(Debug, Clone)]
pub struct DemandeVue {
    pub id: i64,
    pub version: i64,
    pub objet: String,
    pub champ: Option<String>,
    pub texte: String,
    pub etat: &'static str,
    pub ouverte: bool,
    pub par: String,
    pub quand: String,
    /// The address of the thread the request lives in.
    pub fil: String,
    pub repondre: bool,
    pub resoudre: bool,
}

#[derive(Template)]
#[template(path = "echanges.html")]
struct PageEchanges {
    page: crate::ui::Page,
    contrat_id: i64,
    /// `Some` on a fiche's thread.
    fiche: Option<String>,
    titre: String,
    action: String,
    messages: Vec<MessageVu>,
    demandes: Vec<DemandeVue>,
    ecrire: bool,
    demander: bool,
    erreur: Option<String>,
    saisie: String,
    /// The fiche numbers, for the request form on the contract's thread.
    fiches: Vec<String>,
}

/// Asks the exchange rights on the contract: `Masque` answers as a missing contract.
pub(crate) fn exiger(
    u: &Utilisateur,
    action: ActionEchange,
    c: &ContratStocke,
    id: i64,
) -> Result<(), ErreurWeb> {
    match decider_echange(&u.habilitation, action, &Cible::contrat(&c.contrat)) {
        Decision::Autorise => Ok(()),
        Decision::Masque => Err(crate::comptes::contrat_introuvable(id)),
        Decision::Interdit => Err(ErreurWeb::interdit(match action {
            ActionEchange::Lire => "Action refusée : vous ne lisez pas ce contrat.".to_string(),
            ActionEchange::Ecrire => "Action refusée : votre rôle lit les échanges de ce contrat sans y écrire (écrivent les services de l'État — DDETS, commissaire, administration nationale — et l'éditeur de la collectivité).".to_string(),
            ActionEchange::DemanderCorrection | ActionEchange::Resoudre => "Action refusée : seuls les services de l'État (DDETS, commissaire, administration nationale) demandent et résolvent une correction.".to_string(),
            ActionEchange::Repondre => "Action refusée : seul l'éditeur de la collectivité répond à une demande de correction.".to_string(),
        })),
    }
}

pub(crate) fn peut(u: &Utilisateur, action: ActionEchange, c: &ContratStocke) -> bool {
    decider_echange(&u.habilitation, action, &Cible::contrat(&c.contrat)) == Decision::Autorise
}

/// Who writes, for the store.
pub(crate) fn auteur(u: &Utilisateur) -> Auteur {
    Auteur {
        compte_id: Some(u.compte.id),
        role: code_role(u.habilitation.role()).to_string(),
    }
}

/// The contract `id` for an exchange action, read or hidden as the contract is.
pub(crate) async fn contrat(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    action: ActionEchange,
) -> Result<ContratStocke, ErreurWeb> {
    let c = u.contrat_pour(etat, id, pacte_core::droits::Action::Lire).await?;
    exiger(u, action, &c, id)?;
    Ok(c)
}

/// The fiche `numero` of `c`, or 404.
pub(crate) fn fiche_de(c: &ContratStocke, numero: &str) -> Result<String, ErreurWeb> {
    let n = numero_fiche(numero)?;
    crate::contrats::edition::position(c, n)?;
    Ok(n.to_string())
}

fn libelle_role(code: &str) -> String {
    pacte_core::droits::lire_role(code).map_or_else(|_| code.to_string(), |r| r.libelle().to_string())
}

/// `noms_pieces`: (id, name) of the contract's documents, to name a message's attachment.
pub(crate) fn messages_vus(
    messages: &[Message],
    auteurs: &Auteurs,
    u: &Utilisateur,
    noms_pieces: &[(i64, String)],
) -> Vec<MessageVu> {
    messages
        .iter()
        .map(|m| MessageVu {
            auteur: auteurs.lisible(&m.auteur),
            role: libelle_role(&m.role),
            quand: pacte_core::temps::horodatage_lisible(&m.cree_le),
            texte: m.texte.clone(),
            demande: m.demande_id,
            mien: m.compte_id == Some(u.compte.id),
            piece: m.piece_id.map(|p| {
                let nom = noms_pieces
                    .iter()
                    .find(|(id, _)| *id == p)
                    .map_or_else(|| format!("document n° {p}"), |(_, n)| n.clone());
                (format!("/contrats/{}/pieces/{p}", m.contrat_id), nom)
            }),
        })
        .collect()
}

pub(crate) fn demande_vue(
    d: &DemandeCorrection,
    auteurs: &Auteurs,
    u: &Utilisateur,
    c: &ContratStocke,
) -> DemandeVue {
    let fil = match &d.fiche {
        Some(f) => format!("/contrats/{}/fiches/{f}/echanges", d.contrat_id),
        None => format!("/contrats/{}/echanges", d.contrat_id),
    };
    DemandeVue {
        id: d.tampon.id,
        version: d.tampon.version,
        objet: d
            .fiche
            .as_ref()
            .map_or("Contrat".to_string(), |f| format!("Fiche {f}")),
        champ: d.champ.clone(),
        texte: d.texte.clone(),
        etat: d.etat.libelle(),
        ouverte: d.etat != EtatDemande::Resolue,
        par: auteurs.lisible(&d.cree_par),
        quand: pacte_core::temps::horodatage_lisible(&d.cree_le),
        fil,
        repondre: peut(u, ActionEchange::Repondre, c) && d.etat.apres(ActionEchange::Repondre).is_ok(),
        resoudre: peut(u, ActionEchange::Resoudre, c) && d.etat.apres(ActionEchange::Resoudre).is_ok(),
    }
}

async fn rendre_fil(
    etat: &Etat,
    u: &Utilisateur,
    c: &ContratStocke,
    id: i64,
    fiche: Option<String>,
    erreur: Option<(String, String)>,
) -> Result<Response, ErreurWeb> {
    let fil = Fil {
        contrat_id: id,
        fiche: fiche.clone(),
    };
    let messages = etat.base.messages(&fil).await?;
    let demandes: Vec<DemandeCorrection> = etat
        .base
        .demandes_correction(id)
        .await?
        .into_iter()
        .filter(|d| fiche.is_none() || d.fiche == fiche)
        .collect();
    let auteurs = Auteurs::lire(
        &etat.base,
        messages
            .iter()
            .map(|m| m.auteur.as_str())
            .chain(demandes.iter().map(|d| d.cree_par.as_str())),
    )
    .await?;
    let noms_pieces: Vec<(i64, String)> = if messages.iter().any(|m| m.piece_id.is_some()) {
        etat.base
            .pieces(id)
            .await?
            .into_iter()
            .map(|p| (p.id, p.nom))
            .collect()
    } else {
        Vec::new()
    };
    // Seen now: the dashboard's unread count of this contract goes back to zero.
    etat.base.marquer_lu(u.compte.id, id).await?;
    let entete = &c.contrat.contrat;
    let (titre, action, mut page) = match &fiche {
        None => (
            format!("Échanges sur le contrat — {}", entete.nom_collectivite()),
            format!("/contrats/{id}/echanges"),
            page_contrat(etat, "Échanges sur le contrat", Some(id), Some(entete)).ariane("Échanges", None),
        ),
        Some(f) => (
            format!("Échanges sur la fiche {f} — {}", entete.nom_collectivite()),
            format!("/contrats/{id}/fiches/{f}/echanges"),
            page_contrat(etat, format!("Échanges sur la fiche {f}"), Some(id), Some(entete))
                .ariane(format!("Fiche {f}"), Some(format!("/contrats/{id}/fiches/{f}")))
                .ariane("Échanges", None),
        ),
    };
    if erreur.is_some() {
        page.titre = format!("Erreur — {}", page.titre);
    }
    let (erreur, saisie) = match erreur {
        Some((e, s)) => (Some(e), s),
        None => (None, String::new()),
    };
    let p = PageEchanges {
        page,
        contrat_id: id,
        fiches: c.contrat.fiches.iter().map(|f| f.numero.to_string()).collect(),
        fiche,
        titre,
        action,
        messages: messages_vus(&messages, &auteurs, u, &noms_pieces),
        demandes: demandes.iter().map(|d| demande_vue(d, &auteurs, u, c)).collect(),
        ecrire: peut(u, ActionEchange::Ecrire, c),
        demander: peut(u, ActionEchange::DemanderCorrection, c),
        erreur: erreur.clone(),
        saisie,
    };
    if erreur.is_some() {
        crate::ui::rendre_statut(StatusCode::UNPROCESSABLE_ENTITY, &p)
    } else {
        crate::ui::rendre(&p)
    }
}

pub async fn fil_contrat(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let etat = etat.pour(&u);
    let c = contrat(&etat, &u, id, ActionEchange::Lire).await?;
    rendre_fil(&etat, &u, &c, id, None, None).await
}

pub async fn fil_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let etat = etat.pour(&u);
    let c = contrat(&etat, &u, id, ActionEchange::Lire).await?;
    let f = fiche_de(&c, &numero)?;
    rendre_fil(&etat, &u, &c, id, Some(f), None).await
}

/// A message as posted: its text and, optionally, an attached document (name, bytes).
struct EnvoiMessage {
    texte: String,
    document: Option<(String, Vec<u8>)>,
}

/// Reads the message form: `multipart/form-data` when it carries a document, or a plain form.
async fn lire_envoi(requete: axum::extract::Request) -> Result<EnvoiMessage, ErreurWeb> {
    let multipart = requete
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    if !multipart {
        let Form(champs): Champs = Form::from_request(requete, &())
            .await
            .map_err(|e| ErreurWeb::requete(format!("Le message n'a pas pu être lu : {e}.")))?;
        return Ok(EnvoiMessage {
            texte: Saisie::new(champs).get("texte").to_string(),
            document: None,
        });
    }
    let illisible = |e: axum::extract::multipart::MultipartError| {
        ErreurWeb::requete(format!("Le message n'a pas pu être lu : {e}."))
    };
    let mut envoi = axum::extract::Multipart::from_request(requete, &())
        .await
        .map_err(|e| ErreurWeb::requete(format!("Le message n'a pas pu être lu : {e}.")))?;
    let mut m = EnvoiMessage {
        texte: String::new(),
        document: None,
    };
    while let Some(champ) = envoi.next_field().await.map_err(illisible)? {
        match champ.name() {
            Some("texte") => m.texte = champ.text().await.map_err(illisible)?,
            Some("document") => {
                let nom = champ.file_name().unwrap_or_default().to_string();
                let octets = champ.bytes().await.map_err(illisible)?.to_vec();
                // A file input left empty sends an empty part without a name.
                if !nom.is_empty() || !octets.is_empty() {
                    m.document = Some((nom, octets));
                }
            }
            _ => {}
        }
    }
    Ok(m)
}

async fn ecrire(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    numero: Option<&str>,
    requete: axum::extract::Request,
) -> Result<Response, ErreurWeb> {
    // Rights first, the body (up to the documents' size limit) afterwards.
    let c = contrat(etat, u, id, ActionEchange::Ecrire).await?;
    let fiche = numero.map(|n| fiche_de(&c, n)).transpose()?;
    let envoi = lire_envoi(requete).await?;
    let fil = Fil {
        contrat_id: id,
        fiche: fiche.clone(),
    };
    let ecrit = match &envoi.document {
        None => {
            etat.base
                .ecrire_message(&fil, &auteur(u), &envoi.texte, None, &u.acteur())
                .await
        }
        Some((nom, octets)) => {
            let fiche_id = fiche.as_deref().and_then(|f| {
                c.contrat
                    .fiches
                    .iter()
                    .position(|x| x.numero.to_string() == f)
                    .map(|i| c.fiches[i].id)
            });
            let piece = pacte_store::NouvellePiece {
                contrat_id: id,
                fiche_id,
                acte_id: None,
                nom,
                contenu: octets,
            };
            etat.base
                .ecrire_message_joint(&fil, &auteur(u), &envoi.texte, &piece, &u.acteur())
                .await
        }
    };
    match ecrit {
        Ok(m) => {
            notification::apres_ecriture(etat, &c, u.compte.id, notification::Evenement::Message(&m));
            Ok(Redirect::to(&format!("{}#fin", adresse(id, fiche.as_deref()))).into_response())
        }
        Err(pacte_store::ErreurStore::Invalide(m)) => {
            let m = match &envoi.document {
                Some((nom, _)) if m.starts_with("pièce jointe") => format!(
                    "Document « {} » refusé, le message n'a pas été envoyé : {}",
                    pacte_store::pieces::nom_sur(nom),
                    m.trim_start_matches("pièce jointe : ")
                ),
                _ => m,
            };
            rendre_fil(etat, u, &c, id, fiche, Some((m, envoi.texte))).await
        }
        Err(e) => Err(e.into()),
    }
}

fn adresse(id: i64, fiche: Option<&str>) -> String {
    match fiche {
        Some(f) => format!("/contrats/{id}/fiches/{f}/echanges"),
        None => format!("/contrats/{id}/echanges"),
    }
}

pub async fn ecrire_contrat(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    requete: axum::extract::Request,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let etat = etat.pour(&u);
    ecrire(&etat, &u, id, None, requete).await
}

pub async fn ecrire_fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
    requete: axum::extract::Request,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let etat = etat.pour(&u);
    ecrire(&etat, &u, id, Some(&numero), requete).await
}

/// `POST /contrats/{id}/demandes`: the State requests a correction (fields `texte`, `fiche`
/// — empty for the contract itself —, `champ`).
pub async fn demander(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    Form(champs): Champs,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let etat = etat.pour(&u);
    let s = Saisie::new(champs);
    let c = contrat(&etat, &u, id, ActionEchange::DemanderCorrection).await?;
    let fiche = match s.get("fiche").trim() {
        "" => None,
        n => Some(fiche_de(&c, n)?),
    };
    let fil = Fil {
        contrat_id: id,
        fiche: fiche.clone(),
    };
    match etat
        .base
        .demander_correction(
            &fil,
            Some(s.get("champ")),
            &auteur(&u),
            s.get("texte"),
            &u.acteur(),
        )
        .await
    {
        Ok(d) => {
            notification::apres_ecriture(&etat, &c, u.compte.id, notification::Evenement::Demande(&d));
            Ok(Redirect::to(&format!(
                "{}#demande-{}",
                adresse(id, fiche.as_deref()),
                d.tampon.id
            ))
            .into_response())
        }
        Err(pacte_store::ErreurStore::Invalide(m)) => {
            rendre_fil(&etat, &u, &c, id, fiche, Some((m, s.get("texte").to_string()))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /contrats/{id}/demandes/{demande}`: answer (`action=repondre`, the collectivity's
/// editor) or resolve (`action=resoudre`, the State), with the version the page was loaded
/// with.
pub async fn faire_avancer(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, demande)): Path<(String, String)>,
    Form(champs): Champs,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let etat = etat.pour(&u);
    let s = Saisie::new(champs);
    let action = match s.get("action") {
        "repondre" => ActionEchange::Repondre,
        "resoudre" => ActionEchange::Resoudre,
        _ => {
            return Err(ErreurWeb::invalide(
                "Le formulaire ne dit pas s'il répond à la demande ou la résout : rechargez la page ; rien n'a été écrit.",
                Some("action".into()),
            ));
        }
    };
    let c = contrat(&etat, &u, id, action).await?;
    let demande_id = demande
        .trim()
        .parse::<i64>()
        .map_err(|_| ErreurWeb::introuvable("Aucune demande de correction ne porte ce numéro."))?;
    let d = match etat.base.demande_correction(demande_id).await {
        Ok(d) if d.contrat_id == id => d,
        Ok(_) | Err(pacte_store::ErreurStore::Introuvable { .. }) => {
            return Err(ErreurWeb::introuvable(
                "Aucune demande de correction ne porte ce numéro sur ce contrat.",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let version = crate::contrats::edition::version_saisie(&s)?;
    match etat
        .base
        .faire_avancer_demande(
            demande_id,
            action,
            version,
            &auteur(&u),
            s.get("texte"),
            &u.acteur(),
        )
        .await
    {
        Ok(apres) => {
            notification::apres_ecriture(&etat, &c, u.compte.id, notification::Evenement::Avancee(&apres));
            Ok(Redirect::to(&format!(
                "{}#demande-{demande_id}",
                adresse(id, d.fiche.as_deref())
            ))
            .into_response())
        }
        Err(pacte_store::ErreurStore::Invalide(m)) => {
            rendre_fil(
                &etat,
                &u,
                &c,
                id,
                d.fiche.clone(),
                Some((m, s.get("texte").to_string())),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The exchanges section of the dashboard: per readable contract, the unread messages and the
/// correction requests not resolved yet.
#[derive(Debug, Clone, Default)]
pub struct TableauEchanges {
    /// (contract id, collectivity, unread count).
    pub non_lus: Vec<(i64, String, i64)>,
    pub demandes: Vec<(String, DemandeVueCourte)>,
}

/// A correction request on the dashboard.
#[derive(Debug, Clone)]
pub struct DemandeVueCourte {
    pub objet: String,
    pub etat: &'static str,
    pub texte: String,
    pub lien: String,
}

impl TableauEchanges {
    pub fn vide(&self) -> bool {
        self.non_lus.is_empty() && self.demandes.is_empty()
    }
}

/// The exchanges of the contracts `contrats` ((id, collectivity name)) for the dashboard.
pub async fn tableau(
    etat: &Etat,
    u: &Utilisateur,
    contrats: &[(i64, String)],
) -> Result<TableauEchanges, ErreurWeb> {
    let ids: Vec<i64> = contrats.iter().map(|c| c.0).collect();
    let etats = etat.base.etat_echanges(u.compte.id, &ids).await?;
    let nom = |id: i64| {
        contrats
            .iter()
            .find(|c| c.0 == id)
            .map(|c| c.1.clone())
            .unwrap_or_default()
    };
    let mut t = TableauEchanges::default();
    for e in &etats {
        if e.non_lus > 0 {
            t.non_lus.push((e.contrat_id, nom(e.contrat_id), e.non_lus));
        }
        if e.demandes_en_cours > 0 {
            for d in etat.base.demandes_correction(e.contrat_id).await? {
                if d.etat == EtatDemande::Resolue {
                    continue;
                }
                let lien = format!(
                    "{}#demande-{}",
                    adresse(d.contrat_id, d.fiche.as_deref()),
                    d.tampon.id
                );
                t.demandes.push((
                    nom(e.contrat_id),
                    DemandeVueCourte {
                        objet: d
                            .fiche
                            .as_ref()
                            .map_or("Contrat".to_string(), |f| format!("Fiche {f}"))
                            + &d.champ.as_ref().map_or(String::new(), |c| format!(" — {c}")),
                        etat: d.etat.libelle(),
                        texte: crate::ui::formulaire::abrege(&d.texte, 200),
                        lien,
                    },
                ));
            }
        }
    }
    Ok(t)
}
