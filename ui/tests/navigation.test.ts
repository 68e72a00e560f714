import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { createMockBackend } from "../src/lib/backend";

describe("sidebar navigation", () => {
  it("starts on Create and marks it as the current page", () => {
    render(App, { backend: createMockBackend() });
    expect(screen.getByRole("heading", { level: 1, name: "Create" })).toBeInTheDocument();
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(nav.querySelector('[aria-current="page"]')).toHaveTextContent("Create");
  });

  it("shows each screen when its sidebar entry is clicked", async () => {
    const user = userEvent.setup();
    render(App, { backend: createMockBackend() });
    for (const name of ["Styles", "Library", "Settings", "Create"]) {
      await user.click(screen.getByRole("button", { name }));
      expect(screen.getByRole("heading", { level: 1, name })).toBeInTheDocument();
      expect(screen.getByRole("button", { name })).toHaveAttribute("aria-current", "page");
      expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);
    }
  });

  it("follows the empty states' calls to action", async () => {
    const user = userEvent.setup();
    render(App, { backend: createMockBackend({ styles: [] }), initialScreen: "library" });
    await user.click(await screen.findByRole("button", { name: "Write a prompt" }));
    expect(screen.getByRole("heading", { level: 1, name: "Create" })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Styles" }));
    await user.click(await screen.findByRole("button", { name: "Open Settings" }));
    expect(screen.getByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
  });

  it("keeps the prompt draft while moving between screens", async () => {
    const user = userEvent.setup();
    render(App, { backend: createMockBackend() });
    await user.type(screen.getByLabelText("Prompt"), "A tour of the solar system");
    await user.click(screen.getByRole("button", { name: "Library" }));
    await user.click(screen.getByRole("button", { name: "Create" }));
    expect(screen.getByLabelText("Prompt")).toHaveValue("A tour of the solar system");
  });

  it("labels the browser preview so mock data is never mistaken for real data", () => {
    render(App, { backend: createMockBackend() });
    expect(screen.getByRole("status")).toHaveTextContent("Browser preview");
  });
});
