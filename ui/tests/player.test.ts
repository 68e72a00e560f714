import { render, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, type MockInstance, vi } from "vitest";
import { withBackend } from "./context";
import { createMockBackend } from "../src/lib/backend";
import LocalVideo from "../src/lib/components/LocalVideo.svelte";
import { clock, seekTarget } from "../src/lib/media/player";

/** The page's calls steering its players (player id, control), without its word that it keeps
 * up with the frames (sent a few times a second). */
function steering(control: MockInstance) {
  return control.mock.calls.filter(([, c]) => c.kind !== "watching");
}

describe("the app's player", () => {
  it("plays, pauses, seeks by keyboard and slider, mutes, and closes its player when left", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend();
    const control = vi.spyOn(backend, "controlPlayer");
    const close = vi.spyOn(backend, "closePlayer");
    const { getByTestId, unmount } = render(LocalVideo, {
      props: { jobId: "job_1" },
      ...withBackend(backend),
    });
    const player = getByTestId("player");
    await waitFor(() => expect(player).toHaveAttribute("data-playing", "true"));
    const play = within(player).getByTestId("player-play");
    expect(play).toHaveAccessibleName("Pause");

    await user.click(play);
    await waitFor(() => expect(player).toHaveAttribute("data-playing", "false"));
    expect(play).toHaveAccessibleName("Play");

    player.focus();
    await user.keyboard("{ArrowRight}");
    expect(steering(control).at(-1)).toEqual([expect.any(String), { kind: "seek", seconds: 5 }]);
    await user.keyboard("{End}");
    expect(steering(control).at(-1)).toEqual([expect.any(String), { kind: "seek", seconds: 10 }]);
    await user.keyboard("m");
    expect(steering(control).at(-1)).toEqual([expect.any(String), { kind: "mute", muted: true }]);
    await waitFor(() =>
      expect(within(player).getByTestId("player-mute")).toHaveAccessibleName("Unmute"),
    );

    const seek = within(player).getByTestId("player-seek") as HTMLInputElement;
    seek.value = "2.5";
    seek.dispatchEvent(new Event("change", { bubbles: true }));
    expect(steering(control).at(-1)).toEqual([expect.any(String), { kind: "seek", seconds: 2.5 }]);

    unmount();
    expect(close).toHaveBeenCalledTimes(1);
  });

  it("draws the caption at the player's position over the picture", async () => {
    const backend = createMockBackend();
    vi.spyOn(backend, "jobCaptions").mockResolvedValue(
      "1\n00:00:00,000 --> 00:00:04,000\nFirst words\n\n2\n00:00:06,000 --> 00:00:08,000\nLater\n",
    );
    const { getByTestId, queryByTestId } = render(LocalVideo, {
      props: { jobId: "job_1", hasCaptions: true },
      ...withBackend(backend),
    });
    await waitFor(() => expect(getByTestId("player-cue")).toHaveTextContent("First words"));
    const seek = getByTestId("player-seek") as HTMLInputElement;
    seek.value = "5";
    seek.dispatchEvent(new Event("change", { bubbles: true }));
    await waitFor(() => expect(queryByTestId("player-cue")).toBeNull());
  });

  it("goes on where it was when captions switch files, or from the start after the end", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend();
    const open = vi.spyOn(backend, "openPlayer");
    const control = vi.spyOn(backend, "controlPlayer");
    const { getByTestId, container } = render(LocalVideo, {
      props: { jobId: "job_1", hasCaptions: true, hasCaptioned: true },
      ...withBackend(backend),
    });
    const player = getByTestId("player");
    const pill = (mode: string) => container.querySelector(`[data-captions="${mode}"]`)!;
    await user.click(pill("track"));
    await waitFor(() => expect(player).toHaveAttribute("data-ready", "true"));
    await user.click(getByTestId("player-play"));
    const seek = getByTestId("player-seek") as HTMLInputElement;
    seek.value = "4";
    seek.dispatchEvent(new Event("change", { bubbles: true }));
    await waitFor(() => expect(player).toHaveAttribute("data-position", "4.000"));

    // The captioned file opens and is sent to where the plain one was.
    await user.click(pill("burnt"));
    await waitFor(() =>
      expect(open).toHaveBeenLastCalledWith(
        "job_1",
        "captioned",
        expect.anything(),
        true,
        expect.any(Function),
      ),
    );
    await waitFor(() =>
      expect(steering(control).at(-1)).toEqual([expect.any(String), { kind: "seek", seconds: 4 }]),
    );

    // Played to the end: the other file starts over rather than at its end.
    seek.value = "10";
    seek.dispatchEvent(new Event("change", { bubbles: true }));
    await waitFor(() => expect(player).toHaveAttribute("data-ended", "true"), { timeout: 3_000 });
    const seeks = control.mock.calls.filter(([, c]) => c.kind === "seek").length;
    await user.click(pill("track"));
    await waitFor(() =>
      expect(open).toHaveBeenLastCalledWith(
        "job_1",
        "video",
        expect.anything(),
        true,
        expect.any(Function),
      ),
    );
    await waitFor(() => expect(player).toHaveAttribute("data-playing", "true"));
    expect(control.mock.calls.filter(([, c]) => c.kind === "seek").length).toBe(seeks);
  });

  it("tells the app it keeps up with the frames while it shows them, and stops when left", async () => {
    const backend = createMockBackend();
    const control = vi.spyOn(backend, "controlPlayer");
    const { getByTestId, unmount } = render(LocalVideo, {
      props: { jobId: "job_1" },
      ...withBackend(backend),
    });
    await waitFor(() => expect(getByTestId("player")).toHaveAttribute("data-ready", "true"));
    const watching = () => control.mock.calls.filter(([, c]) => c.kind === "watching").length;
    await waitFor(() => expect(watching()).toBeGreaterThanOrEqual(3), { timeout: 3_000 });
    unmount();
    const said = watching();
    await new Promise((done) => setTimeout(done, 700));
    expect(watching()).toBe(said);
  });

  it("pauses when the window is hidden (closed to the tray)", async () => {
    const backend = createMockBackend();
    const control = vi.spyOn(backend, "controlPlayer");
    const { getByTestId } = render(LocalVideo, {
      props: { jobId: "job_1" },
      ...withBackend(backend),
    });
    await waitFor(() => expect(getByTestId("player")).toHaveAttribute("data-playing", "true"));
    const hidden = vi.spyOn(document, "hidden", "get").mockReturnValue(true);
    document.dispatchEvent(new Event("visibilitychange"));
    hidden.mockRestore();
    expect(steering(control).at(-1)).toEqual([expect.any(String), { kind: "pause" }]);
    await waitFor(() => expect(getByTestId("player")).toHaveAttribute("data-playing", "false"));
  });

  it("says why a video cannot be opened", async () => {
    const backend = createMockBackend();
    vi.spyOn(backend, "openPlayer").mockRejectedValue(new Error("no decoder"));
    const { findByRole } = render(LocalVideo, {
      props: { jobId: "job_1" },
      ...withBackend(backend),
    });
    expect(await findByRole("alert")).toHaveTextContent("no decoder");
  });
});

describe("player helpers", () => {
  it("labels times and maps keys to positions", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(75.4)).toBe("1:15");
    expect(clock(3723)).toBe("1:02:03");
    expect(seekTarget("ArrowLeft", 3, 100)).toBe(0);
    expect(seekTarget("ArrowRight", 98, 100)).toBe(100);
    expect(seekTarget("5", 0, 120)).toBe(60);
    expect(seekTarget("x", 0, 120)).toBeNull();
  });
});
