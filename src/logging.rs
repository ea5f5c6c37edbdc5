//! Logs: to stderr only, one line per event, every registered credential masked
//! ([`crate::secrets`]).

use std::io::{self, IsTerminal, Write};

use tracing_subscriber::fmt::MakeWriter;

pub fn init(verbose: u8) {
    crate::secrets::register_environment();
    // The SDK's own logs stay quiet unless asked for, so an error is one line. kube
    // logs every failed request as an error; vpcaudit already reports each as a gap.
    let directives = match verbose {
        0 => "error,vpcaudit=warn,kube_client=off",
        1 => "warn,vpcaudit=info",
        2 => "info,vpcaudit=debug",
        _ => "debug,vpcaudit=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(directives));
    let colour = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactingStderr)
        .with_ansi(colour)
        .with_target(false)
        .init();
}

/// Standard error, through [`crate::secrets::redact`]. The fmt layer formats a whole
/// event before it writes, so a credential is never split across two writes.
struct RedactingStderr;

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = Redacting;

    fn make_writer(&'a self) -> Self::Writer {
        Redacting
    }
}

struct Redacting;

impl Write for Redacting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        io::stderr().write_all(crate::secrets::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}
