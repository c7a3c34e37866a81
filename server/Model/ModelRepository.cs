using System.Globalization;

namespace CreditRisk.Server.Model;

/// <summary>One model file the repository offers: the model's name (its folder), the version folder (null for a
/// model kept directly in its folder) and the path of the ONNX file.</summary>
public sealed record RepositoryEntry(string Name, long? Folder, string Path)
{
    /// <summary>The version folder as the repository API names it ("1", "2", …; "" for an unnumbered model).</summary>
    public string FolderName => Folder?.ToString(CultureInfo.InvariantCulture) ?? "";
}

/// <summary>
/// Reads a model repository in Triton's layout: <c>&lt;repo&gt;/&lt;name&gt;/&lt;version&gt;/model.onnx</c> with
/// numbered version folders, of which the highest is served (Triton's default "latest 1" policy), or
/// <c>&lt;repo&gt;/&lt;name&gt;/model.onnx</c> for a model with one unnumbered version (artifacts/ as shipped, so the
/// image serves it as a repository without copying files). Any other folder (a <c>challenger/</c> beside the model)
/// is not a version. Only reads names; the files are verified when they are loaded.
/// </summary>
public static class ModelRepository
{
    public const string FileName = "model.onnx";

    /// <summary>The newest version of every model in the repository, by name (ordinal order).</summary>
    public static IReadOnlyList<RepositoryEntry> Scan(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new ModelLoadException(root, "is not a directory; Model:Repository must name the repository folder");
        }

        return [.. Directory.GetDirectories(root)
            .Select(d => Newest(System.IO.Path.GetFileName(d), d))
            .OfType<RepositoryEntry>()
            .OrderBy(e => e.Name, StringComparer.Ordinal)];
    }

    /// <summary>The newest version of one model, or null when the repository holds no such model.</summary>
    public static RepositoryEntry? Find(string root, string name) =>
        IsName(name) && Directory.Exists(System.IO.Path.Combine(root, name)) ? Newest(name, System.IO.Path.Combine(root, name)) : null;

    /// <summary>A model name is one path segment of letters, digits, '-', '_' and '.', so it never leaves the repository.</summary>
    public static bool IsName(string name) =>
        name.Length is > 0 and <= 64 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static RepositoryEntry? Newest(string name, string folder)
    {
        if (!IsName(name))
        {
            return null;
        }

        var numbered = Directory.GetDirectories(folder)
            .Select(d => (Dir: d, Number: long.TryParse(System.IO.Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1))
            .Where(v => v.Number > 0 && File.Exists(System.IO.Path.Combine(v.Dir, FileName)))
            .OrderByDescending(v => v.Number)
            .FirstOrDefault();
        if (numbered.Dir is not null)
        {
            return new RepositoryEntry(name, numbered.Number, System.IO.Path.Combine(numbered.Dir, FileName));
        }

        var direct = System.IO.Path.Combine(folder, FileName);
        return File.Exists(direct) ? new RepositoryEntry(name, null, direct) : null;
    }
}
