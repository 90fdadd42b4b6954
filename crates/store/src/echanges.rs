//! Exchanges on a contract (migration 0009): the threads of messages of a contract and of its
//! fiches, the State's correction requests and their states, and each account's read marks.
//!
//! Messages and correction requests are written through [`Ecriture`] and audited (entities
//! `message` and `demande_correction`); each write re-reads inside its transaction what it
//! depends on (the contract exists, the fiche exists, the request's version and state). Who may
//! write is decided by the caller (`pacte_core::echanges::decider_echange`); the texts' bounds
//! and the request's transitions are checked here with core's functions, so no caller can
//! store an empty or oversized text or skip a state. Read marks are personal derived data
//! (like sessions): written directly, not audited, not backed up.

use pacte_core::echanges::{self, ActionEchange, EtatDemande};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::ecriture::Ecriture;
use crate::erreur::{ErreurStore, Resultat};
use crate::{Base, Tampon, document};

/// Audit entity of messages.
pub const ENTITE_MESSAGE: &str = "message";
/// Audit entity of correction requests.
pub const ENTITE_DEMANDE: &str = "demande_correction";

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: i64,
    pub contrat_id: i64,
    /// The fiche's number (« 1.2 »), `None` in the contract's own thread.
    pub fiche: Option<String>,
    /// The correction request the message opens, answers or resolves.
    pub demande_id: Option<i64>,
    /// The audit actor who wrote it.
    pub auteur: String,
    pub compte_id: Option<i64>,
    /// The author's role code when writing.
    pub role: String,
    pub texte: String,
    /// The attached document (table `pieces`), if any.
    pub piece_id: Option<i64>,
    pub cree_le: String,
}

/// A stored correction request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemandeCorrection {
    pub tampon: Tampon,
    pub contrat_id: i64,
    pub fiche: Option<String>,
    pub champ: Option<String>,
    pub texte: String,
    pub etat: EtatDemande,
    pub cree_par: String,
    pub cree_le: String,
}

/// Who writes, as the thread shows it: the account behind the actor and the role it acts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auteur {
    pub compte_id: Option<i64>,
    pub role: String,
}

/// Where a message or a request goes: a contract, and optionally one of its fiches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fil {
    pub contrat_id: i64,
    pub fiche: Option<String>,
}

/// The audited view of a request.
#[derive(Serialize)]
struct VueDemande<'a> {
    contrat_id: i64,
    fiche: Option<&'a str>,
    champ: Option<&'a str>,
    texte: &'a str,
    etat: &'a str,
}

/// The audited view of a message.
#[derive(Serialize)]
struct VueMessage<'a> {
    contrat_id: i64,
    fiche: Option<&'a str>,
    demande_id: Option<i64>,
    role: &'a str,
    texte: &'a str,
    piece_id: Option<i64>,
}

/// Unread messages and open requests of one contract, for a dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EtatEchanges {
    pub contrat_id: i64,
    pub non_lus: i64,
    /// Requests not resolved yet (open or answered).
    pub demandes_en_cours: i64,
}

fn invalide(m: String) -> ErreurStore {
    ErreurStore::Invalide(m)
}

impl Base {
    /// The messages of a thread, oldest first: the contract's own (`fil.fiche` `None`) or one
    /// fiche's.
    pub async fn messages(&self, fil: &Fil) -> Resultat<Vec<Message>> {
        let lignes = match &fil.fiche {
            None => {
                sqlx::query(&format!(
                    "{SELECT_MESSAGE} WHERE contrat_id = $1 AND fiche IS NULL ORDER BY id"
                ))
                .bind(fil.contrat_id)
                .fetch_all(self.pool())
                .await?
            }
            Some(f) => {
                sqlx::query(&format!(
                    "{SELECT_MESSAGE} WHERE contrat_id = $1 AND fiche = $2 ORDER BY id"
                ))
                .bind(fil.contrat_id)
                .bind(f.as_str())
                .fetch_all(self.pool())
                .await?
            }
        };
        lignes.iter().map(lire_message).collect()
    }

    /// Every correction request of a contract (its fiches' included), newest first.
    pub async fn demandes_correction(&self, contrat_id: i64) -> Resultat<Vec<DemandeCorrection>> {
        let lignes = sqlx::query(&format!(
            "{SELECT_DEMANDE} WHERE contrat_id = $1 ORDER BY id DESC"
        ))
        .bind(contrat_id)
        .fetch_all(self.pool())
        .await?;
        lignes.iter().map(lire_demande).collect()
    }

    /// One correction request.
    pub async fn demande_correction(&self, id: i64) -> Resultat<DemandeCorrection> {
        let r = sqlx::query(&format!("{SELECT_DEMANDE} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| demande_introuvable(id))?;
        lire_demande(&r)
    }

    /// Writes a message in a thread (audited). The text is trimmed and bounded
    /// ([`echanges::lire_texte`]); the contract and the fiche must exist at the write.
    pub async fn ecrire_message(
        &self,
        fil: &Fil,
        auteur: &Auteur,
        texte: &str,
        piece_id: Option<i64>,
        acteur: &str,
    ) -> Resultat<Message> {
        let texte = echanges::lire_texte("Message", texte).map_err(invalide)?;
        let mut e = self.ecriture(acteur).await?;
        verifier_fil(&mut e, fil).await?;
        let m = inserer_message(&mut e, fil, None, auteur, &texte, piece_id).await?;
        e.conclure().await?;
        Ok(m)
    }

    /// Writes a message with an attached document (`pieces`, type checked by content), the
    /// document and the message in one audited write: a refused document writes nothing.
    pub async fn ecrire_message_joint(
        &self,
        fil: &Fil,
        auteur: &Auteur,
        texte: &str,
        piece: &crate::pieces::NouvellePiece<'_>,
        acteur: &str,
    ) -> Resultat<Message> {
        let texte = echanges::lire_texte("Message", texte).map_err(invalide)?;
        let mut e = self.ecriture(acteur).await?;
        verifier_fil(&mut e, fil).await?;
        let piece_id = crate::pieces::inserer(&mut e, piece).await?;
        let m = inserer_message(&mut e, fil, None, auteur, &texte, Some(piece_id)).await?;
        e.conclure().await?;
        Ok(m)
    }

    /// Requests a correction on a contract, a fiche or one of its fields (audited): the request,
    /// open, and its text as the first message of the thread, in one write.
    pub async fn demander_correction(
        &self,
        fil: &Fil,
        champ: Option<&str>,
        auteur: &Auteur,
        texte: &str,
        acteur: &str,
    ) -> Resultat<DemandeCorrection> {
        let texte = echanges::lire_texte("Demande de correction", texte).map_err(invalide)?;
        let champ = match champ {
            Some(c) => echanges::lire_champ(c).map_err(invalide)?,
            None => None,
        };
        let mut e = self.ecriture(acteur).await?;
        verifier_fil(&mut e, fil).await?;
        let etat = EtatDemande::Ouverte;
        let vue = document(
            &VueDemande {
                contrat_id: fil.contrat_id,
                fiche: fil.fiche.as_deref(),
                champ: champ.as_deref(),
                texte: &texte,
                etat: etat.code(),
            },
            "la demande de correction",
        )?;
        let (acteur, maintenant) = (e.acteur().to_string(), e.maintenant().to_string());
        let id: i64 = sqlx::query(
            "INSERT INTO demandes_correction (contrat_id, fiche, champ, texte, etat, version, cree_par, cree_le, modifie_par, modifie_le) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $6, $7) RETURNING id",
        )
        .bind(fil.contrat_id)
        .bind(fil.fiche.clone())
        .bind(champ.clone())
        .bind(&texte)
        .bind(etat.code())
        .bind(&acteur)
        .bind(&maintenant)
        .fetch_one(e.conn())
        .await?
        .try_get("id")?;
        e.consigner(ENTITE_DEMANDE, &id.to_string(), "creation", None, Some(&vue))
            .await?;
        inserer_message(&mut e, fil, Some(id), auteur, &texte, None).await?;
        let d = DemandeCorrection {
            tampon: e.tampon(id, 1),
            contrat_id: fil.contrat_id,
            fiche: fil.fiche.clone(),
            champ,
            texte,
            etat,
            cree_par: acteur,
            cree_le: maintenant,
        };
        e.conclure().await?;
        Ok(d)
    }

    /// Answers (`ActionEchange::Repondre`) or resolves (`ActionEchange::Resoudre`) request `id`
    /// if `version` is still its stored one and its state allows it
    /// ([`EtatDemande::apres`]), judged inside the write's transaction: the text goes to the
    /// request's thread, the state moves, both audited. A resolution's text may be empty.
    pub async fn faire_avancer_demande(
        &self,
        id: i64,
        action: ActionEchange,
        version: i64,
        auteur: &Auteur,
        texte: &str,
        acteur: &str,
    ) -> Resultat<DemandeCorrection> {
        let texte = if action == ActionEchange::Resoudre && texte.trim().is_empty() {
            None
        } else {
            Some(echanges::lire_texte("Réponse", texte).map_err(invalide)?)
        };
        let mut e = self.ecriture(acteur).await?;
        let r = sqlx::query(&format!("{SELECT_DEMANDE} WHERE id = $1"))
            .bind(id)
            .fetch_optional(e.conn())
            .await?
            .ok_or_else(|| demande_introuvable(id))?;
        let avant = lire_demande(&r)?;
        let quoi = || format!("la demande de correction {id}");
        e.controler_version(quoi(), &avant.tampon, version)?;
        let etat = avant
            .etat
            .apres(action)
            .map_err(|m| ErreurStore::Refus(crate::Refus::new(m)))?;
        let vue = |d: &DemandeCorrection, etat: EtatDemande| {
            document(
                &VueDemande {
                    contrat_id: d.contrat_id,
                    fiche: d.fiche.as_deref(),
                    champ: d.champ.as_deref(),
                    texte: &d.texte,
                    etat: etat.code(),
                },
                "la demande de correction",
            )
        };
        let (vue_avant, vue_apres) = (vue(&avant, avant.etat)?, vue(&avant, etat)?);
        let requete = sqlx::query(
            "UPDATE demandes_correction SET etat = $1, version = version + 1, modifie_par = $2, modifie_le = $3 \
             WHERE id = $4 AND version = $5",
        )
        .bind(etat.code())
        .bind(e.acteur().to_string())
        .bind(e.maintenant().to_string())
        .bind(id)
        .bind(version);
        e.executer_une(quoi(), &avant.tampon, requete).await?;
        let operation = match action {
            ActionEchange::Resoudre => "resolution",
            _ => "reponse",
        };
        e.consigner(
            ENTITE_DEMANDE,
            &id.to_string(),
            operation,
            Some(&vue_avant),
            Some(&vue_apres),
        )
        .await?;
        let fil = Fil {
            contrat_id: avant.contrat_id,
            fiche: avant.fiche.clone(),
        };
        let texte = texte.unwrap_or_else(|| "Demande de correction résolue.".to_string());
        inserer_message(&mut e, &fil, Some(id), auteur, &texte, None).await?;
        let d = DemandeCorrection {
            tampon: e.tampon(id, version + 1),
            etat,
            ..avant
        };
        e.conclure().await?;
        Ok(d)
    }

    /// For each of `contrats`: the messages account `compte_id` has not read (written by
    /// others after its read mark) and the requests not resolved. Contracts with neither are
    /// left out.
    pub async fn etat_echanges(&self, compte_id: i64, contrats: &[i64]) -> Resultat<Vec<EtatEchanges>> {
        if contrats.is_empty() {
            return Ok(Vec::new());
        }
        let liste = contrats
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        // The ids are integers printed by Rust: no text of a user reaches the statement.
        let lignes = sqlx::query(&format!(
            "SELECT c.id, \
             (SELECT COUNT(*) FROM messages m WHERE m.contrat_id = c.id \
                AND (m.compte_id IS NULL OR m.compte_id <> $1) \
                AND m.id > COALESCE((SELECT l.dernier_lu FROM lectures_messages l WHERE l.utilisateur_id = $1 AND l.contrat_id = c.id), 0)) AS non_lus, \
             (SELECT COUNT(*) FROM demandes_correction d WHERE d.contrat_id = c.id AND d.etat <> 'resolue') AS en_cours \
             FROM contrats c WHERE c.id IN ({liste}) ORDER BY c.id"
        ))
        .bind(compte_id)
        .fetch_all(self.pool())
        .await?;
        let mut sortie = Vec::new();
        for r in &lignes {
            let e = EtatEchanges {
                contrat_id: r.try_get("id")?,
                non_lus: r.try_get("non_lus")?,
                demandes_en_cours: r.try_get("en_cours")?,
            };
            if e.non_lus > 0 || e.demandes_en_cours > 0 {
                sortie.push(e);
            }
        }
        Ok(sortie)
    }

    /// Marks every message of contract `contrat_id` as read by account `compte_id` (up to the
    /// newest one now). Not audited: a personal mark.
    pub async fn marquer_lu(&self, compte_id: i64, contrat_id: i64) -> Resultat<()> {
        let dernier: i64 =
            sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM messages WHERE contrat_id = $1")
                .bind(contrat_id)
                .fetch_one(self.pool())
                .await?
                .try_get("n")?;
        if dernier == 0 {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO lectures_messages (utilisateur_id, contrat_id, dernier_lu) VALUES ($1, $2, $3) \
             ON CONFLICT (utilisateur_id, contrat_id) DO UPDATE SET dernier_lu = excluded.dernier_lu \
             WHERE lectures_messages.dernier_lu < excluded.dernier_lu",
        )
        .bind(compte_id)
        .bind(contrat_id)
        .bind(dernier)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

const SELECT_MESSAGE: &str = "SELECT id, contrat_id, fiche, demande_id, auteur, compte_id, role, texte, piece_id, cree_le FROM messages";
const SELECT_DEMANDE: &str = "SELECT id, contrat_id, fiche, champ, texte, etat, version, cree_par, cree_le, modifie_par, modifie_le FROM demandes_correction";

fn demande_introuvable(id: i64) -> ErreurStore {
    ErreurStore::Introuvable {
        entite: "demande de correction",
        id: id.to_string(),
    }
}

fn lire_message(r: &AnyRow) -> Resultat<Message> {
    Ok(Message {
        id: r.try_get("id")?,
        contrat_id: r.try_get("contrat_id")?,
        fiche: r.try_get("fiche")?,
        demande_id: r.try_get("demande_id")?,
        auteur: r.try_get("auteur")?,
        compte_id: r.try_get("compte_id")?,
        role: r.try_get("role")?,
        texte: r.try_get("texte")?,
        piece_id: r.try_get("piece_id")?,
        cree_le: r.try_get("cree_le")?,
    })
}

fn lire_demande(r: &AnyRow) -> Resultat<DemandeCorrection> {
    let id: i64 = r.try_get("id")?;
    let code: String = r.try_get("etat")?;
    Ok(DemandeCorrection {
        tampon: crate::contrats::tampon(r, id)?,
        contrat_id: r.try_get("contrat_id")?,
        fiche: r.try_get("fiche")?,
        champ: r.try_get("champ")?,
        texte: r.try_get("texte")?,
        etat: EtatDemande::depuis_code(&code)
            .ok_or_else(|| ErreurStore::Corrompue(format!("état de demande de correction « {code} »")))?,
        cree_par: r.try_get("cree_par")?,
        cree_le: r.try_get("cree_le")?,
    })
}

/// Inside a write: the contract exists, and the fiche too when the thread is a fiche's.
async fn verifier_fil(e: &mut Ecriture<'_>, fil: &Fil) -> Resultat<()> {
    let contrat = sqlx::query("SELECT id FROM contrats WHERE id = $1")
        .bind(fil.contrat_id)
        .fetch_optional(e.conn())
        .await?;
    if contrat.is_none() {
        return Err(ErreurStore::Introuvable {
            entite: "contrat",
            id: fil.contrat_id.to_string(),
        });
    }
    if let Some(f) = &fil.fiche {
        let fiche = sqlx::query("SELECT id FROM fiches WHERE contrat_id = $1 AND numero = $2")
            .bind(fil.contrat_id)
            .bind(f.as_str())
            .fetch_optional(e.conn())
            .await?;
        if fiche.is_none() {
            return Err(ErreurStore::Introuvable {
                entite: "fiche",
                id: format!("{f} du contrat {}", fil.contrat_id),
            });
        }
    }
    Ok(())
}

async fn inserer_message(
    e: &mut Ecriture<'_>,
    fil: &Fil,
    demande_id: Option<i64>,
    auteur: &Auteur,
    texte: &str,
    piece_id: Option<i64>,
) -> Resultat<Message> {
    let vue = document(
        &VueMessage {
            contrat_id: fil.contrat_id,
            fiche: fil.fiche.as_deref(),
            demande_id,
            role: &auteur.role,
            texte,
            piece_id,
        },
        "le message",
    )?;
    let (acteur, maintenant) = (e.acteur().to_string(), e.maintenant().to_string());
    let id: i64 = sqlx::query(
        "INSERT INTO messages (contrat_id, fiche, demande_id, auteur, compte_id, role, texte, piece_id, cree_le) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(fil.contrat_id)
    .bind(fil.fiche.clone())
    .bind(demande_id)
    .bind(&acteur)
    .bind(auteur.compte_id)
    .bind(auteur.role.as_str())
    .bind(texte)
    .bind(piece_id)
    .bind(&maintenant)
    .fetch_one(e.conn())
    .await?
    .try_get("id")?;
    e.consigner(ENTITE_MESSAGE, &id.to_string(), "creation", None, Some(&vue))
        .await?;
    Ok(Message {
        id,
        contrat_id: fil.contrat_id,
        fiche: fil.fiche.clone(),
        demande_id,
        auteur: acteur,
        compte_id: auteur.compte_id,
        role: auteur.role.clone(),
        texte: texte.to_string(),
        piece_id,
        cree_le: maintenant,
    })
}

impl Base {
    /// Every message of contract `contrat_id`, all threads (the contract's and its fiches'),
    /// oldest first.
    pub async fn messages_du_contrat(&self, contrat_id: i64) -> Resultat<Vec<Message>> {
        sqlx::query(&format!("{SELECT_MESSAGE} WHERE contrat_id = $1 ORDER BY id"))
            .bind(contrat_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(lire_message)
            .collect()
    }
}
