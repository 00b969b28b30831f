// The web application's entry: renders the shell into the page that /index.html serves for
// every application address.
import { render } from 'preact';
import { App } from './app.tsx';

render(<App />, document.getElementById('app')!);
