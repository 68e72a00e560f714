/**
 * A whole number with thousands separators, as en-US writes it ("12,345"). Not
 * `toLocaleString`: the first number the page formats through Intl loads ICU's formatting data
 * into the web process (2.1 MiB, measured at start-up, where the prompt counter needs one).
 */
export function formatCount(value: number): string {
  const digits = String(Math.trunc(Math.abs(value)));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let at = grouped.length; at < digits.length; at += 3) {
    grouped += "," + digits.slice(at, at + 3);
  }
  return (value <= -1 ? "-" : "") + grouped;
}
