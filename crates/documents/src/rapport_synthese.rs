//! The regional synthesis note of the commissaire to the DIPLP and the DGCS (R-REP-06, [004]
//! annexe 5 IV.a: « une note synthétique à la DIPLP et DGCS » after the comités de suivi):
//! every contract of the region, the numbers and State amounts by kind of contract
//! (métropole, département, Ville de Marseille — the kinds of [001]), the campaign status of
//! year n, attainment, open findings (figures missing, blocking findings of the entry) and the
//! mid-term decisions recorded.
//!
//! The commissaire's own text (stored per region and year) is printed as typed, paragraph by
//! paragraph, under « Appréciation de la ou du commissaire »; when there is none the note
//! says so.

use std::collections::BTreeMap;

use pacte_core::campagne::textes::TITRE_SYNTHESE;
use pacte_core::campagne::{
    DecisionMiParcours, EtatCampagne, ValeurSaisie, atteintes, manquantes, verifier_saisie,
};
use pacte_core::contrat::EtatContrat;
use pacte_core::regles::Gravite;
use pacte_core::tableau::previsionnel;
use pacte_core::territoires::{NatureCollectivite, Region, territoires};
use pacte_core::{Annee, Contrat, Montant};
use serde_json::json;

use crate::contrat::bloc_marque;
use crate::modele::{Document, Redaction, Tableau, col, col_nombre, ligne, simple, total};
use crate::rapport::{ecrire_texte, pourcent};
use crate::texte::{euros, slug};
use crate::{ErreurDocument, Fichier, Format, code_verification, rendre};

/// One contract of the region with what the note shows of it.
#[derive(Debug, Clone, Copy)]
pub struct ContratRegion<'a> {
    pub contrat: &'a Contrat,
    pub etat_campagne: EtatCampagne,
    /// The figures of year n's campaign.
    pub valeurs: &'a [ValeurSaisie],
    /// The mid-term decisions recorded (R-EVAL-02).
    pub decisions: &'a [DecisionMiParcours],
}

#[derive(Debug, Clone)]
pub struct DonneesSynthese<'a> {
    pub region: &'a Region,
    pub annee: Annee,
    pub contrats: Vec<ContratRegion<'a>>,
    /// The commissaire's text (empty: not written yet).
    pub texte: &'a str,
}

/// The kind of contract as [001] names them: « Métropole », « Département », « Ville »
/// (Marseille), else « Autre collectivité ».
pub fn genre(c: &Contrat) -> &'static str {
    match territoires()
        .collectivite(&c.contrat.collectivite)
        .map(|x| x.nature)
    {
        Some(NatureCollectivite::Metropole) => "Métropole",
        Some(NatureCollectivite::Departement) => "Département",
        Some(NatureCollectivite::Commune) => "Ville",
        Some(NatureCollectivite::CommunauteUrbaine) => "Communauté urbaine",
        Some(NatureCollectivite::CommunauteAgglomeration) => "Communauté d'agglomération",
        None => "Autre collectivité",
    }
}

/// The State amount of the contract's plan for `annee` (the annexe 10 forecast's total A).
pub fn etat_annee(c: &Contrat, annee: Annee) -> Montant {
    previsionnel(c, annee).totaux.etat
}

/// The State amount of the contract's plan over 2024-2027.
pub fn etat_contrat(c: &Contrat) -> Montant {
    Annee::TOUTES.iter().map(|a| etat_annee(c, *a)).sum()
}

/// The open findings of a contract's campaign: figures missing and blocking entry findings.
pub fn constats_ouverts(c: &ContratRegion<'_>, annee: Annee) -> (usize, usize) {
    let manque = manquantes(c.contrat, annee, c.valeurs).len();
    let bloquants = verifier_saisie(c.contrat, annee, c.valeurs)
        .iter()
        .filter(|k| k.gravite == Gravite::Bloquant)
        .count();
    (manque, bloquants)
}

impl DonneesSynthese<'_> {
    pub fn canonique(&self) -> serde_json::Value {
        let contrats: Vec<serde_json::Value> = self
            .contrats
            .iter()
            .map(|x| {
                let mut c = x.contrat.clone();
                c.contrat.etat = EtatContrat::default();
                json!({
                    "contrat": c,
                    "etat_contrat": x.contrat.contrat.etat,
                    "etat_campagne": x.etat_campagne,
                    "valeurs": x.valeurs,
                    "decisions": x.decisions,
                })
            })
            .collect();
        json!({
            "document": "synthese_regionale",
            "region": self.region.code,
            "annee": self.annee,
            "contrats": contrats,
            "texte": self.texte,
        })
    }

    pub fn code(&self) -> String {
        code_verification(&self.canonique())
    }
}

/// « note-synthese-2024-auvergne-rhone-alpes ».
pub fn nom_fichier(region: &Region, annee: Annee) -> String {
    format!("note-synthese-{annee}-{}", slug(&region.nom))
}

pub fn fichier(d: &DonneesSynthese<'_>, format: Format) -> Result<Fichier, ErreurDocument> {
    rendre(&document(d)?, format, &nom_fichier(d.region, d.annee))
}

pub fn document(d: &DonneesSynthese<'_>) -> Result<Document, ErreurDocument> {
    let annee = d.annee;
    let code = d.code();
    let mut contrats = d.contrats.clone();
    contrats.sort_by(|a, b| {
        (genre(a.contrat), a.contrat.contrat.nom_collectivite())
            .cmp(&(genre(b.contrat), b.contrat.contrat.nom_collectivite()))
    });
    let titre = format!("Note de synthèse régionale {annee} — {}", d.region.nom);

    let mut r = Redaction::default();
    bloc_marque(&mut r);
    r.titre(1, format!("Note de synthèse régionale {annee}"));
    r.centre(vec![simple(format!(
        "Région {} — contrats locaux des solidarités",
        d.region.nom
    ))]);
    r.para("Note de la ou du commissaire à la lutte contre la pauvreté à la délégation interministérielle (DIPLP) et à la DGCS, à la suite des comités de suivi et dialogues de performance (instruction du 27 octobre 2023, annexe 5 IV.a).");

    r.titre(2, "1. Contrats de la région par nature");
    let mut par_genre: BTreeMap<&str, (usize, Montant, Montant)> = BTreeMap::new();
    for x in &contrats {
        let e = par_genre.entry(genre(x.contrat)).or_default();
        e.0 += 1;
        e.1 += etat_annee(x.contrat, annee);
        e.2 += etat_contrat(x.contrat);
    }
    let mut lignes: Vec<_> = par_genre
        .iter()
        .map(|(g, (n, a, t))| ligne(vec![g.to_string(), n.to_string(), euros(*a), euros(*t)]))
        .collect();
    lignes.push(total(vec![
        "Total".into(),
        contrats.len().to_string(),
        euros(par_genre.values().map(|v| v.1).sum()),
        euros(par_genre.values().map(|v| v.2).sum()),
    ]));
    r.tableau(Tableau {
        colonnes: vec![
            col("Nature du contrat", 4),
            col_nombre("Contrats", 2),
            col_nombre(format!("Part État {annee}"), 3),
            col_nombre("Part État 2024-2027", 3),
        ],
        lignes,
    });

    r.titre(
        2,
        format!("2. Campagne {annee} : état, atteinte, constats et décisions"),
    );
    let mut lignes = Vec::new();
    for x in &contrats {
        let a = atteintes(x.contrat, annee, x.valeurs);
        let (manque, bloquants) = constats_ouverts(x, annee);
        let decisions = if x.decisions.is_empty() {
            "—".to_string()
        } else {
            let s: Montant = x.decisions.iter().map(|d| d.etat_2027).sum();
            format!("{} (État 2027 décidé : {})", x.decisions.len(), euros(s))
        };
        lignes.push(ligne(vec![
            x.contrat.contrat.nom_collectivite(),
            genre(x.contrat).to_string(),
            x.contrat.contrat.etat.libelle().to_string(),
            x.etat_campagne.libelle().to_string(),
            pourcent(a.contrat),
            format!("{manque} manquant(s), {bloquants} bloquant(s)"),
            decisions,
        ]));
    }
    if lignes.is_empty() {
        r.para("Aucun contrat de la région n'est enregistré.");
    } else {
        r.tableau(Tableau {
            colonnes: vec![
                col("Collectivité", 4),
                col("Nature", 2),
                col("Contrat", 2),
                col(format!("Campagne {annee}"), 2),
                col_nombre("Atteinte", 2),
                col("Constats ouverts", 3),
                col("Décisions à mi-parcours", 3),
            ],
            lignes,
        });
    }
    let validees = contrats
        .iter()
        .filter(|x| x.etat_campagne == EtatCampagne::Validee)
        .count();
    r.para(format!(
        "Campagne {annee} : {validees} contrat(s) validé(s) sur {}.",
        contrats.len()
    ));

    r.titre(2, format!("3. {TITRE_SYNTHESE}"));
    ecrire_texte(
        &mut r,
        Some(d.texte),
        "L'appréciation de la ou du commissaire n'est pas renseignée dans Pacte.",
    );

    Ok(Document {
        entete: format!(
            "Note de synthèse {annee} — {} — code de vérification {code}",
            d.region.nom
        ),
        projet: true,
        pied: format!("Région {} — code {code}", d.region.nom),
        titre,
        auteur: "Pacte".to_string(),
        sections: vec![r.section(true)],
    })
}
