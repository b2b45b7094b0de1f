// The page's side of the lab API: public reads (settings, stats, join URLs)
// and the presenter's changes. The token lives in sessionStorage for this tab
// only, and travels in the Authorization header, never in a URL.
import type { TransportName } from '../../src/chat/transports.js';
import type { DropResult, StatsView } from '../../src/lab/lab.js';
import type { LabSettings, LabUpdate } from '../../src/lab/settings.js';
import type { StatsSample } from '../../src/lab/stats.js';

export type { DropResult, LabSettings, LabUpdate, StatsSample, StatsView };

const TOKEN_KEY = 'transport-lab.presenter-token';

export function loadToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Kept in memory only: the panel asks again after a reload.
  }
}

/** A refusal from the lab API, with the server's message. */
export class LabApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, { cache: 'no-store', ...init });
  const body = (await response.json().catch(() => undefined)) as { error?: { message: string } } | undefined;
  if (!response.ok) throw new LabApiError(response.status, body?.error?.message ?? `HTTP ${response.status}`);
  return body as T;
}

/** GET /api/stats: the last sample (the cluster's, and each node's), with the lab settings of the moment. */
export type ServerSample = StatsView & { settings: LabSettings };
export const fetchStats = (): Promise<ServerSample> => call('/api/stats');
export const fetchJoinUrls = async (): Promise<string[]> => (await call<{ urls: string[] }>('/api/lab/join')).urls;

const asPresenter = (token: string, method: string, body: unknown): RequestInit => ({
  method,
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const updateLab = (token: string, update: LabUpdate): Promise<LabSettings> => call('/api/lab', asPresenter(token, 'PUT', update));

export const dropConnections = (token: string, transport: TransportName): Promise<DropResult> =>
  call('/api/lab/drop', asPresenter(token, 'POST', { transport }));
