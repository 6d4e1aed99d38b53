using TaskService.Gateway;

var builder = WebApplication.CreateBuilder(args);
builder.UseOrleansClient(client => client.UseLocalhostClustering());
builder.AddTaskServiceGateway();

var app = builder.Build();
app.MapTaskServiceApi();
app.Run();

/// <summary>The gateway alone: an Orleans client of a TaskService cluster that serves the HTTP API.</summary>
public partial class Program;
