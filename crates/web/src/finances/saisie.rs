//! The entry forms of the « Finances » page. The State services (`Action::EnregistrerFinancesEtat`:
//! DDETS, commissaire) record the notified amounts (per axis and year, per fiche and year),
//! payments, avenants with their signed document, carry-overs decided in the management
//! dialogue (confirming the collectivity's proposals) and the decisions on proposed
//! reductions; the collectivity's editor (`Action::DeclarerRealisations`) declares realised
//! amounts and justifies a proposed reduction.
//!
//! Each form is read at the edge (French error naming the field), checked in the core
//! (`pacte_core::execution::saisie`, naming the rule), then written through
//! `Base::enregistrer_execution` with the version the page was loaded with — the core check
//! runs again inside the write, on the execution as stored. A refused or concurrent
//! submission shows the page again with what was typed and the message (422 or 409).

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::droits::Action;
use pacte_core::execution::saisie::{self as regles, ErreurSaisie};
use pacte_core::execution::{
    Avenant, DecisionReduction, Execution, LigneAvenant, NotificationAxe, NotificationFiche, Realisation,
    Report, Versement,
};
use pacte_core::{Annee, Contrat, Date, Montant, NumeroFiche};
use pacte_store::Refus;
use pacte_store::pieces::NouvellePiece;

use super::formulaires::{LIGNES_AVENANT, Saisie};
use crate::contrats::edition::{etat_permis, id_contrat};
use crate::{ErreurWeb, Etat, Utilisateur};

/// Longest text accepted in a payment's short fields (the document's own bound is the same).
const TEXTE_MAX: usize = 200;

pub(super) struct Champs(pub Vec<(String, String)>);

fn invalide(nom: &str, message: String) -> ErreurWeb {
    ErreurWeb::invalide(message, Some(nom.into()))
}

impl Champs {
    fn texte(&self, nom: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == nom)
            .map(|(_, v)| v.trim())
            .unwrap_or_default()
    }

    fn montant(&self, nom: &str, libelle: &str) -> Result<Montant, ErreurWeb> {
        let t = self.texte(nom);
        if t.is_empty() {
            return Ok(Montant::ZERO);
        }
        Montant::parse(t).map_err(|e| {
            invalide(
                nom,
                format!("{libelle} : « {t} » n'est pas un montant en euros ({e})."),
            )
        })
    }

    fn montant_requis(&self, nom: &str, libelle: &str) -> Result<Montant, ErreurWeb> {
        if self.texte(nom).is_empty() {
            return Err(invalide(nom, format!("{libelle} : champ obligatoire.")));
        }
        self.montant(nom, libelle)
    }

    fn annee(&self) -> Result<Annee, ErreurWeb> {
        let t = self.texte("annee");
        t.parse::<i64>()
            .map_err(|_| format!("« {t} » n'est pas une année"))
            .and_then(Annee::new)
            .map_err(|m| invalide("annee", format!("Année : {m}.")))
    }

    fn date(&self, nom: &str, libelle: &str) -> Result<Option<Date>, ErreurWeb> {
        match self.texte(nom) {
            "" => Ok(None),
            t => Date::parse(t)
                .map(Some)
                .map_err(|m| invalide(nom, format!("{libelle} : {m}."))),
        }
    }

    fn date_requise(&self, nom: &str, libelle: &str) -> Result<Date, ErreurWeb> {
        self.date(nom, libelle)?
            .ok_or_else(|| invalide(nom, format!("{libelle} : champ obligatoire.")))
    }

    fn fiche(&self, nom: &str) -> Result<NumeroFiche, ErreurWeb> {
        let t = self.texte(nom);
        NumeroFiche::parse(t).map_err(|_| {
            invalide(
                nom,
                format!("Fiche : « {t} » n'est pas un numéro de fiche (1.2)."),
            )
        })
    }

    fn version(&self) -> Result<i64, ErreurWeb> {
        self.texte("version")
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 0)
            .ok_or_else(|| {
                ErreurWeb::requete("Version de l'exécution illisible : rechargez la page « Finances ».")
            })
    }

    fn court(&self, nom: &str, libelle: &str) -> Result<String, ErreurWeb> {
        let t = self.texte(nom);
        if t.chars().count() > TEXTE_MAX {
            return Err(invalide(
                nom,
                format!("{libelle} : {TEXTE_MAX} caractères au plus."),
            ));
        }
        Ok(t.to_string())
    }
}

async fn contrat_pour(etat: &Etat, u: &Utilisateur, id: &str, action: Action) -> Result<i64, ErreurWeb> {
    let id = id_contrat(id)?;
    let c = u.contrat_pour(etat, id, action).await?;
    etat_permis(action, &c)?;
    Ok(id)
}

/// Writes through the store with the core's check `f` as the guard: a refusal of the core is
/// a 422 naming the field and the rule, a stale version a 409.
async fn ecrire(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    version: i64,
    piece: Option<&NouvellePiece<'_>>,
    f: impl FnOnce(&Contrat, &Execution, Option<i64>) -> Result<Execution, ErreurSaisie> + Send,
) -> Result<(), ErreurWeb> {
    let mut refusee: Option<ErreurSaisie> = None;
    let r = etat
        .base
        .enregistrer_execution_avec_piece(id, version, &u.acteur(), piece, |c, e, p| {
            f(c, e, p).map_err(|x| {
                let m = x.message.clone();
                refusee = Some(x);
                Refus::new(m)
            })
        })
        .await;
    let avec_piece = piece.is_some();
    match (r, refusee) {
        (Ok(_), _) => Ok(()),
        (Err(_), Some(x)) => Err(ErreurWeb::invalide(format!("{}.", x.message), Some(x.champ))),
        (Err(pacte_store::ErreurStore::Invalide(m)), None) if avec_piece => Err(ErreurWeb::invalide(
            format!(
                "Avenant signé refusé, rien n'a été enregistré : {}.",
                m.trim_start_matches("pièce jointe : ")
            ),
            Some("document".into()),
        )),
        (Err(e), None) => Err(e.into()),
    }
}

/// After a submission: back to the page (at the form's section), or the page again with what
/// was typed and the message when the entry is refused or concurrent.
async fn conclure(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    formulaire: String,
    champs: Champs,
    r: Result<(), ErreurWeb>,
) -> Result<Response, ErreurWeb> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/contrats/{id}/finances#{formulaire}")).into_response()),
        Err(e)
            if matches!(
                e.statut,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::BAD_REQUEST
            ) =>
        {
            let champs = champs
                .0
                .into_iter()
                .filter(|(k, _)| k != "csrf" && k != "version")
                .collect();
            super::rendre_page(
                etat,
                u,
                id,
                Some(Saisie {
                    formulaire,
                    champs,
                    erreur: e,
                }),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

macro_rules! formulaire {
    ($nom:ident, $action:expr, $cle:expr, $traiter:ident) => {
        pub async fn $nom(
            State(etat): State<Etat>,
            u: Utilisateur,
            Path(id): Path<String>,
            axum::Form(champs): axum::Form<Vec<(String, String)>>,
        ) -> Result<Response, ErreurWeb> {
            let etat = etat.pour(&u);
            let id = contrat_pour(&etat, &u, &id, $action).await?;
            let c = Champs(champs);
            let cle: String = $cle(&c);
            let r = $traiter(&etat, &u, id, &c).await;
            conclure(&etat, &u, id, cle, c, r).await
        }
    };
}

fn cle(nom: &'static str) -> impl Fn(&Champs) -> String {
    move |_| nom.to_string()
}

/// The key of a per-item form (a reduction, a proposed carry-over): `nom-fiche-annee`.
fn cle_ligne(nom: &'static str) -> impl Fn(&Champs) -> String {
    move |c| format!("{nom}-{}-{}", c.texte("fiche"), c.texte("annee"))
}

formulaire!(
    versement,
    Action::EnregistrerFinancesEtat,
    cle("versement"),
    traiter_versement
);
formulaire!(
    realisation,
    Action::DeclarerRealisations,
    cle("realisation"),
    traiter_realisation
);
formulaire!(
    notification_axe,
    Action::EnregistrerFinancesEtat,
    cle("notification-axe"),
    traiter_notification_axe
);
formulaire!(
    notification_fiche,
    Action::EnregistrerFinancesEtat,
    cle("notification-fiche"),
    traiter_notification_fiche
);
formulaire!(
    report,
    Action::EnregistrerFinancesEtat,
    |c: &Champs| cle_report(c),
    traiter_report
);
formulaire!(
    decision_reduction,
    Action::EnregistrerFinancesEtat,
    cle_ligne("decision"),
    traiter_decision
);
formulaire!(
    justification_reduction,
    Action::DeclarerRealisations,
    cle_ligne("justification"),
    traiter_justification
);

/// The carry-over form, or the confirmation of one proposal.
fn cle_report(c: &Champs) -> String {
    if c.texte("proposition").is_empty() {
        "report".into()
    } else {
        cle_ligne("confirmation")(c)
    }
}

async fn traiter_versement(etat: &Etat, u: &Utilisateur, id: i64, c: &Champs) -> Result<(), ErreurWeb> {
    let version = c.version()?;
    let programme = c.texte("programme");
    let v = Versement {
        annee: c.annee()?,
        date: c.date_requise("date", "Date du versement")?,
        montant: c.montant("montant", "Montant versé")?,
        programme: programme.parse().map_err(|_| {
            invalide(
                "programme",
                format!(
                    "Programme : la dépense est imputée sur le programme 304 « Inclusion sociale et protection des personnes », pas « {programme} » (R-FIN-10)."
                ),
            )
        })?,
        code_chorus: c.court("code_chorus", "Code Chorus")?,
        libelle_chorus: c.court("libelle_chorus", "Libellé Chorus")?,
        iban: c.court("iban", "Coordonnées bancaires (IBAN)")?,
        ordonnateur: c.court("ordonnateur", "Ordonnateur")?,
        comptable: c.court("comptable", "Comptable assignataire")?,
    };
    // Checked here for the message, and again on the stored execution.
    regles::enregistrer_versement(&Execution::default(), v.clone())
        .map_err(|x| invalide(&x.champ, format!("{}.", x.message.trim_end_matches('.'))))?;
    ecrire(etat, u, id, version, None, move |_, e, _| {
        regles::enregistrer_versement(e, v)
    })
    .await
}

async fn traiter_realisation(etat: &Etat, u: &Utilisateur, id: i64, c: &Champs) -> Result<(), ErreurWeb> {
    let version = c.version()?;
    let r = Realisation {
        annee: c.annee()?,
        fiche: c.fiche("fiche")?,
        etat: c.montant("etat", "Crédits État consommés")?,
        collectivite: c.montant("collectivite", "Crédits de la collectivité consommés")?,
        autres: c.montant("autres", "Autres financements consommés")?,
    };
    ecrire(etat, u, id, version, None, move |k, e, _| {
        regles::declarer_realisation(k, e, r)
    })
    .await
}

async fn traiter_notification_axe(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    c: &Champs,
) -> Result<(), ErreurWeb> {
    let version = c.version()?;
    let t = c.texte("axe");
    let axe = regles::axe_depuis_numero(t)
        .ok_or_else(|| invalide("axe", format!("Axe : « {t} » n'est pas un axe du Pacte (1 à 4).")))?;
    let n = NotificationAxe {
        axe,
        annee: c.annee()?,
        etat: c.montant_requis("montant", "Participation de l'État notifiée")?,
    };
    ecrire(etat, u, id, version, None, move |k, e, _| {
        regles::notifier_axe(k, e, n)
    })
    .await
}

async fn traiter_notification_fiche(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    c: &Champs,
) -> Result<(), ErreurWeb> {
    let version = c.version()?;
    let n = NotificationFiche {
        fiche: c.fiche("fiche")?,
        annee: c.annee()?,
        etat: c.montant_requis("montant", "Participation de l'État notifiée")?,
    };
    ecrire(etat, u, id, version, None, move |k, e, _| {
        regles::notifier_fiche(k, e, n)
    })
    .await
}

async fn traiter_report(etat: &Etat, u: &Utilisateur, id: i64, c: &Champs) -> Result<(), ErreurWeb> {
    let version = c.version()?;
    let r = Report {
        fiche: c.fiche("fiche")?,
        annee: c.annee()?,
        etat: c.montant("etat", "Report de la part État")?,
        collectivite: c.montant("collectivite", "Report de la part collectivité")?,
        date: c.date("date", "Date de la décision")?,
        proposition: false,
    };
    ecrire(etat, u, id, version, None, move |k, e, _| {
        regles::enregistrer_report(k, e, r)
    })
    .await
}

async fn traiter_decision(etat: &Etat, u: &Utilisateur, id: i64, c: &Champs) -> Result<(), ErreurWeb> {
    let version = c.version()?;
    let (fiche, annee) = (c.fiche("fiche")?, c.annee()?);
    let d = DecisionReduction {
        montant: c.montant_requis("montant", "Réduction décidée")?,
        date: c.date_requise("date", "Date de la décision")?,
    };
    ecrire(etat, u, id, version, None, move |k, e, _| {
        regles::decider_reduction(k, e, fiche, annee, d)
    })
    .await
}

async fn traiter_justification(etat: &Etat, u: &Utilisateur, id: i64, c: &Champs) -> Result<(), ErreurWeb> {
    let version = c.version()?;
    let (fiche, annee) = (c.fiche("fiche")?, c.annee()?);
    let texte = c.texte("justification").to_string();
    ecrire(etat, u, id, version, None, move |k, e, _| {
        regles::justifier_reduction(k, e, fiche, annee, &texte)
    })
    .await
}

/// The avenant read from its form (fiche rows with an empty number are skipped).
fn lire_avenant(c: &Champs) -> Result<Avenant, ErreurWeb> {
    let mut lignes = Vec::new();
    for i in 0..LIGNES_AVENANT {
        let nom = |x: &str| format!("lignes[{i}].{x}");
        if c.texte(&nom("fiche")).is_empty() {
            continue;
        }
        let collectivite = match c.texte(&nom("collectivite")) {
            "" => None,
            _ => Some(c.montant(&nom("collectivite"), "Participation de la collectivité")?),
        };
        let motif = c.texte(&nom("motif"));
        if let Some(m) = pacte_core::contrat::refus_longueur(motif, pacte_core::contrat::TEXTE_LONG_MAX) {
            return Err(invalide(&nom("motif"), format!("Motif : {m}.")));
        }
        let intitule = c.court(&nom("intitule"), "Intitulé")?;
        lignes.push(LigneAvenant {
            fiche: c.fiche(&nom("fiche"))?,
            ajoutee: !c.texte(&nom("ajoutee")).is_empty(),
            intitule: (!intitule.is_empty()).then_some(intitule),
            etat: c.montant_requis(&nom("etat"), "Participation État")?,
            collectivite,
            motif: motif.to_string(),
        });
    }
    Ok(Avenant {
        annee: c.annee()?,
        date: c.date("date", "Date de l'avenant")?,
        accord_etat: c.date("accord_etat", "Date de l'accord exprès de l'État")?,
        accord_collectivite: c.date(
            "accord_collectivite",
            "Date de l'accord exprès de la collectivité",
        )?,
        lignes,
        piece: None,
    })
}

/// `POST /contrats/{id}/finances/avenant` (multipart: the fields and the signed `document`):
/// the avenant and its document in one audited write.
pub async fn avenant(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
    requete: axum::extract::Request,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = contrat_pour(&etat, &u, &id, Action::EnregistrerFinancesEtat).await?;
    // The body is read once the rights are checked.
    let illisible = |e: axum::extract::multipart::MultipartError| {
        ErreurWeb::requete(format!("L'envoi de l'avenant n'a pas pu être lu : {e}."))
    };
    let mut envoi = <Multipart as axum::extract::FromRequest<()>>::from_request(requete, &())
        .await
        .map_err(|e| ErreurWeb::requete(format!("L'envoi de l'avenant n'a pas pu être lu : {e}.")))?;
    let (mut champs, mut document) = (Vec::new(), None);
    while let Some(champ) = envoi.next_field().await.map_err(illisible)? {
        let nom = champ.name().unwrap_or_default().to_string();
        if nom == "document" {
            let fichier = champ.file_name().unwrap_or_default().to_string();
            let octets = champ.bytes().await.map_err(illisible)?.to_vec();
            if !octets.is_empty() {
                document = Some((fichier, octets));
            }
        } else if champs.len() < 200 {
            champs.push((nom, champ.text().await.map_err(illisible)?));
        }
    }
    let c = Champs(champs);
    let r = async {
        let version = c.version()?;
        let a = lire_avenant(&c)?;
        // Checked first on the execution as read, so that the fields are named before the
        // document is asked for; checked again inside the write.
        let contrat = etat.base.contrat(id).await?.contrat;
        let lue = etat.base.execution(id).await?.execution;
        regles::enregistrer_avenant(&contrat, &lue, a.clone())
            .map_err(|x| invalide(&x.champ, format!("{}.", x.message)))?;
        let Some((nom, octets)) = &document else {
            return Err(invalide(
                "document",
                "Avenant signé : joignez le document signé (R-FIN-09).".into(),
            ));
        };
        let piece = NouvellePiece {
            contrat_id: id,
            fiche_id: None,
            acte_id: None,
            nom,
            contenu: octets,
        };
        ecrire(&etat, &u, id, version, Some(&piece), move |k, e, p| {
            regles::enregistrer_avenant(k, e, Avenant { piece: p, ..a })
        })
        .await
    }
    .await;
    conclure(&etat, &u, id, "avenant".into(), c, r).await
}
