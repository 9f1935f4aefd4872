//! Builds the widget with Trunk and reports its `.wasm` size against the budget.
//!
//! `trunk build --release` runs from the workspace root, so the root `Trunk.toml`
//! decides the target (`crates/widget/index.html`), the dist dir, offline mode and the
//! tool versions. The size is measured on the optimised `.wasm` Trunk leaves in the
//! dist dir, gzipped in memory at the default level (what a web server sends).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context as _, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::context::{Ctx, run};

/// The gzipped `.wasm` size budget, in KB (1024 bytes). Over it is a warning for now.
pub(crate) const GZIP_BUDGET_KB: u64 = 100;

/// The dist dir when `Trunk.toml` does not name one (it names this one today).
const DEFAULT_DIST: &str = "target/widget";

/// Sizes of the built widget's `.wasm`, in bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WasmSize {
    /// As written by Trunk.
    pub(crate) raw: u64,
    /// Gzipped at the default level.
    pub(crate) gzipped: u64,
}

/// Runs `trunk build --release` and prints the `.wasm` size against the budget.
///
/// # Errors
/// Fails if Trunk fails or leaves no `.wasm` in the dist dir.
pub(crate) fn build(ctx: &Ctx) -> Result<WasmSize> {
    run(ctx.command("trunk").args(["build", "--release"]))?;
    let dist = dist_dir(ctx);
    let wasm = newest_wasm(&dist)?;
    let bytes = fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let size = WasmSize {
        raw: bytes.len() as u64,
        gzipped: gzipped_len(&bytes)?,
    };
    println!(
        "widget wasm: {} KB raw, {} KB gzipped (budget {GZIP_BUDGET_KB} KB)",
        kb(size.raw),
        kb(size.gzipped)
    );
    if size.gzipped > GZIP_BUDGET_KB * 1024 {
        println!(
            "warning: the widget is over its {GZIP_BUDGET_KB} KB gzipped budget ({})",
            wasm.display()
        );
    }
    Ok(size)
}

/// The dist dir: `[build] dist` from the root `Trunk.toml`, else [`DEFAULT_DIST`].
fn dist_dir(ctx: &Ctx) -> PathBuf {
    let configured = fs::read_to_string(ctx.root.join("Trunk.toml"))
        .ok()
        .and_then(|toml| build_dist(&toml));
    ctx.root.join(configured.as_deref().unwrap_or(DEFAULT_DIST))
}

/// The `dist = "…"` key of the `[build]` table, read line by line (no TOML parser
/// needed for one string key).
fn build_dist(toml: &str) -> Option<String> {
    let mut in_build = false;
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            in_build = line == "[build]";
        } else if in_build
            && let Some(rest) = line.strip_prefix("dist")
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            let value = value.split('#').next().unwrap_or_default().trim();
            return Some(value.trim_matches('"').to_owned());
        }
    }
    None
}

/// The most recently written `.wasm` under `dir` (Trunk hashes file names, so a
/// stale one could linger if the dist dir was not cleaned).
fn newest_wasm(dir: &Path) -> Result<PathBuf> {
    let mut best: Option<(SystemTime, PathBuf)> = None;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "wasm") {
                let modified = path.metadata()?.modified()?;
                if best.as_ref().is_none_or(|(t, _)| modified > *t) {
                    best = Some((modified, path));
                }
            }
        }
    }
    match best {
        Some((_, path)) => Ok(path),
        None => bail!("trunk left no .wasm file in {}", dir.display()),
    }
}

/// The length of `bytes` gzipped at the default level.
fn gzipped_len(bytes: &[u8]) -> Result<u64> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len() as u64)
}

/// Bytes as KB with one decimal.
fn kb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dist_from_the_build_table_only() {
        let toml =
            "[serve]\ndist = \"nope\"\n[build]\ntarget = \"x\"\ndist = \"target/widget\" # out\n";
        assert_eq!(build_dist(toml).as_deref(), Some("target/widget"));
        assert_eq!(build_dist("[build]\ntarget = \"x\"\n"), None);
    }

    #[test]
    fn gzip_shrinks_repetitive_input() -> Result<()> {
        let data = vec![7u8; 64 * 1024];
        assert!(gzipped_len(&data)? < 1024);
        assert_eq!(kb(1536), "1.5");
        Ok(())
    }
}
