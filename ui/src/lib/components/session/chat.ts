// Chat sessions as the Session screens see them. The shapes mirror the shell's
// `src-tauri/views_chat.rs` (tauri-specta bindings); `ChatBackend` is the part of the backend
// the Session screens use, so they run over Tauri, the mock, or a test double alike.

export type Unsubscribe = () => void;

export interface SessionView {
  sessionId: string;
  jobId: string | null;
  mode: string | null;
  /** The server's status verbatim; unknown values mean "still working". */
  status: string;
  title: string | null;
  progress: number;
  createdAt: number | null;
  statusSince: number;
  elapsedSecs: number;
  needsInput: boolean;
  active: boolean;
  stuck: boolean;
  stuckExplanation: string | null;
  followed: boolean;
  videoCount: number;
}

export interface MessageView {
  seq: number;
  role: string;
  content: string;
  kind: string;
  createdAt: number | null;
  resourceIds: string[];
}

export interface FieldView {
  key: string;
  value: string;
}

export interface SceneView {
  heading: string | null;
  text: string | null;
  narration: string | null;
  durationSecs: number | null;
  imageUrl: string | null;
  fields: FieldView[];
}

export interface StoryboardView {
  title: string | null;
  durationSecs: number | null;
  scenes: SceneView[];
  fields: FieldView[];
}

export interface ResourceError {
  code: string;
  message: string;
}

export interface ResourceCardView {
  resourceId: string;
  resourceType: string | null;
  sourceType: string | null;
  url: string | null;
  previewUrl: string | null;
  thumbnailUrl: string | null;
  storyboard: StoryboardView | null;
  fields: FieldView[];
  error: ResourceError | null;
  /** For a video resource: the job id of the session video it is (see `videos`). */
  videoJobId: string | null;
}

export interface SessionVideoView {
  jobId: string;
  videoId: string | null;
  revision: number;
  state: string;
  title: string | null;
  progress: number | null;
  videoPath: string | null;
  thumbnailPath: string | null;
  failureMessage: string | null;
  createdAt: number;
}

export interface ThreadView {
  session: SessionView;
  messages: MessageView[];
  resources: ResourceCardView[];
  videos: SessionVideoView[];
}

export interface SessionRowView {
  session: SessionView;
  /** The first line of what the user first asked, when known here. */
  firstPrompt: string | null;
}

export interface SessionListView {
  sessions: SessionRowView[];
  /** Pass to `listSessions` for more of the server's sessions. */
  nextToken: string | null;
  remoteError: ResourceError | null;
}

export interface ReplyInput {
  message: string;
  files: string[];
  avatarId: string | null;
  voiceId: string | null;
  brandKitId: string | null;
}

export interface SessionChanged {
  sessionId: string;
  jobId: string | null;
  status: string | null;
  stuck: boolean;
  added: number;
}

export interface ChatBackend {
  /** The stored session; `id` is a job id or a session id. */
  chatThread(id: string): Promise<ThreadView>;
  /** Reads the session from the server now. */
  chatRefresh(id: string): Promise<ThreadView>;
  /** Opens (and follows) a session from the server's list. */
  openSession(sessionId: string): Promise<ThreadView>;
  chatReply(id: string, reply: ReplyInput): Promise<SessionView>;
  chatApprove(id: string): Promise<SessionView>;
  chatRequestChanges(id: string, changes: string): Promise<SessionView>;
  chatStop(id: string): Promise<SessionView>;
  listSessions(token: string | null): Promise<SessionListView>;
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
