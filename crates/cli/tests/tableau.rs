//! `pacte tableau`: the three annexe 10 tables, from a contract and an execution file, as text,
//! JSON in integer cents, XLSX, ODS and CSV.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pacte_core::execution::{ecrire_toml, execution_simulee};
use pacte_core::fichier::lire_toml;

fn racine() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const EXEMPLE: &str = "exemples/metropole-aix-marseille-provence.toml";

fn pacte(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacte"))
        .args(args)
        .current_dir(racine())
        .output()
        .expect("pacte runs")
}

fn dossier() -> PathBuf {
    let d = std::env::temp_dir().join(format!("pacte-cli-tableau-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The example contract's simulated execution, written as a TOML file.
fn fichier_execution() -> PathBuf {
    let contrat = lire_toml(&std::fs::read_to_string(racine().join(EXEMPLE)).unwrap()).unwrap();
    let p = dossier().join("execution.toml");
    std::fs::write(&p, ecrire_toml(&execution_simulee(&contrat, 1))).unwrap();
    p
}

fn json(args: &[&str]) -> serde_json::Value {
    let o = pacte(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn json_en_centimes_entiers_un_seul_type() {
    let exec = fichier_execution();
    let exec = exec.to_str().unwrap();
    for (table, annee) in [
        ("previsionnel", "2024"),
        ("bilan", "2024"),
        ("recapitulatif", "2025"),
    ] {
        let v = json(&[
            "tableau",
            EXEMPLE,
            "--table",
            table,
            "--annee",
            annee,
            "--execution",
            exec,
            "--format",
            "json",
        ]);
        assert_eq!(v["tableau"], table);
        let largeur = v["colonnes"].as_array().unwrap().len();
        let mut totaux = vec![0i64; largeur];
        for b in v["blocs"].as_array().unwrap() {
            for l in b["lignes"].as_array().unwrap() {
                let valeurs = l["valeurs"].as_array().unwrap();
                assert_eq!(valeurs.len(), largeur);
                for (t, x) in totaux.iter_mut().zip(valeurs) {
                    // Every amount is an integer number of cents, never a string.
                    *t += x.as_i64().unwrap_or_else(|| panic!("{x} n'est pas un entier"));
                }
            }
        }
        let lus: Vec<i64> = v["totaux"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_i64().unwrap())
            .collect();
        assert_eq!(lus, totaux, "{table}");
    }
}

#[test]
fn xlsx_ods_csv_ecrits_dans_un_fichier() {
    let d = dossier();
    for (format, debut) in [
        ("xlsx", &b"PK"[..]),
        ("ods", &b"PK"[..]),
        ("csv", &b"\xEF\xBB\xBF"[..]),
    ] {
        let sortie = d.join(format!("t.{format}"));
        let o = pacte(&[
            "tableau",
            EXEMPLE,
            "--table",
            "bilan",
            "--format",
            format,
            "--sortie",
            sortie.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(std::fs::read(&sortie).unwrap().starts_with(debut), "{format}");
    }
}

#[test]
fn recapitulatif_2024_refuse_en_francais() {
    let o = pacte(&["tableau", EXEMPLE, "--table", "recapitulatif", "--annee", "2024"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("il existe de 2025 à 2027"));
}

#[test]
fn texte_avec_la_note_k_egal_g_plus_j() {
    let exec = fichier_execution();
    let o = pacte(&[
        "tableau",
        EXEMPLE,
        "--table",
        "recapitulatif",
        "--annee",
        "2025",
        "--execution",
        exec.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(t.contains("TOTAUX FINANCIERS") && t.contains("K = G + J"), "{t}");
}

/// The example of docs/FORMAT-EXECUTION.md reads and draws a Bilan.
#[test]
fn l_exemple_de_la_documentation_se_lit() {
    let doc = std::fs::read_to_string(racine().join("docs/FORMAT-EXECUTION.md")).unwrap();
    let debut = doc.find("```toml\n").unwrap() + "```toml\n".len();
    let fin = debut + doc[debut..].find("```").unwrap();
    let p = dossier().join("execution-doc.toml");
    std::fs::write(&p, &doc[debut..fin]).unwrap();
    let v = json(&[
        "tableau",
        EXEMPLE,
        "--table",
        "bilan",
        "--execution",
        p.to_str().unwrap(),
        "--format",
        "json",
    ]);
    // Fiche 1.1 in 2024: paid share, A = 90 000 €, C = 95 000 €, carried over 10 000 / 5 000.
    let l = v["blocs"][0]["lignes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["numero"] == "1.1")
        .unwrap()
        .clone();
    assert_eq!(l["valeurs"][1], 9_000_000);
    assert_eq!(l["valeurs"][3], 9_500_000);
    assert_eq!(l["valeurs"][5], 1_000_000);
    assert_eq!(l["valeurs"][6], 500_000);
}
