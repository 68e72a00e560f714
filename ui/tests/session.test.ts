import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { withBackend } from "./context";
import { afterEach, describe, expect, it, vi } from "vitest";
import Session from "../src/lib/screens/Session.svelte";
import Sessions from "../src/lib/screens/Sessions.svelte";
import ResourceCard from "../src/lib/components/session/ResourceCard.svelte";
import { createMockChat } from "../src/lib/components/session/mockChat";
import { type Backend, createMockBackend } from "../src/lib/backend";
import sessionSource from "../src/lib/screens/Session.svelte?raw";

const texts = () => screen.getAllByTestId("message").map((m) => m.textContent ?? "");

describe("Session", () => {
  it("follows a chat from the question to two videos", async () => {
    const user = userEvent.setup();
    const chat = createMockChat();
    chat.addSession("sess_1", "A 10-second teaser for our bakery", "job_1");
    render(Session, { props: { id: "job_1" }, ...withBackend(undefined, chat) });

    expect(await screen.findByTestId("thinking")).toHaveTextContent("Agent is working");
    chat.advance();
    expect(await screen.findByTestId("call-to-action")).toHaveTextContent("answer below");
    await user.type(screen.getByLabelText("Reply"), "You choose the voice.");
    await user.click(screen.getByRole("button", { name: "Send" }));
    await screen.findByTestId("thinking");
    expect(chat.replies[0]?.reply.message).toBe("You choose the voice.");

    chat.advance();
    expect(await screen.findByTestId("call-to-action")).toHaveTextContent("review the storyboard");
    expect(screen.getAllByTestId("scene")).toHaveLength(2);

    await user.click(screen.getByRole("button", { name: "Request changes…" }));
    await user.type(screen.getByLabelText("What should change?"), "make it shorter");
    await user.click(screen.getByRole("button", { name: "Send changes" }));
    chat.advance();
    await waitFor(() => expect(screen.getAllByTestId("resource")).toHaveLength(2));
    expect(screen.getAllByText(/Bakery teaser \(v2\)/).length).toBeGreaterThan(0);

    await user.click(screen.getByRole("button", { name: "Approve and generate" }));
    chat.advance();
    expect(await screen.findByTestId("session-video")).toHaveTextContent("First video");
    chat.advance();
    await waitFor(() =>
      expect(screen.getByTestId("session-status")).toHaveTextContent("Completed"),
    );
    expect(screen.getByTestId("session-video")).toHaveTextContent("In your library");

    // A change after completion: a second video of the same session.
    await user.type(screen.getByLabelText("Reply"), "Now a vertical version.");
    await user.click(screen.getByRole("button", { name: "Send" }));
    chat.advance();
    chat.advance();
    await waitFor(() => expect(screen.getAllByTestId("session-video")).toHaveLength(2));
    expect(screen.getAllByTestId("session-video")[1]).toHaveTextContent("Revision 1");

    // Oldest → newest, and nothing shown earlier disappeared.
    const all = texts();
    expect(all[0]).toContain("A 10-second teaser");
    expect(all.at(-1)).toContain("Your video is ready.");
    expect(all.findIndex((t) => t.includes("Which voice"))).toBeLessThan(
      all.findIndex((t) => t.includes("You choose the voice.")),
    );
  });

  it("explains a stuck session and stops it", async () => {
    const user = userEvent.setup();
    const chat = createMockChat();
    chat.addSession("sess_2", "Anything", "job_2");
    render(Session, { props: { id: "sess_2" }, ...withBackend(undefined, chat) });
    chat.markStuck("sess_2");
    const banner = await screen.findByTestId("stuck");
    expect(banner).toHaveTextContent("thinking for 20 minutes");
    // One way to stop: the banner's (no second Stop next to it).
    expect(screen.getAllByRole("button", { name: /^Stop/ })).toHaveLength(1);
    await user.click(within(banner).getByRole("button", { name: "Stop session" }));
    await waitFor(() => expect(screen.getByTestId("session-status")).toHaveTextContent("Ended"));
    expect(screen.queryByTestId("stuck")).not.toBeInTheDocument();
  });

  it("renders unknown resources as readable fields and failed ones with their reason", () => {
    render(ResourceCard, {
      resource: {
        resourceId: "r1",
        resourceType: "hologram",
        sourceType: null,
        url: null,
        previewUrl: null,
        thumbnailUrl: null,
        storyboard: null,
        fields: [{ key: "beam colour", value: "teal" }],
        error: null,
        videoJobId: null,
      },
    });
    expect(screen.getByText("hologram")).toBeInTheDocument();
    expect(screen.getByText("beam colour")).toBeInTheDocument();
    expect(screen.getByText("teal")).toBeInTheDocument();
  });

  it("lists sessions, including ones started elsewhere, and opens them", async () => {
    const user = userEvent.setup();
    const chat = createMockChat();
    chat.addSession("sess_web", "From the web app", null);
    let opened = "";
    render(Sessions, {
      props: { onopen: (id: string) => (opened = id) },
      ...withBackend(undefined, chat),
    });
    const row = await screen.findByTestId("session-row");
    expect(row).toHaveTextContent("started elsewhere");
    await user.click(row);
    expect(opened).toBe("sess_web");
  });
});

const LOOKS = [{ id: "look_ada_office", name: "Ada — office" }];
const VOICES = [{ id: "voice_warm_narrator", name: "Warm narrator" }];

/** A mock backend whose avatar and voice catalogues have a few items (styles: the mock's). */
function catalogueBackend(): Backend {
  const base = createMockBackend();
  const item = (i: { id: string; name: string }) => ({
    ...i,
    image: null,
    preview: null,
    tags: [],
    aspectRatio: null,
    detail: null,
    language: null,
    gender: null,
    private: false,
    unavailable: null,
  });
  return {
    ...base,
    catalogue: async (kind, token, tag) =>
      kind === "looks"
        ? { items: LOOKS.map(item), nextToken: null, fromCache: false }
        : kind === "voices"
          ? { items: VOICES.map(item), nextToken: null, fromCache: false }
          : base.catalogue(kind, token, tag),
  };
}

/** Runs the mock agent to its first finished video. */
async function firstVideo(chat: ReturnType<typeof createMockChat>, id: string) {
  chat.advance();
  await chat.chatReply(id, {
    message: "You choose.",
    files: [],
    avatarId: null,
    voiceId: null,
    brandKitId: null,
  });
  chat.advance();
  await chat.chatApprove(id);
  chat.advance();
  chat.advance();
}

describe("Session resources", () => {
  it("shows a session video with its poster, plays the library file and shows it in its folder", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend();
    const reveal = vi.spyOn(backend, "revealInFolder");
    const open = vi.spyOn(backend, "openPlayer");
    const chat = createMockChat();
    chat.addSession("sess_v", "A teaser", "job_v");
    await firstVideo(chat, "job_v");
    const { container } = render(Session, {
      props: { id: "job_v" },
      ...withBackend(backend, chat),
    });

    const card = await waitFor(() => {
      const found = screen
        .getAllByTestId("resource")
        .find((r) => r.getAttribute("data-kind") === "video");
      expect(found).toBeDefined();
      return found!;
    });
    // No remote URL is handed to a <video> (the web view cannot play it).
    expect(container.querySelector('video[src^="https:"]')).toBeNull();
    expect(within(card).getByTestId("poster")).toHaveAttribute(
      "src",
      "/home/you/Videos/Video Agent Studio/job_v.jpg",
    );
    expect(card).toHaveTextContent("First video");
    await user.click(within(card).getByRole("button", { name: "Play First video" }));
    // The library file plays in the app's player, opened by job id and file, not by path.
    const player = await within(card).findByTestId("player");
    expect(open).toHaveBeenCalledWith("job_v", "video", expect.anything(), true, expect.anything());
    expect(within(player).getByTestId("player-screen")).toBeInTheDocument();
    await waitFor(() => expect(player).toHaveAttribute("data-ready", "true"));
    await user.click(within(card).getByRole("button", { name: "Show in folder" }));
    // The UI names the job and which file; Rust looks the path up (issue 12 item 2).
    expect(reveal).toHaveBeenCalledWith("job_v", "video");
  });

  it("shows the server's thumbnail through the media cache until the video is in the library", async () => {
    const backend = createMockBackend();
    const cached = vi.spyOn(backend, "cachedMedia");
    render(ResourceCard, {
      props: {
        resource: {
          resourceId: "r_vid",
          resourceType: "video",
          sourceType: "generated",
          url: "https://cdn.example.com/v/video.mp4",
          previewUrl: null,
          thumbnailUrl: "https://cdn.example.com/v/thumb.jpg",
          storyboard: null,
          fields: [],
          error: null,
          videoJobId: "job_x",
        },
        videos: [
          {
            jobId: "job_x",
            videoId: "v",
            revision: 2,
            state: "downloading",
            title: null,
            progress: 40,
            videoPath: null,
            thumbnailPath: null,
            failureMessage: null,
            createdAt: 0,
          },
        ],
      },
      ...withBackend(backend),
    });
    expect(await screen.findByTestId("poster")).toBeInTheDocument();
    expect(cached).toHaveBeenCalledWith("https://cdn.example.com/v/thumb.jpg");
    expect(document.querySelector("video")).toBeNull();
    expect(screen.getByTestId("resource")).toHaveTextContent("Revision 1");
    expect(screen.getByTestId("resource")).toHaveTextContent("Downloading into your library · 40%");
    expect(screen.getByRole("button", { name: /not in your library yet/ })).toBeDisabled();
  });

  it("shows a storyboard readably: scene numbers, clock times, catalogue names, details folded", async () => {
    const chat = createMockChat();
    chat.addSession("sess_s", "A teaser", "job_s");
    chat.advance();
    await chat.chatReply("job_s", {
      message: "You choose.",
      files: [],
      avatarId: null,
      voiceId: null,
      brandKitId: null,
    });
    chat.advance();
    const draft = (await chat.chatThread("job_s")).resources[0]!;
    render(ResourceCard, { props: { resource: draft }, ...withBackend(catalogueBackend()) });

    const scenes = screen.getAllByTestId("scene");
    expect(scenes[0]).toHaveTextContent("Scene 1");
    expect(scenes[1]).toHaveTextContent("Scene 2");
    expect(scenes[1]).toHaveTextContent("0:03–0:06 · 3 s");
    expect(screen.queryByText(/^index$/i)).toBeNull();
    expect(screen.queryByText(/^start$/i)).toBeNull();

    const summary = screen.getByTestId("storyboard-summary");
    await waitFor(() => expect(summary).toHaveTextContent("Ada — office"));
    expect(summary).toHaveTextContent("Warm narrator");
    expect(summary).toHaveTextContent("Cinematic Dusk");
    expect(summary).not.toHaveTextContent("look_ada_office");
    // Technical fields stay readable, folded away.
    for (const key of ["Palette", "Typeface", "Revision", "Size"]) {
      expect(screen.getByText(key).closest("details")).not.toBeNull();
    }
    expect(screen.getByText("1280 × 720")).toBeInTheDocument();
    expect(screen.queryByText(/^width$/i)).toBeNull();
  });

  it("falls back to the id when the catalogue does not know it, and never fails on odd metadata", async () => {
    render(ResourceCard, {
      props: {
        resource: {
          resourceId: "r_odd",
          resourceType: "draft",
          sourceType: null,
          url: null,
          previewUrl: null,
          thumbnailUrl: null,
          storyboard: {
            title: null,
            durationSecs: null,
            scenes: [
              {
                heading: null,
                text: "Only text",
                narration: null,
                durationSecs: null,
                imageUrl: null,
                fields: [
                  { key: "camera", value: "angle: low" },
                  { key: "start", value: "soon" },
                ],
              },
            ],
            fields: [{ key: "voice_id", value: "voice_unknown" }],
          },
          fields: [],
          error: null,
          videoJobId: null,
        },
      },
      ...withBackend(catalogueBackend()),
    });
    expect(screen.getByTestId("scene")).toHaveTextContent("Only text");
    expect(screen.getByText("Camera").closest("details")).not.toBeNull();
    expect(screen.getByText("soon")).toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getByTestId("storyboard-summary")).toHaveTextContent(/Voice\s*voice_unknown/);
  });
});

describe("Session reply box", () => {
  it("picks avatar and voice overrides from the catalogues and sends them", async () => {
    const user = userEvent.setup();
    const chat = createMockChat();
    chat.addSession("sess_o", "A teaser", "job_o");
    chat.advance();
    render(Session, { props: { id: "job_o" }, ...withBackend(catalogueBackend(), chat) });
    await screen.findByTestId("call-to-action");
    await user.click(screen.getByRole("button", { name: /Avatar, voice, brand/ }));
    const overrides = screen.getByTestId("reply-overrides");
    expect(within(overrides).queryByRole("textbox")).toBeNull();
    await user.click(within(overrides).getByRole("button", { name: /Voice/ }));
    await user.click(await screen.findByRole("button", { name: /Warm narrator/ }));
    await user.click(within(overrides).getByRole("button", { name: /Avatar/ }));
    await user.click(await screen.findByRole("button", { name: /Ada — office/ }));
    await user.type(screen.getByLabelText("Reply"), "Go on.");
    await user.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(chat.replies).toHaveLength(1));
    expect(chat.replies[0]!.reply).toMatchObject({
      message: "Go on.",
      voiceId: "voice_warm_narrator",
      avatarId: "look_ada_office",
      brandKitId: null,
    });
  });

  it("takes files dropped on the window as attachment chips and sends them", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend({
      files: { "/tmp/notes.exe": { mime: null, problem: "Not a supported file type" } },
    });
    const chat = createMockChat();
    chat.addSession("sess_d", "A teaser", "job_d");
    chat.advance();
    render(Session, { props: { id: "job_d" }, ...withBackend(backend, chat) });
    await screen.findByTestId("call-to-action");
    backend.emitDrop({ kind: "drop", paths: ["/tmp/logo.png", "/tmp/notes.exe"] });
    const chips = await screen.findByRole("list", { name: "Attachments" });
    expect(within(chips).getByText("logo.png")).toBeInTheDocument();
    expect(within(chips).getByText("Not a supported file type")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Reply"), "Use this logo.");
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
    await user.click(within(chips).getByRole("button", { name: "Remove notes.exe" }));
    await user.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(chat.replies).toHaveLength(1));
    expect(chat.replies[0]!.reply.files).toEqual(["/tmp/logo.png"]);
    expect(screen.queryByRole("list", { name: "Attachments" })).toBeNull();
  });
});

describe("Session layout", () => {
  it("lets a reply be prepared while the agent works, and sends it when the agent waits", async () => {
    const user = userEvent.setup();
    const chat = createMockChat();
    chat.addSession("sess_p", "A teaser", "job_p");
    render(Session, { props: { id: "job_p" }, ...withBackend(undefined, chat) });
    await screen.findByTestId("thinking");
    await user.type(screen.getByLabelText("Reply"), "A calm voice.");
    const send = screen.getByRole("button", { name: "Send" });
    expect(send).toBeDisabled();
    expect(screen.getByRole("button", { name: /Add files/ })).toBeEnabled();
    chat.advance();
    await screen.findByTestId("call-to-action");
    expect(screen.getByLabelText("Reply")).toHaveValue("A calm voice.");
    await user.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(chat.replies).toHaveLength(1));
  });

  it("keeps the title and status in a sticky header", async () => {
    const chat = createMockChat();
    chat.addSession("sess_h", "A teaser", "job_h");
    render(Session, { props: { id: "job_h" }, ...withBackend(undefined, chat) });
    const status = await screen.findByTestId("session-status");
    const head = status.closest("header")!;
    expect(head).toContainElement(screen.getByRole("heading", { level: 1 }));
    // Component styles are not applied in this DOM: check the rule the header's class gets.
    expect(head).toHaveClass("head");
    expect(sessionSource).toMatch(/\.head\s*\{[^}]*position:\s*sticky;[^}]*top:\s*0;/);
  });

  it("scrolls to the thinking indicator when the agent starts working", async () => {
    const scrolled: Element[] = [];
    const spy = vi.spyOn(Element.prototype, "scrollIntoView").mockImplementation(function (
      this: Element,
    ) {
      scrolled.push(this);
    });
    try {
      const chat = createMockChat();
      chat.addSession("sess_t", "A teaser", "job_t");
      chat.advance();
      await chat.chatReply("job_t", {
        message: "You choose.",
        files: [],
        avatarId: null,
        voiceId: null,
        brandKitId: null,
      });
      chat.advance();
      render(Session, { props: { id: "job_t" }, ...withBackend(undefined, chat) });
      await screen.findByTestId("call-to-action");
      scrolled.length = 0;
      // The agent goes back to work without a new message (here: the server moved on by itself).
      chat.markStuck("sess_t");
      const thinking = await screen.findByTestId("thinking");
      expect(thinking).toHaveTextContent("Agent is working");
      expect(thinking.closest("ol")?.lastElementChild).toBe(thinking);
      await waitFor(() => expect(scrolled).toContain(thinking));
    } finally {
      spy.mockRestore();
    }
  });
});

describe("Session reads", () => {
  afterEach(() => vi.useRealTimers());

  // It used to re-read the thread every 4 s "as a safety net"; Rust now pushes every change
  // (messages, status, and the session's videos), so it reads only when told.
  it("reads the thread once, then only when Rust pushes a change to this session", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const chat = createMockChat();
    chat.addSession("sess_r", "A teaser", "job_r");
    chat.addSession("sess_other", "Another", "job_other");
    const reads = vi.spyOn(chat, "chatThread");
    render(Session, { props: { id: "job_r" }, ...withBackend(undefined, chat) });
    await screen.findByTestId("thinking");
    expect(reads).toHaveBeenCalledTimes(1);

    vi.advanceTimersByTime(20_000);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(reads).toHaveBeenCalledTimes(1);

    chat.advance("sess_other");
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(reads).toHaveBeenCalledTimes(1);

    chat.advance("sess_r");
    expect(await screen.findByTestId("call-to-action")).toHaveTextContent("answer below");
    expect(reads).toHaveBeenCalledTimes(2);
  });
});
