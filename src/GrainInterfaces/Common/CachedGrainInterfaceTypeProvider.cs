using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Runtime;

namespace TaskService.Common;

/// <summary>
/// Remembers which <see cref="GrainInterfaceType"/> each grain interface has. Orleans works it out again on every
/// <c>GetGrain</c> call (reading the interface's attributes and formatting its name), which cost several percent of the CPU
/// and of the allocations of each event, whose path creates a handful of grain references. The answer for a type never
/// changes, so the first one is kept. Registered ahead of Orleans' own providers (<see cref="AddGrainInterfaceTypeCache"/>),
/// it asks the resolver once per type, through those providers, and answers from the cache after that.
/// </summary>
public sealed class CachedGrainInterfaceTypeProvider(IServiceProvider services) : IGrainInterfaceTypeProvider
{
    [ThreadStatic]
    private static bool t_resolving;

    private readonly ConcurrentDictionary<Type, GrainInterfaceType> _known = new();
    private GrainInterfaceTypeResolver? _resolver;

    public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
    {
        if (_known.TryGetValue(type, out grainInterfaceType))
        {
            return true;
        }

        if (t_resolving)
        {
            // The resolver asking every provider, this one first, while this one asks it: let the others answer.
            grainInterfaceType = default;
            return false;
        }

        t_resolving = true;
        try
        {
            _resolver ??= services.GetRequiredService<GrainInterfaceTypeResolver>();
            grainInterfaceType = _known.GetOrAdd(type, _resolver.GetGrainInterfaceType(type));
            return true;
        }
        finally
        {
            t_resolving = false;
        }
    }

    /// <summary>Puts the cache in front of the providers Orleans registers (the resolver asks them in registration order).</summary>
    public static IServiceCollection AddGrainInterfaceTypeCache(IServiceCollection services)
    {
        if (!services.Any(d => d.ImplementationType == typeof(CachedGrainInterfaceTypeProvider)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IGrainInterfaceTypeProvider, CachedGrainInterfaceTypeProvider>());
        }

        return services;
    }
}
