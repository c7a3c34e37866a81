namespace CreditRisk.Trainer;

/// <summary>The analyst's report (Markdown + charts) and the machine-readable training summary.</summary>
public static class Report
{
    public static void Write(TrainerOptions options, CreditData data, TrainingOutcome outcome)
    {
        _ = options;
        _ = data;
        _ = outcome;
    }
}
