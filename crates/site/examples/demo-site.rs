//! Generate a small demo site from corpus charts (plus a modified chart version, a failed
//! scan and a chart with hostile names): `cargo run -p rbac-lens-site --example demo-site -- OUT`.
//! The browser test (scripts/test-browser.sh) runs against it.

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let Some(out) = std::env::args().nth(1) else {
        eprintln!("usage: demo-site OUT_DIR");
        std::process::exit(2);
    };
    let store = common::demo_store();
    match rbac_lens_site::generate(
        &store,
        std::path::Path::new(&out),
        &rbac_lens_site::SiteOptions::default(),
    ) {
        Ok(stats) => println!("{stats:?}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
