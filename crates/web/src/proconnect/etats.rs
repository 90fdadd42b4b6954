//! Logins under way: `state` → [`EtatConnexion`], each usable once and for a limited time.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The secrets of one login under way, created by
/// [`ClientProConnect::debut_connexion`](super::ClientProConnect::debut_connexion) and needed,
/// once, by [`ClientProConnect::fin_connexion`](super::ClientProConnect::fin_connexion).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EtatConnexion {
    /// Sent to the provider and returned with the code; ties the return to this login.
    pub state: String,
    /// Sent to the provider, must come back inside the ID token.
    pub nonce: String,
    /// PKCE code verifier: its S256 challenge went with the authorization request.
    pub verifier_pkce: String,
}

impl fmt::Debug for EtatConnexion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EtatConnexion")
            .field("state", &self.state)
            .field("nonce", &"[masqué]")
            .field("verifier_pkce", &"[masqué]")
            .finish()
    }
}

/// An in-memory store of the logins under way, shared by the two routes of the flow.
///
/// A state is consumed by [`consommer`](Self::consommer): a second return with the same state
/// finds nothing (replay). Entries expire after [`duree`](Self::new); the store never holds more
/// than its capacity (the oldest entries go first), so robots opening logins cannot grow it
/// without bound. Being in memory, it is lost on restart (agents then simply log in again) and
/// is not shared between several processes.
pub struct EtatsEnAttente {
    duree: Duration,
    capacite: usize,
    etats: Mutex<HashMap<String, (EtatConnexion, Instant)>>,
}

/// How long an agent has to come back from ProConnect.
pub const DUREE_ETAT_PAR_DEFAUT: Duration = Duration::from_secs(10 * 60);
/// How many logins may be under way at once.
pub const CAPACITE_ETATS_PAR_DEFAUT: usize = 10_000;

impl Default for EtatsEnAttente {
    fn default() -> Self {
        Self::new(DUREE_ETAT_PAR_DEFAUT)
    }
}

impl fmt::Debug for EtatsEnAttente {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EtatsEnAttente")
            .field("duree", &self.duree)
            .field("capacite", &self.capacite)
            .field("en_attente", &self.len())
            .finish()
    }
}

impl EtatsEnAttente {
    /// A store whose entries live `duree`, with the default capacity.
    pub fn new(duree: Duration) -> Self {
        Self::avec_capacite(duree, CAPACITE_ETATS_PAR_DEFAUT)
    }

    /// A store whose entries live `duree`, holding at most `capacite` of them (at least one).
    pub fn avec_capacite(duree: Duration, capacite: usize) -> Self {
        Self {
            duree,
            capacite: capacite.max(1),
            etats: Mutex::default(),
        }
    }

    /// Keeps a login under way until its return (or its expiry).
    pub fn garder(&self, etat: EtatConnexion) {
        let maintenant = Instant::now();
        let mut etats = self.verrou();
        etats.retain(|_, (_, echeance)| *echeance > maintenant);
        while etats.len() >= self.capacite {
            let plus_ancien = etats
                .iter()
                .min_by_key(|(_, (_, echeance))| *echeance)
                .map(|(state, _)| state.clone());
            match plus_ancien {
                Some(state) => etats.remove(&state),
                None => break,
            };
        }
        let echeance = maintenant + self.duree;
        etats.insert(etat.state.clone(), (etat, echeance));
    }

    /// Takes the login whose state is `state` out of the store: `None` if it is unknown,
    /// already consumed or expired.
    pub fn consommer(&self, state: &str) -> Option<EtatConnexion> {
        let (etat, echeance) = self.verrou().remove(state)?;
        (echeance > Instant::now()).then_some(etat)
    }

    /// The number of logins under way (expired ones included until the next [`garder`](Self::garder)).
    pub fn len(&self) -> usize {
        self.verrou().len()
    }

    /// No login under way.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn verrou(&self) -> std::sync::MutexGuard<'_, HashMap<String, (EtatConnexion, Instant)>> {
        // The map stays consistent even if a holder panicked: every change is a single call.
        self.etats.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn etat(state: &str) -> EtatConnexion {
        EtatConnexion {
            state: state.to_owned(),
            nonce: format!("nonce-{state}"),
            verifier_pkce: format!("verificateur-{state}"),
        }
    }

    #[test]
    fn un_etat_ne_sert_qu_une_fois() {
        let etats = EtatsEnAttente::default();
        etats.garder(etat("a"));
        assert_eq!(etats.len(), 1);
        assert_eq!(etats.consommer("a"), Some(etat("a")));
        assert_eq!(etats.consommer("a"), None);
        assert_eq!(etats.consommer("inconnu"), None);
        assert!(etats.is_empty());
    }

    #[test]
    fn un_etat_expire_n_est_plus_rendu() {
        let etats = EtatsEnAttente::new(Duration::ZERO);
        etats.garder(etat("a"));
        assert_eq!(etats.consommer("a"), None);
        // Expired entries are dropped when a new one comes.
        etats.garder(etat("b"));
        etats.garder(etat("c"));
        assert_eq!(etats.len(), 1);
    }

    #[test]
    fn la_capacite_evince_le_plus_ancien() {
        let etats = EtatsEnAttente::avec_capacite(Duration::from_secs(60), 2);
        etats.garder(etat("a"));
        std::thread::sleep(Duration::from_millis(2));
        etats.garder(etat("b"));
        std::thread::sleep(Duration::from_millis(2));
        etats.garder(etat("c"));
        assert_eq!(etats.len(), 2);
        assert_eq!(etats.consommer("a"), None);
        assert!(etats.consommer("b").is_some());
        assert!(etats.consommer("c").is_some());
    }

    #[test]
    fn debug_sans_secret() {
        let texte = format!("{:?}", etat("a"));
        assert!(texte.contains("\"a\""));
        assert!(!texte.contains("nonce-a"));
        assert!(!texte.contains("verificateur-a"));
    }
}
