import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { createMockBackend } from "../src/lib/backend";

describe("Settings", () => {
  it("shows the version and folders the backend reports", async () => {
    const backend = createMockBackend({
      appInfo: { version: "9.8.7", dataDir: "/data/here", libraryDir: "/videos/there" },
    });
    render(App, { backend, initialScreen: "settings" });
    expect(await screen.findByText("9.8.7")).toBeInTheDocument();
    expect(screen.getByTestId("app-version")).toHaveTextContent("9.8.7");
    expect(screen.getByTestId("product-name")).toHaveTextContent("Video Agent Studio");
    expect(screen.getByTestId("data-dir")).toHaveTextContent("/data/here");
    expect(screen.getByTestId("library-dir")).toHaveTextContent("/videos/there");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("says what went wrong when the backend fails, and retries on request", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend({
      appInfoError: { code: "data_dir_unavailable", message: "The data folder is not writable." },
    });
    render(App, { backend, initialScreen: "settings" });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The data folder is not writable.");
    expect(alert).toHaveTextContent("data_dir_unavailable");
    expect(screen.getByTestId("app-version")).toHaveTextContent("—");

    await user.click(screen.getByRole("button", { name: "Try again" }));
    await screen.findByRole("alert");
    expect(backend.calls.appInfo).toBe(2);
  });

  it("shows the library folder on the Library screen too", async () => {
    const backend = createMockBackend({ appInfo: { libraryDir: "/videos/mine" } });
    render(App, { backend, initialScreen: "library" });
    expect(await screen.findByText("/videos/mine")).toBeInTheDocument();
  });
});
