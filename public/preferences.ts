// What the page remembers between visits (localStorage may be unavailable,
// e.g. in a private window: then nothing is remembered).
const NICKNAME_KEY = 'transport-lab.nickname';
const LARGE_TEXT_KEY = 'transport-lab.large-text';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembered; the page works the same.
  }
}

export function loadNickname(): string {
  return read(NICKNAME_KEY) ?? `guest-${Math.floor(Math.random() * 9000 + 1000)}`;
}

export function saveNickname(nickname: string): void {
  write(NICKNAME_KEY, nickname);
}

export function loadLargeText(): boolean {
  return read(LARGE_TEXT_KEY) === 'on';
}

export function saveLargeText(on: boolean): void {
  write(LARGE_TEXT_KEY, on ? 'on' : 'off');
}

/** The page's colour themes: the standard one, and one for projectors (black on white, thick lines, darker colours). */
export type Theme = 'standard' | 'contrast';
const THEME_KEY = 'transport-lab.theme';

export function loadTheme(): Theme {
  return read(THEME_KEY) === 'contrast' ? 'contrast' : 'standard';
}

export function saveTheme(theme: Theme): void {
  write(THEME_KEY, theme);
}
