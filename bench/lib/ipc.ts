import type { ChildProcess } from 'node:child_process';

/** Every forked helper's replies carry a `type`; `error` answers any request that failed. */
type Reply = { type: string } | { type: 'error'; message: string };

/**
 * Sends `request` to a forked helper (`name` in errors) and waits for its reply of type `want`;
 * rejects on an `error` reply or when the helper exits first.
 */
export function ask<R extends Reply, T extends R['type']>(
  name: string,
  child: ChildProcess,
  request: object,
  want: T,
): Promise<Extract<R, { type: T }>> {
  return new Promise((resolve, reject) => {
    const done = () => {
      child.off('message', listen);
      child.off('exit', exit);
    };
    const listen = (reply: R) => {
      if (reply.type !== want && reply.type !== 'error') return;
      done();
      if ('message' in reply && reply.type === 'error')
        reject(new Error(`${name}: ${reply.message}`));
      else resolve(reply as Extract<R, { type: T }>);
    };
    const exit = (code: number | null) => {
      done();
      reject(new Error(`${name} exited with ${code}`));
    };
    child.on('message', listen);
    child.once('exit', exit);
    child.send(request);
  });
}
