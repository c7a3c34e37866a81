using Microsoft.Extensions.Options;
using Prometheus;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// The disk budget for spooled text/csv uploads (Scoring:MaxCsvSpoolBytes), shared by all requests. An upload takes
/// its share after its batch permit and before it spools (<see cref="CsvBatch"/>); disposing the reservation (with the
/// response, after the spool file is deleted) gives the bytes back. Without a budget 40 slow 30 MB uploads held 1.2 GB
/// of temporary files.
/// </summary>
public sealed class CsvSpoolBudget(IOptions<ScoringOptions> options)
{
    private static readonly Counter Refused = Metrics.CreateCounter(
        "creditrisk_csv_spool_refused_total", "text/csv uploads refused with 503 because the disk budget for spooled uploads (Scoring:MaxCsvSpoolBytes) was full.");

    private readonly long _budget = options.Value.MaxCsvSpoolBytes;

    // Bytes of text/csv uploads reserved on disk right now, across all requests (at most _budget).
    private long _spooled;

    public Reservation Reserve() => new(this);

    public sealed class Reservation(CsvSpoolBudget budget) : IDisposable
    {
        private long _bytes;

        /// <summary>Grows this upload's share to <paramref name="total"/> bytes; false (and nothing more taken) when the budget has no room.</summary>
        public bool TryGrowTo(long total)
        {
            var more = total - _bytes;
            if (more <= 0)
            {
                return true;
            }

            // Add, then undo if over: concurrent uploads can only be refused too eagerly, never admitted past the budget.
            if (Interlocked.Add(ref budget._spooled, more) > budget._budget)
            {
                Interlocked.Add(ref budget._spooled, -more);
                Refused.Inc();
                return false;
            }

            _bytes = total;
            return true;
        }

        public void Dispose()
        {
            Interlocked.Add(ref budget._spooled, -_bytes);
            _bytes = 0;
        }
    }
}
