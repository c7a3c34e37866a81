using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Selection;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace CreditRisk.Trainer.Export;

/// <summary>The numeric split thresholds of a fitted tree ensemble, per raw numeric attribute (empty for linear models).</summary>
public static class TreeSplits
{
    /// <summary>The union of the members' split thresholds.</summary>
    public static IReadOnlyDictionary<string, float[]> Find(FittedModel model) =>
        model.Members.SelectMany(m => Find(m, model.Spec))
            .GroupBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(kv => kv.Value).Distinct().Order().ToArray());

    public static IReadOnlyDictionary<string, float[]> Find(ITransformer model, DatasetSpec spec)
    {
        var inputSchema = new CreditDataView(spec, [], withLabel: false).Schema;
        var result = new Dictionary<string, SortedSet<float>>();
        if (model is not IEnumerable<ITransformer> chain)
        {
            return new Dictionary<string, float[]>();
        }

        var schema = inputSchema;
        foreach (var transformer in chain)
        {
            if (transformer is ISingleFeaturePredictionTransformer<object> predictor && Ensemble(predictor.Model) is { } ensemble)
            {
                var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
                schema[predictor.FeatureColumnName].GetSlotNames(ref slotNames);
                var names = slotNames.DenseValues().Select(n => n.ToString()).ToArray();
                foreach (var tree in ensemble)
                {
                    for (var node = 0; node < tree.NumericalSplitFeatureIndexes.Count; node++)
                    {
                        // A categorical split (LightGBM's, on a one-hot block) has no numeric threshold: its feature
                        // index is -1 and its categories are elsewhere. The golden rows' category values cover it.
                        if (tree.CategoricalSplitFlags[node])
                        {
                            continue;
                        }

                        // An imputed number reaches the learner as "<name>.imputed"; its splits are on the raw value too.
                        var name = names[tree.NumericalSplitFeatureIndexes[node]];
                        name = name.EndsWith(".imputed", StringComparison.Ordinal) ? name[..^".imputed".Length] : name;
                        if (spec.Find(name) is { IsNumber: true, Role: FeatureRole.Feature })
                        {
                            if (!result.TryGetValue(name, out var set))
                            {
                                result[name] = set = [];
                            }

                            set.Add(tree.NumericalSplitThresholds[node]);
                        }
                    }
                }
            }

            schema = transformer.GetOutputSchema(schema);
        }

        return result.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }

    private static IEnumerable<RegressionTreeBase>? Ensemble(object model) =>
        model switch
        {
            TreeEnsembleModelParametersBasedOnRegressionTree trees => trees.TrainedTreeEnsemble.Trees,
            TreeEnsembleModelParametersBasedOnQuantileRegressionTree forest => forest.TrainedTreeEnsemble.Trees,
            CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator> c => c.SubModel.TrainedTreeEnsemble.Trees,
            CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator> c => c.SubModel.TrainedTreeEnsemble.Trees,
            _ => null,
        };
}
