//! A software passkey authenticator, for tests that talk to the server over
//! HTTP as a browser's WebAuthn API would: it makes ES256 (P-256) keys with
//! `ring`, answers registrations with "none" attestation and assertions with
//! real signatures, and keeps its counter. Only what the server reads is
//! encoded (a few CBOR maps, written by hand below).

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use ring::{
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair},
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// One passkey on the device.
pub struct Authenticator {
    rp_id: String,
    origin: String,
    key: EcdsaKeyPair,
    pub credential_id: Vec<u8>,
    /// The account's handle, as registration gave it.
    user_handle: Vec<u8>,
    counter: u32,
}

fn cbor_head(out: &mut Vec<u8>, major: u8, n: usize) {
    match n {
        0..=23 => out.push((major << 5) | n as u8),
        24..=255 => out.extend([(major << 5) | 24, n as u8]),
        _ => {
            out.push((major << 5) | 25);
            out.extend((n as u16).to_be_bytes());
        }
    }
}

fn cbor_int(out: &mut Vec<u8>, v: i64) {
    if v >= 0 { cbor_head(out, 0, v as usize) } else { cbor_head(out, 1, (-1 - v) as usize) }
}

fn cbor_bytes(out: &mut Vec<u8>, b: &[u8]) {
    cbor_head(out, 2, b.len());
    out.extend(b);
}

fn cbor_text(out: &mut Vec<u8>, s: &str) {
    cbor_head(out, 3, s.len());
    out.extend(s.as_bytes());
}

fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn unb64(s: &str) -> Vec<u8> {
    B64.decode(s.trim_end_matches('=')).expect("base64url")
}

impl Authenticator {
    /// A new passkey for the site at `origin` (whose host is the relying party).
    pub fn new(origin: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let host = origin.split_once("://").expect("an origin").1;
        let rp_id = host.split([':', '/']).next().unwrap().to_owned();
        let mut credential_id = vec![0u8; 32];
        ring::rand::SecureRandom::fill(&rng, &mut credential_id).unwrap();
        Self { rp_id, origin: origin.to_owned(), key, credential_id, user_handle: Vec::new(), counter: 0 }
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        json!({ "type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false })
            .to_string()
            .into_bytes()
    }

    fn auth_data(&self, flags: u8) -> Vec<u8> {
        let mut d = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        d.push(flags);
        d.extend(self.counter.to_be_bytes());
        d
    }

    /// The answer to `navigator.credentials.create` for these options (`publicKey`).
    pub fn register(&mut self, options: &Value) -> Value {
        let challenge = options["challenge"].as_str().expect("a challenge");
        self.user_handle = unb64(options["user"]["id"].as_str().expect("a user id"));
        assert_eq!(options["rp"]["id"], self.rp_id.as_str(), "the relying party is the public host");
        let public = self.key.public_key().as_ref(); // 0x04 || x || y
        let mut cose = Vec::new();
        cbor_head(&mut cose, 5, 5);
        for (k, v) in [(1, 2), (3, -7), (-1, 1)] {
            cbor_int(&mut cose, k);
            cbor_int(&mut cose, v);
        }
        cbor_int(&mut cose, -2);
        cbor_bytes(&mut cose, &public[1..33]);
        cbor_int(&mut cose, -3);
        cbor_bytes(&mut cose, &public[33..65]);
        // User present and verified, with attested credential data.
        let mut auth_data = self.auth_data(0x01 | 0x04 | 0x40);
        auth_data.extend([0u8; 16]);
        auth_data.extend((self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&self.credential_id);
        auth_data.extend(cose);
        let mut att = Vec::new();
        cbor_head(&mut att, 5, 3);
        cbor_text(&mut att, "fmt");
        cbor_text(&mut att, "none");
        cbor_text(&mut att, "attStmt");
        cbor_head(&mut att, 5, 0);
        cbor_text(&mut att, "authData");
        cbor_bytes(&mut att, &auth_data);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": { "attestationObject": b64(&att), "clientDataJSON": b64(&self.client_data("webauthn.create", challenge)) },
            "extensions": {},
        })
    }

    /// The answer to `navigator.credentials.get` for these options (`publicKey`).
    pub fn assert(&mut self, options: &Value) -> Value {
        let challenge = options["challenge"].as_str().expect("a challenge");
        self.counter += 1;
        let auth_data = self.auth_data(0x01 | 0x04);
        let client_data = self.client_data("webauthn.get", challenge);
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature = self.key.sign(&SystemRandom::new(), &signed).unwrap();
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.as_ref()),
                "userHandle": b64(&self.user_handle),
            },
            "extensions": {},
        })
    }
}

/// The same answer with one bit of its signature flipped.
pub fn tampered(answer: &Value) -> Value {
    let mut forged = answer.clone();
    let mut sig = unb64(answer["response"]["signature"].as_str().expect("an assertion"));
    let last = sig.len() - 1;
    sig[last] ^= 1;
    forged["response"]["signature"] = b64(&sig).into();
    forged
}
