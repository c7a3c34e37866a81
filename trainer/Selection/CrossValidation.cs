namespace CreditRisk.Trainer.Selection;

/// <summary>One fold of one repeat: row indices to train on and to score.</summary>
public sealed record Fold(int Repeat, int Index, int[] Train, int[] Test);

/// <summary>Stratified, repeated K-fold splits with fixed seeds: the same seed gives the same folds.</summary>
public static class CrossValidation
{
    public static IReadOnlyList<Fold> StratifiedFolds(IReadOnlyList<bool> isBad, int folds, int repeats, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        var result = new List<Fold>();
        for (var r = 0; r < repeats; r++)
        {
            var random = new Random(unchecked((seed * 1_000_003) + r) & int.MaxValue);
            var assignment = new int[isBad.Count];
            var next = 0;
            foreach (var cls in new[] { true, false })
            {
                var members = Enumerable.Range(0, isBad.Count).Where(i => isBad[i] == cls).ToArray();
                random.Shuffle(members);
                foreach (var i in members)
                {
                    assignment[i] = next++ % folds;
                }
            }

            for (var f = 0; f < folds; f++)
            {
                result.Add(new Fold(
                    r,
                    f,
                    Enumerable.Range(0, isBad.Count).Where(i => assignment[i] != f).ToArray(),
                    Enumerable.Range(0, isBad.Count).Where(i => assignment[i] == f).ToArray()));
            }
        }

        return result;
    }

    /// <summary>A stratified single split: the seed's recipe (train on <paramref name="trainShare"/>, test on the rest).</summary>
    public static (int[] Train, int[] Test) StratifiedSplit(IReadOnlyList<bool> isBad, double trainShare, int seed)
    {
        var random = new Random(seed);
        var train = new List<int>();
        var test = new List<int>();
        foreach (var cls in new[] { true, false })
        {
            var members = Enumerable.Range(0, isBad.Count).Where(i => isBad[i] == cls).ToArray();
            random.Shuffle(members);
            var cut = (int)Math.Round(members.Length * trainShare);
            train.AddRange(members[..cut]);
            test.AddRange(members[cut..]);
        }

        train.Sort();
        test.Sort();
        return ([.. train], [.. test]);
    }
}
