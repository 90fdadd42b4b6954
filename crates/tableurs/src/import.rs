//! Reading a filled « Bilan n » back (XLSX or ODS, `calamine`): lines matched to fiches by
//! number, columns found by their label (R-TAB-06: letters are reused between the tables), and
//! every error naming the sheet and the cell in French. Nothing is applied here: the result is
//! typed figures plus errors, and the caller writes only a file without any error.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Cursor;

use calamine::{Data, Range, Reader, open_workbook_auto_from_rs};
use pacte_core::execution::{Execution, Realisation, Report, fiches_executees};
use pacte_core::montant::ErreurMontant;
use pacte_core::tableau::{Feuille, TypeTableau, feuille};
use pacte_core::{Annee, Contrat, Montant, NumeroFiche};

use crate::disposition::{ENTETE_NUMERO, SOUS_TOTAL, TOTAUX, nom_cellule};

/// An error of an imported file, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErreurImport {
    /// The sheet, when one was found.
    pub feuille: Option<String>,
    /// The cell (`F12`), when the error is in one.
    pub cellule: Option<String>,
    pub message: String,
}

impl fmt::Display for ErreurImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.feuille, &self.cellule) {
            (Some(s), Some(c)) => write!(f, "Feuille « {s} », cellule {c} : {}", self.message),
            (Some(s), None) => write!(f, "Feuille « {s} » : {}", self.message),
            _ => write!(f, "Classeur : {}", self.message),
        }
    }
}

/// One fiche's line of an imported Bilan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LigneBilan {
    pub fiche: NumeroFiche,
    /// The sheet row (1-based, as a spreadsheet shows it).
    pub ligne: usize,
    pub realise_etat: Montant,
    pub realise_collectivite: Montant,
    pub report_etat: Montant,
    pub report_collectivite: Montant,
}

/// What was read: the lines, and the errors. Apply only when `erreurs` is empty.
#[derive(Debug, Clone)]
pub struct BilanImporte {
    pub annee: Annee,
    pub lignes: Vec<LigneBilan>,
    pub erreurs: Vec<ErreurImport>,
}

impl BilanImporte {
    pub fn est_valide(&self) -> bool {
        self.erreurs.is_empty()
    }

    /// The realised amounts read (other funders are not part of the Bilan: kept as stored).
    pub fn realisations(&self, execution: &Execution) -> Vec<Realisation> {
        self.lignes
            .iter()
            .map(|l| Realisation {
                fiche: l.fiche,
                annee: self.annee,
                etat: l.realise_etat,
                collectivite: l.realise_collectivite,
                autres: execution
                    .realisations
                    .iter()
                    .rev()
                    .find(|r| r.fiche == l.fiche && r.annee == self.annee)
                    .map(|r| r.autres)
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The carry-overs read, as the collectivity's proposals (undated: the date is the State's
    /// decision's).
    pub fn reports(&self) -> Vec<Report> {
        self.lignes
            .iter()
            .filter(|l| !(l.report_etat.est_nul() && l.report_collectivite.est_nul()))
            .map(|l| Report {
                fiche: l.fiche,
                annee: self.annee,
                etat: l.report_etat,
                collectivite: l.report_collectivite,
                date: None,
                proposition: true,
            })
            .collect()
    }
}

/// A header compared by its words: case, spacing and line breaks aside; « CD » and
/// « collectivité » are the same column (R-TAB-06).
fn normaliser(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace("collectivité", "cd")
}

fn texte(d: &Data) -> Option<String> {
    match d {
        Data::String(s) => Some(s.trim().to_string()),
        Data::Float(f) => Some(f.to_string()),
        Data::Int(i) => Some(i.to_string()),
        Data::Empty => None,
        autre => Some(autre.to_string()),
    }
}

/// The amount in a cell, or the French reason why not.
fn montant(d: &Data) -> Result<Montant, String> {
    let depuis_flottant = |f: f64| -> Result<Montant, String> {
        let c = (f * 100.0).round();
        if !f.is_finite() || (f * 100.0 - c).abs() > 1e-6 {
            return Err(format!("montant au-delà du centime « {f} »"));
        }
        if c < 0.0 {
            return Err(format!("montant négatif « {f} »"));
        }
        if c > 1e14 {
            return Err(format!("montant trop grand « {f} »"));
        }
        Ok(Montant::centimes(c as i64))
    };
    match d {
        Data::Empty => Ok(Montant::ZERO),
        Data::Float(f) => depuis_flottant(*f),
        Data::Int(i) => depuis_flottant(*i as f64),
        Data::String(s) => Montant::parse(s).map_err(|e| match e {
            ErreurMontant::Vide => "montant vide".to_string(),
            ErreurMontant::Illisible(_) => format!("montant illisible « {} »", s.trim()),
            autre => autre.to_string(),
        }),
        autre => Err(format!("montant illisible « {autre} »")),
    }
}

/// The input columns of the Bilan, by index into the table's columns: A, C and the two
/// carry-overs. Paid and received credits are the State's records, the others are computed.
const SAISIES: [usize; 4] = [1, 3, 5, 6];

/// Reads a filled Bilan of year `annee` for `contrat`, whose stored execution is `execution`.
pub fn lire_bilan(octets: &[u8], contrat: &Contrat, execution: &Execution, annee: Annee) -> BilanImporte {
    let mut r = BilanImporte {
        annee,
        lignes: Vec::new(),
        erreurs: Vec::new(),
    };
    let attendu = feuille(contrat, execution, TypeTableau::Bilan, annee).expect("every year has a Bilan");
    let erreur_classeur = |m: String| ErreurImport {
        feuille: None,
        cellule: None,
        message: m,
    };
    let mut classeur = match open_workbook_auto_from_rs(Cursor::new(octets.to_vec())) {
        Ok(c) => c,
        Err(_) => {
            r.erreurs.push(erreur_classeur(
                "le fichier n'est pas un classeur XLSX ou ODS lisible".into(),
            ));
            return r;
        }
    };
    let noms = classeur.sheet_names();
    if !noms.iter().any(|n| n == &attendu.nom) {
        r.erreurs.push(erreur_classeur(format!(
            "aucune feuille « {} » (feuilles du classeur : {})",
            attendu.nom,
            noms.iter()
                .map(|n| format!("« {n} »"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
        return r;
    }
    let valeurs = match classeur.worksheet_range(&attendu.nom) {
        Ok(v) => v,
        Err(e) => {
            r.erreurs.push(erreur_classeur(format!(
                "feuille « {} » illisible ({e})",
                attendu.nom
            )));
            return r;
        }
    };
    let formules = classeur.worksheet_formula(&attendu.nom).unwrap_or_default();
    lire_feuille(&mut r, &attendu, contrat, execution, &valeurs, &formules);
    r
}

fn lire_feuille(
    r: &mut BilanImporte,
    attendu: &Feuille,
    contrat: &Contrat,
    execution: &Execution,
    valeurs: &Range<Data>,
    formules: &Range<String>,
) {
    let nom = attendu.nom.clone();
    let err = |cellule: Option<String>, message: String| ErreurImport {
        feuille: Some(nom.clone()),
        cellule,
        message,
    };
    let Some((ligne0, col0)) = valeurs.start() else {
        r.erreurs.push(err(None, "la feuille est vide".into()));
        return;
    };
    let (ligne0, col0) = (ligne0 as usize, col0 as usize);
    let cellule =
        |l: usize, c: usize| -> &Data { valeurs.get_value((l as u32, c as u32)).unwrap_or(&Data::Empty) };
    let formule = |l: usize, c: usize| -> Option<&String> {
        formules
            .get_value((l as u32, c as u32))
            .filter(|f| !f.trim().is_empty())
    };
    let fin_l = ligne0 + valeurs.height();
    let fin_c = col0 + valeurs.width();
    // The header row: the one with « Fiche action N° ».
    let Some((l_entete, c_numero)) = (ligne0..fin_l).find_map(|l| {
        (col0..fin_c).find_map(|c| {
            (texte(cellule(l, c)).as_deref().map(normaliser) == Some(normaliser(ENTETE_NUMERO)))
                .then_some((l, c))
        })
    }) else {
        r.erreurs.push(err(
            None,
            format!("ligne d'en-tête introuvable (aucune cellule « {ENTETE_NUMERO} »)"),
        ));
        return;
    };
    // Each input column by its label.
    let mut colonnes: BTreeMap<usize, usize> = BTreeMap::new();
    for i in SAISIES {
        let entete = attendu.colonnes[i].entete();
        match (col0..fin_c).find(|&c| texte(cellule(l_entete, c)).as_deref().map(normaliser) == Some(normaliser(&entete))) {
            Some(c) => {
                colonnes.insert(i, c);
            }
            // Named at the cell where the exported table has it (after the number and the
            // title columns).
            None => r.erreurs.push(err(
                Some(nom_cellule(l_entete, c_numero + 2 + i)),
                format!(
                    "colonne « {entete} » introuvable dans la ligne d'en-tête (une colonne se reconnaît à son intitulé, R-TAB-06)"
                ),
            )),
        }
    }
    if colonnes.len() != SAISIES.len() {
        return;
    }
    let connues = fiches_executees(contrat, execution);
    let mut vues: BTreeMap<NumeroFiche, usize> = BTreeMap::new();
    for l in l_entete + 1..fin_l {
        let numero_texte = texte(cellule(l, c_numero)).unwrap_or_default();
        let libre = normaliser(&numero_texte);
        if libre == normaliser(SOUS_TOTAL) || libre == normaliser(TOTAUX) {
            continue;
        }
        let montants_presents = colonnes.values().any(|&c| *cellule(l, c) != Data::Empty);
        if numero_texte.is_empty() {
            // The « TOTAUX FINANCIERS » label sits in the first column; notes have no amounts.
            let premiere = texte(cellule(l, col0)).map(|t| normaliser(&t));
            if montants_presents && premiere.as_deref() != Some(&normaliser(TOTAUX)) {
                r.erreurs.push(err(
                    Some(nom_cellule(l, c_numero)),
                    "des montants sans numéro de fiche action".into(),
                ));
            }
            continue;
        }
        let numero = match NumeroFiche::parse(&numero_texte) {
            Ok(n) => n,
            Err(e) => {
                r.erreurs.push(err(Some(nom_cellule(l, c_numero)), e));
                continue;
            }
        };
        if !connues.contains(&numero) {
            r.erreurs.push(err(
                Some(nom_cellule(l, c_numero)),
                format!("fiche {numero} inconnue : le contrat n'a pas de fiche action {numero}"),
            ));
            continue;
        }
        if let Some(avant) = vues.insert(numero, l) {
            r.erreurs.push(err(
                Some(nom_cellule(l, c_numero)),
                format!("fiche {numero} en double (déjà ligne {})", avant + 1),
            ));
            continue;
        }
        let mut lus = [Montant::ZERO; 4];
        let mut ok = true;
        for (k, i) in SAISIES.iter().enumerate() {
            let c = colonnes[i];
            if let Some(f) = formule(l, c) {
                r.erreurs.push(err(
                    Some(nom_cellule(l, c)),
                    format!(
                        "une formule « {} » à la place d'un montant : saisissez le montant lui-même",
                        f.trim()
                    ),
                ));
                ok = false;
                continue;
            }
            match montant(cellule(l, c)) {
                Ok(m) => lus[k] = m,
                Err(m) => {
                    r.erreurs.push(err(Some(nom_cellule(l, c)), m));
                    ok = false;
                }
            }
        }
        if ok {
            r.lignes.push(LigneBilan {
                fiche: numero,
                ligne: l + 1,
                realise_etat: lus[0],
                realise_collectivite: lus[1],
                report_etat: lus[2],
                report_collectivite: lus[3],
            });
        }
    }
    for l in attendu.lignes() {
        if !vues.contains_key(&l.numero) {
            r.erreurs.push(err(
                None,
                format!("ligne manquante : fiche {} « {} »", l.numero, l.intitule),
            ));
        }
    }
}
