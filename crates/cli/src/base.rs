//! Subcommands that use the base: import, export, list, audit, backup, restore, move.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pacte_core::Contrat;
use pacte_core::droits::{self, Action};
use pacte_core::fichier::{ecrire_toml, json, lire_toml};
use pacte_store::sauvegarde::{Sauvegarde, migrer};
use pacte_store::{Ancre, Base, ErreurStore, Refus};

use crate::Format;

const ECHEC: u8 = 1;
const ILLISIBLE: u8 = 2;

/// Prints a store error in French and gives the exit code.
fn echec(e: ErreurStore) -> ExitCode {
    eprintln!("Erreur : {e}.");
    ExitCode::from(ECHEC)
}

async fn ouvrir(url: &str) -> Result<Base, ExitCode> {
    Base::ouvrir(url).await.map_err(|e| {
        eprintln!("Erreur : ouverture de la base {url} : {e}.");
        ExitCode::from(ECHEC)
    })
}

/// `pacte import`: every file is read and parsed first; then all contracts are written in one
/// transaction. Any unreadable file: nothing is written. One contract per collectivity and
/// period: a file whose collectivity already has a contract is refused (nothing is written),
/// unless `remplacer`, then it updates that contract as a new version, if its state still
/// allows a modification (draft or negotiation), its state kept.
pub async fn importer(url: &str, fichiers: &[PathBuf], remplacer: bool, acteur: &str) -> ExitCode {
    let mut contrats = Vec::with_capacity(fichiers.len());
    let mut erreurs = 0;
    for f in fichiers {
        match std::fs::read_to_string(f) {
            Err(e) => {
                eprintln!("Erreur : {} : lecture impossible ({e}).", f.display());
                erreurs += 1;
            }
            Ok(texte) => match lire_toml(&texte) {
                Ok(c) => contrats.push(c),
                Err(e) => {
                    eprintln!("Erreur : {}, {e}", f.display());
                    erreurs += 1;
                }
            },
        }
    }
    if erreurs > 0 {
        eprintln!(
            "Aucun contrat importé : {erreurs} fichier(s) illisible(s) sur {}.",
            fichiers.len()
        );
        return ExitCode::from(ILLISIBLE);
    }
    let base = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    // The same rule as the web's update by file: a contract is modified in draft or
    // negotiation only (afterwards by rider).
    let garde = |stocke: &Contrat| {
        droits::etat_apres(Action::Modifier, stocke.contrat.etat)
            .map(|_| ())
            .map_err(|m| {
                Refus::new(format!(
                    "contrat de la collectivité {} : {m}",
                    stocke.contrat.collectivite
                ))
            })
    };
    match base.importer_unique(&contrats, remplacer, acteur, garde).await {
        Ok(ids) => {
            let n: usize = contrats.iter().map(|c| c.fiches.len()).sum();
            let liste = |remplace: bool| -> Vec<String> {
                ids.iter()
                    .filter(|(_, r)| *r == remplace)
                    .map(|(id, _)| id.to_string())
                    .collect()
            };
            let (crees, maj) = (liste(false), liste(true));
            let mut phrases = Vec::new();
            if !crees.is_empty() {
                phrases.push(format!(
                    "{} contrat(s) créé(s) : n° {}",
                    crees.len(),
                    crees.join(", ")
                ));
            }
            if !maj.is_empty() {
                phrases.push(format!(
                    "{} contrat(s) mis à jour comme nouvelle version : n° {}",
                    maj.len(),
                    maj.join(", ")
                ));
            }
            ecrire!(
                "{} contrat(s) importé(s), {n} fiche(s) action, dans {url} ; {}.",
                ids.len(),
                phrases.join(" ; ")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let refus = matches!(e, ErreurStore::Refus(_));
            eprintln!("Aucun contrat importé.");
            let code = echec(e);
            if refus && !remplacer {
                eprintln!(
                    "Pour mettre à jour le contrat existant comme nouvelle version (au brouillon ou en négociation), relancez avec --remplacer."
                );
            }
            code
        }
    }
}

pub async fn exporter(url: &str, designation: &str, sortie: Option<&Path>) -> ExitCode {
    let base = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    let stocke = match base.trouver_contrat(designation).await {
        Ok(id) => base.contrat(id).await,
        Err(e) => Err(e),
    };
    let stocke = match stocke {
        Ok(s) => s,
        Err(e) => return echec(e),
    };
    let texte = ecrire_toml(&stocke.contrat);
    match sortie {
        None => ecrire_sans_fin!("{texte}"),
        Some(p) => {
            if let Err(e) = std::fs::write(p, &texte) {
                eprintln!("Erreur : écriture de {} impossible ({e}).", p.display());
                return ExitCode::from(ECHEC);
            }
            eprintln!("Contrat n° {} écrit dans {}.", stocke.tampon.id, p.display());
        }
    }
    ExitCode::SUCCESS
}

pub async fn lister(url: &str, format: Format) -> ExitCode {
    let base = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    let contrats = match base.contrats().await {
        Ok(c) => c,
        Err(e) => return echec(e),
    };
    match format {
        Format::Json => ecrire!("{}", json(&contrats)),
        Format::Texte => {
            if contrats.is_empty() {
                ecrire!("Aucun contrat dans {url}. Pour en importer : pacte import FICHIER.toml");
            }
            let t = pacte_core::territoires::territoires();
            for c in &contrats {
                let nom = t
                    .collectivite(&c.collectivite)
                    .map_or(c.collectivite.as_str(), |x| x.nom.as_str());
                let etat = c.etat.libelle();
                ecrire!(
                    "{:>5}  {:<55} {:<14} {:>3} fiche(s)  version {}, modifié le {}",
                    c.id,
                    nom,
                    etat,
                    c.fiches,
                    c.version,
                    pacte_core::temps::horodatage_court(&c.modifie_le)
                );
            }
        }
    }
    ExitCode::SUCCESS
}

pub async fn verifier_audit(url: &str, ancre: Option<&str>) -> ExitCode {
    let ancre = match ancre.map(Ancre::lire).transpose() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("Erreur : {e}.");
            return ExitCode::from(ILLISIBLE);
        }
    };
    let base = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    let integrite = match base.integrite().await {
        Ok(p) => p,
        Err(e) => return echec(e),
    };
    let rapport = match base.verifier_audit_ancre(ancre.as_ref()).await {
        Ok(r) => r,
        Err(e) => return echec(e),
    };
    let mut ok = true;
    if integrite.is_empty() {
        ecrire!("Intégrité du moteur ({}) : correcte.", base.moteur().libelle());
    } else {
        ok = false;
        ecrire!(
            "Intégrité du moteur ({}) : {} problème(s).",
            base.moteur().libelle(),
            integrite.len()
        );
        for p in integrite {
            ecrire!("  {p}");
        }
    }
    match &rapport.rupture {
        None => ecrire!(
            "Journal d'audit : {} entrées, chaîne intacte, données conformes au journal.",
            rapport.entrees
        ),
        Some(r) => {
            ok = false;
            ecrire!("Journal d'audit : RUPTURE (entrée {}) : {}.", r.entree, r.raison);
        }
    }
    if !rapport.montants.is_empty() {
        ok = false;
        ecrire!(
            "Montants stockés : {} écart(s) avec les fiches et les en-têtes dont ils sont calculés :",
            rapport.montants.len()
        );
        for m in &rapport.montants {
            ecrire!("  {m}");
        }
    }
    match (base.cle_audit(), base.chemin_cle_audit()) {
        (Some(c), Some(f)) => ecrire!("Clé du journal : {} ({}).", c.identifiant_courant(), f.display()),
        (None, Some(f)) => ecrire!("Clé du journal : absente ({} introuvable).", f.display()),
        _ => {}
    }
    ecrire!("Portée : {}.", rapport.portee());
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(ECHEC)
    }
}

/// `pacte audit ancre`: the signed head of the log, one line on standard output.
pub async fn ancre(url: &str) -> ExitCode {
    let base = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    match base.ancre().await {
        Ok(a) => {
            if a.mac.is_none() {
                eprintln!(
                    "Attention : la base n'a pas de clé de journal ({}) : ancre non signée.",
                    pacte_store::audit::VAR_CLE
                );
            }
            ecrire!("{}", a.ligne());
            ExitCode::SUCCESS
        }
        Err(e) => echec(e),
    }
}

pub async fn journal(url: &str, depuis: i64, limite: i64, format: Format) -> ExitCode {
    let base = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    let entrees = match base.journal(depuis, limite).await {
        Ok(e) => e,
        Err(e) => return echec(e),
    };
    match format {
        Format::Json => ecrire!("{}", json(&entrees)),
        Format::Texte => {
            for e in &entrees {
                ecrire!(
                    "{:>6}  {}  {:<20} {:<12} {:<8} {}",
                    e.id,
                    e.horodatage,
                    e.acteur,
                    e.operation,
                    e.entite,
                    e.entite_id
                );
            }
        }
    }
    ExitCode::SUCCESS
}

pub async fn sauvegarder(url: &str, fichier: &Path) -> ExitCode {
    let base = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    let s = match base.sauvegarde().await {
        Ok(s) => s,
        Err(e) => return echec(e),
    };
    // Write to a temporary file, then rename: a crash never leaves a truncated backup.
    let tmp = fichier.with_extension("partiel");
    let ecrit = serde_json::to_vec(&s)
        .map_err(std::io::Error::other)
        .and_then(|octets| std::fs::write(&tmp, octets))
        .and_then(|()| std::fs::rename(&tmp, fichier));
    if let Err(e) = ecrit {
        eprintln!("Erreur : écriture de {} impossible ({e}).", fichier.display());
        return ExitCode::from(ECHEC);
    }
    ecrire!(
        "Sauvegarde écrite dans {} : {} contrat(s), {} fiche(s), {} compte(s), {} jeton(s) d'API, {} entrée(s) d'audit. \
         Elle contient les empreintes des mots de passe : à protéger comme la base. \
         Elle ne contient pas la clé du journal d'audit : sauvegardez-la à part.",
        fichier.display(),
        s.contrats.len(),
        s.fiches.len(),
        s.utilisateurs.len(),
        s.jetons.len(),
        s.audit.len()
    );
    if let Some(a) = &s.ancre {
        ecrire!("Ancre du journal (à garder hors de la base) : {a}");
    }
    ExitCode::SUCCESS
}

pub async fn restaurer(url: &str, fichier: &Path) -> ExitCode {
    let s: Sauvegarde = match std::fs::read(fichier)
        .map_err(|e| e.to_string())
        .and_then(|o| serde_json::from_slice(&o).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "Erreur : {} n'est pas une sauvegarde Pacte lisible ({e}).",
                fichier.display()
            );
            return ExitCode::from(ILLISIBLE);
        }
    };
    let base = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    if let Err(e) = base.restaurer(&s).await {
        return echec(e);
    }
    match base.verifier_audit().await {
        Ok(r) if r.rupture.is_none() => {
            ecrire!(
                "Restauration dans {url} : {} contrat(s), {} fiche(s) ; journal d'audit vérifié ({} entrées).",
                s.contrats.len(),
                s.fiches.len(),
                r.entrees
            );
            ExitCode::SUCCESS
        }
        Ok(r) => {
            eprintln!(
                "Erreur : restauration faite, mais le journal d'audit ne se vérifie pas : {:?}.",
                r.rupture
            );
            ExitCode::from(ECHEC)
        }
        Err(e) => echec(e),
    }
}

pub async fn migrer_vers(url: &str, vers: &str) -> ExitCode {
    let source = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    let cible = match ouvrir(vers).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    let rapport = match migrer(&source, &cible).await {
        Ok(r) => r,
        Err(e) => return echec(e),
    };
    for (table, s, c) in [
        ("contrats", &rapport.source.contrats, &rapport.cible.contrats),
        ("fiches", &rapport.source.fiches, &rapport.cible.fiches),
        ("audit", &rapport.source.audit, &rapport.cible.audit),
        (
            "comptes",
            &rapport.source.utilisateurs,
            &rapport.cible.utilisateurs,
        ),
        ("jetons", &rapport.source.jetons, &rapport.cible.jetons),
    ] {
        let verdict = if s == c { "identique" } else { "DIFFÉRENT" };
        ecrire!(
            "{table:<9} source {:>7} ligne(s), cible {:>7} ligne(s), empreinte {} : {verdict}",
            s.0,
            c.0,
            &s.1[..16]
        );
    }
    if rapport.identiques() {
        ecrire!(
            "Migration de {url} vers {} ({}) terminée et vérifiée.",
            vers,
            cible.moteur().libelle()
        );
        if let Some(f) = source.chemin_cle_audit().filter(|_| source.cle_audit().is_some()) {
            ecrire!(
                "Le journal d'audit est signé par la clé de {} : indiquez ce fichier par {} à chaque commande sur la base cible.",
                f.display(),
                pacte_store::audit::VAR_CLE
            );
        }
        ExitCode::SUCCESS
    } else {
        eprintln!("Erreur : la base cible diffère de la source après copie.");
        ExitCode::from(ECHEC)
    }
}

/// `pacte serve`.
pub async fn servir(
    url: &str,
    adresse: std::net::SocketAddr,
    page_reference: Option<PathBuf>,
    https: bool,
    mandataire: bool,
) -> ExitCode {
    let proconnect = match pacte_web::comptes::proconnect::config_depuis(|n| std::env::var(n).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("Erreur : {e}.");
            return ExitCode::from(ECHEC);
        }
    };
    let smtp = match pacte_web::echanges::notification::config_depuis(|n| std::env::var(n).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("Erreur : {e}.");
            return ExitCode::from(ECHEC);
        }
    };
    let url_publique = match pacte_web::campagnes::rappels_courriel::url_publique(|n| std::env::var(n).ok()) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("Erreur : {e}.");
            return ExitCode::from(ECHEC);
        }
    };
    let base = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    let page_reference = match page_reference.map(std::fs::read).transpose() {
        Ok(p) => p.map(std::sync::Arc::new),
        Err(e) => {
            eprintln!("Erreur : page de référence illisible ({e}).");
            return ExitCode::from(ILLISIBLE);
        }
    };
    match base.compter_administrateurs_actifs().await {
        Ok(0) => eprintln!(
            "Attention : cette base n'a aucun administrateur national. Pour créer le premier :\n  pacte utilisateur creer --base {url} --email VOUS@EXEMPLE.GOUV.FR --nom \"Prénom Nom\" --role administrateur_national --perimetre national"
        ),
        Ok(_) => {}
        Err(e) => return echec(e),
    }
    ecrire!("Pacte écoute sur http://{adresse}/ (base {url}). Arrêt : Ctrl+C.");
    if let Some(config) = &smtp {
        // The campaigns' reminders by e-mail, once a day from 7 h (Paris).
        pacte_web::campagnes::rappels_courriel::tache_quotidienne(base.clone(), config.clone(), url_publique);
    }
    lancer(
        base,
        adresse,
        pacte_web::Options {
            page_reference,
            https,
            mandataire,
            proconnect,
            smtp,
            ..Default::default()
        },
    )
    .await
}

/// `pacte demo`: a fresh SQLite base in a temporary folder, loaded with the demonstration data.
pub async fn demo(adresse: std::net::SocketAddr) -> ExitCode {
    let dossier = std::env::temp_dir().join(format!("pacte-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dossier);
    let url = format!("sqlite://{}/pacte.db", dossier.display());
    let base = match ouvrir(&url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    let debut = std::time::Instant::now();
    let ids = match pacte_web::demo::charger_complet(&base).await {
        Ok(ids) => ids,
        Err(e) => return echec(e),
    };
    ecrire!("Pacte — démonstration");
    ecrire!(
        "  {} contrats fictifs chargés dans une base neuve ({url}) en {} s.",
        ids.len(),
        // A French decimal comma: « 0,7 s ».
        format!("{:.1}", debut.elapsed().as_secs_f64()).replace('.', ",")
    );
    if let Err(e) =
        pacte_web::demo::creer_comptes(&base, pacte_web::comptes::mot_de_passe::Cout::Standard).await
    {
        return echec(e);
    }
    ecrire!(
        "  Ouvrir http://{adresse}/ dans un navigateur. Arrêt : Ctrl+C (les données de démonstration sont alors effacées)."
    );
    ecrire!("  Comptes de démonstration (mots de passe publics, pour la démonstration seulement) :");
    for c in pacte_web::demo::COMPTES {
        ecrire!("    {:<24} {:<40} {}", c.role, c.email, c.mot_de_passe);
    }
    let code = lancer(
        base,
        adresse,
        pacte_web::Options {
            demonstration: true,
            ..Default::default()
        },
    )
    .await;
    let _ = std::fs::remove_dir_all(&dossier);
    code
}

async fn lancer(base: Base, adresse: std::net::SocketAddr, options: pacte_web::Options) -> ExitCode {
    match pacte_web::servir(base, adresse, options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Erreur : impossible d'écouter sur {adresse} ({e}).");
            ExitCode::from(ECHEC)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts

/// Where the password of a new account comes from.
pub enum SourceMotDePasse {
    /// Read from standard input (first line).
    Entree,
    /// Read from a file (first line).
    Fichier(PathBuf),
    /// Generated and printed once.
    Genere,
}

/// `pacte utilisateur creer`. On a base without an administrator this is also how the first
/// national administrator is created.
pub async fn creer_utilisateur(
    url: &str,
    email: &str,
    nom: &str,
    role: &str,
    perimetre: &str,
    source: SourceMotDePasse,
    acteur: &str,
) -> ExitCode {
    let habilitation = match pacte_core::droits::lire_habilitation(role, perimetre) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("Erreur : {e}.");
            return ExitCode::from(ILLISIBLE);
        }
    };
    let (mot_de_passe, genere) = match source {
        SourceMotDePasse::Genere => (pacte_web::comptes::mot_de_passe::aleatoire(), true),
        SourceMotDePasse::Entree => {
            let mut ligne = String::new();
            if let Err(e) = std::io::stdin().read_line(&mut ligne) {
                eprintln!("Erreur : lecture du mot de passe sur l'entrée standard impossible ({e}).");
                return ExitCode::from(ILLISIBLE);
            }
            (ligne.trim_end_matches(['\r', '\n']).to_string(), false)
        }
        SourceMotDePasse::Fichier(f) => match std::fs::read_to_string(&f) {
            Ok(t) => (t.lines().next().unwrap_or_default().to_string(), false),
            Err(e) => {
                eprintln!("Erreur : {} : lecture impossible ({e}).", f.display());
                return ExitCode::from(ILLISIBLE);
            }
        },
    };
    if let Some(m) = pacte_web::comptes::mot_de_passe::refus_nouveau(&mot_de_passe) {
        eprintln!("Erreur : {m}");
        return ExitCode::from(ILLISIBLE);
    }
    let base = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    let hash = pacte_web::comptes::mot_de_passe::hacher(
        &mot_de_passe,
        pacte_web::comptes::mot_de_passe::Cout::Standard,
    );
    let nouveau = pacte_store::comptes::NouvelUtilisateur {
        email: email.into(),
        nom: nom.into(),
        hash_mot_de_passe: Some(hash),
        role: pacte_core::droits::code_role(habilitation.role()),
        perimetre: pacte_core::droits::code_perimetre(habilitation.perimetre()),
    };
    match base.creer_utilisateur(&nouveau, acteur).await {
        Ok(u) => {
            ecrire!(
                "Compte n° {} créé : {} ({}, {}).",
                u.id,
                u.email,
                habilitation.role().libelle(),
                habilitation.perimetre()
            );
            if genere {
                ecrire!("Mot de passe (affiché une seule fois) : {mot_de_passe}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => echec(e),
    }
}

/// `pacte utilisateur lister`.
pub async fn lister_utilisateurs(url: &str, format: Format) -> ExitCode {
    let base = match ouvrir(url).await {
        Ok(b) => b,
        Err(c) => return c,
    };
    let comptes = match base.utilisateurs().await {
        Ok(c) => c,
        Err(e) => return echec(e),
    };
    match format {
        Format::Json => ecrire!("{}", json(&comptes)),
        Format::Texte => {
            if comptes.is_empty() {
                ecrire!(
                    "Aucun compte dans {url}. Pour créer le premier administrateur : pacte utilisateur creer --role administrateur_national --perimetre national …"
                );
            }
            for u in &comptes {
                ecrire!(
                    "{:>4}  {:<40} {:<24} {:<28} {}{}",
                    u.id,
                    u.email,
                    u.role,
                    u.perimetre,
                    u.nom,
                    if u.actif { "" } else { " (désactivé)" }
                );
            }
        }
    }
    ExitCode::SUCCESS
}

/// What `pacte utilisateur modifier` changes (`None`, `false`: unchanged).
pub struct Changements {
    pub role: Option<String>,
    pub perimetre: Option<String>,
    pub nom: Option<String>,
    pub activer: bool,
}

/// `pacte utilisateur modifier`: the same checks as the administration pages (the role and
/// scope make a habilitation, the name is not empty), then the store's (version, last active
/// national administrator).
pub async fn modifier_utilisateur(url: &str, email: &str, c: Changements, acteur: &str) -> ExitCode {
    if c.role.is_none() && c.perimetre.is_none() && c.nom.is_none() && !c.activer {
        eprintln!("Erreur : rien à modifier : précisez --role, --perimetre, --nom ou --activer.");
        return ExitCode::from(ILLISIBLE);
    }
    let nom = match c.nom.as_deref().map(pacte_core::droits::verifier_nom).transpose() {
        Ok(n) => n,
        Err(e) => {
            eprintln!("Erreur : --nom : {e}.");
            return ExitCode::from(ILLISIBLE);
        }
    };
    let (base, u) = match base_et_compte(url, email).await {
        Ok(bu) => bu,
        Err(c) => return c,
    };
    // The role given, or the account's; the scope given, else the one the role implies, else
    // the account's own when the role is unchanged.
    let role = c.role.clone().unwrap_or_else(|| u.role.clone());
    let perimetre = match (&c.perimetre, &c.role) {
        (Some(p), _) => p.clone(),
        (None, Some(r)) => match pacte_core::droits::lire_role(r) {
            Ok(r) => match r.perimetre_implicite() {
                Some(p) => pacte_core::droits::code_perimetre(&p),
                None => {
                    eprintln!(
                        "Erreur : le rôle « {} » s'exerce sur {} : précisez-le avec --perimetre (par exemple {}).",
                        r.libelle(),
                        r.portee().libelle(),
                        exemple_perimetre(r.portee())
                    );
                    return ExitCode::from(ILLISIBLE);
                }
            },
            Err(e) => {
                eprintln!("Erreur : {e}.");
                return ExitCode::from(ILLISIBLE);
            }
        },
        (None, None) => u.perimetre.clone(),
    };
    let habilitation = match pacte_core::droits::lire_habilitation(&role, &perimetre) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("Erreur : {e}.");
            return ExitCode::from(ILLISIBLE);
        }
    };
    let profil = pacte_store::comptes::ProfilUtilisateur {
        nom: nom.unwrap_or_else(|| u.nom.clone()),
        role: pacte_core::droits::code_role(habilitation.role()),
        perimetre: pacte_core::droits::code_perimetre(habilitation.perimetre()),
        actif: u.actif || c.activer,
    };
    match base.modifier_utilisateur(u.id, &profil, u.version, acteur).await {
        Ok(m) => {
            ecrire!(
                "Compte {} modifié : {} ({}, {}){}.",
                m.email,
                m.nom,
                habilitation.role().libelle(),
                habilitation.perimetre(),
                if m.actif { "" } else { ", désactivé" }
            );
            ExitCode::SUCCESS
        }
        Err(e) => echec(e),
    }
}

/// An example of a scope of this kind, for messages.
fn exemple_perimetre(portee: pacte_core::droits::Portee) -> &'static str {
    use pacte_core::droits::Portee;
    match portee {
        Portee::Region => "region:93",
        Portee::Departement => "departement:13",
        Portee::Collectivite => "collectivite:200054807",
        Portee::Organisation => "\"organisation:CAF des Bouches-du-Rhône\"",
        Portee::National => "national",
        Portee::Aucun => "aucun",
    }
}

/// The base at `url` and its account of address `email`; the exit code of the failure.
async fn base_et_compte(
    url: &str,
    email: &str,
) -> Result<(Base, pacte_store::comptes::Utilisateur), ExitCode> {
    let base = ouvrir(url).await?;
    match base.utilisateur_par_email(email).await {
        Ok(Some(u)) => Ok((base, u)),
        Ok(None) => {
            eprintln!("Erreur : aucun compte n'a l'adresse {email}.");
            Err(ExitCode::from(ECHEC))
        }
        Err(e) => Err(echec(e)),
    }
}

/// `pacte utilisateur desactiver`.
pub async fn desactiver_utilisateur(url: &str, email: &str, acteur: &str) -> ExitCode {
    let (base, u) = match base_et_compte(url, email).await {
        Ok(bu) => bu,
        Err(c) => return c,
    };
    match base.desactiver_utilisateur(u.id, acteur).await {
        Ok(u) => {
            ecrire!(
                "Compte {} désactivé : ses sessions sont fermées et ses jetons d'API révoqués.",
                u.email
            );
            ExitCode::SUCCESS
        }
        Err(e) => echec(e),
    }
}
