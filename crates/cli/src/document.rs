//! `pacte document`: the contract (annexe 8 model and its four annexes) or the avenant of a
//! year, as PDF or ODT, generated from the base by `pacte-documents`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use pacte_core::Annee;
use pacte_documents::avenant::DonneesAvenant;
use pacte_documents::contrat::DonneesContrat;
use pacte_documents::{Fichier, Format};
use pacte_store::Base;

const ECHEC: u8 = 1;

fn erreur(m: impl std::fmt::Display) -> ExitCode {
    eprintln!("Erreur : {m}.");
    ExitCode::from(ECHEC)
}

/// Generates the document of contract `designation` (its number or its collectivity's code)
/// and writes it to `sortie` (`-`: the standard output; none: its own name in the current
/// directory).
pub async fn document(
    url: &str,
    designation: &str,
    format: Format,
    avenant: Option<i64>,
    sortie: Option<&Path>,
) -> ExitCode {
    let annee = match avenant.map(Annee::new).transpose() {
        Ok(a) => a,
        Err(m) => return erreur(format!("--avenant : {m}")),
    };
    let base = match Base::ouvrir(url).await {
        Ok(b) => b,
        Err(e) => return erreur(format!("ouverture de la base {url} : {e}")),
    };
    let stocke = match base.trouver_contrat(designation).await {
        Ok(id) => base.contrat(id).await,
        Err(e) => Err(e),
    };
    let stocke = match stocke {
        Ok(s) => s,
        Err(e) => return erreur(e),
    };
    let id = stocke.tampon.id;
    let fichier: Result<Fichier, String> = match annee {
        None => match base.actes(id).await {
            Ok(actes) => {
                let actes: Vec<_> = actes
                    .into_iter()
                    .filter(|a| a.en_vigueur())
                    .map(|a| a.acte)
                    .collect();
                pacte_documents::contrat::fichier(
                    &DonneesContrat {
                        contrat: &stocke.contrat,
                        actes: &actes,
                        version: stocke.tampon.version,
                    },
                    format,
                )
                .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        },
        Some(annee) => match base.execution(id).await {
            Ok(e) => pacte_documents::avenant::fichier(
                &DonneesAvenant {
                    contrat: &stocke.contrat,
                    execution: &e.execution,
                    annee,
                    version: stocke.tampon.version,
                },
                format,
            )
            .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        },
    };
    let f = match fichier {
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
                "Contrat n° {id} : {} écrit dans {} ({} octets).",
                match annee {
                    Some(a) => format!("avenant {a}"),
                    None => "contrat et annexes".to_string(),
                },
                chemin.display(),
                f.octets.len()
            );
        }
    }
    ExitCode::SUCCESS
}
