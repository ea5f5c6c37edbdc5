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
            eprintln!("vpcaudit: error: {}", one_line(&format!("{err:#}")));
            Exit::for_error(&err).into()
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
