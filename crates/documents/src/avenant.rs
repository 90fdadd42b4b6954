//! The yearly financial avenant (annexe 5 VI.a of the instruction, R-FIN-09): the fiches it
//! changes or adds with their amounts before and after and the reason, and the new State
//! amount of article 2.2 for the year.

use pacte_core::contrat::EtatContrat;
use pacte_core::execution::{Execution, etat_prevu, fiches_executees, intitule_fiche};
use pacte_core::{Annee, Contrat, Montant};
use serde_json::json;

use crate::contrat::{bloc_marque, entete};
use crate::modele::{Document, Redaction, Tableau, col, col_nombre, gras, ligne, simple, total};
use crate::texte::{date_longue, euros, montant_complet, partie, slug};
use crate::{ErreurDocument, Fichier, Format, code_verification, rendre};

/// What an avenant's document is built from.
#[derive(Debug, Clone, Copy)]
pub struct DonneesAvenant<'a> {
    pub contrat: &'a Contrat,
    pub execution: &'a Execution,
    pub annee: Annee,
    /// The stored contract's version.
    pub version: i64,
}

impl DonneesAvenant<'_> {
    fn avenant(&self) -> Result<&pacte_core::execution::Avenant, ErreurDocument> {
        self.execution
            .avenants
            .iter()
            .rev()
            .find(|a| a.annee == self.annee)
            .ok_or_else(|| {
                ErreurDocument::Incomplet(format!(
                    "aucun avenant n'est enregistré pour {} : enregistrez-le sur la page des finances du contrat",
                    self.annee
                ))
            })
    }

    /// The canonical data: the contract (without its state), the avenant, and the amounts
    /// the State had planned or notified for the year before it.
    pub fn canonique(&self) -> serde_json::Value {
        let mut c = self.contrat.clone();
        c.contrat.etat = EtatContrat::default();
        let avenant = self.avenant().ok();
        let sans = self.execution_sans_avenant();
        json!({
            "document": "avenant",
            "contrat": c,
            "annee": self.annee,
            "avenant": avenant,
            "notifications": sans.notifications,
            "avenants_precedents": sans.avenants,
        })
    }

    pub fn code(&self) -> String {
        code_verification(&self.canonique())
    }

    /// The execution as it stood without this year's avenant.
    fn execution_sans_avenant(&self) -> Execution {
        let mut e = self.execution.clone();
        e.avenants.retain(|a| a.annee != self.annee);
        e
    }
}

/// The avenant's file name without extension.
pub fn nom_fichier(contrat: &Contrat, annee: Annee) -> String {
    format!("avenant-{annee}-{}", slug(&contrat.contrat.nom_collectivite()))
}

pub fn fichier(d: &DonneesAvenant<'_>, format: Format) -> Result<Fichier, ErreurDocument> {
    rendre(&document(d)?, format, &nom_fichier(d.contrat, d.annee))
}

pub fn document(d: &DonneesAvenant<'_>) -> Result<Document, ErreurDocument> {
    let c = d.contrat;
    let av = d.avenant()?;
    if av.lignes.is_empty() {
        return Err(ErreurDocument::Incomplet(format!(
            "l'avenant {} ne modifie aucune fiche : ajoutez au moins une ligne",
            d.annee
        )));
    }
    if let Some(l) = av.lignes.iter().find(|l| l.motif.trim().is_empty()) {
        return Err(ErreurDocument::Incomplet(format!(
            "la ligne de la fiche {} de l'avenant {} n'a pas de motif",
            l.fiche, d.annee
        )));
    }
    let p = partie(c);
    let code = d.code();
    let annee = d.annee;
    let sans = d.execution_sans_avenant();
    let titre = format!(
        "Avenant financier {annee} au contrat local des solidarités 2024-2027 — {}",
        p.designation
    );

    let mut r = Redaction::default();
    bloc_marque(&mut r);
    r.titre(1, format!("Avenant financier {annee}"));
    r.centre(vec![
        simple("au contrat local des solidarités 2024-2027 entre l'État et "),
        gras(p.designation.clone()),
    ]);
    r.para("Entre");
    r.morceaux(vec![
        gras("L'État"),
        simple(", représenté par le préfet de département, d'une part,"),
    ]);
    r.para("Et");
    r.morceaux(vec![
        gras(p.designation.clone()),
        simple(", représentée par l'exécutif de la collectivité, d'autre part,"),
    ]);
    let signature = c
        .contrat
        .signataires
        .iter()
        .filter_map(|s| s.date_signature)
        .max();
    r.morceaux(vec![
        gras("Vu"),
        simple(match signature {
            Some(date) => format!(
                " le contrat local des solidarités 2024-2027 signé le {} ;",
                date_longue(date)
            ),
            None => " le contrat local des solidarités 2024-2027 ;".to_string(),
        }),
    ]);
    r.morceaux(vec![
        gras("Vu"),
        simple(" l'instruction n° DGCS/SD1B/2023/168 du 27 octobre 2023, et notamment son annexe 5 (VI.a) relative aux avenants financiers annuels ;"),
    ]);
    let accords: Vec<String> = [
        av.accord_etat.map(|x| format!("de l'État le {}", date_longue(x))),
        av.accord_collectivite
            .map(|x| format!("de la collectivité le {}", date_longue(x))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !accords.is_empty() {
        r.morceaux(vec![
            gras("Vu"),
            simple(format!(" l'accord exprès {} ;", accords.join(" et "))),
        ]);
    }
    r.para("Il est convenu ce qui suit :");

    r.titre(2, "Article 1 – Objet de l'avenant");
    r.para(format!(
        "Le présent avenant réajuste, pour l'année {annee}, les actions et les montants du contrat local des solidarités, avec l'accord exprès des deux parties. Il modifie ou ajoute {} fiche{} action.",
        av.lignes.len(),
        if av.lignes.len() > 1 { "s" } else { "" }
    ));

    r.titre(2, "Article 2 – Actions modifiées ou ajoutées");
    let mut lignes = Vec::new();
    for l in &av.lignes {
        let avant = etat_prevu(c, &sans, l.fiche, annee);
        let intitule = intitule_fiche(c, d.execution, l.fiche);
        lignes.push(ligne(vec![
            l.fiche.to_string(),
            if l.ajoutee {
                format!("{intitule} (fiche ajoutée)")
            } else {
                intitule
            },
            euros(avant),
            euros(l.etat),
            l.collectivite.map_or_else(|| "inchangée".to_string(), euros),
            l.motif.clone(),
        ]));
    }
    r.tableau(Tableau {
        colonnes: vec![
            col("Fiche", 1),
            col("Action", 5),
            col_nombre(format!("Part État {annee} avant l'avenant"), 3),
            col_nombre(format!("Part État {annee} après l'avenant"), 3),
            col_nombre(format!("Part collectivité {annee}"), 3),
            col("Motif", 6),
        ],
        lignes,
    });

    r.titre(2, "Article 3 – Montant de l'article 2.2 du contrat");
    let fiches = fiches_executees(c, d.execution);
    let avant: Montant = fiches.iter().map(|f| etat_prevu(c, &sans, *f, annee)).sum();
    let apres: Montant = fiches.iter().map(|f| etat_prevu(c, d.execution, *f, annee)).sum();
    r.para(format!(
        "Pour l'année {annee}, le soutien financier de l'État prévu à l'article 2.2 du contrat est porté de {} à {}, sous réserve de la disponibilité des crédits.",
        montant_complet(avant),
        montant_complet(apres)
    ));
    r.tableau(Tableau {
        colonnes: vec![col("Soutien de l'État", 4), col_nombre(format!("{annee}"), 3)],
        lignes: vec![
            ligne(vec!["Avant l'avenant".into(), euros(avant)]),
            ligne(vec!["Variation".into(), variation(avant, apres)]),
            total(vec!["Après l'avenant".into(), euros(apres)]),
        ],
    });
    r.titre(2, "Article 4 – Autres dispositions");
    r.para("Les autres dispositions du contrat local des solidarités demeurent inchangées.");
    r.para(match av.date {
        Some(x) => format!("Fait le {}.", date_longue(x)),
        None => "Fait à ……………………………, le ……………………………".to_string(),
    });
    r.blocs.push(crate::modele::Bloc::Signatures {
        colonnes: vec![
            vec![
                format!("Pour {}", p.designation),
                "L'exécutif de la collectivité".into(),
            ],
            vec!["Pour l'État".into(), "Le préfet de département".into()],
        ],
    });

    let signe = av.date.map(|x| vec![x]);
    Ok(Document {
        entete: entete(
            &format!("Avenant {annee} — {}", p.designation),
            d.version,
            &code,
            signe.as_deref(),
        ),
        projet: av.date.is_none(),
        pied: format!("{} — code {code}", p.designation),
        titre,
        auteur: "Pacte".to_string(),
        sections: vec![r.section(false)],
    })
}

fn variation(avant: Montant, apres: Montant) -> String {
    if apres >= avant {
        format!("+{}", euros(apres - avant))
    } else {
        format!("-{}", euros(avant - apres))
    }
}
