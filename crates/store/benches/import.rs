//! Store benchmarks, on SQLite (a temporary file) and, when `PACTE_TEST_PG` names a server
//! (administration URL), on PostgreSQL (a fresh database, dropped afterwards).
//!
//! Two measures, each next to an in-memory reference measured in the same run, so that the
//! ratio tells what the engine costs beyond the JSON work every write or read does anyway:
//! - import of the national set (125 contracts × 60 fiches) in one `Base::importer` call;
//!   reference: `serde_json::to_string` of every contract. Targets: < 3 s on SQLite,
//!   < 5 s on PostgreSQL.
//! - load of one full contract (`Base::contrat`), median over many loads; reference:
//!   `serde_json::from_str` of that contract's JSON. Target: < 5 ms.
//!
//! `cargo bench -p pacte-store --bench import`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pacte_core::Contrat;
use pacte_core::jeu_national::jeu_national_standard;
use pacte_store::{Base, Moteur};
use sqlx::Connection;

/// Administration URL of the PostgreSQL server (`postgres://pacte@127.0.0.1:5432/postgres`).
const VAR_PG: &str = "PACTE_TEST_PG";
/// Imports per engine, each into a fresh base; the median is reported.
const IMPORTS: usize = 3;
/// Timed loads of one contract.
const CHARGEMENTS: usize = 200;
/// Untimed loads first (connections, caches).
const CHAUFFE: usize = 20;
/// Runs of the import reference (serializing the whole set).
const REFERENCES_IMPORT: usize = 7;
const CIBLE_CHARGEMENT: Duration = Duration::from_millis(5);

fn cible_import(moteur: Moteur) -> Duration {
    match moteur {
        Moteur::Sqlite => Duration::from_secs(3),
        Moteur::Postgres => Duration::from_secs(5),
    }
}

fn mediane(mut mesures: Vec<Duration>) -> Duration {
    mesures.sort();
    mesures[mesures.len() / 2]
}

/// A decimal number the French way: `1,84`.
fn decimal(x: f64, decimales: usize) -> String {
    format!("{x:.decimales$}").replace('.', ",")
}

/// An integer with thousands separated by spaces: `7 500`.
fn entier(n: usize) -> String {
    let chiffres = n.to_string();
    let mut s = String::new();
    for (i, c) in chiffres.chars().enumerate() {
        if i > 0 && (chiffres.len() - i).is_multiple_of(3) {
            s.push(' ');
        }
        s.push(c);
    }
    s
}

/// Decimals for three significant digits (two at least).
fn decimales(x: f64) -> usize {
    if x >= 1.0 || x <= 0.0 {
        2
    } else {
        (2 - x.log10().floor() as i64).max(2) as usize
    }
}

/// Seconds: `1,84 s`, `0,0612 s`.
fn secondes(d: Duration) -> String {
    let s = d.as_secs_f64();
    format!("{} s", decimal(s, decimales(s)))
}

/// Milliseconds: `1,23 ms`, `0,153 ms`.
fn millisecondes(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    format!("{} ms", decimal(ms, decimales(ms)))
}

fn rapport(mesure: Duration, reference: Duration) -> String {
    decimal(mesure.as_secs_f64() / reference.as_secs_f64(), 1)
}

fn verdict(mesure: Duration, cible: Duration) -> &'static str {
    if mesure < cible {
        "cible atteinte"
    } else {
        "CIBLE MANQUÉE"
    }
}

/// The in-memory references, measured once for both engines.
struct References {
    /// `serde_json::to_string` of every contract of the set.
    serialisation: Duration,
    /// `serde_json::from_str` of the loaded contract's JSON.
    deserialisation: Duration,
}

fn mesurer_references(jeu: &[Contrat], charge: usize) -> References {
    let serialisation = mediane(
        (0..REFERENCES_IMPORT)
            .map(|_| {
                let debut = Instant::now();
                let octets: usize = jeu
                    .iter()
                    .map(|c| serde_json::to_string(black_box(c)).expect("JSON").len())
                    .sum();
                black_box(octets);
                debut.elapsed()
            })
            .collect(),
    );
    let texte = serde_json::to_string(&jeu[charge]).expect("JSON");
    for _ in 0..CHAUFFE {
        black_box(serde_json::from_str::<Contrat>(&texte).expect("JSON"));
    }
    let deserialisation = mediane(
        (0..CHARGEMENTS)
            .map(|_| {
                let debut = Instant::now();
                black_box(serde_json::from_str::<Contrat>(black_box(&texte)).expect("JSON"));
                debut.elapsed()
            })
            .collect(),
    );
    References {
        serialisation,
        deserialisation,
    }
}

/// A name no other run shares.
fn nom_unique(prefixe: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("{prefixe}_{}_{nanos}", std::process::id())
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

/// Where the fresh bases of one engine come from, and how they are removed.
enum Banc {
    Sqlite(PathBuf),
    Postgres { admin: String, bases: Vec<String> },
}

impl Banc {
    fn moteur(&self) -> Moteur {
        match self {
            Banc::Sqlite(_) => Moteur::Sqlite,
            Banc::Postgres { .. } => Moteur::Postgres,
        }
    }

    /// The URL of a fresh, empty base.
    async fn url(&mut self, i: usize) -> String {
        match self {
            Banc::Sqlite(dossier) => format!("sqlite://{}/pacte-{i}.db", dossier.display()),
            Banc::Postgres { admin, bases } => {
                let nom = nom_unique("pacte_banc");
                let mut conn = sqlx::postgres::PgConnection::connect(admin)
                    .await
                    .unwrap_or_else(|e| panic!("connexion à {VAR_PG} impossible : {e}"));
                sqlx::raw_sql(&format!("CREATE DATABASE {nom}"))
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("CREATE DATABASE {nom} : {e}"));
                let _ = conn.close().await;
                bases.push(nom.clone());
                url_base_pg(admin, &nom)
            }
        }
    }

    async fn nettoyer(self) {
        match self {
            Banc::Sqlite(dossier) => {
                let _ = std::fs::remove_dir_all(dossier);
            }
            Banc::Postgres { admin, bases } => {
                let Ok(mut conn) = sqlx::postgres::PgConnection::connect(&admin).await else {
                    eprintln!("bases PostgreSQL non supprimées : {}", bases.join(", "));
                    return;
                };
                for nom in bases {
                    if let Err(e) = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {nom} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await
                    {
                        eprintln!("DROP DATABASE {nom} : {e}");
                    }
                }
                let _ = conn.close().await;
            }
        }
    }
}

/// Both measures on one engine; prints their lines.
async fn mesurer(mut banc: Banc, jeu: &[Contrat], charge: usize, references: &References) {
    let moteur = banc.moteur();
    let nom = moteur.libelle();
    let fiches: usize = jeu.iter().map(|c| c.fiches.len()).sum();

    // Import: each time into a fresh base; the last one is kept for the loads.
    let mut durees = Vec::with_capacity(IMPORTS);
    let mut derniere = None;
    for i in 0..IMPORTS {
        let url = banc.url(i).await;
        let base = Base::ouvrir(&url)
            .await
            .unwrap_or_else(|e| panic!("ouverture de {url} : {e}"));
        let debut = Instant::now();
        let ids = base.importer(jeu, "banc:import").await.expect("import");
        durees.push(debut.elapsed());
        assert_eq!(ids.len(), jeu.len());
        if let Some((b, _)) = derniere.replace((base, ids)) {
            b.fermer().await;
        }
    }
    let extremes = (
        *durees.iter().min().expect("imports"),
        *durees.iter().max().expect("imports"),
    );
    let import = mediane(durees);
    let cible = cible_import(moteur);
    println!(
        "{nom} — import du jeu national ({} contrats, {} fiches) : {} (médiane de {IMPORTS}, de {} à {} ; \
         cible < {} s) ; référence sérialisation JSON : {} ; rapport {} — {}",
        jeu.len(),
        entier(fiches),
        secondes(import),
        secondes(extremes.0),
        secondes(extremes.1),
        cible.as_secs(),
        secondes(references.serialisation),
        rapport(import, references.serialisation),
        verdict(import, cible)
    );

    // Load of one full contract.
    let (base, ids) = derniere.expect("imports");
    let id = ids[charge];
    let lu = base.contrat(id).await.expect("contract loads");
    assert_eq!(lu.contrat, jeu[charge], "the loaded contract is the imported one");
    for _ in 0..CHAUFFE {
        black_box(base.contrat(id).await.expect("contract loads"));
    }
    let mut durees = Vec::with_capacity(CHARGEMENTS);
    for _ in 0..CHARGEMENTS {
        let debut = Instant::now();
        black_box(base.contrat(black_box(id)).await.expect("contract loads"));
        durees.push(debut.elapsed());
    }
    let chargement = mediane(durees);
    println!(
        "{nom} — chargement d'un contrat complet ({} fiches), médiane de {CHARGEMENTS} : {} (cible < {} ms) ; \
         référence désérialisation JSON : {} ; rapport {} — {}",
        jeu[charge].fiches.len(),
        millisecondes(chargement),
        CIBLE_CHARGEMENT.as_millis(),
        millisecondes(references.deserialisation),
        rapport(chargement, references.deserialisation),
        verdict(chargement, CIBLE_CHARGEMENT)
    );
    base.fermer().await;
    banc.nettoyer().await;
}

fn main() {
    let jeu = jeu_national_standard();
    // A contract from the middle of the set.
    let charge = jeu.len() / 2;
    let references = mesurer_references(&jeu, charge);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let dossier = std::env::temp_dir().join(nom_unique("pacte-banc"));
        std::fs::create_dir_all(&dossier).expect("temporary folder");
        mesurer(Banc::Sqlite(dossier), &jeu, charge, &references).await;

        match std::env::var(VAR_PG) {
            Ok(admin) if !admin.trim().is_empty() => {
                let banc = Banc::Postgres {
                    admin: admin.trim().to_string(),
                    bases: Vec::new(),
                };
                mesurer(banc, &jeu, charge, &references).await;
            }
            _ => println!("PostgreSQL non mesuré : définir {VAR_PG} (URL d'administration du serveur)."),
        }
    });
}
