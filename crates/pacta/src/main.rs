//! The `pacta` binary: a thin command-line shell over the library crates.

mod sla_cmd;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "pacta",
    version,
    about = "Pacta: service catalogue and service-level platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The SLA engine: holidays, business-time deadlines, elapsed time and availability.
    #[command(subcommand)]
    Sla(sla_cmd::SlaCommand),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Sla(cmd) => sla_cmd::run(cmd),
    }
}
