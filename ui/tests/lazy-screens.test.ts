import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { createMockBackend } from "../src/lib/backend";
import { LazyScreens } from "../src/lib/screens/lazy.svelte";

type Loaders = ConstructorParameters<typeof LazyScreens>[0];

/** The real screens, each held back until `release(id)` (or failing once when asked to). */
function gatedLoaders(failFirst: string[] = []) {
  const gates = new Map<string, () => void>();
  const calls: string[] = [];
  const real = new LazyScreens();
  const gated = (id: keyof NonNullable<Loaders>) => async () => {
    calls.push(id);
    if (failFirst.includes(id) && calls.filter((c) => c === id).length === 1) {
      throw new Error("Importing a module script failed.");
    }
    await new Promise<void>((open) => gates.set(id, open));
    await real.load(id);
    return { default: real.loaded[id] };
  };
  const loaders = {
    styles: gated("styles"),
    library: gated("library"),
    batches: gated("batches"),
    sessions: gated("sessions"),
    session: gated("session"),
    settings: gated("settings"),
  } as unknown as NonNullable<Loaders>;
  const release = (id: string) => {
    const open = gates.get(id);
    if (!open) throw new Error(`${id} was not asked for`);
    open();
  };
  return { loaders, calls, release };
}

describe("screens loaded when first wanted", () => {
  it("asks for none at start-up, and for a screen once the pointer or the focus reaches its entry", async () => {
    const user = userEvent.setup();
    const { loaders, calls, release } = gatedLoaders();
    const screens = new LazyScreens(loaders);
    render(App, { backend: createMockBackend(), screens });
    // Create is in the first chunk: on screen at once, nothing else asked for, then or later.
    expect(screen.getByRole("heading", { level: 1, name: "Create" })).toBeInTheDocument();
    await new Promise((done) => setTimeout(done, 300));
    expect(calls).toEqual([]);
    await user.hover(screen.getByRole("button", { name: "Styles" }));
    expect(calls).toEqual(["styles"]);
    screen.getByRole("button", { name: "Library" }).focus();
    expect(calls).toEqual(["styles", "library"]);
    await user.hover(screen.getByRole("button", { name: "Styles" }));
    await user.hover(screen.getByRole("button", { name: "Create" }));
    expect(calls).toEqual(["styles", "library"]);
    release("styles");
    await waitFor(() => expect(screens.loaded.styles).toBeDefined());
    await user.click(screen.getByRole("button", { name: "Styles" }));
    expect(screen.queryByTestId("screen-loading")).toBeNull();
    expect(screen.getByRole("heading", { level: 1, name: "Styles" })).toBeInTheDocument();
  });

  it("says Loading when a screen is clicked before it arrived, then shows it", async () => {
    const user = userEvent.setup();
    const { loaders, release } = gatedLoaders();
    render(App, { backend: createMockBackend(), screens: new LazyScreens(loaders) });
    await user.click(screen.getByRole("button", { name: "Settings" }));
    expect(screen.getByTestId("screen-loading")).toHaveTextContent("Loading");
    await waitFor(() => release("settings"));
    expect(await screen.findByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
    expect(screen.queryByTestId("screen-loading")).toBeNull();
  });

  it("offers to try again when a screen could not be loaded", async () => {
    const user = userEvent.setup();
    const { loaders, release } = gatedLoaders(["library"]);
    render(App, { backend: createMockBackend(), screens: new LazyScreens(loaders) });
    await user.click(screen.getByRole("button", { name: "Library" }));
    const failed = await screen.findByTestId("screen-load-failed");
    expect(failed).toHaveTextContent("could not be loaded");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => release("library"));
    expect(await screen.findByRole("heading", { level: 1, name: "Library" })).toBeInTheDocument();
  });
});
