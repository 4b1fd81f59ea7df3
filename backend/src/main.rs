//! The `ipsolis` command: serve, worker, migrate, openapi, seed, license.

use anyhow::Context;
use clap::{Parser, Subcommand};
use ipsolis::config::{Config, ConfigRedacted};
use ipsolis::jobs::Queue;
use ipsolis::jobs::worker::WorkerPool;
use ipsolis::observability;
use ipsolis::observability::traces::TraceConfig;
use ipsolis::state::AppState;
use std::path::PathBuf;
use std::process::ExitCode;
use tokio::sync::watch;

#[derive(Parser)]
#[command(
    name = "ipsolis",
    version,
    about = "ip·Solis: self-hosted IT access requests"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the SPA, and run the scheduler and (without --no-workers) job workers.
    Serve {
        /// Run no job workers in this process (run `ipsolis worker` separately).
        #[arg(long)]
        no_workers: bool,
        /// Job workers in this process.
        #[arg(long, default_value_t = 4)]
        workers: usize,
    },
    /// Run job workers only.
    Worker {
        /// Comma-separated queues: provision, notifications, default, reclaim.
        #[arg(
            long,
            default_value = "provision,notifications,default,reclaim",
            value_delimiter = ','
        )]
        queues: Vec<String>,
        /// Jobs run at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Also serve `/metrics` on this address, such as 0.0.0.0:9464, for the job counters
        /// of this process. The settings under Settings → Metrics apply to it.
        #[arg(long)]
        metrics_bind: Option<std::net::SocketAddr>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Load administrators, settings and asset definitions from a JSON file.
    Seed { file: PathBuf },
    /// Make license keys, sign licenses and check license files (the vendor's tools).
    License {
        #[command(subcommand)]
        action: LicenseCommand,
    },
}

#[derive(Subcommand)]
enum LicenseCommand {
    /// Generate a key pair: write the private key to --out and print the public key as JSON.
    Keygen {
        /// The key's id, which license files name in `key_id`.
        #[arg(long)]
        key_id: String,
        /// The file the private key is written to. It must not exist yet.
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a payload (license_id, licensee, max_active_users, issued_on, expires_on) and
    /// print the license file.
    Sign {
        /// The private key file written by `keygen`.
        #[arg(long)]
        key: PathBuf,
        /// The payload as a JSON file.
        payload: PathBuf,
    },
    /// Check a license file against the built-in keys and print its payload.
    Verify { file: PathBuf },
}

fn license_command(action: LicenseCommand) -> anyhow::Result<String> {
    use ipsolis::license::tool;
    match action {
        LicenseCommand::Keygen { key_id, out } => tool::keygen(&key_id, &out).map(|k| k + "\n"),
        LicenseCommand::Sign { key, payload } => tool::sign(&key, &payload),
        LicenseCommand::Verify { file } => tool::verify(&file),
    }
}

/// Returns a channel that turns true on Ctrl-C or SIGTERM.
fn shutdown_signal() -> watch::Receiver<bool> {
    let (sender, receiver) = watch::channel(false);
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler succeeds");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
        tracing::info!("shutting down");
        let _ = sender.send(true);
    });
    receiver
}

fn validate_queues(queues: &[String]) -> anyhow::Result<()> {
    for queue in queues {
        if Queue::parse(queue).is_none() {
            anyhow::bail!(
                "unknown queue {queue:?}; use provision, notifications, default or reclaim"
            );
        }
    }
    Ok(())
}

async fn serve(config: Config, no_workers: bool, workers: usize) -> anyhow::Result<()> {
    let bind = config.bind;
    let state = AppState::connect(config).await?;
    let shutdown = shutdown_signal();

    let scheduler = tokio::spawn(ipsolis::jobs::schedule::run(
        state.clone(),
        shutdown.clone(),
    ));
    let pool = (!no_workers).then(|| {
        let queues = Queue::ALL.iter().map(|q| q.as_str().to_string()).collect();
        tokio::spawn(WorkerPool::new(queues, workers).run(state.clone(), shutdown.clone()))
    });

    ipsolis::license::log_at_start(&state).await;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!(%bind, public_url = %state.config.public_url, "ip·Solis is serving");
    let mut stop = shutdown.clone();
    let app = ipsolis::app::app(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = stop.wait_for(|stopped| *stopped).await;
    })
    .await?;

    let _ = scheduler.await;
    if let Some(pool) = pool {
        let _ = pool.await;
    }
    Ok(())
}

/// Serves `/metrics` alone on `bind` until `shutdown` turns true, for a worker process.
async fn serve_metrics(
    state: AppState,
    bind: std::net::SocketAddr,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind} for /metrics"))?;
    let app = axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(ipsolis::http::metrics::metrics),
        )
        .with_state(state);
    tracing::info!(%bind, "serving /metrics");
    let mut stop = shutdown;
    tokio::spawn(async move {
        let stopped = async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        };
        if let Err(error) = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!(%error, "the /metrics server stopped");
        }
    });
    Ok(())
}

async fn execute(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            no_workers,
            workers,
        } => serve(config, no_workers, workers).await,
        Command::Worker {
            queues,
            concurrency,
            metrics_bind,
        } => {
            validate_queues(&queues)?;
            let state = AppState::connect(config).await?;
            let shutdown = shutdown_signal();
            if let Some(bind) = metrics_bind {
                serve_metrics(state.clone(), bind, shutdown.clone()).await?;
            }
            WorkerPool::new(queues, concurrency)
                .run(state, shutdown)
                .await;
            Ok(())
        }
        Command::Migrate => {
            let db = ipsolis::db::connect(&config.database_url).await?;
            ipsolis::db::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Seed { file } => {
            let state = AppState::connect(config).await?;
            ipsolis::seed::apply_file(&state, &file).await?;
            tracing::info!(file = %file.display(), "seed applied");
            Ok(())
        }
        Command::Openapi | Command::License { .. } => unreachable!("handled above"),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Openapi = cli.command {
        use std::io::Write;
        let written = std::io::stdout().write_all(ipsolis::app::openapi_json().as_bytes());
        // A closed pipe (`ipsolis openapi | head`) is the reader's choice, not a failure.
        return match written {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
            _ => Ok(()),
        };
    }

    let command = match cli.command {
        Command::License { action } => {
            // The vendor's tools need no database and no configuration.
            print!("{}", license_command(action)?);
            return Ok(());
        }
        other => other,
    };

    let config = Config::from_env()?;
    let telemetry = observability::traces::init(
        config.log_json,
        observability::traces::log_filter_from_env(),
        TraceConfig::from_env()?,
    )?;
    // Runbook scripts run as children of this process and under its user. A non-dumpable
    // process closes its memory and environment (API_SECRET_KEY, DATABASE_URL) to them in
    // /proc. A process running as root can still read them, so run as another user.
    if let Err(error) = nix::sys::prctl::set_dumpable(false) {
        tracing::warn!(%error, "cannot close this process's memory to other processes");
    }
    tracing::debug!(config = ?ConfigRedacted(&config), "configuration loaded");

    let result = execute(command, config).await;
    telemetry.shutdown().await;
    result
}

#[tokio::main]
async fn main() -> ExitCode {
    observability::process::mark_start();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ipsolis: {error:#}");
            ExitCode::FAILURE
        }
    }
}
