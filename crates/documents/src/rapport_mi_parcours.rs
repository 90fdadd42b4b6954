//! The mid-term execution report ([004] annexe 8 art. 2.3: « un rapport d'exécution à
//! mi-parcours […] portant sur les années 2024 et 2025 », sent by 31 March 2026, R-EVAL-01):
//! a global summary, per fiche its results and attainment beside its credit consumption
//! (R-FIN-07, [`pacte_core::campagne::evaluation_mi_parcours`]), the commissaire's decisions
//! when recorded (R-EVAL-02), the financial balance with the annexe 10 « Bilan » tables of 2024
//! and 2025, and the indicator matrix of both years.
//!
//! The collectivity's sections (the global summary, the results and social impact, the
//! comment of the financial balance — [`pacte_core::campagne::textes::SECTIONS_MI_PARCOURS`])
//! are printed as typed; an empty one says it is not filled in.

use pacte_core::campagne::textes::{RapportTexte, Textes};
use pacte_core::campagne::{
    ANNEE_REFERENCE_MI_PARCOURS, ANNEE_REVISEE, ANNEES_MI_PARCOURS, DecisionMiParcours, RapportMiParcours,
    ValeurSaisie, atteinte, atteintes, constats_mi_parcours, evaluation_mi_parcours, lignes_attendues,
};
use pacte_core::contrat::EtatContrat;
use pacte_core::execution::Execution;
use pacte_core::tableau::TypeTableau;
use pacte_core::{Contrat, Montant};
use serde_json::json;

use crate::contrat::{bloc_marque, entete};
use crate::modele::{Document, Redaction, Tableau, col, col_nombre, groupe, italique, ligne, simple, total};
use crate::rapport::{ecrire_feuille, ecrire_sections, par_cle, pourcent, val};
use crate::texte::{date_longue, euros, partie, slug};
use crate::{ErreurDocument, Fichier, Format, code_verification, rendre};

/// What the mid-term report is built from.
#[derive(Debug, Clone, Copy)]
pub struct DonneesRapportMiParcours<'a> {
    pub contrat: &'a Contrat,
    pub execution: &'a Execution,
    /// The figures of the 2024 and 2025 campaigns.
    pub valeurs_2024: &'a [ValeurSaisie],
    pub valeurs_2025: &'a [ValeurSaisie],
    /// The deliberation and sending dates.
    pub rapport: &'a RapportMiParcours,
    /// The commissaire's decisions, when recorded.
    pub decisions: &'a [DecisionMiParcours],
    /// The collectivity's sections ([`RapportTexte::MiParcours`]; absent: not filled in).
    pub textes: &'a Textes,
    pub version: i64,
}

impl DonneesRapportMiParcours<'_> {
    pub fn canonique(&self) -> serde_json::Value {
        let mut c = self.contrat.clone();
        c.contrat.etat = EtatContrat::default();
        json!({
            "document": "rapport_mi_parcours",
            "contrat": c,
            "execution": self.execution,
            "valeurs_2024": self.valeurs_2024,
            "valeurs_2025": self.valeurs_2025,
            "rapport": self.rapport,
            "decisions": self.decisions,
            "textes": self.textes,
        })
    }

    pub fn code(&self) -> String {
        code_verification(&self.canonique())
    }
}

/// « rapport-mi-parcours-metropole-de-lyon ».
pub fn nom_fichier(contrat: &Contrat) -> String {
    format!(
        "rapport-mi-parcours-{}",
        slug(&contrat.contrat.nom_collectivite())
    )
}

pub fn fichier(d: &DonneesRapportMiParcours<'_>, format: Format) -> Result<Fichier, ErreurDocument> {
    rendre(&document(d)?, format, &nom_fichier(d.contrat))
}

/// Consumption in millionths as « 62,50 % ».
fn consommation(m: Option<i64>) -> String {
    m.map_or_else(
        || "—".to_string(),
        |m| pacte_core::campagne::Atteinte { millioniemes: m }.texte(),
    )
}

pub fn document(d: &DonneesRapportMiParcours<'_>) -> Result<Document, ErreurDocument> {
    let c = d.contrat;
    let p = partie(c);
    let code = d.code();
    let [a24, a25] = ANNEES_MI_PARCOURS;
    let atteintes_ref = atteintes(c, ANNEE_REFERENCE_MI_PARCOURS, d.valeurs_2025);
    let eval = evaluation_mi_parcours(c, d.execution, &atteintes_ref);
    let constats = constats_mi_parcours(&eval);
    let titre = format!("Rapport d'exécution à mi-parcours 2024-2025 — {}", p.designation);

    let mut r = Redaction::default();
    bloc_marque(&mut r);
    r.titre(1, "Rapport d'exécution à mi-parcours 2024-2025");
    r.centre(vec![simple(format!(
        "Contrat local des solidarités 2024-2027 — {}",
        p.designation
    ))]);
    r.para("Rapport prévu à l'article 2.3 du contrat (annexe 8 de l'instruction du 27 octobre 2023) : il porte sur les années 2024 et 2025, est délibéré par la collectivité et transmis aux préfets au plus tard le 31 mars 2026.");
    r.champ(
        "Délibération",
        d.rapport
            .date_deliberation
            .map_or_else(|| "non renseignée".to_string(), date_longue),
    );
    r.champ(
        "Transmission",
        d.rapport
            .date_envoi
            .map_or_else(|| "non renseignée".to_string(), date_longue),
    );

    r.titre(2, "1. Synthèse globale");
    let verse: Montant = eval.iter().map(|l| l.etat_verse).sum();
    let realise: Montant = eval.iter().map(|l| l.etat_realise).sum();
    r.champ(
        &format!("Atteinte des cibles {ANNEE_REFERENCE_MI_PARCOURS} du contrat"),
        pourcent(atteintes_ref.contrat),
    );
    r.champ("Crédits de l'État versés en 2024-2025", euros(verse));
    r.champ("Crédits de l'État consommés en 2024-2025", euros(realise));
    r.champ(
        "Fiches sous le seuil de 50 % d'atteinte",
        eval.iter().filter(|l| l.sous_atteinte).count().to_string(),
    );
    r.champ(
        "Fiches ayant consommé moins de 50 % des crédits versés",
        eval.iter().filter(|l| l.sous_consommation).count().to_string(),
    );
    for k in &constats {
        r.morceaux(vec![italique(format!("{} — {}", k.code, k.message))]);
    }

    r.titre(2, "2. Résultats et atteinte par fiche action");
    let mut lignes: Vec<_> = eval
        .iter()
        .map(|l| {
            ligne(vec![
                l.fiche.to_string(),
                l.intitule.clone(),
                pourcent(l.atteinte),
                euros(l.etat_verse),
                euros(l.etat_realise),
                consommation(l.consommation),
                euros(l.etat_2027_prevu),
                l.etat_2027_propose.map_or_else(|| "—".to_string(), euros),
            ])
        })
        .collect();
    lignes.push(total(vec![
        String::new(),
        "Total".into(),
        pourcent(atteintes_ref.contrat),
        euros(verse),
        euros(realise),
        String::new(),
        euros(eval.iter().map(|l| l.etat_2027_prevu).sum()),
        String::new(),
    ]));
    r.tableau(Tableau {
        colonnes: vec![
            col("Fiche", 1),
            col("Action", 5),
            col_nombre(format!("Atteinte {ANNEE_REFERENCE_MI_PARCOURS}"), 2),
            col_nombre("État versé 2024-2025", 3),
            col_nombre("État consommé 2024-2025", 3),
            col_nombre("Consommation", 2),
            col_nombre(format!("État {ANNEE_REVISEE} prévu"), 3),
            col_nombre(format!("État {ANNEE_REVISEE} proposé"), 3),
        ],
        lignes,
    });
    if !d.decisions.is_empty() {
        r.titre(
            3,
            format!("Décisions de la ou du commissaire sur les montants {ANNEE_REVISEE}"),
        );
        r.tableau(Tableau {
            colonnes: vec![
                col("Fiche", 1),
                col_nombre(format!("État {ANNEE_REVISEE} décidé"), 3),
                col("Motif", 8),
            ],
            lignes: d
                .decisions
                .iter()
                .map(|x| ligne(vec![x.fiche.to_string(), euros(x.etat_2027), x.motif.clone()]))
                .collect(),
        });
    }

    r.titre(2, "3. Analyse de la collectivité");
    ecrire_sections(&mut r, "3", RapportTexte::MiParcours.sections(), d.textes);

    let mut fin = Redaction::default();
    fin.titre(2, "4. Bilan financier 2024-2025 (tableaux de l'annexe 10)");
    for a in ANNEES_MI_PARCOURS {
        ecrire_feuille(&mut fin, c, d.execution, TypeTableau::Bilan, a)?;
    }

    let mut mat = Redaction::default();
    mat.titre(2, "5. Matrice des indicateurs 2024-2025");
    let (s24, s25) = (par_cle(d.valeurs_2024), par_cle(d.valeurs_2025));
    let c24 = lignes_attendues(c, a24);
    let mut lignes = Vec::new();
    let mut fiche = None;
    for l in lignes_attendues(c, a25) {
        if fiche != Some(l.cle.fiche) {
            fiche = Some(l.cle.fiche);
            lignes.push(groupe(format!("Fiche {} : {}", l.cle.fiche, l.intitule_fiche)));
        }
        let cible24 = c24.iter().find(|x| x.cle == l.cle).and_then(|x| x.cible);
        let r24 = s24.get(&l.cle).and_then(|v| v.realise);
        let r25 = s25.get(&l.cle).and_then(|v| v.realise);
        lignes.push(ligne(vec![
            l.libelle.clone(),
            val(l.t0),
            val(cible24),
            val(r24),
            val(l.cible),
            val(r25),
            pourcent(atteinte(l.t0, l.cible, r25)),
        ]));
    }
    mat.tableau(Tableau {
        colonnes: vec![
            col("Indicateur", 6),
            col_nombre("T0", 2),
            col_nombre(format!("Cible {a24}"), 2),
            col_nombre(format!("Réalisé {a24}"), 2),
            col_nombre(format!("Cible {a25}"), 2),
            col_nombre(format!("Réalisé {a25}"), 2),
            col_nombre(format!("Atteinte {a25}"), 2),
        ],
        lignes,
    });

    Ok(Document {
        entete: entete(
            &format!("Rapport à mi-parcours — {}", p.designation),
            d.version,
            &code,
            None,
        ),
        projet: d.rapport.date_envoi.is_none(),
        pied: format!("{} — code {code}", p.designation),
        titre,
        auteur: "Pacte".to_string(),
        sections: vec![r.section(false), fin.section(true), mat.section(true)],
    })
}
