// Living on the desktop (issue 15): files handed over by a launch, notification clicks, and the
// "keep working in the tray?" question, against the mock backend.
import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { createMockBackend, mockJob } from "../src/lib/backend/mock";

describe("files handed over by a launch", () => {
  it("attaches them on Create, from wherever the user was", async () => {
    const backend = createMockBackend();
    render(App, { backend, initialScreen: "library" });
    await backend.listening();
    backend.emitOpenedFiles({ attach: ["/home/you/photo.png"], csv: [] });
    expect(await screen.findByText("photo.png")).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: "Create" })).toBeInTheDocument();
  });

  it("opens a CSV in the batch import instead of attaching it", async () => {
    const backend = createMockBackend();
    render(App, { backend });
    await backend.listening();
    backend.emitOpenedFiles({ attach: [], csv: ["/home/you/videos.csv"] });
    expect(await screen.findByRole("heading", { level: 1, name: /Batches/ })).toBeInTheDocument();
    expect(screen.queryByText("videos.csv", { selector: "li *" })).not.toBeInTheDocument();
  });
});

describe("a notification click", () => {
  it("shows the job's row in the Library, highlighted and focused", async () => {
    const jobs = Array.from({ length: 30 }, (_, i) =>
      mockJob({ id: `job-${i}`, title: `Video ${i}`, state: "downloaded" }),
    );
    const backend = createMockBackend({ jobs });
    render(App, { backend });
    await backend.listening();
    backend.emitOpenJob("job-25", false);
    await waitFor(() => {
      const row = document.querySelector('.row[data-job-id="job-25"]');
      expect(row).toHaveClass("highlight");
      expect(row).toHaveFocus();
    });
    expect(screen.getByRole("heading", { level: 1, name: "Library" })).toBeInTheDocument();
  });

  it("opens the session when the agent needs an answer", async () => {
    const backend = createMockBackend();
    render(App, { backend });
    await backend.listening();
    backend.emitOpenJob("job-chat", true);
    await waitFor(() =>
      expect(document.querySelector('main[data-screen="sessions"]')).toBeInTheDocument(),
    );
  });
});

describe("closing the window while videos are made", () => {
  it("asks, sends the answer, and says what quitting means", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend();
    render(App, { backend });
    await backend.listening();
    backend.emitCloseAsked(
      2,
      "2 videos are still being made. They resume the next time you open Video Agent Studio.",
    );
    const dialog = await screen.findByRole("dialog", { name: /Keep making videos/ });
    expect(dialog).toHaveTextContent("2 videos are still being made");
    expect(dialog).toHaveTextContent("resume the next time");
    await user.click(screen.getByRole("button", { name: "Keep working in the tray" }));
    expect(backend.closeAnswers).toEqual([true]);
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("Escape keeps the window open without answering", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend();
    render(App, { backend });
    await backend.listening();
    backend.emitCloseAsked(1, "1 video is still being made.");
    await screen.findByRole("dialog");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(backend.closeAnswers).toEqual([]);
  });
});

describe("keyboard", () => {
  it("a dialog keeps Tab inside it and gives focus back when it closes", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend();
    render(App, { backend });
    await backend.listening();
    const prompt = screen.getByLabelText("Prompt");
    prompt.focus();
    backend.emitCloseAsked(1, "1 video is still being made.");
    const dialog = await screen.findByRole("dialog");
    for (let i = 0; i < 6; i += 1) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
    await user.tab({ shift: true });
    expect(dialog.contains(document.activeElement)).toBe(true);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(prompt).toHaveFocus());
  });
});
