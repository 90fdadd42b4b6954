//! `pacte campagne rappels`: the campaigns' reminders by e-mail, for a daily cron. Who is due
//! what is chosen by `pacte_core::campagne::rappels` (through
//! `pacte_web::campagnes::rappels_courriel`); each reminder is recorded in the base when sent,
//! never sent twice. `--simulation` lists them without sending or recording anything. Without
//! SMTP configuration (`PACTE_SMTP_*`) nothing is sent and the command says so.

use std::process::ExitCode;

use pacte_core::campagne::rappels::Paliers;
use pacte_core::{Annee, Date};
use pacte_store::Base;
use pacte_web::campagnes::rappels_courriel::{self, Envoi};
use pacte_web::echanges::notification;

fn erreur(code: u8, m: impl std::fmt::Display) -> ExitCode {
    eprintln!("Erreur : {m}.");
    ExitCode::from(code)
}

/// The options of `pacte campagne rappels`.
pub struct Options {
    pub annee: Option<i64>,
    pub simulation: bool,
    pub jours_avant: String,
    pub jours_apres: String,
    /// The day the reminders are computed for (tests); today in Paris by default.
    pub le: Option<String>,
}

fn lister(envois: &[Envoi]) {
    for e in envois {
        ecrire!(
            "  {} — contrat n° {}, campagne {} : {}",
            e.email,
            e.cle.contrat,
            e.cle.annee,
            e.message.sujet
        );
    }
}

pub async fn rappels(url: &str, o: Options, acteur: &str) -> ExitCode {
    let paliers = match Paliers::lire(&o.jours_avant, &o.jours_apres, "--jours-avant", "--jours-apres") {
        Ok(p) => p,
        Err(m) => return erreur(2, m),
    };
    let annee = match o.annee.map(Annee::new).transpose() {
        Ok(a) => a,
        Err(m) => return erreur(2, format!("--annee : {m}")),
    };
    let jour = match o.le.as_deref().map(Date::parse).transpose() {
        Ok(j) => j.unwrap_or_else(|| pacte_store::horloge::instant().jour_a_paris()),
        Err(m) => return erreur(2, format!("--le : {m}")),
    };
    let smtp = match notification::config_depuis(|n| std::env::var(n).ok()) {
        Ok(c) => c,
        Err(m) => return erreur(1, m),
    };
    let adresse = match rappels_courriel::url_publique(|n| std::env::var(n).ok()) {
        Ok(u) => u,
        Err(m) => return erreur(1, m),
    };
    if smtp.is_none() && !o.simulation {
        return erreur(
            1,
            "aucun serveur SMTP n'est configuré (PACTE_SMTP_HOTE, PACTE_SMTP_EXPEDITEUR…, voir le README, « Notifications par courriel ») : aucun rappel envoyé. « pacte campagne rappels --simulation » liste les rappels qui seraient envoyés",
        );
    }
    let base = match Base::ouvrir(url).await {
        Ok(b) => b,
        Err(e) => return erreur(1, format!("ouverture de la base {url} : {e}")),
    };
    if let Some(a) = annee {
        match base.campagne(a).await {
            Ok(Some(_)) => {}
            Ok(None) => return erreur(1, format!("la campagne {a} n'est pas ouverte")),
            Err(e) => return erreur(1, e),
        }
    }
    let envois = match rappels_courriel::preparer(&base, annee, &paliers, adresse.as_deref(), jour).await {
        Ok(e) => e,
        Err(e) => return erreur(1, e),
    };
    let Some(smtp) = smtp.filter(|_| !o.simulation) else {
        ecrire!(
            "Simulation au {jour} : {} rappel(s) seraient envoyés ; rien n'est envoyé ni enregistré.",
            envois.len()
        );
        if adresse.is_none() {
            ecrire!(
                "Les liens sont relatifs : définissez {} (par ex. https://pacte.exemple.gouv.fr) pour des liens complets.",
                rappels_courriel::VARIABLE_URL
            );
        }
        lister(&envois);
        return ExitCode::SUCCESS;
    };
    let bilan = match rappels_courriel::envoyer(&base, &smtp, &envois, acteur).await {
        Ok(b) => b,
        Err(e) => return erreur(1, e),
    };
    ecrire!(
        "Rappels du {jour} : {} envoyé(s), {} déjà envoyé(s) par une autre exécution, {} échec(s).",
        bilan.envoyes,
        bilan.deja,
        bilan.echecs.len()
    );
    for (a, raison) in &bilan.echecs {
        eprintln!("Échec de l'envoi à {a} : {raison} (nouvel essai à la prochaine exécution).");
    }
    if bilan.echecs.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
