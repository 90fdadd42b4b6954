//! Test bench of the conformance suite: every test runs against a fresh base of its own, on
//! SQLite (a file in a fresh temporary folder) or on PostgreSQL (a fresh database created on
//! the server named by `PACTE_TEST_PG`, dropped afterwards).

/// Declares one conformance test, run once per engine: `mod nom { fn sqlite; fn postgres }`.
#[allow(unused_macros)]
macro_rules! conformite {
    ($(#[$attr:meta])* $nom:ident, $corps:expr) => {
        mod $nom {
            use super::*;

            $(#[$attr])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                executer(Moteur::Sqlite, $corps).await
            }

            $(#[$attr])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                executer(Moteur::Postgres, $corps).await
            }
        }
    };
}

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use pacte_store::{Base, Moteur};
use sqlx::Connection;

/// Administration URL of the PostgreSQL server to test against
/// (`postgres://pacte@127.0.0.1:5432/postgres`).
pub const VAR_PG: &str = "PACTE_TEST_PG";

static COMPTEUR: AtomicU64 = AtomicU64::new(0);

/// A name no other test of any run shares: process id, counter, nanoseconds.
fn nom_unique(prefixe: &str) -> String {
    let n = COMPTEUR.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("{prefixe}_{}_{n}_{nanos}", std::process::id())
}

/// What a test created and must remove.
enum Ressource {
    Dossier(PathBuf),
    BasePg(String),
}

struct Interieur {
    moteur: Moteur,
    admin_pg: Option<String>,
    ressources: Mutex<Vec<Ressource>>,
}

/// Hands out fresh bases of one engine to a test and removes them when it ends.
#[derive(Clone)]
pub struct Banc(Arc<Interieur>);

impl Banc {
    /// The engine this test runs against.
    pub fn moteur(&self) -> Moteur {
        self.0.moteur
    }

    fn retenir(&self, r: Ressource) {
        self.0.ressources.lock().expect("ressources").push(r);
    }

    /// The URL of a fresh, empty SQLite base (whatever the engine under test).
    pub fn url_sqlite(&self) -> String {
        let dossier = std::env::temp_dir().join(nom_unique("pacte-conformite"));
        std::fs::create_dir_all(&dossier).expect("dossier temporaire");
        let url = format!("sqlite://{}/pacte.db", dossier.display());
        self.retenir(Ressource::Dossier(dossier));
        url
    }

    /// The URL of a fresh, empty database of the engine under test.
    pub async fn url(&self) -> String {
        match self.moteur() {
            Moteur::Sqlite => self.url_sqlite(),
            Moteur::Postgres => {
                let admin = self
                    .0
                    .admin_pg
                    .as_deref()
                    .expect("URL d'administration PostgreSQL");
                let nom = nom_unique("pacte_t");
                let mut conn = sqlx::postgres::PgConnection::connect(admin)
                    .await
                    .unwrap_or_else(|e| panic!("connexion à {VAR_PG} ({admin}) impossible : {e}"));
                sqlx::raw_sql(&format!("CREATE DATABASE {nom}"))
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("CREATE DATABASE {nom} : {e}"));
                let _ = conn.close().await;
                self.retenir(Ressource::BasePg(nom.clone()));
                url_base_pg(admin, &nom)
            }
        }
    }

    /// A fresh base of the engine under test, opened, with its URL.
    pub async fn base_et_url(&self) -> (Base, String) {
        let url = self.url().await;
        let base = Base::ouvrir(&url)
            .await
            .unwrap_or_else(|e| panic!("ouverture de {url} : {e}"));
        (base, url)
    }

    /// A fresh base of the engine under test, opened.
    pub async fn base(&self) -> Base {
        self.base_et_url().await.0
    }

    /// A fresh SQLite base, opened (whatever the engine under test).
    pub async fn base_sqlite(&self) -> Base {
        let url = self.url_sqlite();
        Base::ouvrir(&url)
            .await
            .unwrap_or_else(|e| panic!("ouverture de {url} : {e}"))
    }

    /// Removes what the test created. Temporary SQLite folders of a failed test are kept for
    /// inspection; PostgreSQL databases are always dropped (the server is shared).
    async fn nettoyer(&self, reussi: bool) {
        let ressources = std::mem::take(&mut *self.0.ressources.lock().expect("ressources"));
        let mut conn = None;
        for r in ressources {
            match r {
                Ressource::Dossier(d) if reussi => {
                    let _ = std::fs::remove_dir_all(&d);
                }
                Ressource::Dossier(d) => eprintln!("base SQLite conservée : {}", d.display()),
                Ressource::BasePg(nom) => {
                    if conn.is_none()
                        && let Some(admin) = self.0.admin_pg.as_deref()
                    {
                        conn = sqlx::postgres::PgConnection::connect(admin).await.ok();
                    }
                    if let Some(c) = conn.as_mut()
                        && let Err(e) = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {nom} WITH (FORCE)"))
                            .execute(&mut *c)
                            .await
                    {
                        eprintln!("DROP DATABASE {nom} : {e}");
                    }
                }
            }
        }
        if let Some(c) = conn {
            let _ = c.close().await;
        }
    }
}

/// `postgres://u@h:p/postgres?opt` with the database `nom`: `postgres://u@h:p/nom?opt`.
fn url_base_pg(admin: &str, nom: &str) -> String {
    let (sans_options, options) = match admin.split_once('?') {
        Some((u, o)) => (u, Some(o)),
        None => (admin, None),
    };
    let debut_hote = sans_options.find("://").map_or(0, |i| i + 3);
    let serveur = match sans_options[debut_hote..].find('/') {
        Some(i) => &sans_options[..debut_hote + i],
        None => sans_options,
    };
    match options {
        Some(o) => format!("{serveur}/{nom}?{o}"),
        None => format!("{serveur}/{nom}"),
    }
}

/// Runs one test body against `moteur`, then cleans up, whether the body passed or panicked.
///
/// Without `PACTE_TEST_PG`, the PostgreSQL variant is skipped with a notice, except in CI
/// (`CI=true`), where it fails.
pub async fn executer<F, Fut>(moteur: Moteur, corps: F)
where
    F: FnOnce(Banc) -> Fut,
    Fut: Future<Output = ()>,
{
    let admin_pg = match moteur {
        Moteur::Sqlite => None,
        Moteur::Postgres => match std::env::var(VAR_PG) {
            Ok(url) if !url.trim().is_empty() => Some(url.trim().to_string()),
            _ => {
                let ci = std::env::var("CI").unwrap_or_default();
                if ci.eq_ignore_ascii_case("true") || ci == "1" {
                    panic!(
                        "PostgreSQL requis en CI : définir {VAR_PG} (par exemple avec eval \"$(scripts/pg-cluster start)\")"
                    );
                }
                eprintln!("{VAR_PG} non défini : variante PostgreSQL non exécutée");
                return;
            }
        },
    };
    let banc = Banc(Arc::new(Interieur {
        moteur,
        admin_pg,
        ressources: Mutex::new(Vec::new()),
    }));
    // A panic of the body comes back here as a value: the bases are removed before the
    // failure is passed on.
    let resultat = SansPanique(Box::pin(corps(banc.clone()))).await;
    banc.nettoyer(resultat.is_ok()).await;
    if let Err(panique) = resultat {
        std::panic::resume_unwind(panique);
    }
}

/// Polls a future, turning a panic into an error.
struct SansPanique<F>(Pin<Box<F>>);

impl<F: Future<Output = ()>> Future for SansPanique<F> {
    type Output = Result<(), Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let fut = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(())) => Poll::Ready(Ok(())),
            Err(panique) => Poll::Ready(Err(panique)),
        }
    }
}

#[test]
fn adresse_de_la_base_de_test() {
    assert_eq!(
        url_base_pg("postgres://pacte@127.0.0.1:5432/postgres", "pacte_t_1"),
        "postgres://pacte@127.0.0.1:5432/pacte_t_1"
    );
    assert_eq!(
        url_base_pg("postgresql://u:p@h/postgres?sslmode=disable", "x"),
        "postgresql://u:p@h/x?sslmode=disable"
    );
    assert_eq!(url_base_pg("postgres://h:1", "x"), "postgres://h:1/x");
}
