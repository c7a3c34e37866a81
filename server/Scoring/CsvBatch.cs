using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Model;
using CreditRisk.Server.Scoring.Input;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Net.Http.Headers;
using nietras.SeparatedValues;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// <c>POST /api/v1/score/batch</c> with <c>Content-Type: text/csv</c>: a header row naming the columns, one applicant
/// per row; the answer is the same file with PD, decision and reasons appended. The body is spooled to a temporary
/// file and read twice: once to check every cell (a bad file is one 400 naming each line and column, nothing scored),
/// then in chunks of <see cref="ScoringOptions.MaxBatchSize"/> through the same <see cref="Scorer"/> as the JSON batch,
/// each chunk written out as it is scored. So 100 000 rows never sit in memory as rows or as JSON.
/// </summary>
public static partial class CsvBatch
{
    public const string MediaType = "text/csv";

    /// <summary>
    /// The columns appended to each row (an input column of the same name is replaced): then the money the decision
    /// weighed (docs/economics.md; empty where the model file has no decision outputs or the applicant's economics
    /// could not be computed), the points score, and why a refer was referred (empty for approve and reject).
    /// </summary>
    public static readonly string[] ResultColumns =
        ["probabilityOfDefault", "decision", "reasonCodes", "reasons", "decisionId", "threshold", "expectedProfit", "loss", "margin", "points", "referReasons"];

    public static bool IsCsv(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && type.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>Spools and checks the file; the result scores and writes it when executed.</summary>
    public static async Task<Results<Scores, ValidationProblem, ProblemHttpResult>> ReadAsync(
        HttpRequest request, DecisionPipeline pipeline, InputRules rules, ScoringCapacity capacity, CsvSpoolBudget spoolBudget, ScoringOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        var context = request.HttpContext;
        // A file of 100 000 rows takes longer than an API call: this request has its own budget (Scoring:CsvTimeoutSeconds),
        // not Limits:RequestTimeoutSeconds; it still waits in the batch lane of ScoringCapacity like a JSON batch.
        context.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.CsvTimeoutSeconds));
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeout.Token);
        context.Response.RegisterForDispose(timeout);
        context.Response.RegisterForDispose(cancel);

        if (request.ContentLength > options.MaxCsvBytes)
        {
            return Problems.CsvTooLarge(options.MaxCsvBytes);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = options.MaxCsvBytes;
        }

        // The permit first, then the disk: a request holds spool space only while it holds a batch permit, so at most
        // Limits:MaxConcurrentBatches uploads spool at once, and never more than Scoring:MaxCsvSpoolBytes between them.
        var lease = await capacity.AcquireBatchAsync(cancel.Token);
        context.Response.RegisterForDispose(lease);
        if (!lease.IsAcquired)
        {
            context.Response.Headers.RetryAfter = "1";
            return Problems.Busy();
        }

        var budget = spoolBudget.Reserve();
        context.Response.RegisterForDispose(budget);
        if (request.ContentLength is { } declared && !budget.TryGrowTo(declared))
        {
            return SpoolFull(context, options);
        }

        var spool = new FileStream(
            Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        context.Response.RegisterForDisposeAsync(spool);
        try
        {
            // BodyReader, not Body: ScoringCapacity may have peeked at the body through the pipe already.
            var body = request.BodyReader;
            while (true)
            {
                var result = await JsonBody.ReadOrCancelAsync(body, cancel.Token);
                if (spool.Length + result.Buffer.Length > options.MaxCsvBytes)
                {
                    body.AdvanceTo(result.Buffer.End);
                    return Problems.CsvTooLarge(options.MaxCsvBytes);
                }

                // A chunked upload (no Content-Length) takes its share of the budget as it arrives.
                if (!budget.TryGrowTo(spool.Length + result.Buffer.Length))
                {
                    body.AdvanceTo(result.Buffer.End);
                    return SpoolFull(context, options);
                }

                foreach (var segment in result.Buffer)
                {
                    await spool.WriteAsync(segment, cancel.Token);
                }

                body.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            return Problems.FromBadRequest(e);
        }

        await spool.FlushAsync(cancel.Token);
        var errors = new ValidationErrors();
        spool.Position = 0;
        var file = Check(spool, rules, options.MaxCsvRows, errors, out var rows, out var tooMany);
        if (tooMany)
        {
            return Problems.CsvTooManyRows(options.MaxCsvRows);
        }

        if (file is null)
        {
            return TypedResults.ValidationProblem(
                errors.ToDictionary(),
                title: "The file is not a valid scoring file",
                detail: "Each entry of 'errors' names a line of the file (the header is line 1) and a column, and the rule it breaks; nothing was scored.");
        }

        return new Scores(spool, file, rows, pipeline, options.MaxBatchSize, started, cancel.Token);
    }

    private static ProblemHttpResult SpoolFull(HttpContext context, ScoringOptions options)
    {
        // Space comes back as the uploads being scored finish, which takes seconds, not milliseconds.
        context.Response.Headers.RetryAfter = "5";
        return Problems.CsvSpoolFull(options.MaxCsvSpoolBytes);
    }

    /// <summary>
    /// OWASP's rule against CSV injection: a cell starting with =, +, -, @, a tab or a carriage return may be run as a
    /// formula by a spreadsheet, so it gets a leading apostrophe (the spreadsheet shows the rest as text). The one
    /// exemption: in a numeric column (<paramref name="numeric"/>) a plain decimal number such as -0.5 is data, which a
    /// spreadsheet reads as that number and cannot run. The page downloads this answer as it is.
    /// </summary>
    public static string SpreadsheetSafe(string cell, bool numeric) =>
        cell.Length == 0 || cell[0] is not ('=' or '+' or '-' or '@' or '\t' or '\r') || (numeric && PlainNumber().IsMatch(cell))
            ? cell
            : "'" + cell;

    /// <summary>Sign, digits with one decimal point or comma (German-locale files), exponent: nothing a spreadsheet could evaluate.</summary>
    [GeneratedRegex(@"^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?$")]
    private static partial Regex PlainNumber();

    /// <summary>Reads the header and checks every row. Null when the file cannot be scored (errors say why).</summary>
    private static CsvLayout? Check(Stream csv, InputRules rules, int maxRows, ValidationErrors errors, out int rows, out bool tooMany)
    {
        rows = 0;
        tooMany = false;
        using var reader = OpenReader(csv);
        if (!reader.MoveNext())
        {
            errors.Add(ValidationErrors.Body, "the file is empty; send a header row naming the columns, then one row per applicant");
            return null;
        }

        var layout = CsvLayout.FromHeader(reader.Current, reader.Spec.Sep.Separator, rules, errors);
        if (layout is null)
        {
            return null;
        }

        var applicant = new ApplicantRow(rules.Fields.Count);
        foreach (var row in reader)
        {
            if (rows == maxRows)
            {
                tooMany = true;
                return null;
            }

            rows++;
            layout.Read(row, applicant, errors);
            if (errors.IsFull)
            {
                break;
            }
        }

        if (rows == 0 && errors.IsEmpty)
        {
            errors.Add(ValidationErrors.Body, $"the file has a header row but no applicants; send 1 to {maxRows} rows");
        }

        return errors.IsEmpty ? layout : null;
    }

    internal static SepReader OpenReader(Stream csv) =>
        // The separator is detected from the header row: ',' or ';' (what German-locale Excel writes) or a tab.
        Sep.Reader(o => o with { HasHeader = false, Unescape = true, Trim = SepTrim.All, DisableColCountCheck = true })
            // Read twice: the reader disposes its TextReader, which must leave the spooled file open.
            .From(new StreamReader(csv, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true));

    /// <summary>Scores the checked file and streams it back, chunk by chunk, with the result columns appended.</summary>
    public sealed class Scores : IResult
    {
        private readonly FileStream _file;
        private readonly CsvLayout _layout;
        private readonly DecisionPipeline _pipeline;
        private readonly int _chunk;
        private readonly long _started;
        private readonly CancellationToken _cancel;

        internal Scores(FileStream file, CsvLayout layout, int rows, DecisionPipeline pipeline, int chunk, long started, CancellationToken cancel)
        {
            _file = file;
            _layout = layout;
            Rows = rows;
            _pipeline = pipeline;
            _chunk = chunk;
            _started = started;
            _cancel = cancel;
        }

        /// <summary>Applicant rows in the file.</summary>
        public int Rows { get; }

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/csv; charset=utf-8";
            response.Headers["X-Model-Version"] = _pipeline.Model.Version;

            // Input columns copied to the output: all but those the result columns replace.
            var carried = Enumerable.Range(0, _layout.Header.Length).Where(c => !ResultColumns.Contains(_layout.Header[c], StringComparer.OrdinalIgnoreCase)).ToArray();
            var features = _pipeline.Model.Features;
            var run = _pipeline.Start(DecisionPipeline.Csv, httpContext.TraceIdentifier, _started);
            var cells = new List<string[]>(_chunk);
            var applicants = new List<ApplicantRow>(_chunk);
            var first = true;
            _file.Position = 0;
            using var reader = OpenReader(_file);
            reader.MoveNext(); // the header, checked already
            var unused = new ValidationErrors();
            var more = true;
            while (more)
            {
                cells.Clear();
                applicants.Clear();
                while (applicants.Count < _chunk && (more = reader.MoveNext()))
                {
                    var row = reader.Current;
                    var applicant = new ApplicantRow(features.Count);
                    _layout.Read(row, applicant, unused);
                    applicants.Add(applicant);
                    var copied = new string[carried.Length];
                    for (var c = 0; c < carried.Length; c++)
                    {
                        copied[c] = carried[c] < row.ColCount ? row[carried[c]].ToString() : "";
                    }

                    cells.Add(copied);
                }

                if (applicants.Count == 0 && !first)
                {
                    break;
                }

                // Each chunk is committed before it is written: no row leaves the server unrecorded. A store failure on
                // the first chunk is a 503 (nothing sent yet); later, the response is cut short after the recorded rows.
                var results = await run.DecideAsync(applicants);
                await response.WriteAsync(Write(cells, results, carried, header: first), Encoding.UTF8, _cancel);
                first = false;
            }

            run.Finish();
        }

        /// <summary>
        /// One chunk's rows as CSV text (the writer owns and closes its TextWriter, so one per chunk). Every cell, the
        /// header's included, is made safe to open in a spreadsheet (<see cref="SpreadsheetSafe"/>); the numeric columns
        /// are the model's number attributes and probabilityOfDefault.
        /// </summary>
        private string Write(List<string[]> cells, ScoreResult[] results, int[] carried, bool header)
        {
            var text = new StringWriter(CultureInfo.InvariantCulture);
            // The header as a row of its own: Sep writes its column names as given, and a column name can be a formula too.
            using (var writer = Sep.New(_layout.Separator).Writer(o => o with { WriteHeader = false, Escape = true }).To(text))
            {
                if (header)
                {
                    using var names = writer.NewRow();
                    foreach (var name in carried.Select(c => _layout.Header[c]).Concat(ResultColumns))
                    {
                        names[name].Set(SpreadsheetSafe(name, numeric: false));
                    }
                }

                for (var i = 0; i < results.Length; i++)
                {
                    using var row = writer.NewRow();
                    for (var c = 0; c < carried.Length; c++)
                    {
                        row[_layout.Header[carried[c]]].Set(SpreadsheetSafe(cells[i][c], _layout.IsNumber(carried[c])));
                    }

                    var result = results[i];
                    row[ResultColumns[0]].Set(result.ProbabilityOfDefault.ToString("R", CultureInfo.InvariantCulture));
                    row[ResultColumns[1]].Set(SpreadsheetSafe(result.Decision, numeric: false));
                    row[ResultColumns[2]].Set(SpreadsheetSafe(string.Join(' ', result.Reasons.Select(r => r.Code)), numeric: false));
                    row[ResultColumns[3]].Set(SpreadsheetSafe(string.Join("; ", result.Reasons.Select(r => r.Text)), numeric: false));
                    // Empty when recording is off (Records:Enabled=false).
                    row[ResultColumns[4]].Set(result.DecisionId?.ToString() ?? "");
                    // Numbers, never text: a negative profit is data, not a formula, so no apostrophe.
                    row[ResultColumns[5]].Set(Number(result.Threshold));
                    row[ResultColumns[6]].Set(Number(result.Money?.ExpectedProfit));
                    row[ResultColumns[7]].Set(Number(result.Money?.Loss));
                    row[ResultColumns[8]].Set(Number(result.Money?.Margin));
                    row[ResultColumns[9]].Set(Number(result.Points));
                    row[ResultColumns[10]].Set(SpreadsheetSafe(string.Join(" ", result.ReferReasons ?? []), numeric: false));
                }
            }

            return text.ToString();
        }

        private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
    }
}
