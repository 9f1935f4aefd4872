//! Installs the external tools the build needs, skipping those already present.
//!
//! Each tool is checked by version, not just presence:
//! - the `wasm32-unknown-unknown` rustup target (`rustup target list --installed`);
//! - `trunk` [`TRUNK_VERSION`] (`trunk --version`), from crates.io with `--locked`;
//! - `wasm-bindgen-cli` at exactly the `wasm-bindgen` version in `Cargo.lock`
//!   (the CLI and the library must agree, or the generated JS glue breaks);
//! - binaryen [`BINARYEN_VERSION`] (`wasm-opt --version`), from npm because Debian's
//!   package is too old for current wasm features;
//! - for browser tests only, Debian's `chromium` and `chromium-driver`, whose major
//!   versions must match (ChromeDriver refuses a different Chromium).
//!
//! `cargo install` and `npm install -g` honour `CARGO_INSTALL_ROOT`/`CARGO_HOME` and
//! npm's prefix by themselves; [`Ctx`] puts those bin dirs on the child `PATH`.

use std::collections::BTreeSet;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::context::{Ctx, probe, run};

/// The Trunk release the widget build is pinned to.
pub(crate) const TRUNK_VERSION: &str = "0.21.14";
/// The binaryen (`wasm-opt`) major version; the npm package `binaryen@132`.
pub(crate) const BINARYEN_VERSION: &str = "132";
/// The rustup target the widget compiles to.
pub(crate) const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// What [`setup`] should do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Setup {
    /// Also set up Chromium and ChromeDriver (browser tests).
    pub(crate) browser: bool,
    /// Install what is missing; when false, only report and fail if anything is missing.
    pub(crate) install: bool,
}

/// Paths of the browser binaries, for the e2e tests' `CHROMIUM`/`CHROMEDRIVER`.
#[derive(Debug, Clone)]
pub(crate) struct Browser {
    /// The Chromium executable.
    pub(crate) chromium: PathBuf,
    /// The ChromeDriver executable.
    pub(crate) chromedriver: PathBuf,
}

/// The state of one tool.
enum Status {
    /// Present at the right version; the detail is printed after "present".
    Present(Option<String>),
    /// Not found at all.
    Absent,
    /// Found, but wrong; the detail says what was found.
    Wrong(String),
}

/// Checks every tool and installs what is missing (unless `opts.install` is false).
///
/// Returns the browser paths when `opts.browser` is set.
///
/// # Errors
/// Fails if an install fails, if a tool is still wrong after installing, if
/// `Cargo.lock` has no single `wasm-bindgen` version, or (check-only) if any tool is
/// missing.
pub(crate) fn setup(ctx: &Ctx, opts: Setup) -> Result<Option<Browser>> {
    let wasm_bindgen = locked_version(&ctx.root.join("Cargo.lock"), "wasm-bindgen")?;
    let mut missing = Vec::new();

    let label = format!("rustup target {WASM_TARGET}");
    if !ensure(ctx, opts, &label, &wasm_target_status, &|ctx| {
        run(ctx.command("rustup").args(["target", "add", WASM_TARGET]))
    })? {
        missing.push(label);
    }

    let label = format!("trunk {TRUNK_VERSION}");
    let trunk = |ctx: &Ctx| version_status(ctx, "trunk", |v| v == TRUNK_VERSION);
    if !ensure(ctx, opts, &label, &trunk, &|ctx| {
        run(ctx
            .cargo()
            .args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))
    })? {
        missing.push(label);
    }

    let label = format!("wasm-bindgen-cli {wasm_bindgen}");
    let bindgen = |ctx: &Ctx| version_status(ctx, "wasm-bindgen", |v| v == wasm_bindgen);
    if !ensure(ctx, opts, &label, &bindgen, &|ctx| {
        // The version pin is what matters here; the crate builds without --locked.
        run(ctx
            .cargo()
            .args(["install", "wasm-bindgen-cli", "--version", &wasm_bindgen]))
    })? {
        missing.push(label);
    }

    let label = format!("binaryen {BINARYEN_VERSION}");
    let binaryen = |ctx: &Ctx| {
        // `wasm-opt version 132 (version_132)`: the first number is the major version.
        version_status(ctx, "wasm-opt", |v| {
            v.split('.').next() == Some(BINARYEN_VERSION)
        })
    };
    if !ensure(ctx, opts, &label, &binaryen, &|ctx| {
        ctx.find("npm")
            .context("npm is not on PATH: install Node.js 20+ and npm, then retry")?;
        run(ctx
            .command("npm")
            .args(["install", "-g", &format!("binaryen@{BINARYEN_VERSION}")]))
    })? {
        missing.push(label);
    }

    let mut browser = None;
    if opts.browser {
        let label = "chromium + chromedriver".to_owned();
        if ensure(ctx, opts, &label, &browser_status, &|ctx| {
            apt_install(ctx, &["chromium", "chromium-driver"])
        })? {
            browser = find_browser(ctx);
        } else {
            missing.push(label);
        }
        // The widget speaks Simplified Chinese; without a CJK font its screenshots show boxes.
        let label = format!("CJK font ({CJK_FONT_PACKAGE})");
        if !ensure(ctx, opts, &label, &cjk_font_status, &|ctx| {
            apt_install(ctx, &[CJK_FONT_PACKAGE])
        })? {
            missing.push(label);
        }
    }

    if !missing.is_empty() {
        let flag = if opts.browser { " --browser" } else { "" };
        bail!(
            "missing tools: {}; run `cargo xtask setup{flag}` to install them",
            missing.join(", ")
        );
    }
    Ok(browser)
}

/// The Debian package of the font the browser tests render Chinese text with.
const CJK_FONT_PACKAGE: &str = "fonts-wqy-microhei";

/// Where [`CJK_FONT_PACKAGE`] puts its font.
const CJK_FONT_FILE: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// Whether the CJK font file is installed.
fn cjk_font_status(_ctx: &Ctx) -> Status {
    if Path::new(CJK_FONT_FILE).is_file() {
        Status::Present(None)
    } else {
        Status::Absent
    }
}

/// Reports one tool, installs it when needed and allowed, and re-checks it.
///
/// Returns whether the tool is present (always true after a successful install).
fn ensure(
    ctx: &Ctx,
    opts: Setup,
    label: &str,
    status: &dyn Fn(&Ctx) -> Status,
    install: &dyn Fn(&Ctx) -> Result<()>,
) -> Result<bool> {
    let why = match status(ctx) {
        Status::Present(detail) => {
            match detail {
                Some(detail) => println!("{label}: present ({detail})"),
                None => println!("{label}: present"),
            }
            return Ok(true);
        }
        Status::Absent => "not found".to_owned(),
        Status::Wrong(found) => format!("found {found}"),
    };
    if !opts.install {
        println!("{label}: MISSING ({why})");
        return Ok(false);
    }
    println!("{label}: installing ({why}) ...");
    install(ctx).with_context(|| format!("installing {label}"))?;
    match status(ctx) {
        Status::Present(_) => {
            println!("{label}: installed");
            Ok(true)
        }
        Status::Absent => bail!("{label}: still not found after installing it"),
        Status::Wrong(found) => bail!("{label}: found {found} after installing it"),
    }
}

/// Whether the rustup target is installed; without rustup, whether the sysroot has it.
fn wasm_target_status(ctx: &Ctx) -> Status {
    if let Some(list) = probe(
        ctx.command("rustup")
            .args(["target", "list", "--installed"]),
    ) {
        return if list.lines().any(|l| l.trim() == WASM_TARGET) {
            Status::Present(None)
        } else {
            Status::Absent
        };
    }
    let sysroot = probe(ctx.command("rustc").args(["--print", "sysroot"]));
    match sysroot {
        Some(root)
            if Path::new(root.trim())
                .join("lib/rustlib")
                .join(WASM_TARGET)
                .is_dir() =>
        {
            Status::Present(None)
        }
        _ => Status::Absent,
    }
}

/// Runs `<program> --version` and checks the first version-looking word with `ok`.
fn version_status(ctx: &Ctx, program: &str, ok: impl Fn(&str) -> bool) -> Status {
    let Some(out) = probe(ctx.command(program).arg("--version")) else {
        return Status::Absent;
    };
    match version_in(&out) {
        Some(v) if ok(v) => Status::Present(None),
        Some(v) => Status::Wrong(format!("{program} {v}")),
        None => Status::Wrong(format!(
            "unrecognised `{program} --version`: {}",
            out.trim()
        )),
    }
}

/// The first word of `text` that starts with a digit, minus trailing punctuation:
/// `trunk 0.21.14` → `0.21.14`, `wasm-opt version 132 (version_132)` → `132`.
fn version_in(text: &str) -> Option<&str> {
    text.split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .map(|w| w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()))
}

/// The Chromium and ChromeDriver to use: `$CHROMIUM`/`$CHROMEDRIVER` if set, else `PATH`.
fn find_browser(ctx: &Ctx) -> Option<Browser> {
    let from_env = |name: &str| {
        env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let chromium = from_env("CHROMIUM").or_else(|| {
        ["chromium", "chromium-browser"]
            .iter()
            .find_map(|name| ctx.find(name))
    })?;
    let chromedriver = from_env("CHROMEDRIVER").or_else(|| ctx.find("chromedriver"))?;
    Some(Browser {
        chromium,
        chromedriver,
    })
}

/// Both browser binaries present with the same major version.
fn browser_status(ctx: &Ctx) -> Status {
    let Some(found) = find_browser(ctx) else {
        return Status::Absent;
    };
    let version = |path: &Path| {
        probe(ctx.command(path).arg("--version"))
            .and_then(|out| version_in(&out).map(str::to_owned))
    };
    let (Some(chromium), Some(driver)) = (version(&found.chromium), version(&found.chromedriver))
    else {
        return Status::Wrong(format!(
            "{} and {}, but one fails `--version`",
            found.chromium.display(),
            found.chromedriver.display()
        ));
    };
    let major = |v: &str| v.split('.').next().map(str::to_owned);
    if major(&chromium) == major(&driver) {
        Status::Present(Some(chromium))
    } else {
        Status::Wrong(format!("chromium {chromium} with chromedriver {driver}"))
    }
}

/// `apt-get install -y <packages>` as root (or through sudo), with `apt-get update`
/// and a retry only if the first attempt fails (a fresh machine has no package lists).
fn apt_install(ctx: &Ctx, packages: &[&str]) -> Result<()> {
    let apt = ctx.find("apt-get").with_context(|| {
        format!(
            "apt-get is not available: install {} with your package manager (for the \
             browser, CHROMIUM and CHROMEDRIVER may point at it instead)",
            packages.join(", ")
        )
    })?;
    let sudo = if is_root() {
        None
    } else {
        Some(ctx.find("sudo").context(
            "installing Chromium and ChromeDriver needs root: run as root, install sudo, \
             or run `apt-get install chromium chromium-driver` yourself",
        )?)
    };
    let apt_get = |args: &[&str]| {
        let mut cmd = match &sudo {
            // `env` carries DEBIAN_FRONTEND through sudo's environment reset.
            Some(sudo) => {
                let mut cmd = ctx.command(sudo);
                cmd.args(["env", "DEBIAN_FRONTEND=noninteractive"])
                    .arg(&apt);
                cmd
            }
            None => ctx.command(&apt),
        };
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        cmd
    };
    let mut install = vec!["install", "-y"];
    install.extend_from_slice(packages);
    if run(&mut apt_get(&install)).is_ok() {
        return Ok(());
    }
    println!("apt-get install failed; running apt-get update and retrying");
    run(&mut apt_get(&["update"]))?;
    run(&mut apt_get(&install))
}

/// Whether we run as root: the real uid in `/proc/self/status`, else `id -u`.
fn is_root() -> bool {
    if let Ok(status) = fs::read_to_string("/proc/self/status")
        && let Some(uid) = status.lines().find_map(|l| l.strip_prefix("Uid:"))
    {
        return uid.split_whitespace().next() == Some("0");
    }
    probe(std::process::Command::new("id").arg("-u")).is_some_and(|out| out.trim() == "0")
}

/// The single version of `package` in the lockfile at `lock`.
///
/// # Errors
/// Fails if the file cannot be read, or holds zero or several versions of `package`.
pub(crate) fn locked_version(lock: &Path, package: &str) -> Result<String> {
    let text = fs::read_to_string(lock).with_context(|| format!("reading {}", lock.display()))?;
    let versions = locked_versions(&text, package);
    let mut iter = versions.iter();
    match (iter.next(), iter.next()) {
        (Some(v), None) => Ok(v.clone()),
        (None, _) => bail!("{package} is not in {}", lock.display()),
        (Some(_), Some(_)) => bail!(
            "{} has several {package} versions ({}); the CLI can match only one",
            lock.display(),
            versions.into_iter().collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Every `version` of the `[[package]]` entries named `package` in Cargo.lock text.
fn locked_versions(lock: &str, package: &str) -> BTreeSet<String> {
    let field = |block: &str, key: &str| {
        block.lines().find_map(|line| {
            let value = line.trim().strip_prefix(key)?.trim_start();
            let value = value.strip_prefix('=')?.trim();
            Some(value.trim_matches('"').to_owned())
        })
    };
    lock.split("[[package]]")
        .skip(1)
        .filter(|block| field(block, "name").as_deref() == Some(package))
        .filter_map(|block| field(block, "version"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "wasm-bindgen-macro",
]

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.130"
"#;

    #[test]
    fn finds_the_locked_version_by_exact_name() {
        let versions = locked_versions(LOCK, "wasm-bindgen");
        assert_eq!(versions.into_iter().collect::<Vec<_>>(), ["0.2.130"]);
        assert!(locked_versions(LOCK, "wasm").is_empty());
    }

    #[test]
    fn reports_several_versions() {
        let lock = format!("{LOCK}\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.99\"\n");
        assert_eq!(locked_versions(&lock, "wasm-bindgen").len(), 2);
    }

    #[test]
    fn parses_version_output() {
        assert_eq!(version_in("trunk 0.21.14\n"), Some("0.21.14"));
        assert_eq!(version_in("wasm-bindgen 0.2.130"), Some("0.2.130"));
        assert_eq!(
            version_in("wasm-opt version 132 (version_132)"),
            Some("132")
        );
        assert_eq!(
            version_in("ChromeDriver 156.0.8078.108 (730482a9-refs/branch-heads/8078@{#2244})"),
            Some("156.0.8078.108")
        );
        assert_eq!(version_in("no digits here"), None);
    }
}
