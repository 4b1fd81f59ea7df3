//! The setup checklist of the admin dashboard. It is worked out from the installation's
//! current state on every request and never stored, so an item done today shows as broken
//! again when its server stops responding.
//!
//! Adding an item takes two steps: a field of [`Snapshot`] for the state it reads, filled in
//! [`snapshot`], and an entry in [`items::ITEMS`] that turns that state into a status.

mod items;
pub mod reachability;

use crate::error::ApiResult;
use crate::integrations::chat::{Channel, Slack, Teams};
use crate::integrations::directory::Directory;
use crate::integrations::mail::Mailer;
use crate::settings::{
    self, ChannelConfig, LdapConfig, OidcConfig, Section, SiemConfig, SmtpConfig,
};
use crate::state::AppState;
use crate::store;
use reachability::{Outcome, fingerprint};
use shared::branding::LogoInfo;
use shared::checklist::{ItemStatus, SetupChecklist};
use std::future::Future;

/// How many names of definitions without instances a detail line lists.
const NAMES_LISTED: i64 = 3;

/// The state of a connection to another system.
#[derive(Debug, Clone)]
pub enum Connection {
    /// Not configured, or turned off.
    Missing,
    /// Configured; the live check's result.
    Checked(Outcome),
}

/// Everything the items read, gathered once per request.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub title: String,
    pub title_saved: bool,
    pub logo: Option<LogoInfo>,
    pub mail: Connection,
    pub directory: Connection,
    pub sign_in: Connection,
    pub active_definitions: i64,
    /// Names of the first active definitions that assign instances but have none, and how
    /// many such definitions there are.
    pub definitions_without_instances: (Vec<String>, i64),
    /// Names of the chat services with an enabled channel.
    pub chat_channels: Vec<&'static str>,
    pub siem: Connection,
    pub active_tokens: i64,
}

/// Builds the checklist from the current state.
pub async fn build(state: &AppState) -> ApiResult<SetupChecklist> {
    let snapshot = snapshot(state).await?;
    let items: Vec<_> = items::ITEMS
        .iter()
        .map(|item| item.evaluate(&snapshot))
        .collect();
    let complete = items.iter().all(|item| item.status == ItemStatus::Done);
    Ok(SetupChecklist {
        items,
        complete,
        checked_at: state.clock.now(),
    })
}

async fn snapshot(state: &AppState) -> ApiResult<Snapshot> {
    let general = crate::branding::current(state).await?;
    let (mail, directory, sign_in, siem) =
        tokio::join!(mail(state), directory(state), sign_in(state), siem(state));
    let mut chat_channels = Vec::new();
    if channel_enabled::<Teams>(state).await {
        chat_channels.push(Teams::NAME);
    }
    if channel_enabled::<Slack>(state).await {
        chat_channels.push(Slack::NAME);
    }
    let now = state.clock.now();

    Ok(Snapshot {
        title: general.title,
        title_saved: crate::branding::title_saved(state).await?,
        logo: general.logo,
        mail,
        directory,
        sign_in,
        active_definitions: store::checklist::active_definitions(&state.db).await?,
        definitions_without_instances: store::checklist::definitions_without_instances(
            &state.db,
            NAMES_LISTED,
        )
        .await?,
        chat_channels,
        siem,
        active_tokens: store::checklist::active_tokens(&state.db, now).await?,
    })
}

/// Loads the section `S` and, when `is_on` accepts it, checks it live with `probe`.
async fn connection<S, F, Fut>(state: &AppState, is_on: fn(&S) -> bool, probe: F) -> Connection
where
    S: Section,
    F: FnOnce(S) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let config = match settings::load::<S>(state).await {
        Ok(Some(config)) if is_on(&config) => config,
        Ok(_) => return Connection::Missing,
        Err(error) => return Connection::Checked(Err(error.to_string())),
    };
    let key = fingerprint(&config);
    let outcome = state
        .reachability
        .check(S::KEY, key, || probe(config))
        .await;
    Connection::Checked(outcome)
}

async fn mail(state: &AppState) -> Connection {
    connection(
        state,
        |_: &SmtpConfig| true,
        |config| async move {
            let mailer = Mailer::new(config).map_err(|e| e.to_string())?;
            mailer.test().await.map_err(|e| e.to_string())
        },
    )
    .await
}

async fn directory(state: &AppState) -> Connection {
    connection(
        state,
        |_: &LdapConfig| true,
        |config| async move {
            let directory = Directory::new(config);
            directory.test().await.map_err(|e| e.to_string())
        },
    )
    .await
}

/// Checks portal sign-in only while it is enabled; turned off, it counts as not set up.
async fn sign_in(state: &AppState) -> Connection {
    let redirect_uri = crate::http::settings::redirect_uri(state);
    connection(
        state,
        |config: &OidcConfig| config.enabled,
        |config| async move { crate::integrations::oidc_check::test(&config, &redirect_uri).await },
    )
    .await
}

/// Checks audit forwarding only while it is on. The latest delivery counts too, so a SIEM
/// that passes its health check but rejects the events shows as broken.
async fn siem(state: &AppState) -> Connection {
    let config = match settings::load::<SiemConfig>(state).await {
        Ok(Some(config)) if config.enabled => config,
        Ok(_) => return Connection::Missing,
        Err(error) => return Connection::Checked(Err(error.to_string())),
    };
    Connection::Checked(crate::audit_forwarding::check(state, &config).await)
}

/// Returns whether the channel is on with a webhook URL. A stored section that cannot be
/// read counts as off, since nothing is posted to it then.
async fn channel_enabled<C: Channel>(state: &AppState) -> bool {
    match settings::load::<ChannelConfig<C>>(state).await {
        Ok(Some(config)) => config.enabled && config.view().webhook_url_set,
        Ok(None) => false,
        Err(error) => {
            tracing::warn!(channel = C::NAME, %error, "setup checklist: channel settings unreadable");
            false
        }
    }
}
