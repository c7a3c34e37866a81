using CreditRisk.Trainer;

// CreditRisk trainer (TrainerCommandLine has the commands and their options; --help lists them).
// Default command, TrainerRun.Train, for the data set --dataset names (default German Credit):
//   1. load the spec and its CSV   2. cross-validate the candidates   3. select members and threshold
//   4. refit on all rows           5. export ONNX (+ card, golden rows, proven in ONNX Runtime)   6. report
// `--nested` runs the nested cross-validation (its own command, minutes), whose cached result the default run reports.
// `init <csv> --target <column> --bad <value>` drafts a spec from a CSV.
return TrainerCommandLine.Run(args);
