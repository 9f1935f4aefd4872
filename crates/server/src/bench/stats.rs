//! Small measuring helpers for the benchmarks: percentiles of timing samples and the process's
//! resident memory.

use std::time::Duration;

/// The `p`-th percentile (0–100, nearest rank) of `samples` in milliseconds; `0.0` when empty.
pub fn percentile_ms(samples: &[Duration], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

/// Resident set size of this process in MiB, from `/proc/self/status` (Linux); `None` elsewhere.
pub fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_millis(*v)).collect()
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let samples = ms(&[50, 10, 40, 20, 30]);
        assert_eq!(percentile_ms(&samples, 50.0), 30.0);
        assert_eq!(percentile_ms(&samples, 95.0), 50.0);
        assert_eq!(percentile_ms(&samples, 0.0), 10.0);
        assert_eq!(percentile_ms(&[], 50.0), 0.0);
    }

    #[test]
    fn rss_is_read_on_linux() {
        let rss = rss_mib().expect("Linux exposes VmRSS");
        assert!(rss > 1.0, "{rss}");
    }
}
