import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { withBackend } from "./context";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import Sessions from "../src/lib/screens/Sessions.svelte";
import { createMockBackend } from "../src/lib/backend";
import { createMockChat } from "../src/lib/components/session/mockChat";
import type { ChatBackend, SessionList } from "../src/lib/components/session/chat";
import { relativeTime } from "../src/lib/components/session/chat";

const noop = () => undefined;

describe("Sessions list", () => {
  it("reads more of the server's sessions with Load more, keeping the first page", async () => {
    const user = userEvent.setup();
    const chat = createMockChat();
    chat.pageSize = 2;
    for (const n of [1, 2, 3]) chat.addSession(`sess_${n}`, `Prompt ${n}`, `job_${n}`);
    render(Sessions, { props: { onopen: noop }, ...withBackend(undefined, chat) });
    await waitFor(() => expect(screen.getAllByTestId("session-row")).toHaveLength(2));
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(screen.getAllByTestId("session-row")).toHaveLength(3));
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
    // A change event re-reads the first page without losing the rest.
    chat.advance("sess_3");
    await waitFor(() =>
      expect(screen.getAllByTestId("session-row").map((r) => r.dataset.status)).toContain(
        "waiting_for_input",
      ),
    );
    expect(screen.getAllByTestId("session-row")).toHaveLength(3);
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("shows per row the title, status, video count, relative time, first prompt and origin", async () => {
    const now = Math.floor(Date.now() / 1000);
    const list: SessionList = {
      nextToken: null,
      remoteError: null,
      sessions: [
        {
          firstPrompt: "A teaser for our bakery",
          session: {
            sessionId: "sess_a",
            jobId: "job_a",
            mode: "chat",
            status: "reviewing",
            title: "Bakery teaser",
            progress: 30,
            createdAt: now - 180,
            statusSince: now - 60,
            elapsedSecs: 60,
            needsInput: true,
            active: true,
            stuck: false,
            stuckExplanation: null,
            followed: true,
            videoCount: 0,
          },
        },
        {
          firstPrompt: null,
          session: {
            sessionId: "sess_b",
            jobId: null,
            mode: "chat",
            status: "completed",
            title: null,
            progress: 100,
            createdAt: now - 2 * 86_400,
            statusSince: now - 86_400,
            elapsedSecs: 86_400,
            needsInput: false,
            active: false,
            stuck: false,
            stuckExplanation: null,
            followed: false,
            videoCount: 2,
          },
        },
      ],
    };
    const chat: ChatBackend = {
      ...createMockChat(),
      listSessions: async () => list,
    };
    render(Sessions, { props: { onopen: noop }, ...withBackend(undefined, chat) });
    const [mine, other] = await waitFor(() => {
      const rows = screen.getAllByTestId("session-row");
      expect(rows).toHaveLength(2);
      return rows;
    });
    expect(mine).toHaveTextContent("Bakery teaser");
    expect(within(mine!).getByTestId("session-prompt")).toHaveTextContent(
      "A teaser for our bakery",
    );
    expect(mine).toHaveTextContent("0 videos");
    expect(mine).toHaveTextContent("3 min ago");
    expect(mine).toHaveClass("attention");
    expect(within(mine!).getByTestId("session-row-status")).toHaveAttribute(
      "data-tone",
      "attention",
    );
    expect(within(mine!).getByTestId("session-row-status")).toHaveTextContent("Needs you");
    expect(mine).not.toHaveTextContent("started elsewhere");

    expect(other).toHaveTextContent("Untitled session");
    expect(other).toHaveTextContent("2 videos");
    expect(other).toHaveTextContent("2 days ago");
    expect(other).toHaveTextContent("started elsewhere");
    expect(other).not.toHaveClass("attention");
    expect(within(other!).queryByTestId("session-prompt")).toBeNull();
  });

  it("says relative times the way people do", () => {
    const now = Date.UTC(2026, 10, 28, 12, 0, 0);
    const at = (secsAgo: number) => relativeTime(now / 1000 - secsAgo, now);
    expect(at(5)).toBe("just now");
    expect(at(180)).toBe("3 min ago");
    expect(at(2 * 3600 + 5)).toBe("2 h ago");
    expect(at(86_400 + 10)).toBe("yesterday");
    expect(at(3 * 86_400)).toBe("3 days ago");
    expect(at(30 * 86_400)).toMatch(/2026/);
  });
});

describe("Sessions in the app", () => {
  it("New chat opens Create with the chat mode chosen", async () => {
    const user = userEvent.setup();
    render(App, { backend: createMockBackend(), initialScreen: "sessions" });
    await user.click(await screen.findByRole("button", { name: "New chat" }));
    expect(document.querySelector("main")).toHaveAttribute("data-screen", "create");
    expect(screen.getByLabelText("Chat with the agent first")).toBeChecked();
  });

  it("files dropped while a session is open go into its reply, not to Create", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend();
    render(App, { backend });
    await user.type(screen.getByLabelText("Prompt"), "A teaser for our bakery");
    await user.click(screen.getByLabelText("Chat with the agent first"));
    await user.click(screen.getByRole("button", { name: "Generate" }));
    await screen.findByTestId("reply-box");
    expect(document.querySelector("main")).toHaveAttribute("data-screen", "sessions");

    backend.emitDrop({ kind: "enter" });
    backend.emitDrop({ kind: "drop", paths: ["/tmp/logo.png"] });
    const chips = await screen.findByRole("list", { name: "Attachments" });
    expect(within(chips).getByText("logo.png")).toBeInTheDocument();
    expect(document.querySelector("main")).toHaveAttribute("data-screen", "sessions");
    expect(screen.queryByTestId("drop-overlay")).toBeNull();
  });
});

describe("Sessions list reads", () => {
  it("re-lists on a session's own change, not when only one of its videos moved on", async () => {
    const base = createMockChat();
    base.addSession("sess_1", "Prompt 1", "job_1");
    let push: (change: Parameters<Parameters<ChatBackend["onSessionChanged"]>[0]>[0]) => void =
      noop;
    let lists = 0;
    const chat: ChatBackend = {
      ...base,
      listSessions: (token) => {
        lists += 1;
        return base.listSessions(token);
      },
      onSessionChanged: async (listener) => {
        push = listener;
        return noop;
      },
    };
    render(Sessions, { props: { onopen: noop }, ...withBackend(undefined, chat) });
    await screen.findByTestId("session-row");
    expect(lists).toBe(1);
    const change = { sessionId: "sess_1", jobId: "job_1", status: null, stuck: false, added: 0 };
    // A download's progress (the session's job): the list shows nothing of it.
    push({ ...change, videos: true });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(lists).toBe(1);
    push({ ...change, status: "reviewing", videos: false });
    await waitFor(() => expect(lists).toBe(2));
  });
});
