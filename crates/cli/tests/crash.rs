//! Crash safety of `pacte import`: the process is killed with SIGKILL at random moments of a
//! large import, again and again on the same SQLite base. After every kill the base must reopen
//! sound (`pacte audit verifier`: SQLite integrity check, audit chain, data matching the
//! journal) and hold whole imports only: one import is one transaction, so each batch of
//! contracts is either entirely there, every contract with all its fiches, or not at all.
//!
//! Delays come from a seeded PRNG and are spread over the duration of an uninterrupted import,
//! measured first. Where each kill landed is observed, not guessed: a base that gained the
//! batch means after the commit; a WAL that changed without the base gaining anything means
//! during the transaction, after its first pages reached the disk.

#![cfg(unix)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use pacte_core::Contrat;
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

/// Runs `pacte import` on the batch; kills it with SIGKILL after `delai` unless it ended
/// before. Meanwhile watches the WAL to see when the transaction starts writing.
fn importer(fichiers: &[String], base: &Path, delai: Option<Duration>) -> Deroulement {
    let wal_avant = etat_wal(base);
    let debut = Instant::now();
    let mut enfant = pacte()
        .arg("import")
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

/// Checks the base after a kill and returns its number of contracts. The base must reopen
/// sound, and hold `k` whole copies of the batch, in import order, every contract with all
/// its fiches.
fn controler(url: &str, lot: &[Contrat]) -> usize {
    let o = executer(&["audit", "verifier", "--base", url]);
    assert!(
        o.status.success(),
        "pacte audit verifier après interruption : {}",
        texte(&o)
    );
    let o = executer(&["contrats", "--format", "json", "--base", url]);
    assert!(o.status.success(), "pacte contrats : {}", texte(&o));
    let liste: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON list");
    let liste = liste.as_array().expect("a list");
    assert_eq!(
        liste.len() % lot.len(),
        0,
        "{} contrats en base : un import a été écrit en partie",
        liste.len()
    );
    for (i, c) in liste.iter().enumerate() {
        let attendu = &lot[i % lot.len()];
        assert_eq!(
            c["collectivite"].as_str(),
            Some(attendu.contrat.collectivite.as_str()),
            "contrat {} : pas dans l'ordre de l'import",
            c["id"]
        );
        assert_eq!(
            c["fiches"].as_u64(),
            Some(attendu.fiches.len() as u64),
            "contrat {} : fiches manquantes",
            c["id"]
        );
    }
    liste.len()
}

#[test]
fn import_interrompu_par_sigkill_tout_ou_rien() {
    let dossier = std::env::temp_dir().join(format!("pacte-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dossier);
    std::fs::create_dir_all(&dossier).unwrap();
    let base = dossier.join("pacte.db");
    let url = url(&base);

    // The batch, as files; the reference is what the import itself reads back.
    let mut fichiers = Vec::with_capacity(CONTRATS);
    let mut lot = Vec::with_capacity(CONTRATS);
    for (i, c) in jeu_national(CONTRATS, FICHES_STANDARD).iter().enumerate() {
        let chemin: PathBuf = dossier.join(format!("contrat-{i:03}.toml"));
        let toml = ecrire_toml(c);
        std::fs::write(&chemin, &toml).unwrap();
        fichiers.push(chemin.display().to_string());
        lot.push(lire_toml(&toml).expect("the generated file reads back"));
    }

    // Uninterrupted imports: the first creates the base, the next ones give the duration of
    // an import into an existing base, which is what the kills interrupt.
    let creation = importer(&fichiers, &base, None);
    let mut durees = Vec::new();
    let mut debuts_ecriture = Vec::new();
    for _ in 0..2 {
        let d = importer(&fichiers, &base, None);
        durees.push(d.fin.expect("uninterrupted"));
        debuts_ecriture.extend(d.ecriture);
    }
    let mut contrats = controler(&url, &lot);
    assert_eq!(contrats, 3 * CONTRATS);
    println!(
        "Import de {CONTRATS} contrats × {FICHES_STANDARD} fiches : {} ms, première écriture dans le WAL \
         vers {} ms (création de la base : {} ms)",
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
        let d = importer(&fichiers, &base, Some(delai));
        let apres = controler(&url, &lot);
        let issue = match d.fin {
            Some(fin) => {
                assert_eq!(apres, contrats + CONTRATS, "import réussi mais contrats absents");
                durees.push(fin);
                debuts_ecriture.extend(d.ecriture);
                termine += 1;
                "terminé avant le signal"
            }
            None if apres == contrats + CONTRATS => {
                apres_commit += 1;
                "tué après le commit"
            }
            None => {
                assert_eq!(
                    apres,
                    contrats,
                    "après interruption : {apres} contrats, attendu {contrats} ou {}",
                    contrats + CONTRATS
                );
                if d.ecriture.is_some() {
                    pendant += 1;
                    "tué pendant la transaction"
                } else {
                    avant_ecriture += 1;
                    "tué avant la première écriture"
                }
            }
        };
        let ecriture = d
            .ecriture
            .map_or("-".to_string(), |e| format!("{} ms", e.as_millis()));
        println!(
            "tentative {tentative:>2} : signal à {:>4} ms (écriture commencée à {ecriture:>7}) : {issue}, \
             {apres} contrats en base",
            delai.as_millis()
        );
        contrats = apres;
    }

    // Deep check through the store: every stored contract equals what was imported, and the
    // journal holds exactly the committed imports.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let b = pacte_store::Base::ouvrir(&url).await.expect("the base reopens");
        let resumes = b.contrats().await.unwrap();
        assert_eq!(resumes.len(), contrats);
        for (i, r) in resumes.iter().enumerate() {
            let stocke = b.contrat(r.id).await.unwrap();
            assert_eq!(stocke.contrat, lot[i % CONTRATS], "contrat {} altéré", r.id);
        }
        let fiches = (contrats * FICHES_STANDARD) as i64;
        assert_eq!(b.compter("fiches").await.unwrap(), fiches);
        // One entry per contract and per fiche, plus the loading of the reference data.
        assert_eq!(b.compter("audit").await.unwrap(), contrats as i64 + fiches + 1);
        b.fermer().await;
    });

    let bilan = format!(
        "{TENTATIVES} interruptions de pacte import par SIGKILL : {pendant} pendant la transaction, \
         {apres_commit} après le commit, {avant_ecriture} avant la première écriture sur disque, \
         {termine} import(s) terminé(s) avant le signal ; base saine après chacune, \
         {contrats} contrats en base, tous complets"
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
