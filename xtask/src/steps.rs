//! Named, timed steps with a summary, and the test-count tally for `cargo test`.
//!
//! A task runs its steps in order through [`Runner::step`] and stops at the first
//! error; [`Runner::finish`] then prints one line per step (status, elapsed time) and,
//! if tests ran, a closing `tests: N passed, N failed, N skipped` line summed over every
//! test binary, so the total is visible without scrolling through each crate's output.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};

use crate::context::display;

/// One finished step.
#[derive(Debug)]
struct Record {
    name: String,
    elapsed: Duration,
    ok: bool,
}

/// Runs and times the steps of one task.
#[derive(Debug)]
pub(crate) struct Runner {
    task: &'static str,
    started: Instant,
    records: Vec<Record>,
}

impl Runner {
    /// A runner for the task called `task` (used in the summary header).
    pub(crate) fn new(task: &'static str) -> Self {
        Self {
            task,
            started: Instant::now(),
            records: Vec::new(),
        }
    }

    /// Runs one step: prints its name, times it and records the outcome.
    ///
    /// # Errors
    /// Returns the step's own error, annotated with the step name.
    pub(crate) fn step<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        println!("\n==> {name}");
        let start = Instant::now();
        let result = f();
        let elapsed = start.elapsed();
        let ok = result.is_ok();
        println!(
            "<== {name}: {} in {}",
            if ok { "ok" } else { "FAILED" },
            secs(elapsed)
        );
        self.records.push(Record {
            name: name.to_owned(),
            elapsed,
            ok,
        });
        result.with_context(|| format!("step `{name}` failed"))
    }

    /// Prints the summary (and the test tally, if tests ran) and passes `result` on.
    ///
    /// # Errors
    /// Returns `result`'s error unchanged.
    pub(crate) fn finish(&self, result: Result<()>, tally: Option<&Tally>) -> Result<()> {
        let verdict = if result.is_ok() { "ok" } else { "FAILED" };
        println!(
            "\n{} summary: {verdict} in {}",
            self.task,
            secs(self.started.elapsed())
        );
        let width = self.records.iter().map(|r| r.name.len()).max().unwrap_or(0);
        for record in &self.records {
            println!(
                "  {:<6} {:<width$}  {:>8}",
                if record.ok { "ok" } else { "FAILED" },
                record.name,
                secs(record.elapsed)
            );
        }
        if let Some(tally) = tally.filter(|t| t.binaries > 0) {
            println!(
                "tests: {} passed, {} failed, {} skipped",
                tally.passed, tally.failed, tally.ignored
            );
        }
        result
    }
}

/// Test counts summed over every `test result:` line of a `cargo test` run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Tests that passed.
    pub(crate) passed: u64,
    /// Tests that failed.
    pub(crate) failed: u64,
    /// Tests marked `#[ignore]`.
    pub(crate) ignored: u64,
    /// `test result:` lines seen (one per test binary and doc-test run).
    pub(crate) binaries: u64,
}

impl Tally {
    /// Adds the counts of one libtest summary line, e.g.
    /// `test result: ok. 5 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; …`.
    fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        self.binaries += 1;
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(kind), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(count) = count.parse::<u64>() else {
                continue;
            };
            match kind {
                "passed" => self.passed += count,
                "failed" => self.failed += count,
                "ignored" => self.ignored += count,
                _ => {}
            }
        }
    }
}

/// Runs a `cargo test` command, echoing its stdout line by line while adding the
/// `test result:` lines to `tally`; stderr (compiler output) is inherited.
///
/// # Errors
/// Fails if the command cannot start or exits unsuccessfully.
pub(crate) fn run_tests(cmd: &mut Command, tally: &mut Tally) -> Result<()> {
    let shown = display(cmd);
    println!("$ {shown}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{shown}`"))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            tally.add_line(&line);
        }
    }
    let status = child.wait()?;
    ensure!(status.success(), "`{shown}` failed ({status})");
    Ok(())
}

/// A duration as seconds with one decimal, or minutes and seconds past a minute.
fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1}s")
    } else {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_libtest_summaries() {
        let mut tally = Tally::default();
        tally.add_line(
            "test result: ok. 5 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s",
        );
        tally.add_line("test result: FAILED. 1 passed; 3 failed; 0 ignored; 0 measured; 1 filtered out; finished in 1.20s");
        tally.add_line("running 4 tests");
        assert_eq!(
            tally,
            Tally {
                passed: 6,
                failed: 3,
                ignored: 2,
                binaries: 2
            }
        );
    }

    #[test]
    fn formats_durations() {
        assert_eq!(secs(Duration::from_millis(1_240)), "1.2s");
        assert_eq!(secs(Duration::from_secs(125)), "2m05s");
    }
}
