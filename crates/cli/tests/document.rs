//! `pacte document` (the contract and its annexes, or an avenant) and `pacte rapport` (the
//! campaign reports), generated from the base.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXEMPLE: &str = "exemples/metropole-aix-marseille-provence.toml";

fn racine() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pacte(base: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacte"))
        .args(["--base", base, "--acteur", "cli:test"])
        .args(args)
        .current_dir(racine())
        .output()
        .expect("pacte runs")
}

/// A base in a fresh folder `nom`, holding the example contract (n° 1).
fn base_avec_exemple(nom: &str) -> (PathBuf, String) {
    let d = std::env::temp_dir().join(format!("pacte-cli-{nom}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let base = format!("sqlite://{}/pacte.db", d.display());
    let o = pacte(&base, &["import", EXEMPLE]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (d, base)
}

/// Runs `args` followed by `option FILE` and checks the file written is a PDF or an ODT, as
/// its extension says.
fn produit(base: &str, args: &[&str], option: &str, fichier: &Path) {
    let mut tout = args.to_vec();
    tout.extend([option, fichier.to_str().unwrap()]);
    let o = pacte(base, &tout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let octets = std::fs::read(fichier).unwrap();
    if fichier.extension().is_some_and(|e| e == "pdf") {
        assert!(octets.starts_with(b"%PDF-"));
    } else {
        assert_eq!(&octets[30..38], b"mimetype");
    }
}

/// The command fails with exit code 1 and a French message containing `attendu`.
fn refuse(base: &str, args: &[&str], attendu: &str) {
    let o = pacte(base, args);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains(attendu), "{e}");
}

#[test]
fn contrat_en_pdf_et_odt_et_avenant_absent_nomme() {
    let (d, base) = base_avec_exemple("document");
    let args = ["document", "200054807", "--format", "pdf"];
    produit(&base, &args, "-o", &d.join("contrat.pdf"));
    let args = ["document", "1", "--format", "odt"];
    produit(&base, &args, "--sortie", &d.join("contrat.odt"));
    // No avenant recorded for 2025: the error names it, in French, exit code 1.
    refuse(
        &base,
        &["document", "1", "--format", "pdf", "--avenant", "2025", "-o", "-"],
        "aucun avenant n'est enregistré pour 2025",
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn rapport_a_mi_parcours_en_pdf_et_odt_et_campagne_absente_nommee() {
    let (d, base) = base_avec_exemple("rapport");
    let args = ["rapport", "200054807", "--mi-parcours", "--format", "pdf"];
    produit(&base, &args, "-o", &d.join("mi-parcours.pdf"));
    let args = ["rapport", "1", "--mi-parcours", "--format", "odt"];
    produit(&base, &args, "-o", &d.join("mi-parcours.odt"));
    // The 2024 campaign is not opened: the error names it, in French, exit code 1.
    refuse(
        &base,
        &["rapport", "1", "--annee", "2024", "--format", "pdf", "-o", "-"],
        "la campagne 2024 n'est pas ouverte",
    );
    // Neither a year nor --mi-parcours: refused by the argument parser.
    let o = pacte(&base, &["rapport", "1", "--format", "pdf"]);
    assert!(!o.status.success());
    let _ = std::fs::remove_dir_all(&d);
}
