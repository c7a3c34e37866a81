using System.Diagnostics;
using System.Reflection;

namespace CreditRisk.Client.Tests;

/// <summary>
/// The client as a user gets it: `dotnet pack` makes CreditRisk.Client.&lt;version&gt;.nupkg, a fresh console project
/// in a temporary folder outside the repository installs it from a local package folder (its own packages folder,
/// so nothing is taken from a cache) and runs the docs' C# example against the live server (score, a batch outcome
/// with the key, a typed 400); the same project with a field left out does not compile.
/// </summary>
public sealed class InstallTests(LiveServer server) : IClassFixture<LiveServer>
{
    private const string Version = "1.0.0";

    /// <summary>The C# example of docs/polyglot.md, as written: the test runs it with the live server's address and key.</summary>
    private static string Program()
    {
        var docs = File.ReadAllText(Path.Combine(LiveServer.RepositoryRoot(), "docs", "polyglot.md"));
        var section = docs[docs.IndexOf("#### C#", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var code = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        Assert.Contains("\"http://127.0.0.1:5000\"", code, StringComparison.Ordinal);
        Assert.Contains("\"<your ApiKey:Key>\"", code, StringComparison.Ordinal);
        return code.Replace("\"http://127.0.0.1:5000\"", "args[0]", StringComparison.Ordinal)
            .Replace("\"<your ApiKey:Key>\"", "args[1]", StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_packed_client_installs_in_a_fresh_project_runs_the_docs_example_and_refuses_an_incomplete_applicant_at_compile_time()
    {
        var root = LiveServer.RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("creditrisk-client-install-");
        try
        {
            Assert.False(work.FullName.StartsWith(root, StringComparison.Ordinal), "the fresh project must be outside the repository");
            var feed = Path.Combine(work.FullName, "feed");
            // --no-build: the client was built with this test project, in its configuration; packing must not rebuild it
            // while other test projects run.
            var configuration = typeof(InstallTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
            var pack = await Dotnet(root, "pack", Path.Combine(root, "clients", "csharp", "CreditRisk.Client"), "-c", configuration, "--no-build", "-o", feed, "-nologo");
            Assert.True(pack.Code == 0, pack.Output);
            Assert.True(File.Exists(Path.Combine(feed, $"CreditRisk.Client.{Version}.nupkg")), pack.Output);

            var app = Directory.CreateDirectory(Path.Combine(work.FullName, "app")).FullName;
            // The local folder for the client; the configured feed stays for anything else the build needs.
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <RestorePackagesPath>{Path.Combine(work.FullName, "packages")}</RestorePackagesPath>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="CreditRisk.Client" Version="{Version}" />
                  </ItemGroup>
                </Project>
                """);
            var program = Program();
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);
            var run = await Dotnet(app, "run", "--", server.BaseAddress.ToString(), LiveServer.ApiKey);
            Assert.True(run.Code == 0, run.Output);
            Assert.Matches(@"PD 0[.,]\d{4} → (Approve|Reject)", run.Output);
            Assert.Contains("outcome 200", run.Output, StringComparison.Ordinal);
            Assert.Contains("durationMonths", run.Output, StringComparison.Ordinal);

            // Leave out DurationMonths (a model input): a compile error naming the member, so no program exists that could send it.
            Assert.Contains(" DurationMonths = 6,", program, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program.Replace(" DurationMonths = 6,", "", StringComparison.Ordinal));
            var build = await Dotnet(app, "build", "-nologo");
            Assert.NotEqual(0, build.Code);
            Assert.Contains("CS9035", build.Output, StringComparison.Ordinal);
            Assert.Contains("Applicant.DurationMonths", build.Output, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Runs the dotnet CLI as a user would, without the test host's MSBuild environment.</summary>
    private static async Task<(int Code, string Output)> Dotnet(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", args)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in new[] { "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH", "VSTEST_HOST_DEBUG" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
