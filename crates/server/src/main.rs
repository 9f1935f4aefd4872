//! The `sfdesk` command line: serve the API and widget, migrate the database, run the demo.
//!
//! Errors end the process with one line on stderr naming the problem and a non-zero status.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;
use sfdesk_server::api::{self, Mode};
use sfdesk_server::config::Config;
use sfdesk_server::crypto::Cipher;
use sfdesk_server::{demo, server, telemetry};

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
