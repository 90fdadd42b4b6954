//! The annual progress report of a contract for year n (R-REP-05, [004] annexe 5 IV.a: « un
//! rapport succinct d'état d'avancement des actions contractualisées » and « du niveau de
//! consommation des crédits »): per fiche its indicators (realised beside the target, the
//! attainment, the comments of R-REP-02 and the method-change notes of R-REP-03), the
//! indicator table annexed (R-REP-04, [004] annexe 6 intro), and the year's financial balance
//! (the « Bilan n » table of annexe 10, computed by [`pacte_core::tableau`]).
//!
//! The collectivity's own sections (the progress of the actions, the level of consumption —
//! the two things annexe 5 IV.a asks the report to present; [`pacte_core::campagne::textes`])
//! are printed as typed, paragraph by paragraph; an empty one says it is not filled in.
//!
//! Also here: the pieces the three campaign reports share ([`tableau_feuille`], the indicator
//! rows, the free texts). The mid-term report is in [`crate::rapport_mi_parcours`], the regional synthesis note
//! in [`crate::rapport_synthese`]. Nothing is computed here: attainment comes from
//! [`pacte_core::campagne`], the tables from [`pacte_core::tableau`].

use std::collections::BTreeMap;

use pacte_core::campagne::textes::{RapportTexte, Section, Textes, paragraphes};
use pacte_core::campagne::{
    Atteinte, CleValeur, EtatCampagne, ValeurSaisie, atteinte, atteintes, ecrire_effet, lignes_attendues,
    totaux_nationaux,
};
use pacte_core::contrat::EtatContrat;
use pacte_core::execution::Execution;
use pacte_core::tableau::{Feuille, TypeTableau, feuille, libelle_axe};
use pacte_core::{Annee, Contrat, Valeur};
use serde_json::json;

use crate::contrat::{bloc_marque, entete};
use crate::modele::{Document, Redaction, Tableau, col, col_nombre, groupe, italique, ligne, simple, total};
use crate::texte::{euros, partie, slug};
use crate::{ErreurDocument, Fichier, Format, code_verification, rendre};

/// What the annual progress report is built from.
#[derive(Debug, Clone, Copy)]
pub struct DonneesRapportAnnuel<'a> {
    pub contrat: &'a Contrat,
    pub execution: &'a Execution,
    pub annee: Annee,
    /// The figures entered for the year's campaign.
    pub valeurs: &'a [ValeurSaisie],
    pub etat_campagne: EtatCampagne,
    /// The collectivity's sections ([`RapportTexte::Annuel`]; absent: not filled in).
    pub textes: &'a Textes,
    /// The stored contract's version.
    pub version: i64,
}

impl DonneesRapportAnnuel<'_> {
    pub fn canonique(&self) -> serde_json::Value {
        let mut c = self.contrat.clone();
        c.contrat.etat = EtatContrat::default();
        json!({
            "document": "rapport_annuel",
            "contrat": c,
            "execution": self.execution,
            "annee": self.annee,
            "valeurs": self.valeurs,
            "etat_campagne": self.etat_campagne,
            "textes": self.textes,
        })
    }

    pub fn code(&self) -> String {
        code_verification(&self.canonique())
    }
}

/// « rapport-annuel-2024-metropole-de-lyon ».
pub fn nom_fichier(contrat: &Contrat, annee: Annee) -> String {
    format!(
        "rapport-annuel-{annee}-{}",
        slug(&contrat.contrat.nom_collectivite())
    )
}

pub fn fichier(d: &DonneesRapportAnnuel<'_>, format: Format) -> Result<Fichier, ErreurDocument> {
    rendre(&document(d)?, format, &nom_fichier(d.contrat, d.annee))
}

/// An optional figure: « — » when absent.
pub(crate) fn val(v: Option<Valeur>) -> String {
    v.map_or_else(|| "—".to_string(), |v| v.to_string())
}

pub(crate) fn pourcent(a: Option<Atteinte>) -> String {
    a.map_or_else(|| "—".to_string(), Atteinte::texte)
}

/// An annexe 10 table as a document table: one group row per axis, its lines, its « Sous
/// total », then « TOTAUX FINANCIERS » — the figures of [`Feuille`] as they are.
pub fn tableau_feuille(f: &Feuille) -> Tableau {
    let mut colonnes = vec![col("Fiche action n°", 1), col("Intitulé de l'action", 5)];
    colonnes.extend(f.colonnes.iter().map(|k| col_nombre(k.entete(), 3)));
    let mut lignes = Vec::new();
    for b in &f.blocs {
        lignes.push(groupe(b.libelle.clone()));
        for l in &b.lignes {
            let mut cells = vec![l.numero.to_string(), l.intitule.clone()];
            cells.extend(l.valeurs.iter().map(|m| euros(*m)));
            lignes.push(ligne(cells));
        }
        let mut st = vec![String::new(), "Sous total".to_string()];
        st.extend(b.sous_total.iter().map(|m| euros(*m)));
        lignes.push(total(st));
    }
    let mut t = vec![String::new(), "TOTAUX FINANCIERS".to_string()];
    t.extend(f.totaux.iter().map(|m| euros(*m)));
    lignes.push(total(t));
    Tableau { colonnes, lignes }
}

/// Writes the annexe 10 table `t` of `annee`, with its title and notes.
pub(crate) fn ecrire_feuille(
    r: &mut Redaction,
    contrat: &Contrat,
    execution: &Execution,
    t: TypeTableau,
    annee: Annee,
) -> Result<Feuille, ErreurDocument> {
    let f = feuille(contrat, execution, t, annee).map_err(ErreurDocument::Incomplet)?;
    r.titre(3, f.nom.clone());
    r.para(f.titre.clone());
    r.tableau(tableau_feuille(&f));
    for n in &f.notes {
        r.morceaux(vec![italique(n.clone())]);
    }
    Ok(f)
}

/// A free text as paragraphs (one per non-blank line), or `vide` in italics when there is
/// none: an empty section says so, never a blank.
pub(crate) fn ecrire_texte(r: &mut Redaction, texte: Option<&str>, vide: &str) {
    let p = texte.map(paragraphes).unwrap_or_default();
    if p.is_empty() {
        r.morceaux(vec![italique(vide)]);
    }
    for x in p {
        r.para(x);
    }
}

/// The collectivity's sections of a report, numbered under chapter `numero` (« 3.1 … »).
pub(crate) fn ecrire_sections(r: &mut Redaction, numero: &str, sections: &[Section], textes: &Textes) {
    for (i, s) in sections.iter().enumerate() {
        r.titre(3, format!("{numero}.{} {}", i + 1, s.titre));
        ecrire_texte(
            r,
            textes.get(s.code).map(String::as_str),
            "Section non renseignée par la collectivité.",
        );
    }
}

/// The figures entered, by key.
pub(crate) fn par_cle(valeurs: &[ValeurSaisie]) -> BTreeMap<&CleValeur, &ValeurSaisie> {
    valeurs.iter().map(|v| (&v.cle, v)).collect()
}

/// The method-change note of a figure (R-REP-03), in one sentence.
pub(crate) fn note_methode(v: &ValeurSaisie) -> Option<String> {
    v.changement_methode.then(|| {
        let note = v.note_methode.as_deref().unwrap_or("").trim();
        let effet = v
            .effet_methode
            .map(|e| format!(" (effet sur le décompte : {})", ecrire_effet(e)))
            .unwrap_or_default();
        format!("{note}{effet}")
    })
}

/// The annual progress report of year `d.annee`.
pub fn document(d: &DonneesRapportAnnuel<'_>) -> Result<Document, ErreurDocument> {
    let c = d.contrat;
    let annee = d.annee;
    let p = partie(c);
    let code = d.code();
    let a = atteintes(c, annee, d.valeurs);
    let saisies = par_cle(d.valeurs);
    let titre = format!("Rapport d'état d'avancement {annee} — {}", p.designation);

    let mut r = Redaction::default();
    bloc_marque(&mut r);
    r.titre(1, format!("Rapport d'état d'avancement {annee}"));
    r.centre(vec![simple(format!(
        "Contrat local des solidarités 2024-2027 — {}",
        p.designation
    ))]);
    r.para(format!(
        "Le présent rapport présente l'état d'avancement des actions contractualisées et le niveau de consommation des crédits pour l'année {annee}, en vue du comité de suivi ou du dialogue de performance (instruction du 27 octobre 2023, annexe 5 IV.a). Il n'a pas à faire l'objet d'un vote de l'assemblée délibérante."
    ));
    r.champ(
        &format!("Campagne d'indicateurs {annee}"),
        d.etat_campagne.libelle(),
    );
    r.champ("Atteinte des cibles du contrat", pourcent(a.contrat));

    r.titre(2, "1. Synthèse par axe");
    let mut lignes = Vec::new();
    for (axe, at) in &a.axes {
        lignes.push(ligne(vec![libelle_axe(*axe).to_string(), at.texte()]));
    }
    lignes.push(total(vec!["Contrat".into(), pourcent(a.contrat)]));
    r.tableau(Tableau {
        colonnes: vec![col("Axe", 6), col_nombre("Atteinte des cibles", 2)],
        lignes,
    });

    r.titre(2, "2. Avancement des actions");
    let mut fiches: Vec<_> = c.fiches.iter().collect();
    fiches.sort_by_key(|f| f.numero);
    let attendues = lignes_attendues(c, annee);
    for f in fiches {
        r.titre(3, format!("Fiche {} : {}", f.numero, f.intitule));
        r.champ("Atteinte de la fiche", pourcent(a.fiches.get(&f.numero).copied()));
        let mut lignes = Vec::new();
        let mut notes = Vec::new();
        for l in attendues.iter().filter(|l| l.cle.fiche == f.numero) {
            let v = saisies.get(&l.cle);
            let realise = v.and_then(|v| v.realise);
            lignes.push(ligne(vec![
                l.libelle.clone(),
                val(l.t0),
                val(l.cible),
                val(realise),
                pourcent(atteinte(l.t0, l.cible, realise)),
                v.and_then(|v| v.commentaire.clone()).unwrap_or_default(),
            ]));
            if let Some(n) = v.and_then(|v| note_methode(v)) {
                notes.push(format!("{} : {n}", l.libelle));
            }
        }
        if lignes.is_empty() {
            r.para("Cette fiche n'a pas d'indicateur.");
            continue;
        }
        r.tableau(Tableau {
            colonnes: vec![
                col("Indicateur", 5),
                col_nombre("T0", 2),
                col_nombre(format!("Cible {annee}"), 2),
                col_nombre(format!("Réalisé {annee}"), 2),
                col_nombre("Atteinte", 2),
                col("Commentaire", 5),
            ],
            lignes,
        });
        for n in notes {
            r.morceaux(vec![italique(format!("Changement de méthode — {n}"))]);
        }
    }

    r.titre(2, "3. Analyse de la collectivité");
    ecrire_sections(&mut r, "3", RapportTexte::Annuel(annee).sections(), d.textes);

    let mut fin = Redaction::default();
    fin.titre(2, format!("4. Bilan financier {annee}"));
    fin.para("Crédits versés, réalisés et reportés de l'année, selon le tableau « Bilan n » de l'annexe 10 de l'instruction.");
    ecrire_feuille(&mut fin, c, d.execution, TypeTableau::Bilan, annee)?;

    let mut ann = Redaction::default();
    annexe_indicateurs(&mut ann, c, annee, d.valeurs);

    Ok(Document {
        entete: entete(
            &format!("Rapport {annee} — {}", p.designation),
            d.version,
            &code,
            None,
        ),
        projet: d.etat_campagne != EtatCampagne::Validee,
        pied: format!("{} — code {code}", p.designation),
        titre,
        auteur: "Pacte".to_string(),
        sections: vec![r.section(false), fin.section(true), ann.section(true)],
    })
}

/// The annexed indicator table (R-REP-04): every national and local indicator of every fiche
/// for year `annee` (NI-2.3 with its breakdowns), then the contract's national totals.
pub(crate) fn annexe_indicateurs(r: &mut Redaction, c: &Contrat, annee: Annee, valeurs: &[ValeurSaisie]) {
    let saisies = par_cle(valeurs);
    r.titre(
        2,
        format!("Annexe : tableau des indicateurs nationaux et locaux {annee}"),
    );
    let mut lignes = Vec::new();
    let mut fiche = None;
    for l in lignes_attendues(c, annee) {
        if fiche != Some(l.cle.fiche) {
            fiche = Some(l.cle.fiche);
            lignes.push(groupe(format!("Fiche {} : {}", l.cle.fiche, l.intitule_fiche)));
        }
        let realise = saisies.get(&l.cle).and_then(|v| v.realise);
        lignes.push(ligne(vec![
            if l.cle.nature == pacte_core::campagne::NatureIndicateur::National {
                "national".into()
            } else {
                "local".into()
            },
            l.libelle.clone(),
            l.unite.clone().unwrap_or_default(),
            val(l.t0),
            val(l.cible),
            val(realise),
        ]));
    }
    r.tableau(Tableau {
        colonnes: vec![
            col("Nature", 2),
            col("Indicateur", 6),
            col("Unité", 2),
            col_nombre("T0", 2),
            col_nombre(format!("Cible {annee}"), 2),
            col_nombre(format!("Réalisé {annee}"), 2),
        ],
        lignes,
    });
    let totaux = totaux_nationaux(c, annee, valeurs);
    if !totaux.is_empty() {
        r.titre(3, "Indicateurs nationaux du contrat (somme des fiches)");
        r.tableau(Tableau {
            colonnes: vec![
                col("Indicateur", 4),
                col_nombre("Fiches", 1),
                col_nombre(format!("Cible {annee}"), 2),
                col_nombre(format!("Réalisé {annee}"), 2),
            ],
            lignes: totaux
                .iter()
                .map(|t| {
                    let nom = if t.ventilation == 0 {
                        t.code.clone()
                    } else {
                        format!("{} (ventilation {})", t.code, t.ventilation)
                    };
                    ligne(vec![
                        if t.majorant {
                            format!("{nom} (majorant)")
                        } else {
                            nom
                        },
                        t.fiches.to_string(),
                        t.cible.to_string(),
                        t.realise.to_string(),
                    ])
                })
                .collect(),
        });
    }
}
