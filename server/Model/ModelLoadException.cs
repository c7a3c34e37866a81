namespace CreditRisk.Server.Model;

/// <summary>The model file cannot be served. The message is one line naming the file and the problem, printed at start-up.</summary>
public sealed class ModelLoadException : Exception
{
    public ModelLoadException(string path, string problem, Exception? inner = null)
        : base(OneLine($"Cannot load model '{path}': {problem}"), inner)
    {
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
