//! `arrivals`: N phones scan a meeting's join link within a few seconds, each
//! doing what a phone's browser does on its first visit; prints joins per
//! second, the server's CPU per join, the bytes per phone and the hotspot
//! arithmetic. See `BENCHMARKS.md` ("Phones first").

use clap::Parser;
use std::process::ExitCode;
use tests::load::arrivals::{run, Args};

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(report) => {
            report.print(&args);
            println!("{}", serde_json::to_string(&report).unwrap_or_default());
            if report.failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("arrivals: {e:#}");
            ExitCode::FAILURE
        }
    }
}
