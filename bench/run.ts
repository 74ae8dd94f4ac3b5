/** Runs every benchmark of bench/ in turn (`npm run bench`). */
await import('./plan.ts');
await import('./placement.ts');
await import('./cli-start.ts');
