//! Password hashing: argon2id, PHC strings. Only the hash is stored; verification reads the
//! parameters from the hash itself, so hashes made with either cost verify alike.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Minimum length of a password chosen by a user (characters).
pub const LONGUEUR_MIN: usize = 12;

/// The cost of new hashes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Cout {
    /// The `argon2` crate's defaults (argon2id, 19 MiB, 2 passes): production.
    #[default]
    Standard,
    /// Minimal parameters, for tests only: hashes stay argon2id but cost nothing.
    Test,
}

fn argon2(cout: Cout) -> Argon2<'static> {
    match cout {
        Cout::Standard => Argon2::default(),
        Cout::Test => Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).expect("argon2 parameters"),
        ),
    }
}

/// 32 random bytes, base64url without padding: session ids, CSRF tokens, API tokens.
pub fn aleatoire() -> String {
    use base64::Engine;
    let mut octets = [0u8; 32];
    getrandom::getrandom(&mut octets).expect("system random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(octets)
}

/// The argon2id PHC string of a password.
pub fn hacher(mot_de_passe: &str, cout: Cout) -> String {
    let mut sel = [0u8; 16];
    getrandom::getrandom(&mut sel).expect("system random source");
    let sel = SaltString::encode_b64(&sel).expect("salt");
    argon2(cout)
        .hash_password(mot_de_passe.as_bytes(), &sel)
        .expect("argon2 hash")
        .to_string()
}

/// Whether `mot_de_passe` matches `hash`. An unreadable hash matches nothing.
pub fn verifier(hash: &str, mot_de_passe: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(mot_de_passe.as_bytes(), &h)
            .is_ok()
    })
}

/// Spends the time of a verification, for sign-ins of unknown accounts: the answer time does
/// not tell whether an account exists.
pub fn verifier_a_blanc(mot_de_passe: &str) {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = HASH.get_or_init(|| hacher("mot de passe inexistant", Cout::Standard));
    let _ = verifier(hash, mot_de_passe);
}

/// The French reason why a new password is refused, if it is.
pub fn refus_nouveau(mot_de_passe: &str) -> Option<String> {
    let n = mot_de_passe.chars().count();
    if n < LONGUEUR_MIN {
        return Some(format!(
            "Le mot de passe doit compter au moins {LONGUEUR_MIN} caractères (il en compte {n})."
        ));
    }
    if mot_de_passe.trim().is_empty() {
        return Some("Le mot de passe ne peut pas être fait que d'espaces.".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hacher_puis_verifier() {
        let h = hacher("correct horse battery", Cout::Test);
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verifier(&h, "correct horse battery"));
        assert!(!verifier(&h, "correct horse batterie"));
        assert!(!verifier("pas un hash", "x"));
        assert_ne!(aleatoire(), aleatoire());
        assert_eq!(aleatoire().len(), 43);
        assert!(refus_nouveau("court").is_some());
        assert!(refus_nouveau("assez long mdp").is_none());
    }
}
