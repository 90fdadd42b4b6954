//! Sessions read recently, kept in memory for a moment: every page request resolves its
//! session, and a query per request is most of what a cached page costs to serve.
//!
//! A session read from the base is trusted for [`FRAICHEUR`] at most, and forgotten at once:
//! - when this process writes anything audited (the base's `ecritures_locales` moves: a role
//!   changed, an account deactivated, a password changed…);
//! - when this process closes it (sign-out) or closes an account's sessions
//!   ([`SessionsRecentes::oublier`], [`SessionsRecentes::vider`]).
//!
//! What another process does (`pacte utilisateur desactiver` beside the server, another server
//! on the same PostgreSQL) shows within [`FRAICHEUR`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use pacte_store::comptes::SessionOuverte;

/// How long a session read from the base is trusted.
pub const FRAICHEUR: Duration = Duration::from_secs(1);

/// Sessions kept at most; the memory is emptied when full.
const CAPACITE: usize = 10_000;

#[derive(Debug, Default)]
pub struct SessionsRecentes {
    interne: Mutex<Interne>,
}

#[derive(Debug, Default)]
struct Interne {
    /// The base's local write count the entries were read under.
    ecritures: u64,
    sessions: HashMap<String, (Instant, SessionOuverte)>,
}

impl SessionsRecentes {
    /// The session `id_hash` if it was read less than [`FRAICHEUR`] ago and nothing was
    /// written since (`ecritures`: the base's local write count now).
    pub fn lire(&self, id_hash: &str, ecritures: u64) -> Option<SessionOuverte> {
        let mut i = self.interne.lock().expect("sessions lock");
        if i.ecritures != ecritures {
            i.sessions.clear();
            i.ecritures = ecritures;
            return None;
        }
        match i.sessions.get(id_hash) {
            Some((quand, s)) if quand.elapsed() < FRAICHEUR => Some(s.clone()),
            Some(_) => {
                i.sessions.remove(id_hash);
                None
            }
            None => None,
        }
    }

    /// Keeps a session just read from the base, under the local write count read before the
    /// query (so that a write made meanwhile discards it).
    pub fn garder(&self, id_hash: &str, ecritures: u64, s: SessionOuverte) {
        let mut i = self.interne.lock().expect("sessions lock");
        if i.ecritures != ecritures {
            return;
        }
        if i.sessions.len() >= CAPACITE {
            i.sessions.clear();
        }
        i.sessions.insert(id_hash.to_string(), (Instant::now(), s));
    }

    /// Forgets one session (closed by this process).
    pub fn oublier(&self, id_hash: &str) {
        self.interne
            .lock()
            .expect("sessions lock")
            .sessions
            .remove(id_hash);
    }

    /// Forgets every session (an account's sessions closed by this process).
    pub fn vider(&self) {
        self.interne.lock().expect("sessions lock").sessions.clear();
    }
}
