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

/// The text of a PDF by pdftotext, or `None` without the tool (CI installs it).
fn texte_pdf(fichier: &Path) -> Option<String> {
    let outil = Path::new("/usr/bin/pdftotext");
    if !outil.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "pdftotext est requis en intégration continue"
        );
        eprintln!("pdftotext absent : contenu du PDF non vérifié.");
        return None;
    }
    let o = Command::new(outil).arg(fichier).arg("-").output().unwrap();
    let t = String::from_utf8_lossy(&o.stdout).replace(['\u{a0}', '\u{202f}'], " ");
    Some(t.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[test]
fn note_de_synthese_regionale_avec_le_texte_du_commissaire() {
    let (d, base) = base_avec_exemple("synthese");
    // The 2024 campaign is not opened: the error names it.
    refuse(
        &base,
        &["rapport", "--synthese", "93", "--annee", "2024", "-o", "-"],
        "la campagne 2024 n'est pas ouverte",
    );
    // Open it and write the commissaire's text of region 93 (Provence-Alpes-Côte d'Azur, the
    // example's region), as the web page does.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let b = pacte_store::Base::ouvrir(&base).await.unwrap();
        let a = pacte_core::Annee::TOUTES[0];
        b.ouvrir_campagne(a, pacte_core::campagne::echeance_par_defaut(a), "cli:test")
            .await
            .unwrap();
        b.enregistrer_texte_synthese(
            "93",
            a,
            0,
            "La métropole a engagé toutes ses actions.\nLe suivi des sorties reste à consolider.",
            "cli:test",
        )
        .await
        .unwrap();
    });
    let pdf = d.join("synthese.pdf");
    produit(
        &base,
        &["rapport", "--synthese", "93", "--annee", "2024"],
        "-o",
        &pdf,
    );
    if let Some(t) = texte_pdf(&pdf) {
        assert!(t.contains("Note de synthèse régionale 2024"), "{t}");
        assert!(t.contains("Provence-Alpes-Côte d'Azur"), "{t}");
        assert!(t.contains("Aix-Marseille-Provence"), "{t}");
        assert!(
            t.contains("3. Appréciation de la ou du commissaire La métropole a engagé toutes ses actions. Le suivi des sorties reste à consolider."),
            "{t}"
        );
    }
    // The region by its name, accents and case aside; ODT.
    let args = [
        "rapport",
        "--synthese",
        "provence-alpes-cote d'azur",
        "--annee",
        "2024",
        "--format",
        "odt",
    ];
    produit(&base, &args, "--sortie", &d.join("synthese.odt"));
    refuse(
        &base,
        &["rapport", "--synthese", "99", "--annee", "2024", "-o", "-"],
        "région « 99 » inconnue",
    );
    // A region and a contract, or a region without a year: refused by the argument parser.
    for args in [
        &["rapport", "1", "--synthese", "93", "--annee", "2024"][..],
        &["rapport", "--synthese", "93"][..],
    ] {
        let o = pacte(&base, args);
        assert!(!o.status.success(), "{args:?}");
    }
    // French help.
    let o = pacte(&base, &["rapport", "--aide"]);
    let aide = String::from_utf8_lossy(&o.stdout);
    assert!(aide.contains("--synthese <REGION>"), "{aide}");
    assert!(aide.contains("La note de synthèse régionale"), "{aide}");
    let _ = std::fs::remove_dir_all(&d);
}
