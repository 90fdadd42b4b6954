//! The exchange routes of the OpenAPI document (`echanges::api`): their paths and schemas,
//! merged into the document by `openapi::construire`.

use serde_json::{Value, json};

use super::{
    ECRITURE, ECRITURE_VERSIONNEE, LECTURE_CONTRAT, contenu_json, corps, ref_parametre, ref_schema,
    reponses_de, succes,
};

pub(super) fn chemins() -> Value {
    let id = ref_parametre("IdContrat");
    let if_match = ref_parametre("IfMatch");
    let demande = json!({
        "name": "demande",
        "in": "path",
        "required": true,
        "description": "Numéro de la demande de correction (champ « id »).",
        "schema": { "type": "integer", "format": "int64", "minimum": 1 }
    });
    let etag = json!({ "ETag": { "$ref": "#/components/headers/ETag" } });
    let suite = |operation: &str, resume: &str, description: &str| {
        json!({
            "tags": ["échanges"],
            "operationId": operation,
            "summary": resume,
            "description": description,
            "parameters": [if_match],
            "requestBody": corps("SuiteDemande", "Le texte de la réponse ou de la résolution."),
            "responses": reponses_de(json!({ "200": {
                "description": "La demande ; sa version a augmenté de 1.",
                "headers": etag,
                "content": contenu_json(ref_schema("DemandeCorrection"))
            }}), ECRITURE_VERSIONNEE)
        })
    };
    json!({
        "/contrats/{id}/messages": {
            "parameters": [id],
            "get": {
                "tags": ["échanges"],
                "operationId": "listerMessages",
                "summary": "Les messages du contrat, tous fils confondus (contrat et fiches), du plus ancien au plus récent",
                "responses": reponses_de(json!({ "200": succes("Les messages.", "ListeMessages") }), LECTURE_CONTRAT)
            },
            "post": {
                "tags": ["échanges"],
                "operationId": "ecrireMessage",
                "summary": "Écrit un message dans le fil du contrat ou d'une fiche (services de l'État, éditeur de la collectivité)",
                "requestBody": corps("NouveauMessage", "Le message."),
                "responses": reponses_de(json!({ "201": succes("Le message enregistré.", "Message") }), ECRITURE)
            }
        },
        "/contrats/{id}/demandes": {
            "parameters": [id],
            "get": {
                "tags": ["échanges"],
                "operationId": "listerDemandes",
                "summary": "Les demandes de correction du contrat, de la plus récente à la plus ancienne",
                "responses": reponses_de(json!({ "200": succes("Les demandes.", "ListeDemandes") }), LECTURE_CONTRAT)
            },
            "post": {
                "tags": ["échanges"],
                "operationId": "demanderCorrection",
                "summary": "Demande une correction sur le contrat, une fiche ou un champ (services de l'État)",
                "requestBody": corps("NouvelleDemande", "La demande."),
                "responses": reponses_de(json!({ "201": {
                    "description": "La demande enregistrée, ouverte ; son texte est aussi le premier message du fil.",
                    "headers": etag,
                    "content": contenu_json(ref_schema("DemandeCorrection"))
                }}), ECRITURE)
            }
        },
        "/contrats/{id}/demandes/{demande}/reponse": {
            "parameters": [id, demande],
            "post": suite(
                "repondreDemande",
                "Répond à une demande de correction (éditeur de la collectivité)",
                "La demande passe à l'état « repondue » ; le texte s'ajoute au fil. If-Match porte la version de la demande."
            )
        },
        "/contrats/{id}/demandes/{demande}/resolution": {
            "parameters": [id, demande],
            "post": suite(
                "resoudreDemande",
                "Résout une demande de correction répondue (services de l'État)",
                "La demande passe à l'état « resolue » ; le texte, facultatif, s'ajoute au fil. If-Match porte la version de la demande."
            )
        }
    })
}

pub(super) fn schemas() -> Value {
    let texte = json!({ "type": "string", "minLength": 1, "maxLength": pacte_core::echanges::MESSAGE_MAX });
    let fiche = json!({ "type": ["string", "null"], "pattern": "^[1-4]\\.[0-9]+$", "description": "Numéro de la fiche ; absent ou null pour le contrat lui-même." });
    json!({
        "Message": {
            "type": "object",
            "description": "Un message d'un fil d'échanges.",
            "required": ["id", "fiche", "demande", "auteur", "role", "texte", "cree_le"],
            "properties": {
                "id": { "type": "integer", "format": "int64", "minimum": 1 },
                "fiche": { "type": ["string", "null"], "description": "Numéro de la fiche, null dans le fil du contrat." },
                "demande": { "type": ["integer", "null"], "format": "int64", "description": "La demande de correction que le message ouvre, répond ou résout." },
                "auteur": { "type": "string", "description": "Auteur, tel que le journal d'audit le nomme." },
                "role": { "type": "string", "description": "Code du rôle de l'auteur quand il a écrit." },
                "texte": { "type": "string" },
                "cree_le": ref_schema("Horodatage")
            },
            "additionalProperties": false
        },
        "ListeMessages": {
            "type": "object",
            "required": ["messages"],
            "properties": { "messages": { "type": "array", "items": ref_schema("Message") } },
            "additionalProperties": false
        },
        "NouveauMessage": {
            "type": "object",
            "required": ["texte"],
            "properties": { "texte": texte, "fiche": fiche },
            "additionalProperties": false
        },
        "DemandeCorrection": {
            "type": "object",
            "description": "Une demande de correction : ouverte, puis répondue par la collectivité, puis résolue par l'État.",
            "required": ["id", "version", "fiche", "champ", "texte", "etat", "cree_par", "cree_le", "modifie_par", "modifie_le"],
            "properties": {
                "id": { "type": "integer", "format": "int64", "minimum": 1 },
                "version": ref_schema("Version"),
                "fiche": { "type": ["string", "null"] },
                "champ": { "type": ["string", "null"] },
                "texte": { "type": "string" },
                "etat": { "type": "string", "enum": ["ouverte", "repondue", "resolue"] },
                "cree_par": { "type": "string" },
                "cree_le": ref_schema("Horodatage"),
                "modifie_par": { "type": "string" },
                "modifie_le": ref_schema("Horodatage")
            },
            "additionalProperties": false
        },
        "ListeDemandes": {
            "type": "object",
            "required": ["demandes"],
            "properties": { "demandes": { "type": "array", "items": ref_schema("DemandeCorrection") } },
            "additionalProperties": false
        },
        "NouvelleDemande": {
            "type": "object",
            "required": ["texte"],
            "properties": {
                "texte": texte,
                "fiche": fiche,
                "champ": { "type": ["string", "null"], "maxLength": pacte_core::echanges::CHAMP_MAX, "description": "Le champ concerné, librement désigné." }
            },
            "additionalProperties": false
        },
        "SuiteDemande": {
            "type": "object",
            "properties": { "texte": { "type": "string", "maxLength": pacte_core::echanges::MESSAGE_MAX, "description": "Obligatoire pour une réponse, facultatif pour une résolution." } },
            "additionalProperties": false
        }
    })
}
