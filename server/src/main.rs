//! `babahui`: see `babahui --help`.

fn main() -> anyhow::Result<()> {
    babahui::cli::main()
}
