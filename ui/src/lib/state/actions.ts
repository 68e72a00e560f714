// App-wide actions any component may need (set by App.svelte through Svelte context).
export const APP_ACTIONS = Symbol("app-actions");

export interface AppActions {
  openSettings(): void;
  copy(text: string): Promise<void>;
}

export const BACKEND = Symbol("backend");
