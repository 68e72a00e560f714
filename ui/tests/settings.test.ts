import { render, screen, waitFor } from "@testing-library/svelte";
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

  it.each([
    [
      "wallet",
      { billingType: "wallet", autoReload: "Adds $50.00 when below $10.00" },
      { billing: "Pay as you go (wallet)", "auto-reload": "Adds $50.00 when below $10.00" },
    ],
    [
      "subscription",
      { billingType: "subscription", plan: "Creator", creditsResetAt: 1798761600 },
      { billing: "Subscription", plan: "Creator", resets: "January 1, 2027" },
    ],
    [
      "usage-based",
      {
        billingType: "usage_based",
        includedCredits: 3600,
        spendingCurrentUsd: 12.5,
        spendingCapUsd: 500,
      },
      { billing: "Usage-based", included: "3,600 credits", spending: "$12.50 of $500 cap" },
    ],
  ])("shows a %s account's billing details", async (_name, account, shown) => {
    const user = userEvent.setup();
    const backend = createMockBackend({
      connection: { hasKey: true, keySource: "keyring" },
      account,
    });
    render(App, { backend, initialScreen: "settings" });
    // Enabled once the app has read the connection (after its first frame).
    const test = await screen.findByRole("button", { name: "Test" });
    await waitFor(() => expect(test).toBeEnabled());
    await user.click(test);
    await screen.findByTestId("account");
    for (const [label, value] of Object.entries(shown)) {
      expect(screen.getByTestId(`billing-${label}`)).toHaveTextContent(value);
    }
  });
});
