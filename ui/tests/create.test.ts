import { fireEvent, render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { createMockBackend } from "../src/lib/backend";
import { PROMPT_LIMIT, promptProblem } from "../src/lib/state/draft.svelte";

describe("Create prompt", () => {
  it("counts characters as the user types", async () => {
    const user = userEvent.setup();
    render(App, { backend: createMockBackend() });
    expect(screen.getByText("0 / 10,000")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Prompt"), "Hello");
    expect(screen.getByText("5 / 10,000")).toBeInTheDocument();
  });

  it("asks for a prompt after the field is left empty", async () => {
    const user = userEvent.setup();
    render(App, { backend: createMockBackend() });
    const prompt = screen.getByLabelText("Prompt");
    expect(prompt).toHaveAttribute("aria-invalid", "false");
    await user.click(prompt);
    await user.tab();
    expect(screen.getByText("Write what the video should be about.")).toBeInTheDocument();
    expect(prompt).toHaveAttribute("aria-invalid", "true");
  });

  it("flags a prompt over the limit without cutting it", async () => {
    render(App, { backend: createMockBackend() });
    const prompt = screen.getByLabelText("Prompt");
    const long = "x".repeat(PROMPT_LIMIT + 5);
    await fireEvent.input(prompt, { target: { value: long } });
    await fireEvent.blur(prompt);
    expect(screen.getByText("10,005 / 10,000")).toBeInTheDocument();
    expect(screen.getByText(/5 characters over the 10,000-character limit/)).toBeInTheDocument();
    expect(prompt).toHaveValue(long);
  });

  it("counts characters, not UTF-16 units", () => {
    expect(promptProblem("🎬".repeat(PROMPT_LIMIT))).toBeNull();
    expect(promptProblem(" \n ")).not.toBeNull();
  });
});
