//! The money of the contracts summed in SQL for the consolidation pages: per region, axis and
//! year, the amounts contracted (`montants_fiches`, migration 0006) and executed
//! (`execution_lignes`, migration 0015: notified, paid, realised, carried over), over the
//! contracts of a reader's scope that are signed or past signature. No contract document is
//! read: the rows are projections of the documents written with them
//! ([`crate::sommes`], [`crate::projection_execution`]).

use std::collections::BTreeMap;

use pacte_core::contrat::EtatContrat;
use pacte_core::droits::PorteeLecture;
use serde::Serialize;
use sqlx::Row;

use crate::sommes::{JOINTURES, clause_portee};
use crate::{Base, Resultat};

/// The states whose contracts a consolidation counts: signed, in execution, evaluated, closed
/// or denounced (their money was contracted; a draft's is not).
pub const ETATS_CONSOLIDES: [EtatContrat; 5] = [
    EtatContrat::Signe,
    EtatContrat::EnExecution,
    EtatContrat::Evalue,
    EtatContrat::Clos,
    EtatContrat::Denonce,
];

/// The sums of one region, axis and year, in integer cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Montants {
    /// State amount of the fiches (the contract's plan).
    pub contractualise_etat: i64,
    /// Collectivity amount of the fiches, FSE+ included.
    pub contractualise_collectivite: i64,
    pub notifie: i64,
    pub verse: i64,
    pub realise_etat: i64,
    pub realise_collectivite: i64,
    pub reporte_etat: i64,
    pub reporte_collectivite: i64,
}

impl std::ops::AddAssign for Montants {
    fn add_assign(&mut self, o: Montants) {
        self.contractualise_etat += o.contractualise_etat;
        self.contractualise_collectivite += o.contractualise_collectivite;
        self.notifie += o.notifie;
        self.verse += o.verse;
        self.realise_etat += o.realise_etat;
        self.realise_collectivite += o.realise_collectivite;
        self.reporte_etat += o.reporte_etat;
        self.reporte_collectivite += o.reporte_collectivite;
    }
}

/// A region of the consolidation and the number of its contracts counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionConsolidee {
    /// INSEE code (« 93 »).
    pub code: String,
    pub nom: String,
    pub contrats: i64,
}

/// The consolidation of a scope: its regions and the sums per (region, axis, year).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consolidation {
    pub regions: Vec<RegionConsolidee>,
    /// (region code, axis, year) → sums.
    pub montants: BTreeMap<(String, u8, u16), Montants>,
}

/// `portee` restricted to the states a consolidation counts.
pub fn portee_consolidee(portee: &PorteeLecture) -> PorteeLecture {
    PorteeLecture {
        territoire: portee.territoire.clone(),
        etats: portee
            .etats
            .iter()
            .copied()
            .filter(|e| ETATS_CONSOLIDES.contains(e))
            .collect(),
    }
}

impl Base {
    /// The consolidation of the contracts a reader of scope `portee` may read, among those
    /// signed or past signature ([`ETATS_CONSOLIDES`]): three grouped queries, no document
    /// read. The execution rows of contracts changed since they were computed are first
    /// recomputed ([`crate::projection_execution`]).
    pub async fn consolidation(&self, portee: &PorteeLecture) -> Resultat<Consolidation> {
        self.rafraichir_projection_execution().await?;
        let portee = portee_consolidee(portee);
        let (clause, params) = clause_portee(&portee, 1, None);
        let mut tx = self.pool().begin().await?;
        self.moteur.instantane(&mut tx).await?;
        let mut c = Consolidation::default();

        let sql = format!(
            "SELECT COALESCE(d.region, '') AS region, COALESCE(r.nom, '') AS nom, COUNT(*) AS n {JOINTURES} \
             LEFT JOIN regions r ON r.code = d.region WHERE {clause} \
             GROUP BY d.region, r.nom ORDER BY d.region"
        );
        let mut q = sqlx::query(&sql);
        for p in &params {
            q = q.bind(p);
        }
        for r in q.fetch_all(&mut *tx).await? {
            c.regions.push(RegionConsolidee {
                code: r.try_get("region")?,
                nom: r.try_get("nom")?,
                contrats: r.try_get("n")?,
            });
        }

        let sql = format!(
            "SELECT COALESCE(d.region, '') AS region, m.axe, m.annee, CAST(SUM(m.etat) AS BIGINT) AS etat, \
             CAST(SUM(m.collectivite) AS BIGINT) AS collectivite \
             FROM montants_fiches m JOIN contrats c ON c.id = m.contrat_id \
             LEFT JOIN collectivites k ON k.code = c.collectivite \
             LEFT JOIN departements d ON d.code = k.departement \
             WHERE {clause} GROUP BY d.region, m.axe, m.annee"
        );
        let mut q = sqlx::query(&sql);
        for p in &params {
            q = q.bind(p);
        }
        for r in q.fetch_all(&mut *tx).await? {
            let m = c.montants.entry(cle(&r)?).or_default();
            m.contractualise_etat += r.try_get::<i64, _>("etat")?;
            m.contractualise_collectivite += r.try_get::<i64, _>("collectivite")?;
        }

        let sql = format!(
            "SELECT COALESCE(d.region, '') AS region, x.axe, x.annee, \
             CAST(SUM(x.notifie) AS BIGINT) AS notifie, CAST(SUM(x.verse) AS BIGINT) AS verse, \
             CAST(SUM(x.realise_etat) AS BIGINT) AS realise_etat, \
             CAST(SUM(x.realise_collectivite) AS BIGINT) AS realise_collectivite, \
             CAST(SUM(x.reporte_etat) AS BIGINT) AS reporte_etat, \
             CAST(SUM(x.reporte_collectivite) AS BIGINT) AS reporte_collectivite \
             FROM execution_lignes x JOIN contrats c ON c.id = x.contrat_id \
             LEFT JOIN collectivites k ON k.code = c.collectivite \
             LEFT JOIN departements d ON d.code = k.departement \
             WHERE {clause} GROUP BY d.region, x.axe, x.annee"
        );
        let mut q = sqlx::query(&sql);
        for p in &params {
            q = q.bind(p);
        }
        for r in q.fetch_all(&mut *tx).await? {
            let m = c.montants.entry(cle(&r)?).or_default();
            m.notifie += r.try_get::<i64, _>("notifie")?;
            m.verse += r.try_get::<i64, _>("verse")?;
            m.realise_etat += r.try_get::<i64, _>("realise_etat")?;
            m.realise_collectivite += r.try_get::<i64, _>("realise_collectivite")?;
            m.reporte_etat += r.try_get::<i64, _>("reporte_etat")?;
            m.reporte_collectivite += r.try_get::<i64, _>("reporte_collectivite")?;
        }
        tx.commit().await?;
        Ok(c)
    }
}

fn cle(r: &sqlx::any::AnyRow) -> Resultat<(String, u8, u16)> {
    let axe: i64 = r.try_get("axe")?;
    let annee: i64 = r.try_get("annee")?;
    Ok((r.try_get("region")?, axe as u8, annee as u16))
}
