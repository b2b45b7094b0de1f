// The lab's state as the server sees it (settings and wire stats), fetched
// every 2 s with one short request: none is held open, so the panes keep the
// browser's six connections per host for themselves.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { fetchStats, type LabSettings, type StatsView } from '../presenter/lab-api.js';

const REFRESH_MS = 2000;

export class ServerStateController implements ReactiveController {
  settings: LabSettings | undefined;
  stats: StatsView | undefined;
  /** Bumped on every fetch: components given it re-render with the new figures. */
  revision = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** Told when the lab settings change (not on the first fetch): whoever changed them, from whichever page. */
    private readonly onSettingsChange: (settings: LabSettings) => void = () => {},
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  hostDisconnected(): void {
    clearInterval(this.#timer);
  }

  /** Also called right after the presenter changed something. */
  async refresh(): Promise<void> {
    try {
      const { settings, ...stats } = await fetchStats();
      const changed = this.settings !== undefined && JSON.stringify(settings) !== JSON.stringify(this.settings);
      this.settings = settings;
      if (changed) this.onSettingsChange(settings);
      this.stats = stats;
      this.revision++;
    } catch {
      return; // the server is away: the panes say so; keep the last figures
    }
    this.host.requestUpdate();
  }
}
