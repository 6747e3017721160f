/**
 * Open311 GeoReport v2 responses in its two formats, chosen by the path's extension
 * (`/services.xml`, `/requests/{id}.json`). XML is the spec's required format: UTF-8 with its
 * declaration, lists as a plural element holding singular ones (`<services><service>`), exactly
 * as the spec's examples; JSON is the same data as arrays and objects.
 */
import type { Response } from 'express';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';

export const FORMATS = ['json', 'xml'] as const;
export type Format = (typeof FORMATS)[number];

type Scalar = string | number | boolean | null | undefined;
export type Open311Value = Scalar | Open311Value[] | { [key: string]: Open311Value };

/** The element of one item of each plural element of the spec. */
const SINGULAR: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
};

function appendXml(parent: XMLBuilder, name: string, value: Open311Value): void {
  if (Array.isArray(value)) {
    const list = parent.ele(name);
    const item = SINGULAR[name] ?? 'item';
    for (const v of value) appendXml(list, item, v);
  } else if (value !== null && typeof value === 'object') {
    const el = parent.ele(name);
    for (const [k, v] of Object.entries(value)) appendXml(el, k, v);
  } else {
    // an absent value is an empty element, as in the spec's examples (<address_id/>)
    const el = parent.ele(name);
    if (value !== null && value !== undefined) el.txt(String(value));
  }
}

/** The XML document of a root element: a list (`services`, `service_requests`, `errors`) or an object. */
export function toXml(root: string, value: Open311Value): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  if (Array.isArray(value)) {
    const list = doc.ele(root);
    for (const v of value) appendXml(list, SINGULAR[root] ?? 'item', v);
  } else if (value !== null && typeof value === 'object') {
    const el = doc.ele(root);
    for (const [k, v] of Object.entries(value)) appendXml(el, k, v);
  } else {
    appendXml(doc as unknown as XMLBuilder, root, value);
  }
  return doc.end({ prettyPrint: false });
}

/** Sends `value` in the format asked for; `root` names the XML document's root element. */
export function send(res: Response, format: Format, status: number, root: string, value: Open311Value): void {
  res.status(status);
  if (format === 'xml') res.type('text/xml; charset=utf-8').send(toXml(root, value));
  else res.type('application/json; charset=utf-8').send(JSON.stringify(value));
}

/** An error as the spec lists them: `[{code, description}]`, `<errors><error>…`, with that HTTP status. */
export class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
  }
}

export function sendError(res: Response, format: Format, errors: Open311Error[]): void {
  send(
    res,
    format,
    errors[0]!.status,
    'errors',
    errors.map((e) => ({ code: e.status, description: e.description })),
  );
}

/** Times as the spec's w3 format with an offset, to the second (2026-12-02T17:30:55Z). */
export const w3Time = (d: Date | null | undefined): string | null => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null);
