//! Exports read back, malformed Bilans refused with the cell named, and the recalculation
//! oracle: LibreOffice recomputes the formulas of the XLSX and ODS files and must find Pacte's
//! totals.

use std::io::Cursor;
use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use pacte_core::execution::{Execution, execution_simulee};
use pacte_core::jeu_national::jeu_national;
use pacte_core::tableau::{Feuille, TypeTableau, feuille};
use pacte_core::{Annee, Contrat, Montant};
use pacte_tableurs::disposition::{Cellule, disposer};
use pacte_tableurs::{FormatTableur, exporter, lire_bilan, xlsx};

fn an(a: i64) -> Annee {
    Annee::new(a).unwrap()
}

fn exemple() -> (Contrat, Execution) {
    let c = jeu_national(1, 12).remove(0);
    let e = execution_simulee(&c, 3);
    (c, e)
}

/// Every amount of every line, sub-total and total row of a sheet, in cents, as read by
/// calamine (cached formula results included), row by row.
fn montants_lus(octets: &[u8], nom: &str) -> Vec<Vec<i64>> {
    let mut c = open_workbook_auto_from_rs(Cursor::new(octets.to_vec())).unwrap();
    let r = c.worksheet_range(nom).unwrap();
    r.rows()
        .map(|ligne| {
            ligne
                .iter()
                .filter_map(|d| match d {
                    Data::Float(f) => Some((f * 100.0).round() as i64),
                    Data::Int(i) => Some(i * 100),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// The same figures from the model.
fn montants_attendus(f: &Feuille) -> Vec<Vec<i64>> {
    let c = |v: &[Montant]| v.iter().map(|m| m.en_centimes()).collect::<Vec<_>>();
    let mut out = Vec::new();
    for b in &f.blocs {
        for l in &b.lignes {
            out.push(c(&l.valeurs));
        }
        out.push(c(&b.sous_total));
    }
    out.push(c(&f.totaux));
    out
}

fn feuilles(c: &Contrat, e: &Execution) -> Vec<Feuille> {
    let mut v = Vec::new();
    for t in TypeTableau::TOUS {
        for a in Annee::TOUTES {
            if let Ok(f) = feuille(c, e, t, a) {
                v.push(f);
            }
        }
    }
    v
}

#[test]
fn aller_retour_xlsx_et_ods_memes_montants() {
    let (c, e) = exemple();
    for f in feuilles(&c, &e) {
        for format in [FormatTableur::Xlsx, FormatTableur::Ods] {
            let octets = exporter(&f, format).unwrap();
            assert_eq!(
                montants_lus(&octets, &f.nom),
                montants_attendus(&f),
                "{} {format:?}",
                f.nom
            );
        }
    }
}

#[test]
fn xlsx_formules_vivantes_titre_et_format_euro() {
    let (c, e) = exemple();
    let f = feuille(&c, &e, TypeTableau::Recapitulatif, an(2025)).unwrap();
    let octets = exporter(&f, FormatTableur::Xlsx).unwrap();
    let mut wb = open_workbook_auto_from_rs(Cursor::new(octets.clone())).unwrap();
    let formules = wb.worksheet_formula(&f.nom).unwrap();
    let toutes: Vec<&String> = formules
        .used_cells()
        .map(|(_, _, s)| s)
        .filter(|s| !s.is_empty())
        .collect();
    // Line formulas I = F + H, K = G + J (not G + I), M = I + K + L; sub-totals; totals.
    assert!(toutes.iter().any(|s| s.starts_with("SUM(")), "{toutes:?}");
    let valeurs = wb.worksheet_range(&f.nom).unwrap();
    let titre = valeurs.get_value((0, 0)).unwrap().to_string();
    assert!(
        titre.starts_with("ANNEXE - TABLEAU FINANCIER RÉCAPITULATIF DU PACTE LOCAL DES SOLIDARITÉS"),
        "{titre}"
    );
    // The first line: columns E.. (Chorus makes 4 text columns, the amounts start at E = 4).
    // K (index 11 among amounts: column P) = G (index 7: L) + J (index 10: O).
    let ligne = 3;
    let k = formules.get_value((ligne, 4 + 11)).unwrap();
    assert_eq!(k, "L4+O4");
    // The euro format and the frozen panes are in the sheet's XML.
    let mut z = zip::ZipArchive::new(Cursor::new(octets)).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("€"), "euro number format");
    let mut feuille_xml = String::new();
    std::io::Read::read_to_string(
        &mut z.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut feuille_xml,
    )
    .unwrap();
    assert!(feuille_xml.contains(r#"state="frozen""#));
}

#[test]
fn csv_bom_point_virgule_virgule_decimale() {
    let (c, e) = exemple();
    let f = feuille(&c, &e, TypeTableau::Bilan, an(2024)).unwrap();
    let octets = exporter(&f, FormatTableur::Csv).unwrap();
    assert_eq!(&octets[..3], b"\xEF\xBB\xBF");
    let texte = String::from_utf8(octets[3..].to_vec()).unwrap();
    let totaux = texte
        .lines()
        .find(|l| l.starts_with("TOTAUX FINANCIERS"))
        .unwrap();
    let attendu: Vec<String> = f
        .totaux
        .iter()
        .map(|m| format!("{},{:02}", m.en_centimes() / 100, m.en_centimes() % 100))
        .collect();
    assert_eq!(totaux, format!("TOTAUX FINANCIERS;;;{}", attendu.join(";")));
}

// --- Import of the Bilan ---------------------------------------------------------------------

fn bilan_xlsx(
    c: &Contrat,
    e: &Execution,
    changer: impl FnOnce(&mut Vec<Vec<Cellule>>),
) -> (Vec<u8>, Feuille) {
    let f = feuille(c, e, TypeTableau::Bilan, an(2024)).unwrap();
    let mut d = disposer(&f);
    changer(&mut d.lignes);
    (xlsx::ecrire(&f.nom, &d).unwrap(), f)
}

fn erreurs(octets: &[u8], c: &Contrat, e: &Execution) -> Vec<String> {
    lire_bilan(octets, c, e, an(2024))
        .erreurs
        .iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn import_du_bilan_exporte_memes_chiffres() {
    let (c, e) = exemple();
    for format in [FormatTableur::Xlsx, FormatTableur::Ods] {
        let f = feuille(&c, &e, TypeTableau::Bilan, an(2024)).unwrap();
        let lu = lire_bilan(&exporter(&f, format).unwrap(), &c, &e, an(2024));
        assert!(lu.est_valide(), "{:?}", lu.erreurs);
        assert_eq!(lu.lignes.len(), f.lignes().count());
        for (l, attendu) in lu.lignes.iter().zip(f.lignes()) {
            assert_eq!(l.fiche, attendu.numero);
            // Columns: 1 A realised State, 3 C realised CD, 5 and 6 carry-overs.
            assert_eq!(
                [
                    l.realise_etat,
                    l.realise_collectivite,
                    l.report_etat,
                    l.report_collectivite
                ],
                [
                    attendu.valeurs[1],
                    attendu.valeurs[3],
                    attendu.valeurs[5],
                    attendu.valeurs[6]
                ]
            );
        }
        // What was read is the stored execution of 2024.
        let mut stockees: Vec<_> = e
            .realisations
            .iter()
            .filter(|r| r.annee == an(2024))
            .copied()
            .collect();
        stockees.sort_by_key(|r| r.fiche);
        assert_eq!(lu.realisations(&e), stockees);
    }
}

#[test]
fn import_montant_illisible_nomme_la_cellule() {
    let (c, e) = exemple();
    // First line: row 4 (index 3); A realised is the 2nd amount column: text columns A..C,
    // amounts from D, so A realised is E.
    let (octets, f) = bilan_xlsx(&c, &e, |l| {
        l[3][4] = Cellule::Texte("12.000,5".into(), pacte_tableurs::disposition::Style::Normal);
    });
    assert_eq!(
        erreurs(&octets, &c, &e),
        [format!(
            "Feuille « {} », cellule E4 : montant illisible « 12.000,5 »",
            f.nom
        )]
    );
    assert_eq!(f.nom, "Bilan 2024");
    // A French amount in text is read.
    let (octets, _) = bilan_xlsx(&c, &e, |l| {
        l[3][4] = Cellule::Texte("12 000,50 €".into(), pacte_tableurs::disposition::Style::Normal);
    });
    let lu = lire_bilan(&octets, &c, &e, an(2024));
    assert!(lu.est_valide());
    assert_eq!(lu.lignes[0].realise_etat, Montant::centimes(1_200_050));
}

#[test]
fn import_formule_fiche_inconnue_doublon_ligne_manquante() {
    let (c, e) = exemple();
    let (octets, _) = bilan_xlsx(&c, &e, |l| {
        if let Cellule::Montant { formule, .. } = &mut l[3][4] {
            *formule = Some("=D4*0.9".into());
        }
        // Rows 5 and 6 (fiches 1.2 and 1.3) become 4.9 (unknown) and 1.1 (a duplicate).
        l[4][1] = Cellule::Texte("4.9".into(), pacte_tableurs::disposition::Style::Normal);
        l[5][1] = Cellule::Texte(
            l[3][1].clone().texte().into(),
            pacte_tableurs::disposition::Style::Normal,
        );
    });
    let e_ = erreurs(&octets, &c, &e);
    assert!(
        e_.iter()
            .any(|m| m.starts_with("Feuille « Bilan 2024 », cellule E4 : une formule « D4*0.9 »")),
        "{e_:?}"
    );
    assert!(
        e_.iter().any(|m| m.contains("cellule B5 : fiche 4.9 inconnue")),
        "{e_:?}"
    );
    assert!(
        e_.iter()
            .any(|m| m.contains("cellule B6 : fiche 1.1 en double (déjà ligne 4)")),
        "{e_:?}"
    );
    assert!(
        e_.iter()
            .filter(|m| m.contains("ligne manquante : fiche"))
            .count()
            == 2,
        "{e_:?}"
    );
}

#[test]
fn import_mauvaise_feuille_ou_fichier() {
    let (c, e) = exemple();
    let f = feuille(&c, &e, TypeTableau::Bilan, an(2025)).unwrap();
    let octets = exporter(&f, FormatTableur::Xlsx).unwrap();
    assert_eq!(
        erreurs(&octets, &c, &e),
        ["Classeur : aucune feuille « Bilan 2024 » (feuilles du classeur : « Bilan 2025 »)"]
    );
    assert_eq!(
        erreurs(b"ceci n'est pas un classeur", &c, &e),
        ["Classeur : le fichier n'est pas un classeur XLSX ou ODS lisible"]
    );
    // A header renamed: the column is found by its label, not its letter (R-TAB-06).
    let (octets, _) = bilan_xlsx(&c, &e, |l| {
        l[2][4] = Cellule::Texte("A Réalisé".into(), pacte_tableurs::disposition::Style::Entete);
    });
    let e_ = erreurs(&octets, &c, &e);
    assert_eq!(e_.len(), 1);
    assert!(
        e_[0].contains("colonne « A Montant État réalisé au 31/12/2024 » introuvable"),
        "{e_:?}"
    );
    // The cell named is the renamed one: row 3, column E.
    assert!(e_[0].contains("cellule E3 :"), "{e_:?}");
}

trait Texte {
    fn texte(&self) -> &str;
}

impl Texte for Cellule {
    fn texte(&self) -> &str {
        match self {
            Cellule::Texte(t, _) => t,
            _ => "",
        }
    }
}

// --- Recalculation oracle --------------------------------------------------------------------

/// LibreOffice, when installed (scripts/test installs it).
fn soffice() -> Option<&'static str> {
    ["/usr/bin/soffice", "/usr/bin/libreoffice"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

/// The file of a table whose cached formula results are all zero, so that only a real
/// recalculation can show the right totals.
fn sans_resultats(f: &Feuille, format: FormatTableur) -> Vec<u8> {
    let mut d = disposer(f);
    for l in &mut d.lignes {
        for c in l.iter_mut() {
            if let Cellule::Montant {
                valeur,
                formule: Some(_),
                ..
            } = c
            {
                *valeur = Montant::ZERO;
            }
        }
    }
    match format {
        FormatTableur::Xlsx => xlsx::ecrire(&f.nom, &d).unwrap(),
        FormatTableur::Ods => pacte_tableurs::ods::ecrire(&f.nom, &d).unwrap(),
        FormatTableur::Csv => unreachable!(),
    }
}

const RECALCUL_AU_CHARGEMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#;

/// Converts with LibreOffice headless to CSV (`;`, UTF-8, raw values) and returns the
/// « TOTAUX FINANCIERS » row's amounts in cents.
fn totaux_libreoffice(soffice: &str, dossier: &Path, nom: &str, octets: &[u8]) -> Vec<i64> {
    let fichier = dossier.join(nom);
    std::fs::write(&fichier, octets).unwrap();
    let profil = dossier.join("profil");
    // Recalculate every formula on load, XLSX and ODS alike: cached results are not trusted.
    std::fs::create_dir_all(profil.join("user")).unwrap();
    std::fs::write(
        profil.join("user/registrymodifications.xcu"),
        RECALCUL_AU_CHARGEMENT,
    )
    .unwrap();
    let sortie = Command::new(soffice)
        .arg(format!("-env:UserInstallation=file://{}", profil.display()))
        .args(["--headless", "--convert-to"])
        .arg("csv:Text - txt - csv (StarCalc):59,34,76,1,,1033,false,true,false,false")
        .arg("--outdir")
        .arg(dossier)
        .arg(&fichier)
        .output()
        .unwrap();
    assert!(
        sortie.status.success(),
        "{}",
        String::from_utf8_lossy(&sortie.stderr)
    );
    let csv = std::fs::read_to_string(fichier.with_extension("csv")).unwrap();
    let ligne = csv
        .lines()
        .find(|l| l.trim_start_matches('"').starts_with("TOTAUX FINANCIERS"))
        .unwrap_or_else(|| panic!("no totals row in {csv}"));
    ligne
        .split(';')
        .skip(1)
        .filter(|s| !s.is_empty())
        .map(|s| (s.trim_matches('"').parse::<f64>().unwrap() * 100.0).round() as i64)
        .collect()
}

#[test]
fn oracle_libreoffice_recalcule_les_memes_totaux() {
    let Some(soffice) = soffice() else {
        eprintln!("LibreOffice absent : oracle de recalcul non exécuté (scripts/test l'installe).");
        return;
    };
    let (c, e) = exemple();
    let dossier = std::env::temp_dir().join(format!("pacte-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dossier).unwrap();
    for f in feuilles(&c, &e).into_iter().filter(|f| f.annee <= an(2025)) {
        let attendu: Vec<i64> = f.totaux.iter().map(|m| m.en_centimes()).collect();
        for format in [FormatTableur::Xlsx, FormatTableur::Ods] {
            let nom = format!("{}-{}.{}", f.type_tableau.code(), f.annee, format.extension());
            let lu = totaux_libreoffice(soffice, &dossier, &nom, &sans_resultats(&f, format));
            assert_eq!(lu, attendu, "{nom}");
        }
    }
    let _ = std::fs::remove_dir_all(&dossier);
}

#[test]
fn import_d_un_ods_enregistre_par_libreoffice() {
    let Some(soffice) = soffice() else {
        eprintln!("LibreOffice absent : import d'un ODS de LibreOffice non exécuté.");
        return;
    };
    let (c, e) = exemple();
    let f = feuille(&c, &e, TypeTableau::Bilan, an(2024)).unwrap();
    let dossier = std::env::temp_dir().join(format!("pacte-ods-lo-{}", std::process::id()));
    std::fs::create_dir_all(&dossier).unwrap();
    let xlsx = dossier.join("bilan.xlsx");
    std::fs::write(&xlsx, exporter(&f, FormatTableur::Xlsx).unwrap()).unwrap();
    let sortie = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dossier.join("profil").display()
        ))
        .args(["--headless", "--convert-to", "ods", "--outdir"])
        .arg(&dossier)
        .arg(&xlsx)
        .output()
        .unwrap();
    assert!(
        sortie.status.success(),
        "{}",
        String::from_utf8_lossy(&sortie.stderr)
    );
    let ods = std::fs::read(dossier.join("bilan.ods")).unwrap();
    let lu = lire_bilan(&ods, &c, &e, an(2024));
    assert!(lu.est_valide(), "{:?}", lu.erreurs);
    let mut stockees: Vec<_> = e
        .realisations
        .iter()
        .filter(|r| r.annee == an(2024))
        .copied()
        .collect();
    stockees.sort_by_key(|r| r.fiche);
    assert_eq!(lu.realisations(&e), stockees);
    let _ = std::fs::remove_dir_all(&dossier);
}
