using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Export;
using CreditRisk.Trainer.Selection;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace CreditRisk.Trainer.Tests;

/// <summary>
/// Issue 31's crash at 100k rows: above 50,000 training rows ML.NET turns LightGBM's categorical splits on by itself,
/// and a categorical split node has feature index −1, which <see cref="TreeSplits"/> used to index its slot names with
/// (IndexOutOfRangeException in the export). The cause is reproduced small: German Credit with categorical splits
/// asked for, and the candidate itself on 51,000 rows.
/// </summary>
public class TreeSplitsTests
{
    private static IEnumerable<RegressionTreeBase> Trees(ITransformer model) =>
        ((IEnumerable<ITransformer>)model).OfType<ISingleFeaturePredictionTransformer<object>>()
            .Select(p => p.Model).OfType<CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator>>()
            .SelectMany(c => c.SubModel.TrainedTreeEnsemble.Trees);

    [Fact]
    public void Categorical_split_nodes_are_skipped_and_every_numeric_threshold_is_found()
    {
        var spec = TestData.Spec;
        var ml = new MLContext(seed: 42);
        var categories = spec.Inputs.Where(f => f.IsCategory).Select(f => new InputOutputColumnPair(f.Name + ".onehot", f.Name)).ToArray();
        string[] numbers = [.. spec.Inputs.Where(f => f.IsNumber).Select(f => f.Name)];
        var pipeline = ml.Transforms.Categorical.OneHotEncoding(categories)
            .Append(ml.Transforms.Concatenate("Features", [.. categories.Select(c => c.OutputColumnName), .. numbers]))
            .Append(ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                LabelColumnName = CreditDataView.LabelColumn,
                NumberOfLeaves = 8,
                NumberOfIterations = 30,
                UseCategoricalSplit = true,
                NumberOfThreads = 1,
                Seed = 1,
                Silent = true,
            }));
        var model = pipeline.Fit(new CreditDataView(spec, TestData.Rows, withLabel: true));
        var trees = Trees(model).ToArray();
        Assert.Contains(trees, t => t.CategoricalSplitFlags.Any(c => c)); // the cause is there

        var splits = TreeSplits.Find(model, spec);

        // Exactly the numeric nodes' thresholds, under the numeric attributes' names (the numbers close the vector).
        var vector = (Microsoft.ML.Data.VectorDataViewType)model.GetOutputSchema(new CreditDataView(spec, [], withLabel: false).Schema)["Features"].Type;
        var first = vector.Size - numbers.Length;
        var numericNodes = trees.SelectMany(t => Enumerable.Range(0, t.NumberOfNodes)
            .Where(n => !t.CategoricalSplitFlags[n] && t.NumericalSplitFeatureIndexes[n] >= first)
            .Select(n => (Name: numbers[t.NumericalSplitFeatureIndexes[n] - first], Threshold: t.NumericalSplitThresholds[n])));
        var expected = numericNodes.GroupBy(n => n.Name).ToDictionary(g => g.Key, g => g.Select(n => n.Threshold).Distinct().Order().ToArray());
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.Order(), splits.Keys.Order());
        Assert.All(expected, kv => Assert.Equal(kv.Value, splits[kv.Key]));
    }

    [Fact]
    public void The_lightgbm_candidate_keeps_numeric_splits_above_50000_rows_and_exports_verified()
    {
        // 51,000 rows: German Credit 51 times. The row count, not the values, is what switched the learner.
        var rows = Enumerable.Repeat(TestData.Rows, 51).SelectMany(r => r).ToArray();
        var training = new Training(TestData.Spec, seed: 42);
        var candidate = Candidate.OnePerFamily().Single(c => c.Kind == LearnerKind.LightGbm);
        var model = training.Fit(candidate, rows);
        Assert.DoesNotContain(Trees(model), t => t.CategoricalSplitFlags.Any(c => c));

        var golden = Golden.Rows(TestData.Spec, TestData.Rows, TreeSplits.Find(model, TestData.Spec));
        Assert.Contains(golden, g => g.Kind == "split");
        var onnx = OnnxExport.Convert(training.NewContext(), model, TestData.Spec, TestData.Rows);
        OnnxExport.Verify(onnx, model, TestData.Spec, [.. golden.Select(g => g.Record)], CostMatrix.Default.BayesThreshold);
    }
}
