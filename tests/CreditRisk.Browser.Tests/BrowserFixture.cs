using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

/// <summary>
/// The real server on a loopback port (Kestrel, not the in-memory test server) and one headless Debian chromium,
/// shared by every browser test. Set CREDITRISK_BASE_URL to drive an already running server instead.
/// </summary>
public class BrowserFixture : IAsyncLifetime, IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private WebApplicationFactory<Program>? _factory;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public Uri BaseUrl { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    /// <summary>The repository root (where CreditRisk.sln is); screenshots go under its test-results/.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public const string ApiKey = "browser-test-key-0123456789";

    /// <summary>The server's SQLite folder (the decision store), deleted with the fixture.</summary>
    public string DataFolder { get; } = Directory.CreateTempSubdirectory("creditrisk-browser-records-").FullName;

    public static string ScreenshotDirectory => Path.Combine(RepositoryRoot, "test-results", "screenshots");

    /// <summary>The shipped data set whose model the server runs (artifacts/&lt;dataset&gt;/model.onnx).</summary>
    public virtual string Dataset => "german-credit";

    /// <summary>A model repository to serve (every shipped model by name, docs/model-lifecycle.md); null = <see cref="Dataset"/>'s file alone.</summary>
    public virtual string? Repository => null;

    /// <summary>The challenger scored in shadow, relative to the model's folder; none for a data set that ships none.</summary>
    public virtual string? Challenger => "challenger/model.onnx";

    /// <summary>Settings of this fixture's own on top of the shared ones (the Reviews tab's: a reviewer key, referral on).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>The served data set's spec (data/&lt;dataset&gt;/dataset.json, the same spec the model card carries).</summary>
    public CreditRisk.Contracts.DatasetSpec Spec => CreditRisk.Contracts.DatasetSpec.Load(Path.Combine(RepositoryRoot, "data", Dataset, "dataset.json"));

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Debian's chromium is not installed at {ChromiumPath}: run `apt-get install -y chromium` " +
                "(.ci/install.sh does). The browser tests drive that browser and never download one.");
        }

        var external = Environment.GetEnvironmentVariable("CREDITRISK_BASE_URL");
        if (!string.IsNullOrWhiteSpace(external))
        {
            BaseUrl = new Uri(external.TrimEnd('/') + "/");
        }
        else
        {
            var model = Path.Combine(AppContext.BaseDirectory, "artifacts", Dataset, "model.onnx");
            _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("Model:Path", model).UseSetting("Model:Repository", Repository ?? "")
                // The rate limiter is on by default; the page tests are not about it.
                .UseSetting("Limits:RateLimitPermits", "0").UseSetting("Limits:DrainSeconds", "0")
                // Its own decision store (deleted after), a key for posting outcomes, monitoring figures fresh each second.
                .UseSetting("Records:DataFolder", DataFolder).UseSetting("ApiKey:Key", ApiKey).UseSetting("Monitoring:RefreshSeconds", "1")
                // German Credit's shipped challenger in shadow, for the Monitoring tab's challenger panel.
                .UseSetting("Model:ChallengerPath", Challenger is null ? "" : Path.Combine(AppContext.BaseDirectory, "artifacts", Dataset, Challenger))
                .ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(Settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))));
            _factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            _factory.StartServer();
            var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
                ?? throw new InvalidOperationException("Kestrel reported no addresses.");
            var address = addresses.Addresses.FirstOrDefault() ?? throw new InvalidOperationException(
                "The server did not start listening. It refuses to start without a valid model " +
                "(Model:Path, here artifacts/<dataset>/model.onnx copied next to the build output); its own stderr line says why.");
            BaseUrl = new Uri(address.TrimEnd('/') + "/");
        }

        Http = new HttpClient { BaseAddress = BaseUrl };
        Directory.CreateDirectory(ScreenshotDirectory);

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }

    /// <summary>A fresh browser context and page at the given viewport; its console errors are collected.</summary>
    public async Task<BrowserPage> OpenAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new BrowserPage(context, page);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    public void Dispose()
    {
        Http?.Dispose();
        _factory?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataFolder))
        {
            Directory.Delete(DataFolder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CreditRisk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No CreditRisk.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>One page in its own context, with every console error and uncaught exception it produced.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    public BrowserPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                ConsoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => ConsoleErrors.Add($"uncaught: {error}");
    }

    public IPage Page { get; }

    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Opens the scoring page and waits until its form has been built from GET /api/v1/model.</summary>
    public async Task GotoScorePageAsync(string hash = "")
    {
        await Page.GotoAsync("/" + hash);
        await Page.Locator("body[data-ready='true']").WaitForAsync();
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true });

    public ValueTask DisposeAsync() => new(_context.CloseAsync());
}

[CollectionDefinition(Name)]
public sealed class BrowserSuite : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>The same page served with the shipped Lending Club model.</summary>
public sealed class LendingClubBrowserFixture : BrowserFixture
{
    public override string Dataset => "lending-club";

    public override string? Challenger => null;
}

/// <summary>The page served from a model repository holding both shipped models (German Credit the default, with its challenger).</summary>
public sealed class RepositoryBrowserFixture : BrowserFixture
{
    public override string? Repository => Path.Combine(AppContext.BaseDirectory, "artifacts");
}

[CollectionDefinition(Name)]
public sealed class RepositoryBrowserSuite : ICollectionFixture<RepositoryBrowserFixture>
{
    public const string Name = "browser-repository";
}

[CollectionDefinition(Name)]
public sealed class LendingClubBrowserSuite : ICollectionFixture<LendingClubBrowserFixture>
{
    public const string Name = "browser-lending-club";
}
