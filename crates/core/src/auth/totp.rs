//! Authenticator codes (TOTP, RFC 6238: HMAC-SHA1, six digits, 30-second
//! steps, as every authenticator app reads an `otpauth://` QR code), the
//! sealing of their secrets at rest, and recovery codes.
//!
//! A secret is sealed with `INTAKE_SECRET_KEY` (ChaCha20-Poly1305, a random
//! nonce per seal, the account's id as associated data, so a sealed secret
//! copied to another account does not open). Recovery codes hold 50 random
//! bits each and are stored as SHA-256 hashes.

use ring::{aead, hmac, rand::SecureRandom, rand::SystemRandom};
use sha2::{Digest, Sha256};
use std::fmt;
use uuid::Uuid;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Steps either side of now a code may come from (a clock a little off, a code typed as it changes).
const SKEW: i64 = 1;
/// Recovery codes in a set.
pub const RECOVERY_CODES: usize = 10;
/// Crockford's base32: no I, L, O or U; read back, O is 0 and I or L is 1.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const SECRET_BYTES: usize = 20;

/// The key secrets are sealed with (`INTAKE_SECRET_KEY`: 64 hex digits).
#[derive(Clone)]
pub struct SealKey([u8; 32]);

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealKey(***)")
    }
}

impl SealKey {
    /// 64 hex digits (`openssl rand -hex 32`).
    pub fn from_hex(s: &str) -> Option<Self> {
        let bytes = hex::decode(s.trim()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// The key's bytes, for keys derived from it (see `super::sso`).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    fn key(&self) -> aead::LessSafeKey {
        aead::LessSafeKey::new(aead::UnboundKey::new(&aead::CHACHA20_POLY1305, &self.0).expect("a 32-byte key"))
    }

    /// Nonce, then ciphertext and tag.
    pub fn seal(&self, owner: Uuid, secret: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; aead::NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).expect("the system's random source");
        let mut body = secret.to_vec();
        self.key()
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(owner.as_bytes()),
                &mut body,
            )
            .expect("sealing a short secret");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&body);
        out
    }

    /// `None`: not sealed by this key for this owner.
    pub fn open(&self, owner: Uuid, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < aead::NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(aead::NONCE_LEN);
        let nonce = aead::Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = body.to_vec();
        let plain = self.key().open_in_place(nonce, aead::Aad::from(owner.as_bytes()), &mut body).ok()?;
        Some(plain.to_vec())
    }
}

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    let mut s = vec![0u8; SECRET_BYTES];
    SystemRandom::new().fill(&mut s).expect("the system's random source");
    s
}

/// The step a moment (in milliseconds) falls in.
pub fn step_at(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000 * STEP_SECS)
}

/// The six-digit code of `step`.
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = hmac::sign(&key, &step.to_be_bytes());
    let mac = mac.as_ref();
    let at = (mac[mac.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([mac[at] & 0x7f, mac[at + 1], mac[at + 2], mac[at + 3]]);
    bin % 1_000_000
}

/// The newest step around `now_ms` whose code is `typed` (spaces ignored).
pub fn matching_step(secret: &[u8], typed: &str, now_ms: i64) -> Option<i64> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let typed: u32 = digits.parse().ok()?;
    let now = step_at(now_ms);
    // Every candidate is computed, so the time does not tell which matched.
    let mut found = None;
    for step in (now - SKEW)..=(now + SKEW) {
        if code_at(secret, step) == typed {
            found = Some(step);
        }
    }
    found
}

/// RFC 4648 base32 without padding, as authenticator apps take a secret typed in.
pub fn base32(bytes: &[u8]) -> String {
    const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(B32[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(B32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The `otpauth://` address an app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20");
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

/// The address as an SVG QR code (dark modules on white, scaled by CSS).
pub fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(uri, qrcode::EcLevel::M) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
        Err(_) => String::new(),
    }
}

/// A new set of recovery codes, as shown (`xxxxx-xxxxx`).
pub fn new_recovery_codes() -> Vec<String> {
    let rng = SystemRandom::new();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut raw = [0u8; 10];
            rng.fill(&mut raw).expect("the system's random source");
            let chars: String = raw.iter().map(|b| ALPHABET[(b & 31) as usize] as char).collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// The stored form of a recovery code as typed (case, spaces and dashes
/// ignored); `None` when it cannot be one.
pub fn recovery_hash(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        })
        .collect();
    if code.len() != 10 || !code.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    Some(hex::encode(Sha256::digest(code.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B (SHA-1, eight digits there; six here are their last six).
    #[test]
    fn codes_match_the_rfc() {
        let secret = b"12345678901234567890";
        for (t, eight) in [(59, 94287082u32), (1111111109, 7081804), (1111111111, 14050471), (1234567890, 89005924)] {
            assert_eq!(code_at(secret, t / STEP_SECS), eight % 1_000_000, "t = {t}");
        }
        assert_eq!(base32(secret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn a_code_matches_its_window_only() {
        let secret = new_secret();
        let now = 1_700_000_000_000;
        let step = step_at(now);
        let code = |s: i64| format!("{:06}", code_at(&secret, s));
        assert_eq!(matching_step(&secret, &code(step), now), Some(step));
        assert_eq!(matching_step(&secret, &code(step - 1), now), Some(step - 1), "the code just gone");
        assert_eq!(matching_step(&secret, &format!(" {} ", code(step)), now), Some(step));
        assert_eq!(matching_step(&secret, &code(step - 3), now), None, "ninety seconds old");
        assert_eq!(matching_step(&secret, &code(step + 3), now), None);
        for bad in ["", "12345", "1234567", "abcdef", "12 34 5"] {
            assert_eq!(matching_step(&secret, bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_owner() {
        let key = SealKey::from_hex(&"ab".repeat(32)).unwrap();
        let (owner, other) = (Uuid::now_v7(), Uuid::now_v7());
        let secret = new_secret();
        let sealed = key.seal(owner, &secret);
        assert!(!sealed.windows(secret.len()).any(|w| w == secret.as_slice()), "not in clear");
        assert_ne!(sealed, key.seal(owner, &secret), "a fresh nonce each time");
        assert_eq!(key.open(owner, &sealed), Some(secret));
        assert_eq!(key.open(other, &sealed), None, "bound to its account");
        assert_eq!(SealKey::from_hex(&"cd".repeat(32)).unwrap().open(owner, &sealed), None);
        assert_eq!(key.open(owner, &sealed[..5]), None);
        assert!(SealKey::from_hex("abc").is_none() && SealKey::from_hex(&"zz".repeat(32)).is_none());
        assert_eq!(format!("{key:?}"), "SealKey(***)");
    }

    #[test]
    fn recovery_codes_are_random_and_read_forgivingly() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), RECOVERY_CODES);
        let c = &codes[0];
        assert_eq!(c.len(), 11);
        let h = recovery_hash(c).unwrap();
        assert_eq!(recovery_hash(&c.to_uppercase()), Some(h.clone()));
        assert_eq!(recovery_hash(&c.replace('-', " ")), Some(h.clone()));
        assert!(!h.contains(&c.replace('-', "")), "stored hashed");
        assert_eq!(recovery_hash("short"), None);
        assert_eq!(recovery_hash("uuuuu-uuuuu"), None, "outside the alphabet");
        assert_eq!(recovery_hash("ooooo-lllll"), recovery_hash("00000-11111"), "read as Crockford's");
    }

    #[test]
    fn the_address_is_what_apps_read() {
        let uri = otpauth_uri("Intake", "ana+x@firm.test", b"12345678901234567890");
        assert_eq!(
            uri,
            "otpauth://totp/Intake:ana%2Bx%40firm.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Intake&algorithm=SHA1&digits=6&period=30"
        );
        assert!(qr_svg(&uri).starts_with("<?xml") || qr_svg(&uri).starts_with("<svg"));
    }
}
