// Chat sessions as the Session screens see them: studio-core's own chat types, generated into
// the bindings. `ChatBackend` is the part of the backend the Session screens use, so they run
// over Tauri, the mock, or a test double alike.
import type {
  ChatMessage_Serialize,
  ChatReply_Serialize,
  ChatSession_Serialize,
  ChatThread_Serialize,
  Field,
  ResourceView_Serialize,
  SessionChanged_Serialize,
  SessionList_Serialize,
  SessionRow_Serialize,
  SessionVideo_Serialize,
  Storyboard_Serialize,
} from "../../backend/bindings";

export type Unsubscribe = () => void;

// Types that cross both ways are generated in a Serialize (what Rust sends) and a Deserialize
// variant (see backend.ts); the Session screens work with what Rust sends.
export type ChatSession = ChatSession_Serialize;
export type ChatMessage = ChatMessage_Serialize;
export type ChatThread = ChatThread_Serialize;
export type ChatReply = ChatReply_Serialize;
export type ResourceView = ResourceView_Serialize;
export type SessionVideo = SessionVideo_Serialize;
export type SessionList = SessionList_Serialize;
export type SessionRow = SessionRow_Serialize;
export type Storyboard = Storyboard_Serialize;
export type SessionChanged = SessionChanged_Serialize;
export type { Field };

export interface ChatBackend {
  /** The stored session; `id` is a job id or a session id. */
  chatThread(id: string): Promise<ChatThread>;
  /** Reads the session from the server now. */
  chatRefresh(id: string): Promise<ChatThread>;
  /** Opens (and follows) a session from the server's list. */
  openSession(sessionId: string): Promise<ChatThread>;
  chatReply(id: string, reply: ChatReply): Promise<ChatSession>;
  chatApprove(id: string): Promise<ChatSession>;
  chatRequestChanges(id: string, changes: string): Promise<ChatSession>;
  chatStop(id: string): Promise<ChatSession>;
  listSessions(token: string | null): Promise<SessionList>;
  onSessionChanged(listener: (change: SessionChanged) => void): Promise<Unsubscribe>;
}

/**
 * The status of a session known only from the server's list (which carries no status): the
 * engine says so instead of guessing (studio-core `chat::UNKNOWN_STATUS`).
 */
export const UNKNOWN_STATUS = "unknown";

/** What a status means to a person: a word, and whether it asks for them. */
export function statusLabel(status: string): string {
  switch (status) {
    case "thinking":
      return "Agent is working";
    case "waiting_for_input":
      return "Waiting for your answer";
    case "reviewing":
      return "Storyboard ready for review";
    case "generating":
      return "Rendering the video";
    case "completed":
      return "Completed";
    case "failed":
      return "Ended";
    case UNKNOWN_STATUS:
      return "Status not known yet";
    default:
      return `Working (${status.replaceAll("_", " ")})`;
  }
}

/** "42 s", "3 min 05 s", "1 h 02 min". */
export function formatElapsed(secs: number): string {
  const s = Math.max(0, Math.floor(secs));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

export function formatDuration(secs: number | null): string | null {
  if (secs === null || !Number.isFinite(secs)) return null;
  if (secs >= 60) return formatClock(secs);
  return Number.isInteger(secs) ? `${secs} s` : `${secs.toFixed(1)} s`;
}

/** A point in a video as "0:03", "1:05", "1:02:03". */
export function formatClock(secs: number): string {
  const s = Math.max(0, Math.round(secs));
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  if (s >= 3600) return `${Math.floor(s / 3600)}:${String(mm).padStart(2, "0")}:${ss}`;
  return `${mm}:${ss}`;
}

/** "just now", "3 min ago", "2 h ago", "yesterday", "5 days ago", else the date. */
export function relativeTime(unixSecs: number, nowMs: number = Date.now()): string {
  const ago = Math.max(0, Math.floor(nowMs / 1000 - unixSecs));
  if (ago < 60) return "just now";
  if (ago < 3600) return `${Math.floor(ago / 60)} min ago`;
  if (ago < 86_400) return `${Math.floor(ago / 3600)} h ago`;
  const days = Math.floor(ago / 86_400);
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} days ago`;
  return new Date(unixSecs * 1000).toLocaleDateString([], {
    year: "numeric",
    month: "short",
    day: "numeric",
  });
}
