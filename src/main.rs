use std::process::ExitCode;

use clap::Parser;

use vpcaudit::cli::{self, Cli};
use vpcaudit::exit::Exit;

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::init_logging(cli.verbose);
    match cli::run(cli) {
        Ok(code) => code.into(),
        Err(err) => {
            // An AWS error message could quote a key id; the logs' mask applies here too.
            let line = describe(&err);
            eprintln!("vpcaudit: error: {}", vpcaudit::secrets::redact(&line));
            Exit::for_error(&err).into()
        }
    }
}

/// The error and those of its causes that its message does not already include,
/// on one line.
fn describe(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
