//! The national indicators table of a contract's campaign (annexe 9, annexe 6) as a file users
//! fill in their spreadsheet: one row per fiche and national indicator (NI-2.3 as its three
//! categories), the T0 and the year's target beside the realised value, the comment and the
//! method-change note (R-REP-02, R-REP-03). Written with the annexe 10 tables' writers (every
//! cell a text, so values keep their French decimal comma), read back with cell-level French
//! errors, like the Bilan. Nothing is checked here but the cells: the campaign's rules are
//! `pacte_core::campagne::verifier_saisie`'s.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use pacte_core::campagne::{self, CleValeur, LigneAttendue, NatureIndicateur, ValeurSaisie};
use pacte_core::{Annee, Contrat, NumeroFiche, Valeur};

use crate::disposition::{Cellule, Disposition, ENTETE_NUMERO, Style, nom_cellule};
use crate::import::ErreurImport;
use crate::{ErreurExport, FormatTableur, csv, ods, xlsx};

/// The sheet's name: « Indicateurs nationaux 2024 ».
pub fn nom_feuille(annee: Annee) -> String {
    format!("Indicateurs nationaux {annee}")
}

const INDICATEUR: &str = "Indicateur";
const CATEGORIE: &str = "Catégorie (NI-2.3)";
const REALISE: &str = "Réalisé";
const COMMENTAIRE: &str = "Commentaire";
const CHANGEMENT: &str = "Changement de méthode (oui/non)";
const EFFET: &str = "Effet du changement sur le décompte";
const NOTE: &str = "Ce qui a changé";

fn entetes(annee: Annee) -> Vec<String> {
    [
        ENTETE_NUMERO.to_string(),
        "Intitulé de la fiche".into(),
        INDICATEUR.into(),
        CATEGORIE.into(),
        "Libellé".into(),
        "Unité".into(),
        "T0".into(),
        format!("Cible {annee}"),
        format!("{REALISE} {annee}"),
        COMMENTAIRE.into(),
        CHANGEMENT.into(),
        EFFET.into(),
        NOTE.into(),
    ]
    .to_vec()
}

fn nationales(contrat: &Contrat, annee: Annee) -> Vec<LigneAttendue> {
    campagne::lignes_attendues(contrat, annee)
        .into_iter()
        .filter(|l| l.cle.nature == NatureIndicateur::National)
        .collect()
}

/// The table pre-filled with the figures entered.
pub fn disposer_indicateurs(contrat: &Contrat, annee: Annee, valeurs: &[ValeurSaisie]) -> Disposition {
    let t = |s: String| Cellule::Texte(s, Style::Normal);
    let v = |x: Option<Valeur>| x.map_or(Cellule::Vide, |x| Cellule::Texte(x.to_string(), Style::Normal));
    let saisies: BTreeMap<&CleValeur, &ValeurSaisie> = valeurs.iter().map(|v| (&v.cle, v)).collect();
    let mut lignes = vec![
        vec![Cellule::Texte(
            format!(
                "Indicateurs nationaux {annee} — {} (annexe 9 ; période du 01/01/{annee} au 31/12/{annee})",
                contrat.contrat.nom_collectivite()
            ),
            Style::Titre,
        )],
        vec![Cellule::Texte(
            "Renseignez la colonne « Réalisé » (exemples : 120, 12,5) et, si le périmètre ou la méthode de décompte a changé, « oui », l'effet chiffré (-12, +3,5) et ce qui a changé (R-REP-03). Ne modifiez ni les numéros de fiche ni les codes.".into(),
            Style::Note,
        )],
        entetes(annee).into_iter().map(|e| Cellule::Texte(e, Style::Entete)).collect(),
    ];
    let ligne_entete = lignes.len() - 1;
    for l in nationales(contrat, annee) {
        let s = saisies.get(&l.cle);
        let categorie = if l.cle.ventilation == 0 {
            Cellule::Vide
        } else {
            let nom = l.libelle.split(" — dont ").nth(1).unwrap_or_default();
            t(format!("{} — {nom}", l.cle.ventilation))
        };
        lignes.push(vec![
            t(l.cle.fiche.to_string()),
            t(l.intitule_fiche.clone()),
            t(l.cle.indicateur.clone()),
            categorie,
            t(l.libelle.clone()),
            l.unite.clone().map_or(Cellule::Vide, t),
            v(l.t0),
            v(l.cible),
            v(s.and_then(|s| s.realise)),
            s.and_then(|s| s.commentaire.clone()).map_or(Cellule::Vide, t),
            t(if s.is_some_and(|s| s.changement_methode) {
                "oui"
            } else {
                "non"
            }
            .into()),
            s.and_then(|s| s.effet_methode)
                .map_or(Cellule::Vide, |e| t(campagne::ecrire_effet(e))),
            s.and_then(|s| s.note_methode.clone()).map_or(Cellule::Vide, t),
        ]);
    }
    Disposition {
        lignes,
        ligne_entete,
        colonnes_texte: 3,
        largeur: entetes(annee).len(),
    }
}

/// The table as a file.
pub fn exporter_indicateurs(
    contrat: &Contrat,
    annee: Annee,
    valeurs: &[ValeurSaisie],
    format: FormatTableur,
) -> Result<Vec<u8>, ErreurExport> {
    let d = disposer_indicateurs(contrat, annee, valeurs);
    let nom = nom_feuille(annee);
    Ok(match format {
        FormatTableur::Xlsx => xlsx::ecrire(&nom, &d)?,
        FormatTableur::Ods => ods::ecrire(&nom, &d)?,
        FormatTableur::Csv => csv::ecrire(&d),
    })
}

/// The figures read back: every figure of the campaign (the local ones and the national ones
/// not in the file as they were), or the errors, cell by cell.
#[derive(Debug, Clone)]
pub struct IndicateursImportes {
    pub valeurs: Vec<ValeurSaisie>,
    pub erreurs: Vec<ErreurImport>,
}

fn texte(d: &Data) -> Option<String> {
    match d {
        Data::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Data::Empty => None,
        Data::Float(f) => Some(f.to_string()),
        Data::Int(i) => Some(i.to_string()),
        autre => Some(autre.to_string()),
    }
}

/// A value cell: a number typed in the spreadsheet, or a text (`12,5`).
fn valeur(d: &Data) -> Result<Option<Valeur>, String> {
    match d {
        Data::Float(f) => {
            let c = (f * 100.0).round();
            if !f.is_finite() || (f * 100.0 - c).abs() > 1e-6 || !(0.0..=1e14).contains(&c) {
                return Err(format!(
                    "« {f} » n'est pas une valeur d'indicateur (positive, deux décimales au plus)"
                ));
            }
            Ok(Some(Valeur::centiemes(c as i64)))
        }
        Data::Int(i) if *i >= 0 => Ok(Some(Valeur::entier(*i))),
        d => match texte(d) {
            None => Ok(None),
            Some(t) => Valeur::parse(&t).map(Some),
        },
    }
}

fn normaliser(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Reads the filled table of `annee` for `contrat`; `existantes` are the figures stored, which
/// the file's national rows replace.
pub fn lire_indicateurs(
    octets: &[u8],
    contrat: &Contrat,
    annee: Annee,
    existantes: &[ValeurSaisie],
) -> IndicateursImportes {
    let nom = nom_feuille(annee);
    let mut erreurs = Vec::new();
    let erreur = |cellule: Option<String>, message: String| ErreurImport {
        feuille: Some(nom.clone()),
        cellule,
        message,
    };
    let echec = |e: ErreurImport| IndicateursImportes {
        valeurs: Vec::new(),
        erreurs: vec![e],
    };
    let mut classeur = match open_workbook_auto_from_rs(Cursor::new(octets.to_vec())) {
        Ok(c) => c,
        Err(_) => {
            return echec(ErreurImport {
                feuille: None,
                cellule: None,
                message: "le fichier n'est pas un classeur XLSX ou ODS lisible".into(),
            });
        }
    };
    let Ok(plage) = classeur.worksheet_range(&nom) else {
        return echec(ErreurImport {
            feuille: None,
            cellule: None,
            message: format!(
                "la feuille « {nom} » est absente : téléchargez le tableau de la campagne {annee}"
            ),
        });
    };
    let (debut_l, debut_c) = plage.start().map_or((0, 0), |(l, c)| (l as usize, c as usize));
    let lignes: Vec<Vec<Data>> = plage.rows().map(|r| r.to_vec()).collect();
    let case = |l: usize, c: usize| nom_cellule(l + debut_l, c + debut_c);
    let Some(entete) = lignes.iter().position(|r| {
        r.first()
            .and_then(texte)
            .is_some_and(|t| normaliser(&t) == normaliser(ENTETE_NUMERO))
    }) else {
        return echec(erreur(
            None,
            format!("la ligne d'en-tête « {ENTETE_NUMERO} » est introuvable"),
        ));
    };
    let colonne = |libelle: &str| {
        lignes[entete]
            .iter()
            .position(|d| texte(d).is_some_and(|t| normaliser(&t).starts_with(&normaliser(libelle))))
    };
    let mut cols = BTreeMap::new();
    for l in [
        INDICATEUR,
        CATEGORIE,
        REALISE,
        COMMENTAIRE,
        CHANGEMENT,
        EFFET,
        NOTE,
    ] {
        match colonne(l) {
            Some(c) => {
                cols.insert(l, c);
            }
            None => {
                return echec(erreur(
                    None,
                    format!("la colonne « {l} » est absente de l'en-tête"),
                ));
            }
        }
    }
    let attendues: BTreeSet<CleValeur> = nationales(contrat, annee).into_iter().map(|l| l.cle).collect();
    let mut lues: BTreeMap<CleValeur, ValeurSaisie> = BTreeMap::new();
    for (i, r) in lignes.iter().enumerate().skip(entete + 1) {
        let cellule = |c: usize| r.get(c).cloned().unwrap_or(Data::Empty);
        let Some(numero) = texte(&cellule(0)) else {
            continue;
        };
        let fiche = match NumeroFiche::parse(&numero) {
            Ok(f) => f,
            Err(_) => {
                erreurs.push(erreur(
                    Some(case(i, 0)),
                    format!("« {numero} » n'est pas un numéro de fiche (1.2)"),
                ));
                continue;
            }
        };
        let code = texte(&cellule(cols[INDICATEUR])).unwrap_or_default();
        let ventilation = match texte(&cellule(cols[CATEGORIE])) {
            None => 0,
            Some(t) => match t.chars().next().and_then(|c| c.to_digit(10)) {
                Some(d @ 1..=3) => d as u8,
                _ => {
                    erreurs.push(erreur(
                        Some(case(i, cols[CATEGORIE])),
                        format!("catégorie « {t} » illisible : 1, 2 ou 3"),
                    ));
                    continue;
                }
            },
        };
        let cle = CleValeur {
            ventilation,
            ..CleValeur::national(fiche, &code)
        };
        if !attendues.contains(&cle) {
            erreurs.push(erreur(
                Some(case(i, cols[INDICATEUR])),
                format!("la fiche {fiche} ne porte pas l'indicateur national « {code} »"),
            ));
            continue;
        }
        if lues.contains_key(&cle) {
            erreurs.push(erreur(
                Some(case(i, 0)),
                format!("fiche {fiche}, {code} : ligne en double"),
            ));
            continue;
        }
        let realise = match valeur(&cellule(cols[REALISE])) {
            Ok(v) => v,
            Err(m) => {
                erreurs.push(erreur(Some(case(i, cols[REALISE])), m));
                None
            }
        };
        let changement = match texte(&cellule(cols[CHANGEMENT])).map(|t| normaliser(&t)) {
            None => false,
            Some(t) if t == "oui" => true,
            Some(t) if t == "non" => false,
            Some(t) => {
                erreurs.push(erreur(
                    Some(case(i, cols[CHANGEMENT])),
                    format!("« {t} » : oui ou non"),
                ));
                false
            }
        };
        let effet = match texte(&cellule(cols[EFFET])) {
            None => None,
            Some(t) => match campagne::lire_effet(&t) {
                Ok(e) => Some(e),
                Err(m) => {
                    erreurs.push(erreur(Some(case(i, cols[EFFET])), m));
                    None
                }
            },
        };
        let commentaire = texte(&cellule(cols[COMMENTAIRE]));
        let note = texte(&cellule(cols[NOTE]));
        for (t, c) in [(&commentaire, COMMENTAIRE), (&note, NOTE)] {
            if t.as_ref()
                .is_some_and(|t| t.chars().count() > campagne::COMMENTAIRE_MAX)
            {
                erreurs.push(erreur(
                    Some(case(i, cols[c])),
                    format!("{} caractères au plus", campagne::COMMENTAIRE_MAX),
                ));
            }
        }
        lues.insert(
            cle.clone(),
            ValeurSaisie {
                cle,
                realise,
                commentaire,
                changement_methode: changement,
                note_methode: note,
                effet_methode: effet,
            },
        );
    }
    if !erreurs.is_empty() {
        return IndicateursImportes {
            valeurs: Vec::new(),
            erreurs,
        };
    }
    let mut valeurs: Vec<ValeurSaisie> = existantes
        .iter()
        .filter(|v| !lues.contains_key(&v.cle))
        .cloned()
        .collect();
    valeurs.extend(lues.into_values().filter(|v| {
        v.realise.is_some() || v.commentaire.is_some() || v.changement_methode || v.note_methode.is_some()
    }));
    valeurs.sort_by(|a, b| a.cle.cmp(&b.cle));
    IndicateursImportes { valeurs, erreurs }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pacte_core::fabrique::contrat_metropole_minimal;

    const A: Annee = Annee::TOUTES[0];

    fn valeurs(c: &Contrat) -> Vec<ValeurSaisie> {
        nationales(c, A)
            .into_iter()
            .map(|l| ValeurSaisie {
                realise: Some(Valeur::centiemes(1250)),
                commentaire: Some("Décompte au 31/12".into()),
                ..ValeurSaisie::vide(l.cle)
            })
            .collect()
    }

    #[test]
    fn aller_retour_xlsx_et_ods() {
        let c = contrat_metropole_minimal();
        let v = valeurs(&c);
        assert!(!v.is_empty());
        for f in [FormatTableur::Xlsx, FormatTableur::Ods] {
            let octets = exporter_indicateurs(&c, A, &v, f).unwrap();
            let lu = lire_indicateurs(&octets, &c, A, &[]);
            assert!(lu.erreurs.is_empty(), "{:?}", lu.erreurs);
            assert_eq!(lu.valeurs, v, "{f:?}");
        }
    }

    #[test]
    fn erreurs_par_cellule() {
        let c = contrat_metropole_minimal();
        let mut d = disposer_indicateurs(&c, A, &[]);
        // Row 4 (first figure), column I (« Réalisé »): unreadable.
        d.lignes[3][8] = Cellule::Texte("douze".into(), Style::Normal);
        d.lignes[3][10] = Cellule::Texte("peut-être".into(), Style::Normal);
        let octets = xlsx::ecrire(&nom_feuille(A), &d).unwrap();
        let lu = lire_indicateurs(&octets, &c, A, &[]);
        let textes: Vec<String> = lu.erreurs.iter().map(ToString::to_string).collect();
        assert_eq!(textes.len(), 2, "{textes:?}");
        assert!(
            textes[0].starts_with("Feuille « Indicateurs nationaux 2024 », cellule I4 : « douze »"),
            "{textes:?}"
        );
        assert!(textes[1].contains("cellule K4"), "{textes:?}");
        // Another year's table: the sheet is missing.
        let lu = lire_indicateurs(&octets, &c, Annee::TOUTES[1], &[]);
        assert!(
            lu.erreurs[0].message.contains("Indicateurs nationaux 2025"),
            "{:?}",
            lu.erreurs
        );
        assert!(
            lire_indicateurs(b"pas un classeur", &c, A, &[]).erreurs[0]
                .message
                .contains("XLSX ou ODS")
        );
    }
}
