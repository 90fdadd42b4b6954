//! Black-box tests of `pacte audit verifier|ancre` on temporary SQLite bases: the key of the
//! audit log, anchors that reveal a base rolled back to an earlier backup, the report without
//! the key.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh temporary folder.
fn dossier(nom: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pacte-cli-audit-{}-{nom}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `pacte --base <base> <args>` with the key file `cle`.
fn pacte(base: &str, cle: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacte"))
        .args(["--base", base, "--acteur", "cli:test"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PACTE_BASE")
        .env_remove("PACTE_ACTEUR")
        .env("PACTE_CLE_AUDIT", cle)
        .output()
        .expect("pacte runs")
}

fn sortie(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn reussit(base: &str, cle: &Path, args: &[&str]) -> String {
    let o = pacte(base, cle, args);
    assert!(
        o.status.success(),
        "{args:?} : {}{}",
        sortie(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    sortie(&o)
}

const EXEMPLE: &str = "../../exemples/metropole-aix-marseille-provence.toml";
/// Another collectivity's file: `pacte import` refuses a second contract for one collectivity.
const AUTRE: &str = "../../exemples/departement-bouches-du-rhone.toml";
const TROISIEME: &str = "../../exemples/contrat-avec-erreurs.toml";

#[test]
fn ancre_et_retour_a_une_sauvegarde_anterieure() {
    let d = dossier("ancre");
    let cle = d.join("journal.cle");
    let base = format!("sqlite://{}/pacte.db", d.display());
    reussit(&base, &cle, &["import", EXEMPLE]);
    let sauvegarde = d.join("hier.json");
    let texte = reussit(&base, &cle, &["sauvegarde", sauvegarde.to_str().unwrap()]);
    assert!(
        texte.contains("Ancre du journal (à garder hors de la base) : pacte-ancre/1 "),
        "{texte}"
    );

    // Another operation, then the anchor of today.
    reussit(&base, &cle, &["import", AUTRE]);
    let ancre = reussit(&base, &cle, &["audit", "ancre"]);
    let ancre = ancre.trim();
    assert!(ancre.starts_with("pacte-ancre/1 "), "{ancre}");
    let texte = reussit(&base, &cle, &["audit", "verifier", "--ancre", ancre]);
    assert!(texte.contains("chaîne intacte"), "{texte}");
    assert!(texte.contains("entrée(s) authentifiée(s) par la clé"), "{texte}");
    assert!(texte.contains("Ancre comparée"), "{texte}");

    // The base is replaced by yesterday's backup: the chain is sound, but today's anchor shows
    // what was erased.
    let restauree = format!("sqlite://{}/restauree.db", d.display());
    reussit(&restauree, &cle, &["restauration", sauvegarde.to_str().unwrap()]);
    let texte = reussit(&restauree, &cle, &["audit", "verifier"]);
    assert!(texte.contains("chaîne intacte"), "{texte}");
    assert!(
        texte.contains("l'effacement des dernières opérations n'est pas décelable"),
        "{texte}"
    );
    let o = pacte(&restauree, &cle, &["audit", "verifier", "--ancre", ancre]);
    assert_eq!(o.status.code(), Some(1), "{}", sortie(&o));
    assert!(
        sortie(&o).contains("les dernières opérations ont été effacées"),
        "{}",
        sortie(&o)
    );

    // An unreadable anchor.
    let o = pacte(&base, &cle, &["audit", "verifier", "--ancre", "pacte-ancre/1 12"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("ancre illisible"));

    // Without the key: continuity only, said so; writing is refused.
    let ailleurs = d.join("absente.cle");
    let texte = reussit(&base, &ailleurs, &["audit", "verifier"]);
    assert!(texte.contains("Clé du journal : absente"), "{texte}");
    assert!(
        texte.contains("seule la continuité de la chaîne est vérifiée"),
        "{texte}"
    );
    assert!(!ailleurs.exists(), "no key is created for a signed log");
    let o = pacte(&base, &ailleurs, &["import", TROISIEME]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("PACTE_CLE_AUDIT"));
    let _ = std::fs::remove_dir_all(&d);
}

/// A money row edited in the base behind the application's back (a State amount raised by
/// 1 €) is reported by `pacte audit verifier`, naming the fiche, the contract and the year.
#[test]
fn montant_modifie_hors_pacte() {
    let d = dossier("montant");
    let cle = d.join("journal.cle");
    let base = format!("sqlite://{}/pacte.db", d.display());
    reussit(&base, &cle, &["import", EXEMPLE]);
    let texte = reussit(&base, &cle, &["audit", "verifier"]);
    assert!(!texte.contains("Montants stockés"), "{texte}");
    let modifiees = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&base).await.unwrap();
        sqlx::query(
            "UPDATE montants_fiches SET etat = etat + 100 \
             WHERE rowid = (SELECT MIN(rowid) FROM montants_fiches WHERE annee = 2025)",
        )
        .execute(&mut c)
        .await
        .unwrap()
        .rows_affected()
    });
    assert_eq!(modifiees, 1);
    let o = pacte(&base, &cle, &["audit", "verifier"]);
    assert_eq!(o.status.code(), Some(1), "{}", sortie(&o));
    let texte = sortie(&o);
    assert!(texte.contains("Montants stockés : 1 écart(s)"), "{texte}");
    assert!(
        texte.contains("du contrat 1 en 2025 : la ligne stockée diffère de la fiche"),
        "{texte}"
    );
}
