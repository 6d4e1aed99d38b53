namespace TaskService.TraceSummary;

/// <summary>Counts (or sums) per key, with the keys of the largest totals first.</summary>
internal sealed class Tally<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, double> _totals = [];

    public double Total { get; private set; }

    public void Add(TKey key, double amount = 1)
    {
        _totals[key] = _totals.GetValueOrDefault(key) + amount;
        Total += amount;
    }

    public double this[TKey key] => _totals.GetValueOrDefault(key);

    public IEnumerable<KeyValuePair<TKey, double>> Top(int count) =>
        _totals.OrderByDescending(entry => entry.Value).Take(count);
}
