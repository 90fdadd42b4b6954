//! Embeds every file under `static/` into the binary: generates a table of
//! (path, bytes) with `include_bytes!`, so a fresh machine needs no asset step.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn fichiers(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entrees: Vec<_> = std::fs::read_dir(dir)
        .expect("static dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entrees.sort();
    for p in entrees {
        if p.is_dir() {
            fichiers(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let racine = Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    println!("cargo:rerun-if-changed=static");
    let mut liste = Vec::new();
    fichiers(&racine, &mut liste);
    let mut code = String::from(
        "/// Embedded static files: (path under /statique/, bytes).\npub static FICHIERS: &[(&str, &[u8])] = &[\n",
    );
    for p in &liste {
        let relatif = p
            .strip_prefix(&racine)
            .expect("under static")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            code,
            "    ({relatif:?}, include_bytes!({:?})),",
            p.display().to_string()
        )
        .expect("write");
    }
    code.push_str("];\n");
    let sortie = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("statiques.rs");
    std::fs::write(sortie, code).expect("write statiques.rs");
}
