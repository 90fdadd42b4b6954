//! A contract's history, read from the audit log: the entries of its header and of every fiche
//! it has held, oldest first. The web layer replays them into versions and compares each with
//! the one before (`pacte_core::differences`).

use std::collections::BTreeSet;

use sqlx::Row;

use crate::audit::{COLONNES, EntreeAudit};
use crate::contrats::{ENTITE_CONTRAT, ENTITE_FICHE};
use crate::{Base, Resultat};

impl Base {
    /// The audit entries of contract `id` (header and fiches), in chain order. A fiche is
    /// found by its current row or, once deleted, by the key columns its entries recorded
    /// (`"contrat_id":<id>`); entries written before key columns existed (migration 0005) are
    /// found only for fiches that still exist.
    pub async fn journal_du_contrat(&self, id: i64) -> Resultat<Vec<EntreeAudit>> {
        let mut fiches: BTreeSet<String> = BTreeSet::new();
        for r in sqlx::query("SELECT id FROM fiches WHERE contrat_id = $1")
            .bind(id)
            .fetch_all(self.pool())
            .await?
        {
            fiches.insert(r.try_get::<i64, _>("id")?.to_string());
        }
        // Key columns are a JSON object with sorted keys: `{"axe":1,"contrat_id":5,…}`.
        for r in sqlx::query("SELECT DISTINCT entite_id FROM audit WHERE entite = $1 AND colonnes LIKE $2")
            .bind(ENTITE_FICHE)
            .bind(format!("%\"contrat_id\":{id},%"))
            .fetch_all(self.pool())
            .await?
        {
            fiches.insert(r.try_get("entite_id")?);
        }
        // Fiche ids are integers printed here: no text of a user reaches the statement.
        let liste: Vec<String> = fiches
            .iter()
            .filter_map(|f| f.parse::<i64>().ok())
            .map(|f| format!("'{f}'"))
            .collect();
        let fiches_sql = if liste.is_empty() {
            String::new()
        } else {
            format!(" OR (entite = $3 AND entite_id IN ({}))", liste.join(", "))
        };
        let sql = format!(
            "SELECT {COLONNES} FROM audit WHERE (entite = $1 AND entite_id = $2){fiches_sql} ORDER BY id"
        );
        let mut q = sqlx::query(&sql).bind(ENTITE_CONTRAT).bind(id.to_string());
        if !liste.is_empty() {
            q = q.bind(ENTITE_FICHE);
        }
        let entrees = q
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(EntreeAudit::depuis_ligne)
            .collect::<Resultat<Vec<_>>>()?;
        Ok(entrees)
    }
}
