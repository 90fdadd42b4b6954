//! The rules of a contract's money after signature (R-FIN-05 to R-FIN-12 on notified amounts,
//! avenants, payments and carry-overs) and of the annexe 10 tables computed from it (R-TAB-04,
//! R-TAB-05). They read a contract and its [`Execution`], not the contract alone, so they have
//! their own catalogue beside the contract's ([`CATALOGUE_EXECUTION`]); their findings are
//! ordinary [`Constat`]s.

use crate::contrat::{Axe, Contrat, NumeroFiche};
use crate::execution::{
    Execution, LECTURES, PROGRAMME_304, SituationFinanciere, propositions_reduction, situation,
};
use crate::financement::par_axe;
use crate::tableau::{Feuille, TypeTableau, feuille_depuis};
use crate::{Annee, Montant};

use super::{CibleConstat, Constat, Gravite};

/// What the execution rules read: the contract, its execution and the situation computed once.
pub struct ContexteExecution<'c> {
    pub contrat: &'c Contrat,
    pub execution: &'c Execution,
    pub situation: SituationFinanciere,
}

/// A rule of the execution catalogue.
#[derive(Debug)]
pub struct RegleExecution {
    pub code: &'static str,
    pub gravite: Gravite,
    pub intitule: &'static str,
    pub source: &'static str,
    pub lecture: &'static str,
    verifier: fn(&RegleExecution, &ContexteExecution, &mut Vec<Constat>),
}

fn constat(r: &RegleExecution, cible: CibleConstat, message: impl Into<String>) -> Constat {
    Constat {
        code: r.code,
        gravite: r.gravite,
        cible,
        message: message.into(),
        source: r.source,
    }
}

fn cible_annee(fiche: NumeroFiche, annee: Annee, champ: &str) -> CibleConstat {
    CibleConstat::fiche(fiche).et(format!("execution.{annee}.{champ}"))
}

fn cible_execution(champ: String) -> CibleConstat {
    CibleConstat::en_tete(format!("execution.{champ}"))
}

/// The State amount notified for an axis and a year: the axis notification when recorded,
/// else the sum of its fiches' notified amounts (annexe 10 column A); `None` when nothing of
/// the year is notified (the contract's catalogue then checks the plan).
fn notifie_axe(ctx: &ContexteExecution, axe: Axe, annee: Annee) -> Option<Montant> {
    let e = ctx.execution;
    e.notifie_axe(axe, annee).or_else(|| {
        let fiches: Vec<_> = crate::execution::fiches_executees(ctx.contrat, e)
            .into_iter()
            .filter(|f| f.axe == axe)
            .collect();
        let notifies: Vec<Montant> = fiches.iter().filter_map(|&f| e.etat_notifie(f, annee)).collect();
        (!notifies.is_empty()).then(|| {
            fiches
                .iter()
                .map(|&f| crate::execution::etat_prevu(ctx.contrat, e, f, annee))
                .sum()
        })
    })
}

/// R-FIN-03 on notified amounts: each year, the State amounts notified for the axes stay
/// within the global ceiling (`financement::par_axe`).
fn r_fin_03(r: &RegleExecution, ctx: &ContexteExecution, out: &mut Vec<Constat>) {
    let f = par_axe(ctx.contrat);
    if !f.plafond_complet {
        return;
    }
    for annee in Annee::TOUTES {
        let notifies: Vec<Montant> = f
            .type_contrat
            .axes()
            .iter()
            .filter_map(|&a| notifie_axe(ctx, a, annee))
            .collect();
        if notifies.is_empty() {
            continue;
        }
        let total: Montant = notifies.into_iter().sum();
        if total > f.plafond_global {
            out.push(constat(
                r,
                cible_execution(format!("notifications.{annee}")),
                format!(
                    "{annee} : la participation État notifiée ({total}) dépasse le plafond global de {} (somme des montants proposés par axe).",
                    f.plafond_global
                ),
            ));
        }
    }
}

/// R-FIN-04 on notified amounts: each axis keeps its 20 % floor (`financement::par_axe`).
fn r_fin_04(r: &RegleExecution, ctx: &ContexteExecution, out: &mut Vec<Constat>) {
    let f = par_axe(ctx.contrat);
    for annee in Annee::TOUTES {
        for a in &f.axes {
            let Some(socle) = a.reperes.socle else {
                continue;
            };
            let Some(n) = notifie_axe(ctx, a.axe, annee) else {
                continue;
            };
            if n < socle {
                out.push(constat(
                    r,
                    cible_execution(format!("notifications.{annee}.{}", a.axe.numero())),
                    format!(
                        "{annee}, {} : la participation État notifiée ({n}) est sous le socle de 20 % du montant proposé ({socle}).",
                        a.axe
                    ),
                ));
            }
        }
    }
}

/// R-FIN-05: the notified State amount of a fiche in 2025 and 2026 is its 2024 amount, less a
/// decided reduction of that year.
fn r_fin_05(r: &RegleExecution, ctx: &ContexteExecution, out: &mut Vec<Constat>) {
    let e = ctx.execution;
    let [premiere, deuxieme, troisieme, _] = Annee::TOUTES;
    for f in crate::execution::fiches_executees(ctx.contrat, e) {
        let Some(base) = e.etat_notifie(f, premiere) else {
            continue;
        };
        for annee in [deuxieme, troisieme] {
            let Some(n) = e.etat_notifie(f, annee) else {
                continue;
            };
            let reduction = e.reduction_decidee(f, annee);
            let attendu = base - reduction;
            if n != attendu {
                let detail = if reduction.est_nul() {
                    String::new()
                } else {
                    format!(", moins la réduction décidée de {reduction}")
                };
                out.push(constat(
                    r,
                    cible_annee(f, annee, "etat_notifie"),
                    format!(
                        "Fiche {f} : la participation État notifiée pour {annee} ({n}) diffère de celle de {premiere} ({base}{detail}), soit {attendu} attendus."
                    ),
                ));
            }
        }
    }
}

/// R-FIN-06: a manifest under-consumption proposes a reduction, awaiting the commissaire.
fn r_fin_06(r: &RegleExecution, ctx: &ContexteExecution, out: &mut Vec<Constat>) {
    for annee in Annee::TOUTES {
        for p in propositions_reduction(ctx.contrat, ctx.execution, &ctx.situation, annee) {
            let decidee = ctx
                .execution
                .reductions
                .iter()
                .any(|x| x.fiche == p.fiche && x.annee == annee && x.decision.is_some());
            if decidee {
                continue;
            }
            out.push(constat(
                r,
                cible_annee(p.fiche, annee, "reduction"),
                format!(
                    "Fiche {} : {} consommés en {} sur {} de crédits État disponibles (moins de 50 %) ; réduction proposée de {} sur {annee}, à justifier par la collectivité et à décider par le ou la commissaire.",
                    p.fiche,
                    p.realise,
                    annee.valeur() - 1,
                    p.disponible,
                    p.montant
                ),
            ));
        }
    }
}

/// R-FIN-09: an avenant has both parties' express agreement (dated), its date, and a reason for
/// every fiche it changes; a fiche it adds is new, a fiche it changes exists.
fn r_fin_09(r: &RegleExecution, ctx: &ContexteExecution, out: &mut Vec<Constat>) {
    for (i, a) in ctx.execution.avenants.iter().enumerate() {
        let nom = format!("Avenant {} de {}", i + 1, a.annee);
        for (champ, manque, quoi) in [
            ("date", a.date.is_none(), "n'est pas daté"),
            (
                "accord_etat",
                a.accord_etat.is_none(),
                "n'a pas l'accord exprès daté de l'État",
            ),
            (
                "accord_collectivite",
                a.accord_collectivite.is_none(),
                "n'a pas l'accord exprès daté de la collectivité",
            ),
        ] {
            if manque {
                out.push(constat(
                    r,
                    cible_execution(format!("avenants[{i}].{champ}")),
                    format!("{nom} {quoi}."),
                ));
            }
        }
        if let Some(d) = a.date {
            for (champ, accord) in [
                ("accord_etat", a.accord_etat),
                ("accord_collectivite", a.accord_collectivite),
            ] {
                if accord.is_some_and(|x| x > d) {
                    out.push(constat(
                        r,
                        cible_execution(format!("avenants[{i}].{champ}")),
                        format!("{nom} : l'accord est daté après l'avenant ({d})."),
                    ));
                }
            }
        }
        for l in &a.lignes {
            let existe = ctx.contrat.fiche(l.fiche).is_some();
            let probleme = if l.ajoutee && existe {
                Some("ajoute une fiche qui existe déjà au contrat")
            } else if !l.ajoutee && !existe {
                Some("modifie une fiche absente du contrat (une fiche nouvelle se déclare « ajoutée »)")
            } else if l.motif.trim().is_empty() {
                Some("ne donne pas le motif du changement")
            } else {
                None
            };
            if let Some(p) = probleme {
                out.push(constat(
                    r,
                    cible_annee(l.fiche, a.annee, "avenant"),
                    format!("{nom}, fiche {} : {p}.", l.fiche),
                ));
            }
        }
    }
}

/// R-FIN-10: a payment is charged to programme 304, with its Chorus imputation, the
/// collectivity's bank details, the authorising officer and the assigned accountant.
fn r_fin_10(r: &RegleExecution, ctx: &ContexteExecution, out: &mut Vec<Constat>) {
    for (i, v) in ctx.execution.versements.iter().enumerate() {
        let nom = format!("Versement du {} ({})", v.date, v.montant);
        if v.programme != PROGRAMME_304 {
            out.push(constat(
                r,
                cible_execution(format!("versements[{i}].programme")),
                format!(
                    "{nom} : imputé sur le programme {} ; la dépense s'impute sur le programme 304 « Inclusion sociale et protection des personnes ».",
                    v.programme
                ),
            ));
        }
        for (champ, valeur, libelle) in [
            ("code_chorus", &v.code_chorus, "le code Chorus"),
            ("libelle_chorus", &v.libelle_chorus, "le libellé long Chorus"),
            ("iban", &v.iban, "les coordonnées bancaires de la collectivité"),
            ("ordonnateur", &v.ordonnateur, "l'ordonnateur"),
            ("comptable", &v.comptable, "le comptable assignataire"),
        ] {
            if valeur.trim().is_empty() {
                out.push(constat(
                    r,
                    cible_execution(format!("versements[{i}].{champ}")),
                    format!("{nom} : {libelle} manque."),
                ));
            }
        }
    }
}

/// R-FIN-11: no carry-over beyond the convention (31/12/2027).
fn r_fin_11(r: &RegleExecution, ctx: &ContexteExecution, out: &mut Vec<Constat>) {
    let derniere = Annee::TOUTES[3];
    for rep in ctx.execution.reports.iter().filter(|x| x.annee == derniere) {
        if rep.etat.est_nul() && rep.collectivite.est_nul() {
            continue;
        }
        out.push(constat(
            r,
            cible_annee(rep.fiche, derniere, "report"),
            format!(
                "Fiche {} : aucun crédit ne se reporte au-delà de la convention (31/12/{derniere}) ; les crédits État non consommés font l'objet d'un titre de reversement.",
                rep.fiche
            ),
        ));
    }
}

/// R-FIN-12: a carry-over is at most the year's unconsumed credits (State and CD apart).
fn r_fin_12(r: &RegleExecution, ctx: &ContexteExecution, out: &mut Vec<Constat>) {
    for annee in Annee::TOUTES {
        for (&f, a) in ctx.situation.annee(annee) {
            for (champ, report, non_consomme, part) in [
                ("report_etat", a.report_etat, a.etat_non_consomme, "État"),
                (
                    "report_collectivite",
                    a.report_collectivite,
                    a.collectivite_non_consommee,
                    "collectivité",
                ),
            ] {
                if report > non_consomme.max(Montant::ZERO) {
                    out.push(constat(
                        r,
                        cible_annee(f, annee, champ),
                        format!(
                            "Fiche {f} : le report {part} de {annee} ({report}) dépasse les crédits {part} non consommés ({non_consomme})."
                        ),
                    ));
                }
            }
        }
    }
}

/// R-TAB-04 and R-TAB-05 on every table of the contract.
fn r_tab(code: &'static str, t: TypeTableau, ctx: &ContexteExecution, out: &mut Vec<Constat>) {
    for annee in Annee::TOUTES {
        if crate::tableau::annee_admise(t, annee).is_err() {
            continue;
        }
        let f = feuille_depuis(ctx.contrat, ctx.execution, &ctx.situation, t, annee);
        out.extend(f.constats.into_iter().filter(|c| c.code == code));
    }
}

fn r_tab_04(_: &RegleExecution, ctx: &ContexteExecution, out: &mut Vec<Constat>) {
    r_tab("R-TAB-04", TypeTableau::Bilan, ctx, out);
}

fn r_tab_05(_: &RegleExecution, ctx: &ContexteExecution, out: &mut Vec<Constat>) {
    r_tab("R-TAB-05", TypeTableau::Recapitulatif, ctx, out);
}

macro_rules! regle {
    ($code:literal, $gravite:ident, $intitule:literal, $source:literal, $lecture:literal, $f:path) => {
        RegleExecution {
            code: $code,
            gravite: Gravite::$gravite,
            intitule: $intitule,
            source: $source,
            lecture: $lecture,
            verifier: $f,
        }
    };
}

/// The execution rules, in the order of rules.md.
pub static CATALOGUE_EXECUTION: &[RegleExecution] = &[
    regle!(
        "R-FIN-03",
        Bloquant,
        "Chaque année, la participation de l'État notifiée ne dépasse pas la somme des montants proposés par axe (plafond global).",
        "Instruction du 27/10/2023, annexe 5, II.a",
        "Une fois notifiés, les montants de l'année remplacent les montants prévus : notification de l'axe, sinon somme des participations notifiées de ses fiches.",
        r_fin_03
    ),
    regle!(
        "R-FIN-04",
        Bloquant,
        "Chaque année, la participation de l'État notifiée sur chaque axe garde au moins 20 % du montant proposé pour lui.",
        "Instruction du 27/10/2023, annexe 5, II.a",
        "Socle et plafond sont ceux de financement::par_axe, comme pour le contrat.",
        r_fin_04
    ),
    regle!(
        "R-FIN-05",
        Alerte,
        "La participation État notifiée d'une fiche pour 2025 et 2026 reprend celle de 2024, sauf réduction décidée.",
        "Instruction du 27/10/2023, annexe 5, II.d ; annexe 8, article 2.2",
        "Le montant d'une année est celui du dernier avenant de l'année, sinon celui de la notification.",
        r_fin_05
    ),
    regle!(
        "R-FIN-06",
        Alerte,
        "Une sous-consommation manifeste des crédits État de l'année n-1, sans lien avec la trajectoire prévue, conduit à proposer une réduction de l'année n.",
        "Instruction du 27/10/2023, annexe 5, II.d ; annexe 8, article 2.2",
        "Manifeste : moins de 50 % des crédits disponibles consommés, trajectoire non en cause ; réduction proposée = crédits non consommés et non reportés, au plus la participation de n (L-06).",
        r_fin_06
    ),
    regle!(
        "R-FIN-09",
        Bloquant,
        "Un avenant financier annuel porte sa date, l'accord exprès daté des deux parties et, pour chaque fiche modifiée ou ajoutée, son montant et son motif.",
        "Instruction du 27/10/2023, annexe 5, VI.a et V.c",
        "",
        r_fin_09
    ),
    regle!(
        "R-FIN-10",
        Bloquant,
        "Un versement de l'État est imputé sur le programme 304, avec son imputation Chorus, les coordonnées bancaires de la collectivité, l'ordonnateur et le comptable assignataire.",
        "Instruction du 27/10/2023, annexe 8, articles 3 et 5 ; annexe 10, PREVISIONNEL 2025",
        "Un versement annuel par contrat, réparti entre les fiches au prorata de leur participation État (L-05).",
        r_fin_10
    ),
    regle!(
        "R-FIN-11",
        Bloquant,
        "Aucun crédit n'est reporté au-delà de la convention (31/12/2027) ; les crédits État versés et non consommés font l'objet d'un titre de reversement.",
        "Instruction du 27/10/2023, annexe 8, article 5",
        "Le reversement est, par fiche, la somme des versements 2024-2027 moins la somme des montants État réalisés (L-04, L-08).",
        r_fin_11
    ),
    regle!(
        "R-FIN-12",
        Bloquant,
        "Le report d'une année sur la suivante ne dépasse pas les crédits non consommés : part État et part collectivité séparément.",
        "Instruction du 27/10/2023, annexe 10, BILAN 2024 et PREVISIONNEL 2025",
        "Crédits non consommés = versés (ou affectés pour la collectivité) + reports reçus − réalisé (L-01).",
        r_fin_12
    ),
    regle!(
        "R-TAB-04",
        Bloquant,
        "Au bilan, le montant État réalisé ne dépasse pas les crédits État disponibles (versés + reports reçus) : B ≥ 0.",
        "Instruction du 27/10/2023, annexe 10, BILAN 2024",
        "B = versés + reports reçus − A (L-01) ; total réalisé = A + C, sans les autres financeurs (L-03).",
        r_tab_04
    ),
    regle!(
        "R-TAB-05",
        Alerte,
        "Au prévisionnel récapitulatif, les budgets totaux État et collectivité sont égaux (I = K) et les crédits nouveaux aussi (H = J).",
        "Instruction du 27/10/2023, annexe 10, PREVISIONNEL 2025",
        "K = G + J et non G + I comme imprimé (X-01, L-07).",
        r_tab_05
    ),
];

/// Checks the execution rules. Findings are sorted: blocking first, then by rule order.
pub fn verifier_execution(contrat: &Contrat, execution: &Execution) -> Vec<Constat> {
    let ctx = ContexteExecution {
        contrat,
        execution,
        situation: situation(contrat, execution),
    };
    let mut out = Vec::new();
    for r in CATALOGUE_EXECUTION {
        (r.verifier)(r, &ctx, &mut out);
    }
    out.sort_by_key(|c| c.gravite);
    out
}

fn regle_execution(code: &str) -> &'static RegleExecution {
    CATALOGUE_EXECUTION
        .iter()
        .find(|r| r.code == code)
        .expect("rule of the execution catalogue")
}

/// The findings of one table, from its figures (R-TAB-04 on a Bilan, R-TAB-05 on a
/// recapitulative forecast). The one implementation of these rules.
pub fn verifier_feuille(f: &Feuille) -> Vec<Constat> {
    let mut out = Vec::new();
    let n = f.annee;
    match f.type_tableau {
        TypeTableau::Bilan => {
            let r = regle_execution("R-TAB-04");
            let (Some(a), Some(b)) = (f.colonne("A"), f.colonne("B")) else {
                return out;
            };
            for l in f.lignes() {
                if l.valeurs[b] < Montant::ZERO {
                    out.push(constat(
                        r,
                        cible_annee(l.numero, n, "realise_etat"),
                        format!(
                            "Bilan {n}, fiche {} : le montant État réalisé ({}) dépasse de {} les crédits État disponibles (versés et reports reçus).",
                            l.numero,
                            l.valeurs[a],
                            Montant::ZERO - l.valeurs[b]
                        ),
                    ));
                }
            }
        }
        TypeTableau::Recapitulatif => {
            let r = regle_execution("R-TAB-05");
            let c = |x| f.colonne(x).expect("recapitulative column");
            let (h, i, j, k) = (c("H"), c("I"), c("J"), c("K"));
            for l in f.lignes() {
                let v = &l.valeurs;
                if v[i] != v[k] {
                    out.push(constat(
                        r,
                        cible_annee(l.numero, n, "budget_total"),
                        format!(
                            "Prévisionnel {n}, fiche {} : budget total État I = {} et budget total collectivité K = {} diffèrent (50/50 reports compris).",
                            l.numero, v[i], v[k]
                        ),
                    ));
                }
                if v[h] != v[j] {
                    out.push(constat(
                        r,
                        cible_annee(l.numero, n, "credits_nouveaux"),
                        format!(
                            "Prévisionnel {n}, fiche {} : participation État notifiée H = {} et crédits collectivité affectés J = {} diffèrent (50/50 sur les crédits nouveaux).",
                            l.numero, v[h], v[j]
                        ),
                    ));
                }
            }
        }
        TypeTableau::Previsionnel => {}
    }
    out
}

/// The execution rules and the readings of the tables, as a Markdown section of
/// `docs/REGLES.md`.
pub fn section_markdown() -> String {
    let mut s = String::from(
        "\n## Exécution financière et tableaux de l'annexe 10\n\n\
         Ces règles portent sur l'argent du contrat après sa signature : montants notifiés, \
         avenants, versements, exécution au 31 décembre, reports, réductions et reversement.\n\n\
         | Code | Gravité | Règle | Source | Lecture retenue |\n|---|---|---|---|---|\n",
    );
    for r in CATALOGUE_EXECUTION {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.code,
            r.gravite.libelle(),
            r.intitule,
            r.source,
            if r.lecture.is_empty() { "—" } else { r.lecture }
        ));
    }
    s.push_str(
        "\nLa règle R-FIN-07 (montant de 2027 après l'évaluation à mi-parcours) lit l'atteinte des \
         cibles par action que mesure la campagne des indicateurs de 2025, mise en regard de la \
         consommation des crédits (`campagne::evaluation_mi_parcours`, lectures L-CAMP-01 à 03).\n\n\
         ### Lectures retenues\n\n\
         Les sources laissent ces questions ouvertes ; Pacte retient la lecture qu'un contrôleur \
         défendrait, et l'écrit sous le tableau concerné.\n\n\
         | Lecture | Question | Lecture retenue | Source |\n|---|---|---|---|\n",
    );
    for l in LECTURES {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            l.code, l.question, l.lecture, l.source
        ));
    }
    s
}
