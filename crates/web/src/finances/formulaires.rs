//! The entry forms of the « Finances » page, described as data and drawn by one template
//! (`finances_formulaire.html`): each field carries its name, label, kind and value. The value
//! is what the user typed when the form comes back refused (with the French message naming
//! the field and the rule), its default otherwise — so a refused entry is never lost.

use pacte_core::{Annee, Contrat};

use crate::ErreurWeb;

/// A refused submission: the form it came from, what was typed, why it was refused.
pub struct Saisie {
    pub formulaire: String,
    pub champs: Vec<(String, String)>,
    pub erreur: ErreurWeb,
}

impl Saisie {
    fn valeur(&self, nom: &str) -> Option<&str> {
        self.champs
            .iter()
            .find(|(k, _)| k == nom)
            .map(|(_, v)| v.as_str())
    }
}

/// One field of a form.
pub struct ChampVu {
    pub nom: String,
    pub id: String,
    pub libelle: String,
    pub aide: String,
    /// `texte`, `montant`, `date`, `choix`, `case`, `zone`, `fichier`, `cache`.
    pub genre: &'static str,
    pub valeur: String,
    /// (value, label) of a `choix`.
    pub options: Vec<(String, String)>,
    pub fautif: bool,
}

/// A form of the page.
pub struct FormulaireVu {
    pub cle: String,
    pub action: String,
    pub titre: String,
    pub bouton: String,
    pub multipart: bool,
    pub champs: Vec<ChampVu>,
    /// The French message of a refused submission of this form.
    pub erreur: Option<String>,
}

/// A field before its value is known.
pub struct Def {
    nom: String,
    libelle: String,
    aide: String,
    genre: &'static str,
    defaut: String,
    options: Vec<(String, String)>,
}

impl Def {
    fn new(nom: impl Into<String>, libelle: impl Into<String>, genre: &'static str) -> Def {
        Def {
            nom: nom.into(),
            libelle: libelle.into(),
            aide: String::new(),
            genre,
            defaut: String::new(),
            options: Vec::new(),
        }
    }

    pub fn texte(nom: impl Into<String>, libelle: impl Into<String>) -> Def {
        Def::new(nom, libelle, "texte")
    }

    pub fn montant(nom: impl Into<String>, libelle: impl Into<String>) -> Def {
        Def::new(nom, libelle, "montant")
    }

    pub fn date(nom: impl Into<String>, libelle: impl Into<String>) -> Def {
        Def::new(nom, libelle, "date")
    }

    pub fn zone(nom: impl Into<String>, libelle: impl Into<String>) -> Def {
        Def::new(nom, libelle, "zone")
    }

    pub fn case(nom: impl Into<String>, libelle: impl Into<String>) -> Def {
        Def::new(nom, libelle, "case")
    }

    pub fn fichier(nom: impl Into<String>, libelle: impl Into<String>) -> Def {
        Def::new(nom, libelle, "fichier")
    }

    pub fn cache(nom: impl Into<String>, valeur: impl Into<String>) -> Def {
        Def::new(nom, "", "cache").defaut(valeur)
    }

    pub fn choix(nom: impl Into<String>, libelle: impl Into<String>, options: Vec<(String, String)>) -> Def {
        let mut d = Def::new(nom, libelle, "choix");
        d.options = options;
        d
    }

    pub fn defaut(mut self, v: impl Into<String>) -> Def {
        self.defaut = v.into();
        self
    }

    pub fn aide(mut self, a: impl Into<String>) -> Def {
        self.aide = a.into();
        self
    }
}

/// The HTML id of a field of form `cle`: letters, digits and dashes.
fn id(cle: &str, nom: &str) -> String {
    let mut s = String::with_capacity(cle.len() + nom.len() + 1);
    s.push_str(cle);
    s.push('-');
    for c in nom.chars() {
        s.push(if c.is_ascii_alphanumeric() { c } else { '-' });
    }
    s.trim_end_matches('-').to_string()
}

/// A form with the values typed in a refused `saisie` of it, else the defaults.
pub fn formulaire(
    cle: impl Into<String>,
    action: impl Into<String>,
    titre: impl Into<String>,
    bouton: impl Into<String>,
    saisie: Option<&Saisie>,
    defs: Vec<Def>,
) -> FormulaireVu {
    let cle = cle.into();
    let la_sienne = saisie.filter(|s| s.formulaire == cle);
    let champs = defs
        .into_iter()
        .map(|d| {
            let valeur = match (la_sienne, d.genre) {
                (_, "cache" | "fichier") | (None, _) => d.defaut,
                (Some(s), _) => s.valeur(&d.nom).unwrap_or_default().to_string(),
            };
            ChampVu {
                id: id(&cle, &d.nom),
                fautif: la_sienne.is_some_and(|s| s.erreur.champ.as_deref() == Some(d.nom.as_str())),
                nom: d.nom,
                libelle: d.libelle,
                aide: d.aide,
                genre: d.genre,
                valeur,
                options: d.options,
            }
        })
        .collect::<Vec<_>>();
    FormulaireVu {
        multipart: champs.iter().any(|c| c.genre == "fichier"),
        erreur: la_sienne.map(|s| s.erreur.message.clone()),
        cle,
        action: action.into(),
        titre: titre.into(),
        bouton: bouton.into(),
        champs,
    }
}

/// The years of the contract as options.
pub fn annees(premiere: usize, derniere: usize) -> Vec<(String, String)> {
    Annee::TOUTES[premiere..=derniere]
        .iter()
        .map(|a| (a.to_string(), a.to_string()))
        .collect()
}

/// The fiches of the contract as options (`1.2`, « 1.2 — title »).
pub fn fiches(contrat: &Contrat, execution: &pacte_core::execution::Execution) -> Vec<(String, String)> {
    pacte_core::execution::fiches_executees(contrat, execution)
        .into_iter()
        .map(|f| {
            let t = pacte_core::execution::intitule_fiche(contrat, execution, f);
            (f.to_string(), format!("{f} — {t}"))
        })
        .collect()
}

/// Number of fiche rows of the avenant form.
pub const LIGNES_AVENANT: usize = 3;

/// The forms of the State services (`Action::EnregistrerFinancesEtat`).
pub fn formulaires_etat(
    id: i64,
    contrat: &Contrat,
    e: &pacte_core::execution::Execution,
    s: Option<&Saisie>,
) -> Vec<FormulaireVu> {
    let base = format!("/contrats/{id}/finances");
    let axes: Vec<(String, String)> = pacte_core::financement::par_axe(contrat)
        .type_contrat
        .axes()
        .iter()
        .map(|a| (a.numero().to_string(), format!("Axe {}", a.numero())))
        .collect();
    let mut avenant = vec![
        Def::choix("annee", "Année de l'avenant", annees(0, 3)),
        Def::date("date", "Date de l'avenant (signature)"),
        Def::date("accord_etat", "Date de l'accord exprès de l'État"),
        Def::date(
            "accord_collectivite",
            "Date de l'accord exprès de la collectivité",
        ),
    ];
    for i in 0..LIGNES_AVENANT {
        let n = i + 1;
        avenant.extend([
            Def::texte(format!("lignes[{i}].fiche"), format!("Fiche {n} : numéro"))
                .aide("Par exemple 1.2 ; laissez vide si l'avenant porte sur moins de fiches."),
            Def::case(
                format!("lignes[{i}].ajoutee"),
                format!("Fiche {n} : ajoutée par l'avenant"),
            ),
            Def::texte(
                format!("lignes[{i}].intitule"),
                format!("Fiche {n} : intitulé (fiche ajoutée)"),
            ),
            Def::montant(
                format!("lignes[{i}].etat"),
                format!("Fiche {n} : participation État de l'année (€)"),
            ),
            Def::montant(
                format!("lignes[{i}].collectivite"),
                format!("Fiche {n} : participation de la collectivité (€, si elle change)"),
            ),
            Def::zone(
                format!("lignes[{i}].motif"),
                format!("Fiche {n} : motif du changement"),
            ),
        ]);
    }
    avenant.push(
        Def::fichier("document", "Avenant signé").aide("PDF ou document bureautique, joint au contrat."),
    );
    vec![
        formulaire(
            "notification-axe",
            format!("{base}/notification-axe"),
            "Montant notifié par axe et par année",
            "Enregistrer la notification",
            s,
            vec![
                Def::choix("axe", "Axe", axes),
                Def::choix("annee", "Année", annees(0, 3)),
                Def::montant("montant", "Participation de l'État notifiée (€)"),
            ],
        ),
        formulaire(
            "notification-fiche",
            format!("{base}/notification-fiche"),
            "Participation État notifiée par fiche et par année (colonne A)",
            "Enregistrer la notification",
            s,
            vec![
                Def::choix("fiche", "Fiche", fiches(contrat, e)),
                Def::choix("annee", "Année", annees(0, 3)),
                Def::montant("montant", "Participation de l'État notifiée (€)"),
            ],
        ),
        formulaire(
            "versement",
            format!("{base}/versement"),
            "Enregistrer un versement de l'État",
            "Enregistrer le versement",
            s,
            vec![
                Def::choix("annee", "Année", annees(0, 3)),
                Def::date("date", "Date du versement"),
                Def::montant("montant", "Montant versé (€)"),
                Def::texte("programme", "Programme").defaut("304"),
                Def::texte("code_chorus", "Code Chorus"),
                Def::texte("libelle_chorus", "Libellé Chorus"),
                Def::texte("iban", "Coordonnées bancaires (IBAN)"),
                Def::texte("ordonnateur", "Ordonnateur"),
                Def::texte("comptable", "Comptable assignataire"),
            ],
        ),
        formulaire(
            "avenant",
            format!("{base}/avenant"),
            "Enregistrer un avenant financier",
            "Enregistrer l'avenant",
            s,
            avenant,
        ),
        formulaire(
            "report",
            format!("{base}/report"),
            "Enregistrer un report décidé en dialogue de gestion",
            "Enregistrer le report",
            s,
            vec![
                Def::choix("fiche", "Fiche", fiches(contrat, e)),
                Def::choix(
                    "annee",
                    "Année dont les crédits sont reportés (sur l'année suivante)",
                    annees(0, 2),
                ),
                Def::montant("etat", "Report de la part État (€)")
                    .aide("Au plus les crédits État non consommés de l'année (R-FIN-12)."),
                Def::montant("collectivite", "Report de la part collectivité (€)")
                    .aide("Au plus les crédits de la collectivité non consommés de l'année (R-FIN-12)."),
                Def::date("date", "Date de la décision (dialogue de gestion)"),
            ],
        ),
    ]
}

/// The realised amounts form of the collectivity (`Action::DeclarerRealisations`).
pub fn formulaire_realisation(
    id: i64,
    contrat: &Contrat,
    e: &pacte_core::execution::Execution,
    s: Option<&Saisie>,
) -> FormulaireVu {
    formulaire(
        "realisation",
        format!("/contrats/{id}/finances/realisation"),
        "Déclarer les montants réalisés d'une fiche",
        "Enregistrer",
        s,
        vec![
            Def::choix("fiche", "Fiche", fiches(contrat, e)),
            Def::choix("annee", "Année", annees(0, 3)),
            Def::montant("etat", "Crédits État consommés (€)"),
            Def::montant("collectivite", "Crédits de la collectivité consommés (€)"),
            Def::montant("autres", "Autres financements consommés (€)"),
        ],
    )
}
