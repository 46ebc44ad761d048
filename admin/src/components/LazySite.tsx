// The Site area's link in the top bar (for the roles that have screens
// there) and its screens, loaded with their first visit.
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api/types';
import { BASE, useLocation } from '../router';
import { sectionsFor } from '../site/access';

export function SiteLink(props: { user: User }) {
  const path = useLocation();
  if (sectionsFor(props.user.role).length === 0) return null;
  const here = path.startsWith(`${BASE}/site`);
  return (
    <a href={`${BASE}/site`} aria-current={here ? 'page' : undefined}>
      Site
    </a>
  );
}

type SiteModule = typeof import('./site/SiteArea');
let siteModule: Promise<SiteModule> | null = null;

export function LazySite(props: { user: User; section: string; id: string | null }) {
  const [module, setModule] = useState<SiteModule | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    siteModule ??= import('./site/SiteArea');
    siteModule.then(setModule, () => {
      siteModule = null;
      setFailed(true);
    });
  }, []);
  if (failed) {
    return (
      <main class="page">
        <p class="error" role="alert">
          The site settings could not be loaded. Reload the page to try again.
        </p>
      </main>
    );
  }
  if (!module) {
    return (
      <main class="page">
        <p role="status">Loading…</p>
      </main>
    );
  }
  return <module.SiteArea user={props.user} section={props.section} id={props.id} />;
}
