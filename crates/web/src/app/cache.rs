//! A cache of rendered pages, for the heavy pages read far more often than written (the
//! contract page of a 60-fiche contract).
//!
//! A page that shows one contract is keyed by that contract's revision ([`Base::revision`]),
//! which every write to its header or fiches — by any process — moves, and nothing else does:
//! writes to other contracts leave it cached. Reading the revision costs a query, so it is
//! re-read at most every [`FRAICHEUR`] — and at once after a write made through this process
//! ([`Base::ecritures_locales`]): a user always sees their own changes; writes made by another
//! process (a `pacte import` beside the server, another server on the same PostgreSQL) show
//! within [`FRAICHEUR`].
//!
//! A page that shows controls (buttons, forms) depends on who looks at it: its key names the
//! account, its habilitation and the session ([`cle_par_utilisateur`]), so that a page rendered
//! for an editor is never served to a reader.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use pacte_store::{Base, Resultat};

/// How long a revision read from the base is trusted.
pub const FRAICHEUR: Duration = Duration::from_millis(200);

/// Pages kept at most; the cache is emptied when full (pages are cheap to rebuild).
const CAPACITE: usize = 512;

/// The cache key of page `page` rendered for `u`: the account, its role and scope (the
/// controls shown) and the session (the CSRF token of the forms).
pub fn cle_par_utilisateur(page: &str, u: &crate::Utilisateur) -> String {
    let acces = match &u.acces {
        crate::comptes::Acces::Session { id_hash, .. } => format!("session:{id_hash}"),
        crate::comptes::Acces::Jeton { id } => format!("jeton:{id}"),
    };
    format!(
        "{page}|compte:{}|{}|{}|{acces}",
        u.compte.id,
        crate::comptes::code_role(u.habilitation.role()),
        crate::comptes::code_perimetre(u.habilitation.perimetre())
    )
}

#[derive(Debug, Clone, Copy)]
struct Lecture {
    quand: Instant,
    locales: u64,
    generation: i64,
}

#[derive(Debug, Default)]
pub struct CachePages {
    /// Per contract: its revision as last read ([`CachePages::revision`]).
    revisions: Mutex<HashMap<i64, Lecture>>,
    pages: Mutex<HashMap<String, (i64, Bytes)>>,
}

impl CachePages {
    /// The revision of contract `id` ([`Base::revision`]: moved by every write to its header or
    /// fiches, and only by those), trusted for a short while: re-read after
    /// [`FRAICHEUR`] or after a write of this process. A page of one contract keyed by it stays
    /// cached while other contracts are written. `None`: no such contract.
    pub async fn revision(&self, base: &Base, id: i64) -> Resultat<Option<i64>> {
        let locales = base.ecritures_locales();
        if let Some(l) = self.revisions.lock().expect("cache lock").get(&id)
            && l.locales == locales
            && l.quand.elapsed() < FRAICHEUR
        {
            return Ok(Some(l.generation));
        }
        let Some(revision) = base.revision(id).await? else {
            return Ok(None);
        };
        let mut revisions = self.revisions.lock().expect("cache lock");
        if revisions.len() >= 4 * CAPACITE {
            revisions.clear();
        }
        revisions.insert(
            id,
            Lecture {
                quand: Instant::now(),
                locales,
                generation: revision,
            },
        );
        Ok(Some(revision))
    }

    /// The page cached under `cle` for `generation`, if any.
    pub fn lire(&self, cle: &str, generation: i64) -> Option<Bytes> {
        let pages = self.pages.lock().expect("cache lock");
        pages
            .get(cle)
            .filter(|(g, _)| *g == generation)
            .map(|(_, b)| b.clone())
    }

    pub fn garder(&self, cle: &str, generation: i64, page: Bytes) {
        let mut pages = self.pages.lock().expect("cache lock");
        if pages.len() >= CAPACITE && !pages.contains_key(cle) {
            pages.clear();
        }
        pages.insert(cle.to_string(), (generation, page));
    }
}
