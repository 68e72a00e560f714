//! What the tray and the quit message say about jobs still running.

use crate::jobs::{Job, JobState};

/// Jobs the engine is still working on, and how far along they are together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Running {
    pub count: usize,
    /// The average progress (0–100) of the running jobs that report one.
    pub progress: Option<u8>,
}

/// Summarises `jobs`: a job counts while it is past draft and not finished.
pub fn running(jobs: &[Job]) -> Running {
    let live: Vec<&Job> = jobs.iter().filter(|j| j.state.is_live()).collect();
    let reported: Vec<u32> = live
        .iter()
        .map(|j| match j.state {
            // Fetching the files is the last step: count it as nearly done.
            JobState::Completed | JobState::Downloading => 100,
            _ => u32::from(j.progress.unwrap_or(0)),
        })
        .collect();
    let progress = (!reported.is_empty())
        .then(|| (reported.iter().sum::<u32>() / reported.len() as u32).min(100) as u8);
    Running {
        count: live.len(),
        progress,
    }
}

impl Running {
    /// The tray's status line, e.g. "2 videos in progress — 40%".
    pub fn status_line(&self) -> String {
        match (self.count, self.progress) {
            (0, _) => "No videos in progress".into(),
            (1, Some(p)) => format!("1 video in progress — {p}%"),
            (1, None) => "1 video in progress".into(),
            (n, Some(p)) => format!("{n} videos in progress — {p}%"),
            (n, None) => format!("{n} videos in progress"),
        }
    }

    /// What quitting now means for the running jobs (None when nothing runs).
    pub fn quit_message(&self) -> Option<String> {
        match self.count {
            0 => None,
            1 => Some("1 video is still being made. It resumes the next time you open Video Agent Studio.".into()),
            n => Some(format!(
                "{n} videos are still being made. They resume the next time you open Video Agent Studio."
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(state: JobState, progress: Option<u8>) -> Job {
        Job {
            state,
            progress,
            ..Job::draft("j", Default::default(), "k", 0)
        }
    }

    #[test]
    fn only_live_jobs_count_and_their_progress_is_averaged() {
        let jobs = [
            job(JobState::Generating, Some(40)),
            job(JobState::Thinking, Some(20)),
            job(JobState::Downloaded, Some(100)),
            job(JobState::Draft, None),
            job(JobState::Failed, None),
        ];
        let running = running(&jobs);
        assert_eq!(
            running,
            Running {
                count: 2,
                progress: Some(30)
            }
        );
        assert_eq!(running.status_line(), "2 videos in progress — 30%");
        assert!(running
            .quit_message()
            .unwrap()
            .contains("resume the next time"));
    }

    #[test]
    fn nothing_running_says_so_and_quitting_needs_no_message() {
        let running = running(&[job(JobState::Downloaded, None)]);
        assert_eq!(running.count, 0);
        assert_eq!(running.status_line(), "No videos in progress");
        assert_eq!(running.quit_message(), None);
    }
}
