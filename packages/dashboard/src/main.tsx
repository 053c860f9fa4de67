// The wall screen's entry: the token (from the URL's fragment, which `npm start` prints, then kept in this tab's
// sessionStorage, or asked for), and the screen.
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

const TOKEN_KEY = 'escalate.dashboard.token';

/** `#token=…` signs in and leaves the address bar (a screenshot or a shoulder must not show it). */
function takeTokenFromFragment(): void {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  history.replaceState(null, '', `${location.pathname}${location.search}`);
}

takeTokenFromFragment();
createRoot(document.getElementById('root')!).render(
  <App
    token={sessionStorage.getItem(TOKEN_KEY)}
    saveToken={(token) => (token ? sessionStorage.setItem(TOKEN_KEY, token) : sessionStorage.removeItem(TOKEN_KEY))}
  />,
);
