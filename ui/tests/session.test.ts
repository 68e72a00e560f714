import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import Session from "../src/lib/screens/Session.svelte";
import Sessions from "../src/lib/screens/Sessions.svelte";
import ResourceCard from "../src/lib/components/session/ResourceCard.svelte";
import { createMockChat } from "../src/lib/components/session/mockChat";

const texts = () => screen.getAllByTestId("message").map((m) => m.textContent ?? "");

describe("Session", () => {
  it("follows a chat from the question to two videos", async () => {
    const user = userEvent.setup();
    const chat = createMockChat();
    chat.addSession("sess_1", "A 10-second teaser for our bakery", "job_1");
    render(Session, { chat, id: "job_1" });

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
    render(Session, { chat, id: "sess_2" });
    chat.markStuck("sess_2");
    const banner = await screen.findByTestId("stuck");
    expect(banner).toHaveTextContent("thinking for 20 minutes");
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
    render(Sessions, { chat, onopen: (id: string) => (opened = id) });
    const row = await screen.findByTestId("session-row");
    expect(row).toHaveTextContent("started elsewhere");
    await user.click(row);
    expect(opened).toBe("sess_web");
  });
});
