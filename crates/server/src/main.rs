//! The `sfdesk` command line: serve the API and widget, migrate the database, run the demo.
//!
//! Errors end the process with one line on stderr naming the problem and a non-zero status.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;
use sfdesk_server::api::{self, Mode};
use sfdesk_server::config::Config;
use sfdesk_server::crypto::Cipher;
use sfdesk_server::{bench, demo, server, simulators, telemetry};

/// sfdesk joins Zoho Desk and Salesforce: two-way contact and account sync, and the requester's
/// Salesforce profile beside every Desk ticket.
#[derive(Debug, Parser)]
#[command(name = "sfdesk", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API, the widget pages and the sync jobs.
    ///
    /// Configuration comes from built-in defaults, then the TOML file given with --config, then
    /// environment variables named SFDESK__SECTION__KEY (e.g. SFDESK__DATABASE__URL,
    /// SFDESK__SECURITY__ENCRYPTION_KEY). Pending database migrations are applied at start.
    Serve {
        /// TOML configuration file.
        #[arg(long, short, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Apply pending database migrations, then exit.
    Migrate {
        /// TOML configuration file (only `database` and `security` are used).
        #[arg(long, short, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Run the whole product locally: a Desk-like ticket page with the widget, on a throw-away
    /// database. Prints the URL to open, works headless, stops on Ctrl-C.
    Demo {
        /// Port to listen on (127.0.0.1); 0 picks a free one.
        #[arg(long, short, default_value_t = 8080)]
        port: u16,
    },
    /// Print a new random encryption key for `security.encryption_key`.
    Keygen,
    /// Run the Salesforce and Zoho Desk simulators standalone. Prints one JSON line with their
    /// base URLs and ready-to-use credentials, then serves until stopped (Ctrl-C).
    Sim {
        /// Salesforce simulator port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        salesforce_port: u16,
        /// Desk simulator port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        desk_port: u16,
        /// Seed of the deterministic data generator (same seed, same data).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Contacts on each side.
        #[arg(long, default_value_t = 200)]
        contacts: usize,
        /// Accounts on each side.
        #[arg(long, default_value_t = 40)]
        accounts: usize,
        /// Contacts that are the same people on both sides (default: half of --contacts).
        #[arg(long)]
        overlap: Option<usize>,
        /// Latency added to every simulator call, in milliseconds.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
    },
    /// Benchmarks that print measured values and their ratio to the targets.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Simulator speed and memory: 2,000-record query batches, 200-record collection writes,
    /// resident memory with a large org loaded. Run on a release build.
    Sim {
        /// Contacts in the simulated org.
        #[arg(long, default_value_t = 1_000_000)]
        contacts: usize,
        /// Query batches and collection writes to measure (each).
        #[arg(long, default_value_t = 20)]
        rounds: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The sidebar's profile view: uncached and cached latency, cached requests per second,
    /// Salesforce calls per view, and the widget's gzipped size. Run on a release build.
    Profile {
        /// Latency the simulated Salesforce adds to every call, ms.
        #[arg(long, default_value_t = 50)]
        sf_latency_ms: u64,
        /// Uncached views to measure.
        #[arg(long, default_value_t = 40)]
        uncached_rounds: usize,
        /// Cached views to measure one at a time.
        #[arg(long, default_value_t = 2_000)]
        cached_rounds: usize,
        /// Concurrent connections of the load generator.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Seconds the load generator runs.
        #[arg(long, default_value_t = 5)]
        load_secs: u64,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&one_line(&e)),
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve { config } => {
            let config = Config::load(config.as_deref())?;
            telemetry::init(&config.telemetry);
            // Checked before anything is bound or created.
            config.encryption_key()?;
            let listener = server::bind(config.server.listen).await?;
            let listen = listener.local_addr()?;
            let state = server::open_state(config).await?;
            tracing::info!(
                %listen,
                database = %state.config.database.url,
                backend = state.store.backend_name(),
                "sfdesk serving"
            );
            let app = api::router(state, Mode::Production);
            server::serve(listener, app, server::shutdown_signal()).await?;
        }
        Command::Migrate { config } => {
            let config = Config::load(config.as_deref())?;
            telemetry::init(&config.telemetry);
            let database = config.database.url.to_string();
            server::open_state(config).await?;
            println!("migrations applied to {database}");
        }
        Command::Demo { port } => {
            telemetry::init(&Config::default().telemetry);
            let running = demo::start(port).await?;
            println!(
                "sfdesk demo running: open {} (Ctrl-C stops it)",
                running.url
            );
            running.run_until(server::shutdown_signal()).await?;
        }
        Command::Keygen => println!("{}", Cipher::generate_base64_key().expose_secret()),
        Command::Sim {
            salesforce_port,
            desk_port,
            seed,
            contacts,
            accounts,
            overlap,
            latency_ms,
        } => {
            let options = simulators::SimOptions {
                salesforce_port,
                desk_port,
                seed,
                contacts,
                accounts,
                overlap: overlap.unwrap_or(contacts / 2).min(contacts),
                latency: Duration::from_millis(latency_ms),
            };
            let running = simulators::start(&options).await?;
            println!("{}", serde_json::to_string(&running.credentials())?);
            server::shutdown_signal().await;
        }
        Command::Bench(BenchCommand::Sim {
            contacts,
            rounds,
            json,
        }) => {
            let report = bench::sim::run(bench::sim::SimBenchOptions { contacts, rounds }).await?;
            print_report(json, &report, &report.lines())?;
        }
        Command::Bench(BenchCommand::Profile {
            sf_latency_ms,
            uncached_rounds,
            cached_rounds,
            concurrency,
            load_secs,
            json,
        }) => {
            let report = bench::profile::run(bench::profile::ProfileBenchOptions {
                sf_latency_ms,
                uncached_rounds,
                cached_rounds,
                concurrency,
                load_secs,
            })
            .await?;
            print_report(json, &report, &report.lines())?;
        }
    }
    Ok(())
}

/// Prints a benchmark report: one JSON object, or its text lines.
fn print_report(
    json: bool,
    report: &impl serde::Serialize,
    lines: &[String],
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        for line in lines {
            println!("{line}");
        }
    }
    Ok(())
}

/// The error and its causes on one line, without repeating a cause already in the message.
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line
}

fn fail(message: &str) -> ExitCode {
    eprintln!("sfdesk: error: {message}");
    ExitCode::FAILURE
}
