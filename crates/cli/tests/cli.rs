//! Black-box tests of the `pacte` binary: exit codes, JSON shapes, generated docs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn racine() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pacte(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacte"))
        .args(args)
        .current_dir(racine())
        .output()
        .expect("pacte runs")
}

fn json(args: &[&str]) -> serde_json::Value {
    let o = pacte(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("valid JSON")
}

fn ecrire_temporaire(nom: &str, contenu: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pacte-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(nom);
    std::fs::write(&p, contenu).unwrap();
    p
}

#[test]
fn regles_json() {
    let v = json(&["regles", "--format", "json"]);
    let regles = v.as_array().expect("a list");
    assert!(regles.len() >= 30);
    for r in regles {
        for champ in ["code", "gravite", "intitule", "source"] {
            assert!(r[champ].is_string(), "{champ} manquant dans {r}");
        }
        assert!(["bloquant", "alerte"].contains(&r["gravite"].as_str().unwrap()));
    }
    let cofi = regles
        .iter()
        .find(|r| r["code"] == "R-COFI-50")
        .expect("R-COFI-50");
    assert_eq!(cofi["gravite"], "bloquant");
}

#[test]
fn referentiel_json() {
    let v = json(&["referentiel", "--format", "json"]);
    let axes = v["axes"].as_array().unwrap();
    assert_eq!(axes.len(), 4);
    assert_eq!(axes[0]["code"], 1);
    assert_eq!(
        axes[1]["intitule"],
        "Amplifier la politique d'accès à l'emploi pour tous"
    );
    assert!(
        axes.iter()
            .all(|a| a["sous_axes"].as_array().is_some_and(|s| !s.is_empty()))
    );
    let ni = v["indicateurs_nationaux"].as_array().unwrap();
    assert_eq!(ni.len(), 18);
    assert_eq!(ni[0]["code"], "NI-1.1");
    assert_eq!(ni[0]["axe"], 1);
    assert!(
        ni[0]["libelle"]
            .as_str()
            .unwrap()
            .starts_with("Nombre de familles précaires")
    );
}

#[test]
fn territoires_json() {
    let v = json(&["territoires", "--format", "json"]);
    assert_eq!(v["regions"].as_array().unwrap().len(), 18);
    assert_eq!(v["departements"].as_array().unwrap().len(), 101);
    let eligibles = v["collectivites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["eligibilite"] == "calpae")
        .count();
    assert_eq!(eligibles, 22);
}

#[test]
fn check_fichier_illisible_code_2_et_message_francais() {
    let p = ecrire_temporaire(
        "negatif.toml",
        "[contrat]\ncollectivite = \"200054807\"\n\n[[fiches]]\nnumero = \"1.1\"\nintitule = \"x\"\nfinancement.etat = { 2024 = -5000 }\n",
    );
    let o = pacte(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "rien d'autre que l'erreur");
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("ligne 7") && err.contains("colonne") && err.contains("fiches[0].financement.etat.2024"),
        "{err}"
    );
    assert!(err.contains("négatif"), "{err}");

    let o = pacte(&["check", "n-existe-pas.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("fichier introuvable"));
}

#[test]
fn check_codes_de_sortie_0_et_1() {
    // An empty contract of a known métropole reads fine but breaks blocking rules: exit 1.
    let p = ecrire_temporaire("vide.toml", "[contrat]\ncollectivite = \"200054807\"\n");
    let o = pacte(&["check", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let constats = v["constats"].as_array().unwrap();
    assert!(constats.iter().any(|c| c["code"] == "R-ACT-01"));
    for c in constats {
        let cles: Vec<_> = c.as_object().unwrap().keys().cloned().collect();
        assert_eq!(cles, ["cible", "code", "gravite", "message", "source"]);
    }
}

#[test]
fn erreurs_de_ligne_de_commande_en_francais() {
    let o = pacte(&["verifier"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("commande inconnue « verifier »"));
    let o = pacte(&["tableau", "x.toml", "--annee", "2031"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("2031"));
}

/// An incomplete ProConnect configuration stops `pacte serve` before it listens, naming what
/// is missing; the help lists the variables.
#[test]
fn serve_refuse_une_configuration_proconnect_incomplete() {
    let dossier = std::env::temp_dir().join(format!("pacte-cli-serve-{}", std::process::id()));
    let base = format!("sqlite://{}/pacte.db", dossier.display());
    let o = Command::new(env!("CARGO_BIN_EXE_pacte"))
        .args(["serve", "--base", &base, "--adresse", "127.0.0.1:0"])
        .env("PACTE_PROCONNECT_CLIENT_ID", "pacte")
        .env(
            "PACTE_PROCONNECT_URL_RETOUR",
            "https://pacte.exemple.gouv.fr/connexion/proconnect/retour",
        )
        .output()
        .expect("pacte runs");
    let _ = std::fs::remove_dir_all(&dossier);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        "Erreur : configuration ProConnect incomplète : définissez aussi PACTE_PROCONNECT_URL_DECOUVERTE, PACTE_PROCONNECT_CLIENT_SECRET."
    );
    let aide = String::from_utf8_lossy(&pacte(&["serve", "--aide"]).stdout).to_string();
    assert!(
        aide.contains("PACTE_PROCONNECT_CLIENT_SECRET") && aide.contains("--mandataire"),
        "{aide}"
    );
}

/// Generated documents must match the code that generates them.
#[test]
fn documents_generes_a_jour() {
    for (fichier, args) in [
        ("docs/REGLES.md", &["regles", "--format", "markdown"][..]),
        ("docs/contrat.schema.json", &["schema"][..]),
    ] {
        let o = pacte(args);
        assert!(o.status.success());
        let attendu = String::from_utf8(o.stdout).unwrap();
        let chemin = racine().join(fichier);
        if std::env::var_os("PACTE_METTRE_A_JOUR").is_some() {
            std::fs::write(&chemin, &attendu).unwrap();
        }
        let actuel = std::fs::read_to_string(&chemin).unwrap_or_default();
        assert!(
            actuel == attendu,
            "{fichier} n'est plus à jour : relancer avec PACTE_METTRE_A_JOUR=1 cargo test -p pacte --test cli"
        );
    }
}

/// Snapshot of `pacte check` on each example: what a user sees, exit code included.
#[test]
fn check_des_exemples() {
    for nom in [
        "metropole-aix-marseille-provence",
        "departement-bouches-du-rhone",
        "contrat-avec-erreurs",
        "illisible",
    ] {
        for format in ["texte", "json"] {
            let o = pacte(&["check", &format!("exemples/{nom}.toml"), "--format", format]);
            let sortie = format!(
                "code de sortie : {:?}\n--- sortie standard\n{}--- sortie d'erreur\n{}",
                o.status.code(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            insta::assert_snapshot!(format!("check_{nom}_{format}"), sortie);
        }
    }
    // The classification the examples promise.
    let code = |nom: &str| pacte(&["check", &format!("exemples/{nom}.toml")]).status.code();
    assert_eq!(code("metropole-aix-marseille-provence"), Some(0));
    assert_eq!(code("departement-bouches-du-rhone"), Some(0));
    assert_eq!(code("contrat-avec-erreurs"), Some(1));
    assert_eq!(code("illisible"), Some(2));
}
