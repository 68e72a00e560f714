import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { createMockBackend } from "../src/lib/backend";

/** Opens a Create-screen picker and returns its dialog. */
async function openPicker(kind: "voices" | "looks") {
  const user = userEvent.setup();
  const button = document.querySelector(`[data-picker="${kind}"]`) as HTMLElement;
  await user.click(button);
  const dialog = await screen.findByRole("dialog");
  return { user, dialog };
}

const names = (dialog: HTMLElement) =>
  within(dialog)
    .getAllByRole("listitem")
    .map((li) => li.querySelector(".name")?.textContent ?? "")
    .filter((n) => n !== "Agent's choice");

describe("Voice picker", () => {
  it("lists the account's cloned voices beside the public ones", async () => {
    render(App, { backend: createMockBackend() });
    const { dialog } = await openPicker("voices");
    await within(dialog).findByText("Aria");
    expect(names(dialog)).toEqual(["Aria", "Finn", "Heidi", "My Voice (clone)", "Greta (clone)"]);
    const clone = within(dialog).getByText("My Voice (clone)").closest("button")!;
    expect(clone).toHaveTextContent("Yours");
  });

  it("filters by language, gender and ownership", async () => {
    render(App, { backend: createMockBackend() });
    const { user, dialog } = await openPicker("voices");
    await within(dialog).findByText("Aria");
    await user.selectOptions(within(dialog).getByLabelText("Language"), "German");
    expect(names(dialog)).toEqual(["Heidi", "Greta (clone)"]);
    await user.selectOptions(within(dialog).getByLabelText("Voices"), "private");
    expect(names(dialog)).toEqual(["Greta (clone)"]);
    await user.selectOptions(within(dialog).getByLabelText("Language"), "");
    await user.selectOptions(within(dialog).getByLabelText("Gender"), "male");
    expect(names(dialog)).toEqual(["My Voice (clone)"]);
    await user.selectOptions(within(dialog).getByLabelText("Voices"), "public");
    await user.selectOptions(within(dialog).getByLabelText("Gender"), "female");
    await user.selectOptions(within(dialog).getByLabelText("Language"), "German");
    expect(names(dialog)).toEqual(["Heidi"]);
  });
});

describe("Avatar picker", () => {
  it("shows looks that are not ready as disabled, with the reason", async () => {
    render(App, { backend: createMockBackend() });
    const { user, dialog } = await openPicker("looks");
    const training = (await within(dialog).findByText("My Twin — Studio")).closest("button")!;
    expect(training).toBeDisabled();
    expect(training).toHaveTextContent("Still training");
    const consent = within(dialog).getByText("My Twin — Outdoor").closest("button")!;
    expect(consent).toBeDisabled();
    expect(consent).toHaveTextContent("Waiting for consent");
    // A ready look is chosen; the picker then shows it.
    await user.click(within(dialog).getByText("My Twin — Default"));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    const picker = document.querySelector('[data-picker="looks"]') as HTMLElement;
    expect(picker).toHaveTextContent("My Twin — Default");
  });
});
