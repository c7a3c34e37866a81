namespace CreditRisk.Server.Model;

/// <summary>
/// One applicant's decision as the ONNX graph computes it beside the PD (docs/economics.md): the applicant's own PD
/// threshold, approve or not, the expected profit of approving and the loss and margin it comes from (in the card's
/// currency with loan-level economics, in cost units with constant costs; NaN where the applicant's economics cannot
/// be computed, and then the threshold is the card's). The server answers with these, so every runtime that loads the
/// file decides alike. (The graph's points are not read: the scorer computes them from the PD with the same formula.)
/// </summary>
public readonly record struct GraphDecision(float Threshold, bool Approve, float ExpectedProfit, float Loss, float Margin);
