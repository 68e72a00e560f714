// The video being composed on Create, kept while the user moves between screens and saved
// through the backend (studio-core's store) so it survives a restart.
import { formatCount } from "../format";
import {
  ACCEPTED_TYPES,
  FILE_LIMIT,
  PROMPT_LIMIT,
  type Backend,
  type CatalogueItem,
  type FileInfo,
  type JobInput,
  type Mode,
  type Orientation,
} from "../backend";

export { ACCEPTED_TYPES, FILE_LIMIT, PROMPT_LIMIT };
export type { Mode, Orientation };

/** A file chip: what Rust found out about the file, plus upload progress while submitting. */
export interface Attachment extends FileInfo {
  /** 0–1 while uploading. */
  progress: number | null;
}

export class Draft {
  prompt = $state("");
  mode = $state<Mode>("generate");
  orientation = $state<Orientation>("landscape");
  incognito = $state(false);
  style = $state<CatalogueItem | null>(null);
  styleId = $state<string | null>(null);
  avatar = $state<CatalogueItem | null>(null);
  avatarId = $state<string | null>(null);
  voice = $state<CatalogueItem | null>(null);
  voiceId = $state<string | null>(null);
  brandKit = $state<CatalogueItem | null>(null);
  brandKitId = $state<string | null>(null);
  attachments = $state<Attachment[]>([]);

  readonly length = $derived([...this.prompt].length);
  readonly problem = $derived(promptProblem(this.prompt));
  readonly filesProblem = $derived(filesProblem(this.attachments));

  /** The request Generate sends (and the saved draft). */
  toInput(): JobInput {
    return {
      prompt: this.prompt,
      mode: this.mode,
      orientation: this.orientation,
      styleId: this.styleId,
      avatarId: this.avatarId,
      voiceId: this.voiceId,
      brandKitId: this.brandKitId,
      files: this.attachments.map((a) => a.path),
      incognito: this.incognito,
    };
  }

  /** Fills the draft from a saved draft or an earlier job ("Re-use prompt"). */
  async load(input: JobInput, backend: Backend) {
    this.prompt = input.prompt;
    this.mode = input.mode;
    // Create always names one (a job from the CLI may have left it to the agent).
    this.orientation = input.orientation ?? "landscape";
    this.incognito = input.incognito;
    this.styleId = input.styleId;
    this.avatarId = input.avatarId;
    this.voiceId = input.voiceId;
    this.brandKitId = input.brandKitId;
    if (this.style?.id !== input.styleId) this.style = null;
    if (this.avatar?.id !== input.avatarId) this.avatar = null;
    if (this.voice?.id !== input.voiceId) this.voice = null;
    if (this.brandKit?.id !== input.brandKitId) this.brandKit = null;
    this.attachments = [];
    if (input.files.length > 0) await this.addPaths(input.files, backend);
  }

  /**
   * Adds files (dropped or picked; a folder stands for the files in it) as chips; problems show
   * on the chip, nothing is dropped.
   */
  async addPaths(paths: string[], backend: Backend) {
    const fresh = paths.filter((p) => !this.attachments.some((a) => a.path === p));
    if (fresh.length === 0) return;
    // A folder comes back as the files in it, some of which may be attached already.
    const infos = (await backend.inspectFiles(fresh)).filter(
      (info) => !this.attachments.some((a) => a.path === info.path),
    );
    this.attachments = [...this.attachments, ...infos.map((info) => ({ ...info, progress: null }))];
  }

  remove(path: string) {
    this.attachments = this.attachments.filter((a) => a.path !== path);
  }

  useStyle(style: CatalogueItem) {
    this.style = style;
    this.styleId = style.id;
    // A style with a fixed aspect ratio decides the orientation.
    if (style.aspectRatio === "16:9") this.orientation = "landscape";
    if (style.aspectRatio === "9:16") this.orientation = "portrait";
  }

  clear() {
    this.prompt = "";
    this.attachments = [];
  }
}

/** Why a prompt cannot be submitted, or `null` when it can (the API's 1–10,000 characters). */
export function promptProblem(prompt: string): string | null {
  const length = [...prompt].length;
  if (prompt.trim().length === 0) return "Write what the video should be about.";
  if (length > PROMPT_LIMIT)
    return `The prompt is ${formatCount(length - PROMPT_LIMIT)} characters over the ${formatCount(PROMPT_LIMIT)}-character limit.`;
  return null;
}

/** Why the attachments cannot be sent, or `null`. */
export function filesProblem(attachments: Attachment[]): string | null {
  if (attachments.length > FILE_LIMIT)
    return `${attachments.length} files attached; the agent takes at most ${FILE_LIMIT}. Remove ${attachments.length - FILE_LIMIT}.`;
  const bad = attachments.filter((a) => a.problem);
  if (bad.length === 1) return `${bad[0]!.name} cannot be attached: use ${ACCEPTED_TYPES}.`;
  if (bad.length > 1) return `${bad.length} files cannot be attached: use ${ACCEPTED_TYPES}.`;
  return null;
}

/** "1.2 MB" style sizes. */
export function formatSize(bytes: number | null): string {
  if (bytes === null) return "size unknown";
  if (bytes < 1000) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
