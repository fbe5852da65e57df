//! Running commands: streamed to the terminal, with the environment every step needs.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Result;

/// `$CARGO_HOME/bin`, where `cargo install` puts wasm-bindgen.
pub(crate) fn cargo_bin() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    home.join("bin")
}

/// A command with `$CARGO_HOME/bin` first on `PATH`, run from the workspace root.
pub(crate) fn command(program: &str) -> Command {
    let mut cmd = Command::new(program);
    let mut path = OsString::from(cargo_bin());
    if let Some(old) = std::env::var_os("PATH") {
        path.push(":");
        path.push(old);
    }
    cmd.env("PATH", path).current_dir(crate::root());
    cmd
}

/// Runs `cmd`, streaming its output; true if it exited with success.
pub(crate) fn status(cmd: &mut Command) -> Result<bool> {
    eprintln!("+ {}", describe(cmd));
    cmd.status().map(|s| s.success()).map_err(|e| format!("cannot run {}: {e}", describe(cmd)))
}

/// Runs `cmd` and fails unless it succeeds.
pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    if status(cmd)? { Ok(()) } else { Err(format!("{} failed", describe(cmd))) }
}

/// Runs `cmd`, echoing its stdout line by line and returning it; and whether it succeeded.
pub(crate) fn tee(cmd: &mut Command) -> Result<(bool, Vec<String>)> {
    eprintln!("+ {}", describe(cmd));
    let mut child =
        cmd.stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot run {}: {e}", describe(cmd)))?;
    let mut lines = Vec::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(std::result::Result::ok) {
            println!("{line}");
            lines.push(line);
        }
    }
    let ok = child.wait().map(|s| s.success()).map_err(|e| e.to_string())?;
    Ok((ok, lines))
}

/// Runs `cmd` quietly and returns its stdout, or `None` if it cannot run or fails.
pub(crate) fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// True if `program` runs (is on PATH or is a path).
pub(crate) fn exists(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    command("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}
