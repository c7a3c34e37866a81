
namespace CreditRisk.Server.Api;

/// <summary>Field path → rules broken, as in RFC 9457 validation problems. Capped so a hostile batch cannot make a huge reply.</summary>
public sealed class ValidationErrors
{
    /// <summary>Key for problems with the body as a whole (malformed JSON, empty body, wrong top-level type).</summary>
    public const string Body = "$";

    private const int MaxErrors = 100;
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    private int _count;

    public bool IsEmpty => _count == 0;

    public bool IsFull => _count >= MaxErrors;

    public void Add(string field, string message)
    {
        if (IsFull)
        {
            return;
        }

        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
        _count++;
    }

    public Dictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
