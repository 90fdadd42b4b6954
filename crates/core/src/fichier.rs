//! The contract file: reading TOML written by hand into a [`Contrat`], with French errors that
//! name the line, the column and the field; writing a contract back; the JSON Schema.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Contrat;

/// Why a contract file could not be read. Shown to users as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErreurLecture {
    /// 1-based line, when known.
    pub ligne: Option<usize>,
    /// 1-based column (in characters), when known.
    pub colonne: Option<usize>,
    /// Path of the field in the file: `fiches[2].financement.etat.2028`.
    pub champ: Option<String>,
    /// French explanation.
    pub message: String,
    /// The text is not well-formed (TOML or JSON syntax), as opposed to well-formed data that
    /// the contract types refuse.
    pub syntaxe: bool,
}

impl fmt::Display for ErreurLecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lieu = Vec::new();
        if let Some(l) = self.ligne {
            lieu.push(format!("ligne {l}"));
        }
        if let Some(c) = self.colonne {
            lieu.push(format!("colonne {c}"));
        }
        if let Some(ch) = &self.champ {
            lieu.push(format!("champ « {ch} »"));
        }
        if lieu.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{} : {}", lieu.join(", "), self.message)
        }
    }
}

impl std::error::Error for ErreurLecture {}

/// 1-based line and column (in characters) of a byte offset.
fn ligne_colonne(texte: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(texte.len());
    let avant = &texte[..texte.floor_char_boundary(offset)];
    let ligne = avant.matches('\n').count() + 1;
    let debut_ligne = avant.rfind('\n').map_or(0, |i| i + 1);
    (ligne, avant[debut_ligne..].chars().count() + 1)
}

/// The field path of a serde_path_to_error error, completed with the missing field's name
/// (serde reports a missing field on the object that lacks it).
fn chemin_erreur(chemin: &serde_path_to_error::Path, message: &str) -> Option<String> {
    // `?` stands for a key serde never read (a syntax error inside an object): drop it.
    let chemin = chemin.to_string();
    let chemin = chemin.trim_end_matches(".?").trim_end_matches('?').to_string();
    let chemin = (chemin != "." && !chemin.is_empty()).then_some(chemin);
    let manquant = message
        .strip_prefix("missing field ")
        .and_then(|r| r.split('`').nth(1));
    match (chemin, manquant) {
        (Some(c), Some(m)) => Some(format!("{c}.{m}")),
        (None, Some(m)) => Some(m.to_string()),
        (c, None) => c,
    }
}

/// Reads a contract file written in TOML.
pub fn lire_toml(texte: &str) -> Result<Contrat, ErreurLecture> {
    lire_toml_en(texte)
}

/// Reads any Pacte value from TOML, with the same French errors.
pub fn lire_toml_en<T: DeserializeOwned>(texte: &str) -> Result<T, ErreurLecture> {
    let erreur = |e: &toml::de::Error, champ: Option<String>, syntaxe: bool| {
        let (ligne, colonne) = match e.span() {
            Some(s) => {
                let (l, c) = ligne_colonne(texte, s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ErreurLecture {
            ligne,
            colonne,
            champ,
            message: traduire(e.message()),
            syntaxe,
        }
    };
    let de = toml::Deserializer::parse(texte).map_err(|e| erreur(&e, None, true))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let champ = chemin_erreur(e.path(), e.inner().message());
        erreur(e.inner(), champ, false)
    })
}

/// Reads any Pacte value from JSON (API bodies), with the same French errors as TOML files.
pub fn lire_json<T: DeserializeOwned>(texte: &str) -> Result<T, ErreurLecture> {
    let mut de = serde_json::Deserializer::from_str(texte);
    let resultat = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| (chemin_erreur(e.path(), &e.inner().to_string()), e.into_inner()))
        .and_then(|v| de.end().map(|()| v).map_err(|e| (None, e)));
    resultat.map_err(|(champ, e)| {
        let brut = e.to_string();
        let message = brut
            .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
            .unwrap_or(&brut);
        let (ligne, colonne) = if e.line() == 0 {
            (None, None)
        } else {
            (Some(e.line()), Some(e.column()))
        };
        ErreurLecture {
            ligne,
            colonne,
            champ,
            message: traduire(message),
            syntaxe: !matches!(e.classify(), serde_json::error::Category::Data),
        }
    })
}

/// Writes a contract back as TOML, in the same shape a person writes it (dates as native
/// TOML dates).
pub fn ecrire_toml(contrat: &Contrat) -> String {
    let mut valeur = toml::Value::try_from(contrat).expect("a Contrat always serializes to TOML (tested)");
    dates_natives(&mut valeur);
    toml::to_string_pretty(&valeur).expect("a TOML value serializes")
}

/// Fields holding a `Date`, written `2024-01-01` rather than `"2024-01-01"`.
const CHAMPS_DATE: &[&str] = &[
    "debut",
    "fin",
    "date",
    "date_deliberation",
    "date_signature",
    "date_information_diplp",
];

fn dates_natives(v: &mut toml::Value) {
    match v {
        toml::Value::Table(t) => {
            for (cle, val) in t.iter_mut() {
                if CHAMPS_DATE.contains(&cle.as_str())
                    && let toml::Value::String(s) = val
                    && let Ok(d) = s.parse::<toml::value::Datetime>()
                {
                    *val = toml::Value::Datetime(d);
                } else {
                    dates_natives(val);
                }
            }
        }
        toml::Value::Array(a) => a.iter_mut().for_each(dates_natives),
        _ => {}
    }
}

/// The JSON Schema of the contract file, generated from the types.
pub fn schema_json() -> serde_json::Value {
    let schema = schemars::schema_for!(Contrat);
    serde_json::to_value(&schema).expect("a schema serializes to JSON")
}

/// Serializes any value as pretty JSON (used by the CLI for its `--format json` outputs).
pub fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("domain values serialize to JSON")
}

/// Turns serde's and the TOML parser's English messages into French. Messages produced by
/// Pacte's own types are already French and pass through.
fn traduire(message: &str) -> String {
    let m = message.trim();
    let entre_apostrophes =
        |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    if let Some(reste) = m.strip_prefix("missing field ") {
        let champ = entre_apostrophes(reste).into_iter().next().unwrap_or_default();
        return format!("champ obligatoire « {champ} » manquant");
    }
    if let Some(reste) = m.strip_prefix("unknown field ") {
        let noms = entre_apostrophes(reste);
        let (inconnu, admis) = noms
            .split_first()
            .map(|(a, b)| (a.clone(), b.to_vec()))
            .unwrap_or_default();
        return if admis.is_empty() {
            format!("champ inconnu « {inconnu} » : ce champ n'est pas admis ici")
        } else {
            format!(
                "champ inconnu « {inconnu} » (champs admis : {})",
                admis.join(", ")
            )
        };
    }
    if let Some(reste) = m.strip_prefix("unknown variant ") {
        let noms = entre_apostrophes(reste);
        let (inconnu, admis) = noms
            .split_first()
            .map(|(a, b)| (a.clone(), b.to_vec()))
            .unwrap_or_default();
        return format!(
            "valeur « {inconnu} » inconnue (valeurs admises : {})",
            admis.join(", ")
        );
    }
    if let Some(reste) = m
        .strip_prefix("invalid type: ")
        .or_else(|| m.strip_prefix("invalid value: "))
    {
        let (trouve, attendu) = reste.split_once(", expected ").unwrap_or((reste, ""));
        return format!(
            "{} trouvé là où {} est attendu",
            nature_valeur(trouve),
            nature_attendue(attendu)
        );
    }
    if let Some(reste) = m.strip_prefix("invalid length ") {
        let (n, attendu) = reste.split_once(", expected ").unwrap_or((reste, ""));
        return format!(
            "une liste de {n} élément(s) trouvée là où {} est attendu",
            nature_attendue(attendu)
        );
    }
    if m.contains("duplicate key") || m.contains("duplicate field") {
        return match entre_apostrophes(m).into_iter().next().filter(|c| !c.is_empty()) {
            Some(cle) => format!("la clé « {cle} » est écrite deux fois"),
            None => "cette clé ou cette table est déjà écrite plus haut dans le fichier".to_string(),
        };
    }
    if m.starts_with("string values must be quoted") {
        return "valeur manquante, ou texte sans guillemets : un texte s'écrit entre guillemets (\"…\")"
            .to_string();
    }
    for (en, fr) in [
        ("day between", "le jour"),
        ("month between", "le mois"),
        ("hour between", "l'heure"),
        ("minute between", "la minute"),
        ("second between", "la seconde"),
    ] {
        if let Some(i) = m.find(en) {
            let bornes = m[i + en.len()..].trim().replace(" and ", " et ");
            return format!("date invalide : {fr} doit être compris entre {bornes}");
        }
    }
    let json = [
        ("EOF while parsing", "document incomplet"),
        (
            "trailing characters",
            "caractères en trop après la fin du document",
        ),
        ("expected value", "valeur attendue"),
        ("expected `,` or `}`", "« , » ou « } » attendu"),
        ("expected `,` or `]`", "« , » ou « ] » attendu"),
        ("expected `:`", "« : » attendu"),
        ("key must be a string", "une clé s'écrit entre guillemets"),
        ("control character", "caractère de contrôle dans un texte"),
        ("invalid escape", "séquence d'échappement invalide"),
        ("invalid unicode code point", "caractère Unicode invalide"),
        (
            "trailing comma",
            "virgule en trop avant la fin de la liste ou de l'objet",
        ),
        ("expected ident", "valeur inconnue (true, false ou null attendu)"),
        (
            "expected double-quoted property name",
            "nom de propriété entre guillemets attendu",
        ),
        ("lone leading surrogate", "caractère Unicode invalide"),
        ("number out of range", "nombre hors limites"),
        ("recursion limit exceeded", "document trop imbriqué"),
    ];
    if let Some((_, fr)) = json.iter().find(|(en, _)| m.starts_with(en)) {
        return fr.to_string();
    }
    let syntaxe = [
        ("invalid key-value pair", "ligne « clé = valeur » invalide"),
        ("invalid inline table", "table en ligne { … } invalide"),
        ("invalid table", "en-tête de table [ … ] invalide"),
        ("invalid key", "clé invalide"),
        ("invalid string", "texte invalide (guillemets mal fermés ?)"),
        ("invalid array", "liste [ … ] invalide"),
        ("invalid number", "nombre invalide"),
        ("invalid datetime", "date invalide (format AAAA-MM-JJ)"),
        ("invalid", "syntaxe TOML invalide"),
        ("unclosed", "délimiteur non fermé"),
        ("missing", "élément manquant"),
        ("unexpected", "caractère inattendu"),
        ("expected", "syntaxe TOML invalide"),
    ];
    if let Some((_, fr)) = syntaxe.iter().find(|(en, _)| m.starts_with(en)) {
        let attendu = m
            .split_once(", expected ")
            .map(|(_, a)| {
                let a = a.replace("newline", "fin de ligne").replace("nothing", "rien");
                let mut morceaux = a.split('`');
                let mut fr = morceaux.next().unwrap_or_default().to_string();
                for (i, m) in morceaux.enumerate() {
                    fr.push_str(if i % 2 == 0 { "« " } else { " »" });
                    fr.push_str(m);
                }
                fr
            })
            .filter(|a| !a.is_empty());
        return match attendu {
            Some(a) => format!("{fr} (attendu : {a})"),
            None => fr.to_string(),
        };
    }
    if m.is_ascii()
        && m.split_whitespace()
            .any(|w| ["the", "is", "of", "a", "an", "at"].contains(&w))
    {
        // An English message we do not know: say what we can in French.
        return "syntaxe invalide".to_string();
    }
    m.to_string()
}

fn nature_valeur(s: &str) -> String {
    let s = s.trim();
    if let Some(v) = s.strip_prefix("string ") {
        return format!("le texte {v}");
    }
    if let Some(v) = s.strip_prefix("integer ") {
        return format!("le nombre {}", v.trim_matches('`'));
    }
    if let Some(v) = s.strip_prefix("floating point ") {
        return format!("le nombre décimal {}", v.trim_matches('`'));
    }
    if let Some(v) = s.strip_prefix("boolean ") {
        return format!("le booléen {}", v.trim_matches('`'));
    }
    match s {
        "map" => "une table".into(),
        "sequence" => "une liste".into(),
        "unit value" | "unit" => "une valeur vide".into(),
        autre => format!("« {autre} »"),
    }
}

fn nature_attendue(s: &str) -> String {
    let s = s.trim();
    match s {
        "a string" => "un texte entre guillemets".into(),
        "a boolean" => "un booléen (true ou false)".into(),
        "a sequence" => "une liste [ … ]".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "un nombre entier positif".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "un nombre entier".into(),
        "f32" | "f64" => "un nombre".into(),
        "a map" => "une table".into(),
        "" => "une autre valeur".into(),
        autre if autre.starts_with("struct ") => "une table { … }".into(),
        autre if autre.starts_with("enum ") || autre.starts_with("variant ") => {
            "une des valeurs admises".into()
        }
        autre => autre.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[contrat]
collectivite = "200054807"

[[fiches]]
numero = "1.1"
intitule = "Aller vers les familles"
"#;

    fn erreur(texte: &str) -> ErreurLecture {
        lire_toml(texte).expect_err("le fichier devait être refusé")
    }

    #[test]
    fn fichier_minimal_lu() {
        let c = lire_toml(MINIMAL).unwrap();
        assert_eq!(c.contrat.collectivite, "200054807");
        assert_eq!(c.fiches[0].numero.to_string(), "1.1");
    }

    #[test]
    fn toml_mal_forme() {
        let e = erreur("[contrat\ncollectivite = \"13\"\n");
        assert_eq!((e.ligne, e.colonne), (Some(1), Some(9)));
        assert_eq!(e.message, "délimiteur non fermé (attendu : « ] »)");
        let e = erreur("[contrat]\ncollectivite = \"13\n");
        assert_eq!(e.ligne, Some(2), "{e}");
    }

    #[test]
    fn axe_inconnu() {
        let e = erreur(&MINIMAL.replace("\"1.1\"", "\"7.1\""));
        assert_eq!(e.ligne, Some(6), "{e}");
        assert_eq!(e.champ.as_deref(), Some("fiches[0].numero"));
        assert!(e.message.contains("l'axe 7 n'existe pas"), "{e}");
    }

    #[test]
    fn montant_negatif_ou_non_numerique() {
        let e = erreur(&format!("{MINIMAL}financement.etat = {{ 2024 = -5000 }}\n"));
        assert_eq!(e.champ.as_deref(), Some("fiches[0].financement.etat.2024"), "{e}");
        assert!(e.message.contains("négatif"), "{e}");
        assert_eq!(e.ligne, Some(8), "{e}");
        let e = erreur(&format!(
            "{MINIMAL}financement.etat = {{ 2024 = \"beaucoup\" }}\n"
        ));
        assert!(e.message.contains("n'est pas un montant"), "{e}");
        let e = erreur(&format!("{MINIMAL}financement.etat = {{ 2024 = true }}\n"));
        assert!(e.message.contains("booléen"), "{e}");
    }

    #[test]
    fn annee_hors_convention() {
        let e = erreur(&format!("{MINIMAL}financement.etat = {{ 2031 = 5000 }}\n"));
        assert!(
            e.message.contains("2031") && e.message.contains("2024, 2025, 2026 et 2027"),
            "{e}"
        );
        assert_eq!(e.ligne, Some(8));
    }

    #[test]
    fn champ_inconnu_ou_manquant() {
        let e = erreur(&format!("{MINIMAL}budjet = 5\n"));
        assert!(e.message.starts_with("champ inconnu « budjet »"), "{e}");
        let e = erreur("[contrat]\nintitule = \"x\"\n");
        assert_eq!(e.message, "champ obligatoire « collectivite » manquant");
        let e = erreur(
            &MINIMAL
                .replace("nature", "x")
                .replace("intitule = \"Aller vers les familles\"", ""),
        );
        assert!(e.message.contains("« intitule » manquant"), "{e}");
    }

    #[test]
    fn textes_et_listes_bornes() {
        use crate::contrat::{LIGNES_MAX, TEXTE_COURT_MAX, TEXTE_LONG_MAX};
        // At the limit: read.
        let c = lire_toml(&format!(
            "{MINIMAL}description = \"{}\"\noperateur = \"{}\"\n",
            "d".repeat(TEXTE_LONG_MAX),
            "o".repeat(TEXTE_COURT_MAX)
        ))
        .unwrap();
        assert_eq!(
            c.fiches[0].description.as_deref().map(str::len),
            Some(TEXTE_LONG_MAX)
        );
        // One character beyond: refused, naming the field and the limit.
        let e = erreur(&format!(
            "{MINIMAL}description = \"{}\"\n",
            "é".repeat(TEXTE_LONG_MAX + 1)
        ));
        assert_eq!(e.champ.as_deref(), Some("fiches[0].description"), "{e}");
        assert_eq!(e.message, "texte trop long : 20001 caractères pour 20000 au plus");
        let e = erreur(&MINIMAL.replace("Aller vers les familles", &"x".repeat(TEXTE_COURT_MAX + 1)));
        assert_eq!(e.champ.as_deref(), Some("fiches[0].intitule"), "{e}");
        let partenaires = vec!["\"CAF\""; LIGNES_MAX + 1].join(", ");
        let e = erreur(&format!("{MINIMAL}partenaires = [{partenaires}]\n"));
        assert_eq!(e.champ.as_deref(), Some("fiches[0].partenaires"), "{e}");
        assert!(e.message.contains("101 lignes pour 100 au plus"), "{e}");
        // The same limits on JSON (API bodies).
        let json = format!(
            "{{\"contrat\": {{\"collectivite\": \"13\", \"intitule\": \"{}\"}}}}",
            "x".repeat(TEXTE_COURT_MAX + 1)
        );
        let e = lire_json::<Contrat>(&json).unwrap_err();
        assert_eq!(e.champ.as_deref(), Some("contrat.intitule"), "{e}");
        assert!(!e.syntaxe);
    }

    #[test]
    fn collectivite_vide_refusee() {
        let e = erreur(&MINIMAL.replace("\"200054807\"", "\"  \""));
        assert_eq!(e.champ.as_deref(), Some("contrat.collectivite"), "{e}");
        assert!(e.message.starts_with("la collectivité est vide"), "{e}");
        let e = lire_json::<Contrat>("{\"contrat\": {\"collectivite\": \"\"}}").unwrap_err();
        assert_eq!(e.champ.as_deref(), Some("contrat.collectivite"), "{e}");
    }

    #[test]
    fn erreurs_de_syntaxe_traduites() {
        let e = erreur("[contrat]\ncollectivite = \"13\"\ndebut = 2024-02-30\n");
        assert_eq!(
            (e.ligne, e.message.as_str()),
            (
                Some(3),
                "date invalide : le jour doit être compris entre 01 et 29"
            )
        );
        let e = erreur("[contrat]\ncollectivite = \n");
        assert!(
            e.message
                .starts_with("valeur manquante, ou texte sans guillemets"),
            "{e}"
        );
        let e = erreur("[contrat]\ncollectivite = \"13\"\ncollectivite = \"14\"\n");
        assert_eq!(e.ligne, Some(3));
        assert!(
            e.message.contains("deux fois") || e.message.contains("déjà écrite"),
            "{e}"
        );
        for texte in [
            "[contrat]\ncollectivite = \"13\"\n[contrat]\n",
            "[contrat\n",
            "x = [1,\n",
            "= 3\n",
            "[contrat]\na.b = 1\na = 2\n",
        ] {
            let e = erreur(texte);
            assert!(
                !e.message.is_ascii() || !e.message.contains(" the "),
                "message anglais : {e}"
            );
        }
    }

    #[test]
    fn valeur_d_enumeration_inconnue() {
        let e = erreur(&format!("{MINIMAL}nature = \"ancienne\"\n"));
        assert!(e.message.contains("valeur « ancienne » inconnue"), "{e}");
        assert!(
            e.message.contains("nouvelle, renforcee, reconduction_calpae"),
            "{e}"
        );
    }

    #[test]
    fn json_erreurs_francaises_avec_champ() {
        let e = lire_json::<Contrat>("{\"contrat\": {}}").unwrap_err();
        assert_eq!(e.champ.as_deref(), Some("contrat.collectivite"));
        assert_eq!(e.message, "champ obligatoire « collectivite » manquant");
        assert!(!e.syntaxe);
        let e = lire_json::<Contrat>("{\"contrat\": {\"collectivite\": \"13\"},\n \"fiches\": [{\"numero\": \"9.1\", \"intitule\": \"x\"}]}")
            .unwrap_err();
        assert_eq!((e.ligne, e.champ.as_deref()), (Some(2), Some("fiches[0].numero")));
        assert!(e.message.contains("l'axe 9 n'existe pas"), "{e}");
        let e = lire_json::<Contrat>("{\"contrat\": ").unwrap_err();
        assert!(e.syntaxe);
        assert_eq!(e.message, "document incomplet");
        let e = lire_json::<Contrat>("{\"contrat\": {\"collectivite\": \"13\"}} x").unwrap_err();
        assert_eq!(e.message, "caractères en trop après la fin du document");
        let c: Contrat = lire_json(&serde_json::to_string(&lire_toml(MINIMAL).unwrap()).unwrap()).unwrap();
        assert_eq!(c, lire_toml(MINIMAL).unwrap());
    }

    #[test]
    fn ecriture_puis_relecture() {
        let c = lire_toml(MINIMAL).unwrap();
        assert_eq!(lire_toml(&ecrire_toml(&c)).unwrap(), c);
    }

    mod aller_retour {
        use super::*;
        use crate::contrat::{Cofinanceur, Derogation, LigneDepense, NatureDepense, Signataire};
        use crate::fabrique::{ContratBuilder, FicheBuilder};
        use crate::{Annee, Date, Montant, Valeur};
        use proptest::prelude::*;

        fn texte() -> impl Strategy<Value = String> {
            // Quotes, backslashes, newlines, accents and emoji must all survive.
            proptest::string::string_regex("[a-zA-Zéèàç'\"\\\\ \n\t€😀#=\\[\\]{}.,-]{0,40}").unwrap()
        }

        fn montants() -> impl Strategy<Value = Vec<i64>> {
            proptest::collection::vec(0i64..10_000_000_000, 4)
        }

        prop_compose! {
            fn contrat_quelconque()(
                n in 1usize..6,
                etat in montants(),
                coll in montants(),
                autres in proptest::collection::vec(montants(), 0..3),
                intitule in texte(),
                poste in texte(),
                nom in proptest::option::of(texte()),
                indicateur in proptest::option::of(0i64..1_000_000),
                jour in 1u8..=28,
                derogation in any::<bool>(),
            ) -> crate::Contrat {
                let mut b = ContratBuilder::metropole("200054807").avec(|e| {
                    e.intitule = Some(intitule.clone());
                    e.signataires = vec![Signataire { nom: nom.clone(), qualite: "Préfet".into(), organisation: None, date_signature: Some(Date::ymd(2024, 3, jour)) }];
                });
                for i in 0..n {
                    let (etat, coll, autres, poste) = (etat.clone(), coll.clone(), autres.clone(), poste.clone());
                    b = b.fiche(FicheBuilder::new(&format!("{}.{}", i % 4 + 1, i + 1), "AT-1-1.1-01", Montant::ZERO).avec(move |f| {
                        for (k, a) in Annee::TOUTES.iter().enumerate() {
                            f.financement.etat.insert(*a, Montant::centimes(etat[k]));
                            f.financement.collectivite.insert(*a, Montant::centimes(coll[k]));
                        }
                        f.financement.autres = autres.iter().enumerate().map(|(j, m)| Cofinanceur {
                            nom: format!("Cofinanceur {j}"),
                            cee: j % 2 == 1,
                            montants: Annee::TOUTES.iter().zip(m).map(|(a, c)| (*a, Montant::centimes(*c))).collect(),
                        }).collect();
                        f.depenses.push(LigneDepense { poste, nature: NatureDepense::Investissement, evaluation: false, montants: [(Annee::TOUTES[1], Montant::centimes(1))].into() });
                        if let Some(v) = indicateur {
                            f.indicateurs[0].t0 = Some(Valeur::centiemes(v));
                        }
                        if derogation {
                            f.hors_referentiel = true;
                            f.derogation = Some(Derogation { accordee_par: Some("Commissaire".into()), date: Some(Date::ymd(2024, 1, jour)), justification: None, diplp_informee: true, date_information_diplp: None });
                        }
                    }));
                }
                b.build()
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            #[test]
            fn lire_ecrire_est_l_identite(c in contrat_quelconque()) {
                let texte = ecrire_toml(&c);
                let relu = lire_toml(&texte).map_err(|e| TestCaseError::fail(format!("{e}\n{texte}")))?;
                prop_assert_eq!(relu, c);
            }
        }
    }

    #[test]
    fn ligne_et_colonne_en_caracteres() {
        assert_eq!(ligne_colonne("é\nab", 4), (2, 2));
        assert_eq!(ligne_colonne("abc", 0), (1, 1));
    }
}
