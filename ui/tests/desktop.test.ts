import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { createMockBackend, mockJob, MOCK_STYLES } from "../src/lib/backend/mock";

describe("first run", () => {
  it("offers offline mode and shows the offline banner once it is on", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend({ connection: { hasKey: false } });
    render(App, { backend });
    await user.click(await screen.findByRole("button", { name: /Try offline/ }));
    expect(await screen.findByTestId("offline-banner")).toHaveTextContent("Offline mode");
    expect(screen.getByRole("heading", { level: 1, name: "Create" })).toBeInTheDocument();
  });

  it("keeps the screen the user went to while offline mode was still being turned on", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend({ connection: { hasKey: false } });
    render(App, { backend });
    const tryOffline = await screen.findByRole("button", { name: /Try offline/ });
    // The engine says "offline" (event) before the app's own read of the connection returns.
    const read = backend.connection.bind(backend);
    let answer: () => void = () => undefined;
    backend.connection = () =>
      new Promise((resolve) => {
        answer = () => void read().then(resolve);
      });
    await user.click(tryOffline);
    expect(await screen.findByTestId("offline-banner")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Library" }));
    expect(screen.getByRole("heading", { level: 1, name: "Library" })).toBeInTheDocument();
    answer();
    await new Promise((done) => setTimeout(done, 50));
    expect(screen.getByRole("heading", { level: 1, name: "Library" })).toBeInTheDocument();
  });

  it("sends 'Enter API key' to Settings", async () => {
    const user = userEvent.setup();
    render(App, { backend: createMockBackend({ connection: { hasKey: false } }) });
    await user.click(await screen.findByRole("button", { name: /Enter API key/ }));
    expect(screen.getByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
  });
});

describe("Create", () => {
  it("turns dropped files into chips and flags too many and the wrong type", async () => {
    const backend = createMockBackend({
      files: { "/tmp/setup.exe": { mime: null, problem: "This file type is not supported." } },
    });
    render(App, { backend });
    await backend.listening();
    const paths = Array.from({ length: 21 }, (_, i) => `/tmp/p${i}.png`);
    backend.emitDrop({ kind: "enter" });
    expect(await screen.findByTestId("drop-overlay")).toBeInTheDocument();
    backend.emitDrop({ kind: "drop", paths });
    expect(await screen.findByTestId("files-problem")).toHaveTextContent(
      "21 files attached; the agent takes at most 20. Remove 1.",
    );
    expect(screen.queryByTestId("drop-overlay")).not.toBeInTheDocument();
    backend.emitDrop({ kind: "drop", paths: ["/tmp/setup.exe"] });
    await screen.findByText("This file type is not supported.");
    await fireEvent.input(screen.getByLabelText("Prompt"), { target: { value: "Hello" } });
    await fireEvent.click(screen.getByRole("button", { name: "Generate" }));
    expect(backend.calls.submitJob).toHaveLength(0);
    expect(
      screen.getAllByRole("listitem").filter((li) => li.classList.contains("chip")),
    ).toHaveLength(22);
  });

  it("submits with Ctrl+Enter and sends the chosen files and options", async () => {
    const backend = createMockBackend();
    render(App, { backend });
    await backend.listening();
    backend.emitDrop({ kind: "drop", paths: ["/tmp/photo.png"] });
    await screen.findByText("photo.png");
    await fireEvent.input(screen.getByLabelText("Prompt"), { target: { value: "A robot" } });
    await fireEvent.keyDown(window, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(backend.calls.submitJob).toHaveLength(1));
    expect(backend.calls.submitJob[0]).toMatchObject({
      prompt: "A robot",
      files: ["/tmp/photo.png"],
      mode: "generate",
    });
    expect(await screen.findByRole("heading", { level: 1, name: "Library" })).toBeInTheDocument();
  });

  it("highlights the field a server error names, with the request id", async () => {
    const backend = createMockBackend({
      submitError: {
        code: "invalid_parameter",
        message: "prompt is too vague",
        param: "prompt",
        request_id: "req_42",
      },
    });
    render(App, { backend });
    await fireEvent.input(screen.getByLabelText("Prompt"), { target: { value: "x" } });
    await fireEvent.click(screen.getByRole("button", { name: "Generate" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("prompt is too vague");
    expect(within(alert).getByTestId("request-id")).toHaveTextContent("req_42");
    expect(screen.getByLabelText("Prompt")).toHaveAttribute("aria-invalid", "true");
  });

  it("links a 401 to Settings", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend({
      submitError: { code: "unauthorized", message: "The API key was not accepted." },
    });
    render(App, { backend });
    await fireEvent.input(screen.getByLabelText("Prompt"), { target: { value: "x" } });
    await user.click(screen.getByRole("button", { name: "Generate" }));
    await user.click(await screen.findByRole("button", { name: "Open Settings" }));
    expect(screen.getByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
  });
});

describe("Styles", () => {
  it("uses a style and matches the orientation to its aspect ratio", async () => {
    const user = userEvent.setup();
    render(App, { backend: createMockBackend(), initialScreen: "styles" });
    const portrait = MOCK_STYLES.find((s) => s.aspectRatio === "9:16")!;
    await user.click(
      await screen.findByRole("button", { name: `Use this style: ${portrait.name}` }),
    );
    expect(screen.getByRole("heading", { level: 1, name: "Create" })).toBeInTheDocument();
    expect(screen.getByTestId("chosen-style")).toHaveTextContent(portrait.name);
    expect(screen.getByLabelText(/Portrait/)).toBeChecked();
  });

  it("filters by tag and by name", async () => {
    const user = userEvent.setup();
    render(App, { backend: createMockBackend(), initialScreen: "styles" });
    await screen.findByText("Cinematic Dusk");
    await user.click(screen.getByRole("button", { name: "handmade" }));
    await waitFor(() => expect(screen.queryByText("Cinematic Dusk")).not.toBeInTheDocument());
    expect(screen.getByText("Paper Cut")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "handmade" }));
    await screen.findByText("Cinematic Dusk");
    await user.type(screen.getByPlaceholderText("Search styles"), "retro");
    expect(screen.queryByText("Cinematic Dusk")).not.toBeInTheDocument();
    expect(screen.getByText("Retro Terminal")).toBeInTheDocument();
  });
});

describe("Library", () => {
  it("renders only the rows in view out of 10,000 jobs", async () => {
    const jobs = Array.from({ length: 10_000 }, (_, i) =>
      mockJob({ id: `job_${i}`, title: `Video ${i}`, state: i % 3 ? "downloaded" : "failed" }),
    );
    render(App, { backend: createMockBackend({ jobs }), initialScreen: "library" });
    await screen.findByText("Video 0");
    expect(screen.getByText("10,000 of 10,000")).toBeInTheDocument();
    expect(document.querySelectorAll(".row").length).toBeLessThan(60);
  });

  it("shows a ready video's length apart from how long making it took", async () => {
    const now = Math.floor(Date.now() / 1000);
    const job = mockJob({
      id: "job_len",
      title: "Short one",
      state: "downloaded",
      videoPath: "/v/short.mp4",
      videoDurationSecs: 7.04,
      createdAt: now - 600,
      updatedAt: now,
    });
    render(App, { backend: createMockBackend({ jobs: [job] }), initialScreen: "library" });
    expect(await screen.findByTestId("video-length")).toHaveTextContent("0:07");
    expect(screen.getByTitle("Took")).toHaveTextContent(/made in 10/);
  });

  it("shows a failure message only while the job is failed", async () => {
    const failed = mockJob({
      id: "job_f",
      title: "Failed one",
      state: "failed",
      failureMessage: "The library folder is not writable.",
    });
    const recovered = mockJob({
      id: "job_r",
      title: "Recovered one",
      state: "downloaded",
      videoPath: "/v/r.mp4",
      failureMessage: "The download link expired.",
    });
    render(App, {
      backend: createMockBackend({ jobs: [failed, recovered] }),
      initialScreen: "library",
    });
    expect(await screen.findByText("The library folder is not writable.")).toBeInTheDocument();
    expect(screen.queryByText("The download link expired.")).not.toBeInTheDocument();
  });

  it("updates a row live from engine events", async () => {
    const job = mockJob({ id: "job_live", title: "Live one", state: "generating" });
    const backend = createMockBackend({ jobs: [job] });
    render(App, { backend, initialScreen: "library" });
    await backend.listening();
    await screen.findByText("Generating");
    backend.emitJob({ ...job, state: "downloaded", videoPath: "/v/live.mp4" });
    expect(await screen.findByText("Ready")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Play" })).toBeInTheDocument();
  });

  it("asks before deleting and can delete on the server too", async () => {
    const user = userEvent.setup();
    const job = mockJob({ id: "job_del", title: "Old one", state: "downloaded" });
    render(App, { backend: createMockBackend({ jobs: [job] }), initialScreen: "library" });
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = screen.getByRole("dialog");
    await user.click(within(dialog).getByLabelText(/Also delete it on the server/));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByText("Old one")).toBeInTheDocument();
  });
});

describe("Settings key", () => {
  it("sends the key to the backend, clears the input, and shows the credits", async () => {
    const user = userEvent.setup();
    const backend = createMockBackend({ connection: { hasKey: false } });
    render(App, { backend, initialScreen: "settings" });
    await user.click(await screen.findByRole("button", { name: /Enter API key/ }));
    await user.type(screen.getByLabelText("API key"), "sk-secret");
    await user.click(screen.getByRole("button", { name: "Save key" }));
    expect(await screen.findByTestId("credits")).toHaveTextContent("120 credits");
    expect(backend.storedKey).toBe("sk-secret");
    expect(screen.getByLabelText("API key")).toHaveValue("");
    expect(document.body.innerHTML).not.toContain("sk-secret");
    await user.click(screen.getByRole("button", { name: "Remove" }));
    expect(await screen.findByTestId("key-status")).toHaveTextContent("No key stored");
  });
});
