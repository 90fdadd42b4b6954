//! The form kit shared by the contract, fiche, derogation and account forms; each capability
//! reads its own form in its `formulaire.rs` with it.
//!
//! A form is read in two steps. [`Saisie`] holds exactly what the user typed, by field name;
//! [`Lecture`] turns it into domain values and collects a French error per faulty field. The
//! page is always rendered from a `Saisie` (typed text on a refused submission, the stored
//! values otherwise), through a [`Vue`] that attaches to each field its label, its error and the
//! findings whose target is that field.
//!
//! Field names are the paths findings use as targets, relative to the contract header or to
//! the fiche (`financement.etat.2024`, `indicateurs.0.t0`); their HTML ids are
//! [`id_champ`] of that path, so that the links of the contract page land on them.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use pacte_core::regles::Objet;
use pacte_core::{Constat, Date, Gravite, Montant, Valeur};
use serde::Serialize;

use crate::ui::{id_champ, lien_constat};

/// Most fields a form may carry; anything beyond is ignored.
const MAX_CHAMPS: usize = 5_000;
/// Most rows of a repeated block (co-funders, expense lines, indicators): the contract's
/// limit, so that what a form stores reads back from the file format.
pub const MAX_LIGNES: usize = pacte_core::contrat::LIGNES_MAX;
/// Longest one-line text, in characters (the contract's limit).
pub const MAX_COURT: usize = pacte_core::contrat::TEXTE_COURT_MAX;
/// Longest multi-line text, in characters (the contract's limit).
pub const MAX_LONG: usize = pacte_core::contrat::TEXTE_LONG_MAX;

/// What the user typed, field by field. A field absent from the form reads as empty.
#[derive(Debug, Clone, Default)]
pub struct Saisie {
    valeurs: HashMap<String, String>,
}

impl Saisie {
    /// From the pairs of a submitted form; when a name repeats, the first value counts.
    pub fn new(paires: Vec<(String, String)>) -> Saisie {
        let mut valeurs = HashMap::new();
        for (nom, valeur) in paires.into_iter().take(MAX_CHAMPS) {
            valeurs.entry(nom).or_insert(valeur);
        }
        Saisie { valeurs }
    }

    pub fn get(&self, nom: &str) -> &str {
        self.valeurs.get(nom).map(String::as_str).unwrap_or_default()
    }

    pub fn set(&mut self, nom: impl Into<String>, valeur: impl Into<String>) {
        self.valeurs.insert(nom.into(), valeur.into());
    }

    /// The names of the fields present in the form.
    pub fn noms(&self) -> impl Iterator<Item = &str> {
        self.valeurs.keys().map(String::as_str)
    }

    /// A checkbox is ticked when its field is present and not empty.
    pub fn coche(&self, nom: &str) -> bool {
        !self.get(nom).is_empty()
    }

    /// Number of rows of the repeated block `prefixe` (fields `prefixe.<i>.…`) in the form.
    pub fn lignes(&self, prefixe: &str) -> usize {
        let debut = format!("{prefixe}.");
        self.valeurs
            .keys()
            .filter_map(|k| k.strip_prefix(&debut)?.split('.').next()?.parse::<usize>().ok())
            .filter(|i| *i < MAX_LIGNES)
            .map(|i| i + 1)
            .max()
            .unwrap_or(0)
    }

    /// True when every field of row `prefixe.<i>` is empty.
    pub fn ligne_vide(&self, prefixe: &str, i: usize) -> bool {
        let debut = format!("{prefixe}.{i}.");
        self.valeurs
            .iter()
            .filter(|(k, _)| k.starts_with(&debut))
            .all(|(_, v)| v.trim().is_empty())
    }
}

/// A field error: the field's name and a French message naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErreurChamp {
    pub nom: String,
    pub message: String,
}

impl ErreurChamp {
    pub fn id(&self) -> String {
        id_champ(&self.nom)
    }
}

/// Reads typed text into domain values, collecting one error per faulty field.
pub struct Lecture<'s> {
    pub saisie: &'s Saisie,
    pub erreurs: Vec<ErreurChamp>,
}

impl<'s> Lecture<'s> {
    pub fn new(saisie: &'s Saisie) -> Lecture<'s> {
        Lecture {
            saisie,
            erreurs: Vec::new(),
        }
    }

    /// Records an error on `nom` (the first error of a field is kept).
    pub fn erreur(&mut self, nom: &str, message: impl Into<String>) {
        if !self.erreurs.iter().any(|e| e.nom == nom) {
            self.erreurs.push(ErreurChamp {
                nom: nom.to_string(),
                message: message.into(),
            });
        }
    }

    pub fn coche(&self, nom: &str) -> bool {
        self.saisie.coche(nom)
    }

    /// A one-line text, trimmed; `None` when empty.
    pub fn texte(&mut self, nom: &str, libelle: &str) -> Option<String> {
        let t = self.saisie.get(nom).trim();
        if t.is_empty() {
            return None;
        }
        // One-line fields come from <input>, which cannot carry a line break.
        let t: String = t
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        self.longueur(nom, libelle, &t, MAX_COURT).then_some(t)
    }

    /// A one-line text that must be given.
    pub fn texte_obligatoire(&mut self, nom: &str, libelle: &str) -> Option<String> {
        let t = self.texte(nom, libelle);
        if self.saisie.get(nom).trim().is_empty() {
            self.erreur(
                nom,
                format!("« {libelle} » est obligatoire : ce champ ne peut pas rester vide."),
            );
        }
        t
    }

    /// A multi-line text, line breaks normalised to `\n`; `None` when blank.
    pub fn texte_long(&mut self, nom: &str, libelle: &str) -> Option<String> {
        let brut = self.saisie.get(nom);
        if brut.trim().is_empty() {
            return None;
        }
        let t = brut.replace("\r\n", "\n").replace('\r', "\n");
        self.longueur(nom, libelle, &t, MAX_LONG).then_some(t)
    }

    fn longueur(&mut self, nom: &str, libelle: &str, t: &str, max: usize) -> bool {
        let n = t.chars().count();
        if n > max {
            self.erreur(
                nom,
                format!("« {libelle} » est trop long : {n} caractères pour {max} au plus."),
            );
            return false;
        }
        true
    }

    /// An amount in euros (`40000`, `40 000,50`); `None` when empty.
    pub fn montant(&mut self, nom: &str, libelle: &str) -> Option<Montant> {
        let t = self.saisie.get(nom);
        if t.trim().is_empty() {
            return None;
        }
        match Montant::parse(t) {
            Ok(m) => Some(m),
            Err(e) => {
                self.erreur(nom, format!("Montant invalide pour « {libelle} » : {e}."));
                None
            }
        }
    }

    /// An indicator value (`120`, `12,5`); `None` when empty.
    pub fn valeur(&mut self, nom: &str, libelle: &str) -> Option<Valeur> {
        let t = self.saisie.get(nom);
        if t.trim().is_empty() {
            return None;
        }
        match Valeur::parse(t) {
            Ok(v) => Some(v),
            Err(e) => {
                self.erreur(nom, format!("Valeur invalide pour « {libelle} » : {e}."));
                None
            }
        }
    }

    /// A date `AAAA-MM-JJ`; `None` when empty.
    pub fn date(&mut self, nom: &str, libelle: &str) -> Option<Date> {
        let t = self.saisie.get(nom);
        if t.trim().is_empty() {
            return None;
        }
        match Date::parse(t) {
            Ok(d) => Some(d),
            Err(e) => {
                self.erreur(nom, format!("Date invalide pour « {libelle} » : {e}."));
                None
            }
        }
    }

    /// A whole number in `min..=max`; `None` when empty.
    pub fn entier(&mut self, nom: &str, libelle: &str, min: u32, max: u32) -> Option<u32> {
        let t = self.saisie.get(nom).trim();
        if t.is_empty() {
            return None;
        }
        let n = t.parse::<u64>().ok();
        match n {
            Some(n) if (u64::from(min)..=u64::from(max)).contains(&n) => Some(n as u32),
            Some(_) => {
                self.erreur(
                    nom,
                    format!(
                        "Nombre invalide pour « {libelle} » : « {t} » doit être compris entre {min} et {max}."
                    ),
                );
                None
            }
            None => {
                self.erreur(
                    nom,
                    format!(
                        "Nombre invalide pour « {libelle} » : « {t} » n'est pas un nombre entier positif."
                    ),
                );
                None
            }
        }
    }

    /// One of the `options` (form value, domain value); `None` when empty.
    pub fn choix<T: Copy>(&mut self, nom: &str, libelle: &str, options: &[(&str, &str, T)]) -> Option<T> {
        let t = self.saisie.get(nom).trim();
        if t.is_empty() {
            return None;
        }
        match options.iter().find(|(v, _, _)| *v == t) {
            Some((_, _, x)) => Some(*x),
            None => {
                let admis: Vec<&str> = options.iter().map(|(_, l, _)| *l).collect();
                self.erreur(
                    nom,
                    format!(
                        "Valeur inconnue pour « {libelle} » : « {} » ; valeurs admises : {}.",
                        abrege(t, 60),
                        admis.join(", ")
                    ),
                );
                None
            }
        }
    }
}

/// `t` cut to `n` characters, with an ellipsis when cut.
pub fn abrege(t: &str, n: usize) -> String {
    if t.chars().count() <= n {
        t.to_string()
    } else {
        let mut s: String = t.chars().take(n).collect();
        s.push('…');
        s
    }
}

/// The text form of a small serde enum (`"renforcee"`).
pub fn nom_serde<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A finding as shown next to a field or in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstatVu {
    pub code: &'static str,
    pub bloquant: bool,
    pub gravite: &'static str,
    pub message: String,
    pub source: &'static str,
    /// Where the finding links to (its field on a form, or the fiche page).
    pub lien: String,
}

impl ConstatVu {
    /// `modifiable`: the reader may change the contract, so the link goes to the field on its
    /// form (see [`lien_constat`]).
    pub fn new(c: &Constat, contrat_id: i64, modifiable: bool) -> ConstatVu {
        ConstatVu {
            code: c.code,
            bloquant: c.gravite == Gravite::Bloquant,
            gravite: c.gravite.libelle(),
            message: c.message.clone(),
            source: c.source,
            lien: lien_constat(contrat_id, &c.cible, modifiable),
        }
    }

    /// Suffix of the CSS class `pacte-constat-…`.
    pub fn classe(&self) -> &'static str {
        if self.bloquant { "bloquant" } else { "alerte" }
    }
}

/// Where findings go on a form: next to the field (or the group) their target names, by
/// HTML id; the others in a panel at the top.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    pub par_ancre: HashMap<String, Vec<ConstatVu>>,
    pub panneau: Vec<ConstatVu>,
}

impl Placement {
    /// Places the findings about `objet` (a fiche, or the contract and its header): on the
    /// field named by the target's path within the object, else on the closest enclosing
    /// group, else in the panel. `ancres` are the ids the form carries.
    pub fn new(constats: &[Constat], objet: Objet, ancres: &HashSet<String>, contrat_id: i64) -> Placement {
        let mut p = Placement::default();
        for c in constats.iter().filter(|c| c.cible.objet() == objet) {
            let reste = c.cible.champ();
            // The forms are shown only to whoever may change the contract.
            let vu = ConstatVu::new(c, contrat_id, true);
            let morceaux: Vec<&str> = reste.split(['.', '[', ']']).filter(|m| !m.is_empty()).collect();
            let ancre = (1..=morceaux.len())
                .rev()
                .map(|n| format!("champ-{}", morceaux[..n].join("-")))
                .find(|id| ancres.contains(id));
            match ancre {
                Some(id) => p.par_ancre.entry(id).or_default().push(vu),
                None => p.panneau.push(vu),
            }
        }
        p
    }
}

/// One field of a form, ready to render.
#[derive(Debug, Clone)]
pub struct Champ {
    pub nom: String,
    pub id: String,
    /// Visible label.
    pub libelle: String,
    /// Label complement read by screen readers only (the line of a year input).
    pub precision: String,
    pub aide: String,
    pub valeur: String,
    pub erreur: Option<String>,
    pub constats: Vec<ConstatVu>,
}

impl Champ {
    pub fn coche(&self) -> bool {
        !self.valeur.is_empty()
    }

    /// Ids of the texts describing the field, for `aria-describedby`.
    pub fn decrit_par(&self) -> String {
        let mut ids = Vec::new();
        if !self.aide.is_empty() {
            ids.push(format!("{}-aide", self.id));
        }
        if self.erreur.is_some() {
            ids.push(format!("{}-erreur", self.id));
        }
        if !self.constats.is_empty() {
            ids.push(format!("{}-constats", self.id));
        }
        ids.join(" ")
    }

    pub fn avec_aide(mut self, aide: impl Into<String>) -> Champ {
        self.aide = aide.into();
        self
    }

    pub fn avec_precision(mut self, precision: impl Into<String>) -> Champ {
        self.precision = precision.into();
        self
    }

    /// [`Champ::avec_precision`], also recorded by the view for the field's full name.
    pub fn precise(self, v: &Vue, precision: impl Into<String>) -> Champ {
        let c = self.avec_precision(precision);
        v.nommer(&c);
        c
    }
}

/// A group of options of a select (no `<optgroup>` when `libelle` is empty).
#[derive(Debug, Clone)]
pub struct GroupeOptions {
    pub libelle: String,
    /// (value, label).
    pub options: Vec<(String, String)>,
}

/// A select field.
#[derive(Debug, Clone)]
pub struct Choix {
    pub c: Champ,
    pub groupes: Vec<GroupeOptions>,
}

/// A group of fields (fieldset, row) that findings may target as a whole.
#[derive(Debug, Clone)]
pub struct Groupe {
    pub id: String,
    pub constats: Vec<ConstatVu>,
}

/// Builds the fields of a page from a [`Saisie`], its errors and the placed findings.
pub struct Vue<'a> {
    saisie: &'a Saisie,
    erreurs: &'a [ErreurChamp],
    constats: HashMap<String, Vec<ConstatVu>>,
    ancres: RefCell<Vec<String>>,
    /// Every field built so far, in page order: (name, label, option labels of a select).
    libelles: RefCell<Vec<LibelleChamp>>,
}

/// A field of a page as the person sees it: what [`crate::ui::conflit`] names a field by.
#[derive(Debug, Clone, Default)]
pub struct LibelleChamp {
    pub nom: String,
    /// The label and its screen-reader complement (« 2024 — État »).
    pub libelle: String,
    /// For a select: (value, label) of its options.
    pub options: Vec<(String, String)>,
}

impl<'a> Vue<'a> {
    pub fn new(saisie: &'a Saisie, erreurs: &'a [ErreurChamp], placement: Option<&Placement>) -> Vue<'a> {
        Vue {
            saisie,
            erreurs,
            constats: placement.map(|p| p.par_ancre.clone()).unwrap_or_default(),
            ancres: RefCell::new(Vec::new()),
            libelles: RefCell::new(Vec::new()),
        }
    }

    /// The fields built so far, in page order.
    pub fn libelles(&self) -> Vec<LibelleChamp> {
        self.libelles.borrow().clone()
    }

    /// Records the label of field `nom`, completed by `precision` (after [`Vue::champ`]).
    pub fn nommer(&self, c: &Champ) {
        let mut l = self.libelles.borrow_mut();
        if let Some(x) = l.iter_mut().rev().find(|x| x.nom == c.nom) {
            x.libelle = format!("{}{}", c.libelle, c.precision);
        }
    }

    /// The ids of every field and group built so far.
    pub fn ancres(&self) -> HashSet<String> {
        self.ancres.borrow().iter().cloned().collect()
    }

    fn constats_de(&self, id: &str) -> Vec<ConstatVu> {
        self.ancres.borrow_mut().push(id.to_string());
        self.constats.get(id).cloned().unwrap_or_default()
    }

    pub fn saisie(&self) -> &Saisie {
        self.saisie
    }

    pub fn champ(&self, nom: &str, libelle: impl Into<String>) -> Champ {
        let id = id_champ(nom);
        let libelle = libelle.into();
        self.libelles.borrow_mut().push(LibelleChamp {
            nom: nom.to_string(),
            libelle: libelle.clone(),
            options: Vec::new(),
        });
        Champ {
            nom: nom.to_string(),
            constats: self.constats_de(&id),
            libelle,
            precision: String::new(),
            aide: String::new(),
            valeur: self.saisie.get(nom).to_string(),
            erreur: self
                .erreurs
                .iter()
                .find(|e| e.nom == nom)
                .map(|e| e.message.clone()),
            id,
        }
    }

    /// A select; the typed value is kept as an extra option when it is not among `groupes`.
    pub fn choix(&self, nom: &str, libelle: impl Into<String>, mut groupes: Vec<GroupeOptions>) -> Choix {
        let c = self.champ(nom, libelle);
        if let Some(l) = self.libelles.borrow_mut().last_mut() {
            l.options = groupes.iter().flat_map(|g| g.options.iter().cloned()).collect();
        }
        let connue = c.valeur.is_empty()
            || groupes
                .iter()
                .any(|g| g.options.iter().any(|(v, _)| *v == c.valeur));
        if !connue {
            groupes.push(GroupeOptions {
                libelle: "Valeur actuelle, absente de la liste".into(),
                options: vec![(c.valeur.clone(), abrege(&c.valeur, 80))],
            });
        }
        Choix { c, groupes }
    }

    pub fn groupe(&self, nom: &str) -> Groupe {
        let id = id_champ(nom);
        Groupe {
            constats: self.constats_de(&id),
            id,
        }
    }
}

/// Options without groups, after an empty first choice labelled `vide`.
pub fn options_simples(vide: &str, options: &[(&str, &str)]) -> Vec<GroupeOptions> {
    let mut o = vec![(String::new(), vide.to_string())];
    o.extend(options.iter().map(|(v, l)| (v.to_string(), l.to_string())));
    vec![GroupeOptions {
        libelle: String::new(),
        options: o,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lignes_et_lecture() {
        let s = Saisie::new(vec![
            ("depenses.0.poste".into(), "Personnel".into()),
            ("depenses.2.poste".into(), "".into()),
            ("depenses.999.poste".into(), "x".into()),
            ("montant".into(), "-5".into()),
        ]);
        assert_eq!(s.lignes("depenses"), 3);
        assert!(s.ligne_vide("depenses", 2));
        let mut l = Lecture::new(&s);
        assert_eq!(l.montant("montant", "État 2024"), None);
        assert_eq!(
            l.erreurs[0].message,
            "Montant invalide pour « État 2024 » : « -5 » est négatif : un montant ne peut pas être négatif."
        );
    }

    #[test]
    fn placement_au_plus_pres() {
        let c = |cible: &str| Constat {
            code: "R-X",
            gravite: Gravite::Bloquant,
            cible: cible.parse().unwrap(),
            message: "m".into(),
            source: "s",
        };
        let ancres: HashSet<String> = [
            "champ-financement-etat-2024",
            "champ-indicateurs-0",
            "champ-depenses",
        ]
        .map(String::from)
        .into();
        let p = Placement::new(
            &[
                c("fiches[1.1].financement.etat.2024"),
                c("fiches[1.1].indicateurs[0].cibles"),
                c("fiches[1.1].depenses.2025"),
                c("fiches[1.1]"),
                c("fiches[1.10].financement.etat.2024"),
                c("contrat.debut"),
            ],
            Objet::Fiche(pacte_core::NumeroFiche::parse("1.1").unwrap()),
            &ancres,
            7,
        );
        assert_eq!(p.par_ancre.len(), 3);
        assert_eq!(p.panneau.len(), 1);
        assert_eq!(
            p.par_ancre["champ-financement-etat-2024"][0].lien,
            "/contrats/7/fiches/1.1/modifier#champ-financement-etat-2024"
        );
    }
}
