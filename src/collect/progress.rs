//! A progress bar on stderr, only when stderr is a terminal (never in cron or CI logs).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    /// Put before each message (the account, in multi-account scans).
    prefix: Option<String>,
}

impl Progress {
    pub fn for_stderr(enabled: bool) -> Progress {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} collecting [{bar:30}] {pos}/{len} {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress { bar, prefix: None }
    }

    /// The same bar, with messages naming `account`.
    pub fn for_account(&self, account: &str) -> Progress {
        Progress {
            bar: self.bar.clone(),
            prefix: Some(account.to_string()),
        }
    }

    pub fn start(&self, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
        }
    }

    pub fn done(&self, region: &str, what: &str) {
        if let Some(bar) = &self.bar {
            match &self.prefix {
                Some(p) => bar.set_message(format!("{p} {region} {what}")),
                None => bar.set_message(format!("{region} {what}")),
            }
            bar.inc(1);
        }
    }

    /// The total was an estimate: `more` steps were not counted in it.
    pub fn grow(&self, more: usize) {
        if let Some(bar) = &self.bar {
            bar.inc_length(more as u64);
        }
    }

    /// Steps counted in the total that will not run (an account that could not be
    /// entered, fewer regions than estimated).
    pub fn skip(&self, steps: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(steps as u64);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
