using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using CreditRisk.Server.Scoring;

namespace CreditRisk.Server.Tests;

/// <summary>
/// The server's folders are its layers (server/README.md): each may use only those below it, so a request's path reads
/// down the tree and there are no cycles. A reference is found three ways, because each misses something: the
/// compiled types (signatures, base types, and every type, method and field their IL names), the source's
/// <c>using CreditRisk.Server.X</c> directives, and the source's namespace-qualified names (<c>Records.Foo</c>), which
/// also catch constants, inlined by the compiler and so absent from IL.
/// </summary>
public sealed partial class LayoutTests
{
    private const string Root = "CreditRisk.Server";

    /// <summary>Layer → the layers it may use. Program (the root namespace) may use all; nothing may use it.</summary>
    private static readonly Dictionary<string, string[]> MayUse = new()
    {
        ["Hosting"] = [],
        ["Api"] = ["Hosting"],
        ["Model"] = ["Api", "Hosting"],
        ["Health"] = ["Model", "Api", "Hosting"],
        ["Records"] = ["Health", "Model", "Api", "Hosting"],
        ["Scoring.Input"] = ["Model", "Api", "Hosting"],
        ["Scoring"] = ["Scoring.Input", "Records", "Health", "Model", "Api", "Hosting"],
        ["OpenInference"] = ["Scoring", "Scoring.Input", "Records", "Health", "Model", "Api", "Hosting"],
        // Monitoring and the challenger follow the version each model serves now, which the Scoring layer's registry knows.
        ["Monitoring"] = ["Scoring", "Scoring.Input", "Records", "Health", "Model", "Api", "Hosting"],
        ["Challenger"] = ["Monitoring", "Scoring", "Scoring.Input", "Records", "Health", "Model", "Api", "Hosting"],
        ["Lifecycle"] = ["Challenger", "Monitoring", "Scoring", "Scoring.Input", "Records", "Health", "Model", "Api", "Hosting"],
        ["OpenApi"] = ["Lifecycle", "Challenger", "Monitoring", "OpenInference", "Scoring", "Scoring.Input", "Records", "Health", "Model", "Api", "Hosting"],
    };

    private static readonly Assembly Server = typeof(DecisionPipeline).Assembly;

    [Fact]
    public void Every_server_namespace_is_a_layer_and_matches_its_folder()
    {
        var namespaces = Server.GetTypes().Select(t => Layer(t.Namespace)).Where(n => n is not null and not "").Distinct();
        Assert.All(namespaces, n => Assert.Contains(n!, MayUse.Keys));

        var misplaced = SourceFiles()
            .Select(f => (f.Path, Folder: FolderLayer(f.Path), Declared: DeclaredNamespace().Match(f.Text) is { Success: true } m ? m.Groups[1].Value : null))
            .Where(f => f.Declared is not null && f.Declared != (f.Folder.Length == 0 ? Root : $"{Root}.{f.Folder}"))
            .Select(f => $"{f.Path}: namespace {f.Declared}");
        Assert.Empty(misplaced);
    }

    [Fact]
    public void Compiled_types_use_only_the_layers_below_them()
    {
        var breaches = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in Server.GetTypes())
        {
            if (Layer(type.Namespace) is not { Length: > 0 } from || !MayUse.TryGetValue(from, out var allowed))
            {
                continue;
            }

            foreach (var used in UsedTypes(type))
            {
                if (Layer(used.Namespace) is { } to && to != from && !allowed.Contains(to))
                {
                    breaches.Add($"{type.FullName} ({from}) uses {used.FullName} ({(to.Length == 0 ? "the root" : to)})");
                }
            }
        }

        Assert.True(breaches.Count == 0, string.Join(Environment.NewLine, breaches));
    }

    [Fact]
    public void Source_files_name_only_the_layers_below_them()
    {
        var typesByLayer = Server.GetTypes()
            .Where(t => Layer(t.Namespace) is { Length: > 0 })
            .GroupBy(t => Layer(t.Namespace)!)
            .ToDictionary(g => g.Key, g => g.Select(t => t.Name.Split('`')[0]).ToHashSet(StringComparer.Ordinal));
        var breaches = new List<string>();
        foreach (var (path, text) in SourceFiles())
        {
            var from = FolderLayer(path);
            if (!MayUse.TryGetValue(from, out var allowed))
            {
                continue;
            }

            var code = Comment().Replace(text, "");
            foreach (Match m in UsingDirective().Matches(code))
            {
                Check(m.Groups[1].Value, "using");
            }

            // "Records.StoreUnavailableException", "CreditRisk.Server.Hosting.Hardening": a layer's name, then one of its types
            // ("Model.Version", a property, is not a reference to the Model layer).
            foreach (Match m in QualifiedName().Matches(code))
            {
                var layer = m.Groups[1].Value;
                if (typesByLayer.TryGetValue(layer, out var names) && (names.Contains(m.Groups[2].Value) || MayUse.ContainsKey($"{layer}.{m.Groups[2].Value}")))
                {
                    Check(MayUse.ContainsKey($"{layer}.{m.Groups[2].Value}") ? $"{layer}.{m.Groups[2].Value}" : layer, m.Value);
                }
            }

            void Check(string to, string how)
            {
                if (to != from && !allowed.Contains(to) && !(from.StartsWith(to + ".", StringComparison.Ordinal) && how == "using"))
                {
                    breaches.Add($"{path} ({from}): {how} {to}");
                }
            }
        }

        Assert.True(breaches.Count == 0, string.Join(Environment.NewLine, breaches.Distinct()));
    }

    /// <summary>The layer of a namespace: "Scoring.Input" for CreditRisk.Server.Scoring.Input, "" for the root, null outside the server.</summary>
    private static string? Layer(string? ns) =>
        ns == Root ? "" : ns?.StartsWith(Root + ".", StringComparison.Ordinal) == true ? ns[(Root.Length + 1)..] : null;

    private static string FolderLayer(string path) =>
        Path.GetDirectoryName(path)!.Replace(Path.DirectorySeparatorChar, '.').Replace('/', '.');

    /// <summary>
    /// Issue 27: a file does one job, so no server source is over 400 lines, and no page module either (the page's
    /// scripts are ES modules by section). CreditModel grew to 420 with the decision outputs before this test caught it.
    /// </summary>
    [Fact]
    public void No_server_source_or_page_module_is_over_400_lines()
    {
        var page = Path.Combine(Paths.RepoRoot, "server", "wwwroot");
        var scripts = Directory.EnumerateFiles(page, "*.js", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}vendor{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: Path.GetRelativePath(page, f), Text: File.ReadAllText(f)));
        var tooLong = SourceFiles().Concat(scripts)
            .Select(f => (f.Path, Lines: f.Text.Split('\n').Length - (f.Text.EndsWith('\n') ? 1 : 0)))
            .Where(f => f.Lines > 400)
            .Select(f => $"{f.Path}: {f.Lines} lines")
            .ToList();
        Assert.True(tooLong.Count == 0, string.Join("\n", tooLong));
        Assert.NotEmpty(scripts);
    }

    /// <summary>The server's C# sources, as paths relative to server/, with their text.</summary>
    private static IEnumerable<(string Path, string Text)> SourceFiles()
    {
        var server = Path.Combine(Paths.RepoRoot, "server");
        return Directory.EnumerateFiles(server, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(server, f))
            .Where(f => !f.StartsWith("bin", StringComparison.Ordinal) && !f.StartsWith("obj", StringComparison.Ordinal))
            .Select(f => (f, File.ReadAllText(Path.Combine(server, f))));
    }

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var used = new List<Type>();
        used.AddRange(type.GetInterfaces());
        if (type.BaseType is { } baseType)
        {
            used.Add(baseType);
        }

        used.AddRange(type.GetFields(All).Select(f => f.FieldType));
        used.AddRange(type.GetProperties(All).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            used.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info)
            {
                used.Add(info.ReturnType);
            }

            used.AddRange(TypesInBody(method));
        }

        return used.SelectMany(Expand).Distinct();
    }

    /// <summary>A type with its element and generic argument types (Task&lt;ScoreResult[]&gt; → ScoreResult too).</summary>
    private static IEnumerable<Type> Expand(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (var t in Expand(type.GetElementType()!))
            {
                yield return t;
            }
        }

        if (type.IsGenericType)
        {
            foreach (var t in type.GetGenericArguments().Where(a => !a.IsGenericParameter).SelectMany(Expand))
            {
                yield return t;
            }
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The types, and the declaring types of the methods and fields, that a method's IL names.</summary>
    private static IEnumerable<Type> TypesInBody(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var context = method.DeclaringType!;
        var typeArguments = context.IsGenericType ? context.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            var value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var op = OpCodesByValue[value];
            i += op.Size;
            var token = op.OperandType is OperandType.InlineType or OperandType.InlineTok or OperandType.InlineMethod or OperandType.InlineField
                ? BitConverter.ToInt32(il, i)
                : 0;
            i += OperandSize(op, il, i);
            if (token == 0)
            {
                continue;
            }

            MemberInfo? member;
            try
            {
                member = method.Module.ResolveMember(token, typeArguments, methodArguments);
            }
            catch (ArgumentException)
            {
                continue;
            }

            switch (member)
            {
                case Type t:
                    yield return t;
                    break;
                case MethodBase m when m.DeclaringType is { } declaring:
                    yield return declaring;
                    break;
                case FieldInfo f when f.DeclaringType is { } declaring:
                    yield return declaring;
                    break;
            }
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex DeclaredNamespace();

    [GeneratedRegex(@"^using CreditRisk\.Server\.([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"(?<![\w.])(?:CreditRisk\.Server\.)?(Api|Hosting|Health|Model|Scoring|Records|Challenger|Monitoring|Lifecycle|OpenInference|OpenApi)\.([A-Z]\w*)")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"//[^\n]*|/\*[\s\S]*?\*/|""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex Comment();
}
