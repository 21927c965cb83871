// Types for scripts/direct-imports.js (plain Node, imported by the unit test of the CLI bundle).
import type { Plugin } from 'esbuild';

/** Points named imports past modules that only re-export, at the modules that declare the names. */
export function directImports(options: { readonly root: string }): Plugin;
