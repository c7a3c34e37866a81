using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CreditRisk.Contracts;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

/// <summary>Fills the score form from a request-shaped applicant as an analyst would: by each attribute's label, choosing value labels.</summary>
internal static class FormFiller
{
    public static async Task FillAsync(IPage page, DatasetSpec spec, IReadOnlyDictionary<string, JsonElement> applicant)
    {
        foreach (var feature in spec.Features)
        {
            if (!applicant.TryGetValue(feature.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var control = page.Locator($"#f-{feature.Name}");
            // The label names the control exactly (optional ones add " (optional)").
            var label = page.Locator("label", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(feature.Text) + "( \\(optional\\))?$") });
            Assert.Equal($"f-{feature.Name}", await label.GetAttributeAsync("for"));
            if (feature.IsCategory)
            {
                var text = feature.Values.Single(v => v.Value == value.GetString()).Text;
                await control.SelectOptionAsync(new SelectOptionValue { Label = text });
            }
            else
            {
                await control.FillAsync(value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString("R", CultureInfo.InvariantCulture) : value.GetString()!);
            }
        }
    }

    /// <summary>The legends the form shows: the spec's groups in first-mention order, capitalised.</summary>
    public static string[] Legends(DatasetSpec spec) =>
        [.. spec.Features.Select(f => f.Group).Distinct().OrderBy(g => g is null).Select(g => g is null ? "Other" : char.ToUpperInvariant(g[0]) + g[1..])];

    public static async Task<ScoreResult> ScoreViaApiAsync(HttpClient http, IReadOnlyDictionary<string, JsonElement> applicant)
    {
        using var response = await http.PostAsJsonAsync("api/v1/score", applicant, JsonSerializerOptions.Web);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ScoreResult>(JsonSerializerOptions.Web))!;
    }

    public static async Task<IReadOnlyDictionary<string, JsonElement>> ExampleAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<ModelInfo>("api/v1/model", JsonSerializerOptions.Web))!.ExampleApplicant;
}
