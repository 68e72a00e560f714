// The first words of the "jobs keep going" banner: what is wrong, in plain words. The full
// technical message stays available as the banner's tooltip.
import type { BackendError, ErrorCode } from "../backend";

// Keyed by the closed code list Rust exports: a misspelt code fails the type check.
const HEADLINES: Partial<Record<ErrorCode, string>> = {
  network_error: "Can't reach the server right now.",
  timeout: "The server is not answering.",
  internal_error: "The server is having trouble.",
  bad_gateway: "The server is having trouble.",
  service_unavailable: "The server is having trouble.",
  gateway_timeout: "The server is not answering.",
  decode_error: "The server sent an answer that could not be read.",
  link_expired: "A download link expired; getting a fresh one.",
};

export function warningHeadline(error: Pick<BackendError, "code" | "message">): string {
  const known = HEADLINES[error.code];
  if (known) return known;
  const text = error.message.trim();
  if (!text) return "Something went wrong talking to the server.";
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
