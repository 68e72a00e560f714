//! The open players, by an id the page holds. The page can open, steer and close players but
//! never name a file: the app resolves a job id to its file before [`Players::open`].

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rand::RngCore;
use tokio::sync::watch;

use super::player::{FrameBox, Player, PlayerControl, PlayerError, PlayerState, VideoFrame};

/// At most this many players at once: a page that opens players without closing them (or a
/// compromised one doing it on purpose) closes its oldest instead of piling up pipelines.
pub const MAX_PLAYERS: usize = 3;

#[derive(Default)]
pub struct Players {
    open: Mutex<VecDeque<(String, Arc<Player>)>>,
}

impl Players {
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens a player on a file the caller has resolved from the store; returns its id and
    /// its state as it changes.
    pub fn open(
        &self,
        file: &Path,
        frame: FrameBox,
        autoplay: bool,
    ) -> Result<(String, watch::Receiver<PlayerState>), PlayerError> {
        let player = Arc::new(Player::open(file, frame, autoplay)?);
        let id = new_id();
        let state = player.state();
        let evicted = {
            let mut open = self.open.lock().unwrap();
            open.push_back((id.clone(), player));
            (open.len() > MAX_PLAYERS).then(|| open.pop_front())
        };
        // Dropped outside the lock: stopping a pipeline waits for its threads.
        drop(evicted);
        Ok((id, state))
    }

    /// Steers a player; false when there is no such player (closed, or never opened).
    pub fn control(&self, id: &str, control: PlayerControl) -> bool {
        match self.get(id) {
            Some(player) => {
                player.control(control);
                true
            }
            None => false,
        }
    }

    /// The newest frame of a player as it changes; None when there is no such player. The
    /// receiver sees the player closed (its sender dropped) when the player is.
    pub fn frames(&self, id: &str) -> Option<watch::Receiver<Option<VideoFrame>>> {
        self.get(id).map(|p| p.frames())
    }

    pub fn close(&self, id: &str) {
        let closed = {
            let mut open = self.open.lock().unwrap();
            let at = open.iter().position(|(open_id, _)| open_id == id);
            at.and_then(|at| open.remove(at))
        };
        drop(closed);
    }

    /// Closes every player (the page that opened them went away).
    pub fn close_all(&self) {
        let closed = std::mem::take(&mut *self.open.lock().unwrap());
        drop(closed);
    }

    pub fn len(&self) -> usize {
        self.open.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, id: &str) -> Option<Arc<Player>> {
        let open = self.open.lock().unwrap();
        open.iter()
            .find(|(open_id, _)| open_id == id)
            .map(|(_, player)| player.clone())
    }
}

fn new_id() -> String {
    let mut raw = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut raw);
    hex::encode(raw)
}
