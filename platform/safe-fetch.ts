/**
 * Fetching a file a client names by URL (a photo link) without letting the client point the
 * server at itself or its network (SSRF): http(s) only; every address the name resolves to must
 * be public unicast — checked at connect time in the socket's own lookup, so a name that resolves
 * differently the second time (DNS rebinding) is caught too, and an IP literal before connecting; no redirects; a size bound and a
 * timeout. Hosts in the allow-list (configuration, e.g. a trusted intranet image server; the tests'
 * loopback servers) skip the address check.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface FetchPolicy {
  /** host names (or IP literals) that may be private or loopback */
  allowHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
}

/** Why a URL was not fetched; `tooLarge` when it was larger than the bound. */
export class FetchRefused extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/** Whether an address may be reached: public unicast only (IPv4-mapped IPv6 read as IPv4). */
export function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'unicast';
}

const checkedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 4);
    const list = addresses as dns.LookupAddress[];
    const refused = list.find((a) => !isPublicAddress(a.address));
    if (refused || list.length === 0) {
      return callback(new FetchRefused(`${hostname} resolves to ${refused?.address ?? 'nothing'}, not a public address`), '', 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/** The body at `url`, or a FetchRefused saying why not. */
export function fetchPublic(url: string, policy: FetchPolicy): Promise<Buffer> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new FetchRefused('not a URL'));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.reject(new FetchRefused(`only http(s) URLs are fetched, not ${target.protocol}`));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const allowed = policy.allowHosts.includes(host);
  // an IP literal is connected to without a lookup, so it is checked here
  if (!allowed && ipaddr.isValid(host) && !isPublicAddress(host)) return Promise.reject(new FetchRefused(`${host} is not a public address`));
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(target, { timeout: policy.timeoutMs, ...(allowed ? {} : { lookup: checkedLookup }) }, (res) => {
      if ((res.statusCode ?? 0) >= 300 && (res.statusCode ?? 0) < 400) {
        res.resume();
        return reject(new FetchRefused(`it answered ${res.statusCode}: redirects are not followed`));
      }
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new FetchRefused(`it answered ${res.statusCode}`));
      }
      if (Number(res.headers['content-length']) > policy.maxBytes) {
        res.destroy();
        return reject(new FetchRefused(`it is larger than ${policy.maxBytes} bytes`, true));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > policy.maxBytes) {
          res.destroy();
          reject(new FetchRefused(`it is larger than ${policy.maxBytes} bytes`, true));
        } else chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', (err) => reject(err instanceof FetchRefused ? err : new FetchRefused(`reading it failed: ${err.message}`)));
    });
    req.on('timeout', () => req.destroy(new FetchRefused(`no answer within ${policy.timeoutMs} ms`)));
    req.on('error', (err) => reject(err instanceof FetchRefused ? err : new FetchRefused(`it could not be fetched: ${err.message}`)));
  });
}
