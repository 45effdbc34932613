using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Transcription;

public static class TranscriptionModule
{
    /// <summary>
    /// Registers <see cref="ITranscriber"/> from the "Transcription" section: the OpenAI-compatible server when
    /// Server:BaseUrl is set, else the in-process Whisper engine when ModelPath is set, else off. Adds the
    /// "transcription" health check and loads the model in the background at start.
    /// </summary>
    public static IHostApplicationBuilder AddTranscription(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<TranscriptionOptions>()
            .BindConfiguration(TranscriptionOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => string.IsNullOrEmpty(o.ModelPath) || !string.IsNullOrWhiteSpace(o.ModelPath), "Transcription:ModelPath must not be blank.")
            .Validate(o => o.Server is not null && Validator.TryValidateObject(o.Server, new ValidationContext(o.Server), null, validateAllProperties: true),
                "Transcription:Server is invalid: BaseUrl must be an absolute URL, TimeoutSeconds 1-600, Model set.")
            .ValidateOnStart();

        var section = builder.Configuration.GetSection(TranscriptionOptions.Section);
        var mode = !string.IsNullOrEmpty(section["Server:BaseUrl"]) ? TranscriptionMode.Server
            : !string.IsNullOrEmpty(section["ModelPath"]) ? TranscriptionMode.Whisper
            : TranscriptionMode.Off;
        var status = new TranscriptionStatus(mode);
        builder.Services.AddSingleton(status);
        builder.Services.AddHealthChecks().AddCheck<TranscriptionHealthCheck>("transcription");
        switch (mode)
        {
            case TranscriptionMode.Server:
                status.Set(TranscriptionState.Ready, section["Server:BaseUrl"]);
                builder.Services.AddHttpClient<OpenAiCompatibleTranscriber>(c => c.Timeout = Timeout.InfiniteTimeSpan);
                builder.Services.AddSingleton<ITranscriber>(sp => sp.GetRequiredService<OpenAiCompatibleTranscriber>());
                break;
            case TranscriptionMode.Whisper:
                builder.Services.AddSingleton<WhisperTranscriber>();
                builder.Services.AddSingleton<ITranscriber>(sp => sp.GetRequiredService<WhisperTranscriber>());
                builder.Services.AddHostedService<WhisperWarmup>();
                break;
            default:
                builder.Services.AddSingleton<ITranscriber, DisabledTranscriber>();
                break;
        }

        return builder;
    }
}

/// <summary>Starts loading the model when the host starts, without delaying start-up.</summary>
internal sealed class WhisperWarmup(WhisperTranscriber transcriber) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = transcriber.EnsureLoadedAsync();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
