using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Records;

/// <summary>The model lifecycle's timeline (migration 0008): which version of each model served from when, and why it changed.</summary>
public abstract partial class DecisionStore
{
    public async Task InsertModelEventAsync(ModelEvent e, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO model_events (at, model, action, from_version, to_version, forced, requested_by, reason, checks) " +
            "VALUES (@at, @model, @action, @from, @to, @forced, @by, @reason, @checks)";
        Add(command, "at", e.At.ToUnixTimeMilliseconds());
        Add(command, "model", e.Model);
        Add(command, "action", e.Action);
        Add(command, "from", e.FromVersion);
        Add(command, "to", e.ToVersion);
        Add(command, "forced", e.Forced ? 1 : 0);
        Add(command, "by", e.RequestedBy);
        Add(command, "reason", e.Reason);
        Add(command, "checks", e.Checks is null ? null : JsonSerializer.Serialize(e.Checks, RecordsJson.Default.IReadOnlyListPromotionCheck));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The latest <paramref name="limit"/> events of one model, newest first.</summary>
    public async Task<IReadOnlyList<ModelEvent>> ReadModelEventsAsync(string model, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, model, action, from_version, to_version, forced, requested_by, reason, checks FROM model_events " +
            "WHERE model = @model ORDER BY at DESC LIMIT @limit";
        Add(command, "model", model);
        Add(command, "limit", limit);
        var events = new List<ModelEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new ModelEvent(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                Convert.ToInt32(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture) != 0,
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : JsonSerializer.Deserialize(reader.GetString(8), RecordsJson.Default.IReadOnlyListPromotionCheck)));
        }

        return events;
    }
}
