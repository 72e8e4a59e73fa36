// Preloaded with `node --import` into a server under test whose inputs are generated (the API fuzz
// test): every name but `localhost` (and IP literals) fails to resolve, as on a machine without DNS, so generated host
// names never leave loopback as DNS queries. It stands in for the system resolver only; the server's
// allow-list, which runs after resolution, is unchanged. Worker threads inherit it (execArgv).
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { isIP } from 'node:net';

const LOCAL = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

function answer(host, options) {
  const literal = isIP(String(host));
  if (literal) {
    const found = { address: String(host), family: literal };
    return typeof options === 'object' && options?.all ? [found] : found;
  }
  if (String(host).toLowerCase() !== 'localhost') {
    const err = new Error(`getaddrinfo ENOTFOUND ${host} (DNS is off in this test)`);
    err.code = 'ENOTFOUND';
    err.hostname = host;
    throw err;
  }
  const family = typeof options === 'number' ? options : (options?.family ?? 0);
  const found = LOCAL.filter((a) => family === 0 || a.family === family);
  return typeof options === 'object' && options?.all ? found : found[0];
}

dns.promises.lookup = async (host, options) => answer(host, options);
dns.lookup = (host, options, callback) => {
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' ? {} : options;
  try {
    const found = answer(host, opts);
    if (Array.isArray(found)) process.nextTick(cb, null, found);
    else process.nextTick(cb, null, found.address, found.family);
  } catch (err) {
    process.nextTick(cb, err);
  }
};
syncBuiltinESMExports();
