import { render, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { withBackend } from "./context";
import { createMockBackend } from "../src/lib/backend";
import LocalVideo from "../src/lib/components/LocalVideo.svelte";
import { clock, seekTarget } from "../src/lib/media/player";

/** The page's calls steering its players (player id, control). */
function steering(control: MockInstance) {
  return control.mock.calls;
}

/** Lays the player's picture box out at 20,30 (640×360) in an 800×600 page whose other boxes
 * (the player's, which clips) fill the page, as a browser would; `onTop` is what the page shows
 * at any point (the box's own content unless overridden). */
function layOut(screen: HTMLElement, onTop: () => Element | null = () => screen) {
  vi.spyOn(Element.prototype, "getBoundingClientRect").mockReturnValue(new DOMRect(0, 0, 800, 600));
  vi.spyOn(screen, "getBoundingClientRect").mockReturnValue(new DOMRect(20, 30, 640, 360));
  Object.assign(window, { innerWidth: 800, innerHeight: 600 });
  document.elementFromPoint = () => onTop();
}

describe("the app's player", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    Reflect.deleteProperty(document, "elementFromPoint");
  });

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

  it("tells the app where to paint the picture and the caption, and hides it when covered", async () => {
    const backend = createMockBackend();
    vi.spyOn(backend, "jobCaptions").mockResolvedValue(
      "1\n00:00:00,000 --> 00:00:04,000\nFirst words\n",
    );
    const place = vi.spyOn(backend, "placePlayer");
    const { getByTestId, unmount } = render(LocalVideo, {
      props: { jobId: "job_1", hasCaptions: true },
      ...withBackend(backend),
    });
    const screen = getByTestId("player-screen");
    let onTop: Element | null = screen;
    layOut(screen, () => onTop);
    await waitFor(() =>
      expect(place).toHaveBeenLastCalledWith(expect.any(String), {
        picture: { x: 20, y: 30, width: 640, height: 360 },
        visible: { x: 20, y: 30, width: 640, height: 360 },
        pageWidth: expect.any(Number),
        caption: "First words",
      }),
    );
    // Only changes are sent: a still layout is not sent again every frame.
    const sent = place.mock.calls.length;
    await new Promise((done) => setTimeout(done, 200));
    expect(place.mock.calls.length).toBe(sent);

    // A dialog over it: nothing is painted (the app paints over the page).
    const dialog = document.createElement("div");
    document.body.append(dialog);
    onTop = dialog;
    await waitFor(() => expect(place).toHaveBeenLastCalledWith(expect.any(String), null));
    onTop = screen;
    await waitFor(() => expect(place.mock.lastCall?.[1]).not.toBeNull());

    // Scrolled partly out of a clipping list: only the part on screen.
    vi.spyOn(screen, "getBoundingClientRect").mockReturnValue(new DOMRect(20, 500, 640, 360));
    await waitFor(() =>
      expect(place.mock.lastCall?.[1]?.visible).toEqual({ x: 20, y: 500, width: 640, height: 100 }),
    );
    vi.spyOn(screen, "getBoundingClientRect").mockReturnValue(new DOMRect(20, 900, 640, 360));
    await waitFor(() => expect(place).toHaveBeenLastCalledWith(expect.any(String), null));

    unmount();
    const said = place.mock.calls.length;
    await new Promise((done) => setTimeout(done, 100));
    expect(place.mock.calls.length).toBe(said);
    dialog.remove();
  });

  it("paints nothing while a problem shows in the picture's place", async () => {
    const backend = createMockBackend();
    const place = vi.spyOn(backend, "placePlayer");
    const { getByTestId } = render(LocalVideo, {
      props: { jobId: "job_1" },
      ...withBackend(backend),
    });
    const screen = getByTestId("player-screen");
    layOut(screen);
    await waitFor(() => expect(place.mock.lastCall?.[1]).toBeTruthy());
    // The player reports that it cannot play (a broken file found mid-way).
    vi.spyOn(backend, "controlPlayer").mockRejectedValue(new Error("the file went away"));
    getByTestId("player-play").click();
    await waitFor(() => expect(place).toHaveBeenLastCalledWith(expect.any(String), null));
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
