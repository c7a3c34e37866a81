using CreditRisk.Server.Hosting;

namespace CreditRisk.Server.Model;

/// <summary>The model file cannot be served. The message is one line naming the file and the problem, printed at start-up.</summary>
public sealed class ModelLoadException(string path, string problem, Exception? inner = null)
    : StartupException(OneLine($"Cannot load model '{path}': {problem}"), inner)
{
    public override string Line => Message;
}
