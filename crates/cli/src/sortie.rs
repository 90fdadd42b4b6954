//! What the subcommands print. French for people, JSON for programs.

use std::path::Path;
use std::process::ExitCode;

use pacte_core::execution::Execution;
use pacte_core::fichier::{ErreurLecture, json, lire_toml, lire_toml_en};
use pacte_core::regles::{Gravite, TypeContrat, type_contrat};
use pacte_core::tableau::{Feuille, TypeTableau, annee_admise, feuille};
use pacte_core::{Annee, Contrat, verifier};
use pacte_tableurs::{FormatTableur, exporter};
use serde::Serialize;

use crate::{Format, FormatRegles, FormatTableau, TableAnnexe10};

const ILLISIBLE: u8 = 2;

/// Reads a contract file, or prints the French error (file, line, column, field) on stderr.
fn lire(fichier: &Path) -> Result<Contrat, ExitCode> {
    let nom = fichier.display();
    let texte = std::fs::read_to_string(fichier).map_err(|e| {
        let pourquoi = match e.kind() {
            std::io::ErrorKind::NotFound => "fichier introuvable".to_string(),
            std::io::ErrorKind::PermissionDenied => "lecture non autorisée".to_string(),
            std::io::ErrorKind::InvalidData => "le fichier n'est pas un texte UTF-8".to_string(),
            _ => format!("lecture impossible ({e})"),
        };
        eprintln!("Erreur : {nom} : {pourquoi}.");
        ExitCode::from(ILLISIBLE)
    })?;
    lire_toml(&texte).map_err(|e: ErreurLecture| {
        eprintln!("Erreur : {nom}, {e}");
        ExitCode::from(ILLISIBLE)
    })
}

#[derive(Serialize)]
struct SortieCheck<'a> {
    constats: &'a [pacte_core::Constat],
}

pub fn check(fichier: &Path, format: Format) -> ExitCode {
    let contrat = match lire(fichier) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let constats = verifier(&contrat);
    let bloquants = constats.iter().filter(|c| c.gravite == Gravite::Bloquant).count();
    match format {
        Format::Json => ecrire!("{}", json(&SortieCheck { constats: &constats })),
        Format::Texte => {
            let collectivite = pacte_core::territoires::territoires()
                .collectivite(&contrat.contrat.collectivite)
                .map(|c| format!("{} ({})", c.nom, c.nature.libelle()))
                .or_else(|| contrat.contrat.ami.as_ref().map(|a| a.nom.clone()))
                .unwrap_or_else(|| format!("collectivité {}", contrat.contrat.collectivite));
            let axes = match type_contrat(&contrat) {
                TypeContrat::Metropole => "axes 1 à 4",
                TypeContrat::Departement => "axes 1, 3 et 4",
            };
            ecrire!(
                "{} — {collectivite}, contrat {} ({axes}), {} fiche(s) action",
                fichier.display(),
                contrat.contrat.etat.libelle(),
                contrat.fiches.len()
            );
            let alertes = constats.len() - bloquants;
            if constats.is_empty() {
                ecrire!(
                    "Aucun constat : le contrat respecte les {} règles vérifiées.",
                    pacte_core::regles::regles().len()
                );
            } else {
                ecrire!("{bloquants} constat(s) bloquant(s), {alertes} alerte(s).");
            }
            for c in &constats {
                ecrire!();
                ecrire!("{} {}  [{}]", c.gravite.libelle().to_uppercase(), c.code, c.cible);
                ecrire!("  {}", c.message);
                ecrire!("  Source : {}", c.source);
            }
        }
    }
    if bloquants > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[derive(Serialize)]
struct RegleJson {
    code: &'static str,
    gravite: Gravite,
    intitule: &'static str,
    source: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    lecture: &'static str,
}

pub fn regles_affichage(format: FormatRegles) -> String {
    match format {
        FormatRegles::Markdown => pacte_core::regles::catalogue_markdown(),
        FormatRegles::Json => {
            let v: Vec<RegleJson> = pacte_core::regles::regles()
                .iter()
                .map(|r| RegleJson {
                    code: r.code,
                    gravite: r.gravite,
                    intitule: r.intitule,
                    source: r.source,
                    lecture: r.lecture,
                })
                .collect();
            json(&v) + "\n"
        }
        FormatRegles::Texte => {
            let mut s = format!("{} règles vérifiées\n", pacte_core::regles::regles().len());
            for r in pacte_core::regles::regles() {
                s.push_str(&format!(
                    "\n{} ({})\n  {}\n  Source : {}\n",
                    r.code,
                    r.gravite.libelle(),
                    r.intitule,
                    r.source
                ));
                if !r.lecture.is_empty() {
                    s.push_str(&format!("  Lecture retenue : {}\n", r.lecture));
                }
            }
            let hors = pacte_core::regles::regles_hors_moteur();
            s.push_str(&format!(
                "\n{} autres règles du contrat, non vérifiées par le moteur\n",
                hors.len()
            ));
            for r in hors {
                s.push_str(&format!(
                    "\n{} ({})\n  {}\n  Source : {}\n  Raison : {}\n",
                    r.code,
                    r.statut.libelle(),
                    r.intitule,
                    r.source,
                    r.raison
                ));
            }
            s
        }
    }
}

pub fn liste_regles(format: FormatRegles) -> ExitCode {
    ecrire_sans_fin!("{}", regles_affichage(format));
    ExitCode::SUCCESS
}

pub fn liste_referentiel(format: Format) -> ExitCode {
    let r = pacte_core::referentiel::referentiel();
    match format {
        Format::Json => ecrire!("{}", json(r)),
        Format::Texte => {
            ecrire!("Référentiel national — instruction {}", r.version);
            for axe in &r.axes {
                ecrire!("\nAxe {} — {} ({})", axe.code, axe.intitule, axe.annexe);
                for sa in &axe.sous_axes {
                    let ni = if sa.indicateurs_nationaux.is_empty() {
                        String::new()
                    } else {
                        format!("  [{}]", sa.indicateurs_nationaux.join(", "))
                    };
                    ecrire!("  {}  {}{ni}", sa.uid, sa.intitule);
                    for t in &sa.types_action {
                        ecrire!("    {}  {} ({})", t.id, t.intitule, t.statut.libelle());
                    }
                }
            }
            ecrire!("\nIndicateurs nationaux (annexe 6)");
            for ni in &r.indicateurs_nationaux {
                ecrire!("\n  {} (axe {}) — {}", ni.code, ni.axe, ni.libelle);
                ecrire!("    Unité : {}", ni.unite);
                ecrire!("    Période : {}", ni.periode);
                ecrire!("    Sous-axes : {}", ni.sous_axes.join(", "));
                for regle in &ni.regles_decompte {
                    ecrire!("    • {regle}");
                }
                if !ni.dedoublonnage.is_empty() {
                    ecrire!("    Dédoublonnage : {}", ni.dedoublonnage);
                }
            }
        }
    }
    ExitCode::SUCCESS
}

pub fn liste_territoires(format: Format) -> ExitCode {
    let t = pacte_core::territoires::territoires();
    match format {
        Format::Json => ecrire!("{}", json(t)),
        Format::Texte => {
            ecrire!(
                "{} régions, {} départements, {} collectivités éligibles",
                t.regions.len(),
                t.departements.len(),
                t.collectivites.len()
            );
            for region in &t.regions {
                ecrire!("\n{} — {}", region.code, region.nom);
                for d in t.departements.iter().filter(|d| d.region == region.code) {
                    ecrire!("  {:>3}  {}", d.code, d.nom);
                    for c in t
                        .collectivites
                        .iter()
                        .filter(|c| c.departement == d.code && c.code != d.code)
                    {
                        ecrire!("         {} ({}, SIREN {})", c.nom, c.nature.libelle(), c.code);
                    }
                }
            }
        }
    }
    ExitCode::SUCCESS
}

/// `pacte tableau`: an annexe 10 table of a year, from a contract file and an optional
/// execution file, printed (text, JSON in integer cents) or written (XLSX, ODS, CSV).
pub fn tableau(
    fichier: &Path,
    annee: i64,
    table: TableAnnexe10,
    execution: Option<&Path>,
    format: FormatTableau,
    sortie: Option<&Path>,
) -> ExitCode {
    let type_tableau = match table {
        TableAnnexe10::Previsionnel => TypeTableau::Previsionnel,
        TableAnnexe10::Bilan => TypeTableau::Bilan,
        TableAnnexe10::Recapitulatif => TypeTableau::Recapitulatif,
    };
    let annee = match Annee::new(annee).and_then(|a| annee_admise(type_tableau, a).map(|()| a)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("Erreur : option --annee : {e}.");
            return ExitCode::from(ILLISIBLE);
        }
    };
    let contrat = match lire(fichier) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let execution = match execution {
        None => Execution::default(),
        Some(chemin) => {
            let texte = match std::fs::read_to_string(chemin) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("Erreur : {} : lecture impossible ({e}).", chemin.display());
                    return ExitCode::from(ILLISIBLE);
                }
            };
            match lire_toml_en::<Execution>(&texte) {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("Erreur : {}, {e}", chemin.display());
                    return ExitCode::from(ILLISIBLE);
                }
            }
        }
    };
    let t = feuille(&contrat, &execution, type_tableau, annee).expect("year checked above");
    let binaire = |f: FormatTableur| match exporter(&t, f) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("Erreur : {e}.");
            std::process::exit(1);
        }
    };
    let octets = match format {
        FormatTableau::Json => format!("{}\n", json(&t)).into_bytes(),
        FormatTableau::Xlsx => binaire(FormatTableur::Xlsx),
        FormatTableau::Ods => binaire(FormatTableur::Ods),
        FormatTableau::Csv => binaire(FormatTableur::Csv),
        FormatTableau::Texte => texte_tableau(&t).into_bytes(),
    };
    match sortie {
        Some(chemin) => {
            if let Err(e) = std::fs::write(chemin, &octets) {
                eprintln!("Erreur : {} : écriture impossible ({e}).", chemin.display());
                return ExitCode::from(1);
            }
        }
        None => {
            use std::io::{IsTerminal, Write};
            let binaire = matches!(format, FormatTableau::Xlsx | FormatTableau::Ods);
            if binaire && std::io::stdout().is_terminal() {
                eprintln!(
                    "Erreur : un classeur ne s'affiche pas dans un terminal : indiquez --sortie FICHIER ou redirigez la sortie."
                );
                return ExitCode::from(ILLISIBLE);
            }
            if let Err(e) = std::io::stdout().write_all(&octets) {
                crate::sortie_fermee(e)
            }
        }
    }
    ExitCode::SUCCESS
}

/// A table as text for a terminal: letters and amounts, sub-totals, totals, notes, findings.
fn texte_tableau(t: &Feuille) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "{}\n", t.titre);
    for (i, c) in t.colonnes.iter().enumerate() {
        let lettre = c.lettre.map(|l| format!("{l} ")).unwrap_or_default();
        let _ = writeln!(s, "  [{}] {lettre}{}", i + 1, c.libelle);
    }
    let ligne = |s: &mut String, libelle: &str, v: &[pacte_core::Montant]| {
        let _ = write!(s, "{libelle:<40}");
        for m in v {
            let _ = write!(s, " {:>16}", m.to_string());
        }
        s.push('\n');
    };
    s.push('\n');
    let mut entete = format!("{:<40}", "Fiche action");
    for i in 0..t.colonnes.len() {
        let _ = write!(entete, " {:>16}", format!("[{}]", i + 1));
    }
    let _ = writeln!(s, "{entete}");
    for b in &t.blocs {
        let _ = writeln!(s, "{}", b.libelle);
        for l in &b.lignes {
            let intitule: String = l.intitule.chars().take(32).collect();
            ligne(&mut s, &format!("  {} {intitule}", l.numero), &l.valeurs);
        }
        ligne(&mut s, "  Sous total", &b.sous_total);
    }
    ligne(&mut s, "TOTAUX FINANCIERS", &t.totaux);
    for n in &t.notes {
        let _ = writeln!(s, "\nNote : {n}");
    }
    for c in &t.constats {
        let _ = writeln!(
            s,
            "\n[{}] {} ({}) : {}",
            c.gravite.libelle(),
            c.code,
            c.cible,
            c.message
        );
    }
    s
}

/// Command-line errors in French (clap's own are English).
pub fn erreur_clap(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ErrorKind};
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let contexte = |k: ContextKind| e.get(k).map(|v| v.to_string()).unwrap_or_default();
    let message = match e.kind() {
        ErrorKind::InvalidSubcommand => format!(
            "commande inconnue « {} »",
            contexte(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::UnknownArgument => format!("option inconnue « {} »", contexte(ContextKind::InvalidArg)),
        ErrorKind::InvalidValue => format!(
            "valeur « {} » invalide pour {} (valeurs admises : {})",
            contexte(ContextKind::InvalidValue),
            contexte(ContextKind::InvalidArg),
            contexte(ContextKind::ValidValue)
        ),
        ErrorKind::MissingRequiredArgument => format!(
            "argument obligatoire manquant : {}",
            contexte(ContextKind::InvalidArg)
        ),
        ErrorKind::MissingSubcommand => "commande manquante".to_string(),
        ErrorKind::ValueValidation => format!("valeur invalide pour {}", contexte(ContextKind::InvalidArg)),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            "nombre de valeurs incorrect".to_string()
        }
        ErrorKind::ArgumentConflict => "options incompatibles".to_string(),
        _ => "ligne de commande invalide".to_string(),
    };
    eprintln!("Erreur : {message}.\nPour l'aide : pacte --aide");
    ExitCode::from(ILLISIBLE)
}
