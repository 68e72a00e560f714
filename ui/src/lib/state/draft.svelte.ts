// The prompt being written on Create, kept while the user moves between screens.
export const PROMPT_LIMIT = 10_000;

export type Mode = "generate" | "chat";
export type Orientation = "landscape" | "portrait";

export class Draft {
  prompt = $state("");
  mode = $state<Mode>("generate");
  orientation = $state<Orientation>("landscape");

  readonly length = $derived([...this.prompt].length);
  readonly problem = $derived(promptProblem(this.prompt));
}

/** Why a prompt cannot be submitted, or `null` when it can (the API's 1–10,000 characters). */
export function promptProblem(prompt: string): string | null {
  const length = [...prompt].length;
  if (prompt.trim().length === 0) return "Write what the video should be about.";
  if (length > PROMPT_LIMIT)
    return `The prompt is ${(length - PROMPT_LIMIT).toLocaleString("en-US")} characters over the ${PROMPT_LIMIT.toLocaleString("en-US")}-character limit.`;
  return null;
}
