//! `pacte rapport`: a contract's campaign reports generated from the base.

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

#[test]
fn rapport_a_mi_parcours_en_pdf_et_odt_et_campagne_absente_nommee() {
    let d = std::env::temp_dir().join(format!("pacte-cli-rapport-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let base = format!("sqlite://{}/pacte.db", d.display());
    let o = pacte(&base, &["import", EXEMPLE]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = d.join("mi-parcours.pdf");
    let o = pacte(
        &base,
        &[
            "rapport",
            "200054807",
            "--mi-parcours",
            "--format",
            "pdf",
            "-o",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let odt = d.join("mi-parcours.odt");
    let o = pacte(
        &base,
        &[
            "rapport",
            "1",
            "--mi-parcours",
            "--format",
            "odt",
            "-o",
            odt.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(&std::fs::read(&odt).unwrap()[30..38], b"mimetype");
    // The 2024 campaign is not opened: the error names it, in French, exit code 1.
    let o = pacte(
        &base,
        &["rapport", "1", "--annee", "2024", "--format", "pdf", "-o", "-"],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("la campagne 2024 n'est pas ouverte"), "{e}");
    // Neither a year nor --mi-parcours: refused by the argument parser.
    let o = pacte(&base, &["rapport", "1", "--format", "pdf"]);
    assert!(!o.status.success());
    let _ = std::fs::remove_dir_all(&d);
}
