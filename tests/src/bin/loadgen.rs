//! `loadgen`: drives a running Babahui (or the Node.js peer) with real clients
//! and prints what it measured. See `BENCHMARKS.md` for the scenarios.

use clap::Parser;
use std::process::ExitCode;
use tests::load::{run, Config};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cfg = Config::parse();
    if let Some(path) = &cfg.probe {
        return match tests::load::probe(&cfg, path).await {
            Ok(took) => {
                println!("served after {} ms of probing", took.as_millis());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("loadgen: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let report = match run(&cfg).await {
        Ok(report) => report,
        Err(e) => {
            eprintln!("loadgen: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    println!("{report}");
    if let Some(path) = &cfg.json {
        let json = serde_json::to_string_pretty(&report).expect("reports serialise");
        if let Err(e) = std::fs::write(path, json) {
            eprintln!("loadgen: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    if cfg.require_complete && !report.complete() {
        eprintln!("loadgen: not every client received every event exactly once");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
