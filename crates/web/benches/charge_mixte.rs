//! Mixed load: every eligible collectivity with its contract (60 fiches) and its own editor
//! account; 32 connections read each editor's own contract page in turn while fiches are
//! written through the API at 10 per second; compared with the same bytes served statically by
//! the same server (`/banc/reference.html`) in the same run.
//!
//! `cargo bench -p pacte-web --bench charge_mixte` (release; needs `wrk`). Targets: dynamic
//! throughput ≥ 0.6 × static, p99 < 10 ms, with the writes on. Exit code 1 when a target is
//! missed, 2 when the measure could not be made.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pacte_core::jeu_national::jeu_national;
use pacte_store::Base;
use pacte_store::comptes::{NouvelUtilisateur, empreinte_secret};

const FICHES: usize = 60;
const CONNEXIONS: u32 = 32;
const DUREE: &str = "10s";
const ECRITURES_PAR_SECONDE: u64 = 10;
const OBJECTIF_RAPPORT: f64 = 0.6;
const OBJECTIF_P99_MS: f64 = 10.0;

fn echec(message: &str) -> ! {
    eprintln!("Erreur : {message}");
    std::process::exit(2)
}

/// One editor: its contract, its session secret, its API token.
struct Editeur {
    contrat: i64,
    session: String,
    jeton: String,
}

struct Mesure {
    requetes_par_seconde: f64,
    p99_ms: f64,
    erreurs: bool,
}

/// Runs wrk with the Lua script reading `lignes` ("<session> <path>" per line) in turn.
fn wrk(adresse: SocketAddr, dossier: &std::path::Path, nom: &str, lignes: &[String]) -> Mesure {
    let fichier = dossier.join(format!("{nom}.txt"));
    std::fs::write(&fichier, lignes.join("\n") + "\n").expect("liste des requêtes");
    let script = dossier.join(format!("{nom}.lua"));
    std::fs::write(
        &script,
        format!(
            r#"local lignes = {{}}
for l in io.lines("{}") do table.insert(lignes, l) end
local i = math.random(#lignes)
request = function()
  i = (i % #lignes) + 1
  local session, chemin = lignes[i]:match("^(%S+) (%S+)$")
  return wrk.format("GET", chemin, {{["Cookie"] = "pacte_session=" .. session}})
end
"#,
            fichier.display()
        ),
    )
    .expect("script wrk");
    let sortie = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{CONNEXIONS}"),
            &format!("-d{DUREE}"),
            "--latency",
            "-s",
        ])
        .arg(&script)
        .arg(format!("http://{adresse}/"))
        .output()
        .unwrap_or_else(|e| echec(&format!("wrk introuvable ({e}) : apt-get install wrk")));
    let texte = String::from_utf8_lossy(&sortie.stdout).to_string();
    println!(
        "{}",
        texte
            .lines()
            .map(|l| format!("   {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let requetes_par_seconde = texte
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| echec("sortie de wrk illisible"));
    let p99 = texte
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(str::trim)
        .unwrap_or_else(|| echec("pas de 99e centile dans la sortie de wrk"));
    let p99_ms = if let Some(v) = p99.strip_suffix("us") {
        v.parse::<f64>().unwrap_or(f64::NAN) / 1000.0
    } else if let Some(v) = p99.strip_suffix("ms") {
        v.parse::<f64>().unwrap_or(f64::NAN)
    } else if let Some(v) = p99.strip_suffix('s') {
        v.parse::<f64>().unwrap_or(f64::NAN) * 1000.0
    } else {
        f64::NAN
    };
    Mesure {
        requetes_par_seconde,
        p99_ms,
        erreurs: texte.contains("Non-2xx or 3xx responses"),
    }
}

fn fr(x: f64) -> String {
    format!("{x:.2}").replace('.', ",")
}

/// Writes fiche 1.1 of the editors' contracts in turn through the API, `ECRITURES_PAR_SECONDE`
/// a second, until `fin`; counts the writes that succeeded and those that failed.
fn ecrire(
    adresse: SocketAddr,
    editeurs: Arc<Vec<Editeur>>,
    fin: Arc<AtomicBool>,
    faites: Arc<AtomicU64>,
    ratees: Arc<AtomicU64>,
) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut k = 0usize;
    let pas = Duration::from_millis(1000 / ECRITURES_PAR_SECONDE);
    let mut prochaine = Instant::now();
    while !fin.load(Ordering::SeqCst) {
        let e = &editeurs[k % editeurs.len()];
        k += 1;
        let url = format!("http://{adresse}/api/v1/contrats/{}/fiches/1.1", e.contrat);
        let bearer = format!("Bearer {}", e.jeton);
        let ok = (|| -> Result<(), String> {
            let mut r = agent
                .get(&url)
                .header("Authorization", &bearer)
                .call()
                .map_err(|e| e.to_string())?;
            let statut = r.status();
            let texte = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
            let etag = r
                .headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| format!("GET {url} : {statut} sans ETag : {texte}"))?
                .to_string();
            let corps: serde_json::Value = serde_json::from_str(&texte).map_err(|e| e.to_string())?;
            let mut fiche = corps.get("fiche").ok_or("réponse sans fiche")?.clone();
            fiche["description"] = serde_json::Value::String(format!("Description révisée n° {k}"));
            let mut r = agent
                .put(&url)
                .header("Authorization", &bearer)
                .header("If-Match", &etag)
                .content_type("application/json")
                .send(serde_json::to_string(&fiche).map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
            if r.status().is_success() {
                Ok(())
            } else {
                Err(format!(
                    "PUT {url} : {} : {}",
                    r.status(),
                    r.body_mut().read_to_string().unwrap_or_default()
                ))
            }
        })();
        match ok {
            Ok(()) => faites.fetch_add(1, Ordering::SeqCst),
            Err(e) => {
                if ratees.fetch_add(1, Ordering::SeqCst) == 0 {
                    eprintln!("Première écriture échouée : {e}");
                }
                1
            }
        };
        prochaine += pas;
        if let Some(attente) = prochaine.checked_duration_since(Instant::now()) {
            std::thread::sleep(attente);
        }
    }
}

fn main() {
    let dossier = std::env::temp_dir().join(format!("pacte-banc-mixte-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dossier);
    std::fs::create_dir_all(&dossier).expect("dossier temporaire");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    // The base: one contract per eligible collectivity, each with its editor.
    let n = pacte_core::territoires::territoires().collectivites.len();
    let (base, editeurs) = rt.block_on(async {
        let base = Base::ouvrir(&format!("sqlite://{}/pacte.db", dossier.display()))
            .await
            .expect("base");
        // In negotiation, so that each editor may write its fiches (the national set's
        // contracts are in execution).
        let contrats: Vec<_> = jeu_national(n, FICHES)
            .into_iter()
            .map(|mut c| {
                c.contrat.etat = pacte_core::contrat::EtatContrat::Negociation;
                c
            })
            .collect();
        let ids = base.importer(&contrats, "import:banc").await.expect("import");
        let mut editeurs = Vec::new();
        for (i, (id, c)) in ids.iter().zip(&contrats).enumerate() {
            let u = base
                .creer_utilisateur(
                    &NouvelUtilisateur {
                        email: format!("editeur.{i}@banc.pacte.example"),
                        nom: format!("Éditeur {i}"),
                        hash_mot_de_passe: None,
                        role: "collectivite_editeur".into(),
                        perimetre: format!("collectivite:{}", c.contrat.collectivite),
                    },
                    "banc",
                )
                .await
                .expect("compte");
            let session = format!("banc-session-{i}");
            let jeton = format!("banc-jeton-{i}");
            base.ouvrir_session(
                u.id,
                &empreinte_secret(&session),
                "csrf",
                "2999-01-01T00:00:00.000Z",
            )
            .await
            .expect("session");
            base.creer_jeton(
                u.id,
                "banc",
                &empreinte_secret(&jeton),
                "2999-01-01T00:00:00.000Z",
                "banc",
            )
            .await
            .expect("jeton");
            editeurs.push(Editeur {
                contrat: *id,
                session,
                jeton,
            });
        }
        (base, editeurs)
    });
    println!(
        "{} collectivités éligibles, chacune avec son contrat de {FICHES} fiches et son compte d'éditeur",
        editeurs.len()
    );

    // The static reference: the bytes of one contract page.
    let reference = rt.block_on(async {
        let app = pacte_web::application(base.clone(), pacte_web::Options::default());
        let r = tower::ServiceExt::oneshot(
            app,
            axum::http::Request::get(format!("/contrats/{}", editeurs[0].contrat))
                .header("cookie", format!("pacte_session={}", editeurs[0].session))
                .body(axum::body::Body::empty())
                .expect("requête"),
        )
        .await
        .expect("réponse");
        assert_eq!(r.status(), axum::http::StatusCode::OK);
        http_body_util::BodyExt::collect(r.into_body())
            .await
            .expect("corps")
            .to_bytes()
            .to_vec()
    });
    println!("Page de référence : {} octets", reference.len());

    let ecoute = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let adresse = ecoute.local_addr().expect("adresse");
    ecoute.set_nonblocking(true).expect("non bloquant");
    let options = pacte_web::Options {
        page_reference: Some(Arc::new(reference)),
        ..Default::default()
    };
    let app = pacte_web::application(base.clone(), options);
    rt.spawn(async move {
        let ecoute = tokio::net::TcpListener::from_std(ecoute).expect("écoute");
        axum::serve(ecoute, app.into_make_service_with_connect_info::<SocketAddr>())
            .await
            .expect("serveur");
    });

    let charge = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    if charge
        .split(' ')
        .next()
        .and_then(|c| c.parse::<f64>().ok())
        .is_some_and(|c| c > 1.0)
    {
        println!(
            "Attention : la machine est déjà occupée (charge {}) ; les chiffres en seront faussés",
            charge.trim()
        );
    }
    let pages: Vec<String> = editeurs
        .iter()
        .map(|e| format!("{} /contrats/{}", e.session, e.contrat))
        .collect();
    let statiques: Vec<String> = editeurs
        .iter()
        .map(|e| format!("{} /banc/reference.html", e.session))
        .collect();
    // Warm-up, not counted: every editor's page once.
    let _ = wrk(adresse, &dossier, "chauffe", &pages);

    println!("== Statique : /banc/reference.html");
    let statique = wrk(adresse, &dossier, "statique", &statiques);

    println!(
        "== Pages de contrat de chaque éditeur, écritures de fiches par l'API à {ECRITURES_PAR_SECONDE}/s"
    );
    let editeurs = Arc::new(editeurs);
    let fin = Arc::new(AtomicBool::new(false));
    let faites = Arc::new(AtomicU64::new(0));
    let ratees = Arc::new(AtomicU64::new(0));
    let ecrivain = {
        let (e, f, a, b) = (editeurs.clone(), fin.clone(), faites.clone(), ratees.clone());
        std::thread::spawn(move || ecrire(adresse, e, f, a, b))
    };
    let debut = Instant::now();
    let dynamique = wrk(adresse, &dossier, "dynamique", &pages);
    fin.store(true, Ordering::SeqCst);
    ecrivain.join().expect("écrivain");
    let duree = debut.elapsed().as_secs_f64();
    let faites = faites.load(Ordering::SeqCst);
    let ratees = ratees.load(Ordering::SeqCst);

    let rapport = dynamique.requetes_par_seconde / statique.requetes_par_seconde;
    println!();
    println!(
        "Écritures de fiches par l'API : {faites} réussies, {ratees} échouées en {} s ({} par seconde)",
        fr(duree),
        fr(faites as f64 / duree)
    );
    println!(
        "Statique : {} requêtes/s, p99 {} ms",
        fr(statique.requetes_par_seconde),
        fr(statique.p99_ms)
    );
    println!(
        "Pages de contrat : {} requêtes/s, p99 {} ms",
        fr(dynamique.requetes_par_seconde),
        fr(dynamique.p99_ms)
    );
    let ok_rapport = rapport >= OBJECTIF_RAPPORT;
    let ok_p99 = dynamique.p99_ms < OBJECTIF_P99_MS;
    println!(
        "Rapport dynamique / statique : {} (objectif ≥ {}) : {}",
        fr(rapport),
        fr(OBJECTIF_RAPPORT),
        if ok_rapport { "atteint" } else { "NON ATTEINT" }
    );
    println!(
        "p99 des pages de contrat : {} ms (objectif < {} ms) : {}",
        fr(dynamique.p99_ms),
        fr(OBJECTIF_P99_MS),
        if ok_p99 { "atteint" } else { "NON ATTEINT" }
    );
    let _ = std::io::stdout().flush();
    let _ = std::fs::remove_dir_all(&dossier);
    if dynamique.erreurs || statique.erreurs || ratees > 0 {
        eprintln!("Erreur : des requêtes ont échoué pendant la mesure.");
        std::process::exit(2);
    }
    std::process::exit(if ok_rapport && ok_p99 { 0 } else { 1 });
}
