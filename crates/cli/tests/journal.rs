//! The server's request log, end to end: `pacte serve --journal-json` writes one JSON line per
//! request on stderr, with the route template and the request id sent back to the client;
//! `RUST_LOG` filters it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Starts `pacte serve` on a free port of a fresh base, sends one GET, stops the server;
/// returns the response and what the server wrote on stderr.
fn une_requete(arguments: &[&str], env: &[(&str, &str)], chemin: &str) -> (String, String) {
    static COMPTEUR: AtomicUsize = AtomicUsize::new(0);
    let dossier = std::env::temp_dir().join(format!(
        "pacte-cli-journal-{}-{}",
        std::process::id(),
        COMPTEUR.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dossier);
    std::fs::create_dir_all(&dossier).unwrap();
    let base = format!("sqlite://{}/pacte.db", dossier.display());
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let adresse = format!("127.0.0.1:{port}");
    let mut commande = Command::new(env!("CARGO_BIN_EXE_pacte"));
    commande
        .args(["serve", "--base", &base, "--adresse", &adresse])
        .args(arguments)
        .env_remove("RUST_LOG")
        .env_remove("PACTE_JOURNAL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        commande.env(k, v);
    }
    let mut serveur = commande.spawn().expect("pacte serve");
    let debut = Instant::now();
    let mut flux = loop {
        match TcpStream::connect(&adresse) {
            Ok(f) => break f,
            Err(_) if debut.elapsed() < Duration::from_secs(30) => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(e) => {
                let _ = serveur.kill();
                panic!("le serveur ne répond pas : {e}");
            }
        }
    };
    write!(
        flux,
        "GET {chemin} HTTP/1.1\r\nHost: {adresse}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reponse = String::new();
    flux.read_to_string(&mut reponse).unwrap();
    // The log line is written before the response is sent; give the pipe a moment anyway.
    std::thread::sleep(Duration::from_millis(200));
    serveur.kill().unwrap();
    let sortie = serveur.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&dossier);
    (reponse, String::from_utf8_lossy(&sortie.stderr).into_owned())
}

fn id_de(reponse: &str) -> String {
    reponse
        .lines()
        .find_map(|l| {
            let (nom, valeur) = l.split_once(':')?;
            nom.eq_ignore_ascii_case("x-request-id")
                .then(|| valeur.trim().to_string())
        })
        .expect("en-tête X-Request-Id")
}

#[test]
fn une_ligne_json_par_requete() {
    for (arguments, env) in [
        (&["--journal-json"][..], &[][..]),
        (&[][..], &[("PACTE_JOURNAL", "json")][..]),
    ] {
        let (reponse, journal) = une_requete(arguments, env, "/connexion?retour=%2Fcontrats%2Fsecret-zq");
        assert!(reponse.starts_with("HTTP/1.1 200"), "{reponse}");
        let id = id_de(&reponse);
        let lignes: Vec<serde_json::Value> = journal
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e} : {l}")))
            .collect();
        let servies: Vec<&serde_json::Value> = lignes
            .iter()
            .filter(|l| l["fields"]["message"] == "requête servie")
            .collect();
        assert_eq!(servies.len(), 1, "{journal}");
        let l = servies[0];
        assert_eq!(l["level"], "INFO");
        assert_eq!(l["fields"]["statut"], 200);
        assert_eq!(l["span"]["route"], "/connexion");
        assert_eq!(l["span"]["methode"], "GET");
        assert_eq!(l["span"]["id"], id.as_str());
        assert!(
            !journal.contains("secret-zq") && !journal.contains("retour="),
            "{journal}"
        );
    }
}

#[test]
fn rust_log_filtre_et_texte_par_defaut() {
    // Text by default: the route and the status on the request's line.
    let (_, journal) = une_requete(&[], &[], "/connexion");
    let ligne = journal
        .lines()
        .find(|l| l.contains("requête servie"))
        .unwrap_or_else(|| panic!("{journal}"));
    assert!(
        !ligne.starts_with('{') && ligne.contains("route=/connexion") && ligne.contains("statut=200"),
        "{ligne}"
    );
    // RUST_LOG=warn: no line for a request served well.
    let (reponse, journal) = une_requete(&["--journal-json"], &[("RUST_LOG", "warn")], "/connexion");
    assert!(reponse.starts_with("HTTP/1.1 200"), "{reponse}");
    assert!(!journal.contains("requête servie"), "{journal}");
}
