// Every job, kept current from engine events. The list is loaded once in pages (the engine's
// `list_jobs`) and rendered virtualised, so 10,000 jobs stay smooth; search and filter run over
// the loaded rows.
import type { Backend, JobView } from "../backend";

const PAGE = 500;

export class JobList {
  // Not deeply reactive: Svelte's per-row proxies made the Library's first visit over 10,000 jobs
  // cost ~0.4 s. Rows are replaced (from engine events), never mutated in place.
  jobs = $state.raw<JobView[]>([]);
  loaded = $state(false);
  /** Upload/download progress per job (0–1), from transfer events. */
  transfer = $state<Record<string, number>>({});

  /**
   * What engine events said while a load was reading its pages (a job, or null when removed):
   * newer than those pages, so they win over them when the load ends.
   */
  private changedDuringLoad: Map<string, JobView | null> | null = null;

  constructor(private readonly backend: Backend) {}

  async load() {
    // A plain Map on purpose: bookkeeping for this load only, nothing renders from it.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const changed = new Map<string, JobView | null>();
    this.changedDuringLoad = changed;
    try {
      const all: JobView[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await this.backend.listJobs(offset, PAGE);
        all.push(...page.jobs);
        if (page.jobs.length < PAGE || all.length >= page.total) break;
      }
      this.jobs = mergeNewer(all, changed);
      this.loaded = true;
    } finally {
      if (this.changedDuringLoad === changed) this.changedDuringLoad = null;
    }
  }

  /** Replaces a job's row (or adds a new job on top). */
  upsert(job: JobView) {
    this.changedDuringLoad?.set(job.id, job);
    const index = this.jobs.findIndex((j) => j.id === job.id);
    if (index >= 0) {
      const next = [...this.jobs];
      next[index] = { ...job };
      this.jobs = next;
    } else this.jobs = [job, ...this.jobs];
  }

  remove(id: string) {
    this.changedDuringLoad?.set(id, null);
    this.jobs = this.jobs.filter((j) => j.id !== id);
  }

  /** Subscribes to the engine's job and transfer events; returns the unsubscribe. */
  async follow(): Promise<() => void> {
    const stops = await Promise.all([
      this.backend.onJobChanged((job) => this.upsert(job)),
      this.backend.onTransferProgress((p) => {
        if (p.kind === "upload" || p.kind === "video")
          this.transfer = { ...this.transfer, [p.jobId]: p.total ? (p.done ?? 0) / p.total : 0 };
      }),
    ]);
    return () => stops.forEach((stop) => stop());
  }
}

/**
 * The loaded pages with what events said meanwhile: a changed job replaces its row, a removed one
 * goes, and a job the pages did not have yet (made while they were read) goes on top.
 */
function mergeNewer(loaded: JobView[], changed: Map<string, JobView | null>): JobView[] {
  const merged: JobView[] = [];
  for (const job of loaded) {
    const newer = changed.has(job.id) ? changed.get(job.id) : job;
    if (newer) merged.push(newer);
  }
  const known = new Set(loaded.map((j) => j.id));
  const added = [...changed.values()].filter((j): j is JobView => j !== null && !known.has(j.id));
  // Events arrive oldest first; the list shows the newest on top.
  return [...added.reverse(), ...merged];
}

/** "2 min 5 s" style durations. */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}
