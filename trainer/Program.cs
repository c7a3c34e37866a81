using CreditRisk.Trainer;

// CreditRisk trainer. Default command: load the spec and its CSV → cross-validate candidates → select model and
// threshold → refit on all rows → export ONNX (+ card, golden rows) → report. `--nested` runs the nested
// cross-validation (its own command, minutes) whose cached result the default run reports. See TrainerOptions.Usage.
var options = TrainerOptions.Parse(args);
if (options.Nested)
{
    TrainerRun.Nested(options);
}
else
{
    TrainerRun.Train(options);
}
