//! Backup, restore and move between engines, through one logical format: the rows of the
//! data tables and the whole audit log, read in one consistent snapshot. A backup restores on
//! either engine and its audit chain still verifies.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::Base;
use crate::audit::{self, EntreeAudit};
use crate::comptes::COLONNES_UTILISATEUR;
use crate::erreur::{ErreurStore, Resultat};

pub const FORMAT: &str = "pacte-sauvegarde/1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sauvegarde {
    pub format: String,
    pub cree_le: String,
    pub referentiel: String,
    pub contrats: Vec<LigneContrat>,
    pub fiches: Vec<LigneFiche>,
    pub audit: Vec<EntreeAudit>,
    pub audit_tete: (i64, String),
    /// The anchor of `audit_tete`, signed with the key of the audit log when the base has one
    /// (`pacte audit verifier --ancre`): kept with the backup, it shows a later erased tail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ancre: Option<String>,
    /// Accounts, with their password hashes: a backup file must be protected like the base.
    /// Sessions and sign-in attempts are not saved (everyone signs in again after a restore).
    #[serde(default)]
    pub utilisateurs: Vec<LigneUtilisateur>,
    /// API tokens, with their hashes (never the secrets).
    #[serde(default)]
    pub jetons: Vec<LigneJeton>,
    /// Accounts' ProConnect identities (absent from the file when there is none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub liens_proconnect: Vec<crate::comptes::LienProConnect>,
    /// The acts of the contracts' lifecycles (absent from the file when there is none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actes: Vec<LigneActe>,
    /// The attached documents, their bytes in base64; a restore checks each SHA-256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pieces: Vec<LignePiece>,
    /// The correction requests of the exchanges (absent from the file when there is none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demandes_correction: Vec<LigneDemande>,
    /// The messages of the exchanges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<LigneMessage>,
    /// Each account's last message read per contract (the unread counts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lectures_messages: Vec<LigneLecture>,
    /// The contracts' financial executions (absent from the file when there is none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub executions: Vec<crate::executions::LigneExecution>,
    /// The indicator campaigns and mid-term evaluations, table by table, with the reports'
    /// free texts (`textes_rapports`, `textes_syntheses`; absent when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campagnes: Vec<crate::campagnes::TableCampagne>,
    /// The versions of the data signed (absent from the file when there is none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions_signees: Vec<crate::versions_signees::VersionSignee>,
    /// The campaign reminders sent by e-mail (absent from the file when there is none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rappels_campagne: Vec<crate::rappels::RappelEnvoye>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LigneDemande {
    pub id: i64,
    pub contrat_id: i64,
    pub fiche: Option<String>,
    pub champ: Option<String>,
    pub texte: String,
    pub etat: String,
    pub version: i64,
    pub cree_par: String,
    pub cree_le: String,
    pub modifie_par: String,
    pub modifie_le: String,
}

const COLONNES_DEMANDE: &str =
    "id, contrat_id, fiche, champ, texte, etat, version, cree_par, cree_le, modifie_par, modifie_le";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LigneMessage {
    pub id: i64,
    pub contrat_id: i64,
    pub fiche: Option<String>,
    pub demande_id: Option<i64>,
    pub auteur: String,
    pub compte_id: Option<i64>,
    pub role: String,
    pub texte: String,
    pub piece_id: Option<i64>,
    pub cree_le: String,
}

const COLONNES_MESSAGE: &str =
    "id, contrat_id, fiche, demande_id, auteur, compte_id, role, texte, piece_id, cree_le";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LigneLecture {
    pub utilisateur_id: i64,
    pub contrat_id: i64,
    pub dernier_lu: i64,
}

fn ligne_demande(r: &AnyRow) -> Resultat<LigneDemande> {
    Ok(LigneDemande {
        id: r.try_get("id")?,
        contrat_id: r.try_get("contrat_id")?,
        fiche: r.try_get("fiche")?,
        champ: r.try_get("champ")?,
        texte: r.try_get("texte")?,
        etat: r.try_get("etat")?,
        version: r.try_get("version")?,
        cree_par: r.try_get("cree_par")?,
        cree_le: r.try_get("cree_le")?,
        modifie_par: r.try_get("modifie_par")?,
        modifie_le: r.try_get("modifie_le")?,
    })
}

fn ligne_message(r: &AnyRow) -> Resultat<LigneMessage> {
    Ok(LigneMessage {
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LigneActe {
    pub id: i64,
    pub contrat_id: i64,
    pub etape: String,
    pub etat_avant: String,
    pub donnees: String,
    pub entete_avant: String,
    pub cree_par: String,
    pub cree_le: String,
    pub annule_par: Option<String>,
    pub annule_le: Option<String>,
}

const COLONNES_ACTE: &str =
    "id, contrat_id, etape, etat_avant, donnees, entete_avant, cree_par, cree_le, annule_par, annule_le";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LignePiece {
    pub id: i64,
    pub contrat_id: i64,
    pub fiche_id: Option<i64>,
    pub acte_id: Option<i64>,
    pub nom: String,
    pub type_mime: String,
    pub taille: i64,
    pub sha256: String,
    /// The bytes, base64 (standard alphabet, padded).
    pub contenu: String,
    pub depose_par: String,
    pub depose_le: String,
}

fn ligne_acte(r: &AnyRow) -> Resultat<LigneActe> {
    Ok(LigneActe {
        id: r.try_get("id")?,
        contrat_id: r.try_get("contrat_id")?,
        etape: r.try_get("etape")?,
        etat_avant: r.try_get("etat_avant")?,
        donnees: r.try_get("donnees")?,
        entete_avant: r.try_get("entete_avant")?,
        cree_par: r.try_get("cree_par")?,
        cree_le: r.try_get("cree_le")?,
        annule_par: r.try_get("annule_par")?,
        annule_le: r.try_get("annule_le")?,
    })
}

fn ligne_piece(r: &AnyRow) -> Resultat<LignePiece> {
    use base64::Engine;
    let p = crate::pieces::lire_piece(r)?;
    let contenu: Vec<u8> = r.try_get("contenu")?;
    Ok(LignePiece {
        id: p.id,
        contrat_id: p.contrat_id,
        fiche_id: p.fiche_id,
        acte_id: p.acte_id,
        nom: p.nom,
        type_mime: p.type_mime,
        taille: p.taille,
        sha256: p.sha256,
        contenu: base64::engine::general_purpose::STANDARD.encode(contenu),
        depose_par: p.depose_par,
        depose_le: p.depose_le,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LigneUtilisateur {
    pub id: i64,
    pub email: String,
    pub nom: String,
    pub hash_mot_de_passe: Option<String>,
    pub role: String,
    pub perimetre: String,
    pub actif: i64,
    pub version: i64,
    pub cree_le: String,
    pub modifie_par: String,
    pub modifie_le: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LigneJeton {
    pub id: i64,
    pub utilisateur_id: i64,
    pub libelle: String,
    pub hash: String,
    pub cree_le: String,
    pub expire_le: String,
    pub revoque_le: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LigneContrat {
    pub id: i64,
    pub collectivite: String,
    pub etat: String,
    pub entete: String,
    pub version: i64,
    pub cree_le: String,
    pub modifie_par: String,
    pub modifie_le: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LigneFiche {
    pub id: i64,
    pub contrat_id: i64,
    pub numero: String,
    pub axe: i64,
    pub position: i64,
    pub donnees: String,
    pub version: i64,
    pub modifie_par: String,
    pub modifie_le: String,
}

/// Row counts and content checksums of the data tables, to compare two bases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Empreinte {
    pub contrats: (usize, String),
    pub fiches: (usize, String),
    pub audit: (usize, String),
    pub utilisateurs: (usize, String),
    pub jetons: (usize, String),
    pub actes: (usize, String),
    pub pieces: (usize, String),
    pub demandes_correction: (usize, String),
    pub messages: (usize, String),
    pub lectures_messages: (usize, String),
    pub executions: (usize, String),
    pub campagnes: (usize, String),
    pub versions_signees: (usize, String),
    pub rappels_campagne: (usize, String),
}

/// Hex SHA-256 of a text.
pub fn empreinte_texte(texte: &str) -> String {
    hex::encode(Sha256::digest(texte.as_bytes()))
}

fn empreinte_lignes<T: Serialize>(lignes: &[T]) -> (usize, String) {
    let mut h = Sha256::new();
    for l in lignes {
        h.update(serde_json::to_string(l).expect("rows serialize").as_bytes());
        h.update(b"\n");
    }
    (lignes.len(), hex::encode(h.finalize()))
}

impl Sauvegarde {
    pub fn empreinte(&self) -> Empreinte {
        Empreinte {
            contrats: empreinte_lignes(&self.contrats),
            fiches: empreinte_lignes(&self.fiches),
            audit: empreinte_lignes(&self.audit),
            utilisateurs: empreinte_lignes(&self.utilisateurs),
            jetons: empreinte_lignes(&self.jetons),
            actes: empreinte_lignes(&self.actes),
            pieces: empreinte_lignes(&self.pieces),
            demandes_correction: empreinte_lignes(&self.demandes_correction),
            messages: empreinte_lignes(&self.messages),
            lectures_messages: empreinte_lignes(&self.lectures_messages),
            executions: empreinte_lignes(&self.executions),
            campagnes: empreinte_lignes(&self.campagnes),
            versions_signees: empreinte_lignes(&self.versions_signees),
            rappels_campagne: empreinte_lignes(&self.rappels_campagne),
        }
    }
}

fn ligne_contrat(r: &AnyRow) -> Resultat<LigneContrat> {
    Ok(LigneContrat {
        id: r.try_get("id")?,
        collectivite: r.try_get("collectivite")?,
        etat: r.try_get("etat")?,
        entete: r.try_get("entete")?,
        version: r.try_get("version")?,
        cree_le: r.try_get("cree_le")?,
        modifie_par: r.try_get("modifie_par")?,
        modifie_le: r.try_get("modifie_le")?,
    })
}

/// A stored account as saved: the row, hash included.
fn ligne_utilisateur(r: &AnyRow) -> Resultat<LigneUtilisateur> {
    let u = crate::comptes::lire_utilisateur(r)?;
    Ok(LigneUtilisateur {
        id: u.id,
        email: u.email,
        nom: u.nom,
        hash_mot_de_passe: u.hash_mot_de_passe,
        role: u.role,
        perimetre: u.perimetre,
        actif: i64::from(u.actif),
        version: u.version,
        cree_le: u.cree_le,
        modifie_par: u.modifie_par,
        modifie_le: u.modifie_le,
    })
}

fn ligne_jeton(r: &AnyRow) -> Resultat<LigneJeton> {
    Ok(LigneJeton {
        id: r.try_get("id")?,
        utilisateur_id: r.try_get("utilisateur_id")?,
        libelle: r.try_get("libelle")?,
        hash: r.try_get("hash")?,
        cree_le: r.try_get("cree_le")?,
        expire_le: r.try_get("expire_le")?,
        revoque_le: r.try_get("revoque_le")?,
    })
}

const COLONNES_JETON: &str = "id, utilisateur_id, libelle, hash, cree_le, expire_le, revoque_le";

fn ligne_fiche(r: &AnyRow) -> Resultat<LigneFiche> {
    Ok(LigneFiche {
        id: r.try_get("id")?,
        contrat_id: r.try_get("contrat_id")?,
        numero: r.try_get("numero")?,
        axe: r.try_get("axe")?,
        position: r.try_get("position")?,
        donnees: r.try_get("donnees")?,
        version: r.try_get("version")?,
        modifie_par: r.try_get("modifie_par")?,
        modifie_le: r.try_get("modifie_le")?,
    })
}

impl Base {
    /// Reads everything in one consistent snapshot; writers may go on meanwhile.
    pub async fn sauvegarde(&self) -> Resultat<Sauvegarde> {
        let mut tx = self.pool().begin().await?;
        self.moteur().instantane(&mut tx).await?;
        let referentiel: String = sqlx::query("SELECT version FROM referentiel_version WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?
            .try_get("version")?;
        let contrats = sqlx::query(
            "SELECT id, collectivite, etat, entete, version, cree_le, modifie_par, modifie_le FROM contrats ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(ligne_contrat)
        .collect::<Resultat<Vec<_>>>()?;
        let fiches = sqlx::query(
            "SELECT id, contrat_id, numero, axe, position, donnees, version, modifie_par, modifie_le FROM fiches ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(ligne_fiche)
        .collect::<Resultat<Vec<_>>>()?;
        let audit = sqlx::query(&format!("SELECT {} FROM audit ORDER BY id", audit::COLONNES))
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(EntreeAudit::depuis_ligne)
            .collect::<Resultat<Vec<_>>>()?;
        let t = sqlx::query("SELECT dernier_id, dernier_hash FROM audit_tete WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let audit_tete: (i64, String) = (t.try_get("dernier_id")?, t.try_get("dernier_hash")?);
        let utilisateurs = sqlx::query(&format!(
            "SELECT {COLONNES_UTILISATEUR} FROM utilisateurs ORDER BY id"
        ))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(ligne_utilisateur)
        .collect::<Resultat<Vec<_>>>()?;
        let jetons = sqlx::query(&format!("SELECT {COLONNES_JETON} FROM jetons_api ORDER BY id"))
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(ligne_jeton)
            .collect::<Resultat<Vec<_>>>()?;
        let liens_proconnect = crate::comptes::liens_proconnect_tx(&mut tx).await?;
        let actes = sqlx::query(&format!("SELECT {COLONNES_ACTE} FROM actes ORDER BY id"))
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(ligne_acte)
            .collect::<Resultat<Vec<_>>>()?;
        let pieces = sqlx::query(&format!(
            "SELECT {}, contenu FROM pieces ORDER BY id",
            crate::pieces::COLONNES_PIECE
        ))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(ligne_piece)
        .collect::<Resultat<Vec<_>>>()?;
        let demandes_correction = sqlx::query(&format!(
            "SELECT {COLONNES_DEMANDE} FROM demandes_correction ORDER BY id"
        ))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(ligne_demande)
        .collect::<Resultat<Vec<_>>>()?;
        let messages = sqlx::query(&format!("SELECT {COLONNES_MESSAGE} FROM messages ORDER BY id"))
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(ligne_message)
            .collect::<Resultat<Vec<_>>>()?;
        let lectures_messages = sqlx::query(
            "SELECT utilisateur_id, contrat_id, dernier_lu FROM lectures_messages \
             ORDER BY utilisateur_id, contrat_id",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            Ok(LigneLecture {
                utilisateur_id: r.try_get("utilisateur_id")?,
                contrat_id: r.try_get("contrat_id")?,
                dernier_lu: r.try_get("dernier_lu")?,
            })
        })
        .collect::<Resultat<Vec<_>>>()?;
        let executions = crate::executions::lignes_tx(&mut tx).await?;
        let campagnes = crate::campagnes::lignes_tx(&mut tx).await?;
        let versions_signees = crate::versions_signees::lignes_tx(&mut tx).await?;
        let rappels_campagne = crate::rappels::lignes_tx(&mut tx).await?;
        tx.commit().await?;
        let cree_le = crate::horloge::maintenant();
        let ancre = audit::Ancre::signer(audit_tete.0, &audit_tete.1, &cree_le, self.cle_audit());
        Ok(Sauvegarde {
            format: FORMAT.into(),
            ancre: Some(ancre.ligne()),
            cree_le,
            referentiel,
            contrats,
            fiches,
            audit,
            audit_tete,
            utilisateurs,
            jetons,
            liens_proconnect,
            actes,
            pieces,
            demandes_correction,
            messages,
            lectures_messages,
            executions,
            campagnes,
            versions_signees,
            rappels_campagne,
        })
    }

    /// Row counts and checksums of this base's data tables.
    pub async fn empreinte(&self) -> Resultat<Empreinte> {
        Ok(self.sauvegarde().await?.empreinte())
    }

    /// Loads a backup into this base, which must hold no contract and no audit entry beyond
    /// the reference data. One transaction: all or nothing.
    pub async fn restaurer(&self, s: &Sauvegarde) -> Resultat<()> {
        if s.format != FORMAT {
            return Err(ErreurStore::Invalide(format!(
                "format de sauvegarde « {} » inconnu (attendu {FORMAT})",
                s.format
            )));
        }
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE audit_tete SET verrou = verrou + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM contrats")
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        let entrees: Vec<String> = sqlx::query("SELECT entite FROM audit")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("entite"))
            .collect::<Result<_, _>>()?;
        if n > 0 || entrees.iter().any(|e| e != "referentiel") {
            return Err(ErreurStore::Invalide(
                "la base cible contient déjà des données : la restauration se fait dans une base neuve"
                    .into(),
            ));
        }
        sqlx::query("DELETE FROM audit").execute(&mut *tx).await?;
        for c in &s.contrats {
            sqlx::query(
                "INSERT INTO contrats (id, collectivite, etat, entete, version, cree_le, modifie_par, modifie_le) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(c.id)
            .bind(&c.collectivite)
            .bind(&c.etat)
            .bind(&c.entete)
            .bind(c.version)
            .bind(&c.cree_le)
            .bind(&c.modifie_par)
            .bind(&c.modifie_le)
            .execute(&mut *tx)
            .await?;
        }
        for f in &s.fiches {
            sqlx::query(
                "INSERT INTO fiches (id, contrat_id, numero, axe, position, donnees, version, modifie_par, modifie_le) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(f.id)
            .bind(f.contrat_id)
            .bind(&f.numero)
            .bind(f.axe)
            .bind(f.position)
            .bind(&f.donnees)
            .bind(f.version)
            .bind(&f.modifie_par)
            .bind(&f.modifie_le)
            .execute(&mut *tx)
            .await?;
        }
        for u in &s.utilisateurs {
            sqlx::query(&format!(
                "INSERT INTO utilisateurs ({COLONNES_UTILISATEUR}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            ))
            .bind(u.id)
            .bind(&u.email)
            .bind(&u.nom)
            .bind(u.hash_mot_de_passe.as_deref())
            .bind(&u.role)
            .bind(&u.perimetre)
            .bind(u.actif)
            .bind(u.version)
            .bind(&u.cree_le)
            .bind(&u.modifie_par)
            .bind(&u.modifie_le)
            .execute(&mut *tx)
            .await?;
        }
        for j in &s.jetons {
            sqlx::query(&format!(
                "INSERT INTO jetons_api ({COLONNES_JETON}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ))
            .bind(j.id)
            .bind(j.utilisateur_id)
            .bind(&j.libelle)
            .bind(&j.hash)
            .bind(&j.cree_le)
            .bind(&j.expire_le)
            .bind(j.revoque_le.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        crate::comptes::restaurer_liens_proconnect(&mut tx, &s.liens_proconnect).await?;
        for a in &s.actes {
            sqlx::query(&format!(
                "INSERT INTO actes ({COLONNES_ACTE}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))
            .bind(a.id)
            .bind(a.contrat_id)
            .bind(&a.etape)
            .bind(&a.etat_avant)
            .bind(&a.donnees)
            .bind(&a.entete_avant)
            .bind(&a.cree_par)
            .bind(&a.cree_le)
            .bind(a.annule_par.as_deref())
            .bind(a.annule_le.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        for p in &s.pieces {
            use base64::Engine;
            let contenu = base64::engine::general_purpose::STANDARD
                .decode(&p.contenu)
                .map_err(|e| {
                    ErreurStore::Invalide(format!("pièce jointe {} de la sauvegarde illisible : {e}", p.id))
                })?;
            if crate::pieces::sha256(&contenu) != p.sha256 || contenu.len() as i64 != p.taille {
                return Err(ErreurStore::Invalide(format!(
                    "pièce jointe {} de la sauvegarde : son contenu ne correspond pas à son empreinte SHA-256 ; rien n'a été restauré",
                    p.id
                )));
            }
            sqlx::query(
                "INSERT INTO pieces (id, contrat_id, fiche_id, acte_id, nom, type_mime, taille, sha256, contenu, depose_par, depose_le) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(p.id)
            .bind(p.contrat_id)
            .bind(p.fiche_id)
            .bind(p.acte_id)
            .bind(&p.nom)
            .bind(&p.type_mime)
            .bind(p.taille)
            .bind(&p.sha256)
            .bind(contenu)
            .bind(&p.depose_par)
            .bind(&p.depose_le)
            .execute(&mut *tx)
            .await?;
        }
        for d in &s.demandes_correction {
            sqlx::query(&format!(
                "INSERT INTO demandes_correction ({COLONNES_DEMANDE}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            ))
            .bind(d.id)
            .bind(d.contrat_id)
            .bind(d.fiche.as_deref())
            .bind(d.champ.as_deref())
            .bind(&d.texte)
            .bind(&d.etat)
            .bind(d.version)
            .bind(&d.cree_par)
            .bind(&d.cree_le)
            .bind(&d.modifie_par)
            .bind(&d.modifie_le)
            .execute(&mut *tx)
            .await?;
        }
        for m in &s.messages {
            sqlx::query(&format!(
                "INSERT INTO messages ({COLONNES_MESSAGE}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))
            .bind(m.id)
            .bind(m.contrat_id)
            .bind(m.fiche.as_deref())
            .bind(m.demande_id)
            .bind(&m.auteur)
            .bind(m.compte_id)
            .bind(&m.role)
            .bind(&m.texte)
            .bind(m.piece_id)
            .bind(&m.cree_le)
            .execute(&mut *tx)
            .await?;
        }
        for l in &s.lectures_messages {
            sqlx::query(
                "INSERT INTO lectures_messages (utilisateur_id, contrat_id, dernier_lu) \
                 VALUES ($1, $2, $3)",
            )
            .bind(l.utilisateur_id)
            .bind(l.contrat_id)
            .bind(l.dernier_lu)
            .execute(&mut *tx)
            .await?;
        }
        crate::executions::restaurer_tx(&mut tx, &s.executions).await?;
        crate::campagnes::restaurer_tx(&mut tx, &s.campagnes).await?;
        crate::versions_signees::restaurer_tx(&mut tx, &s.versions_signees).await?;
        crate::rappels::restaurer_tx(&mut tx, &s.rappels_campagne).await?;
        for e in &s.audit {
            audit::inserer(&mut tx, e).await?;
        }
        sqlx::query("UPDATE audit_tete SET dernier_id = $1, dernier_hash = $2 WHERE id = 1")
            .bind(s.audit_tete.0)
            .bind(&s.audit_tete.1)
            .execute(&mut *tx)
            .await?;
        let plus_grand = |entite: &str, presents: &mut dyn Iterator<Item = i64>| {
            let journalises = s
                .audit
                .iter()
                .filter(|e| e.entite == entite)
                .filter_map(|e| e.entite_id.parse().ok());
            presents.chain(journalises).max().unwrap_or(0)
        };
        let contrats = plus_grand("contrat", &mut s.contrats.iter().map(|c| c.id));
        let fiches = plus_grand("fiche", &mut s.fiches.iter().map(|f| f.id));
        let utilisateurs = plus_grand("utilisateur", &mut s.utilisateurs.iter().map(|u| u.id));
        let jetons = plus_grand("jeton_api", &mut s.jetons.iter().map(|j| j.id));
        let actes = plus_grand("acte", &mut s.actes.iter().map(|a| a.id));
        let pieces = plus_grand("piece", &mut s.pieces.iter().map(|p| p.id));
        let demandes = plus_grand(
            "demande_correction",
            &mut s.demandes_correction.iter().map(|d| d.id),
        );
        let messages = plus_grand("message", &mut s.messages.iter().map(|m| m.id));
        let audit = s.audit.last().map_or(0, |e| e.id);
        self.moteur()
            .reprendre_identifiants(
                &mut tx,
                &[
                    ("contrats", contrats),
                    ("fiches", fiches),
                    ("audit", audit),
                    ("utilisateurs", utilisateurs),
                    ("jetons_api", jetons),
                    ("actes", actes),
                    ("pieces", pieces),
                    ("demandes_correction", demandes),
                    ("messages", messages),
                ],
            )
            .await?;
        // The money rows are derived from the documents: recomputed, not backed up.
        crate::sommes::reconstruire(&mut tx).await?;
        self.valider(tx).await?;
        Ok(())
    }
}

/// The outcome of a move between bases.
#[derive(Debug, Clone, Serialize)]
pub struct RapportMigration {
    pub source: Empreinte,
    pub cible: Empreinte,
}

impl RapportMigration {
    pub fn identiques(&self) -> bool {
        self.source == self.cible
    }
}

/// Copies `source` into the empty base `cible`, then compares counts and checksums.
pub async fn migrer(source: &Base, cible: &Base) -> Resultat<RapportMigration> {
    let s = source.sauvegarde().await?;
    cible.restaurer(&s).await?;
    Ok(RapportMigration {
        source: s.empreinte(),
        cible: cible.empreinte().await?,
    })
}
