namespace CreditRisk.Server.Tests;

internal static class Paths
{
    /// <summary>The repository root: the folder holding CreditRisk.sln above the test binaries.</summary>
    public static string RepoRoot { get; } = Find();

    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "CreditRisk.Server.dll");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CreditRisk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CreditRisk.sln not found above " + AppContext.BaseDirectory);
    }
}
