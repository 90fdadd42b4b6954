//! `pacte document`: the contract and its annexes, or an avenant, generated from the base.

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
fn contrat_en_pdf_et_odt_et_avenant_absent_nomme() {
    let d = std::env::temp_dir().join(format!("pacte-cli-document-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let base = format!("sqlite://{}/pacte.db", d.display());
    let o = pacte(&base, &["import", EXEMPLE]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = d.join("contrat.pdf");
    let o = pacte(
        &base,
        &[
            "document",
            "200054807",
            "--format",
            "pdf",
            "-o",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let odt = d.join("contrat.odt");
    let o = pacte(
        &base,
        &[
            "document",
            "1",
            "--format",
            "odt",
            "--sortie",
            odt.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(&std::fs::read(&odt).unwrap()[30..38], b"mimetype");
    // No avenant recorded for 2025: the error names it, in French, exit code 1.
    let o = pacte(
        &base,
        &["document", "1", "--format", "pdf", "--avenant", "2025", "-o", "-"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("aucun avenant n'est enregistré pour 2025"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&d);
}
