/** Runs tasks with at most `limit` at a time; the first failure stops the rest (and aborts `abort`) and is rethrown. */
export async function runLimited(
  tasks: (() => Promise<void>)[],
  limit: number,
  abort?: AbortController,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (next < tasks.length && !failure) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (error) {
        failure ??= { error };
        abort?.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, lane));
  if (failure) throw failure.error;
}
