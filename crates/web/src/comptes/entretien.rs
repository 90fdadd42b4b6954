//! Housekeeping of the accounts' transient data, run by the server at start-up and then every
//! hour: sessions expired or idle beyond [`INACTIVITE_MAX`](super::INACTIVITE_MAX) are deleted
//! (they could no longer be used), and sign-in attempts — which hold client IP addresses,
//! personal data — are kept [`RETENTION_TENTATIVES`] only: long enough for throttling (15 min)
//! and to look into an attack of the day, no longer.

use std::time::Duration;

use pacte_store::{Base, ErreurStore};

use super::{INACTIVITE_MAX, temps};

/// How long a sign-in attempt (account, client address, outcome) is kept (seconds).
pub const RETENTION_TENTATIVES: i64 = 24 * 3600;
/// How often the housekeeping runs.
pub const PERIODE: Duration = Duration::from_secs(3600);

/// What one run deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bilan {
    pub sessions: u64,
    pub tentatives: u64,
}

/// One run, at Unix time `maintenant`.
pub async fn entretenir(base: &Base, maintenant: i64) -> Result<Bilan, ErreurStore> {
    let sessions = base.purger_sessions_expirees().await?
        + base
            .purger_sessions_inactives(&temps::iso(maintenant - INACTIVITE_MAX))
            .await?;
    let tentatives = base
        .purger_tentatives(&temps::iso(maintenant - RETENTION_TENTATIVES))
        .await?;
    Ok(Bilan { sessions, tentatives })
}

/// Runs [`entretenir`] now and every [`PERIODE`], for as long as the server runs. A failure is
/// reported and the next run tries again.
pub fn lancer(base: Base) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut minuterie = tokio::time::interval(PERIODE);
        loop {
            minuterie.tick().await;
            if let Err(e) = entretenir(&base, temps::maintenant()).await {
                tracing::error!("Entretien des comptes : échec ({e}) ; nouvel essai dans une heure.");
            }
        }
    })
}
