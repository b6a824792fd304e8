/** Bundles console/client into console/dist (console.js, console.css); resolves to the dist folder. */
export function buildConsole(): Promise<string>;
