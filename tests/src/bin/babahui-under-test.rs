//! The real `babahui` binary, built inside the test crate so that the
//! end-to-end tests can start (and kill -9) it via `CARGO_BIN_EXE_babahui-under-test`.

fn main() -> std::process::ExitCode {
    babahui::cli::run()
}
