// The Site area: a side menu of the administration screens the role may
// use, and the screen of the route. The API refuses the others anyway.
import { useEffect } from 'preact/hooks';
import type { User } from '../../api/types';
import { BASE, navigate } from '../../router';
import { sections, sectionsFor } from '../../site/access';
import { AuthorsScreen } from './AuthorsScreen';
import { TermsScreen } from './TermsScreen';
import { TokensScreen } from './TokensScreen';
import { UsersScreen } from './UsersScreen';
import { WebhooksScreen } from './WebhooksScreen';
import '../../styles/site.css';

export function SiteArea(props: { user: User; section: string; id: string | null }) {
  const allowed = sectionsFor(props.user.role);
  const first = allowed[0];
  useEffect(() => {
    if (props.section === '' && first) navigate(`/site/${first.id}`, { replace: true });
  }, [props.section, first]);

  const known = sections.find((s) => s.id === props.section);
  const permitted = allowed.some((s) => s.id === props.section);
  return (
    <div class="site-layout">
      {allowed.length > 0 && (
        <nav class="site-nav" aria-label="Site">
          <ul>
            {allowed.map((s) => (
              <li>
                <a href={`${BASE}/site/${s.id}`} aria-current={s.id === props.section ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main class="page site-page">
        {!known && props.section !== '' && <h1>Not found</h1>}
        {allowed.length === 0 && (
          <p class="error" role="alert">
            The site settings are for editors and admins; your role is {props.user.role}.
          </p>
        )}
        {known && !permitted && (
          <p class="error" role="alert">
            {known.label}: your role ({props.user.role}) does not allow this screen.
          </p>
        )}
        {permitted && <Screen user={props.user} section={props.section} id={props.id} />}
      </main>
    </div>
  );
}

function Screen(props: { user: User; section: string; id: string | null }) {
  switch (props.section) {
    case 'users':
      return <UsersScreen user={props.user} />;
    case 'tags':
    case 'categories':
      return <TermsScreen kind={props.section} />;
    case 'authors':
      return <AuthorsScreen />;
    case 'tokens':
      return <TokensScreen />;
    case 'webhooks':
      return <WebhooksScreen id={props.id} />;
    default:
      return null;
  }
}
