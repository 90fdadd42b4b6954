//! The documents read back by independent tools: `pdftotext` and `pdfinfo` (poppler) for the
//! PDF, LibreOffice for the ODT. Every article heading, signatory, fiche title and amount of the
//! data must be in the text; the PDF must be tagged, titled and in French; the ODT must be a
//! zip whose first entry is its stored mimetype.
//!
//! The tools are installed by scripts/test; without them, the tests that need them print a
//! notice and pass, except in continuous integration (CI=true) where they fail.

mod commun;

use commun::{normaliser, outil};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use pacte_core::Annee;
use pacte_core::contrat::EtatContrat;
use pacte_core::execution::{Avenant, Execution, LigneAvenant};
use pacte_core::jeu_national::jeu_demonstration;
use pacte_core::lettres::montant_en_lettres;
use pacte_core::{Contrat, Montant};
use pacte_documents::avenant::DonneesAvenant;
use pacte_documents::contrat::DonneesContrat;
use pacte_documents::{ErreurDocument, Format};

fn dossier(nom: &str) -> PathBuf {
    commun::dossier("pacte-documents", nom)
}

/// The signed contract of the demonstration set with `n` fiches (state « signé »).
fn contrat_signe(n: usize) -> Contrat {
    jeu_demonstration(n)
        .into_iter()
        .find(|c| c.contrat.etat == EtatContrat::Signe)
        .unwrap()
}

fn contrat_projet(n: usize) -> Contrat {
    jeu_demonstration(n)
        .into_iter()
        .find(|c| c.contrat.etat == EtatContrat::Brouillon)
        .unwrap()
}

/// What the text of the contract's document must contain, from the data.
fn attendus(c: &Contrat) -> Vec<String> {
    let mut a: Vec<String> = [
        "Préambule",
        "Article 1 – Objet de la convention",
        "Article 2 – Engagements réciproques",
        "2.1. Les engagements concourant à la mise en œuvre du Pacte des solidarités",
        "2.2. Les engagements financiers de l'État",
        "2.3. Suivi et évaluation de la convention",
        "Article 3 – Modalités de versement des crédits",
        "Article 4 – Durée de la convention et renouvellement",
        "Article 5 – Contrôle financier de l'administration",
        "Article 6 – Dénonciation de la convention",
        "Article 7 – Litige",
        "Annexe 1 : Tableau des actions et suivi de leurs indicateurs",
        "Annexe 2 : Fiches action",
        "Annexe 3 : Tableau budgétaire",
        "Annexe 4 : Tableau des indicateurs nationaux",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.push(c.contrat.nom_collectivite());
    for s in &c.contrat.signataires {
        a.push(s.qualite.clone());
    }
    for f in &c.fiches {
        a.push(format!("Fiche action {} : {}", f.numero, f.intitule));
        let etat: Montant = Annee::TOUTES.iter().map(|y| f.financement.etat(*y)).sum();
        a.push(etat.to_string());
    }
    let m = *c.contrat.engagement_etat.values().next().unwrap();
    a.push(format!("{m} ({})", montant_en_lettres(m)));
    a
}

fn verifier_texte(texte: &str, attendus: &[String], quoi: &str) {
    let t = normaliser(texte);
    let manquants: Vec<&String> = attendus.iter().filter(|a| !t.contains(&normaliser(a))).collect();
    assert!(manquants.is_empty(), "{quoi} : absents du texte : {manquants:?}");
}

fn pdf(c: &Contrat, version: i64) -> Vec<u8> {
    pacte_documents::contrat::fichier(
        &DonneesContrat {
            contrat: c,
            actes: &[],
            version,
        },
        Format::Pdf,
    )
    .unwrap()
    .octets
}

fn odt(c: &Contrat) -> Vec<u8> {
    pacte_documents::contrat::fichier(
        &DonneesContrat {
            contrat: c,
            actes: &[],
            version: 1,
        },
        Format::Odt,
    )
    .unwrap()
    .octets
}

#[test]
fn le_pdf_contient_articles_signataires_fiches_et_montants() {
    let Some(pdftotext) = outil("pdftotext") else {
        return;
    };
    let c = contrat_signe(12);
    let d = dossier("pdf");
    let f = d.join("contrat.pdf");
    std::fs::write(&f, pdf(&c, 7)).unwrap();
    let s = Command::new(pdftotext).arg(&f).arg("-").output().unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let texte = String::from_utf8(s.stdout).unwrap();
    let mut a = attendus(&c);
    // A signed contract carries its signature dates, and every page its version and code.
    a.push("Fait le 15 mars 2024.".into());
    a.push("signé le 15/03/2024".into());
    a.push("version 7 des données".into());
    let code = DonneesContrat {
        contrat: &c,
        actes: &[],
        version: 7,
    }
    .code();
    a.push(format!("code de vérification {code}"));
    verifier_texte(&texte, &a, "PDF");
    assert!(!texte.contains("PROJET"), "un contrat signé n'est pas un projet");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn le_pdf_est_balise_titre_et_en_francais() {
    let Some(pdfinfo) = outil("pdfinfo") else { return };
    let c = contrat_projet(8);
    let d = dossier("pdfinfo");
    let f = d.join("contrat.pdf");
    std::fs::write(&f, pdf(&c, 3)).unwrap();
    let s = Command::new(&pdfinfo).arg(&f).output().unwrap();
    let info = String::from_utf8_lossy(&s.stdout).to_string();
    assert!(
        info.contains("Tagged:")
            && info
                .lines()
                .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
        "{info}"
    );
    let titre = info.lines().find(|l| l.starts_with("Title:")).unwrap_or_default();
    assert!(
        titre.contains("Contrat local des solidarités 2024-2027"),
        "{info}"
    );
    assert!(titre.contains(&c.contrat.nom_collectivite()), "{info}");
    let meta = Command::new(&pdfinfo).arg("-meta").arg(&f).output().unwrap();
    let meta = String::from_utf8_lossy(&meta.stdout).to_string();
    assert!(
        meta.contains("<rdf:li>fr") || meta.contains(">fr-FR<") || meta.contains(">fr<"),
        "langue absente des métadonnées : {meta}"
    );
    assert!(meta.contains("pdfuaid:part"), "PDF/UA non déclaré : {meta}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn un_projet_porte_projet_et_sa_version() {
    let Some(pdftotext) = outil("pdftotext") else {
        return;
    };
    let c = contrat_projet(6);
    let d = dossier("projet");
    let f = d.join("projet.pdf");
    std::fs::write(&f, pdf(&c, 2)).unwrap();
    let s = Command::new(pdftotext).arg(&f).arg("-").output().unwrap();
    let texte = normaliser(&String::from_utf8_lossy(&s.stdout));
    assert!(
        texte.contains("PROJET — Contrat local des solidarités"),
        "{texte}"
    );
    assert!(texte.contains("version 2 des données"));
    assert!(
        texte.contains("à intervenir"),
        "la délibération d'un projet est à intervenir"
    );
    assert!(!texte.contains('['), "pas de champ à compléter entre crochets");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn l_odt_est_un_zip_au_mimetype_en_tete() {
    let octets = odt(&contrat_projet(4));
    // The first local file header: name « mimetype », method 0 (stored).
    assert_eq!(&octets[0..4], b"PK\x03\x04");
    assert_eq!(
        u16::from_le_bytes([octets[8], octets[9]]),
        0,
        "mimetype stocké sans compression"
    );
    let n = u16::from_le_bytes([octets[26], octets[27]]) as usize;
    assert_eq!(&octets[30..30 + n], b"mimetype");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&octets)).unwrap();
    let mut m = String::new();
    z.by_name("mimetype").unwrap().read_to_string(&mut m).unwrap();
    assert_eq!(m, "application/vnd.oasis.opendocument.text");
    for f in ["content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"] {
        assert!(z.by_name(f).is_ok(), "{f}");
    }
}

#[test]
fn l_odt_relu_par_libreoffice_contient_le_contrat() {
    let Some(soffice) = outil("soffice") else { return };
    let c = contrat_signe(12);
    let d = dossier("odt");
    let f = d.join("contrat.odt");
    std::fs::write(&f, odt(&c)).unwrap();
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
    let texte = std::fs::read_to_string(d.join("contrat.txt")).expect("LibreOffice a converti l'ODT");
    verifier_texte(&texte, &attendus(&c), "ODT");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn un_contrat_signe_sans_date_de_deliberation_est_refuse_en_francais() {
    let mut c = contrat_signe(4);
    c.contrat.date_deliberation = None;
    let e = pacte_documents::contrat::document(&DonneesContrat {
        contrat: &c,
        actes: &[],
        version: 1,
    })
    .unwrap_err();
    assert!(
        matches!(&e, ErreurDocument::Incomplet(m) if m.contains("la délibération n'a pas de date")),
        "{e}"
    );
    let mut c = contrat_signe(4);
    c.contrat.signataires[1].date_signature = None;
    let e = pacte_documents::contrat::document(&DonneesContrat {
        contrat: &c,
        actes: &[],
        version: 1,
    })
    .unwrap_err();
    assert!(e.to_string().contains("n'a pas de date de signature"), "{e}");
}

#[test]
fn le_code_change_avec_les_donnees_pas_avec_l_etat() {
    let c = contrat_signe(4);
    let code = |c: &Contrat| {
        DonneesContrat {
            contrat: c,
            actes: &[],
            version: 1,
        }
        .code()
    };
    let mut execution = c.clone();
    execution.contrat.etat = EtatContrat::EnExecution;
    assert_eq!(code(&c), code(&execution));
    let mut modifie = c.clone();
    modifie.fiches[0].intitule.push_str(" (modifiée)");
    assert_ne!(code(&c), code(&modifie));
}

fn avenant_2025(c: &Contrat) -> Execution {
    let f = &c.fiches[0];
    Execution {
        avenants: vec![Avenant {
            annee: Annee::new(2025).unwrap(),
            date: None,
            accord_etat: None,
            accord_collectivite: None,
            lignes: vec![LigneAvenant {
                fiche: f.numero,
                ajoutee: false,
                intitule: None,
                etat: f.financement.etat(Annee::new(2025).unwrap()) + Montant::euros(10_000),
                collectivite: None,
                motif: "Montée en charge plus rapide que prévu".into(),
            }],
            piece: None,
        }],
        ..Execution::default()
    }
}

#[test]
fn l_avenant_donne_fiches_motifs_et_nouveau_montant() {
    let c = contrat_signe(8);
    let e = avenant_2025(&c);
    let d = DonneesAvenant {
        contrat: &c,
        execution: &e,
        annee: Annee::new(2025).unwrap(),
        version: 9,
    };
    let doc = pacte_documents::avenant::document(&d).unwrap();
    let texte = normaliser(&doc.textes().join(" "));
    let a2025 = Annee::new(2025).unwrap();
    let avant: Montant = c.fiches.iter().map(|f| f.financement.etat(a2025)).sum();
    let apres = avant + Montant::euros(10_000);
    for attendu in [
        "Montée en charge plus rapide que prévu".to_string(),
        c.fiches[0].intitule.clone(),
        format!("porté de {avant} ({})", montant_en_lettres(avant)),
        format!("à {apres} ({})", montant_en_lettres(apres)),
        "+10 000,00 €".to_string(),
    ] {
        assert!(
            texte.contains(&normaliser(&attendu)),
            "« {attendu} » absent : {texte}"
        );
    }
    assert!(doc.projet, "un avenant sans date est un projet");
    // Both formats come out.
    for format in Format::TOUS {
        let f = pacte_documents::avenant::fichier(&d, format).unwrap();
        assert!(f.nom.starts_with("avenant-2025-"), "{}", f.nom);
        assert!(!f.octets.is_empty());
    }
    let sans = Execution::default();
    let e = pacte_documents::avenant::document(&DonneesAvenant {
        execution: &sans,
        ..d
    })
    .unwrap_err();
    assert!(
        e.to_string().contains("aucun avenant n'est enregistré pour 2025"),
        "{e}"
    );
}

/// The 60-fiche contract to PNG, for people to look at (`PACTE_APERCU=dossier`).
#[test]
fn apercu_png_du_contrat_de_60_fiches() {
    let Ok(sortie) = std::env::var("PACTE_APERCU") else {
        return;
    };
    let Some(pdftoppm) = outil("pdftoppm") else { return };
    let c = contrat_signe(60);
    let f = Path::new(&sortie).join("contrat-60.pdf");
    std::fs::create_dir_all(&sortie).unwrap();
    std::fs::write(&f, pdf(&c, 1)).unwrap();
    let s = Command::new(pdftoppm)
        .args(["-png", "-r", "60"])
        .arg(&f)
        .arg(Path::new(&sortie).join("page"))
        .output()
        .unwrap();
    assert!(s.status.success());
}

/// Texts in scripts or symbols the vendored fonts lack (an emoji, Chinese, a control character
/// pasted from elsewhere) do not stop the PDF: it is produced, tagged, each missing glyph shown
/// as a white square; the ODT keeps the text as typed.
#[test]
fn des_caracteres_hors_des_polices_ne_bloquent_pas_le_pdf() {
    let mut c = contrat_projet(3);
    c.fiches[0].intitule = "Accueil 😀 des familles 漢字\u{1f}so\u{ad}lidaires".into();
    let octets = pdf(&c, 1);
    assert!(octets.starts_with(b"%PDF-"));
    let zip = odt(&c);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut contenu = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("content.xml").unwrap(), &mut contenu).unwrap();
    assert!(
        contenu.contains("Accueil 😀 des familles 漢字"),
        "l'ODT garde le texte saisi"
    );
    let Some(pdftotext) = outil("pdftotext") else {
        return;
    };
    let d = dossier("glyphes");
    let f = d.join("contrat.pdf");
    std::fs::write(&f, &octets).unwrap();
    let sortie = Command::new(pdftotext).arg(&f).arg("-").output().unwrap();
    let texte = normaliser(&String::from_utf8_lossy(&sortie.stdout));
    assert!(texte.contains("Accueil □ des familles □□ solidaires"), "{texte}");
}
