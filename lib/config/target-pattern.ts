import { isIP } from 'node:net';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  const labels = host.split('.');
  return labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1) ?? '');
}

function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix))
    return false;
  const family = isIP(address);
  return family !== 0 && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Keywords the handlers understand: `loopback` (127.0.0.0/8, ::1, localhost), `public` (any public address). */
export const TARGET_KEYWORDS = ['loopback', 'public'] as const;

/**
 * One entry of `allowedTargets`: an exact host (`api.example.com`), every subdomain of a domain
 * (`*.example.com`), an IP address, a CIDR block, or one of TARGET_KEYWORDS. No scheme, port or
 * path: the allow-list is about where traffic may go, and the handlers check every address a
 * target resolves to against it.
 */
export function isAllowedTargetPattern(value: string): boolean {
  if ((TARGET_KEYWORDS as readonly string[]).includes(value)) return true;
  if (value.includes('/')) return isCidr(value);
  if (isIP(value) !== 0) return true;
  return isHostName(value.startsWith('*.') ? value.slice(2) : value);
}
