//! Size checks before anything is allocated: a command refuses inputs that cannot fit in
//! this machine's memory with a message instead of aborting on the allocation.

/// Bytes of memory available now (Linux `MemAvailable`), if known.
fn available() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Refuses `what` needing `count` items of `bytes_each` bytes when that exceeds the
/// memory available (or overflows).
pub fn check_memory(what: &str, count: usize, bytes_each: usize) -> Result<(), String> {
    let need = (count as u128) * (bytes_each as u128);
    let avail = available().map(u128::from);
    let too_big = need > u64::MAX as u128 || avail.is_some_and(|a| need > a);
    if too_big {
        return Err(format!(
            "{what}: {count} elements need {:.1} GiB of host memory, more than the {:.1} GiB available",
            need as f64 / (1u64 << 30) as f64,
            avail.unwrap_or(0) as f64 / (1u64 << 30) as f64
        ));
    }
    Ok(())
}
