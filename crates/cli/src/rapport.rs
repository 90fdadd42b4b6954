//! `pacte rapport`: a contract's campaign reports as PDF or ODT, generated from the base by
//! `pacte-documents` — the annual progress report of a year (R-REP-05) or the mid-term
//! execution report ([004] annexe 8 art. 2.3). The regional synthesis note is served by the
//! web application only.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use pacte_core::Annee;
use pacte_core::campagne::{ANNEES_MI_PARCOURS, DecisionMiParcours};
use pacte_documents::rapport::DonneesRapportAnnuel;
use pacte_documents::rapport_mi_parcours::DonneesRapportMiParcours;
use pacte_documents::{Fichier, Format};
use pacte_store::Base;

fn erreur(m: impl std::fmt::Display) -> ExitCode {
    eprintln!("Erreur : {m}.");
    ExitCode::from(1)
}

/// Which report: the annual one of a year, or the mid-term one.
#[derive(Debug, Clone, Copy)]
pub enum Quoi {
    Annuel(i64),
    MiParcours,
}

async fn produire(base: &Base, designation: &str, quoi: Quoi, format: Format) -> Result<Fichier, String> {
    let id = base
        .trouver_contrat(designation)
        .await
        .map_err(|e| e.to_string())?;
    let c = base.contrat(id).await.map_err(|e| e.to_string())?;
    let execution = base.execution(id).await.map_err(|e| e.to_string())?.execution;
    match quoi {
        Quoi::Annuel(a) => {
            let annee = Annee::new(a).map_err(|m| format!("--annee : {m}"))?;
            if base.campagne(annee).await.map_err(|e| e.to_string())?.is_none() {
                return Err(format!("la campagne {annee} n'est pas ouverte"));
            }
            let suivi = base.suivi_campagne(annee, id).await.map_err(|e| e.to_string())?;
            let valeurs = base
                .valeurs_campagne(annee, id)
                .await
                .map_err(|e| e.to_string())?;
            pacte_documents::rapport::fichier(
                &DonneesRapportAnnuel {
                    contrat: &c.contrat,
                    execution: &execution,
                    annee,
                    valeurs: &valeurs,
                    etat_campagne: suivi.etat,
                    version: c.tampon.version,
                },
                format,
            )
            .map_err(|e| e.to_string())
        }
        Quoi::MiParcours => {
            let [a24, a25] = ANNEES_MI_PARCOURS;
            let v24 = base.valeurs_campagne(a24, id).await.map_err(|e| e.to_string())?;
            let v25 = base.valeurs_campagne(a25, id).await.map_err(|e| e.to_string())?;
            let mp = base.mi_parcours(id).await.map_err(|e| e.to_string())?;
            let decisions: Vec<DecisionMiParcours> = mp.decisions.into_iter().map(|d| d.decision).collect();
            pacte_documents::rapport_mi_parcours::fichier(
                &DonneesRapportMiParcours {
                    contrat: &c.contrat,
                    execution: &execution,
                    valeurs_2024: &v24,
                    valeurs_2025: &v25,
                    rapport: &mp.rapport,
                    decisions: &decisions,
                    version: c.tampon.version,
                },
                format,
            )
            .map_err(|e| e.to_string())
        }
    }
}

/// Generates the report `quoi` of contract `designation` and writes it to `sortie` (`-`: the
/// standard output; none: its own name in the current directory).
pub async fn rapport(
    url: &str,
    designation: &str,
    quoi: Quoi,
    format: Format,
    sortie: Option<&Path>,
) -> ExitCode {
    let base = match Base::ouvrir(url).await {
        Ok(b) => b,
        Err(e) => return erreur(format!("ouverture de la base {url} : {e}")),
    };
    let f = match produire(&base, designation, quoi, format).await {
        Ok(f) => f,
        Err(m) => return erreur(m),
    };
    match sortie {
        Some(p) if p == Path::new("-") => {
            if let Err(e) = std::io::stdout().write_all(&f.octets) {
                return erreur(format!("écriture sur la sortie standard impossible ({e})"));
            }
        }
        _ => {
            let chemin = sortie.map_or_else(|| Path::new(&f.nom).to_path_buf(), Path::to_path_buf);
            if let Err(e) = std::fs::write(&chemin, &f.octets) {
                return erreur(format!("écriture de {} impossible ({e})", chemin.display()));
            }
            eprintln!(
                "Rapport écrit dans {} ({} octets).",
                chemin.display(),
                f.octets.len()
            );
        }
    }
    ExitCode::SUCCESS
}
