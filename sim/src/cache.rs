//! The content-keyed cache of compiled models, shared by the build script (which includes
//! this file with `#[path]`) and this crate's tests. An entry is a folder named
//! `<model>-<key>` holding object files and `objects.txt`; the key hashes everything that
//! determines the objects, so an entry is valid forever and a changed model gets a new one.

use std::path::{Path, PathBuf};

/// FNV-1a 64 over several byte strings (with separators): stable across Rust versions.
pub fn hash(parts: &[&[u8]]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for part in parts {
        for b in part.iter().chain(&[0xFFu8]) {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The object files of cache entry `name` and whether they were reused; on a miss `build`
/// makes them in a fresh folder.
/// Entries are built in a temporary folder and renamed into place, so a concurrent or
/// interrupted build never leaves a half-written entry.
pub fn cached(
    cache: &Path,
    name: &str,
    build: impl FnOnce(&Path) -> Vec<PathBuf>,
) -> (Vec<PathBuf>, bool) {
    let dir = cache.join(name);
    let list = dir.join("objects.txt");
    if let Ok(text) = std::fs::read_to_string(&list) {
        let objects: Vec<PathBuf> = text.lines().map(|l| dir.join(l)).collect();
        if objects.iter().all(|o| o.exists()) {
            // Mark the entry used, for `prune`.
            if let Ok(file) = std::fs::File::options().append(true).open(&list) {
                let _ = file.set_modified(std::time::SystemTime::now());
            }
            return (objects, true);
        }
    }
    let tmp = cache.join(format!("{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let objects = build(&tmp);
    let relative: Vec<String> = objects
        .iter()
        .map(|o| o.strip_prefix(&tmp).unwrap().to_string_lossy().into_owned())
        .collect();
    std::fs::write(tmp.join("objects.txt"), relative.join("\n")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    if std::fs::rename(&tmp, &dir).is_err() {
        // Another build put the same entry in place first: use it.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    (relative.iter().map(|r| dir.join(r)).collect(), false)
}

/// Deletes all but the `keep` most recently used entries of model `model` (entries of
/// other feature sets or flags stay while they are among the most recent). Bounds the
/// cache's growth as a design changes; an entry deleted here is rebuilt if needed again.
pub fn prune(cache: &Path, model: &str, keep: usize) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    let prefix = format!("{model}-");
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            // `<model>-<16 hex digits>` exactly: not another model sharing the prefix.
            name.strip_prefix(&prefix)
                .is_some_and(|key| key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .filter_map(|e| {
            let used = std::fs::metadata(e.path().join("objects.txt"))
                .ok()?
                .modified()
                .ok()?;
            Some((used, e.path()))
        })
        .collect();
    found.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (_, old) in found.into_iter().skip(keep) {
        let _ = std::fs::remove_dir_all(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn an_entry_is_built_once_and_reused_by_content() {
        let root = std::env::temp_dir().join(format!("zkpipe-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let builds = Cell::new(0);
        let build = |dir: &Path| {
            builds.set(builds.get() + 1);
            std::fs::create_dir_all(dir.join("obj")).unwrap();
            let o = dir.join("obj/m.o");
            std::fs::write(&o, b"object").unwrap();
            vec![o]
        };
        let key = |verilog: &str| format!("m-{:016x}", hash(&[verilog.as_bytes(), b"-O1"]));
        let (first, hit) = cached(&root, &key("module top; endmodule"), build);
        assert!(!hit);
        let (again, hit) = cached(&root, &key("module top; endmodule"), build);
        assert!(hit, "same content: reused");
        assert_eq!(first, again);
        assert_eq!(builds.get(), 1);
        let (_, hit) = cached(&root, &key("module top; wire w; endmodule"), build);
        assert!(!hit, "other content: its own entry");
        assert_eq!(builds.get(), 2);
        // An entry whose objects vanished is rebuilt, not trusted.
        std::fs::remove_file(&first[0]).unwrap();
        let (_, hit) = cached(&root, &key("module top; endmodule"), build);
        assert!(!hit);
        assert_eq!(builds.get(), 3);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn prune_keeps_the_most_recently_used_entries_of_a_model() {
        let root = std::env::temp_dir().join(format!("zkpipe-prune-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let build = |dir: &Path| {
            std::fs::create_dir_all(dir).unwrap();
            let o = dir.join("m.o");
            std::fs::write(&o, b"o").unwrap();
            vec![o]
        };
        let names: Vec<String> = (0..4u64).map(|i| format!("board-{:016x}", i)).collect();
        for n in &names {
            cached(&root, n, build);
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        cached(&root, "board_big-0000000000000000", build);
        // Use the oldest again: it becomes the most recent.
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(cached(&root, &names[0], build).1);
        prune(&root, "board", 2);
        let left: Vec<bool> = names.iter().map(|n| root.join(n).exists()).collect();
        assert_eq!(left, [true, false, false, true]);
        assert!(
            root.join("board_big-0000000000000000").exists(),
            "other models untouched"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_key_separates_its_parts() {
        assert_ne!(hash(&[b"ab", b"c"]), hash(&[b"a", b"bc"]));
        assert_eq!(hash(&[b"x"]), hash(&[b"x"]));
    }
}
