//! The campaign reports read back by independent tools (`pdftotext` for the PDF, LibreOffice
//! for the ODT): the annual progress report (R-REP-05 with its annexed indicator table,
//! R-REP-04, and the annexe 10 « Bilan n »), the mid-term execution report (annexe 8 art. 2.3)
//! and the regional synthesis note (R-REP-06). Every section, fiche and figure of the data must
//! be in the text, each expected figure computed here from the same data through the domain
//! (`pacte_core::campagne`, `pacte_core::tableau`), never typed in.
//!
//! Without the tools, the tests that need them print a notice and pass, except in continuous
//! integration (CI=true) where they fail.

mod commun;

use commun::{normaliser, outil};
use std::path::PathBuf;
use std::process::Command;

use pacte_core::campagne::textes::Textes;
use pacte_core::campagne::{
    ANNEE_REFERENCE_MI_PARCOURS, DecisionMiParcours, EtatCampagne, RapportMiParcours, ValeurSaisie, atteinte,
    atteintes, ecrire_effet, evaluation_mi_parcours, lignes_attendues,
};
use pacte_core::contrat::EtatContrat;
use pacte_core::execution::{Execution, execution_simulee};
use pacte_core::jeu_national::jeu_demonstration;
use pacte_core::tableau::{TypeTableau, feuille};
use pacte_core::territoires::territoires;
use pacte_core::{Annee, Contrat, Date, Montant, Valeur};
use pacte_documents::Format;
use pacte_documents::rapport::DonneesRapportAnnuel;
use pacte_documents::rapport_mi_parcours::DonneesRapportMiParcours;
use pacte_documents::rapport_synthese::{ContratRegion, DonneesSynthese, etat_annee, etat_contrat, genre};

fn dossier(nom: &str) -> PathBuf {
    commun::dossier("pacte-rapports", nom)
}

fn verifier_texte(texte: &str, attendus: &[String], quoi: &str) {
    let t = normaliser(texte);
    let manquants: Vec<&String> = attendus.iter().filter(|a| !t.contains(&normaliser(a))).collect();
    assert!(manquants.is_empty(), "{quoi} : absents du texte : {manquants:?}");
}

/// The text of a PDF by pdftotext, or `None` without the tool.
fn texte_pdf(octets: &[u8], nom: &str) -> Option<String> {
    let pdftotext = outil("pdftotext")?;
    let d = dossier(nom);
    let f = d.join(format!("{nom}.pdf"));
    std::fs::write(&f, octets).unwrap();
    let s = Command::new(pdftotext).arg(&f).arg("-").output().unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let _ = std::fs::remove_dir_all(&d);
    Some(String::from_utf8(s.stdout).unwrap())
}

/// The text of an ODT as LibreOffice reads it, or `None` without the tool.
fn texte_odt(octets: &[u8], nom: &str) -> Option<String> {
    let soffice = outil("soffice")?;
    let d = dossier(nom);
    let f = d.join(format!("{nom}.odt"));
    std::fs::write(&f, octets).unwrap();
    let s = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            d.join("profil").display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
        ])
        .arg(&d)
        .arg(&f)
        .output()
        .unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let texte = std::fs::read_to_string(d.join(format!("{nom}.txt"))).expect("LibreOffice a converti l'ODT");
    let _ = std::fs::remove_dir_all(&d);
    Some(texte)
}

fn annee(a: i64) -> Annee {
    Annee::new(a).unwrap()
}

fn contrat_signe(n: usize) -> Contrat {
    jeu_demonstration(n)
        .into_iter()
        .find(|c| c.contrat.etat == EtatContrat::Signe)
        .unwrap()
}

/// Figures for every expected indicator of year `a`, distinct per line and year: the
/// realised value is T0 + 37 + 11 × rank (+ 5 in 2025), a comment on every other line, and
/// a method change with its quantified effect on the first.
fn valeurs(c: &Contrat, a: Annee) -> Vec<ValeurSaisie> {
    let decalage = if a.valeur() == 2025 { 500 } else { 0 };
    lignes_attendues(c, a)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let t0 = l.t0.map_or(0, |v| v.en_centiemes());
            let mut v = ValeurSaisie::vide(l.cle.clone());
            v.realise = Some(Valeur::centiemes(t0 + 3_700 + 1_100 * i as i64 + decalage));
            if i % 2 == 0 {
                v.commentaire = Some(format!("Observation {a} numéro {i}"));
            }
            if i == 0 {
                v.changement_methode = true;
                v.note_methode = Some(format!("Périmètre élargi aux antennes en {a}"));
                v.effet_methode = Some(-1_200);
            }
            v
        })
        .collect()
}

fn euros(m: Montant) -> String {
    m.to_string()
}

/// What the annual report of `a` must contain, from the data.
fn attendus_annuel(c: &Contrat, e: &Execution, a: Annee, v: &[ValeurSaisie]) -> Vec<String> {
    let mut x: Vec<String> = vec![
        format!("Rapport d'état d'avancement {a}"),
        "1. Synthèse par axe".into(),
        "2. Avancement des actions".into(),
        "3. Analyse de la collectivité".into(),
        "3.1 État d'avancement des actions".into(),
        "3.2 Niveau de consommation des crédits".into(),
        format!("4. Bilan financier {a}"),
        format!("Annexe : tableau des indicateurs nationaux et locaux {a}"),
        "Indicateurs nationaux du contrat (somme des fiches)".into(),
        c.contrat.nom_collectivite(),
    ];
    let at = atteintes(c, a, v);
    x.push(at.contrat.unwrap().texte());
    for f in &c.fiches {
        x.push(format!("Fiche {} : {}", f.numero, f.intitule));
        if let Some(af) = at.fiches.get(&f.numero) {
            x.push(af.texte());
        }
    }
    for (l, s) in lignes_attendues(c, a).iter().zip(v) {
        x.push(s.realise.unwrap().to_string());
        if let Some(k) = &s.commentaire {
            x.push(k.clone());
        }
        if let Some(at) = atteinte(l.t0, l.cible, s.realise) {
            x.push(at.texte());
        }
    }
    x.push(format!(
        "Périmètre élargi aux antennes en {a} (effet sur le décompte : {})",
        ecrire_effet(-1_200)
    ));
    let bilan = feuille(c, e, TypeTableau::Bilan, a).unwrap();
    x.push(bilan.nom.clone());
    x.extend(bilan.totaux.iter().map(|m| euros(*m)));
    x
}

#[test]
fn le_rapport_annuel_pdf_et_odt_contient_fiches_indicateurs_et_bilan() {
    let c = contrat_signe(6);
    let e = execution_simulee(&c, 3);
    let a = annee(2024);
    let v = valeurs(&c, a);
    // The collectivity wrote the progress of its actions in two paragraphs, not the
    // consumption: the first section prints both paragraphs, the second says it is empty.
    let textes = textes(&[("avancement", &format!("{PARAGRAPHE_1}\n\n{PARAGRAPHE_2}"))]);
    let d = DonneesRapportAnnuel {
        contrat: &c,
        execution: &e,
        annee: a,
        valeurs: &v,
        etat_campagne: EtatCampagne::Validee,
        textes: &textes,
        version: 5,
    };
    let mut attendus = attendus_annuel(&c, &e, a, &v);
    attendus.extend([
        PARAGRAPHE_1.to_string(),
        PARAGRAPHE_2.to_string(),
        "Section non renseignée par la collectivité.".to_string(),
    ]);
    // The document's own model holds every figure (no tool needed), each paragraph its own.
    let doc = pacte_documents::rapport::document(&d).unwrap();
    verifier_texte(&doc.textes().join(" "), &attendus, "modèle");
    assert!(doc.textes().contains(&PARAGRAPHE_1) && doc.textes().contains(&PARAGRAPHE_2));
    // The empty section's sentence follows the consumption's heading, before the table.
    let t = doc.textes();
    let i = t
        .iter()
        .position(|x| *x == "3.2 Niveau de consommation des crédits")
        .unwrap();
    assert_eq!(t[i + 1], "Section non renseignée par la collectivité.");
    assert!(!doc.projet, "un rapport de campagne validée n'est pas un projet");
    let odt = pacte_documents::rapport::fichier(&d, Format::Odt).unwrap();
    if let Some(t) = texte_odt(&odt.octets, "annuel") {
        verifier_texte(&t, &attendus, "ODT du rapport annuel");
    }
    // Every PDF page's running header carries the verification code (LibreOffice's text
    // export leaves the ODT's page header out).
    attendus.push(format!("code de vérification {}", d.code()));
    let pdf = pacte_documents::rapport::fichier(&d, Format::Pdf).unwrap();
    assert_eq!(
        pdf.nom,
        format!("rapport-annuel-2024-{}.pdf", pacte_documents_slug(&c))
    );
    if let Some(t) = texte_pdf(&pdf.octets, "annuel") {
        verifier_texte(&t, &attendus, "PDF du rapport annuel");
        paragraphes_distincts(&t);
    }
}

const PARAGRAPHE_1: &str = "Les douze accueils prévus sont ouverts depuis septembre.";
const PARAGRAPHE_2: &str = "Le recrutement des référents a pris trois mois de retard.";

fn textes(paires: &[(&str, &str)]) -> Textes {
    paires
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The two paragraphs are on lines of their own in the extracted text.
fn paragraphes_distincts(texte: &str) {
    let lignes: Vec<&str> = texte.lines().map(str::trim).collect();
    assert!(
        lignes.contains(&PARAGRAPHE_1),
        "premier paragraphe seul sur sa ligne"
    );
    assert!(
        lignes.contains(&PARAGRAPHE_2),
        "second paragraphe seul sur sa ligne"
    );
}

fn pacte_documents_slug(c: &Contrat) -> String {
    // The file name ends with the collectivity's name in lower case, words joined by dashes.
    let n = pacte_documents::rapport::nom_fichier(c, annee(2024));
    n.trim_start_matches("rapport-annuel-2024-").to_string()
}

#[test]
fn le_code_du_rapport_annuel_suit_les_valeurs() {
    let c = contrat_signe(3);
    let e = Execution::default();
    let a = annee(2024);
    let v = valeurs(&c, a);
    let mut w = v.clone();
    w[0].realise = Some(Valeur::centiemes(w[0].realise.unwrap().en_centiemes() + 100));
    let d = |v: &[ValeurSaisie]| {
        DonneesRapportAnnuel {
            contrat: &c,
            execution: &e,
            annee: a,
            valeurs: v,
            etat_campagne: EtatCampagne::Soumise,
            textes: &Textes::new(),
            version: 1,
        }
        .code()
    };
    assert_ne!(d(&v), d(&w));
    assert_eq!(d(&v), d(&v.clone()));
    // The texts are part of the data the code covers.
    let avec_texte = textes(&[("consommation", "Crédits consommés à 80 %.")]);
    let code_texte = DonneesRapportAnnuel {
        contrat: &c,
        execution: &e,
        annee: a,
        valeurs: &v,
        etat_campagne: EtatCampagne::Soumise,
        textes: &avec_texte,
        version: 1,
    }
    .code();
    assert_ne!(code_texte, d(&v));
}

#[test]
fn le_rapport_a_mi_parcours_contient_synthese_fiches_bilans_et_matrice() {
    let c = contrat_signe(6);
    let e = execution_simulee(&c, 7);
    let (a24, a25) = (annee(2024), annee(2025));
    let (v24, v25) = (valeurs(&c, a24), valeurs(&c, a25));
    let rapport = RapportMiParcours {
        date_deliberation: Some(Date::ymd(2026, 2, 12)),
        date_envoi: Some(Date::ymd(2026, 3, 20)),
    };
    let decisions = vec![DecisionMiParcours {
        fiche: c.fiches[1].numero,
        etat_2027: Montant::euros(12_345),
        motif: "Montée en charge lente, crédits réduits d'un tiers".into(),
    }];
    let textes = textes(&[
        ("bilan_global", &format!("{PARAGRAPHE_1}\n{PARAGRAPHE_2}")),
        (
            "bilan_financier",
            // Typed text is text, never markup: typst's and XML's special characters print as typed.
            "Les reports de 2024 ont été consommés en 2025 : #strong[tous] & <b>50 %</b> $x$.",
        ),
    ]);
    let d = DonneesRapportMiParcours {
        contrat: &c,
        execution: &e,
        valeurs_2024: &v24,
        valeurs_2025: &v25,
        rapport: &rapport,
        decisions: &decisions,
        textes: &textes,
        version: 11,
    };
    let mut x: Vec<String> = vec![
        "Rapport d'exécution à mi-parcours 2024-2025".into(),
        "1. Synthèse globale".into(),
        "2. Résultats et atteinte par fiche action".into(),
        "3. Analyse de la collectivité".into(),
        "3.1 Bilan global".into(),
        PARAGRAPHE_1.into(),
        PARAGRAPHE_2.into(),
        "3.2 Résultats et impact social des actions".into(),
        "Section non renseignée par la collectivité.".into(),
        "3.3 Commentaire du bilan financier".into(),
        "Les reports de 2024 ont été consommés en 2025 : #strong[tous] & <b>50 %</b> $x$.".into(),
        "4. Bilan financier 2024-2025 (tableaux de l'annexe 10)".into(),
        "5. Matrice des indicateurs 2024-2025".into(),
        "12 février 2026".into(),
        "20 mars 2026".into(),
        "Montée en charge lente, crédits réduits d'un tiers".into(),
        euros(Montant::euros(12_345)),
    ];
    let at = atteintes(&c, ANNEE_REFERENCE_MI_PARCOURS, &v25);
    let eval = evaluation_mi_parcours(&c, &e, &at);
    let verse: Montant = eval.iter().map(|l| l.etat_verse).sum();
    let realise: Montant = eval.iter().map(|l| l.etat_realise).sum();
    x.push(euros(verse));
    x.push(euros(realise));
    x.push(at.contrat.unwrap().texte());
    for l in &eval {
        x.push(l.intitule.clone());
        x.push(euros(l.etat_verse));
        x.push(euros(l.etat_realise));
        x.push(euros(l.etat_2027_prevu));
        if let Some(p) = l.etat_2027_propose {
            x.push(euros(p));
        }
    }
    for a in [a24, a25] {
        let b = feuille(&c, &e, TypeTableau::Bilan, a).unwrap();
        x.push(b.nom.clone());
        x.extend(b.totaux.iter().map(|m| euros(*m)));
    }
    for v in v24.iter().chain(&v25) {
        x.push(v.realise.unwrap().to_string());
    }
    let doc = pacte_documents::rapport_mi_parcours::document(&d).unwrap();
    verifier_texte(&doc.textes().join(" "), &x, "modèle");
    let odt = pacte_documents::rapport_mi_parcours::fichier(&d, Format::Odt).unwrap();
    if let Some(t) = texte_odt(&odt.octets, "mi-parcours") {
        verifier_texte(&t, &x, "ODT du rapport à mi-parcours");
    }
    x.push(format!("code de vérification {}", d.code()));
    let pdf = pacte_documents::rapport_mi_parcours::fichier(&d, Format::Pdf).unwrap();
    if let Some(t) = texte_pdf(&pdf.octets, "mi-parcours") {
        verifier_texte(&t, &x, "PDF du rapport à mi-parcours");
        paragraphes_distincts(&t);
    }
}

#[test]
fn la_note_regionale_compte_les_contrats_par_nature_et_montre_chacun() {
    // Every demonstration contract of one region (the region of the first signed one).
    let t = territoires();
    let jeu = jeu_demonstration(4);
    let region_de = |c: &Contrat| {
        t.collectivite(&c.contrat.collectivite)
            .and_then(|x| t.region_de(x))
            .map(|r| r.code.clone())
    };
    let code = region_de(jeu.iter().find(|c| c.contrat.etat == EtatContrat::Signe).unwrap()).unwrap();
    let region = t.region(&code).unwrap();
    let contrats: Vec<&Contrat> = jeu
        .iter()
        .filter(|c| region_de(c).as_deref() == Some(code.as_str()))
        .collect();
    assert!(!contrats.is_empty());
    let a = annee(2024);
    let vals: Vec<Vec<ValeurSaisie>> = contrats.iter().map(|c| valeurs(c, a)).collect();
    let decisions = vec![DecisionMiParcours {
        fiche: contrats[0].fiches[0].numero,
        etat_2027: Montant::euros(54_321),
        motif: "motif".into(),
    }];
    let d = DonneesSynthese {
        region,
        annee: a,
        contrats: contrats
            .iter()
            .zip(&vals)
            .enumerate()
            .map(|(i, (c, v))| ContratRegion {
                contrat: c,
                etat_campagne: if i == 0 {
                    EtatCampagne::Validee
                } else {
                    EtatCampagne::EnCours
                },
                // The second contract has entered nothing: all its figures are missing.
                valeurs: if i == 1 { &[] } else { v },
                decisions: if i == 0 { &decisions } else { &[] },
            })
            .collect(),
        texte: &format!("{PARAGRAPHE_1}\n\n{PARAGRAPHE_2}"),
    };
    let mut x: Vec<String> = vec![
        format!("Note de synthèse régionale {a}"),
        region.nom.clone(),
        "1. Contrats de la région par nature".into(),
        format!("2. Campagne {a} : état, atteinte, constats et décisions"),
        "3. Appréciation de la ou du commissaire".into(),
        PARAGRAPHE_1.into(),
        PARAGRAPHE_2.into(),
        format!("Campagne {a} : 1 contrat(s) validé(s) sur {}.", contrats.len()),
        format!("1 (État 2027 décidé : {})", euros(Montant::euros(54_321))),
    ];
    let mut total = Montant::ZERO;
    for (i, c) in contrats.iter().enumerate() {
        x.push(c.contrat.nom_collectivite());
        x.push(genre(c).to_string());
        total += etat_contrat(c);
        let v: &[ValeurSaisie] = if i == 1 { &[] } else { &vals[i] };
        if let Some(at) = atteintes(c, a, v).contrat {
            x.push(at.texte());
        }
        if i == 1 {
            let n = lignes_attendues(c, a).len();
            x.push(format!("{n} manquant(s), 0 bloquant(s)"));
        }
        // Each contract's amounts alone, if it is the only one of its kind.
        if contrats.iter().filter(|o| genre(o) == genre(c)).count() == 1 {
            x.push(euros(etat_annee(c, a)));
        }
    }
    x.push(euros(total));
    let doc = pacte_documents::rapport_synthese::document(&d).unwrap();
    verifier_texte(&doc.textes().join(" "), &x, "modèle");
    assert!(
        !doc.textes()
            .iter()
            .any(|t| t.contains("pas encore saisi") || t.contains("pas renseignée")),
        "le texte saisi remplace la mention d'absence"
    );
    let pdf = pacte_documents::rapport_synthese::fichier(&d, Format::Pdf).unwrap();
    if let Some(t) = texte_pdf(&pdf.octets, "synthese") {
        verifier_texte(&t, &x, "PDF de la note régionale");
        paragraphes_distincts(&t);
    }
    // Without a text, the note says so instead.
    let sans = DonneesSynthese {
        texte: "",
        ..d.clone()
    };
    let doc = pacte_documents::rapport_synthese::document(&sans).unwrap();
    verifier_texte(
        &doc.textes().join(" "),
        &["L'appréciation de la ou du commissaire n'est pas renseignée dans Pacte.".to_string()],
        "note sans texte",
    );
    assert_ne!(sans.code(), d.code(), "le code couvre le texte");
    let odt = pacte_documents::rapport_synthese::fichier(&d, Format::Odt).unwrap();
    if let Some(t) = texte_odt(&odt.octets, "synthese") {
        verifier_texte(&t, &x, "ODT de la note régionale");
    }
}
