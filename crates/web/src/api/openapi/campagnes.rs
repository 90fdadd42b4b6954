//! The campaign routes of the OpenAPI document (`campagnes::api`): their paths and schemas,
//! merged into the document by `openapi::construire`. Values of indicators are integers in
//! hundredths of their unit (`1250` = 12,5), attainments in millionths (`500000` = 50 %).

use serde_json::{Value, json};

use super::{
    ECRITURE, ECRITURE_VERSIONNEE, LECTURE_CONTRAT, contenu_json, corps, ref_parametre, ref_schema,
    reponses_de, succes,
};

pub(super) fn chemins() -> Value {
    let annee = json!({
        "name": "annee",
        "in": "path",
        "required": true,
        "description": "Année des indicateurs (la campagne de l'année n est close le 31 mars n+1).",
        "schema": { "type": "integer", "minimum": 2024, "maximum": 2027 }
    });
    json!({
        "/campagnes": {
            "get": {
                "tags": ["campagnes"],
                "operationId": "listerCampagnes",
                "summary": "Les campagnes d'indicateurs ouvertes, par année",
                "responses": reponses_de(json!({ "200": succes("Les campagnes.", "ListeCampagnes") }), &[("400", "Requete")])
            },
            "post": {
                "tags": ["campagnes"],
                "operationId": "ouvrirCampagne",
                "summary": "Ouvre la campagne d'une année (administrateur national) ; échéance par défaut le 31 mars de l'année suivante",
                "requestBody": corps("NouvelleCampagne", "L'année et, au besoin, l'échéance."),
                "responses": reponses_de(json!({ "201": succes("La campagne ouverte.", "Campagne") }), ECRITURE)
            }
        },
        "/contrats/{id}/campagnes/{annee}": {
            "parameters": [ref_parametre("IdContrat"), annee],
            "get": {
                "tags": ["campagnes"],
                "operationId": "lireCampagneContrat",
                "summary": "La campagne d'un contrat : état, échéance, chiffres attendus avec leur cible, valeurs saisies, constats, historique",
                "responses": reponses_de(json!({ "200": succes("La campagne du contrat.", "CampagneContrat") }), LECTURE_CONTRAT)
            }
        },
        "/contrats/{id}/campagnes/{annee}/valeurs": {
            "parameters": [ref_parametre("IdContrat"), annee],
            "put": {
                "tags": ["campagnes"],
                "operationId": "saisirCampagneContrat",
                "summary": "Remplace les chiffres saisis de la campagne (éditeur de la collectivité) ; la campagne passe « en cours »",
                "description": "Refusé (409) une fois les chiffres soumis ou validés, ou si « version » n'est plus celle enregistrée ; \
                    refusé (422) quand un chiffre n'est pas un indicateur du contrat, qu'un changement de méthode n'a pas sa note \
                    et son effet (R-REP-03), que NI-2.3 ne totalise pas NI-2.1 ou que NI-1.2 n'est pas exclusif.",
                "requestBody": corps("SaisieCampagne", "La version lue et tous les chiffres saisis."),
                "responses": reponses_de(json!({ "200": succes("La campagne du contrat ; sa version a augmenté de 1.", "CampagneContrat") }), ECRITURE)
            }
        },
        "/contrats/{id}/campagnes/{annee}/textes": {
            "parameters": [ref_parametre("IdContrat"), annee],
            "get": {
                "tags": ["campagnes"],
                "operationId": "lireTextesRapportAnnuel",
                "summary": "Les parties rédigées du rapport d'état d'avancement de l'année (R-REP-05) : état d'avancement des actions, niveau de consommation des crédits",
                "responses": reponses_de(json!({ "200": {
                    "description": "Les sections ; l'en-tête ETag porte leur version.",
                    "headers": { "ETag": {
                        "description": "Version des textes entre guillemets (\"0\" avant le premier enregistrement), à renvoyer dans If-Match.",
                        "required": true,
                        "schema": { "type": "string", "pattern": "^\"(0|[1-9][0-9]*)\"$" }
                    } },
                    "content": contenu_json(ref_schema("TextesRapport"))
                }}), LECTURE_CONTRAT)
            },
            "put": {
                "tags": ["campagnes"],
                "operationId": "ecrireTextesRapportAnnuel",
                "summary": "Remplace les parties rédigées du rapport annuel (éditeur de la collectivité), tant que la campagne n'est pas validée",
                "description": "Toutes les sections sont remplacées : une section absente, nulle ou blanche est vidée. Refusé (409) une fois la campagne validée ou si If-Match n'est plus la version enregistrée ; refusé (422) pour une section inconnue ou un texte de plus de 20 000 caractères (champ « sections.<code> »).",
                "parameters": [{
                    "name": "If-Match",
                    "in": "header",
                    "required": true,
                    "description": "Version lue des textes, entre guillemets (\"2\") : champ « version » ou en-tête ETag ; \"0\" avant le premier enregistrement.",
                    "schema": { "type": "string", "pattern": "^(\"(0|[1-9][0-9]{0,17})\"|0|[1-9][0-9]{0,17})$" },
                    "example": "\"0\""
                }],
                "requestBody": corps("SaisieTextesRapport", "Le texte de chaque section, par code."),
                "responses": reponses_de(json!({ "200": {
                    "description": "Les sections enregistrées ; leur version a augmenté de 1.",
                    "headers": { "ETag": { "$ref": "#/components/headers/ETag" } },
                    "content": contenu_json(ref_schema("TextesRapport"))
                }}), ECRITURE_VERSIONNEE)
            }
        },
        "/contrats/{id}/campagnes/{annee}/transitions": {
            "parameters": [ref_parametre("IdContrat"), annee],
            "post": {
                "tags": ["campagnes"],
                "operationId": "changerEtatCampagneContrat",
                "summary": "Soumet (collectivité), renvoie avec une remarque par chiffre ou valide (DDETS, commissaire), rouvre avec un motif (commissaire)",
                "requestBody": corps("TransitionCampagne", "La version lue, la transition, le motif et les remarques d'un renvoi."),
                "responses": reponses_de(json!({ "200": succes("La campagne du contrat ; sa version a augmenté de 1.", "CampagneContrat") }), ECRITURE)
            }
        }
    })
}

pub(super) fn schemas() -> Value {
    let texte = json!({ "type": "string", "maxLength": pacte_core::campagne::COMMENTAIRE_MAX });
    let texte_nul = json!({ "type": ["string", "null"], "maxLength": pacte_core::campagne::COMMENTAIRE_MAX });
    let centiemes = json!({ "type": ["integer", "null"], "format": "int64" });
    let etat =
        json!({ "type": "string", "enum": ["non_commencee", "en_cours", "soumise", "renvoyee", "validee"] });
    let fiche = json!({ "type": "string", "pattern": "^[1-4]\\.[1-9][0-9]*$" });
    let nature = json!({ "type": "string", "enum": ["national", "local"] });
    let indicateur = json!({ "type": "string", "minLength": 1, "maxLength": 20, "description": "Code national (NI-2.1) ou rang de l'indicateur local de la fiche (1, 2…)." });
    let ventilation = json!({ "type": "integer", "minimum": 0, "maximum": 3, "description": "0 : l'indicateur ; 1 à 3 : les catégories de NI-2.3." });
    let date = json!({ "type": "string", "format": "date" });
    let section = json!({
        "type": "string",
        "enum": pacte_core::campagne::textes::SECTIONS_ANNUEL.iter().map(|s| s.code).collect::<Vec<_>>()
    });
    json!({
        "Campagne": {
            "type": "object",
            "required": ["annee", "echeance", "version", "ouverte_par", "ouverte_le"],
            "properties": {
                "annee": { "type": "integer", "minimum": 2024, "maximum": 2027 },
                "echeance": date,
                "version": ref_schema("Version"),
                "ouverte_par": { "type": "string" },
                "ouverte_le": ref_schema("Horodatage")
            },
            "additionalProperties": false
        },
        "ListeCampagnes": {
            "type": "object",
            "required": ["campagnes"],
            "properties": { "campagnes": { "type": "array", "items": ref_schema("Campagne") } },
            "additionalProperties": false
        },
        "NouvelleCampagne": {
            "type": "object",
            "required": ["annee"],
            "properties": {
                "annee": { "type": "integer", "minimum": 2024, "maximum": 2027 },
                "echeance": { "type": ["string", "null"], "format": "date", "description": "AAAA-MM-JJ ; par défaut le 31 mars de l'année suivante." }
            },
            "additionalProperties": false
        },
        "LigneCampagne": {
            "type": "object",
            "description": "Un chiffre attendu : sa clé, le T0 et la cible de l'année du contrat, la valeur saisie (centièmes).",
            "required": ["fiche", "nature", "indicateur", "ventilation", "libelle", "unite", "t0", "cible", "realise", "commentaire",
                         "changement_methode", "note_methode", "effet_methode", "atteinte_millioniemes", "remarque"],
            "properties": {
                "fiche": fiche, "nature": nature, "indicateur": indicateur, "ventilation": ventilation,
                "libelle": { "type": "string" },
                "unite": { "type": ["string", "null"] },
                "t0": centiemes, "cible": centiemes, "realise": centiemes,
                "commentaire": { "type": ["string", "null"] },
                "changement_methode": { "type": "boolean" },
                "note_methode": { "type": ["string", "null"] },
                "effet_methode": centiemes,
                "atteinte_millioniemes": { "type": ["integer", "null"], "format": "int64", "description": "(réalisé − T0) / (cible − T0), en millionièmes." },
                "remarque": { "type": ["string", "null"], "description": "Remarque de l'État lors du dernier renvoi, pendant la correction." }
            },
            "additionalProperties": false
        },
        "ConstatCampagne": {
            "type": "object",
            "required": ["code", "gravite", "message"],
            "properties": {
                "code": { "type": "string" },
                "gravite": { "type": "string", "enum": ["bloquant", "alerte"] },
                "message": { "type": "string" }
            },
            "additionalProperties": false
        },
        "RemarqueCampagne": {
            "type": "object",
            "required": ["fiche", "nature", "indicateur", "texte"],
            "properties": {
                "fiche": fiche, "nature": nature, "indicateur": indicateur, "ventilation": ventilation,
                "texte": { "type": "string", "minLength": 1, "maxLength": pacte_core::campagne::COMMENTAIRE_MAX }
            },
            "additionalProperties": false
        },
        "EtapeCampagne": {
            "type": "object",
            "required": ["rang", "transition", "etat_avant", "etat_apres", "motif", "acteur", "le", "remarques"],
            "properties": {
                "rang": { "type": "integer", "format": "int64", "minimum": 1 },
                "transition": { "type": "string", "enum": ["saisir", "soumettre", "renvoyer", "valider", "rouvrir", "prolonger"] },
                "etat_avant": etat, "etat_apres": etat,
                "motif": { "type": ["string", "null"] },
                "acteur": { "type": "string" },
                "le": ref_schema("Horodatage"),
                "remarques": { "type": "array", "items": ref_schema("RemarqueCampagne") }
            },
            "additionalProperties": false
        },
        "CampagneContrat": {
            "type": "object",
            "description": "La campagne d'un contrat pour une année.",
            "required": ["contrat", "annee", "etat", "version", "echeance", "prolongation", "en_retard", "soumise_le",
                         "soumise_en_retard", "validee_le", "atteinte_millioniemes", "lignes", "constats", "transitions"],
            "properties": {
                "contrat": { "type": "integer", "format": "int64", "minimum": 1 },
                "annee": { "type": "integer", "minimum": 2024, "maximum": 2027 },
                "etat": etat,
                "version": { "type": "integer", "format": "int64", "minimum": 0, "description": "0 tant que rien n'est enregistré ; à renvoyer dans « version »." },
                "echeance": date,
                "prolongation": { "type": ["string", "null"], "format": "date" },
                "en_retard": { "type": "boolean" },
                "soumise_le": { "type": ["string", "null"] },
                "soumise_en_retard": { "type": "boolean" },
                "validee_le": { "type": ["string", "null"] },
                "atteinte_millioniemes": { "type": ["integer", "null"], "format": "int64" },
                "lignes": { "type": "array", "items": ref_schema("LigneCampagne") },
                "constats": { "type": "array", "items": ref_schema("ConstatCampagne") },
                "transitions": { "type": "array", "items": ref_schema("EtapeCampagne") }
            },
            "additionalProperties": false
        },
        "ValeurCampagne": {
            "type": "object",
            "required": ["fiche", "nature", "indicateur"],
            "properties": {
                "fiche": fiche, "nature": nature, "indicateur": indicateur, "ventilation": ventilation,
                "realise": { "type": ["integer", "null"], "format": "int64", "minimum": 0, "maximum": 1_000_000_000_000_i64, "description": "Valeur réalisée en centièmes de l'unité." },
                "commentaire": texte_nul,
                "changement_methode": { "type": "boolean" },
                "note_methode": texte_nul,
                "effet_methode": { "type": ["integer", "null"], "format": "int64", "minimum": -1_000_000_000_000_i64, "maximum": 1_000_000_000_000_i64 }
            },
            "additionalProperties": false
        },
        "SaisieCampagne": {
            "type": "object",
            "required": ["version", "valeurs"],
            "properties": {
                "version": { "type": "integer", "format": "int64", "minimum": 0 },
                "valeurs": { "type": "array", "items": ref_schema("ValeurCampagne") }
            },
            "additionalProperties": false
        },
        "TextesRapport": {
            "type": "object",
            "description": "Les parties rédigées par la collectivité du rapport d'état d'avancement de l'année.",
            "required": ["contrat", "annee", "version", "verrouille", "modifiable", "sections"],
            "properties": {
                "contrat": { "type": "integer", "format": "int64", "minimum": 1 },
                "annee": { "type": "integer", "minimum": 2024, "maximum": 2027 },
                "version": { "type": "integer", "format": "int64", "minimum": 0, "description": "0 tant que rien n'est enregistré ; à renvoyer dans If-Match." },
                "verrouille": { "type": "boolean", "description": "La campagne de l'année est validée : les textes ne changent plus, sauf réouverture." },
                "modifiable": { "type": "boolean", "description": "Le porteur du jeton peut les modifier maintenant." },
                "sections": { "type": "array", "items": ref_schema("SectionRapport") }
            },
            "additionalProperties": false
        },
        "SectionRapport": {
            "type": "object",
            "required": ["code", "titre", "texte"],
            "properties": {
                "code": section,
                "titre": { "type": "string" },
                "texte": { "type": ["string", "null"], "maxLength": pacte_core::campagne::textes::TEXTE_MAX, "description": "null : section non renseignée. Un paragraphe par ligne." }
            },
            "additionalProperties": false
        },
        "SaisieTextesRapport": {
            "type": "object",
            "required": ["sections"],
            "properties": {
                "sections": {
                    "type": "object",
                    "propertyNames": section,
                    "additionalProperties": { "type": ["string", "null"], "maxLength": pacte_core::campagne::textes::TEXTE_MAX }
                }
            },
            "additionalProperties": false
        },
        "TransitionCampagne": {
            "type": "object",
            "required": ["version", "transition"],
            "properties": {
                "version": { "type": "integer", "format": "int64", "minimum": 0 },
                "transition": { "type": "string", "enum": ["soumettre", "renvoyer", "valider", "rouvrir"] },
                "motif": texte,
                "remarques": { "type": "array", "items": ref_schema("RemarqueCampagne") }
            },
            "additionalProperties": false
        }
    })
}
