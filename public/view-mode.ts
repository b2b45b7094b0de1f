// Projector or audience: `?view=audience|projector` decides; without it a
// phone-sized screen gets the audience view (one pane and a transport picker).
export type ViewMode = 'projector' | 'audience';

const PHONE_QUERY = '(max-width: 700px)';

export function viewMode(): ViewMode {
  const asked = new URLSearchParams(location.search).get('view');
  if (asked === 'audience' || asked === 'projector') return asked;
  return matchMedia(PHONE_QUERY).matches ? 'audience' : 'projector';
}
