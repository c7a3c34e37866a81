using System.Diagnostics;
using System.Reflection;

namespace CreditRisk.Client.Tests;

/// <summary>
/// The client as a user gets it: `dotnet pack` makes CreditRisk.Client.&lt;version&gt;.nupkg, a fresh console project
/// in a temporary folder outside the repository installs it from a local package folder (its own packages folder,
/// so nothing is taken from a cache) and scores against the live server; the same project with a field left out
/// does not compile.
/// </summary>
public sealed class InstallTests(LiveServer server) : IClassFixture<LiveServer>
{
    private const string Version = "1.0.0";

    private const string Program = """
        using CreditRisk.Client;

        var client = new CreditRiskClient(new HttpClient { BaseAddress = new Uri(args[0]) });
        var applicant = new Applicant
        {
            CheckingAccount = ApplicantCheckingAccount.Below0, DurationMonths = 6, CreditHistory = ApplicantCreditHistory.Critical,
            Purpose = ApplicantPurpose.RadioTv, CreditAmount = 1169, Savings = ApplicantSavings.Unknown,
            EmploymentSince = ApplicantEmploymentSince._7yOrMore, InstallmentRate = 4, PersonalStatusSex = ApplicantPersonalStatusSex.MaleSingle,
            OtherDebtors = ApplicantOtherDebtors.None, ResidenceSince = 4, Property = ApplicantProperty.RealEstate, Age = 67,
            OtherInstallmentPlans = ApplicantOtherInstallmentPlans.None, Housing = ApplicantHousing.Own, ExistingCredits = 2,
            Job = ApplicantJob.Skilled, Dependents = 1, Telephone = ApplicantTelephone.Registered, ForeignWorker = ApplicantForeignWorker.Yes,
        };
        var result = await client.ScoreApplicantAsync(applicant);
        Console.WriteLine($"scored {result.ProbabilityOfDefault:R} {result.Decision}");
        """;

    [Fact]
    public async Task The_packed_client_installs_in_a_fresh_project_scores_and_refuses_an_incomplete_applicant_at_compile_time()
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
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), Program);
            var run = await Dotnet(app, "run", "--", server.BaseAddress.ToString());
            Assert.True(run.Code == 0, run.Output);
            Assert.Matches(@"scored 0\.\d+ (Approve|Reject)", run.Output);

            // Leave out DurationMonths (a model input): a compile error naming the member, so no program exists that could send it.
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), Program.Replace(" DurationMonths = 6,", "", StringComparison.Ordinal));
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
