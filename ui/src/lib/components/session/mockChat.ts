// An in-memory chat agent for the browser preview and component tests. It follows the real
// flow: a question → an answer → a storyboard for review → changes → approval → a video →
// (after a change request) another video. Steps happen when `advance()` is called, so tests
// decide when the agent "answers".
import type {
  ChatBackend,
  ChatMessage,
  ChatReply,
  ResourceView,
  SessionChanged,
  ChatSession,
  SessionVideo,
  ChatThread,
} from "./chat";

interface MockSession {
  session: ChatSession;
  messages: ChatMessage[];
  resources: ResourceView[];
  videos: SessionVideo[];
  /** What the agent does on the next `advance()`. */
  pending: "ask" | "draft" | "render" | "finish" | null;
}

export interface MockChat extends ChatBackend {
  /** Runs the agent's next step for a session (or all) and notifies listeners. */
  advance(id?: string): void;
  /** Adds a session as if started elsewhere or by Create. */
  addSession(sessionId: string, prompt: string, jobId?: string | null): void;
  /** Marks a session as stuck in `thinking` with an explanation. */
  markStuck(id: string): void;
  readonly replies: { id: string; reply: ChatReply }[];
  /** Sessions per `listSessions` page (the server's list is paged; default: all at once). */
  pageSize: number;
}

const now = () => Math.floor(Date.now() / 1000);

function draft(id: string, version: number, shorter: boolean): ResourceView {
  // Shaped like the local agent's storyboard metadata: what Rust does not recognise arrives as
  // fields (catalogue ids, layout details, the scene's index and start time).
  let start = 0;
  const scenes = [
    { heading: "Welcome", text: "Fresh bread every morning.", durationSecs: shorter ? 2 : 3 },
    { heading: "Our ovens", text: "Baked on stone since 1952.", durationSecs: shorter ? 2 : 3 },
  ].map((s, index) => {
    const fields = [
      { key: "index", value: String(index) },
      { key: "start", value: String(start) },
    ];
    start += s.durationSecs;
    return { ...s, narration: null, imageUrl: null, fields };
  });
  return {
    resourceId: id,
    resourceType: "draft",
    sourceType: "generated",
    url: null,
    previewUrl: null,
    thumbnailUrl: null,
    storyboard: {
      title: `Bakery teaser (v${version})`,
      durationSecs: scenes.reduce((t, s) => t + (s.durationSecs ?? 0), 0),
      scenes,
      fields: [
        { key: "orientation", value: "landscape" },
        { key: "width", value: "1280" },
        { key: "height", value: "720" },
        { key: "style id", value: "style_cinematic_dusk" },
        { key: "voice id", value: "voice_warm_narrator" },
        { key: "avatar id", value: "look_ada_office" },
        { key: "palette", value: "background: #1b1b2f; accent: #e43f5a" },
        { key: "typeface", value: "DejaVu Sans" },
        { key: "revision", value: String(version - 1) },
      ],
    },
    fields: [],
    error: null,
    videoJobId: null,
  };
}

/** The video resource a finished render posts in the thread (linked to its library entry). */
function videoResource(id: string, jobId: string): ResourceView {
  return {
    resourceId: id,
    resourceType: "video",
    sourceType: "generated",
    url: `https://cdn.example.com/${id}/video.mp4`,
    previewUrl: null,
    thumbnailUrl: `https://cdn.example.com/${id}/thumbnail.jpg`,
    storyboard: null,
    fields: [],
    error: null,
    videoJobId: jobId,
  };
}

export function createMockChat(): MockChat {
  const sessions = new Map<string, MockSession>();
  const listeners = new Set<(c: SessionChanged) => void>();
  const replies: { id: string; reply: ChatReply }[] = [];
  let seq = 0;

  const find = (id: string): MockSession => {
    for (const s of sessions.values()) {
      if (s.session.sessionId === id || s.session.jobId === id) return s;
    }
    throw { code: "not_found", message: `No session ${id}` };
  };
  const notify = (s: MockSession, added = 0) =>
    listeners.forEach((l) =>
      l({
        sessionId: s.session.sessionId,
        jobId: s.session.jobId,
        status: s.session.status,
        stuck: s.session.stuck,
        added,
        videos: false,
      }),
    );
  const say = (s: MockSession, role: string, content: string, resourceIds: string[] = []) =>
    s.messages.push({ seq: ++seq, role, content, kind: "text", createdAt: now(), resourceIds });
  const setStatus = (s: MockSession, status: string) => {
    s.session = {
      ...s.session,
      status,
      statusSince: now(),
      elapsedSecs: 0,
      needsInput: status === "waiting_for_input" || status === "reviewing",
      active: status !== "completed" && status !== "failed",
      stuck: false,
      stuckExplanation: null,
    };
  };
  const view = (s: MockSession): ChatThread =>
    structuredClone({
      session: { ...s.session, videoCount: s.videos.length },
      messages: s.messages,
      resources: s.resources,
      videos: s.videos,
    });

  function step(s: MockSession) {
    switch (s.pending) {
      case "ask":
        say(
          s,
          "model",
          "Which voice should narrate this video? Reply with a name, or say “you choose”.",
        );
        setStatus(s, "waiting_for_input");
        break;
      case "draft": {
        const version = s.resources.filter((r) => r.resourceType === "draft").length + 1;
        const shorter = s.messages.some((m) => m.role === "user" && /shorter/i.test(m.content));
        const r = draft(`draft_${version}`, version, shorter);
        s.resources.push(r);
        say(s, "model", version === 1 ? "Here is the storyboard." : "I revised the storyboard.", [
          r.resourceId,
        ]);
        setStatus(s, "reviewing");
        break;
      }
      case "render":
        s.videos.push({
          jobId:
            s.videos.length === 0 && s.session.jobId
              ? s.session.jobId
              : `job_rev_${s.videos.length + 1}`,
          videoId: `video_${s.videos.length + 1}`,
          revision: s.videos.length + 1,
          state: "generating",
          title: s.session.title,
          progress: 50,
          videoPath: null,
          thumbnailPath: null,
          failureMessage: null,
          createdAt: now(),
        });
        setStatus(s, "generating");
        s.pending = "finish";
        return notify(s);
      case "finish": {
        s.videos = s.videos.map((v) => ({
          ...v,
          state: "downloaded",
          progress: 100,
          videoPath: `/home/you/Videos/Video Agent Studio/${v.jobId}.mp4`,
          thumbnailPath: `/home/you/Videos/Video Agent Studio/${v.jobId}.jpg`,
        }));
        const newest = s.videos.at(-1)!;
        const r = videoResource(`video_res_${newest.revision}`, newest.jobId);
        s.resources.push(r);
        say(s, "model", "Your video is ready.", [r.resourceId]);
        setStatus(s, "completed");
        break;
      }
      default:
        return;
    }
    s.pending = null;
    notify(s, 1);
  }

  function react(s: MockSession, message: string) {
    say(s, "user", message);
    const status = s.session.status;
    if (status === "waiting_for_input") s.pending = "draft";
    else if (status === "reviewing") s.pending = /^Looks good/.test(message) ? "render" : "draft";
    else if (status === "completed") s.pending = "render";
    setStatus(s, "thinking");
    notify(s, 1);
  }

  const chat: MockChat = {
    replies,
    pageSize: Number.POSITIVE_INFINITY,
    addSession(sessionId, prompt, jobId = null) {
      const s: MockSession = {
        session: {
          sessionId,
          jobId,
          mode: "chat",
          status: "thinking",
          title: "Bakery teaser",
          progress: 10,
          createdAt: now(),
          statusSince: now(),
          elapsedSecs: 0,
          needsInput: false,
          active: true,
          stuck: false,
          stuckExplanation: null,
          followed: true,
          videoCount: 0,
        },
        messages: [],
        resources: [],
        videos: [],
        pending: "ask",
      };
      say(s, "user", prompt);
      sessions.set(sessionId, s);
      notify(s, 1);
    },
    advance(id) {
      for (const s of id ? [find(id)] : [...sessions.values()]) step(s);
    },
    markStuck(id) {
      const s = find(id);
      s.session = {
        ...s.session,
        status: "thinking",
        needsInput: false,
        active: true,
        stuck: true,
        elapsedSecs: 1200,
        stuckExplanation:
          "The agent has been thinking for 20 minutes without moving on. You can keep waiting, or stop the session.",
      };
      notify(s);
    },
    async chatThread(id) {
      return view(find(id));
    },
    async chatRefresh(id) {
      return view(find(id));
    },
    async openSession(sessionId) {
      return view(find(sessionId));
    },
    async chatReply(id, reply) {
      if (!reply.message.trim()) throw { code: "prompt_empty", message: "Write a message first." };
      replies.push({ id, reply });
      const s = find(id);
      react(s, reply.message);
      return view(s).session;
    },
    async chatApprove(id) {
      return chat.chatReply(id, {
        message: "Looks good — generate it.",
        files: [],
        avatarId: null,
        voiceId: null,
        brandKitId: null,
      });
    },
    async chatRequestChanges(id, changes) {
      return chat.chatReply(id, {
        message: `Please change the following: ${changes}`,
        files: [],
        avatarId: null,
        voiceId: null,
        brandKitId: null,
      });
    },
    async chatStop(id) {
      const s = find(id);
      s.messages.push({
        seq: ++seq,
        role: "model",
        content: "Stopped at your request.",
        kind: "error",
        createdAt: now(),
        resourceIds: [],
      });
      setStatus(s, "failed");
      s.pending = null;
      notify(s, 1);
      return view(s).session;
    },
    async listSessions(token) {
      const all = [...sessions.values()].reverse().map((s) => ({
        session: view(s).session,
        firstPrompt: s.messages.find((m) => m.role === "user")?.content.split("\n")[0] ?? null,
      }));
      const start = token ? Number(token) : 0;
      const end = start + chat.pageSize;
      return {
        sessions: all.slice(start, end),
        nextToken: end < all.length ? String(end) : null,
        remoteError: null,
      };
    },
    async onSessionChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return chat;
}
