import { describe, expect, it } from "vitest";
import type { Backend, JobView } from "../src/lib/backend";
import { JobList } from "../src/lib/state/jobs.svelte";

function job(id: string, state: JobView["state"] = "draft"): JobView {
  return {
    id,
    state,
    title: null,
    input: { prompt: `prompt ${id}` },
    createdAt: 1,
    updatedAt: 1,
  } as JobView;
}

/** A backend whose `listJobs` answers only when the test says so. */
function slowBackend(pages: JobView[]) {
  let answer: () => void = () => undefined;
  const backend = {
    listJobs: () =>
      new Promise((resolve) => {
        answer = () => resolve({ jobs: pages, total: pages.length });
      }),
  } as unknown as Backend;
  return { backend, answer: () => answer() };
}

describe("JobList", () => {
  it("keeps a job made while the list was loading (the pages were read before it existed)", async () => {
    const { backend, answer } = slowBackend([job("old", "downloaded")]);
    const list = new JobList(backend);
    const loading = list.load();
    list.upsert(job("new", "uploading"));
    answer();
    await loading;
    expect(list.jobs.map((j) => j.id)).toEqual(["new", "old"]);
  });

  it("lets events during the load win over the pages, removals included", async () => {
    const { backend, answer } = slowBackend([job("a", "thinking"), job("b", "failed")]);
    const list = new JobList(backend);
    const loading = list.load();
    list.upsert(job("a", "generating"));
    list.remove("b");
    answer();
    await loading;
    expect(list.jobs.map((j) => `${j.id}:${j.state}`)).toEqual(["a:generating"]);
  });

  it("takes the pages as they are when nothing happened meanwhile", async () => {
    const { backend, answer } = slowBackend([job("x", "thinking"), job("y", "downloaded")]);
    const list = new JobList(backend);
    const loading = list.load();
    answer();
    await loading;
    expect(list.jobs.map((j) => j.id)).toEqual(["x", "y"]);
    list.upsert(job("z"));
    expect(list.jobs.map((j) => j.id)).toEqual(["z", "x", "y"]);
  });
});
