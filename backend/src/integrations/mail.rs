//! Sending e-mail over SMTP with the settings from the database.

use crate::settings::SmtpConfig;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use shared::settings::SmtpTls;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the address {0:?} is not a valid e-mail address")]
    Address(String),
    #[error("cannot set up the SMTP connection to {host}: {message}")]
    Setup { host: String, message: String },
    #[error("SMTP server {host}:{port} failed: {message}")]
    Smtp {
        host: String,
        port: u16,
        message: String,
    },
    #[error("building the message failed: {0}")]
    Build(String),
}

/// One message with a plain-text and an HTML body.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Email {
    pub to: String,
    /// A second reader, such as the deputy who placed an order for the recipient.
    #[serde(default)]
    pub cc: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Mailer {
    config: SmtpConfig,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Mailer {
    pub fn new(config: SmtpConfig) -> Result<Mailer, MailError> {
        let setup_error = |e: lettre::transport::smtp::Error| MailError::Setup {
            host: config.host.clone(),
            message: e.to_string(),
        };
        let mut builder = match config.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(setup_error)?,
            SmtpTls::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).map_err(setup_error)?
            }
        };
        builder = builder.port(config.port).timeout(Some(TIMEOUT));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            config,
        })
    }

    fn smtp_error(&self, e: impl std::fmt::Display) -> MailError {
        MailError::Smtp {
            host: self.config.host.clone(),
            port: self.config.port,
            message: e.to_string(),
        }
    }

    /// Connects, greets and authenticates, sending nothing.
    pub async fn test(&self) -> Result<String, MailError> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(format!(
                "Connected to {}:{} and the server accepted the session.",
                self.config.host, self.config.port
            )),
            Ok(false) => Err(self.smtp_error("the server did not accept the connection")),
            Err(e) => Err(self.smtp_error(e)),
        }
    }

    pub async fn send(&self, email: &Email) -> Result<(), MailError> {
        let from: Mailbox = self
            .config
            .from
            .parse()
            .map_err(|_| MailError::Address(self.config.from.clone()))?;
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|_| MailError::Address(email.to.clone()))?;
        let mut builder = Message::builder().from(from).to(to);
        if let Some(cc) = &email.cc {
            let cc: Mailbox = cc.parse().map_err(|_| MailError::Address(cc.clone()))?;
            builder = builder.cc(cc);
        }
        let message = builder
            .subject(&email.subject)
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| self.smtp_error(e))?;
        Ok(())
    }
}
