using CreditRisk.Contracts;
using Google.Protobuf;
using Onnx;

namespace CreditRisk.Trainer.Export;

/// <summary>
/// Appends the decision to an exported graph, so the file alone gives every runtime the lender's decision: beside
/// <c>Probability.output</c>, per applicant, the threshold, the decision, the expected profit of approving, the loss
/// and margin it came from, and the points score (<see cref="ModelMetadataKeys.Outputs"/>). With loan-level economics
/// (<see cref="LoanEconomicsSpec"/>) the amounts come from the applicant's own inputs, in the float operations, in the
/// order, of <see cref="LoanEconomics.Amounts(LoanEconomicsSpec, float, float, float)"/>; where they cannot be computed
/// (a missing or non-positive amount, rate or term, an unmapped term) the amounts are NaN and the threshold is the
/// constant one (the card's threshold), so the decision is never NaN. With constant costs the loss and
/// margin are the two constants and the threshold is the selected one: the decision is today's rule.
/// </summary>
public static class OnnxEconomics
{
    /// <summary>Names of every node, value and initializer the economics add.</summary>
    public const string Prefix = "economics/";

    public static byte[] Append(byte[] onnx, DatasetSpec spec, double fallbackThreshold)
    {
        var model = ModelProto.Parser.ParseFrom(onnx);
        var graph = model.Graph;
        var pd = ModelMetadataKeys.ProbabilityOutput;
        var pdInfo = graph.Output.Single(o => o.Name == pd);
        var n = 0;

        string Constant(string name, float value)
        {
            var tensor = new TensorProto { Name = Prefix + name, DataType = (int)TensorProto.Types.DataType.Float };
            tensor.FloatData.Add(value);
            graph.Initializer.Add(tensor);
            return tensor.Name;
        }

        string Node(string op, string result, params string[] inputs)
        {
            var node = new NodeProto { OpType = op, Name = Prefix + op.ToLowerInvariant() + "_" + n++ };
            node.Input.AddRange(inputs);
            node.Output.Add(result.Contains('.', StringComparison.Ordinal) ? result : Prefix + result);
            graph.Node.Add(node);
            return node.Output[0];
        }

        var zero = Constant("zero", 0f);
        var one = Constant("one", 1f);
        var fallback = Constant("fallbackThreshold", (float)fallbackThreshold);
        var pdTimesZero = Node("Mul", "pdTimesZero", pd, zero);
        string Broadcast(string name, string value) => Node("Add", name, pdTimesZero, value);

        string loss, margin, threshold;
        if (spec.Costs.Loan is { } loan)
        {
            var nan = Constant("nan", float.NaN);
            var exposure = loan.Exposure;
            var yearly = loan.ConstantRate is { } rate
                ? Broadcast("yearlyRate", Constant("constantRate", (float)rate))
                : Node("Mul", "yearlyRate", loan.Rate!, Constant("rateScale", LoanEconomics.RateScale(loan)));
            var months = loan.TermMonths is { } map ? TermMonths(graph, spec, loan, map, Node) : loan.Term;
            var r = Node("Div", "monthlyRate", yearly, Constant("twelve", 12f));
            var growth = Node("Pow", "growth", Node("Add", "onePlusRate", one, r), Node("Neg", "minusMonths", months));
            var payment = Node("Div", "payment", Node("Mul", "principalTimesRate", exposure, r), Node("Sub", "oneMinusGrowth", one, growth));
            var total = Node("Mul", "totalPayments", months, payment);
            var interest = Node("Sub", "interest", total, exposure);
            var funded = Node("Mul", "interestNetOfFunding", interest,
                Node("Sub", "shareAfterFunding", one, Node("Div", "fundingOverRate", Constant("monthlyFundingRate", (float)(loan.FundingRate / 12)), r)));
            var fees = Node("Add", "fees", Node("Mul", "servicing", Constant("servicingFee", (float)loan.ServicingFee), total), Constant("costPerLoan", (float)loan.CostPerLoan));
            var rawMargin = Node("Sub", "rawMargin", funded, fees);
            var rawLoss = Node("Mul", "rawLoss", exposure, Constant("lossGivenDefault", (float)loan.LossGivenDefault));

            // Valid: exposure > 0, rate > 0, months > 0 (NaN compares false), and finite amounts.
            var finite = Node("Not", "notFinite", Node("Or", "nanOrInf",
                Node("IsNaN", "marginIsNaN", rawMargin), Node("IsInf", "marginIsInf", rawMargin)));
            var valid = Node("And", "valid",
                Node("And", "validInputs",
                    Node("And", "validExposureRate", Node("Greater", "exposurePositive", exposure, zero), Node("Greater", "ratePositive", r, zero)),
                    Node("Greater", "monthsPositive", months, zero)),
                finite);
            var loanThreshold = Node("Where", "loanThreshold",
                Node("Greater", "marginPositive", rawMargin, zero),
                Node("Div", "bayesThreshold", rawMargin, Node("Add", "marginPlusLoss", rawMargin, rawLoss)),
                zero);
            threshold = Node("Where", ModelMetadataKeys.ThresholdOutput, valid, loanThreshold, Broadcast("fallback", fallback));
            loss = Node("Where", ModelMetadataKeys.LossOutput, valid, rawLoss, nan);
            margin = Node("Where", ModelMetadataKeys.MarginOutput, valid, rawMargin, nan);
        }
        else
        {
            threshold = Node("Add", ModelMetadataKeys.ThresholdOutput, pdTimesZero, fallback);
            loss = Node("Add", ModelMetadataKeys.LossOutput, pdTimesZero, Constant("costFalseNegative", (float)spec.Costs.FalseNegative));
            margin = Node("Add", ModelMetadataKeys.MarginOutput, pdTimesZero, Constant("costFalsePositive", (float)spec.Costs.FalsePositive));
        }

        // (1 − PD)·margin − PD·loss, as LoanAmounts.ExpectedProfit.
        Node("Sub", ModelMetadataKeys.ExpectedProfitOutput,
            Node("Mul", "goodTimesMargin", Node("Sub", "goodProbability", one, pd), margin),
            Node("Mul", "badTimesLoss", pd, loss));
        Node("Not", ModelMetadataKeys.ApproveOutput, Node("Greater", "rejects", pd, threshold));

        // Points: offset + factor · ln((1 − p) / p), p clipped to [ε, 1 − ε], as PointsScale.Points.
        var scale = spec.Costs.Points ?? PointsScale.Default;
        var clipped = Node("Clip", "pointsPd", pd, Constant("pointsEpsilon", PointsScale.Epsilon), Constant("pointsOneMinusEpsilon", 1 - PointsScale.Epsilon));
        var odds = Node("Div", "goodBadOdds", Node("Sub", "pointsGood", one, clipped), clipped);
        Node("Add", ModelMetadataKeys.PointsOutput, Constant("pointsOffset", (float)scale.Offset),
            Node("Mul", "pointsScaled", Constant("pointsFactor", (float)scale.Factor), Node("Log", "logOdds", odds)));

        foreach (var name in ModelMetadataKeys.Outputs.Skip(1))
        {
            var info = pdInfo.Clone();
            info.Name = name;
            info.Type.TensorType.ElemType = (int)(name == ModelMetadataKeys.ApproveOutput ? TensorProto.Types.DataType.Bool : TensorProto.Types.DataType.Float);
            graph.Output.Add(info);
        }

        // Clip takes its bounds as inputs, and IsInf exists, from opset 11 on.
        foreach (var opset in model.OpsetImport.Where(o => o.Domain.Length == 0 && o.Version < 11))
        {
            opset.Version = 11;
        }

        return model.ToByteArray();
    }

    /// <summary>Months of a category term: OneHotEncoder over the mapped values (an unmapped or missing one encodes as
    /// zeros) · the months vector, so an unmapped term gives 0 months, which is not valid.</summary>
    private static string TermMonths(GraphProto graph, DatasetSpec spec, LoanEconomicsSpec loan, IReadOnlyDictionary<string, int> map,
        Func<string, string, string[], string> node)
    {
        var keys = spec.Find(loan.Term)!.Values.Select(v => v.Value).Where(map.ContainsKey).ToArray();
        var oneHot = new NodeProto { OpType = "OneHotEncoder", Domain = "ai.onnx.ml", Name = Prefix + "termOneHot" };
        oneHot.Input.Add(loan.Term);
        oneHot.Output.Add(Prefix + "termOneHot");
        oneHot.Attribute.Add(new AttributeProto { Name = "cats_strings", Type = AttributeProto.Types.AttributeType.Strings, Strings = { keys.Select(ByteString.CopyFromUtf8) } });
        oneHot.Attribute.Add(new AttributeProto { Name = "zeros", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(oneHot);
        // onnx's checker (full_check, strict type inference) infers no type for OneHotEncoder's output, and the MatMul
        // below needs one: declare it (float; the shape, [N, 1, values], is left to the runtime).
        graph.ValueInfo.Add(new ValueInfoProto
        {
            Name = oneHot.Output[0],
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        });

        var months = new TensorProto { Name = Prefix + "termMonthsVector", DataType = (int)TensorProto.Types.DataType.Float, Dims = { keys.Length, 1 } };
        months.FloatData.AddRange(keys.Select(k => (float)map[k]));
        graph.Initializer.Add(months);
        var shape = new TensorProto { Name = Prefix + "termShape", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 2 } };
        shape.Int64Data.AddRange([-1, 1]);
        graph.Initializer.Add(shape);
        return node("Reshape", "termMonths", [node("MatMul", "termMonths3d", [oneHot.Output[0], months.Name]), shape.Name]);
    }
}
