//! The job state machine (design.md, "Job states"): one enum and one transition check.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Draft,
    Uploading,
    Submitted,
    Thinking,
    WaitingForInput,
    Reviewing,
    Generating,
    Completed,
    Downloading,
    Downloaded,
    Failed,
    Stopped,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 13] = [
        JobState::Draft,
        JobState::Uploading,
        JobState::Submitted,
        JobState::Thinking,
        JobState::WaitingForInput,
        JobState::Reviewing,
        JobState::Generating,
        JobState::Completed,
        JobState::Downloading,
        JobState::Downloaded,
        JobState::Failed,
        JobState::Stopped,
        JobState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Draft => "draft",
            JobState::Uploading => "uploading",
            JobState::Submitted => "submitted",
            JobState::Thinking => "thinking",
            JobState::WaitingForInput => "waiting_for_input",
            JobState::Reviewing => "reviewing",
            JobState::Generating => "generating",
            JobState::Completed => "completed",
            JobState::Downloading => "downloading",
            JobState::Downloaded => "downloaded",
            JobState::Failed => "failed",
            JobState::Stopped => "stopped",
            JobState::Cancelled => "cancelled",
        }
    }

    /// No further work happens in a terminal state (a retry is a new job).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobState::Downloaded | JobState::Failed | JobState::Stopped | JobState::Cancelled
        )
    }

    /// States the startup sweep resumes (everything past draft that is not terminal); also what
    /// the UI calls "active" (the Library's filter, a running clock).
    pub fn is_live(self) -> bool {
        !self.is_terminal() && self != JobState::Draft
    }

    /// The server-side phases a session moves between while the agent works.
    fn is_agent_phase(self) -> bool {
        matches!(
            self,
            JobState::Submitted
                | JobState::Thinking
                | JobState::WaitingForInput
                | JobState::Reviewing
                | JobState::Generating
        )
    }

    /// The single rule for legal moves. Staying in the same state is always allowed (a poll that
    /// changes nothing). Anything not listed here is rejected.
    pub fn can_go_to(self, to: JobState) -> bool {
        use JobState::*;
        if self == to {
            return true;
        }
        match (self, to) {
            (Draft, Uploading | Submitted | Cancelled) => true,
            (Uploading, Submitted | Failed | Cancelled) => true,
            // Sessions move freely between the agent phases (chat sessions go back to thinking
            // after a reply), and can end in any of these from any phase.
            (from, Thinking | WaitingForInput | Reviewing | Generating)
                if from.is_agent_phase() =>
            {
                to != Submitted
            }
            (from, Completed | Failed | Stopped | Cancelled) if from.is_agent_phase() => true,
            // A chat session can start a revision after its video completed.
            (Completed, Thinking | Reviewing | Generating) => true,
            (Completed, Downloading | Failed | Cancelled) => true,
            (Downloading, Downloaded | Completed | Failed | Cancelled) => true,
            // Download again (files removed, or after a download failure once the video exists).
            (Downloaded, Downloading) => true,
            (Failed, Downloading) => true,
            _ => false,
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobState::ALL
            .iter()
            .copied()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown job state {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::JobState::*;
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in JobState::ALL {
            assert_eq!(s.as_str().parse::<JobState>().unwrap(), s);
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn happy_path_is_legal() {
        let path = [
            Draft,
            Uploading,
            Submitted,
            Thinking,
            Reviewing,
            Generating,
            Completed,
            Downloading,
            Downloaded,
        ];
        for w in path.windows(2) {
            assert!(w[0].can_go_to(w[1]), "{} -> {}", w[0], w[1]);
        }
    }

    #[test]
    fn terminal_states_do_not_come_back() {
        for t in [Stopped, Cancelled] {
            for to in JobState::ALL {
                assert_eq!(t.can_go_to(to), t == to, "{t} -> {to}");
            }
        }
        assert!(!Downloaded.can_go_to(Thinking));
        assert!(!Failed.can_go_to(Generating));
        assert!(!Draft.can_go_to(Downloaded));
        assert!(!Submitted.can_go_to(Uploading));
        assert!(!Generating.can_go_to(Downloading));
        assert!(!Thinking.can_go_to(Submitted));
    }

    #[test]
    fn live_and_terminal_partition() {
        for s in JobState::ALL {
            assert!(!(s.is_live() && s.is_terminal()));
        }
        assert!(Downloading.is_live() && Completed.is_live() && Uploading.is_live());
        assert!(!Draft.is_live());
    }
}
