//! The progress an import draws: a bar redrawn in place on a terminal, a line every
//! 10 000 items in a log.

use std::io::{IsTerminal, Write};

/// A one-line progress bar of `done` out of `total` `items` ("vendors", "records").
pub fn progress_line(done: usize, total: usize, items: &str) -> String {
    const WIDTH: usize = 30;
    let filled = (done * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH)
        .min(WIDTH);
    let percent = (done * 100).checked_div(total).unwrap_or(100);
    format!(
        "[{}{}] {done}/{total} {items} ({percent}%)",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled)
    )
}

/// Reports an import's progress on stderr.
pub struct Progress {
    total: usize,
    items: &'static str,
    interactive: bool,
    last_reported: usize,
}

impl Progress {
    pub fn new(total: usize, items: &'static str) -> Self {
        Self {
            total,
            items,
            interactive: std::io::stderr().is_terminal(),
            last_reported: 0,
        }
    }

    /// `done` items are imported.
    pub fn report(&mut self, done: usize) {
        if self.interactive {
            eprint!("\r{}", progress_line(done, self.total, self.items));
            let _ = std::io::stderr().flush();
        } else if (done == self.total && self.last_reported < self.total)
            || done - self.last_reported >= 10_000
        {
            eprintln!("{}", progress_line(done, self.total, self.items));
            self.last_reported = done;
        }
    }

    /// Ends the bar's line.
    pub fn finish(self) {
        if self.interactive {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_fills_up() {
        assert!(progress_line(0, 10, "records").starts_with("[    "));
        assert!(progress_line(10, 10, "records").ends_with("10/10 records (100%)"));
        assert!(progress_line(5, 10, "vendors").contains("5/10 vendors (50%)"));
        assert!(progress_line(0, 0, "vendors").contains("(100%)"));
    }
}
