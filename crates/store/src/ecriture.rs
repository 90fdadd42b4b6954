//! The one audited, versioned write path. Every write of the store (contracts, fiches,
//! accounts, tokens, the reference data) goes through an [`Ecriture`]:
//!
//! 1. [`Base::ecriture`] begins the transaction and takes the head of the audit chain (the
//!    `UPDATE` of the single `audit_tete` row serialises writers on both engines), with the
//!    actor and the one timestamp of the write;
//! 2. the writer reads what it depends on through [`Ecriture::conn`] — after the head is taken,
//!    so what it reads cannot move before the commit — and checks it: the version of the record
//!    it changes ([`Ecriture::controler_version`]), the caller's guards;
//! 3. it writes, and [`Ecriture::executer_une`] makes sure a versioned statement touched
//!    exactly its one row;
//! 4. [`Ecriture::consigner`] appends one audit entry per changed record;
//! 5. [`Ecriture::conclure`] moves the head, commits and counts the write.
//!
//! Dropping an `Ecriture` without concluding it rolls everything back: a refusal or an error at
//! any step writes nothing.
//!
//! Uniqueness violations are told apart by constraint name ([`Unicite`]), not by message text.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Transaction};

use crate::audit::Journal;
use crate::erreur::{ErreurStore, Resultat};
use crate::{Base, Tampon, horloge};

/// One write in progress: its transaction, the audit head it holds, its actor and time.
pub(crate) struct Ecriture<'b> {
    base: &'b Base,
    tx: Transaction<'static, Any>,
    journal: Journal,
    acteur: String,
    maintenant: String,
}

impl Base {
    /// Begins a write by `acteur`: opens the transaction and takes the audit head.
    pub(crate) async fn ecriture(&self, acteur: &str) -> Resultat<Ecriture<'_>> {
        let maintenant = horloge::maintenant();
        let mut tx = self.pool().begin().await?;
        let journal = Journal::ouvrir(&mut tx, acteur, &maintenant).await?;
        Ok(Ecriture {
            base: self,
            tx,
            journal,
            acteur: acteur.to_string(),
            maintenant,
        })
    }
}

impl Ecriture<'_> {
    /// The transaction's connection, for the reads and writes of the writer.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Who writes.
    pub(crate) fn acteur(&self) -> &str {
        &self.acteur
    }

    /// When: the one timestamp of every row and entry of this write.
    pub(crate) fn maintenant(&self) -> &str {
        &self.maintenant
    }

    /// The stamp of record `id` once this write has given it `version`.
    pub(crate) fn tampon(&self, id: i64, version: i64) -> Tampon {
        Tampon {
            id,
            version,
            modifie_par: self.acteur.clone(),
            modifie_le: self.maintenant.clone(),
        }
    }

    /// Refuses the write ([`ErreurStore::Conflit`], naming who changed the record and when) when
    /// `actuel`, read inside this transaction, is no longer at the version the caller read.
    pub(crate) fn controler_version(&self, quoi: String, actuel: &Tampon, attendue: i64) -> Resultat<()> {
        if actuel.version != attendue {
            return Err(ErreurStore::Conflit {
                quoi,
                par: actuel.modifie_par.clone(),
                le: actuel.modifie_le.clone(),
                attendue,
                actuelle: actuel.version,
            });
        }
        Ok(())
    }

    /// Runs a statement that must change exactly one row (an `UPDATE` or `DELETE` conditioned
    /// on the version checked before); anything else is a stale read, refused as a conflict.
    pub(crate) async fn executer_une<'q>(
        &mut self,
        quoi: String,
        actuel: &Tampon,
        requete: Query<'q, Any, AnyArguments<'q>>,
    ) -> Resultat<()> {
        let n = requete.execute(&mut *self.tx).await?.rows_affected();
        if n != 1 {
            return Err(ErreurStore::Conflit {
                quoi,
                par: actuel.modifie_par.clone(),
                le: actuel.modifie_le.clone(),
                attendue: actuel.version,
                actuelle: actuel.version,
            });
        }
        Ok(())
    }

    /// Appends the audit entry of one changed record: `avant`/`apres` are its audited views
    /// (`None` before a creation, after a deletion).
    pub(crate) async fn consigner(
        &mut self,
        entite: &str,
        entite_id: &str,
        operation: &str,
        avant: Option<&str>,
        apres: Option<&str>,
    ) -> Resultat<()> {
        self.journal
            .consigner(&mut self.tx, entite, entite_id, operation, avant, apres)
            .await
    }

    /// Ends the write: moves the head of the audit chain, commits, counts the write.
    pub(crate) async fn conclure(self) -> Resultat<()> {
        let Ecriture {
            base,
            mut tx,
            journal,
            ..
        } = self;
        journal.clore(&mut tx, base.cle.as_deref()).await?;
        base.valider(tx).await
    }
}

/// The uniqueness constraints a write can run into, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unicite {
    /// `fiches (contrat_id, numero)`: a fiche number is taken once per contract.
    NumeroFiche,
    /// `utilisateurs (email)`.
    EmailUtilisateur,
    /// `jetons_api (hash)`.
    HashJeton,
    /// `sessions (id_hash)`, the primary key.
    IdSession,
    /// `liens_proconnect (sujet)`: a ProConnect identity is linked to one account.
    SujetProConnect,
}

impl Unicite {
    /// The constraint's name, as PostgreSQL reports it (the names it gives the constraints
    /// declared in the migrations).
    fn nom(self) -> &'static str {
        match self {
            Unicite::NumeroFiche => "fiches_contrat_id_numero_key",
            Unicite::EmailUtilisateur => "utilisateurs_email_key",
            Unicite::HashJeton => "jetons_api_hash_key",
            Unicite::IdSession => "sessions_pkey",
            Unicite::SujetProConnect => "liens_proconnect_sujet_key",
        }
    }

    /// Whether `e` is the violation of this constraint. PostgreSQL names the constraint
    /// ([`sqlx::error::DatabaseError::constraint`]); SQLite reports no name for a uniqueness
    /// violation, only its kind (extended code `SQLITE_CONSTRAINT_UNIQUE` or `…_PRIMARYKEY`),
    /// which is enough because each statement that passes an `Unicite` can break only that one.
    pub(crate) fn violee_par(self, e: &sqlx::Error) -> bool {
        match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                d.constraint().is_none_or(|nom| nom == self.nom())
            }
            _ => false,
        }
    }

    /// `e` as `message()` when it violates this constraint, otherwise as a base error.
    pub(crate) fn traduire(self, e: sqlx::Error, message: impl FnOnce() -> ErreurStore) -> ErreurStore {
        if self.violee_par(&e) {
            message()
        } else {
            ErreurStore::Base(e)
        }
    }
}
