import type { ErrorKind } from '../../model/window';

const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO|EPROTO|HOSTNAME/;

/** Maps a socket error to the kinds a report counts. */
export function classifyError(err: NodeJS.ErrnoException): ErrorKind {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_FAIL')
    return 'dns';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'reset';
  if (TLS_ERROR.test(code) || TLS_ERROR.test(err.message)) return 'tls';
  return 'other';
}
