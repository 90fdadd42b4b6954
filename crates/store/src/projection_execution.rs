//! The financial execution as relational rows (migration 0015), so that consolidations sum it
//! in SQL instead of loading every contract and its execution document.
//!
//! Per contract, fiche and year, `execution_lignes` holds, in integer cents:
//! - `notifie`: the State amount notified ([`Execution::etat_notifie`]: the last avenant's,
//!   else the notification; 0 when nothing was notified — not the plan);
//! - `verse`: the fiche's share of the year's State payments ([`situation`], reading L-05);
//! - `realise_etat`, `realise_collectivite`: the realised amounts at 31 December;
//! - `reporte_etat`, `reporte_collectivite`: the carry-overs of the year into the next.
//!
//! Every figure comes from `pacte_core::execution` ([`lignes_execution`]), the functions the
//! Finances page and the annexe 10 tables use: one question, one answer.
//!
//! The rows are written by the same transaction as the execution document ([`ecrire`], called
//! by `Base::enregistrer_execution`). Since a payment's shares also depend on the contract's
//! plan (a fiche without notification is paid on its planned amount), `executions_projetees`
//! records the contract revision and the execution version the rows come from; [`rafraichir`]
//! recomputes the contracts whose revision or version moved since (a fiche written after the
//! execution, a restored backup, a base from before migration 0015). It runs when the base is
//! opened and before every consolidation is read (one query when nothing is stale). Derived
//! data: neither audited nor backed up.

use pacte_core::Contrat;
use pacte_core::execution::{Execution, situation};
use pacte_core::{Annee, Montant};
use sqlx::{AnyConnection, Row};

use crate::{Base, Resultat, lire_json};

/// What one fiche's execution contributes to `execution_lignes` for one year, in cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LigneExecutionProjetee {
    /// The fiche number, `1.2`.
    pub fiche: String,
    pub axe: u8,
    pub annee: u16,
    pub notifie: i64,
    pub verse: i64,
    pub realise_etat: i64,
    pub realise_collectivite: i64,
    pub reporte_etat: i64,
    pub reporte_collectivite: i64,
}

impl LigneExecutionProjetee {
    fn est_nulle(&self) -> bool {
        [
            self.notifie,
            self.verse,
            self.realise_etat,
            self.realise_collectivite,
            self.reporte_etat,
            self.reporte_collectivite,
        ]
        .iter()
        .all(|v| *v == 0)
    }
}

/// The rows of a contract's execution: one per fiche (of the contract or added by an avenant)
/// and year where any figure is not zero.
pub fn lignes_execution(contrat: &Contrat, execution: &Execution) -> Vec<LigneExecutionProjetee> {
    let s = situation(contrat, execution);
    let mut lignes = Vec::new();
    for annee in Annee::TOUTES {
        for (fiche, a) in s.annee(annee) {
            let l = LigneExecutionProjetee {
                fiche: fiche.to_string(),
                axe: fiche.axe.numero(),
                annee: annee.valeur(),
                notifie: execution
                    .etat_notifie(*fiche, annee)
                    .unwrap_or(Montant::ZERO)
                    .en_centimes(),
                verse: a.etat_verse.en_centimes(),
                realise_etat: a.realise_etat.en_centimes(),
                realise_collectivite: a.realise_collectivite.en_centimes(),
                reporte_etat: a.report_etat.en_centimes(),
                reporte_collectivite: a.report_collectivite.en_centimes(),
            };
            if !l.est_nulle() {
                lignes.push(l);
            }
        }
    }
    lignes
}

/// Rewrites the rows of contract `contrat_id` from its contract and execution, and records the
/// contract's current revision and `version` (the execution's version after the write). Runs
/// inside the caller's transaction.
pub(crate) async fn ecrire(
    conn: &mut AnyConnection,
    contrat_id: i64,
    contrat: &Contrat,
    execution: &Execution,
    version: i64,
) -> Resultat<()> {
    let revision: i64 = sqlx::query("SELECT revision FROM contrats WHERE id = $1")
        .bind(contrat_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("revision")?;
    sqlx::query("DELETE FROM execution_lignes WHERE contrat_id = $1")
        .bind(contrat_id)
        .execute(&mut *conn)
        .await?;
    for l in lignes_execution(contrat, execution) {
        // ON CONFLICT: two readers refreshing the same stale contract at once on PostgreSQL.
        sqlx::query(
            "INSERT INTO execution_lignes (contrat_id, fiche, axe, annee, notifie, verse, realise_etat, \
             realise_collectivite, reporte_etat, reporte_collectivite) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (contrat_id, fiche, annee) DO UPDATE SET axe = excluded.axe, notifie = excluded.notifie, \
             verse = excluded.verse, realise_etat = excluded.realise_etat, \
             realise_collectivite = excluded.realise_collectivite, reporte_etat = excluded.reporte_etat, \
             reporte_collectivite = excluded.reporte_collectivite",
        )
        .bind(contrat_id)
        .bind(&l.fiche)
        .bind(i64::from(l.axe))
        .bind(i64::from(l.annee))
        .bind(l.notifie)
        .bind(l.verse)
        .bind(l.realise_etat)
        .bind(l.realise_collectivite)
        .bind(l.reporte_etat)
        .bind(l.reporte_collectivite)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO executions_projetees (contrat_id, revision, version) VALUES ($1, $2, $3) \
         ON CONFLICT (contrat_id) DO UPDATE SET revision = excluded.revision, version = excluded.version",
    )
    .bind(contrat_id)
    .bind(revision)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The contracts whose rows are missing or were computed from another revision or version.
async fn perimees(conn: &mut AnyConnection) -> Resultat<Vec<(i64, i64)>> {
    sqlx::query(
        "SELECT e.contrat_id, e.version FROM executions e JOIN contrats c ON c.id = e.contrat_id \
         LEFT JOIN executions_projetees p ON p.contrat_id = e.contrat_id \
         WHERE p.contrat_id IS NULL OR p.revision <> c.revision OR p.version <> e.version \
         ORDER BY e.contrat_id",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("contrat_id")?, r.try_get("version")?)))
    .collect()
}

/// Recomputes the rows of every stale contract (see the module's documentation), in one
/// transaction. Returns how many contracts were recomputed.
pub(crate) async fn rafraichir(base: &Base) -> Resultat<usize> {
    let mut conn = base.pool().acquire().await?;
    if perimees(&mut conn).await?.is_empty() {
        return Ok(0);
    }
    drop(conn);
    let mut tx = base.pool().begin().await?;
    let a_faire = perimees(&mut tx).await?;
    for (id, version) in &a_faire {
        let contrat = crate::contrats::lire_contrat(&mut tx, *id).await?.contrat;
        let donnees: String = sqlx::query("SELECT donnees FROM executions WHERE contrat_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("donnees")?;
        let execution: Execution = lire_json(&donnees, &format!("exécution du contrat {id}"))?;
        ecrire(&mut tx, *id, &contrat, &execution, *version).await?;
    }
    tx.commit().await?;
    Ok(a_faire.len())
}

impl Base {
    /// Recomputes the execution rows of the contracts changed since they were computed;
    /// returns how many were. Called when the base is opened and by the consolidation reads.
    pub async fn rafraichir_projection_execution(&self) -> Resultat<usize> {
        rafraichir(self).await
    }
}
