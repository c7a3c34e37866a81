namespace CreditRisk.Reliability.Tests;

/// <summary>The server's build output, copied next to the tests with the shipped model (a project reference).</summary>
internal static class BuiltServer
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "CreditRisk.Server.dll");
}
