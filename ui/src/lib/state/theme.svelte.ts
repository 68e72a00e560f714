// The user's theme choice ("system" follows the desktop) and the theme actually shown.
import type { Appearance, Theme } from "../backend";

export type ThemePreference = Theme;

const STORAGE_KEY = "vas.theme";

function readPreference(storage: Storage | undefined): ThemePreference {
  const stored = storage?.getItem(STORAGE_KEY);
  return stored === "light" || stored === "dark" ? stored : "system";
}

export class ThemeState {
  preference = $state<ThemePreference>("system");
  system = $state<Appearance>("light");
  readonly effective: Appearance = $derived(
    this.preference === "system" ? this.system : this.preference,
  );

  constructor(private readonly storage: Storage | undefined = globalThis.localStorage) {
    this.preference = readPreference(storage);
  }

  choose(preference: ThemePreference) {
    this.preference = preference;
    this.storage?.setItem(STORAGE_KEY, preference);
  }
}
