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
             FROM (SELECT contrat_id, axe, annee, SUM(etat) AS etat, SUM(collectivite) AS collectivite \
             FROM montants_fiches GROUP BY contrat_id, axe, annee) m JOIN contrats c ON c.id = m.contrat_id \
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
             FROM (SELECT contrat_id, axe, annee, SUM(notifie) AS notifie, SUM(verse) AS verse, \
             SUM(realise_etat) AS realise_etat, SUM(realise_collectivite) AS realise_collectivite, \
             SUM(reporte_etat) AS reporte_etat, SUM(reporte_collectivite) AS reporte_collectivite \
             FROM execution_lignes GROUP BY contrat_id, axe, annee) x JOIN contrats c ON c.id = x.contrat_id \
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

/// The campaign of a year in a region: how many of the contracts counted are in each state
/// (`non_commencee` when the contract has no row for the campaign yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuiviRegional {
    pub annee: u16,
    pub region: String,
    /// `pacte_core::campagne::EtatCampagne` code.
    pub etat: String,
    pub contrats: i64,
}

/// A national indicator of a territory and a year, over the contracts whose campaign is
/// validated: the sums of the figures entered by their fiches (hundredths of the unit) and of
/// the targets recorded with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicateurConsolide {
    pub annee: u16,
    /// The collectivity's code, for the per-collectivity reading; empty otherwise.
    pub collectivite: String,
    pub code: String,
    /// 0, or NI-2.3's breakdown (1 to 3).
    pub ventilation: u8,
    /// Sum of the realised values entered (hundredths).
    pub realise: i64,
    /// Sum of the targets of the year recorded with the figures (hundredths).
    pub cible: i64,
    /// Fiches that entered a realised value.
    pub contributions: i64,
    pub contrats: i64,
}

impl Base {
    /// Per open campaign and region, the contracts counted by a consolidation of scope
    /// `portee` ([`ETATS_CONSOLIDES`]) per campaign state: one grouped query.
    pub async fn suivi_campagnes_consolide(&self, portee: &PorteeLecture) -> Resultat<Vec<SuiviRegional>> {
        let portee = portee_consolidee(portee);
        let (clause, params) = clause_portee(&portee, 1, None);
        let sql = format!(
            "SELECT g.annee, COALESCE(d.region, '') AS region, COALESCE(cc.etat, 'non_commencee') AS etat, COUNT(*) AS n \
             FROM campagnes g CROSS JOIN contrats c \
             LEFT JOIN campagnes_contrats cc ON cc.annee = g.annee AND cc.contrat_id = c.id \
             LEFT JOIN collectivites k ON k.code = c.collectivite \
             LEFT JOIN departements d ON d.code = k.departement \
             WHERE {clause} GROUP BY g.annee, d.region, COALESCE(cc.etat, 'non_commencee') \
             ORDER BY g.annee, region, etat"
        );
        let mut q = sqlx::query(&sql);
        for p in &params {
            q = q.bind(p);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(SuiviRegional {
                    annee: r.try_get::<i64, _>("annee")? as u16,
                    region: r.try_get("region")?,
                    etat: r.try_get("etat")?,
                    contrats: r.try_get("n")?,
                })
            })
            .collect()
    }

    /// The national indicators of the validated campaigns of the contracts a consolidation of
    /// scope `portee` counts, summed per year, code and breakdown — and per collectivity too
    /// when `par_collectivite` (the open data file). One grouped query.
    pub async fn indicateurs_consolides(
        &self,
        portee: &PorteeLecture,
        par_collectivite: bool,
    ) -> Resultat<Vec<IndicateurConsolide>> {
        let portee = portee_consolidee(portee);
        let (clause, params) = clause_portee(&portee, 1, None);
        let (colonne, groupe) = if par_collectivite {
            ("c.collectivite", ", c.collectivite")
        } else {
            ("''", "")
        };
        let sql = format!(
            "SELECT v.annee, {colonne} AS collectivite, v.indicateur, v.ventilation, \
             CAST(SUM(v.realise) AS BIGINT) AS realise, CAST(SUM(v.cible) AS BIGINT) AS cible, \
             CAST(SUM(v.contributions) AS BIGINT) AS contributions, COUNT(*) AS contrats \
             FROM (SELECT annee, contrat_id, indicateur, ventilation, COALESCE(SUM(realise), 0) AS realise, \
             COALESCE(SUM(cible), 0) AS cible, COUNT(realise) AS contributions FROM valeurs_indicateurs \
             WHERE nature = 'national' GROUP BY annee, contrat_id, indicateur, ventilation) v \
             JOIN campagnes_contrats cc ON cc.annee = v.annee AND cc.contrat_id = v.contrat_id \
             JOIN contrats c ON c.id = v.contrat_id \
             LEFT JOIN collectivites k ON k.code = c.collectivite \
             LEFT JOIN departements d ON d.code = k.departement \
             WHERE cc.etat = 'validee' AND {clause} \
             GROUP BY v.annee{groupe}, v.indicateur, v.ventilation \
             ORDER BY v.annee{groupe}, v.indicateur, v.ventilation"
        );
        let mut q = sqlx::query(&sql);
        for p in &params {
            q = q.bind(p);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(IndicateurConsolide {
                    annee: r.try_get::<i64, _>("annee")? as u16,
                    collectivite: r.try_get("collectivite")?,
                    code: r.try_get("indicateur")?,
                    ventilation: r.try_get::<i64, _>("ventilation")? as u8,
                    realise: r.try_get("realise")?,
                    cible: r.try_get("cible")?,
                    contributions: r.try_get("contributions")?,
                    contrats: r.try_get("contrats")?,
                })
            })
            .collect()
    }
}
