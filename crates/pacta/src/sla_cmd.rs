//! `pacta sla …`: the SLA engine on the command line.

#[derive(Debug, clap::Subcommand)]
pub enum SlaCommand {}

pub fn run(cmd: SlaCommand) -> std::process::ExitCode {
    match cmd {}
}
