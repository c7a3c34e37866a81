using CreditRisk.Server.Model;
using CreditRisk.Server.Records;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Challenger;

/// <summary>
/// The challenger (Model:ChallengerPath), a singleton loaded and checked like the champion when the container first
/// asks for it (<see cref="ChallengerRegistration.TryLoadChallenger"/>, before the server listens): a bad file, a
/// failed golden check or inputs other than the champion's stop start-up. <see cref="Model"/> is null when none is configured.
/// </summary>
public sealed class ChallengerModel : IDisposable
{
    public ChallengerModel(IOptions<ModelOptions> model, IOptions<RecordsOptions> records, CreditModel champion)
    {
        if (model.Value.ResolvedChallengerPath is not { } path)
        {
            return;
        }

        if (!records.Value.Enabled)
        {
            throw new ModelLoadException(path, "a challenger is scored beside recorded decisions: Model:ChallengerPath needs Records:Enabled=true");
        }

        var challenger = new CreditModel(path);
        try
        {
            if (SameInputs(champion, challenger) is { } difference)
            {
                throw new ModelLoadException(path, $"the challenger must take the served model's inputs, but {difference}");
            }

            ModelChecks.CheckGolden(challenger);
        }
        catch
        {
            challenger.Dispose();
            throw;
        }

        Model = challenger;
        ChallengerMetrics.Info.WithLabels(challenger.Version, challenger.Card.Learner).Set(1);
    }

    /// <summary>The challenger, loaded and checked like the champion; null when none is configured.</summary>
    public CreditModel? Model { get; }

    /// <summary>Null when the challenger reads the same inputs as the champion (names, kinds, categories, order), else what differs.</summary>
    public static string? SameInputs(CreditModel champion, CreditModel challenger)
    {
        var served = champion.Inputs.Select(p => champion.Features[p]).ToArray();
        var other = challenger.Inputs.Select(p => challenger.Features[p]).ToArray();
        if (!served.Select(f => f.Name).SequenceEqual(other.Select(f => f.Name), StringComparer.Ordinal))
        {
            return $"it takes [{string.Join(", ", other.Select(f => f.Name))}] and the served model [{string.Join(", ", served.Select(f => f.Name))}]";
        }

        for (var i = 0; i < served.Length; i++)
        {
            var (a, b) = (served[i], other[i]);
            // Rows are laid out by the champion's spec positions: the challenger must read each input at the same one.
            if (champion.Inputs[i] != challenger.Inputs[i] || a.Kind != b.Kind ||
                !(a.IsCategory ? a.Values.Select(v => v.Value) : []).SequenceEqual(b.IsCategory ? b.Values.Select(v => v.Value) : [], StringComparer.Ordinal))
            {
                return $"its input '{b.Name}' differs (kind, categories or position in the spec)";
            }
        }

        return null;
    }

    public void Dispose() => Model?.Dispose();
}
