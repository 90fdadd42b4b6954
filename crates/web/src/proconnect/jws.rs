//! Signed JWTs (JWS compact serialization): the provider's keys (JWKS), signature verification
//! and the checks of the claims.
//!
//! Only asymmetric algorithms whose key comes from the provider's JWKS are accepted: RS256
//! (RSA PKCS#1 v1.5 with SHA-256, the OpenID Connect default) and ES256 (ECDSA P-256 with
//! SHA-256). `none` and every HMAC algorithm are refused: the client secret is never a key.
//! The key must be of the type the algorithm calls for, so that an RSA key is never used as
//! an HMAC secret or the other way round.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::erreur::{ErreurOidc, nettoyer};

/// base64url without padding, on output and on input: a JWS is made of unpadded base64url
/// (RFC 7515 §2), so a padded part is malformed — one token, one spelling.
pub(crate) const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// base64url with padding tolerated, for the key parameters of a JWKS only (some providers pad
/// them; the keys are fetched over TLS from the provider, not carried by a token).
const BASE64URL_CLES: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Tolerance on `exp`, `nbf` and `iat` for clocks that differ a little, in seconds.
pub(crate) const TOLERANCE_HORLOGE: i64 = 60;

/// The oldest `iat` accepted, in seconds: an ID token is issued at the code exchange, a moment
/// before it is verified; one issued long ago is a replayed one, whatever its `exp` says.
pub(crate) const AGE_MAX_JETON: i64 = 10 * 60;

/// A public key of the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cle {
    /// RSA: modulus and public exponent, big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// P-256: the uncompressed point (`04 ‖ x ‖ y`).
    P256 { point: Vec<u8> },
}

/// A key of the JWKS with its identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CleNommee {
    pub kid: Option<String>,
    pub cle: Cle,
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    alg: Option<String>,
    n: Option<String>,
    e: Option<String>,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

/// The signing keys of a JWKS document. Encryption keys, keys of other types and keys whose
/// parameters do not decode are left out (a JWKS may hold keys this client has no use for).
pub(crate) fn lire_jwks(corps: &str) -> Result<Vec<CleNommee>, ErreurOidc> {
    let jwks: Jwks =
        serde_json::from_str(corps).map_err(|_| ErreurOidc::ReponseInvalide("jeu de clés JWKS"))?;
    let cles = jwks
        .keys
        .into_iter()
        .filter(|jwk| jwk.usage.as_deref().is_none_or(|u| u == "sig"))
        .filter_map(|jwk| {
            let cle = match (jwk.kty.as_str(), jwk.alg.as_deref()) {
                ("RSA", None | Some("RS256")) => Cle::Rsa {
                    n: sans_zeros_de_tete(BASE64URL_CLES.decode(jwk.n?).ok()?),
                    e: sans_zeros_de_tete(BASE64URL_CLES.decode(jwk.e?).ok()?),
                },
                ("EC", None | Some("ES256")) if jwk.crv.as_deref() == Some("P-256") => {
                    let x = BASE64URL_CLES.decode(jwk.x?).ok()?;
                    let y = BASE64URL_CLES.decode(jwk.y?).ok()?;
                    if x.len() != 32 || y.len() != 32 {
                        return None;
                    }
                    let mut point = Vec::with_capacity(65);
                    point.push(4);
                    point.extend_from_slice(&x);
                    point.extend_from_slice(&y);
                    Cle::P256 { point }
                }
                _ => return None,
            };
            Some(CleNommee { kid: jwk.kid, cle })
        })
        .collect();
    Ok(cles)
}

fn sans_zeros_de_tete(mut octets: Vec<u8>) -> Vec<u8> {
    let zeros = octets.iter().take_while(|&&o| o == 0).count();
    octets.drain(..zeros);
    octets
}

/// The signature algorithms accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithme {
    Rs256,
    Es256,
}

impl Algorithme {
    fn convient(self, cle: &Cle) -> bool {
        matches!(
            (self, cle),
            (Self::Rs256, Cle::Rsa { .. }) | (Self::Es256, Cle::P256 { .. })
        )
    }
}

#[derive(Deserialize)]
struct Entete {
    alg: Option<String>,
    kid: Option<String>,
    crit: Option<Value>,
}

/// A JWS cut into its parts, header read, signature not verified yet.
#[derive(Debug)]
pub(crate) struct JetonSigne<'a> {
    pub algorithme: Algorithme,
    pub kid: Option<String>,
    /// `header.payload`, the signed bytes.
    signe: &'a str,
    charge: &'a str,
    signature: Vec<u8>,
}

/// Cuts a compact JWS and reads its header. Refuses anything but RS256 and ES256.
pub(crate) fn decouper(jeton: &str) -> Result<JetonSigne<'_>, ErreurOidc> {
    let mut parties = jeton.trim().split('.');
    let (Some(entete), Some(charge), Some(signature), None) =
        (parties.next(), parties.next(), parties.next(), parties.next())
    else {
        return Err(ErreurOidc::JetonMalforme);
    };
    let entete_json = BASE64URL.decode(entete).map_err(|_| ErreurOidc::JetonMalforme)?;
    let entete_lu: Entete = serde_json::from_value(Value::Object(objet_sans_doublon(&entete_json)?))
        .map_err(|_| ErreurOidc::JetonMalforme)?;
    let algorithme = match entete_lu.alg.as_deref() {
        Some("RS256") => Algorithme::Rs256,
        Some("ES256") => Algorithme::Es256,
        Some(autre) => return Err(ErreurOidc::AlgorithmeRefuse(nettoyer(autre))),
        None => return Err(ErreurOidc::JetonMalforme),
    };
    // No JWS extension is understood here, so none can be critical.
    if entete_lu.crit.is_some() {
        return Err(ErreurOidc::JetonMalforme);
    }
    let signature = BASE64URL
        .decode(signature)
        .map_err(|_| ErreurOidc::JetonMalforme)?;
    if signature.is_empty() {
        return Err(ErreurOidc::SignatureInvalide);
    }
    Ok(JetonSigne {
        algorithme,
        kid: entete_lu.kid,
        signe: &jeton.trim()[..entete.len() + 1 + charge.len()],
        charge,
        signature,
    })
}

/// The key of `cles` that fits the token: the one with its `kid`, or, for a token without
/// `kid`, the only key of the right type. `None` when there is none (the JWKS may need a reload).
pub(crate) fn choisir_cle<'c>(jeton: &JetonSigne<'_>, cles: &'c [CleNommee]) -> Option<&'c Cle> {
    match &jeton.kid {
        Some(kid) => cles
            .iter()
            .find(|c| c.kid.as_deref() == Some(kid.as_str()))
            .map(|c| &c.cle),
        None => {
            let mut convenables = cles.iter().filter(|c| jeton.algorithme.convient(&c.cle));
            match (convenables.next(), convenables.next()) {
                (Some(seule), None) => Some(&seule.cle),
                _ => None,
            }
        }
    }
}

impl JetonSigne<'_> {
    /// Verifies the signature with `cle` and returns the claims.
    pub(crate) fn verifier(&self, cle: &Cle) -> Result<Map<String, Value>, ErreurOidc> {
        let message = self.signe.as_bytes();
        let valide = match (self.algorithme, cle) {
            (Algorithme::Rs256, Cle::Rsa { n, e }) => RsaPublicKeyComponents { n, e }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, &self.signature)
                .is_ok(),
            (Algorithme::Es256, Cle::P256 { point }) => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(message, &self.signature)
                    .is_ok()
            }
            _ => false,
        };
        if !valide {
            return Err(ErreurOidc::SignatureInvalide);
        }
        let charge = BASE64URL
            .decode(self.charge)
            .map_err(|_| ErreurOidc::JetonMalforme)?;
        objet_sans_doublon(&charge)
    }
}

/// A JSON object read strictly: a member named twice, at any depth, makes it malformed.
/// (`serde_json` keeps the last of two members with the same name, so that a token saying
/// `"email": "a", …, "email": "b"` would be read one way here and maybe another way by
/// whoever else reads it; RFC 7519 §4 asks to reject it.)
pub(crate) fn objet_sans_doublon(json: &[u8]) -> Result<Map<String, Value>, ErreurOidc> {
    match serde_json::from_slice::<SansDoublon>(json) {
        Ok(SansDoublon(Value::Object(objet))) => Ok(objet),
        _ => Err(ErreurOidc::JetonMalforme),
    }
}

/// A JSON value whose objects never name a member twice.
struct SansDoublon(Value);

impl<'de> Deserialize<'de> for SansDoublon {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(VisiteurSansDoublon).map(SansDoublon)
    }
}

struct VisiteurSansDoublon;

impl<'de> serde::de::Visitor<'de> for VisiteurSansDoublon {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("une valeur JSON sans membre en double")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut valeurs = Vec::new();
        while let Some(SansDoublon(v)) = seq.next_element()? {
            valeurs.push(v);
        }
        Ok(Value::Array(valeurs))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut objet = Map::new();
        while let Some(nom) = map.next_key::<String>()? {
            let SansDoublon(valeur) = map.next_value()?;
            if objet.insert(nom, valeur).is_some() {
                return Err(serde::de::Error::custom("membre en double"));
            }
        }
        Ok(Value::Object(objet))
    }
}

/// What the claims of a token must say.
pub(crate) struct Attendu<'a> {
    pub emetteur: &'a str,
    pub client_id: &'a str,
    pub maintenant: i64,
}

/// Checks the claims of an ID token (OpenID Connect Core §3.1.3.7): `iss`, `aud`/`azp`, `exp`,
/// `nbf` when present, `iat` (neither in the future nor older than [`AGE_MAX_JETON`]), `nonce`,
/// and a non-empty `sub`. Returns the subject.
pub(crate) fn verifier_jeton_id(
    revendications: &Map<String, Value>,
    attendu: &Attendu<'_>,
    nonce: &str,
) -> Result<String, ErreurOidc> {
    verifier_emetteur_audience(revendications, attendu, true)?;
    let exp = nombre(revendications, "exp").ok_or(ErreurOidc::JetonMalforme)?;
    if attendu.maintenant > exp.saturating_add(TOLERANCE_HORLOGE) {
        return Err(ErreurOidc::JetonExpire);
    }
    verifier_nbf(revendications, attendu)?;
    let iat = nombre(revendications, "iat").ok_or(ErreurOidc::JetonMalforme)?;
    if iat > attendu.maintenant.saturating_add(TOLERANCE_HORLOGE) {
        return Err(ErreurOidc::JetonDuFutur);
    }
    if iat
        < attendu
            .maintenant
            .saturating_sub(AGE_MAX_JETON + TOLERANCE_HORLOGE)
    {
        return Err(ErreurOidc::JetonTropAncien);
    }
    let nonce_recu = revendications.get("nonce").and_then(Value::as_str);
    if !nonce_recu.is_some_and(|n| egal_temps_constant(n.as_bytes(), nonce.as_bytes())) {
        return Err(ErreurOidc::NonceIncorrect);
    }
    sujet(revendications).ok_or(ErreurOidc::JetonMalforme)
}

/// Checks the claims of a signed userinfo answer (OpenID Connect Core §5.3.2): `iss` and `aud`
/// required (a signed answer without them could be any JWT the provider signed, for any
/// client), `exp` and `nbf` when present, and `sub` equal to the ID token's.
pub(crate) fn verifier_infos_signees(
    revendications: &Map<String, Value>,
    attendu: &Attendu<'_>,
    sujet_attendu: &str,
) -> Result<(), ErreurOidc> {
    verifier_emetteur_audience(revendications, attendu, true)?;
    match revendications.get("exp") {
        None => {}
        Some(_) => {
            let exp = nombre(revendications, "exp").ok_or(ErreurOidc::JetonMalforme)?;
            if attendu.maintenant > exp.saturating_add(TOLERANCE_HORLOGE) {
                return Err(ErreurOidc::JetonExpire);
            }
        }
    }
    verifier_nbf(revendications, attendu)?;
    if sujet(revendications).as_deref() != Some(sujet_attendu) {
        return Err(ErreurOidc::SujetIncoherent);
    }
    Ok(())
}

fn verifier_emetteur_audience(
    revendications: &Map<String, Value>,
    attendu: &Attendu<'_>,
    obligatoires: bool,
) -> Result<(), ErreurOidc> {
    match revendications.get("iss") {
        Some(Value::String(iss)) if iss == attendu.emetteur => {}
        None if !obligatoires => {}
        _ => return Err(ErreurOidc::EmetteurIncorrect),
    }
    let (audience_correcte, plusieurs) = match revendications.get("aud") {
        Some(Value::String(aud)) => (aud == attendu.client_id, false),
        Some(Value::Array(auds)) => (
            auds.iter().any(|a| a.as_str() == Some(attendu.client_id)),
            auds.len() > 1,
        ),
        None => (!obligatoires, false),
        Some(_) => (false, false),
    };
    if !audience_correcte {
        return Err(ErreurOidc::AudienceIncorrecte);
    }
    // `azp`, when present, names the client the token was issued to; a token for several
    // audiences must name it (Core §3.1.3.7, points 4 and 5: the other audiences are parties
    // this client does not trust).
    match revendications.get("azp") {
        None if !plusieurs => Ok(()),
        Some(Value::String(azp)) if azp == attendu.client_id => Ok(()),
        _ => Err(ErreurOidc::AudienceIncorrecte),
    }
}

/// `nbf` (not before), when present: a number, not after now (with the clock tolerance).
fn verifier_nbf(revendications: &Map<String, Value>, attendu: &Attendu<'_>) -> Result<(), ErreurOidc> {
    if revendications.contains_key("nbf") {
        let nbf = nombre(revendications, "nbf").ok_or(ErreurOidc::JetonMalforme)?;
        if nbf > attendu.maintenant.saturating_add(TOLERANCE_HORLOGE) {
            return Err(ErreurOidc::JetonPasEncoreValide);
        }
    }
    Ok(())
}

/// Checks `at_hash`, when the ID token has one, against the access token received with it
/// (Core §3.1.3.8): the base64url of the left half of the SHA-256 of the access token (both
/// accepted algorithms hash with SHA-256). A token without `at_hash` is accepted, as the code
/// flow allows; one with a wrong `at_hash`, or of a wrong type, is not.
pub(crate) fn verifier_at_hash(
    revendications: &Map<String, Value>,
    jeton_acces: Option<&str>,
) -> Result<(), ErreurOidc> {
    let Some(recu) = revendications.get("at_hash") else {
        return Ok(());
    };
    let Some(recu) = recu.as_str() else {
        return Err(ErreurOidc::JetonMalforme);
    };
    let Some(jeton_acces) = jeton_acces else {
        return Err(ErreurOidc::EmpreinteJetonAccesIncorrecte);
    };
    let empreinte = ring::digest::digest(&ring::digest::SHA256, jeton_acces.as_bytes());
    let attendu = BASE64URL.encode(&empreinte.as_ref()[..16]);
    if egal_temps_constant(recu.as_bytes(), attendu.as_bytes()) {
        Ok(())
    } else {
        Err(ErreurOidc::EmpreinteJetonAccesIncorrecte)
    }
}

fn nombre(revendications: &Map<String, Value>, nom: &str) -> Option<i64> {
    let valeur = revendications.get(nom)?;
    valeur
        .as_i64()
        .or_else(|| valeur.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
}

pub(crate) fn sujet(revendications: &Map<String, Value>) -> Option<String> {
    revendications
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Compares two secrets in a time that does not depend on where they differ.
pub(crate) fn egal_temps_constant(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    use serde_json::json;

    use super::*;

    fn b64(octets: &[u8]) -> String {
        BASE64URL.encode(octets)
    }

    fn jeton_es256(paire: &EcdsaKeyPair, kid: Option<&str>, charge: &Value) -> String {
        let mut entete = json!({"alg": "ES256", "typ": "JWT"});
        if let Some(kid) = kid {
            entete["kid"] = json!(kid);
        }
        let signe = format!(
            "{}.{}",
            b64(entete.to_string().as_bytes()),
            b64(charge.to_string().as_bytes())
        );
        let signature = paire.sign(&SystemRandom::new(), signe.as_bytes()).unwrap();
        format!("{signe}.{}", b64(signature.as_ref()))
    }

    fn paire_p256() -> EcdsaKeyPair {
        let aleatoire = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &aleatoire).unwrap();
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &aleatoire).unwrap()
    }

    fn cle_p256(paire: &EcdsaKeyPair) -> Cle {
        Cle::P256 {
            point: paire.public_key().as_ref().to_vec(),
        }
    }

    #[test]
    fn es256_verifie() {
        let paire = paire_p256();
        let jeton = jeton_es256(&paire, Some("ec"), &json!({"sub": "agent"}));
        let decoupe = decouper(&jeton).unwrap();
        assert_eq!(decoupe.algorithme, Algorithme::Es256);
        let revendications = decoupe.verifier(&cle_p256(&paire)).unwrap();
        assert_eq!(revendications["sub"], "agent");
        // Another P-256 key, or a key of another type, does not verify it.
        assert_eq!(
            decoupe.verifier(&cle_p256(&paire_p256())),
            Err(ErreurOidc::SignatureInvalide)
        );
        let rsa = Cle::Rsa {
            n: vec![1; 256],
            e: vec![1, 0, 1],
        };
        assert_eq!(decoupe.verifier(&rsa), Err(ErreurOidc::SignatureInvalide));
    }

    #[test]
    fn jwks_lu_sans_les_cles_inutiles() {
        let paire = paire_p256();
        let point = paire.public_key().as_ref();
        let jwks = json!({"keys": [
            {"kty": "RSA", "kid": "r", "use": "sig", "alg": "RS256", "n": b64(&[0, 0, 7, 8]), "e": "AQAB"},
            {"kty": "RSA", "kid": "chiffrement", "use": "enc", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "ps", "alg": "PS256", "n": "AQAB", "e": "AQAB"},
            {"kty": "EC", "kid": "e", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..])},
            {"kty": "EC", "kid": "p384", "crv": "P-384", "x": "AA", "y": "AA"},
            {"kty": "oct", "kid": "h", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "casse", "n": "!!", "e": "AQAB"}
        ]});
        let cles = lire_jwks(&jwks.to_string()).unwrap();
        assert_eq!(
            cles,
            vec![
                CleNommee {
                    kid: Some("r".into()),
                    cle: Cle::Rsa {
                        n: vec![7, 8],
                        e: vec![1, 0, 1]
                    }
                },
                CleNommee {
                    kid: Some("e".into()),
                    cle: cle_p256(&paire)
                },
            ]
        );
        assert_eq!(
            lire_jwks("pas du json"),
            Err(ErreurOidc::ReponseInvalide("jeu de clés JWKS"))
        );
    }

    #[test]
    fn cle_sans_kid_choisie_si_unique() {
        let paire = paire_p256();
        let jeton = jeton_es256(&paire, None, &json!({}));
        let decoupe = decouper(&jeton).unwrap();
        let rsa = CleNommee {
            kid: Some("r".into()),
            cle: Cle::Rsa {
                n: vec![1],
                e: vec![3],
            },
        };
        let ec = CleNommee {
            kid: Some("e".into()),
            cle: cle_p256(&paire),
        };
        assert_eq!(choisir_cle(&decoupe, &[rsa.clone(), ec.clone()]), Some(&ec.cle));
        assert_eq!(choisir_cle(&decoupe, &[ec.clone(), ec.clone()]), None);
        assert_eq!(choisir_cle(&decoupe, std::slice::from_ref(&rsa)), None);
    }

    #[test]
    fn jetons_malformes_ou_algorithmes_refuses() {
        let entete = |v: Value| b64(v.to_string().as_bytes());
        let charge = b64(b"{}");
        for (jeton, attendu) in [
            ("".to_owned(), ErreurOidc::JetonMalforme),
            ("a.b".to_owned(), ErreurOidc::JetonMalforme),
            ("a.b.c.d".to_owned(), ErreurOidc::JetonMalforme),
            (format!("%%.{charge}.AA"), ErreurOidc::JetonMalforme),
            (
                format!("{}.{charge}.", entete(json!({"alg": "none"}))),
                ErreurOidc::AlgorithmeRefuse("none".into()),
            ),
            (
                format!("{}.{charge}.AA", entete(json!({"alg": "HS256"}))),
                ErreurOidc::AlgorithmeRefuse("HS256".into()),
            ),
            (
                format!("{}.{charge}.AA", entete(json!({"typ": "JWT"}))),
                ErreurOidc::JetonMalforme,
            ),
            (
                format!("{}.{charge}.AA", entete(json!({"alg": "RS256", "crit": ["b64"]}))),
                ErreurOidc::JetonMalforme,
            ),
            (
                format!("{}.{charge}.", entete(json!({"alg": "RS256"}))),
                ErreurOidc::SignatureInvalide,
            ),
        ] {
            assert_eq!(decouper(&jeton).unwrap_err(), attendu, "{jeton}");
        }
    }

    fn attendu() -> Attendu<'static> {
        Attendu {
            emetteur: "https://fournisseur.test/api/v2",
            client_id: "pacte",
            maintenant: 1_000_000,
        }
    }

    fn revendications(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn revendications_du_jeton_id() {
        let valide = json!({
            "iss": "https://fournisseur.test/api/v2", "aud": "pacte", "sub": "s",
            "exp": 1_000_100, "iat": 999_990, "nonce": "n"
        });
        assert_eq!(
            verifier_jeton_id(&revendications(valide.clone()), &attendu(), "n"),
            Ok("s".to_owned())
        );
        let avec = |cle: &str, valeur: Value| {
            let mut v = valide.clone();
            v[cle] = valeur;
            verifier_jeton_id(&revendications(v), &attendu(), "n")
        };
        assert_eq!(
            avec("iss", json!("https://autre")),
            Err(ErreurOidc::EmetteurIncorrect)
        );
        assert_eq!(avec("aud", json!("autre")), Err(ErreurOidc::AudienceIncorrecte));
        // Several audiences: `azp` must name this client.
        assert_eq!(
            avec("aud", json!(["autre", "pacte"])),
            Err(ErreurOidc::AudienceIncorrecte)
        );
        let mut pour_plusieurs = valide.clone();
        pour_plusieurs["aud"] = json!(["autre", "pacte"]);
        pour_plusieurs["azp"] = json!("pacte");
        assert_eq!(
            verifier_jeton_id(&revendications(pour_plusieurs.clone()), &attendu(), "n"),
            Ok("s".into())
        );
        pour_plusieurs["azp"] = json!("autre");
        assert_eq!(
            verifier_jeton_id(&revendications(pour_plusieurs), &attendu(), "n"),
            Err(ErreurOidc::AudienceIncorrecte)
        );
        assert_eq!(avec("aud", json!(["pacte"])), Ok("s".into()));
        // `nbf`: now is 1 000 000, the tolerance 60 s.
        assert_eq!(avec("nbf", json!(1_000_060)), Ok("s".into()));
        assert_eq!(
            avec("nbf", json!(1_000_061)),
            Err(ErreurOidc::JetonPasEncoreValide)
        );
        assert_eq!(avec("nbf", json!("hier")), Err(ErreurOidc::JetonMalforme));
        // `iat` at most 10 min (+ 60 s) old: 1 000 000 − 660 = 999 340.
        assert_eq!(avec("iat", json!(999_340)), Ok("s".into()));
        assert_eq!(avec("iat", json!(999_339)), Err(ErreurOidc::JetonTropAncien));
        assert_eq!(avec("aud", json!(["autre"])), Err(ErreurOidc::AudienceIncorrecte));
        assert_eq!(avec("aud", json!(3)), Err(ErreurOidc::AudienceIncorrecte));
        assert_eq!(avec("azp", json!("autre")), Err(ErreurOidc::AudienceIncorrecte));
        assert_eq!(avec("exp", json!(999_000)), Err(ErreurOidc::JetonExpire));
        // Within the clock tolerance.
        assert_eq!(avec("exp", json!(999_950)), Ok("s".into()));
        assert_eq!(avec("exp", json!(1_000_100.5)), Ok("s".into()));
        assert_eq!(avec("exp", json!("demain")), Err(ErreurOidc::JetonMalforme));
        assert_eq!(avec("iat", json!(1_000_500)), Err(ErreurOidc::JetonDuFutur));
        assert_eq!(avec("nonce", json!("autre")), Err(ErreurOidc::NonceIncorrect));
        assert_eq!(avec("nonce", json!(null)), Err(ErreurOidc::NonceIncorrect));
        assert_eq!(avec("sub", json!("")), Err(ErreurOidc::JetonMalforme));
        let mut sans_aud = valide.clone();
        sans_aud.as_object_mut().unwrap().remove("aud");
        assert_eq!(
            verifier_jeton_id(&revendications(sans_aud), &attendu(), "n"),
            Err(ErreurOidc::AudienceIncorrecte)
        );
    }

    #[test]
    fn revendications_des_infos_signees() {
        let emetteur = "https://fournisseur.test/api/v2";
        assert_eq!(
            verifier_infos_signees(
                &revendications(json!({"sub": "s", "iss": emetteur, "aud": "pacte"})),
                &attendu(),
                "s"
            ),
            Ok(())
        );
        // OpenID Connect Core §5.3.2: a signed answer carries `iss` and `aud`.
        assert_eq!(
            verifier_infos_signees(&revendications(json!({"sub": "s"})), &attendu(), "s"),
            Err(ErreurOidc::EmetteurIncorrect)
        );
        assert_eq!(
            verifier_infos_signees(
                &revendications(json!({"sub": "s", "iss": emetteur})),
                &attendu(),
                "s"
            ),
            Err(ErreurOidc::AudienceIncorrecte)
        );
        assert_eq!(
            verifier_infos_signees(
                &revendications(json!({"sub": "t", "iss": emetteur, "aud": "pacte"})),
                &attendu(),
                "s"
            ),
            Err(ErreurOidc::SujetIncoherent)
        );
        assert_eq!(
            verifier_infos_signees(
                &revendications(json!({"sub": "s", "iss": emetteur, "aud": "autre"})),
                &attendu(),
                "s"
            ),
            Err(ErreurOidc::AudienceIncorrecte)
        );
        assert_eq!(
            verifier_infos_signees(
                &revendications(json!({"sub": "s", "iss": "https://autre"})),
                &attendu(),
                "s"
            ),
            Err(ErreurOidc::EmetteurIncorrect)
        );
    }

    #[test]
    fn membres_en_double_et_remplissage_refuses() {
        assert!(objet_sans_doublon(br#"{"a": 1, "b": {"c": [1, {"d": 2}]}}"#).is_ok());
        for json in [
            &br#"{"sub": "a", "sub": "b"}"#[..],
            br#"{"a": {"c": 1, "c": 2}}"#,
            br#"{"a": [{"c": 1, "c": 1}]}"#,
            br#"[1]"#,
            br#"{"a": 1"#,
        ] {
            assert_eq!(
                objet_sans_doublon(json),
                Err(ErreurOidc::JetonMalforme),
                "{}",
                String::from_utf8_lossy(json)
            );
        }
        // A header naming `alg` twice.
        let entete = b64(br#"{"alg": "HS256", "alg": "RS256"}"#);
        assert_eq!(
            decouper(&format!("{entete}.{}.AA", b64(b"{}"))).unwrap_err(),
            ErreurOidc::JetonMalforme
        );
        // A token signed with its parts padded (RFC 7515 forbids the padding): refused, even
        // though its signature is right.
        let paire = paire_p256();
        let entete = b64(br#"{"alg":"ES256"}"#);
        let charge = b64(br#"{"sub":"agent1"}"#);
        assert_eq!(charge.len() % 4, 2, "a payload whose base64 is padded with `==`");
        let signe = format!("{entete}.{charge}==");
        let signature = paire.sign(&SystemRandom::new(), signe.as_bytes()).unwrap();
        let jeton = format!("{signe}.{}", b64(signature.as_ref()));
        assert_eq!(
            decouper(&jeton).unwrap().verifier(&cle_p256(&paire)),
            Err(ErreurOidc::JetonMalforme)
        );
        let signe = format!("{entete}.{charge}");
        let signature = paire.sign(&SystemRandom::new(), signe.as_bytes()).unwrap();
        let jeton = format!("{signe}.{}", b64(signature.as_ref()));
        assert!(decouper(&jeton).unwrap().verifier(&cle_p256(&paire)).is_ok());
        assert_eq!(
            decouper(&format!("{jeton}=")).unwrap_err(),
            ErreurOidc::JetonMalforme,
            "padded signature"
        );
    }

    #[test]
    fn empreinte_du_jeton_d_acces() {
        // OpenID Connect Core §3.1.3.6 example: SHA-256 of the access token, left half, base64url.
        let acces = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
        let empreinte =
            BASE64URL.encode(&ring::digest::digest(&ring::digest::SHA256, acces.as_bytes()).as_ref()[..16]);
        let avec = |at_hash: Value| revendications(json!({ "at_hash": at_hash }));
        assert_eq!(verifier_at_hash(&avec(json!(empreinte)), Some(acces)), Ok(()));
        assert_eq!(
            verifier_at_hash(&avec(json!(empreinte)), Some("autre")),
            Err(ErreurOidc::EmpreinteJetonAccesIncorrecte)
        );
        assert_eq!(
            verifier_at_hash(&avec(json!(empreinte)), None),
            Err(ErreurOidc::EmpreinteJetonAccesIncorrecte)
        );
        assert_eq!(
            verifier_at_hash(&avec(json!(3)), Some(acces)),
            Err(ErreurOidc::JetonMalforme)
        );
        assert_eq!(verifier_at_hash(&revendications(json!({})), Some(acces)), Ok(()));
    }

    #[test]
    fn comparaison_en_temps_constant() {
        assert!(egal_temps_constant(b"abc", b"abc"));
        assert!(!egal_temps_constant(b"abc", b"abd"));
        assert!(!egal_temps_constant(b"abc", b"ab"));
    }
}
