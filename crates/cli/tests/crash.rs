//! Crash safety of `pacte import`: the process is killed with SIGKILL at random moments of a
//! large import, again and again on the same SQLite base. After every kill the base must reopen
//! sound (`pacte audit verifier`: SQLite integrity check, audit chain, data matching the
//! journal) and hold whole imports only: one import is one transaction, so each batch of
//! contracts is either entirely written, every contract with all its fiches, or not at all.
//!
//! One contract per collectivity: the batch is imported once, then the kills interrupt
//! `pacte import --remplacer` of two versions of it, A and B (every fiche's title differs),
//! alternately, which rewrites every fiche of every contract as a new version. The base stays
//! the size of one batch; after a kill every contract must be all A or all B, never a mix.
//!
//! Delays come from a seeded PRNG and are spread over the duration of an uninterrupted import,
//! measured first. Where each kill landed is observed, not guessed: a base that holds the
//! version being imported means after the commit; a WAL that changed while the base still holds
//! the other version means during the transaction, after its first pages reached the disk.

#![cfg(unix)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use pacte_core::Contrat;
use pacte_core::contrat::EtatContrat;
use pacte_core::fichier::{ecrire_toml, lire_toml};
use pacte_core::jeu_national::{FICHES_STANDARD, jeu_national};

/// Contracts per import: large enough for the write to last a few hundred milliseconds.
const CONTRATS: usize = 60;
/// Interrupted imports.
const TENTATIVES: usize = 24;
/// One kill in this many is aimed at the start of the process (reading the files, opening the
/// base, first statements of the transaction); the others at the write itself.
const PERIODE_DEMARRAGE: usize = 4;
/// Kills aimed at the write are drawn over this multiple of its duration, so that some land
/// after the commit.
const ETALEMENT: f64 = 1.25;
const GRAINE: u64 = 0x4352_4153_4850_4143; // "CRASHPAC"

/// A small deterministic PRNG (SplitMix64): no dependency, the same delays on every run.
struct Alea(u64);

impl Alea {
    fn suivant(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn fraction(&mut self) -> f64 {
        (self.suivant() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn pacte() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pacte"));
    c.env_remove("PACTE_BASE").env("PACTE_ACTEUR", "test:crash");
    c
}

fn executer(args: &[&str]) -> Output {
    pacte().args(args).output().expect("pacte runs")
}

fn texte(o: &Output) -> String {
    format!(
        "code {:?}\n{}{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// What the WAL file looks like: its length and header (checkpoint sequence and salts change
/// when a writer restarts the log); `(0, [])` when absent or empty. Any difference means some
/// transaction wrote pages to it.
fn etat_wal(base: &Path) -> (u64, Vec<u8>) {
    let Ok(mut f) = File::open(base.with_extension("db-wal")) else {
        return (0, Vec::new());
    };
    let longueur = f.metadata().map_or(0, |m| m.len());
    let mut entete = Vec::with_capacity(32);
    let _ = (&mut f).take(32).read_to_end(&mut entete);
    (longueur, entete)
}

/// How one run of `pacte import` went, times counted from its start.
struct Deroulement {
    /// When the WAL first changed: the transaction had started writing pages to disk.
    ecriture: Option<Duration>,
    /// When the process ended by itself, successfully; `None` when it was killed.
    fin: Option<Duration>,
}

/// Runs `pacte import --remplacer` on the batch; kills it with SIGKILL after `delai` unless it
/// ended before. Meanwhile watches the WAL to see when the transaction starts writing.
fn importer(fichiers: &[String], base: &Path, delai: Option<Duration>) -> Deroulement {
    let wal_avant = etat_wal(base);
    let debut = Instant::now();
    let mut enfant = pacte()
        .arg("import")
        .arg("--remplacer")
        .args(fichiers)
        .arg("--base")
        .arg(url(base))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pacte import starts");
    let mut ecriture = None;
    loop {
        if enfant.try_wait().expect("try_wait").is_some() {
            break;
        }
        if ecriture.is_none() && etat_wal(base) != wal_avant {
            ecriture = Some(debut.elapsed());
        }
        if delai.is_some_and(|d| debut.elapsed() >= d) {
            // SIGKILL on Unix; harmless if the process has just ended.
            let _ = enfant.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let o = enfant.wait_with_output().expect("wait");
    let fin = debut.elapsed();
    if ecriture.is_none() && etat_wal(base) != wal_avant {
        ecriture = Some(fin);
    }
    if o.status.signal() == Some(9) {
        assert!(delai.is_some(), "pacte import tué sans qu'on l'ait demandé");
        return Deroulement { ecriture, fin: None };
    }
    assert!(o.status.success(), "pacte import : {}", texte(&o));
    Deroulement {
        ecriture,
        fin: Some(fin),
    }
}

fn url(base: &Path) -> String {
    format!("sqlite://{}", base.display())
}

/// Median; zero for no value.
fn mediane(durees: &[Duration]) -> Duration {
    let mut d = durees.to_vec();
    d.sort();
    d.get(d.len() / 2).copied().unwrap_or_default()
}

/// Checks the base after a kill and returns which version of the batch it holds (0 for A, 1
/// for B). The base must reopen sound and hold one contract per file, in import order, each
/// with all its fiches, and all of them of the same version.
fn controler(rt: &tokio::runtime::Runtime, url: &str, lots: &[Vec<Contrat>; 2]) -> usize {
    let o = executer(&["audit", "verifier", "--base", url]);
    assert!(
        o.status.success(),
        "pacte audit verifier après interruption : {}",
        texte(&o)
    );
    rt.block_on(async {
        let b = pacte_store::Base::ouvrir(url).await.expect("the base reopens");
        let resumes = b.contrats().await.unwrap();
        assert_eq!(resumes.len(), CONTRATS, "un contrat de trop ou de moins");
        let mut versions = Vec::with_capacity(CONTRATS);
        for (i, r) in resumes.iter().enumerate() {
            let stocke = b.contrat(r.id).await.unwrap();
            let version = lots
                .iter()
                .position(|lot| stocke.contrat == lot[i])
                .unwrap_or_else(|| panic!("contrat {} : ni la version A ni la version B", r.id));
            versions.push(version);
        }
        b.fermer().await;
        assert!(
            versions.iter().all(|v| *v == versions[0]),
            "un import a été écrit en partie : versions {versions:?}"
        );
        versions[0]
    })
}

#[test]
fn import_interrompu_par_sigkill_tout_ou_rien() {
    let dossier = std::env::temp_dir().join(format!("pacte-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dossier);
    std::fs::create_dir_all(&dossier).unwrap();
    let base = dossier.join("pacte.db");
    let url = url(&base);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // The two versions of the batch, as files, in negotiation (a contract is updated by a
    // file in draft or negotiation only); the reference is what the import itself reads back.
    let mut fichiers: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    let mut lots: [Vec<Contrat>; 2] = [Vec::new(), Vec::new()];
    for (i, mut c) in jeu_national(CONTRATS, FICHES_STANDARD).into_iter().enumerate() {
        c.contrat.etat = EtatContrat::Negociation;
        c.contrat.date_deliberation = None;
        c.contrat.signataires.clear();
        for (version, nom) in ["a", "b"].iter().enumerate() {
            if version == 1 {
                for f in &mut c.fiches {
                    f.intitule.push_str(" (version B)");
                }
            }
            let chemin: PathBuf = dossier.join(format!("contrat-{i:03}-{nom}.toml"));
            let toml = ecrire_toml(&c);
            std::fs::write(&chemin, &toml).unwrap();
            fichiers[version].push(chemin.display().to_string());
            lots[version].push(lire_toml(&toml).expect("the generated file reads back"));
        }
    }

    // Uninterrupted imports: the first creates the base and the contracts, the next ones (B
    // then A) give the duration of an update of every fiche, which is what the kills interrupt.
    let creation = importer(&fichiers[0], &base, None);
    let mut durees = Vec::new();
    let mut debuts_ecriture = Vec::new();
    for version in [1, 0] {
        let d = importer(&fichiers[version], &base, None);
        durees.push(d.fin.expect("uninterrupted"));
        debuts_ecriture.extend(d.ecriture);
        assert_eq!(controler(&rt, &url, &lots), version);
    }
    let mut mises_a_jour = 2;
    let mut version = 0;
    println!(
        "Mise à jour de {CONTRATS} contrats × {FICHES_STANDARD} fiches : {} ms, première écriture dans le WAL \
         vers {} ms (création de la base et des contrats : {} ms)",
        mediane(&durees).as_millis(),
        mediane(&debuts_ecriture).as_millis(),
        creation.fin.expect("uninterrupted").as_millis()
    );

    let mut alea = Alea(GRAINE);
    let (mut avant_ecriture, mut pendant, mut apres_commit, mut termine) = (0, 0, 0, 0);
    for tentative in 1..=TENTATIVES {
        // The machine may be busier or quieter than during the calibration: both times are
        // re-estimated from every import that ran to its end.
        let duree = mediane(&durees);
        let ecriture = mediane(&debuts_ecriture).min(duree);
        let delai = if tentative % PERIODE_DEMARRAGE == 1 {
            ecriture.mul_f64(alea.fraction())
        } else {
            ecriture + (duree - ecriture).mul_f64(ETALEMENT * alea.fraction())
        };
        let visee = 1 - version;
        let d = importer(&fichiers[visee], &base, Some(delai));
        let apres = controler(&rt, &url, &lots);
        let issue = match d.fin {
            Some(fin) => {
                assert_eq!(apres, visee, "import réussi mais contrats inchangés");
                durees.push(fin);
                debuts_ecriture.extend(d.ecriture);
                termine += 1;
                "terminé avant le signal"
            }
            None if apres == visee => {
                apres_commit += 1;
                "tué après le commit"
            }
            None => {
                if d.ecriture.is_some() {
                    pendant += 1;
                    "tué pendant la transaction"
                } else {
                    avant_ecriture += 1;
                    "tué avant la première écriture"
                }
            }
        };
        if apres == visee {
            mises_a_jour += 1;
        }
        let ecriture = d
            .ecriture
            .map_or("-".to_string(), |e| format!("{} ms", e.as_millis()));
        println!(
            "tentative {tentative:>2} : signal à {:>4} ms (écriture commencée à {ecriture:>7}) : {issue}, \
             version {} en base",
            delai.as_millis(),
            ["A", "B"][apres]
        );
        version = apres;
    }

    // Deep check through the store: the journal holds exactly the committed imports.
    rt.block_on(async {
        let b = pacte_store::Base::ouvrir(&url).await.expect("the base reopens");
        let fiches = (CONTRATS * FICHES_STANDARD) as i64;
        assert_eq!(b.compter("fiches").await.unwrap(), fiches);
        // The loading of the reference data, one entry per contract and per fiche created,
        // then one per fiche for every committed update (the header does not change).
        assert_eq!(
            b.compter("audit").await.unwrap(),
            1 + CONTRATS as i64 + fiches + mises_a_jour * fiches
        );
        b.fermer().await;
    });

    let bilan = format!(
        "{TENTATIVES} interruptions de pacte import --remplacer par SIGKILL : {pendant} pendant la transaction, \
         {apres_commit} après le commit, {avant_ecriture} avant la première écriture sur disque, \
         {termine} import(s) terminé(s) avant le signal ; base saine après chacune, \
         {CONTRATS} contrats en base, tous complets et d'une seule version"
    );
    // Past the test harness's capture, so that the figures show in a normal run.
    let _ = writeln!(std::io::stderr(), "{bilan}");
    assert!(
        pendant >= TENTATIVES / 4,
        "trop peu d'interruptions au cœur de l'écriture ({pendant} sur {TENTATIVES})"
    );
    // Kept when an assertion failed, for inspection.
    let _ = std::fs::remove_dir_all(&dossier);
}
