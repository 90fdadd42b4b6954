//! What differs between SQLite and PostgreSQL, and only that: URL handling, connection set-up,
//! embedded migrations, the snapshot statement, sequence reset and integrity check.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{Any, AnyPool, Row, Transaction};

use crate::erreur::{ErreurStore, Resultat};

/// The database engine behind a base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Moteur {
    Sqlite,
    Postgres,
}

const MIGRATIONS_SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "comptes",
        include_str!("../migrations/sqlite/0002_comptes.sql"),
    ),
    (
        3,
        "proconnect",
        include_str!("../migrations/sqlite/0003_proconnect.sql"),
    ),
    (
        5,
        "audit_cle",
        include_str!("../migrations/sqlite/0005_audit_cle.sql"),
    ),
    (
        6,
        "montants",
        include_str!("../migrations/sqlite/0006_montants.sql"),
    ),
    (
        7,
        "proconnect_sub",
        include_str!("../migrations/sqlite/0007_proconnect_sub.sql"),
    ),
    (
        8,
        "actes_pieces",
        include_str!("../migrations/sqlite/0008_actes_pieces.sql"),
    ),
    (
        9,
        "echanges",
        include_str!("../migrations/sqlite/0009_echanges.sql"),
    ),
    (
        10,
        "executions",
        include_str!("../migrations/sqlite/0010_executions.sql"),
    ),
    (
        13,
        "versions_signees",
        include_str!("../migrations/sqlite/0013_versions_signees.sql"),
    ),
    (
        14,
        "campagnes",
        include_str!("../migrations/sqlite/0014_campagnes.sql"),
    ),
    (
        15,
        "projection_execution",
        include_str!("../migrations/sqlite/0015_projection_execution.sql"),
    ),
    (
        16,
        "textes_rapports",
        include_str!("../migrations/sqlite/0016_textes_rapports.sql"),
    ),
    (
        17,
        "rappels",
        include_str!("../migrations/sqlite/0017_rappels.sql"),
    ),
];
const MIGRATIONS_POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "comptes",
        include_str!("../migrations/postgres/0002_comptes.sql"),
    ),
    (
        3,
        "proconnect",
        include_str!("../migrations/postgres/0003_proconnect.sql"),
    ),
    (
        5,
        "audit_cle",
        include_str!("../migrations/postgres/0005_audit_cle.sql"),
    ),
    (
        6,
        "montants",
        include_str!("../migrations/postgres/0006_montants.sql"),
    ),
    (
        7,
        "proconnect_sub",
        include_str!("../migrations/postgres/0007_proconnect_sub.sql"),
    ),
    (
        8,
        "actes_pieces",
        include_str!("../migrations/postgres/0008_actes_pieces.sql"),
    ),
    (
        9,
        "echanges",
        include_str!("../migrations/postgres/0009_echanges.sql"),
    ),
    (
        10,
        "executions",
        include_str!("../migrations/postgres/0010_executions.sql"),
    ),
    (
        13,
        "versions_signees",
        include_str!("../migrations/postgres/0013_versions_signees.sql"),
    ),
    (
        14,
        "campagnes",
        include_str!("../migrations/postgres/0014_campagnes.sql"),
    ),
    (
        15,
        "projection_execution",
        include_str!("../migrations/postgres/0015_projection_execution.sql"),
    ),
    (
        16,
        "textes_rapports",
        include_str!("../migrations/postgres/0016_textes_rapports.sql"),
    ),
    (
        17,
        "rappels",
        include_str!("../migrations/postgres/0017_rappels.sql"),
    ),
];

/// Migrations compiled into the binary.
#[derive(Debug)]
struct Embarquees(&'static [(i64, &'static str, &'static str)]);

impl<'s> MigrationSource<'s> for Embarquees {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|(v, d, sql)| {
                    Migration::new(
                        *v,
                        Cow::Borrowed(*d),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

impl Moteur {
    pub fn depuis_url(url: &str) -> Resultat<Moteur> {
        if url.starts_with("sqlite:") {
            Ok(Moteur::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Moteur::Postgres)
        } else {
            Err(ErreurStore::Adresse(url.to_string()))
        }
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Moteur::Sqlite => "SQLite",
            Moteur::Postgres => "PostgreSQL",
        }
    }

    /// The URL to connect with. For SQLite: creates the folder and asks for the file to be
    /// created if missing.
    pub(crate) fn preparer(self, url: &str) -> Resultat<String> {
        match self {
            Moteur::Postgres => Ok(url.to_string()),
            Moteur::Sqlite => {
                let chemin = url.trim_start_matches("sqlite:").trim_start_matches("//");
                let (fichier, options) = chemin.split_once('?').unwrap_or((chemin, ""));
                if fichier.is_empty() {
                    return Err(ErreurStore::Adresse(url.to_string()));
                }
                if fichier != ":memory:"
                    && let Some(parent) = std::path::Path::new(fichier).parent()
                    && !parent.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        ErreurStore::Invalide(format!(
                            "impossible de créer le dossier {} : {e}",
                            parent.display()
                        ))
                    })?;
                }
                let options = if options.contains("mode=") {
                    options.to_string()
                } else {
                    format!("mode=rwc&{options}")
                };
                Ok(format!("sqlite://{fichier}?{}", options.trim_end_matches('&')))
            }
        }
    }

    pub(crate) fn connexions_max(self) -> u32 {
        match self {
            Moteur::Sqlite => 4,
            Moteur::Postgres => 8,
        }
    }

    /// Engine settings that persist in the base: SQLite in WAL mode (readers never block the
    /// writer, a crash never leaves a half-written transaction).
    pub(crate) async fn configurer(self, pool: &AnyPool) -> Resultat<()> {
        if self == Moteur::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL").execute(pool).await?;
        }
        Ok(())
    }

    pub(crate) async fn migrateur(self) -> Resultat<Migrator> {
        let source = match self {
            Moteur::Sqlite => Embarquees(MIGRATIONS_SQLITE),
            Moteur::Postgres => Embarquees(MIGRATIONS_POSTGRES),
        };
        Ok(Migrator::new(source).await?)
    }

    /// Makes a read transaction see one consistent snapshot (SQLite's WAL transactions do so
    /// already).
    pub(crate) async fn instantane(self, tx: &mut Transaction<'_, Any>) -> Resultat<()> {
        if self == Moteur::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// After rows were inserted with explicit ids, moves each table's id generator past
    /// `plus_grand` — the highest id the table ever held, deleted rows included, so that an
    /// id named in the audit log is never handed out again.
    pub(crate) async fn reprendre_identifiants(
        self,
        tx: &mut Transaction<'_, Any>,
        plus_grands: &[(&str, i64)],
    ) -> Resultat<()> {
        for (table, plus_grand) in plus_grands {
            match self {
                Moteur::Postgres => {
                    sqlx::query(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), $1 + 1, false)"
                    ))
                    .bind(*plus_grand)
                    .execute(&mut **tx)
                    .await?;
                }
                Moteur::Sqlite => {
                    sqlx::query("DELETE FROM sqlite_sequence WHERE name = $1")
                        .bind(*table)
                        .execute(&mut **tx)
                        .await?;
                    sqlx::query("INSERT INTO sqlite_sequence (name, seq) VALUES ($1, $2)")
                        .bind(*table)
                        .bind(*plus_grand)
                        .execute(&mut **tx)
                        .await?;
                }
            }
        }
        Ok(())
    }

    pub(crate) async fn integrite(self, pool: &AnyPool) -> Resultat<Vec<String>> {
        match self {
            Moteur::Sqlite => {
                let lignes = sqlx::query("PRAGMA integrity_check").fetch_all(pool).await?;
                let mut problemes = Vec::new();
                for l in lignes {
                    let m: String = l.try_get(0)?;
                    if m != "ok" {
                        problemes.push(m);
                    }
                }
                let fk = sqlx::query("PRAGMA foreign_key_check").fetch_all(pool).await?;
                if !fk.is_empty() {
                    problemes.push(format!("{} référence(s) orpheline(s)", fk.len()));
                }
                Ok(problemes)
            }
            // PostgreSQL enforces constraints on every write and checksums its pages itself.
            Moteur::Postgres => Ok(Vec::new()),
        }
    }
}
