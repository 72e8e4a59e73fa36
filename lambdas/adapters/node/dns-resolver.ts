import { lookup } from 'node:dns/promises';
import type { HostResolver } from '../../ports/host-resolver';

/** Resolves with the system resolver (the one connections use), every address of both families. */
export const systemResolver: HostResolver = {
  async resolve(host) {
    const addresses = await lookup(host, { all: true, verbatim: true });
    return addresses.map((a) => a.address);
  },
};
