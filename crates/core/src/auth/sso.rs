//! Single sign-on with the firm's OpenID Connect provider (openidconnect 4):
//! the authorization code flow with PKCE, its `state` and `nonce` checked.
//!
//! Nothing of a sign-in under way is stored on the server. `state` is
//! random, with the time it began; the browser keeps it in a short-lived
//! cookie (`HttpOnly`, `SameSite=Lax`) beside a second random value that is
//! never sent to the provider, and the callback must bring the same `state`
//! back in its query, so a callback started in another browser (a login
//! CSRF) fails. The PKCE verifier and the nonce are derived from that second
//! value with a key derived from `INTAKE_SECRET_KEY` (HMAC-SHA256): someone
//! holding a callback URL (a leaked `code` and `state`) cannot make the
//! verifier, and any instance can finish what another began. The provider
//! uses each code once.
//!
//! An account is matched by its email, which the provider must say is
//! verified; it must exist already (invited), unless its domain is
//! `INTAKE_OIDC_SIGNUP_DOMAIN`. The provider's own second factor is the
//! firm's business: a sign-in here counts as a proved second factor.

use crate::{config::SsoSettings, error::Error, services::Services};
use intake_domain::{Email, accounts::AuditAction};
use intake_store::{Attorney, INVITED_HASH, Role, account_admin::NewAudit, now_ms};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata},
};
use ring::hmac;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;
use uuid::Uuid;

/// The cookie holding a sign-in's `state` between the two redirects.
pub const STATE_COOKIE: &str = "intake_sso";
/// How long a sign-in may take at the provider.
pub const ATTEMPT_MS: i64 = 10 * 60 * 1000;
/// The provider's metadata (its endpoints and keys) is read again after this.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// The largest answer read from the provider.
const MAX_RESPONSE: usize = 1024 * 1024;

type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// The provider, as this instance knows it.
pub struct Provider {
    settings: SsoSettings,
    redirect: RedirectUrl,
    http: Http,
    metadata: RwLock<Option<(Instant, CoreProviderMetadata)>>,
    /// When discovery last failed: the provider is not asked again for
    /// [`RETRY_AFTER_FAILURE`], so an outage does not turn each press of
    /// the button into a 10-second outbound call.
    failed_at: std::sync::Mutex<Option<Instant>>,
}

/// How long a failed discovery is remembered.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(30);
/// How far ahead of this instance's clock another's may be.
const CLOCK_SKEW_MS: i64 = 5_000;

/// Why a sign-in was refused: the code `/login?sso=…` carries; the page
/// (`pages::login`) holds the sentence for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No matching `state` in this browser, or too old.
    State,
    /// The provider said no, or its answer did not check out (signature, audience, nonce…).
    Provider,
    /// The provider does not vouch for the email.
    Unverified,
    /// No account for that email (and no sign-up for its domain).
    Unknown,
    Disabled,
    /// The provider cannot be reached.
    Unavailable,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::State => "state",
            Self::Provider => "provider",
            Self::Unverified => "unverified",
            Self::Unknown => "unknown",
            Self::Disabled => "disabled",
            Self::Unavailable => "unavailable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::State, Self::Provider, Self::Unverified, Self::Unknown, Self::Disabled, Self::Unavailable]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Where the browser goes to sign in, and what its cookie keeps until the callback.
pub struct Start {
    pub url: String,
    pub state: String,
    /// Never sent to the provider: the verifier and nonce are derived from it.
    pub secret: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// The provider's HTTP client: no redirects followed, and at most
/// [`MAX_RESPONSE`] of an answer read.
struct Http(reqwest_client::Client);

impl<'c> openidconnect::AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<openidconnect::HttpResponse, HttpError>> + Send + 'c>,
    >;

    fn call(&'c self, req: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let mut res = self
                .0
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|e| HttpError(e.to_string()))?;
            let mut out = openidconnect::http::Response::builder().status(res.status());
            if let Some(h) = out.headers_mut() {
                *h = res.headers().clone();
            }
            let mut body = Vec::new();
            while let Some(chunk) = res.chunk().await.map_err(|e| HttpError(e.to_string()))? {
                if body.len() + chunk.len() > MAX_RESPONSE {
                    return Err(HttpError("the provider's answer is too large".into()));
                }
                body.extend_from_slice(&chunk);
            }
            out.body(body).map_err(|e| HttpError(e.to_string()))
        })
    }
}

impl Provider {
    pub fn new(settings: SsoSettings, public_url: &str) -> Result<Self, String> {
        let redirect = RedirectUrl::new(format!("{public_url}/login/sso/callback")).map_err(|e| e.to_string())?;
        // Redirects are not followed (the library's advice against SSRF), and no proxy is read from the environment.
        let http = reqwest_client::Client::builder()
            .redirect(reqwest_client::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("Intake/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the single sign-on HTTP client: {e}"))?;
        Ok(Self { settings, redirect, http: Http(http), metadata: RwLock::new(None), failed_at: Default::default() })
    }

    pub fn name(&self) -> &str {
        &self.settings.name
    }

    /// The provider's metadata, discovered once an hour (or again after a failure).
    async fn metadata(&self) -> Result<CoreProviderMetadata, Refusal> {
        if let Some((at, m)) = self.metadata.read().await.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(m.clone());
        }
        let recently_failed = |f: &std::sync::Mutex<Option<Instant>>| {
            f.lock().unwrap_or_else(|e| e.into_inner()).is_some_and(|at| at.elapsed() < RETRY_AFTER_FAILURE)
        };
        if recently_failed(&self.failed_at) {
            return Err(Refusal::Unavailable);
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|_| Refusal::Unavailable)?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http).await.map_err(|e| {
            tracing::warn!(error = %e, "cannot read the single sign-on provider's metadata");
            *self.failed_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
            Refusal::Unavailable
        })?;
        *self.metadata.write().await = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    async fn client(&self) -> Result<Client, Refusal> {
        let m = self.metadata().await?;
        Ok(CoreClient::from_provider_metadata(
            m,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.expose().to_owned())),
        )
        .set_redirect_uri(self.redirect.clone()))
    }
}

/// `state`: the time it began (ms, hex) and 256 random bits.
fn new_state(now: i64) -> String {
    format!("{now:x}.{}", super::token::random_base64url(""))
}

fn started_at(state: &str) -> Option<i64> {
    let (at, rest) = state.split_once('.')?;
    (rest.len() == 43 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| i64::from_str_radix(at, 16).ok())?
}

/// A value derived from a sign-in's secret with the server's key, for one `purpose`.
fn derive(state: &Services, purpose: &str, sign_in: &str) -> Result<String, Error> {
    let key = state
        .config
        .accounts
        .secret_key
        .as_ref()
        .ok_or_else(|| Error::internal("sso", "INTAKE_SECRET_KEY is not set"))?;
    // A key of its own, derived from INTAKE_SECRET_KEY (which also seals apps' secrets).
    let derived = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key.bytes()), b"intake: single sign-on");
    let key = hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref());
    let tag = hmac::sign(&key, format!("{purpose}:{sign_in}").as_bytes());
    Ok(super::token::base64url(tag.as_ref()))
}

fn provider(state: &Services) -> Result<&Provider, Error> {
    state.sso.as_deref().ok_or(Error::NotFound("page"))
}

/// Begins a sign-in: where to send the browser, and the `state` for its cookie.
pub async fn start(state: &Services) -> Result<Start, Refusal> {
    let provider = provider(state).map_err(|_| Refusal::Unavailable)?;
    let client = provider.client().await?;
    let sign_in = new_state(now_ms());
    let secret = super::token::random_base64url("");
    let verifier = derive(state, "pkce", &secret).map_err(|_| Refusal::Unavailable)?;
    let nonce = derive(state, "nonce", &secret).map_err(|_| Refusal::Unavailable)?;
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier));
    let csrf = sign_in.clone();
    let (url, _, _) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            move || CsrfToken::new(csrf),
            move || Nonce::new(nonce),
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    Ok(Start { url: url.to_string(), state: sign_in, secret })
}

/// The callback's query.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct Callback {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub state: String,
    /// Set when the provider refused (the person cancelled, say).
    #[serde(default)]
    pub error: Option<String>,
}

/// What the browser's cookie kept: the sign-in's `state` and secret.
#[derive(Clone, Copy, Debug)]
pub struct Kept<'a> {
    pub state: &'a str,
    pub secret: &'a str,
}

/// Finishes a sign-in: the account it is for, once everything checks out.
pub async fn finish(state: &Services, callback: Callback, kept: Option<Kept<'_>>) -> Result<Attorney, Refusal> {
    let provider = provider(state).map_err(|_| Refusal::Unavailable)?;
    let sign_in = callback.state.as_str();
    let now = now_ms();
    let fresh = started_at(sign_in).is_some_and(|at| at <= now + CLOCK_SKEW_MS && now - at <= ATTEMPT_MS);
    let Some(kept) = kept.filter(|k| fresh && k.state == sign_in && k.secret.len() == 43) else {
        return Err(Refusal::State);
    };
    if let Some(e) = &callback.error {
        tracing::info!(error = %e.chars().take(100).collect::<String>(), "the single sign-on provider refused");
        return Err(Refusal::Provider);
    }
    let verifier = derive(state, "pkce", kept.secret).map_err(|_| Refusal::Unavailable)?;
    let nonce = Nonce::new(derive(state, "nonce", kept.secret).map_err(|_| Refusal::Unavailable)?);
    let client = provider.client().await?;
    let token = client
        .exchange_code(AuthorizationCode::new(callback.code))
        .map_err(|_| Refusal::Unavailable)?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&provider.http)
        .await
        .map_err(|e| {
            tracing::info!(error = %e, "the single sign-on code was refused");
            Refusal::Provider
        })?;
    let id_token = token.id_token().ok_or(Refusal::Provider)?;
    let claims = id_token.claims(&client.id_token_verifier(), &nonce).map_err(|e| {
        tracing::warn!(error = %e, "a single sign-on ID token did not check out");
        Refusal::Provider
    })?;
    let email = claims.email().map(|e| e.as_str().to_owned()).ok_or(Refusal::Unverified)?;
    if claims.email_verified() != Some(true) {
        return Err(Refusal::Unverified);
    }
    let email = Email::parse(&email).map_err(|_| Refusal::Unverified)?.to_string();
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_owned())
        .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
    let who = match state.db.accounts().by_email(&email).await.map_err(|_| Refusal::Unavailable)? {
        Some(a) if a.disabled => return Err(Refusal::Disabled),
        Some(a) => a,
        None => sign_up(state, &provider.settings, &email, &name).await?,
    };
    let entry = NewAudit {
        at: now_ms(),
        actor: Some(who.id),
        action: AuditAction::SsoSignIn,
        target: who.id,
        detail: provider.settings.name.clone(),
    };
    state.db.account_admin().record(&entry).await.map_err(|_| Refusal::Unavailable)?;
    Ok(who)
}

/// A first sign-in from the firm's domain, when the firm allows it: a new attorney's account.
async fn sign_up(state: &Services, settings: &SsoSettings, email: &str, name: &str) -> Result<Attorney, Refusal> {
    let domain = email.rsplit_once('@').map(|(_, d)| d.to_lowercase());
    if settings.signup_domain.is_none() || domain != settings.signup_domain {
        tracing::info!("single sign-on for an address with no account");
        return Err(Refusal::Unknown);
    }
    let name = intake_domain::PersonName::parse(name, "Name")
        .map(|n| n.to_string())
        .unwrap_or_else(|_| email.split('@').next().unwrap_or("Colleague").to_owned());
    let attorney = Attorney {
        id: Uuid::now_v7(),
        email: email.to_owned(),
        display_name: name,
        // No password: this account signs in through the provider (or sets one by a reset link).
        password_hash: INVITED_HASH.into(),
        created_at: now_ms(),
        disabled: false,
        role: Role::Attorney,
        sessions_valid_after: 0,
    };
    state.db.accounts().create(&attorney).await.map_err(|_| Refusal::Unavailable)?;
    let created = NewAudit {
        at: attorney.created_at,
        actor: None,
        action: AuditAction::Created,
        target: attorney.id,
        detail: format!("at a first single sign-on ({})", settings.name),
    };
    state.db.account_admin().record(&created).await.map_err(|_| Refusal::Unavailable)?;
    tracing::info!(account = %attorney.email, "account created at a first single sign-on");
    Ok(attorney)
}

/// Whether `email` may sign in with a password or a passkey: always, unless
/// the firm signs in only through its provider (then only the break-glass account).
pub fn local_sign_in_allowed(state: &Services, email: &str) -> bool {
    match state.config.accounts.sso.as_ref() {
        Some(s) if s.only => s.break_glass.as_deref().is_some_and(|b| b.eq_ignore_ascii_case(email.trim())),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::{Refusal, new_state, started_at};

    #[test]
    fn a_state_carries_when_it_began() {
        let s = new_state(0x1234);
        assert_eq!(started_at(&s), Some(0x1234));
        assert_eq!(started_at("zz.abc"), None);
        assert_eq!(started_at("1234"), None);
        assert_eq!(started_at(&format!("{}.{}", "1", "a".repeat(42))), None);
    }

    #[test]
    fn refusals_round_trip() {
        for r in [
            Refusal::State,
            Refusal::Provider,
            Refusal::Unverified,
            Refusal::Unknown,
            Refusal::Disabled,
            Refusal::Unavailable,
        ] {
            assert_eq!(Refusal::parse(r.as_str()), Some(r));
        }
        assert_eq!(Refusal::parse("<script>"), None);
    }
}
