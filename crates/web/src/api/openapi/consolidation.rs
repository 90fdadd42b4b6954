//! The consolidation routes of the OpenAPI document (`consolidation::api`,
//! `consolidation::api_region`): paths and schemas, merged into the document by
//! `openapi::construire`. The body is `consolidation::Vue` as serialised (integer cents).

use serde_json::{Value, json};

use super::{ref_schema, reponses_de, succes};

pub(super) fn chemins() -> Value {
    json!({
        "/consolidation": {
            "get": {
                "tags": ["consolidation"],
                "operationId": "lireConsolidation",
                "summary": "Consolidation du territoire du lecteur : la France pour les rôles nationaux, sa région pour un commissaire (montants en centimes)",
                "responses": reponses_de(json!({ "200": succes("La consolidation.", "Consolidation") }), &[])
            }
        },
        "/consolidation/regions/{region}": {
            "parameters": [{
                "name": "region",
                "in": "path",
                "required": true,
                "description": "Code INSEE de la région (« 93 »). Un commissaire ne lit que la sienne (403 ailleurs) ; un code inconnu répond 404.",
                "schema": { "type": "string" }
            }],
            "get": {
                "tags": ["consolidation"],
                "operationId": "lireConsolidationRegion",
                "summary": "Consolidation d'une région (montants en centimes)",
                "responses": reponses_de(json!({ "200": succes("La consolidation de la région.", "Consolidation") }), &[("404", "Introuvable")])
            }
        }
    })
}

pub(super) fn schemas() -> Value {
    let centimes = json!({ "type": "integer", "format": "int64" });
    let ligne = |cle: Value, requis: &[&str]| {
        let mut proprietes = cle;
        proprietes["montants"] = ref_schema("MontantsConsolides");
        let mut requis: Vec<&str> = requis.to_vec();
        requis.push("montants");
        json!({ "type": "object", "required": requis, "properties": proprietes, "additionalProperties": false })
    };
    let etats = |cle: Value, requis: &[&str]| {
        let mut proprietes = cle;
        let mut requis: Vec<&str> = requis.to_vec();
        for e in ["non_commencee", "en_cours", "soumise", "renvoyee", "validee"] {
            proprietes[e] = json!({ "type": "integer", "minimum": 0 });
            requis.push(e);
        }
        json!({ "type": "object", "required": requis, "properties": proprietes, "additionalProperties": false })
    };
    json!({
        "MontantsConsolides": {
            "type": "object",
            "description": "Sommes en centimes d'euro.",
            "required": ["contractualise_etat", "contractualise_collectivite", "notifie", "verse", "realise_etat", "realise_collectivite", "reporte_etat", "reporte_collectivite"],
            "properties": {
                "contractualise_etat": { "description": "Part de l'État au plan de financement des fiches.", "type": "integer", "format": "int64" },
                "contractualise_collectivite": { "description": "Part de la collectivité (FSE+ compris) au plan de financement des fiches.", "type": "integer", "format": "int64" },
                "notifie": { "description": "Participation de l'État notifiée ou fixée par avenant.", "type": "integer", "format": "int64" },
                "verse": { "description": "Versements de l'État, répartis entre les fiches (lecture L-05).", "type": "integer", "format": "int64" },
                "realise_etat": centimes,
                "realise_collectivite": centimes,
                "reporte_etat": { "description": "Crédits de l'État reportés sur l'année suivante.", "type": "integer", "format": "int64" },
                "reporte_collectivite": centimes
            },
            "additionalProperties": false
        },
        "Consolidation": {
            "type": "object",
            "description": "Montants des contrats signés ou au-delà (signé, en exécution, évalué, clos, dénoncé) d'un territoire, par région, par axe et par année.",
            "required": ["territoire", "etats", "contrats", "regions", "axes", "annees", "total", "campagnes", "indicateurs"],
            "properties": {
                "territoire": {
                    "type": "object",
                    "required": ["nature", "code", "nom"],
                    "properties": {
                        "nature": { "type": "string", "enum": ["france", "region"] },
                        "code": { "type": ["string", "null"], "description": "Code INSEE de la région ; null pour la France." },
                        "nom": { "type": "string" }
                    },
                    "additionalProperties": false
                },
                "etats": { "type": "array", "items": { "type": "string", "enum": ["signe", "en_execution", "evalue", "clos", "denonce"] } },
                "contrats": { "type": "integer", "minimum": 0 },
                "regions": {
                    "type": "array",
                    "items": ligne(json!({
                        "code": { "type": "string" },
                        "nom": { "type": "string" },
                        "contrats": { "type": "integer", "minimum": 1 }
                    }), &["code", "nom", "contrats"])
                },
                "axes": {
                    "type": "array",
                    "items": ligne(json!({ "axe": { "type": "integer", "minimum": 1, "maximum": 4 } }), &["axe"])
                },
                "annees": {
                    "type": "array",
                    "items": ligne(json!({ "annee": { "type": "integer", "minimum": 2024, "maximum": 2027 } }), &["annee"])
                },
                "total": ref_schema("MontantsConsolides"),
                "campagnes": {
                    "type": "array",
                    "description": "Par campagne ouverte, les contrats comptés dans chaque état de la campagne, par région.",
                    "items": {
                        "type": "object",
                        "required": ["annee", "regions", "total"],
                        "properties": {
                            "annee": { "type": "integer", "minimum": 2024, "maximum": 2027 },
                            "regions": {
                                "type": "array",
                                "items": etats(json!({ "code": { "type": "string" }, "nom": { "type": "string" } }), &["code", "nom"])
                            },
                            "total": etats(json!({}), &[])
                        },
                        "additionalProperties": false
                    }
                },
                "indicateurs": {
                    "type": "array",
                    "description": "Indicateurs nationaux des campagnes validées : sommes des valeurs saisies par les fiches, en centièmes de l'unité.",
                    "items": {
                        "type": "object",
                        "required": ["annee", "code", "ventilation", "libelle", "unite", "realise", "cible", "contributions", "contrats"],
                        "properties": {
                            "annee": { "type": "integer", "minimum": 2024, "maximum": 2027 },
                            "code": { "type": "string" },
                            "ventilation": { "type": "integer", "minimum": 0, "maximum": 3, "description": "0, ou la ventilation de NI-2.3 (1 à 3)." },
                            "libelle": { "type": "string" },
                            "unite": { "type": "string" },
                            "realise": { "type": "integer", "format": "int64", "description": "Centièmes de l'unité." },
                            "cible": { "type": "integer", "format": "int64", "description": "Centièmes de l'unité." },
                            "contributions": { "type": "integer", "minimum": 0 },
                            "contrats": { "type": "integer", "minimum": 1 }
                        },
                        "additionalProperties": false
                    }
                }
            },
            "additionalProperties": false
        }
    })
}
