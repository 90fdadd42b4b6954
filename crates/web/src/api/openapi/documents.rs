//! The documents route of the OpenAPI document (`documents::api_document`): the contract
//! (annexe 8 model and its four annexes) or the avenant of a year, as a PDF or an ODT file.

use serde_json::{Value, json};

use super::{LECTURE_CONTRAT, ref_parametre, ref_schema, reponses_de};

pub(super) fn chemins() -> Value {
    let binaire = |description: &str| json!({ "type": "string", "contentMediaType": description });
    json!({
        "/contrats/{id}/document": {
            "parameters": [
                ref_parametre("IdContrat"),
                {
                    "name": "format",
                    "in": "query",
                    "required": true,
                    "description": "Format du document : pdf (balisé, accessible, PDF/UA-1) ou odt (OpenDocument, modifiable).",
                    "schema": { "type": "string", "enum": ["pdf", "odt"] }
                },
                {
                    "name": "avenant",
                    "in": "query",
                    "required": false,
                    "description": "L'avenant financier de cette année au lieu du contrat.",
                    "schema": { "type": "integer", "minimum": 2024, "maximum": 2027 }
                }
            ],
            "get": {
                "tags": ["contrats"],
                "operationId": "produireDocument",
                "summary": "Le contrat et ses quatre annexes, ou l'avenant d'une année, en PDF ou en ODT, produit depuis les données (comme pacte document)",
                "responses": reponses_de(json!({
                    "200": {
                        "description": "Le document ; l'en-tête Content-Disposition donne son nom de fichier. Chaque page porte la version des données et leur code de vérification.",
                        "headers": {
                            "Content-Disposition": {
                                "description": "attachment, avec le nom du fichier (contrat-….pdf, avenant-2025-….odt).",
                                "required": true,
                                "schema": { "type": "string" }
                            }
                        },
                        "content": {
                            "application/pdf": { "schema": binaire("application/pdf") },
                            "application/vnd.oasis.opendocument.text": { "schema": binaire("application/vnd.oasis.opendocument.text") }
                        }
                    },
                    "422": {
                        "description": "Le document ne peut pas être produit : une donnée qu'il doit montrer manque (code « invalide ») ; le message la nomme (« la délibération n'a pas de date », « aucun avenant n'est enregistré pour 2025 »).",
                        "content": { "application/json": { "schema": ref_schema("Erreur") } }
                    }
                }), LECTURE_CONTRAT)
            }
        }
    })
}
