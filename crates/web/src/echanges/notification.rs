//! Optional e-mail notification of exchanges, through SMTP when it is configured
//! (`PACTE_SMTP_*`, see the README « Notifications par courriel »); nothing is sent by default.
//!
//! A notification is sent after the write has committed, in a task of its own: the request
//! never waits for the mail server, and a failure is logged (`tracing`), never shown to the
//! person who wrote. Who is told: when the State writes or requests a correction, the
//! collectivity's editors; when the collectivity writes or answers, the DDETS and the
//! commissaire who read the contract. The author is never told of their own message; accounts
//! that are inactive or have no right to read the contract never are.
//!
//! The client is `lettre` (SMTP over tokio, TLS by rustls with the webpki roots already in the
//! build for ProConnect), without its default features (no OpenSSL).

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message as Courriel, Tokio1Executor};
use pacte_core::droits::{Cible, Decision, Role, lire_habilitation};
use pacte_core::echanges::{ActionEchange, decider_echange, parle_pour_l_etat};
use pacte_store::ContratStocke;
use pacte_store::echanges::{DemandeCorrection, Message};

use crate::Etat;

/// The variables of the configuration; `PACTE_SMTP_HOTE` and `PACTE_SMTP_EXPEDITEUR` are
/// required once any is set.
pub const VARIABLES: [&str; 6] = [
    "PACTE_SMTP_HOTE",
    "PACTE_SMTP_PORT",
    "PACTE_SMTP_UTILISATEUR",
    "PACTE_SMTP_MOT_DE_PASSE",
    "PACTE_SMTP_EXPEDITEUR",
    "PACTE_SMTP_TLS",
];

/// How the connection to the mail server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeTls {
    /// TLS from the first byte (port 465 by default).
    Tls,
    /// STARTTLS required (port 587 by default).
    Starttls,
    /// No TLS (a relay on the same host or network; port 25 by default).
    Aucun,
}

/// The SMTP configuration.
#[derive(Clone)]
pub struct ConfigSmtp {
    pub hote: String,
    pub port: u16,
    pub utilisateur: Option<String>,
    pub mot_de_passe: Option<String>,
    pub expediteur: String,
    pub tls: ModeTls,
}

impl std::fmt::Debug for ConfigSmtp {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigSmtp")
            .field("hote", &self.hote)
            .field("port", &self.port)
            .field("utilisateur", &self.utilisateur)
            .field("expediteur", &self.expediteur)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

/// The configuration from variables read by `lire` (the environment, in the application):
/// `Ok(None)` when none is set, a French error naming the faulty variable otherwise.
pub fn config_depuis(lire: impl Fn(&str) -> Option<String>) -> Result<Option<ConfigSmtp>, String> {
    let lire = |nom: &str| lire(nom).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if VARIABLES.iter().all(|n| lire(n).is_none()) {
        return Ok(None);
    }
    let hote = lire("PACTE_SMTP_HOTE").ok_or("configuration SMTP incomplète : définissez PACTE_SMTP_HOTE")?;
    let expediteur = lire("PACTE_SMTP_EXPEDITEUR")
        .ok_or("configuration SMTP incomplète : définissez PACTE_SMTP_EXPEDITEUR")?;
    expediteur
        .parse::<Mailbox>()
        .map_err(|e| format!("PACTE_SMTP_EXPEDITEUR : adresse « {expediteur} » illisible ({e})"))?;
    let tls = match lire("PACTE_SMTP_TLS").as_deref().unwrap_or("starttls") {
        "tls" => ModeTls::Tls,
        "starttls" => ModeTls::Starttls,
        "aucun" => ModeTls::Aucun,
        autre => {
            return Err(format!(
                "PACTE_SMTP_TLS : « {autre} » n'est pas un mode : « tls », « starttls » (par défaut) ou « aucun »"
            ));
        }
    };
    let port = match lire("PACTE_SMTP_PORT") {
        None => match tls {
            ModeTls::Tls => 465,
            ModeTls::Starttls => 587,
            ModeTls::Aucun => 25,
        },
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("PACTE_SMTP_PORT : « {p} » n'est pas un port (1 à 65535)"))?,
    };
    let (utilisateur, mot_de_passe) = (lire("PACTE_SMTP_UTILISATEUR"), lire("PACTE_SMTP_MOT_DE_PASSE"));
    if utilisateur.is_some() != mot_de_passe.is_some() {
        return Err(
            "configuration SMTP incomplète : PACTE_SMTP_UTILISATEUR et PACTE_SMTP_MOT_DE_PASSE vont ensemble"
                .into(),
        );
    }
    Ok(Some(ConfigSmtp {
        hote,
        port,
        utilisateur,
        mot_de_passe,
        expediteur,
        tls,
    }))
}

/// What happened, for the mail's subject and text.
pub enum Evenement<'a> {
    Message(&'a Message),
    Demande(&'a DemandeCorrection),
    /// A request answered or resolved.
    Avancee(&'a DemandeCorrection),
}

/// After a committed write: sends the notification in the background when SMTP is
/// configured; returns at once.
pub fn apres_ecriture(etat: &Etat, c: &ContratStocke, auteur_compte: i64, evenement: Evenement<'_>) {
    let Some(config) = etat.options.smtp.clone() else {
        return;
    };
    let id = c.tampon.id;
    let nom = c.contrat.contrat.nom_collectivite();
    let cible = Cible::contrat(&c.contrat);
    // Who is told depends on who wrote: the State (a request, its resolution, a State
    // service's message) tells the collectivity, the collectivity tells the State.
    let (de_l_etat, sujet, texte, adresse) = match evenement {
        Evenement::Message(m) => (
            pacte_core::droits::lire_role(&m.role).is_ok_and(parle_pour_l_etat),
            format!("[Pacte] Nouveau message — {nom}"),
            m.texte.clone(),
            adresse(id, m.fiche.as_deref()),
        ),
        Evenement::Demande(d) => (
            true,
            format!("[Pacte] Demande de correction — {nom}"),
            d.texte.clone(),
            adresse(id, d.fiche.as_deref()),
        ),
        Evenement::Avancee(d) => (
            d.etat == pacte_core::echanges::EtatDemande::Resolue,
            format!("[Pacte] Demande de correction {} — {nom}", d.etat.libelle()),
            d.texte.clone(),
            adresse(id, d.fiche.as_deref()),
        ),
    };
    let base = etat.base.clone();
    tokio::spawn(async move {
        let comptes = match base.utilisateurs().await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(erreur = %e, "notification : comptes illisibles");
                return;
            }
        };
        let destinataires: Vec<String> = comptes
            .iter()
            .filter(|u| u.actif && u.id != auteur_compte)
            .filter(|u| {
                let Ok(h) = lire_habilitation(&u.role, &u.perimetre) else {
                    return false;
                };
                let repond = decider_echange(&h, ActionEchange::Repondre, &cible) == Decision::Autorise;
                let instruit = matches!(h.role(), Role::Ddets | Role::Commissaire)
                    && decider_echange(&h, ActionEchange::Lire, &cible) == Decision::Autorise;
                if de_l_etat { repond } else { instruit }
            })
            .map(|u| u.email.clone())
            .collect();
        if destinataires.is_empty() {
            return;
        }
        let corps = format!(
            "{sujet}\n\n{texte}\n\nLe fil complet et la réponse se trouvent dans Pacte, page « Échanges » du contrat n° {id} ({adresse}).\n\nCe courriel est une notification : n'y répondez pas, répondez dans Pacte."
        );
        if let Err(e) = envoyer(&config, &destinataires, &sujet, &corps).await {
            tracing::error!(erreur = %e, contrat = id, "notification par courriel non envoyée");
        }
    });
}

fn adresse(id: i64, fiche: Option<&str>) -> String {
    match fiche {
        Some(f) => format!("/contrats/{id}/fiches/{f}/echanges"),
        None => format!("/contrats/{id}/echanges"),
    }
}

/// Sends one mail per recipient (nobody sees the others' addresses).
pub async fn envoyer(config: &ConfigSmtp, a: &[String], sujet: &str, corps: &str) -> Result<(), String> {
    let expediteur: Mailbox = config
        .expediteur
        .parse()
        .map_err(|e| format!("expéditeur : {e}"))?;
    let tls = |hote: &str| TlsParameters::new(hote.to_string()).map_err(|e| format!("TLS : {e}"));
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.hote.as_str())
        .port(config.port)
        .timeout(Some(Duration::from_secs(20)));
    transport = match config.tls {
        ModeTls::Aucun => transport.tls(Tls::None),
        ModeTls::Starttls => transport.tls(Tls::Required(tls(&config.hote)?)),
        ModeTls::Tls => transport.tls(Tls::Wrapper(tls(&config.hote)?)),
    };
    if let (Some(u), Some(m)) = (&config.utilisateur, &config.mot_de_passe) {
        transport = transport.credentials(Credentials::new(u.clone(), m.clone()));
    }
    let transport = transport.build();
    for destinataire in a {
        let Ok(boite) = destinataire.parse::<Mailbox>() else {
            tracing::warn!("notification : adresse de destinataire illisible, ignorée");
            continue;
        };
        let courriel = Courriel::builder()
            .from(expediteur.clone())
            .to(boite)
            .subject(sujet)
            .body(corps.to_string())
            .map_err(|e| format!("courriel : {e}"))?;
        transport
            .send(courriel)
            .await
            .map_err(|e| format!("envoi : {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(paires: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |n| paires.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string())
    }

    #[test]
    fn rien_par_defaut() {
        assert!(config_depuis(env(&[])).unwrap().is_none());
    }

    #[test]
    fn configuration_lue_et_verifiee() {
        let c = config_depuis(env(&[
            ("PACTE_SMTP_HOTE", "smtp.exemple.fr"),
            ("PACTE_SMTP_EXPEDITEUR", "Pacte <pacte@exemple.fr>"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!((c.port, c.tls), (587, ModeTls::Starttls));
        let e = config_depuis(env(&[("PACTE_SMTP_HOTE", "smtp.exemple.fr")])).unwrap_err();
        assert!(e.contains("PACTE_SMTP_EXPEDITEUR"), "{e}");
        let e = config_depuis(env(&[
            ("PACTE_SMTP_HOTE", "h"),
            ("PACTE_SMTP_EXPEDITEUR", "a@b.fr"),
            ("PACTE_SMTP_TLS", "ssl"),
        ]))
        .unwrap_err();
        assert!(e.contains("PACTE_SMTP_TLS"), "{e}");
        let e = config_depuis(env(&[
            ("PACTE_SMTP_HOTE", "h"),
            ("PACTE_SMTP_EXPEDITEUR", "a@b.fr"),
            ("PACTE_SMTP_PORT", "99999"),
        ]))
        .unwrap_err();
        assert!(e.contains("PACTE_SMTP_PORT"), "{e}");
        let e = config_depuis(env(&[
            ("PACTE_SMTP_HOTE", "h"),
            ("PACTE_SMTP_EXPEDITEUR", "a@b.fr"),
            ("PACTE_SMTP_UTILISATEUR", "u"),
        ]))
        .unwrap_err();
        assert!(e.contains("vont ensemble"), "{e}");
        let c = config_depuis(env(&[
            ("PACTE_SMTP_HOTE", "h"),
            ("PACTE_SMTP_EXPEDITEUR", "a@b.fr"),
            ("PACTE_SMTP_TLS", "aucun"),
            ("PACTE_SMTP_MOT_DE_PASSE", "secret"),
            ("PACTE_SMTP_UTILISATEUR", "u"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!((c.port, c.tls), (25, ModeTls::Aucun));
        assert!(!format!("{c:?}").contains("secret"));
    }
}
