/**
 * REPEATS_BY_PLACE_INDEX: unset is `auto` (PostGIS where installed, else the grid); `grid` and
 * `postgis` are taken as given; anything else stops the start with a message naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../platform/config';

describe('REPEATS_BY_PLACE_INDEX', () => {
  it('is auto when unset or empty', () => {
    expect(loadConfig({}).repeatsByPlaceIndex).toBe('auto');
    expect(loadConfig({ REPEATS_BY_PLACE_INDEX: '' }).repeatsByPlaceIndex).toBe('auto');
  });

  it('takes grid and postgis as given', () => {
    expect(loadConfig({ REPEATS_BY_PLACE_INDEX: 'grid' }).repeatsByPlaceIndex).toBe('grid');
    expect(loadConfig({ REPEATS_BY_PLACE_INDEX: 'postgis' }).repeatsByPlaceIndex).toBe('postgis');
  });

  it('refuses another value, naming the variable and the choices', () => {
    expect(() => loadConfig({ REPEATS_BY_PLACE_INDEX: 'PostGIS' })).toThrow(/REPEATS_BY_PLACE_INDEX must be one of auto, postgis, grid, not "PostGIS"/);
  });
});
