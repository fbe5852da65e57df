//! Embeds the SRP test vectors (`tests/vectors/srp*/` at the repository root) into the test binaries,
//! so the same vector test runs natively and in the browser, where there is no file system.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
    let mut out = String::new();
    for (konst, folder) in [("SRP_VECTORS", "srp"), ("DEVICE_VECTORS", "srp-device")] {
        let dir = root.join(folder);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = fs::read_dir(&dir)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        let _ = writeln!(out, "/// `{folder}/*.json`: (file name, contents).");
        let _ = writeln!(out, "pub(super) const {konst}: &[(&str, &str)] = &[");
        for path in files {
            println!("cargo:rerun-if-changed={}", path.display());
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let _ = writeln!(out, "    ({name:?}, include_str!({:?})),", path.display().to_string());
        }
        out.push_str("];\n");
    }
    let dest = Path::new(&env::var("OUT_DIR").unwrap_or_default()).join("vectors.rs");
    if let Err(err) = fs::write(&dest, out) {
        println!("cargo:warning=could not write {}: {err}", dest.display());
    }
}
