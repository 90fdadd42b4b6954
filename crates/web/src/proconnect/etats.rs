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
/// finds nothing (replay). Entries expire after [`duree`](Self::new).
///
/// Each entry is kept under the client that opened it (its address, or whatever key the caller
/// chooses) and **no entry is ever pushed out by another one**: a client holds at most
/// `par_client` logins under way, the store at most `capacite`; past either bound, a new login
/// is refused ([`Sature`]) until some are consumed or expire. So a robot opening logins by the
/// thousand from one address is refused after a few dozen, and cannot flush the login another
/// agent has under way. Being in memory, the store is lost on restart (agents then simply log
/// in again) and is not shared between several processes.
///
/// `T` is what the caller keeps with a login besides its secrets (e.g. the account a login
/// is meant to be linked to).
pub struct EtatsEnAttente<T = ()> {
    duree: Duration,
    par_client: usize,
    capacite: usize,
    interne: Mutex<Interne<T>>,
}

struct EnAttente<T> {
    client: String,
    etat: EtatConnexion,
    echeance: Instant,
    donnee: T,
}

struct Interne<T> {
    etats: HashMap<String, EnAttente<T>>,
    /// Number of entries of each client.
    par_client: HashMap<String, usize>,
}

impl<T> Default for Interne<T> {
    fn default() -> Self {
        Self {
            etats: HashMap::new(),
            par_client: HashMap::new(),
        }
    }
}

impl<T> Interne<T> {
    fn retirer(&mut self, state: &str) -> Option<EnAttente<T>> {
        let entree = self.etats.remove(state)?;
        if let Some(n) = self.par_client.get_mut(&entree.client) {
            *n -= 1;
            if *n == 0 {
                self.par_client.remove(&entree.client);
            }
        }
        Some(entree)
    }

    fn purger(&mut self, maintenant: Instant) {
        let expires: Vec<String> = self
            .etats
            .iter()
            .filter(|(_, e)| e.echeance <= maintenant)
            .map(|(s, _)| s.clone())
            .collect();
        for state in expires {
            self.retirer(&state);
        }
    }
}

/// Why a login could not be kept: too many under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sature {
    /// This client already has its share of logins under way.
    Client,
    /// The store is full (many clients at once).
    Global,
}

/// How long an agent has to come back from ProConnect.
pub const DUREE_ETAT_PAR_DEFAUT: Duration = Duration::from_secs(10 * 60);
/// How many logins may be under way at once, all clients together.
pub const CAPACITE_ETATS_PAR_DEFAUT: usize = 10_000;
/// How many logins one client may have under way at once: an office behind one address has
/// several agents signing in, a browser may retry; a robot is stopped here.
pub const ETATS_PAR_CLIENT_PAR_DEFAUT: usize = 50;

impl<T> Default for EtatsEnAttente<T> {
    fn default() -> Self {
        Self::new(DUREE_ETAT_PAR_DEFAUT)
    }
}

impl<T> fmt::Debug for EtatsEnAttente<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EtatsEnAttente")
            .field("duree", &self.duree)
            .field("par_client", &self.par_client)
            .field("capacite", &self.capacite)
            .field("en_attente", &self.len())
            .finish()
    }
}

impl<T> EtatsEnAttente<T> {
    /// A store whose entries live `duree`, with the default bounds.
    pub fn new(duree: Duration) -> Self {
        Self::avec_capacite(duree, ETATS_PAR_CLIENT_PAR_DEFAUT, CAPACITE_ETATS_PAR_DEFAUT)
    }

    /// A store whose entries live `duree`, holding at most `par_client` of them per client and
    /// `capacite` in all (at least one each).
    pub fn avec_capacite(duree: Duration, par_client: usize, capacite: usize) -> Self {
        Self {
            duree,
            par_client: par_client.max(1),
            capacite: capacite.max(1),
            interne: Mutex::new(Interne::default()),
        }
    }

    /// Keeps a login under way, opened by `client`, until its return (or its expiry). Refused
    /// when `client`, or the store, holds as many as allowed: nothing is evicted.
    pub fn garder(&self, client: &str, etat: EtatConnexion, donnee: T) -> Result<(), Sature> {
        let maintenant = Instant::now();
        let mut interne = self.verrou();
        let plein = |i: &Interne<T>| {
            if i.par_client.get(client).copied().unwrap_or(0) >= self.par_client {
                Some(Sature::Client)
            } else if i.etats.len() >= self.capacite {
                Some(Sature::Global)
            } else {
                None
            }
        };
        if plein(&interne).is_some() {
            // Expired entries are dropped only when a bound is reached: the common case stays
            // O(1), and a full store is scanned at most once per refused request.
            interne.purger(maintenant);
            if let Some(refus) = plein(&interne) {
                return Err(refus);
            }
        }
        // A state collision (2^-256) would replace an entry: count it once.
        interne.retirer(&etat.state);
        *interne.par_client.entry(client.to_owned()).or_default() += 1;
        interne.etats.insert(
            etat.state.clone(),
            EnAttente {
                client: client.to_owned(),
                etat,
                echeance: maintenant + self.duree,
                donnee,
            },
        );
        Ok(())
    }

    /// Takes the login whose state is `state` out of the store, with what the caller kept with
    /// it: `None` if it is unknown, already consumed or expired.
    pub fn consommer(&self, state: &str) -> Option<(EtatConnexion, T)> {
        let entree = self.verrou().retirer(state)?;
        (entree.echeance > Instant::now()).then_some((entree.etat, entree.donnee))
    }

    /// The number of logins under way (expired ones included until a bound is reached).
    pub fn len(&self) -> usize {
        self.verrou().etats.len()
    }

    /// No login under way.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn verrou(&self) -> std::sync::MutexGuard<'_, Interne<T>> {
        // The maps stay consistent even if a holder panicked: no code between their updates
        // can panic.
        self.interne.lock().unwrap_or_else(|e| e.into_inner())
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
        let etats = EtatsEnAttente::<()>::default();
        etats.garder("1.2.3.4", etat("a"), ()).unwrap();
        assert_eq!(etats.len(), 1);
        assert_eq!(etats.consommer("a"), Some((etat("a"), ())));
        assert_eq!(etats.consommer("a"), None);
        assert_eq!(etats.consommer("inconnu"), None);
        assert!(etats.is_empty());
    }

    #[test]
    fn un_etat_expire_n_est_plus_rendu() {
        let etats = EtatsEnAttente::<()>::avec_capacite(Duration::ZERO, 1, 10);
        etats.garder("c", etat("a"), ()).unwrap();
        assert_eq!(etats.consommer("a"), None);
        // Expired entries make room when a bound is reached.
        etats.garder("c", etat("b"), ()).unwrap();
        etats.garder("c", etat("c"), ()).unwrap();
        assert_eq!(etats.len(), 1);
    }

    #[test]
    fn un_client_ne_chasse_pas_les_autres() {
        let etats = EtatsEnAttente::<u8>::avec_capacite(Duration::from_secs(60), 2, 4);
        etats.garder("agent", etat("a"), 7).unwrap();
        etats.garder("robot", etat("r1"), 0).unwrap();
        etats.garder("robot", etat("r2"), 0).unwrap();
        assert_eq!(etats.garder("robot", etat("r3"), 0), Err(Sature::Client));
        etats.garder("autre", etat("b"), 0).unwrap();
        // Full: a new client is refused too, nobody is evicted.
        assert_eq!(etats.garder("nouveau", etat("n"), 0), Err(Sature::Global));
        assert_eq!(etats.consommer("a"), Some((etat("a"), 7)));
        // A consumed login frees its client's and the store's share.
        etats.garder("nouveau", etat("n"), 0).unwrap();
        assert_eq!(etats.consommer("r1").map(|e| e.1), Some(0));
        etats.garder("robot", etat("r3"), 0).unwrap();
        assert_eq!(etats.len(), 4);
    }

    #[test]
    fn debug_sans_secret() {
        let texte = format!("{:?}", etat("a"));
        assert!(texte.contains("\"a\""));
        assert!(!texte.contains("nonce-a"));
        assert!(!texte.contains("verificateur-a"));
    }
}
