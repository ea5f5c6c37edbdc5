use std::process::ExitCode;

use clap::Parser;

use vpcaudit::cli::{self, Cli};
use vpcaudit::exit::Exit;

// A scan allocates and frees millions of small strings and sets on two threads;
// mimalloc does that in less time than the system allocator (see bench/scale).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::init_logging(cli.verbose);
    // A panic is a bug. Checks catch their own (one check's failure is an `unknown`
    // finding, the others' findings stand); anything else ends here as one line and
    // exit 70, never a backtrace dump. The details are in the debug log.
    std::panic::set_hook(Box::new(|info| {
        tracing::debug!("panic: {info}");
    }));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cli::run(cli)));
    let result = match outcome {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let line = describe(&anyhow::anyhow!(what));
            eprintln!(
                "vpcaudit: internal error (please report it, with -vv output): {}",
                vpcaudit::secrets::redact(&line)
            );
            return Exit::Internal.into();
        }
    };
    match result {
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
