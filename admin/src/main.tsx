// The editor app at /admin: mounts the screens and restores the session.
import { render } from 'preact';
import { App } from './components/App';
import { boot } from './auth';
import './styles/app.css';

render(<App />, document.getElementById('app') as HTMLElement);
void boot();
