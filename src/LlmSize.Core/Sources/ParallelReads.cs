namespace LlmSize.Core.Sources;

/// <summary>Header reads of several files of one source at once (shards, split parts): bounded in parallelism,
/// results and the first failure in the files' order, so errors are the same as a sequential read's.</summary>
internal static class ParallelReads
{
    /// <summary>Runs <paramref name="read"/> for every item, at most <paramref name="maxParallel"/> at once.</summary>
    /// <returns>The results in the items' order.</returns>
    /// <exception cref="Exception">The first item's failure in order (others are observed and dropped).</exception>
    public static async Task<T[]> InOrderAsync<TItem, T>(IReadOnlyList<TItem> items, int maxParallel,
        Func<TItem, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(maxParallel);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Task<T>[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            TItem item = items[i];
            tasks[i] = Run(item);
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            // Fall through: report the first failure in the items' order below.
        }

        // A failure cancels the reads still running; those cancellations are not the error to report.
        if (tasks.FirstOrDefault(t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException) is { } failed)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed.Exception!.InnerException!);
        }

        var results = new T[items.Count];
        for (int i = 0; i < tasks.Length; i++)
        {
            results[i] = await tasks[i].ConfigureAwait(false);
        }

        return results;

        async Task<T> Run(TItem item)
        {
            await gate.WaitAsync(stop.Token).ConfigureAwait(false);
            try
            {
                return await read(item, stop.Token).ConfigureAwait(false);
            }
            catch
            {
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
