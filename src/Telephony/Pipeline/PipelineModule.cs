using CallCenter.Telephony.Calls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace CallCenter.Telephony.Pipeline;

public static class PipelineModule
{
    /// <summary>Registers the live call pipeline as the softswitch's <see cref="ICallAudioSink"/> (options validated at start).</summary>
    public static IHostApplicationBuilder AddCallPipeline(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PipelineOptions>()
            .BindConfiguration(PipelineOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.OverlapMs < o.MaxUtteranceMs / 2, "Telephony:Pipeline:OverlapMs must be under half of MaxUtteranceMs.")
            .ValidateOnStart();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<CallEventBus>();
        builder.Services.AddSingleton<PipelineMetrics>();
        builder.Services.AddSingleton<TranscriptStore>();
        builder.Services.AddSingleton<CallPipeline>();
        builder.Services.AddSingleton<ICallAudioSink>(sp => sp.GetRequiredService<CallPipeline>());
        return builder;
    }
}
