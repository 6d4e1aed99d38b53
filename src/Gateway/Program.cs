using TaskService.Gateway;

var builder = WebApplication.CreateBuilder(args);
var gatewayPort = builder.Configuration.GetValue("Orleans:Endpoints:GatewayPort", 30000);
builder.UseOrleansClient(client => client.UseLocalhostClustering(gatewayPort));
builder.AddTaskServiceGateway();

var app = builder.Build();
app.MapTaskServiceApi();
app.Run();

/// <summary>The gateway alone: an Orleans client of a TaskService cluster that serves the HTTP API.</summary>
public partial class Program;
