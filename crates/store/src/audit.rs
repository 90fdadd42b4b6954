//! The audit log: every write appends who, when, what and the before/after values, each entry
//! carrying the hash of the previous one. Verification walks the chain and compares the last
//! known state of every record with what the tables hold now.
//!
//! # Keys
//!
//! Entries are authenticated with HMAC-SHA256 under a key kept outside the base ([`CleAudit`]):
//! an entry names the key that signed it (`cle`, an identifier derived from the key, never the
//! key), and its `hash` is then the HMAC of its fields instead of their plain SHA-256. Entries
//! written before the key existed (migration 0005) keep their SHA-256 and stay verifiable: the
//! first entry that names a key is where the key applies. Once an entry has been authenticated
//! by a key this process holds, every later entry must be too — an entry added or rewritten
//! with a recomputed SHA-256 is a break. Entries signed by a key this process does not hold are
//! checked for continuity only, and the report says so.
//!
//! # Key columns
//!
//! Each entry also records the record's key columns as written ([`colonnes`]): the columns that
//! lists, scopes and sign-in read beside the JSON documents (a contract's state and
//! collectivity, a fiche's contract, number, axis and position), and for secrets the SHA-256 of
//! the stored hash (a password's argon2 string, a token's hash), never the hash itself. The
//! verification compares them with the rows, so a column changed alone is found.
//!
//! # Anchors
//!
//! A consistent chain whose tail was erased (entries, rows and head moved back together) cannot
//! be told from a shorter history. An [`Ancre`] — the head's id and hash, signed with the key —
//! printed by `pacte audit ancre` and written into every backup, kept elsewhere, lets the
//! verification find it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::erreur::{ErreurStore, Resultat};

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntreeAudit {
    pub id: i64,
    pub horodatage: String,
    /// Who: an actor id (`cli:utilisateur`, later an account).
    pub acteur: String,
    /// What: `contrat`, `fiche`, `referentiel`.
    pub entite: String,
    pub entite_id: String,
    /// `creation`, `modification`, `suppression`, `chargement`.
    pub operation: String,
    pub avant: Option<String>,
    pub apres: Option<String>,
    pub hash_precedent: String,
    /// SHA-256 of the fields when `cle` is empty, their HMAC-SHA256 under key `cle` otherwise.
    pub hash: String,
    /// The record's key columns as written (JSON; secrets as the SHA-256 of their stored hash).
    /// Empty for a deletion and for entries written before migration 0005.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colonnes: Option<String>,
    /// Identifier of the key that signed the entry; empty: `hash` is a plain SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cle: Option<String>,
}

impl EntreeAudit {
    /// The entry's fields and the previous hash, each length-prefixed so that no two different
    /// entries share a preimage. `colonnes` and `cle` are appended only when one is present, so
    /// that entries written before them keep their preimage.
    fn preimage(&self) -> Vec<u8> {
        let mut h = Vec::new();
        let mut champ = |s: Option<&str>| match s {
            None => h.extend_from_slice(b"-;"),
            Some(s) => {
                h.extend_from_slice(s.len().to_string().as_bytes());
                h.extend_from_slice(b":");
                h.extend_from_slice(s.as_bytes());
                h.extend_from_slice(b";");
            }
        };
        let id = self.id.to_string();
        champ(Some(&id));
        champ(Some(&self.horodatage));
        champ(Some(&self.acteur));
        champ(Some(&self.entite));
        champ(Some(&self.entite_id));
        champ(Some(&self.operation));
        champ(self.avant.as_deref());
        champ(self.apres.as_deref());
        champ(Some(&self.hash_precedent));
        if self.colonnes.is_some() || self.cle.is_some() {
            champ(self.colonnes.as_deref());
            champ(self.cle.as_deref());
        }
        h
    }

    /// SHA-256 of the entry (what `hash` holds when no key signs it).
    pub fn calculer_hash(&self) -> String {
        hex::encode(Sha256::digest(self.preimage()))
    }

    /// HMAC-SHA256 of the entry under `secret`.
    fn calculer_mac(&self, secret: &[u8]) -> String {
        mac(secret, &self.preimage())
    }

    pub(crate) fn depuis_ligne(r: &AnyRow) -> Resultat<EntreeAudit> {
        Ok(EntreeAudit {
            id: r.try_get("id")?,
            horodatage: r.try_get("horodatage")?,
            acteur: r.try_get("acteur")?,
            entite: r.try_get("entite")?,
            entite_id: r.try_get("entite_id")?,
            operation: r.try_get("operation")?,
            avant: r.try_get("avant")?,
            apres: r.try_get("apres")?,
            hash_precedent: r.try_get("hash_precedent")?,
            hash: r.try_get("hash")?,
            colonnes: r.try_get("colonnes")?,
            cle: r.try_get("cle")?,
        })
    }
}

pub(crate) const COLONNES: &str =
    "id, horodatage, acteur, entite, entite_id, operation, avant, apres, hash_precedent, hash, colonnes, cle";

/// HMAC-SHA256 of `texte` under `secret`, in hex.
fn mac(secret: &[u8], texte: &[u8]) -> String {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC accepts any key length");
    m.update(texte);
    hex::encode(m.finalize().into_bytes())
}

/// Bytes of a key.
const LONGUEUR_CLE: usize = 32;

/// The keys of the audit log, read from a key file: one key per line, 64 hexadecimal digits
/// (32 random bytes); lines starting with `#` and blank lines are ignored. The last key signs
/// new entries; all of them verify (the older ones sign the entries written before a
/// rotation). `Debug` never shows a key.
#[derive(Clone, PartialEq, Eq)]
pub struct CleAudit {
    /// (identifier, secret), in file order.
    cles: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for CleAudit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.cles.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("CleAudit").field("identifiants", &ids).finish()
    }
}

/// The environment variable naming the key file.
pub const VAR_CLE: &str = "PACTE_CLE_AUDIT";

impl CleAudit {
    /// The identifier of a key as written in the entries it signs: 16 hex digits of an HMAC
    /// under the key, which reveals nothing of it.
    fn identifiant(secret: &[u8]) -> String {
        mac(secret, b"pacte:journal-d-audit:identifiant-de-cle")[..16].to_string()
    }

    /// Reads the keys of a key file's text.
    pub fn depuis_texte(texte: &str, origine: &str) -> Resultat<CleAudit> {
        let mut cles = Vec::new();
        for (n, ligne) in texte.lines().enumerate() {
            let ligne = ligne.trim();
            if ligne.is_empty() || ligne.starts_with('#') {
                continue;
            }
            let secret = hex::decode(ligne)
                .ok()
                .filter(|s| s.len() == LONGUEUR_CLE)
                .ok_or_else(|| {
                    ErreurStore::Invalide(format!(
                        "{origine}, ligne {} : une clé du journal d'audit s'écrit en 64 chiffres hexadécimaux",
                        n + 1
                    ))
                })?;
            cles.push((CleAudit::identifiant(&secret), secret));
        }
        if cles.is_empty() {
            return Err(ErreurStore::Invalide(format!(
                "{origine} ne contient aucune clé du journal d'audit"
            )));
        }
        Ok(CleAudit { cles })
    }

    /// A new key line: 32 bytes of the system's random generator, in hex.
    pub fn nouvelle_ligne() -> Resultat<String> {
        let mut octets = [0u8; LONGUEUR_CLE];
        getrandom::getrandom(&mut octets).map_err(|e| {
            ErreurStore::Invalide(format!("générateur aléatoire du système indisponible : {e}"))
        })?;
        Ok(hex::encode(octets))
    }

    /// Reads the key file `chemin`.
    pub fn lire(chemin: &Path) -> Resultat<CleAudit> {
        let texte = std::fs::read_to_string(chemin).map_err(|e| {
            ErreurStore::Invalide(format!(
                "lecture du fichier de clé du journal d'audit {} impossible : {e}",
                chemin.display()
            ))
        })?;
        CleAudit::depuis_texte(&texte, &chemin.display().to_string())
    }

    /// Creates the key file `chemin` with one new key, readable by its owner only (0600), and
    /// reads it back. Refuses to overwrite an existing file.
    pub fn creer(chemin: &Path) -> Resultat<CleAudit> {
        let texte = format!(
            "# Clé du journal d'audit de Pacte (HMAC-SHA256). À sauvegarder à part de la base ;\n\
             # rotation : ajouter une nouvelle ligne, garder les anciennes (voir le README).\n{}\n",
            CleAudit::nouvelle_ligne()?
        );
        let erreur = |e: std::io::Error| {
            ErreurStore::Invalide(format!(
                "création du fichier de clé du journal d'audit {} impossible : {e}",
                chemin.display()
            ))
        };
        if let Some(parent) = chemin.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(erreur)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(chemin).map_err(erreur)?;
        std::io::Write::write_all(&mut f, texte.as_bytes()).map_err(erreur)?;
        f.sync_all().map_err(erreur)?;
        CleAudit::lire(chemin)
    }

    /// The identifier of the key that signs new entries.
    pub fn identifiant_courant(&self) -> &str {
        &self.cles.last().expect("at least one key").0
    }

    /// Identifiers of every key, in file order.
    pub fn identifiants(&self) -> Vec<&str> {
        self.cles.iter().map(|(id, _)| id.as_str()).collect()
    }

    fn secret(&self, id: &str) -> Option<&[u8]> {
        self.cles
            .iter()
            .rfind(|(i, _)| i == id)
            .map(|(_, s)| s.as_slice())
    }

    fn secret_courant(&self) -> &[u8] {
        &self.cles.last().expect("at least one key").1
    }
}

/// Where the key of a base comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceCle {
    /// `PACTE_CLE_AUDIT` (the path of the key file) when set; otherwise, for a SQLite file,
    /// the file `<base>.cle-audit` beside it; otherwise no key.
    Defaut,
    /// This key file.
    Fichier(PathBuf),
    /// No key: entries are chained by SHA-256 only.
    Aucune,
}

impl SourceCle {
    /// The key file this source names for the base at `url`, if any.
    pub fn chemin(&self, url: &str) -> Option<PathBuf> {
        match self {
            SourceCle::Aucune => None,
            SourceCle::Fichier(p) => Some(p.clone()),
            SourceCle::Defaut => {
                if let Ok(p) = std::env::var(VAR_CLE)
                    && !p.trim().is_empty()
                {
                    return Some(PathBuf::from(p.trim()));
                }
                let chemin = url.strip_prefix("sqlite:")?.trim_start_matches("//");
                let fichier = chemin.split_once('?').map_or(chemin, |(f, _)| f);
                if fichier.is_empty() || fichier == ":memory:" {
                    return None;
                }
                Some(PathBuf::from(format!("{fichier}.cle-audit")))
            }
        }
    }
}

/// The key columns of the records of `entite`, as audited: `(id, JSON)` for record `id`, or
/// for every record when `id` is `None`. Secrets appear as the SHA-256 of the stored hash.
async fn colonnes(
    conn: &mut sqlx::AnyConnection,
    entite: &str,
    id: Option<i64>,
) -> Resultat<Vec<(String, String)>> {
    let (sql, forme): (&str, fn(&AnyRow) -> Resultat<serde_json::Value>) = match entite {
        "contrat" => ("SELECT id, collectivite, etat FROM contrats", |r| {
            Ok(serde_json::json!({
                "collectivite": r.try_get::<String, _>("collectivite")?,
                "etat": r.try_get::<String, _>("etat")?,
            }))
        }),
        "fiche" => ("SELECT id, contrat_id, numero, axe, position FROM fiches", |r| {
            Ok(serde_json::json!({
                "contrat_id": r.try_get::<i64, _>("contrat_id")?,
                "numero": r.try_get::<String, _>("numero")?,
                "axe": r.try_get::<i64, _>("axe")?,
                "position": r.try_get::<i64, _>("position")?,
            }))
        }),
        "utilisateur" => ("SELECT id, hash_mot_de_passe FROM utilisateurs", |r| {
            let h: Option<String> = r.try_get("hash_mot_de_passe")?;
            Ok(serde_json::json!({ "hash_mot_de_passe": h.map(|h| empreinte(&h)) }))
        }),
        "jeton_api" => ("SELECT id, hash FROM jetons_api", |r| {
            let h: String = r.try_get("hash")?;
            Ok(serde_json::json!({ "hash": empreinte(&h) }))
        }),
        _ => return Ok(Vec::new()),
    };
    let lignes = match id {
        Some(id) => {
            sqlx::query(&format!("{sql} WHERE id = $1"))
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
        }
        None => sqlx::query(sql).fetch_all(&mut *conn).await?,
    };
    lignes
        .iter()
        .map(|r| Ok((r.try_get::<i64, _>("id")?.to_string(), forme(r)?.to_string())))
        .collect()
}

fn empreinte(texte: &str) -> String {
    hex::encode(Sha256::digest(texte.as_bytes()))
}

/// How a column is named in a report (the secrets' columns hold the SHA-256 of their hash).
fn libelle_colonne(c: &str) -> String {
    match c {
        "hash_mot_de_passe" => "hash_mot_de_passe (empreinte du mot de passe)".into(),
        "hash" => "hash (empreinte du jeton)".into(),
        _ => c.to_string(),
    }
}

/// The head of the chain, held for the duration of one write transaction. Entries are kept
/// until [`Journal::clore`], which signs them with the base's key and writes them.
pub(crate) struct Journal {
    dernier_id: i64,
    dernier_hash: String,
    /// The key of the last entry written, if it was signed.
    derniere_cle: Option<String>,
    acteur: String,
    horodatage: String,
    en_attente: Vec<EntreeAudit>,
}

impl Journal {
    /// Takes the write lock (the `UPDATE` of the single head row serialises writers on both
    /// backends) and reads the head of the chain.
    pub(crate) async fn ouvrir(
        tx: &mut Transaction<'_, Any>,
        acteur: &str,
        horodatage: &str,
    ) -> Resultat<Journal> {
        sqlx::query("UPDATE audit_tete SET verrou = verrou + 1 WHERE id = 1")
            .execute(&mut **tx)
            .await?;
        let r = sqlx::query(
            "SELECT t.dernier_id, t.dernier_hash, a.cle FROM audit_tete t \
             LEFT JOIN audit a ON a.id = t.dernier_id WHERE t.id = 1",
        )
        .fetch_one(&mut **tx)
        .await?;
        Ok(Journal {
            dernier_id: r.try_get("dernier_id")?,
            dernier_hash: r.try_get("dernier_hash")?,
            derniere_cle: r.try_get("cle")?,
            acteur: acteur.to_string(),
            horodatage: horodatage.to_string(),
            en_attente: Vec::new(),
        })
    }

    /// Records a change of one record. Call it after the record is written: its key columns
    /// are read from the transaction.
    pub(crate) async fn consigner(
        &mut self,
        tx: &mut Transaction<'_, Any>,
        entite: &str,
        entite_id: &str,
        operation: &str,
        avant: Option<&str>,
        apres: Option<&str>,
    ) -> Resultat<()> {
        let etat_colonnes = match (apres, entite_id.parse::<i64>()) {
            (Some(_), Ok(id)) => colonnes(tx, entite, Some(id)).await?.pop().map(|(_, c)| c),
            _ => None,
        };
        self.en_attente.push(EntreeAudit {
            id: self.dernier_id + 1 + self.en_attente.len() as i64,
            horodatage: self.horodatage.clone(),
            acteur: self.acteur.clone(),
            entite: entite.to_string(),
            entite_id: entite_id.to_string(),
            operation: operation.to_string(),
            avant: avant.map(str::to_string),
            apres: apres.map(str::to_string),
            hash_precedent: String::new(),
            hash: String::new(),
            colonnes: etat_colonnes,
            cle: None,
        });
        Ok(())
    }

    /// Signs and writes the entries, then the new head. Call once, just before commit. A
    /// process without a key may not extend a chain whose last entry is signed.
    pub(crate) async fn clore(self, tx: &mut Transaction<'_, Any>, cle: Option<&CleAudit>) -> Resultat<()> {
        if self.en_attente.is_empty() {
            return Ok(());
        }
        if cle.is_none()
            && let Some(id) = &self.derniere_cle
        {
            return Err(ErreurStore::Invalide(format!(
                "le journal d'audit de cette base est signé (clé {id}) et la clé n'est pas disponible : \
                 indiquez le fichier de clé par {VAR_CLE} ; aucune écriture n'a été faite"
            )));
        }
        let mut precedent = self.dernier_hash;
        let mut dernier_id = self.dernier_id;
        for mut e in self.en_attente {
            e.hash_precedent = precedent;
            match cle {
                Some(c) => {
                    e.cle = Some(c.identifiant_courant().to_string());
                    e.hash = e.calculer_mac(c.secret_courant());
                }
                None => e.hash = e.calculer_hash(),
            }
            inserer(tx, &e).await?;
            dernier_id = e.id;
            precedent = e.hash;
        }
        sqlx::query("UPDATE audit_tete SET dernier_id = $1, dernier_hash = $2 WHERE id = 1")
            .bind(dernier_id)
            .bind(precedent)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

pub(crate) async fn inserer(tx: &mut Transaction<'_, Any>, e: &EntreeAudit) -> Resultat<()> {
    sqlx::query(&format!(
        "INSERT INTO audit ({COLONNES}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(e.id)
    .bind(&e.horodatage)
    .bind(&e.acteur)
    .bind(&e.entite)
    .bind(&e.entite_id)
    .bind(&e.operation)
    .bind(e.avant.as_deref())
    .bind(e.apres.as_deref())
    .bind(&e.hash_precedent)
    .bind(&e.hash)
    .bind(e.colonnes.as_deref())
    .bind(e.cle.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The outcome of a verification of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RapportAudit {
    /// Entries read.
    pub entrees: usize,
    /// The first broken link, if any.
    pub rupture: Option<Rupture>,
    /// Entries whose HMAC was checked with a key this process holds.
    pub authentifiees: usize,
    /// Entries signed by a key this process does not hold: their links to their neighbours
    /// were checked, not their content.
    pub cle_absente: usize,
    /// Entries written before the key (plain SHA-256): their content was checked, but anyone
    /// could have recomputed it.
    pub sans_cle: usize,
    /// Identifier of the key held by this process, if any.
    pub cle: Option<String>,
    /// The anchor compared, if one was given: its entry id.
    pub ancre: Option<i64>,
    /// Money rows that differ from the documents they are computed from (see `sommes.rs`), in
    /// French; empty when they agree.
    pub montants: Vec<String>,
}

impl RapportAudit {
    /// What this verification could prove, in French, for the command line and the pages.
    pub fn portee(&self) -> String {
        let mut parties = Vec::new();
        if self.authentifiees > 0 {
            parties.push(format!(
                "{} entrée(s) authentifiée(s) par la clé",
                self.authentifiees
            ));
        }
        if self.cle_absente > 0 {
            parties.push(format!(
                "{} entrée(s) signée(s) par une clé absente : seule la continuité de la chaîne est vérifiée",
                self.cle_absente
            ));
        }
        if self.sans_cle > 0 {
            parties.push(format!(
                "{} entrée(s) non signée(s) (empreinte SHA-256 seule{})",
                self.sans_cle,
                if self.authentifiees > 0 {
                    ", antérieures à la clé"
                } else {
                    " : seule la continuité de la chaîne est vérifiée"
                }
            ));
        }
        let mut texte = parties.join(" ; ");
        if self.cle.is_none() {
            texte.push_str(if texte.is_empty() { "" } else { ". " });
            texte.push_str(&format!(
                "Clé du journal absente ({VAR_CLE}) : la vérification ne porte que sur la continuité de la chaîne"
            ));
        }
        match self.ancre {
            Some(id) => texte.push_str(&format!(". Ancre comparée : entrée {id}")),
            None => texte.push_str(". Sans ancre, l'effacement des dernières opérations n'est pas décelable"),
        }
        texte
    }

    /// Whether every entry was authenticated by a key held here.
    pub fn authentifie(&self) -> bool {
        self.authentifiees == self.entrees
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rupture {
    /// The audit entry where the chain breaks (0 when the problem is in the data tables).
    pub entree: i64,
    pub raison: String,
}

/// What the tables hold now, keyed like the log: (entity, id) → document, and (entity, id) →
/// key columns.
#[derive(Debug, Default)]
pub(crate) struct EtatActuel {
    pub documents: HashMap<(String, String), String>,
    pub colonnes: HashMap<(String, String), String>,
}

impl EtatActuel {
    /// Reads the key columns of every audited record.
    pub(crate) async fn lire_colonnes(&mut self, conn: &mut sqlx::AnyConnection) -> Resultat<()> {
        for entite in ["contrat", "fiche", "utilisateur", "jeton_api"] {
            for (id, c) in colonnes(&mut *conn, entite, None).await? {
                self.colonnes.insert((entite.to_string(), id), c);
            }
        }
        Ok(())
    }
}

/// The columns whose values differ between two key-column snapshots.
fn colonnes_differentes(journal: &str, actuel: &str) -> Vec<String> {
    let lire =
        |t: &str| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(t).unwrap_or_default();
    let (j, a) = (lire(journal), lire(actuel));
    let mut noms: Vec<&String> = j.keys().chain(a.keys()).collect();
    noms.sort();
    noms.dedup();
    noms.into_iter()
        .filter(|n| j.get(*n) != a.get(*n))
        .map(|n| libelle_colonne(n))
        .collect()
}

/// `rapport` ending at a break.
fn rompre(rapport: &RapportAudit, entree: i64, raison: String) -> RapportAudit {
    RapportAudit {
        rupture: Some(Rupture { entree, raison }),
        ..rapport.clone()
    }
}

/// Walks the chain, checking each entry's link, content and signature; compares the head and
/// the anchor; then compares each record's current document and key columns with its last
/// audited state.
pub(crate) fn verifier(
    entrees: &[EntreeAudit],
    tete: (i64, &str),
    actuels: &EtatActuel,
    cle: Option<&CleAudit>,
    ancre: Option<&Ancre>,
) -> RapportAudit {
    let mut rapport = RapportAudit {
        entrees: entrees.len(),
        rupture: None,
        authentifiees: 0,
        cle_absente: 0,
        sans_cle: 0,
        cle: cle.map(|c| c.identifiant_courant().to_string()),
        ancre: ancre.map(|a| a.id),
        montants: Vec::new(),
    };
    let mut precedent = (0i64, String::new());
    let mut authentifiee_vue = false;
    let mut dernier_etat: HashMap<(String, String), &EntreeAudit> = HashMap::new();
    for e in entrees {
        if e.id != precedent.0 + 1 {
            return rompre(
                &rapport,
                e.id,
                format!(
                    "l'entrée {} suit l'entrée {} : des entrées ont été supprimées",
                    e.id, precedent.0
                ),
            );
        }
        if e.hash_precedent != precedent.1 {
            return rompre(
                &rapport,
                e.id,
                format!(
                    "l'entrée {} ne porte pas l'empreinte de l'entrée {}",
                    e.id, precedent.0
                ),
            );
        }
        let modifiee = || format!("le contenu de l'entrée {} a été modifié après son écriture", e.id);
        match (
            &e.cle,
            e.cle.as_deref().and_then(|id| cle.and_then(|c| c.secret(id))),
        ) {
            (None, _) => {
                if authentifiee_vue {
                    return rompre(
                        &rapport,
                        e.id,
                        format!(
                            "l'entrée {} n'est pas signée alors que les précédentes le sont par la clé : ajoutée ou réécrite hors de Pacte",
                            e.id
                        ),
                    );
                }
                if e.calculer_hash() != e.hash {
                    return rompre(&rapport, e.id, modifiee());
                }
                rapport.sans_cle += 1;
            }
            (Some(_), Some(secret)) => {
                if e.calculer_mac(secret) != e.hash {
                    return rompre(&rapport, e.id, modifiee());
                }
                authentifiee_vue = true;
                rapport.authentifiees += 1;
            }
            (Some(id), None) => {
                if authentifiee_vue {
                    return rompre(
                        &rapport,
                        e.id,
                        format!(
                            "l'entrée {} se dit signée par une clé inconnue ({id}) alors que les précédentes sont authentifiées : ajoutée ou réécrite hors de Pacte",
                            e.id
                        ),
                    );
                }
                rapport.cle_absente += 1;
            }
        }
        dernier_etat.insert((e.entite.clone(), e.entite_id.clone()), e);
        precedent = (e.id, e.hash.clone());
    }
    if tete.0 != precedent.0 || tete.1 != precedent.1 {
        return rompre(
            &rapport,
            precedent.0,
            format!(
                "le journal s'arrête à l'entrée {} alors que sa tête annonce l'entrée {} : des entrées ont été supprimées",
                precedent.0, tete.0
            ),
        );
    }
    if let Some(a) = ancre {
        if let Err(raison) = a.authentique(cle) {
            return rompre(&rapport, 0, raison);
        }
        match entrees.get((a.id - 1).max(0) as usize).filter(|e| e.id == a.id) {
            None => {
                return rompre(
                    &rapport,
                    precedent.0,
                    format!(
                        "le journal s'arrête à l'entrée {} alors que l'ancre du {} atteste l'entrée {} : les dernières opérations ont été effacées",
                        precedent.0, a.horodatage, a.id
                    ),
                );
            }
            Some(e) if e.hash != a.hash => {
                return rompre(
                    &rapport,
                    a.id,
                    format!(
                        "l'entrée {} ne correspond plus à l'ancre du {} : le journal a été réécrit",
                        a.id, a.horodatage
                    ),
                );
            }
            Some(_) => {}
        }
    }
    let mut cles: Vec<_> = actuels.documents.keys().chain(actuels.colonnes.keys()).collect();
    cles.sort();
    cles.dedup();
    for cle in cles {
        let Some(e) = dernier_etat.get(cle) else {
            return rompre(
                &rapport,
                0,
                format!(
                    "{} {} existe dans la base mais n'apparaît pas dans le journal : écrit hors de Pacte",
                    cle.0, cle.1
                ),
            );
        };
        let id = e.id;
        if let Some(contenu) = actuels.documents.get(cle)
            && e.apres.as_deref() != Some(contenu.as_str())
        {
            return rompre(
                &rapport,
                id,
                format!(
                    "{} {} diffère de son dernier état journalisé (entrée {id}) : modifié hors de Pacte",
                    cle.0, cle.1
                ),
            );
        }
        // Entries written before migration 0005 carry no key columns.
        if let (Some(journal), Some(actuel)) = (&e.colonnes, actuels.colonnes.get(cle))
            && journal != actuel
        {
            return rompre(
                &rapport,
                id,
                format!(
                    "{} {} diffère de son dernier état journalisé (entrée {id}), colonne(s) {} : modifié hors de Pacte",
                    cle.0,
                    cle.1,
                    colonnes_differentes(journal, actuel).join(", ")
                ),
            );
        }
    }
    for ((entite, id), e) in &dernier_etat {
        let audite = matches!(
            entite.as_str(),
            "contrat" | "fiche" | "utilisateur" | "jeton_api" | crate::comptes::ENTITE_LIEN_PROCONNECT
        );
        let cle = (entite.clone(), id.clone());
        if audite
            && e.apres.is_some()
            && !actuels.documents.contains_key(&cle)
            && !actuels.colonnes.contains_key(&cle)
        {
            return rompre(
                &rapport,
                e.id,
                format!("{entite} {id} figure au journal mais a disparu de la base : supprimé hors de Pacte"),
            );
        }
    }
    rapport
}

/// The head of the chain at one moment, signed with the key: a line to keep outside the base
/// (`pacte audit ancre`, every backup). Compared later, it shows an erased tail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ancre {
    pub id: i64,
    pub hash: String,
    pub horodatage: String,
    /// The key that signed the anchor, if any, and its HMAC.
    pub cle: Option<String>,
    pub mac: Option<String>,
}

const FORMAT_ANCRE: &str = "pacte-ancre/1";

impl Ancre {
    fn texte_signe(&self) -> String {
        format!("{FORMAT_ANCRE} {} {} {}", self.id, self.hash, self.horodatage)
    }

    /// The anchor of head `(id, hash)` at `horodatage`, signed with the current key if any.
    pub(crate) fn signer(id: i64, hash: &str, horodatage: &str, cle: Option<&CleAudit>) -> Ancre {
        let mut a = Ancre {
            id,
            hash: hash.to_string(),
            horodatage: horodatage.to_string(),
            cle: None,
            mac: None,
        };
        if let Some(c) = cle {
            a.cle = Some(c.identifiant_courant().to_string());
            a.mac = Some(mac(c.secret_courant(), a.texte_signe().as_bytes()));
        }
        a
    }

    /// The line: `pacte-ancre/1 <id> <hash> <horodatage> <clé> <mac>` (`-` for an unsigned one).
    pub fn ligne(&self) -> String {
        format!(
            "{} {} {}",
            self.texte_signe(),
            self.cle.as_deref().unwrap_or("-"),
            self.mac.as_deref().unwrap_or("-")
        )
    }

    /// Reads a line written by [`Ancre::ligne`].
    pub fn lire(ligne: &str) -> Resultat<Ancre> {
        let invalide = || {
            ErreurStore::Invalide(format!(
                "ancre illisible « {} » : attendu « {FORMAT_ANCRE} <entrée> <empreinte> <horodatage> <clé> <signature> », telle qu'affichée par pacte audit ancre",
                ligne.trim()
            ))
        };
        let parties: Vec<&str> = ligne.split_whitespace().collect();
        let [format, id, hash, horodatage, cle, mac] = parties.as_slice() else {
            return Err(invalide());
        };
        if *format != FORMAT_ANCRE {
            return Err(invalide());
        }
        let optionnel = |t: &str| (t != "-").then(|| t.to_string());
        Ok(Ancre {
            id: id.parse().map_err(|_| invalide())?,
            hash: hash.to_string(),
            horodatage: horodatage.to_string(),
            cle: optionnel(cle),
            mac: optionnel(mac),
        })
    }

    /// Checks the anchor's signature with the keys held, when it has one and its key is held.
    fn authentique(&self, cle: Option<&CleAudit>) -> Result<(), String> {
        let (Some(id), Some(m)) = (&self.cle, &self.mac) else {
            return Ok(());
        };
        match cle.and_then(|c| c.secret(id)) {
            Some(secret) if mac(secret, self.texte_signe().as_bytes()) != *m => Err(format!(
                "l'ancre de l'entrée {} n'est pas authentique : sa signature ne correspond pas à la clé {id}",
                self.id
            )),
            _ => Ok(()),
        }
    }
}

/// The entities the store writes to the log.
pub const ENTITES: &[&str] = &[
    "contrat",
    "fiche",
    "utilisateur",
    "jeton_api",
    crate::comptes::ENTITE_LIEN_PROCONNECT,
    "referentiel",
    "acte",
    "piece",
];

/// The operations the store writes to the log.
pub const OPERATIONS: &[&str] = &[
    "creation",
    "modification",
    "suppression",
    "chargement",
    "modification du mot de passe",
    "desactivation",
    "revocation",
    "liaison",
    "autorisation de liaison",
    "annulation",
];

/// A selection of the audit log; every criterion is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FiltreJournal {
    /// Exact entity (`fiche`).
    pub entite: Option<String>,
    /// Part of the actor, whatever its case (`marie@`).
    pub acteur: Option<String>,
    /// Exact operation (`modification`).
    pub operation: Option<String>,
    /// First day, inclusive (`2026-11-01`, UTC).
    pub du: Option<String>,
    /// Last day, inclusive (`2026-11-30`, UTC).
    pub au: Option<String>,
}

/// A page of the log: its entries, newest first, and how many entries match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageJournal {
    pub entrees: Vec<EntreeAudit>,
    pub total: i64,
}

/// `texte` as a `LIKE` pattern matching it anywhere, `!` escaping the wildcards.
fn motif_contient(texte: &str) -> String {
    let mut m = String::from("%");
    for c in texte.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '!') {
            m.push('!');
        }
        m.push(c);
    }
    m.push('%');
    m
}

impl FiltreJournal {
    /// The `WHERE` clause (empty when nothing is filtered) and its parameters, `$1` onwards.
    fn clause(&self) -> (String, Vec<String>) {
        let mut conditions = Vec::new();
        let mut valeurs = Vec::new();
        let mut ajouter = |condition: &str, valeur: String| {
            valeurs.push(valeur);
            conditions.push(condition.replace('?', &format!("${}", valeurs.len())));
        };
        if let Some(e) = &self.entite {
            ajouter("entite = ?", e.clone());
        }
        if let Some(a) = &self.acteur {
            ajouter("LOWER(acteur) LIKE ? ESCAPE '!'", motif_contient(a));
        }
        if let Some(o) = &self.operation {
            ajouter("operation = ?", o.clone());
        }
        // Timestamps are ISO 8601 UTC: their first ten characters are the day.
        if let Some(d) = &self.du {
            ajouter("SUBSTR(horodatage, 1, 10) >= ?", d.clone());
        }
        if let Some(a) = &self.au {
            ajouter("SUBSTR(horodatage, 1, 10) <= ?", a.clone());
        }
        if conditions.is_empty() {
            (String::new(), valeurs)
        } else {
            (format!(" WHERE {}", conditions.join(" AND ")), valeurs)
        }
    }
}

impl crate::Base {
    /// Page `page` (from 1) of the entries selected by `filtre`, `par_page` per page, newest
    /// first; a page past the end is empty.
    pub async fn journal_filtre(
        &self,
        filtre: &FiltreJournal,
        page: i64,
        par_page: i64,
    ) -> Resultat<PageJournal> {
        let (clause, valeurs) = filtre.clause();
        let pool = self.pool();
        let sql = format!("SELECT COUNT(*) AS n FROM audit{clause}");
        let mut compte = sqlx::query(&sql);
        for v in &valeurs {
            compte = compte.bind(v.as_str());
        }
        let total: i64 = compte.fetch_one(pool).await?.try_get("n")?;
        let par_page = par_page.max(1);
        let decalage = (page.max(1) - 1).saturating_mul(par_page);
        let sql = format!(
            "SELECT {COLONNES} FROM audit{clause} ORDER BY id DESC LIMIT ${} OFFSET ${}",
            valeurs.len() + 1,
            valeurs.len() + 2
        );
        let mut q = sqlx::query(&sql);
        for v in &valeurs {
            q = q.bind(v.as_str());
        }
        let entrees = q
            .bind(par_page)
            .bind(decalage)
            .fetch_all(pool)
            .await?
            .iter()
            .map(EntreeAudit::depuis_ligne)
            .collect::<Resultat<_>>()?;
        Ok(PageJournal { entrees, total })
    }

    /// Entry `id` of the log.
    pub async fn entree_audit(&self, id: i64) -> Resultat<Option<EntreeAudit>> {
        sqlx::query(&format!("SELECT {COLONNES} FROM audit WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(EntreeAudit::depuis_ligne)
            .transpose()
    }

    /// Where the fiches of ids `ids` are now: id → (contract id, fiche number). Deleted fiches
    /// are absent.
    pub async fn fiches_par_id(&self, ids: &[i64]) -> Resultat<HashMap<i64, (i64, String)>> {
        let mut trouvees = HashMap::new();
        if ids.is_empty() {
            return Ok(trouvees);
        }
        let marques: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, contrat_id, numero FROM fiches WHERE id IN ({})",
            marques.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        for r in q.fetch_all(self.pool()).await? {
            trouvees.insert(r.try_get("id")?, (r.try_get("contrat_id")?, r.try_get("numero")?));
        }
        Ok(trouvees)
    }

    /// Those of the contracts `ids` that still exist.
    pub async fn contrats_existants(&self, ids: &[i64]) -> Resultat<std::collections::HashSet<i64>> {
        let mut existants = std::collections::HashSet::new();
        if ids.is_empty() {
            return Ok(existants);
        }
        let marques: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT id FROM contrats WHERE id IN ({})", marques.join(", "));
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        for r in q.fetch_all(self.pool()).await? {
            existants.insert(r.try_get("id")?);
        }
        Ok(existants)
    }

    /// The name and address of the accounts with these ids or these addresses, by id: what
    /// makes the actors of audit entries and records readable, in one query for a page.
    pub async fn noms_des_comptes(
        &self,
        ids: &[i64],
        emails: &[String],
    ) -> Resultat<HashMap<i64, (String, String)>> {
        let mut noms = HashMap::new();
        let mut conditions = Vec::new();
        if !ids.is_empty() {
            let marques: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
            conditions.push(format!("id IN ({})", marques.join(", ")));
        }
        if !emails.is_empty() {
            let marques: Vec<String> = (ids.len() + 1..=ids.len() + emails.len())
                .map(|i| format!("${i}"))
                .collect();
            conditions.push(format!("email IN ({})", marques.join(", ")));
        }
        if conditions.is_empty() {
            return Ok(noms);
        }
        let sql = format!(
            "SELECT id, nom, email FROM utilisateurs WHERE {}",
            conditions.join(" OR ")
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        for e in emails {
            q = q.bind(e.as_str());
        }
        for r in q.fetch_all(self.pool()).await? {
            noms.insert(r.try_get("id")?, (r.try_get("nom")?, r.try_get("email")?));
        }
        Ok(noms)
    }
}
