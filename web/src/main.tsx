import { render } from 'preact';
import { App } from './app';
import { loadConfig } from './config';
import './styles.css';

const root = document.getElementById('app')!;
loadConfig().then(
  (config) => render(<App config={config} />, root),
  (error: Error) => {
    root.textContent = `The console could not load its configuration: ${error.message}`;
  },
);
