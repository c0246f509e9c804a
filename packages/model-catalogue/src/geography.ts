import type { Geography } from './types.js';

/** Region → the geographies whose profiles may be called from it, most specific first (global excluded). */
export function geographyIndex(geographies: readonly Geography[]): Map<string, readonly Geography[]> {
  const byRegion = new Map<string, Geography[]>();
  for (const geography of geographies) {
    for (const region of geography.regions) {
      const list = byRegion.get(region);
      if (list) list.push(geography);
      else byRegion.set(region, [geography]);
    }
  }
  return byRegion;
}
