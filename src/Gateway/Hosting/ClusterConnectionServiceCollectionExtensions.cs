using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TaskService.Gateway.Hosting;

/// <summary>Registers <see cref="ClusterConnection"/> in place of the Orleans client's own hosted service.</summary>
public static class ClusterConnectionServiceCollectionExtensions
{
    /// <summary>
    /// Call after <c>UseOrleansClient</c>: the client is then started in the background by <see cref="ClusterConnection"/>,
    /// which is also its connection retry filter, instead of during the host's start.
    /// </summary>
    public static IServiceCollection AddClusterConnectionInBackground(this IServiceCollection services)
    {
        // The client registers itself as a hosted service through a factory defined in Orleans.Core; that registration is the
        // one replaced, in its place among the hosted services.
        var orleans = typeof(IClusterClient).Assembly;
        var clientStart = services
            .Select((descriptor, index) => (descriptor, index))
            .Where(d => d.descriptor.ServiceType == typeof(IHostedService) && d.descriptor.ImplementationFactory?.Method.DeclaringType?.Assembly == orleans)
            .ToList();
        if (clientStart.Count != 1)
        {
            throw new InvalidOperationException(
                $"Expected the Orleans client to register one hosted service, found {clientStart.Count}: is UseOrleansClient called first?");
        }

        var state = new ClusterConnectionState();
        services.AddSingleton(state);

        // While the client connects, each failed attempt would be a warning with a stack trace from the connection manager;
        // ClusterConnection says what fails instead, once a minute. Once connected, a silo that cannot be reached is a warning again.
        services.Configure<LoggerFilterOptions>(options => options.AddFilter(
            "Orleans.Runtime.Messaging.ConnectionManager", level => level >= (state.IsConnected ? LogLevel.Warning : LogLevel.Error)));
        services[clientStart[0].index] = ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<ClusterConnection>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LateStartFailure>();
        services.TryAddSingleton<ClusterConnection>();
        services.AddSingleton<IClientConnectionRetryFilter>(sp => sp.GetRequiredService<ClusterConnection>());
        return services;
    }
}
