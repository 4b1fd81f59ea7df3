//! OpenID Connect sign-in for the portal: authorization code flow with PKCE, with state and
//! nonce checked, and the ID token verified against the provider's published keys.

use crate::settings::OidcConfig;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Provider metadata is fetched again after this long, so key rotation is picked up.
const METADATA_TTL: Duration = Duration::from_secs(600);

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("portal sign-in is not configured; an administrator sets it up under Settings")]
    NotConfigured,
    #[error("the identity provider at {issuer} cannot be reached or answered badly: {message}")]
    Discovery { issuer: String, message: String },
    #[error("the identity provider rejected the sign-in: {0}")]
    Exchange(String),
    #[error("the ID token is invalid: {0}")]
    Token(String),
    #[error("the sign-in request is invalid: {0}")]
    Request(String),
}

/// What the browser carries, encrypted, from the start of sign-in to the callback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flow {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
}

/// The verified identity from an ID token.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
}

/// Discovered provider metadata, kept for [`METADATA_TTL`].
#[derive(Clone, Default)]
pub struct ProviderCache {
    inner: Arc<Mutex<Option<(String, Instant, CoreProviderMetadata)>>>,
}

fn http_client() -> Result<openidconnect::reqwest::Client, OidcError> {
    openidconnect::reqwest::ClientBuilder::new()
        // Following redirects from the provider would let it steer requests elsewhere.
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| OidcError::Request(e.to_string()))
}

/// Fetches the provider's discovery document, without the cache.
pub async fn discover(issuer: &str) -> Result<CoreProviderMetadata, OidcError> {
    let discovery_error = |message: String| OidcError::Discovery {
        issuer: issuer.to_string(),
        message,
    };
    let issuer_url =
        IssuerUrl::new(issuer.to_string()).map_err(|e| discovery_error(e.to_string()))?;
    CoreProviderMetadata::discover_async(issuer_url, &http_client()?)
        .await
        .map_err(|e| discovery_error(error_chain(&e)))
}

type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

impl ProviderCache {
    async fn metadata(&self, issuer: &str) -> Result<CoreProviderMetadata, OidcError> {
        let mut cached = self.inner.lock().await;
        if let Some((cached_issuer, fetched, metadata)) = cached.as_ref()
            && cached_issuer == issuer
            && fetched.elapsed() < METADATA_TTL
        {
            return Ok(metadata.clone());
        }
        let metadata = discover(issuer).await?;
        *cached = Some((issuer.to_string(), Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    async fn client(&self, config: &OidcConfig, redirect_uri: &str) -> Result<Client, OidcError> {
        if !config.enabled {
            return Err(OidcError::NotConfigured);
        }
        let metadata = self.metadata(&config.issuer_url).await?;
        let redirect = RedirectUrl::new(redirect_uri.to_string())
            .map_err(|e| OidcError::Request(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(config.client_id.clone()),
            config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// Starts a sign-in: returns the provider's authorization URL and the flow to keep.
    pub async fn start(
        &self,
        config: &OidcConfig,
        redirect_uri: &str,
        return_to: String,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(String, Flow), OidcError> {
        let client = self.client(config, redirect_uri).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let flow = Flow {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            return_to,
            started_at: now,
        };
        Ok((url.to_string(), flow))
    }

    /// Exchanges the code and verifies the ID token, including its nonce.
    pub async fn finish(
        &self,
        config: &OidcConfig,
        redirect_uri: &str,
        flow: Flow,
        code: String,
    ) -> Result<Identity, OidcError> {
        let client = self.client(config, redirect_uri).await?;
        let http = http_client()?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier))
            .request_async(&http)
            .await
            .map_err(|e| OidcError::Exchange(error_chain(&e)))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::Token("the provider returned no ID token".into()))?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(flow.nonce))
            .map_err(|e| OidcError::Token(e.to_string()))?;

        Ok(Identity {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified(),
            preferred_username: claims.preferred_username().map(|u| u.to_string()),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
        })
    }
}

/// Joins an error's message with those of its sources.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
