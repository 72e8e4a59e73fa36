/** A tiny client for the performance API in tests: real HTTP over loopback. */

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience over arbitrary JSON bodies
  readonly body: any;
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined || options.raw !== undefined
        ? { 'content-type': 'application/json' }
        : {}),
      ...options.headers,
    },
    ...(options.raw !== undefined
      ? { body: options.raw }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Polls GET /tests/{id} until `done(test)` or the time is up (bounded: tests never hang). */
export async function waitFor(
  base: string,
  id: string,
  done: (t: { status: string; [k: string]: unknown }) => boolean,
  timeoutMs = 30_000,
) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(base, 'GET', `/performance/tests/${id}`);
    if (done(r.body)) return r.body;
    if (Date.now() > until) throw new Error(`test ${id} still ${r.body?.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const isFinished = (t: { status: string }) => !['queued', 'running'].includes(t.status);
