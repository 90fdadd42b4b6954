//! `pacte rapport`: the campaign reports as PDF or ODT, generated from the base by
//! `pacte-documents` — a contract's annual progress report of a year (R-REP-05) or its mid-term
//! execution report ([004] annexe 8 art. 2.3), each with the collectivity's sections, or the
//! regional synthesis note of a year (R-REP-06) with the commissaire's text. A region is named
//! by its INSEE code, as in the scopes (`region:93`) and `pacte territoires`, or by its name.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use pacte_core::Annee;
use pacte_core::campagne::textes::RapportTexte;
use pacte_core::campagne::{ANNEES_MI_PARCOURS, DecisionMiParcours};
use pacte_core::collation::cle_tri;
use pacte_core::territoires::{Region, territoires};
use pacte_documents::rapport::DonneesRapportAnnuel;
use pacte_documents::rapport_mi_parcours::DonneesRapportMiParcours;
use pacte_documents::rapport_synthese::{ContratRegion, DonneesSynthese};
use pacte_documents::{Fichier, Format};
use pacte_store::Base;

fn erreur(m: impl std::fmt::Display) -> ExitCode {
    eprintln!("Erreur : {m}.");
    ExitCode::from(1)
}

/// Which report: a contract's annual one of a year or its mid-term one (the contract by its
/// number or its collectivity's code), or a region's synthesis note of a year.
#[derive(Debug, Clone)]
pub enum Quoi {
    Annuel(String, i64),
    MiParcours(String),
    Synthese(String, i64),
}

/// A region by its INSEE code (« 93 ») or its name, accents and case aside.
fn region(designation: &str) -> Result<&'static Region, String> {
    let t = territoires();
    let d = designation.trim();
    t.region(d)
        .or_else(|| t.regions.iter().find(|r| cle_tri(&r.nom) == cle_tri(d)))
        .ok_or_else(|| {
            format!("--synthese : région « {d} » inconnue ; indiquez son code INSEE (« 93 ») ou son nom, tels que les affiche pacte territoires")
        })
}

async fn annee_ouverte(base: &Base, a: i64) -> Result<Annee, String> {
    let annee = Annee::new(a).map_err(|m| format!("--annee : {m}"))?;
    if base.campagne(annee).await.map_err(|e| e.to_string())?.is_none() {
        return Err(format!("la campagne {annee} n'est pas ouverte"));
    }
    Ok(annee)
}

async fn produire(base: &Base, quoi: Quoi, format: Format) -> Result<Fichier, String> {
    let designation = match &quoi {
        Quoi::Synthese(r, a) => {
            let region = region(r)?;
            let annee = annee_ouverte(base, *a).await?;
            let lus = base
                .contrats_synthese(&region.code, annee)
                .await
                .map_err(|e| e.to_string())?;
            let texte = base
                .texte_synthese(&region.code, annee)
                .await
                .map_err(|e| e.to_string())?
                .texte;
            let d = DonneesSynthese {
                region,
                annee,
                contrats: lus
                    .iter()
                    .map(|x| ContratRegion {
                        contrat: &x.contrat,
                        etat_campagne: x.etat_campagne,
                        valeurs: &x.valeurs,
                        decisions: &x.decisions,
                    })
                    .collect(),
                texte: &texte,
            };
            return pacte_documents::rapport_synthese::fichier(&d, format).map_err(|e| e.to_string());
        }
        Quoi::Annuel(c, _) | Quoi::MiParcours(c) => c.as_str(),
    };
    let id = base
        .trouver_contrat(designation)
        .await
        .map_err(|e| e.to_string())?;
    let c = base.contrat(id).await.map_err(|e| e.to_string())?;
    let execution = base.execution(id).await.map_err(|e| e.to_string())?.execution;
    match quoi {
        Quoi::Synthese(..) => unreachable!("la note de synthèse est produite plus haut"),
        Quoi::Annuel(_, a) => {
            let annee = annee_ouverte(base, a).await?;
            let textes = base
                .textes_rapport(id, RapportTexte::Annuel(annee))
                .await
                .map_err(|e| e.to_string())?
                .sections;
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
                    textes: &textes,
                    version: c.tampon.version,
                },
                format,
            )
            .map_err(|e| e.to_string())
        }
        Quoi::MiParcours(_) => {
            let [a24, a25] = ANNEES_MI_PARCOURS;
            let textes = base
                .textes_rapport(id, RapportTexte::MiParcours)
                .await
                .map_err(|e| e.to_string())?
                .sections;
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
                    textes: &textes,
                    version: c.tampon.version,
                },
                format,
            )
            .map_err(|e| e.to_string())
        }
    }
}

/// Generates the report `quoi` and writes it to `sortie` (`-`: the standard output; none: its
/// own name in the current directory).
pub async fn rapport(url: &str, quoi: Quoi, format: Format, sortie: Option<&Path>) -> ExitCode {
    let base = match Base::ouvrir(url).await {
        Ok(b) => b,
        Err(e) => return erreur(format!("ouverture de la base {url} : {e}")),
    };
    let f = match produire(&base, quoi, format).await {
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
