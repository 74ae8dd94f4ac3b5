/** The program behind the `axle` command (bin/axle.js runs dist/cli/bin.js, or this file through tsx). */
import { main } from './main.ts';

// A reader that stops early (`axle … | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
await main(process.argv.slice(2));
