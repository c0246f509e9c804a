/** A glob where `*` matches any run of characters (model ids contain no other wildcard syntax). */
export function globToRegExp(glob: string): RegExp {
  let compiled = compiledGlobs.get(glob);
  if (compiled === undefined) {
    compiled = compile(glob);
    // Globs come from config and the beta policy: few, but bounded anyway.
    if (compiledGlobs.size >= 256) compiledGlobs.clear();
    compiledGlobs.set(glob, compiled);
  }
  return compiled;
}

/** Compiled once: the beta policy's model exceptions are matched on every request. */
const compiledGlobs = new Map<string, RegExp>();

function compile(glob: string): RegExp {
  const body = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`);
}
