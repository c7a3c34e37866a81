using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace CreditRisk.Server.Hosting;

public static class TrainingReport
{
    /// <summary>
    /// Serves the trainer's report.md, the model card (model-card.md) and the PNG charts at /artifacts for the scoring page's Model tab. Only those
    /// two file types: the model file itself is not offered for download.
    /// </summary>
    public static IApplicationBuilder UseTrainingReport(this IApplicationBuilder app)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts");
        if (!Directory.Exists(folder))
        {
            return app;
        }

        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(folder),
            RequestPath = "/artifacts",
            ContentTypeProvider = new FileExtensionContentTypeProvider(new Dictionary<string, string>
            {
                [".png"] = "image/png",
                [".md"] = "text/markdown; charset=utf-8",
            }),
        });
    }
}
