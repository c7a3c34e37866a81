using System.Text;
using System.Text.Json;
using CreditRisk.Contracts;
using FsCheck;
using FsCheck.Fluent;

namespace CreditRisk.Reliability.Tests;

/// <summary>What a fuzz case must get back.</summary>
public enum Expect
{
    /// <summary>A 4xx application/problem+json.</summary>
    Refused,

    /// <summary>A 200 whose PDs equal the reference PDs of the applicants sent.</summary>
    Scored,

    /// <summary>Either of the above (e.g. "1E+1" or a BOM: a reasonable server may take or refuse it); never a 5xx.</summary>
    Either,
}

/// <summary>One request: what kind of abuse, where it goes, the exact bytes, what must come back.</summary>
/// <param name="Pool">For <see cref="Expect.Scored"/>: the pool indexes of the applicants sent, in order.</param>
public sealed record FuzzCase(string Kind, string Path, byte[] Body, Expect Expect, int[] Pool)
{
    public string Preview => Body.Length <= 2000
        ? Encoding.UTF8.GetString(Body)
        : Encoding.UTF8.GetString(Body, 0, 300) + $"… ({Body.Length} bytes)";
}

/// <summary>A valid applicant of a data set: a raw JSON value per model input, in spec order.</summary>
public sealed record Row(DatasetSpec Spec, IReadOnlyList<FeatureSpec> Inputs, string[] Values)
{
    public int Count => Values.Length;

    public FeatureSpec Feature(int field) => Inputs[field];

    public int[] Fields(Func<FeatureSpec, bool> which) => [.. Enumerable.Range(0, Inputs.Count).Where(i => which(Inputs[i]))];
}

/// <summary>
/// FsCheck generators of hostile scoring requests. Everything is written as raw text (or bytes), not through a
/// serializer, so duplicated keys, odd number literals and broken UTF-8 reach the server exactly as generated.
/// </summary>
public static class Hostile
{
    public const string Score = "/api/v1/score";
    public const string Batch = "/api/v1/score/batch";

    /// <summary>Valid applicants whose reference PD is fetched once, before the fuzzing starts.</summary>
    public static Row[] ValidPool(DatasetSpec spec, ulong seed, int count) =>
        ValidApplicant(spec).Sample(50, new FsCheck.Rnd(seed), count);

    public static Gen<Row> ValidApplicant(DatasetSpec spec)
    {
        var inputs = spec.Inputs.ToList();
        return Gen.CollectToArray(inputs, ValidValue).Select(values => new Row(spec, inputs, values));
    }

    /// <summary>Any value the spec allows for a model input, as raw JSON (null where it may be missing).</summary>
    private static Gen<string> ValidValue(FeatureSpec f)
    {
        var value = f.IsCategory
            ? Gen.Elements(f.Values.Select(v => Str(v.Value)).ToArray())
            : f.Kind == FeatureKind.Integer
                ? Gen.Choose((int)(f.Min ?? 0), (int)Math.Min(f.Max ?? 1_000_000, int.MaxValue)).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : Gen.Choose(0, 1000).Select(k => (f.Min ?? 0) + ((f.Max ?? 1000) - (f.Min ?? 0)) * k / 1000).Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        return f.MayBeMissing ? Gen.Frequency((9, value), (1, Gen.Constant("null"))) : value;
    }

    /// <summary>The applicant's fields as raw "key":value members, in spec order.</summary>
    public static List<(string Key, string Value)> Members(Row a) =>
        a.Inputs.Select((f, i) => (f.Name, a.Values[i])).ToList();

    /// <summary>A request-shaped applicant (e.g. a card's example) as raw members.</summary>
    public static List<(string Key, string Value)> Members(IReadOnlyDictionary<string, JsonElement> applicant) =>
        applicant.Select(p => (p.Key, p.Value.GetRawText())).ToList();

    public static string ObjectText(IEnumerable<(string Key, string Value)> members) =>
        "{" + string.Join(",", members.Select(m => Str(m.Key) + ":" + m.Value)) + "}";

    public static string Str(string s) => JsonSerializer.Serialize(s);

    /// <summary>The whole mix. Every tenth case is a valid request whose PDs are checked against the reference.</summary>
    public static Gen<FuzzCase> Case(Row[] pool) => Gen.Frequency(
        (10, ValidCase(pool)),
        (12, Mutation(pool)),
        (8, RandomJsonCase()),
        (6, DeepNesting(pool)),
        (6, WeirdNumbers(pool)),
        (5, LongStrings(pool)),
        (8, InvalidUtf8(pool)),
        (6, DuplicatedKeys(pool)),
        (5, Truncated(pool)),
        (8, BadBatch(pool)),
        (1, HugeBatch(pool)),
        (3, Oddities(pool)),
        (4, ControlCharacters(pool)));

    private static Gen<int> PoolIndex(Row[] pool) => Gen.Choose(0, pool.Length - 1);

    private static FuzzCase Text(string kind, string path, string body, Expect expect, params int[] pool) =>
        new(kind, path, Encoding.UTF8.GetBytes(body), expect, pool);

    /// <summary>Valid: one applicant (members shuffled: order must not matter) or a small batch.</summary>
    private static Gen<FuzzCase> ValidCase(Row[] pool) => Gen.Frequency(
        (3, from i in PoolIndex(pool)
            from members in Gen.Shuffle(Members(pool[i]).ToArray())
            select Text("valid", Score, ObjectText(members), Expect.Scored, i)),
        (1, from n in Gen.Choose(1, 25)
            from rows in PoolIndex(pool).ArrayOf(n)
            select Text("valid-batch", Batch,
                "{\"applicants\":[" + string.Join(",", rows.Select(r => ObjectText(Members(pool[r])))) + "]}", Expect.Scored, rows)));

    private static readonly string[] WrongTypedValues =
        ["null", "true", "false", "[]", "{}", "[1]", "{\"a\":1}", "\"\"", "\"6\"", "\"yes\"", "0.5", "-1", "1e3", "[\"none\"]"];

    /// <summary>A valid applicant with one field dropped, renamed, retyped or out of its domain.</summary>
    private static Gen<FuzzCase> Mutation(Row[] pool) =>
        from i in PoolIndex(pool)
        from field in Gen.Choose(0, pool[0].Count - 1)
        from how in Gen.Choose(0, 5)
        from wrong in Gen.Elements(WrongTypedValues)
        from junk in JunkString()
        from big in Gen.Choose(121, int.MaxValue)
        select MutationCase(pool, i, field, how, wrong, junk, big);

    private static FuzzCase MutationCase(Row[] pool, int i, int field, int how, string wrong, string junk, int big)
    {
        var members = Members(pool[i]);
        var feature = pool[i].Feature(field);
        var (key, value) = members[field];
        string kind;
        switch (how)
        {
            case 0:
                members.RemoveAt(field);
                kind = "drop-field";
                break;
            case 1:
                members[field] = (key + junk, value);
                kind = "rename-field";
                break;
            case 2:
                members[field] = (key.ToUpperInvariant(), value);
                kind = "rename-case";
                break;
            case 3:
                // A categorical field as a number, a numeric one as its text, or any other JSON type.
                members[field] = (key, feature.IsCategory ? "42" : Str(value));
                kind = "retype";
                break;
            case 4:
                // "1e3" or "0.5" may be a valid number, "\"yes\"" a valid category, null a valid missing value: those are
                // replaced by a value no attribute takes.
                members[field] = (key, wrong == value || IsValid(feature, wrong) ? "[\"none\"]" : wrong);
                kind = "wrong-type";
                break;
            default:
                members[field] = (key, feature.IsCategory ? Str(junk + "x") : (big % 2 == 0 ? (feature.Max ?? 1e9) + 1 + (big % 100_000) : (feature.Min ?? -1e9) - 1 - (big % 100_000)).ToString(System.Globalization.CultureInfo.InvariantCulture));
                kind = "out-of-domain";
                break;
        }

        return Text(kind, Score, ObjectText(members), Expect.Refused);
    }

    /// <summary>Whether a raw JSON value is one the spec accepts for this attribute.</summary>
    public static bool IsValid(FeatureSpec feature, string raw)
    {
        try
        {
            using var doc = JsonDocument.Parse(raw);
            var e = doc.RootElement;
            return e.ValueKind switch
            {
                JsonValueKind.Null => feature.MayBeMissing,
                JsonValueKind.String => feature.IsCategory && feature.Values.Any(v => v.Value == e.GetString()),
                JsonValueKind.Number => feature.IsNumber && e.TryGetDouble(out var d) && feature.Accepts(d),
                _ => false,
            };
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Gen<string> JunkString() =>
        from n in Gen.Choose(1, 12)
        from chars in Gen.Elements("aZ0_-. \"\\/\u00e9\u4e2d\u0000\t\n\ud83d\ude00<>&'".ToCharArray()).ArrayOf(n)
        select new string(chars);

    /// <summary>Arbitrary JSON (numbers, strings, arrays, objects), to either endpoint.</summary>
    public static Gen<string> Json(int depth) => depth <= 0
        ? Scalar()
        : Gen.Frequency(
            (4, Scalar()),
            (1, from n in Gen.Choose(0, 6) from items in Json(depth - 1).ArrayOf(n) select "[" + string.Join(",", items) + "]"),
            (2, from n in Gen.Choose(0, 6)
                from keys in Gen.OneOf(JunkString(), Gen.Elements(KnownKeys)).ArrayOf(n)
                from values in Json(depth - 1).ArrayOf(n)
                select "{" + string.Join(",", keys.Zip(values, (k, v) => Str(k) + ":" + v)) + "}"));

    /// <summary>Real attribute names of both shipped specs, so random objects sometimes hit a known key.</summary>
    private static readonly string[] KnownKeys =
        [.. new[] { "german-credit", "lending-club" }.SelectMany(d => DatasetSpec.Load(Path.Combine(RepoRoot(), "data", d, "dataset.json")).Features.Select(f => f.Name)).Append("applicants")];

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CreditRisk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CreditRisk.sln not found above " + AppContext.BaseDirectory);
    }

    private static Gen<string> Scalar() => Gen.OneOf(
        Gen.Elements("null", "true", "false", "0", "-0", "1", "3.14", "-7", "1e308", "\"\"", "\"none\"", "\"below0\""),
        Gen.Choose(int.MinValue, int.MaxValue).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        JunkString().Select(Str));

    private static Gen<FuzzCase> RandomJsonCase() =>
        from depth in Gen.Choose(0, 4)
        from json in Json(depth)
        from batch in Gen.Elements(false, true)
        from wrap in Gen.Elements(false, true)
        select Text(batch ? "random-json-batch" : "random-json", batch ? Batch : Score,
            batch && wrap ? "{\"applicants\":" + json + "}" : json, Expect.Refused);

    /// <summary>Nesting far past any sane depth: as the body, as a field value, as the batch array.</summary>
    private static Gen<FuzzCase> DeepNesting(Row[] pool) =>
        from depth in Gen.Frequency((3, Gen.Choose(9, 200)), (2, Gen.Choose(200, 5_000)), (1, Gen.Choose(5_000, 100_000)))
        from objects in Gen.Elements(false, true)
        from place in Gen.Choose(0, 2)
        from i in PoolIndex(pool)
        from field in Gen.Choose(0, pool[0].Count - 1)
        select DeepCase(pool[i], depth, objects, place, field);

    private static FuzzCase DeepCase(Row a, int depth, bool objects, int where, int field)
    {
        var sb = new StringBuilder(depth * 6);
        for (var d = 0; d < depth; d++)
        {
            sb.Append(objects ? "{\"a\":" : "[");
        }

        sb.Append('1');
        for (var d = 0; d < depth; d++)
        {
            sb.Append(objects ? '}' : ']');
        }

        var nested = sb.ToString();
        var members = Members(a);
        members[field] = (members[field].Key, nested);
        return where switch
        {
            0 => Text("deep-body", Score, nested, Expect.Refused),
            1 => Text("deep-field", Score, ObjectText(members), Expect.Refused),
            _ => Text("deep-batch", Batch, "{\"applicants\":" + nested + "}", Expect.Refused),
        };
    }

    /// <summary>Number literals a lenient parser might take: overflow, fractions, NaN/Infinity, as literals or strings.</summary>
    private static readonly string[] BadNumbers =
    [
        "1e400", "-1e400", "1e-400", "99999999999999999999999999999", "-99999999999999999999999999999", "2147483648", "-2147483649",
        "9223372036854775808", "1.5", "6.5", "0.1", "NaN", "-NaN", "Infinity", "-Infinity", "+Infinity", "\"NaN\"", "\"Infinity\"",
        "\"-Infinity\"", "\"1e400\"", "0x10", "01", "+1", ".5", "1.", "1e", "--1", "1_000", "Inf", "nan", "undefined",
        "1" + new string('0', 400), "0." + new string('0', 400) + "1",
    ];

    /// <summary>Literals that a careful server may accept (they are whole numbers in range) or refuse.</summary>
    private static readonly string[] BorderNumbers = ["-0", "0.0", "1E+1", "1e1", "10.000", "2.0e0", "6.0000000000000001"];

    private static Gen<FuzzCase> WeirdNumbers(Row[] pool) =>
        from i in PoolIndex(pool)
        from field in Gen.Elements(pool[0].Fields(f => f.IsNumber))
        from border in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
        from literal in Gen.Elements(border ? BorderNumbers : BadNumbers)
        from batch in Gen.Elements(false, true)
        select NumberCase(pool[i], field, literal, border, batch);

    private static FuzzCase NumberCase(Row a, int field, string literal, bool border, bool batch)
    {
        var members = Members(a);
        members[field] = (members[field].Key, literal);
        var body = ObjectText(members);
        // A border literal can still be out of a field's range (0 for age), so the answer may go either way; and
        // 1.5 or 0.000…1 are fine values for a real.
        var expect = border || IsValid(a.Feature(field), literal) ? Expect.Either : Expect.Refused;
        return batch
            ? Text("weird-number-batch", Batch, "{\"applicants\":[" + ObjectText(Members(a)) + "," + body + "]}", expect == Expect.Either ? Expect.Either : Expect.Refused)
            : Text("weird-number", Score, body, expect);
    }

    /// <summary>Strings of 10 KB to 1.2 MB (raw UTF-8 or escapes): as a value, as a key, as a bare body.</summary>
    private static Gen<FuzzCase> LongStrings(Row[] pool) =>
        from i in PoolIndex(pool)
        from length in Gen.Frequency((6, Gen.Choose(10_000, 100_000)), (1, Gen.Choose(100_000, 1_300_000)))
        from unit in Gen.Elements("a", "\u00e9", "\u4e2d", "\\\"", "\\\\", "\\u00e9", "\\ud83d\\ude00", "\\ud83d")
        from place in Gen.Choose(0, 2)
        from field in Gen.Choose(0, pool[0].Count - 1)
        select LongCase(pool[i], "\"" + string.Concat(Enumerable.Repeat(unit, Math.Max(1, length / Encoding.UTF8.GetByteCount(unit)))) + "\"", place, field);

    private static FuzzCase LongCase(Row a, string value, int where, int field)
    {
        var members = Members(a);
        switch (where)
        {
            case 0:
                members[field] = (members[field].Key, value);
                return Text("long-value", Score, ObjectText(members), Expect.Refused);
            case 1:
                return Text("long-key", Score, "{" + value + ":1," + ObjectText(members)[1..], Expect.Refused);
            default:
                return Text("long-body", Score, value, Expect.Refused);
        }
    }

    private static readonly byte[][] BadUtf8 =
    [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF5], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xC3], [0xE4, 0xB8], [0xF0, 0x9F, 0x98],
    ];

    /// <summary>Broken UTF-8 inside a string value, inside a key, or as the whole body.</summary>
    private static Gen<FuzzCase> InvalidUtf8(Row[] pool) =>
        from i in PoolIndex(pool)
        from field in Gen.Elements(pool[0].Fields(f => f.IsCategory))
        from bad in Gen.Elements(BadUtf8)
        from place in Gen.Choose(0, 3)
        from noise in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(64)
        select Utf8Case(pool[i], field, bad, place, noise);

    private static FuzzCase Utf8Case(Row a, int field, byte[] bad, int where, byte[] noise)
    {
        var members = Members(a);
        var (key, value) = members[field];
        var marker = "@@MARK@@";
        members[field] = where == 1 ? (key + marker, value) : (key, where == 0 ? a.Values[field].TrimEnd('"') + marker + "\"" : value);
        var text = ObjectText(members);
        if (where >= 2)
        {
            // Random bytes with at least one invalid sequence, or a valid object with garbage where a value should be.
            var body = where == 2 ? noise.Concat(bad).ToArray() : Encoding.UTF8.GetBytes("{\"age\":").Concat(bad).Concat("}"u8.ToArray()).ToArray();
            return new FuzzCase("invalid-utf8-raw", Score, body, Expect.Refused, []);
        }

        var escapedMarker = marker;
        var at = text.IndexOf(escapedMarker, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(text[..at]).Concat(bad).Concat(Encoding.UTF8.GetBytes(text[(at + escapedMarker.Length)..])).ToArray();
        return new FuzzCase(where == 0 ? "invalid-utf8-value" : "invalid-utf8-key", Score, bytes, Expect.Refused, []);
    }

    /// <summary>The same key twice (same or different value), or an extra unknown key.</summary>
    private static Gen<FuzzCase> DuplicatedKeys(Row[] pool) =>
        from i in PoolIndex(pool)
        from j in PoolIndex(pool)
        from field in Gen.Choose(0, pool[0].Count - 1)
        from extra in Gen.Elements(false, true)
        from junk in JunkString()
        from batch in Gen.Elements(false, true)
        select DuplicateCase(pool[i], pool[j], field, extra, junk, batch);

    private static FuzzCase DuplicateCase(Row a, Row b, int field, bool extra, string junk, bool batch)
    {
        var members = Members(a);
        members.Add(extra ? ("extra" + junk, "1") : Members(b)[field]);
        var body = ObjectText(members);
        return batch
            ? Text(extra ? "unknown-key-batch" : "duplicate-key-batch", Batch, "{\"applicants\":[" + body + "]}", Expect.Refused)
            : Text(extra ? "unknown-key" : "duplicate-key", Score, body, Expect.Refused);
    }

    /// <summary>A valid body cut short, or followed by garbage.</summary>
    private static Gen<FuzzCase> Truncated(Row[] pool) =>
        from i in PoolIndex(pool)
        from batch in Gen.Elements(false, true)
        from cut in Gen.Choose(0, 10_000)
        from trailing in Gen.Elements("", "x", "{}", ",", "]", "}", "null", "\"a\"")
        select TruncatedCase(pool[i], batch, cut, trailing);

    private static FuzzCase TruncatedCase(Row a, bool batch, int cut, string trailing)
    {
        var body = batch ? "{\"applicants\":[" + ObjectText(Members(a)) + "]}" : ObjectText(Members(a));
        return trailing.Length == 0
            ? Text("truncated", batch ? Batch : Score, body[..(cut % body.Length)], Expect.Refused)
            : Text("trailing-garbage", batch ? Batch : Score, body + trailing, Expect.Refused);
    }

    /// <summary>Batches with a wrong shape or one bad row among good ones.</summary>
    private static Gen<FuzzCase> BadBatch(Row[] pool) =>
        from n in Gen.Choose(1, 20)
        from rows in PoolIndex(pool).ArrayOf(n)
        from bad in Gen.Choose(0, n - 1)
        from row in Gen.OneOf(Json(2), Gen.Elements("null", "[]", "{}", "1", "\"none\""))
        from shape in Gen.Choose(0, 4)
        select BadBatchCase(pool, rows, bad, row, shape);

    private static FuzzCase BadBatchCase(Row[] pool, int[] rows, int bad, string row, int shape)
    {
        var items = rows.Select(r => ObjectText(Members(pool[r]))).ToArray();
        items[bad] = row;
        var list = "[" + string.Join(",", items) + "]";
        return shape switch
        {
            0 => Text("bad-row", Batch, "{\"applicants\":" + list + "}", Expect.Refused),
            1 => Text("batch-bare-array", Batch, list, Expect.Refused),
            2 => Text("batch-wrong-key", Batch, "{\"applicant\":" + list + "}", Expect.Refused),
            3 => Text("batch-applicants-twice", Batch, "{\"applicants\":" + list + ",\"applicants\":[]}", Expect.Refused),
            _ => Text("batch-to-score", Score, "{\"applicants\":" + list + "}", Expect.Refused),
        };
    }

    /// <summary>Huge arrays: more applicants than Scoring:MaxBatchSize, or a flood of tiny junk items.</summary>
    private static Gen<FuzzCase> HugeBatch(Row[] pool) =>
        from n in Gen.Choose(1_001, 2_500)
        from i in PoolIndex(pool)
        from junk in Gen.Elements(false, true)
        from items in Gen.Choose(10_000, 300_000)
        select junk
            ? Text("huge-junk-array", Batch, "{\"applicants\":[" + string.Join(",", Enumerable.Repeat("0", items)) + "]}", Expect.Refused)
            : Text("huge-batch", Batch, "{\"applicants\":[" + string.Join(",", Enumerable.Repeat(ObjectText(Members(pool[i])), n)) + "]}", Expect.Refused);

    /// <summary>
    /// An applicationId with a control character (U+0000 to U+001F, U+007F), JSON-escaped, alone or in a batch. Each must
    /// be a 400: a NUL used to pass validation and then fail PostgreSQL's whole group commit, other clients' requests included.
    /// </summary>
    private static Gen<FuzzCase> ControlCharacters(Row[] pool) =>
        from i in PoolIndex(pool)
        from code in Gen.Frequency((3, Gen.Constant(0)), (6, Gen.Choose(1, 0x1F)), (1, Gen.Constant(0x7F)))
        from at in Gen.Choose(0, 2)
        from batch in Gen.Elements(false, true)
        let id = Str(at switch { 0 => $"{(char)code}app", 1 => $"app{(char)code}id", _ => $"app{(char)code}" })
        let applicant = ObjectText([.. Members(pool[i]), ("applicationId", id)])
        select batch
            ? Text("control-char-application-id-batch", Batch, "{\"applicants\":[" + ObjectText(Members(pool[i])) + "," + applicant + "]}", Expect.Refused)
            : Text("control-char-application-id", Score, applicant, Expect.Refused);

    /// <summary>Whitespace, a BOM, comments, single quotes, JSON with escapes in the key names.</summary>
    private static Gen<FuzzCase> Oddities(Row[] pool) =>
        from i in PoolIndex(pool)
        from odd in Gen.Choose(0, 5)
        select OddCase(pool[i], i, odd);

    private static FuzzCase OddCase(Row a, int i, int odd)
    {
        var body = ObjectText(Members(a));
        return odd switch
        {
            0 => Text("whitespace", Score, " \r\n\t" + body.Replace(",", " ,\n ", StringComparison.Ordinal) + "\n ", Expect.Scored, i),
            1 => Text("bom", Score, "\uFEFF" + body, Expect.Either, i),
            2 => Text("comment", Score, "/* hi */" + body, Expect.Refused),
            3 => Text("single-quotes", Score, body.Replace("\"", "'", StringComparison.Ordinal), Expect.Refused),
            // "\u0061ge" is "age" spelled with an escape: the same key after unescaping; scoring it or refusing it are both safe.
            4 => Text("escaped-key", Score, body.Replace("\"age\"", "\"\\u0061ge\"", StringComparison.Ordinal), Expect.Either, i),
            _ => Text("empty-key", Score, "{\"\":1," + body[1..], Expect.Refused),
        };
    }
}
