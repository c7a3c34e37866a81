using System.Collections.Concurrent;
using System.Diagnostics;
using CreditRisk.Contracts;
using CreditRisk.Server.Hosting;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// The served models by name (docs/model-lifecycle.md). Each name has one serving <see cref="ServedModel"/>; a new
/// version is loaded beside it, verified (content hash and card when the file is opened, the golden rows here) and
/// warmed, then swapped in with one reference exchange. Requests lease the version they start on, so they finish on it;
/// the replaced version's session is disposed when its last lease ends. A version that fails verification never serves:
/// the old one keeps serving and the reason is logged, counted and returned. Loads are one at a time.
/// </summary>
public sealed class ModelRegistry : IDisposable
{
    private readonly ModelOptions _options;
    private readonly IOptions<ScoringOptions> _scoring;
    private readonly IOptions<ReferOptions> _refer;
    private readonly DecisionRecorder _recorder;
    private readonly DecisionStore _store;
    private readonly bool _recording;
    private readonly ILogger<DecisionPipeline> _pipelineLogger;
    private readonly ILogger<ModelRegistry> _logger;
    private readonly ConcurrentDictionary<string, ServedModel> _serving = new(StringComparer.Ordinal);

    // What each name was last asked to load and why it was refused, so poll mode does not retry an unchanged bad file every interval.
    private readonly ConcurrentDictionary<string, (ModelFingerprint File, string Reason)> _refused = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ModelFingerprint> _loadedFrom = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _loading = new(1, 1);

    // The files each model served before its current version, newest last: what a rollback restores.
    private const int MaxRollbacks = 10;
    private readonly ConcurrentDictionary<string, Stack<(string Path, string Folder, string Version)>> _previous = new(StringComparer.Ordinal);
    private string? _default;

    public ModelRegistry(
        IOptions<ModelOptions> options, IOptions<ScoringOptions> scoring, IOptions<ReferOptions> refer, IOptions<RecordsOptions> records, DecisionRecorder recorder, DecisionStore store,
        ILoggerFactory loggers)
    {
        _options = options.Value;
        _scoring = scoring;
        _refer = refer;
        _recorder = recorder;
        _store = store;
        _recording = records.Value.Enabled;
        _pipelineLogger = loggers.CreateLogger<DecisionPipeline>();
        _logger = loggers.CreateLogger<ModelRegistry>();
    }

    /// <summary>The name /api/v1/score and the page use when a request names no model.</summary>
    public string DefaultName => _default ?? throw new InvalidOperationException("the models are not loaded yet");

    /// <summary>The repository folder, or null when Model:Path is served as a repository of one.</summary>
    public string? Repository => _options.ResolvedRepository;

    /// <summary>The serving version of every model, by name.</summary>
    public IReadOnlyList<ServedModel> Serving => [.. _serving.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>The serving version of a model (no lease: for descriptions, never for scoring).</summary>
    public ServedModel? Find(string name) => _serving.TryGetValue(name, out var served) ? served : null;

    /// <summary>
    /// Loads every model of the repository (or Model:Path) before the server listens; any bad file stops start-up, as
    /// a single model always did. The default model's first version stays loaded for the process's life: the start-up
    /// parts that are built once (challenger, monitoring, the OpenAPI document) describe it.
    /// </summary>
    public ServedModel LoadAll()
    {
        var entries = Repository is { } root
            ? ModelRepository.Scan(root)
            : [new RepositoryEntry("", null, _options.ResolvedPath)];
        if (entries.Count == 0)
        {
            throw new ModelLoadException(Repository!, $"holds no model: put each in <name>/<version>/{ModelRepository.FileName}");
        }

        foreach (var entry in entries)
        {
            var served = Open(entry);
            _serving[served.Name] = served;
            _loadedFrom[served.Name] = ModelFingerprint.Of(entry.Path);
            Announce(served, "loaded");
        }

        _default = string.IsNullOrWhiteSpace(_options.Default) ? _serving.Keys.Order(StringComparer.Ordinal).First() : _options.Default;
        if (!_serving.TryGetValue(_default, out var first))
        {
            throw new ModelLoadException(Repository ?? _options.ResolvedPath, $"holds no model '{_default}' (Model:Default); it holds {string.Join(", ", _serving.Keys)}");
        }

        // Pinned: never disposed, however many swaps follow (see the summary).
        first.TryAcquire();
        return first;
    }

    /// <summary>A lease on the serving version of <paramref name="name"/> (the default model when null), or null when no such model serves.</summary>
    public ModelLease? Acquire(string? name)
    {
        name ??= DefaultName;
        while (_serving.TryGetValue(name, out var served))
        {
            if (served.TryAcquire())
            {
                return new ModelLease(served);
            }

            // Retired between the read and the lease: the swap has already put its successor in place.
        }

        return null;
    }

    /// <summary>
    /// Loads the repository's newest version of <paramref name="name"/> beside the serving one, verifies and warms it,
    /// and swaps it in. An unchanged file is not reloaded. A refusal leaves the serving version as it was.
    /// </summary>
    public async Task<LoadOutcome> LoadAsync(string name, CancellationToken cancellationToken = default)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            return await LoadAsync(name);
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// Swaps in the file at <paramref name="path"/> as the next version of <paramref name="name"/> (a promotion: the
    /// challenger's file), verified and warmed like any load; <paramref name="described"/> says what it is in the
    /// timeline. The version it replaces can be restored with <see cref="RollbackAsync"/>.
    /// </summary>
    public async Task<LoadOutcome> SwapInAsync(string name, string path, string folder, ModelEvent? described, CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            _serving.TryGetValue(name, out var current);
            return await SwapAsync(name, new RepositoryEntry(name, null, path), folder, current, remember: true, described);
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Restores the version a model served before its current one (this process's memory of it). Null when there is none.</summary>
    public async Task<LoadOutcome?> RollbackAsync(string name, ModelEvent? described, CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (!_serving.TryGetValue(name, out var current) || !_previous.TryGetValue(name, out var stack) || !stack.TryPeek(out var previous))
            {
                return null;
            }

            var outcome = await SwapAsync(name, new RepositoryEntry(name, null, previous.Path), previous.Folder, current, remember: false, described);
            if (outcome.Refused is null)
            {
                stack.Pop();
            }

            return outcome;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>The version a rollback would restore, or null.</summary>
    public string? PreviousVersion(string name) =>
        _previous.TryGetValue(name, out var stack) && stack.TryPeek(out var previous) ? previous.Version : null;

    /// <summary>Stops serving a model (not the default one, which /api/v1/score needs). Null when done, else why not.</summary>
    public async Task<string?> UnloadAsync(string name, CancellationToken cancellationToken = default)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (name == DefaultName)
            {
                return $"'{name}' is the default model (Model:Default), which /api/v1/score serves; it cannot be unloaded";
            }

            if (!_serving.TryRemove(name, out var served))
            {
                return $"no model '{name}' is loaded";
            }

            _loadedFrom.TryRemove(name, out _);
            ModelMetrics.ModelInfo.RemoveLabelled(served.Name, served.Model.Version, served.Model.Card.Learner);
            Log.ModelStateChanged(_logger, served.Name, served.Model.Version, served.Folder, "unloaded", "");
            served.Retire();
            return null;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// Every model that serves (READY, its serving version) and every newest version in the repository that does not
    /// (UNAVAILABLE, with the reason it was refused, or "not loaded"): the repository API's index.
    /// </summary>
    public IReadOnlyList<RepositoryState> Index()
    {
        var entries = Repository is { } root ? ModelRepository.Scan(root) : [];
        var states = Serving.Select(s => new RepositoryState(s.Name, s.Folder, "READY", "")).ToList();
        foreach (var entry in entries.Where(e => !_serving.TryGetValue(e.Name, out var served) || served.Folder != e.FolderName))
        {
            var refused = _refused.TryGetValue(entry.Name, out var r) && r.File.Path == entry.Path ? r.Reason : null;
            states.Add(new(entry.Name, entry.FolderName, "UNAVAILABLE", refused ?? "not loaded"));
        }

        return [.. states.OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Version, StringComparer.Ordinal)];
    }

    private async Task<LoadOutcome> LoadAsync(string name)
    {
        _serving.TryGetValue(name, out var current);
        var entry = Repository is { } root
            ? ModelRepository.Find(root, name)
            : current is not null ? new RepositoryEntry(name, null, _options.ResolvedPath) : null;
        if (entry is null)
        {
            return Refuse(name, null, current, $"the repository holds no model '{name}'");
        }

        var fingerprint = ModelFingerprint.Of(entry.Path);
        if (current is not null && _loadedFrom.TryGetValue(name, out var loaded) && loaded == fingerprint)
        {
            ModelMetrics.Loads.WithLabels(name, "unchanged").Inc();
            return new LoadOutcome(name, current.Model.Version, false, null);
        }

        if (_refused.TryGetValue(name, out var refused) && refused.File == fingerprint)
        {
            return new LoadOutcome(name, current?.Model.Version, false, refused.Reason);
        }

        return await SwapAsync(name, entry, entry.FolderName, current, remember: true, described: null);
    }

    /// <summary>Opens, verifies and warms <paramref name="entry"/> beside <paramref name="current"/>, then swaps it in; or refuses it.</summary>
    private async Task<LoadOutcome> SwapAsync(string name, RepositoryEntry entry, string folder, ServedModel? current, bool remember, ModelEvent? described)
    {
        var fingerprint = ModelFingerprint.Of(entry.Path);
        ServedModel next;
        var started = Stopwatch.GetTimestamp();
        try
        {
            next = Open(entry with { Name = name }, folder);
        }
        catch (Exception e) when (e is ModelLoadException or IOException or UnauthorizedAccessException)
        {
            // A file removed or replaced while it was read is refused like a bad one; the next poll sees its new fingerprint.
            _refused[name] = (fingerprint, e.Message);
            return Refuse(name, folder, current, e.Message);
        }

        ModelMetrics.LoadSeconds.WithLabels(name).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _refused.TryRemove(name, out _);
        _loadedFrom[name] = fingerprint;
        if (current is not null && current.Model.Version == next.Model.Version)
        {
            // The same model in a new place (a copy): nothing to swap.
            next.Retire();
            ModelMetrics.Loads.WithLabels(name, "unchanged").Inc();
            return new LoadOutcome(name, current.Model.Version, false, null);
        }

        // The swap: one reference exchange. A request that read the old one either got its lease before the
        // retirement (and finishes on it) or failed to and reads the new one (ModelRegistry.Acquire).
        _serving[name] = next;
        ModelMetrics.Loads.WithLabels(name, "served").Inc();
        Announce(next, current is null ? "loaded" : described?.Action ?? "swapped in");
        if (current is not null)
        {
            if (remember)
            {
                var previous = _previous.GetOrAdd(name, _ => new());
                previous.Push((current.Model.Path, current.Folder, current.Model.Version));
                // Rollback goes back a step or two, not through every swap a long-running poller has seen.
                if (previous.Count > MaxRollbacks)
                {
                    _previous[name] = new(previous.Take(MaxRollbacks).Reverse());
                }
            }

            ModelMetrics.Swaps.WithLabels(name).Inc();
            ModelMetrics.ModelInfo.RemoveLabelled(current.Name, current.Model.Version, current.Model.Card.Learner);
            Log.ModelStateChanged(_logger, current.Name, current.Model.Version, current.Folder, "retired", $"{current.InFlight} requests in flight");
            current.Retire();
        }

        await RecordAsync((described ?? new ModelEvent(default, name, "swap", null, "", false, null, null, null)) with
        {
            At = DateTimeOffset.UtcNow,
            Model = name,
            FromVersion = current?.Model.Version,
            ToVersion = next.Model.Version,
        });
        return new LoadOutcome(name, next.Model.Version, current is not null, null);
    }

    /// <summary>The timeline keeps the change; a store that fails loses the entry (logged), never the swap.</summary>
    private async Task RecordAsync(ModelEvent change)
    {
        if (!_recording)
        {
            return;
        }

        try
        {
            await _store.InsertModelEventAsync(change, CancellationToken.None);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            Log.ModelEventNotRecorded(_logger, e, change.Model, change.ToVersion);
        }
    }

    private LoadOutcome Refuse(string name, string? folder, ServedModel? current, string reason)
    {
        ModelMetrics.Loads.WithLabels(name, "refused").Inc();
        Log.ModelRefused(_logger, name, folder ?? "", current?.Model.Version ?? "(none)", reason);
        return new LoadOutcome(name, current?.Model.Version, false, reason);
    }

    /// <summary>Opens, verifies and warms a file (<see cref="CreditModel"/>: hash and card; <see cref="ModelChecks.CheckGolden"/>: golden rows).</summary>
    private ServedModel Open(RepositoryEntry entry, string? folder = null)
    {
        var model = new CreditModel(entry.Path, _options.ParallelRunRows);
        try
        {
            var compared = ModelChecks.CheckGolden(model);
            if (entry.Name.Length > 0 && entry.Name != model.Spec.Name)
            {
                throw new ModelLoadException(entry.Path, $"is in the repository as '{entry.Name}' but its card's spec is '{model.Spec.Name}'");
            }

            if (compared > 0)
            {
                Log.GoldenWarmUp(_logger, compared);
            }

            return new ServedModel(model.Spec.Name, folder ?? entry.FolderName, model, _scoring, _refer, _recorder, _pipelineLogger);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private void Announce(ServedModel served, string change)
    {
        ModelMetrics.ModelInfo.WithLabels(served.Name, served.Model.Version, served.Model.Card.Learner).Set(1);
        Log.ModelStateChanged(_logger, served.Name, served.Model.Version, served.Folder, change, served.Model.Path);
    }

    public void Dispose()
    {
        foreach (var served in _serving.Values)
        {
            served.Retire();
        }

        _serving.Clear();
        _loading.Dispose();
    }
}
