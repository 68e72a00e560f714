import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { withBackend } from "./context";
import { describe, expect, it, vi } from "vitest";
import Batches from "../src/lib/screens/Batches.svelte";
import { type BatchPreview, createMockBackend } from "../src/lib/backend";

function preview(overrides: Partial<BatchPreview> = {}): BatchPreview {
  return {
    draftId: "d1",
    source: "/home/me/series.csv",
    headers: ["prompt", "style"],
    template: null,
    ignoredColumns: [],
    headerProblems: [],
    rows: [
      { row: 1, cells: ["Lamps", ""], skipped: false, prompt: "Lamps", problems: [] },
      {
        row: 2,
        cells: ["Chairs", "Glossy"],
        skipped: false,
        prompt: "Chairs",
        problems: [
          { row: 2, column: "style", code: "unknown_style", message: 'unknown style "Glossy"' },
        ],
      },
    ],
    ready: 1,
    skipped: 0,
    withProblems: 1,
    ...overrides,
  };
}

describe("Batches", () => {
  it("marks problems at their cell, blocks the start, and sends a fixed cell to Rust", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend();
    backend.pickBatchCsv = vi.fn(async () => preview());
    const fixed = preview({
      rows: preview().rows.map((r) => ({ ...r, problems: [], cells: [r.cells[0] ?? "", ""] })),
      ready: 2,
      withProblems: 0,
    });
    backend.editBatchCell = vi.fn(async () => fixed);
    render(Batches, withBackend(backend));

    await user.click(screen.getByRole("button", { name: /Import CSV/ }));
    const cell = await screen.findByLabelText("Row 2 style");
    expect(cell).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText('unknown style "Glossy"')).toBeInTheDocument();
    expect(screen.getByTestId("batch-start")).toBeDisabled();

    await user.clear(cell);
    await user.type(cell, "Noir Detective");
    await user.tab();
    await waitFor(() =>
      expect(backend.editBatchCell).toHaveBeenCalledWith("d1", 2, "style", "Noir Detective"),
    );
    await waitFor(() => expect(screen.getByTestId("batch-start")).toBeEnabled());
    expect(screen.getByTestId("batch-ready")).toHaveTextContent("2");
  });

  it("skips a row through Rust", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend();
    backend.pickBatchCsv = vi.fn(async () => preview());
    backend.skipBatchRow = vi.fn(async () =>
      preview({
        rows: preview().rows.map((r) => ({ ...r, skipped: r.row === 2 })),
        skipped: 1,
        withProblems: 0,
      }),
    );
    render(Batches, withBackend(backend));
    await user.click(screen.getByRole("button", { name: /Import CSV/ }));
    await user.click(await screen.findByLabelText("Skip row 2"));
    expect(backend.skipBatchRow).toHaveBeenCalledWith("d1", 2, true);
    await waitFor(() => expect(screen.getByTestId("batch-start")).toBeEnabled());
  });
});
