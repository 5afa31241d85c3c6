//! The documented exit codes, shared by every command.

use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything ran and nothing deviates.
    Ok = 0,
    /// The target deviates from the specs (a result, not a tool error).
    Deviations = 1,
    /// Bad usage, an invalid spec or configuration.
    Usage = 2,
    /// The target could not be reached, or the run was aborted.
    Aborted = 3,
    /// A real target may still hold changes the run made: the state recorded before could not be put back, or an
    /// earlier run's restore journal is pending. `conform restore` finishes the job.
    Restore = 4,
    /// `--max-time` passed before every case ran: what ran is reported, the rest was not run.
    CutShort = 5,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}
