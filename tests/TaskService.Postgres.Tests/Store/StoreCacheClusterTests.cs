using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;
using TaskService.Hosting;
using TaskService.Mappings;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Storage.Caching;
using TaskService.Workflows;
using TaskService.Postgres.Tests.Orleans;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// Two silos on one database, each caching mappings for ten minutes: a change made through one silo is seen by the other at
/// once, also where the other had cached that no mapping exists, and so is a workflow redeployed or deleted.
/// </summary>
public sealed class StoreCacheClusterTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task AMappingAddedOrRemovedThroughOneSiloIsSeenByTheOtherAtOnceThoughItCachedTheOldAnswer()
    {
        var clusterId = $"cache-{Guid.NewGuid():N}";
        using var siloA = BuildSilo(clusterId);
        using var siloB = BuildSilo(clusterId);
        await siloA.StartAsync();
        await siloB.StartAsync();
        try
        {
            // A clear goes to the silos A knows as active; wait until B is one of them.
            var membershipOfA = siloA.Services.GetRequiredService<IClusterMembershipService>();
            var addressOfB = siloB.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            await Eventually.ReturnsAsync(
                () => membershipOfA.CurrentSnapshot.GetSiloStatus(addressOfB),
                status => status == SiloStatus.Active,
                TimeSpan.FromSeconds(60), "silo A sees silo B as active");

            var storeA = siloA.Services.GetRequiredService<ITaskServiceStore>();
            var storeB = siloB.Services.GetRequiredService<ITaskServiceStore>();
            Assert.IsType<CachingTaskServiceStore>(storeB);
            var eventKey = $"cached.{Guid.NewGuid():N}";
            var taskKey = $"cached-task.{Guid.NewGuid():N}";

            // B reads (and keeps) that nothing is mapped...
            Assert.Empty(await storeB.GetEventMappingsAsync(eventKey));
            Assert.Empty(await storeB.GetTaskMappingsAsync(taskKey));

            // ...the mappings are added through A, and B uses them on its next read, well before its entries expire.
            var now = DateTimeOffset.UtcNow;
            var eventMapping = new EventWorkflowMapping { Id = Guid.NewGuid().ToString(), EventKey = eventKey, WorkflowKey = "cached-process", CreatedOn = now, ModifiedOn = now };
            var taskMapping = new TaskWorkflowMapping { Id = Guid.NewGuid().ToString(), TaskKey = taskKey, WorkflowKey = "cached-task-process", CreatedOn = now, ModifiedOn = now };
            Assert.True(await storeA.AddEventMappingAsync(eventMapping));
            Assert.True(await storeA.AddTaskMappingAsync(taskMapping));
            Assert.Equal("cached-process", Assert.Single(await storeB.GetEventMappingsAsync(eventKey)).WorkflowKey);
            Assert.Equal("cached-task-process", Assert.Single(await storeB.GetTaskMappingsAsync(taskKey)).WorkflowKey);

            // Removing goes the same way.
            Assert.True(await storeA.DeleteEventMappingAsync(eventMapping.Id, null, DateTimeOffset.UtcNow));
            Assert.Empty(await storeB.GetEventMappingsAsync(eventKey));

            // B keeps the workflow that deploys a process, with the version its events start; a redeploy through A is B's next
            // answer, and so is the delete.
            var processId = $"cached_{Guid.NewGuid():N}";
            var workflow = new WorkflowRecord
            {
                Id = Guid.NewGuid().ToString(),
                Name = "cached",
                ExternalIdentifier = processId,
                Provider = "embedded",
                WorkflowVersion = 1,
                InputSchema = JsonElementFactory.Parse("{}"),
                CreatedOn = now,
                ModifiedOn = now,
            };
            Assert.Null(await storeB.FindLiveWorkflowAsync(processId));
            await storeA.SaveWorkflowAsync(new WorkflowAggregate(workflow, [Version(1)]));
            Assert.Equal(new LiveWorkflow(workflow.Id, 1), await storeB.FindLiveWorkflowAsync(processId));
            await storeA.SaveWorkflowAsync(new WorkflowAggregate(workflow with { WorkflowVersion = 2 }, [Version(1), Version(2)]));
            Assert.Equal(new LiveWorkflow(workflow.Id, 2), await storeB.FindLiveWorkflowAsync(processId));
            await storeA.SaveWorkflowAsync(new WorkflowAggregate(workflow with { WorkflowVersion = 2, Deleted = true, DeletedOn = now }, [Version(1), Version(2)]));
            Assert.Null(await storeB.FindLiveWorkflowAsync(processId));

            WorkflowVersionRecord Version(int version) => new()
            {
                WorkflowId = workflow.Id,
                Version = version,
                BpmnDiagram = $"<definitions version='{version}'/>",
                ExternalWorkflowId = $"{processId}:{version}:{workflow.Id}",
                InputSchema = JsonElementFactory.Parse("{}"),
                CreatedOn = now.AddMinutes(version),
            };
        }
        finally
        {
            await siloB.StopAsync();
            await siloA.StopAsync();
        }
    }

    private IHost BuildSilo(string clusterId) =>
        new HostBuilder()
            .ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                // Long enough that only the clear can explain the other silo seeing a change.
                [$"{StoreCacheOptions.SectionName}:Ttl"] = "00:10:00",
            }))
            .UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = PostgresOrleans.ServiceId;
                });
                var ports = FreePorts.Take(2);
                silo.ConfigureEndpoints(IPAddress.Loopback, ports[0], ports[1]);
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresOrleans.Invariant;
                    o.ConnectionString = database.ConnectionString;
                });
                silo.AddPostgresStore(database.ConnectionString);
            })
            .Build();
}
