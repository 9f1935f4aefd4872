//! Where things are, and how child processes are started.
//!
//! [`Ctx`] holds the workspace root, the `cargo` that runs us and the `PATH` that every
//! child process gets. That `PATH` starts with cargo's install bin dir and npm's global
//! bin dir, so a tool that [`crate::tools`] has just installed is found by the next step
//! (and by Trunk, which looks up `wasm-bindgen` and `wasm-opt` on `PATH`) without the
//! user editing their shell profile.
//!
//! Invariant: every child process is built by [`Ctx::command`] or [`Ctx::cargo`], so it
//! runs in the workspace root with that `PATH`.

use std::env;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, ensure};

/// Workspace layout and the environment for child processes.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// The workspace root (the parent of `xtask/`).
    pub(crate) root: PathBuf,
    /// The `cargo` that runs us (`$CARGO`), so children use the same toolchain.
    cargo: OsString,
    /// The `PATH` given to every child process.
    path: OsString,
}

impl Ctx {
    /// Finds the workspace root and builds the child `PATH`.
    ///
    /// # Errors
    /// Fails if a `PATH` entry contains the path separator.
    pub(crate) fn new() -> Result<Self> {
        // xtask/Cargo.toml sits one level below the workspace root.
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = manifest_dir
            .parent()
            .context("xtask has no parent directory")?
            .to_path_buf();
        let cargo = env::var_os("CARGO")
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "cargo".into());

        let inherited: Vec<PathBuf> = env::var_os("PATH")
            .map(|p| env::split_paths(&p).collect())
            .unwrap_or_default();
        let mut dirs = Vec::new();
        if let Some(bin) = cargo_bin_dir() {
            dirs.push(bin);
        }
        if let Some(bin) = npm_global_bin_dir(&inherited) {
            dirs.push(bin);
        }
        for dir in inherited {
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        let path = env::join_paths(dirs).context("a PATH entry contains ':'")?;
        Ok(Self { root, cargo, path })
    }

    /// A command for `program`, run from the workspace root with the child `PATH`.
    ///
    /// With `PATH` set on the command, std resolves a bare program name against it.
    pub(crate) fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.root).env("PATH", &self.path);
        cmd
    }

    /// A command for the `cargo` that runs us.
    pub(crate) fn cargo(&self) -> Command {
        self.command(&self.cargo)
    }

    /// The first executable file called `name` on the child `PATH`.
    pub(crate) fn find(&self, name: &str) -> Option<PathBuf> {
        env::split_paths(&self.path)
            .map(|dir| dir.join(name))
            .find(|candidate| is_executable(candidate))
    }

    /// Cargo's target directory: `$CARGO_TARGET_DIR`, else `<root>/target`.
    pub(crate) fn target_dir(&self) -> PathBuf {
        match env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
            Some(dir) => self.root.join(dir),
            None => self.root.join("target"),
        }
    }
}

/// Where `cargo install` puts binaries: `$CARGO_INSTALL_ROOT/bin`, else
/// `$CARGO_HOME/bin`, else `~/.cargo/bin` (cargo's own order, minus `install.root`
/// in config files, which this project does not set).
fn cargo_bin_dir() -> Option<PathBuf> {
    let non_empty = |name: &str| env::var_os(name).filter(|v| !v.is_empty());
    let root = non_empty("CARGO_INSTALL_ROOT")
        .or_else(|| non_empty("CARGO_HOME"))
        .map(PathBuf::from)
        .or_else(|| env::home_dir().map(|home| home.join(".cargo")))?;
    Some(root.join("bin"))
}

/// `$(npm prefix -g)/bin`, where `npm install -g` puts binaries; `None` without npm.
fn npm_global_bin_dir(path: &[PathBuf]) -> Option<PathBuf> {
    let npm = path
        .iter()
        .map(|dir| dir.join("npm"))
        .find(|c| is_executable(c))?;
    let out = Command::new(npm).args(["prefix", "-g"]).output().ok()?;
    let prefix = String::from_utf8(out.stdout).ok()?;
    let prefix = prefix.trim();
    (out.status.success() && !prefix.is_empty()).then(|| Path::new(prefix).join("bin"))
}

/// Whether `path` is a file with an execute bit (on Unix; any file elsewhere).
fn is_executable(path: &Path) -> bool {
    let Ok(meta) = path.metadata() else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// `program arg arg`, for echoing a command before it runs.
pub(crate) fn display(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program());
    // Show `cargo`, not the toolchain's absolute path to it.
    let name = program.file_name().unwrap_or(program.as_os_str());
    let mut line = name.to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

/// Echoes `cmd`, runs it with inherited stdio and fails if it exits non-zero.
///
/// # Errors
/// Fails if the program cannot be started or exits unsuccessfully.
pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    let shown = display(cmd);
    println!("$ {shown}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    ensure!(status.success(), "`{shown}` failed ({status})");
    Ok(())
}

/// Runs `cmd` quietly and returns its stdout (or stderr, if stdout is empty) when it
/// exits successfully; `None` if it is missing or fails. Used for `--version` probes.
pub(crate) fn probe(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = if out.stdout.iter().all(u8::is_ascii_whitespace) {
        out.stderr
    } else {
        out.stdout
    };
    String::from_utf8(text).ok()
}
