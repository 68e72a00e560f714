import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { createMockBackend } from "../src/lib/backend";
import { ThemeState } from "../src/lib/state/theme.svelte";

const root = () => document.documentElement;

describe("theme", () => {
  it("follows the desktop's theme from the backend while set to System", async () => {
    const backend = createMockBackend({ appInfo: { systemTheme: "dark" } });
    render(App, { backend });
    await backend.listening();
    await waitFor(() => expect(root().dataset.theme).toBe("dark"));
    backend.emitSystemTheme("light");
    await waitFor(() => expect(root().dataset.theme).toBe("light"));
  });

  it("keeps an explicit choice across restarts and ignores the desktop then", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend();
    render(App, { backend, initialScreen: "settings" });
    await backend.listening();
    await user.click(screen.getByRole("radio", { name: "Dark" }));
    await waitFor(() => expect(root().dataset.theme).toBe("dark"));
    backend.emitSystemTheme("light");
    await waitFor(() => expect(root().dataset.theme).toBe("dark"));
    expect(new ThemeState().preference).toBe("dark");
  });
});
