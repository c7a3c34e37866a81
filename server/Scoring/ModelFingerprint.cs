namespace CreditRisk.Server.Scoring;

/// <summary>What a model file and its golden rows look like on disk: a change means a new file to verify.</summary>
public readonly record struct ModelFingerprint(string Path, long Length, DateTime Written, long GoldenLength, DateTime GoldenWritten)
{
    public static ModelFingerprint Of(string path)
    {
        var file = new FileInfo(path);
        var golden = new FileInfo(System.IO.Path.Combine(file.DirectoryName ?? ".", "golden.json"));
        return new(path, file.Exists ? file.Length : -1, file.Exists ? file.LastWriteTimeUtc : default,
            golden.Exists ? golden.Length : -1, golden.Exists ? golden.LastWriteTimeUtc : default);
    }
}
