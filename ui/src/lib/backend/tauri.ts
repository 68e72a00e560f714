// The Backend over Tauri IPC, using the generated, typed bindings.
import { commands, events } from "./bindings";
import { type Backend, toBackendError } from "./backend";

export function createTauriBackend(): Backend {
  return {
    kind: "tauri",
    async appInfo() {
      const result = await commands.appInfo();
      if (result.status === "error") throw toBackendError(result.error);
      return result.data;
    },
    async onSystemThemeChanged(listener) {
      return events.systemThemeChanged.listen((event) => listener(event.payload.theme));
    },
  };
}
