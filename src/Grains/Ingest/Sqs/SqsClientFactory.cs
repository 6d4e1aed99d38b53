using Amazon;
using Amazon.SQS;

namespace TaskService.Connectors.Sqs;

/// <summary>Creates SQS clients from <see cref="SqsOptions"/>: the standard AWS credential chain, the region, and an optional service URL.</summary>
public static class SqsClientFactory
{
    public static AmazonSQSClient Create(SqsOptions options)
    {
        var config = new AmazonSQSConfig();
        if (options.ServiceUrl is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl.ToString();
            if (!string.IsNullOrWhiteSpace(options.Region))
            {
                config.AuthenticationRegion = options.Region;
            }
        }
        else if (!string.IsNullOrWhiteSpace(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return new AmazonSQSClient(config);
    }
}
