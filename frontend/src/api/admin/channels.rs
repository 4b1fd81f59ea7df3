use shared::settings::{ChannelSettings, ChannelSettingsInput, ConnectionTest};

use super::AdminApi;
use crate::api::ApiError;

/// A chat service whose channel receives approval messages through an incoming webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatService {
    Teams,
    Slack,
}

impl ChatService {
    /// Returns the settings path of the service, such as `/api/v1/settings/teams`.
    pub fn settings_path(self) -> &'static str {
        match self {
            ChatService::Teams => "/api/v1/settings/teams",
            ChatService::Slack => "/api/v1/settings/slack",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ChatService::Teams => "Microsoft Teams",
            ChatService::Slack => "Slack",
        }
    }

    /// Returns the prefix of the service's element ids, such as `teams`.
    pub fn id(self) -> &'static str {
        match self {
            ChatService::Teams => "teams",
            ChatService::Slack => "slack",
        }
    }
}

impl AdminApi {
    pub async fn channel_settings(self, service: ChatService) -> Result<ChannelSettings, ApiError> {
        self.get(service.settings_path()).await
    }

    pub async fn save_channel_settings(
        self,
        service: ChatService,
        input: &ChannelSettingsInput,
    ) -> Result<ChannelSettings, ApiError> {
        self.put(service.settings_path(), input).await
    }

    /// Posts a test message to the channel. Without `webhook_url`, the server uses the stored one.
    pub async fn test_channel_settings(
        self,
        service: ChatService,
        input: &ChannelSettingsInput,
    ) -> Result<ConnectionTest, ApiError> {
        let url = format!("{}/test", service.settings_path());
        self.post(&url, Some(input)).await
    }
}
