import { SharedRequests } from './shared-requests';

describe('SharedRequests', () => {
  const deferred = <T>() => {
    let resolve!: (value: T) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<T>((res, rej) => ([resolve, reject] = [res, rej]));
    return { promise, resolve, reject };
  };

  it('requests made for one key while the first is pending share its answer', async () => {
    const shared = new SharedRequests();
    const answer = deferred<string>();
    const request = jest.fn(() => answer.promise);
    const first = shared.share('price:1:2:usd:500', request);
    const second = shared.share('price:1:2:usd:500', request);
    answer.resolve('price_1');
    await expect(Promise.all([first, second])).resolves.toEqual(['price_1', 'price_1']);
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('another key makes its own request', async () => {
    const shared = new SharedRequests();
    const request = jest.fn((id: string) => Promise.resolve(id));
    await expect(
      Promise.all([
        shared.share('product:1:2', () => request('prod_1')),
        shared.share('product:1:3', () => request('prod_2')),
      ]),
    ).resolves.toEqual(['prod_1', 'prod_2']);
    expect(request).toHaveBeenCalledTimes(2);
  });

  it('a request made after the first settled is made again, even after a failure', async () => {
    const shared = new SharedRequests();
    await expect(shared.share('k', () => Promise.reject(new Error('Stripe 500')))).rejects.toThrow(
      'Stripe 500',
    );
    await expect(shared.share('k', () => Promise.resolve('second'))).resolves.toBe('second');
    await expect(shared.share('k', () => Promise.resolve('third'))).resolves.toBe('third');
  });
});
