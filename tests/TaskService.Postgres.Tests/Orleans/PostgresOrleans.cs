using System.Net;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace TaskService.Postgres.Tests.Orleans;

/// <summary>Silo and client hosts whose clustering, grain storage and reminders are the ADO.NET providers on PostgreSQL.</summary>
internal static class PostgresOrleans
{
    public const string Invariant = "Npgsql";
    public const string GrainStorageName = "postgres";
    public const string ServiceId = "taskservice-postgres-tests";

    public static IHost BuildSilo(string connectionString, string clusterId) =>
        new HostBuilder()
            .UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = ServiceId;
                });
                var ports = FreePorts.Take(2);
                silo.ConfigureEndpoints(IPAddress.Loopback, ports[0], ports[1]);
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = Invariant;
                    o.ConnectionString = connectionString;
                });
                silo.AddAdoNetGrainStorage(GrainStorageName, o =>
                {
                    o.Invariant = Invariant;
                    o.ConnectionString = connectionString;
                });
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = Invariant;
                    o.ConnectionString = connectionString;
                });
            })
            .Build();

    public static IHost BuildClient(string connectionString, string clusterId) =>
        new HostBuilder()
            .UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = ServiceId;
                });
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = Invariant;
                    o.ConnectionString = connectionString;
                });
            })
            .Build();
}
