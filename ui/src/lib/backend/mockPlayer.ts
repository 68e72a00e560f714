// The app's player in memory (plain browser, component tests): a 10-second video whose
// position advances on a timer while playing, steered like the real one. It has no frames to
// paint, so a placement is only checked to name an open player.
import type { OpenedPlayer, PlayerControl, PlayerState } from "./backend";

const DURATION = 10;
const TICK_MS = 250;

export function createMockPlayers() {
  const open = new Map<string, { state: PlayerState; timer: ReturnType<typeof setInterval> }>();
  const handlers = new Map<string, (s: PlayerState) => void>();
  let next = 1;

  function emit(id: string, onState: (s: PlayerState) => void, change: Partial<PlayerState>) {
    const player = open.get(id);
    if (!player) return;
    player.state = { ...player.state, ...change };
    onState(player.state);
  }

  return {
    async openPlayer(
      _jobId: string,
      _file: string,
      box: { width: number; height: number },
      autoplay: boolean,
      onState: (s: PlayerState) => void,
    ): Promise<OpenedPlayer> {
      const id = `mock-player-${next++}`;
      const width = Math.min(box.width, 1280);
      const state: PlayerState = {
        ready: true,
        playing: autoplay,
        ended: false,
        position: 0,
        duration: DURATION,
        width,
        height: Math.round((width * 9) / 16),
        volume: 1,
        muted: false,
        error: null,
      };
      const timer = setInterval(() => {
        const s = open.get(id)?.state;
        if (!s?.playing) return;
        const position = Math.min(DURATION, (s.position ?? 0) + TICK_MS / 1000);
        const ended = position >= DURATION;
        emit(id, onState, { position, ended, playing: !ended });
      }, TICK_MS);
      open.set(id, { state, timer });
      handlers.set(id, onState);
      queueMicrotask(() => onState(state));
      return { id };
    },
    async controlPlayer(id: string, control: PlayerControl): Promise<void> {
      const onState = handlers.get(id);
      const s = open.get(id)?.state;
      if (!onState || !s) throw new Error("This player was closed; open the video again.");
      if (control.kind === "play")
        emit(id, onState, { playing: true, ended: false, position: s.ended ? 0 : s.position });
      else if (control.kind === "pause") emit(id, onState, { playing: false });
      else if (control.kind === "seek")
        emit(id, onState, { position: Math.max(0, Math.min(DURATION, control.seconds ?? 0)) });
      else if (control.kind === "volume") emit(id, onState, { volume: control.level });
      else emit(id, onState, { muted: control.muted });
    },
    async placePlayer(id: string): Promise<void> {
      if (!handlers.has(id)) throw new Error("This player was closed; open the video again.");
    },
    async closePlayer(id: string): Promise<void> {
      const player = open.get(id);
      if (player) clearInterval(player.timer);
      open.delete(id);
      handlers.delete(id);
    },
  };
}
