//! The annexe 10 financial table "Prévisionnel année n", computed from the fiches: one row
//! per financed action, a sub-total per axis, the "TOTAUX FINANCIERS" row (R-TAB-01..03).
//! Totals are always computed, never typed in. Each axis block also carries the axis's
//! proposed amount and 20 % floor from [`crate::financement::reperes`], so that the table
//! checks its sub-totals against the figures the rules use (R-FIN-04, annexe 5 II.a).

use serde::Serialize;

use crate::contrat::{Axe, Contrat, NumeroFiche};
use crate::financement::{ReperesAxe, reperes};
use crate::regles::type_contrat;
use crate::{Annee, Montant};

/// The columns of the forecast table, [004] A10 "Prévisionnel année 2024".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Colonnes {
    /// A: participation de l'État.
    pub etat: Montant,
    /// B: crédits de la collectivité (FSE+ compris).
    pub collectivite: Montant,
    /// C: autres financeurs.
    pub autres: Montant,
    /// F = A + B + C: budget global de l'action.
    pub total: Montant,
}

impl Colonnes {
    fn ajouter(&mut self, o: &Colonnes) {
        self.etat += o.etat;
        self.collectivite += o.collectivite;
        self.autres += o.autres;
        self.total += o.total;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Ligne {
    pub numero: NumeroFiche,
    pub intitule: String,
    #[serde(flatten)]
    pub montants: Colonnes,
}

#[derive(Debug, Clone, Serialize)]
pub struct BlocAxe {
    pub axe: Axe,
    pub lignes: Vec<Ligne>,
    /// "Sous total" of the axis.
    pub sous_total: Colonnes,
    /// The axis's proposed amount and floor, what its State sub-total is held to.
    #[serde(flatten)]
    pub reperes: ReperesAxe,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableauPrevisionnel {
    pub annee: Annee,
    pub axes: Vec<BlocAxe>,
    /// "TOTAUX FINANCIERS".
    pub totaux: Colonnes,
}

impl TableauPrevisionnel {
    pub fn sous_total(&self, axe: Axe) -> Colonnes {
        self.axes
            .iter()
            .find(|b| b.axe == axe)
            .map(|b| b.sous_total)
            .unwrap_or_default()
    }
}

/// The forecast table of year `annee`. Every axis appears (possibly empty); within an axis,
/// rows follow the fiche numbers; fiches with no amount that year are left out ("une ligne
/// par action financée").
pub fn previsionnel(contrat: &Contrat, annee: Annee) -> TableauPrevisionnel {
    let genre = type_contrat(contrat);
    let mut axes: Vec<BlocAxe> = Axe::TOUS
        .iter()
        .map(|&axe| BlocAxe {
            axe,
            lignes: Vec::new(),
            sous_total: Colonnes::default(),
            reperes: reperes(contrat, genre, axe),
        })
        .collect();
    for fiche in &contrat.fiches {
        let f = &fiche.financement;
        let montants = Colonnes {
            etat: f.etat(annee),
            collectivite: f.collectivite(annee),
            autres: f.autres(annee),
            total: f.total(annee),
        };
        if montants.total.est_nul() {
            continue;
        }
        let bloc = &mut axes[fiche.axe().numero() as usize - 1];
        bloc.sous_total.ajouter(&montants);
        bloc.lignes.push(Ligne {
            numero: fiche.numero,
            intitule: fiche.intitule.clone(),
            montants,
        });
    }
    let mut totaux = Colonnes::default();
    for bloc in &mut axes {
        bloc.lignes.sort_by_key(|l| l.numero);
        totaux.ajouter(&bloc.sous_total);
    }
    TableauPrevisionnel { annee, axes, totaux }
}

// ---------------------------------------------------------------------------------------------
// The three tables of annexe 10 for any year, with execution: a sheet model that the
// spreadsheet exports (crate `pacte-tableurs`), the command line and the pages all render.
// ---------------------------------------------------------------------------------------------

use crate::execution::{AnneeFiche, Execution, SituationFinanciere, fiches_executees, situation};
use crate::regles::{Constat, TypeContrat};

/// Which annexe 10 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeTableau {
    /// « Prévisionnel année n »: A, B, C, F = A+B+C.
    Previsionnel,
    /// « Bilan n »: what was paid, realised and carried over in year n.
    Bilan,
    /// « Prévisionnel n+1 » récapitulatif: the balance of n and the budget of n+1 (A … M).
    Recapitulatif,
}

impl TypeTableau {
    pub const TOUS: [TypeTableau; 3] = [
        TypeTableau::Previsionnel,
        TypeTableau::Bilan,
        TypeTableau::Recapitulatif,
    ];

    /// The machine name (`previsionnel`, `bilan`, `recapitulatif`), as in file names and URLs.
    pub fn code(self) -> &'static str {
        match self {
            TypeTableau::Previsionnel => "previsionnel",
            TypeTableau::Bilan => "bilan",
            TypeTableau::Recapitulatif => "recapitulatif",
        }
    }

    pub fn depuis_code(code: &str) -> Option<TypeTableau> {
        TypeTableau::TOUS.into_iter().find(|t| t.code() == code)
    }
}

/// A term of a line formula: `+` or `−` a column (index into [`Feuille::colonnes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Terme {
    pub signe: i8,
    pub colonne: usize,
}

/// A numeric column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Colonne {
    /// The instruction's letter (`A`, `F`…), when it gives one.
    pub lettre: Option<&'static str>,
    /// The header without its letter.
    pub libelle: String,
    /// A computed column: its value on each line is this sum (a live formula in a spreadsheet).
    pub formule: Option<Vec<Terme>>,
    /// A column added by Pacte beside the instruction's (reading L-01).
    pub ajoutee: bool,
}

impl Colonne {
    /// The header as printed: `A Participation État notifiée…`.
    pub fn entete(&self) -> String {
        match self.lettre {
            Some(l) => format!("{l} {}", self.libelle),
            None => self.libelle.clone(),
        }
    }
}

/// Amounts serialised as integer cents (the one type of the tables' JSON).
mod centimes {
    use serde::Serializer;
    use serde::ser::SerializeSeq;

    use crate::Montant;

    pub fn serialize<S: Serializer>(v: &[Montant], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for m in v {
            seq.serialize_element(&m.en_centimes())?;
        }
        seq.end()
    }
}

/// One action line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LigneFeuille {
    pub numero: NumeroFiche,
    pub intitule: String,
    /// The Chorus imputation (recapitulative table only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chorus: Option<String>,
    /// One amount per column, in integer cents.
    #[serde(serialize_with = "centimes::serialize")]
    pub valeurs: Vec<Montant>,
}

/// One axis block: its lines and its « Sous total ».
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlocFeuille {
    pub axe: Axe,
    /// `Axe : Prévenir la pauvreté et lutter contre les inégalités dès l'enfance`.
    pub libelle: String,
    pub lignes: Vec<LigneFeuille>,
    #[serde(serialize_with = "centimes::serialize")]
    pub sous_total: Vec<Montant>,
}

/// An annexe 10 table of one year, computed: the one model every rendering reads (JSON of
/// `pacte tableau`, XLSX, ODS, CSV, pages). Amounts are integer cents in its JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Feuille {
    #[serde(rename = "tableau")]
    pub type_tableau: TypeTableau,
    pub annee: Annee,
    /// The sheet's name: `Prévisionnel 2024`, `Bilan 2024`, `Prévisionnel 2025`.
    pub nom: String,
    /// The instruction's title line.
    pub titre: String,
    /// The recapitulative table's first column, « Imputation chorus ».
    pub colonne_chorus: bool,
    pub colonnes: Vec<Colonne>,
    pub blocs: Vec<BlocFeuille>,
    /// « TOTAUX FINANCIERS ».
    #[serde(serialize_with = "centimes::serialize")]
    pub totaux: Vec<Montant>,
    /// Notes printed under the table (readings, the K = G + J correction).
    pub notes: Vec<String>,
    /// R-TAB-04 / R-TAB-05 findings on the table.
    pub constats: Vec<Constat>,
}

impl Feuille {
    /// The index of the column of letter `lettre`.
    pub fn colonne(&self, lettre: &str) -> Option<usize> {
        self.colonnes.iter().position(|c| c.lettre == Some(lettre))
    }

    /// Every line, in order.
    pub fn lignes(&self) -> impl Iterator<Item = &LigneFeuille> {
        self.blocs.iter().flat_map(|b| b.lignes.iter())
    }
}

/// The axis labels of the tables (annexe 10, first column).
pub fn libelle_axe(axe: Axe) -> &'static str {
    match axe {
        Axe::A1 => "Axe : Prévenir la pauvreté et lutter contre les inégalités dès l'enfance",
        Axe::A2 => "Axe : Amplifier la politique d'accès à l'emploi pour tous",
        Axe::A3 => "Axe : Accès aux droits essentiels",
        Axe::A4 => "Axe : Transition écologique solidaire",
    }
}

/// The instruction's title line, with the contract's region and collectivity.
fn titre(contrat: &Contrat, suffixe: &str, recapitulatif: bool) -> String {
    let t = crate::territoires::territoires();
    let region = t
        .collectivite(&contrat.contrat.collectivite)
        .and_then(|c| t.region_de(c))
        .map(|r| r.nom.clone())
        .unwrap_or_else(|| "xxx".into());
    let tableau = if recapitulatif {
        "TABLEAU FINANCIER RÉCAPITULATIF"
    } else {
        "TABLEAU FINANCIER"
    };
    format!(
        "ANNEXE - {tableau} DU PACTE LOCAL DES SOLIDARITÉS - Région {region} - {} - {suffixe}",
        contrat.contrat.nom_collectivite()
    )
}

/// « CD » in a département's table, « collectivité » otherwise (R-TAB-06: the instruction's
/// template says CD where a métropole's table means the métropole).
fn cd(genre: TypeContrat) -> &'static str {
    match genre {
        TypeContrat::Departement => "CD",
        TypeContrat::Metropole => "collectivité",
    }
}

fn col(lettre: Option<&'static str>, libelle: String) -> Colonne {
    Colonne {
        lettre,
        libelle,
        formule: None,
        ajoutee: false,
    }
}

fn formule(lettre: Option<&'static str>, libelle: String, termes: &[(i8, usize)]) -> Colonne {
    Colonne {
        lettre,
        libelle,
        formule: Some(
            termes
                .iter()
                .map(|&(signe, colonne)| Terme { signe, colonne })
                .collect(),
        ),
        ajoutee: false,
    }
}

/// The columns, sheet name, title and notes of a table of year `annee` (the recapitulative
/// table of year `annee` recaps `annee − 1`).
fn modele(
    contrat: &Contrat,
    genre: TypeContrat,
    t: TypeTableau,
    annee: Annee,
) -> (Vec<Colonne>, String, String, Vec<String>) {
    let n = annee.valeur();
    let cd = cd(genre);
    match t {
        TypeTableau::Previsionnel => (
            vec![
                col(
                    Some("A"),
                    format!("Participation État notifiée pour la convention {n}"),
                ),
                col(Some("B"), format!("Crédits {cd} affectés pour la convention {n}")),
                col(
                    Some("C"),
                    "Participation d'autres financeurs le cas échéant".into(),
                ),
                formule(
                    Some("F"),
                    format!("Budget global de l'action prévu en {n} (A+B+C)"),
                    &[(1, 0), (1, 1), (1, 2)],
                ),
            ],
            format!("Prévisionnel {n}"),
            titre(contrat, &format!("Prévisionnel Année {n}"), false),
            vec![format!(
                "A : participation notifiée (dernier avenant de {n}, sinon notification), à défaut le montant prévu au contrat."
            )],
        ),
        TypeTableau::Bilan => {
            let s = n + 1;
            let mut recus = col(None, format!("Reports reçus de {} - Part État", n - 1));
            recus.ajoutee = true;
            (
                vec![
                    col(None, format!("Crédits État versés en {n}")),
                    col(Some("A"), format!("Montant État réalisé au 31/12/{n}")),
                    formule(
                        Some("B"),
                        format!("Crédits État {n} non consommés en {n}"),
                        &[(1, 0), (1, 7), (-1, 1)],
                    ),
                    col(Some("C"), format!("Montant {cd} réalisé au 31/12/{n}")),
                    formule(
                        None,
                        format!("Montant total réalisé au 31/12/{n} (A+C)"),
                        &[(1, 1), (1, 3)],
                    ),
                    col(None, format!("Montant à reporter en {s} - Part État")),
                    col(None, format!("Montant à reporter en {s} - Part {cd}")),
                    recus,
                ],
                format!("Bilan {n}"),
                titre(contrat, &format!("Bilan {n}"), false),
                vec![
                    format!(
                        "B = crédits versés en {n} + reports reçus de {} (colonne ajoutée) − A : un crédit reporté est consommé l'année où il est dépensé (lecture L-01).",
                        n - 1
                    ),
                    "Le montant total réalisé (A+C) ne compte pas les autres financeurs, comme le tableau de l'instruction (lecture L-03).".into(),
                    format!(
                        "Crédits État versés : le versement annuel réparti entre les fiches au prorata de leur participation État {n} (lecture L-05)."
                    ),
                ],
            )
        }
        TypeTableau::Recapitulatif => {
            let p = n - 1;
            (
                vec![
                    col(Some("A"), format!("Crédits État versés en {p}")),
                    col(Some("B"), format!("Crédits État {p} non consommés")),
                    col(Some("C"), format!("Crédits {cd} affectés en {p}")),
                    col(Some("D"), format!("Crédits {cd} {p} non consommés")),
                    col(Some("E"), "Participation d'autres financeurs le cas échéant".into()),
                    col(None, format!("Montant total réalisé au 31/12/{p}")),
                    col(Some("F"), format!("Montant à reporter en {n} - Part Etat")),
                    col(Some("G"), format!("Montant à reporter en {n} - Part {cd}")),
                    col(Some("H"), format!("Participation État notifiée pour la convention {n}")),
                    formule(Some("I"), format!("Budget total État prévu pour {n} (F+H)"), &[(1, 6), (1, 8)]),
                    col(Some("J"), format!("Crédits {cd} affectés pour la convention {n}")),
                    formule(Some("K"), format!("Budget total {cd} prévu pour {n} (G+J)"), &[(1, 7), (1, 10)]),
                    col(Some("L"), format!("Participation d'autres financeurs le cas échéant pour {n}")),
                    formule(
                        Some("M"),
                        format!("Budget global de l'action prévu en {n} (I+K+L)"),
                        &[(1, 9), (1, 11), (1, 12)],
                    ),
                ],
                format!("Prévisionnel {n}"),
                titre(contrat, &format!("Prévisionnel {n}"), true),
                vec![
                    "K = G + J : le tableau de l'instruction imprime « (G+I) », mais I est le budget total État ; le budget CD est le report CD plus les crédits CD affectés (rules.md X-01, lecture L-07).".into(),
                    format!(
                        "Montant total réalisé au 31/12/{p} : État + {cd} + autres financeurs réalisés ; A est versé, C affecté (lecture L-03)."
                    ),
                    "Imputation chorus : celle des versements de l'année (lecture L-05).".into(),
                ],
            )
        }
    }
}

/// The values of a fiche's line, before the formulas are applied.
fn valeurs(t: TypeTableau, a: &AnneeFiche, p: &AnneeFiche) -> Vec<Montant> {
    let z = Montant::ZERO;
    match t {
        TypeTableau::Previsionnel => vec![a.etat_notifie, a.collectivite_affectee, a.autres_prevus, z],
        TypeTableau::Bilan => vec![
            a.etat_verse,
            a.realise_etat,
            z,
            a.realise_collectivite,
            z,
            a.report_etat,
            a.report_collectivite,
            a.report_recu_etat,
        ],
        // `p` is year n − 1, `a` year n.
        TypeTableau::Recapitulatif => vec![
            p.etat_verse,
            p.etat_non_consomme,
            p.collectivite_affectee,
            p.collectivite_non_consommee,
            p.autres_prevus,
            p.realise_etat + p.realise_collectivite + p.realise_autres,
            p.report_etat,
            p.report_collectivite,
            a.etat_notifie,
            z,
            a.collectivite_affectee,
            z,
            a.autres_prevus,
            z,
        ],
    }
}

/// Applies the line formulas of `colonnes` (in column order, so a formula may use an earlier
/// computed column, as M uses I and K).
fn appliquer_formules(colonnes: &[Colonne], v: &mut [Montant]) {
    for (i, c) in colonnes.iter().enumerate() {
        if let Some(f) = &c.formule {
            v[i] = f.iter().fold(Montant::ZERO, |s, t| {
                if t.signe < 0 {
                    s - v[t.colonne]
                } else {
                    s + v[t.colonne]
                }
            });
        }
    }
}

/// Why a table cannot be drawn for a year.
pub fn annee_admise(t: TypeTableau, annee: Annee) -> Result<(), String> {
    if t == TypeTableau::Recapitulatif && annee == Annee::TOUTES[0] {
        return Err(
            "le prévisionnel récapitulatif d'une année reprend le bilan de l'année précédente : il existe de 2025 à 2027".into(),
        );
    }
    Ok(())
}

/// An annexe 10 table of year `annee`, computed from the contract and its execution.
pub fn feuille(
    contrat: &Contrat,
    execution: &Execution,
    t: TypeTableau,
    annee: Annee,
) -> Result<Feuille, String> {
    annee_admise(t, annee)?;
    let s = situation(contrat, execution);
    Ok(feuille_depuis(contrat, execution, &s, t, annee))
}

/// [`feuille`] from a situation already computed (the three tables of a contract share one).
pub fn feuille_depuis(
    contrat: &Contrat,
    execution: &Execution,
    s: &SituationFinanciere,
    t: TypeTableau,
    annee: Annee,
) -> Feuille {
    let genre = type_contrat(contrat);
    let (colonnes, nom, titre, notes) = modele(contrat, genre, t, annee);
    let precedente = Annee::new(annee.valeur() as i64 - 1).ok();
    let chorus = (t == TypeTableau::Recapitulatif).then(|| {
        precedente
            .map(|p| execution.imputation_chorus(p))
            .unwrap_or_default()
    });
    let mut blocs: Vec<BlocFeuille> = Axe::TOUS
        .iter()
        .map(|&axe| BlocFeuille {
            axe,
            libelle: libelle_axe(axe).into(),
            lignes: Vec::new(),
            sous_total: vec![Montant::ZERO; colonnes.len()],
        })
        .collect();
    for numero in fiches_executees(contrat, execution) {
        let a = s.fiche(numero, annee);
        let p = precedente.map(|p| s.fiche(numero, p)).unwrap_or_default();
        let mut v = valeurs(t, &a, &p);
        appliquer_formules(&colonnes, &mut v);
        // One line per action financed ([004] A10): the year's (or, for the recapitulative
        // table, the previous year's) plan, or any figure.
        let finance = |x: &AnneeFiche| {
            !(x.etat_notifie.est_nul() && x.collectivite_affectee.est_nul() && x.autres_prevus.est_nul())
        };
        let recap = t == TypeTableau::Recapitulatif;
        if v.iter().all(|m| m.est_nul()) && !finance(&a) && !(recap && finance(&p)) {
            continue;
        }
        let bloc = &mut blocs[numero.axe.numero() as usize - 1];
        for (st, m) in bloc.sous_total.iter_mut().zip(&v) {
            *st += *m;
        }
        bloc.lignes.push(LigneFeuille {
            numero,
            intitule: crate::execution::intitule_fiche(contrat, execution, numero),
            chorus: chorus.clone(),
            valeurs: v,
        });
    }
    // A département's table has no axis-2 block, unless a line sits there anyway.
    if genre == TypeContrat::Departement {
        blocs.retain(|b| b.axe != Axe::A2 || !b.lignes.is_empty());
    }
    let mut totaux = vec![Montant::ZERO; colonnes.len()];
    for b in &blocs {
        for (t, m) in totaux.iter_mut().zip(&b.sous_total) {
            *t += *m;
        }
    }
    let mut f = Feuille {
        type_tableau: t,
        annee,
        nom,
        titre,
        colonne_chorus: t == TypeTableau::Recapitulatif,
        colonnes,
        blocs,
        totaux,
        notes,
        constats: Vec::new(),
    };
    f.constats = crate::regles::execution::verifier_feuille(&f);
    f
}
