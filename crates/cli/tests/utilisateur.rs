//! Black-box tests of `pacte utilisateur creer|lister|modifier|desactiver` on a temporary
//! SQLite base: the first administrator, listings, French errors and exit codes, the last
//! administrator kept.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

static COMPTEUR: AtomicU32 = AtomicU32::new(0);

/// A fresh SQLite base in its own temporary folder: its URL.
fn base_neuve() -> String {
    let n = COMPTEUR.fetch_add(1, Ordering::SeqCst);
    let dossier: PathBuf =
        std::env::temp_dir().join(format!("pacte-cli-utilisateur-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dossier);
    std::fs::create_dir_all(&dossier).unwrap();
    format!("sqlite://{}/pacte.db", dossier.display())
}

/// Runs `pacte --base <base> --acteur cli:test <args>`.
fn pacte(base: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacte"))
        .args(["--base", base, "--acteur", "cli:test"])
        .args(args)
        .env_remove("PACTE_BASE")
        .env_remove("PACTE_ACTEUR")
        .output()
        .expect("pacte runs")
}

fn sortie(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn erreur(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A command that must succeed: its standard output.
fn reussit(base: &str, args: &[&str]) -> String {
    let o = pacte(base, args);
    assert!(o.status.success(), "{args:?} : {}", erreur(&o));
    sortie(&o)
}

/// A command that must fail with `code` and a message containing `message`.
fn echoue(base: &str, args: &[&str], code: i32, message: &str) {
    let o = pacte(base, args);
    assert_eq!(o.status.code(), Some(code), "{args:?} : {}", erreur(&o));
    assert!(
        erreur(&o).contains(message),
        "{args:?} : « {message} » absent de : {}",
        erreur(&o)
    );
}

fn creer(base: &str, email: &str, role: &str, perimetre: &str) -> String {
    reussit(
        base,
        &[
            "utilisateur",
            "creer",
            "--email",
            email,
            "--nom",
            &format!("Nom de {email}"),
            "--role",
            role,
            "--perimetre",
            perimetre,
            "--generer",
        ],
    )
}

fn lister_json(base: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value =
        serde_json::from_str(&reussit(base, &["utilisateur", "lister", "--format", "json"])).unwrap();
    v.as_array().unwrap().clone()
}

fn compte(base: &str, email: &str) -> serde_json::Value {
    lister_json(base)
        .into_iter()
        .find(|c| c["email"] == email)
        .unwrap_or_else(|| panic!("pas de compte {email}"))
}

#[test]
fn premier_administrateur_et_liste() {
    let base = base_neuve();
    // A new base: no account, and how to create the first administrator.
    let vide = reussit(&base, &["utilisateur", "lister"]);
    assert!(vide.contains("Aucun compte"), "{vide}");
    assert!(vide.contains("--role administrateur_national --perimetre national"));
    assert!(lister_json(&base).is_empty());

    let s = creer(
        &base,
        "Admin@Social.Gouv.FR",
        "administrateur_national",
        "national",
    );
    assert!(
        s.contains("Compte n° 1 créé : admin@social.gouv.fr (Administrateur national, national)."),
        "{s}"
    );
    let ligne = s
        .lines()
        .find(|l| l.starts_with("Mot de passe (affiché une seule fois) : "))
        .expect("mot de passe affiché");
    assert!(ligne.len() > "Mot de passe (affiché une seule fois) : ".len() + 12);

    // Password from a file, first line only.
    let fichier = std::env::temp_dir().join(format!("pacte-cli-mdp-{}", std::process::id()));
    std::fs::write(&fichier, "un mot de passe assez long\nligne ignorée\n").unwrap();
    let s = reussit(
        &base,
        &[
            "utilisateur",
            "creer",
            "--email",
            "ddets13@exemple.fr",
            "--nom",
            "DDETS 13",
            "--role",
            "ddets",
            "--perimetre",
            "departement:13",
            "--mot-de-passe-fichier",
            fichier.to_str().unwrap(),
        ],
    );
    assert!(s.contains("(DDETS, département Bouches-du-Rhône (13))"), "{s}");
    assert!(!s.contains("Mot de passe"));

    let texte = reussit(&base, &["utilisateur", "lister"]);
    let lignes: Vec<&str> = texte.lines().collect();
    assert_eq!(lignes.len(), 2, "{texte}");
    for (ligne, attendus) in lignes.iter().zip([
        ["admin@social.gouv.fr", "administrateur_national", "national"],
        ["ddets13@exemple.fr", "ddets", "departement:13"],
    ]) {
        for a in attendus {
            assert!(ligne.contains(a), "{ligne}");
        }
    }
    let comptes = lister_json(&base);
    assert_eq!(comptes.len(), 2);
    assert_eq!(comptes[0]["email"], "admin@social.gouv.fr");
    assert_eq!(comptes[0]["actif"], true);
    assert_eq!(comptes[0]["modifie_par"], "cli:test");
    for c in &comptes {
        assert!(c.get("hash_mot_de_passe").is_none(), "pas d'empreinte : {c}");
    }
}

#[test]
fn erreurs_de_creation() {
    let base = base_neuve();
    creer(&base, "admin@exemple.fr", "administrateur_national", "national");
    let creation = |role: &'static str, perimetre: &'static str| {
        [
            "utilisateur",
            "creer",
            "--email",
            "autre@exemple.fr",
            "--nom",
            "Autre",
            "--role",
            role,
            "--perimetre",
            perimetre,
            "--generer",
        ]
    };
    for (role, perimetre, message) in [
        (
            "roi",
            "national",
            "le rôle « roi » n'existe pas : rôles possibles",
        ),
        (
            "ddets",
            "region:93",
            "le rôle « DDETS » s'exerce sur un département, pas sur une région",
        ),
        ("ddets", "departement:99", "le département « 99 » n'existe pas"),
        (
            "commissaire",
            "region",
            "le périmètre « region » n'est pas reconnu",
        ),
    ] {
        echoue(&base, &creation(role, perimetre), 2, message);
    }
    echoue(
        &base,
        &[
            "utilisateur",
            "creer",
            "--email",
            "ADMIN@exemple.fr",
            "--nom",
            "Doublon",
            "--role",
            "aucun",
            "--perimetre",
            "aucun",
            "--generer",
        ],
        1,
        "un compte existe déjà pour l'adresse admin@exemple.fr",
    );
    // A short password is refused before the base is touched.
    let fichier = std::env::temp_dir().join(format!("pacte-cli-court-{}", std::process::id()));
    std::fs::write(&fichier, "court\n").unwrap();
    echoue(
        &base,
        &[
            "utilisateur",
            "creer",
            "--email",
            "court@exemple.fr",
            "--nom",
            "Court",
            "--role",
            "aucun",
            "--perimetre",
            "aucun",
            "--mot-de-passe-fichier",
            fichier.to_str().unwrap(),
        ],
        2,
        "au moins 12 caractères",
    );
    assert_eq!(lister_json(&base).len(), 1, "rien n'a été créé");
}

#[test]
fn desactivation_et_dernier_administrateur() {
    let base = base_neuve();
    creer(&base, "admin@exemple.fr", "administrateur_national", "national");
    echoue(
        &base,
        &["utilisateur", "desactiver", "--email", "admin@exemple.fr"],
        1,
        "le compte admin@exemple.fr est le dernier administrateur national actif",
    );
    echoue(
        &base,
        &[
            "utilisateur",
            "modifier",
            "admin@exemple.fr",
            "--role",
            "lecteur_national",
        ],
        1,
        "dernier administrateur national actif",
    );
    assert_eq!(
        compte(&base, "admin@exemple.fr")["role"],
        "administrateur_national"
    );
    assert_eq!(compte(&base, "admin@exemple.fr")["actif"], true);

    // A second administrator: the first may go.
    creer(&base, "relais@exemple.fr", "administrateur_national", "national");
    let s = reussit(
        &base,
        &["utilisateur", "desactiver", "--email", "admin@exemple.fr"],
    );
    assert!(
        s.contains(
            "Compte admin@exemple.fr désactivé : ses sessions sont fermées et ses jetons d'API révoqués."
        ),
        "{s}"
    );
    assert_eq!(compte(&base, "admin@exemple.fr")["actif"], false);
    assert!(reussit(&base, &["utilisateur", "lister"]).contains("(désactivé)"));
    echoue(
        &base,
        &["utilisateur", "desactiver", "--email", "relais@exemple.fr"],
        1,
        "dernier administrateur national actif",
    );
    echoue(
        &base,
        &["utilisateur", "desactiver", "--email", "personne@exemple.fr"],
        1,
        "aucun compte n'a l'adresse personne@exemple.fr",
    );
    // Reactivated: then the other may step down.
    let s = reussit(
        &base,
        &["utilisateur", "modifier", "admin@exemple.fr", "--activer"],
    );
    assert!(s.contains("Compte admin@exemple.fr modifié"), "{s}");
    assert_eq!(compte(&base, "admin@exemple.fr")["actif"], true);
    reussit(
        &base,
        &[
            "utilisateur",
            "modifier",
            "relais@exemple.fr",
            "--role",
            "lecteur_national",
        ],
    );
    assert_eq!(compte(&base, "relais@exemple.fr")["role"], "lecteur_national");
    assert_eq!(compte(&base, "relais@exemple.fr")["perimetre"], "national");
}

#[test]
fn modifier_attribue_un_role_a_un_compte_sans_droit() {
    let base = base_neuve();
    creer(&base, "admin@exemple.fr", "administrateur_national", "national");
    creer(&base, "agent@interieur.gouv.fr", "aucun", "aucun");
    let agent = || compte(&base, "agent@interieur.gouv.fr");
    assert_eq!(agent()["version"], 1);

    // A role over a territory needs its scope.
    echoue(
        &base,
        &[
            "utilisateur",
            "modifier",
            "agent@interieur.gouv.fr",
            "--role",
            "commissaire",
        ],
        2,
        "le rôle « Commissaire » s'exerce sur une région : précisez-le avec --perimetre (par exemple region:93)",
    );
    echoue(
        &base,
        &[
            "utilisateur",
            "modifier",
            "agent@interieur.gouv.fr",
            "--role",
            "commissaire",
            "--perimetre",
            "region:99",
        ],
        2,
        "la région « 99 » n'existe pas",
    );
    echoue(
        &base,
        &[
            "utilisateur",
            "modifier",
            "agent@interieur.gouv.fr",
            "--role",
            "empereur",
        ],
        2,
        "le rôle « empereur » n'existe pas",
    );
    echoue(
        &base,
        &["utilisateur", "modifier", "agent@interieur.gouv.fr"],
        2,
        "rien à modifier",
    );
    echoue(
        &base,
        &[
            "utilisateur",
            "modifier",
            "agent@interieur.gouv.fr",
            "--nom",
            "  ",
        ],
        2,
        "--nom : le nom est vide",
    );
    echoue(
        &base,
        &["utilisateur", "modifier", "inconnu@exemple.fr", "--role", "aucun"],
        1,
        "aucun compte n'a l'adresse inconnu@exemple.fr",
    );
    assert_eq!(agent()["version"], 1, "rien n'a été écrit");

    let s = reussit(
        &base,
        &[
            "utilisateur",
            "modifier",
            "agent@interieur.gouv.fr",
            "--role",
            "commissaire",
            "--perimetre",
            "region:93",
            "--nom",
            "Commissaire PACA",
        ],
    );
    assert!(
        s.contains(
            "Compte agent@interieur.gouv.fr modifié : Commissaire PACA (Commissaire, région Provence-Alpes-Côte d'Azur (93))."
        ),
        "{s}"
    );
    let a = agent();
    assert_eq!(
        (&a["role"], &a["perimetre"], &a["nom"], &a["version"]),
        (
            &serde_json::json!("commissaire"),
            &serde_json::json!("region:93"),
            &serde_json::json!("Commissaire PACA"),
            &serde_json::json!(2)
        )
    );
    assert_eq!(a["modifie_par"], "cli:test");
    // The scope alone, keeping the role.
    reussit(
        &base,
        &[
            "utilisateur",
            "modifier",
            "agent@interieur.gouv.fr",
            "--perimetre",
            "region:76",
        ],
    );
    assert_eq!(agent()["perimetre"], "region:76");
    echoue(
        &base,
        &[
            "utilisateur",
            "modifier",
            "agent@interieur.gouv.fr",
            "--perimetre",
            "departement:13",
        ],
        2,
        "s'exerce sur une région, pas sur un département",
    );
    // The audit log names the actor.
    let journal = reussit(&base, &["audit", "journal"]);
    assert!(
        journal
            .lines()
            .filter(|l| l.contains("cli:test") && l.contains("modification"))
            .count()
            >= 2,
        "{journal}"
    );
    reussit(&base, &["audit", "verifier"]);
}
