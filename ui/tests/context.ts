// Render options that give a screen the backend through Svelte context, the way App provides it.
import { type Backend, createMockBackend } from "../src/lib/backend";
import type { ChatBackend } from "../src/lib/components/session/chat";
import { BACKEND } from "../src/lib/state/actions";

/**
 * `chat`, when given, answers the chat calls (a test drives it with `advance()`); its fields are
 * read live (through the prototype), so a test may still change them after rendering.
 */
export function withBackend(backend: Backend = createMockBackend(), chat?: ChatBackend) {
  let provided = backend;
  if (chat) {
    provided = Object.create(chat) as Backend;
    for (const [key, value] of Object.entries(backend)) {
      if (!(key in chat)) Object.assign(provided, { [key]: value });
    }
  }
  return { context: new Map<unknown, unknown>([[BACKEND, provided]]) };
}
