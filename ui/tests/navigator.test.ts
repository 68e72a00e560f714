import { describe, expect, it } from "vitest";
import { Navigator } from "../src/lib/state/navigator.svelte";
import { Banners } from "../src/lib/state/banners.svelte";

describe("Navigator", () => {
  it("opens the Sessions list from the sidebar, a session from elsewhere", () => {
    const nav = new Navigator("library");
    nav.openSession("job_1");
    expect([nav.screen, nav.openSessionId]).toEqual(["sessions", "job_1"]);
    nav.navigate("sessions");
    expect(nav.openSessionId).toBeNull();
  });

  it("shows a notified job in its session or in the Library, leaving the welcome", () => {
    const nav = new Navigator();
    nav.showJob("job_2", false);
    expect([nav.screen, nav.focusJobId, nav.welcomeDismissed]).toEqual(["library", "job_2", true]);
    nav.showJob("job_3", true);
    expect([nav.screen, nav.openSessionId]).toEqual(["sessions", "job_3"]);
  });

  it("takes a CSV to Batches and the welcome's key button to Settings", () => {
    const nav = new Navigator();
    nav.importCsv("/home/you/videos.csv");
    expect([nav.screen, nav.droppedCsv]).toEqual(["batches", "/home/you/videos.csv"]);
    nav.enterKey();
    expect([nav.screen, nav.focusKey]).toEqual(["settings", true]);
  });
});

describe("Banners", () => {
  it("counts a rate-limit wait down to nothing", () => {
    const banners = new Banners();
    expect(banners.waitSeconds).toBe(0);
    banners.rateLimited(3);
    expect(banners.waitSeconds).toBe(3);
  });
});
