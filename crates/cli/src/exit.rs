//! Exit statuses (documented in the README and `--help`).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything analysed; no `--fail-on` finding; `can-i` answered yes.
    Success = 0,
    /// `can-i` answered no.
    No = 1,
    /// Usage or fatal error (bad flag, unreadable rule file).
    Error = 2,
    /// Some input could not be read, parsed or rendered: the report is partial.
    PartialInput = 3,
    /// A finding at or above `--fail-on`.
    FailOn = 4,
}
