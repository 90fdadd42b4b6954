//! The financial tables route of the OpenAPI document (`finances::tableau_api`): its path and
//! schemas, merged into the document by `openapi::construire`. The table is
//! `pacte_core::tableau::Feuille` as serialised (amounts in integer cents).

use serde_json::{Value, json};

use super::{LECTURE_CONTRAT, ref_parametre, ref_schema, reponses_de, succes};

pub(super) fn chemins() -> Value {
    json!({
        "/contrats/{id}/tableaux/{table}/{annee}": {
            "parameters": [
                ref_parametre("IdContrat"),
                {
                    "name": "table",
                    "in": "path",
                    "required": true,
                    "description": "Tableau de l'annexe 10 : prévisionnel de l'année, bilan de l'année, ou prévisionnel récapitulatif (de 2025 à 2027).",
                    "schema": { "type": "string", "enum": ["previsionnel", "bilan", "recapitulatif"] }
                },
                {
                    "name": "annee",
                    "in": "path",
                    "required": true,
                    "description": "Année du tableau.",
                    "schema": { "type": "integer", "minimum": 2024, "maximum": 2027 }
                }
            ],
            "get": {
                "tags": ["contrats"],
                "operationId": "lireTableauFinancier",
                "summary": "Un tableau financier de l'annexe 10 d'une année (comme pacte tableau --format json), montants en centimes",
                "responses": reponses_de(json!({ "200": succes("Le tableau.", "TableauFinancier") }), LECTURE_CONTRAT)
            }
        }
    })
}

pub(super) fn schemas() -> Value {
    let centimes = json!({ "type": "array", "items": { "type": "integer", "format": "int64" } });
    json!({
        "TableauFinancier": {
            "type": "object",
            "description": "Un tableau de l'annexe 10 calculé ; chaque montant est un entier en centimes, une valeur par colonne.",
            "required": ["tableau", "annee", "nom", "titre", "colonne_chorus", "colonnes", "blocs", "totaux", "notes", "constats"],
            "properties": {
                "tableau": { "type": "string", "enum": ["previsionnel", "bilan", "recapitulatif"] },
                "annee": { "type": "string", "enum": ["2024", "2025", "2026", "2027"] },
                "nom": { "type": "string", "description": "Nom de la feuille : « Bilan 2024 »." },
                "titre": { "type": "string" },
                "colonne_chorus": { "type": "boolean", "description": "Première colonne « Imputation chorus » (tableau récapitulatif)." },
                "colonnes": { "type": "array", "items": ref_schema("ColonneTableau") },
                "blocs": { "type": "array", "items": ref_schema("BlocTableau") },
                "totaux": centimes,
                "notes": { "type": "array", "items": { "type": "string" } },
                "constats": { "type": "array", "items": ref_schema("Constat") }
            },
            "additionalProperties": false
        },
        "ColonneTableau": {
            "type": "object",
            "required": ["lettre", "libelle", "formule", "ajoutee"],
            "properties": {
                "lettre": { "type": ["string", "null"], "description": "Lettre de la colonne dans l'instruction (A, F…)." },
                "libelle": { "type": "string" },
                "formule": {
                    "type": ["array", "null"],
                    "description": "Colonne calculée : somme signée d'autres colonnes (index dans « colonnes »).",
                    "items": {
                        "type": "object",
                        "required": ["signe", "colonne"],
                        "properties": {
                            "signe": { "type": "integer", "enum": [-1, 1] },
                            "colonne": { "type": "integer", "minimum": 0 }
                        },
                        "additionalProperties": false
                    }
                },
                "ajoutee": { "type": "boolean", "description": "Colonne ajoutée par Pacte à celles de l'instruction." }
            },
            "additionalProperties": false
        },
        "BlocTableau": {
            "type": "object",
            "required": ["axe", "libelle", "lignes", "sous_total"],
            "properties": {
                "axe": { "type": "string", "enum": ["1", "2", "3", "4"] },
                "libelle": { "type": "string" },
                "lignes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["numero", "intitule", "valeurs"],
                        "properties": {
                            "numero": ref_schema("NumeroFiche"),
                            "intitule": { "type": "string" },
                            "chorus": { "type": "string", "description": "Imputation Chorus (tableau récapitulatif)." },
                            "valeurs": centimes
                        },
                        "additionalProperties": false
                    }
                },
                "sous_total": centimes
            },
            "additionalProperties": false
        }
    })
}
