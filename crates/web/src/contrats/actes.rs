//! The lifecycle steps as acts: each step is a form (`/contrats/{id}/etapes/{etape}`) asking
//! what the instruction requires of its act, then a confirmation page, then one audited write
//! of the act, its document and the contract's new state (`Base::enregistrer_acte`). The last
//! act in force can be undone by whoever may take its step (`/contrats/{id}/actes/{acte}/annuler`).
//!
//! The act is read at the edge (dates, choices, lengths), validated by
//! `pacte_core::actes::verifier` (the same function the store's guard runs again inside the
//! write's transaction, with the conformity check of the steps that require it).

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use pacte_core::actes::{self, Acte, Etape, Instance, Partie, SignataireActe};
use pacte_core::contrat::EnTete;
use pacte_core::droits::{self, Action, Cible};
use pacte_core::{Contrat, Date};
use pacte_store::pieces::{self, TAILLE_MAX_LIBELLE, TYPES_ACCEPTES};
use pacte_store::{ContratStocke, ErreurStore, NouvellePiece};

use crate::contrats::edition::{erreur_ecriture, etat_permis, garde_entete, id_contrat, page_contrat};
use crate::ui::formulaire::{Champ, Choix, ErreurChamp, Lecture, Saisie, Vue, abrege, options_simples};
use crate::ui::{Page, rendre_statut};
use crate::{ErreurWeb, Etat, Utilisateur};

/// Rows of signatories offered by the signature form.
pub const LIGNES_SIGNATAIRES: usize = 5;

/// Today, in Paris: acts cannot be dated later.
pub(crate) fn aujourdhui() -> Date {
    pacte_store::horloge::instant().jour_a_paris()
}

/// « Enregistrer la délibération ».
pub fn bouton(etape: Etape) -> String {
    format!("Enregistrer {}", etape.libelle())
}

pub(crate) fn lire_etape(texte: &str) -> Result<Etape, ErreurWeb> {
    Etape::depuis_code(texte).ok_or_else(|| {
        ErreurWeb::introuvable(format!(
            "« {} » n'est pas une étape du contrat (soumission, validation, deliberation, signature, debut_execution, evaluation, cloture, denonciation).",
            abrege(texte, 40)
        ))
    })
}

// ---------------------------------------------------------------------------------------------
// Reading the act

fn options_parties(parties: &[Partie]) -> Vec<(&'static str, &'static str, Partie)> {
    parties.iter().map(|p| (p.code(), p.libelle(), *p)).collect()
}

fn date_requise(l: &mut Lecture, nom: &str, libelle: &str) -> Option<Date> {
    let d = l.date(nom, libelle);
    if l.saisie.get(nom).trim().is_empty() {
        l.erreur(
            nom,
            format!("« {libelle} » est obligatoire : ce champ ne peut pas rester vide."),
        );
    }
    d
}

/// The act typed on the form of `etape`, or the faulty fields.
pub(crate) fn lire_acte(etape: Etape, s: &Saisie) -> Result<Acte, Vec<ErreurChamp>> {
    let mut l = Lecture::new(s);
    let acte = match etape {
        Etape::Soumission => Some(Acte::Soumission {
            observation: l.texte_long("observation", "Observation"),
        }),
        Etape::Validation => Some(Acte::Validation {
            observation: l.texte_long("observation", "Observation"),
        }),
        Etape::Deliberation => {
            let date = date_requise(&mut l, "date", "Date de la délibération");
            let instances: Vec<_> = Instance::TOUTES
                .iter()
                .map(|i| (i.code(), i.libelle(), *i))
                .collect();
            let instance = l.choix("instance", "Instance délibérante", &instances);
            if instance.is_none() && s.get("instance").trim().is_empty() {
                l.erreur("instance", "« Instance délibérante » est obligatoire : choisissez la séance plénière ou la commission permanente.");
            }
            let reference = l.texte_obligatoire("reference", "Référence de la délibération");
            match (date, instance, reference) {
                (Some(date), Some(instance), Some(reference)) => Some(Acte::Deliberation {
                    date,
                    instance,
                    reference,
                }),
                _ => None,
            }
        }
        Etape::Signature => {
            let date = date_requise(&mut l, "date", "Date de signature");
            let mut signataires = Vec::new();
            let parties = options_parties(&Partie::TOUTES);
            for i in 0..LIGNES_SIGNATAIRES {
                let n = |c: &str| format!("signataires[{i}].{c}");
                let vide = ["qualite", "nom", "organisation"]
                    .iter()
                    .all(|c| s.get(&n(c)).trim().is_empty());
                if vide {
                    continue;
                }
                let partie = l.choix(&n("partie"), &format!("Partie du signataire {}", i + 1), &parties);
                let qualite = l.texte_obligatoire(&n("qualite"), &format!("Qualité du signataire {}", i + 1));
                let nom = l.texte(&n("nom"), &format!("Nom du signataire {}", i + 1));
                let organisation = l.texte(
                    &n("organisation"),
                    &format!("Institution du signataire {}", i + 1),
                );
                if s.get(&n("partie")).trim().is_empty() {
                    l.erreur(
                        &n("partie"),
                        format!("« Partie du signataire {} » est obligatoire.", i + 1),
                    );
                }
                if let (Some(partie), Some(qualite)) = (partie, qualite) {
                    signataires.push(SignataireActe {
                        partie,
                        qualite,
                        nom,
                        organisation,
                    });
                }
            }
            date.map(|date| Acte::Signature { date, signataires })
        }
        Etape::DebutExecution => date_requise(&mut l, "date", "Date de début d'exécution")
            .map(|date| Acte::DebutExecution { date }),
        Etape::Evaluation => {
            let date = date_requise(&mut l, "date", "Date de l'évaluation");
            let objet = l.texte_long("objet", "Objet de l'évaluation");
            let rapport = l.texte("rapport", "Rapport d'évaluation");
            date.map(|date| Acte::Evaluation {
                date,
                objet: objet.unwrap_or_default(),
                rapport,
            })
        }
        Etape::Cloture => {
            let date = date_requise(&mut l, "date", "Date de clôture");
            let observation = l.texte_long("observation", "Observation");
            date.map(|date| Acte::Cloture { date, observation })
        }
        Etape::Denonciation => {
            let parties = options_parties(&[Partie::Etat, Partie::Collectivite]);
            let partie = l.choix("partie", "Partie qui dénonce", &parties);
            if s.get("partie").trim().is_empty() {
                l.erreur(
                    "partie",
                    "« Partie qui dénonce » est obligatoire : l'État ou la collectivité.",
                );
            }
            let auteur = l.texte_obligatoire("auteur", "Auteur de la dénonciation");
            let date_lettre = date_requise(&mut l, "date_lettre", "Date de la lettre recommandée");
            let motif = l.texte_long("motif", "Motif de la dénonciation");
            let preavis = l.entier(
                "preavis_mois",
                "Préavis en mois",
                0,
                u32::from(actes::PREAVIS_MAX_MOIS),
            );
            if s.get("preavis_mois").trim().is_empty() {
                l.erreur(
                    "preavis_mois",
                    "« Préavis en mois » est obligatoire (0 s'il n'y en a pas).",
                );
            }
            match (partie, auteur, date_lettre, preavis) {
                (Some(partie), Some(auteur), Some(date_lettre), Some(p)) => {
                    let preavis_mois = p as u8;
                    Some(Acte::Denonciation {
                        partie,
                        auteur,
                        date_lettre,
                        motif: motif.unwrap_or_default(),
                        preavis_mois,
                        date_effet: actes::plus_mois(date_lettre, preavis_mois),
                    })
                }
                _ => None,
            }
        }
    };
    let mut erreurs = l.erreurs;
    match acte {
        Some(a) if erreurs.is_empty() => Ok(a),
        _ => {
            if erreurs.is_empty() {
                erreurs.push(ErreurChamp {
                    nom: "date".into(),
                    message: "Le formulaire est incomplet.".into(),
                });
            }
            Err(erreurs)
        }
    }
}

/// Core's refusals as field errors of the form.
pub(crate) fn erreurs_de(e: Vec<actes::ErreurActe>) -> Vec<ErreurChamp> {
    e.into_iter()
        .map(|e| ErreurChamp {
            nom: e.champ,
            message: format!("{} ({})", e.message, e.regle),
        })
        .collect()
}

/// The guard the store runs inside the write's transaction: the stored state still leads to
/// the step's state by its action, the act is valid against the contract and the acts in force
/// as stored, and the steps that require it find no blocking finding. Returns the new header.
pub(crate) fn garde_acte(
    acte: Acte,
    aujourdhui: Date,
) -> impl FnOnce(&Contrat, &[Acte]) -> Result<EnTete, pacte_store::Refus> + Send {
    move |stocke: &Contrat, precedents: &[Acte]| {
        let etape = acte.etape();
        let entete = &stocke.contrat;
        if let Err(e) = actes::verifier(&acte, entete, precedents, aujourdhui) {
            let m: Vec<String> = e.iter().map(|e| e.to_string()).collect();
            return Err(pacte_store::Refus::new(format!(
                "L'acte n'est plus valide sur le contrat tel qu'il est enregistré : {}",
                m.join(" ; ")
            )));
        }
        let apres = actes::appliquer(&acte, entete);
        garde_entete(etape.action(), apres.clone())(stocke)?;
        Ok(apres)
    }
}

// ---------------------------------------------------------------------------------------------
// The form and its confirmation

#[derive(Debug, Clone)]
pub struct LigneSignataire {
    pub partie: Choix,
    pub qualite: Champ,
    pub nom: Champ,
    pub organisation: Champ,
}

#[derive(Debug, Clone, Default)]
pub struct ChampsActe {
    pub date: Option<Champ>,
    pub instance: Option<Choix>,
    pub reference: Option<Champ>,
    pub signataires: Vec<LigneSignataire>,
    pub partie: Option<Choix>,
    pub auteur: Option<Champ>,
    pub date_lettre: Option<Champ>,
    pub preavis: Option<Champ>,
    pub motif: Option<Champ>,
    pub objet: Option<Champ>,
    pub rapport: Option<Champ>,
    pub observation: Option<Champ>,
    /// The signatories' group, for its error.
    pub erreur_signataires: Option<String>,
}

fn champs(etape: Etape, s: &Saisie, erreurs: &[ErreurChamp]) -> ChampsActe {
    let v = Vue::new(s, erreurs, None);
    let mut f = ChampsActe::default();
    let date = |libelle: &str, aide: &str| Some(v.champ("date", libelle).avec_aide(aide));
    match etape {
        Etape::Soumission | Etape::Validation => {
            f.observation = Some(v.champ("observation", "Observation (facultative)"));
        }
        Etape::Deliberation => {
            f.date = date(
                "Date de la délibération",
                "Délibération de l'assemblée autorisant la signature, au plus tard à la fin du contrat (R-DOC-05).",
            );
            f.instance = Some(v.choix(
                "instance",
                "Instance délibérante",
                options_simples("Choisir", &Instance::TOUTES.map(|i| (i.code(), i.libelle()))),
            ));
            f.reference = Some(
                v.champ("reference", "Référence de la délibération")
                    .avec_aide("Numéro ou référence, par exemple « DEL-2024-117 »."),
            );
        }
        Etape::Signature => {
            f.date = date(
                "Date de signature",
                "Au plus tôt le jour de la délibération (R-DOC-04, R-DOC-05).",
            );
            for i in 0..LIGNES_SIGNATAIRES {
                let n = |c: &str| format!("signataires[{i}].{c}");
                let mut partie = v.choix(
                    &n("partie"),
                    format!("Partie du signataire {}", i + 1),
                    options_simples("Choisir", &Partie::TOUTES.map(|p| (p.code(), p.libelle()))),
                );
                if partie.c.valeur.is_empty() && s.get(&n("qualite")).is_empty() {
                    partie.c.valeur = match i {
                        0 => "etat",
                        1 => "collectivite",
                        _ => "",
                    }
                    .into();
                }
                f.signataires.push(LigneSignataire {
                    partie,
                    qualite: v.champ(&n("qualite"), format!("Qualité du signataire {}", i + 1)),
                    nom: v.champ(&n("nom"), format!("Nom du signataire {} (facultatif)", i + 1)),
                    organisation: v.champ(&n("organisation"), format!("Institution du signataire {}", i + 1)),
                });
            }
            f.erreur_signataires = erreurs
                .iter()
                .find(|e| e.nom == "signataires")
                .map(|e| e.message.clone());
        }
        Etape::DebutExecution => f.date = date("Date de début d'exécution", ""),
        Etape::Evaluation => {
            f.date = date("Date de l'évaluation", "");
            f.objet = Some(v.champ("objet", "Objet de l'évaluation").avec_aide(
                "Ce qui a été évalué, par exemple l'exécution 2024-2025 (rapport à mi-parcours, R-FIN-07).",
            ));
            f.rapport = Some(
                v.champ("rapport", "Rapport d'évaluation (facultatif)")
                    .avec_aide("Référence ou adresse du rapport."),
            );
        }
        Etape::Cloture => {
            f.date = date("Date de clôture", "");
            f.observation = Some(v.champ("observation", "Observation (facultative)"));
        }
        Etape::Denonciation => {
            f.partie = Some(v.choix(
                "partie",
                "Partie qui dénonce",
                options_simples(
                    "Choisir",
                    &[Partie::Etat, Partie::Collectivite].map(|p| (p.code(), p.libelle())),
                ),
            ));
            f.auteur = Some(
                v.champ("auteur", "Auteur de la dénonciation")
                    .avec_aide("Qualité du signataire de la lettre, par exemple « Préfète de l'Hérault »."),
            );
            f.date_lettre = Some(
                v.champ(
                    "date_lettre",
                    "Date de la lettre recommandée avec accusé de réception",
                )
                .avec_aide("Adressée au préfet (R-DOC-10)."),
            );
            f.preavis = Some(v.champ("preavis_mois", "Préavis en mois").avec_aide(format!(
                "De 0 à {} mois : la dénonciation prend effet à la date de la lettre augmentée du préavis.",
                actes::PREAVIS_MAX_MOIS
            )));
            f.motif = Some(v.champ("motif", "Motif de la dénonciation"));
        }
    }
    f
}

/// A document received with the form, carried by the confirmation page.
#[derive(Debug, Clone)]
pub struct DocumentRecu {
    pub nom: String,
    pub libelle: String,
    pub base64: String,
}

#[derive(Template)]
#[template(path = "acte_formulaire.html")]
pub struct PageActe {
    pub page: Page,
    pub id: i64,
    pub titre: String,
    pub etat: String,
    pub action: String,
    pub version: i64,
    pub bouton: String,
    pub f: ChampsActe,
    pub erreurs: Vec<ErreurChamp>,
    pub refus: Option<String>,
    /// The step asks for its act's document.
    pub document: bool,
    pub erreur_document: Option<String>,
    pub taille_max: &'static str,
    pub types: &'static str,
    /// On the confirmation page: what the act says, label and value.
    pub resume: Vec<(String, String)>,
    /// On the confirmation page: every typed field, carried hidden.
    pub caches: Vec<(String, String)>,
    pub recu: Option<DocumentRecu>,
    /// The confirmation page rather than the form.
    pub confirmation: bool,
}

fn page_acte(
    etat: &Etat,
    c: &ContratStocke,
    etape: Etape,
    s: &Saisie,
    erreurs: Vec<ErreurChamp>,
) -> PageActe {
    let id = c.tampon.id;
    let erreur_document = erreurs
        .iter()
        .find(|e| e.nom == "document")
        .map(|e| e.message.clone());
    PageActe {
        page: page_contrat(etat, bouton(etape), Some(id), Some(&c.contrat.contrat))
            .ariane(bouton(etape), None),
        id,
        titre: format!(
            "{} : contrat de {}",
            bouton(etape),
            c.contrat.contrat.nom_collectivite()
        ),
        etat: c.contrat.contrat.etat.libelle().to_string(),
        action: format!("/contrats/{id}/etapes/{}", etape.code()),
        version: c.tampon.version,
        bouton: bouton(etape),
        f: champs(etape, s, &erreurs),
        erreurs,
        refus: None,
        document: etape.porte_document(),
        erreur_document,
        taille_max: TAILLE_MAX_LIBELLE,
        types: TYPES_ACCEPTES,
        resume: Vec::new(),
        caches: Vec::new(),
        recu: None,
        confirmation: false,
    }
}

/// What an act says, field by field, for the confirmation page.
fn resume(acte: &Acte) -> Vec<(String, String)> {
    let mut r = Vec::new();
    let mut l = |a: &str, b: String| r.push((a.to_string(), b));
    match acte {
        Acte::Soumission { observation } | Acte::Validation { observation } => l(
            "Observation",
            observation.clone().unwrap_or_else(|| "aucune".into()),
        ),
        Acte::Deliberation {
            date,
            instance,
            reference,
        } => {
            l("Date de la délibération", date.to_string());
            l("Instance délibérante", instance.libelle().into());
            l("Référence", reference.clone());
        }
        Acte::Signature { date, signataires } => {
            l("Date de signature", date.to_string());
            for (i, s) in signataires.iter().enumerate() {
                l(
                    &format!("Signataire {}", i + 1),
                    format!(
                        "{} — {}{}{}",
                        s.partie.libelle(),
                        s.qualite,
                        s.nom.as_ref().map(|n| format!(", {n}")).unwrap_or_default(),
                        s.organisation
                            .as_ref()
                            .map(|o| format!(" ({o})"))
                            .unwrap_or_default()
                    ),
                );
            }
        }
        Acte::DebutExecution { date } => l("Date de début d'exécution", date.to_string()),
        Acte::Evaluation { date, objet, rapport } => {
            l("Date de l'évaluation", date.to_string());
            l("Objet", objet.clone());
            l(
                "Rapport",
                rapport.clone().unwrap_or_else(|| "non renseigné".into()),
            );
        }
        Acte::Cloture { date, observation } => {
            l("Date de clôture", date.to_string());
            l(
                "Observation",
                observation.clone().unwrap_or_else(|| "aucune".into()),
            );
        }
        Acte::Denonciation {
            partie,
            auteur,
            date_lettre,
            motif,
            preavis_mois,
            date_effet,
        } => {
            l("Partie qui dénonce", partie.libelle().into());
            l("Auteur", auteur.clone());
            l("Lettre recommandée du", date_lettre.to_string());
            l("Préavis", format!("{preavis_mois} mois"));
            l("Date d'effet (lettre + préavis)", date_effet.to_string());
            l("Motif", motif.clone());
        }
    }
    r
}

/// The contract, for a step: the user may take it (403 otherwise) and the state allows it
/// (409 otherwise).
async fn contrat_pour_etape(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    etape: Etape,
) -> Result<ContratStocke, ErreurWeb> {
    let c = u.contrat_pour(etat, id, Action::Lire).await?;
    u.exiger(etape.action(), &Cible::contrat(&c.contrat))?;
    etat_permis(etape.action(), &c)?;
    Ok(c)
}

pub async fn formulaire_etape(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, etape)): Path<(String, String)>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let etape = lire_etape(&etape)?;
    let c = contrat_pour_etape(&etat, &u, id_contrat(&id)?, etape).await?;
    crate::ui::rendre(&page_acte(&etat, &c, etape, &Saisie::new(Vec::new()), Vec::new()))
}

/// The form's fields and its document (name, bytes) from a multipart body. The document comes
/// either as the file chosen on the form, or carried in base64 by the confirmation page.
async fn lire_envoi(
    mut envoi: Multipart,
) -> Result<(Vec<(String, String)>, Option<(String, Vec<u8>)>), ErreurWeb> {
    let illisible = |e: axum::extract::multipart::MultipartError| {
        ErreurWeb::requete(format!("Le formulaire envoyé n'a pas pu être lu : {e}."))
    };
    let mut champs = Vec::new();
    let mut document = None;
    while let Some(champ) = envoi.next_field().await.map_err(illisible)? {
        let nom = champ.name().unwrap_or_default().to_string();
        if nom == "document" {
            let fichier = champ.file_name().unwrap_or_default().to_string();
            let octets = champ.bytes().await.map_err(illisible)?;
            if !octets.is_empty() || !fichier.is_empty() {
                document = Some((fichier, octets.to_vec()));
            }
        } else {
            let texte = champ.text().await.map_err(illisible)?;
            champs.push((nom, texte));
        }
    }
    if document.is_none() {
        let get = |n: &str| champs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        if let (Some(b), Some(nom)) = (get("document_base64"), get("document_nom"))
            && !b.is_empty()
        {
            let octets = base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|_| ErreurWeb::requete("Le document porté par la page de confirmation est illisible : envoyez-le de nouveau depuis le formulaire."))?;
            document = Some((nom, octets));
        }
    }
    champs.retain(|(k, _)| !matches!(k.as_str(), "document_base64" | "document_nom"));
    Ok((champs, document))
}

pub async fn enregistrer_etape(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, etape)): Path<(String, String)>,
    requete: axum::extract::Request,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let etape = lire_etape(&etape)?;
    let c = contrat_pour_etape(&etat, &u, id_contrat(&id)?, etape).await?;
    let id = c.tampon.id;
    // The body is read once the rights are checked.
    let envoi = <Multipart as axum::extract::FromRequest<()>>::from_request(requete, &())
        .await
        .map_err(|e| ErreurWeb::requete(format!("Le formulaire envoyé n'a pas pu être lu : {e}.")))?;
    let (paires, document) = lire_envoi(envoi).await?;
    let s = Saisie::new(paires.clone());
    let version = crate::contrats::edition::version_saisie(&s)?;
    let aujourdhui = aujourdhui();
    let en_vigueur: Vec<Acte> = etat
        .base
        .actes(id)
        .await?
        .into_iter()
        .filter(|a| a.en_vigueur())
        .map(|a| a.acte)
        .collect();
    let mut erreurs = Vec::new();
    let acte = match lire_acte(etape, &s) {
        Err(e) => {
            erreurs = e;
            None
        }
        Ok(a) => match actes::verifier(&a, &c.contrat.contrat, &en_vigueur, aujourdhui) {
            Err(e) => {
                erreurs = erreurs_de(e);
                None
            }
            Ok(()) => Some(a),
        },
    };
    let mut recu = None;
    if let Some((nom, octets)) = &document {
        match pieces::reconnaitre(octets) {
            Err(m) => erreurs.push(ErreurChamp {
                nom: "document".into(),
                message: format!("Document « {} » refusé : {m}.", pieces::nom_sur(nom)),
            }),
            Ok(t) => {
                recu = Some(DocumentRecu {
                    nom: pieces::nom_sur(nom),
                    libelle: format!("{}, {}", t.libelle(), pieces::taille_lisible(octets.len() as i64)),
                    base64: base64::engine::general_purpose::STANDARD.encode(octets),
                })
            }
        }
    }
    let Some(acte) = acte.filter(|_| erreurs.is_empty()) else {
        let mut p = page_acte(&etat, &c, etape, &s, erreurs);
        p.version = version;
        if document.is_some() && p.erreur_document.is_none() {
            p.erreur_document =
                Some("Par sécurité, le document n'a pas été gardé : choisissez-le de nouveau.".into());
        }
        return rendre_statut(StatusCode::UNPROCESSABLE_ENTITY, &p);
    };
    if s.get("confirmer") != "oui" {
        let mut p = page_acte(&etat, &c, etape, &s, Vec::new());
        p.version = version;
        p.confirmation = true;
        p.resume = resume(&acte);
        p.caches = paires
            .into_iter()
            .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "version" | "confirmer"))
            .collect();
        p.recu = recu;
        return crate::ui::rendre(&p);
    }
    let nom_document = document.as_ref().map(|(n, _)| n.clone()).unwrap_or_default();
    let pieces_jointes: Vec<NouvellePiece> = document
        .as_ref()
        .map(|(_, octets)| NouvellePiece {
            contrat_id: id,
            fiche_id: None,
            acte_id: None,
            nom: &nom_document,
            contenu: octets,
        })
        .into_iter()
        .collect();
    // The signed convention attached to the signature records, in the same transaction, the
    // version of the data it signs and their verification code.
    let ecrit = etat
        .base
        .enregistrer_acte_signe(
            id,
            version,
            &acte,
            &pieces_jointes,
            &u.acteur(),
            garde_acte(acte.clone(), aujourdhui),
            crate::documents::code_contrat,
        )
        .await;
    match ecrit {
        Ok(_) => Ok(Redirect::to(&format!("/contrats/{id}?etape={}", etape.code())).into_response()),
        Err(ErreurStore::Refus(r)) => {
            let mut p = page_acte(&etat, &c, etape, &s, Vec::new());
            p.refus = Some(r.message);
            rendre_statut(StatusCode::CONFLICT, &p)
        }
        Err(e) => erreur_ecriture(
            &etat,
            e,
            format!("/contrats/{id}/etapes/{}", etape.code()),
            format!("/contrats/{id}"),
        ),
    }
}

/// Whether `u` may undo `acte`: the step's permission on the contract as it was before it.
pub(crate) fn peut_annuler(
    u_peut: impl Fn(Action, &Cible) -> bool,
    c: &Contrat,
    a: &pacte_store::ActeStocke,
) -> bool {
    let cible = Cible::Contrat {
        collectivite: c.contrat.collectivite.clone(),
        etat: a.etat_avant,
    };
    a.en_vigueur()
        && c.contrat.etat == a.acte.etape().vers()
        && u_peut(a.acte.etape().action(), &cible)
        && droits::etat_apres(a.acte.etape().action(), a.etat_avant).is_ok()
}

/// Whether `u` may take some lifecycle step on contract `c` (whatever its state): who may
/// undo a step is among them.
pub fn prend_des_etapes(u: &Utilisateur, c: &Contrat) -> bool {
    Etape::TOUTES.iter().any(|e| {
        pacte_core::contrat::EtatContrat::TOUS.iter().any(|etat| {
            u.peut(
                e.action(),
                &Cible::Contrat {
                    collectivite: c.contrat.collectivite.clone(),
                    etat: *etat,
                },
            )
        })
    })
}

pub async fn annuler_etape(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    axum::Form(champs): crate::contrats::edition::Champs,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let c = u.contrat_pour(&etat, id_contrat(&id)?, Action::Lire).await?;
    let id = c.tampon.id;
    if !prend_des_etapes(&u, &c.contrat) {
        return Err(ErreurWeb::interdit(
            "Votre habilitation ne permet pas de franchir ni d'annuler les étapes de ce contrat.",
        ));
    }
    let s = Saisie::new(champs);
    let version = crate::contrats::edition::version_saisie(&s)?;
    let actes = etat.base.actes(id).await?;
    let acte_id = s.get("acte").trim().parse::<i64>().ok();
    let Some(a) = actes.iter().find(|a| Some(a.id) == acte_id) else {
        return Err(ErreurWeb::invalide(
            format!(
                "Le formulaire ne désigne aucun acte du contrat n° {id} : rechargez la page du contrat ; rien n'a été écrit."
            ),
            Some("acte".into()),
        ));
    };
    let acte_id = a.id;
    // Rights first: the role that may take the step may undo it.
    u.exiger(
        a.acte.etape().action(),
        &Cible::Contrat {
            collectivite: c.contrat.contrat.collectivite.clone(),
            etat: a.etat_avant,
        },
    )?;
    let ecrit = etat
        .base
        .annuler_acte(id, acte_id, version, &u.acteur(), |a, avant, actuel| {
            Ok(actes::defaire(&a.acte, avant, actuel))
        })
        .await;
    match ecrit {
        Ok(_) => Ok(Redirect::to(&format!("/contrats/{id}?etape=annulee")).into_response()),
        Err(ErreurStore::Refus(r)) => Err(ErreurWeb {
            statut: StatusCode::CONFLICT,
            code: "conflit",
            message: r.message,
            champ: None,
        }),
        Err(e) => erreur_ecriture(&etat, e, format!("/contrats/{id}"), format!("/contrats/{id}")),
    }
}

/// The success message of the contract page after a step (`?etape=deliberation`) or an undo
/// (`?etape=annulee`).
pub fn message_etape(requete: Option<&str>) -> Option<String> {
    let code = requete?.split('&').find_map(|p| p.strip_prefix("etape="))?;
    if code == "document" {
        return Some("Document joint au contrat : il figure dans la liste des documents.".into());
    }
    if code == "annulee" {
        return Some("Étape annulée : le contrat est revenu à l'étape précédente. L'annulation est inscrite au journal d'audit.".into());
    }
    let etape = Etape::depuis_code(code)?;
    let mut l = etape.libelle().to_string();
    if let Some(p) = l.get_mut(..1) {
        p.make_ascii_uppercase();
    }
    Some(
        format!(
            "{l} est enregistrée : le contrat est désormais « {} ».",
            etape.vers().libelle()
        )
        .replace(
            "Le début d'exécution est enregistrée",
            "Le début d'exécution est enregistré",
        ),
    )
}

/// The acts of a contract as the page lists them.
#[derive(Debug, Clone)]
pub struct ActeVue {
    pub id: i64,
    pub etape: String,
    pub resume: String,
    pub par: String,
    pub le: String,
    pub annule: Option<String>,
    pub pieces: Vec<crate::pieces::PieceVue>,
    /// The user may undo it now.
    pub annulable: bool,
}

pub(crate) async fn actes_vus(
    etat: &Etat,
    u: &Utilisateur,
    c: &ContratStocke,
) -> Result<(Vec<ActeVue>, Vec<crate::pieces::PieceVue>), ErreurWeb> {
    let id = c.tampon.id;
    let stockes = etat.base.actes(id).await?;
    let toutes = crate::pieces::pieces_vues(etat, id).await?;
    let vus = stockes
        .iter()
        .rev()
        .map(|a| {
            let mut etape = bouton(a.acte.etape()).replacen("Enregistrer ", "", 1);
            if let Some(p) = etape.get_mut(..1) {
                p.make_ascii_uppercase();
            }
            ActeVue {
                id: a.id,
                etape,
                resume: a.acte.resume(),
                par: crate::comptes::auteur_lisible(&a.cree_par),
                le: crate::contrats::edition::horodatage(&a.cree_le),
                annule: a.annule_le.as_ref().map(|le| {
                    format!(
                        "Annulé par {} {}",
                        crate::comptes::auteur_lisible(a.annule_par.as_deref().unwrap_or("")),
                        crate::contrats::edition::horodatage(le)
                    )
                }),
                pieces: toutes
                    .iter()
                    .filter(|p| p.acte_id == Some(a.id))
                    .cloned()
                    .collect(),
                annulable: peut_annuler(|ac, ci| u.peut(ac, ci), &c.contrat, a),
            }
        })
        .collect();
    let autres = toutes.into_iter().filter(|p| p.acte_id.is_none()).collect();
    Ok((vus, autres))
}

// ---------------------------------------------------------------------------------------------
// API: `GET /api/v1/contrats/{id}/actes`, `POST /api/v1/contrats/{id}/actes`

/// An act as the API gives it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActeApi {
    pub id: i64,
    pub acte: Acte,
    /// The contract's state before the act (`valide`).
    pub etat_avant: &'static str,
    pub cree_par: String,
    pub cree_le: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annule_par: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annule_le: Option<String>,
    /// Ids of the documents of the act.
    pub pieces: Vec<i64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ListeActes {
    pub actes: Vec<ActeApi>,
}

fn acte_api(a: pacte_store::ActeStocke, pieces: &[pacte_store::Piece]) -> ActeApi {
    ActeApi {
        id: a.id,
        pieces: pieces
            .iter()
            .filter(|p| p.acte_id == Some(a.id))
            .map(|p| p.id)
            .collect(),
        acte: a.acte,
        etat_avant: a.etat_avant.code(),
        cree_par: a.cree_par,
        cree_le: a.cree_le,
        annule_par: a.annule_par,
        annule_le: a.annule_le,
    }
}

async fn actes_api(etat: &Etat, id: i64) -> Result<Vec<ActeApi>, ErreurWeb> {
    let pieces = etat.base.pieces(id).await?;
    Ok(etat
        .base
        .actes(id)
        .await?
        .into_iter()
        .map(|a| acte_api(a, &pieces))
        .collect())
}

pub(crate) async fn api_lister_actes(
    State(etat): State<Etat>,
    crate::comptes::ClientApi(u): crate::comptes::ClientApi,
    c: crate::api::corps::CheminContrat,
) -> Result<Response, crate::ErreurApi> {
    u.contrat_pour(&etat, c.id, Action::Lire).await?;
    Ok(axum::Json(ListeActes {
        actes: actes_api(&etat, c.id).await?,
    })
    .into_response())
}

/// Records a step by its act, as JSON, or as `multipart/form-data` with its document (the part
/// `document`): as on the step's form, the signed convention sent with a signature records, in
/// the act's transaction, the version of the data it signs. The act is validated as on the
/// form; `If-Match` carries the contract's version.
pub(crate) async fn api_creer_acte(
    State(etat): State<Etat>,
    crate::comptes::ClientApi(u): crate::comptes::ClientApi,
    c: crate::api::corps::CheminContrat,
    crate::api::corps::VersionLue(version): crate::api::corps::VersionLue,
    corps: crate::api::corps::CorpsAvecDocument<Acte>,
) -> Result<Response, crate::ErreurApi> {
    let acte = corps.valeur;
    let etape = acte.etape();
    let stocke = contrat_pour_etape(&etat, &u, c.id, etape).await?;
    let aujourdhui = aujourdhui();
    let en_vigueur: Vec<Acte> = etat
        .base
        .actes(c.id)
        .await?
        .into_iter()
        .filter(|a| a.en_vigueur())
        .map(|a| a.acte)
        .collect();
    if let Err(e) = actes::verifier(&acte, &stocke.contrat.contrat, &en_vigueur, aujourdhui) {
        let premiere = &e[0];
        return Err(crate::ErreurApi(ErreurWeb {
            statut: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalide",
            message: e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(" ; "),
            champ: Some(premiere.champ.clone()),
        }));
    }
    if let Some((nom, octets)) = &corps.document
        && let Err(m) = pieces::reconnaitre(octets)
    {
        return Err(crate::ErreurApi(ErreurWeb::invalide(
            format!("Document « {} » refusé : {m}.", pieces::nom_sur(nom)),
            Some("document".into()),
        )));
    }
    // The store makes the name safe (`pieces::nom_sur`) as it writes it.
    let pieces_jointes: Vec<NouvellePiece> = corps
        .document
        .as_ref()
        .map(|(nom, octets)| NouvellePiece {
            contrat_id: c.id,
            fiche_id: None,
            acte_id: None,
            nom,
            contenu: octets,
        })
        .into_iter()
        .collect();
    let (acte_id, _) = etat
        .base
        .enregistrer_acte_signe(
            c.id,
            version,
            &acte,
            &pieces_jointes,
            &u.acteur(),
            garde_acte(acte.clone(), aujourdhui),
            crate::documents::code_contrat,
        )
        .await?;
    let cree = actes_api(&etat, c.id)
        .await?
        .into_iter()
        .find(|a| a.id == acte_id)
        .ok_or_else(|| ErreurWeb::interne("acte enregistré introuvable"))?;
    let mut r = (StatusCode::CREATED, axum::Json(cree)).into_response();
    if let Ok(v) =
        axum::http::HeaderValue::from_str(&format!("{}/actes", crate::api::reponses::url_contrat(c.id)))
    {
        r.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(r)
}
