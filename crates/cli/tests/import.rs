//! `pacte import` keeps one contract per collectivity and period, as the web import, the
//! form and the API do: a file whose collectivity already has a contract is refused, nothing
//! written, unless `--remplacer`, which updates the stored contract as a new version while its
//! state still allows a modification.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn racine() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dossier(nom: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pacte-import-{nom}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn pacte(base: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacte"))
        .args(args)
        .arg("--base")
        .arg(base)
        .env_remove("PACTE_BASE")
        .env("PACTE_ACTEUR", "test:import")
        .current_dir(racine())
        .output()
        .expect("pacte runs")
}

fn sortie(o: &Output) -> String {
    format!(
        "code {:?}\n{}{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `(collectivity, number of fiches)` of every stored contract, in order.
fn contrats(base: &str) -> Vec<(String, u64)> {
    let o = pacte(base, &["contrats", "--format", "json"]);
    assert!(o.status.success(), "{}", sortie(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["collectivite"].as_str().unwrap().to_string(),
                c["fiches"].as_u64().unwrap(),
            )
        })
        .collect()
}

const AMP: &str = "exemples/metropole-aix-marseille-provence.toml";
const EN_NEGOCIATION: &str = "exemples/contrat-avec-erreurs.toml";

#[test]
fn un_second_contrat_pour_la_meme_collectivite_est_refuse() {
    let d = dossier("refus");
    let base = format!("sqlite://{}/pacte.db", d.display());
    let o = pacte(&base, &["import", AMP]);
    assert!(o.status.success(), "{}", sortie(&o));
    assert!(
        sortie(&o).contains("1 contrat(s) créé(s) : n° 1"),
        "{}",
        sortie(&o)
    );
    let avant = contrats(&base);

    // The same file again: refused, with the existing contract named and the way out.
    let o = pacte(&base, &["import", AMP, EN_NEGOCIATION]);
    assert_eq!(o.status.code(), Some(1), "{}", sortie(&o));
    let texte = sortie(&o);
    assert!(texte.contains("Aucun contrat importé."), "{texte}");
    assert!(
        texte.contains("la collectivité 200054807 a déjà un contrat pour la période 2024-2027 : le contrat n° 1 (en exécution)"),
        "{texte}"
    );
    assert!(texte.contains("relancez avec --remplacer"), "{texte}");
    // All or none: the other, new, collectivity of the batch was not written either.
    assert_eq!(contrats(&base), avant);

    // A contract in execution is not modified by a file, even with the flag.
    let o = pacte(&base, &["import", "--remplacer", AMP]);
    assert_eq!(o.status.code(), Some(1), "{}", sortie(&o));
    assert!(
        sortie(&o).contains("n'est possible qu'à l'état brouillon ou en négociation"),
        "{}",
        sortie(&o)
    );
    assert_eq!(contrats(&base), avant);

    // Two files of one collectivity in one batch.
    let o = pacte(&base, &["import", EN_NEGOCIATION, EN_NEGOCIATION]);
    assert_eq!(o.status.code(), Some(1), "{}", sortie(&o));
    assert!(
        sortie(&o).contains("deux fichiers sont ceux de la collectivité 243400017"),
        "{}",
        sortie(&o)
    );
    assert_eq!(contrats(&base), avant);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn remplacer_met_a_jour_le_contrat_existant_comme_nouvelle_version() {
    let d = dossier("remplacer");
    let base = format!("sqlite://{}/pacte.db", d.display());
    let o = pacte(&base, &["import", EN_NEGOCIATION]);
    assert!(o.status.success(), "{}", sortie(&o));
    let avant = contrats(&base);
    assert_eq!(avant.len(), 1);

    // The file with its last fiche removed and a title changed.
    let texte = std::fs::read_to_string(racine().join(EN_NEGOCIATION)).unwrap();
    let mut c = pacte_core::fichier::lire_toml(&texte).unwrap();
    c.fiches.pop();
    c.fiches[0].intitule = "Intitulé revu après l'échange avec la DDETS".to_string();
    let fichier = d.join("revu.toml");
    std::fs::write(&fichier, pacte_core::fichier::ecrire_toml(&c)).unwrap();
    let fichier = fichier.to_str().unwrap();

    let o = pacte(&base, &["import", "--remplacer", fichier]);
    assert!(o.status.success(), "{}", sortie(&o));
    assert!(
        sortie(&o).contains("1 contrat(s) mis à jour comme nouvelle version : n° 1"),
        "{}",
        sortie(&o)
    );
    // Still one contract, one fiche fewer.
    assert_eq!(contrats(&base), vec![(avant[0].0.clone(), avant[0].1 - 1)]);
    let o = pacte(&base, &["export", "1"]);
    assert!(o.status.success(), "{}", sortie(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Intitulé revu après l'échange avec la DDETS"));
    // The update is in the journal, and the chain is sound.
    let o = pacte(&base, &["audit", "verifier"]);
    assert!(o.status.success(), "{}", sortie(&o));
    let _ = std::fs::remove_dir_all(&d);
}
