//! sfdesk's task runner: `cargo xtask demo | test | dist | setup`.
//!
//! Each task first installs the external tools it needs, skipping those already there
//! at the right version, so a fresh machine needs only Rust (rustup) and Node.js + npm.
//! Tasks print each step with its elapsed time and a summary, and stop at the first
//! failure with a non-zero exit.
//!
//! Layout:
//! - `main.rs`: the CLI and the step list of each task;
//! - `context.rs`: workspace root, child `PATH`, running commands;
//! - `tools.rs`: version checks and installs (rustup target, Trunk, wasm-bindgen-cli,
//!   binaryen, Chromium + ChromeDriver);
//! - `widget.rs`: `trunk build --release` and the gzipped `.wasm` size budget;
//! - `steps.rs`: timed steps, the summary and the `cargo test` tally.

mod context;
mod steps;
mod tools;
mod widget;

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};

use crate::context::{Ctx, display, run};
use crate::steps::{Runner, Tally, run_tests};
use crate::tools::{Browser, Setup};

/// Where the tests expect PostgreSQL (conventions §3.9: a missing server fails tests).
const POSTGRES: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 5432);

/// sfdesk's task runner. Installs missing tools (Trunk, wasm-bindgen-cli, binaryen,
/// the wasm32 target and, for `test`, Chromium) before building.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

/// The tasks.
#[derive(Debug, Subcommand)]
enum Task {
    /// Build the widget and the server, then run `sfdesk demo` in the foreground:
    /// the app plus in-process Salesforce and Desk simulators with seed data.
    ///
    /// Stop it with Ctrl-C.
    Demo {
        /// The port the demo listens on.
        #[arg(long, short, default_value_t = 8080)]
        port: u16,
    },
    /// Run everything CI runs: fmt, clippy, the widget build, the wasm32 check of
    /// `sfdesk-shared`, the whole test suite with browser e2e tests, and rustdoc.
    ///
    /// Needs PostgreSQL at 127.0.0.1:5432. Installs Chromium and ChromeDriver from
    /// Debian's packages if they are missing.
    Test,
    /// Build the release binary with the widget embedded: `target/release/sfdesk`.
    Dist,
    /// Only check (and, without `--check`, install) the external tools.
    Setup {
        /// Report what is missing without installing anything; fail if anything is.
        #[arg(long)]
        check: bool,
        /// Include Chromium and ChromeDriver (needed by `test`).
        #[arg(long)]
        browser: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run_task(cli.task) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the cause chain on one line, without anyhow's backtrace.
            eprintln!("\nerror: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one task.
fn run_task(task: Task) -> Result<()> {
    let ctx = Ctx::new()?;
    match task {
        Task::Demo { port } => demo(&ctx, port),
        Task::Test => test(&ctx),
        Task::Dist => dist(&ctx),
        Task::Setup { check, browser } => {
            tools::setup(
                &ctx,
                Setup {
                    browser,
                    install: !check,
                },
            )?;
            Ok(())
        }
    }
}

/// Tools for building and running, without the browser.
const BUILD_TOOLS: Setup = Setup {
    browser: false,
    install: true,
};

/// `cargo xtask demo`: build, then replace this process with `sfdesk demo`.
fn demo(ctx: &Ctx, port: u16) -> Result<()> {
    let mut runner = Runner::new("demo");
    let built = build_for_demo(ctx, &mut runner);
    runner.finish(built, None)?;

    let binary = ctx.target_dir().join("debug").join("sfdesk");
    let mut cmd = ctx.command(&binary);
    cmd.args(["demo", "--port", &port.to_string()]);
    println!("\n$ {}", display(&cmd));
    exec(cmd)
}

/// The build steps of `demo`.
fn build_for_demo(ctx: &Ctx, runner: &mut Runner) -> Result<()> {
    runner.step("tools", || tools::setup(ctx, BUILD_TOOLS))?;
    runner.step("widget", || widget::build(ctx))?;
    runner.step("build sfdesk", || {
        run(ctx
            .cargo()
            .args(["build", "-p", "sfdesk-server", "--bin", "sfdesk"]))
    })?;
    Ok(())
}

/// Runs `cmd` in the foreground in place of this process (Unix `exec`), so Ctrl-C
/// and the exit status belong to it alone.
#[cfg(unix)]
fn exec(mut cmd: Command) -> Result<()> {
    use std::os::unix::process::CommandExt as _;
    let shown = display(&cmd);
    // `exec` only returns on failure.
    let err = cmd.exec();
    Err(err).with_context(|| format!("could not start `{shown}`"))
}

/// Runs `cmd` in the foreground and exits with its status.
#[cfg(not(unix))]
fn exec(mut cmd: Command) -> Result<()> {
    let shown = display(&cmd);
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    std::process::exit(status.code().unwrap_or(1))
}

/// `cargo xtask test`: the whole CI run.
fn test(ctx: &Ctx) -> Result<()> {
    let mut runner = Runner::new("test");
    let mut tally = Tally::default();
    let result = test_steps(ctx, &mut runner, &mut tally);
    runner.finish(result, Some(&tally))
}

/// The steps of `test`, in order; the first failure stops the run.
fn test_steps(ctx: &Ctx, runner: &mut Runner, tally: &mut Tally) -> Result<()> {
    // First, because it is instant and the tests cannot pass without it.
    runner.step("postgres", check_postgres)?;
    let browser = runner.step("tools", || {
        tools::setup(
            ctx,
            Setup {
                browser: true,
                install: true,
            },
        )
    })?;
    runner.step("fmt", || run(ctx.cargo().args(["fmt", "--all", "--check"])))?;
    runner.step("clippy", || {
        run(ctx.cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    runner.step("widget", || widget::build(ctx))?;
    runner.step("wasm32 check", || {
        run(ctx.cargo().args([
            "check",
            "-p",
            "sfdesk-shared",
            "--target",
            tools::WASM_TARGET,
        ]))
    })?;
    runner.step("tests", || {
        let mut cmd = ctx.cargo();
        cmd.args(["test", "--workspace", "--features", "sfdesk-tests/e2e"]);
        if let Some(Browser {
            chromium,
            chromedriver,
        }) = &browser
        {
            cmd.env("CHROMIUM", chromium)
                .env("CHROMEDRIVER", chromedriver);
        }
        run_tests(&mut cmd, tally)
    })?;
    runner.step("docs", || {
        run(ctx.cargo().env("RUSTDOCFLAGS", "-D warnings").args([
            "doc",
            "--workspace",
            "--no-deps",
        ]))
    })?;
    Ok(())
}

/// Fails early, with the fix, when PostgreSQL is not listening.
fn check_postgres() -> Result<()> {
    TcpStream::connect_timeout(&POSTGRES, Duration::from_secs(3)).with_context(|| {
        format!(
            "PostgreSQL is not reachable at {POSTGRES}; the store tests need it \
             (on Debian: `pg_ctlcluster <version> main start`)"
        )
    })?;
    println!("PostgreSQL at {POSTGRES}: reachable");
    Ok(())
}

/// `cargo xtask dist`: the release binary with the widget embedded.
fn dist(ctx: &Ctx) -> Result<()> {
    let mut runner = Runner::new("dist");
    let result = dist_steps(ctx, &mut runner);
    runner.finish(result, None)
}

/// The steps of `dist`.
fn dist_steps(ctx: &Ctx, runner: &mut Runner) -> Result<()> {
    runner.step("tools", || tools::setup(ctx, BUILD_TOOLS))?;
    runner.step("widget", || widget::build(ctx))?;
    runner.step("build sfdesk (release)", || {
        run(ctx.cargo().args([
            "build",
            "--release",
            "-p",
            "sfdesk-server",
            "--bin",
            "sfdesk",
        ]))
    })?;
    let binary = ctx.target_dir().join("release").join("sfdesk");
    let size = binary
        .metadata()
        .with_context(|| format!("{} was not built", binary.display()))?
        .len();
    println!(
        "\n{}: {:.1} MB",
        binary.display(),
        size as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}
