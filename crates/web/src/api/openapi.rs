//! The OpenAPI 3.1 document of the API, served at `/api/v1/openapi.json`: every route, its
//! parameters, bodies and responses. The contract types come from the JSON Schema of the
//! contract file (`pacte_core::fichier::schema_json`), so the document cannot drift from
//! the types; everything else is written here, in one place.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use super::PREFIXE;
use super::corps::{PAR_PAGE_DEFAUT, PAR_PAGE_MAX};

mod campagnes;
mod consolidation;
mod documents;
mod echanges;
mod finances;

/// `a` with the members of `b` added (the paths and schemas of a capability's own file).
fn fusionner(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Object(mut a), Value::Object(b)) => {
            a.extend(b);
            Value::Object(a)
        }
        (a, _) => a,
    }
}

/// The document, built once.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(construire)
}

fn construire() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "API de Pacte",
            "version": "1",
            "summary": "Contrats locaux des solidarités entre l'État et les métropoles ou départements (Pacte des solidarités).",
            "description": "Lecture et modification des contrats, de leurs fiches action et de leurs constats. \
                Conventions (versions, concurrence optimiste, erreurs, pagination) : docs/API.md.",
            "license": { "name": "EUPL-1.2", "identifier": "EUPL-1.2" }
        },
        "servers": [{ "url": PREFIXE }],
        "tags": [
            { "name": "référence", "description": "Données nationales compilées dans Pacte." },
            { "name": "contrats", "description": "Contrats locaux des solidarités et leur en-tête." },
            { "name": "fiches", "description": "Fiches action d'un contrat." },
            { "name": "échanges", "description": "Messages et demandes de correction entre l'État et la collectivité." },
            { "name": "consolidation", "description": "Montants consolidés des contrats signés, par région, axe et année." },
            { "name": "campagnes", "description": "Campagnes annuelles des indicateurs." },
            { "name": "documentation", "description": "Ce document." }
        ],
        "paths": fusionner(fusionner(fusionner(fusionner(fusionner(chemins(), echanges::chemins()), finances::chemins()), consolidation::chemins()), campagnes::chemins()), documents::chemins()),
        "security": [{ "jeton": [] }],
        "components": {
            "securitySchemes": {
                "jeton": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Jeton d'API créé sur la page « Jetons d'API » de l'application ; il porte les droits de son auteur."
                }
            },
            "schemas": fusionner(fusionner(fusionner(fusionner(schemas(), echanges::schemas()), finances::schemas()), consolidation::schemas()), campagnes::schemas()),
            "parameters": parametres(),
            "headers": {
                "Location": {
                    "description": "Adresse de la ressource créée (ou déplacée, pour une fiche renumérotée).",
                    "required": true,
                    "schema": { "type": "string", "format": "uri-reference", "pattern": format!("^{PREFIXE}/contrats/[1-9][0-9]*(/fiches/[1-4]\\.[1-9][0-9]*)?$") }
                },
                "LocationRenumerotee": {
                    "description": "Nouvelle adresse de la fiche, donnée seulement si elle a été renumérotée.",
                    "required": false,
                    "schema": { "type": "string", "format": "uri-reference", "pattern": format!("^{PREFIXE}/contrats/[1-9][0-9]*/fiches/[1-4]\\.[1-9][0-9]*$") }
                },
                "ETag": {
                    "description": "Version de la fiche entre guillemets (\"3\"), à renvoyer dans If-Match.",
                    "required": true,
                    "schema": { "type": "string", "pattern": "^\"[1-9][0-9]*\"$" }
                }
            },
            "responses": reponses()
        }
    })
}

fn ref_schema(nom: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{nom}") })
}

fn ref_parametre(nom: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{nom}") })
}

fn ref_reponse(nom: &str) -> Value {
    json!({ "$ref": format!("#/components/responses/{nom}") })
}

fn contenu_json(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn corps(schema: &str, description: &str) -> Value {
    json!({ "required": true, "description": description, "content": contenu_json(ref_schema(schema)) })
}

fn succes(description: &str, schema: &str) -> Value {
    json!({ "description": description, "content": contenu_json(ref_schema(schema)) })
}

/// The responses of an operation: its own, then the shared error responses named in `erreurs`.
fn reponses_de(propres: Value, erreurs: &[(&str, &str)]) -> Value {
    let mut r = match propres {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    // Every operation but this document's takes an API token and asks the permission model.
    r.insert("401".into(), ref_reponse("NonAuthentifie"));
    r.insert("403".into(), ref_reponse("Interdit"));
    for (statut, nom) in erreurs {
        r.insert((*statut).to_string(), ref_reponse(nom));
    }
    r.insert("500".into(), ref_reponse("Interne"));
    Value::Object(r)
}

const LECTURE_CONTRAT: &[(&str, &str)] = &[("400", "Requete"), ("404", "Introuvable")];
const ECRITURE: &[(&str, &str)] = &[
    ("400", "Requete"),
    ("404", "Introuvable"),
    ("409", "Conflit"),
    ("413", "TropVolumineux"),
    ("415", "TypeDeContenu"),
    ("422", "Invalide"),
];
const ECRITURE_VERSIONNEE: &[(&str, &str)] = &[
    ("400", "Requete"),
    ("404", "Introuvable"),
    ("409", "Conflit"),
    ("413", "TropVolumineux"),
    ("415", "TypeDeContenu"),
    ("422", "Invalide"),
    ("428", "VersionManquante"),
];

fn chemins() -> Value {
    let id = ref_parametre("IdContrat");
    let numero = ref_parametre("NumeroFiche");
    let if_match = ref_parametre("IfMatch");
    let etag = json!({ "ETag": { "$ref": "#/components/headers/ETag" } });
    let location = json!({ "Location": { "$ref": "#/components/headers/Location" } });
    let location_etag = json!({
        "Location": { "$ref": "#/components/headers/Location" },
        "ETag": { "$ref": "#/components/headers/ETag" }
    });
    let renumerotee_etag = json!({
        "Location": { "$ref": "#/components/headers/LocationRenumerotee" },
        "ETag": { "$ref": "#/components/headers/ETag" }
    });
    json!({
        "/openapi.json": {
            "get": {
                "tags": ["documentation"],
                "operationId": "documentOpenapi",
                "summary": "Ce document OpenAPI 3.1",
                "security": [],
                "responses": {
                    "200": {
                        "description": "Le document OpenAPI.",
                        "content": contenu_json(json!({ "type": "object" }))
                    },
                    "500": ref_reponse("Interne")
                }
            }
        },
        "/referentiel": {
            "get": {
                "tags": ["référence"],
                "operationId": "referentiel",
                "summary": "Le référentiel national : axes, sous-axes, types d'action, indicateurs nationaux",
                "responses": reponses_de(json!({ "200": succes("Le référentiel compilé dans Pacte.", "Referentiel") }), &[])
            }
        },
        "/territoires": {
            "get": {
                "tags": ["référence"],
                "operationId": "territoires",
                "summary": "Régions, départements et collectivités éligibles",
                "responses": reponses_de(json!({ "200": succes("Les territoires compilés dans Pacte.", "Territoires") }), &[])
            }
        },
        "/contrats": {
            "get": {
                "tags": ["contrats"],
                "operationId": "listerContrats",
                "summary": "Liste des contrats, par page, dans l'ordre de leur numéro",
                "parameters": [ref_parametre("Page"), ref_parametre("ParPage")],
                "responses": reponses_de(json!({ "200": succes("Une page de la liste.", "PageContrats") }), &[("400", "Requete")])
            },
            "post": {
                "tags": ["contrats"],
                "operationId": "creerContrat",
                "summary": "Enregistre un contrat (même forme que le fichier de contrat)",
                "description": "Le contrat est enregistré même s'il porte des constats : ils se lisent ensuite sur /contrats/{id}/constats.",
                "requestBody": corps("Contrat", "Le contrat, dans la forme du fichier de contrat (docs/FORMAT-CONTRAT.md) écrite en JSON."),
                "responses": reponses_de(json!({ "201": {
                    "description": "Contrat enregistré, en version 1.",
                    "headers": location,
                    "content": contenu_json(ref_schema("ContratStocke"))
                }}), &[("400", "Requete"), ("413", "TropVolumineux"), ("415", "TypeDeContenu"), ("422", "Invalide")])
            }
        },
        "/contrats/{id}": {
            "parameters": [id],
            "get": {
                "tags": ["contrats"],
                "operationId": "lireContrat",
                "summary": "Un contrat : son en-tête et ses fiches, avec leurs versions",
                "responses": reponses_de(json!({ "200": succes("Le contrat.", "ContratStocke") }), LECTURE_CONTRAT)
            },
            "put": {
                "tags": ["contrats"],
                "operationId": "modifierContrat",
                "summary": "Remplace l'en-tête du contrat (les fiches ne changent pas)",
                "parameters": [if_match],
                "requestBody": corps("EnTete", "Le nouvel en-tête, complet (champ « contrat » du fichier)."),
                "responses": reponses_de(json!({ "200": succes("Le contrat modifié ; la version de l'en-tête a augmenté de 1.", "ContratStocke") }), ECRITURE_VERSIONNEE)
            }
        },
        "/contrats/{id}/constats": {
            "parameters": [id],
            "get": {
                "tags": ["contrats"],
                "operationId": "constats",
                "summary": "Les constats des règles sur le contrat (comme pacte check --format json)",
                "responses": reponses_de(json!({ "200": succes("Les constats, bloquants d'abord.", "ListeConstats") }), LECTURE_CONTRAT)
            }
        },
        "/contrats/{id}/actes": {
            "parameters": [id],
            "get": {
                "tags": ["contrats"],
                "operationId": "listerActes",
                "summary": "Les actes du cycle de vie du contrat, du plus ancien au plus récent (annulés compris)",
                "responses": reponses_de(json!({ "200": succes("Les actes.", "ListeActes") }), LECTURE_CONTRAT)
            },
            "post": {
                "tags": ["contrats"],
                "operationId": "creerActe",
                "summary": "Franchit une étape du cycle de vie en enregistrant son acte (délibération, signature, dénonciation…)",
                "description": format!("L'acte est vérifié comme dans le formulaire de l'étape (dates dans la période du contrat, signataires de l'État et de la collectivité, date d'effet d'une dénonciation = lettre + préavis) ; If-Match porte la version du contrat. Avec son document (multipart/form-data : le JSON de l'acte dans la partie « acte », le fichier dans la partie « document » : {}, {} Mo au plus), une signature enregistre aussi la version des données signées et leur code de vérification, comme le formulaire de l'étape.", pacte_store::pieces::TYPES_ACCEPTES, crate::comptes::TAILLE_ENVOI_MAX / (1024 * 1024)),
                "parameters": [ref_parametre("IfMatch")],
                "requestBody": {
                    "required": true,
                    "description": "L'acte, avec son étape dans le champ « etape » ; en multipart/form-data, avec son document.",
                    "content": {
                        "application/json": { "schema": ref_schema("Acte") },
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["acte"],
                                "properties": {
                                    "acte": ref_schema("Acte"),
                                    "document": { "type": "string", "format": "binary", "description": "Le document de l'acte (pour une signature : la convention signée)." }
                                }
                            },
                            "encoding": { "acte": { "contentType": "application/json" } }
                        }
                    }
                },
                "responses": reponses_de(json!({ "201": {
                    "description": "Acte enregistré ; le contrat est passé à l'état de l'étape.",
                    "headers": { "Location": { "$ref": "#/components/headers/Location" } },
                    "content": contenu_json(ref_schema("ActeEnregistre"))
                }}), ECRITURE_VERSIONNEE)
            }
        },
        "/contrats/{id}/fiches": {
            "parameters": [id],
            "get": {
                "tags": ["fiches"],
                "operationId": "listerFiches",
                "summary": "Les fiches du contrat, dans leur ordre, avec leurs versions",
                "responses": reponses_de(json!({ "200": succes("Les fiches.", "ListeFiches") }), LECTURE_CONTRAT)
            },
            "post": {
                "tags": ["fiches"],
                "operationId": "creerFiche",
                "summary": "Ajoute une fiche à la fin du contrat",
                "requestBody": corps("FicheAction", "La fiche, dans la forme d'une fiche du fichier de contrat ; son numéro doit être libre."),
                "responses": reponses_de(json!({ "201": {
                    "description": "Fiche enregistrée, en version 1.",
                    "headers": location_etag,
                    "content": contenu_json(ref_schema("FicheStockee"))
                }}), ECRITURE)
            }
        },
        "/contrats/{id}/fiches/{numero}": {
            "parameters": [id, numero],
            "get": {
                "tags": ["fiches"],
                "operationId": "lireFiche",
                "summary": "Une fiche et sa version",
                "responses": reponses_de(json!({ "200": {
                    "description": "La fiche.",
                    "headers": etag,
                    "content": contenu_json(ref_schema("FicheStockee"))
                }}), LECTURE_CONTRAT)
            },
            "put": {
                "tags": ["fiches"],
                "operationId": "modifierFiche",
                "summary": "Remplace la fiche ; un autre numéro dans le corps la renumérote",
                "parameters": [if_match],
                "requestBody": corps("FicheAction", "La fiche complète."),
                "responses": reponses_de(json!({ "200": {
                    "description": "La fiche modifiée ; sa version a augmenté de 1. Location est donné si la fiche a été renumérotée.",
                    "headers": renumerotee_etag,
                    "content": contenu_json(ref_schema("FicheStockee"))
                }}), ECRITURE_VERSIONNEE)
            },
            "delete": {
                "tags": ["fiches"],
                "operationId": "supprimerFiche",
                "summary": "Supprime la fiche",
                "parameters": [if_match],
                "responses": reponses_de(json!({ "204": { "description": "Fiche supprimée." } }),
                    &[("400", "Requete"), ("404", "Introuvable"), ("409", "Conflit"), ("428", "VersionManquante")])
            }
        },
        "/contrats/{id}/fiches/{numero}/derogation": {
            "parameters": [id, numero],
            "put": {
                "tags": ["fiches"],
                "operationId": "accorderDerogation",
                "summary": "Accorde ou modifie la dérogation d'une action hors référentiel (R-ACT-03), réservée au ou à la commissaire de la région",
                "description": "La dérogation précise qui l'a accordée, sa date et sa justification par les besoins locaux au regard d'une insuffisance de l'offre (R-ACT-03) ; sur l'axe 4, l'information préalable de la DIPLP et de la DGCS et sa date, antérieure ou égale à celle de la dérogation (R-REF-03). Le contrat doit être en brouillon ou en négociation ; seule la dérogation de la fiche change. If-Match porte la version de la fiche.",
                "parameters": [if_match],
                "requestBody": corps("Derogation", "La dérogation complète."),
                "responses": reponses_de(json!({ "200": {
                    "description": "La fiche avec sa dérogation ; sa version a augmenté de 1.",
                    "headers": etag,
                    "content": contenu_json(ref_schema("FicheStockee"))
                }}), ECRITURE_VERSIONNEE)
            },
            "delete": {
                "tags": ["fiches"],
                "operationId": "retirerDerogation",
                "summary": "Retire la dérogation d'une fiche (R-ACT-03), réservé au ou à la commissaire de la région",
                "parameters": [if_match],
                "responses": reponses_de(json!({ "200": {
                    "description": "La fiche sans dérogation ; sa version a augmenté de 1.",
                    "headers": etag,
                    "content": contenu_json(ref_schema("FicheStockee"))
                }}), &[("400", "Requete"), ("404", "Introuvable"), ("409", "Conflit"), ("428", "VersionManquante")])
            }
        }
    })
}

fn parametres() -> Value {
    json!({
        "IdContrat": {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "Numéro du contrat dans la base (champ « id »).",
            "schema": { "type": "integer", "format": "int64", "minimum": 1 }
        },
        "NumeroFiche": {
            "name": "numero",
            "in": "path",
            "required": true,
            "description": "Numéro de la fiche « axe.rang » (1.2).",
            "schema": ref_schema("NumeroFiche")
        },
        "IfMatch": {
            "name": "If-Match",
            "in": "header",
            "required": true,
            "description": "Version lue de la ressource, entre guillemets (\"3\") : champ « version » de l'en-tête du contrat \
                ou de la fiche, ou en-tête ETag de la fiche. Une version périmée est refusée (409 conflit).",
            "schema": { "type": "string", "pattern": "^(\"[1-9][0-9]{0,17}\"|[1-9][0-9]{0,17})$" },
            "example": "\"1\""
        },
        "Page": {
            "name": "page",
            "in": "query",
            "required": false,
            "description": "Numéro de la page, à partir de 1. Une page au-delà de la dernière est vide.",
            "schema": { "type": "integer", "format": "int64", "minimum": 1, "maximum": u32::MAX, "default": 1 }
        },
        "ParPage": {
            "name": "par_page",
            "in": "query",
            "required": false,
            "description": "Nombre d'éléments par page.",
            "schema": { "type": "integer", "format": "int32", "minimum": 1, "maximum": PAR_PAGE_MAX, "default": PAR_PAGE_DEFAUT }
        }
    })
}

fn reponse_erreur(description: &str) -> Value {
    json!({ "description": description, "content": contenu_json(ref_schema("Erreur")) })
}

fn reponses() -> Value {
    json!({
        "Requete": reponse_erreur("Requête mal formée (code « requete ») : JSON illisible, corps vide, paramètre invalide."),
        "NonAuthentifie": reponse_erreur("Jeton d'API absent, inconnu, expiré ou révoqué (code « non_authentifie »)."),
        "Interdit": reponse_erreur("Le rôle du jeton ne permet pas cette action (code « interdit »)."),
        "Introuvable": reponse_erreur("Ressource introuvable, ou contrat hors du périmètre du jeton (code « introuvable »)."),
        "Conflit": reponse_erreur("Conflit (code « conflit ») : version périmée (la ressource a été modifiée depuis sa lecture ; le message dit par qui et quand), \
            ou l'état du contrat ne permet pas cette modification (le message nomme l'état). Rien n'a été écrit."),
        "Invalide": reponse_erreur("Document JSON bien formé mais refusé par les types du contrat (code « invalide ») : champ inconnu, montant négatif, numéro de fiche déjà pris…"),
        "TropVolumineux": reponse_erreur("Corps de plus de 2 Mo (code « requete »)."),
        "TypeDeContenu": reponse_erreur("Corps sans « Content-Type: application/json » (code « requete »)."),
        "VersionManquante": reponse_erreur("En-tête If-Match absent (code « requete », champ « If-Match »)."),
        "Interne": reponse_erreur("Erreur interne (code « interne ») : consignée côté serveur, sans détail."),
    })
}

/// The schemas: the contract file's (from `pacte_core`) and the API's own.
fn schemas() -> Value {
    let mut s = schemas_contrat();
    let propres = json!({
        "Erreur": {
            "type": "object",
            "description": "Corps de toute réponse d'erreur.",
            "required": ["code", "message"],
            "properties": {
                "code": {
                    "type": "string",
                    "enum": ["non_authentifie", "interdit", "introuvable", "conflit", "invalide", "requete", "interne"],
                    "description": "Code stable : non_authentifie (401), interdit (403), introuvable (404), conflit (409), invalide (422), requete (400, 405, 413, 415, 428), interne (500)."
                },
                "message": { "type": "string", "description": "Explication en français, à montrer telle quelle." },
                "champ": {
                    "type": "string",
                    "description": "Le champ en faute, quand il y en a un : chemin dans le corps (fiches[2].financement.etat.2024), paramètre (par_page, id, numero) ou en-tête (If-Match, Content-Type)."
                }
            },
            "additionalProperties": false
        },
        "Version": {
            "type": "integer", "format": "int64", "minimum": 1,
            "description": "Version de l'enregistrement : 1 à la création, augmentée de 1 à chaque modification."
        },
        "Horodatage": {
            "type": "string",
            "format": "date-time",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
            "description": "Date et heure UTC de la dernière modification (RFC 3339, au millième de seconde : 2026-12-04T20:45:07.123Z)."
        },
        "FicheStockee": {
            "type": "object",
            "description": "Une fiche enregistrée : son numéro, sa version, sa dernière modification, et la fiche elle-même.",
            "required": ["numero", "version", "modifie_par", "modifie_le", "fiche"],
            "properties": {
                "numero": ref_schema("NumeroFiche"),
                "version": ref_schema("Version"),
                "modifie_par": { "type": "string", "description": "Auteur de la dernière modification." },
                "modifie_le": ref_schema("Horodatage"),
                "fiche": ref_schema("FicheAction")
            },
            "additionalProperties": false
        },
        "ContratStocke": {
            "type": "object",
            "description": "Un contrat enregistré : numéro, version et dernière modification de l'en-tête, l'en-tête tel que dans le fichier, \
                et les fiches avec leurs propres versions. La version de l'en-tête ne change pas quand une fiche change.",
            "required": ["id", "version", "modifie_par", "modifie_le", "contrat", "fiches"],
            "properties": {
                "id": { "type": "integer", "format": "int64", "minimum": 1 },
                "version": ref_schema("Version"),
                "modifie_par": { "type": "string" },
                "modifie_le": ref_schema("Horodatage"),
                "contrat": ref_schema("EnTete"),
                "fiches": { "type": "array", "items": ref_schema("FicheStockee") }
            },
            "additionalProperties": false
        },
        "ListeFiches": {
            "type": "object",
            "required": ["fiches"],
            "properties": { "fiches": { "type": "array", "items": ref_schema("FicheStockee") } },
            "additionalProperties": false
        },
        "ResumeContrat": {
            "type": "object",
            "description": "Une ligne de la liste des contrats.",
            "required": ["id", "collectivite", "intitule", "etat", "fiches", "version", "modifie_le", "bloquants", "alertes"],
            "properties": {
                "id": { "type": "integer", "format": "int64", "minimum": 1 },
                "collectivite": {
                    "type": "object",
                    "required": ["code", "nom"],
                    "properties": {
                        "code": { "type": "string", "description": "SIREN ou code officiel géographique du département." },
                        "nom": { "type": ["string", "null"], "description": "Nom connu des territoires (ou de la sélection AMI) ; null sinon." }
                    },
                    "additionalProperties": false
                },
                "intitule": { "type": ["string", "null"] },
                "etat": ref_schema("EtatContrat"),
                "fiches": { "type": "integer", "minimum": 0, "description": "Nombre de fiches." },
                "version": ref_schema("Version"),
                "modifie_le": ref_schema("Horodatage"),
                "bloquants": { "type": "integer", "minimum": 0, "description": "Nombre de constats bloquants." },
                "alertes": { "type": "integer", "minimum": 0, "description": "Nombre d'alertes." }
            },
            "additionalProperties": false
        },
        "PageContrats": {
            "type": "object",
            "description": "Une page de la liste des contrats.",
            "required": ["elements", "page", "par_page", "total"],
            "properties": {
                "elements": { "type": "array", "items": ref_schema("ResumeContrat") },
                "page": { "type": "integer", "minimum": 1 },
                "par_page": { "type": "integer", "minimum": 1, "maximum": PAR_PAGE_MAX },
                "total": { "type": "integer", "minimum": 0, "description": "Nombre total de contrats, toutes pages confondues." }
            },
            "additionalProperties": false
        },
        "Constat": {
            "type": "object",
            "description": "Une règle non respectée, sur un objet précis.",
            "required": ["code", "gravite", "cible", "message", "source"],
            "properties": {
                "code": { "type": "string", "description": "Code de la règle (R-FIN-03), voir docs/REGLES.md." },
                "gravite": { "type": "string", "enum": ["bloquant", "alerte"] },
                "cible": { "type": "string", "description": "Chemin de l'objet dans le contrat : contrat.debut, fiches[1.2].financement.etat.2024." },
                "message": { "type": "string" },
                "source": { "type": "string", "description": "Texte de référence de la règle." }
            },
            "additionalProperties": false
        },
        "ListeConstats": {
            "type": "object",
            "required": ["constats"],
            "properties": { "constats": { "type": "array", "items": ref_schema("Constat") } },
            "additionalProperties": false
        },
        "Referentiel": schema_referentiel(),
        "Territoires": schema_territoires()
    });
    if let (Value::Object(s), Value::Object(p)) = (&mut s, propres) {
        s.extend(p);
    }
    if let (Value::Object(s), Value::Object(p)) = (&mut s, schemas_actes()) {
        s.extend(p);
    }
    s
}

fn texte() -> Value {
    json!({ "type": "string" })
}

fn textes() -> Value {
    json!({ "type": "array", "items": { "type": "string" } })
}

fn schema_referentiel() -> Value {
    let type_action = json!({
        "type": "object",
        "required": ["id", "intitule", "statut"],
        "properties": {
            "id": { "type": "string", "description": "AT-1-1.1-01" },
            "intitule": texte(),
            "statut": {
                "type": "string",
                "enum": ["financable", "recommande", "prioritaire", "cas_particulier", "experimentation_plafonnee",
                         "prealable_obligatoire", "defini_axe4_finance_axe2"]
            },
            "note": texte()
        }
    });
    let sous_axe = json!({
        "type": "object",
        "required": ["uid", "code", "intitule", "source", "indicateurs_nationaux", "types_action"],
        "properties": {
            "uid": { "type": "string", "description": "A1-1.1, A3-I-2.1.2" },
            "code": texte(),
            "volet": { "type": ["string", "null"] },
            "intitule": texte(),
            "source": texte(),
            "notes": textes(),
            "exclusions": textes(),
            "indicateurs_nationaux": textes(),
            "types_action": { "type": "array", "items": type_action }
        }
    });
    let axe = json!({
        "type": "object",
        "required": ["code", "intitule", "annexe", "source", "volets", "sous_axes"],
        "properties": {
            "code": { "type": "integer", "minimum": 1, "maximum": 4 },
            "intitule": texte(),
            "annexe": texte(),
            "source": texte(),
            "variantes": textes(),
            "volets": { "type": "array", "items": {
                "type": "object",
                "required": ["code", "nature", "intitule"],
                "properties": { "code": texte(), "nature": texte(), "intitule": texte() }
            }},
            "notes": textes(),
            "sous_axes": { "type": "array", "items": sous_axe }
        }
    });
    let indicateur = json!({
        "type": "object",
        "required": ["code", "axe", "libelle", "sous_axes", "unite", "regles_decompte", "periode", "dedoublonnage", "estimations", "source"],
        "properties": {
            "code": { "type": "string", "description": "NI-1.1" },
            "axe": { "type": "integer", "minimum": 1, "maximum": 4 },
            "libelle": texte(),
            "libelle_referentiel": texte(),
            "sous_axes": textes(),
            "types_action": textes(),
            "unite": texte(),
            "regles_decompte": textes(),
            "periode": texte(),
            "exclusions": textes(),
            "dedoublonnage": texte(),
            "estimations": texte(),
            "ventilations": textes(),
            "notes": textes(),
            "source": texte()
        }
    });
    json!({
        "type": "object",
        "description": "Le référentiel national de l'instruction du 27 octobre 2023.",
        "required": ["version", "source", "axes", "indicateurs_nationaux"],
        "properties": {
            "version": texte(),
            "source": texte(),
            "axes": { "type": "array", "items": axe },
            "indicateurs_nationaux": { "type": "array", "items": indicateur }
        }
    })
}

fn schema_territoires() -> Value {
    json!({
        "type": "object",
        "description": "Régions, départements et collectivités pouvant signer un contrat.",
        "required": ["regions", "departements", "collectivites"],
        "properties": {
            "regions": { "type": "array", "items": {
                "type": "object", "required": ["code", "nom"],
                "properties": { "code": texte(), "nom": texte() }
            }},
            "departements": { "type": "array", "items": {
                "type": "object", "required": ["code", "nom", "region"],
                "properties": { "code": texte(), "nom": texte(), "region": texte() }
            }},
            "collectivites": { "type": "array", "items": {
                "type": "object", "required": ["code", "nom", "nature", "departement", "eligibilite"],
                "properties": {
                    "code": { "type": "string", "description": "SIREN, ou code officiel géographique pour un département." },
                    "nom": texte(),
                    "nature": { "type": "string", "enum": ["metropole", "communaute_urbaine", "communaute_agglomeration", "commune", "departement"] },
                    "siren": { "type": "string", "pattern": "^[0-9]{9}$" },
                    "departement": texte(),
                    "eligibilite": { "type": "string", "enum": ["calpae", "ville_de_marseille", "departement"] }
                }
            }}
        }
    })
}

/// The contract file's JSON Schema, its `$defs` moved to `components/schemas` and the root
/// named `Contrat`, every `$ref` rewritten.
fn schemas_contrat() -> Value {
    let mut racine = pacte_core::fichier::schema_json();
    let mut schemas = Map::new();
    if let Value::Object(r) = &mut racine {
        r.remove("$schema");
        if let Some(Value::Object(defs)) = r.remove("$defs") {
            schemas.extend(defs);
        }
    }
    schemas.insert("Contrat".into(), racine);
    let mut v = Value::Object(schemas);
    reecrire_refs(&mut v);
    v
}

fn reecrire_refs(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (cle, val) in m.iter_mut() {
                if cle == "$ref"
                    && let Value::String(s) = val
                {
                    if let Some(nom) = s.strip_prefix("#/$defs/") {
                        *s = format!("#/components/schemas/{nom}");
                    } else if s == "#" {
                        *s = "#/components/schemas/Contrat".into();
                    }
                } else {
                    reecrire_refs(val);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(reecrire_refs),
        _ => {}
    }
}

/// The acts' schemas: `Acte` (generated from the core type, its definitions beside it),
/// `ActeEnregistre` and `ListeActes`.
fn schemas_actes() -> Value {
    let mut racine = pacte_core::actes::schema_json();
    let mut schemas = Map::new();
    if let Value::Object(r) = &mut racine {
        r.remove("$schema");
        if let Some(Value::Object(defs)) = r.remove("$defs") {
            schemas.extend(defs);
        }
    }
    schemas.insert("Acte".into(), racine);
    schemas.insert(
        "ActeEnregistre".into(),
        json!({
            "type": "object",
            "description": "Un acte enregistré.",
            "required": ["id", "acte", "etat_avant", "cree_par", "cree_le", "pieces"],
            "properties": {
                "id": { "type": "integer", "format": "int64", "minimum": 1 },
                "acte": ref_schema("Acte"),
                "etat_avant": ref_schema("EtatContrat"),
                "cree_par": { "type": "string", "description": "Auteur : utilisateur:<id>:<courriel> ou jeton:<id>:<courriel>." },
                "cree_le": { "type": "string", "description": "Horodatage UTC ISO 8601." },
                "annule_par": { "type": "string", "description": "Qui a annulé l'étape (saisie par erreur)." },
                "annule_le": { "type": "string" },
                "pieces": { "type": "array", "items": { "type": "integer", "format": "int64" }, "description": "Documents de l'acte." }
            },
            "additionalProperties": false
        }),
    );
    schemas.insert(
        "ListeActes".into(),
        json!({
            "type": "object",
            "required": ["actes"],
            "properties": { "actes": { "type": "array", "items": ref_schema("ActeEnregistre") } },
            "additionalProperties": false
        }),
    );
    let mut v = Value::Object(schemas);
    reecrire_refs(&mut v);
    v
}
