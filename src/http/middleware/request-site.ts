/**
 * Where a browser says a request comes from: `Sec-Fetch-Site` when it sends it, else
 * its `Origin` against the host the request was sent to (behind a proxy, the forwarded
 * one). A cross-site page cannot forge either header; a non-browser client sends
 * neither ("unknown").
 */
export function requestSite(request: Request): "same-origin" | "cross-site" | "unknown" {
  const site = request.headers.get("sec-fetch-site");
  // "none": the user typed the address or used a bookmark; nothing forged it.
  if (site) return site === "same-origin" || site === "none" ? "same-origin" : "cross-site";
  const origin = request.headers.get("origin");
  if (!origin) return "unknown";
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? new URL(request.url).host;
  try {
    return new URL(origin).host === host ? "same-origin" : "cross-site";
  } catch {
    return "cross-site";
  }
}
