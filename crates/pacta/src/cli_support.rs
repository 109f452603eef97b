//! What the commands share: one-line errors with exit 2, `--format text|json`, yes/no flags,
//! and problems of a file printed as `FILE:LINE:COL: field.path: message`.

use std::process::ExitCode;

use pacta_core::catalogue::document::Issue;

/// A command's outcome: its exit code, or a one-line error (exit 2).
pub type CliResult = Result<ExitCode, String>;

/// Prints an error as one line on stderr; exit code 2.
pub fn fail(message: String) -> ExitCode {
    eprintln!("pacta: {}", message.replace('\n', " "));
    ExitCode::from(2)
}

/// The output format of a read command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

pub fn format_arg(format: &str) -> Result<Format, String> {
    match format {
        "text" => Ok(Format::Text),
        "json" => Ok(Format::Json),
        other => Err(format!("--format must be text or json, not `{other}`")),
    }
}

pub fn yes_no(flag: &str, value: &str) -> Result<bool, String> {
    match value {
        "yes" => Ok(true),
        "no" => Ok(false),
        other => Err(format!("{flag} must be yes or no, not `{other}`")),
    }
}

/// Every problem of a file, one per line: `FILE:LINE:COL: field.path: message`.
pub fn print_issues(file: &std::path::Path, issues: &[Issue]) {
    for issue in issues {
        let pos = issue
            .pos
            .map(|p| format!("{}:{}:", p.line, p.col))
            .unwrap_or_default();
        let path = if issue.path.is_empty() {
            String::new()
        } else {
            format!(" {}:", issue.path)
        };
        eprintln!("{}:{pos}{path} {}", file.display(), issue.message);
    }
}

/// An instant written as RFC 3339 (`2027-01-01T00:00:00Z`, `2027-01-01T01:00:00+01:00`).
pub fn instant_arg(flag: &str, value: &str) -> Result<jiff::Timestamp, String> {
    value
        .parse::<jiff::Timestamp>()
        .map_err(|e| format!("{flag}: `{value}` is not an RFC 3339 instant: {e}"))
}

/// An instant as the command line prints it: RFC 3339 in UTC.
pub fn show_instant(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| seconds.to_string())
}
