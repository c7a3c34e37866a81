using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Tests;

/// <summary>--family cuts the grid to one learner family (a single-family model such as the German challenger).</summary>
public class FamilyOptionTests
{
    [Fact]
    public void Family_keeps_only_that_familys_candidates_and_without_it_every_family_is_kept()
    {
        var grid = TrainerOptions.Parse(["--family", "LogisticRegression"]).Grid();

        Assert.NotEmpty(grid);
        Assert.All(grid, c => Assert.Equal(LearnerKind.LogisticRegression, c.Kind));
        Assert.Equal(Candidate.Grid(quick: false).Count(c => c.Kind == LearnerKind.LogisticRegression), grid.Count);
        Assert.Equal(Candidate.Grid(quick: false).Select(c => c.Name), TrainerOptions.Parse([]).Grid().Select(c => c.Name));
    }

    [Fact]
    public void An_unknown_family_is_a_bad_argument() =>
        Assert.Throws<ArgumentException>(() => TrainerOptions.Parse(["--family", "Svm"]));
}
