//! `babahui`: see `babahui --help`.

fn main() -> std::process::ExitCode {
    babahui::cli::run()
}
