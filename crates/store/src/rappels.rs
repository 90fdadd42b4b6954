//! The e-mail reminders of the campaigns already sent (migration 0017), so that the same
//! reminder ([`CleRappel`], chosen by `pacte_core::campagne::rappels`) is never sent twice.
//!
//! A reminder is reserved ([`Base::reserver_rappel`]) before its mail goes out: the write
//! re-reads the key inside the audited transaction (writers are serialised by the audit head),
//! so two runs at once (the daily task of two servers, a cron beside them) cannot both send it.
//! When the mail cannot be sent the reservation is withdrawn ([`Base::retirer_rappel`]) and a
//! later run tries again. Both writes are audited (entity `rappel_campagne`).

use std::collections::BTreeSet;

use pacte_core::campagne::rappels::{CleRappel, MotifRappel};
use pacte_core::{Annee, Date};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::erreur::{ErreurStore, Resultat};
use crate::{Base, document};

/// Audit entity of a reminder sent (`entite_id`: `<year>-<contract>-<account>-<kind>-<tier>`,
/// and `-<deadline>` for a deadline reminder).
pub const ENTITE_RAPPEL: &str = "rappel_campagne";

/// A reminder sent, as recorded (and as backed up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RappelEnvoye {
    pub annee: i64,
    pub contrat_id: i64,
    pub compte_id: i64,
    pub motif: String,
    pub palier: i64,
    /// ISO date, for the deadline reminders.
    pub echeance: Option<String>,
    pub envoye_par: String,
    pub envoye_le: String,
}

const COLONNES: &str = "annee, contrat_id, compte_id, motif, palier, echeance, envoye_par, envoye_le";

fn lire(r: &AnyRow) -> Resultat<RappelEnvoye> {
    Ok(RappelEnvoye {
        annee: r.try_get("annee")?,
        contrat_id: r.try_get("contrat_id")?,
        compte_id: r.try_get("compte_id")?,
        motif: r.try_get("motif")?,
        palier: r.try_get("palier")?,
        echeance: r.try_get("echeance")?,
        envoye_par: r.try_get("envoye_par")?,
        envoye_le: r.try_get("envoye_le")?,
    })
}

impl RappelEnvoye {
    /// The key of the reminder.
    pub fn cle(&self) -> Resultat<CleRappel> {
        let corrompue = |quoi: &str| ErreurStore::Corrompue(format!("rappel de campagne : {quoi}"));
        Ok(CleRappel {
            annee: Annee::new(self.annee).map_err(|e| corrompue(&e))?,
            contrat: self.contrat_id,
            compte: self.compte_id,
            motif: MotifRappel::depuis_code(&self.motif)
                .ok_or_else(|| corrompue(&format!("motif inconnu « {} »", self.motif)))?,
            palier: self.palier,
            echeance: self
                .echeance
                .as_deref()
                .map(Date::parse)
                .transpose()
                .map_err(|e| corrompue(&e))?,
        })
    }
}

/// The audit key of a reminder.
fn entite_id(c: &CleRappel) -> String {
    let mut id = format!(
        "{}-{}-{}-{}-{}",
        c.annee,
        c.contrat,
        c.compte,
        c.motif.code(),
        c.palier
    );
    if let Some(e) = c.echeance {
        id.push('-');
        id.push_str(&e.iso());
    }
    id
}

/// Selects the row of key `c` (the echeance compared as the unique index does).
const CONDITION: &str = "annee = $1 AND contrat_id = $2 AND compte_id = $3 AND motif = $4 \
     AND palier = $5 AND COALESCE(echeance, '') = $6";

fn lier<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    c: &CleRappel,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q.bind(c.annee.valeur() as i64)
        .bind(c.contrat)
        .bind(c.compte)
        .bind(c.motif.code())
        .bind(c.palier)
        .bind(c.echeance.map(|e| e.iso()).unwrap_or_default())
}

impl Base {
    /// The keys of the reminders of year `annee` already sent.
    pub async fn rappels_envoyes(&self, annee: Annee) -> Resultat<BTreeSet<CleRappel>> {
        sqlx::query(&format!(
            "SELECT {COLONNES} FROM rappels_campagne WHERE annee = $1"
        ))
        .bind(annee.valeur() as i64)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| lire(r)?.cle())
        .collect()
    }

    /// Records reminder `c` as sent by `acteur`, before its mail goes out: `false` (nothing
    /// written) when it already is, by an earlier or a concurrent run.
    pub async fn reserver_rappel(&self, c: &CleRappel, acteur: &str) -> Resultat<bool> {
        let mut e = self.ecriture(acteur).await?;
        let deja = lier(
            sqlx::query(&format!(
                "SELECT COUNT(*) AS n FROM rappels_campagne WHERE {CONDITION}"
            )),
            c,
        )
        .fetch_one(e.conn())
        .await?
        .try_get::<i64, _>("n")?;
        if deja > 0 {
            return Ok(false);
        }
        let r = RappelEnvoye {
            annee: c.annee.valeur() as i64,
            contrat_id: c.contrat,
            compte_id: c.compte,
            motif: c.motif.code().to_string(),
            palier: c.palier,
            echeance: c.echeance.map(|d| d.iso()),
            envoye_par: e.acteur().to_string(),
            envoye_le: e.maintenant().to_string(),
        };
        sqlx::query(&format!(
            "INSERT INTO rappels_campagne ({COLONNES}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(r.annee)
        .bind(r.contrat_id)
        .bind(r.compte_id)
        .bind(r.motif.clone())
        .bind(r.palier)
        .bind(r.echeance.clone())
        .bind(r.envoye_par.clone())
        .bind(r.envoye_le.clone())
        .execute(e.conn())
        .await?;
        let apres = document(&r, "le rappel")?;
        e.consigner(ENTITE_RAPPEL, &entite_id(c), "creation", None, Some(&apres))
            .await?;
        e.conclure().await?;
        Ok(true)
    }

    /// Withdraws the reservation of reminder `c` whose mail could not be sent (`raison`, kept
    /// in the audit entry), so that a later run sends it. Nothing happens when it is absent.
    pub async fn retirer_rappel(&self, c: &CleRappel, raison: &str, acteur: &str) -> Resultat<()> {
        let mut e = self.ecriture(acteur).await?;
        let avant = lier(
            sqlx::query(&format!(
                "SELECT {COLONNES} FROM rappels_campagne WHERE {CONDITION}"
            )),
            c,
        )
        .fetch_optional(e.conn())
        .await?
        .map(|r| lire(&r))
        .transpose()?;
        let Some(avant) = avant else {
            return Ok(());
        };
        lier(
            sqlx::query(&format!("DELETE FROM rappels_campagne WHERE {CONDITION}")),
            c,
        )
        .execute(e.conn())
        .await?;
        let raison: String = raison.chars().take(500).collect();
        let texte_avant = document(&avant, "le rappel")?;
        let apres = document(&serde_json::json!({ "non_envoye": raison }), "le rappel")?;
        e.consigner(
            ENTITE_RAPPEL,
            &entite_id(c),
            "suppression",
            Some(&texte_avant),
            Some(&apres),
        )
        .await?;
        e.conclure().await
    }
}

/// Every row, for a backup.
pub(crate) async fn lignes_tx(conn: &mut sqlx::AnyConnection) -> Resultat<Vec<RappelEnvoye>> {
    sqlx::query(&format!(
        "SELECT {COLONNES} FROM rappels_campagne \
         ORDER BY annee, contrat_id, compte_id, motif, palier, COALESCE(echeance, '')"
    ))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(lire)
    .collect()
}

/// Writes back the rows of a backup (inside the restore's transaction, after the contracts
/// and the accounts).
pub(crate) async fn restaurer_tx(conn: &mut sqlx::AnyConnection, lignes: &[RappelEnvoye]) -> Resultat<()> {
    for r in lignes {
        r.cle()?;
        sqlx::query(&format!(
            "INSERT INTO rappels_campagne ({COLONNES}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(r.annee)
        .bind(r.contrat_id)
        .bind(r.compte_id)
        .bind(r.motif.clone())
        .bind(r.palier)
        .bind(r.echeance.clone())
        .bind(r.envoye_par.clone())
        .bind(r.envoye_le.clone())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
