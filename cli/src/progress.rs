//! Progress on long work: an indicatif spinner with the elapsed time on stderr, only when
//! stderr is a terminal (scripts and CI see nothing).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// A spinner for one piece of work; finished (and cleared) when dropped.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// Starts a spinner saying `what` (on `uri`: "simulating" for simulated boards).
    pub fn start(uri: &str, what: &str) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let verb = if uri.starts_with("sim:") {
            "simulating"
        } else {
            "running"
        };
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed_precise}]")
                .expect("valid template"),
        );
        bar.set_message(format!("{verb} {what} on {uri}"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// Changes the message (a new stage of the work).
    pub fn stage(&self, what: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(what.to_string());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
