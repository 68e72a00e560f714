import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import App from "../src/App.svelte";
import { type BatchView, createMockBackend } from "../src/lib/backend";
import { mockJob } from "../src/lib/backend/mock";

function batch(overrides: Partial<BatchView> = {}): BatchView {
  return {
    id: "b1",
    name: "series",
    source: "/home/me/series.csv",
    state: "running",
    pauseReason: null,
    concurrency: 10,
    maxVideos: null,
    minBalance: null,
    total: 3,
    pending: 0,
    running: 1,
    downloaded: 2,
    failed: 0,
    cancelled: 0,
    skipped: 0,
    elapsedSecs: 30,
    etaSecs: 10,
    createdAt: 1,
    ...overrides,
  };
}

describe("Library: a batch's videos under it", () => {
  it("groups them under a header that collapses and opens the batch", async () => {
    const user = userEvent.setup();
    // Newest first, as the Library lists: a single job between the batch's videos.
    const rowTwo = mockJob({ id: "j2", title: "Chairs", state: "downloaded", createdAt: 300 });
    const single = mockJob({ id: "js", title: "On its own", state: "downloaded", createdAt: 200 });
    const rowOne = mockJob({ id: "j1", title: "Lamps", state: "downloaded", createdAt: 100 });
    const backend = createMockBackend({ jobs: [rowTwo, single, rowOne] });
    backend.listBatches = vi.fn(async () => [batch()]);
    backend.batchRows = vi.fn(async () => [
      { row: 1, state: "downloaded", title: "Lamps", prompt: "", errorMessage: null, job: rowOne },
      { row: 2, state: "downloaded", title: "Chairs", prompt: "", errorMessage: null, job: rowTwo },
    ]);
    render(App, { backend, initialScreen: "library" });

    const toggle = await screen.findByRole("button", { name: /Batch series/ });
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(toggle).toHaveTextContent("2 videos here · 2 of 3 ready · 1 in progress");
    const list = screen.getByRole("list", { name: "Jobs" });
    // The header where the newest of its videos was, then its videos in row order.
    const order = () =>
      within(list)
        .getAllByRole("listitem")
        .map((li) => li.dataset.jobId ?? `group:${li.dataset.batchId}`);
    await waitFor(() => expect(order()).toEqual(["group:b1", "j1", "j2", "js"]));

    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(order()).toEqual(["group:b1", "js"]);
    await user.click(toggle);
    expect(order()).toEqual(["group:b1", "j1", "j2", "js"]);

    // The Batch filter is still there (jsdom's <select> binding cannot be driven here; the
    // batch e2e uses it in the real web view).
    expect(screen.getByLabelText("Show one batch")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: /Open in Batches/ }));
    expect(screen.getByRole("heading", { level: 1, name: "Batches" })).toBeInTheDocument();
    await waitFor(() => expect(backend.batchRows).toHaveBeenLastCalledWith("b1"));
  });
});
