//! `pacte campagne rappels`: the simulation lists who would receive what without recording
//! anything; without SMTP nothing is sent and the command says so; a mail server that does not
//! answer leaves nothing recorded (the reminder is tried again by the next run).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXEMPLE: &str = "exemples/metropole-aix-marseille-provence.toml";

fn racine() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pacte(base: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pacte"));
    c.args(["--base", base, "--acteur", "cli:test"])
        .args(args)
        .current_dir(racine())
        .env_remove("PACTE_BASE")
        .env_remove("PACTE_URL_PUBLIQUE")
        .env_remove("PACTE_PROCONNECT_URL_RETOUR");
    for v in [
        "PACTE_SMTP_HOTE",
        "PACTE_SMTP_PORT",
        "PACTE_SMTP_UTILISATEUR",
        "PACTE_SMTP_MOT_DE_PASSE",
        "PACTE_SMTP_EXPEDITEUR",
        "PACTE_SMTP_TLS",
    ] {
        c.env_remove(v);
    }
    c.envs(env.iter().copied()).output().expect("pacte runs")
}

fn texte(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A base holding the example contract (n° 1, in execution), an editor of its collectivity,
/// a DDETS of another département, and the 2024 campaign open, due on 31 March 2025.
async fn preparer(nom: &str) -> String {
    let d = std::env::temp_dir().join(format!("pacte-cli-{nom}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let base = format!("sqlite://{}/pacte.db", d.display());
    let o = pacte(&base, &["import", EXEMPLE], &[]);
    assert!(o.status.success(), "{:?}", texte(&o));
    for (email, role, perimetre) in [
        (
            "editrice@exemple.fr",
            "collectivite_editeur",
            "collectivite:200054807",
        ),
        ("ddets34@exemple.fr", "ddets", "departement:34"),
    ] {
        let o = pacte(
            &base,
            &[
                "utilisateur",
                "creer",
                "--email",
                email,
                "--nom",
                "Compte",
                "--role",
                role,
                "--perimetre",
                perimetre,
                "--generer",
            ],
            &[],
        );
        assert!(o.status.success(), "{:?}", texte(&o));
    }
    // The campaign opened as the application does (its table), without the web layer.
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&base).await.unwrap();
    sqlx::query(
        "INSERT INTO campagnes (annee, echeance, version, ouverte_par, ouverte_le, modifie_par, modifie_le) \
         VALUES (2024, '2025-03-31', 1, 'test', '2025-01-01T00:00:00.000Z', 'test', '2025-01-01T00:00:00.000Z')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    base
}

#[test]
fn simulation_sans_smtp_et_echec_d_envoi() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(preparer("rappels"));
    let simulation = ["campagne", "rappels", "--simulation", "--le", "2025-03-28"];

    // Three days before the deadline: the editor, not the DDETS of another département.
    let o = pacte(&base, &simulation, &[]);
    let (sortie, erreur) = texte(&o);
    assert!(o.status.success(), "{erreur}");
    assert!(
        sortie.contains("Simulation au 28/03/2025 : 1 rappel(s) seraient envoyés"),
        "{sortie}"
    );
    assert!(
        sortie.contains("editrice@exemple.fr — contrat n° 1, campagne 2024"),
        "{sortie}"
    );
    assert!(sortie.contains("échéance le 31/03/2025"), "{sortie}");
    assert!(!sortie.contains("ddets34"), "{sortie}");
    // Twenty days before: no tier reached.
    let o = pacte(
        &base,
        &["campagne", "rappels", "--simulation", "--le", "2025-03-11"],
        &[],
    );
    assert!(texte(&o).0.contains(": 0 rappel(s)"), "{:?}", texte(&o));

    // Without SMTP: said, nothing sent, nothing recorded.
    let o = pacte(&base, &["campagne", "rappels", "--le", "2025-03-28"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        texte(&o).1.contains("aucun serveur SMTP n'est configuré"),
        "{:?}",
        texte(&o)
    );

    // A mail server that does not answer: the failure is reported, the reminder withdrawn.
    let smtp = [
        ("PACTE_SMTP_HOTE", "127.0.0.1"),
        ("PACTE_SMTP_PORT", "9"),
        ("PACTE_SMTP_TLS", "aucun"),
        ("PACTE_SMTP_EXPEDITEUR", "pacte@exemple.fr"),
    ];
    let o = pacte(&base, &["campagne", "rappels", "--le", "2025-03-28"], &smtp);
    let (sortie, erreur) = texte(&o);
    assert_eq!(o.status.code(), Some(1), "{sortie}{erreur}");
    assert!(
        sortie.contains("0 envoyé(s)") && sortie.contains("1 échec(s)"),
        "{sortie}"
    );
    assert!(
        erreur.contains("Échec de l'envoi à editrice@exemple.fr"),
        "{erreur}"
    );
    let o = pacte(&base, &simulation, &[]);
    assert!(texte(&o).0.contains(": 1 rappel(s)"), "{:?}", texte(&o));

    // Bad options name themselves.
    let o = pacte(
        &base,
        &["campagne", "rappels", "--simulation", "--jours-avant", "quinze"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(texte(&o).1.contains("--jours-avant"), "{:?}", texte(&o));
    let o = pacte(
        &base,
        &["campagne", "rappels", "--simulation", "--annee", "2026"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        texte(&o).1.contains("la campagne 2026 n'est pas ouverte"),
        "{:?}",
        texte(&o)
    );
}

#[test]
fn aide_en_francais() {
    let o = Command::new(env!("CARGO_BIN_EXE_pacte"))
        .args(["campagne", "rappels", "--aide"])
        .output()
        .unwrap();
    let aide = String::from_utf8_lossy(&o.stdout);
    assert!(aide.contains("Utilisation : pacte campagne rappels"), "{aide}");
    assert!(
        aide.contains("--simulation") && aide.contains("sans rien envoyer"),
        "{aide}"
    );
}
