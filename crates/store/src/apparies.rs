//! The contracts paired with a contract under R-ACT-14 (a métropole's and its département's):
//! the rule compares two contracts, the store finds the pair.

use sqlx::Row;

use crate::{Base, Resultat};

impl Base {
    /// Ids of the contracts of the collectivities paired with contract `id`'s (its
    /// département, or the métropoles of a département), in id order; empty for an unknown
    /// contract or a collectivity without pair.
    pub async fn contrats_apparies(&self, id: i64) -> Resultat<Vec<i64>> {
        let ligne = sqlx::query("SELECT collectivite FROM contrats WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(ligne) = ligne else {
            return Ok(Vec::new());
        };
        let code: String = ligne.try_get("collectivite")?;
        let mut ids = Vec::new();
        for autre in pacte_core::regles::appariees_du_code(&code) {
            let lignes = sqlx::query("SELECT id FROM contrats WHERE collectivite = $1 ORDER BY id")
                .bind(autre)
                .fetch_all(&self.pool)
                .await?;
            for l in lignes {
                ids.push(l.try_get::<i64, _>("id")?);
            }
        }
        ids.sort_unstable();
        Ok(ids)
    }
}
