import { HttpError } from './errors';
import { RESULT_FORMATS } from './schemas';

export type ResultFormat = (typeof RESULT_FORMATS)[number];

export const RESULT_MEDIA: Readonly<Record<ResultFormat, string>> = {
  json: 'application/json',
  csv: 'text/csv',
  html: 'text/html',
  junit: 'application/xml',
};

/**
 * The results format an Accept header asks for: the first acceptable media type by q (JSON when
 * there is no header). The handler renders it and the results cache keys on it, so one format is
 * one cache entry however a client spells its Accept. Throws 406 when nothing offered is acceptable.
 */
export function negotiateResultFormat(accept: string | undefined): ResultFormat {
  if (!accept) return 'json';
  const wanted = accept
    .split(',')
    .map((part) => {
      const [type = '', ...attrs] = part.trim().toLowerCase().split(';');
      const q = Number(attrs.find((a) => a.trim().startsWith('q='))?.split('=')[1] ?? 1);
      return { type: type.trim(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((w) => w.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { type } of wanted) {
    if (type === '*/*' || type === 'application/*' || type === 'application/json') return 'json';
    if (type === 'application/junit+xml' || type === 'text/xml') return 'junit';
    const hit = RESULT_FORMATS.find((f) => RESULT_MEDIA[f] === type);
    if (hit) return hit;
    if (type === 'text/*') return 'html';
  }
  throw new HttpError(
    406,
    'E_NOT_ACCEPTABLE',
    `results are available as ${Object.values(RESULT_MEDIA).join(', ')}`,
  );
}
