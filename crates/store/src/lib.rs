//! Persistence of Pacte: SQLite (embedded default, one file) and PostgreSQL (shared
//! deployments), behind one [`Base`].
//!
//! The business code is written once against sqlx's `Any` driver with portable SQL
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT DO NOTHING`, TEXT JSON documents). What
//! differs between the engines is confined to [`Moteur`]: its embedded migrations, connection
//! set-up, the snapshot statement of a backup, the sequence reset after a restore and the
//! integrity check. No query is written twice.
//!
//! Every write goes through one path, [`ecriture`]: one transaction that takes the head of
//! the hash-chained audit log ([`audit`]) first, checks the version of the record it changes
//! (optimistic concurrency) and the caller's guards, writes, and appends the audit entries.
//!
//! `Base` is split by aggregate: [`contrats`] (contracts and fiches), [`comptes`] (accounts,
//! sessions, tokens), [`audit`] (the log and its pages), [`sauvegarde`] (backup, restore,
//! move); this file holds the opening of a base and the reference data.

pub mod actes;
mod apparies;
pub mod audit;
pub mod campagnes;
pub mod comptes;
pub mod consolidation;
pub mod contrats;
pub mod echanges;
mod ecriture;
mod erreur;
pub mod executions;
pub mod historique;
pub mod horloge;
mod moteur;
pub mod pieces;
pub mod projection_execution;
pub mod rappels;
pub mod recherche;
pub mod sauvegarde;
pub mod sommes;
pub mod textes_rapports;
pub mod versions_signees;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Row, Transaction};

pub use actes::ActeStocke;
pub use audit::{Ancre, CleAudit, EntreeAudit, FiltreJournal, PageJournal, RapportAudit, SourceCle};
pub use contrats::{ContratStocke, ResumeContrat};
pub use erreur::{ErreurStore, Refus, Resultat};
pub use moteur::Moteur;
pub use pieces::{NouvellePiece, Piece, TypePiece};

/// The default base: one SQLite file in `donnees/`.
pub const BASE_PAR_DEFAUT: &str = "sqlite://donnees/pacte.db";

/// A record's concurrency stamp: its version and who changed it last, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tampon {
    pub id: i64,
    pub version: i64,
    pub modifie_par: String,
    pub modifie_le: String,
}

/// An open base.
#[derive(Debug, Clone)]
pub struct Base {
    pool: AnyPool,
    moteur: Moteur,
    /// Write transactions committed through this handle (and its clones): lets caches see
    /// this process's own writes at once.
    ecritures: Arc<AtomicU64>,
    /// Contracts read in full (header and fiches) through this handle: lets tests check that
    /// a list reads only what it shows.
    lectures_completes: Arc<AtomicU64>,
    /// The key of the audit log, read from a file outside the base; `None`: entries are
    /// chained by SHA-256 only.
    cle: Option<Arc<CleAudit>>,
    /// The key file, when one is named (for messages).
    chemin_cle: Option<std::path::PathBuf>,
}

/// A stored document: JSON of a domain value, refused when it holds a NUL character (which
/// PostgreSQL cannot store in text, and which no legitimate contract contains).
fn document<T: Serialize>(v: &T, quoi: &str) -> Resultat<String> {
    let texte = json(v);
    if texte.contains("\\u0000") {
        return Err(ErreurStore::Invalide(format!(
            "{quoi} contient un caractère nul (U+0000), interdit"
        )));
    }
    Ok(texte)
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("domain values serialize to JSON")
}

fn lire_json<T: serde::de::DeserializeOwned>(texte: &str, quoi: &str) -> Resultat<T> {
    serde_json::from_str(texte).map_err(|e| ErreurStore::Corrompue(format!("{quoi} : {e}")))
}

impl Base {
    /// Opens (and creates if needed) the base at `url`, runs the migrations, loads the key of
    /// the audit log ([`SourceCle::Defaut`]) and the reference data (référentiel version,
    /// territories).
    pub async fn ouvrir(url: &str) -> Resultat<Base> {
        Base::ouvrir_avec(url, SourceCle::Defaut).await
    }

    /// [`Base::ouvrir`] with the key of the audit log taken from `source`. A missing key file
    /// is created (one new key, mode 0600) when the chain is not signed yet; when the chain's
    /// last entry is signed and the file is missing, the base opens without a key: reads and
    /// the verification of the chain's continuity work, writes are refused.
    pub async fn ouvrir_avec(url: &str, source: SourceCle) -> Resultat<Base> {
        sqlx::any::install_default_drivers();
        let moteur = Moteur::depuis_url(url)?;
        let url_connexion = moteur.preparer(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(moteur.connexions_max())
            .connect(&url_connexion)
            .await?;
        let mut base = Base {
            pool,
            moteur,
            ecritures: Arc::new(AtomicU64::new(0)),
            lectures_completes: Arc::new(AtomicU64::new(0)),
            cle: None,
            chemin_cle: source.chemin(url),
        };
        moteur.configurer(&base.pool).await?;
        moteur.migrateur().await?.run(&base.pool).await?;
        if let Some(chemin) = base.chemin_cle.clone() {
            base.cle = if chemin.exists() {
                Some(Arc::new(CleAudit::lire(&chemin)?))
            } else if base.derniere_cle().await?.is_none() {
                Some(Arc::new(CleAudit::creer(&chemin)?))
            } else {
                None
            };
        }
        base.charger_reference().await?;
        base.construire_montants().await?;
        base.rafraichir_projection_execution().await?;
        Ok(base)
    }

    /// The key of the last audit entry, if it is signed.
    async fn derniere_cle(&self) -> Resultat<Option<String>> {
        let r = sqlx::query(
            "SELECT a.cle FROM audit_tete t LEFT JOIN audit a ON a.id = t.dernier_id WHERE t.id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(r.try_get("cle")?)
    }

    /// The key of the audit log held by this handle.
    pub fn cle_audit(&self) -> Option<&CleAudit> {
        self.cle.as_deref()
    }

    /// The key file named for this base, whether or not it could be read.
    pub fn chemin_cle_audit(&self) -> Option<&std::path::Path> {
        self.chemin_cle.as_deref()
    }

    pub fn moteur(&self) -> Moteur {
        self.moteur
    }

    /// Commits a write transaction and counts it.
    pub(crate) async fn valider(&self, tx: Transaction<'_, Any>) -> Resultat<()> {
        tx.commit().await?;
        self.ecritures.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// Number of contracts read in full through this handle (and its clones) since it was
    /// opened.
    pub fn lectures_completes(&self) -> u64 {
        self.lectures_completes.load(Ordering::SeqCst)
    }

    pub(crate) fn compter_lecture_complete(&self) {
        self.lectures_completes.fetch_add(1, Ordering::SeqCst);
    }

    /// Number of write transactions committed through this handle since it was opened.
    pub fn ecritures_locales(&self) -> u64 {
        self.ecritures.load(Ordering::SeqCst)
    }

    /// The generation of the data: the id of the last audit entry. Every write, by any process,
    /// moves it; a cache keyed by it is never stale.
    pub async fn generation(&self) -> Resultat<i64> {
        let r = sqlx::query("SELECT dernier_id FROM audit_tete WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("dernier_id")?)
    }

    pub async fn fermer(self) {
        self.pool.close().await;
    }

    /// Stores the référentiel version and the territories compiled into this binary.
    async fn charger_reference(&self) -> Resultat<()> {
        let r = pacte_core::referentiel::referentiel();
        let empreinte = sauvegarde::empreinte_texte(&json(r));
        let actuelle: Option<String> = sqlx::query("SELECT empreinte FROM referentiel_version WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.try_get("empreinte"))
            .transpose()?;
        if actuelle.as_deref() == Some(empreinte.as_str()) {
            return Ok(());
        }
        let mut e = self.ecriture("systeme").await?;
        let maintenant = e.maintenant().to_string();
        let t = pacte_core::territoires::territoires();
        for region in &t.regions {
            sqlx::query("INSERT INTO regions (code, nom) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET nom = excluded.nom")
                .bind(&region.code)
                .bind(&region.nom)
                .execute(e.conn())
                .await?;
        }
        for d in &t.departements {
            sqlx::query(
                "INSERT INTO departements (code, nom, region) VALUES ($1, $2, $3) \
                 ON CONFLICT (code) DO UPDATE SET nom = excluded.nom, region = excluded.region",
            )
            .bind(&d.code)
            .bind(&d.nom)
            .bind(&d.region)
            .execute(e.conn())
            .await?;
        }
        for c in &t.collectivites {
            let texte = |v: &dyn erased::Texte| v.texte();
            sqlx::query(
                "INSERT INTO collectivites (code, nom, nature, siren, departement, eligibilite) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (code) DO UPDATE SET nom = excluded.nom, nature = excluded.nature, siren = excluded.siren, \
                 departement = excluded.departement, eligibilite = excluded.eligibilite",
            )
            .bind(&c.code)
            .bind(&c.nom)
            .bind(texte(&c.nature))
            .bind(c.siren.as_ref().map(|s| s.as_str().to_string()))
            .bind(&c.departement)
            .bind(texte(&c.eligibilite))
            .execute(e.conn())
            .await?;
        }
        let apres = json(&serde_json::json!({ "version": r.version, "empreinte": empreinte }));
        let avant: Option<String> = actuelle.map(|e| json(&serde_json::json!({ "empreinte": e })));
        sqlx::query(
            "INSERT INTO referentiel_version (id, version, empreinte, charge_le) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, empreinte = excluded.empreinte, charge_le = excluded.charge_le",
        )
        .bind(&r.version)
        .bind(&empreinte)
        .bind(&maintenant)
        .execute(e.conn())
        .await?;
        e.consigner("referentiel", "1", "chargement", avant.as_deref(), Some(&apres))
            .await?;
        e.conclure().await
    }

    /// Computes the money rows of the contracts stored before they existed (migration 0006),
    /// once: derived data, in one transaction, not audited.
    async fn construire_montants(&self) -> Resultat<()> {
        let fait: i64 = sqlx::query("SELECT fait FROM montants_construits WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get("fait")?;
        if fait == 0 {
            let mut tx = self.pool.begin().await?;
            sommes::reconstruire(&mut tx).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The référentiel version stored in the base.
    pub async fn version_referentiel(&self) -> Resultat<String> {
        let r = sqlx::query("SELECT version FROM referentiel_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("version")?)
    }

    /// Number of rows of a reference table (`regions`, `departements`, `collectivites`).
    pub async fn compter(&self, table: &str) -> Resultat<i64> {
        let table = match table {
            "regions" | "departements" | "collectivites" | "contrats" | "fiches" | "audit" => table,
            _ => return Err(ErreurStore::Invalide(format!("table inconnue {table}"))),
        };
        let r = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("n")?)
    }

    /// The audit log from entry `depuis` (inclusive), at most `limite` entries.
    pub async fn journal(&self, depuis: i64, limite: i64) -> Resultat<Vec<EntreeAudit>> {
        let lignes = sqlx::query(&format!(
            "SELECT {} FROM audit WHERE id >= $1 ORDER BY id LIMIT $2",
            audit::COLONNES
        ))
        .bind(depuis)
        .bind(limite)
        .fetch_all(&self.pool)
        .await?;
        lignes.iter().map(EntreeAudit::depuis_ligne).collect()
    }

    /// Walks the audit chain, checking every entry's signature with the keys held, and checks
    /// that every record — its document and its key columns — matches its last audited state.
    pub async fn verifier_audit(&self) -> Resultat<RapportAudit> {
        self.verifier_audit_ancre(None).await
    }

    /// [`Base::verifier_audit`], and the chain must still hold the entry of `ancre`, unchanged.
    pub async fn verifier_audit_ancre(&self, ancre: Option<&Ancre>) -> Resultat<RapportAudit> {
        let mut tx = self.pool.begin().await?;
        self.moteur.instantane(&mut tx).await?;
        let entrees: Vec<EntreeAudit> =
            sqlx::query(&format!("SELECT {} FROM audit ORDER BY id", audit::COLONNES))
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(EntreeAudit::depuis_ligne)
                .collect::<Resultat<_>>()?;
        let t = sqlx::query("SELECT dernier_id, dernier_hash FROM audit_tete WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let tete: (i64, String) = (t.try_get("dernier_id")?, t.try_get("dernier_hash")?);
        let mut actuels = audit::EtatActuel::default();
        for r in sqlx::query("SELECT id, entete FROM contrats")
            .fetch_all(&mut *tx)
            .await?
        {
            actuels.documents.insert(
                ("contrat".to_string(), r.try_get::<i64, _>("id")?.to_string()),
                r.try_get("entete")?,
            );
        }
        for r in sqlx::query("SELECT id, donnees FROM fiches")
            .fetch_all(&mut *tx)
            .await?
        {
            actuels.documents.insert(
                ("fiche".to_string(), r.try_get::<i64, _>("id")?.to_string()),
                r.try_get("donnees")?,
            );
        }
        actuels.documents.extend(comptes::vues_actuelles(&mut tx).await?);
        actuels
            .documents
            .extend(comptes::vues_liens_proconnect(&mut tx).await?);
        actuels.documents.extend(actes::documents_audites(&mut tx).await?);
        actuels.lire_colonnes(&mut tx).await?;
        let montants = sommes::ecarts(&mut tx).await?;
        tx.commit().await?;
        let mut rapport = audit::verifier(&entrees, (tete.0, &tete.1), &actuels, self.cle.as_deref(), ancre);
        rapport.montants = montants;
        Ok(rapport)
    }

    /// The head of the audit chain now, signed with the key if this handle holds one: the line
    /// of `pacte audit ancre`, to keep outside the base.
    pub async fn ancre(&self) -> Resultat<Ancre> {
        let t = sqlx::query("SELECT dernier_id, dernier_hash FROM audit_tete WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(Ancre::signer(
            t.try_get("dernier_id")?,
            &t.try_get::<String, _>("dernier_hash")?,
            &horloge::maintenant(),
            self.cle.as_deref(),
        ))
    }

    /// The engine's own integrity check (SQLite `PRAGMA integrity_check`); empty when sound.
    pub async fn integrite(&self) -> Resultat<Vec<String>> {
        self.moteur.integrite(&self.pool).await
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Serializes small serde enums to their text form (`"metropole"`).
mod erased {
    pub trait Texte {
        fn texte(&self) -> String;
    }
    impl<T: serde::Serialize> Texte for T {
        fn texte(&self) -> String {
            serde_json::to_value(self)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        }
    }
}
