import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { createMockBackend } from "../src/lib/backend";

describe("Sign in with HeyGen", () => {
  it("signs in from the welcome screen and shows who in Settings, then signs out", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend({
      connection: { hasKey: false, keySource: null, credential: null, apiKeyLast4: null },
    });
    render(App, { backend });
    await user.click(await screen.findByRole("button", { name: /Sign in with HeyGen/ }));
    await user.click(await screen.findByRole("button", { name: "Settings" }));
    expect(await screen.findByTestId("credential-status")).toHaveTextContent(
      "Signed in as Sample Account (you@example.com) via HeyGen.",
    );
    // With no API key either, signing out brings back the first-run choices.
    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByText("Welcome to Video Agent Studio")).toBeInTheDocument();
    expect(backend.storedKey).toBeNull();
  });

  it("signing out with an API key stored stays in Settings and says so", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend({
      connection: {
        credential: "oauth",
        oauthSignedIn: true,
        oauthAccount: "Sam (sam@example.com)",
      },
    });
    render(App, { backend, initialScreen: "settings" });
    const status = await screen.findByTestId("credential-status");
    await waitFor(() =>
      expect(status).toHaveTextContent("Signed in as Sam (sam@example.com) via HeyGen."),
    );
    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByText("Signed out of HeyGen.")).toBeInTheDocument();
    expect(screen.getByTestId("credential-status")).toHaveTextContent("Using API key …1234.");
  });

  it("without a client id the button is disabled and says why", async () => {
    const why = "Sign in with HeyGen needs an OAuth client id from HeyGen.";
    const backend = createMockBackend({ connection: { signInUnavailable: why } });
    render(App, { backend, initialScreen: "settings" });
    const button = await screen.findByRole("button", { name: "Sign in with HeyGen" });
    await waitFor(() => expect(button).toBeDisabled());
    expect(screen.getByText(why)).toBeInTheDocument();
    expect(screen.getByTestId("credential-status")).toHaveTextContent("Using API key …1234.");
  });
});
