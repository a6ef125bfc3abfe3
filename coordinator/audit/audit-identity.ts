import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';

/** Who and where: the operating-system user (by uid when it has no name), host name and process id. */
export function auditIdentity(): { user: string; host: string; pid: number } {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A uid without a passwd entry (containers): name it by number.
    user = process.env.USER || `uid:${process.getuid?.() ?? '?'}`;
  }
  return { user, host: hostname(), pid: process.pid };
}

/** A fresh id pairing the entries of one command invocation. */
export function newInvocationId(): string {
  return randomBytes(8).toString('hex');
}
