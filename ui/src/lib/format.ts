/**
 * A whole number with thousands separators, as en-US writes it ("12,345"). Not
 * `toLocaleString`: the first number the page formats through Intl loads ICU's formatting data
 * into the web process (2.1 MiB, measured at start-up, where the prompt counter needs one).
 */
export function formatCount(value: number): string {
  const sign = value < 0 ? "-" : "";
  const digits = String(Math.trunc(Math.abs(value)));
  return sign + digits.replace(/\B(?=(\d{3})+$)/g, ",");
}
