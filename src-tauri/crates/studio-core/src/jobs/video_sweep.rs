//! Tracking many jobs with few requests. A job whose video id is known is followed through the
//! video list (`GET /v3/videos`, up to 100 videos a page) rather than a read of its video each
//! cadence, so requests grow with the number of pages, not of jobs. The list is trusted only for
//! what it says: a video it shows finished is read itself (fresh URLs, the failure); a video it
//! does not show, or shows without a status, is read itself too, so no completion is lost to a
//! short or odd listing. One-shot sessions still unfinished are read in one shared lane.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use heygen_api::models::PageRequest;
use tokio::time::Instant;

use super::model::{Job, Mode};
use super::state::JobState;
use super::tracker::{follows_by_list, Poll, Schedule};
use crate::engine::Engine;
use crate::error::{CoreError, Result};
use crate::store::now_unix;

/// The list's largest page (spec: videos 10 by default, 1–100).
const PAGE_SIZE: u32 = 100;

/// Pages a sweep may read beyond those its tracked videos fill: the list may hold other videos
/// (the web app's, deleted jobs') or not be ordered newest first.
const SPARE_PAGES: usize = 2;

/// How much sooner than its cadence the list looks again at a job it showed in the making
/// (nominal): three turns of the 1 request/s budget may come between the job falling due and
/// its completion being recorded — a session-lane read that took the turn first, the page read
/// itself, and the read of the video the page showed finished — so that a completion is seen
/// within the cadence, not a cadence and three turns.
const LOOK_AHEAD: Duration = Duration::from_secs(3);

/// How long a sweep lets the reads of videos a page showed finished go before its next page
/// (nominal): they take the next turns, so a completion is not held behind the rest of the list.
const ITEM_READS_FIRST: Duration = Duration::from_secs(3);

/// Nominal spacing of the session lane: one session read of a list-followed one-shot job every
/// 10 s at most (0.1 request/s), whatever the number of jobs; with few jobs each is still read
/// on its own cadence.
const SESSION_LANE_SPACING: Duration = Duration::from_secs(10);

/// What the sweep and the session lane remember between ticks.
#[derive(Debug, Default)]
pub(crate) struct ListState {
    sweeping: AtomicBool,
    /// Jobs whose next step reads their video itself (the list showed it finished, or did not
    /// tell about it).
    item_reads: Mutex<HashSet<String>>,
    /// The running sweep's snapshot (video ids), and the due jobs outside it already told to it.
    sweep: Mutex<SweepWatch>,
    lane: Mutex<Lane>,
}

/// Jobs that begin while a sweep runs are not in its snapshot: the tracker tells the sweep, which
/// reads the first page (the newest videos) again at its next turn rather than leaving them for
/// the next sweep (with 1,000 jobs a sweep lasts ~12 s, past a new job's 10 s cadence).
#[derive(Debug, Default)]
struct SweepWatch {
    snapshot: HashSet<String>,
    told: HashSet<String>,
    newcomer: bool,
}

#[derive(Debug, Default)]
struct Lane {
    busy: bool,
    open_at: Option<Instant>,
    /// When each job's session was last read, and when it is due again.
    last_read: HashMap<String, Instant>,
    due_at: HashMap<String, Instant>,
    /// Jobs whose session has finished (nothing more to read there).
    finished: HashSet<String>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ListState {
    pub(crate) fn needs_item_read(&self, job_id: &str) -> bool {
        lock(&self.item_reads).contains(job_id)
    }

    pub(crate) fn item_read_done(&self, job_id: &str) {
        lock(&self.item_reads).remove(job_id);
    }

    fn read_item(&self, job_id: &str) {
        lock(&self.item_reads).insert(job_id.to_string());
    }

    fn item_reads_pending(&self, job_ids: &[String]) -> bool {
        let pending = lock(&self.item_reads);
        job_ids.iter().any(|id| pending.contains(id))
    }

    fn sweep_started(&self, snapshot: HashSet<String>) {
        *lock(&self.sweep) = SweepWatch {
            snapshot,
            ..SweepWatch::default()
        };
    }

    /// While a sweep runs: whether any due video is one it was not started with and not yet
    /// told about (each is told once, so one the first page does not show costs one re-read).
    fn tell_newcomers<'a>(&self, due_videos: impl Iterator<Item = &'a String>) -> bool {
        let mut watch = lock(&self.sweep);
        let SweepWatch { snapshot, told, .. } = &mut *watch;
        let mut fresh = false;
        for video in due_videos.filter(|v| !snapshot.contains(*v)) {
            fresh |= told.insert(video.clone());
        }
        watch.newcomer |= fresh;
        fresh
    }

    fn take_newcomer(&self) -> bool {
        std::mem::take(&mut lock(&self.sweep).newcomer)
    }
}

/// The jobs one page showed, by what it showed.
#[derive(Debug, Default)]
struct PageTaken {
    in_progress: Vec<String>,
    finished: Vec<String>,
}

impl Engine {
    /// Start a walk over the video list when a list-followed job is due and none is running.
    pub(crate) fn start_video_sweep(
        self: &Arc<Self>,
        schedule: &Arc<Schedule>,
        jobs: &[Job],
        now: Instant,
    ) {
        let due: HashSet<String> = jobs
            .iter()
            .filter(|j| schedule.due(&j.id, now))
            .filter_map(|j| j.video_id.clone())
            .collect();
        if due.is_empty() {
            return;
        }
        if schedule.lists.sweeping.swap(true, Ordering::SeqCst) {
            schedule.lists.tell_newcomers(due.iter());
            return;
        }
        let tracked: HashMap<String, Job> = jobs
            .iter()
            .filter_map(|j| Some((j.video_id.clone()?, j.clone())))
            .collect();
        schedule
            .lists
            .sweep_started(tracked.keys().cloned().collect());
        let engine = self.clone();
        let schedule = schedule.clone();
        tokio::spawn(async move {
            let outcome = engine.sweep_videos(&schedule, &tracked, due).await;
            if let Err(e) = &outcome {
                engine.note_rate_limit(e);
                if !matches!(e, CoreError::Cancelled) {
                    tracing::warn!(code = e.code().as_str(), error = %e, "video list sweep failed; reading videos one by one");
                }
            }
            schedule.lists.sweeping.store(false, Ordering::SeqCst);
            schedule.wake.notify_one();
        });
    }

    /// Walk the list until every due video was told about; whatever it did not tell (missing,
    /// no status, a page that failed) is read video by video at the next tick.
    async fn sweep_videos(
        self: &Arc<Self>,
        schedule: &Schedule,
        tracked: &HashMap<String, Job>,
        mut due: HashSet<String>,
    ) -> Result<()> {
        let max_pages = tracked.len().div_ceil(PAGE_SIZE as usize) + SPARE_PAGES;
        let walked = self
            .walk_video_list(schedule, tracked, &mut due, max_pages)
            .await;
        for video_id in &due {
            if let Some(job) = tracked.get(video_id) {
                schedule.lists.read_item(&job.id);
            }
        }
        if !due.is_empty() {
            tracing::debug!(
                untold = due.len(),
                "videos the list did not tell about; reading them one by one"
            );
        }
        walked
    }

    async fn walk_video_list(
        self: &Arc<Self>,
        schedule: &Schedule,
        tracked: &HashMap<String, Job>,
        due: &mut HashSet<String>,
        max_pages: usize,
    ) -> Result<()> {
        let conn = self.connected().await?;
        let first = PageRequest::with_limit(PAGE_SIZE);
        let mut request = first.clone();
        let mut tokens = HashSet::new();
        // Jobs the first page (the newest videos) showed still in the making.
        let mut on_first_page: Vec<String> = Vec::new();
        // Listed videos outside the sweep's snapshot: jobs that began after it, or not ours.
        let mut joined: HashMap<String, Option<Job>> = HashMap::new();
        let mut pages = 0;
        let mut rereads = 0;
        while pages < max_pages {
            // Which page to read is decided once the turn is ours, on what is due by then.
            self.budget.acquire().await;
            // A sweep of many pages outlasts a young job's cadence (1,000 jobs: 12 pages at
            // 1 request/s against 10 s): when a job the first page showed is due again, or a
            // job began since the sweep did, read that page again before going on, so its
            // completion is not left for the next sweep.
            let reread = pages > 0
                && rereads < max_pages
                && (schedule.lists.take_newcomer()
                    || on_first_page
                        .iter()
                        .any(|id| schedule.due(id, Instant::now())));
            let asked = if reread { &first } else { &request };
            let page = tokio::select! {
                r = conn.client.list_video_items(asked) => r?,
                _ = self.shutdown.cancelled() => return Err(CoreError::Cancelled),
            };
            let taken = self.take_page(schedule, tracked, &mut joined, due, &page.data)?;
            let in_progress = taken.in_progress;
            tracing::debug!(
                page = pages,
                reread,
                listed = page.data.len(),
                in_progress = in_progress.len(),
                untold = due.len(),
                "video list page read"
            );
            self.let_item_reads_go(schedule, &taken.finished).await;
            if reread || pages == 0 {
                on_first_page = in_progress;
            }
            if reread {
                rereads += 1;
                continue;
            }
            pages += 1;
            match page.next() {
                _ if due.is_empty() => break,
                Some(token) if tokens.insert(token.to_string()) => request = request.after(token),
                _ => break,
            }
        }
        Ok(())
    }

    /// Wait (a bounded while) until the reads of the videos a page showed finished are done:
    /// they take the next turns of the budget, not the sweep's next pages.
    async fn let_item_reads_go(&self, schedule: &Schedule, finished: &[String]) {
        if finished.is_empty() {
            return;
        }
        let until = Instant::now() + self.cadence.apply(ITEM_READS_FIRST);
        while schedule.lists.item_reads_pending(finished) && Instant::now() < until {
            tokio::select! {
                _ = tokio::time::sleep(self.cadence.apply(Duration::from_millis(50))) => {}
                _ = self.shutdown.cancelled() => return,
            }
        }
    }

    /// What one page tells: finished videos are read now; the others get their next turn.
    fn take_page(
        self: &Arc<Self>,
        schedule: &Schedule,
        tracked: &HashMap<String, Job>,
        joined: &mut HashMap<String, Option<Job>>,
        due: &mut HashSet<String>,
        items: &[heygen_api::models::VideoListItem],
    ) -> Result<PageTaken> {
        let mut taken = PageTaken::default();
        for item in items {
            let Some(status) = &item.status else { continue };
            let job = match tracked.get(&item.id) {
                Some(job) => job,
                None => match self.late_job(joined, &item.id)? {
                    Some(job) => job,
                    None => continue,
                },
            };
            due.remove(&item.id);
            if status.is_terminal() {
                tracing::debug!(job_id = %job.id, video_id = %item.id, "the list shows a video finished");
                // Fresh URLs and the failure come only from the video itself: read it
                // now, not after the rest of the sweep.
                schedule.lists.read_item(&job.id);
                schedule.due_now(&job.id);
                schedule.wake.notify_one();
                taken.finished.push(job.id.clone());
            } else {
                self.listed_in_progress(schedule, job)?;
                taken.in_progress.push(job.id.clone());
            }
        }
        Ok(taken)
    }

    /// The list-followed job a listed video outside the sweep's snapshot belongs to: a job that
    /// began after the sweep did, looked up in the store once per video (`joined` also
    /// remembers videos that are not ours). With 1,000 jobs a sweep lasts ~12 s, and a new job
    /// would otherwise wait for the next sweep however often the first page is read (the
    /// newest completion was seen after 24 s in one bench run).
    fn late_job<'a>(
        &self,
        joined: &'a mut HashMap<String, Option<Job>>,
        video_id: &str,
    ) -> Result<Option<&'a Job>> {
        if !joined.contains_key(video_id) {
            let job = self
                .store
                .job_by_video_id(video_id)?
                .filter(follows_by_list);
            tracing::debug!(
                video_id,
                ours = job.is_some(),
                "a listed video outside the sweep's snapshot"
            );
            joined.insert(video_id.to_string(), job);
        }
        Ok(joined[video_id].as_ref())
    }

    /// The list shows the job's video still in the making: record that and set its next turn.
    /// `job` is the tracker's snapshot; the store is read again only to change the state (this
    /// runs for every listed job, hundreds per sweep).
    fn listed_in_progress(self: &Arc<Self>, schedule: &Schedule, job: &Job) -> Result<()> {
        self.video_missing_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&job.id);
        // A job with its own step running is left to that step.
        if job.state != JobState::Generating && self.session_allows_generating(job)? {
            if let Some(_guard) = self.try_begin(&job.id) {
                if follows_by_list(&self.store.job(&job.id)?) {
                    self.video_in_progress(&job.id)?;
                }
            }
        }
        let since = job
            .submitted_at
            .map(|t| Duration::from_secs((now_unix() - t).max(0) as u64))
            .unwrap_or_default();
        let next = self
            .cadence
            .interval(since)
            .saturating_sub(self.cadence.apply(LOOK_AHEAD));
        schedule.set(&job.id, Instant::now() + next);
        Ok(())
    }

    /// Read one list-followed one-shot session, the one read longest ago that is due, when
    /// the lane is open.
    pub(crate) fn start_session_read(
        self: &Arc<Self>,
        schedule: &Arc<Schedule>,
        jobs: &[Job],
        now: Instant,
    ) {
        let Some(job) = self.next_session_to_read(schedule, jobs, now) else {
            return;
        };
        let Some(guard) = self.try_begin(&job.id) else {
            return;
        };
        {
            let mut lane = lock(&schedule.lists.lane);
            lane.busy = true;
            lane.open_at = Some(now + self.cadence.apply(SESSION_LANE_SPACING));
        }
        let engine = self.clone();
        let schedule = schedule.clone();
        tokio::spawn(async move {
            let id = job.id.clone();
            let outcome = engine.advance(&guard, job, Poll::SessionOnly).await;
            let next = engine.next_poll(&id, outcome.as_ref().err());
            drop(guard);
            {
                let mut lane = lock(&schedule.lists.lane);
                let done = Instant::now();
                lane.busy = false;
                lane.last_read.insert(id.clone(), done);
                lane.due_at.insert(id, done + next);
            }
            if outcome.is_ok_and(|progressed| progressed) {
                schedule.wake.notify_one();
            }
        });
    }

    fn next_session_to_read(&self, schedule: &Schedule, jobs: &[Job], now: Instant) -> Option<Job> {
        let mut lane = lock(&schedule.lists.lane);
        if lane.busy || lane.open_at.is_some_and(|at| at > now) {
            return None;
        }
        // Forget jobs the list no longer follows.
        let followed: HashSet<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
        lane.last_read
            .retain(|id, _| followed.contains(id.as_str()));
        lane.due_at.retain(|id, _| followed.contains(id.as_str()));
        lane.finished.retain(|id| followed.contains(id.as_str()));
        let mut candidates: Vec<&Job> = jobs
            .iter()
            .filter(|j| j.request.mode == Mode::Generate && !lane.finished.contains(&j.id))
            .filter(|j| lane.due_at.get(&j.id).is_none_or(|at| *at <= now))
            .collect();
        // Never read first, then the one read longest ago; the newest job first among equals.
        candidates.sort_by_key(|j| {
            (
                lane.last_read.get(&j.id).copied(),
                std::cmp::Reverse(j.created_at),
            )
        });
        for job in candidates {
            if self.session_finished(job) {
                lane.finished.insert(job.id.clone());
                continue;
            }
            return Some(job.clone());
        }
        None
    }

    fn session_finished(&self, job: &Job) -> bool {
        let Some(session_id) = &job.session_id else {
            return true;
        };
        match self.store.chat_session(session_id) {
            Ok(r) => r.is_some_and(|r| crate::chat::session_finished(&r.status)),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a session record");
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_job_begun_during_a_sweep_is_told_to_it_once() {
        let lists = ListState::default();
        lists.sweep_started(ids(&["v1", "v2"]).into_iter().collect());
        assert!(
            !lists.tell_newcomers(ids(&["v1", "v2"]).iter()),
            "all in the snapshot"
        );
        assert!(!lists.take_newcomer());
        assert!(
            lists.tell_newcomers(ids(&["v2", "v3"]).iter()),
            "v3 began since"
        );
        assert!(lists.take_newcomer());
        assert!(!lists.take_newcomer(), "taken once");
        // Still due at the next tick (the first page did not show it yet): not told again.
        assert!(!lists.tell_newcomers(ids(&["v3"]).iter()));
        assert!(!lists.take_newcomer());
        // The next sweep starts with it in its snapshot.
        lists.sweep_started(ids(&["v1", "v2", "v3"]).into_iter().collect());
        assert!(!lists.tell_newcomers(ids(&["v3"]).iter()));
        assert!(lists.tell_newcomers(ids(&["v4"]).iter()));
    }
}
