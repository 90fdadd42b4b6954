//! The contrat local des solidarités, following the model of annexe 8 of the instruction of
//! 27 October 2023 (articles 1 to 7) with its four annexes: 1 the actions and their local
//! indicators, 2 one fiche action per action, 3 the annexe 10 forecast tables, 4 the national
//! indicators (annexe 9) with the contract's targets.
//!
//! The view reads the contract as signed or to be signed: its header and fiches and the
//! deliberation act. The forecast tables of annexe 3 are computed by
//! [`pacte_core::tableau`] from the contract alone (the plan the parties sign; the amounts an
//! avenant changes later are in the avenant's document).

use pacte_core::actes::{Acte, DEBUT_CONTRAT, FIN_CONTRAT};
use pacte_core::contrat::{EtatContrat, FicheAction, NatureAction, ParAnnee};
use pacte_core::execution::Execution;
use pacte_core::referentiel::referentiel;
use pacte_core::regles::type_contrat;
use pacte_core::tableau::{TypeTableau, feuille, libelle_axe};
use pacte_core::territoires::territoires;
use pacte_core::{Annee, Axe, Contrat, Montant, Valeur};
use serde_json::json;

use crate::modele::{
    Bloc, Document, Redaction, Section, Tableau, col, col_nombre, gras, groupe, italique, ligne, simple,
    total,
};
use crate::texte::{Partie, date_longue, euros, majuscule, montant_complet, partie, slug};
use crate::{ErreurDocument, Fichier, Format, code_verification, rendre};

/// What the contract's document is built from.
#[derive(Debug, Clone, Copy)]
pub struct DonneesContrat<'a> {
    pub contrat: &'a Contrat,
    /// The acts in force, oldest first (the deliberation gives its reference and body).
    pub actes: &'a [Acte],
    /// The stored contract's version.
    pub version: i64,
}

impl DonneesContrat<'_> {
    /// The canonical data the document shows: the contract without its lifecycle state
    /// (moving from « signé » to « en exécution » changes no word of it) and the
    /// deliberation act.
    pub fn canonique(&self) -> serde_json::Value {
        let mut c = self.contrat.clone();
        c.contrat.etat = EtatContrat::default();
        json!({
            "document": "contrat",
            "contrat": c,
            "deliberation": self.deliberation(),
        })
    }

    /// The verification code printed on the document.
    pub fn code(&self) -> String {
        code_verification(&self.canonique())
    }

    fn deliberation(&self) -> Option<&Acte> {
        self.actes
            .iter()
            .rev()
            .find(|a| matches!(a, Acte::Deliberation { .. }))
    }

    /// Whether the document is the signed contract (else a draft, « Projet »).
    pub fn signe(&self) -> bool {
        self.contrat.contrat.etat >= EtatContrat::Signe
    }
}

/// The contract's file name without extension: « contrat-metropole-de-lyon ».
pub fn nom_fichier(contrat: &Contrat) -> String {
    format!("contrat-{}", slug(&contrat.contrat.nom_collectivite()))
}

/// The contract's document in `format`.
pub fn fichier(d: &DonneesContrat<'_>, format: Format) -> Result<Fichier, ErreurDocument> {
    rendre(&document(d)?, format, &nom_fichier(d.contrat))
}

/// The signature dates, for a signed contract: every signatory must have one.
fn dates_signature(d: &DonneesContrat<'_>) -> Result<Vec<pacte_core::Date>, ErreurDocument> {
    let s = &d.contrat.contrat.signataires;
    if s.is_empty() {
        return Err(ErreurDocument::Incomplet(
            "le contrat est signé mais aucun signataire n'est enregistré : enregistrez l'acte de signature (signataires et date)".into(),
        ));
    }
    let mut dates = Vec::new();
    for x in s {
        match x.date_signature {
            Some(date) => dates.push(date),
            None => {
                return Err(ErreurDocument::Incomplet(format!(
                    "le signataire « {} » n'a pas de date de signature",
                    x.qualite
                )));
            }
        }
    }
    dates.sort();
    dates.dedup();
    Ok(dates)
}

/// The header line of every page of a contract-related document.
pub fn entete(titre: &str, version: i64, code: &str, signe: Option<&[pacte_core::Date]>) -> String {
    let mut t = format!("{titre} — version {version} des données — code de vérification {code}");
    if let Some(dates) = signe {
        let d: Vec<String> = dates.iter().map(|d| d.to_string()).collect();
        t.push_str(&format!(" — signé le {}", d.join(", ")));
    }
    t
}

/// The bloc-marque of the State, in text (the Marianne logo is not reproduced).
pub fn bloc_marque(r: &mut Redaction) {
    r.morceaux(vec![gras("RÉPUBLIQUE FRANÇAISE")]);
    r.morceaux(vec![italique("Liberté\nÉgalité\nFraternité")]);
}

/// The préfet's designation when no signatory is recorded yet.
fn prefet(p: &Partie) -> String {
    match &p.departement {
        Some(dep) => format!("le préfet ou la préfète de département ({dep})"),
        None => "le préfet ou la préfète de département".to_string(),
    }
}

/// A signatory in the parties' paragraph: « Mme Anne Martin, préfète de … », or without a
/// name, its quality with its article: « le préfet de département (Côte-d'Or) ».
fn signataire_texte(s: &pacte_core::contrat::Signataire) -> String {
    match &s.nom {
        Some(nom) if !nom.trim().is_empty() => format!("{nom}, {}", s.qualite),
        _ => {
            let q = s.qualite.trim();
            let premier = q.split_whitespace().next().unwrap_or_default().to_lowercase();
            let deja = ["le", "la", "les", "l'", "son", "sa"]
                .iter()
                .any(|a| premier == *a)
                || premier.starts_with("l'");
            if deja {
                q.to_string()
            } else {
                let article =
                    if premier.ends_with("ète") || premier.ends_with("ente") || premier.ends_with("rice") {
                        "la"
                    } else {
                        "le"
                    };
                let mut c = q.chars();
                let minuscule: String = c
                    .next()
                    .map(|p| p.to_lowercase().chain(c).collect())
                    .unwrap_or_default();
                format!("{article} {minuscule}")
            }
        }
    }
}

/// « Pour l'État », « Pour Dijon Métropole ».
fn pour(organisation: &str) -> String {
    if organisation == "État" {
        "Pour l'État".to_string()
    } else {
        format!("Pour {organisation}")
    }
}

/// The document of the contract.
pub fn document(d: &DonneesContrat<'_>) -> Result<Document, ErreurDocument> {
    let c = d.contrat;
    let e = &c.contrat;
    let p = partie(c);
    let signe = d.signe();
    let dates = if signe { Some(dates_signature(d)?) } else { None };
    if signe && e.date_deliberation.is_none() {
        return Err(ErreurDocument::Incomplet(
            "le contrat est signé mais la délibération n'a pas de date : enregistrez l'acte de délibération"
                .into(),
        ));
    }
    if c.fiches.is_empty() {
        return Err(ErreurDocument::Incomplet(
            "le contrat n'a aucune fiche action : ses annexes 1 et 2 seraient vides".into(),
        ));
    }
    let code = d.code();
    let titre = format!("Contrat local des solidarités 2024-2027 — {}", p.designation);

    let mut r = Redaction::default();
    bloc_marque(&mut r);
    r.titre(1, "Contrat local des solidarités 2024-2027");
    if let Some(i) = e.intitule.as_deref().filter(|i| !i.trim().is_empty()) {
        r.centre(vec![italique(i)]);
    }
    r.centre(vec![simple("entre l'État et "), gras(p.designation.clone())]);

    // Parties.
    let etat_sig = e
        .signataires
        .iter()
        .find(|s| s.organisation.as_deref() == Some("État"))
        .or_else(|| e.signataires.first());
    let coll_sig = e
        .signataires
        .iter()
        .find(|s| s.organisation.as_deref() == Some(p.designation.as_str()))
        .or_else(|| e.signataires.get(1));
    r.para("Entre");
    let representant_etat = etat_sig.map_or_else(|| prefet(&p), signataire_texte);
    r.morceaux(vec![
        gras("L'État"),
        simple(format!(
            ", représenté par {representant_etat}, et désigné ci-après par les termes « le préfet », d'une part,"
        )),
    ]);
    r.para("Et");
    let representant_coll = coll_sig.map_or_else(
        || format!("le président ou la présidente de l'exécutif de {}", p.designation),
        signataire_texte,
    );
    r.morceaux(vec![
        gras(p.designation.clone()),
        simple(format!(
            ", représentée par {representant_coll}, et désignée ci-après par les termes « {} », d'autre part,",
            p.court
        )),
    ]);
    r.morceaux(vec![
        gras("Vu"),
        simple(" la loi n° 2023-1322 du 29 décembre 2023 de finances pour 2024 ;"),
    ]);
    r.morceaux(vec![
        gras("Vu"),
        simple(" l'instruction n° DGCS/SD1B/2023/168 du 27 octobre 2023 relative à la mise en œuvre territoriale du Pacte national des solidarités à travers des pactes et contrats locaux des solidarités conclus entre l'État et les conseils métropolitains pour les années 2024-2027 ;"),
    ]);
    let deliberation = match (d.deliberation(), e.date_deliberation) {
        (
            Some(Acte::Deliberation {
                date,
                instance,
                reference,
            }),
            _,
        ) => format!(
            " la délibération n° {reference} de la {} de {} en date du {} autorisant la signature de la présente convention ;",
            instance.libelle(),
            p.designation,
            date_longue(*date)
        ),
        (_, Some(date)) => format!(
            " la délibération de {} en date du {} autorisant la signature de la présente convention ;",
            p.designation,
            date_longue(date)
        ),
        _ => format!(
            " la délibération de {} autorisant la signature de la présente convention (à intervenir : le projet n'est pas encore délibéré) ;",
            p.designation
        ),
    };
    r.morceaux(vec![gras("Vu"), simple(deliberation)]);
    r.para("Il est convenu ce qui suit :");

    r.titre(2, "Préambule");
    r.para("Le Pacte national des solidarités prend la suite de la Stratégie nationale de prévention et de lutte contre la pauvreté. Il repose sur quatre piliers, chacun ancré dans l'un des grands chantiers du quinquennat : la prévention de la pauvreté dès le plus jeune âge et la lutte contre les inégalités dès l'enfance, l'accès à l'emploi, à l'insertion pour les publics qui en sont le plus éloignés, la lutte contre la grande pauvreté par l'accès aux droits et la transition écologique solidaire.");
    r.para("Le Pacte national des solidarités entend poursuivre la démarche partenariale initiée par la Stratégie nationale de prévention et de lutte contre la pauvreté avec les collectivités avec les conventions d'appui à la lutte contre la pauvreté et d'accès à l'emploi, et renforcer la gouvernance contractuelle des politiques de solidarités.");
    r.para("C'est dans ce cadre que les pactes locaux des solidarités se déploient sur la période 2024-2027 et déclinent des actions territoriales dans les champs de la prévention de la pauvreté dès le plus jeune âge et la lutte contre les inégalités dès l'enfance, la lutte contre la grande pauvreté par l'accès aux droits et la transition écologique solidaire.");

    let axes = type_contrat(c).axes();
    let champs: Vec<&str> = axes
        .iter()
        .map(|a| match a {
            Axe::A1 => "la prévention de la pauvreté et la lutte contre les inégalités dès l'enfance",
            Axe::A2 => "l'accès à l'emploi",
            Axe::A3 => "l'accès aux droits essentiels",
            Axe::A4 => "la transition écologique et solidaire",
        })
        .collect();
    r.titre(2, "Article 1 – Objet de la convention");
    r.para(format!(
        "Par la présente convention, le préfet et {} définissent des engagements réciproques relevant du Pacte des solidarités, dans {} champs : {}.",
        p.designation,
        pacte_core::lettres::nombre_en_lettres(champs.len() as u64),
        liste(&champs)
    ));
    r.para(format!("Ces engagements réciproques se traduisent par la mise en œuvre d'actions assorties d'objectifs mesurables et d'indicateurs de résultats, permettant de développer et améliorer la qualité de l'offre, renforcer les coopérations entre les acteurs et d'instaurer une meilleure articulation entre leurs interventions, en cohérence avec leurs champs de compétences respectifs. Dans ce cadre, {} mettra en œuvre des actions nouvelles ou renforcera des actions existantes, en association étroite avec l'État, ses partenaires et des personnes concernées.", p.court));
    r.para(format!(
        "Cette convention fixe également l'engagement de l'État et {} sur le plan financier.",
        de(p.court)
    ));
    r.para("Elle définit les modalités de suivi et d'évaluation des actions prévues au titre de ladite convention.");

    r.titre(
        2,
        format!("Article 2 – Engagements réciproques {} et de l'État", de(p.court)),
    );
    r.para(format!(
        "Cette contractualisation suppose une égalité des parties et des engagements tant {} que de l'État.",
        de(p.court)
    ));
    r.para(format!("Les engagements sont définis conjointement par l'État et {} dans le cadre d'un dialogue et d'une gouvernance associant les autres collectivités locales, les acteurs de la protection sociale et de l'emploi, les partenaires associatifs et tout acteur concerné par les champs et les actions du pacte local.", p.court));
    r.para(format!("Les partenaires peuvent, s'ils le souhaitent, prendre part à la convention, avec l'accord de l'État et {}.", de(p.court)));
    r.para(format!("Par ailleurs, un dialogue de gestion entre l'État et {} permet d'assurer le suivi du contrat, de la mise en œuvre des actions et des financements.", p.court));
    r.titre(
        3,
        "2.1. Les engagements concourant à la mise en œuvre du Pacte des solidarités",
    );
    r.para(format!(
        "Le contrat porte sur les {} axes au sein desquels {} et l'État déterminent les actions à conduire, en cohérence avec leur champ de compétence et dans le cadre des référentiels nationaux. Ces engagements sont décrits en annexe (tableau des mesures et l'ensemble des fiches actions). Les fiches action, parties intégrantes de la convention, précisent le calendrier de réalisation de chaque action. Chaque action comporte des indicateurs de suivi que {} renseigne annuellement dans un tableau correspondant (annexe 1). Le contrat compte {} fiches action.",
        axes.len(),
        p.court,
        p.court,
        c.fiches.len()
    ));
    r.titre(
        3,
        format!("2.2. Les engagements financiers de l'État et {}", de(p.court)),
    );
    r.para(format!("L'État apporte son soutien financier {} dans le cadre de la présente convention, pour la réalisation des actions décrites infra.", a(p.court)));
    r.para(engagement_etat(c)?);
    r.para("Une partie des crédits peut être réduite l'année suivante (année n+1), si l'exécution comptable des actions en année n fait état d'une sous-consommation manifeste de certaines actions, sans lien avec la trajectoire de montée en charge prévue et sans justification opérante de la part de la collectivité.");
    r.para(format!("{} s'engage sur des montants financiers par action figurant dans le tableau financier récapitulatif annexé à la présente convention (annexe 3). {} s'engage à apporter au moins 50 % des crédits dévolus à chaque action contractualisée.", majuscule(p.court), majuscule(p.court)));
    r.para(format!("Tout au long de la période de conventionnement, {} s'engage à préciser les fiches actions qui seraient modifiées ou nouvellement créées, ainsi que le calendrier de réalisation de ces actions, lequel ne devra pas dépasser l'échéance de la présente convention.", p.court));
    r.para("Les actions financées par la présente convention devront porter le logo du Pacte des solidarités et du préfet dans leurs documents de communication.");
    r.titre(3, "2.3. Suivi et évaluation de la convention");
    r.para(format!("Le suivi et l'évaluation de l'exécution de la présente convention sont effectués de façon conjointe par {} et l'État. Les modalités de pilotage sont définies entre le préfet de département et l'exécutif de {}. {} renseigne chaque année le niveau d'atteinte des indicateurs locaux à partir des fiches actions (annexe 1) et nationaux (annexe 4) et établit un rapport succinct d'état d'avancement des actions contractualisées. Un dialogue de gestion annuel est mis en place entre les services de l'État et la collectivité dans le cadre du pacte local des solidarités.", p.court, p.designation, majuscule(p.court)));
    r.para(format!("Dans le cadre de l'évaluation du pacte local à mi-parcours, {} est en charge de la préparation d'un rapport d'exécution du contrat. Ce rapport couvre la période du 1er janvier 2024 au 31 décembre 2025, soit deux années civiles. Il décrit, pour chaque action du contrat, les résultats obtenus ainsi que le niveau d'atteinte des objectifs fixés et dans la mesure du possible l'impact social de l'action sur ses bénéficiaires ; il contient un bilan financier des actions mises en œuvre et précise en annexe l'exécution budgétaire des crédits contractualisés dans un tableau financier et le renseignement de la matrice des indicateurs des engagements contractualisés et des indicateurs nationaux. Ce rapport contient également un bilan global synthétisant l'ensemble des actions conduites par {} et ses partenaires sur le territoire.", p.court, p.court));
    r.para("Ce rapport fait l'objet d'une délibération en vue d'une transmission au préfet de région et au préfet de département au plus tard le 31 mars 2026.");

    r.titre(2, "Article 3 – Modalités de versement des crédits");
    r.para("La contribution fera l'objet d'un versement annuel.");
    r.para(format!(
        "La contribution financière sera créditée sur le compte de {}, dont les coordonnées bancaires (relevé d'identité bancaire) sont transmises aux services de l'État.",
        p.designation
    ));
    r.para(match &p.departement {
        Some(dep) => format!("L'ordonnateur de la dépense est le préfet de département ({dep})."),
        None => "L'ordonnateur de la dépense est le préfet de département.".to_string(),
    });
    r.para("La dépense est imputée sur les crédits ouverts sur le programme 304 « Inclusion sociale et protection des personnes ».");

    r.titre(2, "Article 4 – Durée de la convention et renouvellement");
    r.para(format!(
        "Les dispositions de la présente convention sont conclues pour une durée de quatre ans et couvrent la période du {} au {}.",
        date_longue(e.debut.unwrap_or(DEBUT_CONTRAT)),
        date_longue(e.fin.unwrap_or(FIN_CONTRAT))
    ));
    r.titre(2, "Article 5 – Contrôle financier de l'administration");
    r.para(format!("{} veille à ce qu'il n'y ait aucun report des crédits au-delà de la durée d'exécution de la présente convention. Dans le cas contraire, et à titre exceptionnel, un titre de reversement à l'encontre {} pourra être délivré par l'État si les dépenses réalisées pendant la durée d'exécution de la présente convention étaient inférieures au versement effectué et ce, après étude des indicateurs et du bilan financier, conformément à l'article 2.", majuscule(p.court), de(p.court)));
    r.titre(2, "Article 6 – Dénonciation de la convention");
    r.para(format!("La convention peut être dénoncée par l'une ou l'autre des parties par lettre recommandée avec accusé de réception adressée au préfet. {} reste soumis{} aux obligations résultant de l'article 2 de la présente convention, en particulier la transmission d'un rapport portant sur l'exécution de la convention.", majuscule(p.court), accord(p.court)));
    r.titre(2, "Article 7 – Litige");
    r.para("Tout litige résultant de l'exécution de la présente convention est du ressort du tribunal administratif territorialement compétent, après la recherche d'une résolution amiable.");

    // Signatures.
    match &dates {
        Some(ds) => {
            let d: Vec<String> = ds.iter().map(|d| date_longue(*d)).collect();
            r.para(format!("Fait le {}.", liste_et(&d)));
        }
        None => {
            r.para("Fait à ……………………………, le ……………………………");
        }
    }
    let colonnes: Vec<Vec<String>> = if e.signataires.is_empty() {
        vec![
            vec![
                format!("Pour {}", p.designation),
                format!("Le président ou la présidente de l'exécutif de {}", p.designation),
            ],
            vec!["Pour l'État".to_string(), majuscule(&prefet(&p))],
        ]
    } else {
        e.signataires
            .iter()
            .map(|s| {
                let mut l = vec![pour(s.organisation.as_deref().unwrap_or(&s.qualite))];
                l.push(s.qualite.clone());
                if let Some(n) = s.nom.as_deref().filter(|n| !n.trim().is_empty()) {
                    l.push(n.to_string());
                }
                if let Some(d) = s.date_signature {
                    l.push(format!("Signé le {}", date_longue(d)));
                }
                l
            })
            .collect()
    };
    r.blocs.push(Bloc::Signatures { colonnes });
    let region = territoires()
        .collectivite(&e.collectivite)
        .and_then(|x| territoires().region_de(x))
        .map(|x| x.nom.clone());
    r.para(match region {
        Some(reg) => format!("Pour visa, le directeur régional des finances publiques ({reg})."),
        None => "Pour visa, le directeur régional des finances publiques.".to_string(),
    });

    let mut sections = vec![r.section(false)];
    sections.push(annexe_1(c));
    sections.push(annexe_2(c));
    sections.push(annexe_3(c));
    sections.push(annexe_4(c));

    Ok(Document {
        entete: entete(
            &format!("Contrat local des solidarités — {}", p.designation),
            d.version,
            &code,
            dates.as_deref(),
        ),
        projet: !signe,
        pied: format!("{} — code {code}", p.designation),
        titre,
        auteur: "Pacte".to_string(),
        sections,
    })
}

/// « de la Métropole », « du Département ».
fn de(court: &str) -> String {
    match court.strip_prefix("le ") {
        Some(reste) => format!("du {reste}"),
        None => format!("de {court}"),
    }
}

/// « à la Métropole », « au Département ».
fn a(court: &str) -> String {
    match court.strip_prefix("le ") {
        Some(reste) => format!("au {reste}"),
        None => format!("à {court}"),
    }
}

/// The feminine ending for the party (« soumise », « soumis »).
fn accord(court: &str) -> &'static str {
    if court.starts_with("le ") { "" } else { "e" }
}

/// « a, b et c ».
pub fn liste(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [a] => a.to_string(),
        [debut @ .., fin] => format!("{} et {fin}", debut.join(", ")),
    }
}

fn liste_et(items: &[String]) -> String {
    let v: Vec<&str> = items.iter().map(String::as_str).collect();
    liste(&v)
}

/// The article 2.2 sentence: the State's annual support, in figures and words.
fn engagement_etat(c: &Contrat) -> Result<String, ErreurDocument> {
    let e: &ParAnnee<Montant> = &c.contrat.engagement_etat;
    if e.is_empty() {
        return Err(ErreurDocument::Incomplet(
            "le soutien financier annuel de l'État (article 2.2, « engagement de l'État ») n'est pas renseigné dans l'en-tête du contrat".into(),
        ));
    }
    let montants: Vec<Montant> = e.values().copied().collect();
    if montants.windows(2).all(|w| w[0] == w[1]) {
        let annees: Vec<String> = e.keys().map(|a| a.to_string()).collect();
        Ok(format!(
            "Pour les années {}, le soutien financier de l'État s'élève à un montant de {} annuels, sous réserve de la disponibilité annuelle des crédits et du principe d'annualité budgétaire.",
            liste_et(&annees),
            montant_complet(montants[0])
        ))
    } else {
        let parts: Vec<String> = e
            .iter()
            .map(|(a, m)| format!("{} pour {a}", montant_complet(*m)))
            .collect();
        Ok(format!(
            "Le soutien financier annuel de l'État s'élève à {}, sous réserve de la disponibilité annuelle des crédits et du principe d'annualité budgétaire.",
            parts.join(" ; ")
        ))
    }
}

fn axe_libelle(a: Axe) -> String {
    libelle_axe(a).trim_start_matches("Axe : ").to_string()
}

fn fiches_par_axe(c: &Contrat) -> Vec<(Axe, Vec<&FicheAction>)> {
    let mut v: Vec<(Axe, Vec<&FicheAction>)> = Vec::new();
    let mut fiches: Vec<&FicheAction> = c.fiches.iter().collect();
    fiches.sort_by_key(|f| f.numero);
    for f in fiches {
        match v.last_mut() {
            Some((a, l)) if *a == f.axe() => l.push(f),
            _ => v.push((f.axe(), vec![f])),
        }
    }
    v
}

fn valeur(v: Option<Valeur>) -> String {
    v.map_or_else(|| "non renseignée".to_string(), |v| v.to_string())
}

fn cible(c: &ParAnnee<Valeur>, a: Annee) -> String {
    c.get(&a).map_or_else(|| "—".to_string(), |v| v.to_string())
}

/// Annexe 1: the actions and their local indicators.
fn annexe_1(c: &Contrat) -> Section {
    let mut r = Redaction::default();
    r.titre(2, "Annexe 1 : Tableau des actions et suivi de leurs indicateurs");
    let mut colonnes = vec![
        col("Action", 6),
        col("Indicateur local", 6),
        col_nombre("Situation au 31 déc. 2023", 2),
    ];
    for a in Annee::TOUTES {
        colonnes.push(col_nombre(format!("Cible {a}"), 2));
    }
    let mut lignes = Vec::new();
    for (axe, fiches) in fiches_par_axe(c) {
        lignes.push(groupe(format!("Axe « {} »", axe_libelle(axe))));
        for f in fiches {
            let action = format!("Action {} : {}", f.numero, f.intitule);
            if f.indicateurs.is_empty() {
                let mut l = vec![action.clone(), "Aucun indicateur local".to_string(), "—".into()];
                l.extend(Annee::TOUTES.iter().map(|_| "—".to_string()));
                lignes.push(ligne(l));
            }
            for (i, ind) in f.indicateurs.iter().enumerate() {
                let libelle = match &ind.unite {
                    Some(u) if !u.trim().is_empty() => format!("{} ({u})", ind.libelle),
                    _ => ind.libelle.clone(),
                };
                let mut l = vec![
                    if i == 0 {
                        action.clone()
                    } else {
                        format!("Action {} (suite)", f.numero)
                    },
                    libelle,
                    valeur(ind.t0),
                ];
                l.extend(Annee::TOUTES.iter().map(|a| cible(&ind.cibles, *a)));
                lignes.push(ligne(l));
            }
        }
    }
    r.tableau(Tableau { colonnes, lignes });
    r.para("Les résultats atteints sont renseignés chaque année par la collectivité dans son rapport d'état d'avancement (article 2.3).");
    r.section(true)
}

/// Annexe 2: one fiche action per action, following the instruction's model.
fn annexe_2(c: &Contrat) -> Section {
    let mut r = Redaction::default();
    r.titre(2, "Annexe 2 : Fiches action");
    let mut premiere = true;
    for (_, fiches) in fiches_par_axe(c) {
        for f in fiches {
            if !premiere {
                r.saut();
            }
            premiere = false;
            fiche(&mut r, f);
        }
    }
    r.section(false)
}

fn fiche(r: &mut Redaction, f: &FicheAction) {
    r.titre(3, format!("Fiche action {} : {}", f.numero, f.intitule));
    r.champ("Axe concerné", axe_libelle(f.axe()));
    if let Some(place) = f
        .sous_axe
        .as_deref()
        .and_then(|s| referentiel().resoudre_sous_axe(f.axe(), s))
    {
        r.champ(
            "Sous-axe",
            format!("{} {}", place.sous_axe.code, place.sous_axe.intitule),
        );
    }
    r.champ("Intitulé de l'action", f.intitule.clone());
    r.champ(
        "Description de l'action",
        f.description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| "non renseignée dans la fiche".to_string()),
    );
    let nature = match f.nature {
        Some(NatureAction::Nouvelle) => "action nouvelle",
        Some(NatureAction::Renforcee) => "action existante renforcée",
        Some(NatureAction::ReconductionCalpae) => "reconduction d'une action de la CALPAE",
        None => "nature non renseignée",
    };
    r.champ(
        "Date de mise en place de l'action",
        match f.debut {
            Some(d) => format!("{nature}, mise en place le {}", date_longue(d)),
            None => format!("{nature}, date de mise en place non renseignée"),
        },
    );
    r.champ(
        "Durée de l'action",
        match (f.duree_mois, f.fin()) {
            (Some(m), Some(fin)) => format!("{m} mois, jusqu'au {}", date_longue(fin)),
            (Some(m), None) => format!("{m} mois"),
            _ => "non renseignée".to_string(),
        },
    );
    if let Some(o) = f.operateur.as_deref().filter(|o| !o.trim().is_empty()) {
        r.champ("Opérateur", o.to_string());
    }
    let mut partenaires: Vec<String> = f.partenaires.clone();
    for a in &f.financement.autres {
        if !partenaires.contains(&a.nom) {
            partenaires.push(format!("{} (cofinanceur)", a.nom));
        }
    }
    r.champ(
        "Partenaires et co-financeurs",
        if partenaires.is_empty() {
            "aucun".to_string()
        } else {
            partenaires.join(", ")
        },
    );
    r.morceaux(vec![gras("Budget détaillé :")]);
    let fi = &f.financement;
    let mut lignes = Vec::new();
    let (mut te, mut tc, mut tf, mut ta, mut tt) = Default::default();
    for a in Annee::TOUTES {
        let (e, co, fse, au, to) = (
            fi.etat(a),
            fi.collectivite(a),
            fi.fse_plus(a),
            fi.autres(a),
            fi.total(a),
        );
        te += e;
        tc += co;
        tf += fse;
        ta += au;
        tt += to;
        lignes.push(ligne(vec![
            a.to_string(),
            euros(e),
            euros(co),
            euros(fse),
            euros(au),
            euros(to),
        ]));
    }
    let tot: [Montant; 5] = [te, tc, tf, ta, tt];
    let mut l = vec!["Total".to_string()];
    l.extend(tot.iter().map(|m| euros(*m)));
    lignes.push(total(l));
    r.tableau(Tableau {
        colonnes: vec![
            col("Année", 2),
            col_nombre("État", 3),
            col_nombre("Collectivité", 3),
            col_nombre("dont FSE+", 3),
            col_nombre("Autres financeurs", 3),
            col_nombre("Total", 3),
        ],
        lignes,
    });
    if !f.depenses.is_empty() {
        let mut colonnes = vec![col("Poste de dépenses", 6)];
        colonnes.extend(Annee::TOUTES.iter().map(|a| col_nombre(a.to_string(), 2)));
        let lignes = f
            .depenses
            .iter()
            .map(|d| {
                let mut l = vec![d.poste.clone()];
                l.extend(
                    Annee::TOUTES
                        .iter()
                        .map(|a| euros(d.montants.get(a).copied().unwrap_or_default())),
                );
                ligne(l)
            })
            .collect();
        r.tableau(Tableau { colonnes, lignes });
    }
    r.morceaux(vec![gras("Objectifs et progression :")]);
    let mut colonnes = vec![
        col("Indicateur", 6),
        col_nombre("Situation au 31 déc. 2023 (T0)", 2),
    ];
    colonnes.extend(Annee::TOUTES.iter().map(|a| col_nombre(format!("Cible {a}"), 2)));
    let mut lignes = Vec::new();
    for ind in &f.indicateurs {
        let mut l = vec![ind.libelle.clone(), valeur(ind.t0)];
        l.extend(Annee::TOUTES.iter().map(|a| cible(&ind.cibles, *a)));
        lignes.push(ligne(l));
    }
    for n in &f.indicateurs_nationaux {
        let libelle = referentiel().indicateur(&n.code).map_or_else(
            || n.code.clone(),
            |i| format!("{} (indicateur national {})", i.libelle, n.code),
        );
        let mut l = vec![libelle, valeur(n.t0)];
        l.extend(Annee::TOUTES.iter().map(|a| cible(&n.cibles, *a)));
        lignes.push(ligne(l));
    }
    if lignes.is_empty() {
        r.para("Aucun indicateur n'est renseigné pour cette action.");
    } else {
        r.tableau(Tableau { colonnes, lignes });
    }
}

/// Annexe 3: the annexe 10 forecast tables, one per year, computed by `pacte_core::tableau`.
fn annexe_3(c: &Contrat) -> Section {
    let mut r = Redaction::default();
    r.titre(
        2,
        "Annexe 3 : Tableau budgétaire (tableaux financiers de l'annexe 10 de l'instruction)",
    );
    let execution = Execution::default();
    for a in Annee::TOUTES {
        let Ok(f) = feuille(c, &execution, TypeTableau::Previsionnel, a) else {
            continue;
        };
        r.titre(3, f.nom.clone());
        r.para(f.titre.clone());
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
        r.tableau(Tableau { colonnes, lignes });
        for n in &f.notes {
            r.morceaux(vec![italique(n.clone())]);
        }
    }
    r.section(true)
}

/// Annexe 4: the national indicators of the contract's axes (annexe 9 of the instruction)
/// with the contract's T0 and targets, action by action, and the contract's total of each
/// indicator fed by several actions (`campagne::trajectoires_contrat`).
fn annexe_4(c: &Contrat) -> Section {
    let totaux = pacte_core::campagne::trajectoires_contrat(c);
    let mut r = Redaction::default();
    r.titre(
        2,
        "Annexe 4 : Tableau des indicateurs nationaux (annexe 9 de l'instruction)",
    );
    let axes = type_contrat(c).axes();
    let mut colonnes = vec![
        col("Indicateur national", 7),
        col("Action", 4),
        col_nombre("Situation au 31 déc. 2023", 2),
    ];
    colonnes.extend(Annee::TOUTES.iter().map(|a| col_nombre(format!("Cible {a}"), 2)));
    let mut lignes = Vec::new();
    for axe in axes {
        let indicateurs: Vec<_> = referentiel()
            .indicateurs_nationaux
            .iter()
            .filter(|i| i.axe == axe.numero())
            .collect();
        if indicateurs.is_empty() {
            continue;
        }
        lignes.push(groupe(format!("Axe « {} »", axe_libelle(*axe))));
        for i in indicateurs {
            let nom = format!("{} — {} ({})", i.code, i.libelle, i.unite);
            let mut alimente = false;
            let mut fiches: Vec<&FicheAction> = c.fiches.iter().collect();
            fiches.sort_by_key(|f| f.numero);
            for f in fiches {
                for t in f.indicateurs_nationaux.iter().filter(|t| t.code == i.code) {
                    let mut l = vec![
                        if alimente {
                            format!("{} (suite)", i.code)
                        } else {
                            nom.clone()
                        },
                        format!("{} : {}", f.numero, f.intitule),
                        valeur(t.t0),
                    ];
                    l.extend(Annee::TOUTES.iter().map(|a| cible(&t.cibles, *a)));
                    lignes.push(ligne(l));
                    alimente = true;
                }
            }
            if let Some(t) = totaux.get(&i.code).filter(|t| t.fiches > 1) {
                let mut l = vec![
                    format!("{} : total du contrat", i.code),
                    if t.majorant {
                        format!(
                            "{} actions (majorant : une même personne peut relever de plusieurs actions et n'est comptée qu'une fois)",
                            t.fiches
                        )
                    } else {
                        format!("{} actions", t.fiches)
                    },
                    t.t0.map_or_else(|| "—".to_string(), |v| v.to_string()),
                ];
                l.extend(Annee::TOUTES.iter().map(|a| cible(&t.cibles, *a)));
                lignes.push(total(l));
            }
            if !alimente {
                let mut l = vec![
                    nom,
                    "Aucune action du contrat n'alimente cet indicateur".to_string(),
                    "—".into(),
                ];
                l.extend(Annee::TOUTES.iter().map(|_| "—".to_string()));
                lignes.push(ligne(l));
            }
        }
    }
    r.tableau(Tableau { colonnes, lignes });
    r.para("Le total du contrat d'un indicateur alimenté par plusieurs actions est la somme de leurs valeurs (annexe 6 de l'instruction) ; « — » signale qu'une action ne donne pas la valeur de l'année, et le total n'est alors pas calculé.");
    r.para("La collectivité renseigne chaque année les indicateurs nationaux dans son état d'avancement annuel et dans son rapport d'exécution à mi-parcours.");
    r.section(true)
}
