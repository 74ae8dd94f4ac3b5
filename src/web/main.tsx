/** The web GUI's entry: renders the app and starts following the core's events. */
import { render } from 'preact';
import { App } from './app.tsx';
import { follow } from './live.ts';

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
void follow();
